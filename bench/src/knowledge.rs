//! `tradewind bench knowledge`: the knowledge index at a size a real
//! exporter reaches (100k chunks by default), on the offline embedder.
//! Generates Markdown notes (English and Chinese, one chunk per section)
//! with a fixed seed from the catalog and the gazetteer, ingests them the
//! way `tradewind ingest` does, then times hybrid top-5 searches with
//! distinct generated queries, a share of them filtered, and no query
//! cache. The edge index is the default; `--qdrant-url` runs the same
//! figures against a Qdrant server.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_app::{knowledge_documents, AppError};
use tradewind_core::Catalog;
use tradewind_knowledge::{
    ingest, EdgeIndex, Embedder, HashEmbedder, IngestOptions, KnowledgeIndex, RemoteIndex, SearchQuery,
};

#[derive(Debug, Clone, clap::Args)]
pub struct KnowledgeBenchArgs {
    /// Chunks to generate and ingest.
    #[arg(long, default_value_t = 100_000)]
    pub chunks: usize,
    /// Timed searches, each with a query text of its own.
    #[arg(long, default_value_t = 2_000)]
    pub queries: usize,
    /// Searches running at once while timing (1 = one after another).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Bench a Qdrant server (gRPC URL) instead of the embedded index.
    #[arg(long)]
    pub qdrant_url: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct KnowledgeFigures {
    pub backend: String,
    pub chunks: usize,
    pub files: usize,
    pub ingest_s: f64,
    pub ingest_chunks_per_s: f64,
    /// Time to build the search structures after the ingest (edge: the
    /// optimizer run; the server builds them in the background).
    pub optimize_s: f64,
    pub queries: usize,
    pub concurrency: usize,
    pub search_p50_ms: f64,
    pub search_p99_ms: f64,
    pub search_mean_ms: f64,
    /// Searches that found nothing (a broken index would show here).
    pub empty_results: usize,
    pub peak_rss_mb: Option<f64>,
    pub note: String,
}

/// Sections per generated file: about the size of a long product manual.
const SECTIONS_PER_FILE: usize = 200;
const SEED: u64 = 20_261_206;

const TOPICS_EN: &[&str] = &[
    "packing and carton size",
    "lead time and production slots",
    "warranty and returns",
    "certifications (CE, UN38.3, RoHS)",
    "payment terms and deposits",
    "sea freight and transit times",
    "air freight restrictions",
    "spare parts and service",
    "installation notes",
    "price tiers and MOQ",
    "customs documents",
    "labelling and marking",
];
const TOPICS_ZH: &[&str] = &[
    "包装和箱规",
    "交货期",
    "质保和退货",
    "认证",
    "付款方式",
    "海运时效",
    "空运限制",
    "备件和售后",
    "安装说明",
    "阶梯价格和起订量",
    "报关文件",
    "标签和唛头",
];
const VERBS_EN: &[&str] = &["ships", "is packed", "is quoted", "is certified", "is delivered", "is stocked"];

struct Vocab {
    products_en: Vec<String>,
    products_zh: Vec<String>,
    skus: Vec<String>,
    places_en: Vec<String>,
    places_zh: Vec<String>,
}

impl Vocab {
    fn new(catalog: &Catalog) -> Vocab {
        let places = tradewind_nlp::gazetteer::known_places();
        Vocab {
            products_en: catalog.products().iter().map(|p| p.name_en.clone()).collect(),
            products_zh: catalog.products().iter().map(|p| p.name_zh.clone()).collect(),
            skus: catalog.products().iter().map(|p| p.sku.clone()).collect(),
            places_en: places.iter().map(|(en, _, _)| en.to_string()).collect(),
            places_zh: places.iter().filter_map(|(_, zh, _)| zh.map(str::to_string)).collect(),
        }
    }

    fn pick<'a>(rng: &mut StdRng, list: &'a [String]) -> &'a str {
        list.choose(rng).map(String::as_str).unwrap_or("")
    }
}

/// The generated documents: `(source, bytes)` as ingest takes them.
fn documents(vocab: &Vocab, chunks: usize, rng: &mut StdRng) -> Vec<(String, Vec<u8>)> {
    let files = chunks.div_ceil(SECTIONS_PER_FILE);
    let mut docs = Vec::with_capacity(files);
    let mut made = 0usize;
    for f in 0..files {
        // Every fourth file is Chinese, as an exporter's knowledge is.
        let zh = f % 4 == 3;
        let mut text = if zh { format!("# 产品资料 {f}\n") } else { format!("# Product notes {f}\n") };
        let sections = SECTIONS_PER_FILE.min(chunks - made);
        for s in 0..sections {
            let qty = rng.gen_range(1..=200) * 10;
            let days = rng.gen_range(7..=60);
            let price = rng.gen_range(5..=2_000);
            if zh {
                let product = Vocab::pick(rng, &vocab.products_zh);
                let place = Vocab::pick(rng, &vocab.places_zh);
                let topic = TOPICS_ZH.choose(rng).copied().unwrap_or("");
                text.push_str(&format!(
                    "\n## {product} {topic} {s}\n{product}发往{place}：每批{qty}件，交货期{days}天，单价{price}美元。第{f}号资料第{s}节。\n"
                ));
            } else {
                let product = Vocab::pick(rng, &vocab.products_en);
                let place = Vocab::pick(rng, &vocab.places_en);
                let topic = TOPICS_EN.choose(rng).copied().unwrap_or("");
                let verb = VERBS_EN.choose(rng).copied().unwrap_or("ships");
                let sku = Vocab::pick(rng, &vocab.skus);
                text.push_str(&format!(
                    "\n## {product}: {topic} ({s})\nThe {product} ({sku}) {verb} to {place} in lots of {qty} units; lead time {days} days; unit price USD {price}. Note {s} of file {f}.\n"
                ));
            }
        }
        made += sections;
        // `notes.<n>.md`: ingest takes the kind from the name's first part.
        let name = if zh { format!("kb/bench/notes.{f:05}.zh.md") } else { format!("kb/bench/notes.{f:05}.md") };
        docs.push((name, text.into_bytes()));
    }
    docs
}

/// Distinct queries of the kinds the agents ask: product plus topic, place,
/// sometimes a kind or language filter, sometimes a SKU.
fn queries(vocab: &Vocab, n: usize, rng: &mut StdRng) -> Vec<SearchQuery> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let q = if i % 4 == 3 {
            let product = Vocab::pick(rng, &vocab.products_zh);
            let place = Vocab::pick(rng, &vocab.places_zh);
            let topic = TOPICS_ZH.choose(rng).copied().unwrap_or("");
            let mut q = SearchQuery::new(format!("{product}发到{place}的{topic}？{i}"), 5);
            if i % 8 == 3 {
                q.lang = Some("zh".into());
            }
            q
        } else {
            let product = Vocab::pick(rng, &vocab.products_en);
            let place = Vocab::pick(rng, &vocab.places_en);
            let topic = TOPICS_EN.choose(rng).copied().unwrap_or("");
            let mut q = SearchQuery::new(format!("What about {topic} for the {product} to {place}? ({i})"), 5);
            match i % 5 {
                0 => q.kinds = vec!["notes".into(), "faq".into()],
                1 => q.sku = Some(Vocab::pick(rng, &vocab.skus).to_string()),
                2 => q.lang = Some("en".into()),
                _ => {}
            }
            q
        };
        out.push(q);
    }
    out
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

pub async fn run(args: KnowledgeBenchArgs) -> Result<KnowledgeFigures, AppError> {
    let (kb, catalog) = knowledge_documents(None)?;
    let vocab = Vocab::new(&catalog);
    let mut rng = StdRng::seed_from_u64(SEED);
    // The demo company's own base (catalog, FAQ, shipping notes) and the
    // generated notes, as one knowledge folder.
    let mut docs = kb;
    docs.extend(documents(&vocab, args.chunks.max(1), &mut rng));
    let files = docs.len();
    let queries = queries(&vocab, args.queries.max(1), &mut rng);

    let embedder: Arc<dyn Embedder> = Arc::new(HashEmbedder::default());
    let dir = tempfile::Builder::new().prefix("tradewind-bench-knowledge-").tempdir().map_err(internal)?;
    let (index, edge): (Arc<dyn KnowledgeIndex>, Option<Arc<EdgeIndex>>) = match &args.qdrant_url {
        Some(url) => {
            let collection = format!("tw_bench_{}", std::process::id());
            let remote = RemoteIndex::connect(url, None, &collection, embedder).await.map_err(internal)?;
            (Arc::new(remote), None)
        }
        None => {
            let edge = Arc::new(EdgeIndex::open(dir.path(), embedder).await.map_err(internal)?);
            (edge.clone(), Some(edge))
        }
    };

    let t = Instant::now();
    let summary = ingest(index.as_ref(), docs, &IngestOptions { quiet: true, ..IngestOptions::default() })
        .await
        .map_err(internal)?;
    let ingest_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    if let Some(edge) = &edge {
        edge.optimize().await.map_err(internal)?;
    }
    let optimize_s = t.elapsed().as_secs_f64();
    let chunks = index.count().await.map_err(internal)?;

    let concurrency = args.concurrency.max(1);
    let queries = Arc::new(queries);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (index, queries, next) = (index.clone(), queries.clone(), next.clone());
        workers.spawn(async move {
            let mut samples = Vec::new();
            let mut empty = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(q) = queries.get(i) else { break };
                let t = Instant::now();
                let hits = index.search(q).await?;
                samples.push(t.elapsed());
                empty += usize::from(hits.is_empty());
            }
            Ok::<_, tradewind_knowledge::KnowledgeError>((samples, empty))
        });
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut empty_results = 0;
    while let Some(done) = workers.join_next().await {
        let (s, e) = done.map_err(internal)?.map_err(internal)?;
        samples.extend(s);
        empty_results += e;
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| {
        let sorted: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
        crate::percentile(&sorted, q)
    };
    let mean = samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len().max(1) as f64;
    let figures = KnowledgeFigures {
        backend: index.backend().to_string(),
        chunks,
        files,
        ingest_s,
        ingest_chunks_per_s: summary.chunks_written as f64 / ingest_s.max(1e-9),
        optimize_s,
        queries: samples.len(),
        concurrency,
        search_p50_ms: at(0.50),
        search_p99_ms: at(0.99),
        search_mean_ms: mean,
        empty_results,
        peak_rss_mb: crate::peak_rss_mb(),
        note: format!(
            "ingest = `tradewind ingest`'s path (chunking, offline hash embedder, BM25, upserts) over {files} generated \
             Markdown files; searches = KnowledgeIndex::search, hybrid (dense + BM25, weighted RRF) top-5, every query \
             text distinct, 2 in 5 filtered by kind, SKU or language, no query cache, {concurrency} at a time"
        ),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures).map_err(internal)?);
    } else {
        let f = &figures;
        println!("knowledge index: {} with {} chunks in {} files", f.backend, f.chunks, f.files);
        println!(
            "  ingest     {:>9.0} chunks/s ({:.1} s), then optimize {:.1} s",
            f.ingest_chunks_per_s, f.ingest_s, f.optimize_s
        );
        println!(
            "  search     p50 {:.3} ms, p99 {:.3} ms, mean {:.3} ms over {} queries ({} empty)",
            f.search_p50_ms, f.search_p99_ms, f.search_mean_ms, f.queries, f.empty_results
        );
        if let Some(rss) = f.peak_rss_mb {
            println!("  peak RSS   {rss:.0} MB");
        }
        println!("  measured:  {}", f.note);
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_documents_have_the_asked_sections_and_distinct_queries() {
        let (_, catalog) = knowledge_documents(None).unwrap();
        let vocab = Vocab::new(&catalog);
        let mut rng = StdRng::seed_from_u64(SEED);
        let docs = documents(&vocab, 450, &mut rng);
        assert_eq!(docs.len(), 3);
        assert!(docs.iter().all(|(n, _)| tradewind_knowledge::ingest::kind_for(n) == "notes"));
        let sections: usize = docs.iter().map(|(_, b)| String::from_utf8_lossy(b).matches("\n## ").count()).sum();
        assert_eq!(sections, 450);
        assert!(docs.iter().any(|(n, _)| n.ends_with(".zh.md")) || docs.len() < 4);
        let qs = queries(&vocab, 200, &mut rng);
        let distinct: std::collections::HashSet<&str> = qs.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(distinct.len(), 200);
        assert!(qs.iter().any(|q| q.lang.as_deref() == Some("zh")));
        assert!(qs.iter().any(|q| q.sku.is_some()));
    }
}
