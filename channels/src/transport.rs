//! How a rendered card leaves the process: an HTTP POST of JSON to a
//! webhook, or a Telegram Bot API call through teloxide (the Telegram
//! client the front end uses too). Behind a trait so the delivery machinery
//! (queues, limits, retries, idempotency) can be tested on a paused clock
//! without sockets.

use async_trait::async_trait;
use serde::de::IgnoredAny;
use std::time::Duration;
use teloxide::requests::{JsonRequest, Payload, Request};

use crate::spec::TelegramBot;

/// What teloxide reports when a Bot API call fails.
pub use teloxide::RequestError as TelegramError;

/// What came back, whatever the status.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpReply {
    pub status: u16,
    /// At most `MAX_REPLY_BYTES` of the body.
    pub body: String,
    /// The `Retry-After` header, when it held a number of seconds.
    pub retry_after: Option<Duration>,
}

/// The request never got an answer (refused, reset, timed out). Always
/// worth retrying. The message never contains the URL: webhook URLs are
/// secrets.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

#[async_trait]
pub trait Transport: Send + Sync {
    async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<HttpReply, TransportError>;

    /// Telegram `sendMessage` with the parameters the card template
    /// rendered, as `bot`. `Ok` once the Bot API answered `ok: true`.
    async fn send_telegram(&self, bot: &TelegramBot, message: &serde_json::Value) -> Result<(), TelegramError>;
}

/// Platforms answer in a few hundred bytes; anything longer is noise we do
/// not need to hold.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;

const USER_AGENT: &str = concat!("tradewind/", env!("CARGO_PKG_VERSION"));

/// reqwest for webhooks and teloxide for Telegram, each with a timeout per
/// request, so a channel that accepts the connection and never answers
/// costs one timeout per attempt, not forever.
pub struct HttpTransport {
    client: reqwest::Client,
    /// Holds teloxide's HTTP client, configured like `client`. teloxide
    /// pins its own reqwest major version; keeping its client inside a
    /// token-less `Bot` spares us a direct dependency on that version.
    telegram: teloxide::Bot,
}

impl HttpTransport {
    pub fn new(request_timeout: Duration) -> Result<Self, TransportError> {
        let connect_timeout = request_timeout.min(Duration::from_secs(5));
        let client = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(connect_timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| TransportError(format!("http client: {e}")))?;
        let telegram = teloxide::net::default_reqwest_settings()
            .timeout(request_timeout)
            .connect_timeout(connect_timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| TransportError(format!("telegram http client: {e}")))?;
        Ok(Self { client, telegram: teloxide::Bot::with_client("", telegram) })
    }
}

/// `sendMessage` with parameters as rendered. The card template, which an
/// operator may override, is the single description of the message, so its
/// JSON goes out as it is rather than through teloxide's typed builder.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct SendCard(serde_json::Value);

impl Payload for SendCard {
    /// `ok: true` is the Bot API's word that the message was sent; the
    /// returned Message is not read, so a delivered card can never count as
    /// failed (and be sent again) over a field teloxide cannot parse.
    type Output = Option<IgnoredAny>;

    const NAME: &'static str = "sendMessage";
}

/// reqwest's own message ("error sending request") hides the cause
/// (refused, timed out, TLS) in its source chain; spell the chain out.
pub(crate) fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[async_trait]
impl Transport for HttpTransport {
    async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<HttpReply, TransportError> {
        let clean = |e: reqwest::Error| TransportError(describe(&e.without_url()));
        let mut resp = self.client.post(url).json(body).send().await.map_err(clean)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(clean)? {
            let room = MAX_REPLY_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if bytes.len() >= MAX_REPLY_BYTES {
                break;
            }
        }
        Ok(HttpReply { status, body: String::from_utf8_lossy(&bytes).into_owned(), retry_after })
    }

    /// teloxide waits 10 s after a 5xx answer before it returns it, outside
    /// the request timeout; on top of our backoff that only makes retries
    /// against a struggling Bot API gentler.
    async fn send_telegram(&self, bot: &TelegramBot, message: &serde_json::Value) -> Result<(), TelegramError> {
        let bot =
            teloxide::Bot::with_client(&bot.token, self.telegram.client().clone()).set_api_url(bot.api_url.clone());
        JsonRequest::new(bot, SendCard(message.clone())).send().await.map(|_| ())
    }
}
