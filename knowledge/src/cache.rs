//! A bounded query cache in front of any `KnowledgeIndex`.
//!
//! Inquiries ask the same few questions of the knowledge base over and over
//! (payment terms, lithium shipping, lead time), so identical queries are
//! answered from memory. Writes through this wrapper clear the cache; a TTL
//! bounds staleness when another process writes to a shared Qdrant server.

use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{Chunk, Hit, KnowledgeError, KnowledgeIndex, SearchQuery};

pub struct CachedIndex {
    inner: Arc<dyn KnowledgeIndex>,
    cap: usize,
    ttl: Duration,
    map: Mutex<HashMap<SearchQuery, (Instant, Arc<Vec<Hit>>)>>,
}

impl CachedIndex {
    pub fn new(inner: Arc<dyn KnowledgeIndex>, cap: usize, ttl: Duration) -> Self {
        Self { inner, cap: cap.max(1), ttl, map: Mutex::new(HashMap::new()) }
    }

    fn clear(&self) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
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

    async fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>, KnowledgeError> {
        {
            let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, hits)) = map.get(query) {
                if at.elapsed() < self.ttl {
                    return Ok(hits.as_ref().clone());
                }
            }
        }
        let hits = self.inner.search(query).await?;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Dropping everything when full is crude but bounded and cheap; the
        // hot set refills within a few inquiries.
        if map.len() >= self.cap {
            map.clear();
        }
        map.insert(query.clone(), (Instant::now(), Arc::new(hits.clone())));
        Ok(hits)
    }

    async fn count(&self) -> Result<usize, KnowledgeError> {
        self.inner.count().await
    }
}
