//! Redis memory backend over one shared multiplexed connection, on a single
//! Redis or a Redis Cluster (see `crate::conn` for how the URL selects it).
//!
//! Key layout (every key starts with `MemoryConfig::prefix`, written `{p}`;
//! `<id>` is `CustomerId::key()`, e.g. `c:telegram:42` or `u:<sha256>`; the
//! braces around `<id>` are literal: a Redis Cluster hash tag):
//!
//! | key                      | type   | content                                   | TTL             |
//! |--------------------------|--------|-------------------------------------------|-----------------|
//! | `{p}link:{<id>}`         | string | the id this channel id is linked to       | `customer_ttl_secs` |
//! | `{p}cust:{<id>}:facts`   | string | `CustomerFacts` JSON                      | `customer_ttl_secs` |
//! | `{p}cust:{<id>}:links`   | set    | channel ids linked to this one            | `customer_ttl_secs` |
//! | `{p}cust:{<id>}:inq`     | set    | inquiries whose result was booked to it   | `record_ttl_secs` |
//! | `{p}cust:{<id>}:turns`   | list   | `Turn` JSON, oldest first, ≤ `max_turns`  | `turn_ttl_secs` |
//! | `{p}cust:{<id>}:thr`     | set    | threads booked to it (for erasure)        | `record_ttl_secs` |
//! | `{p}tr:{inquiry}`        | list   | `TranscriptStep` JSON, in append order    | `record_ttl_secs` |
//! | `{p}res:{inquiry}`       | string | `SwarmResult` JSON                        | `record_ttl_secs` |
//! | `{p}recent`              | list   | inquiry ids, newest first, capped         | none            |
//! | `{p}thr:{thread}`        | string | `InquiryThread` JSON                      | `record_ttl_secs` |
//! | `{p}open:{conversation}` | string | the conversation's open thread id         | the idle window |
//!
//! A TTL of 0 means "no expiry". All keys of one customer id share the hash
//! tag `{<id>}`, so they live in one slot, and every script names all the
//! keys it touches in KEYS, all of one id: a script never derives a key at
//! run time. (A prefix with its own `{…}` moves every key into that tag's
//! slot instead, which is still correct.)
//!
//! Resolving a link therefore takes the link's own slot first: every
//! customer script is called with the requested id's keys and, when that id
//! turns out to be linked, answers with the target instead of acting; the
//! call is then repeated on the target's keys. The check and the write are
//! one script, so a write can never land under a channel id that was linked
//! meanwhile (its data would be orphaned). `load_customer` costs one
//! `EVALSHA` for an unlinked id and two for a linked one. Links are one hop:
//! a target's own link is not followed.
//!
//! Linking a channel id to a unified id touches two customers, so it runs as
//! four scripts, each atomic in its slot, ordered for crashes (see
//! `RedisMemory::link`); erasure likewise deletes in an order that leaves
//! the index keys to find whatever a crash left behind.
//!
//! The scripts are uploaded at connect time (on a cluster, to every node),
//! and `redis::Script` falls back to `SCRIPT LOAD` + retry if the server lost
//! them (restart, `SCRIPT FLUSH`, a failover), so only the first call after
//! that pays extra trips.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::{ErrorKind, RedisError, Script};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tradewind_core::{CustomerId, InquiryThread, SwarmResult, TranscriptStep};

use crate::conn::{RedisConn, RedisTarget, Tuning};
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

impl RedisOptions {
    pub fn tuning(&self) -> Tuning {
        Tuning {
            response_timeout: self.response_timeout,
            connection_timeout: self.connection_timeout,
            retries: self.reconnect_retries,
            max_retry_delay: self.max_reconnect_delay,
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

-- Appends a stored turn list to `all` as {at, i, raw} (for a time-ordered
-- merge), skipping raw turns already in `seen`; returns an error or nil.
local function collect_turns(all, seen, list, key)
  for _, raw in ipairs(list) do
    local t = decode_object(raw)
    local at = t and tonumber(t.at_ms)
    if not at then return 'CORRUPT stored turn in ' .. key .. ' has no numeric at_ms' end
    if not seen[raw] then
      seen[raw] = true
      all[#all + 1] = {at = at, i = #all + 1, raw = raw}
    end
  end
  return nil
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

/// KEYS: link, facts, turns of one id. ARGV: max turns, follow (1: answer
/// with the link's target instead when the id is linked).
/// Returns {'' or the link target, facts JSON or nil, turns JSON oldest first}.
const LUA_LOAD: &str = r#"
if ARGV[2] == '1' then
  local target = redis.call('GET', KEYS[1])
  if target then return {target, false, {}} end
end
local facts = redis.call('GET', KEYS[2])
local n = tonumber(ARGV[1])
local turns = {}
if n > 0 then turns = redis.call('LRANGE', KEYS[3], -n, -1) end
return {'', facts, turns}
"#;

/// KEYS: link, facts of one id. ARGV: newer facts JSON, max past
/// inquiries, TTL seconds, guard (1: answer {'moved', target} instead when
/// the id is linked). Returns {'ok', merged facts JSON}.
const LUA_REMEMBER: &str = r#"
if ARGV[4] == '1' then
  local target = redis.call('GET', KEYS[1])
  if target then return {'moved', target} end
end
local key = KEYS[2]
local new = decode_object(ARGV[1])
if not new then return redis.error_reply('CORRUPT facts argument is not a JSON object') end
local raw = redis.call('GET', key)
local old = nil
if raw then
  old = decode_object(raw)
  if not old then return redis.error_reply('CORRUPT stored facts at ' .. key .. ' are not a JSON object') end
end
local merged = cjson.encode(merge_facts(old, new, tonumber(ARGV[2])))
redis.call('SET', key, merged)
if tonumber(ARGV[3]) > 0 then redis.call('EXPIRE', key, ARGV[3]) end
return {'ok', merged}
"#;

/// KEYS: link, turns of one id. ARGV: max turns, TTL seconds, guard (as in
/// `LUA_REMEMBER`), then the turns' JSON (already cut to the last max
/// turns). Returns {'ok', ''} or {'moved', target}.
const LUA_PUSH_TURNS: &str = r#"
if ARGV[3] == '1' then
  local target = redis.call('GET', KEYS[1])
  if target then return {'moved', target} end
end
local key = KEYS[2]
local n = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
if n <= 0 then redis.call('DEL', key) return {'ok', ''} end
local items = {}
for i = 4, #ARGV do items[#items + 1] = ARGV[i] end
rpush_all(key, items)
redis.call('LTRIM', key, -n, -1)
if ttl > 0 then redis.call('EXPIRE', key, ttl) end
return {'ok', ''}
"#;

/// Link step 1, in the unified id's slot. KEYS: its facts, turns, links.
/// ARGV: channel id, customer TTL seconds. Checks the unified record
/// decodes (so a corrupt one stops the link before anything moves), then
/// records the channel in its links: from here on, erasure through the
/// unified id reaches the channel's keys too, whatever happens next.
const LUA_LINK_PREPARE: &str = r#"
local raw = redis.call('GET', KEYS[1])
if raw and not decode_object(raw) then
  return redis.error_reply('CORRUPT stored facts at ' .. KEYS[1] .. ' are not a JSON object')
end
local err = collect_turns({}, {}, redis.call('LRANGE', KEYS[2], 0, -1), KEYS[2])
if err then return redis.error_reply(err) end
redis.call('SADD', KEYS[3], ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[3], ARGV[2]) end
return 1
"#;

/// Link step 2, in the channel id's slot. KEYS: its link, facts, turns, inq.
/// ARGV: unified id, customer TTL seconds. Checks the channel's record
/// decodes, then points the link at the unified id and returns what is to
/// move: {facts JSON or nil, turns, inquiry ids, the inq set's TTL}. Setting
/// the link and reading in one script means every later write through the
/// channel id goes to the unified id, so nothing written meanwhile is lost.
const LUA_LINK_DETACH: &str = r#"
local facts = redis.call('GET', KEYS[2])
if facts and not decode_object(facts) then
  return redis.error_reply('CORRUPT stored facts at ' .. KEYS[2] .. ' are not a JSON object')
end
local turns = redis.call('LRANGE', KEYS[3], 0, -1)
local err = collect_turns({}, {}, turns, KEYS[3])
if err then return redis.error_reply(err) end
local inq = redis.call('SMEMBERS', KEYS[4])
local inq_ttl = redis.call('TTL', KEYS[4])
local cttl = tonumber(ARGV[2])
if cttl > 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', cttl) else redis.call('SET', KEYS[1], ARGV[1]) end
return {facts, turns, inq, inq_ttl}
"#;

/// Link step 3, in the unified id's slot. KEYS: its facts, turns, inq.
/// ARGV: max turns, turn TTL, max past inquiries, customer TTL, the
/// channel's facts JSON ('' for none), its inq set's TTL, the number of its
/// turns, its turns, its inquiry ids. Merges them in: facts with the
/// channel's as the newer side, turns in time order (a turn already present
/// is not added twice, so a repeated step changes nothing), inquiry ids as a
/// union. Everything is decoded before anything is written: a script that
/// fails half-way is not rolled back, so corruption must abort with no effect.
const LUA_LINK_ABSORB: &str = r#"
local n, ttl, max_past, cttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local merged_facts = nil
if ARGV[5] ~= '' then
  local cf = decode_object(ARGV[5])
  if not cf then return redis.error_reply('CORRUPT channel facts argument is not a JSON object') end
  local uraw = redis.call('GET', KEYS[1])
  if uraw then
    local uf = decode_object(uraw)
    if not uf then return redis.error_reply('CORRUPT stored facts at ' .. KEYS[1] .. ' are not a JSON object') end
    merged_facts = cjson.encode(merge_facts(uf, cf, max_past))
  else
    merged_facts = ARGV[5]
  end
end
local nt = tonumber(ARGV[7])
local combined = nil
if nt > 0 then
  local all, seen = {}, {}
  local moved = {}
  for i = 8, 7 + nt do moved[#moved + 1] = ARGV[i] end
  local err = collect_turns(all, seen, redis.call('LRANGE', KEYS[2], 0, -1), KEYS[2])
    or collect_turns(all, seen, moved, 'the channel turns')
  if err then return redis.error_reply(err) end
  -- Index breaks ties so equal timestamps keep unified-then-channel order.
  table.sort(all, function(a, b)
    if a.at ~= b.at then return a.at < b.at end
    return a.i < b.i
  end)
  combined = {}
  for i = math.max(1, #all - n + 1), #all do combined[#combined + 1] = all[i].raw end
end

if merged_facts then
  redis.call('SET', KEYS[1], merged_facts)
  if cttl > 0 then redis.call('EXPIRE', KEYS[1], cttl) end
end
-- The channel's inquiry index moves with it: erasure starts from the unified id.
if #ARGV > 7 + nt then
  for i = 8 + nt, #ARGV do redis.call('SADD', KEYS[3], ARGV[i]) end
  local ttl_left = tonumber(ARGV[6])
  if ttl_left > 0 and redis.call('TTL', KEYS[3]) < ttl_left then redis.call('EXPIRE', KEYS[3], ttl_left) end
end
if combined then
  redis.call('DEL', KEYS[2])
  if #combined > 0 then
    rpush_all(KEYS[2], combined)
    if ttl > 0 then redis.call('EXPIRE', KEYS[2], ttl) end
  end
end
return 1
"#;

/// Link step 4, in the channel id's slot. KEYS: its link, facts, turns, inq.
/// ARGV: the unified id. Drops the moved data, only while the link still
/// points there (an erasure in between wins).
const LUA_LINK_DROP: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
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
    link_prepare: Script,
    link_detach: Script,
    link_absorb: Script,
    link_drop: Script,
    close_open: Script,
    sources: Vec<String>,
}

impl Scripts {
    fn new() -> Self {
        let full = |body: &str| format!("{LUA_PRELUDE}\n{body}");
        let sources = vec![
            LUA_LOAD.to_string(),
            full(LUA_REMEMBER),
            full(LUA_PUSH_TURNS),
            full(LUA_LINK_PREPARE),
            full(LUA_LINK_DETACH),
            full(LUA_LINK_ABSORB),
            LUA_LINK_DROP.to_string(),
            LUA_CLOSE_OPEN.to_string(),
        ];
        let s = |i: usize| Script::new(&sources[i]);
        Self {
            load: s(0),
            remember: s(1),
            push_turns: s(2),
            link_prepare: s(3),
            link_detach: s(4),
            link_absorb: s(5),
            link_drop: s(6),
            close_open: s(7),
            sources,
        }
    }
}

/// `Memory` on Redis. Clones share one connection.
#[derive(Clone)]
pub struct RedisMemory {
    conn: RedisConn,
    config: MemoryConfig,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for RedisMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisMemory").field("config", &self.config).finish_non_exhaustive()
    }
}

/// What a guarded customer script answered.
enum Guarded<T> {
    Done(T),
    /// The id is linked: the call must be repeated on this target.
    Moved(CustomerId),
}

impl RedisMemory {
    /// Connects with `RedisOptions::default()` (2 s response timeout).
    pub async fn connect(url: &str, config: MemoryConfig) -> Result<Self, MemoryError> {
        Self::connect_with(url, config, RedisOptions::default()).await
    }

    /// Connects, then uploads the Lua scripts so the hot path never pays for
    /// a `NOSCRIPT` fallback on its first call.
    pub async fn connect_with(url: &str, config: MemoryConfig, options: RedisOptions) -> Result<Self, MemoryError> {
        let target = RedisTarget::open(url).map_err(|e| MemoryError::Unavailable(format!("invalid redis url: {e}")))?;
        let conn = target.connect(&options.tuning()).await.map_err(|e| classify("connect", e))?;
        let scripts = Arc::new(Scripts::new());
        // One command per script rather than a pipeline: on a cluster a
        // keyless SCRIPT LOAD is sent to every node, a pipeline to one.
        for source in &scripts.sources {
            redis::cmd("SCRIPT")
                .arg("LOAD")
                .arg(source)
                .query_async::<String>(&mut conn.clone())
                .await
                .map_err(|e| classify("script load", e))?;
        }
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

    /// `{p}link:{<id>}`, in the id's slot.
    fn link_key(&self, key: &str) -> String {
        format!("{}link:{{{key}}}", self.config.prefix)
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

    /// `{p}cust:{<id>}:{part}` for a customer key fragment, in the id's slot.
    fn cust_key(&self, key: &str, part: &str) -> String {
        format!("{}cust:{{{key}}}:{part}", self.config.prefix)
    }

    fn inq_key(&self, customer_key: &str) -> String {
        self.cust_key(customer_key, "inq")
    }

    /// One call of `LUA_LOAD` on `key`'s slot.
    async fn load_once(&self, key: &str, follow: bool) -> Result<(String, Option<String>, Vec<String>), MemoryError> {
        self.scripts
            .load
            .key(self.link_key(key))
            .key(self.cust_key(key, "facts"))
            .key(self.cust_key(key, "turns"))
            .arg(self.config.max_turns)
            .arg(if follow { "1" } else { "0" })
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("load_customer", e))
    }

    async fn remember_once(&self, key: &str, newer: &str, guard: bool) -> Result<Guarded<String>, MemoryError> {
        let (status, value): (String, String) = self
            .scripts
            .remember
            .key(self.link_key(key))
            .key(self.cust_key(key, "facts"))
            .arg(newer)
            .arg(MAX_PAST_INQUIRIES)
            .arg(self.config.customer_ttl_secs)
            .arg(if guard { "1" } else { "0" })
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("remember", e))?;
        guarded(status, value)
    }

    async fn push_turns_once(&self, key: &str, encoded: &[String], guard: bool) -> Result<Guarded<()>, MemoryError> {
        let (status, value): (String, String) = self
            .scripts
            .push_turns
            .key(self.link_key(key))
            .key(self.cust_key(key, "turns"))
            .arg(self.config.max_turns)
            .arg(self.config.turn_ttl_secs)
            .arg(if guard { "1" } else { "0" })
            .arg(encoded)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify("push_turns", e))?;
        Ok(match guarded(status, value)? {
            Guarded::Done(_) => Guarded::Done(()),
            Guarded::Moved(to) => Guarded::Moved(to),
        })
    }

    /// Adds `member` to the index set `key` (TTL `record_ttl_secs`).
    async fn index(&self, key: &str, member: &str, op: &str) -> Result<(), MemoryError> {
        let mut pipe = redis::pipe();
        pipe.atomic().sadd(key, member).ignore();
        if self.config.record_ttl_secs > 0 {
            pipe.expire(key, self.config.record_ttl_secs as i64).ignore();
        }
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| classify(op, e))
    }
}

fn guarded(status: String, value: String) -> Result<Guarded<String>, MemoryError> {
    match status.as_str() {
        "ok" => Ok(Guarded::Done(value)),
        "moved" => Ok(Guarded::Moved(parse_customer_key(&value)?)),
        other => Err(corrupt(format!("unexpected script status {other:?}"))),
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
        let (mut target, mut facts, mut turns) = self.load_once(&own, true).await?;
        let resolved = if target.is_empty() {
            target = own;
            id.clone()
        } else {
            // Linked: read the target's record in its own slot.
            let resolved = parse_customer_key(&target)?;
            (_, facts, turns) = self.load_once(&target, false).await?;
            resolved
        };
        let facts = match facts {
            Some(raw) => decode(&raw, "facts", &self.cust_key(&target, "facts"))?,
            None => CustomerFacts::default(),
        };
        let turns_key = self.cust_key(&target, "turns");
        let recent_turns = turns.iter().map(|raw| decode(raw, "turn", &turns_key)).collect::<Result<Vec<Turn>, _>>()?;
        Ok(CustomerView { id: resolved, facts, recent_turns })
    }

    /// Four scripts, each atomic in one customer's slot, in an order that
    /// keeps every crash harmless and makes the whole idempotent (calling it
    /// again finishes what a crash left):
    ///
    /// 1. prepare (unified slot): check the unified record decodes, add the
    ///    channel to its links, so erasure through it reaches the channel;
    /// 2. detach (channel slot): check the channel's record decodes, point
    ///    the link at the unified id and read what is to move; later writes
    ///    through the channel id already go to the unified id;
    /// 3. absorb (unified slot): merge facts, turns and inquiry ids in;
    /// 4. drop (channel slot): delete the moved data.
    ///
    /// After a crash between 2 and 3 the channel's history is hidden (reads
    /// follow the link) but kept, and erasure through either id still finds
    /// it; a crash between 3 and 4 leaves a copy that the next link or
    /// erasure removes. Repeating 3 adds no turn or inquiry twice; it does
    /// apply the channel's facts again, which only matters if the unified
    /// facts changed in between.
    async fn link(&self, channel: &CustomerId, unified: &CustomerId) -> Result<(), MemoryError> {
        let (ck, uk) = (channel.key(), unified.key());
        if ck == uk {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        let ttl = self.config.customer_ttl_secs;
        self.scripts
            .link_prepare
            .key(self.cust_key(&uk, "facts"))
            .key(self.cust_key(&uk, "turns"))
            .key(self.cust_key(&uk, "links"))
            .arg(&ck)
            .arg(ttl)
            .invoke_async::<i64>(&mut conn)
            .await
            .map_err(|e| classify("link", e))?;
        let channel_keys =
            [self.link_key(&ck), self.cust_key(&ck, "facts"), self.cust_key(&ck, "turns"), self.inq_key(&ck)];
        let (facts, turns, inquiries, inq_ttl): (Option<String>, Vec<String>, Vec<String>, i64) = self
            .scripts
            .link_detach
            .key(&channel_keys[..])
            .arg(&uk)
            .arg(ttl)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| classify("link", e))?;
        if facts.is_none() && turns.is_empty() && inquiries.is_empty() {
            return Ok(());
        }
        self.scripts
            .link_absorb
            .key(self.cust_key(&uk, "facts"))
            .key(self.cust_key(&uk, "turns"))
            .key(self.inq_key(&uk))
            .arg(self.config.max_turns)
            .arg(self.config.turn_ttl_secs)
            .arg(MAX_PAST_INQUIRIES)
            .arg(ttl)
            .arg(facts.unwrap_or_default())
            .arg(inq_ttl)
            .arg(turns.len())
            .arg(turns)
            .arg(inquiries)
            .invoke_async::<i64>(&mut conn)
            .await
            .map_err(|e| classify("link", e))?;
        self.scripts
            .link_drop
            .key(&channel_keys[..])
            .arg(&uk)
            .invoke_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| classify("link", e))
    }

    async fn remember(&self, id: &CustomerId, facts: &CustomerFacts) -> Result<CustomerFacts, MemoryError> {
        let newer = encode(facts, "facts")?;
        let merged = match self.remember_once(&id.key(), &newer, true).await? {
            Guarded::Done(merged) => merged,
            Guarded::Moved(to) => match self.remember_once(&to.key(), &newer, false).await? {
                Guarded::Done(merged) => merged,
                Guarded::Moved(_) => return Err(corrupt("an unguarded remember reported a link".into())),
            },
        };
        decode(&merged, "merged facts", &id.key())
    }

    async fn push_turns(&self, id: &CustomerId, turns: &[Turn]) -> Result<(), MemoryError> {
        if turns.is_empty() {
            return Ok(());
        }
        // Anything before the last max_turns would be trimmed straight away.
        let tail = &turns[turns.len().saturating_sub(self.config.max_turns)..];
        let encoded = tail.iter().map(|t| encode(t, "turn")).collect::<Result<Vec<_>, _>>()?;
        if let Guarded::Moved(to) = self.push_turns_once(&id.key(), &encoded, true).await? {
            self.push_turns_once(&to.key(), &encoded, false).await?;
        }
        Ok(())
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

    /// Three writes in three slots (customer index, result, recent list), so
    /// three steps; the index comes first so that erasure finds a result
    /// however far this got.
    async fn save_result(&self, result: &SwarmResult) -> Result<(), MemoryError> {
        let res = self.res_key(&result.inquiry_id);
        let recent = self.recent_key();
        let body = encode(result, "result")?;
        self.index(&self.inq_key(&result.customer), &result.inquiry_id, "save_result").await?;
        let mut set = redis::cmd("SET");
        set.arg(&res).arg(body);
        if self.config.record_ttl_secs > 0 {
            set.arg("EX").arg(self.config.record_ttl_secs);
        }
        set.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| classify("save_result", e))?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .lpush(&recent, &result.inquiry_id)
            .ignore()
            .ltrim(&recent, 0, RECENT_INQUIRIES_KEPT as isize - 1)
            .ignore();
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

    /// Like `save_result`, one step per slot, the erasure index first.
    async fn save_thread(&self, thread: &InquiryThread, window_secs: u64) -> Result<(), MemoryError> {
        let key = self.thread_key(&thread.thread_id);
        let open = self.open_key(&thread.conversation);
        let body = encode(thread, "thread")?;
        // The index lives as long as a thread.
        self.index(&self.cust_key(&thread.customer, "thr"), &thread.thread_id, "save_thread").await?;
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(body);
        if self.config.record_ttl_secs > 0 {
            set.arg("EX").arg(self.config.record_ttl_secs);
        }
        set.query_async::<()>(&mut self.conn.clone()).await.map_err(|e| classify("save_thread", e))?;
        if !thread.closed {
            redis::cmd("SET")
                .arg(&open)
                .arg(&thread.thread_id)
                .arg("EX")
                .arg(window_secs.max(1))
                .query_async::<()>(&mut self.conn.clone())
                .await
                .map_err(|e| classify("save_thread", e))?;
        } else {
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

    /// Reads per customer id (one slot each), then deletes in three waves:
    /// the records (results, transcripts, threads, facts, turns), the recent
    /// list's entries, and last the indexes and links that lead to them. On
    /// a cluster the waves are not atomic; a crash part-way leaves the
    /// indexes in place, so asking again finishes the erasure.
    async fn forget_customer(&self, id: &CustomerId) -> Result<Forgotten, MemoryError> {
        let mut conn = self.conn.clone();
        let own = id.key();
        let link: Option<String> = redis::cmd("GET")
            .arg(self.link_key(&own))
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
        let mut inquiries: Vec<String> = Vec::new();
        let mut threads: Vec<String> = Vec::new();
        for k in &keys {
            // One customer's keys share a slot, so one pipeline each.
            let (inq, turns, thr): (Vec<String>, Vec<String>, Vec<String>) = redis::pipe()
                .smembers(self.inq_key(k))
                .lrange(self.cust_key(k, "turns"), 0, -1)
                .smembers(self.cust_key(k, "thr"))
                .query_async(&mut conn)
                .await
                .map_err(|e| classify("forget_customer", e))?;
            let named = turns.iter().filter_map(|raw| serde_json::from_str::<Turn>(raw).ok()).map(|t| t.inquiry_id);
            for i in inq.into_iter().chain(named) {
                if !inquiries.contains(&i) {
                    inquiries.push(i);
                }
            }
            threads.extend(thr);
        }
        let mut records: Vec<String> = Vec::new();
        for id in &threads {
            // The conversation was the customer's: its open pointer goes too.
            if let Some(t) = self.thread(id).await? {
                for v in t.versions {
                    if !inquiries.contains(&v.inquiry_id) {
                        inquiries.push(v.inquiry_id);
                    }
                }
                records.push(self.open_key(&t.conversation));
            }
            records.push(self.thread_key(id));
        }
        for inq in &inquiries {
            records.push(self.tr_key(inq));
            records.push(self.res_key(inq));
        }
        for k in &keys {
            records.push(self.cust_key(k, "facts"));
            records.push(self.cust_key(k, "turns"));
        }
        // A multi-key DEL; on a cluster the redis crate splits it by slot.
        redis::cmd("DEL")
            .arg(&records)
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| classify("forget_customer", e))?;
        if !inquiries.is_empty() {
            let mut pipe = redis::pipe();
            pipe.atomic();
            for inq in &inquiries {
                pipe.lrem(self.recent_key(), 0, inq).ignore();
            }
            pipe.query_async::<()>(&mut conn).await.map_err(|e| classify("forget_customer", e))?;
        }
        let mut indexes: Vec<String> = Vec::new();
        for k in &keys {
            for part in ["inq", "thr", "links"] {
                indexes.push(self.cust_key(k, part));
            }
        }
        // The links last: they are how a repeated request finds the rest.
        indexes.extend(keys.iter().map(|k| self.link_key(k)));
        redis::cmd("DEL")
            .arg(&indexes)
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| classify("forget_customer", e))?;
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
