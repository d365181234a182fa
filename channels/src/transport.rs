//! How a rendered card leaves the process: an HTTP POST of JSON. Behind a
//! trait so the delivery machinery (queues, limits, retries, idempotency)
//! can be tested on a paused clock without sockets.

use async_trait::async_trait;
use std::time::Duration;

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
}

/// Platforms answer in a few hundred bytes; anything longer is noise we do
/// not need to hold.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;

/// reqwest with a timeout per request, so a channel that accepts the
/// connection and never answers costs one timeout per attempt, not forever.
pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    pub fn new(request_timeout: Duration) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(request_timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("tradewind/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError(format!("http client: {e}")))?;
        Ok(Self { client })
    }
}

/// reqwest's own message ("error sending request") hides the cause
/// (refused, timed out, TLS) in its source chain; spell the chain out.
fn describe(e: reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(&e);
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
        let clean = |e: reqwest::Error| TransportError(describe(e.without_url()));
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
}
