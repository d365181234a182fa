//! The two Redis topologies every Redis test runs on: the single server
//! (`REDIS_URL`) and the 3-master Redis Cluster (`REDIS_CLUSTER_URL`) that
//! `scripts/test.sh` starts. A missing URL fails the test loudly rather
//! than skipping it, so a green run means both were exercised.
//!
//! `on_both!` turns one test body `async fn(Backend)` into a module with an
//! `on_single` and an `on_cluster` test.

#![allow(dead_code)]

use tradewind_redis::conn::{RedisConn, RedisTarget, Tuning};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Single,
    Cluster,
}

impl Backend {
    pub fn url(self) -> String {
        let var = match self {
            Backend::Single => "REDIS_URL",
            Backend::Cluster => "REDIS_CLUSTER_URL",
        };
        match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => panic!(
                "{var} not set: run the tests through scripts/test.sh, which starts redis-server and a Redis Cluster"
            ),
        }
    }

    /// A connection of the test's own, routed like the adapters' (on a
    /// cluster KEYS goes to every primary and a multi-key DEL is split by slot).
    pub async fn conn(self) -> RedisConn {
        RedisTarget::open(&self.url()).expect("redis url").connect(&Tuning::default()).await.expect("redis connects")
    }
}

/// Deletes every key under `prefix`.
pub async fn delete_prefix(backend: Backend, prefix: &str) {
    let mut conn = backend.conn().await;
    let keys: Vec<String> =
        redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap_or_default();
    for chunk in keys.chunks(500) {
        let _: Result<i64, _> = redis::cmd("DEL").arg(chunk).query_async(&mut conn).await;
    }
}

/// Deletes a test's keys when dropped, so a long-lived dev server does not
/// fill up. Runs during unwinding too, so it never panics; it works from a
/// thread of its own because it may be dropped inside a runtime.
pub struct Cleanup {
    pub backend: Backend,
    pub prefix: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (backend, prefix) = (self.backend, std::mem::take(&mut self.prefix));
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                let run = std::panic::AssertUnwindSafe(delete_prefix(backend, &prefix));
                let _ = futures::FutureExt::catch_unwind(run).await;
            });
        })
        .join();
    }
}

/// `on_both!(#[tokio::test] name => body)`: `name::on_single` and
/// `name::on_cluster`, each running `body(Backend)`.
macro_rules! on_both {
    ($(#[$attr:meta])* $name:ident => $body:ident) => {
        mod $name {
            $(#[$attr])*
            async fn on_single() {
                super::$body(super::backend::Backend::Single).await
            }
            $(#[$attr])*
            async fn on_cluster() {
                super::$body(super::backend::Backend::Cluster).await
            }
        }
    };
}
