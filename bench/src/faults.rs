//! `tradewind bench faults`: does a Redis outage lose or fail inquiries?
//! A private `redis-server` (appendonly, fsync always) on a loopback port,
//! a gateway and two workers with the offline brain in this process; while
//! `n` inquiries are in flight, Redis is restarted cleanly (SHUTDOWN, then
//! started again after `down`) or killed with SIGKILL and started again.
//! Counted: inquiries answered, answered with an error (an apology), never
//! answered, answered twice.

use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tradewind_app::runtime::cluster_settings;
use tradewind_app::samples::SAMPLES;
use tradewind_app::{App, AppError, BuildOptions, Config};
use tradewind_cluster::{RedisIngress, Worker};
use tradewind_ports::ingress::{InboundMessage, Ingress};

#[derive(Debug, Clone, clap::Args)]
pub struct FaultsArgs {
    /// Inquiries in flight when Redis goes down.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// How long Redis stays down, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub down_secs: f64,
    /// Which outages: restart (clean SHUTDOWN), kill (SIGKILL), or both.
    #[arg(long, default_value = "restart,kill")]
    pub modes: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outage {
    /// SHUTDOWN (appendonly flushed), then started again.
    Restart,
    /// SIGKILL, then started again from the append-only file.
    Kill,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaultReport {
    pub outage: Outage,
    pub inquiries: usize,
    pub down_secs: f64,
    pub answered: usize,
    /// Answered with an apology (an error reply) instead of the swarm's answer.
    pub failed: usize,
    pub unanswered: usize,
    pub answered_twice: usize,
    /// Messages the gateway refused (503) while Redis was down.
    pub refused: usize,
    pub seconds: f64,
}

/// A redis-server of our own, so that killing it harms nothing else.
pub struct PrivateRedis {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl PrivateRedis {
    pub fn start(dir: &Path) -> Result<Self, AppError> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| AppError::Internal(format!("no free port: {e}")))?;
        let mut r = Self { child: None, port, dir: dir.to_path_buf() };
        r.spawn()?;
        Ok(r)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) -> Result<(), AppError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| AppError::Internal(e.to_string()))?;
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            // Every acknowledged write on disk: what a queue needs to lose
            // nothing across a crash of Redis itself.
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| AppError::Unavailable(format!("cannot start redis-server (is it installed?): {e}")))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(AppError::Unavailable("redis-server did not come up".into()))
    }

    /// Takes Redis down the given way.
    pub async fn stop(&mut self, how: Outage) {
        match how {
            Outage::Restart => {
                if let Ok(client) = redis::Client::open(self.url()) {
                    if let Ok(mut c) = client.get_multiplexed_async_connection().await {
                        let _: Result<(), _> = redis::cmd("SHUTDOWN").query_async(&mut c).await;
                    }
                }
            }
            Outage::Kill => {
                if let Some(c) = self.child.as_mut() {
                    let _ = c.kill();
                }
            }
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
    }

    pub fn start_again(&mut self) -> Result<(), AppError> {
        self.spawn()
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn message(run: &str, i: usize) -> InboundMessage {
    let s = &SAMPLES[i % SAMPLES.len()];
    InboundMessage {
        channel: "bench".into(),
        chat_id: format!("chat-{}", i % 200),
        user: format!("{}-{}", s.channel_user, i % 97),
        message_id: format!("{run}-{i}"),
        text: s.text.into(),
        received_at_ms: tradewind_core::now_ms(),
        ..Default::default()
    }
}

/// One outage with `n` inquiries in flight.
pub async fn run_one(base: &Config, n: usize, down: Duration, outage: Outage) -> Result<FaultReport, AppError> {
    let root =
        std::env::temp_dir().join(format!("tradewind-faults-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
    let mut redis = PrivateRedis::start(&root.join("redis"))?;
    let mut cfg = base.clone();
    cfg.memory.redis_url = Some(redis.url());
    cfg.cluster.redis_url = Some(redis.url());
    cfg.memory.prefix = "twfaults:".into();
    cfg.knowledge.kb_dir = None;
    cfg.llm.base_url = None;
    for sink in [&mut cfg.sinks.sales, &mut cfg.sinks.logistics, &mut cfg.sinks.customer_service] {
        *sink = "none".into();
    }
    cfg.cluster.lease_ms = 2_000;
    cfg.cluster.claim_idle_ms = 1_000;
    cfg.cluster.block_ms = 200;
    cfg.cluster.reply_buffer = cfg.cluster.reply_buffer.max(n * 3 + 1024);
    let shutdown = CancellationToken::new();
    let started = Instant::now();
    let result = run_inner(&cfg, &root, &mut redis, n, down, outage, shutdown.clone()).await;
    shutdown.cancel();
    drop(redis);
    let _ = std::fs::remove_dir_all(&root);
    let mut report = result?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn run_inner(
    cfg: &Config,
    root: &Path,
    redis: &mut PrivateRedis,
    n: usize,
    down: Duration,
    outage: Outage,
    shutdown: CancellationToken,
) -> Result<FaultReport, AppError> {
    let mut workers = JoinSet::new();
    for w in 0..2 {
        let mut c = cfg.clone();
        c.knowledge.data_dir = root.join(format!("worker-{w}")).join("knowledge");
        c.cluster.worker_name = Some(format!("faults-{w}"));
        let settings = cluster_settings(&c);
        let (app, _) = App::build(c, BuildOptions { ingest: true, quiet: true }, None).await?;
        let worker = Worker::connect(Arc::new(app), &settings).await?;
        workers.spawn(worker.run(shutdown.clone()));
    }
    let (gateway, pump) = RedisIngress::start(&cluster_settings(cfg), shutdown.clone()).await?;
    let mut replies = gateway.subscribe();

    // Submit everything (each submit waits out an outage itself), and take
    // Redis down while the first third is being answered.
    let mut submits = JoinSet::new();
    for i in 0..n {
        let g = gateway.clone();
        submits.spawn(async move { g.submit(message("f", i)).await.is_ok() });
        if i == n / 3 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            redis.stop(outage).await;
            tokio::time::sleep(down).await;
            redis.start_again()?;
        }
    }
    let mut refused = 0;
    while let Some(r) = submits.join_next().await {
        if !matches!(r, Ok(true)) {
            refused += 1;
        }
    }

    let mut seen: HashMap<String, (usize, bool)> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60) + down * 4;
    while seen.len() < n - refused {
        match tokio::time::timeout_at(deadline, replies.recv()).await {
            Ok(Ok(r)) => {
                let e = seen.entry(r.message_id.clone()).or_insert((0, false));
                e.0 += 1;
                e.1 |= r.error.is_some();
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            _ => break,
        }
    }
    // Anything answered twice shows up within a moment.
    let linger = tokio::time::Instant::now() + Duration::from_millis(1500);
    while let Ok(Ok(r)) = tokio::time::timeout_at(linger, replies.recv()).await {
        let e = seen.entry(r.message_id.clone()).or_insert((0, false));
        e.0 += 1;
        e.1 |= r.error.is_some();
    }
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
    let _ = pump.wait().await;
    Ok(FaultReport {
        outage,
        inquiries: n,
        down_secs: down.as_secs_f64(),
        answered: seen.len(),
        failed: seen.values().filter(|(_, err)| *err).count(),
        unanswered: n.saturating_sub(seen.len()),
        answered_twice: seen.values().filter(|(k, _)| *k > 1).count(),
        refused,
        seconds: 0.0,
    })
}

pub async fn run(base: Config, args: FaultsArgs) -> Result<Vec<FaultReport>, AppError> {
    let mut out = Vec::new();
    for m in args.modes.split(',').map(str::trim) {
        let outage = match m {
            "restart" => Outage::Restart,
            "kill" => Outage::Kill,
            other => return Err(AppError::BadInput(format!("unknown outage '{other}': use restart or kill"))),
        };
        let down = Duration::from_secs_f64(args.down_secs.max(0.0));
        out.push(run_one(&base, args.n, down, outage).await?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| AppError::Internal(e.to_string()))?);
    } else {
        println!(
            "{:<8} {:>6} {:>6} {:>8} {:>7} {:>10} {:>6} {:>8} {:>7}",
            "outage", "n", "down s", "answered", "failed", "unanswered", "twice", "refused", "secs"
        );
        for r in &out {
            println!(
                "{:<8} {:>6} {:>6.1} {:>8} {:>7} {:>10} {:>6} {:>8} {:>7.1}",
                format!("{:?}", r.outage).to_lowercase(),
                r.inquiries,
                r.down_secs,
                r.answered,
                r.failed,
                r.unanswered,
                r.answered_twice,
                r.refused,
                r.seconds
            );
        }
        println!(
            "  a gateway and two workers (offline brain) on a private redis-server with appendonly and fsync always;"
        );
        println!(
            "  failed = answered with an apology; refused = the gateway answered 503 after waiting out the outage."
        );
    }
    Ok(out)
}
