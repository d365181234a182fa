//! `tradewind bench parts`: the speed of single parts, measured here rather
//! than asserted in tests (a loaded 2-core CI would make such asserts
//! flaky): intake parsing, query embedding, hybrid search on a small index,
//! and a burst of memory traffic.

use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_app::{knowledge_documents, AppError};
use tradewind_core::{AgentOutcome, CustomerId, Lang, StructuredInquiry, SwarmResult};
use tradewind_knowledge::{ingest, EdgeIndex, Embedder, HashEmbedder, IngestOptions, KnowledgeIndex, SearchQuery};
use tradewind_memory::{CustomerFacts, InProcessMemory, Memory, Turn};
use tradewind_nlp::Intake;

#[derive(Debug, Clone, clap::Args)]
pub struct PartsArgs {
    /// Repetitions of each timed operation.
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One part's figure: what was timed, how often, and the time per operation.
#[derive(Debug, Clone, Serialize)]
pub struct PartFigure {
    pub part: String,
    /// What one operation is, and on what input.
    pub measured: String,
    pub ops: usize,
    pub mean_us: f64,
    pub p99_us: f64,
}

fn figure(part: &str, measured: &str, mut samples: Vec<Duration>) -> PartFigure {
    samples.sort();
    let n = samples.len().max(1);
    let mean = samples.iter().map(Duration::as_secs_f64).sum::<f64>() / n as f64;
    let p99 = samples.get((n * 99 / 100).min(n.saturating_sub(1))).copied().unwrap_or_default();
    PartFigure {
        part: part.into(),
        measured: measured.into(),
        ops: samples.len(),
        mean_us: mean * 1e6,
        p99_us: p99.as_secs_f64() * 1e6,
    }
}

/// A stored result of the size a real one has (an empty inquiry).
fn result(inquiry_id: &str) -> SwarmResult {
    SwarmResult {
        inquiry_id: inquiry_id.to_string(),
        customer: "c:bench:0".into(),
        inquiry: StructuredInquiry::empty(Lang::En),
        reply: "Thank you.".into(),
        proposal: AgentOutcome::Skipped { reason: "bench".into() },
        customs: AgentOutcome::Skipped { reason: "bench".into() },
        faq_cards: AgentOutcome::Done { value: Vec::new() },
        others: Default::default(),
        degraded: Vec::new(),
        thread: None,
        timings: Default::default(),
        strategy: None,
        message: None,
    }
}

fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let t = Instant::now();
    std::hint::black_box(f());
    t.elapsed()
}

pub async fn run(args: PartsArgs) -> Result<Vec<PartFigure>, AppError> {
    let n = args.n.max(10);
    let (docs, catalog) = knowledge_documents(None)?;
    let intake = Intake::new(&catalog);
    let mut out = Vec::new();

    let messages = [
        ("en", "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH, +49 40 1234567"),
        ("zh", "您好！我们是西贡光能有限公司，需要三百台5kW单相混合逆变器和两百个51.2V 100Ah储能电池，发到胡志明市，CIF。联系人：阮明"),
    ];
    for (lang, text) in messages {
        let samples = (0..n).map(|_| time(|| intake.parse(std::hint::black_box(text)))).collect();
        out.push(figure("intake", &format!("Intake::parse, one {lang} sample message"), samples));
    }
    let mut big = String::with_capacity(1 << 20);
    while big.len() < (1 << 20) {
        big.push_str("800 pcs 48V 20Ah battery packs to Hamburg, 汉堡 两千个 +49 40 1234567 a@b.de ");
    }
    let samples = (0..5).map(|_| time(|| intake.parse(&big))).collect();
    out.push(figure("intake", "Intake::parse, a 1 MB message (capped scan)", samples));

    let embedder = HashEmbedder::default();
    let queries =
        ["Do you ship 48V lithium battery packs to Hamburg?", "锂电池海运需要什么文件", "What is your lead time?"];
    let samples = (0..n).map(|i| time(|| embedder.embed_one(queries[i % queries.len()]))).collect();
    out.push(figure("embed", "HashEmbedder::embed_one, a short query", samples));

    let dir = std::env::temp_dir().join(format!("tradewind-bench-parts-{}", std::process::id()));
    let index = EdgeIndex::open(&dir, Arc::new(HashEmbedder::default()) as Arc<dyn Embedder>)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    ingest(&index, docs, &IngestOptions { quiet: true, ..IngestOptions::default() })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let chunks = index.count().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let search = [
        SearchQuery::new("What payment terms do you accept?", 5),
        SearchQuery::new("锂电池海运需要什么文件", 5),
        SearchQuery { kinds: vec!["catalog".into()], ..SearchQuery::new("48V e-bike battery 20Ah", 5) },
    ];
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        index.search(&search[i % search.len()]).await.map_err(|e| AppError::Internal(e.to_string()))?;
        samples.push(t.elapsed());
    }
    out.push(figure("search", &format!("EdgeIndex hybrid top-5, no query cache, {chunks} chunks"), samples));
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);

    let mem = Arc::new(InProcessMemory::default());
    let t = Instant::now();
    let tasks: Vec<_> = (0..1000u64)
        .map(|i| {
            let mem = mem.clone();
            async move {
                let id = CustomerId::channel("bench", &(i % 50).to_string());
                let inq = format!("bench-{i}");
                mem.load_customer(&id).await?;
                mem.remember(&id, &CustomerFacts { company: Some("Bench Co".into()), ..Default::default() }).await?;
                let turn = Turn { role: "customer".into(), text: "q".into(), at_ms: i, inquiry_id: inq.clone() };
                mem.push_turns(&id, &[turn]).await?;
                mem.save_result(&result(&inq)).await
            }
        })
        .collect();
    for r in futures::future::join_all(tasks).await {
        r.map_err(|e| AppError::Unavailable(e.to_string()))?;
    }
    out.push(figure(
        "memory",
        "in-process memory: 1000 concurrent inquiries' reads and writes, as one burst",
        vec![t.elapsed()],
    ));

    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| AppError::Internal(e.to_string()))?);
    } else {
        println!("{:<8} {:>8} {:>12} {:>12}  measured", "part", "ops", "mean µs", "p99 µs");
        for f in &out {
            println!("{:<8} {:>8} {:>12.1} {:>12.1}  {}", f.part, f.ops, f.mean_us, f.p99_us, f.measured);
        }
    }
    Ok(out)
}
