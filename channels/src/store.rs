//! What outbound delivery remembers: which deliveries reached which
//! destination (so a retried push never posts twice), which are claimed
//! and on their way, and the dead letters an operator must look at.
//!
//! Keys are `<destination key>:<delivery id>`; the destination key is a
//! hash, so no webhook secret is ever stored. Two backends:
//!
//! * `InProcessStore`: bounded sets in memory; dead letters also appended
//!   to a JSON Lines file when one is configured, so they outlive the
//!   process and `tradewind deadletters` can read them.
//! * `RedisStore`: the same in Redis under the memory prefix (`{p}`), with
//!   an in-process copy in front, so idempotency holds across processes
//!   and a Redis outage degrades to per-process idempotency rather than
//!   to lost messages:
//!
//! | key                    | type   | content                                         |
//! |------------------------|--------|-------------------------------------------------|
//! | `{p}ch:sent:{key}`     | string | "1", TTL `sent_ttl`                             |
//! | `{p}ch:claim:{key}`    | string | `PendingRecord` JSON while queued or in flight  |
//! | `{p}ch:dead`           | list   | `DeadLetter` JSON, newest first, capped         |
//!
//! A claim that outlives `stale_after` belongs to a process that stopped
//! mid-delivery: another process may take it over, and listings show it as
//! a stranded dead letter, so nothing queued is silently lost.

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tradewind_core::now_ms;
use tradewind_tools::Delivery;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("delivery store unavailable: {0}")]
    Unavailable(String),
    #[error("delivery store record is corrupt: {0}")]
    Corrupt(String),
}

/// A delivery on its way to one destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingRecord {
    pub delivery: Delivery,
    /// The sink (audience) it was pushed to: "sales", "logistics", ...
    pub sink: String,
    /// "wecom", "feishu", "dingtalk", "slack", "telegram".
    pub channel: String,
    /// The destination without secrets.
    pub destination: String,
    pub destination_key: String,
    pub claimed_at_ms: u64,
}

/// A delivery that did not arrive, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub delivery: Delivery,
    pub sink: String,
    pub channel: String,
    pub destination: String,
    pub destination_key: String,
    pub error: String,
    pub attempts: u32,
    /// When it was given up on (or, for a stranded claim, when it was claimed).
    pub at_ms: u64,
    /// True for a claim whose process stopped before finishing it; such a
    /// record may still be delivered by another process taking it over.
    #[serde(default)]
    pub stranded: bool,
}

impl DeadLetter {
    pub fn from_pending(p: &PendingRecord, error: impl Into<String>, attempts: u32) -> Self {
        DeadLetter {
            delivery: p.delivery.clone(),
            sink: p.sink.clone(),
            channel: p.channel.clone(),
            destination: p.destination.clone(),
            destination_key: p.destination_key.clone(),
            error: error.into(),
            attempts,
            at_ms: now_ms(),
            stranded: false,
        }
    }

    fn stranded(p: &PendingRecord, stale_after: Duration) -> Self {
        DeadLetter {
            error: format!(
                "stranded: claimed and never finished within {}s (the process stopped mid-delivery?)",
                stale_after.as_secs()
            ),
            attempts: 0,
            at_ms: p.claimed_at_ms,
            stranded: true,
            ..DeadLetter::from_pending(p, "", 0)
        }
    }
}

#[async_trait]
pub trait DeliveryStore: Send + Sync {
    fn backend(&self) -> &'static str;

    async fn is_delivered(&self, key: &str) -> Result<bool, StoreError>;

    /// Takes `key` for sending. False when it was delivered already or
    /// another sender holds a claim younger than `stale_after`.
    async fn claim(&self, key: &str, pending: &PendingRecord, stale_after: Duration) -> Result<bool, StoreError>;

    /// Records the delivery (before anyone is told it succeeded) and drops
    /// the claim.
    async fn mark_delivered(&self, key: &str) -> Result<(), StoreError>;

    /// Records a dead letter and drops the claim, so a later push of the
    /// same delivery may try again.
    async fn dead_letter(&self, key: &str, record: &DeadLetter) -> Result<(), StoreError>;

    /// Newest first: dead letters, plus claims older than `stale_after`.
    async fn dead_letters(&self, limit: usize, stale_after: Duration) -> Result<Vec<DeadLetter>, StoreError>;
}

/// Bounds of the in-process store.
#[derive(Debug, Clone)]
pub struct InProcessLimits {
    pub delivered: usize,
    pub dead: usize,
}

impl Default for InProcessLimits {
    fn default() -> Self {
        Self { delivered: 100_000, dead: 10_000 }
    }
}

#[derive(Default)]
struct Inner {
    delivered: HashSet<String>,
    order: VecDeque<String>,
    claims: HashMap<String, PendingRecord>,
    dead: VecDeque<DeadLetter>,
}

pub struct InProcessStore {
    inner: Mutex<Inner>,
    limits: InProcessLimits,
    /// Dead letters are appended here too (JSON Lines), when set.
    file: Option<PathBuf>,
    /// Serialises appends so lines never interleave.
    file_lock: tokio::sync::Mutex<()>,
}

impl InProcessStore {
    pub fn new(file: Option<PathBuf>) -> Self {
        Self::with_limits(file, InProcessLimits::default())
    }

    pub fn with_limits(file: Option<PathBuf>, limits: InProcessLimits) -> Self {
        Self { inner: Mutex::new(Inner::default()), limits, file, file_lock: tokio::sync::Mutex::new(()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember_local(&self, key: &str) {
        let mut s = self.lock();
        s.claims.remove(key);
        if s.delivered.insert(key.to_string()) {
            s.order.push_back(key.to_string());
            while s.order.len() > self.limits.delivered {
                if let Some(old) = s.order.pop_front() {
                    s.delivered.remove(&old);
                }
            }
        }
    }

    fn dead_local(&self, key: &str, record: &DeadLetter) {
        let mut s = self.lock();
        s.claims.remove(key);
        s.dead.push_front(record.clone());
        s.dead.truncate(self.limits.dead);
    }

    fn release_local(&self, key: &str) {
        self.lock().claims.remove(key);
    }

    fn stale_local(&self, stale_after: Duration) -> Vec<DeadLetter> {
        let cutoff = now_ms().saturating_sub(stale_after.as_millis() as u64);
        self.lock()
            .claims
            .values()
            .filter(|p| p.claimed_at_ms <= cutoff)
            .map(|p| DeadLetter::stranded(p, stale_after))
            .collect()
    }

    async fn append_file(&self, record: &DeadLetter) -> Result<(), StoreError> {
        let Some(path) = &self.file else { return Ok(()) };
        let io = |e: std::io::Error| StoreError::Unavailable(format!("{}: {e}", path.display()));
        let mut line = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        line.push('\n');
        let _guard = self.file_lock.lock().await;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        let mut f = tokio::fs::OpenOptions::new().create(true).append(true).open(path).await.map_err(io)?;
        f.write_all(line.as_bytes()).await.map_err(io)?;
        f.flush().await.map_err(io)?;
        Ok(())
    }
}

/// The last `limit` records of a dead-letter file, newest first. Lines that
/// do not parse are skipped (a torn last line after a crash), not fatal.
pub async fn read_dead_letter_file(path: &std::path::Path, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    let text = match tokio::fs::read_to_string(path).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::Unavailable(format!("{}: {e}", path.display()))),
    };
    Ok(text.lines().rev().filter_map(|l| serde_json::from_str(l).ok()).take(limit).collect())
}

#[async_trait]
impl DeliveryStore for InProcessStore {
    fn backend(&self) -> &'static str {
        "in-process"
    }

    async fn is_delivered(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.lock().delivered.contains(key))
    }

    async fn claim(&self, key: &str, pending: &PendingRecord, stale_after: Duration) -> Result<bool, StoreError> {
        let mut s = self.lock();
        if s.delivered.contains(key) {
            return Ok(false);
        }
        if let Some(cur) = s.claims.get(key) {
            if pending.claimed_at_ms.saturating_sub(cur.claimed_at_ms) < stale_after.as_millis() as u64 {
                return Ok(false);
            }
        }
        s.claims.insert(key.to_string(), pending.clone());
        Ok(true)
    }

    async fn mark_delivered(&self, key: &str) -> Result<(), StoreError> {
        self.remember_local(key);
        Ok(())
    }

    async fn dead_letter(&self, key: &str, record: &DeadLetter) -> Result<(), StoreError> {
        self.dead_local(key, record);
        self.append_file(record).await
    }

    async fn dead_letters(&self, limit: usize, stale_after: Duration) -> Result<Vec<DeadLetter>, StoreError> {
        let mut out = self.stale_local(stale_after);
        match &self.file {
            Some(path) => out.extend(read_dead_letter_file(path, limit).await?),
            None => out.extend(self.lock().dead.iter().take(limit).cloned()),
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.at_ms));
        out.truncate(limit);
        Ok(out)
    }
}

/// Redis connection tuning.
#[derive(Debug, Clone)]
pub struct RedisStoreOptions {
    /// How long sent-markers live: a retry later than this may post again.
    pub sent_ttl: Duration,
    /// Dead letters kept in the list.
    pub dead_cap: usize,
    pub response_timeout: Duration,
    pub connection_timeout: Duration,
}

impl Default for RedisStoreOptions {
    fn default() -> Self {
        Self {
            sent_ttl: Duration::from_secs(30 * 24 * 3600),
            dead_cap: 10_000,
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
        }
    }
}

/// KEYS[1] sent key, KEYS[2] claim key. ARGV: record JSON, now ms, stale ms.
/// Returns 1 when claimed.
const LUA_CLAIM: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local cur = redis.call('GET', KEYS[2])
if cur then
  local ok, rec = pcall(cjson.decode, cur)
  if ok and type(rec) == 'table' then
    local at = tonumber(rec.claimed_at_ms)
    if at and tonumber(ARGV[2]) - at < tonumber(ARGV[3]) then return 0 end
  end
end
redis.call('SET', KEYS[2], ARGV[1])
return 1
"#;

pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    options: RedisStoreOptions,
    claim: redis::Script,
    /// In front of Redis: answers repeats without a round trip and keeps
    /// working (per process) while Redis is down.
    local: InProcessStore,
}

fn redis_err(what: &str, e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(format!("redis {what}: {e}"))
}

impl RedisStore {
    pub async fn connect(url: &str, prefix: &str, options: RedisStoreOptions) -> Result<Self, StoreError> {
        let client =
            redis::Client::open(url).map_err(|e| StoreError::Unavailable(format!("invalid redis url: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(options.response_timeout))
            .set_connection_timeout(Some(options.connection_timeout))
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_with_config(client, config).await.map_err(|e| redis_err("connect", e))?;
        Ok(Self {
            conn,
            prefix: prefix.to_string(),
            options,
            claim: redis::Script::new(LUA_CLAIM),
            local: InProcessStore::new(None),
        })
    }

    fn sent_key(&self, key: &str) -> String {
        format!("{}ch:sent:{key}", self.prefix)
    }

    fn claim_key(&self, key: &str) -> String {
        format!("{}ch:claim:{key}", self.prefix)
    }

    fn dead_key(&self) -> String {
        format!("{}ch:dead", self.prefix)
    }

    async fn redis_claims(&self, stale_after: Duration) -> Result<Vec<DeadLetter>, StoreError> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}ch:claim:*", self.prefix);
        let mut cursor: u64 = 0;
        let mut keys: Vec<String> = Vec::new();
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut conn)
                .await
                .map_err(|e| redis_err("scan", e))?;
            keys.extend(batch);
            cursor = next;
            // Bounded: an operator listing, not a full export.
            if cursor == 0 || keys.len() >= 10_000 {
                break;
            }
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let values: Vec<Option<String>> =
            redis::cmd("MGET").arg(&keys).query_async(&mut conn).await.map_err(|e| redis_err("mget", e))?;
        let cutoff = now_ms().saturating_sub(stale_after.as_millis() as u64);
        Ok(values
            .into_iter()
            .flatten()
            .filter_map(|v| serde_json::from_str::<PendingRecord>(&v).ok())
            .filter(|p| p.claimed_at_ms <= cutoff)
            .map(|p| DeadLetter::stranded(&p, stale_after))
            .collect())
    }
}

#[async_trait]
impl DeliveryStore for RedisStore {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn is_delivered(&self, key: &str) -> Result<bool, StoreError> {
        if self.local.is_delivered(key).await? {
            return Ok(true);
        }
        let n: i64 = redis::cmd("EXISTS")
            .arg(self.sent_key(key))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| redis_err("exists", e))?;
        Ok(n == 1)
    }

    async fn claim(&self, key: &str, pending: &PendingRecord, stale_after: Duration) -> Result<bool, StoreError> {
        if !self.local.claim(key, pending, stale_after).await? {
            return Ok(false);
        }
        let json = serde_json::to_string(pending).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let claimed: Result<i64, _> = self
            .claim
            .key(self.sent_key(key))
            .key(self.claim_key(key))
            .arg(json)
            .arg(pending.claimed_at_ms)
            .arg(stale_after.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await;
        match claimed {
            Ok(1) => Ok(true),
            Ok(_) => {
                self.local.release_local(key);
                Ok(false)
            }
            Err(e) => {
                // The local claim stands: idempotent within this process,
                // and the message is not held back by someone else's outage.
                tracing::warn!(key, error = %e, "redis claim failed; relying on the in-process claim");
                Ok(true)
            }
        }
    }

    async fn mark_delivered(&self, key: &str) -> Result<(), StoreError> {
        self.local.remember_local(key);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .set_ex(self.sent_key(key), "1", self.options.sent_ttl.as_secs().max(1))
            .ignore()
            .del(self.claim_key(key))
            .ignore();
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| redis_err("mark delivered", e))
    }

    async fn dead_letter(&self, key: &str, record: &DeadLetter) -> Result<(), StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .lpush(self.dead_key(), &json)
            .ignore()
            .ltrim(self.dead_key(), 0, self.options.dead_cap.saturating_sub(1) as isize)
            .ignore()
            .del(self.claim_key(key))
            .ignore();
        match pipe.query_async::<()>(&mut self.conn.clone()).await {
            Ok(()) => {
                self.local.release_local(key);
                Ok(())
            }
            Err(e) => {
                // Kept here so `dead_letters` still shows it from this process.
                self.local.dead_local(key, record);
                Err(redis_err("dead letter", e))
            }
        }
    }

    async fn dead_letters(&self, limit: usize, stale_after: Duration) -> Result<Vec<DeadLetter>, StoreError> {
        let raw: Vec<String> = redis::cmd("LRANGE")
            .arg(self.dead_key())
            .arg(0)
            .arg(limit.saturating_sub(1) as i64)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| redis_err("lrange", e))?;
        let mut out: Vec<DeadLetter> = raw.iter().filter_map(|s| serde_json::from_str(s).ok()).collect();
        out.extend(self.redis_claims(stale_after).await?);
        out.extend(self.local.lock().dead.iter().take(limit).cloned());
        out.sort_by_key(|d| std::cmp::Reverse(d.at_ms));
        out.truncate(limit);
        Ok(out)
    }
}

/// Where the delivery store lives; the same value opens it for the hub and
/// for `list_dead_letters`.
#[derive(Debug, Clone, Default)]
pub struct StoreConfig {
    /// Redis when set (keys under `prefix`).
    pub redis_url: Option<String>,
    pub prefix: String,
    /// Without Redis: the JSON Lines file dead letters are appended to.
    pub dead_letter_file: Option<PathBuf>,
}

impl StoreConfig {
    /// The application's choice: Redis (under the memory prefix) when
    /// `redis_url` is set, else in process with dead letters in
    /// `<data_root>/channels/deadletters.jsonl`.
    pub fn for_app(redis_url: Option<String>, prefix: &str, data_root: &std::path::Path) -> Self {
        Self {
            redis_url,
            prefix: prefix.to_string(),
            dead_letter_file: Some(data_root.join("channels").join("deadletters.jsonl")),
        }
    }

    pub async fn open(&self) -> Result<Arc<dyn DeliveryStore>, StoreError> {
        Ok(match &self.redis_url {
            Some(url) => Arc::new(RedisStore::connect(url, &self.prefix, RedisStoreOptions::default()).await?),
            None => Arc::new(InProcessStore::new(self.dead_letter_file.clone())),
        })
    }
}

/// How old a claim must be before it counts as stranded.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(3600);

/// The operator's view, for a CLI: dead letters (and stranded claims) from
/// Redis, or from the dead-letter file without Redis; newest first.
pub async fn list_dead_letters(config: &StoreConfig, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    match &config.redis_url {
        Some(_) => config.open().await?.dead_letters(limit, DEFAULT_STALE_AFTER).await,
        None => match &config.dead_letter_file {
            Some(path) => read_dead_letter_file(path, limit).await,
            None => Ok(Vec::new()),
        },
    }
}
