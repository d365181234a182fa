//! In-process memory backend: sharded maps behind short-lived `std` locks.
//!
//! Built for the embedded default and the throughput benchmark (1000+
//! inquiries/s from 1000 concurrent tasks): every operation hashes its key to
//! one of a few dozen shards and holds that shard's lock only for a memcpy-sized
//! critical section; nothing awaits while a lock is held. TTLs are enforced
//! lazily by comparing stored deadlines with the clock on access, and both
//! customers and inquiries are capped (oldest first out) so a long benchmark
//! cannot grow memory without bound.
//!
//! Semantics mirror `RedisMemory` exactly, including link resolution on writes
//! and the turn interleaving done by `link`, so the shared behaviour suite can
//! hold both backends to one contract.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use tradewind_core::{now_ms, CustomerId, SwarmResult, TranscriptStep};

use tradewind_ports::memory::{
    CustomerFacts, CustomerView, Memory, MemoryConfig, MemoryError, Turn, RECENT_INQUIRIES_KEPT,
};

/// Upper bound on shards; more buys nothing on a handful of cores.
const MAX_SHARDS: usize = 32;

/// How much the in-process backend keeps before evicting the oldest entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProcessLimits {
    /// Inquiries (blackboard + transcript + result) kept, oldest first out.
    pub max_inquiries: usize,
    /// Customer records (facts, turns, links) kept, oldest first out.
    pub max_customers: usize,
}

impl Default for InProcessLimits {
    fn default() -> Self {
        Self { max_inquiries: 10_000, max_customers: 100_000 }
    }
}

/// The embedded `Memory` backend. Cheap to share behind an `Arc`.
pub struct InProcessMemory {
    config: MemoryConfig,
    customers: Sharded<CustomerSlot>,
    inquiries: Sharded<InquirySlot>,
    /// Newest first; may repeat an id that was saved twice (like the Redis list).
    recent: Mutex<VecDeque<String>>,
}

impl std::fmt::Debug for InProcessMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessMemory")
            .field("config", &self.config)
            .field("customers", &self.customers.len())
            .field("inquiries", &self.inquiries.len())
            .finish()
    }
}

impl Default for InProcessMemory {
    fn default() -> Self {
        Self::new(MemoryConfig::default())
    }
}

#[derive(Default)]
struct CustomerSlot {
    /// Set once this (channel) id has been linked; its data then lives there.
    link: Option<CustomerId>,
    facts: Option<CustomerFacts>,
    /// Oldest first.
    turns: VecDeque<Turn>,
    turns_expire_at: Option<u64>,
}

impl CustomerSlot {
    fn live_turns(&mut self, now: u64) -> &mut VecDeque<Turn> {
        if !alive(self.turns_expire_at, now) {
            self.turns.clear();
            self.turns_expire_at = None;
        }
        &mut self.turns
    }
}

/// Records are kept as compact JSON text: a `serde_json::Value` tree costs
/// several times the memory of its text, and thousands of inquiries' records
/// live here at once (see the concurrency benchmark's RSS target).
#[derive(Default)]
struct InquirySlot {
    board: BTreeMap<String, Box<str>>,
    board_expire_at: Option<u64>,
    transcript: Vec<Box<str>>,
    transcript_expire_at: Option<u64>,
    result: Option<Box<str>>,
    result_expire_at: Option<u64>,
}

fn to_text<T: serde::Serialize>(v: &T) -> Result<Box<str>, MemoryError> {
    serde_json::to_string(v).map(String::into_boxed_str).map_err(|e| MemoryError::Corrupt(e.to_string()))
}

fn from_text<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, MemoryError> {
    serde_json::from_str(s).map_err(|e| MemoryError::Corrupt(e.to_string()))
}

/// A deadline of `None` never passes (TTL 0 means "keep").
fn alive(expire_at: Option<u64>, now: u64) -> bool {
    expire_at.is_none_or(|t| now < t)
}

fn deadline(now: u64, ttl_secs: u64) -> Option<u64> {
    (ttl_secs > 0).then(|| now.saturating_add(ttl_secs.saturating_mul(1000)))
}

impl InProcessMemory {
    pub fn new(config: MemoryConfig) -> Self {
        Self::with_limits(config, InProcessLimits::default())
    }

    /// Like `new`, with explicit caps. Caps are per shard, so the totals are
    /// honoured to within one entry per shard.
    pub fn with_limits(config: MemoryConfig, limits: InProcessLimits) -> Self {
        Self {
            config,
            customers: Sharded::new(limits.max_customers),
            inquiries: Sharded::new(limits.max_inquiries),
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// Inquiries currently held (live or awaiting lazy expiry); for benchmarks.
    pub fn stored_inquiries(&self) -> usize {
        self.inquiries.len()
    }

    /// Customer records currently held; for benchmarks.
    pub fn stored_customers(&self) -> usize {
        self.customers.len()
    }

    /// Runs `f` on the slot that owns `id`'s data: its own, or the one it is
    /// linked to. Checking the link under the same lock `link` takes closes
    /// the window where a write could land on a slot that was just emptied.
    fn write_customer<R>(&self, id: &CustomerId, f: impl FnOnce(&mut CustomerSlot) -> R) -> R {
        let redirect = self.customers.update(&id.key(), move |slot| match &slot.link {
            Some(target) => Err((target.key(), f)),
            None => Ok(f(slot)),
        });
        match redirect {
            Ok(r) => r,
            // One hop only, as in the Redis scripts.
            Err((target, f)) => self.customers.update(&target, f),
        }
    }
}

#[async_trait]
impl Memory for InProcessMemory {
    fn backend(&self) -> &'static str {
        "in-process"
    }

    async fn load_customer(&self, id: &CustomerId) -> Result<CustomerView, MemoryError> {
        let now = now_ms();
        let max = self.config.max_turns;
        let snapshot = |slot: Option<&CustomerSlot>| match slot {
            None => (CustomerFacts::default(), Vec::new()),
            Some(s) => {
                let turns = if alive(s.turns_expire_at, now) {
                    let skip = s.turns.len().saturating_sub(max);
                    s.turns.iter().skip(skip).cloned().collect()
                } else {
                    Vec::new()
                };
                (s.facts.clone().unwrap_or_default(), turns)
            }
        };
        // Unlinked ids (the common case) are served under a single read lock.
        let own = self.customers.read(&id.key(), |slot| match slot.and_then(|s| s.link.clone()) {
            Some(target) => Err(target),
            None => Ok(snapshot(slot)),
        });
        let (resolved, (facts, recent_turns)) = match own {
            Ok(view) => (id.clone(), view),
            Err(target) => {
                let view = self.customers.read(&target.key(), snapshot);
                (target, view)
            }
        };
        Ok(CustomerView { id: resolved, facts, recent_turns })
    }

    async fn link(&self, channel: &CustomerId, unified: &CustomerId) -> Result<(), MemoryError> {
        let (ck, uk) = (channel.key(), unified.key());
        if ck == uk {
            return Ok(());
        }
        let now = now_ms();
        let max = self.config.max_turns;
        let ttl = self.config.turn_ttl_secs;
        let unified_id = unified.clone();
        self.customers.update_then(
            &ck,
            move |c| {
                c.link = Some(unified_id);
                let turns: Vec<Turn> = c.live_turns(now).drain(..).collect();
                c.turns_expire_at = None;
                (c.facts.take(), turns)
            },
            &uk,
            move |u, (facts, turns)| {
                if let Some(cf) = facts {
                    // The channel's facts are the conversation in progress, so
                    // they are the newer side of the merge.
                    match &mut u.facts {
                        Some(uf) => uf.merge(&cf),
                        None => u.facts = Some(cf),
                    }
                }
                if !turns.is_empty() {
                    let mut all: Vec<Turn> = u.live_turns(now).drain(..).collect();
                    all.extend(turns);
                    // Stable: on equal timestamps the unified turns stay first.
                    all.sort_by_key(|t| t.at_ms);
                    let skip = all.len().saturating_sub(max);
                    u.turns = all.into_iter().skip(skip).collect();
                    u.turns_expire_at = deadline(now, ttl);
                }
            },
        );
        Ok(())
    }

    async fn remember(&self, id: &CustomerId, facts: &CustomerFacts) -> Result<CustomerFacts, MemoryError> {
        Ok(self.write_customer(id, |slot| {
            let stored = slot.facts.get_or_insert_with(CustomerFacts::default);
            stored.merge(facts);
            stored.clone()
        }))
    }

    async fn push_turns(&self, id: &CustomerId, turns: &[Turn]) -> Result<(), MemoryError> {
        if turns.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let max = self.config.max_turns;
        let expire = deadline(now, self.config.turn_ttl_secs);
        // Only the tail can survive the trim; don't clone the rest.
        let tail = &turns[turns.len().saturating_sub(max)..];
        self.write_customer(id, |slot| {
            let stored = slot.live_turns(now);
            stored.extend(tail.iter().cloned());
            while stored.len() > max {
                stored.pop_front();
            }
            slot.turns_expire_at = expire;
        });
        Ok(())
    }

    async fn post(&self, inquiry_id: &str, key: &str, value: &serde_json::Value) -> Result<(), MemoryError> {
        let now = now_ms();
        let expire = deadline(now, self.config.turn_ttl_secs);
        let text = to_text(value)?;
        self.inquiries.update(inquiry_id, |slot| {
            if !alive(slot.board_expire_at, now) {
                slot.board.clear();
            }
            slot.board.insert(key.to_owned(), text);
            slot.board_expire_at = expire;
        });
        Ok(())
    }

    async fn blackboard(&self, inquiry_id: &str) -> Result<BTreeMap<String, serde_json::Value>, MemoryError> {
        let now = now_ms();
        let board = self.inquiries.read(inquiry_id, |slot| match slot {
            Some(s) if alive(s.board_expire_at, now) => s.board.clone(),
            _ => BTreeMap::new(),
        });
        board.into_iter().map(|(k, v)| Ok((k, from_text(&v)?))).collect()
    }

    async fn append_transcript(&self, inquiry_id: &str, steps: &[TranscriptStep]) -> Result<(), MemoryError> {
        if steps.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let expire = deadline(now, self.config.record_ttl_secs);
        let lines = steps.iter().map(to_text).collect::<Result<Vec<_>, _>>()?;
        self.inquiries.update(inquiry_id, |slot| {
            if !alive(slot.transcript_expire_at, now) {
                slot.transcript.clear();
            }
            slot.transcript.extend(lines);
            slot.transcript_expire_at = expire;
        });
        Ok(())
    }

    async fn transcript(&self, inquiry_id: &str) -> Result<Vec<TranscriptStep>, MemoryError> {
        let now = now_ms();
        let lines = self.inquiries.read(inquiry_id, |slot| match slot {
            Some(s) if alive(s.transcript_expire_at, now) => s.transcript.clone(),
            _ => Vec::new(),
        });
        lines.iter().map(|l| from_text(l)).collect()
    }

    async fn save_result(&self, result: &SwarmResult) -> Result<(), MemoryError> {
        let now = now_ms();
        let expire = deadline(now, self.config.record_ttl_secs);
        let text = to_text(result)?;
        self.inquiries.update(&result.inquiry_id, |slot| {
            slot.result = Some(text);
            slot.result_expire_at = expire;
        });
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.push_front(result.inquiry_id.clone());
        recent.truncate(RECENT_INQUIRIES_KEPT);
        Ok(())
    }

    async fn result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, MemoryError> {
        let now = now_ms();
        let text = self.inquiries.read(inquiry_id, |slot| match slot {
            Some(s) if alive(s.result_expire_at, now) => s.result.clone(),
            _ => None,
        });
        text.map(|t| from_text(&t)).transpose()
    }

    async fn recent_inquiries(&self, limit: usize) -> Result<Vec<String>, MemoryError> {
        let window: Vec<String> = {
            let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            recent.iter().take(limit).cloned().collect()
        };
        Ok(tradewind_ports::memory::dedup_keep_first(window))
    }
}

/// A string-keyed map split into independently locked shards, each holding
/// at most `cap` entries and evicting its oldest-created entry first.
struct Sharded<V> {
    shards: Box<[RwLock<Shard<V>>]>,
    hasher: RandomState,
}

struct Shard<V> {
    map: HashMap<String, Slot<V>>,
    /// Creation order; `seq` tells a live entry from a re-created one.
    order: VecDeque<(String, u64)>,
    next_seq: u64,
    cap: usize,
}

struct Slot<V> {
    seq: u64,
    value: V,
}

impl<V: Default> Sharded<V> {
    fn new(total_cap: usize) -> Self {
        let total_cap = total_cap.max(1);
        let n = total_cap.min(MAX_SHARDS);
        let cap = total_cap.div_ceil(n);
        let shards = (0..n)
            .map(|_| RwLock::new(Shard { map: HashMap::new(), order: VecDeque::new(), next_seq: 0, cap }))
            .collect();
        Self { shards, hasher: RandomState::new() }
    }

    fn index(&self, key: &str) -> usize {
        (self.hasher.hash_one(key) % self.shards.len() as u64) as usize
    }

    // A panic while holding a shard cannot leave it half-written (every
    // critical section is a plain field update), so poisoning is ignored.
    fn read_shard(&self, i: usize) -> RwLockReadGuard<'_, Shard<V>> {
        self.shards[i].read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_shard(&self, i: usize) -> RwLockWriteGuard<'_, Shard<V>> {
        self.shards[i].write().unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        (0..self.shards.len()).map(|i| self.read_shard(i).map.len()).sum()
    }

    fn read<R>(&self, key: &str, f: impl FnOnce(Option<&V>) -> R) -> R {
        let shard = self.read_shard(self.index(key));
        f(shard.map.get(key).map(|s| &s.value))
    }

    /// Runs `f` on `key`'s value, creating it (and evicting if full) when absent.
    fn update<R>(&self, key: &str, f: impl FnOnce(&mut V) -> R) -> R {
        self.write_shard(self.index(key)).update(key, f)
    }

    /// Runs `fa` on `a`'s value then `fb` on `b`'s, with both shards locked
    /// throughout so no reader or writer sees the state in between. Locks are
    /// taken in index order, so two concurrent calls cannot deadlock.
    fn update_then<T, R>(&self, a: &str, fa: impl FnOnce(&mut V) -> T, b: &str, fb: impl FnOnce(&mut V, T) -> R) -> R {
        let (ia, ib) = (self.index(a), self.index(b));
        if ia == ib {
            let mut shard = self.write_shard(ia);
            let t = shard.update(a, fa);
            return shard.update(b, |v| fb(v, t));
        }
        let (first, second) = (self.write_shard(ia.min(ib)), self.write_shard(ia.max(ib)));
        let (mut sa, mut sb) = if ia < ib { (first, second) } else { (second, first) };
        let t = sa.update(a, fa);
        sb.update(b, |v| fb(v, t))
    }
}

impl<V: Default> Shard<V> {
    fn update<R>(&mut self, key: &str, f: impl FnOnce(&mut V) -> R) -> R {
        if let Some(slot) = self.map.get_mut(key) {
            return f(&mut slot.value);
        }
        while self.order.len() >= self.cap {
            let Some((old, seq)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&old).is_some_and(|s| s.seq == seq) {
                self.map.remove(&old);
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.order.push_back((key.to_owned(), seq));
        let slot = self.map.entry(key.to_owned()).or_insert(Slot { seq, value: V::default() });
        f(&mut slot.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_evict_oldest_first_and_stay_bounded() {
        let map: Sharded<u32> = Sharded::new(64);
        for i in 0..1000u32 {
            map.update(&format!("k{i}"), |v| *v = i);
        }
        // Per-shard caps round up, so allow one spare entry per shard.
        assert!(map.len() <= 64 + map.shards.len(), "len {}", map.len());
        // The newest key is never the one evicted.
        assert_eq!(map.read("k999", |v| v.copied()), Some(999));
        assert_eq!(map.read("k0", |v| v.copied()), None);
    }

    #[test]
    fn update_then_works_within_one_shard() {
        let map: Sharded<u32> = Sharded::new(1);
        assert_eq!(map.shards.len(), 1);
        // cap 1: creating "b" evicts "a"; the transfer still completes.
        let got = map.update_then(
            "a",
            |v| {
                *v = 7;
                *v
            },
            "b",
            |v, t| {
                *v = t + 1;
                *v
            },
        );
        assert_eq!(got, 8);
        assert_eq!(map.read("b", |v| v.copied()), Some(8));
    }
}
