//! In-process adapters of the state ports (`tradewind-ports`): context
//! memory (`Memory`), the outbound delivery store (`DeliveryStore`), and the
//! review store and audit log (`ReviewStore`, `AuditLog`).
//! They are the embedded default; `tradewind-redis` holds the Redis ones.

pub mod inproc;
pub mod masked;
pub mod outbox;
pub mod review;

pub use inproc::{InProcessLimits, InProcessMemory};
pub use masked::MaskedMemory;
pub use outbox::{read_dead_letter_file, InProcessStore, StoreLimits};
pub use review::{InProcessAudit, InProcessReviews};
pub use tradewind_ports::memory::{
    dedup_keep_first, CustomerFacts, CustomerView, Forgotten, Memory, MemoryConfig, MemoryError, Turn,
    MAX_PAST_INQUIRIES, RECENT_INQUIRIES_KEPT,
};
