//! A failing model never costs the customer an answer: whatever the model
//! does (refuses connections, answers 500, stalls from the start or after
//! intake, sends malformed tool calls or invalid JSON), intake still reads
//! the message by rules, customs and FAQ deliver within their deadlines, and
//! the result says which parts are degraded and why. The model is the
//! scripted OpenAI-compatible server (or a closed port).

use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_core::{AgentOutcome, RiskLevel, SwarmResult};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_testkit::{spawn_app_with, ScriptedLlm, ScriptedResponse, TestApp};

const HAMBURG: &str =
    "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH, +49 40 1234567";

/// Deadlines short enough for a test, each with room for one call and the fallback.
async fn app_on(base_url: String) -> TestApp {
    let brain = OpenAiBrain::new(OpenAiConfig {
        base_url,
        api_key: Some("test".into()),
        model: "scripted".into(),
        call_timeout: Duration::from_millis(1_200),
        max_retries: 1,
        max_backoff: Duration::from_millis(100),
        ..OpenAiConfig::default()
    })
    .unwrap();
    spawn_app_with(
        |c| {
            c.llm.call_timeout_ms = 1_200;
            c.deadlines.intake_ms = 2_000;
            c.deadlines.reply_ms = 2_000;
            for a in ["proposal", "customs", "faq"] {
                c.deadlines.set(a, 3_000);
            }
        },
        Some(Arc::new(brain)),
    )
    .await
}

/// What every failure mode must still give.
fn delivers_with_the_rules(r: &SwarmResult, took: Duration) {
    let si = &r.inquiry;
    assert_eq!(si.items.first().map(|i| (i.sku.as_str(), i.quantity)), Some(("TW-BP-4820", Some(800))), "{si:?}");
    assert_eq!(si.destination.as_ref().map(|d| d.country.as_str()), Some("DE"));
    let customs = r.customs.value().unwrap_or_else(|| panic!("customs delivers: {:?}", r.customs));
    assert!(customs.risk >= RiskLevel::Review, "a risk level is set: {customs:?}");
    assert!(matches!(r.faq_cards, AgentOutcome::Done { .. }), "FAQ delivers: {:?}", r.faq_cards);
    assert!(matches!(r.proposal, AgentOutcome::Done { .. }), "the template draft stands in: {:?}", r.proposal);
    assert!(!r.reply.trim().is_empty());
    // intake (2 s) + fan-out (3 s) + reply (2 s), with slack for a loaded machine.
    assert!(took < Duration::from_secs(12), "answered within the deadlines: {took:?}");
}

fn degraded(r: &SwarmResult) -> Vec<&str> {
    r.degraded.iter().map(|d| d.part.as_str()).collect()
}

async fn ask(t: &TestApp) -> (SwarmResult, Duration) {
    let started = Instant::now();
    let r = t.ask("failing-model", HAMBURG).await;
    (r, started.elapsed())
}

#[tokio::test]
async fn a_refused_connection_degrades_to_the_rules() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let t = app_on(format!("http://{closed}/v1")).await;
    let (r, took) = ask(&t).await;
    delivers_with_the_rules(&r, took);
    for part in ["intake", "proposal", "reply"] {
        assert!(degraded(&r).contains(&part), "{part} is degraded: {:?}", r.degraded);
    }
    assert!(r.degraded.iter().all(|d| !d.reason.is_empty()));
    let card = t.outbox("sales").join(&r.inquiry_id).join(format!("{}-proposal.md", r.inquiry_id));
    let card = std::fs::read_to_string(&card).expect("the sales card was delivered");
    assert!(card.contains("Degraded: written by rules"), "sales see the fallback: {card}");
}

#[tokio::test]
async fn http_500_on_every_call_degrades_to_the_rules() {
    let script = (0..20).map(|_| ScriptedResponse::status(500, vec![], r#"{"error":{"message":"boom"}}"#)).collect();
    let llm = ScriptedLlm::start(script).await.unwrap();
    let t = app_on(llm.base_url()).await;
    let (r, took) = ask(&t).await;
    delivers_with_the_rules(&r, took);
    assert!(degraded(&r).contains(&"intake"), "{:?}", r.degraded);
}

#[tokio::test]
async fn a_model_that_stalls_from_the_start_costs_nothing_but_the_model_parts() {
    let llm = ScriptedLlm::start_auto(Duration::from_secs(60)).await.unwrap();
    let t = app_on(llm.base_url()).await;
    let (r, took) = ask(&t).await;
    delivers_with_the_rules(&r, took);
    assert!(degraded(&r).contains(&"intake"), "{:?}", r.degraded);
    assert!(degraded(&r).contains(&"reply"), "{:?}", r.degraded);
}

#[tokio::test]
async fn a_model_that_stalls_after_intake_still_leaves_a_verdict_and_cards() {
    let draft = json!({"items": [{"sku": "TW-BP-4820", "product": "48V 20Ah e-bike battery packs", "quantity": 800}],
        "unmatched_products": [], "destination_country": "DE", "destination_place": "Hamburg", "incoterm": null,
        "company": "Nordlicht Energie GmbH", "contact_name": null, "contact_phone": null, "contact_email": null});
    let mut script = vec![ScriptedResponse::json(draft)];
    script.extend((0..10).map(|_| ScriptedResponse::stall(Duration::from_secs(60), ScriptedResponse::text("late"))));
    let llm = ScriptedLlm::start(script).await.unwrap();
    let t = app_on(llm.base_url()).await;
    let (r, took) = ask(&t).await;
    delivers_with_the_rules(&r, took);
    assert!(!degraded(&r).contains(&"intake"), "intake had its answer: {:?}", r.degraded);
    assert!(degraded(&r).contains(&"proposal") && degraded(&r).contains(&"reply"), "{:?}", r.degraded);
}

#[tokio::test]
async fn malformed_tool_calls_and_invalid_json_degrade_to_the_rules() {
    let mut script = vec![
        ScriptedResponse::tool_call_raw("lookup_product", "{not json"),
        ScriptedResponse::tool_call("no_such_tool", json!({})),
        ScriptedResponse::text("this is not JSON at all"),
        ScriptedResponse::text("still not JSON"),
    ];
    script.extend((0..10).map(|_| ScriptedResponse::text("{\"half\": ")));
    let llm = ScriptedLlm::start(script).await.unwrap();
    let t = app_on(llm.base_url()).await;
    let (r, took) = ask(&t).await;
    delivers_with_the_rules(&r, took);
    assert!(degraded(&r).contains(&"intake"), "{:?}", r.degraded);
}

#[tokio::test]
async fn after_repeated_failures_the_circuit_opens_and_calls_skip_the_model() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let t = app_on(format!("http://{closed}/v1")).await;
    for i in 0..3 {
        t.ask(&format!("breaker-{i}"), HAMBURG).await;
    }
    let health = t.app.swarm.env().brain.health().expect("a model brain reports its health");
    assert_eq!(health.circuit, "open", "{health:?}");
    let (r, took) = ask(&t).await;
    delivers_with_the_rules(&r, took);
    assert!(r.degraded.iter().any(|d| d.reason.contains("circuit")), "{:?}", r.degraded);
    let after = t.app.swarm.env().brain.health().unwrap();
    assert!(after.short_circuited > health.short_circuited, "{after:?}");
}

#[tokio::test]
async fn a_config_whose_model_calls_cannot_fit_the_deadlines_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = tradewind_testkit::test_config(dir.path(), false);
    c.llm.base_url = Some("http://127.0.0.1:9/v1".into());
    c.llm.call_timeout_ms = 30_000;
    c.deadlines.intake_ms = 20_000;
    let err = tradewind_app::App::build(c, tradewind_app::BuildOptions { ingest: false, quiet: true }, None)
        .await
        .err()
        .expect("refused");
    let msg = err.to_string();
    assert!(msg.contains("call_timeout_ms") && msg.contains("intake"), "{msg}");
}
