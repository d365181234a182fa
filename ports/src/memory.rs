//! The `Memory` port: customer facts, conversation turns, per-inquiry
//! blackboards, transcripts and results.
//!
//! Two adapters in `tradewind-memory`: in-process (the embedded default) and
//! Redis (`REDIS_URL`). Every key is namespaced by a configurable prefix. The
//! hot path (`load_customer`) must cost one network round trip.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tradewind_core::{CustomerId, InquiryThread, Lang, SwarmResult, TranscriptStep};

#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("memory backend unavailable: {0}")]
    Unavailable(String),
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
}

/// What we know about a customer; merged field by field, newest wins,
/// `None` never overwrites a known value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerFacts {
    pub company: Option<String>,
    pub country: Option<String>,
    pub lang: Option<Lang>,
    pub preferred_incoterm: Option<String>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_code: Option<String>,
    /// Latest first, bounded.
    #[serde(default)]
    pub past_inquiries: Vec<String>,
}

impl CustomerFacts {
    /// Fields in `newer` that are `Some` replace ours; past inquiries are
    /// prepended, de-duplicated and bounded to `MAX_PAST_INQUIRIES`.
    pub fn merge(&mut self, newer: &CustomerFacts) {
        macro_rules! take {
            ($f:ident) => {
                if newer.$f.is_some() {
                    self.$f = newer.$f.clone();
                }
            };
        }
        take!(company);
        take!(country);
        take!(lang);
        take!(preferred_incoterm);
        take!(contact_name);
        take!(phone);
        take!(email);
        take!(credit_code);
        let mut merged: Vec<String> = newer.past_inquiries.clone();
        for p in &self.past_inquiries {
            if !merged.contains(p) {
                merged.push(p.clone());
            }
        }
        merged.truncate(MAX_PAST_INQUIRIES);
        self.past_inquiries = merged;
    }
}

pub const MAX_PAST_INQUIRIES: usize = 20;

/// Length of the recent-inquiries list each backend keeps.
pub const RECENT_INQUIRIES_KEPT: usize = 10_000;

/// The recent list records every save, so an inquiry saved twice appears
/// twice; readers collapse repeats, keeping the newest position.
pub fn dedup_keep_first(ids: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.into_iter().filter(|id| seen.insert(id.clone())).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// "customer" or "assistant".
    pub role: String,
    pub text: String,
    pub at_ms: u64,
    pub inquiry_id: String,
}

/// One read on the hot path: the id the channel id resolves to (unified when
/// linked), its facts and its recent turns.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerView {
    pub id: CustomerId,
    pub facts: CustomerFacts,
    pub recent_turns: Vec<Turn>,
}

#[derive(Debug, Clone)]
pub struct MemoryConfig {
    /// Key namespace, e.g. "tw:".
    pub prefix: String,
    /// Turns kept per customer.
    pub max_turns: usize,
    /// TTL of conversation turns and blackboards, in seconds.
    pub turn_ttl_secs: u64,
    /// TTL of transcripts and results, in seconds.
    pub record_ttl_secs: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self { prefix: "tw:".into(), max_turns: 20, turn_ttl_secs: 7 * 24 * 3600, record_ttl_secs: 30 * 24 * 3600 }
    }
}

#[async_trait]
pub trait Memory: Send + Sync {
    /// Backend name for logs and benchmarks ("in-process", "redis").
    fn backend(&self) -> &'static str;

    /// Resolve `id` through its link (if any) and load facts and the latest
    /// `max_turns` turns, in one round trip.
    async fn load_customer(&self, id: &CustomerId) -> Result<CustomerView, MemoryError>;

    /// Link a channel-scoped id to a unified id, moving (merging) the facts
    /// and turns known under the channel id onto the unified id.
    async fn link(&self, channel: &CustomerId, unified: &CustomerId) -> Result<(), MemoryError>;

    /// Merge facts into what is stored (see `CustomerFacts::merge`); returns the result.
    async fn remember(&self, id: &CustomerId, facts: &CustomerFacts) -> Result<CustomerFacts, MemoryError>;

    /// Append turns, trim to `max_turns`, refresh their TTL.
    async fn push_turns(&self, id: &CustomerId, turns: &[Turn]) -> Result<(), MemoryError>;

    /// Post an agent's result on the inquiry's blackboard.
    async fn post(&self, inquiry_id: &str, key: &str, value: &serde_json::Value) -> Result<(), MemoryError>;

    /// Everything posted on the inquiry's blackboard.
    async fn blackboard(&self, inquiry_id: &str) -> Result<BTreeMap<String, serde_json::Value>, MemoryError>;

    /// Append transcript steps (in order).
    async fn append_transcript(&self, inquiry_id: &str, steps: &[TranscriptStep]) -> Result<(), MemoryError>;

    /// All steps of an inquiry, in the order appended; empty when unknown.
    async fn transcript(&self, inquiry_id: &str) -> Result<Vec<TranscriptStep>, MemoryError>;

    /// Store the inquiry's final result.
    async fn save_result(&self, result: &SwarmResult) -> Result<(), MemoryError>;

    async fn result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, MemoryError>;

    /// Ids of the most recent inquiries, newest first.
    async fn recent_inquiries(&self, limit: usize) -> Result<Vec<String>, MemoryError>;

    /// The conversation's open inquiry (`conversation` is `channel:chat`),
    /// unless none was opened, it was closed, or it sat idle past the window
    /// it was saved with.
    async fn open_thread(&self, conversation: &str) -> Result<Option<InquiryThread>, MemoryError>;

    /// Stores a thread under its id (kept `record_ttl_secs`) and, unless it is
    /// closed, as its conversation's open inquiry for `window_secs` more of
    /// idleness. A closed thread stops being the open one.
    async fn save_thread(&self, thread: &InquiryThread, window_secs: u64) -> Result<(), MemoryError>;

    /// A thread by id, open or closed.
    async fn thread(&self, thread_id: &str) -> Result<Option<InquiryThread>, MemoryError>;
}
