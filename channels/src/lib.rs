//! Outbound cards: FAQ cards, sales proposals and customs pre-checks pushed
//! to the enterprise chats teams already use — WeCom, Feishu/Lark,
//! DingTalk, Slack and Telegram — each in its native card format.
//!
//! One `Card` model is built from a `Delivery`; each channel's adapter
//! renders it through a handlebars template in `prompts/cards/`, within the
//! channel's size limits, and signs it where the channel signs. Channel
//! sinks implement the `Sink` port, so the swarm's delivery path reaches
//! them unchanged. Behind every sink: a bounded queue and a worker
//! owned by the `ChannelHub`, a token-bucket rate limiter per destination,
//! retries with jittered backoff honouring `retry_after`, idempotency by
//! delivery id (through the `DeliveryStore` port: in process, or Redis when
//! configured), and dead letters an operator can list.
//!
//! Sink specs (`wecom:<url>`, `feishu:<url>?secret=…`, `dingtalk:<url>`,
//! `slack:<url>`, `telegram:<chat_id>`) are documented in `spec`.

pub mod adapters;
pub mod card;
pub mod fanout;
pub mod hub;
pub mod limit;
pub mod render;
pub mod sign;
pub mod spec;
pub mod text;
pub mod transport;

pub use adapters::{adapter_for, Adapter, Prepared, Verdict, Webhook};
pub use card::{ButtonAction, Card, CardButton, CardField, CardLinks, Tone};
pub use fanout::FanoutSink;
pub use hub::{ChannelHub, ChannelSink, HubConfig, ShutdownReport, SinkStats};
pub use limit::{Rate, RateLimiter};
pub use render::CardTemplates;
pub use sign::{dingtalk_sign, feishu_sign};
pub use spec::{is_channel_spec, split_sink_specs, CardFormat, ChannelKind, ChannelSpec, TelegramBot};
pub use tradewind_ports::outbox::{DeadLetter, DeliveryStore, PendingRecord, StoreError};
pub use transport::{HttpReply, HttpTransport, TelegramError, Transport, TransportError};

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("sink spec '{spec}': {reason}")]
    BadSpec { spec: String, reason: String },
    #[error("{0}")]
    MissingConfig(String),
    #[error("card template {name}: {message}")]
    Template { name: String, message: String },
    #[error("card does not fit the channel: {0}")]
    TooLarge(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Runtime(String),
    #[error("http transport: {0}")]
    Transport(String),
}
