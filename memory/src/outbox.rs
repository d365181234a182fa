//! The in-process adapter of the `DeliveryStore` port: what outbound
//! delivery remembers (sent markers, claims, dead letters), in bounded sets,
//! with dead letters also appended to a JSON Lines file when one is
//! configured, so they outlive the process and `tradewind deadletters` can
//! read them. The Redis adapter (`tradewind-redis`) keeps one of these in
//! front of Redis, through the `*_local` methods.
//!
//! Keys are `<destination key>:<delivery id>`; the destination key is a
//! hash, so no webhook secret is ever stored.
//!
//! A claim that outlives `stale_after` belongs to a process that stopped
//! mid-delivery: another process may take it over, and listings show it as
//! a stranded dead letter, so nothing queued is silently lost.
//!
//! The sent markers are a `moka` cache bounded by `StoreLimits::delivered`
//! (least recently used out); claims and dead letters stay under one lock.

use async_trait::async_trait;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tradewind_core::now_ms;
use tradewind_ports::outbox::{DeadLetter, DeliveryStore, PendingRecord, StoreError};

/// Bounds of the in-process store.
#[derive(Debug, Clone)]
pub struct StoreLimits {
    pub delivered: usize,
    pub dead: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self { delivered: 20_000, dead: 10_000 }
    }
}

#[derive(Default)]
struct Inner {
    claims: HashMap<String, PendingRecord>,
    dead: VecDeque<DeadLetter>,
}

pub struct InProcessStore {
    delivered: Cache<String, ()>,
    inner: Mutex<Inner>,
    limits: StoreLimits,
    /// Dead letters are appended here too (JSON Lines), when set.
    file: Option<PathBuf>,
    /// Serialises appends so lines never interleave.
    file_lock: tokio::sync::Mutex<()>,
}

impl InProcessStore {
    pub fn new(file: Option<PathBuf>) -> Self {
        Self::with_limits(file, StoreLimits::default())
    }

    pub fn with_limits(file: Option<PathBuf>, limits: StoreLimits) -> Self {
        let delivered = Cache::builder()
            .max_capacity(limits.delivered as u64)
            // Every marker must be recorded; moka's default TinyLFU admission
            // could refuse a new one when the set is full.
            .eviction_policy(EvictionPolicy::lru())
            .build();
        Self { delivered, inner: Mutex::new(Inner::default()), limits, file, file_lock: tokio::sync::Mutex::new(()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The newest `limit` dead letters kept in this process.
    pub fn dead_local_list(&self, limit: usize) -> Vec<DeadLetter> {
        self.lock().dead.iter().take(limit).cloned().collect()
    }

    /// Records a delivery in this process only.
    pub fn remember_local(&self, key: &str) {
        // Marked before the claim goes: `claim` checks the marker under the
        // claims lock, so it sees one or the other, never neither.
        self.delivered.insert(key.to_string(), ());
        self.lock().claims.remove(key);
    }

    /// Keeps a dead letter in this process only (not in the file).
    pub fn dead_local(&self, key: &str, record: &DeadLetter) {
        let mut s = self.lock();
        s.claims.remove(key);
        s.dead.push_front(record.clone());
        s.dead.truncate(self.limits.dead);
    }

    /// Drops a claim in this process only.
    pub fn release_local(&self, key: &str) {
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
        // Owner-only: dead letters carry whole cards.
        tradewind_ports::files::append_private_async(path, line.into_bytes()).await.map_err(io)?;
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
        Ok(self.delivered.contains_key(key))
    }

    async fn claim(&self, key: &str, pending: &PendingRecord, stale_after: Duration) -> Result<bool, StoreError> {
        let mut s = self.lock();
        if self.delivered.contains_key(key) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(at_ms: u64) -> PendingRecord {
        let delivery = tradewind_ports::Delivery {
            audience: "sales".into(),
            kind: "proposal".into(),
            inquiry_id: "inq-1".into(),
            delivery_id: "d:1".into(),
            title: "Proposal".into(),
            body: String::new(),
            payload: serde_json::Value::Null,
        };
        PendingRecord {
            delivery,
            sink: "sales".into(),
            channel: "wecom".into(),
            destination: "wecom:…".into(),
            destination_key: "d".into(),
            claimed_at_ms: at_ms,
        }
    }

    #[tokio::test]
    async fn delivered_markers_are_bounded_least_recently_used_out() {
        let store = InProcessStore::with_limits(None, StoreLimits { delivered: 3, dead: 1 });
        for i in 0..10 {
            store.mark_delivered(&format!("d:{i}")).await.unwrap();
        }
        store.delivered.run_pending_tasks();
        assert!(store.delivered.entry_count() <= 3, "{}", store.delivered.entry_count());
        assert!(store.is_delivered("d:9").await.unwrap());
        assert!(!store.is_delivered("d:0").await.unwrap());
    }

    #[tokio::test]
    async fn a_delivered_key_cannot_be_claimed_again() {
        let store = InProcessStore::new(None);
        let stale = Duration::from_secs(60);
        assert!(store.claim("d:1", &pending(now_ms()), stale).await.unwrap());
        assert!(!store.claim("d:1", &pending(now_ms()), stale).await.unwrap(), "claimed");
        store.mark_delivered("d:1").await.unwrap();
        assert!(!store.claim("d:1", &pending(now_ms() + 120_000), stale).await.unwrap(), "delivered");
    }
}
