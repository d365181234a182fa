//! The cluster end to end: `serve`'s in-process ingress, and a gateway with
//! workers on a real Redis: per-chat order, dedupe of redeliveries, a worker
//! killed mid-inquiry, completion exactly once, and graceful shutdown that
//! finishes or hands back in-flight work. Every test runs twice: on a single
//! Redis (`REDIS_URL`) and on a Redis Cluster (`REDIS_CLUSTER_URL`).

use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tradewind_agents::{offline_brain, Brain, BrainError, BrainReply, BrainTask};
use tradewind_app::runtime::cluster_settings;
use tradewind_app::{AppError, Config};
use tradewind_cluster::keys::{inquiry_id_for, Keys};
use tradewind_cluster::{InProcessIngress, RedisIngress, Running, Worker, WorkerReport, WorkerStats};
use tradewind_ports::ingress::{InboundMessage, Ingress, OutboundReply, Submitted};
use tradewind_tools::{ToolCtx, ToolHost};

use tradewind_testkit::{fast_cluster, spawn_app_with, test_config, unique_prefix, Backend, TestApp};

/// `on_both!(#[tokio::test] name)`: `name::on_single` and `name::on_cluster`,
/// each running `name(Backend)`.
macro_rules! on_both {
    ($(#[$attr:meta])* $name:ident) => {
        mod $name {
            use tradewind_testkit::Backend;
            $(#[$attr])*
            async fn on_single() {
                super::$name(Backend::Single).await
            }
            $(#[$attr])*
            async fn on_cluster() {
                super::$name(Backend::Cluster).await
            }
        }
    };
}

const TEXTS: [&str; 3] = [
    "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH, +49 40 1234567",
    "Please quote 200 units of the 3 kW 24V off-grid inverter for delivery to Rotterdam.",
    "你好，我们需要两千个48V 20Ah电池包，发到汉堡，FOB 深圳。",
];

fn msg(chat: &str, id: &str, text: &str) -> InboundMessage {
    InboundMessage {
        channel: "web".into(),
        chat_id: chat.into(),
        user: format!("user-{chat}"),
        message_id: id.into(),
        text: text.into(),
        received_at_ms: tradewind_core::now_ms(),
        ..Default::default()
    }
}

// ------------------------------------------------------------ test brains

/// The offline brain, except that intake of a message containing `mark`
/// reports itself on `started` and then never finishes (or finishes after
/// `delay`, when given): an inquiry that is reliably "in the middle".
struct GateBrain {
    inner: Arc<dyn Brain>,
    mark: &'static str,
    started: mpsc::UnboundedSender<String>,
    delay: Option<Duration>,
}

#[async_trait]
impl Brain for GateBrain {
    fn name(&self) -> String {
        "gate".into()
    }
    fn is_offline(&self) -> bool {
        true
    }
    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        if task.agent == "intake" && task.user.contains(self.mark) {
            let _ = self.started.send(task.user.clone());
            match self.delay {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        }
        self.inner.run(task, tools, ctx).await
    }
}

fn gate(mark: &'static str, delay: Option<Duration>) -> (Arc<dyn Brain>, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Arc::new(GateBrain { inner: Arc::new(offline_brain()), mark, started: tx, delay }), rx)
}

/// The offline brain with a pseudo-random 0-15 ms pause per intake, so
/// inquiries finish out of submission order unless something orders them.
struct JitterBrain(Arc<dyn Brain>);

#[async_trait]
impl Brain for JitterBrain {
    fn name(&self) -> String {
        "jitter".into()
    }
    fn is_offline(&self) -> bool {
        true
    }
    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        if task.agent == "intake" {
            let h = task.user.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            tokio::time::sleep(Duration::from_millis(h % 16)).await;
        }
        self.0.run(task, tools, ctx).await
    }
}

// ------------------------------------------------------------ harness

struct Gateway {
    ingress: Arc<RedisIngress>,
    replies: broadcast::Receiver<OutboundReply>,
    stop: CancellationToken,
    pump: Option<Running<()>>,
    _dir: tempfile::TempDir,
}

async fn gateway(b: Backend, prefix: &str, edit: impl FnOnce(&mut Config)) -> Gateway {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,qdrant_edge=error,segment=error".into()),
        )
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = test_config(dir.path(), true);
    b.apply(&mut c);
    c.memory.prefix = prefix.into();
    fast_cluster(&mut c);
    edit(&mut c);
    let stop = CancellationToken::new();
    let (ingress, pump) = RedisIngress::start(&cluster_settings(&c), stop.clone()).await.expect("gateway starts");
    let replies = ingress.subscribe();
    Gateway { ingress, replies, stop, pump: Some(pump), _dir: dir }
}

impl Gateway {
    async fn submit(&self, m: InboundMessage) -> Submitted {
        self.ingress.submit(m).await.expect("submitted")
    }

    /// Replies until `n` distinct messages are answered (panics after
    /// `within`), then `linger` more to catch anything answered twice.
    async fn collect(&mut self, n: usize, within: Duration, linger: Duration) -> Vec<OutboundReply> {
        collect(&mut self.replies, n, within, linger).await
    }

    async fn stop(mut self) {
        self.stop.cancel();
        if let Some(p) = self.pump.take() {
            p.wait().await.expect("reply pump stops cleanly");
        }
    }
}

async fn collect(
    rx: &mut broadcast::Receiver<OutboundReply>,
    n: usize,
    within: Duration,
    linger: Duration,
) -> Vec<OutboundReply> {
    let mut out: Vec<OutboundReply> = Vec::new();
    let mut distinct = std::collections::HashSet::new();
    let deadline = tokio::time::Instant::now() + within;
    while distinct.len() < n {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(r)) => {
                distinct.insert(r.message_id.clone());
                out.push(r);
            }
            Ok(Err(e)) => panic!("reply stream: {e}"),
            Err(_) => panic!("only {} of {n} messages answered within {within:?}", distinct.len()),
        }
    }
    let until = tokio::time::Instant::now() + linger;
    while let Ok(Ok(r)) = tokio::time::timeout_at(until, rx.recv()).await {
        out.push(r);
    }
    out
}

struct RunningWorker {
    stats: Arc<WorkerStats>,
    token: CancellationToken,
    task: JoinSet<Result<WorkerReport, AppError>>,
    app: TestApp,
}

async fn worker(
    b: Backend,
    prefix: &str,
    brain: Option<Arc<dyn Brain>>,
    edit: impl FnOnce(&mut Config),
) -> RunningWorker {
    let prefix = prefix.to_string();
    let app = spawn_app_with(
        move |c| {
            b.apply(c);
            c.memory.prefix = prefix;
            fast_cluster(c);
            edit(c);
        },
        brain,
    )
    .await;
    let w =
        Worker::connect(Arc::new(app.app.clone()), &cluster_settings(&app.app.config)).await.expect("worker connects");
    let stats = w.stats();
    let token = CancellationToken::new();
    let mut task = JoinSet::new();
    task.spawn(w.run(token.clone()));
    RunningWorker { stats, token, task, app }
}

impl RunningWorker {
    async fn wait_for_shards(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.stats.shards.load(std::sync::atomic::Ordering::Relaxed) != n {
            assert!(tokio::time::Instant::now() < deadline, "worker never held {n} shards");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn completed(&self) -> u64 {
        self.stats.completed.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn stop(mut self) -> WorkerReport {
        self.token.cancel();
        let r = tokio::time::timeout(Duration::from_secs(15), self.task.join_next())
            .await
            .expect("worker stops within its deadline")
            .expect("worker task exists")
            .expect("worker task did not panic")
            .expect("worker ran cleanly");
        drop(self.app);
        r
    }

    /// Simulates a crash: the task is aborted; nothing is released.
    async fn kill(mut self) {
        self.task.abort_all();
        while self.task.join_next().await.is_some() {}
    }
}

fn by_message(replies: &[OutboundReply]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in replies {
        *m.entry(r.message_id.clone()).or_insert(0) += 1;
    }
    m
}

/// Asserts every chat's replies came in the order its messages were sent
/// (message ids are `<chat>-<seq>`).
fn assert_chat_order(replies: &[OutboundReply]) {
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    for r in replies {
        let seq: i64 =
            r.message_id.rsplit('-').next().and_then(|s| s.parse().ok()).expect("message id ends in a number");
        let prev = last.insert(r.chat_id.clone(), seq).unwrap_or(-1);
        let chat: Vec<&str> =
            replies.iter().filter(|x| x.chat_id == r.chat_id).map(|x| x.message_id.as_str()).collect();
        assert!(seq > prev, "chat {} answered message {seq} after {prev}: {chat:?}", r.chat_id);
    }
}

async fn pending_count(b: Backend, prefix: &str, shards: usize) -> usize {
    let mut conn = b.conn().await;
    let keys = Keys::new(prefix, "inquiries", shards);
    let mut total = 0;
    for s in 0..shards {
        let (n, _, _, _): (usize, Option<String>, Option<String>, redis::Value) =
            redis::cmd("XPENDING").arg(keys.inbound(s)).arg("workers").query_async(&mut conn).await.expect("XPENDING");
        total += n;
    }
    total
}

// ------------------------------------------------------------ serve

on_both!(
    #[tokio::test]
    serve_answers_each_chat_in_order_and_drops_redeliveries
);
async fn serve_answers_each_chat_in_order_and_drops_redeliveries(backend: Backend) {
    let t = spawn_app_with(
        move |c| {
            backend.apply(c);
            fast_cluster(c)
        },
        Some(Arc::new(JitterBrain(Arc::new(offline_brain())))),
    )
    .await;
    let shutdown = CancellationToken::new();
    let (ingress, running) = InProcessIngress::start(Arc::new(t.app.clone()), &t.app.config.cluster, shutdown.clone());
    let mut rx = ingress.subscribe();
    for i in 0..10 {
        for chat in ["a", "b", "c"] {
            let m = msg(chat, &format!("{chat}-{i}"), TEXTS[i % TEXTS.len()]);
            assert_eq!(ingress.submit(m).await.unwrap(), Submitted::Accepted);
        }
    }
    // A redelivery of an earlier message is refused, even with new text.
    assert_eq!(ingress.submit(msg("a", "a-3", "again")).await.unwrap(), Submitted::Duplicate);
    let replies = collect(&mut rx, 30, Duration::from_secs(60), Duration::from_millis(200)).await;
    assert_eq!(replies.len(), 30, "nothing answered twice");
    assert_chat_order(&replies);
    let first = replies.iter().find(|r| r.message_id == "a-0").unwrap();
    assert!(first.error.is_none() && first.text.contains("800"), "{first:?}");
    assert!(!first.quick_replies.is_empty(), "FAQ cards become quick replies");
    assert!(first.inquiry_id.as_deref().is_some_and(|id| id.starts_with("inq-")), "{first:?}");

    // Bad input is refused at the door, with the reason.
    let e = ingress.submit(msg("x", "", "hi")).await.unwrap_err();
    assert!(matches!(e, AppError::BadInput(_)), "{e}");

    shutdown.cancel();
    let report = running.wait().await.unwrap();
    assert_eq!(report.answered, 30);
    assert_eq!(report.unfinished, 0);
    assert!(matches!(ingress.submit(msg("a", "late", "hi")).await, Err(AppError::Unavailable(_))));
}

on_both!(
    #[tokio::test]
    serve_finishes_accepted_inquiries_on_shutdown_and_replies_to_oversized_messages
);
async fn serve_finishes_accepted_inquiries_on_shutdown_and_replies_to_oversized_messages(backend: Backend) {
    let (brain, mut started) = gate("SLOW", Some(Duration::from_millis(300)));
    let t = spawn_app_with(
        move |c| {
            backend.apply(c);
            fast_cluster(c)
        },
        Some(brain),
    )
    .await;
    let shutdown = CancellationToken::new();
    let (ingress, running) = InProcessIngress::start(Arc::new(t.app.clone()), &t.app.config.cluster, shutdown.clone());
    let mut rx = ingress.subscribe();
    for i in 0..3 {
        ingress.submit(msg(&format!("c{i}"), &format!("c{i}-0"), &format!("SLOW {}", TEXTS[0]))).await.unwrap();
    }
    ingress.submit(msg("big", "big-0", &"x".repeat(20_000))).await.unwrap();
    started.recv().await.unwrap();
    shutdown.cancel();
    let report = running.wait().await.unwrap();
    assert_eq!(report, tradewind_cluster::InProcessReport { answered: 4, unfinished: 0 });
    let replies = collect(&mut rx, 4, Duration::from_secs(5), Duration::ZERO).await;
    let big = replies.iter().find(|r| r.chat_id == "big").unwrap();
    assert_eq!(big.error.as_deref(), Some("too_large"));
    assert!(big.text.contains("too long"), "{}", big.text);
    assert!(replies.iter().filter(|r| r.chat_id != "big").all(|r| r.error.is_none()));
}

// ------------------------------------------------------------ Redis Streams

on_both!(
    #[tokio::test]
    a_redelivered_message_id_is_queued_and_answered_once
);
async fn a_redelivered_message_id_is_queued_and_answered_once(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let w = worker(backend, &prefix, None, |_| {}).await;
    let m = msg("chat", "chat-0", TEXTS[0]);
    assert_eq!(g.submit(m.clone()).await, Submitted::Accepted);
    assert_eq!(g.submit(m.clone()).await, Submitted::Duplicate);
    // Another gateway (a second replica) sees the same dedupe keys.
    let g2 = gateway(backend, &prefix, |_| {}).await;
    assert_eq!(g2.submit(m.clone()).await, Submitted::Duplicate);
    // Oversized text is never put on the stream, and still gets its answer.
    assert_eq!(g.submit(msg("chat", "chat-1", &"y".repeat(17_000))).await, Submitted::Accepted);

    let replies = g.collect(2, Duration::from_secs(30), Duration::from_millis(500)).await;
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(replies[0].text.contains("800") && replies[0].inquiry_id.as_deref() == Some(inquiry_id_for(&m).as_str()));
    assert_eq!(replies[1].error.as_deref(), Some("too_large"));
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    let stored = w.app.app.memory.result(&inquiry_id_for(&m)).await.unwrap();
    assert!(stored.is_some(), "the result is stored under the message's inquiry id");
    w.stop().await;
    g2.stop().await;
    g.stop().await;
}

on_both!(
    #[tokio::test]
    a_thousand_inquiries_through_the_gateway_and_two_workers_are_each_answered_once_in_chat_order
);
async fn a_thousand_inquiries_through_the_gateway_and_two_workers_are_each_answered_once_in_chat_order(
    backend: Backend,
) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |c| c.cluster.reply_buffer = 4096).await;
    let w1 = worker(backend, &prefix, None, |_| {}).await;
    let w2 = worker(backend, &prefix, None, |_| {}).await;
    w1.wait_for_shards(2).await;
    w2.wait_for_shards(2).await;
    let n = 1000;
    // Like front ends: each chat's messages go out one after another, the
    // 100 chats in parallel.
    let mut submits = JoinSet::new();
    for c in 0..100 {
        let ingress = g.ingress.clone();
        submits.spawn(async move {
            for k in 0..n / 100 {
                let chat = format!("chat{c}");
                let m = msg(&chat, &format!("{chat}-{k}"), TEXTS[(c + k) % TEXTS.len()]);
                assert_eq!(ingress.submit(m).await.unwrap(), Submitted::Accepted);
            }
        });
    }
    while let Some(r) = submits.join_next().await {
        r.unwrap();
    }
    let replies = g.collect(n, Duration::from_secs(180), Duration::from_millis(500)).await;
    let counts = by_message(&replies);
    assert_eq!(counts.len(), n);
    assert!(
        counts.values().all(|&c| c == 1),
        "answered twice: {:?}",
        counts.iter().filter(|(_, &c)| c > 1).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|r| r.error.is_none()), "{:?}", replies.iter().find(|r| r.error.is_some()));
    assert_chat_order(&replies);
    assert_eq!(w1.completed() + w2.completed(), n as u64);
    assert!(w1.completed() > 0 && w2.completed() > 0, "both workers worked: {} / {}", w1.completed(), w2.completed());
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    w1.stop().await;
    w2.stop().await;
    g.stop().await;
}

on_both!(
    #[tokio::test]
    one_chat_is_answered_in_order_across_workers_that_finish_out_of_order
);
async fn one_chat_is_answered_in_order_across_workers_that_finish_out_of_order(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let jitter = || Some(Arc::new(JitterBrain(Arc::new(offline_brain()))) as Arc<dyn Brain>);
    let w1 = worker(backend, &prefix, jitter(), |_| {}).await;
    let w2 = worker(backend, &prefix, jitter(), |_| {}).await;
    w1.wait_for_shards(2).await;
    w2.wait_for_shards(2).await;
    // Each chat's messages are queued back to back, so they sit in the
    // stream together and would run concurrently if nothing ordered them.
    for k in 0..15 {
        for c in 0..8 {
            let chat = format!("k{c}");
            g.submit(msg(&chat, &format!("{chat}-{k}"), &format!("{} (order {k})", TEXTS[(k + c) % 2]))).await;
        }
    }
    let replies = g.collect(120, Duration::from_secs(60), Duration::from_millis(300)).await;
    assert_eq!(replies.len(), 120);
    for w in [&w1, &w2] {
        // Entries of different shards share ids: none may be mistaken for another.
        assert_eq!(w.stats.redelivered.load(std::sync::atomic::Ordering::Relaxed), 0, "{:?}", w.stats);
    }
    assert_chat_order(&replies);
    w1.stop().await;
    w2.stop().await;
    g.stop().await;
}

on_both!(
    #[tokio::test]
    a_worker_killed_mid_inquiry_is_replaced_and_the_inquiry_completes_exactly_once
);
async fn a_worker_killed_mid_inquiry_is_replaced_and_the_inquiry_completes_exactly_once(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let (brain, mut started) = gate("KILLME", None);
    let a = worker(backend, &prefix, Some(brain), |c| c.cluster.worker_name = Some("doomed".into())).await;
    a.wait_for_shards(4).await;
    let victim = msg("v", "v-0", &format!("KILLME {}", TEXTS[0]));
    g.submit(victim.clone()).await;
    // Queued behind the victim in its chat, and another chat that finishes.
    g.submit(msg("v", "v-1", TEXTS[1])).await;
    g.submit(msg("other", "other-0", TEXTS[2])).await;
    tokio::time::timeout(Duration::from_secs(20), started.recv()).await.expect("victim reached the swarm").unwrap();
    let early = g.collect(1, Duration::from_secs(20), Duration::ZERO).await;
    assert_eq!(early[0].message_id, "other-0");

    let b = worker(backend, &prefix, None, |_| {}).await;
    a.kill().await;
    // B takes the dead worker's shards once its lease runs out, reclaims the
    // victim and the message behind it, and answers both, in order.
    let replies = g.collect(2, Duration::from_secs(30), Duration::from_millis(800)).await;
    let ids: Vec<&str> = replies.iter().map(|r| r.message_id.as_str()).collect();
    assert_eq!(ids, ["v-0", "v-1"], "each answered once, in order: {replies:?}");
    assert!(replies[0].error.is_none() && replies[0].text.contains("800"), "{:?}", replies[0]);
    assert_eq!(replies[0].inquiry_id.as_deref(), Some(inquiry_id_for(&victim).as_str()));
    assert!(b.stats.redelivered.load(std::sync::atomic::Ordering::Relaxed) >= 2);
    assert_eq!(b.completed(), 2);
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    b.stop().await;
    g.stop().await;
}

on_both!(
    #[tokio::test]
    a_reclaimed_entry_that_was_completed_is_not_run_or_answered_again
);
async fn a_reclaimed_entry_that_was_completed_is_not_run_or_answered_again(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let mut traces = g.ingress.traces();
    let keys = Keys::new(&prefix, "inquiries", 4);
    let mut conn = backend.conn().await;
    for s in 0..4 {
        let _: () = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(keys.inbound(s))
            .arg("workers")
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    // A "ghost" worker reads two messages and dies. For one, its swarm run
    // had stored the result (the reply was not out yet); the other had been
    // completed (done key set) by a worker that stalled past its lease.
    let stored = msg("s", "s-0", TEXTS[0]);
    let done = msg("d", "d-0", TEXTS[1]);
    g.submit(stored.clone()).await;
    g.submit(done.clone()).await;
    for s in 0..4 {
        let _: redis::Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg("workers")
            .arg("ghost")
            .arg("STREAMS")
            .arg(keys.inbound(s))
            .arg(">")
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    assert_eq!(pending_count(backend, &prefix, 4).await, 2);
    let helper = spawn_app_with(
        |c| {
            backend.apply(c);
            c.memory.prefix = prefix.clone()
        },
        None,
    )
    .await;
    let ran =
        tradewind_cluster::process::answer(&helper.app, &stored, inquiry_id_for(&stored), &CancellationToken::new())
            .await;
    assert!(ran.reply.error.is_none());
    let _: () = redis::cmd("SET").arg(keys.done("web", "d-0")).arg("inq-earlier").query_async(&mut conn).await.unwrap();

    let w = worker(backend, &prefix, None, |_| {}).await;
    let replies = g.collect(1, Duration::from_secs(20), Duration::from_millis(800)).await;
    assert_eq!(replies.len(), 1, "only the stored one is answered: {replies:?}");
    assert_eq!(replies[0].message_id, "s-0");
    assert_eq!(replies[0].text, ran.reply.text, "answered from the stored result");
    let t = traces.recv().await.unwrap();
    assert_eq!(t.trace.swarm_us, 0, "the swarm did not run again");
    assert!(t.trace.redelivered);
    assert_eq!(w.stats.already_done.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    w.stop().await;
    g.stop().await;
}

on_both!(
    #[tokio::test]
    shutdown_hands_back_in_flight_work_and_the_next_worker_takes_it_at_once
);
async fn shutdown_hands_back_in_flight_work_and_the_next_worker_takes_it_at_once(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let (brain, mut started) = gate("HOLD", None);
    // Reclaiming by idle time would take a minute: a prompt answer below
    // proves the entries were handed back, not timed out.
    let slow_claims = |c: &mut Config| {
        c.cluster.claim_idle_ms = 60_000;
        c.cluster.shutdown_deadline_ms = 300;
    };
    let a = worker(backend, &prefix, Some(brain), slow_claims).await;
    a.wait_for_shards(4).await;
    g.submit(msg("h", "h-0", &format!("HOLD {}", TEXTS[0]))).await;
    g.submit(msg("h", "h-1", TEXTS[1])).await;
    g.submit(msg("h", "h-2", TEXTS[2])).await;
    tokio::time::timeout(Duration::from_secs(20), started.recv()).await.expect("held inquiry started").unwrap();
    let t = std::time::Instant::now();
    let report = a.stop().await;
    assert!(t.elapsed() < Duration::from_secs(3), "stopped within the deadline: {:?}", t.elapsed());
    assert_eq!((report.aborted, report.handed_back), (1, 2), "{report:?}");
    assert_eq!(pending_count(backend, &prefix, 4).await, 3, "handed back, not lost");

    let b = worker(backend, &prefix, None, slow_claims).await;
    let replies = g.collect(3, Duration::from_secs(10), Duration::from_millis(500)).await;
    let ids: Vec<&str> = replies.iter().map(|r| r.message_id.as_str()).collect();
    assert_eq!(ids, ["h-0", "h-1", "h-2"]);
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    b.stop().await;
    g.stop().await;
}

on_both!(
    #[tokio::test]
    shutdown_lets_running_inquiries_finish_within_the_deadline
);
async fn shutdown_lets_running_inquiries_finish_within_the_deadline(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let (brain, mut started) = gate("SLOW", Some(Duration::from_millis(400)));
    let a = worker(backend, &prefix, Some(brain), |c| c.cluster.shutdown_deadline_ms = 5_000).await;
    a.wait_for_shards(4).await;
    g.submit(msg("p", "p-0", &format!("SLOW {}", TEXTS[0]))).await;
    g.submit(msg("q", "q-0", &format!("SLOW {}", TEXTS[1]))).await;
    started.recv().await.unwrap();
    started.recv().await.unwrap();
    let report = a.stop().await;
    assert_eq!(report, WorkerReport { completed: 2, handed_back: 0, aborted: 0 });
    let replies = g.collect(2, Duration::from_secs(5), Duration::ZERO).await;
    assert!(replies.iter().all(|r| r.error.is_none()));
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    g.stop().await;
}

on_both!(
    #[tokio::test]
    a_worker_that_lost_its_lease_is_fenced_off_and_the_inquiry_is_answered_once
);
async fn a_worker_that_lost_its_lease_is_fenced_off_and_the_inquiry_is_answered_once(backend: Backend) {
    let prefix = unique_prefix();
    let mut g = gateway(backend, &prefix, |_| {}).await;
    let mut traces = g.ingress.traces();
    let (brain, mut started) = gate("STALL", Some(Duration::from_millis(700)));
    let a = worker(backend, &prefix, Some(brain), |_| {}).await;
    a.wait_for_shards(4).await;
    let m = msg("f", "f-0", &format!("STALL {}", TEXTS[0]));
    g.submit(m.clone()).await;
    tokio::time::timeout(Duration::from_secs(20), started.recv()).await.expect("inquiry started").unwrap();
    // While it runs, the worker "stalls": its leases pass to someone else
    // for two seconds.
    let keys = Keys::new(&prefix, "inquiries", 4);
    let mut conn = backend.conn().await;
    for s in 0..4 {
        let _: () = redis::cmd("SET")
            .arg(keys.lease(s))
            .arg("thief")
            .arg("PX")
            .arg(2_000)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    // Its run finishes but may not complete the entry; once the leases are
    // free again it takes the shard back, reclaims the entry and answers
    // from the result its fenced run stored.
    let replies = g.collect(1, Duration::from_secs(20), Duration::from_millis(800)).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].error.is_none() && replies[0].text.contains("800"));
    let t = traces.recv().await.unwrap();
    assert!(t.trace.redelivered && t.trace.swarm_us == 0, "{:?}", t.trace);
    assert_eq!(a.stats.fenced.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert!(a.stats.leases_lost.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    assert_eq!(pending_count(backend, &prefix, 4).await, 0);
    a.stop().await;
    g.stop().await;
}
