//! Rate limits and backoff on a paused clock: each adapter's documented
//! limits hold in every window, senders wait instead of dropping, and a
//! platform's `retry_after` holds back everyone sending to that robot.
//! A recording transport stands in for HTTP (sockets and a paused clock do
//! not mix); the HTTP path itself is covered by the receiver tests.

mod support;

use async_trait::async_trait;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;
use tokio::time::Instant;
use tradewind_channels::{ChannelSpec, HttpReply, HubConfig, TelegramBot, TelegramError, Transport, TransportError};
use tradewind_ports::Sink;

/// Records when each request went out; answers from a script, then `ok`.
struct Recording {
    sent: Mutex<Vec<(Instant, String, Value)>>,
    script: Mutex<VecDeque<HttpReply>>,
    ok: String,
}

impl Recording {
    fn new(ok: &str) -> Arc<Self> {
        Arc::new(Self { sent: Mutex::default(), script: Mutex::default(), ok: ok.into() })
    }

    fn times(&self, url_contains: &str) -> Vec<Instant> {
        self.sent.lock().unwrap().iter().filter(|(_, u, _)| u.contains(url_contains)).map(|(t, _, _)| *t).collect()
    }

    fn times_to_chat(&self, chat_id: i64) -> Vec<Instant> {
        self.sent.lock().unwrap().iter().filter(|(_, _, b)| b["chat_id"] == chat_id).map(|(t, _, _)| *t).collect()
    }
}

#[async_trait]
impl Transport for Recording {
    async fn post_json(&self, url: &str, body: &Value) -> Result<HttpReply, TransportError> {
        self.sent.lock().unwrap().push((Instant::now(), url.to_string(), body.clone()));
        let scripted = self.script.lock().unwrap().pop_front();
        Ok(scripted.unwrap_or_else(|| HttpReply { status: 200, body: self.ok.clone(), retry_after: None }))
    }

    async fn send_telegram(&self, bot: &TelegramBot, message: &Value) -> Result<(), TelegramError> {
        self.sent.lock().unwrap().push((Instant::now(), bot.api_base.clone(), message.clone()));
        Ok(())
    }
}

/// The most sends in any closed window of `window`.
fn max_in_window(times: &[Instant], window: Duration) -> usize {
    let mut best = 0;
    for (i, t) in times.iter().enumerate() {
        let n = times[i..].iter().take_while(|u| **u - *t <= window).count();
        best = best.max(n);
    }
    best
}

fn documented_limits() -> HubConfig {
    HubConfig { queue_capacity: 1000, rate_override: None, ..fast_config() }
}

const OK_ALL: &str = r#"{"errcode":0,"code":0,"ok":true}"#;
const HOUR: Duration = Duration::from_secs(3600);

async fn push(sink: &dyn Sink, n: usize, prefix: &str) {
    for i in 0..n {
        sink.deliver(&faq_delivery(&format!("{prefix}-{i}"))).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn wecom_and_dingtalk_stay_under_20_a_minute_and_wait_rather_than_drop() {
    let t = Recording::new(OK_ALL);
    let hub = hub_with_transport(documented_limits(), t.clone());
    let wecom =
        hub.sink("cs", &ChannelSpec::parse_with("wecom:https://wecom.test/send?key=a", &|_| None).unwrap()).unwrap();
    let ding = hub
        .sink(
            "cs",
            &ChannelSpec::parse_with("dingtalk:https://ding.test/robot/send?access_token=b", &|_| None).unwrap(),
        )
        .unwrap();
    let start = Instant::now();
    push(wecom.as_ref(), 45, "w").await;
    push(ding.as_ref(), 45, "d").await;
    assert!(wecom.wait_idle(HOUR).await && ding.wait_idle(HOUR).await);
    for (host, sink) in [("wecom.test", &wecom), ("ding.test", &ding)] {
        let times = t.times(host);
        assert_eq!(times.len(), 45, "{host}: nothing dropped");
        assert_eq!(sink.stats().delivered, 45);
        let worst = max_in_window(&times, Duration::from_secs(60));
        assert!(worst <= 20, "{host}: {worst} in one minute");
        // Not needlessly slow either: a burst of 4, then one every 4 s.
        let took = *times.last().unwrap() - start;
        assert!(took >= Duration::from_secs(160) && took <= Duration::from_secs(170), "{host}: {took:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn two_audiences_on_one_robot_share_its_budget() {
    let t = Recording::new(OK_ALL);
    let hub = hub_with_transport(documented_limits(), t.clone());
    let spec = ChannelSpec::parse_with("wecom:https://wecom.test/send?key=same", &|_| None).unwrap();
    let sales = hub.sink("sales", &spec).unwrap();
    let logistics = hub.sink("logistics", &spec).unwrap();
    push(sales.as_ref(), 25, "s").await;
    push(logistics.as_ref(), 25, "l").await;
    assert!(sales.wait_idle(HOUR).await && logistics.wait_idle(HOUR).await);
    let times = t.times("wecom.test");
    assert_eq!(times.len(), 50);
    assert!(max_in_window(&times, Duration::from_secs(60)) <= 20);
}

#[tokio::test(start_paused = true)]
async fn feishu_five_a_second_and_a_hundred_a_minute() {
    let t = Recording::new(OK_ALL);
    let hub = hub_with_transport(documented_limits(), t.clone());
    let sink =
        hub.sink("cs", &ChannelSpec::parse_with("feishu:https://feishu.test/hook/x", &|_| None).unwrap()).unwrap();
    push(sink.as_ref(), 130, "f").await;
    assert!(sink.wait_idle(HOUR).await);
    let times = t.times("feishu.test");
    assert_eq!(times.len(), 130);
    assert!(max_in_window(&times, Duration::from_secs(1)) <= 5);
    assert!(max_in_window(&times, Duration::from_secs(60)) <= 100);
}

#[tokio::test(start_paused = true)]
async fn slack_and_telegram_about_one_a_second() {
    let t = Recording::new(OK_ALL);
    let hub = hub_with_transport(documented_limits(), t.clone());
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "1:T"), ("TELEGRAM_API_URL", "https://tg.test")]);
    let slack = hub.sink("cs", &ChannelSpec::parse_with("slack:https://slack.test/services/x", &env).unwrap()).unwrap();
    let private = hub.sink("cs", &ChannelSpec::parse_with("telegram:1001", &env).unwrap()).unwrap();
    let group = hub.sink("cs", &ChannelSpec::parse_with("telegram:-1001", &env).unwrap()).unwrap();
    push(slack.as_ref(), 30, "s").await;
    push(private.as_ref(), 30, "p").await;
    push(group.as_ref(), 30, "g").await;
    for s in [&slack, &private, &group] {
        assert!(s.wait_idle(HOUR).await);
        assert_eq!(s.stats().delivered, 30);
    }
    let slack_times = t.times("slack.test");
    assert!(max_in_window(&slack_times, Duration::from_millis(999)) <= 1);
    assert!(max_in_window(&slack_times, Duration::from_secs(10)) <= 11);
    let private_times = t.times_to_chat(1001);
    assert_eq!(private_times.len(), 30);
    assert!(max_in_window(&private_times, Duration::from_millis(999)) <= 1);
    // About one a second, not slower: a private chat has no per-minute cap.
    assert!(*private_times.last().unwrap() - private_times[0] <= Duration::from_secs(30));
    let group_times = t.times_to_chat(-1001);
    assert_eq!(group_times.len(), 30);
    assert!(max_in_window(&group_times, Duration::from_secs(60)) <= 20);
}

#[tokio::test(start_paused = true)]
async fn telegram_group_keeps_under_20_a_minute() {
    let t = Recording::new(OK_ALL);
    let hub = hub_with_transport(documented_limits(), t.clone());
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "1:T"), ("TELEGRAM_API_URL", "https://tg-group.test")]);
    let group = hub.sink("cs", &ChannelSpec::parse_with("telegram:-100777", &env).unwrap()).unwrap();
    push(group.as_ref(), 45, "g").await;
    assert!(group.wait_idle(HOUR).await);
    let times = t.times("tg-group.test");
    assert_eq!(times.len(), 45);
    assert!(max_in_window(&times, Duration::from_millis(999)) <= 1);
    assert!(max_in_window(&times, Duration::from_secs(60)) <= 20);
}

#[tokio::test(start_paused = true)]
async fn retry_after_holds_back_the_whole_destination() {
    let t = Recording::new(OK_ALL);
    t.script.lock().unwrap().push_back(HttpReply {
        status: 429,
        body: "slow down".into(),
        retry_after: Some(Duration::from_secs(30)),
    });
    let config = HubConfig { initial_backoff: Duration::from_millis(100), ..documented_limits() };
    let hub = hub_with_transport(config, t.clone());
    let spec = ChannelSpec::parse_with("slack:https://slack.test/x", &|_| None).unwrap();
    let sink = hub.sink("cs", &spec).unwrap();
    // Another audience posting to the same webhook has its own queue but
    // shares the robot's limiter.
    let other = hub.sink("sales", &spec).unwrap();
    sink.deliver(&faq_delivery("r-0")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await; // r-0 meets the 429
    other.deliver(&faq_delivery("o-0")).await.unwrap();
    push(sink.as_ref(), 2, "r-more").await;
    assert!(sink.wait_idle(HOUR).await && other.wait_idle(HOUR).await);
    let times = t.times("slack.test");
    assert_eq!(times.len(), 5, "one 429, then four deliveries");
    for (i, later) in times.iter().enumerate().skip(1) {
        assert!(
            *later - times[0] >= Duration::from_secs(30),
            "send {i} after {:?}, inside retry_after",
            *later - times[0]
        );
    }
    assert_eq!(sink.stats().delivered + other.stats().delivered, 4);
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_between_attempts_then_dead_letters() {
    let t = Recording::new(OK_ALL);
    for _ in 0..5 {
        t.script.lock().unwrap().push_back(HttpReply { status: 503, body: "down".into(), retry_after: None });
    }
    let config = HubConfig {
        max_attempts: 5,
        initial_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(60),
        rate_override: Some(vec![tradewind_channels::Rate::per(1000, Duration::from_secs(1), 1000)]),
        ..documented_limits()
    };
    let hub = hub_with_transport(config, t.clone());
    let sink = hub.sink("cs", &ChannelSpec::parse_with("slack:https://slack.test/x", &|_| None).unwrap()).unwrap();
    sink.deliver(&faq_delivery("b-1")).await.unwrap();
    assert!(sink.wait_idle(HOUR).await);
    let times = t.times("slack.test");
    assert_eq!(times.len(), 5);
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    // 1 s, 2 s, 4 s, 8 s, each ±30 % jitter.
    for (i, g) in gaps.iter().enumerate() {
        let nominal = Duration::from_secs(1 << i);
        assert!(*g >= nominal.mul_f64(0.69) && *g <= nominal.mul_f64(1.31), "gap {i}: {g:?}");
    }
    let dead = hub.dead_letters(5).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 5);
    assert!(dead[0].error.contains("HTTP 503"), "{}", dead[0].error);
}
