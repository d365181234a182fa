//! The delivery machinery behind every channel sink: a bounded queue and
//! one worker per sink, so a channel that is down only ever delays itself;
//! a rate limiter per destination; retries with jittered exponential
//! backoff that honour the platform's `retry_after`; idempotency through
//! the `DeliveryStore`; dead letters after the last failure.
//!
//! `Sink::deliver` returns as soon as the delivery is claimed and queued
//! (or is known to be delivered already), so the swarm never waits on a
//! chat platform. Workers are owned by the `ChannelHub` (a `TaskTracker`
//! and a `CancellationToken`): `shutdown` stops intake, lets each worker
//! drain its queue until a deadline and dead-letters whatever is left, so
//! nothing queued is lost. A worker also ends, after draining, when every
//! handle to its sink has been dropped.

use async_trait::async_trait;
use backoff::backoff::Backoff;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tradewind_core::now_ms;
use tradewind_ports::outbox::{DeadLetter, DeliveryStore, PendingRecord, StoreError, DEFAULT_STALE_AFTER};
use tradewind_ports::sink::{Delivery, Sink, SinkError};

use crate::adapters::{adapter_for, Adapter, Verdict};
use crate::card::{Card, CardLinks};
use crate::limit::{Rate, RateLimiter};
use crate::render::CardTemplates;
use crate::spec::ChannelSpec;
use crate::transport::{HttpTransport, Transport};
use crate::ChannelError;

/// Tuning for every sink of a hub. The defaults suit production; tests
/// shrink the times.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Deliveries waiting per sink before `deliver` has to wait.
    pub queue_capacity: usize,
    /// How long `deliver` waits for queue room before it dead-letters the
    /// delivery and reports failure; keeps the swarm's latency bounded.
    pub enqueue_timeout: Duration,
    /// Attempts per delivery, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest platform `retry_after` we honour; beyond it we still
    /// wait this long and count the attempt.
    pub max_retry_after: Duration,
    /// One HTTP request, connect to last byte.
    pub request_timeout: Duration,
    /// How long `shutdown` lets workers keep delivering before the rest of
    /// their queues become dead letters.
    pub drain_timeout: Duration,
    /// A claim older than this belongs to a stopped process (see `store`).
    pub stale_after: Duration,
    pub links: CardLinks,
    /// Replaces every adapter's documented rate limits (tests, gateways
    /// with their own limits).
    pub rate_override: Option<Vec<Rate>>,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 256,
            enqueue_timeout: Duration::from_millis(200),
            max_attempts: 6,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(120),
            request_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
            stale_after: DEFAULT_STALE_AFTER,
            links: CardLinks::default(),
            rate_override: None,
        }
    }
}

/// What `shutdown` achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Every worker finished (delivered or dead-lettered its queue) in time.
    pub clean: bool,
}

/// Counters of one sink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// Deliveries accepted onto the queue.
    pub queued: u64,
    /// Pushes the platform confirmed.
    pub delivered: u64,
    /// Pushes skipped because that delivery id already reached (or is on
    /// its way to) this destination.
    pub duplicates: u64,
    pub dead_lettered: u64,
    /// HTTP attempts, retries included.
    pub attempts: u64,
}

#[derive(Default)]
struct Counters {
    queued: AtomicU64,
    delivered: AtomicU64,
    duplicates: AtomicU64,
    dead_lettered: AtomicU64,
    attempts: AtomicU64,
}

/// Owns the workers of every channel sink it made.
pub struct ChannelHub {
    config: HubConfig,
    store: Arc<dyn DeliveryStore>,
    transport: Arc<dyn Transport>,
    templates: Arc<CardTemplates>,
    limiters: Mutex<HashMap<String, Arc<RateLimiter>>>,
    tracker: TaskTracker,
    cancel: CancellationToken,
}

impl ChannelHub {
    pub fn new(
        config: HubConfig,
        store: Arc<dyn DeliveryStore>,
        transport: Arc<dyn Transport>,
        templates: Arc<CardTemplates>,
    ) -> Arc<Self> {
        Arc::new(Self {
            config,
            store,
            transport,
            templates,
            limiters: Mutex::new(HashMap::new()),
            tracker: TaskTracker::new(),
            cancel: CancellationToken::new(),
        })
    }

    /// The production wiring: the given store, reqwest and teloxide, and
    /// the embedded card templates (or overrides from `templates_dir`).
    pub fn connect(
        config: HubConfig,
        store: Arc<dyn DeliveryStore>,
        templates_dir: Option<&std::path::Path>,
    ) -> Result<Arc<Self>, ChannelError> {
        let transport = HttpTransport::new(config.request_timeout).map_err(|e| ChannelError::Transport(e.0))?;
        let templates = CardTemplates::load(templates_dir)?;
        Ok(Self::new(config, store, Arc::new(transport), Arc::new(templates)))
    }

    pub fn store(&self) -> &Arc<dyn DeliveryStore> {
        &self.store
    }

    /// The operator's view of what did not arrive, newest first.
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        self.store.dead_letters(limit, self.config.stale_after).await
    }

    /// A sink named `name` (the audience) that pushes to `spec`.
    pub fn sink(&self, name: &str, spec: &ChannelSpec) -> Result<Arc<ChannelSink>, ChannelError> {
        self.sink_with_adapter(name, adapter_for(spec))
    }

    /// A sink around any adapter; it gets its own queue and worker.
    pub fn sink_with_adapter(&self, name: &str, adapter: Arc<dyn Adapter>) -> Result<Arc<ChannelSink>, ChannelError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ChannelError::Runtime("channel sinks must be built inside a Tokio runtime".into()));
        }
        if self.cancel.is_cancelled() {
            return Err(ChannelError::Runtime("the channel hub is shut down".into()));
        }
        let limiter = {
            let mut limiters = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
            limiters
                .entry(adapter.destination_key())
                .or_insert_with(|| {
                    let rates = self.config.rate_override.clone().unwrap_or_else(|| adapter.rates());
                    Arc::new(RateLimiter::new(&rates))
                })
                .clone()
        };
        let (tx, rx) = mpsc::channel(self.config.queue_capacity.max(1));
        let (outstanding_tx, outstanding_rx) = watch::channel(0usize);
        let counters = Arc::new(Counters::default());
        let ctx = Arc::new(WorkerCtx {
            name: name.to_string(),
            adapter: adapter.clone(),
            store: self.store.clone(),
            transport: self.transport.clone(),
            templates: self.templates.clone(),
            limiter,
            config: self.config.clone(),
            counters: counters.clone(),
            outstanding: outstanding_tx,
        });
        let cancel = self.cancel.child_token();
        self.tracker.spawn(run_worker(ctx.clone(), rx, cancel));
        Ok(Arc::new(ChannelSink { name: name.to_string(), tx, ctx, counters, outstanding: outstanding_rx }))
    }

    /// Stops intake, lets workers deliver what is queued until
    /// `drain_timeout`, dead-letters the rest, and waits for them.
    pub async fn shutdown(&self) -> ShutdownReport {
        self.cancel.cancel();
        self.tracker.close();
        // Dead-letter writes after the drain deadline need a moment too.
        let grace = self.config.drain_timeout.saturating_add(self.config.request_timeout.min(Duration::from_secs(5)));
        let clean = tokio::time::timeout(grace, self.tracker.wait()).await.is_ok();
        if !clean {
            tracing::error!("channel workers did not finish within {grace:?}; some deliveries may be unrecorded");
        }
        ShutdownReport { clean }
    }
}

struct WorkerCtx {
    name: String,
    adapter: Arc<dyn Adapter>,
    store: Arc<dyn DeliveryStore>,
    transport: Arc<dyn Transport>,
    templates: Arc<CardTemplates>,
    limiter: Arc<RateLimiter>,
    config: HubConfig,
    counters: Arc<Counters>,
    /// Deliveries queued or in flight; `wait_idle` watches it.
    outstanding: watch::Sender<usize>,
}

struct Job {
    key: String,
    pending: PendingRecord,
}

/// A `Sink` that pushes cards to one chat destination.
pub struct ChannelSink {
    name: String,
    tx: mpsc::Sender<Job>,
    ctx: Arc<WorkerCtx>,
    counters: Arc<Counters>,
    outstanding: watch::Receiver<usize>,
}

impl ChannelSink {
    /// The destination, without secrets.
    pub fn destination(&self) -> String {
        self.ctx.adapter.display()
    }

    pub fn stats(&self) -> SinkStats {
        let c = &self.counters;
        SinkStats {
            queued: c.queued.load(Ordering::Relaxed),
            delivered: c.delivered.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
            dead_lettered: c.dead_lettered.load(Ordering::Relaxed),
            attempts: c.attempts.load(Ordering::Relaxed),
        }
    }

    /// Waits until nothing is queued or in flight; false on timeout.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut rx = self.outstanding.clone();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0)).await.is_ok_and(|r| r.is_ok())
    }

    fn fail(&self, message: impl Into<String>) -> SinkError {
        SinkError::Failed { sink: format!("{} ({})", self.name, self.destination()), message: message.into() }
    }
}

#[async_trait]
impl Sink for ChannelSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError> {
        let ctx = &self.ctx;
        let key = format!("{}:{}", ctx.adapter.destination_key(), d.delivery_id);
        let pending = PendingRecord {
            delivery: d.clone(),
            sink: self.name.clone(),
            channel: ctx.adapter.kind().as_str().to_string(),
            destination: ctx.adapter.display(),
            destination_key: ctx.adapter.destination_key(),
            claimed_at_ms: now_ms(),
        };
        if d.delivery_id.trim().is_empty() {
            // Without an id there is no idempotency; refuse, visibly.
            let reason = "delivery has no delivery_id";
            ctx.dead_letter(&key, &pending, reason, 0).await;
            return Err(self.fail(reason));
        }
        match ctx.store.claim(&key, &pending, ctx.config.stale_after).await {
            Ok(true) => {}
            Ok(false) => {
                self.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                return Ok(format!("{} (already delivered or on its way)", self.destination()));
            }
            Err(e) => {
                // Better a possible duplicate than a lost card.
                tracing::warn!(sink = %self.name, error = %e, "delivery store unavailable for the claim; sending anyway");
            }
        }
        ctx.outstanding.send_modify(|n| *n += 1);
        match self.tx.send_timeout(Job { key: key.clone(), pending: pending.clone() }, ctx.config.enqueue_timeout).await
        {
            Ok(()) => {
                self.counters.queued.fetch_add(1, Ordering::Relaxed);
                Ok(format!("queued for {}", self.destination()))
            }
            Err(e) => {
                ctx.outstanding.send_modify(|n| *n = n.saturating_sub(1));
                let reason = match e {
                    mpsc::error::SendTimeoutError::Timeout(_) => {
                        format!(
                            "queue full ({} waiting) for {:?}",
                            ctx.config.queue_capacity, ctx.config.enqueue_timeout
                        )
                    }
                    mpsc::error::SendTimeoutError::Closed(_) => "channel is shut down".to_string(),
                };
                ctx.dead_letter(&key, &pending, &reason, 0).await;
                Err(self.fail(format!("{reason}; dead-lettered")))
            }
        }
    }
}

/// Keeps the worker's "outstanding" count right however a job ends.
struct Done<'a>(&'a watch::Sender<usize>);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// What a job knew when it was interrupted.
#[derive(Default)]
struct Progress {
    attempts: u32,
    last_error: Option<String>,
}

async fn run_worker(ctx: Arc<WorkerCtx>, mut rx: mpsc::Receiver<Job>, cancel: CancellationToken) {
    loop {
        let job = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            job = rx.recv() => match job {
                Some(job) => job,
                // Every sink handle is gone and the queue is empty.
                None => return,
            },
        };
        let _done = Done(&ctx.outstanding);
        let progress = Mutex::new(Progress::default());
        let work = ctx.process(&job, &progress);
        tokio::pin!(work);
        tokio::select! {
            () = &mut work => continue,
            _ = cancel.cancelled() => {
                let deadline = crate::limit::later(Instant::now(), ctx.config.drain_timeout);
                if tokio::time::timeout_at(deadline, &mut work).await.is_err() {
                    ctx.interrupted(&job, &progress).await;
                }
                drain(&ctx, &mut rx, deadline).await;
                return;
            }
        }
    }
    drain(&ctx, &mut rx, crate::limit::later(Instant::now(), ctx.config.drain_timeout)).await;
}

/// Shutdown: no new jobs; deliver queued ones until `deadline`, then
/// dead-letter the rest.
async fn drain(ctx: &WorkerCtx, rx: &mut mpsc::Receiver<Job>, deadline: Instant) {
    rx.close();
    while let Some(job) = rx.recv().await {
        let _done = Done(&ctx.outstanding);
        let progress = Mutex::new(Progress::default());
        if Instant::now() >= deadline || tokio::time::timeout_at(deadline, ctx.process(&job, &progress)).await.is_err()
        {
            ctx.interrupted(&job, &progress).await;
        }
    }
}

impl WorkerCtx {
    async fn interrupted(&self, job: &Job, progress: &Mutex<Progress>) {
        let (attempts, last) = {
            let p = progress.lock().unwrap_or_else(|p| p.into_inner());
            (p.attempts, p.last_error.clone())
        };
        let reason = match last {
            Some(e) => format!("shut down before delivery finished (last error: {e})"),
            None if attempts > 0 => "shut down during the first attempt; it may or may not have arrived".to_string(),
            None => "shut down before delivery was attempted".to_string(),
        };
        self.dead_letter(&job.key, &job.pending, &reason, attempts).await;
    }

    async fn dead_letter(&self, key: &str, pending: &PendingRecord, reason: &str, attempts: u32) {
        self.counters.dead_lettered.fetch_add(1, Ordering::Relaxed);
        let record = DeadLetter::from_pending(pending, reason, attempts);
        tracing::warn!(
            sink = %self.name, destination = %record.destination, delivery_id = %pending.delivery.delivery_id,
            attempts, error = reason, "delivery dead-lettered"
        );
        if let Err(e) = self.store.dead_letter(key, &record).await {
            // The log line is then the only record; make it complete.
            let json = serde_json::to_string(&record).unwrap_or_default();
            tracing::error!(error = %e, record = %json, "could not store a dead letter");
        }
    }

    fn backoff(&self) -> backoff::ExponentialBackoff {
        backoff::ExponentialBackoffBuilder::new()
            .with_initial_interval(self.config.initial_backoff)
            .with_max_interval(self.config.max_backoff)
            .with_multiplier(2.0)
            .with_randomization_factor(0.3)
            // Attempts are counted instead: a wall-clock budget would not
            // follow a paused test clock.
            .with_max_elapsed_time(None)
            .build()
    }

    async fn process(&self, job: &Job, progress: &Mutex<Progress>) {
        let delivery_id = job.pending.delivery.delivery_id.as_str();
        // Another process may have delivered it since this one claimed it.
        match self.store.is_delivered(&job.key).await {
            Ok(true) => {
                self.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(sink = %self.name, delivery_id, error = %e, "delivery store unavailable; sending anyway")
            }
        }
        let card = Card::from_delivery(&job.pending.delivery, &self.config.links);
        let body = match self.adapter.render(&card, &self.templates) {
            Ok(b) => b,
            Err(e) => return self.dead_letter(&job.key, &job.pending, &format!("could not render: {e}"), 0).await,
        };
        let mut backoff = self.backoff();
        let max_attempts = self.config.max_attempts.max(1);
        let max_wait = self.config.max_retry_after.saturating_add(self.config.max_backoff);
        let mut last_error = String::new();
        for attempt in 1..=max_attempts {
            if let Err(e) = self.limiter.acquire(max_wait).await {
                last_error = e.to_string();
            } else {
                progress.lock().unwrap_or_else(|p| p.into_inner()).attempts = attempt;
                self.counters.attempts.fetch_add(1, Ordering::Relaxed);
                match self.adapter.attempt(self.transport.as_ref(), &body, SystemTime::now()).await {
                    Verdict::Delivered => {
                        if let Err(e) = self.store.mark_delivered(&job.key).await {
                            tracing::warn!(sink = %self.name, delivery_id, error = %e, "delivered, but could not record it");
                        }
                        self.counters.delivered.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(sink = %self.name, delivery_id, attempt, "delivered");
                        return;
                    }
                    Verdict::Fail(reason) => {
                        return self.dead_letter(&job.key, &job.pending, &format!("rejected: {reason}"), attempt).await;
                    }
                    Verdict::Retry { reason, retry_after } => {
                        if let Some(after) = retry_after {
                            // Everyone sending here waits, not just this job.
                            self.limiter.block_for(after.min(self.config.max_retry_after));
                        }
                        last_error = reason;
                    }
                }
            }
            progress.lock().unwrap_or_else(|p| p.into_inner()).last_error = Some(last_error.clone());
            if attempt < max_attempts {
                let delay = backoff.next_backoff().unwrap_or(self.config.max_backoff);
                tracing::debug!(sink = %self.name, delivery_id, attempt, ?delay, error = %last_error, "retrying");
                tokio::time::sleep(delay).await;
            }
        }
        let reason = format!("gave up after {max_attempts} attempts: {last_error}");
        self.dead_letter(&job.key, &job.pending, &reason, max_attempts).await;
    }
}
