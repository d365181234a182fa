//! What the swarm produces: proposal, customs report, FAQ cards, and the
//! customer's reply, each with the citations that ground it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::inquiry::StructuredInquiry;

/// Where a claim comes from. `source` is a knowledge file, a rule id, a list
/// entry or a catalog record (e.g. `knowledge/kb/catalog.jsonl#TW-BP-4820`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Citation {
    pub source: String,
    pub section: Option<String>,
    pub chunk_id: Option<String>,
    pub score: Option<f32>,
}

impl Citation {
    pub fn rule(source: impl Into<String>) -> Self {
        Self { source: source.into(), section: None, chunk_id: None, score: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Clear,
    Review,
    High,
    Blocked,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Clear => "clear",
            RiskLevel::Review => "review",
            RiskLevel::High => "high",
            RiskLevel::Blocked => "blocked",
        }
    }
}

/// One reason behind a customs verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    /// Machine-readable family: "hs", "destination", "screening", "dangerous_goods", "stock", "documents".
    pub kind: String,
    /// The level this finding alone would justify.
    pub level: RiskLevel,
    /// Optional SKU the finding is about.
    pub sku: Option<String>,
    pub message: String,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomsReport {
    pub risk: RiskLevel,
    pub findings: Vec<Finding>,
    /// Human summary; rules decide `risk`, a model may only phrase this text.
    pub summary: String,
    /// Documents the shipment will need.
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Proposal {
    pub markdown: String,
    pub citations: Vec<Citation>,
    /// Per line: sku, quantity, unit price, total.
    pub lines: Vec<ProposalLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProposalLine {
    pub sku: String,
    pub quantity: u32,
    pub unit_price_usd: f64,
    pub tier_min_qty: u32,
    pub total_usd: f64,
    pub lead_time_days: u32,
    pub stock: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FaqCard {
    pub id: String,
    pub lang: crate::inquiry::Lang,
    pub question: String,
    pub answer: String,
    pub topic: String,
    pub citation: Citation,
}

/// How one fanned-out agent ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AgentOutcome<T> {
    Done {
        value: T,
    },
    TimedOut {
        after_ms: u64,
    },
    Failed {
        error: String,
    },
    /// Not run for this inquiry (not registered, or nothing it reads changed).
    Skipped {
        reason: String,
    },
}

impl<T> AgentOutcome<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            AgentOutcome::Done { value } => Some(value),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub intake_ms: f64,
    /// Wall time of each fanned-out agent, by agent name.
    #[serde(default)]
    pub agents: BTreeMap<String, f64>,
    /// Wall time of the parallel fan-out.
    pub fanout_ms: f64,
    pub total_ms: f64,
    /// Model calls made for this message, and their tokens.
    #[serde(default)]
    pub model_calls: u32,
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
}

impl Timings {
    /// One agent's wall time; 0 when it did not run.
    pub fn agent(&self, name: &str) -> f64 {
        self.agents.get(name).copied().unwrap_or(0.0)
    }
}

/// Everything one inquiry produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SwarmResult {
    pub inquiry_id: String,
    pub customer: String,
    pub inquiry: StructuredInquiry,
    pub reply: String,
    pub proposal: AgentOutcome<Proposal>,
    pub customs: AgentOutcome<CustomsReport>,
    pub faq_cards: AgentOutcome<Vec<FaqCard>>,
    /// Agents beyond the three above, by name, with their JSON outputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub others: BTreeMap<String, AgentOutcome<serde_json::Value>>,
    /// Parts that fell back from the model to their offline plan (a model
    /// that failed, stalled or said something it must not).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub degraded: Vec<Degraded>,
    /// The conversation's inquiry this message belongs to, and what the
    /// message did to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<ThreadInfo>,
    pub timings: Timings,
    /// The strategy that made this result ("name@v3"); absent on results
    /// stored before strategies existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// The message this result answers, as stored (masked at rest like
    /// everything else), so that a replay can run it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<RecordedMessage>,
}

/// The input of one inquiry, kept with its result for shadow replay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordedMessage {
    pub channel: String,
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<String>,
    pub text: String,
    pub received_at_ms: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub start_new: bool,
}

/// A part of the result made without the model it should have used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Degraded {
    /// "intake", "proposal", "customs", "faq", "reply".
    pub part: String,
    pub reason: String,
}

/// Where one message left its conversation's inquiry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadInfo {
    pub thread_id: String,
    pub version: u32,
    pub kinds: Vec<crate::conversation::TurnKind>,
    pub changes: Vec<crate::conversation::Change>,
    /// Agents that ran for this message.
    pub ran: Vec<String>,
    /// Agents whose earlier output stands, because nothing they read changed.
    pub reused: Vec<String>,
}
