//! The whole swarm on the OpenAI brain, against the scripted server: model
//! output never overrides the rules, and every prompt and model reply is in
//! the transcript.

use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{RiskLevel, StepKind};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_testkit::spawn_app_with;
use tradewind_testkit::ScriptedLlm;

/// The OpenAI brain on the scripted server: no retries, a short timeout.
fn brain_on(llm: &ScriptedLlm) -> OpenAiBrain {
    OpenAiBrain::new(OpenAiConfig {
        base_url: llm.base_url(),
        api_key: Some("test".into()),
        model: "scripted".into(),
        call_timeout: Duration::from_secs(5),
        max_retries: 0,
        ..OpenAiConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn the_swarm_runs_on_the_openai_brain_and_rules_still_decide_customs() {
    let llm = ScriptedLlm::start_auto(Duration::from_millis(10)).await.unwrap();
    let brain = brain_on(&llm);
    // Every agent on the model, to exercise each one's protocol path.
    let t = spawn_app_with(
        |c| c.llm.agents = ["intake", "proposal", "customs", "faq", "reply"].map(String::from).to_vec(),
        Some(Arc::new(brain)),
    )
    .await;
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

#[tokio::test]
async fn the_model_may_fill_a_field_only_with_what_the_customer_wrote() {
    use tradewind_testkit::ScriptedResponse;
    // The message gives a name and a company; the model invents a phone and
    // an e-mail (as a small model did), and reads the company right.
    let draft = serde_json::json!({
        "items": null, "unmatched_products": ["LED panel lights"], "destination_country": "UZ",
        "destination_place": null, "incoterm": null, "company": "Caspian Lighting LLC",
        "contact_name": "Reza Karimi", "contact_phone": "+998924567890",
        "contact_email": "reza.karimi@caspianlighting.com"
    });
    let llm = ScriptedLlm::start(vec![ScriptedResponse::json(draft)]).await.unwrap();
    let brain = brain_on(&llm);
    let t = spawn_app_with(|c| c.llm.agents = vec!["intake".into()], Some(Arc::new(brain))).await;
    let r =
        t.ask("grounding", "Hello, this is Reza Karimi from Caspian Lighting LLC. Do you sell LED panel lights?").await;
    let si = &r.inquiry;
    assert_eq!(si.contact.phone, None, "an invented phone is dropped");
    assert_eq!(si.contact.email, None, "an invented e-mail is dropped");
    assert!(si.destination.is_none(), "a destination the message never names is dropped: {:?}", si.destination);
    assert_eq!(si.company.as_deref(), Some("Caspian Lighting LLC"));
    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    let dropped: Vec<String> = steps
        .iter()
        .filter_map(|s| match &s.kind {
            StepKind::Note { message } if message.contains("not in the message") => Some(message.clone()),
            _ => None,
        })
        .collect();
    assert!(dropped.iter().any(|m| m.contains("contact_phone")), "{dropped:?}");
    assert!(dropped.iter().any(|m| m.contains("contact_email")), "{dropped:?}");
    let facts =
        t.app.memory.load_customer(&tradewind_core::CustomerId::channel("test", "grounding")).await.unwrap().facts;
    assert_eq!(facts.phone, None, "nothing invented is stored as a customer fact");
}

#[tokio::test]
async fn our_own_name_in_an_earlier_reply_never_grounds_the_customers_company() {
    use tradewind_testkit::ScriptedResponse;
    // Turn 1 is read by the rules (the script's first answer is not JSON);
    // on turn 2 the model names us as the customer's company, as Qwen2.5
    // 1.5B did after our reply had signed "Tradewind Power".
    let wrong = serde_json::json!({
        "items": null, "unmatched_products": null, "destination_country": null, "destination_place": null,
        "incoterm": null, "company": "Tradewind Power", "contact_name": null, "contact_phone": null,
        "contact_email": null
    });
    let llm =
        ScriptedLlm::start(vec![ScriptedResponse::text("not json"), ScriptedResponse::json(wrong)]).await.unwrap();
    let brain = brain_on(&llm);
    let t = spawn_app_with(|c| c.llm.agents = vec!["intake".into()], Some(Arc::new(brain))).await;
    // By e-mail, where our reply is a letter signed with our name (chat
    // replies do not sign).
    let email = |text: &str| tradewind_app::IncomingMessage {
        channel: "email".into(),
        user: "own-name".into(),
        text: text.into(),
        ..Default::default()
    };
    let first = t.send(email("We need 500 E27 LED bulbs 9W, CIF Dubai.")).await;
    assert!(first.reply.contains("Tradewind Power"), "our reply names us: {}", first.reply);
    let second = t.send(email("FOB please.")).await;
    assert_eq!(second.inquiry.company, None, "our name is not the customer's company");
}
