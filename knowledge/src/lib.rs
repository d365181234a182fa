//! The knowledge index: the demo company's knowledge base, chunked and
//! indexed for hybrid (dense + BM25 sparse, RRF-fused) search with payload
//! filters, on the real Qdrant engine.
//!
//! Adapters of the `KnowledgeIndex` port (`tradewind-ports`) that share one
//! schema: `EdgeIndex` (qdrant-edge, in-process, on disk; the default) and
//! `RemoteIndex` (qdrant-client, when `QDRANT_URL` is set). Adapters of the
//! `Embedder` port: an offline one that needs no model download, and an
//! OpenAI-compatible client.

use std::path::Path;
use std::sync::Arc;

pub mod cache;
pub mod edge;
pub mod embed;
pub mod ingest;
pub mod kb;
pub mod remote;
pub mod sparse;
mod text;

pub use edge::EdgeIndex;
pub use embed::{HashEmbedder, OpenAiEmbedder, OpenAiEmbedderConfig};
pub use ingest::{ingest, read_dir_documents, IngestOptions, IngestSummary};
pub use remote::RemoteIndex;
pub use sparse::{Bm25Encoder, SparseVec};
pub use tradewind_ports::knowledge::{
    payload_keys, Chunk, Embedder, Hit, KnowledgeError, KnowledgeIndex, SearchQuery, DEFAULT_LIMIT, MAX_LIMIT,
};

/// Name of the dense vector in both backends.
pub const DENSE_VECTOR: &str = "dense";
/// Name of the BM25 sparse vector in both backends.
pub const SPARSE_VECTOR: &str = "bm25";

/// RRF rank constant used by both backends. Small k rewards agreement at the
/// very top of both lists, which is what a short FAQ-style knowledge base needs.
pub const RRF_K: usize = 2;
/// RRF weight of the dense prefetch. When the two lists swap their top
/// results, plain RRF gives both the same score and the order becomes
/// arbitrary. Slightly unequal weights break such ties deterministically:
/// BM25 (with engine-side IDF) wins them, because on paraphrased FAQ queries
/// against the demo knowledge base it was the stronger single ranker than
/// the offline hash embedder (hit@1 30/45 vs 29/45; fused 32/45).
pub const RRF_DENSE_WEIGHT: f32 = 0.9;
/// RRF weight of the BM25 prefetch; see [`RRF_DENSE_WEIGHT`].
pub const RRF_SPARSE_WEIGHT: f32 = 1.0;

/// Opens (or creates) the on-disk qdrant-edge index under `data_dir`.
pub async fn open_default(
    data_dir: &Path,
    embedder: Arc<dyn Embedder>,
) -> Result<Arc<dyn KnowledgeIndex>, KnowledgeError> {
    let index = edge::EdgeIndex::open(data_dir, embedder).await?;
    Ok(Arc::new(index))
}

/// Connects to a Qdrant server (gRPC URL, e.g. `http://localhost:6334`) and
/// makes sure `collection` exists with the shared schema. The API key, if
/// any, is read from `QDRANT_API_KEY`.
pub async fn open_remote(
    url: &str,
    collection: &str,
    embedder: Arc<dyn Embedder>,
) -> Result<Arc<dyn KnowledgeIndex>, KnowledgeError> {
    let api_key = std::env::var("QDRANT_API_KEY").ok().filter(|k| !k.trim().is_empty());
    let index = remote::RemoteIndex::connect(url, api_key, collection, embedder).await?;
    Ok(Arc::new(index))
}
