//! The cluster runtime: how messages from the front ends reach the swarm
//! and how replies come back, in one process (`serve`) or across machines
//! (`gateway` + any number of `worker`s sharing one Redis).
//!
//! It implements the `Ingress` port for the front ends and drives the
//! `Application` port; it knows neither the wiring nor the agents, so it is
//! tested against a fake application as well as the real one.
//!
//! # Redis layout
//!
//! Every key starts with `{p}` = `[memory] prefix`, then `[cluster] stream`
//! in braces, then `:` (default `tw:{inquiries}:`). The braces are a Redis Cluster hash
//! tag: every key of one deployment lives in one slot, because the scripts
//! and reads combine them (submit: a seen key and an inbound stream; finish:
//! a done key, the replies stream, an inbound stream and its lease; renew:
//! every held lease; the read: every held inbound stream). On a cluster the
//! queues therefore sit on one primary, while the customer memory, results
//! and transcripts (the bulk of the data) spread over all of them.
//!
//! | key                          | type   | what                                                         |
//! |------------------------------|--------|--------------------------------------------------------------|
//! | `{p}in:{shard}`              | stream | inbound messages, field `e` = `Envelope` JSON; consumer group `[cluster] group`; `MAXLEN ~ max_stream_len` |
//! | `{p}out`                     | stream | replies, field `r` = `ReplyEnvelope` JSON; `MAXLEN ~ max_replies_len` |
//! | `{p}seen:{channel}:{msg id}` | string | dedupe at the gateway (SET NX), TTL `dedupe_ttl_secs`        |
//! | `{p}done:{channel}:{msg id}` | string | completion: the inquiry id (or `error:<kind>`), TTL `dedupe_ttl_secs` |
//! | `{p}lease:{shard}`           | string | the worker reading the shard (PX `lease_ms`), or `~released` after a clean hand-back |
//! | `{p}workers`                 | zset   | live workers, scored by heartbeat expiry (ms)                |
//! | `{p}meta`                    | hash   | `shards`: the shard count every process must agree on        |
//! | `{p}gwpos:{gateway}`         | string | how far that gateway read `{p}out`                           |
//! | `{p}dead`                    | stream | dead letters: entries given up on, with the reason           |
//!
//! Results, transcripts and customer memory stay where `Memory` keeps them.
//!
//! # Per-chat order
//!
//! A chat (channel, chat id) always maps to one shard (FNV-1a mod
//! `shards`). Each shard is read by one worker at a time: the holder of its
//! lease. A worker takes a fair share (⌈shards / live workers⌉) and hands
//! back extras when workers join, only once nothing of those shards is
//! running. Inside a worker, messages go into per-chat lanes: one chat's
//! messages run one after another in stream order, other chats run
//! concurrently (at most `concurrency`). A new lease holder first claims the
//! previous holder's pending entries (XAUTOCLAIM) and queues them before it
//! reads anything new. A worker that stalls past its lease (alive, but
//! paused or cut off) is fenced: the completion script checks the lease, so
//! it cannot publish or acknowledge anything of a shard that moved on, and
//! on noticing the loss it starts nothing more of it. (Its swarm run may
//! still have stored a result, under the same inquiry id the new holder
//! uses.)
//!
//! # Exactly-once completion
//!
//! A message's inquiry id is derived from (channel, message id), so any
//! rerun stores its result under the same id. A worker acknowledges an entry
//! only in the completion script, after the swarm stored the result; that
//! script sets the done key with SET NX, publishes the reply only if the
//! key was new, and XACKs, atomically (if this worker still holds the
//! shard's lease). A reclaimed entry is first checked
//! against the done key (completed: ack only) and then against the stored
//! result (stored: reply from it without running the swarm again). So
//! however often an entry is delivered, one reply goes out.
//!
//! # Shutdown
//!
//! Workers stop reading, hand back what has not started, give running
//! inquiries `shutdown_deadline_ms`, abort the rest (their entries stay
//! pending) and release their leases with the `~released` marker, which
//! lets the next holder claim those entries at once instead of waiting
//! `claim_idle_ms`. A worker that dies without releasing loses its leases
//! after `lease_ms`; its entries are claimed once idle `claim_idle_ms`.

pub mod config;
pub mod dedupe;
pub mod inproc;
pub mod keys;
pub mod lanes;
pub mod process;
pub mod redis_ingress;
pub mod signals;
pub mod wire;
pub mod worker;

pub use config::{ClusterConfig, ClusterSettings};
pub use inproc::{InProcessIngress, InProcessReport};
pub use redis_ingress::RedisIngress;
pub use wire::{ReplyTrace, TracedReply};
pub use worker::{Worker, WorkerReport, WorkerStats};

use std::sync::Arc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use tradewind_ports::{AppError, Application};

/// The background task of a started component. `wait` returns its result
/// once it stops (after its shutdown token); dropping it aborts the task.
pub struct Running<T> {
    tasks: JoinSet<T>,
}

impl<T: Send + 'static> Running<T> {
    pub(crate) fn new(tasks: JoinSet<T>) -> Self {
        Self { tasks }
    }

    pub async fn wait(mut self) -> Result<T, AppError> {
        match self.tasks.join_next().await {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) if e.is_panic() => Err(AppError::Internal("a cluster task panicked".into())),
            Some(Err(_)) => Err(AppError::Internal("a cluster task was cancelled".into())),
            None => Err(AppError::Internal("a cluster task was never started".into())),
        }
    }
}

/// `tradewind worker`: runs the swarm on what the gateways queued, until `shutdown`.
pub async fn run_worker(
    app: Arc<dyn Application>,
    settings: &ClusterSettings,
    shutdown: CancellationToken,
) -> Result<WorkerReport, AppError> {
    Worker::connect(app, settings).await?.run(shutdown).await
}

/// The cluster's queues as the operations page shows them: per shard, the
/// entries in the stream, those read but not acknowledged, and the worker
/// holding its lease; the live workers and the dead letters.
pub async fn queue_snapshot(settings: &ClusterSettings) -> Result<serde_json::Value, AppError> {
    use redis::AsyncCommands;
    let Some(url) = &settings.redis_url else {
        return Ok(serde_json::json!({}));
    };
    let client = wire::open(url)?;
    let mut conn = wire::manager(&client).await.map_err(|e| wire::unavailable("connect", e))?;
    let keys = keys::Keys::new(&settings.prefix, &settings.cluster.stream, settings.cluster.shards);
    let mut shards = serde_json::Map::new();
    for shard in 0..keys.shards() {
        let stream = keys.inbound(shard);
        let len: u64 = conn.xlen(&stream).await.unwrap_or(0);
        // XPENDING's summary: [count, first id, last id, consumers]; absent group → 0.
        let pending: u64 = redis::cmd("XPENDING")
            .arg(&stream)
            .arg(&settings.cluster.group)
            .query_async::<redis::Value>(&mut conn)
            .await
            .ok()
            .and_then(|v| match v {
                redis::Value::Array(items) => {
                    items.first().and_then(|c| redis::from_redis_value::<u64>(c.clone()).ok())
                }
                _ => None,
            })
            .unwrap_or(0);
        let lease: Option<String> = conn.get(keys.lease(shard)).await.unwrap_or(None);
        shards.insert(
            format!("shard {shard}"),
            serde_json::json!(format!(
                "{len} in stream, {pending} pending, lease: {}",
                lease.unwrap_or_else(|| "none".into())
            )),
        );
    }
    let now =
        u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis()))
            .unwrap_or(0);
    let workers: u64 = conn.zcount(keys.workers(), now, "+inf").await.unwrap_or(0);
    let dead: u64 = conn.xlen(keys.dead()).await.unwrap_or(0);
    shards.insert("live workers".into(), serde_json::json!(workers));
    shards.insert("dead entries (stream)".into(), serde_json::json!(dead));
    Ok(serde_json::Value::Object(shards))
}
