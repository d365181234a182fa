//! Which delivery store the chat channels use: Redis (under the memory
//! prefix) when memory is in Redis, else in process with dead letters
//! appended to `<data root>/channels/deadletters.jsonl`.

use std::path::PathBuf;
use std::sync::Arc;
use tradewind_memory::{read_dead_letter_file, InProcessStore};
use tradewind_ports::outbox::{DeadLetter, DeliveryStore, StoreError, DEFAULT_STALE_AFTER};
use tradewind_redis::{RedisStore, RedisStoreOptions};

use crate::Config;

/// The dead-letter file of the in-process store: beside the knowledge folder.
pub fn dead_letter_file(config: &Config) -> PathBuf {
    crate::data_root(config).join("channels").join("deadletters.jsonl")
}

pub async fn open(config: &Config) -> Result<Arc<dyn DeliveryStore>, StoreError> {
    Ok(match &config.memory.redis_url {
        Some(url) => Arc::new(RedisStore::connect(url, &config.memory.prefix, RedisStoreOptions::default()).await?),
        None => Arc::new(InProcessStore::new(Some(dead_letter_file(config)))),
    })
}

/// The operator's view, for a CLI: dead letters (and stranded claims) from
/// Redis, or from the dead-letter file without Redis; newest first.
pub async fn list_dead_letters(config: &Config, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    match &config.memory.redis_url {
        Some(_) => open(config).await?.dead_letters(limit, DEFAULT_STALE_AFTER).await,
        None => read_dead_letter_file(&dead_letter_file(config), limit).await,
    }
}
