//! The ingress port between front ends (Telegram, web chat, webhooks) and
//! whatever runs the swarm: in process (`serve`) or workers on Redis
//! Streams (`gateway` + `worker`). Front ends only translate their platform's
//! messages into `InboundMessage` and `OutboundReply` back.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A customer's message, as any channel delivers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// "telegram", "web", ...
    pub channel: String,
    /// The conversation: messages of one chat are handled in order.
    pub chat_id: String,
    /// The sender within the channel (memory's channel-scoped customer id).
    pub user: String,
    /// The channel's own message id; a redelivery with the same id is a duplicate.
    pub message_id: String,
    pub text: String,
    pub received_at_ms: u64,
    /// Start a new inquiry even if the chat has one open.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub start_new: bool,
    /// A phone number the channel vouches belongs to the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<String>,
    /// The customer's verdict on an earlier answer, when that is what this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<crate::strategy::Feedback>,
}

/// What goes back to the customer's chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundReply {
    pub channel: String,
    pub chat_id: String,
    pub message_id: String,
    pub inquiry_id: Option<String>,
    /// The customer-facing reply (never internal details).
    pub text: String,
    /// Quick replies, e.g. FAQ card questions for an inline keyboard.
    pub quick_replies: Vec<QuickReply>,
    /// Set when the inquiry could not be handled; `text` then holds the
    /// customer-safe message.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub label: String,
    /// The FAQ card id it answers.
    pub card_id: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Submitted {
    /// Queued (or running); the reply arrives on `subscribe()`.
    Accepted,
    /// The same (channel, message_id) was seen before; nothing was queued.
    Duplicate,
}

#[async_trait]
pub trait Ingress: Send + Sync {
    /// Queue a message. Idempotent by (channel, message_id).
    async fn submit(&self, msg: InboundMessage) -> Result<Submitted, crate::app::AppError>;

    /// Replies for every channel, as they are produced.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<OutboundReply>;
}
