//! The whole swarm on the OpenAI brain, against the scripted server: model
//! output never overrides the rules, and every prompt and model reply is in
//! the transcript.

use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{RiskLevel, StepKind};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_testkit::spawn_app_with;
use tradewind_testkit::ScriptedLlm;

#[tokio::test]
async fn the_swarm_runs_on_the_openai_brain_and_rules_still_decide_customs() {
    let llm = ScriptedLlm::start_auto(Duration::from_millis(10)).await.unwrap();
    let brain = OpenAiBrain::new(OpenAiConfig {
        base_url: llm.base_url(),
        api_key: Some("test".into()),
        model: "scripted".into(),
        call_timeout: Duration::from_secs(5),
        max_retries: 0,
        ..OpenAiConfig::default()
    })
    .unwrap();
    let t = spawn_app_with(|_| {}, Some(Arc::new(brain))).await;
    let r = t.ask("cuba", "Please quote 200 units of the 3 kW 24V off-grid inverter for delivery to Havana, Cuba. Caribe Energia S.A.").await;
    let c = r.customs.value().unwrap();
    assert_eq!(c.risk, RiskLevel::Blocked, "the model cannot clear an embargo");
    assert!(c.summary.starts_with("[BLOCKED]"), "{}", c.summary);
    // The auto server's empty question list falls back to the rule questions.
    assert!(!r.faq_cards.value().unwrap().is_empty());

    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    assert!(steps.iter().any(|s| matches!(s.kind, StepKind::Prompt { .. })));
    assert!(steps.iter().any(|s| matches!(s.kind, StepKind::ModelReply { .. })));
}
