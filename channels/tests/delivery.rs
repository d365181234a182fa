//! Failure handling against local receivers, in real time with short
//! backoffs: retries, idempotency, platform error codes, a channel that is
//! down or hangs, a full queue, shutdown, and bad input.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::*;
use tradewind_channels::{CardTemplates, ChannelHub, ChannelSpec, FanoutSink, HttpTransport, HubConfig};
use tradewind_memory::{read_dead_letter_file, InProcessStore};
use tradewind_ports::Sink;

const WAIT: Duration = Duration::from_secs(10);
const WECOM_OK: &str = r#"{"errcode":0,"errmsg":"ok"}"#;

fn wecom(url: &str) -> ChannelSpec {
    ChannelSpec::parse_with(&format!("wecom:{url}"), &|_| None).unwrap()
}

#[tokio::test]
async fn retry_then_success_posts_once_and_a_repeat_is_a_no_op() {
    let rx = Receiver::start(Reply::ok(WECOM_OK)).await;
    rx.script([Reply::status(502, "bad gateway"), Reply::ok(r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)]);
    let (hub, _) = hub(fast_config());
    let sink = hub.sink("logistics", &wecom(&rx.url("/send?key=k"))).unwrap();
    let d = customs_delivery("inq-1-customs");

    sink.deliver(&d).await.unwrap();
    // The swarm retrying while the first push is still in flight.
    sink.deliver(&d).await.unwrap();
    assert!(sink.wait_idle(WAIT).await);
    assert_eq!(rx.requests().len(), 3, "502, then rate-limit code 45009, then success");
    let stats = sink.stats();
    assert_eq!((stats.delivered, stats.attempts, stats.dead_lettered), (1, 3, 0));

    // A later retry of the same delivery never posts again.
    let location = sink.deliver(&d).await.unwrap();
    assert!(location.contains("already delivered"), "{location}");
    assert!(sink.wait_idle(WAIT).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.requests().len(), 3);
    assert_eq!(sink.stats().duplicates, 2);

    // Every request carried the same card.
    let r = rx.requests();
    assert!(r.iter().all(|x| x.body == r[0].body));
}

#[tokio::test]
async fn platform_errors_in_a_200_are_failures() {
    let rx = Receiver::start(Reply::ok(r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#)).await;
    let (hub, _) = hub(fast_config());
    let sink = hub.sink("logistics", &wecom(&rx.url("/send?key=bad"))).unwrap();
    sink.deliver(&customs_delivery("c-err")).await.unwrap();
    assert!(sink.wait_idle(WAIT).await);
    assert_eq!(rx.requests().len(), 1, "a permanent error is not retried");
    let dead = hub.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].error.contains("93000"), "{}", dead[0].error);
    assert_eq!(dead[0].attempts, 1);

    // Feishu `code != 0`, Telegram `ok: false`, DingTalk `errcode != 0`.
    let fs =
        Receiver::start(Reply::ok(r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}"#))
            .await;
    let tg = Receiver::start(Reply::status(
        400,
        r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
    ))
    .await;
    let dt = Receiver::start(Reply::ok(r#"{"errcode":310000,"errmsg":"keywords not in content"}"#)).await;
    let api = tg.url("");
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "1:T"), ("TELEGRAM_API_URL", api.as_str())]);
    let (hub, _) = support::hub(fast_config());
    for spec in [
        format!("feishu:{}", fs.url("/hook?secret=s")),
        "telegram:7".to_string(),
        format!("dingtalk:{}", dt.url("/robot/send?access_token=t")),
    ] {
        let sink = hub.sink("cs", &ChannelSpec::parse_with(&spec, &env).unwrap()).unwrap();
        sink.deliver(&faq_delivery("f-err")).await.unwrap();
        assert!(sink.wait_idle(WAIT).await);
        assert_eq!(sink.stats().attempts, 1, "{spec}");
        assert_eq!(sink.stats().dead_lettered, 1, "{spec}");
    }
    let errors: Vec<String> = hub.dead_letters(10).await.unwrap().into_iter().map(|d| d.error).collect();
    assert!(errors.iter().any(|e| e.contains("19021")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("chat not found")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("310000")), "{errors:?}");
}

#[tokio::test]
async fn telegram_retry_after_is_honoured() {
    let rx = Receiver::start(Reply::ok(r#"{"ok":true,"result":{}}"#)).await;
    rx.script([Reply::status(
        429,
        r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#,
    )]);
    let api = rx.url("");
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "1:T"), ("TELEGRAM_API_URL", api.as_str())]);
    let (hub, _) = hub(fast_config());
    let sink = hub.sink("cs", &ChannelSpec::parse_with("telegram:99", &env).unwrap()).unwrap();
    sink.deliver(&faq_delivery("f-429")).await.unwrap();
    let r = rx.wait_for(2, WAIT).await;
    let gap = r[1].at - r[0].at;
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}, before retry_after");
    assert!(sink.wait_idle(WAIT).await);
    assert_eq!(sink.stats().delivered, 1);
}

#[tokio::test]
async fn an_unreachable_bot_api_is_retried_and_the_token_stays_out_of_dead_letters() {
    let api = dead_port_url("");
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "4242:SECRET-TOKEN"), ("TELEGRAM_API_URL", api.as_str())]);
    let (hub, _) = hub(fast_config());
    let sink = hub.sink("cs", &ChannelSpec::parse_with("telegram:99", &env).unwrap()).unwrap();
    sink.deliver(&faq_delivery("f-down")).await.unwrap();
    assert!(sink.wait_idle(WAIT).await);
    assert_eq!(sink.stats().attempts, 3, "refused connections are retried");
    let dead = hub.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].error.contains("gave up after 3 attempts"), "{}", dead[0].error);
    assert!(!dead[0].error.contains("SECRET-TOKEN"), "{}", dead[0].error);
}

#[tokio::test]
async fn a_down_channel_dead_letters_without_blocking_the_others() {
    let healthy = Receiver::start(Reply::ok(WECOM_OK)).await;
    // Accepts connections, never answers.
    let hung = Receiver::start(Reply::hang(Duration::from_secs(60))).await;
    let config = HubConfig {
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(200),
        max_attempts: 3,
        request_timeout: Duration::from_millis(300),
        ..fast_config()
    };
    let (hub, _) = hub(config);
    let refused = hub.sink("logistics", &wecom(&dead_port_url("/send?key=secret-key-123456"))).unwrap();
    let hanging = hub.sink("logistics", &wecom(&hung.url("/send?key=k2"))).unwrap();
    let ok = hub.sink("logistics", &wecom(&healthy.url("/send?key=k3"))).unwrap();
    let fanout = FanoutSink::new("logistics", vec![refused.clone(), hanging.clone(), ok.clone()]);

    let started = tokio::time::Instant::now();
    for i in 0..5 {
        let t = tokio::time::Instant::now();
        fanout.deliver(&customs_delivery(&format!("c-{i}"))).await.unwrap();
        assert!(t.elapsed() < Duration::from_millis(500), "deliver must not wait on a channel");
    }
    // The healthy channel gets everything while the others are still retrying.
    healthy.wait_for(5, Duration::from_secs(2)).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(refused.stats().dead_lettered < 5, "the down channels are still retrying");

    assert!(refused.wait_idle(WAIT).await && hanging.wait_idle(Duration::from_secs(20)).await);
    assert_eq!(ok.stats().delivered, 5);
    let dead = hub.dead_letters(100).await.unwrap();
    assert_eq!(dead.len(), 10, "five each from the refused and the hung channel");
    for d in &dead {
        assert_eq!(d.channel, "wecom");
        assert_eq!(d.sink, "logistics");
        assert_eq!(d.attempts, 3);
        assert!(d.error.starts_with("gave up after 3 attempts"), "{}", d.error);
        assert!(!d.destination.contains("secret-key-123456"), "{}", d.destination);
        assert!(d.delivery.delivery_id.starts_with("c-"));
    }
    assert!(hung.requests().len() >= 15, "the hung channel was attempted, timed out and retried");
}

#[tokio::test]
async fn a_full_queue_dead_letters_instead_of_blocking() {
    let hung = Receiver::start(Reply::hang(Duration::from_secs(30))).await;
    let config = HubConfig {
        queue_capacity: 1,
        enqueue_timeout: Duration::from_millis(50),
        request_timeout: Duration::from_secs(20),
        ..fast_config()
    };
    let (hub, _) = hub(config);
    let sink = hub.sink("logistics", &wecom(&hung.url("/send?key=k"))).unwrap();
    sink.deliver(&customs_delivery("q-1")).await.unwrap();
    hung.wait_for(1, WAIT).await; // q-1 is in flight
    sink.deliver(&customs_delivery("q-2")).await.unwrap(); // q-2 waits in the queue
    let t = tokio::time::Instant::now();
    let err = sink.deliver(&customs_delivery("q-3")).await.unwrap_err();
    assert!(t.elapsed() < Duration::from_millis(500));
    assert!(err.to_string().contains("queue full"), "{err}");
    let dead = hub.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].delivery.delivery_id, "q-3");
    // A later push of q-3 may try again: the dead letter released its claim.
    assert!(hub
        .store()
        .claim(
            &format!("{}:q-3", dead[0].destination_key),
            &tradewind_channels::PendingRecord { claimed_at_ms: tradewind_core::now_ms(), ..pending_of(&dead[0]) },
            Duration::from_secs(60)
        )
        .await
        .unwrap());
}

fn pending_of(d: &tradewind_channels::DeadLetter) -> tradewind_channels::PendingRecord {
    tradewind_channels::PendingRecord {
        delivery: d.delivery.clone(),
        sink: d.sink.clone(),
        channel: d.channel.clone(),
        destination: d.destination.clone(),
        destination_key: d.destination_key.clone(),
        claimed_at_ms: d.at_ms,
    }
}

#[tokio::test]
async fn shutdown_drains_what_it_can_and_dead_letters_the_rest() {
    let healthy = Receiver::start(Reply::ok(WECOM_OK)).await;
    let config = HubConfig {
        initial_backoff: Duration::from_secs(5),
        max_backoff: Duration::from_secs(5),
        max_attempts: 5,
        drain_timeout: Duration::from_secs(1),
        // The healthy robot takes one every 200 ms: when shutdown starts two
        // are still queued, and they drain before the deadline.
        rate_override: Some(vec![tradewind_channels::Rate::per(5, Duration::from_secs(1), 1)]),
        ..fast_config()
    };
    let (hub, _) = hub(config);
    let down = hub.sink("logistics", &wecom(&dead_port_url("/send?key=k"))).unwrap();
    let ok = hub.sink("sales", &wecom(&healthy.url("/send?key=k"))).unwrap();
    for i in 0..3 {
        down.deliver(&customs_delivery(&format!("s-{i}"))).await.unwrap();
        ok.deliver(&customs_delivery(&format!("s-{i}"))).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(50)).await; // the down channel's first attempt fails
    assert!(ok.stats().delivered < 3, "some work is still queued when shutdown starts");
    let t = tokio::time::Instant::now();
    let report = hub.shutdown().await;
    assert!(report.clean);
    assert!(t.elapsed() < Duration::from_secs(3), "bounded by the drain deadline");
    assert_eq!(ok.stats().delivered, 3, "queued work on a healthy channel drains");
    let dead = hub.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 3, "{dead:#?}");
    assert!(dead.iter().all(|d| d.error.starts_with("shut down before delivery")), "{dead:#?}");
    assert!(dead.iter().any(|d| d.error.contains("last error")), "the one in flight says why it was failing");

    // After shutdown nothing is accepted silently.
    let err = ok.deliver(&customs_delivery("late")).await.unwrap_err();
    assert!(err.to_string().contains("shut down"), "{err}");
    assert_eq!(hub.dead_letters(10).await.unwrap().len(), 4);
    assert!(hub.sink("x", &wecom(&healthy.url("/send?key=k"))).is_err());
}

#[tokio::test]
async fn dropping_every_handle_drains_the_queue() {
    let healthy = Receiver::start(Reply::ok(WECOM_OK)).await;
    let (hub, _) = hub(fast_config());
    let sink = hub.sink("sales", &wecom(&healthy.url("/send?key=k"))).unwrap();
    for i in 0..3 {
        sink.deliver(&customs_delivery(&format!("d-{i}"))).await.unwrap();
    }
    drop(sink);
    healthy.wait_for(3, WAIT).await;
    assert!(hub.shutdown().await.clean);
}

#[tokio::test]
async fn bad_input_is_refused_or_survived_never_a_panic() {
    let rx = Receiver::start(Reply::ok(r#"{"ok":true}"#)).await;
    let api = rx.url("");
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "1:T"), ("TELEGRAM_API_URL", api.as_str())]);
    let (hub, _) = hub(fast_config());
    let sink = hub.sink("cs", &ChannelSpec::parse_with("telegram:@tradewind_ops", &env).unwrap()).unwrap();

    let mut no_id = faq_delivery("");
    no_id.delivery_id = "  ".into();
    assert!(sink.deliver(&no_id).await.is_err());

    let mut garbage = customs_delivery(&"x".repeat(500)); // a callback id far over 64 bytes
    garbage.payload = serde_json::json!("not a report");
    garbage.title = "\u{0}\u{7}<script>&amp;\u{202e}".into();
    garbage.body = "**unclosed [link](javascript:alert(1)) <b>".into();
    sink.deliver(&garbage).await.unwrap();

    let mut wrong_kind = faq_delivery("f-x");
    wrong_kind.kind = "something_new".into();
    wrong_kind.payload = serde_json::Value::Null;
    sink.deliver(&wrong_kind).await.unwrap();

    assert!(sink.wait_idle(WAIT).await);
    let r = rx.requests();
    assert_eq!(r.len(), 2);
    let text = r[0].body["text"].as_str().unwrap();
    assert!(text.contains("&lt;script&gt;&amp;amp;"), "{text}");
    assert!(!text.contains("<a href=\"javascript"), "only http(s) links become links: {text}");
    let callback = r[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"].as_str().unwrap();
    assert!(callback.len() <= 64, "{callback}");
    assert_eq!(r[0].body["chat_id"], "@tradewind_ops");
    let dead = hub.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].error.contains("no delivery_id"));
}

#[tokio::test]
async fn dead_letters_outlive_the_process_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("channels").join("deadletters.jsonl");
    let store = Arc::new(InProcessStore::new(Some(file.clone())));
    let hub = ChannelHub::new(
        fast_config(),
        store,
        Arc::new(HttpTransport::new(Duration::from_secs(2)).unwrap()),
        Arc::new(CardTemplates::load(None).unwrap()),
    );
    let sink = hub.sink("logistics", &wecom(&dead_port_url("/send?key=k"))).unwrap();
    sink.deliver(&customs_delivery("file-1")).await.unwrap();
    sink.deliver(&customs_delivery("file-2")).await.unwrap();
    assert!(sink.wait_idle(WAIT).await);
    assert!(hub.shutdown().await.clean);
    drop(hub);

    // What `tradewind deadletters` runs, in another process.
    let listed = read_dead_letter_file(&file, 10).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|d| d.delivery.delivery_id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"file-1") && ids.contains(&"file-2"));
    assert!(listed.iter().all(|d| d.attempts == 3 && d.error.contains("gave up")));
    assert_eq!(read_dead_letter_file(&file, 1).await.unwrap().len(), 1);
}
