//! `tradewind bench cluster`: inquiries end to end through a gateway, Redis
//! Streams and N workers (offline brain, Redis memory), all in this process
//! on its multi-thread runtime, each worker with its own `App`, connections
//! and index. Figures: throughput, end-to-end latency, and the queueing
//! overhead (what the cluster adds to the swarm's own time).

use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::percentile;
use tradewind_app::runtime::cluster_settings;
use tradewind_app::{App, AppError, BuildOptions, Config};
use tradewind_cluster::{RedisIngress, TracedReply, Worker, WorkerStats};
use tradewind_ports::ingress::{InboundMessage, Ingress, Submitted};

#[derive(Debug, Clone, clap::Args)]
pub struct ClusterBenchArgs {
    /// Inquiries in the measured run.
    #[arg(long, default_value_t = 5000)]
    pub n: usize,
    /// Workers (each its own App: memory connection, index, swarm).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Inquiries submitted and not yet answered, at most (closed loop).
    /// Past about 8 the two cores are saturated: throughput stays, and
    /// the extra inquiries only wait for CPU.
    #[arg(long, default_value_t = 8)]
    pub in_flight: usize,
    /// Distinct chats the inquiries come from.
    #[arg(long, default_value_t = 1000)]
    pub chats: usize,
    /// Inquiries per second in the latency run (open loop, below capacity);
    /// 0 skips it.
    #[arg(long, default_value_t = 400.0)]
    pub rate: f64,
    /// Inquiries in the latency run.
    #[arg(long, default_value_t = 2000)]
    pub rate_n: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ClusterFigures {
    pub run: String,
    pub inquiries: usize,
    pub workers: usize,
    pub answered: usize,
    pub answered_twice: usize,
    pub errors: usize,
    pub throughput_per_s: f64,
    pub e2e_p50_ms: f64,
    pub e2e_p99_ms: f64,
    /// XADD at the gateway → a worker's XREADGROUP returned it.
    pub pickup_p50_ms: f64,
    pub pickup_p99_ms: f64,
    /// End to end (submit → reply at the gateway) minus time in the swarm.
    pub overhead_p50_ms: f64,
    pub overhead_p99_ms: f64,
    pub swarm_p50_ms: f64,
    pub swarm_p99_ms: f64,
}

/// The generated inquiries (`corpus.rs`), made once per process.
fn corpus_text(i: usize) -> String {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| match tradewind_app::knowledge_documents(None) {
        Ok((_, catalog)) => crate::corpus::generate(&catalog, 20_000, crate::corpus::SEED),
        Err(_) => Vec::new(),
    });
    texts.get(i % texts.len().max(1)).cloned().unwrap_or_else(|| "We need 100 LED panel lights to Hamburg".into())
}

fn message(run: &str, i: usize, chats: usize) -> InboundMessage {
    InboundMessage {
        channel: "bench".into(),
        chat_id: format!("chat-{}", i % chats.max(1)),
        user: format!("customer-{}", i % chats.max(1)),
        message_id: format!("{run}-{i}"),
        text: corpus_text(i),
        received_at_ms: tradewind_core::now_ms(),
        ..Default::default()
    }
}

struct Sample {
    e2e_ms: f64,
    pickup_ms: f64,
    overhead_ms: f64,
    swarm_ms: f64,
    error: bool,
}

/// Submits `n` messages (closed loop of `in_flight`, or open loop at
/// `rate`/s) and waits for every reply.
async fn drive(
    gateway: &Arc<RedisIngress>,
    run: &str,
    n: usize,
    chats: usize,
    in_flight: usize,
    rate: Option<f64>,
) -> Result<(Vec<Sample>, usize, Duration), AppError> {
    let mut traces = gateway.traces();
    let mut sent: HashMap<String, Instant> = HashMap::with_capacity(n);
    let mut answered: HashMap<String, usize> = HashMap::with_capacity(n);
    let mut samples = Vec::with_capacity(n);
    let mut submits: JoinSet<Result<(String, Submitted), AppError>> = JoinSet::new();
    let start = Instant::now();
    let mut next = 0usize;
    let mut outstanding = 0usize;
    let idle_limit = Duration::from_secs(30);
    while samples.len() < n {
        // Submit while allowed.
        while next < n
            && outstanding < in_flight
            && rate.is_none_or(|r| start.elapsed().as_secs_f64() * r >= next as f64)
        {
            let m = message(run, next, chats);
            sent.insert(m.message_id.clone(), Instant::now());
            let g = gateway.clone();
            submits.spawn(async move {
                let id = m.message_id.clone();
                g.submit(m).await.map(|s| (id, s))
            });
            next += 1;
            outstanding += 1;
        }
        let tick = match rate {
            Some(r) if next < n => Duration::from_secs_f64((1.0 / r).max(0.000_2)),
            _ => idle_limit,
        };
        tokio::select! {
            Some(r) = submits.join_next(), if !submits.is_empty() => {
                match r {
                    Ok(Ok((_, Submitted::Accepted))) => {}
                    Ok(Ok((id, Submitted::Duplicate))) => return Err(AppError::Internal(format!("bench message {id} was taken for a duplicate"))),
                    Ok(Err(e)) => return Err(e),
                    Err(e) => return Err(AppError::Internal(format!("submit task: {e}"))),
                }
            }
            t = traces.recv() => match t {
                Ok(TracedReply { reply, trace, received_us }) => {
                    let Some(at) = sent.get(&reply.message_id) else { continue };
                    let count = answered.entry(reply.message_id.clone()).or_default();
                    *count += 1;
                    if *count > 1 {
                        continue;
                    }
                    outstanding -= 1;
                    let e2e_ms = at.elapsed().as_secs_f64() * 1000.0;
                    let swarm_ms = trace.swarm_us as f64 / 1000.0;
                    samples.push(Sample {
                        e2e_ms,
                        pickup_ms: trace.picked_us.saturating_sub(trace.queued_us) as f64 / 1000.0,
                        overhead_ms: (e2e_ms - swarm_ms).max(0.0),
                        swarm_ms,
                        error: reply.error.is_some(),
                    });
                    let _ = received_us;
                }
                Err(broadcast::error::RecvError::Lagged(k)) => {
                    return Err(AppError::Internal(format!("the benchmark fell {k} replies behind; raise cluster.reply_buffer")));
                }
                Err(broadcast::error::RecvError::Closed) => return Err(AppError::Internal("reply stream closed".into())),
            },
            _ = tokio::time::sleep(tick) => {
                if tick == idle_limit {
                    return Err(AppError::Timeout(format!("{} of {n} replies after 30 s without progress", samples.len())));
                }
            }
        }
    }
    let wall = start.elapsed();
    // Anything answered twice would show up shortly after; give it a moment.
    let linger = tokio::time::sleep(Duration::from_millis(300));
    tokio::pin!(linger);
    loop {
        tokio::select! {
            t = traces.recv() => match t {
                Ok(t) => {
                    if let Some(c) = answered.get_mut(&t.reply.message_id) {
                        *c += 1;
                    }
                }
                Err(_) => break,
            },
            _ = &mut linger => break,
        }
    }
    let twice = answered.values().filter(|&&c| c > 1).count();
    Ok((samples, twice, wall))
}

fn figures(run: &str, workers: usize, samples: &[Sample], twice: usize, wall: Duration) -> ClusterFigures {
    let sorted = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (e2e, pickup, over, swarm) =
        (sorted(|s| s.e2e_ms), sorted(|s| s.pickup_ms), sorted(|s| s.overhead_ms), sorted(|s| s.swarm_ms));
    ClusterFigures {
        run: run.into(),
        inquiries: samples.len(),
        workers,
        answered: samples.len(),
        answered_twice: twice,
        errors: samples.iter().filter(|s| s.error).count(),
        throughput_per_s: samples.len() as f64 / wall.as_secs_f64().max(1e-9),
        e2e_p50_ms: percentile(&e2e, 0.5),
        e2e_p99_ms: percentile(&e2e, 0.99),
        pickup_p50_ms: percentile(&pickup, 0.5),
        pickup_p99_ms: percentile(&pickup, 0.99),
        overhead_p50_ms: percentile(&over, 0.5),
        overhead_p99_ms: percentile(&over, 0.99),
        swarm_p50_ms: percentile(&swarm, 0.5),
        swarm_p99_ms: percentile(&swarm, 0.99),
    }
}

pub async fn run(base: Config, args: ClusterBenchArgs) -> Result<Vec<ClusterFigures>, AppError> {
    let url = base.cluster.redis_url.clone().or_else(|| base.memory.redis_url.clone()).ok_or_else(|| {
        AppError::Config("bench cluster needs Redis: set REDIS_URL (scripts/bench.sh starts one)".into())
    })?;
    let root = std::env::temp_dir().join(format!("tradewind-bench-cluster-{}", std::process::id()));
    let mut cfg = base.clone();
    cfg.memory.redis_url = Some(url.clone());
    cfg.cluster.redis_url = Some(url.clone());
    cfg.memory.prefix = format!("twbench:{}:{}:", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..6]);
    cfg.knowledge.kb_dir = None;
    for sink in [&mut cfg.sinks.sales, &mut cfg.sinks.logistics, &mut cfg.sinks.customer_service] {
        *sink = "memory".into();
    }
    // Quick rebalancing, so the workers share the shards before timing starts.
    cfg.cluster.lease_ms = 1_500;
    cfg.cluster.claim_idle_ms = 1_000;
    cfg.cluster.reply_buffer = cfg.cluster.reply_buffer.max(args.n * 2 + 1024);

    let shutdown = CancellationToken::new();
    let result = run_inner(&cfg, &args, &root, shutdown.clone()).await;
    shutdown.cancel();
    let _ = std::fs::remove_dir_all(&root);
    cleanup(&url, &cfg.memory.prefix).await;
    let all = result?;
    if args.json {
        println!("{}", serde_json::json!({ "cluster": all }));
    } else {
        println!(
            "{:<10} {:>6} {:>4} {:>6} {:>6} {:>9} {:>9} {:>9} {:>10} {:>10} {:>10} {:>10} {:>9}",
            "run",
            "n",
            "wrk",
            "errors",
            "twice",
            "inq/s",
            "e2e p50",
            "e2e p99",
            "pickup p50",
            "pickup p99",
            "ovh p50",
            "ovh p99",
            "swarm p50"
        );
        for f in &all {
            println!(
                "{:<10} {:>6} {:>4} {:>6} {:>6} {:>9.1} {:>9.2} {:>9.2} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>9.2}",
                f.run,
                f.inquiries,
                f.workers,
                f.errors,
                f.answered_twice,
                f.throughput_per_s,
                f.e2e_p50_ms,
                f.e2e_p99_ms,
                f.pickup_p50_ms,
                f.pickup_p99_ms,
                f.overhead_p50_ms,
                f.overhead_p99_ms,
                f.swarm_p50_ms
            );
        }
        println!("  all times in ms; pickup = XADD at the gateway until a worker's XREADGROUP returned the entry;");
        println!("  ovh (queueing overhead) = submit until the reply reached the gateway, minus the swarm's own time.");
        println!("  throughput: closed loop of {} in flight; latency: open loop at {}/s.", args.in_flight, args.rate);
    }
    Ok(all)
}

async fn run_inner(
    cfg: &Config,
    args: &ClusterBenchArgs,
    root: &std::path::Path,
    shutdown: CancellationToken,
) -> Result<Vec<ClusterFigures>, AppError> {
    let workers_n = args.workers.max(1);
    let mut stats: Vec<Arc<WorkerStats>> = Vec::new();
    // Every app first: ingesting the knowledge base keeps both cores busy,
    // which would starve a running worker's lease renewals.
    let mut ready = Vec::new();
    for w in 0..workers_n {
        let mut c = cfg.clone();
        c.knowledge.data_dir = root.join(format!("worker-{w}")).join("knowledge");
        c.cluster.worker_name = Some(format!("bench-{w}"));
        let settings = cluster_settings(&c);
        let (app, _) = App::build(c, BuildOptions { ingest: true, quiet: true }, None).await?;
        ready.push(Worker::connect(Arc::new(app), &settings).await?);
    }
    let mut workers = JoinSet::new();
    for worker in ready {
        stats.push(worker.stats());
        workers.spawn(worker.run(shutdown.clone()));
    }
    let (gateway, pump) = RedisIngress::start(&cluster_settings(cfg), shutdown.clone()).await?;

    // Wait until every worker holds its share of the shards.
    let share = cfg.cluster.shards.div_ceil(workers_n);
    let t = Instant::now();
    loop {
        let held: Vec<usize> = stats.iter().map(|s| s.shards.load(Ordering::Relaxed)).collect();
        if held.iter().sum::<usize>() == cfg.cluster.shards && held.iter().all(|&h| h > 0 && h <= share) {
            break;
        }
        if t.elapsed() > Duration::from_secs(20) {
            return Err(AppError::Timeout(format!("workers did not share the shards: {held:?}")));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut all = Vec::new();
    drive(&gateway, "warmup", 300, args.chats, args.in_flight, None).await?;
    let (samples, twice, wall) = drive(&gateway, "throughput", args.n, args.chats, args.in_flight, None).await?;
    all.push(figures("throughput", workers_n, &samples, twice, wall));
    if args.rate > 0.0 && args.rate_n > 0 {
        let (samples, twice, wall) =
            drive(&gateway, "latency", args.rate_n, args.chats, usize::MAX, Some(args.rate)).await?;
        all.push(figures("latency", workers_n, &samples, twice, wall));
    }

    shutdown.cancel();
    while let Some(r) = workers.join_next().await {
        match r {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "bench worker failed"),
            Err(e) => tracing::warn!(error = %e, "bench worker task failed"),
        }
    }
    pump.wait().await?;
    Ok(all)
}

/// Removes the benchmark's keys.
async fn cleanup(url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(url) else { return };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else { return };
    let mut cursor: u64 = 0;
    loop {
        let r: Result<(u64, Vec<String>), _> = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await;
        let Ok((next, keys)) = r else { return };
        if !keys.is_empty() {
            let _: Result<(), _> = redis::cmd("UNLINK").arg(&keys).query_async(&mut conn).await;
        }
        if next == 0 {
            return;
        }
        cursor = next;
    }
}
