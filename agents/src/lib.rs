//! The agents and the swarm: intake, then proposal, customs and FAQ agents
//! in parallel, each with its own deadline, then the customer's reply.
//!
//! Agents depend only on ports: `Brain` (here), `Memory`, `KnowledgeIndex`
//! and sinks (through the tools). They never touch Redis, Qdrant or HTTP.

pub mod brain;
pub mod customs;
pub mod faq;
pub mod intake;
pub mod proposal;
pub mod reply;
pub mod scripted;
pub mod swarm;

pub use brain::{Brain, BrainError, BrainReply, BrainTask, OfflineBrain, OpenAiBrain, OpenAiConfig};
pub use swarm::{Swarm, SwarmConfig, SwarmError};

use std::sync::Arc;
use tradewind_tools::{Dispatcher, Services};

/// What every agent works with.
#[derive(Clone)]
pub struct Env {
    pub services: Services,
    pub dispatcher: Dispatcher,
    pub brain: Arc<dyn Brain>,
}

/// The offline brain with every agent's deterministic plan installed.
pub fn offline_brain() -> OfflineBrain {
    OfflineBrain::new().with_plan("intake", Arc::new(intake::OfflineIntake)).with_plan("faq", Arc::new(faq::OfflineFaq))
}

/// Renders a template, falling back to a plain message when it fails, so a
/// bad template can never take an agent down.
pub(crate) fn render(env: &Env, name: &str, data: &serde_json::Value) -> String {
    env.services.templates.render(name, data).unwrap_or_else(|e| format!("(template {name} failed: {e})"))
}
