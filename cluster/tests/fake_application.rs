//! The runtime against a fake application: it needs only the `Application`
//! port, so its ordering, concurrency and exactly-once promises are tested
//! here without a swarm, a knowledge index or memory. (The end-to-end
//! tests in the workspace's `tests/` run it with the real application.)
//! The Redis test needs `REDIS_URL` and fails loudly without it.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tradewind_cluster::{ClusterConfig, ClusterSettings, InProcessIngress, RedisIngress, Worker};
use tradewind_core::{AgentOutcome, Lang, StructuredInquiry, SwarmResult, Timings};
use tradewind_ports::ingress::{InboundMessage, Ingress, OutboundReply, Submitted};
use tradewind_ports::{AppError, Application, IncomingMessage};

/// Answers every message with its text reversed, after `delay`; records
/// the order it saw each chat's messages in and the most it ran at once.
#[derive(Default)]
struct FakeApp {
    delay: Duration,
    seen: Mutex<HashMap<String, Vec<String>>>,
    running: AtomicUsize,
    peak: AtomicUsize,
    calls: AtomicUsize,
    stored: Mutex<HashMap<String, SwarmResult>>,
}

#[async_trait]
impl Application for FakeApp {
    async fn handle(&self, msg: IncomingMessage, inquiry_id: String) -> Result<SwarmResult, AppError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        self.seen.lock().unwrap().entry(msg.user.clone()).or_default().push(msg.text.clone());
        tokio::time::sleep(self.delay).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        let r = SwarmResult {
            inquiry_id: inquiry_id.clone(),
            customer: msg.user,
            inquiry: StructuredInquiry::empty(Lang::En),
            reply: msg.text.chars().rev().collect(),
            proposal: AgentOutcome::Skipped { reason: "fake".into() },
            customs: AgentOutcome::Skipped { reason: "fake".into() },
            faq_cards: AgentOutcome::Done { value: Vec::new() },
            others: Default::default(),
            degraded: Vec::new(),
            thread: None,
            timings: Timings::default(),
            strategy: None,
            message: None,
        };
        self.stored.lock().unwrap().insert(inquiry_id, r.clone());
        Ok(r)
    }

    async fn stored_result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, AppError> {
        Ok(self.stored.lock().unwrap().get(inquiry_id).cloned())
    }

    fn max_message_bytes(&self) -> usize {
        1024
    }
}

fn message(chat: &str, n: usize) -> InboundMessage {
    InboundMessage {
        channel: "web".into(),
        chat_id: chat.into(),
        user: chat.into(),
        message_id: format!("{chat}-{n}"),
        text: format!("{chat} message {n}"),
        received_at_ms: 0,
        ..Default::default()
    }
}

async fn replies(rx: &mut broadcast::Receiver<OutboundReply>, n: usize) -> Vec<OutboundReply> {
    let mut out = Vec::new();
    while out.len() < n {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Ok(r)) => out.push(r),
            other => panic!("only {} of {n} replies: {other:?}", out.len()),
        }
    }
    out
}

#[tokio::test]
async fn in_process_one_chat_runs_in_order_while_chats_run_side_by_side() {
    let app = Arc::new(FakeApp { delay: Duration::from_millis(50), ..Default::default() });
    let cfg = ClusterConfig { concurrency: 4, ..ClusterConfig::default() };
    let shutdown = CancellationToken::new();
    let (ingress, running) = InProcessIngress::start(app.clone(), &cfg, shutdown.clone());
    let mut rx = ingress.subscribe();
    for n in 0..3 {
        for chat in ["a", "b", "c"] {
            assert_eq!(ingress.submit(message(chat, n)).await.unwrap(), Submitted::Accepted);
        }
    }
    // A redelivery of an accepted message is dropped, not run twice.
    assert_eq!(ingress.submit(message("a", 0)).await.unwrap(), Submitted::Duplicate);
    let got = replies(&mut rx, 9).await;
    assert!(got.iter().all(|r| r.error.is_none()), "{got:?}");
    assert!(got.iter().any(|r| r.text == "0 egassem a"), "{got:?}");

    let seen = app.seen.lock().unwrap().clone();
    for chat in ["a", "b", "c"] {
        let want: Vec<String> = (0..3).map(|n| format!("{chat} message {n}")).collect();
        assert_eq!(seen[chat], want, "chat {chat} in order");
    }
    assert!(app.peak.load(Ordering::SeqCst) > 1, "different chats overlapped");
    assert!(app.peak.load(Ordering::SeqCst) <= 3, "never two of one chat at once");
    shutdown.cancel();
    let report = running.wait().await.unwrap();
    assert_eq!((report.answered, report.unfinished), (9, 0));
}

/// `REDIS_URL` (a single Redis) or `REDIS_CLUSTER_URL` (a Redis Cluster);
/// missing fails the test rather than skipping it.
fn redis_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} not set: run the tests through scripts/test.sh"))
}

#[tokio::test]
async fn through_redis_every_message_is_answered_once_by_a_worker_on_single() {
    answered_once_through_redis(&redis_url("REDIS_URL")).await;
}

#[tokio::test]
async fn through_redis_every_message_is_answered_once_by_a_worker_on_cluster() {
    answered_once_through_redis(&redis_url("REDIS_CLUSTER_URL")).await;
}

async fn answered_once_through_redis(url: &str) {
    let prefix = format!("twtest:fakeapp:{}:{}:", std::process::id(), uuid::Uuid::new_v4().simple());
    let settings = ClusterSettings {
        cluster: ClusterConfig {
            shards: 4,
            lease_ms: 600,
            claim_idle_ms: 300,
            block_ms: 200,
            concurrency: 4,
            ..ClusterConfig::default()
        },
        redis_url: Some(url.to_string()),
        prefix: prefix.clone(),
        max_message_bytes: 1024,
        shared_memory: true,
    };
    let app = Arc::new(FakeApp { delay: Duration::from_millis(5), ..Default::default() });
    let stop = CancellationToken::new();
    let (gateway, pump) = RedisIngress::start(&settings, stop.clone()).await.expect("gateway starts");
    let mut rx = gateway.subscribe();
    let worker = Worker::connect(app.clone(), &settings).await.expect("worker connects");
    let mut tasks = JoinSet::new();
    tasks.spawn(worker.run(stop.clone()));

    for n in 0..20 {
        gateway.submit(message(&format!("chat{}", n % 5), n)).await.expect("queued");
    }
    let got = replies(&mut rx, 20).await;
    let mut ids: Vec<&str> = got.iter().map(|r| r.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "each message answered once");
    assert_eq!(app.calls.load(Ordering::SeqCst), 20, "each message ran once");
    // Nothing more arrives.
    assert!(tokio::time::timeout(Duration::from_millis(500), rx.recv()).await.is_err());

    stop.cancel();
    tasks.join_next().await.expect("worker task").expect("worker joins").expect("worker stops cleanly");
    pump.wait().await.expect("pump stops");
    // Routed like the runtime's own commands: on a cluster KEYS asks every
    // primary and DEL is split by slot.
    let target = tradewind_redis::conn::RedisTarget::open(url).unwrap();
    let mut conn = target.connect(&tradewind_redis::conn::Tuning::default()).await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.unwrap();
    }
}
