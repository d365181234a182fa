//! The long-running commands, composed from the runtime (`tradewind-cluster`)
//! and the front ends (`tradewind-frontends`) around the wired application.

use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tradewind_cluster::{ClusterSettings, InProcessIngress, InProcessReport, RedisIngress, WorkerReport};
use tradewind_frontends::config::FrontendsConfig;
use tradewind_ports::{AppError, Application, Ingress};

use crate::{App, Config};

/// What the runtime needs from the configuration.
pub fn cluster_settings(config: &Config) -> ClusterSettings {
    ClusterSettings {
        cluster: config.cluster.clone(),
        redis_url: config.cluster.redis_url.clone().or_else(|| config.memory.redis_url.clone()),
        prefix: config.memory.prefix.clone(),
        max_message_bytes: config.limits.max_message_bytes,
        shared_memory: config.memory.redis_url.is_some(),
    }
}

/// What the front ends need from the configuration.
pub fn frontends_config(config: &Config) -> FrontendsConfig {
    FrontendsConfig {
        http: config.http.clone(),
        telegram: config.telegram.clone(),
        chat: config.chat.clone(),
        max_message_bytes: config.limits.max_message_bytes,
    }
}

/// `tradewind serve`: the front ends and the swarm in this process.
pub async fn run_serve(app: App, shutdown: CancellationToken) -> Result<InProcessReport, AppError> {
    let fronts_config = frontends_config(&app.config);
    let settings = cluster_settings(&app.config);
    let console = app.console()?;
    let app: Arc<dyn Application> = Arc::new(app);
    // With Redis configured, redeliveries are remembered there, across restarts.
    let (ingress, running) = InProcessIngress::start_shared(app, &settings, shutdown.clone()).await?;
    let front: Arc<dyn Ingress> = ingress;
    let fronts = async {
        let r = match tradewind_frontends::start(front, &fronts_config, Some(console), shutdown.clone()).await {
            Ok(f) => {
                print_urls(f.http_addr());
                f.wait().await
            }
            Err(e) => Err(e),
        };
        // A front end that fails to start takes the process down cleanly.
        if r.is_err() {
            shutdown.cancel();
        }
        r
    };
    let (fronts, report) = tokio::join!(fronts, running.wait());
    fronts?;
    report
}

/// `tradewind gateway`: the front ends in this process, the swarm on the
/// workers. The reply pump outlives the front ends so they can deliver
/// replies until they stop.
pub async fn run_gateway(
    config: &Config,
    console: Option<axum::Router>,
    shutdown: CancellationToken,
) -> Result<(), AppError> {
    let pump_stop = CancellationToken::new();
    let (ingress, running) = RedisIngress::start(&cluster_settings(config), pump_stop.clone()).await?;
    let front: Arc<dyn Ingress> = ingress;
    let r = match tradewind_frontends::start(front, &frontends_config(config), console, shutdown).await {
        Ok(f) => {
            print_urls(f.http_addr());
            f.wait().await
        }
        Err(e) => Err(e),
    };
    pump_stop.cancel();
    running.wait().await?;
    r
}

/// `tradewind worker`.
pub async fn run_worker(app: App, shutdown: CancellationToken) -> Result<WorkerReport, AppError> {
    let settings = cluster_settings(&app.config);
    tradewind_cluster::run_worker(Arc::new(app), &settings, shutdown).await
}

/// Where people find the running server: printed at start-up, whatever the
/// log level, because it is what someone who just typed `serve` needs.
fn print_urls(addr: std::net::SocketAddr) {
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    let base = if addr.is_ipv6() {
        format!("http://[{host}]:{}", addr.port())
    } else {
        format!("http://{host}:{}", addr.port())
    };
    println!("Tradewind is listening on {base}");
    println!("  web chat     {base}/chat");
    println!("  console      {base}/console   (add an operator first: tradewind users add <name> --role admin --password-stdin)");
    println!("  chat API     {base}/v1/messages");
    println!("  health       {base}/healthz");
    println!("Stop with Ctrl-C.");
}
