//! `tradewind bench`: throughput and latency figures, printed so runs can be
//! compared. Figures live here, never in timed tests.
//!
//! Settings: offline brain with in-process memory (on one core), offline
//! brain with Redis, the OpenAI brain against the scripted server at a fixed
//! per-completion latency (with fan-out efficiency), and many concurrent
//! inquiries in one process (errors and peak RSS).

pub mod cluster;
pub mod corpus;
pub mod faults;
pub mod knowledge;
pub mod llm;
pub mod parts;
pub mod screening;

use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tradewind_app::{App, AppError, BuildOptions, Config, IncomingMessage};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_scripted_llm::ScriptedLlm;

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Inquiries per offline setting.
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
    /// Inquiries for the scripted-LLM setting.
    #[arg(long, default_value_t = 40)]
    pub llm_n: usize,
    /// Fixed latency of each scripted completion, in ms.
    #[arg(long, default_value_t = 200)]
    pub llm_latency_ms: u64,
    /// Inquiries in flight at once in the concurrency setting.
    #[arg(long, default_value_t = 1000)]
    pub concurrent: usize,
    /// Settings to run, comma-separated: offline-inproc, offline-redis, openai-scripted, concurrent.
    #[arg(long, default_value = "concurrent,offline-inproc,offline-redis,openai-scripted")]
    pub only: String,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Turn the knowledge query cache off, to see what it saves.
    #[arg(long)]
    pub no_cache: bool,
    /// `tradewind bench cluster`: gateway → Redis Streams → workers.
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum BenchCommand {
    /// Inquiries/s and queueing overhead end to end through a gateway, Redis Streams and workers (needs REDIS_URL).
    Cluster(crate::cluster::ClusterBenchArgs),
    /// The speed of single parts: intake parsing, embedding, hybrid search, memory traffic.
    Parts(crate::parts::PartsArgs),
    /// Inquiries lost or failed across a Redis restart and a Redis kill -9 (needs redis-server).
    Faults(crate::faults::FaultsArgs),
    /// The swarm when the model is the bottleneck: throughput against Little's bound, CPU per inquiry and per model call, RSS.
    Llm(crate::llm::LlmBenchArgs),
    /// Ingest chunks/s and hybrid top-5 search latency on a large generated knowledge base (100k chunks).
    Knowledge(crate::knowledge::KnowledgeBenchArgs),
    /// Latency of screening one name against the lists in force (imported, or the demo list), on one core.
    Screening(crate::screening::ScreeningBenchArgs),
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Figures {
    pub setting: String,
    pub inquiries: usize,
    pub concurrency: usize,
    pub errors: usize,
    pub throughput_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fanout_efficiency_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fanout_efficiency_p99: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_mb: Option<f64>,
    /// Share of knowledge searches the query cache answered in the timed run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_hit_rate: Option<f64>,
    /// Where an inquiry's time went, mean ms per inquiry: the swarm's own
    /// phases (agents run concurrently, so they overlap in the fan-out), and
    /// the rest of `handle_message` (review desk, storing, masking).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub phases_ms: std::collections::BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The inquiries of a run: distinct generated texts, each from a customer
/// of its own, so neither the query cache nor conversation memory sees a
/// repeat (`corpus.rs`).
struct Corpus(Arc<Vec<String>>);

impl Corpus {
    fn new(app: &App, n: usize) -> Corpus {
        let texts = corpus::generate(&app.swarm.env().services.catalog, n.max(1), corpus::SEED);
        Corpus(Arc::new(texts))
    }

    fn message(&self, i: usize) -> IncomingMessage {
        let text = self.0.get(i % self.0.len().max(1)).cloned().unwrap_or_default();
        IncomingMessage::new("bench", format!("customer-{i}"), text)
    }
}

/// The query cache's hit share between two readings of its counters.
fn hit_rate(app: &App, before: (u64, u64)) -> Option<f64> {
    let (lookups, served) = app.query_cache.as_ref()?.stats();
    let asked = lookups.saturating_sub(before.0);
    (asked > 0).then(|| served.saturating_sub(before.1) as f64 / asked as f64)
}

fn cache_counters(app: &App) -> (u64, u64) {
    app.query_cache.as_ref().map_or((0, 0), |c| c.stats())
}

/// Peak resident set size of this process, from /proc (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench_config(base: &Config, dir: &std::path::Path) -> Config {
    let mut c = base.clone();
    c.knowledge.data_dir = dir.join("knowledge");
    c.knowledge.kb_dir = None;
    // In-process sinks: writing files would measure the disk, not the swarm.
    c.sinks.sales = "memory".into();
    c.sinks.logistics = "memory".into();
    c.sinks.customer_service = "memory".into();
    c.memory.prefix = format!("twbench:{}:", std::process::id());
    // The same for transcript files: the benchmark measures the swarm.
    c.memory.export_transcripts = false;
    c
}

/// Runs `n` inquiries, `concurrency` at a time, on the current runtime.
/// Sums of the swarm's phase timings over a run (see `Figures::phases_ms`).
#[derive(Default)]
struct Phases(std::collections::BTreeMap<String, f64>, usize);

impl Phases {
    fn add(&mut self, handled_ms: f64, t: &tradewind_core::Timings) {
        let mut put = |k: &str, v: f64| *self.0.entry(k.to_string()).or_insert(0.0) += v;
        put("intake", t.intake_ms);
        for (agent, ms) in &t.agents {
            put(&format!("agent {agent}"), *ms);
        }
        put("fan-out", t.fanout_ms);
        put("swarm", t.total_ms);
        put("outside the swarm", (handled_ms - t.total_ms).max(0.0));
        self.1 += 1;
    }

    fn means(&self) -> std::collections::BTreeMap<String, f64> {
        self.0.iter().map(|(k, v)| (k.clone(), v / self.1.max(1) as f64)).collect()
    }
}

thread_local! {
    /// The phases of the last `drive` on this thread.
    static LAST_PHASES: std::cell::RefCell<std::collections::BTreeMap<String, f64>> = Default::default();
}

async fn drive(
    app: &App,
    corpus: &Corpus,
    from: usize,
    n: usize,
    concurrency: usize,
) -> (Vec<f64>, Vec<f64>, usize, Duration) {
    let mut phases = Phases::default();
    let mut lat = Vec::with_capacity(n);
    let mut eff = Vec::new();
    let mut errors = 0;
    let start = Instant::now();
    let mut set = JoinSet::new();
    let mut next = 0usize;
    while next < n || !set.is_empty() {
        while next < n && set.len() < concurrency {
            let app = app.clone();
            let msg = corpus.message(from + next);
            set.spawn(async move {
                let t = Instant::now();
                let r = app.handle_message(msg).await;
                (t.elapsed().as_secs_f64() * 1000.0, r)
            });
            next += 1;
        }
        match set.join_next().await {
            Some(Ok((ms, Ok(r)))) => {
                lat.push(ms);
                phases.add(ms, &r.timings);
                let t = &r.timings;
                let slowest = t.agents.values().copied().fold(0.0, f64::max);
                if slowest > 0.0 {
                    eff.push(t.fanout_ms / slowest);
                }
            }
            Some(Ok((_, Err(AppError::BadInput(_))))) => {}
            Some(Ok((_, Err(_)))) | Some(Err(_)) => errors += 1,
            None => break,
        }
    }
    let wall = start.elapsed();
    lat.sort_by(f64::total_cmp);
    eff.sort_by(f64::total_cmp);
    LAST_PHASES.with(|p| *p.borrow_mut() = phases.means());
    (lat, eff, errors, wall)
}

fn figures(setting: &str, n: usize, concurrency: usize, lat: &[f64], errors: usize, wall: Duration) -> Figures {
    Figures {
        setting: setting.into(),
        inquiries: n,
        concurrency,
        errors,
        throughput_per_s: lat.len() as f64 / wall.as_secs_f64().max(1e-9),
        p50_ms: percentile(lat, 0.50),
        p99_ms: percentile(lat, 0.99),
        ..Default::default()
    }
}

/// Inquiries run before timing, to open connections and load code pages;
/// they are texts of their own, so they warm no cache entry the timed run uses.
const WARM_UP: usize = 50;

async fn offline_setting(
    base: &Config,
    name: &str,
    n: usize,
    redis: Option<String>,
    no_cache: bool,
) -> Result<Figures, AppError> {
    let dir = tempdir()?;
    let mut cfg = bench_config(base, &dir);
    cfg.memory.redis_url = redis;
    if no_cache {
        cfg.knowledge.query_cache_entries = 0;
    }
    let (app, _) = App::build(cfg, BuildOptions { ingest: true, quiet: true }, None).await?;
    let corpus = Corpus::new(&app, WARM_UP + n);
    let _ = drive(&app, &corpus, n, WARM_UP, 1).await;
    let before = cache_counters(&app);
    // One core: the inquiries run on a current-thread runtime of their own.
    let app2 = app.clone();
    let corpus2 = Corpus(corpus.0.clone());
    let ((lat, _, errors, wall), phases) = std::thread::scope(|s| {
        s.spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let out = rt.block_on(drive(&app2, &corpus2, 0, n, 1));
            Ok::<_, AppError>((out, LAST_PHASES.with(|p| p.borrow().clone())))
        })
        .join()
        .map_err(|_| AppError::Internal("benchmark thread panicked".into()))?
    })?;
    let mut f = figures(name, n, 1, &lat, errors, wall);
    f.cache_hit_rate = hit_rate(&app, before);
    f.phases_ms = phases;
    // qdrant-edge flushes when the index drops, so the folder must outlive the app.
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(f)
}

fn tempdir() -> Result<std::path::PathBuf, AppError> {
    let d =
        std::env::temp_dir().join(format!("tradewind-bench-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(d)
}

pub async fn run(base: Config, args: BenchArgs) -> Result<Vec<Figures>, AppError> {
    match args.command.clone() {
        Some(BenchCommand::Cluster(c)) => {
            crate::cluster::run(base, c).await?;
            return Ok(Vec::new());
        }
        Some(BenchCommand::Parts(p)) => {
            crate::parts::run(p).await?;
            return Ok(Vec::new());
        }
        Some(BenchCommand::Faults(f)) => {
            crate::faults::run(base, f).await?;
            return Ok(Vec::new());
        }
        Some(BenchCommand::Llm(l)) => {
            crate::llm::run(base, l).await?;
            return Ok(Vec::new());
        }
        Some(BenchCommand::Knowledge(k)) => {
            crate::knowledge::run(k).await?;
            return Ok(Vec::new());
        }
        Some(BenchCommand::Screening(s)) => {
            crate::screening::run(base, s).await?;
            return Ok(Vec::new());
        }
        None => {}
    }
    let only: Vec<&str> = args.only.split(',').map(str::trim).collect();
    let mut all = Vec::new();
    let say = |f: &Figures| {
        if !args.json {
            print_row(f);
        }
    };
    if !args.json {
        println!(
            "{:<18} {:>6} {:>5} {:>6} {:>11} {:>9} {:>9} {:>9} {:>9} {:>7}",
            "setting", "n", "conc", "errors", "inq/s", "p50 ms", "p99 ms", "fan-out", "RSS MB", "cache"
        );
    }
    if only.contains(&"concurrent") {
        let dir = tempdir()?;
        let mut cfg = bench_config(&base, &dir);
        let n = args.concurrent;
        // All of them in flight for real: the application's own limit
        // (`[limits] max_inflight`, 64 by default) would queue the rest.
        cfg.limits.max_inflight = n.max(1);
        if args.no_cache {
            cfg.knowledge.query_cache_entries = 0;
        }
        let (app, _) = App::build(cfg, BuildOptions { ingest: true, quiet: true }, None).await?;
        let corpus = Corpus::new(&app, n);
        let before = cache_counters(&app);
        let (lat, _, errors, wall) = drive(&app, &corpus, 0, n, n).await;
        let mut f = figures("concurrent", n, n, &lat, errors, wall);
        f.peak_rss_mb = peak_rss_mb();
        f.cache_hit_rate = hit_rate(&app, before);
        f.note = Some(format!(
            "offline brain, in-process memory, in-memory sinks, {n} distinct generated inquiries all in flight at once (max_inflight = {n}), tokio multi-thread runtime on {} cores, query cache {}",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            if args.no_cache { "off" } else { "on" }
        ));
        say(&f);
        all.push(f);
        drop(app);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if only.contains(&"offline-inproc") {
        let mut f = offline_setting(&base, "offline-inproc", args.n, None, args.no_cache).await?;
        f.note = Some(format!(
            "offline brain, in-process memory, in-memory sinks, {} distinct generated inquiries one at a time on a current-thread runtime (one core), after {WARM_UP} other ones; query cache {}",
            args.n,
            if args.no_cache { "off" } else { "on" }
        ));
        say(&f);
        all.push(f);
    }
    if only.contains(&"offline-redis") {
        let url = base.memory.redis_url.clone().or_else(|| std::env::var("REDIS_URL").ok());
        let f = match url {
            Some(url) => {
                let mut f = offline_setting(&base, "offline-redis", args.n, Some(url), args.no_cache).await?;
                f.note = Some(format!(
                    "offline brain, Redis memory, in-memory sinks, {} distinct generated inquiries one at a time on a current-thread runtime (one core); query cache {}",
                    args.n,
                    if args.no_cache { "off" } else { "on" }
                ));
                f
            }
            None => Figures {
                setting: "offline-redis".into(),
                note: Some("not run: set REDIS_URL (scripts/bench.sh starts a redis-server for you)".into()),
                ..Default::default()
            },
        };
        say(&f);
        all.push(f);
    }
    if only.contains(&"openai-scripted") {
        let latency = Duration::from_millis(args.llm_latency_ms);
        let server = ScriptedLlm::start_auto(latency).await.map_err(|e| AppError::Internal(e.to_string()))?;
        let dir = tempdir()?;
        let mut cfg = bench_config(&base, &dir);
        if args.no_cache {
            cfg.knowledge.query_cache_entries = 0;
        }
        let brain = OpenAiBrain::new(OpenAiConfig {
            base_url: server.base_url(),
            api_key: Some("bench".into()),
            model: "scripted".into(),
            call_timeout: Duration::from_secs(10),
            max_retries: 0,
            ..OpenAiConfig::default()
        })
        .map_err(|e| AppError::Config(e.to_string()))?;
        let (app, _) = App::build(cfg, BuildOptions { ingest: true, quiet: true }, Some(Arc::new(brain))).await?;
        let n = args.llm_n;
        let conc = n.min(20);
        let corpus = Corpus::new(&app, n);
        let before = cache_counters(&app);
        let (lat, eff, errors, wall) = drive(&app, &corpus, 0, n, conc).await;
        let mut f = figures("openai-scripted", n, conc, &lat, errors, wall);
        f.fanout_efficiency_mean = Some(eff.iter().sum::<f64>() / eff.len().max(1) as f64);
        f.fanout_efficiency_p99 = Some(percentile(&eff, 0.99));
        f.cache_hit_rate = hit_rate(&app, before);
        f.note = Some(format!(
            "OpenAI-compatible brain (async-openai's types, reqwest for the exchange) against the scripted server in this process at {} ms per completion, {conc} inquiries in flight; fan-out = fan-out wall time / slowest branch",
            args.llm_latency_ms
        ));
        say(&f);
        all.push(f);
        drop(app);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if args.json {
        println!("{}", serde_json::json!({ "figures": all, "peak_rss_mb": peak_rss_mb() }));
    } else {
        for f in &all {
            if let Some(n) = &f.note {
                println!("  {}: {}", f.setting, n);
            }
            if !f.phases_ms.is_empty() {
                let parts: Vec<String> = f.phases_ms.iter().map(|(k, v)| format!("{k} {v:.3}")).collect();
                println!("  {} mean ms per inquiry: {}", f.setting, parts.join(", "));
            }
        }
    }
    Ok(all)
}

fn print_row(f: &Figures) {
    let opt = |v: Option<f64>, p: usize| v.map(|x| format!("{x:.p$}")).unwrap_or_else(|| "-".into());
    println!(
        "{:<18} {:>6} {:>5} {:>6} {:>11.1} {:>9.3} {:>9.3} {:>9} {:>9} {:>7}",
        f.setting,
        f.inquiries,
        f.concurrency,
        f.errors,
        f.throughput_per_s,
        f.p50_ms,
        f.p99_ms,
        opt(f.fanout_efficiency_mean, 3),
        opt(f.peak_rss_mb, 1),
        f.cache_hit_rate.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "-".into())
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_uses_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
