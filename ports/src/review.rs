//! Human review of what the swarm produced: the approval stage each inquiry
//! is in, the deliveries held until a person approves them, the draft's
//! versions, and the append-only audit log of every change, by a person or
//! an agent. Stored by the memory backend (in process or Redis).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sink::Delivery;

/// Where an inquiry stands between the swarm's drafts and the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Drafted; nothing decided yet (only while the swarm is settling it).
    Drafted,
    /// Customs said high or blocked: compliance clears or blocks it first.
    AwaitingCompliance,
    /// Waiting for sales to edit and approve the draft.
    AwaitingSales,
    /// Everything held was released (or nothing needed a human).
    Sent,
    /// Blocked by compliance or rejected by sales: nothing held goes out.
    Rejected,
}

impl Stage {
    pub const ALL: [Stage; 5] =
        [Stage::Drafted, Stage::AwaitingCompliance, Stage::AwaitingSales, Stage::Sent, Stage::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Drafted => "drafted",
            Stage::AwaitingCompliance => "awaiting_compliance",
            Stage::AwaitingSales => "awaiting_sales",
            Stage::Sent => "sent",
            Stage::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No further decision can change it.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Sent | Stage::Rejected)
    }
}

/// A delivery waiting for approval, with the sink (audience) it goes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldDelivery {
    pub sink: String,
    pub delivery: Delivery,
}

/// One version of the proposal draft: v1 is the agent's, later ones are
/// sales' edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftVersion {
    pub version: u32,
    pub body: String,
    pub by: String,
    pub at_ms: u64,
}

/// A person's decision on an inquiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// "clear", "block", "approve", "reject", "edit".
    pub action: String,
    pub by: String,
    pub role: String,
    pub reason: String,
    pub at_ms: u64,
}

/// What the console knows of one inquiry besides its stored result: its
/// stage, what is held, the draft's versions and the decisions so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub inquiry_id: String,
    pub stage: Stage,
    /// Bumped by every write; a write names the revision it read, so two
    /// people deciding at once cannot both win.
    pub rev: u64,
    /// Customs' risk level when drafted: "clear", "review", "high", "blocked".
    pub risk: String,
    pub channel: String,
    pub customer: String,
    pub language: String,
    pub created_ms: u64,
    pub updated_ms: u64,
    /// Deliveries waiting for approval; emptied when released or rejected.
    pub held: Vec<HeldDelivery>,
    /// Delivery ids that went out, with where.
    pub sent: Vec<(String, String)>,
    pub drafts: Vec<DraftVersion>,
    pub decisions: Vec<Decision>,
    /// The strategy whose result this is ("name@v3").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

/// One change, by a person or an agent: who, when, which field, the value
/// before and after, and what triggered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Assigned by the log when appended (a Redis stream id in Redis).
    #[serde(default)]
    pub id: String,
    pub at_ms: u64,
    /// "user:<name>" or "agent:<name>".
    pub actor: String,
    /// The actor's role ("agent" for agents).
    pub role: String,
    pub inquiry_id: String,
    /// e.g. "stage", "proposal.body", "customs.risk_level", "delivery.sales".
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// "inquiry:<id>", "delivery:<id>" or "approval:<id>".
    pub trigger: String,
    /// The strategy active for the inquiry, or the one a strategy event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

/// Failures of the review store and the audit log.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("review store unavailable: {0}")]
    Unavailable(String),
    #[error("review record is corrupt: {0}")]
    Corrupt(String),
    /// Someone else changed it since it was read.
    #[error("inquiry {0} was changed by someone else; reload and try again")]
    Conflict(String),
}

/// The reviews, newest first.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Writes `review` if the stored one is still at `review.rev - 1` (or
    /// absent when `review.rev` is 1); otherwise `Conflict`.
    async fn put(&self, review: &Review) -> Result<(), ReviewError>;
    async fn get(&self, inquiry_id: &str) -> Result<Option<Review>, ReviewError>;
    /// The newest `limit` reviews, newest first.
    async fn list(&self, limit: usize) -> Result<Vec<Review>, ReviewError>;
}

/// The append-only audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn append(&self, events: &[AuditEvent]) -> Result<(), ReviewError>;
    /// One inquiry's events, oldest first.
    async fn for_inquiry(&self, inquiry_id: &str) -> Result<Vec<AuditEvent>, ReviewError>;
    /// Every event at or after `since_ms`, oldest first, at most `limit`.
    async fn export(&self, since_ms: u64, limit: usize) -> Result<Vec<AuditEvent>, ReviewError>;
}

/// Who is acting on the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: String,
}

/// What a person asks of the desk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionRequest {
    /// "clear", "block", "edit", "approve", "reject".
    pub action: String,
    #[serde(default)]
    pub reason: String,
    /// The edited proposal (Markdown), for "edit" (and "approve" with edits).
    #[serde(default)]
    pub body: Option<String>,
    /// The revision the person looked at.
    pub rev: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no inquiry {0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] ReviewError),
}

/// People's decisions on held inquiries; the one way held deliveries leave.
#[async_trait]
pub trait Approvals: Send + Sync {
    async fn decide(&self, inquiry_id: &str, who: &Actor, req: &DecisionRequest) -> Result<Review, DecideError>;
}

/// What the operations page shows and does: queue depths and leases, dead
/// letters, list ages, model health, and the Prometheus metrics.
#[async_trait]
pub trait OpsView: Send + Sync {
    /// The operations page's figures, as JSON.
    async fn snapshot(&self) -> Value;
    /// Sends the dead letter with this delivery id again.
    async fn retry_dead_letter(&self, delivery_id: &str) -> Result<String, String>;
    /// The Prometheus text exposition.
    fn metrics(&self) -> String;
}
