//! `EdgeIndex`: the knowledge index on qdrant-edge, in-process and on disk.
//!
//! Layout under the caller's data directory:
//! - `edge/`: the qdrant-edge shard (WAL, segments, config);
//! - `edge.meta.json`: which embedder (name, dimension) built it, so that
//!   switching embedders rebuilds the index instead of silently comparing
//!   vectors from two different spaces.
//!
//! Concurrency: searches only read the shard and run concurrently under a
//! read lock. On a small index (up to `INLINE_MAX_POINTS`) they run inline
//! on the calling task: they take tens of microseconds, less than a thread
//! hop. On a larger one, and whenever a write holds the lock, they run on a
//! blocking thread, so that a big index or an ingest cannot stall the async
//! workers (and with them every chat connection). Writes take the write
//! lock on a blocking thread, because qdrant-edge's `flush` panics if the WAL
//! lock is contended and because flushing touches the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

use async_trait::async_trait;
use qdrant_edge::{
    CountRequest, CreateIndex, Distance, EdgeConfig, EdgeShard, EdgeSparseVectorParams, EdgeVectorParams,
    FieldIndexOperations, Filter, Fusion, JsonPath, Modifier, NamedQuery, PayloadFieldSchema, PayloadSchemaType,
    PayloadSelectorInclude, PointId, PointInsertOperations, PointOperations, PointStruct, Prefetch, QueryEnum,
    QueryRequest, ScoringQuery, ScrollRequest, SparseVector, UpdateOperation, Vector, VectorInternal, Vectors,
    WithPayloadInterface, WithVector,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::payload_keys as pk;
use crate::sparse::{Bm25Encoder, SparseVec};
use crate::Embedder;
use crate::{
    Chunk, Hit, KnowledgeError, KnowledgeIndex, SearchQuery, DENSE_VECTOR, RRF_DENSE_WEIGHT, RRF_K, RRF_SPARSE_WEIGHT,
    SPARSE_VECTOR,
};
use qdrant_edge::external::ordered_float::OrderedFloat;

const SHARD_DIR: &str = "edge";
const META_FILE: &str = "edge.meta.json";
/// Points per update operation: bounds WAL record size and embed batch size.
const UPSERT_BATCH: usize = 256;
/// Page size when scrolling through payloads.
const SCROLL_PAGE: usize = 512;
/// Above this many points a search leaves the async worker: the demo base
/// (about 250 chunks) answers in ~50 µs inline, while at 100k chunks a
/// filtered hybrid search takes milliseconds.
const INLINE_MAX_POINTS: usize = 2_000;
/// Points written between optimizer runs during a bulk ingest. qdrant-edge
/// runs no optimizer by itself, and its appendable segment's sparse posting
/// lists cost O(length) per insert (each insert rewrites the max-weight of
/// every earlier entry), so one ever-growing segment makes ingest
/// quadratic: 100k chunks went in at 860/s. Sealing the segment every 20k
/// points keeps inserts cheap.
const OPTIMIZE_EVERY_POINTS: usize = 20_000;

/// A point's payload as plain JSON.
type JsonMap = Map<String, Value>;

/// Which embedder built an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct IndexMeta {
    embedder: String,
    dim: usize,
    schema: u32,
}

/// Bump when the point layout or BM25 tokenisation changes, so old indexes
/// are rebuilt rather than half-compatible.
const SCHEMA_VERSION: u32 = 1;

/// Hybrid knowledge index on an in-process qdrant-edge shard.
pub struct EdgeIndex {
    shard: Arc<RwLock<EdgeShard>>,
    embedder: Arc<dyn Embedder>,
    bm25: Arc<Bm25Encoder>,
    dir: PathBuf,
    /// Points in the shard, kept by the writes (an upsert of an existing id
    /// counts again until the next count corrects it); it only decides
    /// where searches run.
    points: Arc<AtomicUsize>,
    /// Points written since the optimizer last ran.
    since_optimize: Arc<AtomicUsize>,
}

impl std::fmt::Debug for EdgeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeIndex").field("dir", &self.dir).field("embedder", &self.embedder.name()).finish()
    }
}

impl EdgeIndex {
    /// Opens the index under `data_dir`, creating it if absent. If it was
    /// built by a different embedder (or an older schema) it is wiped and
    /// recreated empty, and the next ingest refills it.
    pub async fn open(data_dir: &Path, embedder: Arc<dyn Embedder>) -> Result<Self, KnowledgeError> {
        let data_dir = data_dir.to_path_buf();
        let meta = IndexMeta { embedder: embedder.name().to_string(), dim: embedder.dim(), schema: SCHEMA_VERSION };
        let dir = data_dir.clone();
        let shard = tokio::task::spawn_blocking(move || open_shard(&dir, &meta))
            .await
            .map_err(|e| KnowledgeError::Unavailable(format!("opening edge shard: {e}")))??;
        let points = shard.count(CountRequest { filter: None, exact: false }).map_err(edge_err)?;
        Ok(Self {
            shard: Arc::new(RwLock::new(shard)),
            embedder,
            bm25: Arc::new(Bm25Encoder::new()?),
            dir: data_dir,
            points: Arc::new(AtomicUsize::new(points)),
            since_optimize: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The data directory this index lives in.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// Runs qdrant-edge's optimizers (vacuum of deleted points, merges,
    /// index builds) to completion. Worth calling after a large ingest.
    pub async fn optimize(&self) -> Result<bool, KnowledgeError> {
        self.since_optimize.store(0, Ordering::Relaxed);
        self.write(|shard| {
            let changed = shard.optimize().map_err(edge_err)?;
            shard.flush();
            Ok(changed)
        })
        .await
    }

    /// Re-reads the point count after deletes (cheap: not exact). Skipped
    /// while a write holds the lock, rather than block an async worker; the
    /// next count or delete corrects it.
    fn refresh_points(&self) -> Result<(), KnowledgeError> {
        if let Ok(shard) = self.shard.try_read() {
            let n = shard.count(CountRequest { filter: None, exact: false }).map_err(edge_err)?;
            self.points.store(n, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Whether searches leave the async worker (see the module doc).
    pub fn searches_off_runtime(&self) -> bool {
        self.points.load(Ordering::Relaxed) > INLINE_MAX_POINTS
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, EdgeShard>, KnowledgeError> {
        self.shard.read().map_err(|_| KnowledgeError::Unavailable("edge shard lock poisoned".into()))
    }

    /// Runs `f` with exclusive access on a blocking thread, then returns.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&EdgeShard) -> Result<T, KnowledgeError> + Send + 'static,
    ) -> Result<T, KnowledgeError> {
        let shard = Arc::clone(&self.shard);
        tokio::task::spawn_blocking(move || {
            let guard: RwLockWriteGuard<'_, EdgeShard> =
                shard.write().map_err(|_| KnowledgeError::Unavailable("edge shard lock poisoned".into()))?;
            f(&guard)
        })
        .await
        .map_err(|e| KnowledgeError::Unavailable(format!("edge write task failed: {e}")))?
    }

    /// All points' payloads (selected fields only), page by page.
    fn scroll_payloads(
        shard: &EdgeShard,
        filter: Option<Filter>,
        fields: &[&str],
    ) -> Result<Vec<(PointId, JsonMap)>, KnowledgeError> {
        let fields: Vec<JsonPath> = fields.iter().map(|f| json_path(f)).collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        let mut offset: Option<PointId> = None;
        loop {
            let request = ScrollRequest {
                offset,
                limit: Some(SCROLL_PAGE),
                filter: filter.clone(),
                with_payload: Some(if fields.is_empty() {
                    WithPayloadInterface::Bool(false)
                } else {
                    WithPayloadInterface::from(PayloadSelectorInclude::new(fields.clone()))
                }),
                with_vector: WithVector::Bool(false),
                order_by: None,
            };
            let (records, next) = shard.scroll(request).map_err(edge_err)?;
            for r in records {
                out.push((r.id, r.payload.map(|p| p.0).unwrap_or_default()));
            }
            match next {
                Some(n) => offset = Some(n),
                None => break,
            }
        }
        Ok(out)
    }
}

fn open_shard(data_dir: &Path, meta: &IndexMeta) -> Result<EdgeShard, KnowledgeError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| KnowledgeError::Io { path, source }
    };
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let shard_dir = data_dir.join(SHARD_DIR);
    let meta_path = data_dir.join(META_FILE);

    let existing: Option<IndexMeta> = std::fs::read(&meta_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let shard_exists = shard_dir.join("edge_config.json").exists();

    if shard_exists && existing.as_ref() == Some(meta) {
        return EdgeShard::load(&shard_dir, None).map_err(edge_err);
    }

    if shard_dir.exists() {
        tracing::warn!(
            dir = %shard_dir.display(),
            was = ?existing,
            now = ?meta,
            "knowledge index was built with another embedder or schema; rebuilding it empty"
        );
        std::fs::remove_dir_all(&shard_dir).map_err(io(&shard_dir))?;
    }
    std::fs::create_dir_all(&shard_dir).map_err(io(&shard_dir))?;

    let config = EdgeConfig::builder()
        // Payloads are small and read on every hit; keep them in RAM.
        .on_disk_payload(false)
        .vector(DENSE_VECTOR, EdgeVectorParams::builder(meta.dim, Distance::Cosine).build())
        .sparse_vector(SPARSE_VECTOR, EdgeSparseVectorParams::builder().modifier(Modifier::Idf).build())
        .build();
    let shard = EdgeShard::new(&shard_dir, config).map_err(edge_err)?;
    for field in [pk::KIND, pk::LANG, pk::SKU, pk::SOURCE] {
        let op = UpdateOperation::FieldIndexOperation(FieldIndexOperations::CreateIndex(CreateIndex {
            field_name: json_path(field)?,
            field_schema: Some(PayloadFieldSchema::FieldType(PayloadSchemaType::Keyword)),
        }));
        shard.update(op).map_err(edge_err)?;
    }
    shard.flush();

    // Written last: a crash before this point leaves no meta, so the next
    // open starts over instead of trusting a half-made shard.
    let bytes = serde_json::to_vec_pretty(meta).map_err(|e| KnowledgeError::Unavailable(format!("index meta: {e}")))?;
    std::fs::write(&meta_path, bytes).map_err(io(&meta_path))?;
    Ok(shard)
}

fn edge_err(e: qdrant_edge::OperationError) -> KnowledgeError {
    KnowledgeError::Unavailable(format!("qdrant-edge: {e}"))
}

fn json_path(field: &str) -> Result<JsonPath, KnowledgeError> {
    field.parse().map_err(|_| KnowledgeError::BadInput(format!("invalid payload path {field:?}")))
}

fn point_id(chunk_id: &str) -> Result<PointId, KnowledgeError> {
    Uuid::parse_str(chunk_id)
        .map(PointId::Uuid)
        .map_err(|_| KnowledgeError::BadInput(format!("chunk id {chunk_id:?} is not a UUID")))
}

/// Payload filter from the query's kinds/lang/sku, in qdrant's JSON filter
/// syntax (deserialised rather than built, to stay off internal set types).
pub(crate) fn filter_json(query: &SearchQuery) -> Option<Value> {
    let mut must = Vec::new();
    let kinds: Vec<&str> = query.kinds.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).collect();
    if !kinds.is_empty() {
        must.push(json!({ "key": pk::KIND, "match": { "any": kinds } }));
    }
    if let Some(lang) = query.lang.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        must.push(json!({ "key": pk::LANG, "match": { "value": lang.to_ascii_lowercase() } }));
    }
    if let Some(sku) = query.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        must.push(json!({ "key": pk::SKU, "match": { "value": sku.to_ascii_uppercase() } }));
    }
    (!must.is_empty()).then(|| json!({ "must": must }))
}

fn filter_for(query: &SearchQuery) -> Result<Option<Filter>, KnowledgeError> {
    filter_json(query)
        .map(|v| serde_json::from_value(v).map_err(|e| KnowledgeError::BadInput(format!("filter: {e}"))))
        .transpose()
}

fn source_filter(source: &str) -> Result<Filter, KnowledgeError> {
    serde_json::from_value(json!({ "must": [{ "key": pk::SOURCE, "match": { "value": source } }] }))
        .map_err(|e| KnowledgeError::BadInput(format!("filter: {e}")))
}

/// The payload stored with every point; both backends use this shape.
pub(crate) fn chunk_payload(chunk: &Chunk) -> Value {
    json!({
        pk::KIND: chunk.kind,
        pk::LANG: chunk.lang,
        pk::SKU: chunk.sku,
        pk::SOURCE: chunk.source,
        pk::SECTION: chunk.section,
        pk::TEXT: chunk.text,
        pk::DOC_HASH: chunk.doc_hash,
        pk::CHUNK_ID: chunk.id,
    })
}

/// Rebuilds a chunk from a stored payload; `fallback_id` is the point id.
pub(crate) fn chunk_from_payload(payload: &Map<String, Value>, fallback_id: String) -> Chunk {
    let s = |k: &str| payload.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let id = payload.get(pk::CHUNK_ID).and_then(Value::as_str).map(str::to_string).unwrap_or(fallback_id);
    Chunk {
        id,
        source: s(pk::SOURCE),
        section: s(pk::SECTION),
        kind: s(pk::KIND),
        lang: s(pk::LANG),
        sku: payload.get(pk::SKU).and_then(Value::as_str).map(str::to_string),
        text: s(pk::TEXT),
        doc_hash: s(pk::DOC_HASH),
    }
}

/// Best first; equal fused scores (RRF ties) ordered by chunk id so that
/// results do not depend on hash-map iteration order inside the engine.
pub(crate) fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.chunk.id.cmp(&b.chunk.id)));
}

/// True when a dense vector has any signal; a zero vector has no cosine.
pub(crate) fn has_signal(v: &[f32]) -> bool {
    v.iter().any(|x| *x != 0.0 && x.is_finite())
}

fn to_edge_sparse(v: SparseVec) -> SparseVector {
    SparseVector { indices: v.indices, values: v.values }
}

fn build_points(
    chunks: &[Chunk],
    dense: Vec<Vec<f32>>,
    bm25: &Bm25Encoder,
) -> Result<Vec<qdrant_edge::PointStructPersisted>, KnowledgeError> {
    chunks
        .iter()
        .zip(dense)
        .map(|(chunk, dense)| {
            let id = point_id(&chunk.id)?;
            let sparse = bm25.embed_document(&chunk.index_text());
            // Vectors are optional per point: one with no signal is left out
            // rather than stored as a zero vector the engine cannot rank.
            let mut named: Vec<(&str, Vector)> = Vec::with_capacity(2);
            if has_signal(&dense) {
                named.push((DENSE_VECTOR, Vector::new_dense(dense)));
            }
            if !sparse.is_empty() {
                named.push((SPARSE_VECTOR, Vector::from(to_edge_sparse(sparse))));
            }
            Ok(PointStruct::new(id, Vectors::new_named(named), chunk_payload(chunk)).into())
        })
        .collect()
}

#[async_trait]
impl KnowledgeIndex for EdgeIndex {
    fn backend(&self) -> &'static str {
        "qdrant-edge"
    }

    async fn upsert(&self, chunks: &[Chunk]) -> Result<(), KnowledgeError> {
        for batch in chunks.chunks(UPSERT_BATCH) {
            let texts: Vec<String> = batch.iter().map(Chunk::index_text).collect();
            let dense = self.embedder.embed(&texts).await?;
            if dense.len() != batch.len() {
                return Err(KnowledgeError::Embedding(format!(
                    "embedder returned {} vectors for {} texts",
                    dense.len(),
                    batch.len()
                )));
            }
            if let Some(bad) = dense.iter().find(|v| v.len() != self.embedder.dim()) {
                return Err(KnowledgeError::Embedding(format!(
                    "embedder returned dimension {}, index expects {}",
                    bad.len(),
                    self.embedder.dim()
                )));
            }
            let points = build_points(batch, dense, &self.bm25)?;
            self.points.fetch_add(points.len(), Ordering::Relaxed);
            self.since_optimize.fetch_add(points.len(), Ordering::Relaxed);
            self.write(move |shard| {
                let op = UpdateOperation::PointOperation(PointOperations::UpsertPoints(
                    PointInsertOperations::PointsList(points),
                ));
                // Not flushed here: `flush` (called by ingest between
                // documents) makes it durable, as qdrant-edge does not replay
                // its WAL on load.
                shard.update(op).map_err(edge_err)
            })
            .await?;
        }
        Ok(())
    }

    async fn delete_source_except(&self, source: &str, keep: &[String]) -> Result<usize, KnowledgeError> {
        let filter = source_filter(source)?;
        let keep: std::collections::HashSet<PointId> =
            keep.iter().filter_map(|k| Uuid::parse_str(k).ok().map(PointId::Uuid)).collect();
        let deleted = self
            .write(move |shard| {
                let stale: Vec<PointId> = EdgeIndex::scroll_payloads(shard, Some(filter), &[])?
                    .into_iter()
                    .map(|(id, _)| id)
                    .filter(|id| !keep.contains(id))
                    .collect();
                if stale.is_empty() {
                    return Ok(0);
                }
                let n = stale.len();
                let op = UpdateOperation::PointOperation(PointOperations::DeletePoints { ids: stale });
                shard.update(op).map_err(edge_err)?;
                Ok(n)
            })
            .await?;
        if deleted > 0 {
            self.refresh_points()?;
        }
        Ok(deleted)
    }

    async fn source_hashes(&self) -> Result<BTreeMap<String, String>, KnowledgeError> {
        let records = {
            let shard = self.read()?;
            Self::scroll_payloads(&shard, None, &[pk::SOURCE, pk::DOC_HASH])?
        };
        Ok(collect_source_hashes(records.into_iter().map(|(_, p)| p)))
    }

    async fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>, KnowledgeError> {
        let text = query.text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let limit = query.effective_limit();
        let prefetch_limit = query.prefetch_limit();
        let dense = self
            .embedder
            .embed(&[text.to_string()])
            .await?
            .pop()
            .ok_or_else(|| KnowledgeError::Embedding("embedder returned no vector".into()))?;
        let sparse = self.bm25.embed_query(text);

        let mut prefetches = Vec::with_capacity(2);
        let mut weights = Vec::with_capacity(2);
        if has_signal(&dense) {
            prefetches.push(prefetch(VectorInternal::Dense(dense), DENSE_VECTOR, prefetch_limit));
            weights.push(OrderedFloat(RRF_DENSE_WEIGHT));
        }
        if !sparse.is_empty() {
            prefetches.push(prefetch(VectorInternal::Sparse(to_edge_sparse(sparse)), SPARSE_VECTOR, prefetch_limit));
            weights.push(OrderedFloat(RRF_SPARSE_WEIGHT));
        }
        if prefetches.is_empty() {
            // Nothing searchable in the query (only stopwords/punctuation).
            return Ok(Vec::new());
        }

        let request = QueryRequest {
            prefetches,
            query: Some(ScoringQuery::Fusion(Fusion::Rrf { k: RRF_K, weights: Some(weights) })),
            // A top-level filter is propagated into every prefetch.
            filter: filter_for(query)?,
            score_threshold: None,
            limit,
            offset: 0,
            params: None,
            with_vector: WithVector::Bool(false),
            with_payload: WithPayloadInterface::Bool(true),
        };
        // The guard must be gone before any await, so the inline attempt
        // hands the request back when the lock is busy.
        let inline = if self.points.load(Ordering::Relaxed) > INLINE_MAX_POINTS {
            Err(request)
        } else {
            match self.shard.try_read() {
                Ok(shard) => Ok(shard.query(request).map_err(edge_err)?),
                Err(TryLockError::WouldBlock) => Err(request),
                Err(TryLockError::Poisoned(_)) => {
                    return Err(KnowledgeError::Unavailable("edge shard lock poisoned".into()))
                }
            }
        };
        let points = match inline {
            Ok(points) => points,
            // A large index, or a write holds the lock (an ingest is
            // running): search on a blocking thread rather than stalling
            // this runtime worker.
            Err(request) => {
                let shard = Arc::clone(&self.shard);
                tokio::task::spawn_blocking(move || {
                    let guard =
                        shard.read().map_err(|_| KnowledgeError::Unavailable("edge shard lock poisoned".into()))?;
                    guard.query(request).map_err(edge_err)
                })
                .await
                .map_err(|e| KnowledgeError::Unavailable(format!("edge search task failed: {e}")))??
            }
        };
        let mut hits: Vec<Hit> = points
            .into_iter()
            .map(|p| {
                let payload = p.payload.map(|p| p.0).unwrap_or_default();
                Hit { chunk: chunk_from_payload(&payload, p.id.to_string()), score: p.score }
            })
            .collect();
        sort_hits(&mut hits);
        Ok(hits)
    }

    async fn flush(&self) -> Result<(), KnowledgeError> {
        if self.since_optimize.load(Ordering::Relaxed) >= OPTIMIZE_EVERY_POINTS {
            self.optimize().await?;
            return Ok(());
        }
        self.write(|shard| {
            shard.flush();
            Ok(())
        })
        .await
    }

    async fn count(&self) -> Result<usize, KnowledgeError> {
        let shard = self.read()?;
        let n = shard.count(CountRequest { filter: None, exact: true }).map_err(edge_err)?;
        self.points.store(n, Ordering::Relaxed);
        Ok(n)
    }
}

fn prefetch(vector: VectorInternal, using: &str, limit: usize) -> Prefetch {
    Prefetch {
        prefetches: Vec::new(),
        query: Some(ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery {
            query: vector,
            using: Some(using.to_string()),
        }))),
        limit,
        params: None,
        filter: None,
        score_threshold: None,
    }
}

/// Source → doc_hash. A source whose chunks disagree on the hash (an ingest
/// interrupted between upsert and cleanup) maps to "" so it gets re-ingested.
pub(crate) fn collect_source_hashes(
    payloads: impl IntoIterator<Item = Map<String, Value>>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for p in payloads {
        let (Some(source), Some(hash)) =
            (p.get(pk::SOURCE).and_then(Value::as_str), p.get(pk::DOC_HASH).and_then(Value::as_str))
        else {
            continue;
        };
        match out.get_mut(source) {
            Some(existing) if existing != hash => existing.clear(),
            Some(_) => {}
            None => {
                out.insert(source.to_string(), hash.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_uses_any_of_kinds_and_normalises_sku_and_lang() {
        let q = SearchQuery {
            text: "x".into(),
            kinds: vec!["faq".into(), " ".into(), "case".into()],
            lang: Some("ZH".into()),
            sku: Some(" tw-bp-4820 ".into()),
            limit: 3,
        };
        let f = filter_json(&q).unwrap();
        assert_eq!(f["must"][0]["match"]["any"], json!(["faq", "case"]));
        assert_eq!(f["must"][1]["match"]["value"], json!("zh"));
        assert_eq!(f["must"][2]["match"]["value"], json!("TW-BP-4820"));
        assert!(filter_for(&q).unwrap().is_some());
        assert!(filter_json(&SearchQuery::new("x", 1)).is_none());
    }

    #[test]
    fn mixed_hashes_for_one_source_force_reingest() {
        let p = |s: &str, h: &str| {
            let mut m = Map::new();
            m.insert(pk::SOURCE.into(), json!(s));
            m.insert(pk::DOC_HASH.into(), json!(h));
            m
        };
        let got = collect_source_hashes([p("a", "1"), p("a", "1"), p("b", "2"), p("b", "3")]);
        assert_eq!(got["a"], "1");
        assert_eq!(got["b"], "");
    }
}
