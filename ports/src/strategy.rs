//! The strategy board: what the console shows of strategies (the bundles,
//! which is active, the live canary and its figures, replay reports) and
//! the customer feedback that counts against a strategy. The sandbox in
//! `tradewind-app` implements it; the console only reads it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A customer's verdict on one answer ("not helpful" counts against the
/// strategy that made it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// The inquiry the answer belongs to.
    pub inquiry_id: String,
    pub helpful: bool,
}

/// One strategy as the console lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyInfo {
    /// "name@v3".
    pub id: String,
    pub description: String,
    pub fingerprint: String,
    /// "the configuration" or the bundle's path.
    pub source: String,
    /// "active", "canary" or "candidate".
    pub role: String,
}

/// A live canary: who gets the candidate and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanaryState {
    /// The candidate's id, "name@v3".
    pub strategy: String,
    /// Share of conversations (0..=1) routed to it, by a stable hash of the conversation.
    pub share: f64,
    pub started_ms: u64,
    /// Who started it ("cli", "user:<name>").
    pub by: String,
}

/// One change of the active strategy or the canary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyEvent {
    pub at_ms: u64,
    /// "canary", "promote", "rollback" or "stop".
    pub action: String,
    pub strategy: String,
    pub by: String,
    pub reason: String,
}

/// What one strategy did in the canary window, in this process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveFigures {
    pub strategy: String,
    pub window_secs: u64,
    pub inquiries: u64,
    pub errors: u64,
    pub degraded: u64,
    pub negative_feedback: u64,
    pub error_rate: f64,
    pub degraded_rate: f64,
    pub negative_rate: f64,
}

/// One stored replay report, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInfo {
    pub id: String,
    pub created_ms: u64,
    pub baseline: String,
    pub candidate: String,
    pub passed: bool,
    pub cases: u32,
    pub cases_with_diffs: u32,
    pub false_triggers: u32,
    pub metric: String,
    pub improvement: Option<f64>,
}

/// Everything the strategies page shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrategyOverview {
    /// The active strategy's id.
    pub active: String,
    pub canary: Option<CanaryState>,
    pub strategies: Vec<StrategyInfo>,
    /// The active strategy's and the canary's figures.
    pub live: Vec<LiveFigures>,
    /// The thresholds the canary is held to, as "name = value" lines.
    pub thresholds: Vec<String>,
    /// Newest first.
    pub reports: Vec<ReportInfo>,
    /// Newest first.
    pub history: Vec<StrategyEvent>,
}

#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("strategy state unavailable: {0}")]
    Unavailable(String),
}

/// The console's window on strategies.
#[async_trait]
pub trait StrategyBoard: Send + Sync {
    async fn overview(&self) -> Result<StrategyOverview, BoardError>;
    /// A replay report as its self-contained HTML page.
    async fn report_html(&self, id: &str) -> Result<String, BoardError>;
    /// The same report as JSON.
    async fn report_json(&self, id: &str) -> Result<serde_json::Value, BoardError>;
    /// Ends the canary now (an operator's rollback), recording who and why.
    async fn stop_canary(&self, by: &str, reason: &str) -> Result<(), BoardError>;
}
