//! A bounded set of recently seen message ids, for `serve`: a redelivered
//! message is recognised for `ttl`, and at most `capacity` ids are kept (the
//! least recently seen go first), so memory stays bounded whatever the
//! traffic. It is a `moka` cache of first-seen times: moka bounds it and
//! drops ids once their TTL has passed; the check against the caller's `now`
//! decides what counts as a duplicate.

use moka::ops::compute::{CompResult, Op};
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use std::time::{Duration, Instant};

/// moka refuses TTLs past 1000 years; anything near that means "forever".
const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 86_400);

pub struct SeenSet {
    at: Cache<String, Instant>,
    ttl: Duration,
}

impl SeenSet {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        let at = Cache::builder()
            .max_capacity(capacity.max(1) as u64)
            // Every new id must be remembered; moka's default TinyLFU
            // admission could refuse it when the set is full.
            .eviction_policy(EvictionPolicy::lru())
            .time_to_live(ttl.min(MAX_TTL))
            .build();
        Self { at, ttl }
    }

    /// Records `key`; false when it was seen within the TTL. Atomic per key:
    /// of two concurrent inserts of one id, exactly one gets true.
    pub fn insert(&self, key: String, now: Instant) -> bool {
        let outcome = self.at.entry(key).and_compute_with(|seen| match seen {
            Some(seen) if now.saturating_duration_since(*seen.value()) < self.ttl => Op::Nop,
            _ => Op::Put(now),
        });
        !matches!(outcome, CompResult::Unchanged(_))
    }

    /// Forgets `key` (the message could not be queued after all, so a
    /// redelivery must be accepted).
    pub fn remove(&self, key: &str) {
        self.at.invalidate(key);
    }

    /// Ids held, after moka has applied pending evictions.
    pub fn len(&self) -> usize {
        self.at.run_pending_tasks();
        self.at.entry_count() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_a_duplicate_until_its_ttl_passes() {
        let s = SeenSet::new(10, Duration::from_secs(60));
        let t = Instant::now();
        assert!(s.insert("a".into(), t));
        assert!(!s.insert("a".into(), t + Duration::from_secs(59)));
        assert!(s.insert("a".into(), t + Duration::from_secs(61)));
        assert!(!s.insert("a".into(), t + Duration::from_secs(62)), "the TTL restarts from the re-insert");
    }

    #[test]
    fn capacity_bounds_memory_and_removal_reopens_a_key() {
        let s = SeenSet::new(3, Duration::from_secs(60));
        let t = Instant::now();
        for k in ["a", "b", "c", "d"] {
            assert!(s.insert(k.into(), t));
        }
        assert_eq!(s.len(), 3);
        assert!(s.insert("a".into(), t), "the oldest was evicted");
        s.remove("d");
        assert!(s.insert("d".into(), t));
        for i in 0..1000 {
            s.insert(format!("k{i}"), t);
        }
        assert!(s.len() <= 3);
    }

    #[test]
    fn ids_are_dropped_once_their_ttl_passes() {
        let s = SeenSet::new(10, Duration::from_millis(50));
        assert!(s.insert("a".into(), Instant::now()));
        std::thread::sleep(Duration::from_millis(150));
        assert!(s.is_empty());
    }

    #[test]
    fn concurrent_inserts_of_one_id_accept_it_once() {
        let s = SeenSet::new(100, Duration::from_secs(60));
        let accepted = std::thread::scope(|scope| {
            let tasks: Vec<_> = (0..8).map(|_| scope.spawn(|| s.insert("m".into(), Instant::now()))).collect();
            tasks.into_iter().map(|t| t.join()).filter(|r| matches!(r, Ok(true))).count()
        });
        assert_eq!(accepted, 1);
    }
}
