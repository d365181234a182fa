//! `Worker`: `tradewind worker`. Reads the inbound streams of the shards it
//! holds a lease on (XREADGROUP in the consumer group), runs each message
//! through the swarm in per-chat lanes, and completes it atomically (done
//! key, reply, XACK) only after the swarm stored the result.
//!
//! Four tasks, all owned: renewal (heartbeat, lease renewal), balancing
//! (fair share, hand-overs, reclaiming a dead worker's entries with
//! XAUTOCLAIM, sweeps), the reader (XREADGROUP on its own connection), and
//! the dispatcher (this `run` future itself, which owns the lanes and so
//! every running inquiry). Aborting `run` aborts them all.

use futures::FutureExt;
use redis::streams::{StreamAutoClaimReply, StreamClaimReply, StreamId, StreamPendingCountReply, StreamReadReply};
use redis::Script;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tradewind_redis::conn::{RedisConn, RedisTarget};

use super::keys::{chat_key, inquiry_id_for, Keys};
use super::lanes::Lanes;
use super::process::{answer, now_us, reply_from_error, reply_from_result, too_large};
use super::redis_ingress::pause;
use super::wire::{self, Envelope, ReplyEnvelope, ReplyTrace, RELEASED};
use crate::config::{ClusterConfig, ClusterSettings};
use tradewind_ports::ingress::OutboundReply;
use tradewind_ports::{AppError, Application};

/// Every this many lease ticks, held shards are swept for orphaned entries
/// (pending here but not running, e.g. after a failed completion).
const SWEEP_EVERY: u64 = 5;
/// Pending entries examined per XPENDING.
const PENDING_SCAN: usize = 10_000;
/// Attempts at the completion script before the entry is left pending for
/// the sweep.
const FINISH_ATTEMPTS: usize = 5;
/// Dead-letter stream bound.
const MAX_DEAD: usize = 10_000;

/// Live counters of one worker.
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Inquiries this worker completed (its reply was the one published).
    pub completed: AtomicU64,
    /// Entries found already completed (a stored done key) and only acked.
    pub already_done: AtomicU64,
    /// Entries this worker got from another worker, or again.
    pub redelivered: AtomicU64,
    pub dead_lettered: AtomicU64,
    /// Entries trimmed from a stream before anyone completed them.
    pub lost: AtomicU64,
    /// Entries left pending after completion kept failing (the sweep retries).
    pub failed: AtomicU64,
    /// Entries left pending because the backing services stayed unavailable
    /// (the sweep runs them again).
    pub deferred: AtomicU64,
    /// Shards whose lease this worker holds.
    pub shards: AtomicUsize,
    /// Entries read and not finished (queued in lanes or running).
    pub in_flight: AtomicUsize,
    /// Leases this worker lost by stalling past them.
    pub leases_lost: AtomicU64,
    /// Completions refused because the shard had moved to another worker.
    pub fenced: AtomicU64,
}

/// What `Worker::run` did by the time it returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerReport {
    pub completed: u64,
    /// Read but not started at shutdown: left pending for the next owner.
    pub handed_back: usize,
    /// Running at the shutdown deadline: aborted, left pending for the next owner.
    pub aborted: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Free,
    /// Lease taken; the previous owner's pending entries are being claimed.
    /// `handed_back`: it released cleanly, so they can be claimed at once.
    Recovering {
        handed_back: bool,
    },
    Active,
    /// Over the fair share: no more reads, released when nothing of it runs.
    Draining,
}

struct Table {
    slots: Vec<Slot>,
    /// Entries read (or claimed) per shard and not yet finished or dropped.
    in_flight: Vec<usize>,
    /// A blocking read covering the shard is outstanding: its entries are
    /// not counted yet, so the shard must not be released.
    reading: Vec<bool>,
    /// (shard, entry id) of entries in flight here, so claims skip what
    /// already runs. Entry ids are only unique within one stream.
    ids: HashSet<(usize, String)>,
}

struct Scripts {
    finish: Script,
    renew: Script,
    acquire: Script,
    release: Script,
}

struct Ctx {
    app: Arc<dyn Application>,
    max_message_bytes: usize,
    name: String,
    keys: Keys,
    cfg: ClusterConfig,
    client: RedisTarget,
    conn: RedisConn,
    scripts: Scripts,
    table: Mutex<Table>,
    /// The set of readable shards changed.
    changed: Notify,
    /// Entries this worker may hold at once (read-ahead bound).
    permits: Arc<Semaphore>,
    stats: Arc<WorkerStats>,
    /// Past the shutdown deadline: stop retrying.
    hard: CancellationToken,
    /// Live workers at the last heartbeat.
    live: AtomicUsize,
}

impl Ctx {
    fn table(&self) -> MutexGuard<'_, Table> {
        // The table is plain bookkeeping; a panic elsewhere while holding
        // the lock leaves it usable.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether this worker still holds the shard's lease (as far as it knows).
    fn holds(&self, shard: usize) -> bool {
        self.table().slots.get(shard).is_some_and(|s| *s != Slot::Free)
    }

    fn tick(&self) -> Duration {
        Duration::from_millis((self.cfg.lease_ms / 3).max(10))
    }

    fn block(&self) -> Duration {
        Duration::from_millis(self.cfg.block_ms.max(1))
    }
}

/// One read or claimed entry. Dropping it (finished, handed back at
/// shutdown, aborted) un-counts it; the entry itself stays in the PEL
/// until acknowledged, which is what hands it to the next owner.
struct Job {
    ctx: Arc<Ctx>,
    shard: usize,
    id: String,
    body: Result<Envelope, (String, String)>,
    redelivered: bool,
    deliveries: usize,
    picked_us: u64,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Job {
    fn drop(&mut self) {
        let mut t = self.ctx.table();
        if let Some(n) = t.in_flight.get_mut(self.shard) {
            *n = n.saturating_sub(1);
        }
        t.ids.remove(&(self.shard, std::mem::take(&mut self.id)));
        self.ctx.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Job {
    fn lane(&self) -> String {
        match &self.body {
            Ok(env) => chat_key(&env.msg),
            // Undecodable: its own lane.
            Err(_) => format!("\u{0}{}", self.id),
        }
    }
}

/// Counts entries as in flight (under the table lock) and wraps them into
/// jobs; entries already in flight here are skipped.
fn admit(
    ctx: &Arc<Ctx>,
    t: &mut Table,
    shard: usize,
    entries: Vec<StreamId>,
    permits: &mut Vec<OwnedSemaphorePermit>,
    redelivered: bool,
    deliveries: &HashMap<String, usize>,
) -> Vec<Job> {
    let picked_us = now_us();
    let mut jobs = Vec::with_capacity(entries.len());
    for entry in entries {
        if t.ids.contains(&(shard, entry.id.clone())) {
            continue;
        }
        let Some(permit) = permits.pop() else {
            // Cannot happen (reads never ask for more than the permits); if
            // it did, the entry stays pending and the sweep runs it later.
            tracing::error!(worker = %ctx.name, id = %entry.id, "entry read without a permit; left for the sweep");
            continue;
        };
        t.in_flight[shard] += 1;
        t.ids.insert((shard, entry.id.clone()));
        ctx.stats.in_flight.fetch_add(1, Ordering::Relaxed);
        let body = match entry.get::<String>("e") {
            Some(raw) => serde_json::from_str::<Envelope>(&raw).map_err(|e| (format!("malformed envelope: {e}"), raw)),
            None => Err(("entry without an envelope".to_string(), String::new())),
        };
        let prior = deliveries.get(&entry.id).copied().unwrap_or(0);
        jobs.push(Job {
            ctx: ctx.clone(),
            shard,
            id: entry.id,
            body,
            redelivered,
            deliveries: prior + 1,
            picked_us,
            _permit: permit,
        });
    }
    jobs
}

fn take_permits(ctx: &Ctx, want: usize) -> Vec<OwnedSemaphorePermit> {
    let mut out = Vec::new();
    while out.len() < want {
        match ctx.permits.clone().try_acquire_owned() {
            Ok(p) => out.push(p),
            Err(_) => break,
        }
    }
    out
}

pub struct Worker {
    ctx: Arc<Ctx>,
}

impl Worker {
    /// Connects to the cluster's Redis. The app's memory must be shared
    /// (Redis): a reclaimed inquiry is recognised as completed by its stored
    /// result, and customers move between workers.
    pub async fn connect(app: Arc<dyn Application>, settings: &ClusterSettings) -> Result<Worker, AppError> {
        let cfg = settings.cluster.clone();
        let url = settings.redis_url()?;
        if !settings.shared_memory {
            return Err(AppError::Config("workers need shared memory: set [memory] redis_url (REDIS_URL)".into()));
        }
        let client = wire::open(&url)?;
        let mut conn = wire::manager(&client).await.map_err(|e| wire::unavailable(&format!("at {url}"), e))?;
        let keys = Keys::new(&settings.prefix, &cfg.stream, cfg.shards);
        wire::check_shards(&mut conn, &keys.meta(), keys.shards()).await?;
        let name = match &cfg.worker_name {
            Some(n) if n.starts_with('~') || n.is_empty() || n.len() > 128 => {
                return Err(AppError::Config(format!("worker name '{n}' must be 1-128 bytes and not start with '~'")))
            }
            Some(n) => n.clone(),
            None => default_name(),
        };
        let n = keys.shards();
        let ctx = Ctx {
            name,
            keys,
            client,
            conn,
            scripts: Scripts {
                finish: Script::new(wire::LUA_FINISH),
                renew: Script::new(wire::LUA_RENEW),
                acquire: Script::new(wire::LUA_ACQUIRE),
                release: Script::new(wire::LUA_RELEASE),
            },
            table: Mutex::new(Table {
                slots: vec![Slot::Free; n],
                in_flight: vec![0; n],
                reading: vec![false; n],
                ids: HashSet::new(),
            }),
            changed: Notify::new(),
            permits: Arc::new(Semaphore::new(cfg.buffer.max(cfg.concurrency).max(1))),
            stats: Arc::new(WorkerStats::default()),
            hard: CancellationToken::new(),
            live: AtomicUsize::new(1),
            cfg,
            app,
            max_message_bytes: settings.max_message_bytes,
        };
        Ok(Worker { ctx: Arc::new(ctx) })
    }

    pub fn name(&self) -> &str {
        &self.ctx.name
    }

    pub fn stats(&self) -> Arc<WorkerStats> {
        self.ctx.stats.clone()
    }

    /// Runs until `shutdown`, then: stops reading, hands back what has not
    /// started, gives running inquiries `shutdown_deadline_ms` to finish,
    /// aborts the rest (left pending), and releases its shards so another
    /// worker claims what was handed back at once.
    pub async fn run(self, shutdown: CancellationToken) -> Result<WorkerReport, AppError> {
        let ctx = self.ctx;
        ensure_groups(&ctx).await?;
        let stop = CancellationToken::new();
        let (tx, mut rx) = mpsc::channel::<Vec<Job>>(64);
        // Two sets: the reader must be gone before the leases are released.
        let mut leases = JoinSet::new();
        leases.spawn(renew_loop(ctx.clone(), stop.clone()));
        leases.spawn(balance_loop(ctx.clone(), tx.clone(), shutdown.clone(), stop.clone()));
        let mut reader = JoinSet::new();
        reader.spawn(read_loop(ctx.clone(), tx, shutdown.clone()));

        let mut lanes: Lanes<String, Job, ()> = Lanes::new(ctx.cfg.concurrency, |job: Job| handle(job).boxed());
        let mut report = WorkerReport::default();
        let mut stopping = false;
        let mut deadline = tokio::time::Instant::now();
        loop {
            if stopping && lanes.is_idle() {
                break;
            }
            tokio::select! {
                biased;
                _ = shutdown.cancelled(), if !stopping => {
                    stopping = true;
                    deadline = tokio::time::Instant::now() + Duration::from_millis(ctx.cfg.shutdown_deadline_ms);
                    rx.close();
                    while let Ok(batch) = rx.try_recv() {
                        report.handed_back += batch.len();
                    }
                    report.handed_back += lanes.take_queued().len();
                    tracing::info!(worker = %ctx.name, running = lanes.running(), handed_back = report.handed_back, "worker stopping");
                }
                Some((_, r)) = lanes.join_next(), if lanes.running() > 0 => {
                    if let Err(e) = r {
                        if e.is_panic() {
                            tracing::error!(worker = %ctx.name, "an inquiry task panicked; its entry stays pending");
                        }
                    }
                }
                batch = rx.recv(), if !stopping => match batch {
                    Some(jobs) => {
                        for job in jobs {
                            lanes.push(job.lane(), job);
                        }
                    }
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline), if stopping => {
                    report.aborted = lanes.running();
                    ctx.hard.cancel();
                    lanes.abort_running();
                    while lanes.join_next().await.is_some() {}
                    tracing::warn!(worker = %ctx.name, aborted = report.aborted, "shutdown deadline passed; running inquiries handed back");
                    break;
                }
            }
        }
        drop(lanes);
        drop(rx);
        // The reader ends after its current read (at most `block_ms`); what
        // that read returns is dropped and stays pending, to be handed back.
        // Only then may the shards go: everything of theirs is finished or
        // dropped, so the next owner can claim the rest immediately.
        join_all(&mut reader, &ctx.name).await;
        stop.cancel();
        join_all(&mut leases, &ctx.name).await;
        release_all(&ctx).await;
        report.completed = ctx.stats.completed.load(Ordering::Relaxed);
        Ok(report)
    }
}

async fn join_all(set: &mut JoinSet<()>, worker: &str) {
    while let Some(r) = set.join_next().await {
        if let Err(e) = r {
            if e.is_panic() {
                tracing::error!(worker, "a worker task panicked");
            }
        }
    }
}

fn default_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    let r = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &r[..6])
}

/// Creates the consumer group on every shard (from the start of the
/// stream, so entries queued before any worker existed are read).
async fn ensure_groups(ctx: &Ctx) -> Result<(), AppError> {
    let mut conn = ctx.conn.clone();
    for s in 0..ctx.keys.shards() {
        let r: Result<(), redis::RedisError> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(ctx.keys.inbound(s))
            .arg(&ctx.cfg.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await;
        match r {
            Ok(()) => {}
            Err(e) if e.code() == Some("BUSYGROUP") => {}
            Err(e) => return Err(wire::unavailable("creating the consumer group", e)),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- reader

async fn read_loop(ctx: Arc<Ctx>, tx: mpsc::Sender<Vec<Job>>, shutdown: CancellationToken) {
    let mut conn: Option<RedisConn> = None;
    let mut backoff = Duration::from_millis(100);
    let mut rotation = 0usize;
    while !shutdown.is_cancelled() {
        // A permit first: never read what cannot be held.
        let first = tokio::select! {
            p = ctx.permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = shutdown.cancelled() => break,
        };
        let mut permits = take_permits(&ctx, ctx.cfg.batch.max(1).saturating_sub(1));
        permits.push(first);
        let shards: Vec<usize> = {
            let mut t = ctx.table();
            let mut active: Vec<usize> = (0..t.slots.len()).filter(|&s| t.slots[s] == Slot::Active).collect();
            // COUNT is per stream: with fewer permits than shards, read a
            // rotating subset, one entry each, so nothing read lacks a permit.
            if active.len() > permits.len() {
                let k = active.len();
                active.rotate_left(rotation % k);
                active.truncate(permits.len());
                rotation = rotation.wrapping_add(1);
            }
            for &s in &active {
                t.reading[s] = true;
            }
            active
        };
        if shards.is_empty() {
            drop(permits);
            tokio::select! {
                _ = ctx.changed.notified() => {}
                _ = tokio::time::sleep(ctx.tick()) => {}
                _ = shutdown.cancelled() => break,
            }
            continue;
        }
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match wire::blocking(&ctx.client, ctx.block()).await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    clear_reading(&ctx, &shards);
                    tracing::warn!(worker = %ctx.name, error = %e, "cannot connect for reading; retrying");
                    if pause(&shutdown, &mut backoff).await {
                        break;
                    }
                    continue;
                }
            },
        };
        // COUNT is per stream: split the permits so the total fits.
        let count = permits.len() / shards.len();
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(&ctx.cfg.group)
            .arg(&ctx.name)
            .arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(ctx.block().as_millis() as u64)
            .arg("STREAMS");
        for &s in &shards {
            cmd.arg(ctx.keys.inbound(s));
        }
        for _ in &shards {
            cmd.arg(">");
        }
        // Not raced against shutdown: a read dropped half-way would leave
        // delivered entries nobody here knows about (they would still be
        // handed back, but only via the lease, later).
        let read = cmd.query_async::<Option<StreamReadReply>>(c).await;
        match read {
            Ok(reply) => {
                backoff = Duration::from_millis(100);
                let jobs = {
                    let mut t = ctx.table();
                    let mut jobs = Vec::new();
                    for key in reply.map(|r| r.keys).unwrap_or_default() {
                        let Some(s) = shards.iter().copied().find(|&s| ctx.keys.inbound(s) == key.key) else {
                            continue;
                        };
                        jobs.extend(admit(&ctx, &mut t, s, key.ids, &mut permits, false, &HashMap::new()));
                    }
                    for &s in &shards {
                        t.reading[s] = false;
                    }
                    jobs
                };
                drop(permits);
                if !jobs.is_empty() && tx.send(jobs).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                clear_reading(&ctx, &shards);
                if e.code() == Some("NOGROUP") {
                    // The stream or group vanished (FLUSHALL, a DEL by hand).
                    tracing::warn!(worker = %ctx.name, "consumer group missing; recreating it");
                    if let Err(e) = ensure_groups(&ctx).await {
                        tracing::warn!(worker = %ctx.name, error = %e, "could not recreate the consumer groups");
                    }
                } else {
                    tracing::warn!(worker = %ctx.name, error = %e, "XREADGROUP failed; reconnecting");
                    conn = None;
                }
                if pause(&shutdown, &mut backoff).await {
                    break;
                }
            }
        }
    }
}

fn clear_reading(ctx: &Ctx, shards: &[usize]) {
    let mut t = ctx.table();
    for &s in shards {
        t.reading[s] = false;
    }
}

// ---------------------------------------------------------------- leases

/// Heartbeat and lease renewal, alone in their task so that nothing slow
/// (claims, a full dispatcher) can delay them past the lease.
async fn renew_loop(ctx: Arc<Ctx>, stop: CancellationToken) {
    loop {
        match renew(&ctx).await {
            Ok(()) => wire::touch(ctx.cfg.health_file.as_deref()).await,
            Err(e) => tracing::warn!(worker = %ctx.name, error = %e, "lease renewal failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(ctx.tick()) => {}
            _ = stop.cancelled() => break,
        }
    }
}

async fn renew(ctx: &Ctx) -> Result<(), AppError> {
    let mut conn = ctx.conn.clone();
    let lease_ms = ctx.cfg.lease_ms.max(30);
    // Heartbeat: the live worker count decides the fair share.
    let now = tradewind_core::now_ms();
    let (_, _, live): ((), (), usize) = redis::pipe()
        .cmd("ZADD")
        .arg(ctx.keys.workers())
        .arg(now + lease_ms)
        .arg(&ctx.name)
        .cmd("ZREMRANGEBYSCORE")
        .arg(ctx.keys.workers())
        .arg("-inf")
        .arg(now)
        .cmd("ZCARD")
        .arg(ctx.keys.workers())
        .query_async(&mut conn)
        .await
        .map_err(|e| wire::unavailable("heartbeat", e))?;
    ctx.live.store(live.max(1), Ordering::Relaxed);

    let held: Vec<usize> = {
        let t = ctx.table();
        (0..t.slots.len()).filter(|&s| t.slots[s] != Slot::Free).collect()
    };
    if held.is_empty() {
        return Ok(());
    }
    let mut inv = ctx.scripts.renew.prepare_invoke();
    for &s in &held {
        inv.key(ctx.keys.lease(s));
    }
    inv.arg(&ctx.name).arg(lease_ms);
    let renewed: Vec<i64> = inv.invoke_async(&mut conn).await.map_err(|e| wire::unavailable("lease renewal", e))?;
    let mut t = ctx.table();
    for (&s, ok) in held.iter().zip(renewed) {
        if ok == 0 && t.slots[s] != Slot::Free {
            // This worker stalled past its lease: someone else may own the
            // shard now. What is queued here for it will not start, and the
            // completion script refuses what is running (fencing).
            tracing::warn!(worker = %ctx.name, shard = s, "lease lost; shard dropped");
            t.slots[s] = Slot::Free;
            ctx.stats.leases_lost.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Fair share, hand-overs, claims and sweeps.
async fn balance_loop(ctx: Arc<Ctx>, tx: mpsc::Sender<Vec<Job>>, shutdown: CancellationToken, stop: CancellationToken) {
    let mut tick_no: u64 = 0;
    while !stop.is_cancelled() {
        if let Err(e) = balance(&ctx, &tx, shutdown.is_cancelled(), tick_no).await {
            tracing::warn!(worker = %ctx.name, error = %e, "balancing round failed");
        }
        tick_no += 1;
        tokio::select! {
            _ = tokio::time::sleep(ctx.tick()) => {}
            _ = stop.cancelled() => break,
        }
    }
}

async fn balance(ctx: &Arc<Ctx>, tx: &mpsc::Sender<Vec<Job>>, stopping: bool, tick_no: u64) -> Result<(), AppError> {
    let mut conn = ctx.conn.clone();
    let n = ctx.keys.shards();
    let lease_ms = ctx.cfg.lease_ms.max(30);

    // Fair share: over it, drain the least busy shards; under it, take free ones.
    let share = n.div_ceil(ctx.live.load(Ordering::Relaxed).max(1));
    if !stopping {
        let mut t = ctx.table();
        let owned: Vec<usize> =
            (0..n).filter(|&s| matches!(t.slots[s], Slot::Active | Slot::Recovering { .. })).collect();
        if owned.len() > share {
            let mut active: Vec<usize> = owned.iter().copied().filter(|&s| t.slots[s] == Slot::Active).collect();
            active.sort_by_key(|&s| t.in_flight[s]);
            for s in active.into_iter().take(owned.len() - share) {
                t.slots[s] = Slot::Draining;
            }
        }
    }
    let release: Vec<usize> = {
        let t = ctx.table();
        (0..n).filter(|&s| t.slots[s] == Slot::Draining && t.in_flight[s] == 0 && !t.reading[s]).collect()
    };
    for s in release {
        release_one(ctx, &mut conn, s).await?;
    }
    if !stopping {
        let owned = {
            let t = ctx.table();
            (0..n).filter(|&s| matches!(t.slots[s], Slot::Active | Slot::Recovering { .. })).count()
        };
        if owned < share {
            let mut want = share - owned;
            // Start at a per-worker offset so workers do not all race for shard 0.
            let offset = ctx.keys.shard_of("worker", &ctx.name);
            for i in 0..n {
                if want == 0 {
                    break;
                }
                let s = (offset + i) % n;
                if ctx.table().slots[s] != Slot::Free {
                    continue;
                }
                let got: i64 = ctx
                    .scripts
                    .acquire
                    .key(ctx.keys.lease(s))
                    .arg(&ctx.name)
                    .arg(lease_ms)
                    .arg(RELEASED)
                    .invoke_async(&mut conn)
                    .await
                    .map_err(|e| wire::unavailable("lease acquisition", e))?;
                if got > 0 {
                    tracing::info!(worker = %ctx.name, shard = s, handed_back = got == 2, "shard acquired");
                    ctx.table().slots[s] = Slot::Recovering { handed_back: got == 2 };
                    want -= 1;
                }
            }
        }
        // Claim what earlier owners left, then start reading.
        let recovering: Vec<(usize, bool)> = {
            let t = ctx.table();
            (0..n)
                .filter_map(|s| match t.slots[s] {
                    Slot::Recovering { handed_back } => Some((s, handed_back)),
                    _ => None,
                })
                .collect()
        };
        for (s, handed_back) in recovering {
            let min_idle = if handed_back { 0 } else { ctx.cfg.claim_idle_ms };
            if recover(ctx, &mut conn, tx, s, min_idle).await? {
                let mut t = ctx.table();
                if matches!(t.slots[s], Slot::Recovering { .. }) {
                    t.slots[s] = Slot::Active;
                }
            }
        }
        if tick_no % SWEEP_EVERY == SWEEP_EVERY - 1 {
            let active: Vec<usize> = {
                let t = ctx.table();
                (0..n).filter(|&s| t.slots[s] == Slot::Active).collect()
            };
            for s in active {
                sweep(ctx, &mut conn, tx, s).await?;
            }
        }
    }
    let owned = ctx.table().slots.iter().filter(|s| **s != Slot::Free).count();
    ctx.stats.shards.store(owned, Ordering::Relaxed);
    ctx.changed.notify_one();
    Ok(())
}

async fn release_one(ctx: &Ctx, conn: &mut RedisConn, s: usize) -> Result<(), AppError> {
    let _: i64 = ctx
        .scripts
        .release
        .key(ctx.keys.lease(s))
        .arg(&ctx.name)
        // The marker must outlast any gap before the next worker comes
        // along: without it, that worker would wait `claim_idle_ms` for
        // entries it could take at once.
        .arg(ctx.cfg.dedupe_ttl_secs.max(1).saturating_mul(1000))
        .arg(RELEASED)
        .invoke_async(conn)
        .await
        .map_err(|e| wire::unavailable("lease release", e))?;
    ctx.table().slots[s] = Slot::Free;
    tracing::info!(worker = %ctx.name, shard = s, "shard released");
    Ok(())
}

/// At exit: hand every shard back and leave the live set, so the others
/// rebalance now instead of after the lease runs out.
async fn release_all(ctx: &Ctx) {
    let mut conn = ctx.conn.clone();
    let held: Vec<usize> = {
        let t = ctx.table();
        (0..t.slots.len()).filter(|&s| t.slots[s] != Slot::Free).collect()
    };
    for s in held {
        if let Err(e) = release_one(ctx, &mut conn, s).await {
            tracing::warn!(worker = %ctx.name, shard = s, error = %e, "could not release a shard; it frees itself when the lease runs out");
        }
    }
    let r: Result<(), _> = redis::cmd("ZREM").arg(ctx.keys.workers()).arg(&ctx.name).query_async(&mut conn).await;
    if let Err(e) = r {
        tracing::warn!(worker = %ctx.name, error = %e, "could not leave the live set");
    }
    ctx.stats.shards.store(0, Ordering::Relaxed);
}

async fn pending(
    ctx: &Ctx,
    conn: &mut RedisConn,
    s: usize,
    min_idle: Option<u64>,
) -> Result<StreamPendingCountReply, AppError> {
    let mut cmd = redis::cmd("XPENDING");
    cmd.arg(ctx.keys.inbound(s)).arg(&ctx.cfg.group);
    if let Some(ms) = min_idle {
        cmd.arg("IDLE").arg(ms);
    }
    cmd.arg("-").arg("+").arg(PENDING_SCAN);
    cmd.query_async(conn).await.map_err(|e| wire::unavailable("XPENDING", e))
}

/// Takes over a newly leased shard's pending entries (XAUTOCLAIM, those
/// idle at least `min_idle`) and queues them ahead of anything new. True
/// once nothing is pending but what runs here: then the shard may be read.
async fn recover(
    ctx: &Arc<Ctx>,
    conn: &mut RedisConn,
    tx: &mpsc::Sender<Vec<Job>>,
    s: usize,
    min_idle: u64,
) -> Result<bool, AppError> {
    let before = pending(ctx, conn, s, None).await?;
    if before.ids.is_empty() {
        return Ok(true);
    }
    if runs_here(ctx, s, &before) {
        return Ok(true);
    }
    let deliveries: HashMap<String, usize> = before.ids.iter().map(|p| (p.id.clone(), p.times_delivered)).collect();
    let mut cursor = "0-0".to_string();
    loop {
        let mut permits = take_permits(ctx, ctx.cfg.batch.max(1));
        if permits.is_empty() {
            return Ok(false);
        }
        let claimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(ctx.keys.inbound(s))
            .arg(&ctx.cfg.group)
            .arg(&ctx.name)
            .arg(min_idle)
            .arg(&cursor)
            .arg("COUNT")
            .arg(permits.len())
            .query_async(conn)
            .await
            .map_err(|e| wire::unavailable("XAUTOCLAIM", e))?;
        if !claimed.deleted_ids.is_empty() {
            ctx.stats.lost.fetch_add(claimed.deleted_ids.len() as u64, Ordering::Relaxed);
            tracing::error!(worker = %ctx.name, shard = s, ids = ?claimed.deleted_ids, "pending entries were trimmed before completion (raise cluster.max_stream_len)");
        }
        let jobs = {
            let mut t = ctx.table();
            admit(ctx, &mut t, s, claimed.claimed, &mut permits, true, &deliveries)
        };
        if !jobs.is_empty() {
            tracing::info!(worker = %ctx.name, shard = s, entries = jobs.len(), "reclaimed pending entries");
            if tx.send(jobs).await.is_err() {
                return Ok(false);
            }
        }
        cursor = claimed.next_stream_id;
        if cursor == "0-0" {
            break;
        }
    }
    let after = pending(ctx, conn, s, None).await?;
    Ok(runs_here(ctx, s, &after))
}

/// Every pending entry is this worker's and running (or queued) here.
fn runs_here(ctx: &Ctx, shard: usize, p: &StreamPendingCountReply) -> bool {
    let t = ctx.table();
    p.ids.len() < PENDING_SCAN && p.ids.iter().all(|e| e.consumer == ctx.name && t.ids.contains(&(shard, e.id.clone())))
}

/// Re-runs entries of a held shard that are pending but run nowhere here
/// (a completion that kept failing, a read lost to a broken connection).
async fn sweep(ctx: &Arc<Ctx>, conn: &mut RedisConn, tx: &mpsc::Sender<Vec<Job>>, s: usize) -> Result<(), AppError> {
    let idle = ctx.cfg.claim_idle_ms;
    let stale = pending(ctx, conn, s, Some(idle)).await?;
    let orphans: Vec<(String, usize)> = {
        let t = ctx.table();
        stale
            .ids
            .iter()
            .filter(|p| !t.ids.contains(&(s, p.id.clone())))
            .map(|p| (p.id.clone(), p.times_delivered))
            .collect()
    };
    if orphans.is_empty() {
        return Ok(());
    }
    let mut permits = take_permits(ctx, orphans.len().min(ctx.cfg.batch.max(1)));
    if permits.is_empty() {
        return Ok(());
    }
    let mut cmd = redis::cmd("XCLAIM");
    cmd.arg(ctx.keys.inbound(s)).arg(&ctx.cfg.group).arg(&ctx.name).arg(idle);
    for (id, _) in orphans.iter().take(permits.len()) {
        cmd.arg(id);
    }
    let claimed: StreamClaimReply = cmd.query_async(conn).await.map_err(|e| wire::unavailable("XCLAIM", e))?;
    let deliveries: HashMap<String, usize> = orphans.into_iter().collect();
    let jobs = {
        let mut t = ctx.table();
        admit(ctx, &mut t, s, claimed.ids, &mut permits, true, &deliveries)
    };
    if !jobs.is_empty() {
        tracing::warn!(worker = %ctx.name, shard = s, entries = jobs.len(), "re-running orphaned entries");
        let _ = tx.send(jobs).await;
    }
    Ok(())
}

// ---------------------------------------------------------------- one entry

/// One entry, start to finish. The entry is acknowledged only by the
/// completion script, after the swarm stored its result; every path that
/// returns early without it leaves the entry pending for a later attempt.
async fn handle(job: Job) {
    let ctx = job.ctx.clone();
    if !ctx.holds(job.shard) {
        // The shard moved on (lease lost): its new owner runs this entry.
        return;
    }
    let started_us = now_us();
    let env = match &job.body {
        Ok(env) => env,
        Err((reason, raw)) => {
            dead_letter(&ctx, &job, reason, raw, None).await;
            return;
        }
    };
    let msg = &env.msg;
    let done_key = ctx.keys.done(&msg.channel, &msg.message_id);
    if job.redelivered {
        ctx.stats.redelivered.fetch_add(1, Ordering::Relaxed);
        let done: Result<Option<String>, _> = redis::cmd("GET").arg(&done_key).query_async(&mut ctx.conn.clone()).await;
        match done {
            Ok(Some(_)) => {
                // Completed before (its reply went out); only the ack was lost.
                ack(&ctx, &job).await;
                ctx.stats.already_done.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(worker = %ctx.name, id = %job.id, error = %e, "cannot check completion; entry left pending");
                return;
            }
        }
        if job.deliveries > ctx.cfg.max_deliveries.max(1) {
            let reason = format!("gave up after {} deliveries", job.deliveries - 1);
            let reply = reply_from_error(msg, None, &AppError::Internal(reason.clone()));
            dead_letter(&ctx, &job, &reason, "", Some((reply, started_us))).await;
            return;
        }
    }
    let inquiry_id = inquiry_id_for(msg);
    let (reply, swarm_us) = if let Some(len) = env.oversize {
        (reply_from_error(msg, None, &too_large(len, ctx.max_message_bytes)), 0)
    } else {
        // A redelivered message may have finished its swarm run (result
        // stored) before its worker died: answer from the stored result
        // instead of running it again.
        let stored = if job.redelivered { ctx.app.stored_result(&inquiry_id).await.ok().flatten() } else { None };
        match stored {
            Some(r) => (reply_from_result(msg, &r), 0),
            None => {
                let a = answer(ctx.app.as_ref(), msg, inquiry_id.clone(), &ctx.hard).await;
                if a.outage {
                    // Nothing is lost: the entry stays pending, unacknowledged,
                    // and the sweep runs it again once the services are back.
                    ctx.stats.deferred.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(worker = %ctx.name, id = %job.id, "services unavailable; entry left pending for a retry");
                    return;
                }
                (a.reply, a.swarm.as_micros() as u64)
            }
        }
    };
    let done_value = match &reply.error {
        None => inquiry_id,
        Some(kind) => format!("error:{kind}"),
    };
    let trace = ReplyTrace {
        queued_us: env.queued_us,
        picked_us: job.picked_us,
        started_us,
        swarm_us,
        replied_us: 0,
        worker: ctx.name.clone(),
        redelivered: job.redelivered,
    };
    finish(&ctx, &job, &done_key, &done_value, reply, trace).await;
}

/// The completion script, retried a few times: done key (first completion
/// wins), reply (only if first), XACK.
async fn finish(ctx: &Ctx, job: &Job, done_key: &str, done_value: &str, reply: OutboundReply, mut trace: ReplyTrace) {
    let mut backoff = Duration::from_millis(50);
    for attempt in 1..=FINISH_ATTEMPTS {
        trace.replied_us = now_us();
        let body = match serde_json::to_string(&ReplyEnvelope { reply: reply.clone(), trace: trace.clone() }) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(worker = %ctx.name, id = %job.id, error = %e, "cannot encode a reply");
                return;
            }
        };
        let r: Result<i64, _> = ctx
            .scripts
            .finish
            .key(done_key)
            .key(ctx.keys.replies())
            .key(ctx.keys.inbound(job.shard))
            .key(ctx.keys.lease(job.shard))
            .arg(&ctx.cfg.group)
            .arg(&job.id)
            .arg(done_value)
            .arg(ctx.cfg.dedupe_ttl_secs.max(1))
            .arg(ctx.cfg.max_replies_len.max(1))
            .arg(body)
            .arg(&ctx.name)
            .invoke_async(&mut ctx.conn.clone())
            .await;
        match r {
            Ok(-1) => {
                ctx.stats.fenced.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(worker = %ctx.name, id = %job.id, "completion refused: the shard has a new owner, which runs this entry");
                return;
            }
            Ok(1) => {
                ctx.stats.completed.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(_) => {
                ctx.stats.already_done.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Err(e) => {
                tracing::warn!(worker = %ctx.name, id = %job.id, attempt, error = %e, "completing an entry failed");
                if attempt < FINISH_ATTEMPTS && pause(&ctx.hard, &mut backoff).await {
                    break;
                }
            }
        }
    }
    ctx.stats.failed.fetch_add(1, Ordering::Relaxed);
    tracing::error!(worker = %ctx.name, id = %job.id, "entry left pending; the sweep will retry it");
}

async fn ack(ctx: &Ctx, job: &Job) {
    // Deleted with the ack: a handled entry's text has no further use.
    let stream = ctx.keys.inbound(job.shard);
    let r: Result<(), _> = redis::pipe()
        .atomic()
        .xack(&stream, &ctx.cfg.group, &[&job.id])
        .ignore()
        .xdel(&stream, &[&job.id])
        .ignore()
        .query_async(&mut ctx.conn.clone())
        .await;
    if let Err(e) = r {
        tracing::warn!(worker = %ctx.name, id = %job.id, error = %e, "XACK failed; the entry will be seen again and acked then");
    }
}

/// Records an entry that cannot or should not run again in the dead-letter
/// stream (operators read it with XRANGE), answers the customer when
/// possible, and acknowledges it.
async fn dead_letter(ctx: &Ctx, job: &Job, reason: &str, raw: &str, reply: Option<(OutboundReply, u64)>) {
    tracing::error!(worker = %ctx.name, id = %job.id, reason, "dead-lettering an entry");
    let r: Result<(), _> = redis::cmd("XADD")
        .arg(ctx.keys.dead())
        .arg("MAXLEN")
        .arg("~")
        .arg(MAX_DEAD)
        .arg("*")
        .arg("stream")
        .arg(ctx.keys.inbound(job.shard))
        .arg("id")
        .arg(&job.id)
        .arg("reason")
        .arg(reason)
        .arg("worker")
        .arg(&ctx.name)
        .arg("entry")
        // Kept for operators, so masked like every record at rest.
        .arg(tradewind_nlp::pii::mask(&match &job.body {
            Ok(env) => serde_json::to_string(env).unwrap_or_default(),
            Err(_) => raw.to_string(),
        }))
        .query_async(&mut ctx.conn.clone())
        .await;
    if let Err(e) = r {
        tracing::warn!(worker = %ctx.name, id = %job.id, error = %e, "could not write the dead letter; entry left pending");
        return;
    }
    ctx.stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
    match (reply, &job.body) {
        (Some((reply, started_us)), Ok(env)) => {
            let msg = &env.msg;
            let trace = ReplyTrace {
                queued_us: env.queued_us,
                picked_us: job.picked_us,
                started_us,
                worker: ctx.name.clone(),
                redelivered: job.redelivered,
                ..ReplyTrace::default()
            };
            let done_key = ctx.keys.done(&msg.channel, &msg.message_id);
            finish(ctx, job, &done_key, "error:dead_letter", reply, trace).await;
        }
        _ => ack(ctx, job).await,
    }
}
