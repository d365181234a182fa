//! Idempotency and dead letters in Redis, shared by several processes
//! (here: several hubs with their own connections), on a single Redis
//! (`REDIS_URL`) and a Redis Cluster (`REDIS_CLUSTER_URL`). Fails loudly
//! without either rather than skipping. Each test uses its own key prefix
//! and deletes its keys afterwards.

#[macro_use]
mod backend;

// The channel tests' fake chat servers and deliveries, shared rather than copied.
#[path = "../../channels/tests/support/mod.rs"]
mod support;

use backend::{delete_prefix, Backend};
use std::sync::Arc;
use std::time::Duration;
use support::*;
use tradewind_channels::{CardTemplates, ChannelHub, ChannelSpec, HttpTransport};
use tradewind_ports::outbox::{DeadLetter, DeliveryStore, PendingRecord, DEFAULT_STALE_AFTER};
use tradewind_ports::Sink;
use tradewind_redis::{RedisStore, RedisStoreOptions};

/// What `tradewind deadletters` runs, from a fresh connection (another process).
async fn list_dead_letters(url: &str, prefix: &str) -> Vec<DeadLetter> {
    let store = RedisStore::connect(url, prefix, RedisStoreOptions::default()).await.unwrap();
    store.dead_letters(10, DEFAULT_STALE_AFTER).await.unwrap()
}

const WAIT: Duration = Duration::from_secs(10);

fn prefix(b: Backend, test: &str) -> String {
    format!("twtest:{test}:{b:?}:{}:", std::process::id())
}

async fn redis_hub(url: &str, prefix: &str) -> (Arc<ChannelHub>, Arc<RedisStore>) {
    let store = Arc::new(RedisStore::connect(url, prefix, RedisStoreOptions::default()).await.unwrap());
    let hub = ChannelHub::new(
        fast_config(),
        store.clone(),
        Arc::new(HttpTransport::new(Duration::from_secs(3)).unwrap()),
        Arc::new(CardTemplates::load(None).unwrap()),
    );
    (hub, store)
}

on_both!(#[tokio::test] two_processes_never_post_the_same_delivery_twice => two_processes_never_post_the_same_delivery_twice);
async fn two_processes_never_post_the_same_delivery_twice(backend: Backend) {
    let url = backend.url();
    let p = prefix(backend, "idem");
    let rx = Receiver::start(Reply::ok(r#"{"errcode":0}"#)).await;
    let spec = ChannelSpec::parse_with(&format!("wecom:{}", rx.url("/send?key=shared")), &|_| None).unwrap();
    let (hub_a, _) = redis_hub(&url, &p).await;
    let (hub_b, _) = redis_hub(&url, &p).await;
    let a = hub_a.sink("logistics", &spec).unwrap();
    let b = hub_b.sink("logistics", &spec).unwrap();

    // Both workers got the same inquiry (a redelivered stream entry) at once.
    let d = customs_delivery("inq-9-customs");
    let (ra, rb) = tokio::join!(a.deliver(&d), b.deliver(&d));
    ra.unwrap();
    rb.unwrap();
    assert!(a.wait_idle(WAIT).await && b.wait_idle(WAIT).await);
    // And a third process retries it much later.
    let (hub_c, _) = redis_hub(&url, &p).await;
    let c = hub_c.sink("logistics", &spec).unwrap();
    assert!(c.deliver(&d).await.unwrap().contains("already delivered"));
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert_eq!(rx.requests().len(), 1, "exactly one post across three processes");
    assert_eq!(a.stats().delivered + b.stats().delivered, 1);

    // The markers live under the memory prefix; no secret in any key.
    let mut conn = backend.conn().await;
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{p}*")).query_async(&mut conn).await.unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    // The delivery key is the hash tag: marker and claim share its slot.
    assert!(keys[0].starts_with(&format!("{p}ch:sent:{{wecom-")) && keys[0].ends_with(":inq-9-customs}"), "{keys:?}");
    assert!(!keys[0].contains("shared"));
    let ttl: i64 = redis::cmd("TTL").arg(&keys[0]).query_async(&mut conn).await.unwrap();
    assert!(ttl > 0, "sent markers expire");
    delete_prefix(backend, &p).await;
}

on_both!(#[tokio::test] dead_letters_are_listed_from_redis_by_another_process => dead_letters_are_listed_from_redis_by_another_process);
async fn dead_letters_are_listed_from_redis_by_another_process(b: Backend) {
    let url = b.url();
    let p = prefix(b, "dead");
    let (hub, _) = redis_hub(&url, &p).await;
    let spec = ChannelSpec::parse_with(
        &format!("dingtalk:{}", dead_port_url("/robot/send?access_token=tok-secret-9876")),
        &|_| None,
    )
    .unwrap();
    let sink = hub.sink("sales", &spec).unwrap();
    sink.deliver(&proposal_delivery("p-dead", "# Proposal".into())).await.unwrap();
    assert!(sink.wait_idle(WAIT).await);
    assert!(hub.shutdown().await.clean);

    let listed = list_dead_letters(&url, &p).await;
    assert_eq!(listed.len(), 1);
    let d = &listed[0];
    assert_eq!(d.delivery.delivery_id, "p-dead");
    assert_eq!((d.channel.as_str(), d.sink.as_str(), d.attempts), ("dingtalk", "sales", 3));
    assert!(d.error.contains("gave up after 3 attempts"), "{}", d.error);
    assert!(!d.destination.contains("tok-secret-9876"), "{}", d.destination);
    assert!(!d.stranded);
    // The claim was released with the dead letter: a later push may retry.
    let (hub2, _) = redis_hub(&url, &p).await;
    let key = format!("{}:p-dead", d.destination_key);
    let pending = PendingRecord {
        delivery: d.delivery.clone(),
        sink: d.sink.clone(),
        channel: d.channel.clone(),
        destination: d.destination.clone(),
        destination_key: d.destination_key.clone(),
        claimed_at_ms: tradewind_core::now_ms(),
    };
    assert!(hub2.store().claim(&key, &pending, Duration::from_secs(60)).await.unwrap());
    delete_prefix(b, &p).await;
}

on_both!(#[tokio::test] a_claim_left_by_a_stopped_process_shows_as_stranded_and_can_be_taken_over => a_claim_left_by_a_stopped_process_shows_as_stranded_and_can_be_taken_over);
async fn a_claim_left_by_a_stopped_process_shows_as_stranded_and_can_be_taken_over(b: Backend) {
    let url = b.url();
    let p = prefix(b, "stale");
    let store = RedisStore::connect(&url, &p, RedisStoreOptions::default()).await.unwrap();
    let two_hours_ago = tradewind_core::now_ms() - 2 * 3600 * 1000;
    let pending = PendingRecord {
        delivery: faq_delivery("f-stuck"),
        sink: "customer_service".into(),
        channel: "slack".into(),
        destination: "slack:hooks.slack.com/services/…".into(),
        destination_key: "slack-0123456789abcdef".into(),
        claimed_at_ms: two_hours_ago,
    };
    let key = "slack-0123456789abcdef:f-stuck";
    assert!(store.claim(key, &pending, Duration::from_secs(3600)).await.unwrap());

    // Another process: the claim is fresh for an hour, then it is stranded.
    let other = RedisStore::connect(&url, &p, RedisStoreOptions::default()).await.unwrap();
    let now = PendingRecord { claimed_at_ms: tradewind_core::now_ms(), ..pending.clone() };
    assert!(!other.claim(key, &now, Duration::from_secs(3 * 3600)).await.unwrap(), "fresh enough: not ours");
    let listed = list_dead_letters(&url, &p).await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].stranded && listed[0].error.starts_with("stranded"), "{:?}", listed[0]);
    assert!(other.claim(key, &now, Duration::from_secs(3600)).await.unwrap(), "stale: taken over");
    other.mark_delivered(key).await.unwrap();
    assert!(store.is_delivered(key).await.unwrap());
    assert!(list_dead_letters(&url, &p).await.is_empty());
    delete_prefix(b, &p).await;
}
