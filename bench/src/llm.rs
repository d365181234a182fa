//! `tradewind bench llm` and `tradewind scripted-llm`: the swarm when the
//! model is the bottleneck. Waiting on a model costs no CPU, so with C
//! inquiries in flight and a critical path of L seconds of model time, the
//! best a client can do is C / L inquiries/s (Little's law); this reports
//! how close we come, and what each inquiry and each model call costs us in
//! CPU (getrusage of this process only: the scripted server runs as a
//! process of its own, started from this binary).

use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;
use tradewind_app::{App, AppError, BuildOptions, Config};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_scripted_llm::ScriptedLlm;

#[derive(Debug, Clone, clap::Args)]
pub struct LlmBenchArgs {
    /// An OpenAI-compatible endpoint (`http://host:port/v1`). Without it, the
    /// scripted server is started as a separate process.
    #[arg(long)]
    pub base_url: Option<String>,
    /// The model name sent to the endpoint.
    #[arg(long, default_value = "scripted")]
    pub model: String,
    /// Latency of each completion of the scripted server, in ms.
    #[arg(long, default_value_t = 200)]
    pub latency_ms: u64,
    /// Inquiries in flight at once.
    #[arg(long, default_value_t = 200)]
    pub concurrency: usize,
    /// Timed inquiries, each a distinct generated text.
    #[arg(long, default_value_t = 1_000)]
    pub n: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ScriptedLlmArgs {
    /// Latency of every completion and embedding, in ms.
    #[arg(long, default_value_t = 200)]
    pub latency_ms: u64,
    /// Loopback port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Width of the deterministic embeddings.
    #[arg(long, default_value_t = tradewind_scripted_llm::DEFAULT_EMBEDDING_DIM)]
    pub dim: usize,
}

/// Runs the scripted server until SIGINT or SIGTERM. The first line on
/// standard output is its base URL, for whoever started it.
pub async fn serve_scripted(args: ScriptedLlmArgs) -> Result<(), AppError> {
    let server = ScriptedLlm::start_auto_on_port(Duration::from_millis(args.latency_ms), args.dim, args.port)
        .await
        .map_err(|e| AppError::Unavailable(format!("scripted LLM server: {e}")))?;
    println!("{}", server.base_url());
    eprintln!(
        "scripted OpenAI-compatible server on {} ({} ms per completion); Ctrl-C stops it",
        server.base_url(),
        args.latency_ms
    );
    wait_for_stop().await;
    server.shutdown().await;
    Ok(())
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The scripted server as a child process; killed when dropped (`kill_on_drop`).
struct ChildServer {
    /// Held only so that dropping the server kills the process.
    _child: tokio::process::Child,
    base_url: String,
}

impl ChildServer {
    async fn start(latency_ms: u64) -> Result<ChildServer, AppError> {
        let exe = std::env::current_exe().map_err(|e| AppError::Internal(format!("own executable: {e}")))?;
        let mut child = tokio::process::Command::new(exe)
            .args(["scripted-llm", "--latency-ms", &latency_ms.to_string(), "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| AppError::Internal(format!("starting the scripted server: {e}")))?;
        let stdout = child.stdout.take().ok_or_else(|| AppError::Internal("scripted server: no stdout".into()))?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .map_err(|_| AppError::Internal("scripted server did not start within 10 s".into()))?
            .map_err(|e| AppError::Internal(format!("scripted server: {e}")))?
            .ok_or_else(|| AppError::Internal("scripted server exited at start".into()))?;
        Ok(ChildServer { _child: child, base_url: first.trim().to_string() })
    }
}

/// CPU time (user + system) this process has used.
pub fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec.max(0) as u64, (t.tv_usec.max(0) as u32) * 1_000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Resident set size now, from /proc (Linux).
pub fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[derive(Debug, Clone, Serialize)]
pub struct LlmFigures {
    pub endpoint: String,
    pub concurrency: usize,
    pub inquiries: usize,
    pub errors: usize,
    pub wall_s: f64,
    pub throughput_per_s: f64,
    /// Median latency of one inquiry alone (C = 1): the critical path.
    pub critical_path_ms: f64,
    /// concurrency / critical path: what a client that costs nothing would reach.
    pub littles_bound_per_s: f64,
    pub share_of_bound: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub model_calls: u64,
    pub calls_per_inquiry: f64,
    pub cpu_ms_per_inquiry: f64,
    pub cpu_ms_per_call: f64,
    pub peak_rss_mb: Option<f64>,
    /// Resident set size after each 1,000 timed inquiries.
    pub rss_mb_by_thousand: Vec<f64>,
    pub note: String,
}

pub async fn run(base: Config, args: LlmBenchArgs) -> Result<LlmFigures, AppError> {
    let (child, base_url) = match &args.base_url {
        Some(url) => (None, url.clone()),
        None => {
            let child = ChildServer::start(args.latency_ms).await?;
            let url = child.base_url.clone();
            (Some(child), url)
        }
    };
    let dir = crate::tempdir()?;
    let mut cfg = crate::bench_config(&base, &dir);
    let concurrency = args.concurrency.max(1);
    cfg.limits.max_inflight = cfg.limits.max_inflight.max(concurrency);
    let brain = OpenAiBrain::new(OpenAiConfig {
        base_url: base_url.clone(),
        api_key: Some("bench".into()),
        model: args.model.clone(),
        call_timeout: Duration::from_secs(30),
        max_retries: 0,
        ..OpenAiConfig::default()
    })
    .map_err(|e| AppError::Config(e.to_string()))?;
    let brain = Arc::new(brain);
    let (app, _) = App::build(cfg, BuildOptions { ingest: true, quiet: true }, Some(brain.clone())).await?;
    let n = args.n.max(1);
    let warm = 5usize;
    let corpus = crate::Corpus::new(&app, n + warm + concurrency.min(64));

    // The critical path: a few inquiries alone (they also open the
    // connection pool and load code pages, so they are not timed below).
    let (alone, _, _, _) = crate::drive(&app, &corpus, n, warm, 1).await;
    let critical_path_ms = crate::percentile(&alone, 0.5);

    let calls_before = brain_calls(&app);
    let cpu_before = cpu_time();
    let mut rss_marks = Vec::new();
    let start = Instant::now();
    let mut lat = Vec::with_capacity(n);
    let mut errors = 0usize;
    let mut set = tokio::task::JoinSet::new();
    let mut next = 0usize;
    let mut done = 0usize;
    while next < n || !set.is_empty() {
        while next < n && set.len() < concurrency {
            let app = app.clone();
            let msg = corpus.message(next);
            set.spawn(async move {
                let t = Instant::now();
                let r = app.handle_message(msg).await;
                (t.elapsed().as_secs_f64() * 1000.0, r.is_ok())
            });
            next += 1;
        }
        match set.join_next().await {
            Some(Ok((ms, true))) => lat.push(ms),
            Some(_) => errors += 1,
            None => break,
        }
        done += 1;
        if done.is_multiple_of(1000) {
            rss_marks.push(rss_mb().unwrap_or(0.0));
        }
    }
    let wall = start.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    let calls = brain_calls(&app).saturating_sub(calls_before);
    lat.sort_by(f64::total_cmp);
    let ok = lat.len();
    let throughput = ok as f64 / wall.as_secs_f64().max(1e-9);
    let bound = concurrency as f64 / (critical_path_ms / 1000.0).max(1e-9);
    let figures = LlmFigures {
        endpoint: if child.is_some() {
            format!("scripted server, own process, {} ms per call", args.latency_ms)
        } else {
            base_url.clone()
        },
        concurrency,
        inquiries: n,
        errors,
        wall_s: wall.as_secs_f64(),
        throughput_per_s: throughput,
        critical_path_ms,
        littles_bound_per_s: bound,
        share_of_bound: throughput / bound.max(1e-9),
        p50_ms: crate::percentile(&lat, 0.5),
        p99_ms: crate::percentile(&lat, 0.99),
        model_calls: calls,
        calls_per_inquiry: calls as f64 / n as f64,
        cpu_ms_per_inquiry: cpu.as_secs_f64() * 1e3 / n as f64,
        cpu_ms_per_call: cpu.as_secs_f64() * 1e3 / calls.max(1) as f64,
        peak_rss_mb: crate::peak_rss_mb(),
        rss_mb_by_thousand: rss_marks,
        note: format!(
            "OpenAI brain (reqwest) on every model agent, offline tools, in-process memory, in-memory sinks; {n} distinct \
             generated inquiries, {concurrency} in flight, tokio multi-thread runtime on {} cores; CPU from getrusage of \
             this process only (the model server is another process); critical path = median of {warm} inquiries \
             run alone",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        ),
    };
    drop(app);
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures).map_err(|e| AppError::Internal(e.to_string()))?);
    } else {
        let f = &figures;
        println!("bench llm: {} at C = {}", f.endpoint, f.concurrency);
        // A real model on a CPU answers a few inquiries a minute; one
        // decimal would print those as 0.0/s.
        let rate = |r: f64| if r < 10.0 { format!("{r:.3}") } else { format!("{r:.1}") };
        println!(
            "  {} inquiries in {:.1} s, {} errors: {} inquiries/s; p50 {:.0} ms, p99 {:.0} ms",
            f.inquiries,
            f.wall_s,
            f.errors,
            rate(f.throughput_per_s),
            f.p50_ms,
            f.p99_ms
        );
        println!(
            "  critical path {:.0} ms alone; Little's bound C/L = {}/s; reached {:.1}%",
            f.critical_path_ms,
            rate(f.littles_bound_per_s),
            f.share_of_bound * 100.0
        );
        println!(
            "  {} model calls ({:.2} per inquiry); CPU {:.3} ms per inquiry, {:.3} ms per call",
            f.model_calls, f.calls_per_inquiry, f.cpu_ms_per_inquiry, f.cpu_ms_per_call
        );
        println!(
            "  peak RSS {} MB; RSS by thousand: {:?}",
            f.peak_rss_mb.map_or("-".into(), |r| format!("{r:.0}")),
            f.rss_mb_by_thousand.iter().map(|r| r.round() as i64).collect::<Vec<_>>()
        );
        println!("  measured: {}", f.note);
    }
    Ok(figures)
}

fn brain_calls(app: &App) -> u64 {
    app.swarm.env().brain.health().map_or(0, |h| h.calls)
}
