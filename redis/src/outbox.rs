//! The Redis adapter of the `DeliveryStore` port: idempotency across
//! processes, with the in-process store in front.
//!
//! | key                    | type   | content                                         |
//! |------------------------|--------|-------------------------------------------------|
//! | `{p}ch:sent:{<key>}`   | string | "1", TTL `sent_ttl`                             |
//! | `{p}ch:claim:{<key>}`  | string | `PendingRecord` JSON while queued or in flight  |
//! | `{p}ch:dead`           | list   | `DeadLetter` JSON, newest first, capped         |
//!
//! `<key>` is the delivery's idempotency key; the braces around it are
//! literal, a Redis Cluster hash tag, so one delivery's sent marker and
//! claim share a slot (the claim script reads both, and marking delivered
//! sets one and deletes the other atomically) while different deliveries
//! spread over the cluster. The dead-letter list is written on its own, and
//! the claims are listed by SCAN (on every primary of a cluster).

use async_trait::async_trait;
use std::time::Duration;
use tradewind_core::now_ms;
use tradewind_memory::InProcessStore;
use tradewind_ports::outbox::{DeadLetter, DeliveryStore, PendingRecord, StoreError};

use crate::conn::{RedisConn, RedisTarget, Tuning};

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
    conn: RedisConn,
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
        let target = RedisTarget::open(url).map_err(|e| StoreError::Unavailable(format!("invalid redis url: {e}")))?;
        let tuning = Tuning {
            response_timeout: options.response_timeout,
            connection_timeout: options.connection_timeout,
            retries: 2,
            ..Tuning::default()
        };
        let conn = target.connect(&tuning).await.map_err(|e| redis_err("connect", e))?;
        Ok(Self {
            conn,
            prefix: prefix.to_string(),
            options,
            claim: redis::Script::new(LUA_CLAIM),
            local: InProcessStore::new(None),
        })
    }

    fn sent_key(&self, key: &str) -> String {
        format!("{}ch:sent:{{{key}}}", self.prefix)
    }

    fn claim_key(&self, key: &str) -> String {
        format!("{}ch:claim:{{{key}}}", self.prefix)
    }

    fn dead_key(&self) -> String {
        format!("{}ch:dead", self.prefix)
    }

    async fn redis_claims(&self, stale_after: Duration) -> Result<Vec<DeadLetter>, StoreError> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}ch:claim:*", self.prefix);
        // Bounded: an operator listing, not a full export.
        let keys = conn.scan_match(&pattern, 10_000).await.map_err(|e| redis_err("scan", e))?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // On a cluster the redis crate splits MGET by slot and reassembles.
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
        // Two steps, as the list and the claim live in different slots on a
        // cluster: the letter first, so a crash in between leaves the claim,
        // which is then listed as stranded too, rather than losing the letter.
        let mut pipe = redis::pipe();
        pipe.atomic()
            .lpush(self.dead_key(), &json)
            .ignore()
            .ltrim(self.dead_key(), 0, self.options.dead_cap.saturating_sub(1) as isize)
            .ignore();
        let mut conn = self.conn.clone();
        let written = match pipe.query_async::<()>(&mut conn).await {
            Ok(()) => redis::cmd("DEL").arg(self.claim_key(key)).query_async::<()>(&mut conn).await,
            Err(e) => Err(e),
        };
        match written {
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
        out.extend(self.local.dead_local_list(limit));
        out.sort_by_key(|d| std::cmp::Reverse(d.at_ms));
        out.truncate(limit);
        Ok(out)
    }
}
