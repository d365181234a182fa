//! The `Sink` port: where results go (sales, logistics, customer service).
//! Adapters: files, stdout and an in-process collector (`tradewind-tools`),
//! and the chat channels (`tradewind-channels`).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// "sales", "logistics" or "customer_service".
    pub audience: String,
    /// "proposal", "customs", "faq_card", "reply".
    pub kind: String,
    pub inquiry_id: String,
    /// Stable id of this delivery; a retried push with the same id is a no-op.
    pub delivery_id: String,
    pub title: String,
    /// Human-readable body (Markdown).
    pub body: String,
    /// The structured value behind the body.
    pub payload: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("sink '{sink}' failed: {message}")]
    Failed { sink: String, message: String },
}

#[async_trait]
pub trait Sink: Send + Sync {
    fn name(&self) -> &str;
    /// Deliver; returns where it went (a path, "stdout", ...).
    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError>;
}
