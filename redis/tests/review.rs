//! The review store and audit log on a real Redis, single (`REDIS_URL`) and
//! Cluster (`REDIS_CLUSTER_URL`). Fails loudly without either rather than
//! skipping, so a green run means both were exercised. Each test uses its
//! own key prefix and deletes its keys after.

#[macro_use]
mod backend;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backend::{Backend, Cleanup};
use serde_json::json;
use tradewind_ports::review::{AuditEvent, AuditLog, Review, ReviewError, ReviewStore, Stage};
use tradewind_redis::{RedisAudit, RedisReviews};

const TTL: Duration = Duration::from_secs(600);

fn unique_prefix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("twtest:{}:{nanos:x}:{}:", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

async fn reviews(backend: Backend, cap: usize) -> (RedisReviews, String, Cleanup) {
    let prefix = unique_prefix();
    let store = RedisReviews::connect(&backend.url(), &prefix, TTL, cap).await.unwrap();
    (store, prefix.clone(), Cleanup { backend, prefix })
}

async fn audit(backend: Backend, cap: usize) -> (RedisAudit, String, Cleanup) {
    let prefix = unique_prefix();
    let log = RedisAudit::connect(&backend.url(), &prefix, TTL, cap).await.unwrap();
    (log, prefix.clone(), Cleanup { backend, prefix })
}

fn review(id: &str, rev: u64, created_ms: u64) -> Review {
    Review {
        inquiry_id: id.into(),
        stage: Stage::AwaitingCompliance,
        rev,
        risk: "high".into(),
        channel: "wecom".into(),
        customer: "c:wecom:7".into(),
        language: "zh".into(),
        created_ms,
        updated_ms: created_ms + rev,
        held: Vec::new(),
        sent: vec![("d-1".into(), "sales".into())],
        drafts: Vec::new(),
        decisions: Vec::new(),
        strategy: None,
    }
}

fn event(inquiry: &str, at_ms: u64, field: &str) -> AuditEvent {
    AuditEvent {
        id: String::new(),
        at_ms,
        actor: "agent:customs".into(),
        role: "agent".into(),
        inquiry_id: inquiry.into(),
        field: field.into(),
        before: None,
        after: Some(json!({"level": "high", "note": "双用途"})),
        trigger: format!("inquiry:{inquiry}"),
        strategy: None,
    }
}

fn ids(reviews: &[Review]) -> Vec<&str> {
    reviews.iter().map(|r| r.inquiry_id.as_str()).collect()
}

fn stream_ms(id: &str) -> u64 {
    id.split('-').next().unwrap().parse().unwrap()
}

on_both!(#[tokio::test] review_round_trips_under_its_hash_tagged_key_with_a_ttl => review_round_trips_under_its_hash_tagged_key_with_a_ttl);
async fn review_round_trips_under_its_hash_tagged_key_with_a_ttl(b: Backend) {
    let (store, p, _c) = reviews(b, 100).await;
    let r = review("inq-1", 1, 1_700_000_000_000);
    store.put(&r).await.unwrap();
    assert_eq!(store.get("inq-1").await.unwrap(), Some(r));
    assert_eq!(store.get("inq-missing").await.unwrap(), None);

    let mut conn = b.conn().await;
    let pttl: i64 = redis::cmd("PTTL").arg(format!("{p}{{rv}}:review:inq-1")).query_async(&mut conn).await.unwrap();
    assert!(pttl > 0 && pttl <= TTL.as_millis() as i64, "review key expires: {pttl}");
    let score: f64 =
        redis::cmd("ZSCORE").arg(format!("{p}{{rv}}:reviews")).arg("inq-1").query_async(&mut conn).await.unwrap();
    assert_eq!(score, 1_700_000_000_000.0, "indexed by created_ms");
}

on_both!(#[tokio::test] list_returns_the_newest_created_first => list_returns_the_newest_created_first);
async fn list_returns_the_newest_created_first(b: Backend) {
    let (store, _p, _c) = reviews(b, 100).await;
    for (id, created) in [("b", 2_000), ("a", 1_000), ("d", 4_000), ("c", 3_000)] {
        store.put(&review(id, 1, created)).await.unwrap();
    }
    // Updating keeps a review's place: the order is by creation.
    store.put(&review("a", 2, 1_000)).await.unwrap();
    assert_eq!(ids(&store.list(10).await.unwrap()), ["d", "c", "b", "a"]);
    assert_eq!(ids(&store.list(2).await.unwrap()), ["d", "c"]);
    assert!(store.list(0).await.unwrap().is_empty());
}

on_both!(#[tokio::test] put_conflicts_on_a_stale_rev_on_rev_1_when_present_and_on_a_later_rev_when_absent => put_conflicts_on_a_stale_rev_on_rev_1_when_present_and_on_a_later_rev_when_absent);
async fn put_conflicts_on_a_stale_rev_on_rev_1_when_present_and_on_a_later_rev_when_absent(b: Backend) {
    let (store, _p, _c) = reviews(b, 100).await;
    store.put(&review("a", 1, 1_000)).await.unwrap();
    store.put(&review("a", 2, 1_000)).await.unwrap();
    let mut stale = review("a", 2, 1_000);
    stale.stage = Stage::Rejected;
    assert!(matches!(store.put(&stale).await, Err(ReviewError::Conflict(id)) if id == "a"));
    assert!(matches!(store.put(&review("a", 1, 1_000)).await, Err(ReviewError::Conflict(_))));
    assert!(matches!(store.put(&review("a", 4, 1_000)).await, Err(ReviewError::Conflict(_))));
    assert!(matches!(store.put(&review("b", 2, 1_000)).await, Err(ReviewError::Conflict(_))));
    assert_eq!(store.get("a").await.unwrap(), Some(review("a", 2, 1_000)));
    assert_eq!(store.get("b").await.unwrap(), None);
    assert_eq!(ids(&store.list(10).await.unwrap()), ["a"], "a refused write is not indexed");
}

on_both!(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] two_concurrent_puts_of_the_same_rev_exactly_one_wins => two_concurrent_puts_of_the_same_rev_exactly_one_wins);
async fn two_concurrent_puts_of_the_same_rev_exactly_one_wins(b: Backend) {
    let (one, p, _c) = reviews(b, 100).await;
    // Two processes: separate connections, so the writes really race.
    let two = RedisReviews::connect(&b.url(), &p, TTL, 100).await.unwrap();
    one.put(&review("race", 1, 1_000)).await.unwrap();
    for rev in 2..=30 {
        let mut approve = review("race", rev, 1_000);
        approve.stage = Stage::Sent;
        let mut reject = review("race", rev, 1_000);
        reject.stage = Stage::Rejected;
        let (a, b) = tokio::join!(
            tokio::spawn({
                let one = one.clone();
                let approve = approve.clone();
                async move { one.put(&approve).await }
            }),
            tokio::spawn({
                let two = two.clone();
                let reject = reject.clone();
                async move { two.put(&reject).await }
            }),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let winner = match (&a, &b) {
            (Ok(()), Err(ReviewError::Conflict(_))) => approve,
            (Err(ReviewError::Conflict(_)), Ok(())) => reject,
            other => panic!("rev {rev}: expected exactly one winner, got {other:?}"),
        };
        assert_eq!(one.get("race").await.unwrap(), Some(winner), "rev {rev}: the stored one is the winner's");
    }
}

on_both!(#[tokio::test] the_index_is_trimmed_to_cap_dropping_the_oldest_created => the_index_is_trimmed_to_cap_dropping_the_oldest_created);
async fn the_index_is_trimmed_to_cap_dropping_the_oldest_created(b: Backend) {
    let (store, p, _c) = reviews(b, 3).await;
    for (id, created) in [("e", 5_000), ("a", 1_000), ("c", 3_000), ("b", 2_000), ("d", 4_000)] {
        store.put(&review(id, 1, created)).await.unwrap();
    }
    assert_eq!(ids(&store.list(10).await.unwrap()), ["e", "d", "c"]);
    let mut conn = b.conn().await;
    let indexed: i64 = redis::cmd("ZCARD").arg(format!("{p}{{rv}}:reviews")).query_async(&mut conn).await.unwrap();
    assert_eq!(indexed, 3);
    assert_eq!(store.get("a").await.unwrap(), None, "trimmed reviews are deleted, not only unindexed");
    assert_eq!(store.get("b").await.unwrap(), None);
}

on_both!(#[tokio::test] list_skips_reviews_whose_json_expired_and_still_fills_the_limit => list_skips_reviews_whose_json_expired_and_still_fills_the_limit);
async fn list_skips_reviews_whose_json_expired_and_still_fills_the_limit(b: Backend) {
    let (store, p, _c) = reviews(b, 100).await;
    for (id, created) in [("a", 1_000), ("b", 2_000), ("c", 3_000)] {
        store.put(&review(id, 1, created)).await.unwrap();
    }
    let mut conn = b.conn().await;
    let _: i64 = redis::cmd("PEXPIRE").arg(format!("{p}{{rv}}:review:b")).arg(1).query_async(&mut conn).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(ids(&store.list(10).await.unwrap()), ["c", "a"]);
    assert_eq!(ids(&store.list(2).await.unwrap()), ["c", "a"], "reads past the expired entry");
}

on_both!(#[tokio::test] a_corrupt_stored_review_is_reported_not_overwritten => a_corrupt_stored_review_is_reported_not_overwritten);
async fn a_corrupt_stored_review_is_reported_not_overwritten(b: Backend) {
    let (store, p, _c) = reviews(b, 100).await;
    let mut conn = b.conn().await;
    let _: () =
        redis::cmd("SET").arg(format!("{p}{{rv}}:review:bad")).arg("{not json").query_async(&mut conn).await.unwrap();
    assert!(matches!(store.get("bad").await, Err(ReviewError::Corrupt(_))));
    assert!(matches!(store.put(&review("bad", 2, 1_000)).await, Err(ReviewError::Corrupt(_))));
    let raw: String = redis::cmd("GET").arg(format!("{p}{{rv}}:review:bad")).query_async(&mut conn).await.unwrap();
    assert_eq!(raw, "{not json");
}

on_both!(#[tokio::test] audit_events_come_back_per_inquiry_in_order_with_their_stream_ids => audit_events_come_back_per_inquiry_in_order_with_their_stream_ids);
async fn audit_events_come_back_per_inquiry_in_order_with_their_stream_ids(b: Backend) {
    let (log, _p, _c) = audit(b, 1_000).await;
    log.append(&[event("a", 10, "stage"), event("b", 11, "customs.risk_level")]).await.unwrap();
    log.append(&[event("a", 12, "proposal.body")]).await.unwrap();
    log.append(&[]).await.unwrap();

    let a = log.for_inquiry("a").await.unwrap();
    assert_eq!(a.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["stage", "proposal.body"]);
    assert_eq!(AuditEvent { id: String::new(), ..a[0].clone() }, event("a", 10, "stage"));
    assert_eq!(log.for_inquiry("b").await.unwrap().len(), 1);
    assert!(log.for_inquiry("none").await.unwrap().is_empty());

    let all = log.export(0, 100).await.unwrap();
    assert_eq!(all.iter().map(|e| e.at_ms).collect::<Vec<_>>(), [10, 11, 12]);
    assert!(all.iter().all(|e| e.id.contains('-')), "stream ids: {all:?}");
    let a_ids: Vec<&str> = all.iter().filter(|e| e.inquiry_id == "a").map(|e| e.id.as_str()).collect();
    assert_eq!(a.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), a_ids, "one id per event in both streams");
}

on_both!(#[tokio::test] audit_export_starts_at_since_ms_and_stops_at_limit => audit_export_starts_at_since_ms_and_stops_at_limit);
async fn audit_export_starts_at_since_ms_and_stops_at_limit(b: Backend) {
    let (log, _p, _c) = audit(b, 1_000).await;
    log.append(&[event("a", 1, "stage"), event("a", 2, "stage")]).await.unwrap();
    let first = log.export(0, 100).await.unwrap();
    let last_early_ms = stream_ms(&first[1].id);
    // Stream ids carry the server's ms; waiting puts the next ones later.
    tokio::time::sleep(Duration::from_millis(5)).await;
    log.append(&[event("b", 3, "stage"), event("c", 4, "stage"), event("b", 5, "stage")]).await.unwrap();

    let later = log.export(last_early_ms + 1, 100).await.unwrap();
    assert_eq!(later.iter().map(|e| e.at_ms).collect::<Vec<_>>(), [3, 4, 5]);
    let since_first_late = log.export(stream_ms(&later[0].id), 100).await.unwrap();
    assert_eq!(since_first_late.len(), 3, "since is inclusive");
    let limited = log.export(0, 3).await.unwrap();
    assert_eq!(limited.iter().map(|e| e.at_ms).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(log.export(0, 0).await.unwrap().is_empty());
}

on_both!(#[tokio::test] the_per_inquiry_stream_expires_and_the_global_one_does_not => the_per_inquiry_stream_expires_and_the_global_one_does_not);
async fn the_per_inquiry_stream_expires_and_the_global_one_does_not(b: Backend) {
    let (log, p, _c) = audit(b, 1_000).await;
    log.append(&[event("inq-7", 1, "stage")]).await.unwrap();
    let mut conn = b.conn().await;
    let per: i64 = redis::cmd("PTTL").arg(format!("{p}{{au}}:audit:inq-7")).query_async(&mut conn).await.unwrap();
    assert!(per > 0 && per <= TTL.as_millis() as i64, "per-inquiry stream TTL: {per}");
    let global: i64 = redis::cmd("PTTL").arg(format!("{p}{{au}}:audit")).query_async(&mut conn).await.unwrap();
    assert_eq!(global, -1, "the global stream is capped, not expired");
    let kind: String = redis::cmd("TYPE").arg(format!("{p}{{au}}:audit:inq-7")).query_async(&mut conn).await.unwrap();
    assert_eq!(kind, "stream");
}

on_both!(#[tokio::test] the_global_audit_stream_is_trimmed_near_cap => the_global_audit_stream_is_trimmed_near_cap);
async fn the_global_audit_stream_is_trimmed_near_cap(b: Backend) {
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so the cap
    // holds within one node's slack.
    let (log, p, _c) = audit(b, 100).await;
    for chunk in 0..10 {
        let events: Vec<AuditEvent> = (0..100).map(|i| event("bulk", chunk * 100 + i, "stage")).collect();
        log.append(&events).await.unwrap();
    }
    let mut conn = b.conn().await;
    let len: i64 = redis::cmd("XLEN").arg(format!("{p}{{au}}:audit")).query_async(&mut conn).await.unwrap();
    assert!((100..=200).contains(&len), "global stream length {len}");
    let kept = log.export(0, 1_000).await.unwrap();
    assert_eq!(kept.last().map(|e| e.at_ms), Some(999), "the newest are kept");
}
