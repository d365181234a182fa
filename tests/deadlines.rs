//! One agent past its deadline is cancelled and reported as timed out while
//! the other two still deliver. The LLM is the scripted OpenAI-compatible
//! server answering every completion after 300 ms; the proposal agent gets
//! a 100 ms deadline, the others plenty.

use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{AgentOutcome, StepKind};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_testkit::spawn_app_with;
use tradewind_testkit::ScriptedLlm;

#[tokio::test]
async fn a_straggler_times_out_and_the_other_agents_still_deliver() {
    let llm = ScriptedLlm::start_auto(Duration::from_millis(300)).await.unwrap();
    let brain = OpenAiBrain::new(OpenAiConfig {
        base_url: llm.base_url(),
        api_key: Some("test".into()),
        model: "scripted".into(),
        call_timeout: Duration::from_secs(5),
        max_retries: 0,
        ..OpenAiConfig::default()
    })
    .unwrap();
    let t = spawn_app_with(
        |c| {
            c.deadlines.set("proposal", 100);
            c.deadlines.set("customs", 10_000);
            c.deadlines.set("faq", 10_000);
        },
        Some(Arc::new(brain)),
    )
    .await;
    let r = t
        .ask("late", "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH")
        .await;

    assert!(matches!(r.proposal, AgentOutcome::TimedOut { after_ms: 100 }), "{:?}", r.proposal);
    let customs = r.customs.value().expect("customs still delivers");
    assert_eq!(customs.risk, tradewind_core::RiskLevel::Review);
    assert!(r.faq_cards.value().is_some(), "faq still delivers");
    assert!(
        r.timings.agent("proposal") < 250.0,
        "cancelled at its deadline, not after the model answered: {:?}",
        r.timings
    );

    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    assert!(steps.iter().any(|s| matches!(&s.kind, StepKind::Note { message } if message.contains("deadline"))));
}
