//! A bounded set of recently seen message ids, for `serve`: a redelivered
//! message is recognised for `ttl`, and at most `capacity` ids are kept (the
//! oldest go first), so memory stays bounded whatever the traffic.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

pub struct SeenSet {
    at: HashMap<String, Instant>,
    order: VecDeque<(String, Instant)>,
    capacity: usize,
    ttl: Duration,
}

impl SeenSet {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self { at: HashMap::new(), order: VecDeque::new(), capacity: capacity.max(1), ttl }
    }

    /// Records `key`; false when it was seen within the TTL.
    pub fn insert(&mut self, key: String, now: Instant) -> bool {
        self.evict(now);
        if let Some(t) = self.at.get(&key) {
            if now.duration_since(*t) < self.ttl {
                return false;
            }
        }
        self.at.insert(key.clone(), now);
        self.order.push_back((key, now));
        self.evict(now);
        true
    }

    /// Forgets `key` (the message could not be queued after all, so a
    /// redelivery must be accepted).
    pub fn remove(&mut self, key: &str) {
        self.at.remove(key);
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    fn evict(&mut self, now: Instant) {
        while let Some((key, t)) = self.order.front() {
            let expired = now.duration_since(*t) >= self.ttl;
            if !expired && self.at.len() <= self.capacity && self.order.len() <= self.capacity.saturating_mul(2) {
                break;
            }
            // A key re-inserted later has a newer time in `at`: only its own
            // entry in `order` may remove it.
            if self.at.get(key) == Some(t) {
                self.at.remove(key);
            }
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_a_duplicate_until_its_ttl_passes() {
        let mut s = SeenSet::new(10, Duration::from_secs(60));
        let t = Instant::now();
        assert!(s.insert("a".into(), t));
        assert!(!s.insert("a".into(), t + Duration::from_secs(59)));
        assert!(s.insert("a".into(), t + Duration::from_secs(61)));
    }

    #[test]
    fn capacity_bounds_memory_and_removal_reopens_a_key() {
        let mut s = SeenSet::new(3, Duration::from_secs(60));
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
        assert!(s.len() <= 3 && s.order.len() <= 6);
    }
}
