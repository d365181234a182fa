//! Transcript steps: everything an agent did, in order, for operators.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepKind {
    /// A tool call with its validated arguments and its result or error.
    ToolCall {
        tool: String,
        args: serde_json::Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        result: Option<serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A rendered prompt sent to a model.
    Prompt { system: String, user: String },
    /// What a model answered, with token counts.
    ModelReply { content: String, prompt_tokens: u32, completion_tokens: u32 },
    /// Free-form note: decisions, timeouts, retries.
    Note { message: String },
    /// An agent's final output.
    Output { value: serde_json::Value },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptStep {
    pub inquiry_id: String,
    /// "intake", "proposal", "customs", "faq", "reply", "swarm".
    pub agent: String,
    pub seq: u32,
    pub at_ms: u64,
    pub duration_ms: f64,
    #[serde(flatten)]
    pub kind: StepKind,
}
