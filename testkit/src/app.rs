//! Test harness in the style of zero-to-production's `spawn_app()`: a fully
//! wired Tradewind on real parts (Redis from `REDIS_URL`, qdrant-edge in a
//! temp folder, sinks writing to temp folders), isolated by a unique key
//! prefix so tests can share one Redis server and run in parallel.

use std::path::PathBuf;
use std::sync::Arc;
use tradewind_app::{App, BuildOptions, Config, IncomingMessage};
use tradewind_core::SwarmResult;
use tradewind_ports::Brain;

pub struct TestApp {
    pub app: App,
    pub dir: tempfile::TempDir,
}

/// The Redis the test command started. Missing means the tests were not run
/// through `scripts/test.sh`: fail loudly rather than skip.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL")
        .expect("REDIS_URL not set: run the tests through scripts/test.sh, which starts redis-server")
}

/// The two Redis topologies the Redis-backed tests run on: the single
/// server (`REDIS_URL`) and the 3-master Redis Cluster (`REDIS_CLUSTER_URL`)
/// that `scripts/test.sh` starts. A missing URL fails the test loudly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Single,
    Cluster,
}

impl Backend {
    pub fn url(self) -> String {
        match self {
            Backend::Single => redis_url(),
            Backend::Cluster => std::env::var("REDIS_CLUSTER_URL").expect(
                "REDIS_CLUSTER_URL not set: run the tests through scripts/test.sh, which starts a Redis Cluster",
            ),
        }
    }

    /// Points the memory (and so the cluster runtime) at this Redis.
    pub fn apply(self, c: &mut Config) {
        c.memory.redis_url = Some(self.url());
    }

    /// A raw connection routed like the adapters' (on a cluster, by slot).
    pub async fn conn(self) -> tradewind_redis::conn::RedisConn {
        tradewind_redis::conn::RedisTarget::open(&self.url())
            .expect("redis url")
            .connect(&tradewind_redis::conn::Tuning::default())
            .await
            .expect("redis connects")
    }
}

pub fn test_config(dir: &std::path::Path, redis: bool) -> Config {
    let mut c = Config::default();
    c.knowledge.data_dir = dir.join("knowledge");
    c.sinks.sales = format!("dir:{}", dir.join("outbox/sales").display());
    c.sinks.logistics = format!("dir:{}", dir.join("outbox/logistics").display());
    c.sinks.customer_service = format!("dir:{}", dir.join("outbox/customer_service").display());
    c.memory.prefix = format!("twtest:{}:", uuid_like());
    if redis {
        c.memory.redis_url = Some(redis_url());
    }
    c
}

pub fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}-{:x}-{}", std::process::id(), t, N.fetch_add(1, Ordering::Relaxed))
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, None).await
}

pub async fn spawn_app_with(edit: impl FnOnce(&mut Config), brain: Option<Arc<dyn Brain>>) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path(), true);
    edit(&mut config);
    let (app, _) = App::build(config, BuildOptions { ingest: true, quiet: true }, brain).await.expect("app builds");
    TestApp { app, dir }
}

impl TestApp {
    pub async fn ask(&self, user: &str, text: &str) -> SwarmResult {
        self.app
            .handle_message(IncomingMessage {
                channel: "test".into(),
                user: user.into(),
                text: text.into(),
                ..Default::default()
            })
            .await
            .expect("inquiry handled")
    }

    /// Sends any message (a chat, a request for a new inquiry, a vouched phone).
    pub async fn send(&self, msg: IncomingMessage) -> SwarmResult {
        self.app.handle_message(msg).await.expect("inquiry handled")
    }

    pub fn outbox(&self, sink: &str) -> PathBuf {
        self.dir.path().join("outbox").join(sink)
    }
}

/// A key prefix of its own, for tests that build several apps (a gateway
/// and workers) that must share one deployment's keys.
pub fn unique_prefix() -> String {
    format!("twtest:{}:", uuid_like())
}

/// Cluster timings small enough for tests: leases renew every 200 ms, a
/// dead worker's entries are reclaimed after 300 ms idle, reads block 200 ms.
pub fn fast_cluster(c: &mut Config) {
    c.cluster.shards = 4;
    c.cluster.lease_ms = 600;
    c.cluster.claim_idle_ms = 300;
    c.cluster.block_ms = 200;
    c.cluster.concurrency = 8;
    c.cluster.buffer = 64;
    c.cluster.batch = 16;
    c.cluster.shutdown_deadline_ms = 2_000;
}
