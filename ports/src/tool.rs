//! What a brain needs to use tools without knowing any: the calling
//! context, the error a tool returns, and the `ToolHost` that validates,
//! runs and records calls by name.

use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use tradewind_core::CustomerId;

use crate::recorder::Recorder;

/// What the caller should do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolErrorKind {
    /// The model (or plan) sent something wrong; tell it and let it retry.
    TellModel,
    /// A passing fault (network, busy backend); retrying may succeed.
    Retry,
    /// A bug or a broken backend; stop the agent.
    Fatal,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ToolError {
    #[error("invalid arguments for {tool}: {message}")]
    InvalidArgs { tool: String, message: String },
    #[error("unknown tool '{0}'")]
    UnknownTool(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("temporarily unavailable: {0}")]
    Transient(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ToolError {
    pub fn kind(&self) -> ToolErrorKind {
        match self {
            ToolError::InvalidArgs { .. }
            | ToolError::UnknownTool(_)
            | ToolError::NotFound(_)
            | ToolError::Rejected(_) => ToolErrorKind::TellModel,
            ToolError::Transient(_) => ToolErrorKind::Retry,
            ToolError::Internal(_) => ToolErrorKind::Fatal,
        }
    }
}

/// Who is calling: the inquiry, the agent and the customer, plus the
/// recorder that keeps the transcript.
#[derive(Clone, Debug)]
pub struct ToolCtx {
    pub inquiry_id: Arc<str>,
    pub agent: &'static str,
    pub customer: CustomerId,
    pub recorder: Arc<Recorder>,
    /// When the calling agent's time is up. A brain must give up before it,
    /// leaving the agent time to fall back to its offline plan.
    pub deadline: Option<tokio::time::Instant>,
}

impl ToolCtx {
    pub fn new(inquiry_id: &str, agent: &'static str, customer: CustomerId, recorder: Arc<Recorder>) -> Self {
        Self { inquiry_id: Arc::from(inquiry_id), agent, customer, recorder, deadline: None }
    }

    pub fn for_agent(&self, agent: &'static str) -> ToolCtx {
        ToolCtx { agent, deadline: None, ..self.clone() }
    }

    /// The same context, with `within` from now as the deadline.
    pub fn with_deadline(mut self, within: std::time::Duration) -> ToolCtx {
        self.deadline = tokio::time::Instant::now().checked_add(within);
        self
    }

    /// Time left before the deadline; `None` when there is none.
    pub fn remaining(&self) -> Option<std::time::Duration> {
        self.deadline.map(|d| d.saturating_duration_since(tokio::time::Instant::now()))
    }
}

/// Runs tools by name on raw JSON: what a model's tool loop needs. The
/// host validates arguments against each tool's schema before anything runs
/// and records every call in the transcript.
#[async_trait]
pub trait ToolHost: Send + Sync {
    /// Names of every tool the host can run.
    fn names(&self) -> Vec<&'static str>;

    /// OpenAI `tools` entries (function definitions, strict mode) for the
    /// named tools, or for all when `only` is empty.
    fn definitions(&self, only: &[&str]) -> Vec<Value>;

    /// Validate, run and record one call.
    async fn call(&self, ctx: &ToolCtx, name: &str, raw: Value) -> Result<Value, ToolError>;
}
