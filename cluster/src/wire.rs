//! What travels through Redis: the inbound envelope (one JSON field `e` per
//! stream entry) and the reply envelope (one JSON field `r`), plus the Redis
//! connections and Lua scripts gateways and workers share.

use redis::{RedisError, Script};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tradewind_redis::conn::{RedisConn, RedisTarget, Tuning};

use tradewind_ports::ingress::{InboundMessage, OutboundReply};
use tradewind_ports::AppError;

/// An inbound stream entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub msg: InboundMessage,
    /// Set (to the original size) when the text was over the limit; the text
    /// is then dropped so the stream never carries it, and the worker answers
    /// with the "too long" reply, in the chat's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oversize: Option<usize>,
    /// When the gateway queued it (µs since the epoch).
    pub queued_us: u64,
}

/// Where the time of one inquiry went, carried next to its reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyTrace {
    /// Gateway queued it (XADD).
    pub queued_us: u64,
    /// A worker read it (XREADGROUP or a claim returned it).
    pub picked_us: u64,
    /// The worker started on it (its chat's earlier messages were done and
    /// a slot was free).
    pub started_us: u64,
    /// Time inside the swarm (0 when a stored result was replayed).
    pub swarm_us: u64,
    /// The worker published the reply.
    pub replied_us: u64,
    pub worker: String,
    /// It was reclaimed from another worker or retried.
    pub redelivered: bool,
}

/// A replies stream entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyEnvelope {
    pub reply: OutboundReply,
    pub trace: ReplyTrace,
}

/// A reply with its trace, for `RedisIngress::traces` (benchmarks, tools).
#[derive(Debug, Clone)]
pub struct TracedReply {
    pub reply: OutboundReply,
    pub trace: ReplyTrace,
    /// When this gateway received it (µs since the epoch).
    pub received_us: u64,
}

/// Command connections: the redis crate's 500 ms default response timeout
/// is too tight for a box under load, so commands get 2 s; the connection
/// reconnects by itself (on a cluster, per node, following the topology).
pub async fn manager(target: &RedisTarget) -> Result<RedisConn, RedisError> {
    target.connect(&Tuning::default()).await
}

/// A connection of its own for blocking reads (XREADGROUP / XREAD BLOCK):
/// on a shared multiplexed connection a blocked read would hold up every
/// command queued behind it, and the default response timeout would cut
/// the block short.
pub async fn blocking(target: &RedisTarget, block: Duration) -> Result<RedisConn, RedisError> {
    target.blocking(block).await
}

/// A single Redis URL or a `redis+cluster://host:port,…` list (see
/// `tradewind_redis::conn`).
pub fn open(url: &str) -> Result<RedisTarget, AppError> {
    RedisTarget::open(url).map_err(|e| AppError::Config(format!("redis url '{url}': {e}")))
}

pub fn unavailable(what: &str, e: RedisError) -> AppError {
    AppError::Unavailable(format!("redis {what}: {e}"))
}

/// Dedupe and queue in one atomic step, so a message is either seen and
/// queued or neither. KEYS: seen key, inbound stream. ARGV: TTL seconds,
/// MAXLEN, envelope JSON. Returns the entry id, or nil for a duplicate.
pub const LUA_SUBMIT: &str = r#"
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
"#;

/// Completion in one atomic step: mark the message done (first completion
/// wins), publish its reply only if this was the first, and acknowledge the
/// entry either way. Fenced by the shard's lease: a worker that stalled
/// past its lease cannot complete anything of a shard that moved on, so
/// the new owner's order stands. The answered entry is deleted: it holds
/// the customer's words, which must not outlive their use. KEYS: done key,
/// replies stream, inbound stream, lease. ARGV: group, entry id, done value,
/// TTL seconds, replies MAXLEN, reply JSON, worker name. Returns 1 when this
/// call published the reply, 0 when it was done before, -1 when fenced off.
pub const LUA_FINISH: &str = r#"
if redis.call('GET', KEYS[4]) ~= ARGV[7] then return -1 end
local fresh = redis.call('SET', KEYS[1], ARGV[3], 'NX', 'EX', ARGV[4])
if fresh then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'r', ARGV[6]) end
redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[3], ARGV[2])
if fresh then return 1 end
return 0
"#;

/// Renew leases still held. KEYS: lease keys. ARGV: me, lease ms.
/// Returns one 1 (renewed) or 0 (lost) per key.
pub const LUA_RENEW: &str = r#"
local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then
    redis.call('PEXPIRE', k, ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
"#;

/// The value a lease holds after a clean hand-back; worker names never
/// start with '~'.
pub const RELEASED: &str = "~released";

/// Take a lease. KEYS: lease key. ARGV: me, lease ms, released marker.
/// Returns 0 (held by someone), 1 (free: expired or never held), 2 (handed
/// back cleanly: nothing of it is still running anywhere).
pub const LUA_ACQUIRE: &str = r#"
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if v then return 2 end
return 1
"#;

/// Hand a lease back. KEYS: lease key. ARGV: me, marker TTL ms, marker.
pub const LUA_RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1
"#;

/// Record the shard count on first use and return what is recorded.
/// KEYS: meta key. ARGV: shards.
pub const LUA_META: &str = r#"
local v = redis.call('HGET', KEYS[1], 'shards')
if not v then redis.call('HSET', KEYS[1], 'shards', ARGV[1]) return ARGV[1] end
return v
"#;

/// Gateways and workers of one deployment must route chats to the same
/// shards: refuse to start when the configured count differs from the one
/// recorded by the first process.
pub async fn check_shards(conn: &mut RedisConn, meta_key: &str, shards: usize) -> Result<(), AppError> {
    let recorded: String = Script::new(LUA_META)
        .key(meta_key)
        .arg(shards)
        .invoke_async(conn)
        .await
        .map_err(|e| unavailable("shard check", e))?;
    if recorded != shards.to_string() {
        return Err(AppError::Config(format!(
            "cluster.shards = {shards} but this deployment was started with {recorded} (see {meta_key}); \
             every gateway and worker must use the same count, and it may only change on an empty deployment"
        )));
    }
    Ok(())
}

/// Writes the health file (container health checks look at its age).
pub async fn touch(path: Option<&std::path::Path>) {
    if let Some(p) = path {
        if let Err(e) = tokio::fs::write(p, crate::process::now_us().to_string()).await {
            tracing::warn!(path = %p.display(), error = %e, "could not write the health file");
        }
    }
}
