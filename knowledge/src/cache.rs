//! A bounded query cache in front of any `KnowledgeIndex`.
//!
//! Inquiries ask the same few questions of the knowledge base over and over
//! (payment terms, lithium shipping, lead time), so identical queries are
//! answered from memory. Writes through this wrapper clear the cache; a TTL
//! bounds staleness when another process writes to a shared Qdrant server.
//! The cache itself is `moka`'s: bounded by entry count (least recently used
//! out) and expiring entries `ttl` after they were stored.

use async_trait::async_trait;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::{Chunk, Hit, KnowledgeError, KnowledgeIndex, SearchQuery};

/// moka refuses TTLs past 1000 years; anything near that means "no TTL".
const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 86_400);

pub struct CachedIndex {
    inner: Arc<dyn KnowledgeIndex>,
    hits: Cache<SearchQuery, Arc<Vec<Hit>>>,
    /// Bumped by every write, so a search that ran across a write does not
    /// put back what the write just cleared.
    writes: AtomicU64,
    /// Searches asked, and those answered from the cache (for benchmarks,
    /// which must say how much of their figure the cache made).
    lookups: AtomicU64,
    served: AtomicU64,
}

impl CachedIndex {
    pub fn new(inner: Arc<dyn KnowledgeIndex>, cap: usize, ttl: Duration) -> Self {
        let hits = Cache::builder()
            .max_capacity(cap.max(1) as u64)
            // Every fresh answer is worth keeping; moka's default TinyLFU
            // admission could turn away a new hot query while old ones linger.
            .eviction_policy(EvictionPolicy::lru())
            .time_to_live(ttl.min(MAX_TTL))
            .build();
        Self { inner, hits, writes: AtomicU64::new(0), lookups: AtomicU64::new(0), served: AtomicU64::new(0) }
    }

    /// (searches, answered from the cache) since the start.
    pub fn stats(&self) -> (u64, u64) {
        (self.lookups.load(Ordering::Relaxed), self.served.load(Ordering::Relaxed))
    }

    fn clear(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.hits.invalidate_all();
    }
}

#[async_trait]
impl KnowledgeIndex for CachedIndex {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn upsert(&self, chunks: &[Chunk]) -> Result<(), KnowledgeError> {
        let r = self.inner.upsert(chunks).await;
        self.clear();
        r
    }

    async fn delete_source_except(&self, source: &str, keep: &[String]) -> Result<usize, KnowledgeError> {
        let r = self.inner.delete_source_except(source, keep).await;
        self.clear();
        r
    }

    async fn source_hashes(&self) -> Result<BTreeMap<String, String>, KnowledgeError> {
        self.inner.source_hashes().await
    }

    async fn flush(&self) -> Result<(), KnowledgeError> {
        self.inner.flush().await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>, KnowledgeError> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        if let Some(hits) = self.hits.get(query) {
            self.served.fetch_add(1, Ordering::Relaxed);
            return Ok(hits.as_ref().clone());
        }
        let writes = self.writes.load(Ordering::SeqCst);
        let hits = self.inner.search(query).await?;
        self.hits.insert(query.clone(), Arc::new(hits.clone()));
        // A write that cleared the cache before this insert may predate what
        // the search saw; one that clears after it drops the insert itself.
        if self.writes.load(Ordering::SeqCst) != writes {
            self.hits.invalidate(query);
        }
        Ok(hits)
    }

    async fn count(&self) -> Result<usize, KnowledgeError> {
        self.inner.count().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Answers every query with one hit naming the query and the number of
    /// writes so far, and counts the searches that reached it.
    #[derive(Default)]
    struct Counting {
        searches: AtomicUsize,
        writes: AtomicUsize,
    }

    #[async_trait]
    impl KnowledgeIndex for Counting {
        fn backend(&self) -> &'static str {
            "counting"
        }

        async fn upsert(&self, _chunks: &[Chunk]) -> Result<(), KnowledgeError> {
            self.writes.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        async fn delete_source_except(&self, _source: &str, _keep: &[String]) -> Result<usize, KnowledgeError> {
            self.writes.fetch_add(1, Ordering::SeqCst);
            Ok(0)
        }

        async fn source_hashes(&self) -> Result<BTreeMap<String, String>, KnowledgeError> {
            Ok(BTreeMap::new())
        }

        async fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>, KnowledgeError> {
            self.searches.fetch_add(1, Ordering::SeqCst);
            let chunk = Chunk {
                id: query.text.clone(),
                source: "kb/faq.en.md".into(),
                section: String::new(),
                kind: "faq".into(),
                lang: "en".into(),
                sku: None,
                text: format!("after {} writes", self.writes.load(Ordering::SeqCst)),
                doc_hash: String::new(),
            };
            Ok(vec![Hit { chunk, score: 1.0 }])
        }

        async fn count(&self) -> Result<usize, KnowledgeError> {
            Ok(0)
        }
    }

    fn query(text: &str) -> SearchQuery {
        SearchQuery { text: text.into(), limit: 5, ..SearchQuery::default() }
    }

    #[tokio::test]
    async fn repeats_are_served_from_memory_until_a_write() {
        let inner = Arc::new(Counting::default());
        let cache = CachedIndex::new(inner.clone(), 16, Duration::from_secs(60));
        let first = cache.search(&query("payment terms")).await.unwrap();
        assert_eq!(cache.search(&query("payment terms")).await.unwrap(), first);
        assert_eq!(inner.searches.load(Ordering::SeqCst), 1);

        cache.upsert(&[]).await.unwrap();
        let fresh = cache.search(&query("payment terms")).await.unwrap();
        assert_eq!(fresh[0].chunk.text, "after 1 writes");
        cache.delete_source_except("kb/faq.en.md", &[]).await.unwrap();
        assert_eq!(cache.search(&query("payment terms")).await.unwrap()[0].chunk.text, "after 2 writes");
        assert_eq!(inner.searches.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn bounded_least_recently_used_out() {
        let inner = Arc::new(Counting::default());
        let cache = CachedIndex::new(inner.clone(), 8, Duration::from_secs(60));
        for i in 0..100 {
            cache.search(&query(&format!("q{i}"))).await.unwrap();
        }
        cache.hits.run_pending_tasks();
        assert!(cache.hits.entry_count() <= 8, "{} entries", cache.hits.entry_count());
        cache.search(&query("q99")).await.unwrap();
        assert_eq!(inner.searches.load(Ordering::SeqCst), 100, "the newest query is kept");
        cache.search(&query("q0")).await.unwrap();
        assert_eq!(inner.searches.load(Ordering::SeqCst), 101, "the oldest went first");
    }

    #[tokio::test]
    async fn entries_expire_after_the_ttl() {
        let inner = Arc::new(Counting::default());
        let cache = CachedIndex::new(inner.clone(), 8, Duration::from_millis(50));
        cache.search(&query("lead time")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        cache.search(&query("lead time")).await.unwrap();
        assert_eq!(inner.searches.load(Ordering::SeqCst), 2);
    }
}
