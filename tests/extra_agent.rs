//! A new agent is one file and one registration line: these test-only
//! agents are registered beside the three we ship and run in the same
//! fan-out, under their own deadlines and with only their own tools.

use async_trait::async_trait;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Barrier;
use tradewind_agents::{Agent, AgentInput, AgentOutput, BrainError, Env};
use tradewind_core::{AgentOutcome, StepKind};
use tradewind_testkit::spawn_app;
use tradewind_tools::builtin::{LookupProduct, LookupProductArgs, QuotePrice, SkuQty};
use tradewind_tools::{Tool, ToolCtx};

const MESSAGE: &str = "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH";

/// Waits at a barrier shared with another agent of the same fan-out: if
/// agents ran one after another, the first would wait forever (until its
/// deadline), so both finishing proves they ran at the same time.
struct Rendezvous {
    name: &'static str,
    barrier: Arc<Barrier>,
}

#[async_trait]
impl Agent for Rendezvous {
    fn name(&self) -> &'static str {
        self.name
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(10)
    }
    fn tools(&self) -> &'static [&'static str] {
        &[]
    }
    async fn run(&self, _env: &Env, _ctx: &ToolCtx, input: AgentInput<'_>) -> Result<AgentOutput, BrainError> {
        self.barrier.wait().await;
        Ok(AgentOutput::Json(json!({"met": true, "items": input.inquiry.items.len()})))
    }
}

/// Never finishes on its own.
struct Stuck;

#[async_trait]
impl Agent for Stuck {
    fn name(&self) -> &'static str {
        "stuck"
    }
    fn deadline(&self) -> Duration {
        Duration::from_millis(300)
    }
    fn tools(&self) -> &'static [&'static str] {
        &[]
    }
    async fn run(&self, _env: &Env, _ctx: &ToolCtx, _input: AgentInput<'_>) -> Result<AgentOutput, BrainError> {
        std::future::pending::<()>().await;
        unreachable!()
    }
}

/// Looks a product up (allowed), then tries to quote it (not in its list).
struct Catalogue;

#[async_trait]
impl Agent for Catalogue {
    fn name(&self) -> &'static str {
        "catalogue"
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(10)
    }
    fn tools(&self) -> &'static [&'static str] {
        &[LookupProduct::NAME]
    }
    async fn run(&self, env: &Env, ctx: &ToolCtx, input: AgentInput<'_>) -> Result<AgentOutput, BrainError> {
        let sku = input.inquiry.items.first().map(|i| i.sku.clone()).unwrap_or_default();
        let found = env
            .dispatcher
            .call_typed::<LookupProduct>(ctx, &LookupProductArgs { sku: Some(sku.clone()), query: None })
            .await?;
        let refused = env.dispatcher.call_typed::<QuotePrice>(ctx, &SkuQty { sku, quantity: 1 }).await.err();
        Ok(AgentOutput::Json(json!({"found": found.len(), "quote_refused": refused.map(|e| e.to_string())})))
    }
}

#[tokio::test]
async fn a_registered_agent_runs_in_parallel_with_the_others_and_lands_in_the_result_and_transcript() {
    let mut t = spawn_app().await;
    let barrier = Arc::new(Barrier::new(2));
    t.app.swarm = t
        .app
        .swarm
        .clone()
        .with_agent(Arc::new(Rendezvous { name: "fourth", barrier: barrier.clone() }))
        .with_agent(Arc::new(Rendezvous { name: "fifth", barrier }));
    let r = t.ask("extra-agents", MESSAGE).await;

    for name in ["fourth", "fifth"] {
        match r.others.get(name) {
            Some(AgentOutcome::Done { value }) => assert_eq!(value["met"], true, "{name}: {value}"),
            other => panic!("{name} should have met its partner at the barrier: {other:?}"),
        }
        assert!(r.timings.agents.contains_key(name), "{name} is timed: {:?}", r.timings);
    }
    // The three shipped agents still deliver, in their typed slots.
    assert!(r.proposal.value().is_some() && r.customs.value().is_some() && r.faq_cards.value().is_some());

    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    let output = steps.iter().find(|s| s.agent == "fourth" && matches!(s.kind, StepKind::Output { .. }));
    assert!(output.is_some(), "the fourth agent's output is in the transcript");
}

#[tokio::test]
async fn an_agent_past_its_deadline_times_out_alone() {
    let mut t = spawn_app().await;
    t.app.swarm = t.app.swarm.clone().with_agent(Arc::new(Stuck));
    let r = t.ask("stuck-agent", MESSAGE).await;

    assert_eq!(r.others.get("stuck"), Some(&AgentOutcome::TimedOut { after_ms: 300 }));
    assert!(r.proposal.value().is_some(), "proposal unaffected: {:?}", r.proposal);
    assert!(r.customs.value().is_some(), "customs unaffected: {:?}", r.customs);
    assert!(r.faq_cards.value().is_some(), "faq unaffected: {:?}", r.faq_cards);
    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    assert!(
        steps.iter().any(
            |s| s.agent == "stuck" && matches!(&s.kind, StepKind::Note { message } if message.contains("deadline"))
        ),
        "the timeout is noted under the agent's name"
    );
}

#[tokio::test]
async fn an_agent_may_use_only_the_tools_it_declares() {
    let mut t = spawn_app().await;
    t.app.swarm = t.app.swarm.clone().with_agent(Arc::new(Catalogue));
    let r = t.ask("tool-scope", MESSAGE).await;

    let Some(AgentOutcome::Done { value }) = r.others.get("catalogue") else {
        panic!("catalogue agent finished: {:?}", r.others)
    };
    assert_eq!(value["found"], 1, "{value}");
    let refused = value["quote_refused"].as_str().expect("quote_price was refused");
    assert!(refused.contains("may not use the tool 'quote_price'"), "{refused}");
}

#[tokio::test]
async fn a_deadline_in_the_config_overrides_the_agents_own() {
    let mut t = tradewind_testkit::spawn_app_with(|c| c.deadlines.set("stuck", 150), None).await;
    t.app.swarm = t.app.swarm.clone().with_agent(Arc::new(Stuck));
    let r = t.ask("stuck-config", MESSAGE).await;
    assert_eq!(r.others.get("stuck"), Some(&AgentOutcome::TimedOut { after_ms: 150 }));
}
