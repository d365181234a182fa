//! One value under one key: small shared settings every process reads (the
//! strategies' state), on a single Redis or a cluster.

use crate::conn::{RedisConn, RedisTarget, Tuning};
use redis::AsyncCommands;

/// A text value under `key`.
#[derive(Clone)]
pub struct RedisValue {
    conn: RedisConn,
    key: String,
}

impl RedisValue {
    pub async fn connect(url: &str, key: impl Into<String>) -> redis::RedisResult<Self> {
        let conn = RedisTarget::open(url)?.connect(&Tuning::default()).await?;
        Ok(Self { conn, key: key.into() })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub async fn get(&self) -> redis::RedisResult<Option<String>> {
        self.conn.clone().get(&self.key).await
    }

    pub async fn set(&self, value: &str) -> redis::RedisResult<()> {
        self.conn.clone().set(&self.key, value).await
    }
}
