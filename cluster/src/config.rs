//! The cluster's own settings (`[cluster]` in the config file), and what the
//! runtime needs from the rest of the configuration.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The cluster: `serve` (in process), `gateway` and `worker` (Redis
/// Streams). Every worker and gateway of one deployment must agree on
/// `stream`, `group` and `shards` (the first one to start records `shards`
/// in Redis; a mismatch refuses to start).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// Redis for the streams; absent means `[memory] redis_url`.
    pub redis_url: Option<String>,
    /// Name of the inbound streams (`{prefix}{stream}:in:{shard}`).
    pub stream: String,
    /// The workers' consumer group.
    pub group: String,
    /// Inbound streams; a chat always lands on the same one, and one worker
    /// at a time reads each, which is what keeps a chat's messages in order.
    pub shards: usize,
    /// Inquiries one worker (or `serve`) runs at once.
    pub concurrency: usize,
    /// Entries one worker holds (running or waiting behind their chat).
    pub buffer: usize,
    /// Entries per XREADGROUP / XAUTOCLAIM call.
    pub batch: usize,
    /// How long one XREADGROUP / XREAD waits for entries.
    pub block_ms: u64,
    /// A worker's claim on a shard; renewed every third of it. A worker that
    /// stops renewing (crashed, partitioned) loses its shards after this.
    pub lease_ms: u64,
    /// A dead worker's pending entries are reclaimed (XAUTOCLAIM) once idle
    /// this long.
    pub claim_idle_ms: u64,
    /// Deliveries after which an entry is answered with an error and
    /// dead-lettered instead of run again.
    pub max_deliveries: usize,
    /// On SIGINT/SIGTERM, in-flight inquiries get this long to finish;
    /// the rest are handed back to other workers.
    pub shutdown_deadline_ms: u64,
    /// How long a (channel, message id) is remembered as seen and answered.
    pub dedupe_ttl_secs: u64,
    /// Message ids `serve` remembers (in process).
    pub dedupe_capacity: usize,
    /// Approximate cap on each inbound stream (XADD MAXLEN ~); keep it far
    /// above any backlog, because trimming drops entries nobody read yet.
    pub max_stream_len: usize,
    /// Approximate cap on the replies stream.
    pub max_replies_len: usize,
    /// Replies buffered per `subscribe()` receiver before it lags.
    pub reply_buffer: usize,
    /// This worker's consumer name; default `<host>-<pid>-<random>`.
    pub worker_name: Option<String>,
    /// This gateway's name: where it remembers how far it read the replies.
    pub gateway_name: String,
    /// A file touched while the process is healthy (container health checks).
    pub health_file: Option<PathBuf>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            redis_url: None,
            stream: "inquiries".into(),
            group: "workers".into(),
            shards: 16,
            concurrency: 32,
            buffer: 256,
            batch: 64,
            block_ms: 1_000,
            lease_ms: 10_000,
            claim_idle_ms: 5_000,
            max_deliveries: 5,
            shutdown_deadline_ms: 8_000,
            dedupe_ttl_secs: 24 * 3600,
            dedupe_capacity: 20_000,
            max_stream_len: 100_000,
            max_replies_len: 100_000,
            reply_buffer: 4_096,
            worker_name: None,
            gateway_name: "gateway".into(),
            health_file: None,
        }
    }
}

/// Everything the runtime needs: its own section plus what it shares with
/// the application (the Redis it reaches, the key prefix, the message limit).
#[derive(Debug, Clone)]
pub struct ClusterSettings {
    pub cluster: ClusterConfig,
    /// `[cluster] redis_url`, else `[memory] redis_url`.
    pub redis_url: Option<String>,
    /// `[memory] prefix`: the cluster's keys live beside the memory's.
    pub prefix: String,
    pub max_message_bytes: usize,
    /// True when the application keeps its memory in Redis, which workers
    /// on several machines must share.
    pub shared_memory: bool,
}

impl ClusterSettings {
    /// The Redis the cluster uses, or a configuration error saying how to set it.
    pub fn redis_url(&self) -> Result<String, tradewind_ports::AppError> {
        self.redis_url.clone().ok_or_else(|| {
            tradewind_ports::AppError::Config("the cluster needs Redis: set REDIS_URL (or [cluster] redis_url)".into())
        })
    }
}
