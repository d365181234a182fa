//! The `DeliveryStore` port: what outbound delivery remembers. Which
//! deliveries reached which destination (so a retried push never posts
//! twice), which are claimed and on their way, and the dead letters an
//! operator must look at. Adapters (in-process with a file, and Redis) live
//! in `tradewind-memory`; the chat channels only use the port.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tradewind_core::now_ms;

use crate::sink::Delivery;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("delivery store unavailable: {0}")]
    Unavailable(String),
    #[error("delivery store record is corrupt: {0}")]
    Corrupt(String),
}

/// A delivery on its way to one destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingRecord {
    pub delivery: Delivery,
    /// The sink (audience) it was pushed to: "sales", "logistics", ...
    pub sink: String,
    /// "wecom", "feishu", "dingtalk", "slack", "telegram".
    pub channel: String,
    /// The destination without secrets.
    pub destination: String,
    pub destination_key: String,
    pub claimed_at_ms: u64,
}

/// A delivery that did not arrive, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub delivery: Delivery,
    pub sink: String,
    pub channel: String,
    pub destination: String,
    pub destination_key: String,
    pub error: String,
    pub attempts: u32,
    /// When it was given up on (or, for a stranded claim, when it was claimed).
    pub at_ms: u64,
    /// True for a claim whose process stopped before finishing it; such a
    /// record may still be delivered by another process taking it over.
    #[serde(default)]
    pub stranded: bool,
}

impl DeadLetter {
    pub fn from_pending(p: &PendingRecord, error: impl Into<String>, attempts: u32) -> Self {
        DeadLetter {
            delivery: p.delivery.clone(),
            sink: p.sink.clone(),
            channel: p.channel.clone(),
            destination: p.destination.clone(),
            destination_key: p.destination_key.clone(),
            error: error.into(),
            attempts,
            at_ms: now_ms(),
            stranded: false,
        }
    }

    pub fn stranded(p: &PendingRecord, stale_after: Duration) -> Self {
        DeadLetter {
            error: format!(
                "stranded: claimed and never finished within {}s (the process stopped mid-delivery?)",
                stale_after.as_secs()
            ),
            attempts: 0,
            at_ms: p.claimed_at_ms,
            stranded: true,
            ..DeadLetter::from_pending(p, "", 0)
        }
    }
}

#[async_trait]
pub trait DeliveryStore: Send + Sync {
    fn backend(&self) -> &'static str;

    async fn is_delivered(&self, key: &str) -> Result<bool, StoreError>;

    /// Takes `key` for sending. False when it was delivered already or
    /// another sender holds a claim younger than `stale_after`.
    async fn claim(&self, key: &str, pending: &PendingRecord, stale_after: Duration) -> Result<bool, StoreError>;

    /// Records the delivery (before anyone is told it succeeded) and drops
    /// the claim.
    async fn mark_delivered(&self, key: &str) -> Result<(), StoreError>;

    /// Records a dead letter and drops the claim, so a later push of the
    /// same delivery may try again.
    async fn dead_letter(&self, key: &str, record: &DeadLetter) -> Result<(), StoreError>;

    /// Newest first: dead letters, plus claims older than `stale_after`.
    async fn dead_letters(&self, limit: usize, stale_after: Duration) -> Result<Vec<DeadLetter>, StoreError>;
}

/// How old a claim must be before it counts as stranded.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(3600);
