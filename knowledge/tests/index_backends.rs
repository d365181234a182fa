//! End-to-end tests of ingest + hybrid search on both real engines: the
//! embedded qdrant-edge (`EdgeIndex`, in a temporary directory) and a Qdrant
//! server (`RemoteIndex`, at `QDRANT_URL`, which `scripts/test.sh` starts
//! from `../shared/tools/qdrant/`). Every behaviour that both backends
//! promise runs on each; the few that only one has (a directory to reopen, a
//! server collection built by another embedder) are tested on that one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tradewind_knowledge::edge::EdgeIndex;
use tradewind_knowledge::ingest::{ingest, IngestOptions};
use tradewind_knowledge::{kb, open_default, Hit, KnowledgeIndex, RemoteIndex, SearchQuery};
use tradewind_knowledge::{Embedder, HashEmbedder};

const FAQ_EN: &str = "# Frequently asked questions

## Payment

### What payment terms do you accept?
Our standard term is T/T (bank wire): 30% deposit when you confirm the Proforma Invoice and the 70% balance before shipment.

### Can I pay by PayPal or credit card?
PayPal and credit card are accepted for samples and orders up to USD 2,000.

## Shipping

### How long does delivery take?
Sea freight to Europe takes 30 to 40 days port to port; air freight takes 5 to 8 days.

### Can lithium batteries be shipped by air?
Only batteries packed with equipment under UN3481 may fly; loose battery packs (UN3480) above 100 Wh go by sea as Class 9 dangerous goods.

## Warranty

### How long is the warranty?
Battery packs carry a 24 month warranty from the bill of lading date.
";

const FAQ_ZH: &str = "# 常见问题

## 付款

### 你们接受哪些付款方式？
我们的标准付款方式是电汇：确认形式发票后支付30%定金，出货前支付70%余款。

### 可以用PayPal或信用卡付款吗？
样品和2000美元以下的订单可以用PayPal或信用卡付款。

## 运输

### 锂电池可以空运吗？
单独运输的锂电池包（UN3480）超过100Wh只能海运，按第9类危险品申报。

## 质保

### 质保期多长？
电池包自提单日期起质保24个月。
";

const CATALOG: &str = r#"{"sku":"TW-BP-4820","name_en":"48V 20Ah E-Bike Battery Pack","name_zh":"48V 20Ah 电动自行车电池包","category":"battery","specs":{"voltage":"48 V","capacity":"20 Ah"},"hs_code":"850760","price_tiers":[{"min_qty":1,"unit_price_usd":289.0}],"moq":50,"lead_time_days":25,"stock":420}
{"sku":"TW-IN-3000","name_en":"3kW Hybrid Solar Inverter","name_zh":"3千瓦混合太阳能逆变器","category":"inverter","specs":{"power":"3 kW"},"hs_code":"850440","price_tiers":[{"min_qty":1,"unit_price_usd":410.0}],"moq":10,"lead_time_days":30,"stock":80}
{"sku":"TW-LD-0150","name_en":"150W LED High Bay Light","name_zh":"150瓦LED工矿灯","category":"led","specs":{"power":"150 W"},"hs_code":"940540","price_tiers":[{"min_qty":1,"unit_price_usd":39.0}],"moq":100,"lead_time_days":15,"stock":2000}
"#;

const SHIPPING: &str = "# Shipping and destination notes

## Lithium batteries by sea
Battery packs ship as UN3480 Class 9 dangerous goods with an MSDS, a UN38.3 test summary and a DG declaration.

## Incoterms
We quote FOB Shenzhen by default; CIF and DAP on request.
";

fn fixtures() -> Vec<(String, Vec<u8>)> {
    vec![
        ("kb/faq.en.md".into(), FAQ_EN.as_bytes().to_vec()),
        ("kb/faq.zh.md".into(), FAQ_ZH.as_bytes().to_vec()),
        ("kb/catalog.jsonl".into(), CATALOG.as_bytes().to_vec()),
        ("kb/shipping.md".into(), SHIPPING.as_bytes().to_vec()),
    ]
}

fn quiet() -> IngestOptions {
    IngestOptions { quiet: true, ..IngestOptions::default() }
}

fn embedder() -> Arc<dyn Embedder> {
    Arc::new(HashEmbedder::default())
}

#[derive(Debug, Clone, Copy)]
enum Backend {
    Edge,
    Server,
}

/// The server the remote variants run on. A missing `QDRANT_URL` fails the
/// test: a skipped backend would pass unseen.
fn qdrant_url() -> String {
    std::env::var("QDRANT_URL").unwrap_or_else(|_| {
        panic!("QDRANT_URL is not set: run the tests with scripts/test.sh, which starts a Qdrant server, or point QDRANT_URL at one (gRPC port)")
    })
}

/// A collection name no other test (or earlier run on the same server) uses.
fn fresh_collection() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("tw_test_{}_{nanos}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// An empty index on `backend`; the guard keeps an edge directory alive.
async fn empty_index(backend: Backend) -> (Option<tempfile::TempDir>, Arc<dyn KnowledgeIndex>) {
    match backend {
        Backend::Edge => {
            let dir = tempfile::tempdir().unwrap();
            let index = EdgeIndex::open(dir.path(), embedder()).await.unwrap();
            (Some(dir), Arc::new(index))
        }
        Backend::Server => {
            let index = RemoteIndex::connect(&qdrant_url(), None, &fresh_collection(), embedder()).await.unwrap();
            assert_eq!(index.backend(), "qdrant-server");
            (None, Arc::new(index))
        }
    }
}

async fn fresh_index(backend: Backend) -> (Option<tempfile::TempDir>, Arc<dyn KnowledgeIndex>) {
    let (guard, index) = empty_index(backend).await;
    let summary = ingest(index.as_ref(), fixtures(), &quiet()).await.unwrap();
    assert_eq!(summary.files_indexed, 4, "{summary}");
    (guard, index)
}

/// One test per backend for a behaviour both promise:
/// `name::on_edge` and `name::on_qdrant_server`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_edge() {
                super::$name(super::Backend::Edge).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_qdrant_server() {
                super::$name(super::Backend::Server).await
            }
        }
    )*};
}

on_both_backends!(
    hybrid_search_finds_english_faq_by_paraphrase,
    hybrid_search_finds_chinese_faq_by_chinese_query,
    filters_by_kind_lang_and_sku,
    reingesting_unchanged_documents_writes_nothing,
    changing_a_document_replaces_its_chunks_and_drops_stale_ones,
    invalid_utf8_file_is_skipped_with_reason_while_others_ingest,
    every_hit_carries_source_section_chunk_id_and_score,
    embedded_kb_ingests_and_answers,
    concurrent_searches_and_writes_are_safe,
    search_over_300_chunks_answers_every_kind_of_query,
);

async fn search(index: &dyn KnowledgeIndex, q: SearchQuery) -> Vec<Hit> {
    index.search(&q).await.unwrap()
}

async fn hybrid_search_finds_english_faq_by_paraphrase(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    let hits =
        search(index.as_ref(), SearchQuery::new("How much deposit do you need, and when do I pay the balance?", 3))
            .await;
    assert_eq!(hits[0].chunk.section, "Payment > What payment terms do you accept?", "{hits:#?}");
    assert_eq!(hits[0].chunk.source, "kb/faq.en.md");

    let hits = search(index.as_ref(), SearchQuery::new("how many months of guarantee on the battery", 3)).await;
    assert_eq!(hits[0].chunk.section, "Warranty > How long is the warranty?", "{hits:#?}");
}

async fn hybrid_search_finds_chinese_faq_by_chinese_query(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    let hits = search(index.as_ref(), SearchQuery::new("付款方式有哪些？要付定金吗", 3)).await;
    assert_eq!(hits[0].chunk.section, "付款 > 你们接受哪些付款方式？", "{hits:#?}");
    assert_eq!(hits[0].chunk.lang, "zh");

    let hits = search(index.as_ref(), SearchQuery::new("电池能不能坐飞机运输", 3)).await;
    assert_eq!(hits[0].chunk.section, "运输 > 锂电池可以空运吗？", "{hits:#?}");
}

async fn filters_by_kind_lang_and_sku(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    let q = |kinds: &[&str], lang: Option<&str>, sku: Option<&str>| SearchQuery {
        text: "lithium battery pack shipping 电池".into(),
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        lang: lang.map(str::to_string),
        sku: sku.map(str::to_string),
        limit: 10,
    };

    let hits = search(index.as_ref(), q(&["catalog"], None, None)).await;
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.chunk.kind == "catalog"), "{hits:#?}");

    let hits = search(index.as_ref(), q(&["faq", "shipping"], None, None)).await;
    assert!(hits.iter().any(|h| h.chunk.kind == "faq"));
    assert!(hits.iter().any(|h| h.chunk.kind == "shipping"));
    assert!(hits.iter().all(|h| h.chunk.kind == "faq" || h.chunk.kind == "shipping"));

    let hits = search(index.as_ref(), q(&["faq"], Some("zh"), None)).await;
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.chunk.kind == "faq" && h.chunk.lang == "zh"), "{hits:#?}");

    // SKU filter is case-insensitive on the query side.
    let hits = search(index.as_ref(), q(&[], None, Some("tw-bp-4820"))).await;
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].chunk.sku.as_deref(), Some("TW-BP-4820"));

    let hits = search(index.as_ref(), q(&["no-such-kind"], None, None)).await;
    assert!(hits.is_empty());
}

async fn reingesting_unchanged_documents_writes_nothing(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    let before = index.count().await.unwrap();
    let summary = ingest(index.as_ref(), fixtures(), &quiet()).await.unwrap();
    assert_eq!(summary.chunks_written, 0, "{summary}");
    assert_eq!(summary.chunks_deleted, 0);
    assert_eq!(summary.files_unchanged, 4);
    assert_eq!(summary.files_indexed, 0);
    assert_eq!(index.count().await.unwrap(), before);
}

async fn changing_a_document_replaces_its_chunks_and_drops_stale_ones(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    let before = index.count().await.unwrap();

    // Drop the Warranty section and change the delivery answer.
    let edited = FAQ_EN
        .split("## Warranty")
        .next()
        .unwrap()
        .replace("Sea freight to Europe takes 30 to 40 days", "Sea freight to Europe takes 25 to 35 days via Hamburg");
    let mut docs = fixtures();
    docs[0].1 = edited.into_bytes();
    let summary = ingest(index.as_ref(), docs, &quiet()).await.unwrap();
    assert_eq!(summary.files_indexed, 1, "{summary}");
    assert_eq!(summary.files_unchanged, 3);
    assert_eq!(summary.chunks_written, 4);
    assert_eq!(summary.chunks_deleted, 1);
    assert_eq!(index.count().await.unwrap(), before - 1);

    let warranty =
        SearchQuery { kinds: vec!["faq".into()], lang: Some("en".into()), ..SearchQuery::new("warranty months", 10) };
    let hits = search(index.as_ref(), warranty).await;
    assert!(hits.iter().all(|h| !h.chunk.section.starts_with("Warranty")), "{hits:#?}");

    let hits = search(index.as_ref(), SearchQuery::new("delivery time to Europe via Hamburg", 1)).await;
    assert!(hits[0].chunk.text.contains("25 to 35 days"), "{hits:#?}");

    // Every chunk of the source now carries the new hash.
    let hashes = index.source_hashes().await.unwrap();
    assert_eq!(hashes.len(), 4);
    assert!(hashes.values().all(|h| h.len() == 64));
}

async fn invalid_utf8_file_is_skipped_with_reason_while_others_ingest(backend: Backend) {
    let (_dir, index) = empty_index(backend).await;
    let mut docs = fixtures();
    docs.push(("kb/broken.md".into(), vec![b'#', b' ', 0xff, 0xfe, b'x']));
    docs.push(("kb/empty.md".into(), b"  \n".to_vec()));
    let summary = ingest(index.as_ref(), docs, &quiet()).await.unwrap();
    assert_eq!(summary.files_seen, 6);
    assert_eq!(summary.files_indexed, 4, "{summary}");
    let reason = |s: &str| summary.skipped.iter().find(|(src, _)| src == s).map(|(_, r)| r.clone());
    assert!(reason("kb/broken.md").unwrap().contains("UTF-8"), "{summary}");
    assert!(reason("kb/empty.md").unwrap().contains("empty"), "{summary}");
    assert!(summary.to_string().contains("kb/broken.md"));
    assert!(index.count().await.unwrap() > 0);
}

async fn fresh_edge() -> (tempfile::TempDir, EdgeIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = EdgeIndex::open(dir.path(), embedder()).await.unwrap();
    let summary = ingest(&index, fixtures(), &quiet()).await.unwrap();
    assert_eq!(summary.files_indexed, 4, "{summary}");
    (dir, index)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vacuuming_an_edge_index_keeps_the_live_points_searchable() {
    let (_dir, index) = fresh_edge().await;
    let edited = FAQ_EN
        .replace("Sea freight to Europe takes 30 to 40 days", "Sea freight to Europe takes 25 to 35 days via Hamburg");
    let mut docs = fixtures();
    docs[0].1 = edited.into_bytes();
    ingest(&index, docs, &quiet()).await.unwrap();
    let before = index.count().await.unwrap();
    index.optimize().await.unwrap();
    assert_eq!(index.count().await.unwrap(), before);
    let hits = search(&index, SearchQuery::new("delivery time to Europe via Hamburg", 1)).await;
    assert!(hits[0].chunk.text.contains("25 to 35 days"), "{hits:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_the_directory_keeps_the_points() {
    let (dir, index) = fresh_edge().await;
    let count = index.count().await.unwrap();
    let hashes = index.source_hashes().await.unwrap();
    drop(index);

    let reopened = open_default(dir.path(), embedder()).await.unwrap();
    assert_eq!(reopened.backend(), "qdrant-edge");
    assert_eq!(reopened.count().await.unwrap(), count);
    assert_eq!(reopened.source_hashes().await.unwrap(), hashes);
    let hits = search(reopened.as_ref(), SearchQuery::new("PayPal credit card", 1)).await;
    assert_eq!(hits[0].chunk.section, "Payment > Can I pay by PayPal or credit card?");

    // And ingest after reopening still recognises everything as unchanged.
    let summary = ingest(reopened.as_ref(), fixtures(), &quiet()).await.unwrap();
    assert_eq!(summary.chunks_written, 0, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_embedder_rebuilds_the_index_empty() {
    let (dir, index) = fresh_edge().await;
    assert!(index.count().await.unwrap() > 0);
    drop(index);
    let other: Arc<dyn Embedder> = Arc::new(HashEmbedder::new(128));
    let reopened = EdgeIndex::open(dir.path(), other).await.unwrap();
    assert_eq!(reopened.count().await.unwrap(), 0);
    let summary = ingest(&reopened, fixtures(), &quiet()).await.unwrap();
    assert_eq!(summary.files_indexed, 4);
}

async fn every_hit_carries_source_section_chunk_id_and_score(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    for text in ["battery", "付款", "FOB Shenzhen", "TW-IN-3000 inverter"] {
        let hits = search(index.as_ref(), SearchQuery::new(text, 5)).await;
        assert!(!hits.is_empty(), "{text}");
        for hit in &hits {
            assert!(hit.chunk.source.starts_with("kb/"), "{hit:?}");
            assert!(!hit.chunk.section.is_empty(), "{hit:?}");
            assert!(uuid::Uuid::parse_str(&hit.chunk.id).is_ok(), "{hit:?}");
            assert!(hit.score > 0.0, "{hit:?}");
            assert!(!hit.chunk.text.is_empty());
            assert_eq!(hit.chunk.doc_hash.len(), 64);
            let c = hit.citation();
            assert_eq!(c.source, hit.chunk.source);
            assert_eq!(c.chunk_id.as_deref(), Some(hit.chunk.id.as_str()));
            assert_eq!(c.section.as_deref(), Some(hit.chunk.section.as_str()));
            assert_eq!(c.score, Some(hit.score));
        }
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    }
    // Empty and stopword-only queries return nothing rather than failing.
    assert!(search(index.as_ref(), SearchQuery::new("   ", 5)).await.is_empty());
    assert!(search(index.as_ref(), SearchQuery::new("the of and", 5)).await.is_empty());
}

async fn embedded_kb_ingests_and_answers(backend: Backend) {
    let (_dir, index) = empty_index(backend).await;
    let summary = ingest(index.as_ref(), kb::embedded_documents(), &quiet()).await.unwrap();
    assert!(summary.skipped.is_empty(), "{summary}");
    assert_eq!(summary.files_indexed, 6);
    let count = index.count().await.unwrap();
    assert!(count > 0);
    assert_eq!(count, summary.chunks_written);
    let hits = search(
        index.as_ref(),
        SearchQuery {
            kinds: vec!["faq".into()],
            lang: Some("en".into()),
            ..SearchQuery::new("What payment terms do you accept?", 1)
        },
    )
    .await;
    assert_eq!(hits[0].chunk.source, "kb/faq.en.md");
    println!("embedded kb: {summary}");
}

async fn concurrent_searches_and_writes_are_safe(backend: Backend) {
    let (_dir, index) = fresh_index(backend).await;
    let mut tasks = Vec::new();
    for t in 0..32 {
        let index = Arc::clone(&index);
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                let q = if (t + i) % 2 == 0 { "payment deposit" } else { "锂电池 空运" };
                let hits = index.search(&SearchQuery::new(q, 3)).await.unwrap();
                assert!(!hits.is_empty());
            }
        }));
    }
    let writer = {
        let index = Arc::clone(&index);
        tokio::spawn(async move {
            for round in 0..5 {
                let text = format!("{SHIPPING}\n## Note {round}\nRevision {round} of the shipping notes.\n");
                let docs = vec![("kb/shipping.md".to_string(), text.into_bytes())];
                ingest(index.as_ref(), docs, &quiet()).await.unwrap();
            }
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    writer.await.unwrap();
    let hits = index.search(&SearchQuery::new("Revision 4 shipping notes", 1)).await.unwrap();
    assert_eq!(hits[0].chunk.section, "Note 4", "{hits:#?}");
}

/// Hybrid search on ~300 chunks (the embedded knowledge base plus synthetic
/// notes) answers every kind of query; how fast is `tradewind bench parts`.
async fn search_over_300_chunks_answers_every_kind_of_query(backend: Backend) {
    let (_dir, index) = empty_index(backend).await;
    let mut docs = kb::embedded_documents();
    let mut extra = String::from("# Product notes\n");
    for i in 0..150 {
        extra.push_str(&format!(
            "\n## Note {i}\nModel {i} ships in cartons of {} units; lead time {} days; 型号{i}每箱{}件。\n",
            10 + i % 7,
            15 + i % 20,
            10 + i % 7
        ));
    }
    docs.push(("kb/notes.md".into(), extra.into_bytes()));
    ingest(index.as_ref(), docs, &quiet()).await.unwrap();
    let n_chunks = index.count().await.unwrap();
    assert!(n_chunks >= 280, "{n_chunks}");

    let queries = [
        SearchQuery::new("What payment terms do you accept?", 5),
        SearchQuery::new("锂电池海运需要什么文件", 5),
        SearchQuery { kinds: vec!["catalog".into()], ..SearchQuery::new("48V e-bike battery 20Ah", 5) },
        SearchQuery { kinds: vec!["faq".into()], lang: Some("zh".into()), ..SearchQuery::new("质保多久", 5) },
        SearchQuery { sku: Some("TW-BP-4820".into()), ..SearchQuery::new("price tiers MOQ", 5) },
    ];
    for q in &queries {
        let hits = index.search(q).await.unwrap();
        assert!(!hits.is_empty(), "{q:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_to_a_server_collection_keeps_the_points() {
    let collection = fresh_collection();
    let index = RemoteIndex::connect(&qdrant_url(), None, &collection, embedder()).await.unwrap();
    ingest(&index, fixtures(), &quiet()).await.unwrap();
    let count = index.count().await.unwrap();
    let hashes = index.source_hashes().await.unwrap();
    drop(index);

    let again = RemoteIndex::connect(&qdrant_url(), None, &collection, embedder()).await.unwrap();
    assert_eq!(again.count().await.unwrap(), count);
    assert_eq!(again.source_hashes().await.unwrap(), hashes);
    let summary = ingest(&again, fixtures(), &quiet()).await.unwrap();
    assert_eq!(summary.chunks_written, 0, "{summary}");
}

/// The server keeps what an embedder wrote; mixing vectors of two embedders
/// in one collection would make every search quietly wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_collection_built_by_another_embedder_is_refused() {
    let collection = fresh_collection();
    RemoteIndex::connect(&qdrant_url(), None, &collection, embedder()).await.unwrap();
    let other: Arc<dyn Embedder> = Arc::new(HashEmbedder::new(128));
    let err = RemoteIndex::connect(&qdrant_url(), None, &collection, other).await.unwrap_err();
    assert!(err.to_string().contains("dimension") || err.to_string().contains("embedder"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_a_clear_error() {
    let err = RemoteIndex::connect("http://127.0.0.1:9", None, "tw_nowhere", embedder()).await.unwrap_err();
    assert!(err.to_string().contains("qdrant server"), "{err}");
}

/// A small index answers inline on the async worker; past a couple of
/// thousand points searches move to blocking threads, so that a big index
/// cannot stall the runtime. Here on a current-thread runtime, where a
/// stalled worker would stall everything: a timer task keeps ticking while
/// searches run.
#[tokio::test(flavor = "current_thread")]
async fn a_large_edge_index_searches_off_the_async_worker() {
    let (_dir, index) = fresh_edge().await;
    assert!(!index.searches_off_runtime());
    let mut notes = String::from("# Bulk notes\n");
    for i in 0..2_100 {
        notes.push_str(&format!("\n## Item {i}\nItem {i} ships from Ningbo in cartons of {} units.\n", 10 + i % 13));
    }
    ingest(&index, vec![("kb/bulk.md".into(), notes.into_bytes())], &quiet()).await.unwrap();
    assert!(index.count().await.unwrap() > 2_000);
    assert!(index.searches_off_runtime());

    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let ticks = Arc::clone(&ticks);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    for i in 0..50 {
        let hits = search(&index, SearchQuery::new(format!("Item {} cartons Ningbo", i * 37), 5)).await;
        assert!(!hits.is_empty());
    }
    ticker.abort();
    assert!(ticks.load(Ordering::Relaxed) > 0, "the timer never ran while searches were in flight");
}
