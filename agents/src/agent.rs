//! The `Agent` trait: one worker of the fan-out. The swarm runs every
//! registered agent in parallel, each under its own deadline and with only
//! the tools it declares, and records how each one ended.
//!
//! Adding an agent takes a file that implements this trait and one
//! registration line (in [`builtin`], or `Swarm::with_agent`).

use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{CustomsReport, FaqCard, Field, Proposal, StructuredInquiry};
use tradewind_tools::ToolCtx;

use crate::offline::Plan;
use crate::{BrainError, Env};

/// What every agent is given: the structured inquiry and the message it came from.
#[derive(Debug, Clone, Copy)]
pub struct AgentInput<'a> {
    /// The inquiry as it stands after this message (merged over the
    /// conversation).
    pub inquiry: &'a StructuredInquiry,
    /// The customer's latest message.
    pub text: &'a str,
    /// The question the latest message asked, if it asked one.
    pub question: Option<&'a str>,
    /// What changed since the last version, for people ("v2: quantities of
    /// TW-BP-4820 800 → 1200"), when this is not the first version.
    pub changes: Option<&'a str>,
}

/// An agent's result. The three agents we ship have typed outputs, which
/// land in `SwarmResult`'s own fields; any other agent's output is JSON.
#[derive(Debug, Clone)]
pub enum AgentOutput {
    Proposal(Proposal),
    Customs(CustomsReport),
    Faq(Vec<FaqCard>),
    Json(Value),
}

impl AgentOutput {
    /// What the transcript keeps of the output: a summary for the large
    /// typed outputs (the full values are in the result), the value itself
    /// otherwise.
    pub fn transcript_value(&self) -> Value {
        match self {
            AgentOutput::Proposal(p) => json!({"lines": p.lines, "citations": p.citations.len()}),
            AgentOutput::Customs(r) => json!({"risk": r.risk, "findings": r.findings.len()}),
            AgentOutput::Faq(cards) => json!({"cards": cards.iter().map(|c| &c.id).collect::<Vec<_>>()}),
            AgentOutput::Json(v) => v.clone(),
        }
    }
}

#[async_trait]
pub trait Agent: Send + Sync {
    /// Unique, stable: it names the agent in transcripts, timings, config
    /// (`[deadlines] <name>_ms`) and results.
    fn name(&self) -> &'static str;

    /// How long the agent may run before it is cancelled; config may override.
    fn deadline(&self) -> Duration;

    /// The tools it may call. The swarm hands it a dispatcher that refuses
    /// every other tool, so a plan or a model cannot reach further.
    fn tools(&self) -> &'static [&'static str];

    /// The parts of the inquiry its output depends on. When a later message
    /// in the conversation changes none of them, the agent does not run
    /// again and its last output stands.
    fn reads(&self) -> &'static [Field] {
        &[
            Field::Products,
            Field::Quantities,
            Field::Destination,
            Field::Incoterm,
            Field::Company,
            Field::Contact,
            Field::Parties,
            Field::Lang,
        ]
    }

    /// The deterministic plan the offline brain runs for this agent's brain
    /// tasks, when the agent asks the brain for anything but a template.
    fn offline_plan(&self) -> Option<Arc<dyn Plan>> {
        None
    }

    async fn run(&self, env: &Env, ctx: &ToolCtx, input: AgentInput<'_>) -> Result<AgentOutput, BrainError>;
}

/// The agents Tradewind ships, in the order their results are reported.
pub fn builtin() -> Vec<Arc<dyn Agent>> {
    vec![
        Arc::new(crate::proposal::ProposalAgent),
        Arc::new(crate::customs::CustomsAgent),
        Arc::new(crate::faq::FaqAgent),
    ]
}
