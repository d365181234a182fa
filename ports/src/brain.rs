//! The `Brain` port: what turns an agent's task into text or JSON.
//!
//! Two adapters: the offline brain (`tradewind-agents`: deterministic plans
//! over the tools, text from handlebars templates; the default) and the
//! OpenAI-compatible brain (`tradewind-llm`: a tool-calling loop with
//! structured JSON outputs). Both act only through a [`ToolHost`], so the
//! transcript shows the same kind of steps whichever brain ran.

use async_trait::async_trait;
use serde_json::Value;
use std::time::Duration;

use crate::tool::{ToolCtx, ToolError, ToolHost};

/// A structured output the brain must return: a JSON Schema (strict mode).
#[derive(Debug, Clone)]
pub struct OutputSpec {
    pub name: &'static str,
    pub schema: Value,
}

/// One unit of work for a brain.
#[derive(Debug, Clone)]
pub struct BrainTask {
    /// "intake", "proposal", "customs", "faq", "reply".
    pub agent: &'static str,
    /// Rendered system prompt (from `prompts/system/*.hbs`).
    pub system: String,
    /// The user turn: the customer's message or the task's facts.
    pub user: String,
    /// Facts the agent gathered, for offline plans and templates.
    pub facts: Value,
    /// Template the offline brain renders (`render_document`), if any.
    pub template: Option<String>,
    /// Tools the model may call; empty means none.
    pub tools: Vec<&'static str>,
    /// When set, the final answer must be JSON matching this schema.
    pub output: Option<OutputSpec>,
    /// Upper bound on model turns in the tool loop.
    pub max_steps: usize,
}

#[derive(Debug, Clone, Default)]
pub struct BrainReply {
    /// Final text (Markdown, or the JSON text when `output` was set).
    pub content: String,
    /// Parsed JSON when `output` was set.
    pub json: Option<Value>,
    pub steps: u32,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum BrainError {
    #[error("model call timed out after {0:?}")]
    Timeout(Duration),
    /// The endpoint failed too often lately; calls skip it until it recovers.
    #[error("model endpoint unavailable: {0}")]
    Unavailable(String),
    /// The prompt does not fit the model's context with room for the answer.
    #[error("prompt too long for the model: {0}")]
    OverBudget(String),
    #[error("model endpoint error: {0}")]
    Endpoint(String),
    #[error("model gave up after {0} steps without a final answer")]
    StepLimit(usize),
    #[error("model output did not match the schema: {0}")]
    BadOutput(String),
    #[error("no offline plan for agent '{0}'")]
    NoPlan(String),
    #[error("tool failed: {0}")]
    Tool(#[from] ToolError),
}

/// How a model endpoint is doing, for operators and `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct BrainHealth {
    pub endpoint: String,
    /// "closed" (calls go through), "open" (calls skip the model) or
    /// "half_open" (one probe call is let through).
    pub circuit: String,
    pub calls: u64,
    pub errors: u64,
    pub timeouts: u64,
    /// Calls refused because the circuit was open.
    pub short_circuited: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[async_trait]
pub trait Brain: Send + Sync {
    /// "offline" or "openai:<model>".
    fn name(&self) -> String;

    fn is_offline(&self) -> bool;

    /// The endpoint's health; `None` for a brain that calls no endpoint.
    fn health(&self) -> Option<BrainHealth> {
        None
    }

    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError>;
}
