//! `serve` with Redis configured remembers the messages it took in Redis,
//! so a Telegram update replayed after a restart is not answered again.
//! Runs on a single Redis (`REDIS_URL`) and a Redis Cluster
//! (`REDIS_CLUSTER_URL`) and fails loudly without either.

use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tradewind_cluster::{ClusterConfig, ClusterSettings, InProcessIngress};
use tradewind_core::SwarmResult;
use tradewind_ports::ingress::{InboundMessage, Ingress, Submitted};
use tradewind_ports::{AppError, Application, IncomingMessage};

/// Counts the messages it is asked to run (and refuses them: only the
/// count matters here).
#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
}

#[async_trait]
impl Application for Counting {
    async fn handle(&self, _: IncomingMessage, _: String) -> Result<SwarmResult, AppError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(AppError::BadInput("counted".into()))
    }

    async fn stored_result(&self, _: &str) -> Result<Option<SwarmResult>, AppError> {
        Ok(None)
    }

    fn max_message_bytes(&self) -> usize {
        1024
    }
}

fn update() -> InboundMessage {
    InboundMessage {
        channel: "telegram".into(),
        chat_id: "42".into(),
        user: "42".into(),
        message_id: "42:7".into(),
        text: "hello".into(),
        received_at_ms: 0,
        verified_phone: None,
        feedback: None,
        start_new: false,
    }
}

#[tokio::test]
async fn an_update_replayed_after_a_restart_is_not_run_again_on_single() {
    replayed_update_is_not_run_again("REDIS_URL").await;
}

#[tokio::test]
async fn an_update_replayed_after_a_restart_is_not_run_again_on_cluster() {
    replayed_update_is_not_run_again("REDIS_CLUSTER_URL").await;
}

/// `var` names the Redis to use; missing fails the test rather than skipping it.
async fn replayed_update_is_not_run_again(var: &str) {
    let url = std::env::var(var).unwrap_or_else(|_| panic!("{var} not set: run the tests through scripts/test.sh"));
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let settings = ClusterSettings {
        cluster: ClusterConfig::default(),
        redis_url: Some(url),
        prefix: format!("twtest:dedupe:{nanos:x}:"),
        max_message_bytes: 1024,
        shared_memory: true,
    };
    let app = Arc::new(Counting::default());
    for (run, want) in [(1, Submitted::Accepted), (2, Submitted::Duplicate)] {
        let shutdown = CancellationToken::new();
        let (ingress, running) =
            InProcessIngress::start_shared(app.clone(), &settings, shutdown.clone()).await.expect("starts");
        let mut replies = ingress.subscribe();
        assert_eq!(ingress.submit(update()).await.expect("submitted"), want, "run {run}");
        if want == Submitted::Accepted {
            tokio::time::timeout(Duration::from_secs(20), replies.recv()).await.expect("answered").expect("reply");
        }
        shutdown.cancel();
        running.wait().await.expect("stops");
    }
    assert_eq!(app.calls.load(Ordering::SeqCst), 1, "the replay after the restart ran nothing");
}
