//! A Redis outage loses and fails no inquiry: a gateway and two workers on a
//! private redis-server (appendonly, fsync always), which is restarted
//! cleanly, then killed with SIGKILL, while inquiries are in flight. Every
//! message is answered once, none with an apology, none refused.

use std::time::Duration;
use tradewind_bench::faults::{run_one, Outage};

async fn survives(outage: Outage) {
    let report = run_one(&tradewind_app::Config::default(), 150, Duration::from_secs(3), outage).await.expect("runs");
    assert_eq!((report.failed, report.unanswered, report.answered_twice, report.refused), (0, 0, 0, 0), "{report:?}");
    assert_eq!(report.answered, 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_redis_restart_loses_and_fails_nothing() {
    survives(Outage::Restart).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_kill_9_loses_and_fails_nothing() {
    survives(Outage::Kill).await;
}
