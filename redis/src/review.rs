//! The Redis adapters of the review ports: `RedisReviews` (`ReviewStore`) and
//! `RedisAudit` (`AuditLog`).
//!
//! | key                          | type       | content                                          | TTL   |
//! |------------------------------|------------|--------------------------------------------------|-------|
//! | `{p}{rv}:review:{inquiry}`   | string     | `Review` JSON                                    | `ttl` |
//! | `{p}{rv}:reviews`            | sorted set | inquiry ids scored by `created_ms`, ≤ `cap`      | none  |
//! | `{p}{au}:audit`              | stream     | every `AuditEvent` JSON in field `e`, ~`cap`     | none  |
//! | `{p}{au}:audit:{inquiry}`    | stream     | one inquiry's events, same ids as in `audit`     | `ttl` |
//!
//! `{p}` is the configured prefix; `{rv}` and `{au}` are literal Redis
//! Cluster hash tags. The index names every review, and `put` checks the
//! review and updates the index in one script, so all review keys must share
//! the index's slot; likewise an append writes the global and the
//! per-inquiry stream in one script so both carry the same id. Reviews and
//! the audit log use different tags, so a cluster may place them on
//! different shards. (A prefix with its own `{…}` moves every key into that
//! tag's slot instead, which is still one slot per store and still correct.)
//! Review volume is human-paced, so one slot per store is no bottleneck.
//!
//! A TTL of zero means "no expiry".

use std::time::Duration;

use async_trait::async_trait;
use redis::streams::StreamRangeReply;
use redis::{ErrorKind, RedisError, Script};
use tradewind_ports::review::{AuditEvent, AuditLog, Review, ReviewError, ReviewStore};

use crate::conn::{RedisConn, RedisTarget, Tuning};

/// KEYS[1] the review, KEYS[2] the index. ARGV: review JSON, its rev, its
/// created_ms, inquiry id, TTL ms (0: none), cap. Returns `{'ok', evicted ids…}`
/// or `{'conflict'}`.
const LUA_PUT: &str = r#"
local want = tonumber(ARGV[2])
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, rec = pcall(cjson.decode, cur)
  if not ok or type(rec) ~= 'table' or type(rec.rev) ~= 'number' then
    return redis.error_reply('CORRUPT stored review has no numeric rev')
  end
  if rec.rev + 1 ~= want then return {'conflict'} end
elseif want ~= 1 then
  return {'conflict'}
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
local over = -(tonumber(ARGV[6]) + 1)
local evicted = redis.call('ZRANGE', KEYS[2], 0, over)
if #evicted > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over) end
local out = {'ok'}
for _, id in ipairs(evicted) do out[#out + 1] = id end
return out
"#;

/// KEYS[1] the global stream, KEYS[2..] each event's per-inquiry stream.
/// ARGV[1] cap, ARGV[2] TTL ms (0: none), ARGV[3..] each event's JSON, in
/// the order of KEYS[2..]. Returns how many were appended.
const LUA_APPEND: &str = r#"
local cap, ttl = ARGV[1], tonumber(ARGV[2])
for i = 2, #KEYS do
  local e = ARGV[i + 1]
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', cap, '*', 'e', e)
  -- Reusing the global id fails only if the per-inquiry stream is ahead of
  -- the global one (the global stream was deleted and the clock went back);
  -- the event is already in the global stream, so it must land here too.
  local copied = redis.pcall('XADD', KEYS[i], 'MAXLEN', '~', cap, id, 'e', e)
  if type(copied) == 'table' and copied.err then
    redis.call('XADD', KEYS[i], 'MAXLEN', '~', cap, '*', 'e', e)
  end
  if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return #KEYS - 1
"#;

async fn connect_manager(url: &str) -> Result<RedisConn, ReviewError> {
    let target = RedisTarget::open(url).map_err(|e| ReviewError::Unavailable(format!("invalid redis url: {e}")))?;
    target.connect(&Tuning::default()).await.map_err(|e| classify("connect", e))
}

/// Uploads a script at connect time so the first write does not pay for the
/// `NOSCRIPT` fallback.
async fn load(conn: &RedisConn, source: &str) -> Result<(), ReviewError> {
    // A lone command, not a pipeline: on a cluster SCRIPT LOAD then goes to
    // every node.
    redis::cmd("SCRIPT")
        .arg("LOAD")
        .arg(source)
        .query_async::<String>(&mut conn.clone())
        .await
        .map(|_| ())
        .map_err(|e| classify("script load", e))
}

/// Our scripts flag bad records with `CORRUPT`; `WRONGTYPE` or a reply of
/// the wrong shape also means the data is not what we wrote. Anything else is
/// the backend being unavailable.
fn classify(op: &str, e: RedisError) -> ReviewError {
    match e.code() {
        Some("CORRUPT") | Some("WRONGTYPE") => ReviewError::Corrupt(format!("{op}: {e}")),
        _ => match e.kind() {
            ErrorKind::UnexpectedReturnType | ErrorKind::Parse => {
                ReviewError::Corrupt(format!("{op}: unexpected reply: {e}"))
            }
            _ => ReviewError::Unavailable(format!("{op}: {e}")),
        },
    }
}

fn ttl_ms(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX)
}

fn decode_review(raw: &str, key: &str) -> Result<Review, ReviewError> {
    serde_json::from_str(raw).map_err(|e| ReviewError::Corrupt(format!("review at {key}: {e}")))
}

/// `ReviewStore` on Redis. Clones share one connection.
#[derive(Clone)]
pub struct RedisReviews {
    conn: RedisConn,
    prefix: String,
    ttl: Duration,
    cap: usize,
    put: Script,
}

impl std::fmt::Debug for RedisReviews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisReviews")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .field("cap", &self.cap)
            .finish_non_exhaustive()
    }
}

impl RedisReviews {
    /// Reviews live `ttl` after their last write (zero: forever); the index
    /// keeps the newest `cap` by `created_ms` (at least one).
    pub async fn connect(url: &str, prefix: &str, ttl: Duration, cap: usize) -> Result<Self, ReviewError> {
        let conn = connect_manager(url).await?;
        let put = Script::new(LUA_PUT);
        load(&conn, LUA_PUT).await?;
        Ok(Self { conn, prefix: prefix.to_owned(), ttl, cap: cap.max(1), put })
    }

    fn review_key(&self, inquiry_id: &str) -> String {
        format!("{}{{rv}}:review:{inquiry_id}", self.prefix)
    }

    fn index_key(&self) -> String {
        format!("{}{{rv}}:reviews", self.prefix)
    }
}

#[async_trait]
impl ReviewStore for RedisReviews {
    async fn put(&self, review: &Review) -> Result<(), ReviewError> {
        let json = serde_json::to_string(review).map_err(|e| ReviewError::Corrupt(format!("cannot encode: {e}")))?;
        let reply: Vec<String> = self
            .put
            .key(self.review_key(&review.inquiry_id))
            .key(self.index_key())
            .arg(json)
            .arg(review.rev)
            .arg(review.created_ms)
            .arg(&review.inquiry_id)
            .arg(ttl_ms(self.ttl))
            .arg(self.cap)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("put review", e))?;
        match reply.split_first() {
            Some((status, evicted)) if status == "ok" => {
                if !evicted.is_empty() {
                    // Outside the script because these keys are only known
                    // once the trim ran; a failure here leaves them to their
                    // TTL, and the write itself already succeeded.
                    let keys: Vec<String> = evicted.iter().map(|id| self.review_key(id)).collect();
                    if let Err(e) = redis::cmd("DEL").arg(keys).query_async::<i64>(&mut self.conn.clone()).await {
                        tracing::warn!(error = %e, "could not delete reviews trimmed from the index");
                    }
                }
                Ok(())
            }
            Some((status, _)) if status == "conflict" => Err(ReviewError::Conflict(review.inquiry_id.clone())),
            _ => Err(ReviewError::Corrupt(format!("put review: unexpected reply {reply:?}"))),
        }
    }

    async fn get(&self, inquiry_id: &str) -> Result<Option<Review>, ReviewError> {
        let key = self.review_key(inquiry_id);
        let raw: Option<String> =
            redis::cmd("GET").arg(&key).query_async(&mut self.conn.clone()).await.map_err(|e| classify("get", e))?;
        raw.map(|r| decode_review(&r, &key)).transpose()
    }

    async fn list(&self, limit: usize) -> Result<Vec<Review>, ReviewError> {
        let mut conn = self.conn.clone();
        let mut out = Vec::with_capacity(limit.min(self.cap));
        let mut start = 0usize;
        // Index entries outlive reviews that expired, so a page can come back
        // short; read on until `limit` live ones or the index runs out.
        while out.len() < limit {
            let want = limit - out.len();
            let ids: Vec<String> = redis::cmd("ZREVRANGE")
                .arg(self.index_key())
                .arg(start)
                .arg(start + want - 1)
                .query_async(&mut conn)
                .await
                .map_err(|e| classify("zrevrange", e))?;
            if ids.is_empty() {
                break;
            }
            let keys: Vec<String> = ids.iter().map(|id| self.review_key(id)).collect();
            let raws: Vec<Option<String>> =
                redis::cmd("MGET").arg(&keys).query_async(&mut conn).await.map_err(|e| classify("mget", e))?;
            for (raw, key) in raws.into_iter().zip(&keys) {
                let Some(raw) = raw else { continue };
                // One bad record must not hide every other review from the
                // console; `get` still reports it.
                match decode_review(&raw, key) {
                    Ok(review) => out.push(review),
                    Err(e) => tracing::warn!(backend = "redis", error = %e, "skipping a corrupt review in list"),
                }
            }
            if ids.len() < want {
                break;
            }
            start += ids.len();
        }
        Ok(out)
    }
}

/// `AuditLog` on Redis Streams. Clones share one connection.
#[derive(Clone)]
pub struct RedisAudit {
    conn: RedisConn,
    prefix: String,
    ttl: Duration,
    cap: usize,
    append: Script,
}

impl std::fmt::Debug for RedisAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisAudit")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .field("cap", &self.cap)
            .finish_non_exhaustive()
    }
}

impl RedisAudit {
    /// The global stream keeps about `cap` events (trimmed with `MAXLEN ~`,
    /// so a little more); an inquiry's stream lives `ttl` after its last
    /// event (zero: forever).
    pub async fn connect(url: &str, prefix: &str, ttl: Duration, cap: usize) -> Result<Self, ReviewError> {
        let conn = connect_manager(url).await?;
        let append = Script::new(LUA_APPEND);
        load(&conn, LUA_APPEND).await?;
        Ok(Self { conn, prefix: prefix.to_owned(), ttl, cap: cap.max(1), append })
    }

    fn global_key(&self) -> String {
        format!("{}{{au}}:audit", self.prefix)
    }

    fn inquiry_key(&self, inquiry_id: &str) -> String {
        format!("{}{{au}}:audit:{inquiry_id}", self.prefix)
    }

    async fn range(&self, key: &str, start: &str, count: Option<usize>) -> Result<Vec<AuditEvent>, ReviewError> {
        let mut cmd = redis::cmd("XRANGE");
        cmd.arg(key).arg(start).arg("+");
        if let Some(count) = count {
            cmd.arg("COUNT").arg(count);
        }
        let reply: StreamRangeReply =
            cmd.query_async(&mut self.conn.clone()).await.map_err(|e| classify("xrange", e))?;
        reply
            .ids
            .into_iter()
            .map(|entry| {
                let raw: String = entry
                    .get("e")
                    .ok_or_else(|| ReviewError::Corrupt(format!("audit entry {} at {key} has no field e", entry.id)))?;
                let event: AuditEvent = serde_json::from_str(&raw)
                    .map_err(|e| ReviewError::Corrupt(format!("audit entry {} at {key}: {e}", entry.id)))?;
                Ok(AuditEvent { id: entry.id, ..event })
            })
            .collect()
    }
}

#[async_trait]
impl AuditLog for RedisAudit {
    /// One script for the whole batch: atomic, one round trip, and each event
    /// gets one id, the same in the global and in its inquiry's stream.
    async fn append(&self, events: &[AuditEvent]) -> Result<(), ReviewError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut invocation = self.append.prepare_invoke();
        invocation.key(self.global_key()).arg(self.cap).arg(ttl_ms(self.ttl));
        for event in events {
            // The stream id is the event's id; one written into the JSON
            // would only go stale.
            let stored = AuditEvent { id: String::new(), ..event.clone() };
            let json =
                serde_json::to_string(&stored).map_err(|e| ReviewError::Corrupt(format!("cannot encode: {e}")))?;
            invocation.key(self.inquiry_key(&event.inquiry_id)).arg(json);
        }
        invocation
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| classify("append audit", e))
    }

    async fn for_inquiry(&self, inquiry_id: &str) -> Result<Vec<AuditEvent>, ReviewError> {
        self.range(&self.inquiry_key(inquiry_id), "-", None).await
    }

    /// `since_ms` is matched against the stream ids, i.e. the Redis server's
    /// clock at append time, not the event's own `at_ms`; the two differ by
    /// the writer's clock skew plus the append latency.
    async fn export(&self, since_ms: u64, limit: usize) -> Result<Vec<AuditEvent>, ReviewError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.range(&self.global_key(), &since_ms.to_string(), Some(limit)).await
    }
}
