//! Redis adapters of the state ports (`tradewind-ports`): context memory
//! (`RedisMemory`) and the outbound delivery store (`RedisStore`). Every key
//! starts with the configured prefix.

pub mod memory;
pub mod outbox;

pub use memory::{RedisMemory, RedisOptions};
pub use outbox::{RedisStore, RedisStoreOptions};
