//! DingTalk custom robot: `actionCard` (one button per link) when the card
//! has links, else `markdown`; signed when the robot has a `SEC…` secret
//! (`timestamp` and `sign` as query parameters).
//!
//! Limits: 20 messages a minute per robot, and a robot that exceeds it is
//! throttled for ten minutes (errcode 130101 "send too fast"; 410100 is
//! also seen). No message size is documented; we keep the text within
//! 20 000 bytes, like Feishu's documented body limit.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{
    code_verdict, destination_key, fit_body, http_verdict, parse_body, post_webhook, Adapter, Prepared, Unit, Verdict,
    Webhook,
};
use crate::card::Card;
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::sign::dingtalk_sign;
use crate::spec::{redact_target, CardFormat, ChannelKind, ChannelSpec};
use crate::text::truncate_chars;
use crate::transport::{HttpReply, Transport};
use crate::ChannelError;

pub const TEXT_MAX_BYTES: usize = 20_000;
/// -1 "system busy"; 130101 and 410100 "send too fast".
pub const RETRYABLE_CODES: &[i64] = &[-1, 130101, 410100];
const THROTTLE_CODES: &[i64] = &[130101, 410100];
/// After a throttle the robot stays blocked for minutes; asking again
/// sooner than this only extends the block.
const THROTTLE_PAUSE: Duration = Duration::from_secs(60);

pub struct DingTalk {
    url: String,
    secret: Option<String>,
    format: CardFormat,
}

impl DingTalk {
    pub fn new(spec: &ChannelSpec) -> Self {
        Self { url: spec.target.clone(), secret: spec.secret.clone(), format: spec.format }
    }
}

#[async_trait]
impl Adapter for DingTalk {
    fn kind(&self) -> ChannelKind {
        ChannelKind::DingTalk
    }

    fn display(&self) -> String {
        format!("dingtalk:{}", redact_target(ChannelKind::DingTalk, &self.url))
    }

    fn destination_key(&self) -> String {
        destination_key(ChannelKind::DingTalk, &self.url)
    }

    fn rates(&self) -> Vec<Rate> {
        // Same budget as WeCom: at most 19 in any minute, because the
        // penalty for a 21st is ten minutes of silence.
        vec![Rate::per(15, Duration::from_secs(60), 4)]
    }

    fn render(&self, card: &Card, t: &CardTemplates) -> Result<Value, ChannelError> {
        let links: Vec<Value> = card
            .url_buttons()
            .take(5)
            .map(|(label, url)| json!({"label": truncate_chars(label, 40), "url": url}))
            .collect();
        let template = match (self.format, links.is_empty()) {
            (CardFormat::Markdown, _) | (_, true) => "dingtalk.markdown",
            (CardFormat::Card | CardFormat::Auto, false) => "dingtalk.action_card",
        };
        let fields: Vec<Value> = card
            .fields
            .iter()
            .map(|f| json!({"name": truncate_chars(&f.name, 64), "value": truncate_chars(&f.value, 512)}))
            .collect();
        let text_pointer = if template == "dingtalk.markdown" { "/markdown/text" } else { "/actionCard/text" };
        fit_body(&card.body, TEXT_MAX_BYTES, Unit::Bytes, |body| {
            let view = json!({
                "title": truncate_chars(&card.title, 64),
                "headline": card.headline,
                "headline_label": card.headline_label,
                "fields": fields,
                "body": body,
                "links": links,
                "footer": card.footer,
            });
            let v = t.render(template, &view)?;
            let size = v.pointer(text_pointer).and_then(Value::as_str).map_or(0, str::len);
            Ok((v, size))
        })
    }

    async fn attempt(&self, transport: &dyn Transport, body: &Value, now: SystemTime) -> Verdict {
        post_webhook(self, transport, body, now).await
    }
}

impl Webhook for DingTalk {
    fn prepare(&self, body: &Value, now: SystemTime) -> Prepared {
        let url = match &self.secret {
            Some(secret) => {
                let ts = now.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
                let sep = if self.url.contains('?') { '&' } else { '?' };
                format!("{}{sep}timestamp={ts}&sign={}", self.url, dingtalk_sign(ts, secret))
            }
            None => self.url.clone(),
        };
        Prepared { url, body: body.clone() }
    }

    fn verdict(&self, reply: &HttpReply) -> Verdict {
        if let Some(v) = http_verdict(reply) {
            return v;
        }
        let Some(b) = parse_body(reply) else {
            return Verdict::Fail(format!("reply is not JSON: {}", truncate_chars(&reply.body, 200)));
        };
        match b.get("errcode").and_then(Value::as_i64) {
            Some(0) => Verdict::Delivered,
            Some(code) => {
                let v = code_verdict(code, b.get("errmsg").and_then(Value::as_str).unwrap_or(""), RETRYABLE_CODES);
                match v {
                    Verdict::Retry { reason, .. } if THROTTLE_CODES.contains(&code) => {
                        Verdict::Retry { reason, retry_after: Some(THROTTLE_PAUSE) }
                    }
                    other => other,
                }
            }
            None => Verdict::Fail(format!("reply without errcode: {}", truncate_chars(&reply.body, 200))),
        }
    }
}
