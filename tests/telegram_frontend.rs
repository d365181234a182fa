//! The Telegram front end end to end, against a local fake Bot API server
//! (teloxide pointed at it through the custom API URL): long polling and
//! webhook mode, FAQ buttons, the "not helpful" button, redelivery, and
//! bad input.

use serde_json::{json, Value};
use std::time::Duration;
use tradewind_app::config::TelegramMode;
use tradewind_ports::strategy::Feedback;
use tradewind_testkit::fake_telegram::{callback_update, text_update, FakeTelegram, TOKEN};
use tradewind_testkit::{start_stack, Stack};

const WAIT: Duration = Duration::from_secs(30);
const SECRET: &str = "webhook-secret_0123456789";
const BATTERIES: &str =
    "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH, +49 40 1234567";

async fn stack_with(fake: &FakeTelegram, mode: TelegramMode) -> Stack {
    let api_url = fake.url.clone();
    start_stack(move |c| {
        c.telegram.token = Some(TOKEN.into());
        c.telegram.api_url = api_url;
        c.telegram.mode = mode;
        c.telegram.poll_timeout_secs = 1;
        if mode == TelegramMode::Webhook {
            c.telegram.webhook_secret = Some(SECRET.into());
            c.telegram.webhook_url = Some("https://bot.example.com/telegram/webhook".into());
        }
    })
    .await
}

fn buttons(message: &Value) -> Vec<(String, String)> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_string(),
                b["callback_data"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn text_of(message: &Value) -> &str {
    message["text"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn polling_replies_with_faq_buttons_and_a_button_answers_with_its_card() {
    let fake = FakeTelegram::start().await;
    let s = stack_with(&fake, TelegramMode::Polling).await;

    fake.push_update(text_update(1, 4242, 10, BATTERIES));
    let sent = fake.wait_calls("sendMessage", 1, WAIT).await;
    let reply = &sent[0];
    assert_eq!(reply["chat_id"], json!(4242));
    assert!(text_of(reply).len() > 20, "{reply}");
    let (faq, feedback): (Vec<_>, Vec<_>) = buttons(reply).into_iter().partition(|(_, data)| data.starts_with("faq:"));
    assert!(!faq.is_empty(), "FAQ cards as inline buttons: {reply}");
    assert!(faq.iter().all(|(label, data)| !label.is_empty() && data.len() <= 64));
    // And under them, one button to say the answer did not help.
    let [(label, fb_data)] = feedback.as_slice() else { panic!("one feedback button: {reply}") };
    assert_eq!(label, "👎 Not helpful");
    let inquiry_id = fb_data.strip_prefix("fb:").expect("fb:<inquiry id>");
    assert!(inquiry_id.starts_with("inq-") && fb_data.len() <= 64, "{fb_data}");
    assert!(!fake.calls("deleteWebhook").is_empty(), "polling clears any webhook first");

    // The customer presses the first card: the spinner stops and the
    // card's answer comes as a message, without another inquiry.
    let keyboard = reply["reply_markup"].clone();
    fake.push_update(callback_update(2, 4242, "cbq-1", &faq[0].1, keyboard.clone()));
    let answered = fake.wait_calls("answerCallbackQuery", 1, WAIT).await;
    assert_eq!(answered[0]["callback_query_id"], json!("cbq-1"));
    let sent = fake.wait_calls("sendMessage", 2, WAIT).await;
    let answer = text_of(&sent[1]);
    assert!(!answer.is_empty() && answer != text_of(reply));
    let faq: String = tradewind_knowledge::kb::embedded_documents()
        .into_iter()
        .filter(|(path, _)| path.contains("faq"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    assert!(faq.contains(answer.trim()), "the button's answer is an FAQ answer: {answer}");

    // "Not helpful": the spinner stops, and the ingress gets that customer's
    // verdict on that answer's inquiry, as a message of that chat.
    fake.push_update(callback_update(3, 4242, "cbq-2", fb_data, keyboard));
    let answered = fake.wait_calls("answerCallbackQuery", 2, WAIT).await;
    assert_eq!(answered[1]["callback_query_id"], json!("cbq-2"));
    let verdict = s.wait_submitted(WAIT, |m| m.feedback.is_some()).await;
    assert_eq!(verdict.feedback, Some(Feedback { inquiry_id: inquiry_id.into(), helpful: false }));
    assert_eq!(
        (verdict.channel.as_str(), verdict.chat_id.as_str(), verdict.user.as_str(), verdict.text.as_str()),
        ("telegram", "4242", "4242", "not helpful")
    );
    // Its acknowledgement is not an answer to rate.
    let sent = fake.wait_calls("sendMessage", 3, WAIT).await;
    assert!(buttons(&sent[2]).iter().all(|(_, data)| !data.starts_with("fb:")), "{}", sent[2]);

    // A Chinese customer is answered in Chinese, and the button speaks it too.
    fake.push_update(text_update(
        4,
        777,
        1,
        "您好！我们需要三百台5kW单相混合逆变器，发到胡志明市，CIF。西贡光能有限公司",
    ));
    let sent = fake.wait_calls("sendMessage", 4, WAIT).await;
    let zh = sent.iter().find(|m| m["chat_id"] == json!(777)).expect("reply to the Chinese chat");
    assert!(text_of(zh).chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
    assert!(buttons(zh).iter().any(|(label, data)| label == "👎 没有帮助" && data.starts_with("fb:inq-")), "{zh}");

    let took = s.stop().await;
    assert!(took < Duration::from_secs(6), "shutdown took {took:?}");
}

#[tokio::test]
async fn polling_answers_a_redelivered_update_once() {
    let fake = FakeTelegram::start().await;
    let s = stack_with(&fake, TelegramMode::Polling).await;
    // The same update twice (a redelivery), then another message in the same
    // chat: a chat's replies come in order, so when the third message's
    // reply arrives, a second answer to the first would already be there.
    let first = text_update(1, 5150, 21, BATTERIES);
    fake.push_update(first.clone());
    fake.push_update(first);
    fake.push_update(text_update(2, 5150, 22, "Do you sell 12V LiFePO4 batteries?"));
    let sent = fake.wait_calls("sendMessage", 2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.calls("sendMessage").len(), 2, "{sent:#?}");
    s.stop().await;
}

#[tokio::test]
async fn polling_ignores_unknown_chat_types_and_update_kinds_and_refuses_oversize_messages_clearly() {
    let fake = FakeTelegram::start().await;
    let s = stack_with(&fake, TelegramMode::Polling).await;
    let mut odd_chat = text_update(1, 31, 1, BATTERIES);
    odd_chat["message"]["chat"]["type"] = json!("hologram");
    fake.push_update(odd_chat);
    fake.push_update(json!({"update_id": 2, "poll": {"id": "p1", "question": "?", "options": []}}));
    fake.push_update(json!({"update_id": 3, "message": {"text": "no chat, no id"}}));
    let mut channel = text_update(4, -1_000_000_031, 1, BATTERIES);
    channel["message"]["chat"] = json!({"id": -1_000_000_031, "type": "channel", "title": "News"});
    fake.push_update(channel);
    // Then a customer pastes 17 KB.
    fake.push_update(text_update(5, 32, 1, &"battery ".repeat(17 * 128)));
    let sent = fake.wait_calls("sendMessage", 1, WAIT).await;
    assert_eq!(sent[0]["chat_id"], json!(32), "only the real customer is answered: {sent:#?}");
    assert!(text_of(&sent[0]).contains("too long"), "{}", sent[0]);
    // Everything was confirmed: nothing is stuck in front of the queue.
    for _ in 0..50 {
        if fake.unconfirmed() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fake.unconfirmed(), 0);
    assert_eq!(fake.calls("sendMessage").len(), 1);
    s.stop().await;
}

async fn post_update(client: &reqwest::Client, s: &Stack, secret: Option<&str>, body: String) -> (u16, String) {
    let mut req = client.post(s.url("/telegram/webhook")).header("content-type", "application/json").body(body);
    if let Some(secret) = secret {
        req = req.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    let res = req.send().await.expect("webhook reachable");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn webhook_checks_the_secret_token_and_answers_once_per_update() {
    let fake = FakeTelegram::start().await;
    let s = stack_with(&fake, TelegramMode::Webhook).await;
    let registered = fake.calls("setWebhook");
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0]["url"], json!("https://bot.example.com/telegram/webhook"));
    assert_eq!(registered[0]["secret_token"], json!(SECRET));
    assert!(fake.calls("deleteWebhook").is_empty());

    let client = reqwest::Client::new();
    let update = text_update(100, 6060, 1, BATTERIES).to_string();
    let (status, _) = post_update(&client, &s, None, update.clone()).await;
    assert_eq!(status, 401);
    let (status, _) = post_update(&client, &s, Some("webhook-secret_0123456788"), update.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = post_update(&client, &s, Some("short"), update.clone()).await;
    assert_eq!(status, 403);

    let (status, body) = post_update(&client, &s, Some(SECRET), update.clone()).await;
    assert_eq!(status, 200, "{body}");
    // Telegram redelivers when it did not see the 200 in time.
    let (status, _) = post_update(&client, &s, Some(SECRET), update).await;
    assert_eq!(status, 200);
    let next = text_update(101, 6060, 2, "Thanks. What is your MOQ?").to_string();
    assert_eq!(post_update(&client, &s, Some(SECRET), next).await.0, 200);

    let sent = fake.wait_calls("sendMessage", 2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.calls("sendMessage").len(), 2, "one reply per message, none for refused calls: {sent:#?}");
    assert!(!buttons(&sent[0]).is_empty());
    s.stop().await;
}

#[tokio::test]
async fn webhook_refuses_malformed_updates_with_the_reason_and_ignores_unknown_ones() {
    let fake = FakeTelegram::start().await;
    let s = stack_with(&fake, TelegramMode::Webhook).await;
    let client = reqwest::Client::new();
    let cases = [
        ("{\"update_id\": 1, ", "not JSON"),
        ("[1, 2, 3]", "JSON object"),
        ("{\"message\": {\"text\": \"hi\"}}", "update_id"),
        ("{\"update_id\": 2, \"message\": {\"text\": \"hi\"}}", "message:"),
        ("{\"update_id\": 3, \"callback_query\": {\"id\": 7}}", "callback_query:"),
    ];
    for (body, reason) in cases {
        let (status, text) = post_update(&client, &s, Some(SECRET), body.to_string()).await;
        assert_eq!(status, 400, "{body}: {text}");
        let v: Value = serde_json::from_str(&text).expect("JSON error body");
        assert!(v["error"].as_str().unwrap_or_default().contains(reason), "{body}: {text}");
        assert_eq!(v["status"], json!(400));
    }
    let mut odd_chat = text_update(4, 31, 1, BATTERIES);
    odd_chat["message"]["chat"]["type"] = json!("hologram");
    for ignored in [odd_chat, json!({"update_id": 5, "poll": {"id": "p1"}})] {
        assert_eq!(post_update(&client, &s, Some(SECRET), ignored.to_string()).await.0, 200);
    }
    let big = text_update(6, 33, 1, &"x".repeat(200 * 1024)).to_string();
    let (status, text) = post_update(&client, &s, Some(SECRET), big).await;
    assert_eq!(status, 413, "{text}");
    // A 17 KB message fits the body limit but not the message limit: the
    // customer is told, and Telegram gets its 200.
    let long = text_update(7, 34, 1, &"battery ".repeat(17 * 128)).to_string();
    assert_eq!(post_update(&client, &s, Some(SECRET), long).await.0, 200);
    let sent = fake.wait_calls("sendMessage", 1, WAIT).await;
    assert_eq!(sent[0]["chat_id"], json!(34));
    assert!(text_of(&sent[0]).contains("too long"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fake.calls("sendMessage").len(), 1);
    s.stop().await;
}
