//! Redis memory backend over one auto-reconnecting multiplexed connection.
//!
//! Key layout (every key starts with `MemoryConfig::prefix`, written `{p}`;
//! `{id}` is `CustomerId::key()`, e.g. `c:telegram:42` or `u:<sha256>`):
//!
//! | key                     | type   | content                                   | TTL             |
//! |-------------------------|--------|-------------------------------------------|-----------------|
//! | `{p}link:{id}`          | string | the `{id}` this channel id is linked to   | `customer_ttl_secs` |
//! | `{p}cust:{id}:facts`    | string | `CustomerFacts` JSON                      | `customer_ttl_secs` |
//! | `{p}cust:{id}:links`    | set    | channel `{id}`s linked to this one        | `customer_ttl_secs` |
//! | `{p}cust:{id}:inq`      | set    | inquiries whose result was booked to it   | `record_ttl_secs` |
//! | `{p}cust:{id}:turns`    | list   | `Turn` JSON, oldest first, ≤ `max_turns`  | `turn_ttl_secs` |
//! | `{p}tr:{inquiry}`       | list   | `TranscriptStep` JSON, in append order    | `record_ttl_secs` |
//! | `{p}res:{inquiry}`      | string | `SwarmResult` JSON                        | `record_ttl_secs` |
//! | `{p}recent`             | list   | inquiry ids, newest first, capped         | none            |
//! | `{p}thr:{thread}`       | string | `InquiryThread` JSON                      | `record_ttl_secs` |
//! | `{p}open:{conversation}`| string | the conversation's open thread id         | the idle window |
//! | `{p}cust:{id}:thr`      | set    | threads booked to it (for erasure)        | `record_ttl_secs` |
//!
//! A TTL of 0 means "no expiry". Everything that touches customer data runs
//! as a Lua script so that resolving the link and reading or writing under the
//! resolved id is atomic and costs one round trip; `load_customer` in
//! particular is a single `EVALSHA`. The scripts are uploaded at connect time,
//! and `redis::Script` falls back to `SCRIPT LOAD` + retry if the server lost
//! them (restart, `SCRIPT FLUSH`), so only the first call after that pays
//! extra trips.
//!
//! The scripts derive the resolved id's keys at run time, which standalone
//! Redis (and Valkey) allow but Redis Cluster does not; this backend targets a
//! single primary.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, Script};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tradewind_core::{CustomerId, InquiryThread, SwarmResult, TranscriptStep};

use tradewind_ports::memory::{
    CustomerFacts, CustomerView, Forgotten, Memory, MemoryConfig, MemoryError, Turn, MAX_PAST_INQUIRIES,
    RECENT_INQUIRIES_KEPT,
};

/// Connection tuning for `RedisMemory`.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisOptions {
    /// How long one command may wait for its reply. The redis crate's default
    /// (500 ms) is too tight for a shared box under benchmark load.
    pub response_timeout: Duration,
    /// How long one TCP connect (and handshake) may take.
    pub connection_timeout: Duration,
    /// Reconnect attempts (exponential backoff) before a call reports the
    /// backend unavailable.
    pub reconnect_retries: usize,
    /// Ceiling on the backoff between reconnect attempts.
    pub max_reconnect_delay: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
            reconnect_retries: 3,
            max_reconnect_delay: Duration::from_secs(1),
        }
    }
}

/// Shared by the scripts that merge facts, so Lua and
/// `CustomerFacts::merge` follow one rule: non-null fields of the newer side
/// win; past inquiries are the newer list followed by older ones it lacks,
/// bounded. An empty list is dropped rather than written, because cjson would
/// encode it as `{}`, which serde rejects (the field is `#[serde(default)]`).
const LUA_PRELUDE: &str = r#"
-- cjson maps JSON arrays to tables too; a non-empty array part gives them away.
local function decode_object(raw)
  local ok, v = pcall(cjson.decode, raw)
  if ok and type(v) == 'table' and #v == 0 then return v end
  return nil
end

local function merge_facts(old, new, max_past)
  local out = {}
  if old then for k, v in pairs(old) do out[k] = v end end
  for k, v in pairs(new) do
    if k ~= 'past_inquiries' and v ~= cjson.null then out[k] = v end
  end
  local past, seen = {}, {}
  if type(new.past_inquiries) == 'table' then
    for _, p in ipairs(new.past_inquiries) do past[#past + 1] = p; seen[p] = true end
  end
  if old and type(old.past_inquiries) == 'table' then
    for _, p in ipairs(old.past_inquiries) do
      if not seen[p] then past[#past + 1] = p; seen[p] = true end
    end
  end
  while #past > max_past do table.remove(past) end
  out.past_inquiries = nil
  if #past > 0 then out.past_inquiries = past end
  return out
end

-- unpack() is limited by the Lua stack, so long lists go in slices.
local function rpush_all(key, items)
  local i = 1
  while i <= #items do
    local j = math.min(i + 499, #items)
    redis.call('RPUSH', key, unpack(items, i, j))
    i = j + 1
  end
end
"#;

/// KEYS[1] link key of the requested id.
/// ARGV: prefix, requested id fragment, max turns.
/// Returns {resolved id fragment, facts JSON or nil, turns JSON oldest first}.
const LUA_LOAD: &str = r#"
local target = redis.call('GET', KEYS[1]) or ARGV[2]
local base = ARGV[1] .. 'cust:' .. target
local facts = redis.call('GET', base .. ':facts')
local n = tonumber(ARGV[3])
local turns = {}
if n > 0 then turns = redis.call('LRANGE', base .. ':turns', -n, -1) end
return {target, facts, turns}
"#;

/// KEYS[1] link key of the id. ARGV: prefix, id fragment, newer facts JSON,
/// max past inquiries, TTL seconds. Returns the merged facts JSON.
const LUA_REMEMBER: &str = r#"
local target = redis.call('GET', KEYS[1]) or ARGV[2]
local key = ARGV[1] .. 'cust:' .. target .. ':facts'
local new = decode_object(ARGV[3])
if not new then return redis.error_reply('CORRUPT facts argument is not a JSON object') end
local raw = redis.call('GET', key)
local old = nil
if raw then
  old = decode_object(raw)
  if not old then return redis.error_reply('CORRUPT stored facts at ' .. key .. ' are not a JSON object') end
end
local merged = cjson.encode(merge_facts(old, new, tonumber(ARGV[4])))
redis.call('SET', key, merged)
if tonumber(ARGV[5]) > 0 then redis.call('EXPIRE', key, ARGV[5]) end
return merged
"#;

/// KEYS[1] link key of the id. ARGV: prefix, id fragment, max turns, TTL
/// seconds, then the turns' JSON (already cut to the last max turns).
const LUA_PUSH_TURNS: &str = r#"
local target = redis.call('GET', KEYS[1]) or ARGV[2]
local key = ARGV[1] .. 'cust:' .. target .. ':turns'
local n = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
if n <= 0 then redis.call('DEL', key) return 0 end
local items = {}
for i = 5, #ARGV do items[#items + 1] = ARGV[i] end
rpush_all(key, items)
redis.call('LTRIM', key, -n, -1)
if ttl > 0 then redis.call('EXPIRE', key, ttl) end
return 1
"#;

/// KEYS[1] link key of the channel id. ARGV: prefix, channel fragment,
/// unified fragment, max turns, turn TTL seconds, max past inquiries,
/// customer TTL seconds.
/// Everything is decoded before anything is written: a script that fails
/// half-way is not rolled back, so corruption must abort with no effect.
const LUA_LINK: &str = r#"
local p, ck, uk = ARGV[1], ARGV[2], ARGV[3]
if ck == uk then return 0 end
local n, ttl, max_past = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local cfk, ufk = p .. 'cust:' .. ck .. ':facts', p .. 'cust:' .. uk .. ':facts'
local ctk, utk = p .. 'cust:' .. ck .. ':turns', p .. 'cust:' .. uk .. ':turns'

local merged_facts = nil
local craw = redis.call('GET', cfk)
if craw then
  local cf = decode_object(craw)
  if not cf then return redis.error_reply('CORRUPT stored facts at ' .. cfk .. ' are not a JSON object') end
  local uraw = redis.call('GET', ufk)
  if uraw then
    local uf = decode_object(uraw)
    if not uf then return redis.error_reply('CORRUPT stored facts at ' .. ufk .. ' are not a JSON object') end
    merged_facts = cjson.encode(merge_facts(uf, cf, max_past))
  else
    merged_facts = craw
  end
end

local combined = nil
local cturns = redis.call('LRANGE', ctk, 0, -1)
if #cturns > 0 then
  local all = {}
  local function collect(list, key)
    for _, raw in ipairs(list) do
      local t = decode_object(raw)
      local at = t and tonumber(t.at_ms)
      if not at then return 'CORRUPT stored turn in ' .. key .. ' has no numeric at_ms' end
      all[#all + 1] = {at = at, i = #all + 1, raw = raw}
    end
    return nil
  end
  local err = collect(redis.call('LRANGE', utk, 0, -1), utk) or collect(cturns, ctk)
  if err then return redis.error_reply(err) end
  -- Index breaks ties so equal timestamps keep unified-then-channel order.
  table.sort(all, function(a, b)
    if a.at ~= b.at then return a.at < b.at end
    return a.i < b.i
  end)
  combined = {}
  for i = math.max(1, #all - n + 1), #all do combined[#combined + 1] = all[i].raw end
end

local cttl = tonumber(ARGV[7])
if merged_facts then
  redis.call('SET', ufk, merged_facts)
  if cttl > 0 then redis.call('EXPIRE', ufk, cttl) end
  redis.call('DEL', cfk)
end
-- The channel's inquiry index moves with it: erasure starts from the unified id.
local cik, uik = p .. 'cust:' .. ck .. ':inq', p .. 'cust:' .. uk .. ':inq'
if redis.call('EXISTS', cik) == 1 then
  local ttl_left = redis.call('TTL', cik)
  redis.call('SUNIONSTORE', uik, uik, cik)
  redis.call('DEL', cik)
  if ttl_left > 0 and redis.call('TTL', uik) < ttl_left then redis.call('EXPIRE', uik, ttl_left) end
end
local ulk = p .. 'cust:' .. uk .. ':links'
redis.call('SADD', ulk, ck)
if cttl > 0 then redis.call('EXPIRE', ulk, cttl) end
if combined then
  redis.call('DEL', utk, ctk)
  if #combined > 0 then
    rpush_all(utk, combined)
    if ttl > 0 then redis.call('EXPIRE', utk, ttl) end
  end
end
if cttl > 0 then redis.call('SET', KEYS[1], uk, 'EX', cttl) else redis.call('SET', KEYS[1], uk) end
return 1
"#;

/// KEYS[1] a conversation's open-thread key; ARGV[1] a thread id. Deletes
/// the key only while it still names that thread.
const LUA_CLOSE_OPEN: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

struct Scripts {
    load: Script,
    remember: Script,
    push_turns: Script,
    link: Script,
    close_open: Script,
    sources: Vec<String>,
}

impl Scripts {
    fn new() -> Self {
        let full = |body: &str| format!("{LUA_PRELUDE}\n{body}");
        let (load, remember, push_turns, link) =
            (full(LUA_LOAD), full(LUA_REMEMBER), full(LUA_PUSH_TURNS), full(LUA_LINK));
        Self {
            load: Script::new(&load),
            remember: Script::new(&remember),
            push_turns: Script::new(&push_turns),
            link: Script::new(&link),
            close_open: Script::new(LUA_CLOSE_OPEN),
            sources: vec![load, remember, push_turns, link, LUA_CLOSE_OPEN.to_string()],
        }
    }
}

/// `Memory` on Redis. Clones share one connection.
#[derive(Clone)]
pub struct RedisMemory {
    conn: ConnectionManager,
    config: MemoryConfig,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for RedisMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisMemory").field("config", &self.config).finish_non_exhaustive()
    }
}

impl RedisMemory {
    /// Connects with `RedisOptions::default()` (2 s response timeout).
    pub async fn connect(url: &str, config: MemoryConfig) -> Result<Self, MemoryError> {
        Self::connect_with(url, config, RedisOptions::default()).await
    }

    /// Connects, then uploads the Lua scripts so the hot path never pays for
    /// a `NOSCRIPT` fallback on its first call.
    pub async fn connect_with(url: &str, config: MemoryConfig, options: RedisOptions) -> Result<Self, MemoryError> {
        let client =
            redis::Client::open(url).map_err(|e| MemoryError::Unavailable(format!("invalid redis url: {e}")))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(options.response_timeout))
            .set_connection_timeout(Some(options.connection_timeout))
            .set_number_of_retries(options.reconnect_retries)
            .set_max_delay(options.max_reconnect_delay);
        let conn =
            ConnectionManager::new_with_config(client, manager_config).await.map_err(|e| classify("connect", e))?;
        let scripts = Arc::new(Scripts::new());
        let mut load = redis::pipe();
        for source in &scripts.sources {
            load.cmd("SCRIPT").arg("LOAD").arg(source).ignore();
        }
        load.query_async::<()>(&mut conn.clone()).await.map_err(|e| classify("script load", e))?;
        Ok(Self { conn, config, scripts })
    }

    /// Round trip to the server, for health checks.
    pub async fn ping(&self) -> Result<(), MemoryError> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| classify("ping", e))
    }

    fn link_key(&self, id: &CustomerId) -> String {
        format!("{}link:{}", self.config.prefix, id.key())
    }

    fn tr_key(&self, inquiry_id: &str) -> String {
        format!("{}tr:{inquiry_id}", self.config.prefix)
    }

    fn res_key(&self, inquiry_id: &str) -> String {
        format!("{}res:{inquiry_id}", self.config.prefix)
    }

    fn recent_key(&self) -> String {
        format!("{}recent", self.config.prefix)
    }

    fn thread_key(&self, thread_id: &str) -> String {
        format!("{}thr:{thread_id}", self.config.prefix)
    }

    fn open_key(&self, conversation: &str) -> String {
        format!("{}open:{conversation}", self.config.prefix)
    }

    /// `{p}cust:{key}:{part}` for a customer key fragment.
    fn cust_key(&self, key: &str, part: &str) -> String {
        format!("{}cust:{key}:{part}", self.config.prefix)
    }

    fn inq_key(&self, customer_key: &str) -> String {
        self.cust_key(customer_key, "inq")
    }
}

/// Our own scripts flag bad records with a `CORRUPT` error code; a
/// `WRONGTYPE` or an unexpected reply shape also means the stored data is not
/// what we wrote. Anything else (I/O, timeouts, refused connections, server
/// errors) is the backend being unavailable.
fn classify(op: &str, e: RedisError) -> MemoryError {
    match e.code() {
        Some("CORRUPT") | Some("WRONGTYPE") => corrupt(format!("{op}: {e}")),
        _ => match e.kind() {
            ErrorKind::UnexpectedReturnType | ErrorKind::Parse => corrupt(format!("{op}: unexpected reply: {e}")),
            _ => MemoryError::Unavailable(format!("{op}: {e}")),
        },
    }
}

/// Outages are the caller's to report; a bad record needs an operator even
/// when the caller recovers by starting afresh, so it is logged here.
fn corrupt(message: String) -> MemoryError {
    tracing::warn!(backend = "redis", %message, "corrupt memory record");
    MemoryError::Corrupt(message)
}

fn decode<T: DeserializeOwned>(raw: &str, what: &str, key: &str) -> Result<T, MemoryError> {
    serde_json::from_str(raw).map_err(|e| corrupt(format!("{what} at {key}: {e}")))
}

fn encode<T: Serialize>(value: &T, what: &str) -> Result<String, MemoryError> {
    // Our types always serialise; this only guards future fields.
    serde_json::to_string(value).map_err(|e| MemoryError::Corrupt(format!("cannot encode {what}: {e}")))
}

/// Inverse of `CustomerId::key`, for ids read back from link keys.
fn parse_customer_key(fragment: &str) -> Result<CustomerId, MemoryError> {
    if let Some(hash) = fragment.strip_prefix("u:") {
        Ok(CustomerId::Unified(hash.to_owned()))
    } else if let Some(channel) = fragment.strip_prefix("c:") {
        Ok(CustomerId::Channel(channel.to_owned()))
    } else {
        Err(corrupt(format!("link target {fragment:?} is not a customer key")))
    }
}

#[async_trait]
impl Memory for RedisMemory {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn load_customer(&self, id: &CustomerId) -> Result<CustomerView, MemoryError> {
        let own = id.key();
        let (target, facts, turns): (String, Option<String>, Vec<String>) = self
            .scripts
            .load
            .key(self.link_key(id))
            .arg(&self.config.prefix)
            .arg(&own)
            .arg(self.config.max_turns)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("load_customer", e))?;
        let resolved = if target == own { id.clone() } else { parse_customer_key(&target)? };
        let base = format!("{}cust:{target}", self.config.prefix);
        let facts = match facts {
            Some(raw) => decode(&raw, "facts", &format!("{base}:facts"))?,
            None => CustomerFacts::default(),
        };
        let recent_turns =
            turns.iter().map(|raw| decode(raw, "turn", &format!("{base}:turns"))).collect::<Result<Vec<Turn>, _>>()?;
        Ok(CustomerView { id: resolved, facts, recent_turns })
    }

    async fn link(&self, channel: &CustomerId, unified: &CustomerId) -> Result<(), MemoryError> {
        self.scripts
            .link
            .key(self.link_key(channel))
            .arg(&self.config.prefix)
            .arg(channel.key())
            .arg(unified.key())
            .arg(self.config.max_turns)
            .arg(self.config.turn_ttl_secs)
            .arg(MAX_PAST_INQUIRIES)
            .arg(self.config.customer_ttl_secs)
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| classify("link", e))
    }

    async fn remember(&self, id: &CustomerId, facts: &CustomerFacts) -> Result<CustomerFacts, MemoryError> {
        let newer = encode(facts, "facts")?;
        let merged: String = self
            .scripts
            .remember
            .key(self.link_key(id))
            .arg(&self.config.prefix)
            .arg(id.key())
            .arg(newer)
            .arg(MAX_PAST_INQUIRIES)
            .arg(self.config.customer_ttl_secs)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("remember", e))?;
        decode(&merged, "merged facts", &id.key())
    }

    async fn push_turns(&self, id: &CustomerId, turns: &[Turn]) -> Result<(), MemoryError> {
        if turns.is_empty() {
            return Ok(());
        }
        // Anything before the last max_turns would be trimmed straight away.
        let tail = &turns[turns.len().saturating_sub(self.config.max_turns)..];
        let encoded = tail.iter().map(|t| encode(t, "turn")).collect::<Result<Vec<_>, _>>()?;
        self.scripts
            .push_turns
            .key(self.link_key(id))
            .arg(&self.config.prefix)
            .arg(id.key())
            .arg(self.config.max_turns)
            .arg(self.config.turn_ttl_secs)
            .arg(encoded)
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| classify("push_turns", e))
    }

    async fn append_transcript(&self, inquiry_id: &str, steps: &[TranscriptStep]) -> Result<(), MemoryError> {
        if steps.is_empty() {
            return Ok(());
        }
        let tr = self.tr_key(inquiry_id);
        let encoded = steps.iter().map(|s| encode(s, "transcript step")).collect::<Result<Vec<_>, _>>()?;
        let mut pipe = redis::pipe();
        pipe.atomic().rpush(&tr, encoded).ignore();
        if self.config.record_ttl_secs > 0 {
            pipe.expire(&tr, self.config.record_ttl_secs as i64).ignore();
        }
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| classify("append_transcript", e))
    }

    async fn transcript(&self, inquiry_id: &str) -> Result<Vec<TranscriptStep>, MemoryError> {
        let tr = self.tr_key(inquiry_id);
        let raw: Vec<String> = redis::cmd("LRANGE")
            .arg(&tr)
            .arg(0)
            .arg(-1)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("transcript", e))?;
        raw.iter().map(|r| decode(r, "transcript step", &tr)).collect()
    }

    async fn save_result(&self, result: &SwarmResult) -> Result<(), MemoryError> {
        let res = self.res_key(&result.inquiry_id);
        let recent = self.recent_key();
        let body = encode(result, "result")?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        if self.config.record_ttl_secs > 0 {
            pipe.set_ex(&res, body, self.config.record_ttl_secs).ignore();
        } else {
            pipe.set(&res, body).ignore();
        }
        pipe.lpush(&recent, &result.inquiry_id).ignore().ltrim(&recent, 0, RECENT_INQUIRIES_KEPT as isize - 1).ignore();
        // Indexed under the customer it was booked to, for erasure.
        let inq = self.inq_key(&result.customer);
        pipe.sadd(&inq, &result.inquiry_id).ignore();
        if self.config.record_ttl_secs > 0 {
            pipe.expire(&inq, self.config.record_ttl_secs as i64).ignore();
        }
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| classify("save_result", e))
    }

    async fn result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, MemoryError> {
        let res = self.res_key(inquiry_id);
        let raw: Option<String> =
            redis::cmd("GET").arg(&res).query_async(&mut self.conn.clone()).await.map_err(|e| classify("result", e))?;
        raw.map(|r| decode(&r, "result", &res)).transpose()
    }

    async fn recent_inquiries(&self, limit: usize) -> Result<Vec<String>, MemoryError> {
        // LRANGE 0 -1 would mean "everything", not "nothing".
        if limit == 0 {
            return Ok(Vec::new());
        }
        let last = limit.min(RECENT_INQUIRIES_KEPT) as i64 - 1;
        let ids: Vec<String> = redis::cmd("LRANGE")
            .arg(self.recent_key())
            .arg(0)
            .arg(last)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("recent_inquiries", e))?;
        Ok(tradewind_ports::memory::dedup_keep_first(ids))
    }

    async fn open_thread(&self, conversation: &str) -> Result<Option<InquiryThread>, MemoryError> {
        let open = self.open_key(conversation);
        let id: Option<String> = redis::cmd("GET")
            .arg(&open)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("open_thread", e))?;
        let Some(id) = id else { return Ok(None) };
        Ok(self.thread(&id).await?.filter(|t| !t.closed))
    }

    async fn save_thread(&self, thread: &InquiryThread, window_secs: u64) -> Result<(), MemoryError> {
        let key = self.thread_key(&thread.thread_id);
        let open = self.open_key(&thread.conversation);
        let body = encode(thread, "thread")?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        if self.config.record_ttl_secs > 0 {
            pipe.set_ex(&key, body, self.config.record_ttl_secs).ignore();
        } else {
            pipe.set(&key, body).ignore();
        }
        if !thread.closed {
            pipe.set_ex(&open, &thread.thread_id, window_secs.max(1)).ignore();
        }
        // Indexed by customer for erasure; the index lives as long as a thread.
        let index = self.cust_key(&thread.customer, "thr");
        pipe.sadd(&index, &thread.thread_id).ignore();
        if self.config.record_ttl_secs > 0 {
            pipe.expire(&index, self.config.record_ttl_secs as i64).ignore();
        }
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| classify("save_thread", e))?;
        if thread.closed {
            // Only if it is still the open one: a newer thread may have taken its place.
            self.scripts
                .close_open
                .key(&open)
                .arg(&thread.thread_id)
                .invoke_async::<i64>(&mut self.conn.clone())
                .await
                .map_err(|e| classify("save_thread", e))?;
        }
        Ok(())
    }

    async fn thread(&self, thread_id: &str) -> Result<Option<InquiryThread>, MemoryError> {
        let key = self.thread_key(thread_id);
        let raw: Option<String> =
            redis::cmd("GET").arg(&key).query_async(&mut self.conn.clone()).await.map_err(|e| classify("thread", e))?;
        raw.map(|r| decode(&r, "thread", &key)).transpose()
    }

    async fn forget_customer(&self, id: &CustomerId) -> Result<Forgotten, MemoryError> {
        let mut conn = self.conn.clone();
        let own = id.key();
        let link: Option<String> = redis::cmd("GET")
            .arg(self.link_key(id))
            .query_async(&mut conn)
            .await
            .map_err(|e| classify("forget_customer", e))?;
        let target = link.unwrap_or_else(|| own.clone());
        let mut keys = vec![target.clone()];
        if own != target {
            keys.push(own);
        }
        let linked: Vec<String> = redis::cmd("SMEMBERS")
            .arg(self.cust_key(&target, "links"))
            .query_async(&mut conn)
            .await
            .map_err(|e| classify("forget_customer", e))?;
        for k in linked {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let mut read = redis::pipe();
        for k in &keys {
            read.smembers(self.inq_key(k)).lrange(self.cust_key(k, "turns"), 0, -1).smembers(self.cust_key(k, "thr"));
        }
        let found: Vec<Vec<String>> = read.query_async(&mut conn).await.map_err(|e| classify("forget_customer", e))?;
        let mut inquiries: Vec<String> = Vec::new();
        let mut threads: Vec<String> = Vec::new();
        for (i, list) in found.into_iter().enumerate() {
            // Per key: inquiry ids, turns naming theirs, thread ids.
            let ids = match i % 3 {
                0 => list,
                1 => {
                    list.iter().filter_map(|raw| serde_json::from_str::<Turn>(raw).ok()).map(|t| t.inquiry_id).collect()
                }
                _ => {
                    threads.extend(list);
                    continue;
                }
            };
            for inq in ids {
                if !inquiries.contains(&inq) {
                    inquiries.push(inq);
                }
            }
        }
        let mut erase = redis::pipe();
        erase.atomic();
        for id in &threads {
            // The conversation was the customer's: its open pointer goes too.
            if let Some(t) = self.thread(id).await? {
                for v in t.versions {
                    if !inquiries.contains(&v.inquiry_id) {
                        inquiries.push(v.inquiry_id);
                    }
                }
                erase.del(self.open_key(&t.conversation)).ignore();
            }
            erase.del(self.thread_key(id)).ignore();
        }
        for k in &keys {
            for part in ["facts", "turns", "inq", "links", "thr"] {
                erase.del(self.cust_key(k, part)).ignore();
            }
            erase.del(format!("{}link:{k}", self.config.prefix)).ignore();
        }
        for inq in &inquiries {
            erase.del(self.tr_key(inq)).ignore().del(self.res_key(inq)).ignore();
            erase.lrem(self.recent_key(), 0, inq).ignore();
        }
        erase.query_async::<()>(&mut conn).await.map_err(|e| classify("forget_customer", e))?;
        Ok(Forgotten { customers: keys, inquiries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_keys_round_trip() {
        for id in [CustomerId::channel("telegram", "42:x"), CustomerId::Unified("ab12".into())] {
            assert_eq!(parse_customer_key(&id.key()).unwrap(), id);
        }
        assert!(matches!(parse_customer_key("zz"), Err(MemoryError::Corrupt(_))));
    }
}
