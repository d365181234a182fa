//! The strategy sandbox end to end on the real wiring (qdrant-edge in a temp
//! folder, in-process memory): shadow replay of stored inquiries and of a
//! labelled case file, the gate, and a canary that rolls itself back.

use std::path::Path;
use tradewind_app::sandbox::{self, replay, strategy};
use tradewind_app::{App, BuildOptions, Config, IncomingMessage};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/replay/cases.jsonl");

fn bundle(config: &Config, name: &str, text: &str) {
    let dir = strategy::strategies_dir(config).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("v1.toml"), text).unwrap();
}

fn config_in(dir: &Path) -> Config {
    let mut c = tradewind_testkit::test_config(dir, false);
    c.strategy.dir = Some(dir.join("strategies"));
    c
}

#[tokio::test]
async fn replaying_stored_inquiries_through_an_identical_strategy_gives_zero_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let (app, _) = App::build(config.clone(), BuildOptions::default(), None).await.unwrap();
    let inputs = replay::load_cases(Path::new(CASES)).unwrap();
    for i in inputs.iter().take(8) {
        app.handle_message(i.msg.clone()).await.unwrap();
    }
    // A conversation of two messages, the second building on the first.
    let mut m = IncomingMessage::new("web", "buyer-1", "Please quote 200 LED high bay lights to Lyon, France.");
    m.chat = Some("chat-1".into());
    app.handle_message(m.clone()).await.unwrap();
    m.text = "Make that 300, DAP.".into();
    app.handle_message(m).await.unwrap();
    drop(app);

    let count = |d: &Path| std::fs::read_dir(d).map(|d| d.count()).unwrap_or(0);
    let sales = dir.path().join("outbox/sales");
    let written = count(&sales);
    assert!(written > 0);
    let stored = replay::load_stored(&config, None, None, 100).await.unwrap();
    assert_eq!(stored.len(), 10, "every answered message is kept for replay");
    assert!(stored.windows(2).all(|w| w[0].received_at_ms <= w[1].received_at_ms), "oldest first");
    let same = strategy::resolve(&config, "config").unwrap();
    let report = replay::replay(&config, &same, &same, &stored, "stored".into()).await.unwrap();
    let diffs: Vec<_> = report.cases.iter().filter(|c| !c.diffs.is_empty()).collect();
    assert!(diffs.is_empty(), "{:#?}", diffs.iter().map(|c| (&c.key, &c.diffs)).collect::<Vec<_>>());
    assert_eq!(report.gate.false_triggers, 0);
    assert_eq!(report.baseline_metrics.held, report.candidate_metrics.held);
    // No difference is no improvement: the gate does not pass a copy.
    assert!(!report.gate.passed, "{:?}", report.gate.reasons);
    // Nothing the replay did reached the real sinks.
    assert_eq!(count(&sales), written, "the replay sent nothing");
}

#[tokio::test]
async fn a_lowered_screening_threshold_fails_the_gate_on_false_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    bundle(&config, "loose", "description = \"review at 0.10\"\n[screening]\nreview_at = 0.10\n");
    let inputs = replay::load_cases(Path::new(CASES)).unwrap();
    let base = strategy::resolve(&config, "config").unwrap();
    let loose = strategy::resolve(&config, "loose").unwrap();
    let report = replay::replay(&config, &base, &loose, &inputs, "cases".into()).await.unwrap();
    assert!(report.labelled);
    assert!(!report.gate.passed);
    assert!(report.gate.false_triggers > 0, "{:?}", report.gate);
    assert!(report.gate.reasons.iter().any(|r| r.starts_with("false triggers")), "{:?}", report.gate.reasons);
    let flagged = report.cases.iter().find(|c| c.false_trigger.is_some()).unwrap();
    assert!(flagged.diffs.iter().any(|d| d.part == "customs"), "{:?}", flagged.diffs);
    // The labelled embargo and listed-party cases are held by both: not false triggers.
    for c in report.cases.iter().filter(|c| c.baseline.held) {
        assert!(c.false_trigger.is_none(), "{}: {:?}", c.key, c.false_trigger);
    }
    // Saved, and rendered as a page that shows the verdict.
    let saved = replay::save_report(&config, &report).unwrap();
    assert!(saved.exists());
    let again = replay::saved_report(&config, &report.id).unwrap();
    assert_eq!(again.gate, report.gate);
    assert!(sandbox::html::render(&report).contains("FAILED"));
}

#[tokio::test]
async fn a_canary_with_a_broken_model_endpoint_rolls_back_and_every_customer_still_gets_a_reply() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_in(dir.path());
    config.strategy.canary.window_secs = 60;
    config.strategy.canary.min_inquiries = 3;
    // Nothing listens on port 9 of loopback: every model call is refused.
    bundle(
        &config,
        "broken",
        "description = \"a model endpoint that is down\"\n[llm]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"none\"\ncall_timeout_ms = 1000\nmax_retries = 0\n",
    );
    let (app, _) = App::build(config.clone(), BuildOptions::default(), None).await.unwrap();
    let started = tradewind_core::now_ms();
    sandbox::start_canary(&config, "broken", 0.5, "test").await.unwrap();
    app.strategies.reload().await;
    assert_eq!(app.strategies.canary().map(|(l, _)| l.id.clone()).as_deref(), Some("broken@v1"));

    let mut on_canary = 0;
    for i in 0..40 {
        let mut m =
            IncomingMessage::new("web", format!("u{i}"), "Please quote 100 LED high bay lights to Lyon, France.");
        m.chat = Some(format!("chat-{i}"));
        let r = app.handle_message(m).await.expect("every customer gets an answer");
        assert!(!r.reply.trim().is_empty(), "customer {i} got an empty reply");
        if r.strategy.as_deref() == Some("broken@v1") {
            on_canary += 1;
            assert!(!r.degraded.is_empty(), "the broken model's parts fell back to rules");
        }
    }
    assert!(on_canary >= 3, "the canary share saw {on_canary} conversations");
    assert!(app.strategies.canary().is_none(), "the canary rolled itself back");
    let state = sandbox::state(&config).await.unwrap();
    assert!(state.canary.is_none());
    let rollback = state.history.iter().find(|e| e.action == "rollback").expect("the rollback is in the history");
    assert!(rollback.reason.contains("degraded rate"), "{}", rollback.reason);
    assert!(rollback.at_ms - started < 60_000, "rolled back within the window");
    let audit = app.desk.audit.export(0, 10_000).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.field == "strategy.canary" && e.actor == "system:canary" && e.trigger.contains("degraded")),
        "the audit log says why"
    );
    // After the rollback every conversation is on the active strategy again.
    let mut m = IncomingMessage::new("web", "late", "Please quote 100 LED high bay lights to Lyon, France.");
    m.chat = Some("chat-late".into());
    assert_eq!(app.handle_message(m).await.unwrap().strategy.as_deref(), Some("config@v0"));
}

#[tokio::test]
async fn a_customer_saying_not_helpful_counts_against_the_strategy_that_answered() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let (app, _) = App::build(config, BuildOptions::default(), None).await.unwrap();
    let mut m = IncomingMessage::new("web", "u1", "Please quote 100 LED high bay lights to Lyon, France.");
    m.chat = Some("chat-1".into());
    let r = app.handle_message(m.clone()).await.unwrap();
    let mut fb = m.clone();
    fb.text = "not helpful".into();
    fb.feedback = Some(tradewind_ports::Feedback { inquiry_id: r.inquiry_id.clone(), helpful: false });
    let ack = app.handle_message(fb.clone()).await.unwrap();
    assert!(ack.reply.contains("colleague"), "{}", ack.reply);
    // Twice is still one verdict.
    app.handle_message(fb.clone()).await.unwrap();
    let f = app.strategies.figures();
    assert_eq!(f[0].negative_feedback, 1, "{f:?}");
    // Another chat cannot judge this chat's answer.
    let mut other = fb.clone();
    other.chat = Some("chat-2".into());
    assert!(app.handle_message(other).await.is_err());
}

/// The canary a command starts reaches every process that shares the Redis
/// (the gateway's workers), on a single server and on a cluster.
async fn state_is_shared_through_redis(backend: tradewind_testkit::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_in(dir.path());
    backend.apply(&mut config);
    bundle(&config, "strict", "[approval]\nproposal = \"hold\"\n");
    sandbox::start_canary(&config, "strict", 0.25, "test").await.unwrap();
    // Another process: the same Redis and prefix, another data folder.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = config_in(other_dir.path());
    other.memory.redis_url = config.memory.redis_url.clone();
    other.memory.prefix = config.memory.prefix.clone();
    let seen = sandbox::state(&other).await.unwrap();
    let canary = seen.canary.expect("the other process sees the canary");
    assert_eq!((canary.strategy.as_str(), canary.share), ("strict@v1", 0.25));
    assert!(!dir.path().join("strategy-state.json").exists(), "with Redis memory the state is not a local file");
    sandbox::stop_canary(&other, "test", "enough").await.unwrap();
    let after = sandbox::state(&config).await.unwrap();
    assert!(after.canary.is_none());
    assert_eq!(after.history.last().map(|e| e.action.as_str()), Some("stop"));
}

mod the_strategy_state_is_shared_through_redis {
    use tradewind_testkit::Backend;

    #[tokio::test]
    async fn on_single() {
        super::state_is_shared_through_redis(Backend::Single).await;
    }

    #[tokio::test]
    async fn on_cluster() {
        super::state_is_shared_through_redis(Backend::Cluster).await;
    }
}
