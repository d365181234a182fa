//! `InProcessIngress`: the ingress of `tradewind serve`. Messages run in this
//! process on the embedded defaults, no Redis needed: per-chat lanes keep a
//! chat's messages in order while different chats run concurrently (at most
//! `cluster.concurrency` at once), and redeliveries are dropped: by a
//! bounded TTL set in process, or, when Redis is configured, by the same
//! `seen` keys the gateway uses, so that an update replayed after a restart
//! (a webhook retry, a polling offset not yet confirmed) is not answered twice.

use async_trait::async_trait;
use futures::FutureExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::dedupe::SeenSet;
use super::keys::{chat_key, inquiry_id_for, validate, Keys};
use super::lanes::Lanes;
use super::process::answer;
use super::wire;
use super::Running;
use crate::config::{ClusterConfig, ClusterSettings};
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
    seen: Seen,
    shutdown: CancellationToken,
}

/// Where `serve` remembers the messages it took.
enum Seen {
    Local(SeenSet),
    /// `SET NX EX` on the gateway's `seen` keys: survives restarts.
    Redis {
        conn: tradewind_redis::conn::RedisConn,
        keys: Keys,
        ttl_secs: u64,
    },
}

impl Seen {
    /// True when the message is new (and is now remembered).
    async fn insert(&self, msg: &InboundMessage) -> Result<bool, AppError> {
        match self {
            Seen::Local(set) => Ok(set.insert(format!("{}:{}", msg.channel, msg.message_id), Instant::now())),
            Seen::Redis { conn, keys, ttl_secs } => {
                let set: Option<String> = redis::cmd("SET")
                    .arg(keys.seen(&msg.channel, &msg.message_id))
                    .arg("1")
                    .arg("NX")
                    .arg("EX")
                    .arg(*ttl_secs)
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(|e| wire::unavailable("dedupe", e))?;
                Ok(set.is_some())
            }
        }
    }

    /// Forgets a message that could not be queued after all, so that a
    /// redelivery is taken.
    async fn forget(&self, msg: &InboundMessage) {
        match self {
            Seen::Local(set) => set.remove(&format!("{}:{}", msg.channel, msg.message_id)),
            Seen::Redis { conn, keys, .. } => {
                let key = keys.seen(&msg.channel, &msg.message_id);
                if let Err(e) = redis::cmd("DEL").arg(&key).query_async::<()>(&mut conn.clone()).await {
                    tracing::warn!(key, error = %e, "could not forget a message that was not queued");
                }
            }
        }
    }
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
        let seen = Seen::Local(SeenSet::new(cfg.dedupe_capacity, Duration::from_secs(cfg.dedupe_ttl_secs)));
        Self::start_with(app, cfg, seen, shutdown)
    }

    /// Like `start`, remembering taken messages in Redis (under the
    /// deployment's `seen` keys) when `settings` names one, so that the
    /// dedupe outlives the process.
    pub async fn start_shared(
        app: Arc<dyn Application>,
        settings: &ClusterSettings,
        shutdown: CancellationToken,
    ) -> Result<(Arc<Self>, Running<InProcessReport>), AppError> {
        let cfg = &settings.cluster;
        let Some(url) = settings.redis_url.clone() else {
            return Ok(Self::start(app, cfg, shutdown));
        };
        let client = wire::open(&url)?;
        let conn = wire::manager(&client).await.map_err(|e| wire::unavailable(&format!("at {url}"), e))?;
        let keys = Keys::new(&settings.prefix, &cfg.stream, cfg.shards);
        let seen = Seen::Redis { conn, keys, ttl_secs: cfg.dedupe_ttl_secs.max(1) };
        Ok(Self::start_with(app, cfg, seen, shutdown))
    }

    fn start_with(
        app: Arc<dyn Application>,
        cfg: &ClusterConfig,
        seen: Seen,
        shutdown: CancellationToken,
    ) -> (Arc<Self>, Running<InProcessReport>) {
        let cfg = cfg.clone();
        let (jobs, rx) = mpsc::channel(cfg.buffer.max(1));
        let (replies, _) = broadcast::channel(cfg.reply_buffer.max(16));
        let ingress = Arc::new(Self { jobs, replies: replies.clone(), seen, shutdown: shutdown.clone() });
        let mut tasks = JoinSet::new();
        tasks.spawn(dispatch(app, cfg, rx, replies, shutdown));
        (ingress, Running::new(tasks))
    }
}

#[async_trait]
impl Ingress for InProcessIngress {
    async fn submit(&self, msg: InboundMessage) -> Result<Submitted, AppError> {
        validate(&msg).map_err(AppError::BadInput)?;
        if self.shutdown.is_cancelled() {
            return Err(AppError::Unavailable("shutting down".into()));
        }
        if !self.seen.insert(&msg).await? {
            return Ok(Submitted::Duplicate);
        }
        // Waits when the dispatcher is full: backpressure on the front ends.
        if let Err(mpsc::error::SendError(msg)) = self.jobs.send(msg).await {
            self.seen.forget(&msg).await;
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
