//! The knowledge ports: the `KnowledgeIndex` (hybrid search with payload
//! filters; every hit carries its citation) and the `Embedder` that turns
//! text into dense vectors. Adapters live in `tradewind-knowledge`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tradewind_core::Citation;

#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("knowledge index unavailable: {0}")]
    Unavailable(String),
    #[error("embedding failed: {0}")]
    Embedding(String),
    #[error("bad input: {0}")]
    BadInput(String),
    #[error("io error on {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// One indexed piece of a knowledge document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// Stable id: UUIDv5 of `source#ordinal` (Qdrant needs UUID or u64 ids).
    pub id: String,
    /// Path relative to the knowledge root, e.g. "kb/faq.en.md".
    pub source: String,
    /// Heading path, e.g. "Shipping > Lithium batteries".
    pub section: String,
    /// "catalog", "faq", "case", "competitor", "shipping", "hs", ...
    pub kind: String,
    /// "en" or "zh".
    pub lang: String,
    pub sku: Option<String>,
    pub text: String,
    /// Hash of the whole source document, to detect changes.
    pub doc_hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchQuery {
    pub text: String,
    /// Keep only these kinds (any of); empty means all.
    pub kinds: Vec<String>,
    pub lang: Option<String>,
    pub sku: Option<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub chunk: Chunk,
    /// Fused (RRF) score.
    pub score: f32,
}

impl Hit {
    pub fn citation(&self) -> Citation {
        Citation {
            source: self.chunk.source.clone(),
            section: Some(self.chunk.section.clone()),
            chunk_id: Some(self.chunk.id.clone()),
            score: Some(self.score),
        }
    }
}

#[async_trait]
pub trait KnowledgeIndex: Send + Sync {
    /// "qdrant-edge" or "qdrant-server".
    fn backend(&self) -> &'static str;

    /// Insert or replace chunks (by id), embedding them with the index's embedder.
    async fn upsert(&self, chunks: &[Chunk]) -> Result<(), KnowledgeError>;

    /// Delete every chunk of `source` whose id is not in `keep`.
    async fn delete_source_except(&self, source: &str, keep: &[String]) -> Result<usize, KnowledgeError>;

    /// `doc_hash` currently indexed for each source.
    async fn source_hashes(&self) -> Result<std::collections::BTreeMap<String, String>, KnowledgeError>;

    /// Hybrid search: dense + BM25 prefetch, fused with RRF, filtered by payload.
    async fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>, KnowledgeError>;

    /// Number of indexed chunks.
    async fn count(&self) -> Result<usize, KnowledgeError>;

    /// Makes the writes so far durable. Writes may be buffered until then
    /// (an embedded index that synced every batch would ingest at disk
    /// speed); ingest calls it between documents, so a crash loses whole
    /// documents, which the next ingest writes again. A server that
    /// persists each acknowledged write needs nothing here.
    async fn flush(&self) -> Result<(), KnowledgeError> {
        Ok(())
    }
}

/// Payload keys, shared by both backends so a chunk round-trips identically.
pub mod payload_keys {
    pub const KIND: &str = "kind";
    pub const LANG: &str = "lang";
    pub const SKU: &str = "sku";
    pub const SOURCE: &str = "source";
    pub const SECTION: &str = "section";
    pub const TEXT: &str = "text";
    pub const DOC_HASH: &str = "doc_hash";
    pub const CHUNK_ID: &str = "chunk_id";
}

/// Default number of hits when a query leaves `limit` at 0.
pub const DEFAULT_LIMIT: usize = 5;
/// Upper bound on `limit`, so a careless caller cannot ask for the whole index.
pub const MAX_LIMIT: usize = 100;
impl Chunk {
    /// The text that gets embedded and BM25-indexed: the heading path carries
    /// the question in FAQ files, so it must be searchable along with the body.
    pub fn index_text(&self) -> String {
        if self.section.is_empty() || self.text.starts_with(&self.section) {
            self.text.clone()
        } else {
            format!("{}\n{}", self.section, self.text)
        }
    }
}

impl SearchQuery {
    /// Query text plus a limit, no filters.
    pub fn new(text: impl Into<String>, limit: usize) -> Self {
        Self { text: text.into(), limit, ..Self::default() }
    }

    /// The limit actually applied: 0 means [`DEFAULT_LIMIT`], capped at [`MAX_LIMIT`].
    pub fn effective_limit(&self) -> usize {
        match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        }
    }

    /// How many candidates each prefetch (dense, sparse) brings to the fusion.
    /// Wider than the limit so RRF has overlap to work with.
    pub fn prefetch_limit(&self) -> usize {
        (self.effective_limit() * 4).max(20)
    }
}

/// Turns texts into dense vectors of a fixed dimension.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// Identifies the vector space; an index built with one embedder is not
    /// searchable with another.
    fn name(&self) -> &str;
    fn dim(&self) -> usize;
    /// One vector per input, in order.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, KnowledgeError>;
}
