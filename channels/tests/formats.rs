//! Each channel against a local receiver: the payload's shape, its
//! signature (recomputed here independently), and size limits.

mod support;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;
use support::*;
use tradewind_channels::{dingtalk_sign, feishu_sign, CardLinks, ChannelSpec, HubConfig};
use tradewind_ports::Sink;

const WAIT: Duration = Duration::from_secs(10);

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn with_console() -> HubConfig {
    HubConfig { links: CardLinks { console_url: Some("https://tw.test".into()) }, ..fast_config() }
}

#[test]
fn published_signature_vectors() {
    assert_eq!(feishu_sign(1599360473, "demo-secret"), "3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s=");
    assert_eq!(dingtalk_sign(1577836800000, "SECdemo"), "FcLcAX0Ossq%2F9BYYBoQJ9BY74CTqR7UCn19DGI83DF0%3D");
}

#[tokio::test]
async fn wecom_markdown_without_a_link() {
    let rx = Receiver::start(Reply::ok(r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    let (hub, _) = hub(fast_config());
    let spec =
        ChannelSpec::parse_with(&format!("wecom:{}", rx.url("/cgi-bin/webhook/send?key=k-123")), &|_| None).unwrap();
    let sink = hub.sink("logistics", &spec).unwrap();
    sink.deliver(&customs_delivery("c-1")).await.unwrap();
    let r = rx.wait_for(1, WAIT).await;
    assert_eq!(r[0].path, "/cgi-bin/webhook/send");
    assert_eq!(r[0].query.get("key").map(String::as_str), Some("k-123"));
    let b = &r[0].body;
    assert_eq!(b["msgtype"], "markdown");
    let content = b["markdown"]["content"].as_str().unwrap();
    assert!(content.starts_with("**Customs pre-check"), "{content}");
    assert!(content.contains(r#"<font color="warning">REVIEW</font>"#), "{content}");
    assert!(content.contains("> Documents: <font color=\"comment\">UN38.3 test summary, SDS</font>"), "{content}");
    assert!(content.contains("## Findings"), "{content}");
    assert!(content.len() <= 4096);
    assert!(sink.wait_idle(WAIT).await);
    assert_eq!(sink.stats().delivered, 1);
}

#[tokio::test]
async fn wecom_template_card_with_a_link() {
    let rx = Receiver::start(Reply::ok(r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    let (hub, _) = hub(with_console());
    let spec = ChannelSpec::parse_with(&format!("wecom:{}", rx.url("/send?key=k&format=card")), &|_| None).unwrap();
    let sink = hub.sink("logistics", &spec).unwrap();
    sink.deliver(&customs_delivery("c-2")).await.unwrap();
    let r = rx.wait_for(1, WAIT).await;
    assert_eq!(r[0].raw_query, "key=k", "our format= option must not reach the platform");
    let c = &r[0].body["template_card"];
    assert_eq!(r[0].body["msgtype"], "template_card");
    assert_eq!(c["card_type"], "text_notice");
    assert_eq!(c["card_action"]["type"], 1);
    assert_eq!(c["card_action"]["url"], "https://tw.test/inquiries/inq-18f3a2b4c5d-1a2b3c4d");
    let title = c["main_title"]["title"].as_str().unwrap();
    assert!(title.chars().count() <= 26 && title.ends_with('…'), "{title}");
    assert_eq!(c["emphasis_content"]["title"], "REVIEW");
    assert_eq!(c["source"]["desc_color"], 2);
    let sub = c["sub_title_text"].as_str().unwrap();
    assert!(sub.chars().count() <= 112 && !sub.contains("**"), "{sub}");
    let items = c["horizontal_content_list"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 6);
    assert!(items.iter().all(|i| i["keyname"].as_str().unwrap().chars().count() <= 5));
    let jumps = c["jump_list"].as_array().unwrap();
    assert!(jumps.len() <= 3 && jumps[0]["url"].as_str().unwrap().starts_with("https://tw.test/"));
}

#[tokio::test]
async fn feishu_interactive_card_is_signed_in_the_body() {
    let rx = Receiver::start(Reply::ok(r#"{"code":0,"msg":"success","data":{}}"#)).await;
    let (hub, _) = hub(with_console());
    let spec = ChannelSpec::parse_with(
        &format!("feishu:{}", rx.url("/open-apis/bot/v2/hook/tok?secret=demo-secret")),
        &|_| None,
    )
    .unwrap();
    let sink = hub.sink("customer_service", &spec).unwrap();
    sink.deliver(&faq_delivery("f-1")).await.unwrap();
    let r = rx.wait_for(1, WAIT).await;
    assert_eq!(r[0].path, "/open-apis/bot/v2/hook/tok");
    assert_eq!(r[0].raw_query, "", "the secret must never travel in the URL");
    let b = &r[0].body;
    let ts = b["timestamp"].as_str().unwrap();
    let ts_num: u64 = ts.parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(now.abs_diff(ts_num) < 60, "timestamp in seconds");
    // Feishu: key = timestamp + "\n" + secret, message empty.
    let expected = hmac_b64(format!("{ts}\ndemo-secret").as_bytes(), b"");
    assert_eq!(b["sign"].as_str().unwrap(), expected);
    assert_eq!(b["msg_type"], "interactive");
    let card = &b["card"];
    assert_eq!(card["header"]["title"]["content"], "Can you ship lithium batteries by air?");
    assert_eq!(card["header"]["template"], "blue");
    let elements = card["elements"].as_array().unwrap();
    let tags: Vec<&str> = elements.iter().map(|e| e["tag"].as_str().unwrap()).collect();
    assert_eq!(tags, vec!["div", "div", "hr", "action"]);
    assert_eq!(elements[0]["fields"][0]["text"]["tag"], "lark_md");
    assert!(elements[1]["text"]["content"].as_str().unwrap().contains("**UN3480**"));
    assert_eq!(elements[3]["actions"][0]["type"], "primary");
    assert_eq!(elements[3]["actions"][0]["url"], "https://tw.test/inquiries/inq-1");
}

#[tokio::test]
async fn feishu_unsigned_has_no_signature_fields() {
    let rx = Receiver::start(Reply::ok(r#"{"code":0}"#)).await;
    let (hub, _) = hub(fast_config());
    let spec = ChannelSpec::parse_with(&format!("feishu:{}", rx.url("/hook/x")), &|_| None).unwrap();
    hub.sink("cs", &spec).unwrap().deliver(&faq_delivery("f-2")).await.unwrap();
    let b = &rx.wait_for(1, WAIT).await[0].body;
    assert!(b.get("sign").is_none() && b.get("timestamp").is_none());
}

#[tokio::test]
async fn dingtalk_action_card_signed_in_the_query() {
    let rx = Receiver::start(Reply::ok(r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    let (hub, _) = hub(with_console());
    let spec = ChannelSpec::parse_with(
        &format!("dingtalk:{}", rx.url("/robot/send?access_token=tok&secret_env=DT")),
        &env_with(&[("DT", "SECdemo")]),
    )
    .unwrap();
    let sink = hub.sink("sales", &spec).unwrap();
    sink.deliver(&proposal_delivery(
        "p-1",
        "# Proposal inq-2\n\n| SKU | Qty |\n|---|---:|\n| TW-BP-4820 | 800 |\n".into(),
    ))
    .await
    .unwrap();
    let r = rx.wait_for(1, WAIT).await;
    let q = &r[0].query;
    assert_eq!(q.get("access_token").map(String::as_str), Some("tok"));
    let ts = q.get("timestamp").unwrap();
    let ts_num: u64 = ts.parse().unwrap();
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(now_ms.abs_diff(ts_num) < 60_000, "timestamp in milliseconds");
    // DingTalk: key = secret, message = timestamp + "\n" + secret; URL-encoded on the wire.
    let expected = hmac_b64(b"SECdemo", format!("{ts}\nSECdemo").as_bytes());
    assert_eq!(q.get("sign").unwrap(), &expected, "decoded sign");
    assert!(r[0].raw_query.contains(&format!("sign={}", urlencoding::encode(&expected))), "{}", r[0].raw_query);
    let b = &r[0].body;
    assert_eq!(b["msgtype"], "actionCard");
    let card = &b["actionCard"];
    assert_eq!(card["title"], "Proposal draft inq-2");
    assert!(card["text"].as_str().unwrap().starts_with("### Proposal draft inq-2"));
    assert!(card["text"].as_str().unwrap().contains("**146,000.00** (total (USD))"));
    assert_eq!(card["btnOrientation"], "0");
    assert_eq!(card["btns"][0]["actionURL"], "https://tw.test/inquiries/inq-2");
}

#[tokio::test]
async fn dingtalk_markdown_without_links() {
    let rx = Receiver::start(Reply::ok(r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    let (hub, _) = hub(fast_config());
    let spec =
        ChannelSpec::parse_with(&format!("dingtalk:{}", rx.url("/robot/send?access_token=t")), &|_| None).unwrap();
    hub.sink("logistics", &spec).unwrap().deliver(&customs_delivery("c-3")).await.unwrap();
    let r = rx.wait_for(1, WAIT).await;
    assert!(!r[0].query.contains_key("sign"), "unsigned robot");
    assert_eq!(r[0].body["msgtype"], "markdown");
    assert_eq!(r[0].body["markdown"]["title"], "Customs pre-check inq-18f3a2b4c5d-1a2b3c4d: review");
    assert!(r[0].body["markdown"]["text"].as_str().unwrap().contains("> **Risk** REVIEW"));
}

#[tokio::test]
async fn slack_block_kit() {
    let rx = Receiver::start(Reply::ok("ok")).await;
    let (hub, _) = hub(with_console());
    let spec = ChannelSpec::parse_with(&format!("slack:{}", rx.url("/services/T0/B0/secret")), &|_| None).unwrap();
    hub.sink("logistics", &spec).unwrap().deliver(&customs_delivery("c-4")).await.unwrap();
    let b = &rx.wait_for(1, WAIT).await[0].body;
    assert_eq!(b["text"], "Customs pre-check inq-18f3a2b4c5d-1a2b3c4d: review (REVIEW)");
    let blocks = b["blocks"].as_array().unwrap();
    let types: Vec<&str> = blocks.iter().map(|x| x["type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["header", "section", "divider", "section", "actions", "context"]);
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert_eq!(blocks[1]["fields"][0]["text"], "*Risk*\nREVIEW");
    let body = blocks[3]["text"]["text"].as_str().unwrap();
    assert!(body.starts_with("*Customs and export pre-check*"), "{body}");
    assert!(body.contains("Nordlicht &lt;Energie&gt; &amp; Co"), "mrkdwn escaping: {body}");
    assert!(body.contains("• [review]"), "{body}");
    assert_eq!(blocks[4]["elements"][0]["url"], "https://tw.test/inquiries/inq-18f3a2b4c5d-1a2b3c4d");
    assert_eq!(blocks[4]["elements"][0]["style"], "primary");
}

#[tokio::test]
async fn telegram_html_with_inline_keyboard() {
    let rx = Receiver::start(Reply::ok(r#"{"ok":true,"result":{"message_id":1}}"#)).await;
    let (hub, _) = hub(with_console());
    let api = rx.url("");
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "123:ABC"), ("TELEGRAM_API_URL", api.as_str())]);
    let spec = ChannelSpec::parse_with("telegram:-1001234567890", &env).unwrap();
    hub.sink("logistics", &spec).unwrap().deliver(&customs_delivery("c-5")).await.unwrap();
    let r = rx.wait_for(1, WAIT).await;
    assert_eq!(r[0].path, "/bot123:ABC/sendMessage");
    let b = &r[0].body;
    assert_eq!(b["chat_id"], serde_json::json!(-1001234567890i64));
    assert_eq!(b["parse_mode"], "HTML");
    let text = b["text"].as_str().unwrap();
    assert!(text.starts_with("🟠 <b>Customs pre-check"), "{text}");
    assert!(text.contains("Nordlicht &lt;Energie&gt; &amp; Co"), "HTML escaping: {text}");
    assert!(text.contains("<b>Customs and export pre-check</b>"), "{text}");
    assert!(!text.contains("<Energie>"));
    let kb = b["reply_markup"]["inline_keyboard"].as_array().unwrap();
    let buttons: Vec<&Value> = kb.iter().flat_map(|row| row.as_array().unwrap()).collect();
    assert_eq!(buttons[0]["url"], "https://tw.test/inquiries/inq-18f3a2b4c5d-1a2b3c4d");
    assert_eq!(buttons[1]["callback_data"], "ack:c-5");
    for button in &buttons {
        let actions = ["url", "callback_data"].iter().filter(|k| button.get(**k).is_some()).count();
        assert_eq!(actions, 1, "exactly one action per button: {button}");
    }
}

#[tokio::test]
async fn long_bodies_are_cut_to_each_channels_limits() {
    // 200 KB of mixed scripts and markup, and a title far over every limit.
    let line = "| 出口 | <b>&amp; **bold** [link](https://x.test/a?b=1&c=2) e-bike 48V 20Ah |\n";
    let mut body = String::from("# 超长报价\n\n");
    while body.len() < 200_000 {
        body.push_str(line);
        body.push_str("ordinary paragraph with ümlauts and 中文字符 and `code`\n");
    }
    let mut d = proposal_delivery("big-1", body);
    d.title = "标题".repeat(500);

    let ok = r#"{"errcode":0,"errmsg":"ok","code":0,"ok":true}"#;
    let rx = Receiver::start(Reply::ok(ok)).await;
    let api = rx.url("/tg");
    let env = env_with(&[("TELEGRAM_BOT_TOKEN", "1:T"), ("TELEGRAM_API_URL", api.as_str()), ("S", "s")]);
    let (hub, _) = hub(with_console());
    let specs = [
        format!("wecom:{}", rx.url("/wecom?key=k&format=markdown")),
        format!("wecom:{}", rx.url("/wecom-card?key=k")),
        format!("feishu:{}", rx.url("/feishu?secret=s")),
        format!("dingtalk:{}", rx.url("/dingtalk?access_token=t")),
        format!("slack:{}", rx.url("/slack")),
        "telegram:42".to_string(),
    ];
    let mut sinks = Vec::new();
    for s in &specs {
        let sink = hub.sink("sales", &ChannelSpec::parse_with(s, &env).unwrap()).unwrap();
        sink.deliver(&d).await.unwrap();
        sinks.push(sink);
    }
    let r = rx.wait_for(specs.len(), WAIT).await;
    for sink in &sinks {
        assert!(sink.wait_idle(WAIT).await);
        assert_eq!(sink.stats().dead_lettered, 0, "{}", sink.destination());
    }
    let by = |p: &str| r.iter().find(|x| x.path == p).unwrap().body.clone();

    let content = by("/wecom")["markdown"]["content"].as_str().unwrap().to_string();
    assert!(content.len() <= 4096 && content.len() > 3500, "wecom markdown {} bytes", content.len());
    assert!(content.contains('…'));

    let card = by("/wecom-card");
    assert!(card["template_card"]["main_title"]["title"].as_str().unwrap().chars().count() <= 26);
    assert!(card["template_card"]["sub_title_text"].as_str().unwrap().chars().count() <= 112);

    let feishu = serde_json::to_vec(&by("/feishu")).unwrap();
    assert!(feishu.len() <= 20_000 && feishu.len() > 15_000, "feishu body {} bytes", feishu.len());

    let ding = by("/dingtalk");
    assert!(ding["markdown"]["text"].as_str().or(ding["actionCard"]["text"].as_str()).unwrap().len() <= 20_000);

    let slack = by("/slack");
    let blocks = slack["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    assert!(blocks[0]["text"]["text"].as_str().unwrap().chars().count() <= 150);
    for b in blocks.iter().filter(|b| b["type"] == "section") {
        if let Some(t) = b["text"]["text"].as_str() {
            assert!(t.chars().count() <= 3000, "section of {} chars", t.chars().count());
            assert_eq!(t.matches("```").count() % 2, 0, "each section closes its code block");
        }
    }

    let tg = by("/tg/bot1:T/sendMessage");
    let text = tg["text"].as_str().unwrap();
    assert!(
        text.chars().count() <= 4096 && text.chars().count() > 3500,
        "telegram {} chars: {text}",
        text.chars().count()
    );
    assert_eq!(text.matches("<pre>").count(), text.matches("</pre>").count(), "balanced tags");
    assert_eq!(text.matches("<b>").count(), text.matches("</b>").count(), "balanced tags");
}
