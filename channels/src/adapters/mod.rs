//! One adapter per channel: render a `Card` into the channel's request body
//! (within its size limits), send it — signed, when the channel signs — and
//! read the channel's answer (HTTP status and in-body error codes, or the
//! Bot API's error) as delivered, worth retrying, or failed for good.

use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::card::{Card, Tone};
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::spec::{ChannelKind, ChannelSpec};
use crate::text::{truncate_bytes, truncate_chars};
use crate::transport::{HttpReply, Transport};
use crate::ChannelError;

pub mod dingtalk;
pub mod feishu;
pub mod slack;
pub mod telegram;
pub mod wecom;

/// A webhook request ready to go: the URL (with query signature, if any)
/// and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub url: String,
    pub body: Value,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Delivered,
    /// Busy, rate-limited, unreachable: try again (not before `retry_after`
    /// when the platform said so).
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The platform rejected the message itself; retrying cannot help.
    Fail(String),
}

#[async_trait]
pub trait Adapter: Send + Sync {
    fn kind(&self) -> ChannelKind;

    /// The destination without secrets, for logs and dead letters.
    fn display(&self) -> String;

    /// Stable across restarts and free of secrets: the destination's share
    /// of idempotency keys and the rate-limiter's key.
    fn destination_key(&self) -> String;

    /// The platform's documented rate limits for this destination.
    fn rates(&self) -> Vec<Rate>;

    /// The request body for a card, within the channel's size limits.
    fn render(&self, card: &Card, templates: &CardTemplates) -> Result<Value, ChannelError>;

    /// Sends a rendered body once, at `now`, and reads the answer.
    async fn attempt(&self, transport: &dyn Transport, body: &Value, now: SystemTime) -> Verdict;
}

/// A channel reached by POSTing JSON to a webhook URL (all but Telegram).
pub trait Webhook: Adapter {
    /// URL and body for one attempt at `now` (signatures are time-bound, so
    /// each retry signs afresh).
    fn prepare(&self, body: &Value, now: SystemTime) -> Prepared;

    /// Reads an answer. The default covers HTTP statuses; channels that
    /// report errors inside a 200 override it.
    fn verdict(&self, reply: &HttpReply) -> Verdict {
        http_verdict(reply).unwrap_or(Verdict::Delivered)
    }
}

/// One webhook attempt: POST, then read the answer; no answer at all is
/// always worth another try.
pub(crate) async fn post_webhook<W: Webhook + ?Sized>(
    hook: &W,
    transport: &dyn Transport,
    body: &Value,
    now: SystemTime,
) -> Verdict {
    let req = hook.prepare(body, now);
    match transport.post_json(&req.url, &req.body).await {
        Ok(reply) => hook.verdict(&reply),
        Err(e) => Verdict::Retry { reason: e.0, retry_after: None },
    }
}

/// Builds the adapter for a parsed spec.
pub fn adapter_for(spec: &ChannelSpec) -> Arc<dyn Adapter> {
    match spec.kind {
        ChannelKind::WeCom => Arc::new(wecom::WeCom::new(spec)),
        ChannelKind::Feishu => Arc::new(feishu::Feishu::new(spec)),
        ChannelKind::DingTalk => Arc::new(dingtalk::DingTalk::new(spec)),
        ChannelKind::Slack => Arc::new(slack::Slack::new(spec)),
        ChannelKind::Telegram => Arc::new(telegram::Telegram::new(spec)),
    }
}

/// `kind-<16 hex of sha256(what identifies the destination)>`.
pub(crate) fn destination_key(kind: ChannelKind, identity: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(identity.as_bytes()));
    format!("{}-{}", kind.as_str(), &digest[..16])
}

/// The verdict any HTTP status implies on its own, or `None` for a 2xx
/// whose body the channel must read.
pub(crate) fn http_verdict(reply: &HttpReply) -> Option<Verdict> {
    let status = reply.status;
    if (200..300).contains(&status) {
        return None;
    }
    let reason = format!("HTTP {status}: {}", truncate_chars(reply.body.trim(), 300));
    if status == 429 || status == 408 || status == 425 || status >= 500 {
        return Some(Verdict::Retry { reason, retry_after: reply.retry_after });
    }
    Some(Verdict::Fail(reason))
}

/// An in-body error code: rate-limit and "system busy" codes retry, the
/// rest fail for good.
pub(crate) fn code_verdict(code: i64, message: &str, retryable: &[i64]) -> Verdict {
    let reason = format!("error code {code}: {}", truncate_chars(message, 300));
    if retryable.contains(&code) {
        Verdict::Retry { reason, retry_after: None }
    } else {
        Verdict::Fail(reason)
    }
}

pub(crate) fn parse_body(reply: &HttpReply) -> Option<Value> {
    serde_json::from_str(&reply.body).ok()
}

/// How a size limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Bytes,
    Chars,
}

impl Unit {
    pub(crate) fn len(self, s: &str) -> usize {
        match self {
            Unit::Bytes => s.len(),
            Unit::Chars => s.chars().count(),
        }
    }

    pub(crate) fn cut(self, s: &str, max: usize) -> String {
        match self {
            Unit::Bytes => truncate_bytes(s, max),
            Unit::Chars => truncate_chars(s, max),
        }
    }
}

/// Renders with the whole body; when the measured size is over `limit`,
/// cuts the body (the Markdown source, so markup stays balanced) and
/// renders again. The cut is proportional to the room the rest of the
/// message leaves, because conversion can grow text (escapes, tags); every
/// round cuts at least one unit, so the loop ends.
pub(crate) fn fit_body(
    body: &str,
    limit: usize,
    unit: Unit,
    mut render: impl FnMut(&str) -> Result<(Value, usize), ChannelError>,
) -> Result<Value, ChannelError> {
    let (value, size) = render(body)?;
    if size <= limit {
        return Ok(value);
    }
    let (empty, fixed) = render("")?;
    if fixed > limit {
        return Err(ChannelError::TooLarge(format!("{fixed} {unit:?} without any body; the limit is {limit}")));
    }
    if fixed == limit {
        return Ok(empty);
    }
    let room = limit - fixed;
    let mut current = body.to_string();
    let mut size = size;
    loop {
        let len = unit.len(&current);
        if len == 0 {
            return Ok(empty);
        }
        // What the body costs once rendered, scaled down to the room left.
        let rendered_body = size.saturating_sub(fixed).max(1);
        let target = ((len as u128 * room as u128) / rendered_body as u128) as usize;
        let target = target.min(len - 1);
        current = unit.cut(&current, target);
        let (value, new_size) = render(&current)?;
        if new_size <= limit {
            return Ok(value);
        }
        size = new_size;
    }
}

/// Tone → a colour name in the given palette (good, warning, danger, neutral).
pub(crate) fn tone_pick<T: Copy>(tone: Tone, palette: [T; 4]) -> T {
    match tone {
        Tone::Good => palette[0],
        Tone::Warning => palette[1],
        Tone::Danger => palette[2],
        Tone::Neutral => palette[3],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_body_shrinks_until_it_fits() {
        let body = "é".repeat(1000);
        let v = fit_body(&body, 500, Unit::Bytes, |b| {
            let s = format!("header {b}");
            Ok((Value::String(s.clone()), s.len()))
        })
        .unwrap();
        let s = v.as_str().unwrap();
        assert!(s.len() <= 500 && s.len() > 480, "{}", s.len());
        assert!(s.ends_with('…'));
    }

    #[test]
    fn fit_body_reports_when_even_an_empty_body_is_too_big() {
        let r = fit_body("abc", 3, Unit::Chars, |b| Ok((Value::Null, 10 + b.len())));
        assert!(matches!(r, Err(ChannelError::TooLarge(_))));
    }

    #[test]
    fn http_statuses() {
        let r = |status, retry_after| HttpReply { status, body: "x".into(), retry_after };
        assert_eq!(http_verdict(&r(200, None)), None);
        assert!(
            matches!(http_verdict(&r(429, Some(Duration::from_secs(3)))), Some(Verdict::Retry { retry_after: Some(d), .. }) if d == Duration::from_secs(3))
        );
        assert!(matches!(http_verdict(&r(503, None)), Some(Verdict::Retry { .. })));
        assert!(matches!(http_verdict(&r(400, None)), Some(Verdict::Fail(_))));
    }
}
