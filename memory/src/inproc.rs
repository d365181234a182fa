//! In-process memory backend: `moka` caches of per-id records, each record
//! behind its own short-lived `std` lock.
//!
//! Built for the embedded default and the throughput benchmark (1000+
//! inquiries/s from 1000 concurrent tasks): an operation locks only the one
//! record it touches (two for `link`), for a memcpy-sized critical section;
//! nothing awaits while a lock is held. Both customers and inquiries are
//! capped (least recently used out) so a long benchmark cannot grow memory
//! without bound, and moka drops a record once everything in it has expired.
//! Which fields of a record are live is still decided on access against the
//! deadline Redis would have given that key, since one record here holds
//! what Redis keeps under several keys with different TTLs.
//!
//! Semantics mirror `RedisMemory` exactly, including link resolution on writes
//! and the turn interleaving done by `link`, so the shared behaviour suite can
//! hold both backends to one contract.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::ops::compute::Op;
use moka::policy::{EvictionPolicy, Expiry};
use moka::sync::Cache;
use tradewind_core::{now_ms, CustomerId, InquiryThread, SwarmResult, TranscriptStep};

use tradewind_ports::memory::{
    CustomerFacts, CustomerView, Forgotten, Memory, MemoryConfig, MemoryError, Turn, RECENT_INQUIRIES_KEPT,
};

/// Inquiry ids a customer record indexes for erasure; older ones have long
/// expired (at the record TTL) by the time this many newer ones exist.
const INDEXED_INQUIRIES: usize = 1_000;

/// How much the in-process backend keeps, in bytes of stored text (plus a
/// fixed overhead per record), before evicting the least recently used
/// records. Budgets in bytes rather than counts keep the process's memory
/// flat whatever the size of each inquiry: with counts, 10,000 inquiries of
/// large transcripts were a gigabyte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProcessLimits {
    /// Inquiries (transcript + result).
    pub inquiry_bytes: u64,
    /// Customer records (facts, turns, links).
    pub customer_bytes: u64,
    /// Conversation threads and the conversations' open pointers.
    pub thread_bytes: u64,
}

impl InProcessLimits {
    /// `total` bytes: half for inquiries, a quarter each for customers and
    /// threads.
    pub fn total(total: u64) -> Self {
        Self { inquiry_bytes: total / 2, customer_bytes: total / 4, thread_bytes: total / 4 }
    }
}

impl Default for InProcessLimits {
    fn default() -> Self {
        Self::total(16 << 20)
    }
}

/// What a record costs besides its text: the key (twice in moka), the
/// record's struct and lock, moka's entry and the allocator's headers.
/// Measured roughly: a serve run's RSS over the stores' weights.
const RECORD_OVERHEAD: u64 = 400;

fn weight_of(bytes: usize) -> u32 {
    u32::try_from(bytes as u64 + RECORD_OVERHEAD).unwrap_or(u32::MAX)
}

/// The embedded `Memory` backend. Cheap to share behind an `Arc`.
pub struct InProcessMemory {
    config: MemoryConfig,
    customers: Records<CustomerSlot>,
    inquiries: Records<InquirySlot>,
    /// Newest first; may repeat an id that was saved twice (like the Redis list).
    recent: Mutex<VecDeque<String>>,
    /// Conversation threads by id, as JSON, with their expiry (wall-clock ms).
    threads: Cache<String, (Arc<str>, Option<u64>)>,
    /// Each conversation's open thread id, and when it idles out.
    open: Cache<String, (String, u64)>,
}

impl std::fmt::Debug for InProcessMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessMemory")
            .field("config", &self.config)
            .field("customers", &self.customers.approx_len())
            .field("inquiries", &self.inquiries.approx_len())
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
    link_expire_at: Option<u64>,
    facts: Option<CustomerFacts>,
    facts_expire_at: Option<u64>,
    /// Oldest first.
    turns: VecDeque<Turn>,
    turns_expire_at: Option<u64>,
    /// Channel ids linked to this record, so that erasure finds them.
    linked: Vec<CustomerId>,
    /// Inquiries stored under this customer, oldest first, so that erasure
    /// finds their records.
    inquiries: VecDeque<String>,
    inquiries_expire_at: Option<u64>,
}

impl CustomerSlot {
    fn live_turns(&mut self, now: u64) -> &mut VecDeque<Turn> {
        if !alive(self.turns_expire_at, now) {
            self.turns.clear();
            self.turns_expire_at = None;
        }
        &mut self.turns
    }

    fn live_link(&self, now: u64) -> Option<&CustomerId> {
        self.link.as_ref().filter(|_| alive(self.link_expire_at, now))
    }

    fn live_facts(&self, now: u64) -> Option<&CustomerFacts> {
        self.facts.as_ref().filter(|_| alive(self.facts_expire_at, now))
    }

    /// Drops what has expired, so that a write starts from what a reader
    /// would see.
    fn expire(&mut self, now: u64) {
        if !alive(self.link_expire_at, now) {
            self.link = None;
            self.link_expire_at = None;
            self.linked.clear();
        }
        if !alive(self.facts_expire_at, now) {
            self.facts = None;
            self.facts_expire_at = None;
        }
        self.live_turns(now);
        if !alive(self.inquiries_expire_at, now) {
            self.inquiries.clear();
            self.inquiries_expire_at = None;
        }
    }
}

/// Records are kept as compact JSON text: a `serde_json::Value` tree costs
/// several times the memory of its text, and thousands of inquiries' records
/// live here at once (see the concurrency benchmark's RSS target).
#[derive(Default)]
struct InquirySlot {
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

/// The later of two deadlines, `None` (never) being the latest.
fn later(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a?.max(b?))
}

fn deadline(now: u64, ttl_secs: u64) -> Option<u64> {
    (ttl_secs > 0).then(|| now.saturating_add(ttl_secs.saturating_mul(1000)))
}

/// When a whole record may be dropped: the last deadline of what it holds
/// (wall-clock ms), or `None` while it holds something kept forever.
trait Expiring: Default {
    fn dead_at(&self) -> Option<u64>;
    /// Bytes of text held, for the budget.
    fn bytes(&self) -> usize;
}

impl Expiring for CustomerSlot {
    fn bytes(&self) -> usize {
        // Facts are a dozen optional strings, each its own allocation.
        let facts = self.facts.as_ref().map_or(0, |_| 512);
        let turns: usize = self.turns.iter().map(|t| t.text.len() + t.inquiry_id.len() + 48).sum();
        let ids: usize = self.inquiries.iter().map(|i| i.len() + 24).sum::<usize>() + self.linked.len() * 48;
        facts + turns + ids
    }

    fn dead_at(&self) -> Option<u64> {
        let parts = [
            (self.link.is_some(), self.link_expire_at),
            (self.facts.is_some(), self.facts_expire_at),
            (!self.turns.is_empty(), self.turns_expire_at),
            (!self.inquiries.is_empty(), self.inquiries_expire_at),
        ];
        let mut last = 0;
        for (present, expire_at) in parts {
            if present {
                last = last.max(expire_at?);
            }
        }
        Some(last)
    }
}

impl Expiring for InquirySlot {
    fn bytes(&self) -> usize {
        self.transcript.iter().map(|s| s.len() + 16).sum::<usize>() + self.result.as_ref().map_or(0, |r| r.len())
    }

    fn dead_at(&self) -> Option<u64> {
        let parts =
            [(!self.transcript.is_empty(), self.transcript_expire_at), (self.result.is_some(), self.result_expire_at)];
        let mut last = 0;
        for (present, expire_at) in parts {
            if present {
                last = last.max(expire_at?);
            }
        }
        Some(last)
    }
}

impl InProcessMemory {
    pub fn new(config: MemoryConfig) -> Self {
        Self::with_limits(config, InProcessLimits::default())
    }

    /// Like `new`, with explicit caps. moka evicts in batches, so a cap can
    /// be overshot briefly between two of its maintenance runs.
    pub fn with_limits(config: MemoryConfig, limits: InProcessLimits) -> Self {
        Self {
            config,
            customers: Records::new(limits.customer_bytes),
            inquiries: Records::new(limits.inquiry_bytes),
            recent: Mutex::new(VecDeque::new()),
            threads: Cache::builder()
                .max_capacity((limits.thread_bytes / 4 * 3).max(1))
                .weigher(|k: &String, v: &(Arc<str>, Option<u64>)| weight_of(k.len() + v.0.len()))
                .eviction_policy(EvictionPolicy::lru())
                .build(),
            open: Cache::builder()
                .max_capacity((limits.thread_bytes / 4).max(1))
                .weigher(|k: &String, v: &(String, u64)| weight_of(k.len() + v.0.len()))
                .eviction_policy(EvictionPolicy::lru())
                .build(),
        }
    }

    /// Inquiries currently held (live, or expired but not yet dropped); for
    /// benchmarks.
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
    fn write_customer<R: Default>(&self, id: &CustomerId, f: impl FnOnce(&mut CustomerSlot) -> R) -> R {
        let now = now_ms();
        let mut f = Some(f);
        let mut out = R::default();
        let redirect = self.customers.update(&id.key(), |slot| {
            slot.expire(now);
            match &slot.link {
                Some(target) => Some(target.key()),
                None => {
                    if let Some(f) = f.take() {
                        out = f(slot);
                    }
                    None
                }
            }
        });
        // One hop only, as in the Redis scripts.
        if let (Some(target), Some(f)) = (redirect, f) {
            out = self.customers.update(&target, |slot| {
                slot.expire(now);
                f(slot)
            });
        }
        out
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
                (s.live_facts(now).cloned().unwrap_or_default(), turns)
            }
        };
        // Unlinked ids (the common case) are served under a single read lock.
        let own = self.customers.read(&id.key(), |slot| match slot.and_then(|s| s.live_link(now).cloned()) {
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
        let customer_expire = deadline(now, self.config.customer_ttl_secs);
        let unified_id = unified.clone();
        let channel_id = channel.clone();
        self.customers.update_then(
            &ck,
            move |c| {
                c.expire(now);
                c.link = Some(unified_id);
                c.link_expire_at = customer_expire;
                let turns: Vec<Turn> = c.live_turns(now).drain(..).collect();
                c.turns_expire_at = None;
                c.facts_expire_at = None;
                // The inquiry index moves too: erasure starts from the unified record.
                let inquiries: Vec<String> = c.inquiries.drain(..).collect();
                let inquiries_expire_at = c.inquiries_expire_at.take();
                (c.facts.take(), turns, (inquiries, inquiries_expire_at))
            },
            &uk,
            move |u, (facts, turns, (inquiries, inquiries_expire_at))| {
                u.expire(now);
                if !u.linked.contains(&channel_id) {
                    u.linked.push(channel_id);
                }
                if !inquiries.is_empty() {
                    // Kept as long as the records they point at may live.
                    u.inquiries_expire_at = if u.inquiries.is_empty() {
                        inquiries_expire_at
                    } else {
                        later(u.inquiries_expire_at, inquiries_expire_at)
                    };
                    u.inquiries.extend(inquiries);
                    let over = u.inquiries.len().saturating_sub(INDEXED_INQUIRIES);
                    u.inquiries.drain(..over);
                }
                if u.facts.is_some() || facts.is_some() {
                    u.facts_expire_at = customer_expire;
                }
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
        let expire = deadline(now_ms(), self.config.customer_ttl_secs);
        Ok(self.write_customer(id, |slot| {
            let stored = slot.facts.get_or_insert_with(CustomerFacts::default);
            stored.merge(facts);
            slot.facts_expire_at = expire;
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
        // Indexed under the customer it was booked to, for erasure.
        self.customers.update(&result.customer, |slot| {
            slot.expire(now);
            if !slot.inquiries.contains(&result.inquiry_id) {
                slot.inquiries.push_back(result.inquiry_id.clone());
                if slot.inquiries.len() > INDEXED_INQUIRIES {
                    slot.inquiries.pop_front();
                }
            }
            slot.inquiries_expire_at = expire;
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

    async fn open_thread(&self, conversation: &str) -> Result<Option<InquiryThread>, MemoryError> {
        let now = now_ms();
        let Some((id, idle_until)) = self.open.get(conversation) else { return Ok(None) };
        if now >= idle_until {
            self.open.invalidate(conversation);
            return Ok(None);
        }
        let thread = self.thread(&id).await?;
        Ok(thread.filter(|t| !t.closed))
    }

    async fn save_thread(&self, thread: &InquiryThread, window_secs: u64) -> Result<(), MemoryError> {
        let now = now_ms();
        let text: Arc<str> = Arc::from(to_text(thread)?);
        self.threads.insert(thread.thread_id.clone(), (text, deadline(now, self.config.record_ttl_secs)));
        if thread.closed {
            // Only if it is still the open one: a newer thread may have taken its place.
            if self.open.get(&thread.conversation).is_some_and(|(id, _)| id == thread.thread_id) {
                self.open.invalidate(&thread.conversation);
            }
        } else {
            let idle_until = now.saturating_add(window_secs.max(1).saturating_mul(1000));
            self.open.insert(thread.conversation.clone(), (thread.thread_id.clone(), idle_until));
        }
        Ok(())
    }

    async fn thread(&self, thread_id: &str) -> Result<Option<InquiryThread>, MemoryError> {
        match self.threads.get(thread_id) {
            Some((text, expire)) if alive(expire, now_ms()) => from_text(&text).map(Some),
            _ => Ok(None),
        }
    }

    async fn forget_customer(&self, id: &CustomerId) -> Result<Forgotten, MemoryError> {
        let now = now_ms();
        let own = id.key();
        let target = self.customers.read(&own, |slot| slot.and_then(|s| s.live_link(now).map(CustomerId::key)));
        let target = target.unwrap_or_else(|| own.clone());
        let mut keys = vec![target.clone()];
        if own != target {
            keys.push(own);
        }
        let linked = self.customers.read(&target, |slot| slot.map(|s| s.linked.clone()).unwrap_or_default());
        for l in linked {
            let k = l.key();
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let mut inquiries: Vec<String> = Vec::new();
        for k in &keys {
            if let Some(slot) = self.customers.take(k) {
                let from_turns = slot.turns.iter().map(|t| t.inquiry_id.clone());
                for inq in slot.inquiries.iter().cloned().chain(from_turns) {
                    if !inquiries.contains(&inq) {
                        inquiries.push(inq);
                    }
                }
            }
        }
        // Threads are few and bounded; a scan beats keeping a second index.
        let gone: Vec<(String, InquiryThread)> = self
            .threads
            .iter()
            .filter_map(|(id, (text, _))| from_text::<InquiryThread>(&text).ok().map(|t| ((*id).clone(), t)))
            .filter(|(_, t)| keys.contains(&t.customer))
            .collect();
        for (id, t) in gone {
            for v in &t.versions {
                if !inquiries.contains(&v.inquiry_id) {
                    inquiries.push(v.inquiry_id.clone());
                }
            }
            if self.open.get(&t.conversation).is_some_and(|(open, _)| open == id) {
                self.open.invalidate(&t.conversation);
            }
            self.threads.invalidate(&id);
        }
        for inq in &inquiries {
            self.inquiries.take(inq);
        }
        {
            let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            recent.retain(|r| !inquiries.contains(r));
        }
        Ok(Forgotten { customers: keys, inquiries })
    }
}

/// How long moka keeps a record past its last deadline. Deadlines are in
/// wall-clock ms and moka runs on the monotonic clock; the margin keeps a
/// record around until the lazy checks agree that all of it has expired.
const GRACE: Duration = Duration::from_secs(1);

/// `dead_at` of a record that holds something kept forever.
const KEEP: u64 = u64::MAX;

/// One record, with its lock and, readable without the lock, when moka may
/// drop it.
struct Held<V> {
    value: Mutex<V>,
    dead_at_ms: AtomicU64,
}

impl<V: Default> Default for Held<V> {
    fn default() -> Self {
        Self { value: Mutex::new(V::default()), dead_at_ms: AtomicU64::new(KEEP) }
    }
}

impl<V: Expiring> Held<V> {
    // A panic while holding a record cannot leave it half-written (every
    // critical section is a plain field update), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, V> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn note_deadline(&self, value: &V) {
        self.dead_at_ms.store(value.dead_at().unwrap_or(KEEP), Ordering::Relaxed);
    }

    fn time_left(&self) -> Option<Duration> {
        let at = self.dead_at_ms.load(Ordering::Relaxed);
        (at != KEEP).then(|| Duration::from_millis(at.saturating_sub(now_ms())).saturating_add(GRACE))
    }
}

/// Tells moka, whenever a record is stored, when it may be dropped.
struct DropWhenDead;

impl<V: Expiring> Expiry<String, Arc<Held<V>>> for DropWhenDead {
    fn expire_after_create(&self, _key: &String, held: &Arc<Held<V>>, _at: Instant) -> Option<Duration> {
        held.time_left()
    }

    fn expire_after_update(
        &self,
        _key: &String,
        held: &Arc<Held<V>>,
        _at: Instant,
        _left: Option<Duration>,
    ) -> Option<Duration> {
        held.time_left()
    }
}

/// String-keyed records in a moka cache holding at most `cap` of them.
///
/// Writers go through moka's per-key compute, which serialises them per key,
/// creates the record when it is absent (or wholly expired), and stores it
/// back afterwards so moka learns its new deadline; a record that moka
/// evicted meanwhile is put back rather than losing the write. Readers take
/// only the record's own lock.
struct Records<V> {
    cache: Cache<String, Arc<Held<V>>>,
}

impl<V: Expiring + Send + 'static> Records<V> {
    fn new(budget_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(budget_bytes.max(1))
            // Weighed when stored; every write re-stores the record, so the
            // weight follows it as it grows.
            .weigher(|_k: &String, held: &Arc<Held<V>>| weight_of(held.lock().bytes()))
            // A store, not a cache: every write must be kept. moka's default
            // TinyLFU admission could refuse a new record when full.
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(DropWhenDead)
            .build();
        Self { cache }
    }

    /// Records held, after moka has applied pending evictions.
    fn len(&self) -> usize {
        self.cache.run_pending_tasks();
        self.cache.entry_count() as usize
    }

    /// Records held as of moka's last maintenance run.
    fn approx_len(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Removes `key`'s record and returns it.
    fn take(&self, key: &str) -> Option<V> {
        let held = self.cache.remove(key)?;
        let mut value = held.lock();
        Some(std::mem::take(&mut *value))
    }

    fn read<R>(&self, key: &str, f: impl FnOnce(Option<&V>) -> R) -> R {
        match self.cache.get(key) {
            Some(held) => f(Some(&*held.lock())),
            None => f(None),
        }
    }

    /// Runs `f` on `key`'s record under moka's compute lock for that key.
    fn compute(&self, key: &str, f: impl FnOnce(&Held<V>)) {
        self.cache.entry_by_ref(key).and_compute_with(|entry| {
            let held = entry.map(|e| e.into_value()).unwrap_or_default();
            f(&held);
            Op::Put(held)
        });
    }

    /// Runs `f` on `key`'s value, creating it (and evicting if full) when
    /// absent. (moka always runs the compute closure; `R::default()` only
    /// stands in so that no panic path is needed.)
    fn update<R: Default>(&self, key: &str, f: impl FnOnce(&mut V) -> R) -> R {
        let mut out = R::default();
        self.compute(key, |held| {
            let mut value = held.lock();
            out = f(&mut value);
            held.note_deadline(&value);
        });
        out
    }

    /// Runs `fa` on `a`'s value then `fb` on `b`'s, with both records locked
    /// throughout so no reader or writer sees the state in between. Keys are
    /// computed and locked in key order, so two concurrent calls cannot
    /// deadlock.
    fn update_then<T, R: Default>(
        &self,
        a: &str,
        fa: impl FnOnce(&mut V) -> T,
        b: &str,
        fb: impl FnOnce(&mut V, T) -> R,
    ) -> R {
        if a == b {
            // moka's compute lock is not reentrant.
            return self.update(a, |v| {
                let t = fa(v);
                fb(v, t)
            });
        }
        let mut out = R::default();
        let (first, second) = if a < b { (a, b) } else { (b, a) };
        self.compute(first, |h1| {
            self.compute(second, |h2| {
                let (mut g1, mut g2) = (h1.lock(), h2.lock());
                let (va, vb) = if a < b { (&mut *g1, &mut *g2) } else { (&mut *g2, &mut *g1) };
                let t = fa(va);
                out = fb(vb, t);
                h1.note_deadline(&g1);
                h2.note_deadline(&g2);
            });
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Forever(u32);

    impl Expiring for Forever {
        fn dead_at(&self) -> Option<u64> {
            None
        }
        fn bytes(&self) -> usize {
            0
        }
    }

    fn get(map: &Records<Forever>, key: &str) -> Option<u32> {
        map.read(key, |v| v.map(|v| v.0))
    }

    #[test]
    fn records_evict_least_recently_used_and_stay_bounded() {
        let map: Records<Forever> = Records::new(64 * RECORD_OVERHEAD);
        for i in 0..1000u32 {
            map.update(&format!("k{i}"), |v| v.0 = i);
        }
        assert!(map.len() <= 64, "len {}", map.len());
        // The newest key is never the one evicted.
        assert_eq!(get(&map, "k999"), Some(999));
        assert_eq!(get(&map, "k0"), None);
    }

    #[test]
    fn update_then_on_two_keys_and_on_one() {
        let map: Records<Forever> = Records::new(8 * RECORD_OVERHEAD);
        for (a, b) in [("a", "b"), ("d", "c"), ("e", "e")] {
            let got = map.update_then(
                a,
                |v| {
                    v.0 = 7;
                    v.0
                },
                b,
                |v, t| {
                    v.0 = t + 1;
                    v.0
                },
            );
            assert_eq!(got, 8);
            assert_eq!(get(&map, b), Some(8));
        }
        assert_eq!((get(&map, "a"), get(&map, "d")), (Some(7), Some(7)));
    }

    #[tokio::test]
    async fn records_are_dropped_once_everything_in_them_expired() {
        let config = MemoryConfig { turn_ttl_secs: 1, record_ttl_secs: 1, ..MemoryConfig::default() };
        let mem = InProcessMemory::new(config);
        let kept = CustomerId::channel("cli", "facts");
        let fleeting = CustomerId::channel("cli", "turns");
        mem.remember(&kept, &CustomerFacts { company: Some("Keeps".into()), ..CustomerFacts::default() })
            .await
            .unwrap();
        let turn = Turn { role: "customer".into(), text: "hi".into(), at_ms: 1, inquiry_id: "i".into() };
        mem.push_turns(&kept, std::slice::from_ref(&turn)).await.unwrap();
        mem.push_turns(&fleeting, &[turn]).await.unwrap();
        let step = tradewind_core::TranscriptStep {
            inquiry_id: "inq".into(),
            agent: "swarm".into(),
            seq: 0,
            at_ms: 1,
            duration_ms: 0.0,
            kind: tradewind_core::StepKind::Note { message: "hi".into() },
        };
        mem.append_transcript("inq", &[step]).await.unwrap();
        assert_eq!((mem.stored_customers(), mem.stored_inquiries()), (2, 1));
        // TTL 1 s plus moka's grace of 1 s.
        tokio::time::sleep(Duration::from_millis(2300)).await;
        assert_eq!((mem.stored_customers(), mem.stored_inquiries()), (1, 0));
        let view = mem.load_customer(&kept).await.unwrap();
        assert!(view.recent_turns.is_empty());
        assert_eq!(view.facts.company.as_deref(), Some("Keeps"));
    }
}
