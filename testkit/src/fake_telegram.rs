//! A local Telegram Bot API server for tests (axum on 127.0.0.1:0): it
//! queues updates for `getUpdates` the way Telegram does (kept until a
//! later call's offset confirms them), answers `sendMessage`,
//! `answerCallbackQuery`, `setWebhook`, `deleteWebhook` and `getMe`, and
//! records every call so tests can assert what the bot sent.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

pub const TOKEN: &str = "123456:TEST-token_for-fake";

const METHODS: [&str; 6] = ["getUpdates", "sendMessage", "answerCallbackQuery", "setWebhook", "deleteWebhook", "getMe"];

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
}

#[derive(Default)]
struct Fake {
    updates: Mutex<VecDeque<Value>>,
    calls: Mutex<Vec<Call>>,
    changed: Notify,
    next_message_id: AtomicI64,
}

pub struct FakeTelegram {
    pub url: String,
    fake: Arc<Fake>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTelegram {
    pub async fn start() -> Self {
        let fake = Arc::new(Fake { next_message_id: AtomicI64::new(1000), ..Fake::default() });
        let app = Router::new().route("/{bot}/{method}", post(call)).with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind fake telegram");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake telegram serves");
        });
        Self { url, fake, server }
    }

    /// Queues an update for `getUpdates`.
    pub fn push_update(&self, update: Value) {
        self.fake.updates.lock().unwrap().push_back(update);
        self.fake.changed.notify_waiters();
    }

    /// Updates not yet confirmed by an offset.
    pub fn unconfirmed(&self) -> usize {
        self.fake.updates.lock().unwrap().len()
    }

    pub fn calls(&self, method: &str) -> Vec<Value> {
        self.fake.calls.lock().unwrap().iter().filter(|c| c.method == method).map(|c| c.body.clone()).collect()
    }

    /// Waits until at least `n` calls of `method` were made; fails the test
    /// with every call seen so far after `timeout`.
    pub async fn wait_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.fake.changed.notified();
            let calls = self.calls(method);
            if calls.len() >= n {
                return calls;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<String> = self
                    .fake
                    .calls
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|c| c.method != "getUpdates")
                    .map(|c| format!("{} {}", c.method, c.body))
                    .collect();
                panic!("waited {timeout:?} for {n} {method} call(s), got {}; calls: {seen:#?}", calls.len());
            }
        }
    }
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

fn fail(code: u16, description: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({"ok": false, "error_code": code, "description": description}))).into_response()
}

/// Fields of a multipart/form-data body (teloxide sends `setWebhook` that
/// way, for the optional certificate) as a JSON object of strings.
fn form_fields(content_type: &str, body: &[u8]) -> Value {
    let Some(boundary) = content_type.split("boundary=").nth(1) else { return json!({}) };
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{}", boundary.trim_matches('"'))) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else { continue };
        let Some(name) = head.split("name=\"").nth(1).and_then(|n| n.split('"').next()) else { continue };
        fields.insert(name.to_string(), Value::String(value.trim_end_matches("\r\n").to_string()));
    }
    Value::Object(fields)
}

async fn call(
    State(fake): State<Arc<Fake>>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if bot != format!("bot{TOKEN}") {
        return fail(401, "Unauthorized");
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let body: Value = if content_type.starts_with("multipart/form-data") {
        form_fields(content_type, &body)
    } else if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body).unwrap_or(json!({}))
    };
    // Bot API method names are case-insensitive (teloxide sends
    // "SendMessage"); calls are recorded under the documented spelling.
    let method = METHODS.iter().find(|m| m.eq_ignore_ascii_case(&method)).map_or(method, |m| m.to_string());
    if method != "getUpdates" {
        fake.calls.lock().unwrap().push(Call { method: method.clone(), body: body.clone() });
        fake.changed.notify_waiters();
    }
    match method.as_str() {
        "getUpdates" => get_updates(&fake, &body).await,
        "sendMessage" => {
            let id = fake.next_message_id.fetch_add(1, Ordering::Relaxed);
            let chat_id = body["chat_id"].as_i64().unwrap_or(0);
            let text = body["text"].as_str().unwrap_or_default();
            if text.is_empty() {
                return fail(400, "Bad Request: message text is empty");
            }
            ok(json!({
                "message_id": id,
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private", "first_name": "Customer"},
                "from": {"id": 1, "is_bot": true, "first_name": "Tradewind", "username": "tradewind_bot"},
                "text": text
            }))
        }
        "answerCallbackQuery" | "setWebhook" | "deleteWebhook" => ok(json!(true)),
        "getMe" => ok(json!({"id": 1, "is_bot": true, "first_name": "Tradewind", "username": "tradewind_bot"})),
        _ => fail(404, "Not Found: method not found"),
    }
}

async fn get_updates(fake: &Fake, body: &Value) -> Response {
    let offset = body["offset"].as_i64().unwrap_or(0);
    // Long polling, shortened: tests should not wait the full timeout.
    let wait = Duration::from_millis((body["timeout"].as_u64().unwrap_or(0) * 1000).min(500));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let notified = fake.changed.notified();
        let ready: Vec<Value> = {
            let mut q = fake.updates.lock().unwrap();
            // An offset confirms every update below it, as on Telegram.
            q.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            q.iter().cloned().collect()
        };
        if !ready.is_empty() || tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(Value::Array(ready));
        }
    }
}

/// A text message from a customer in a private chat.
pub fn text_update(update_id: u32, chat_id: i64, message_id: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Ana", "username": "ana_buyer"},
            "from": {"id": chat_id, "is_bot": false, "first_name": "Ana", "language_code": "en"},
            "text": text
        }
    })
}

/// A press on an inline button under the bot's message `bot_message`.
pub fn callback_update(update_id: u32, chat_id: i64, query_id: &str, data: &str, keyboard: Value) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": query_id,
            "from": {"id": chat_id, "is_bot": false, "first_name": "Ana"},
            "chat_instance": "ci-1",
            "data": data,
            "message": {
                "message_id": 999,
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
                "from": {"id": 1, "is_bot": true, "first_name": "Tradewind"},
                "text": "earlier reply",
                "reply_markup": keyboard
            }
        }
    })
}
