//! The replay report: what one `tradewind replay` found, as the gate, the
//! HTML page and the JSON file all read it. Plain data, no behaviour.

use serde::{Deserialize, Serialize};

/// One replay of a set of inquiries through a baseline and a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayReport {
    /// "rpl-<ms in hex>-<candidate name>", also the file name under `replays/`.
    pub id: String,
    pub created_ms: u64,
    /// Strategy ids, "name@v3".
    pub baseline: String,
    pub candidate: String,
    /// What was replayed, in words: "stored inquiries from … to …" or "cases: <file>".
    pub source: String,
    /// Whether the inputs carried labels (a case file).
    pub labelled: bool,
    pub cases: Vec<CaseDiff>,
    pub baseline_metrics: Metrics,
    pub candidate_metrics: Metrics,
    pub gate: GateOutcome,
}

/// One replayed message: what each side made of it and where they differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDiff {
    /// The stored inquiry's id, or "case <n>" for a case file.
    pub key: String,
    /// The conversation the message belongs to ("channel:chat").
    pub conversation: String,
    /// The message as stored (personal data already masked).
    pub text: String,
    /// Empty when both sides produced the same thing.
    pub diffs: Vec<FieldDiff>,
    /// Why this case counts as a false trigger of the candidate, if it does.
    pub false_trigger: Option<String>,
    pub baseline: Outcome,
    pub candidate: Outcome,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// "inquiry", "customs", "proposal", "faq" or "reply".
    pub part: String,
    /// A JSON-pointer-like path inside that part ("/risk", "/lines/0/unit_price_usd").
    pub field: String,
    /// Absent when the field is missing on that side.
    pub baseline: Option<serde_json::Value>,
    pub candidate: Option<serde_json::Value>,
}

/// What one side produced for one message, in the terms the metrics use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The customs verdict ("clear", "review", "high", "blocked"); none when it did not finish.
    pub risk: Option<String>,
    /// The verdict holds the order (review or worse).
    pub held: bool,
    /// FAQ card ids pushed to customer service.
    pub cards: Vec<String>,
    pub reply: String,
    /// Time to the customer's reply, ms.
    pub first_reply_ms: f64,
    /// Everything went out without a person (the approval policy sent it all).
    pub answered_without_human: bool,
    /// Slots right and slots labelled, with labels only.
    pub slots: Option<(u32, u32)>,
    /// Every figure of the proposal cited; none when there was no proposal.
    pub proposal_cited: Option<bool>,
    /// Parts that fell back from the model to rules.
    pub degraded: Vec<String>,
    /// The inquiry failed outright.
    pub error: Option<String>,
}

/// The business metrics of one side over the whole set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub inquiries: u32,
    /// Share of labelled slots filled right; none without labels.
    pub slot_filling_accuracy: Option<f64>,
    /// Share of inquiries answered without a human.
    pub answered_without_human: f64,
    pub first_reply_ms_p50: f64,
    pub first_reply_ms_p95: f64,
    /// Every message's time to first reply, ms, in case order (for the charts).
    pub first_reply_ms: Vec<f64>,
    /// Share of proposals with every figure cited; none when no proposal was made.
    pub proposal_completeness: Option<f64>,
    pub errors: u32,
    pub degraded: u32,
    /// Inquiries held for review or worse.
    pub held: u32,
    pub cards: u32,
}

/// The gate's decision and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GateOutcome {
    pub passed: bool,
    /// The business metric the gate was asked to judge ("answered_without_human", …).
    pub metric: String,
    /// Relative improvement of that metric (0.05 = 5% better); none when it cannot be measured.
    pub improvement: Option<f64>,
    pub min_improvement: f64,
    pub false_triggers: u32,
    pub false_trigger_rate: f64,
    pub max_false_trigger_rate: f64,
    /// One line per reason it failed, or why it passed.
    pub reasons: Vec<String>,
}
