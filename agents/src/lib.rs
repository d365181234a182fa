//! The agents and the swarm: intake, then the registered agents (proposal,
//! customs and FAQ ship) in parallel, each with its own deadline and tools,
//! then the customer's reply.
//!
//! Agents depend only on ports: `Brain`, and through the tools `Memory`,
//! `KnowledgeIndex` and `Sink`. This crate never links Redis, Qdrant, an
//! HTTP client or a model SDK; a dependency test holds it to that.

pub mod agent;
pub mod customs;
pub mod faq;
pub mod intake;
pub mod offline;
pub mod proposal;
pub mod reply;
pub mod swarm;

pub use agent::{Agent, AgentInput, AgentOutput};
pub use offline::{OfflineBrain, Plan};
pub use swarm::{Swarm, SwarmConfig, SwarmError};
pub use tradewind_ports::brain::{Brain, BrainError, BrainReply, BrainTask, OutputSpec};

use std::collections::BTreeSet;
use std::sync::Arc;
use tradewind_tools::{Dispatcher, Services};

/// What every agent works with.
#[derive(Clone)]
pub struct Env {
    pub services: Services,
    pub dispatcher: Dispatcher,
    /// The configured brain: the offline one, or a model.
    pub brain: Arc<dyn Brain>,
    /// The offline brain, for agents that do not use the model and for
    /// every fallback.
    pub offline: Arc<dyn Brain>,
    /// The agents that ask the model (when `brain` is one); the others
    /// work by rules. `None`: every agent may.
    pub model_agents: Option<Arc<BTreeSet<String>>>,
}

impl Env {
    pub fn new(services: Services, dispatcher: Dispatcher, brain: Arc<dyn Brain>) -> Self {
        Self { services, dispatcher, brain, offline: Arc::new(offline_brain()), model_agents: None }
    }

    /// Only these agents ask the model; the rest work by rules.
    pub fn with_model_agents(mut self, agents: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.model_agents = Some(Arc::new(agents.into_iter().map(Into::into).collect()));
        self
    }

    /// The brain `agent` uses: the model if it is configured and the agent
    /// is one that asks it, else the offline brain.
    pub fn brain_for(&self, agent: &str) -> &dyn Brain {
        match &self.model_agents {
            Some(set) if !set.contains(agent) => self.offline.as_ref(),
            _ => self.brain.as_ref(),
        }
    }
}

/// The offline brain with the deterministic plan of intake and of every
/// given agent that has one installed.
pub fn offline_brain_for(agents: &[Arc<dyn Agent>]) -> OfflineBrain {
    let mut brain = OfflineBrain::new().with_plan("intake", Arc::new(intake::OfflineIntake));
    for a in agents {
        if let Some(plan) = a.offline_plan() {
            brain = brain.with_plan(a.name(), plan);
        }
    }
    brain
}

/// The offline brain for the agents Tradewind ships.
pub fn offline_brain() -> OfflineBrain {
    offline_brain_for(&agent::builtin())
}

/// Renders a template, falling back to a plain message when it fails, so a
/// bad template can never take an agent down.
pub(crate) fn render(env: &Env, name: &str, data: &serde_json::Value) -> String {
    env.services.templates.render(name, data).unwrap_or_else(|e| format!("(template {name} failed: {e})"))
}

/// Pushes one result to a sink through the `push_card` tool (so the
/// transcript shows it), when that sink is configured. A failed delivery is
/// noted, never fatal: the result is stored whatever happens to its card.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn deliver(
    env: &Env,
    ctx: &tradewind_tools::ToolCtx,
    sink: &str,
    kind: &str,
    delivery_id: String,
    title: String,
    body: String,
    payload: &impl serde::Serialize,
) {
    use tradewind_tools::builtin::{PushArgs, PushCard};
    if !env.services.sinks.contains_key(sink) {
        return;
    }
    let args = PushArgs {
        sink: sink.into(),
        kind: kind.into(),
        delivery_id,
        title,
        body,
        payload_json: serde_json::to_string(payload).ok(),
    };
    if let Err(e) = env.dispatcher.call_typed::<PushCard>(ctx, &args).await {
        ctx.recorder.note(ctx.agent, format!("delivery to {sink} failed: {e}"));
    }
}
