//! `RedisIngress`: the ingress of `tradewind gateway`. `submit` dedupes and
//! queues a message on its chat's inbound stream in one Lua call; a reply
//! pump reads the replies stream the workers write and rebroadcasts every
//! reply through `subscribe()`.

use async_trait::async_trait;
use redis::streams::StreamReadReply;
use redis::Script;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tradewind_ports::retry::RetryPolicy;
use tradewind_redis::conn::{RedisConn, RedisTarget};

use super::keys::{validate, Keys};
use super::process::now_us;
use super::wire::{self, Envelope, ReplyEnvelope, TracedReply};
use super::Running;
use crate::config::ClusterConfig;
use crate::config::ClusterSettings;
use tradewind_ports::ingress::{InboundMessage, Ingress, OutboundReply, Submitted};
use tradewind_ports::AppError;

/// Replies read per XREAD.
const REPLY_BATCH: usize = 512;

pub struct RedisIngress {
    conn: RedisConn,
    keys: Keys,
    submit: Script,
    replies: broadcast::Sender<OutboundReply>,
    traces: broadcast::Sender<TracedReply>,
    max_message_bytes: usize,
    dedupe_ttl_secs: u64,
    max_stream_len: usize,
}

/// How long the gateway keeps trying to queue a message while Redis is
/// unreachable before it answers 503.
const SUBMIT_PATIENCE: Duration = Duration::from_secs(10);

impl RedisIngress {
    /// Connects and starts the reply pump, which runs until `shutdown`.
    pub async fn start(
        settings: &ClusterSettings,
        shutdown: CancellationToken,
    ) -> Result<(Arc<Self>, Running<()>), AppError> {
        let cfg = &settings.cluster;
        let url = settings.redis_url()?;
        let client = wire::open(&url)?;
        let mut conn = wire::manager(&client).await.map_err(|e| wire::unavailable(&format!("at {url}"), e))?;
        let keys = Keys::new(&settings.prefix, &cfg.stream, cfg.shards);
        wire::check_shards(&mut conn, &keys.meta(), keys.shards()).await?;
        let (replies, _) = broadcast::channel(cfg.reply_buffer.max(16));
        let (traces, _) = broadcast::channel(cfg.reply_buffer.max(16));
        let ingress = Arc::new(Self {
            conn: conn.clone(),
            keys: keys.clone(),
            submit: Script::new(wire::LUA_SUBMIT),
            replies: replies.clone(),
            traces: traces.clone(),
            max_message_bytes: settings.max_message_bytes,
            dedupe_ttl_secs: cfg.dedupe_ttl_secs.max(1),
            max_stream_len: cfg.max_stream_len.max(1),
        });
        let start = start_position(&mut conn, &keys, &cfg.gateway_name).await?;
        let pump = Pump { client, conn, keys, cfg: cfg.clone(), replies, traces, position: start };
        let mut tasks = JoinSet::new();
        tasks.spawn(pump.run(shutdown));
        Ok((ingress, Running::new(tasks)))
    }

    /// Replies with where their time went (for `bench cluster`).
    pub fn traces(&self) -> broadcast::Receiver<TracedReply> {
        self.traces.subscribe()
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }
}

#[async_trait]
impl Ingress for RedisIngress {
    async fn submit(&self, mut msg: InboundMessage) -> Result<Submitted, AppError> {
        validate(&msg).map_err(AppError::BadInput)?;
        let oversize = (msg.text.len() > self.max_message_bytes).then(|| std::mem::take(&mut msg.text).len());
        let shard = self.keys.shard_of(&msg.channel, &msg.chat_id);
        let seen = self.keys.seen(&msg.channel, &msg.message_id);
        let env = Envelope { msg, oversize, queued_us: now_us() };
        let body = serde_json::to_string(&env).map_err(|e| AppError::Internal(format!("encoding a message: {e}")))?;
        // A Redis restart takes seconds; the customer's message waits it out
        // here rather than being refused. The script is idempotent by message
        // id, so a retry after a lost answer cannot queue it twice.
        let started = tokio::time::Instant::now();
        let mut backoff = RetryPolicy::new(Duration::from_millis(100), Duration::from_secs(1)).schedule();
        loop {
            let r: Result<Option<String>, _> = self
                .submit
                .key(&seen)
                .key(self.keys.inbound(shard))
                .arg(self.dedupe_ttl_secs)
                .arg(self.max_stream_len)
                .arg(&body)
                .invoke_async(&mut self.conn.clone())
                .await;
            match r {
                Ok(id) => return Ok(if id.is_some() { Submitted::Accepted } else { Submitted::Duplicate }),
                Err(e) if started.elapsed() < SUBMIT_PATIENCE => {
                    tracing::warn!(error = %e, "queueing a message failed; retrying");
                    tokio::time::sleep(backoff.next_delay(None)).await;
                }
                Err(e) => return Err(wire::unavailable("submit", e)),
            }
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<OutboundReply> {
        self.replies.subscribe()
    }
}

/// Where this gateway resumes reading replies: where it stopped last time
/// (so replies finished while it restarted still reach their chats), else
/// the current end of the stream.
async fn start_position(conn: &mut RedisConn, keys: &Keys, gateway: &str) -> Result<String, AppError> {
    let saved: Option<String> = redis::cmd("GET")
        .arg(keys.gateway_position(gateway))
        .query_async(conn)
        .await
        .map_err(|e| wire::unavailable("reading the gateway position", e))?;
    if let Some(p) = saved {
        return Ok(p);
    }
    let last: Vec<(String, Vec<(String, String)>)> = redis::cmd("XREVRANGE")
        .arg(keys.replies())
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(conn)
        .await
        .map_err(|e| wire::unavailable("reading the replies stream", e))?;
    Ok(last.into_iter().next().map(|(id, _)| id).unwrap_or_else(|| "0-0".into()))
}

struct Pump {
    client: RedisTarget,
    conn: RedisConn,
    keys: Keys,
    cfg: ClusterConfig,
    replies: broadcast::Sender<OutboundReply>,
    traces: broadcast::Sender<TracedReply>,
    position: String,
}

impl Pump {
    async fn run(mut self, shutdown: CancellationToken) {
        let block = Duration::from_millis(self.cfg.block_ms.max(1));
        let mut reader: Option<RedisConn> = None;
        let mut backoff = Duration::from_millis(100);
        while !shutdown.is_cancelled() {
            let conn = match reader.as_mut() {
                Some(c) => c,
                None => match wire::blocking(&self.client, block).await {
                    Ok(c) => reader.insert(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "gateway: cannot connect to redis for replies; retrying");
                        if pause(&shutdown, &mut backoff).await {
                            break;
                        }
                        continue;
                    }
                },
            };
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("COUNT")
                .arg(REPLY_BATCH)
                .arg("BLOCK")
                .arg(block.as_millis() as u64)
                .arg("STREAMS")
                .arg(self.keys.replies())
                .arg(&self.position);
            let read = cmd.query_async::<Option<StreamReadReply>>(conn);
            // A plain XREAD holds no state server-side: dropping it on
            // shutdown loses nothing.
            let reply = tokio::select! {
                r = read => r,
                _ = shutdown.cancelled() => break,
            };
            match reply {
                Ok(r) => {
                    backoff = Duration::from_millis(100);
                    if let Some(r) = r {
                        self.deliver(r).await;
                    }
                    wire::touch(self.cfg.health_file.as_deref()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "gateway: reading replies failed; reconnecting");
                    reader = None;
                    if pause(&shutdown, &mut backoff).await {
                        break;
                    }
                }
            }
        }
    }

    async fn deliver(&mut self, r: StreamReadReply) {
        let received_us = now_us();
        for key in r.keys {
            for entry in key.ids {
                self.position = entry.id.clone();
                let Some(raw) = entry.get::<String>("r") else {
                    tracing::warn!(id = %entry.id, "gateway: reply entry without a body; skipped");
                    continue;
                };
                match serde_json::from_str::<ReplyEnvelope>(&raw) {
                    Ok(env) => {
                        if self.traces.receiver_count() > 0 {
                            let _ = self.traces.send(TracedReply {
                                reply: env.reply.clone(),
                                trace: env.trace,
                                received_us,
                            });
                        }
                        // No subscriber (front ends not up yet) is not an error.
                        let _ = self.replies.send(env.reply);
                    }
                    Err(e) => tracing::warn!(id = %entry.id, error = %e, "gateway: malformed reply entry; skipped"),
                }
            }
        }
        let saved: Result<(), _> = redis::cmd("SET")
            .arg(self.keys.gateway_position(&self.cfg.gateway_name))
            .arg(&self.position)
            .arg("EX")
            .arg(self.cfg.dedupe_ttl_secs.max(1))
            .query_async(&mut self.conn)
            .await;
        if let Err(e) = saved {
            tracing::warn!(error = %e, "gateway: could not save the replies position");
        }
    }
}

/// Sleeps with exponential backoff; true when shutdown came first.
pub(crate) async fn pause(shutdown: &CancellationToken, backoff: &mut Duration) -> bool {
    let d = *backoff;
    *backoff = (*backoff * 2).min(Duration::from_secs(5));
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = shutdown.cancelled() => true,
    }
}
