//! `RemoteIndex`: the same knowledge index on a Qdrant server, via
//! qdrant-client (gRPC). Same collection schema as the edge backend (named
//! cosine dense vector + BM25 sparse vector with the IDF modifier), same
//! payload, same client-side BM25, same hybrid query (dense and sparse
//! prefetch fused with RRF under a payload filter).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use qdrant_client::qdrant::{
    point_id::PointIdOptions, vectors_config, Condition, CountPointsBuilder, CreateCollectionBuilder,
    CreateFieldIndexCollectionBuilder, DeletePointsBuilder, Distance, FieldType, Filter, Modifier, NamedVectors,
    PayloadIncludeSelector, PointId, PointStruct, PrefetchQueryBuilder, Query, QueryPointsBuilder, RrfBuilder,
    ScrollPointsBuilder, SparseVectorParamsBuilder, SparseVectorsConfigBuilder, UpsertPointsBuilder, Value as QValue,
    Vector, VectorInput, VectorParamsBuilder, VectorsConfigBuilder,
};
use qdrant_client::{Payload, Qdrant};
use serde_json::{Map, Value};

use crate::edge::{chunk_from_payload, chunk_payload, collect_source_hashes, has_signal, sort_hits};
use crate::payload_keys as pk;
use crate::sparse::Bm25Encoder;
use crate::Embedder;
use crate::{
    Chunk, Hit, KnowledgeError, KnowledgeIndex, SearchQuery, DENSE_VECTOR, RRF_DENSE_WEIGHT, RRF_K, RRF_SPARSE_WEIGHT,
    SPARSE_VECTOR,
};

/// Points per upsert request.
const UPSERT_BATCH: usize = 64;
const SCROLL_PAGE: u32 = 256;
/// Collection metadata keys recording which embedder filled the collection.
const META_EMBEDDER: &str = "tradewind_embedder";
/// The oldest server that runs our hybrid query: weighted RRF fusion came
/// with Qdrant 1.17. Older servers reject the query at search time, which
/// would surface as a failed inquiry long after start-up; we refuse them at
/// connect instead.
const MIN_SERVER: (u64, u64) = (1, 17);
/// The server version the tests run (`scripts/test.sh`) and compose pins.
pub const TESTED_SERVER: &str = "1.18.3";
const META_DIM: &str = "tradewind_dim";

/// Hybrid knowledge index on a Qdrant server collection.
pub struct RemoteIndex {
    client: Qdrant,
    collection: String,
    embedder: Arc<dyn Embedder>,
    bm25: Bm25Encoder,
}

impl std::fmt::Debug for RemoteIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteIndex")
            .field("collection", &self.collection)
            .field("embedder", &self.embedder.name())
            .finish()
    }
}

fn server_err(e: qdrant_client::QdrantError) -> KnowledgeError {
    KnowledgeError::Unavailable(format!("qdrant server: {e}"))
}

impl RemoteIndex {
    /// Connects to `url` (gRPC, usually port 6334) and creates the
    /// collection and its payload indexes if they are missing. Refuses a
    /// collection built by another embedder or with another dimension.
    pub async fn connect(
        url: &str,
        api_key: Option<String>,
        collection: &str,
        embedder: Arc<dyn Embedder>,
    ) -> Result<Self, KnowledgeError> {
        if collection.trim().is_empty() {
            return Err(KnowledgeError::BadInput("collection name is empty".into()));
        }
        // qdrant-client's own version check prints to stdout, which would
        // corrupt `ask --json`; we check the version ourselves and log.
        let mut builder = Qdrant::from_url(url).skip_compatibility_check();
        if let Some(key) = api_key {
            builder = builder.api_key(key);
        }
        let client = builder.build().map_err(server_err)?;
        let index = Self { client, collection: collection.to_string(), embedder, bm25: Bm25Encoder::new()? };
        index.check_server_version().await?;
        index.ensure_collection().await?;
        Ok(index)
    }

    async fn check_server_version(&self) -> Result<(), KnowledgeError> {
        let reply = self.client.health_check().await.map_err(server_err)?;
        match parse_version(&reply.version) {
            Some(v) if v < MIN_SERVER => Err(KnowledgeError::Unavailable(format!(
                "qdrant server {} is too old: the hybrid query needs {}.{} or newer (tested with {TESTED_SERVER})",
                reply.version, MIN_SERVER.0, MIN_SERVER.1
            ))),
            Some(_) => {
                tracing::debug!(server = %reply.version, tested = TESTED_SERVER, "qdrant server version");
                Ok(())
            }
            None => {
                tracing::warn!(server = %reply.version, tested = TESTED_SERVER, "qdrant server version not understood");
                Ok(())
            }
        }
    }

    pub fn collection(&self) -> &str {
        &self.collection
    }

    async fn ensure_collection(&self) -> Result<(), KnowledgeError> {
        let exists = self.client.collection_exists(self.collection.as_str()).await.map_err(server_err)?;
        if !exists {
            let mut dense = VectorsConfigBuilder::default();
            dense.add_named_vector_params(
                DENSE_VECTOR,
                VectorParamsBuilder::new(self.embedder.dim() as u64, Distance::Cosine),
            );
            let mut sparse = SparseVectorsConfigBuilder::default();
            sparse.add_named_vector_params(SPARSE_VECTOR, SparseVectorParamsBuilder::default().modifier(Modifier::Idf));
            let mut metadata: HashMap<String, Value> = HashMap::new();
            metadata.insert(META_EMBEDDER.into(), Value::from(self.embedder.name()));
            metadata.insert(META_DIM.into(), Value::from(self.embedder.dim()));
            let create = CreateCollectionBuilder::new(self.collection.as_str())
                .vectors_config(dense)
                .sparse_vectors_config(sparse)
                .metadata(metadata);
            if let Err(e) = self.client.create_collection(create).await {
                // Another process may have created it between our check and
                // our create; only fail if it still does not exist.
                let now_exists = self.client.collection_exists(self.collection.as_str()).await.map_err(server_err)?;
                if !now_exists {
                    return Err(server_err(e));
                }
            }
        }

        let info = self
            .client
            .collection_info(self.collection.as_str())
            .await
            .map_err(server_err)?
            .result
            .ok_or_else(|| KnowledgeError::Unavailable(format!("no info for collection {}", self.collection)))?;

        if let Some(config) = &info.config {
            if let Some(QValue { kind: Some(kind) }) = config.metadata.get(META_EMBEDDER) {
                let stored = match kind {
                    qdrant_client::qdrant::value::Kind::StringValue(s) => s.clone(),
                    other => format!("{other:?}"),
                };
                if stored != self.embedder.name() {
                    return Err(KnowledgeError::Unavailable(format!(
                        "collection {} was built with embedder {stored}, not {}; use another collection or re-create it",
                        self.collection,
                        self.embedder.name()
                    )));
                }
            }
            let dense_size = config
                .params
                .as_ref()
                .and_then(|p| p.vectors_config.as_ref())
                .and_then(|v| v.config.as_ref())
                .and_then(|c| match c {
                    vectors_config::Config::ParamsMap(m) => m.map.get(DENSE_VECTOR).map(|p| p.size),
                    vectors_config::Config::Params(_) => None,
                });
            match dense_size {
                Some(size) if size == self.embedder.dim() as u64 => {}
                Some(size) => {
                    return Err(KnowledgeError::Unavailable(format!(
                        "collection {} has dense dimension {size}, embedder has {}",
                        self.collection,
                        self.embedder.dim()
                    )))
                }
                None => {
                    return Err(KnowledgeError::Unavailable(format!(
                        "collection {} has no named vector {DENSE_VECTOR:?}",
                        self.collection
                    )))
                }
            }
        }

        for field in [pk::KIND, pk::LANG, pk::SKU, pk::SOURCE] {
            if info.payload_schema.contains_key(field) {
                continue;
            }
            self.client
                .create_field_index(
                    CreateFieldIndexCollectionBuilder::new(self.collection.as_str(), field, FieldType::Keyword)
                        .wait(true),
                )
                .await
                .map_err(server_err)?;
        }
        Ok(())
    }

    fn source_filter(source: &str) -> Filter {
        Filter::must([Condition::matches(pk::SOURCE, source.to_string())])
    }
}

fn filter_for(query: &SearchQuery) -> Option<Filter> {
    let mut must = Vec::new();
    let kinds: Vec<String> = query.kinds.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
    if !kinds.is_empty() {
        must.push(Condition::matches(pk::KIND, kinds));
    }
    if let Some(lang) = query.lang.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        must.push(Condition::matches(pk::LANG, lang.to_ascii_lowercase()));
    }
    if let Some(sku) = query.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        must.push(Condition::matches(pk::SKU, sku.to_ascii_uppercase()));
    }
    (!must.is_empty()).then(|| Filter::must(must))
}

/// `major.minor` of a server version such as `1.18.3` or `v1.17.0-rc1`.
fn parse_version(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    Some((major, minor))
}

fn point_id_string(id: Option<PointId>) -> String {
    match id.and_then(|p| p.point_id_options) {
        Some(PointIdOptions::Uuid(u)) => u,
        Some(PointIdOptions::Num(n)) => n.to_string(),
        None => String::new(),
    }
}

fn to_json_map(payload: HashMap<String, QValue>) -> Map<String, Value> {
    payload.into_iter().map(|(k, v)| (k, v.into_json())).collect()
}

#[async_trait]
impl KnowledgeIndex for RemoteIndex {
    fn backend(&self) -> &'static str {
        "qdrant-server"
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
            let mut points = Vec::with_capacity(batch.len());
            for (chunk, dense) in batch.iter().zip(dense) {
                uuid::Uuid::parse_str(&chunk.id)
                    .map_err(|_| KnowledgeError::BadInput(format!("chunk id {:?} is not a UUID", chunk.id)))?;
                let sparse = self.bm25.embed_document(&chunk.index_text());
                let mut vectors = NamedVectors::default();
                if has_signal(&dense) {
                    vectors = vectors.add_vector(DENSE_VECTOR, Vector::new_dense(dense));
                }
                if !sparse.is_empty() {
                    vectors = vectors.add_vector(SPARSE_VECTOR, Vector::new_sparse(sparse.indices, sparse.values));
                }
                let payload = Payload::try_from(chunk_payload(chunk))
                    .map_err(|e| KnowledgeError::BadInput(format!("payload: {e}")))?;
                points.push(PointStruct::new(chunk.id.clone(), vectors, payload));
            }
            self.client
                .upsert_points(UpsertPointsBuilder::new(self.collection.as_str(), points).wait(true))
                .await
                .map_err(server_err)?;
        }
        Ok(())
    }

    async fn delete_source_except(&self, source: &str, keep: &[String]) -> Result<usize, KnowledgeError> {
        let mut filter = Self::source_filter(source);
        if !keep.is_empty() {
            let ids: Vec<PointId> = keep.iter().map(|k| PointId::from(k.as_str())).collect();
            filter.must_not.push(Condition::has_id(ids));
        }
        let stale = self
            .client
            .count(CountPointsBuilder::new(self.collection.as_str()).filter(filter.clone()).exact(true))
            .await
            .map_err(server_err)?
            .result
            .map(|r| r.count as usize)
            .unwrap_or(0);
        if stale == 0 {
            return Ok(0);
        }
        self.client
            .delete_points(DeletePointsBuilder::new(self.collection.as_str()).points(filter).wait(true))
            .await
            .map_err(server_err)?;
        Ok(stale)
    }

    async fn source_hashes(&self) -> Result<BTreeMap<String, String>, KnowledgeError> {
        let mut payloads = Vec::new();
        let mut offset: Option<PointId> = None;
        loop {
            let mut request = ScrollPointsBuilder::new(self.collection.as_str())
                .limit(SCROLL_PAGE)
                .with_payload(PayloadIncludeSelector { fields: vec![pk::SOURCE.into(), pk::DOC_HASH.into()] })
                .with_vectors(false);
            if let Some(o) = offset.take() {
                request = request.offset(o);
            }
            let page = self.client.scroll(request).await.map_err(server_err)?;
            payloads.extend(page.result.into_iter().map(|p| to_json_map(p.payload)));
            match page.next_page_offset {
                Some(next) => offset = Some(next),
                None => break,
            }
        }
        Ok(collect_source_hashes(payloads))
    }

    async fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>, KnowledgeError> {
        let text = query.text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let limit = query.effective_limit() as u64;
        let prefetch_limit = query.prefetch_limit() as u64;
        let dense = self
            .embedder
            .embed(&[text.to_string()])
            .await?
            .pop()
            .ok_or_else(|| KnowledgeError::Embedding("embedder returned no vector".into()))?;
        let sparse = self.bm25.embed_query(text);

        let mut request = QueryPointsBuilder::new(self.collection.as_str());
        let mut weights = Vec::with_capacity(2);
        if has_signal(&dense) {
            request = request.add_prefetch(
                PrefetchQueryBuilder::default()
                    .query(Query::new_nearest(dense))
                    .using(DENSE_VECTOR)
                    .limit(prefetch_limit),
            );
            weights.push(RRF_DENSE_WEIGHT);
        }
        if !sparse.is_empty() {
            request = request.add_prefetch(
                PrefetchQueryBuilder::default()
                    .query(Query::new_nearest(VectorInput::new_sparse(sparse.indices, sparse.values)))
                    .using(SPARSE_VECTOR)
                    .limit(prefetch_limit),
            );
            weights.push(RRF_SPARSE_WEIGHT);
        }
        if weights.is_empty() {
            return Ok(Vec::new());
        }
        request = request
            .query(Query::new_rrf(RrfBuilder::with_k(RRF_K as u32).weights(weights)))
            .limit(limit)
            .with_payload(true);
        if let Some(filter) = filter_for(query) {
            // The server propagates a top-level filter into the prefetches.
            request = request.filter(filter);
        }
        let response = self.client.query(request).await.map_err(server_err)?;
        let mut hits: Vec<Hit> = response
            .result
            .into_iter()
            .map(|p| {
                let fallback = point_id_string(p.id);
                Hit { chunk: chunk_from_payload(&to_json_map(p.payload), fallback), score: p.score }
            })
            .collect();
        sort_hits(&mut hits);
        Ok(hits)
    }

    async fn count(&self) -> Result<usize, KnowledgeError> {
        let response = self
            .client
            .count(CountPointsBuilder::new(self.collection.as_str()).exact(true))
            .await
            .map_err(server_err)?;
        Ok(response.result.map(|r| r.count as usize).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_filter_mirrors_edge_filter() {
        let q = SearchQuery {
            text: "x".into(),
            kinds: vec!["faq".into()],
            lang: Some("en".into()),
            sku: Some("tw-bp-4820".into()),
            limit: 1,
        };
        let f = filter_for(&q).unwrap();
        assert_eq!(f.must.len(), 3);
        assert!(filter_for(&SearchQuery::new("x", 1)).is_none());
    }

    #[test]
    fn server_versions_parse_to_major_and_minor() {
        assert_eq!(parse_version("1.18.3"), Some((1, 18)));
        assert_eq!(parse_version("v1.17.0-rc1"), Some((1, 17)));
        assert!(parse_version("1.15.4").unwrap() < MIN_SERVER);
        assert_eq!(parse_version("dev"), None);
    }
}
