//! Redis adapters of the state ports (`tradewind-ports`): context memory
//! (`RedisMemory`), the outbound delivery store (`RedisStore`), and the review
//! store and audit log (`RedisReviews`, `RedisAudit`). Every key starts with
//! the configured prefix.

pub mod conn;
pub mod kv;
pub mod memory;
pub mod outbox;
pub mod review;

pub use kv::RedisValue;
pub use memory::{RedisMemory, RedisOptions};
pub use outbox::{RedisStore, RedisStoreOptions};
pub use review::{RedisAudit, RedisReviews};
