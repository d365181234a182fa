//! The ports: every trait an adapter implements or an agent, tool or front
//! end calls, with the data types those traits speak.
//!
//! This crate is the seam of the hexagon. It knows no Redis, no Qdrant, no
//! HTTP client and no model SDK, so that the crates that only *use* a port
//! (agents, channels, front ends, the cluster runtime) never compile one of
//! its adapters:
//!
//! | port | adapters |
//! |---|---|
//! | [`Brain`] | the offline brain (`tradewind-agents`), the OpenAI-compatible brain (`tradewind-llm`) |
//! | [`Memory`], [`DeliveryStore`], [`ReviewStore`], [`AuditLog`] | in-process and Redis (`tradewind-memory`, `tradewind-redis`) |
//! | [`KnowledgeIndex`], [`Embedder`] | qdrant-edge, qdrant-client, the hash and OpenAI embedders (`tradewind-knowledge`) |
//! | [`Sink`] | files, stdout, in-process (`tradewind-tools`); chat channels (`tradewind-channels`) |
//! | [`Ingress`] | in process, Redis Streams (`tradewind-cluster`) |
//! | [`Application`] | the wired swarm (`tradewind-app`) |
//! | [`ToolHost`] | the typed-tool dispatcher (`tradewind-tools`) |
//! | [`StrategyBoard`] | the strategy sandbox (`tradewind-app`) |

pub mod app;
pub mod brain;
pub mod files;
pub mod ingress;
pub mod knowledge;
pub mod memory;
pub mod outbox;
pub mod recorder;
pub mod retry;
pub mod review;
pub mod schema;
pub mod sink;
pub mod strategy;
pub mod tool;

pub use app::{AppError, Application, IncomingMessage};
pub use brain::{Brain, BrainError, BrainHealth, BrainReply, BrainTask, OutputSpec};
pub use ingress::{InboundMessage, Ingress, OutboundReply, QuickReply, Submitted};
pub use knowledge::{Chunk, Embedder, Hit, KnowledgeError, KnowledgeIndex, SearchQuery};
pub use memory::{CustomerFacts, CustomerView, Forgotten, Memory, MemoryConfig, MemoryError, Turn};
pub use outbox::{DeadLetter, DeliveryStore, PendingRecord, StoreError};
pub use recorder::Recorder;
pub use review::{
    Actor, Approvals, AuditEvent, AuditLog, DecideError, Decision, DecisionRequest, DraftVersion, HeldDelivery,
    OpsView, Review, ReviewError, ReviewStore, Stage,
};
pub use sink::{Delivery, Sink, SinkError};
pub use strategy::{Feedback, StrategyBoard};
pub use tool::{ToolCtx, ToolError, ToolErrorKind, ToolHost};
