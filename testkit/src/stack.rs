//! Tradewind's front ends on a real stack for tests: the app from
//! `spawn_app` (Redis, qdrant-edge), `serve`'s `InProcessIngress`, and
//! `frontends::start` on a free loopback port. Every message the front ends
//! hand the ingress is kept, so a test can check what a click or an update
//! became.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tradewind_app::runtime::frontends_config;
use tradewind_app::Config;
use tradewind_cluster::{InProcessIngress, InProcessReport, Running};
use tradewind_frontends::{self as frontends, Frontends};
use tradewind_ports::ingress::{InboundMessage, Ingress, OutboundReply, Submitted};
use tradewind_ports::AppError;

use crate::app::{spawn_app, spawn_app_with, TestApp};

pub struct Stack {
    t: Option<TestApp>,
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    fronts: Option<Frontends>,
    ingress: Option<Running<InProcessReport>>,
    submitted: Arc<Mutex<Vec<InboundMessage>>>,
}

/// The ingress in front of the real one, keeping a copy of each message.
struct Recording {
    inner: Arc<dyn Ingress>,
    seen: Arc<Mutex<Vec<InboundMessage>>>,
}

#[async_trait::async_trait]
impl Ingress for Recording {
    async fn submit(&self, msg: InboundMessage) -> Result<Submitted, AppError> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).push(msg.clone());
        self.inner.submit(msg).await
    }

    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<OutboundReply> {
        self.inner.subscribe()
    }
}

/// `edit` adjusts the front ends' config (Telegram, limits) on top of the
/// test app's.
pub async fn start_stack(edit: impl FnOnce(&mut Config)) -> Stack {
    start_on(spawn_app().await, edit).await
}

/// The same with the app itself built from `edit`ed config (approval
/// policy, console users file), not only its front ends.
pub async fn start_stack_with(edit: impl FnOnce(&mut Config)) -> Stack {
    start_on(spawn_app_with(edit, None).await, |_| {}).await
}

/// The front ends, with the console, on an app already built.
pub async fn start_on(t: TestApp, edit: impl FnOnce(&mut Config)) -> Stack {
    let mut config = t.app.config.clone();
    config.http.bind = "127.0.0.1:0".into();
    config.http.drain_ms = 5_000;
    edit(&mut config);
    let shutdown = CancellationToken::new();
    let (ingress, running) = InProcessIngress::start(Arc::new(t.app.clone()), &config.cluster, shutdown.clone());
    let submitted = Arc::new(Mutex::new(Vec::new()));
    let fronts = frontends::start(
        Arc::new(Recording { inner: ingress, seen: submitted.clone() }),
        &frontends_config(&config),
        Some(t.app.console().expect("console")),
        shutdown.clone(),
    )
    .await
    .expect("front ends start");
    Stack { t: Some(t), addr: fronts.http_addr(), shutdown, fronts: Some(fronts), ingress: Some(running), submitted }
}

// A test that fails before `stop` leaves the swarm's tasks to be dropped
// with the runtime, after the stack: the app's temp folder must outlive
// them (qdrant-edge flushes on drop), so it is leaked instead of removed.
impl Drop for Stack {
    fn drop(&mut self) {
        if self.fronts.is_some() || self.ingress.is_some() {
            if let Some(t) = self.t.take() {
                std::mem::forget(t);
            }
        }
    }
}

impl Stack {
    pub fn app(&self) -> &TestApp {
        self.t.as_ref().expect("the stack is running")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every message the front ends submitted so far, in order.
    pub fn submitted(&self) -> Vec<InboundMessage> {
        self.submitted.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The first submitted message `pick` accepts, waiting up to `timeout`;
    /// fails the test with everything submitted when none comes.
    pub async fn wait_submitted(&self, timeout: Duration, pick: impl Fn(&InboundMessage) -> bool) -> InboundMessage {
        let started = Instant::now();
        loop {
            if let Some(m) = self.submitted().into_iter().find(|m| pick(m)) {
                return m;
            }
            assert!(
                started.elapsed() < timeout,
                "no such message reached the ingress in {timeout:?}; it got: {:#?}",
                self.submitted()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Shuts down as `serve` does and returns how long it took.
    pub async fn stop(mut self) -> Duration {
        let started = Instant::now();
        self.shutdown.cancel();
        if let Some(f) = self.fronts.take() {
            f.wait().await.expect("front ends stop cleanly");
        }
        if let Some(r) = self.ingress.take() {
            r.wait().await.expect("ingress stops cleanly");
        }
        started.elapsed()
    }
}
