//! `InProcessIngress`: the ingress of `tradewind serve`. Messages run in this
//! process on the embedded defaults, no Redis needed: per-chat lanes keep a
//! chat's messages in order while different chats run concurrently (at most
//! `cluster.concurrency` at once), and a bounded TTL set drops redeliveries.

use async_trait::async_trait;
use futures::FutureExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::dedupe::SeenSet;
use super::keys::{chat_key, inquiry_id_for, validate};
use super::lanes::Lanes;
use super::process::answer;
use super::Running;
use crate::config::ClusterConfig;
use tradewind_ports::ingress::{InboundMessage, Ingress, OutboundReply, Submitted};
use tradewind_ports::{AppError, Application};

/// What `serve`'s ingress did by the time it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InProcessReport {
    pub answered: usize,
    /// Accepted but neither finished nor answered by the shutdown deadline.
    pub unfinished: usize,
}

pub struct InProcessIngress {
    jobs: mpsc::Sender<InboundMessage>,
    replies: broadcast::Sender<OutboundReply>,
    seen: SeenSet,
    shutdown: CancellationToken,
}

impl InProcessIngress {
    /// Starts the dispatcher. On `shutdown` it stops accepting, gives the
    /// accepted messages `cluster.shutdown_deadline_ms` to finish (nobody else
    /// could answer them), aborts the rest and ends; `Running::wait` returns
    /// the report.
    pub fn start(
        app: Arc<dyn Application>,
        cfg: &ClusterConfig,
        shutdown: CancellationToken,
    ) -> (Arc<Self>, Running<InProcessReport>) {
        let cfg = cfg.clone();
        let (jobs, rx) = mpsc::channel(cfg.buffer.max(1));
        let (replies, _) = broadcast::channel(cfg.reply_buffer.max(16));
        let ingress = Arc::new(Self {
            jobs,
            replies: replies.clone(),
            seen: SeenSet::new(cfg.dedupe_capacity, Duration::from_secs(cfg.dedupe_ttl_secs)),
            shutdown: shutdown.clone(),
        });
        let mut tasks = JoinSet::new();
        tasks.spawn(dispatch(app, cfg, rx, replies, shutdown));
        (ingress, Running::new(tasks))
    }

    fn seen_key(msg: &InboundMessage) -> String {
        format!("{}:{}", msg.channel, msg.message_id)
    }

    fn forget(&self, key: &str) {
        self.seen.remove(key);
    }
}

#[async_trait]
impl Ingress for InProcessIngress {
    async fn submit(&self, msg: InboundMessage) -> Result<Submitted, AppError> {
        validate(&msg).map_err(AppError::BadInput)?;
        if self.shutdown.is_cancelled() {
            return Err(AppError::Unavailable("shutting down".into()));
        }
        let key = Self::seen_key(&msg);
        let fresh = self.seen.insert(key.clone(), Instant::now());
        if !fresh {
            return Ok(Submitted::Duplicate);
        }
        // Waits when the dispatcher is full: backpressure on the front ends.
        if self.jobs.send(msg).await.is_err() {
            self.forget(&key);
            return Err(AppError::Unavailable("shutting down".into()));
        }
        Ok(Submitted::Accepted)
    }

    fn subscribe(&self) -> broadcast::Receiver<OutboundReply> {
        self.replies.subscribe()
    }
}

async fn dispatch(
    app: Arc<dyn Application>,
    cfg: ClusterConfig,
    mut rx: mpsc::Receiver<InboundMessage>,
    replies: broadcast::Sender<OutboundReply>,
    shutdown: CancellationToken,
) -> InProcessReport {
    // Cancels retry backoffs when the deadline passes.
    let hard = CancellationToken::new();
    let runner = {
        let hard = hard.clone();
        move |msg: InboundMessage| {
            let (app, replies, hard) = (app.clone(), replies.clone(), hard.clone());
            async move {
                let id = inquiry_id_for(&msg);
                let a = answer(app.as_ref(), &msg, id, &hard).await;
                // No receiver (no front end listening) is not an error here.
                let _ = replies.send(a.reply);
            }
            .boxed()
        }
    };
    let mut lanes: Lanes<String, InboundMessage, ()> = Lanes::new(cfg.concurrency, runner);
    let mut report = InProcessReport::default();
    let mut stopping = false;
    let mut deadline = tokio::time::Instant::now();
    let grace = Duration::from_millis(cfg.shutdown_deadline_ms);
    loop {
        if stopping && lanes.is_idle() {
            break;
        }
        tokio::select! {
            biased;
            _ = shutdown.cancelled(), if !stopping => {
                stopping = true;
                deadline = tokio::time::Instant::now() + grace;
                rx.close();
                while let Ok(msg) = rx.try_recv() {
                    lanes.push(chat_key(&msg), msg);
                }
            }
            Some((_, r)) = lanes.join_next(), if lanes.running() > 0 => {
                match r {
                    Ok(()) => report.answered += 1,
                    Err(e) if e.is_panic() => tracing::error!("an inquiry task panicked"),
                    Err(_) => {}
                }
            }
            msg = rx.recv(), if !stopping && lanes.queued() < cfg.buffer.max(1) => match msg {
                Some(msg) => lanes.push(chat_key(&msg), msg),
                None => {
                    stopping = true;
                    deadline = tokio::time::Instant::now() + grace;
                }
            },
            _ = tokio::time::sleep_until(deadline), if stopping => {
                report.unfinished = lanes.running() + lanes.take_queued().len();
                hard.cancel();
                lanes.abort_running();
                while lanes.join_next().await.is_some() {}
                tracing::warn!(unfinished = report.unfinished, "shutdown deadline passed; unfinished inquiries were dropped");
                break;
            }
        }
    }
    report
}
