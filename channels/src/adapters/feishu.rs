//! Feishu / Lark custom bot: an interactive card (JSON 1.0), signed when
//! the robot has a secret (`timestamp` and `sign` in the body).
//!
//! Limits (custom-bot guide): 5 requests a second and 100 a minute per bot;
//! request body at most 20 KB (code 9499 beyond). Errors come back as a 200
//! with `code != 0`; 11232 is the frequency limit.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{
    code_verdict, destination_key, fit_body, http_verdict, parse_body, post_webhook, tone_pick, Adapter, Prepared,
    Unit, Verdict, Webhook,
};
use crate::card::Card;
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::sign::feishu_sign;
use crate::spec::{redact_target, ChannelKind, ChannelSpec};
use crate::text::{markdown_to_lark, truncate_chars};
use crate::transport::{HttpReply, Transport};
use crate::ChannelError;

/// 20 KB, counted in bytes of the serialised body.
pub const BODY_MAX_BYTES: usize = 20_000;
/// Room kept for the `timestamp` and `sign` fields added at send time.
const SIGNATURE_ROOM: usize = 100;
pub const RETRYABLE_CODES: &[i64] = &[11232];

pub struct Feishu {
    url: String,
    secret: Option<String>,
}

impl Feishu {
    pub fn new(spec: &ChannelSpec) -> Self {
        Self { url: spec.target.clone(), secret: spec.secret.clone() }
    }
}

#[async_trait]
impl Adapter for Feishu {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Feishu
    }

    fn display(&self) -> String {
        format!("feishu:{}", redact_target(ChannelKind::Feishu, &self.url))
    }

    fn destination_key(&self) -> String {
        destination_key(ChannelKind::Feishu, &self.url)
    }

    fn rates(&self) -> Vec<Rate> {
        // 5 a second: one now and one every 250 ms is at most 5 in any
        // second. 100 a minute: a burst of 5, then one every 632 ms, is at
        // most 99 in any minute. The second bucket sets the pace.
        vec![Rate::per(4, Duration::from_secs(1), 1), Rate::per(95, Duration::from_secs(60), 5)]
    }

    fn render(&self, card: &Card, t: &CardTemplates) -> Result<Value, ChannelError> {
        let fields: Vec<Value> = card
            .fields
            .iter()
            .map(|f| json!({"name": truncate_chars(&f.name, 64), "value": truncate_chars(&f.value, 512)}))
            .collect();
        let buttons: Vec<Value> = card
            .url_buttons()
            .take(5)
            .map(|(label, url)| json!({"label": truncate_chars(label, 40), "url": url}))
            .collect();
        let color = tone_pick(card.tone, ["green", "orange", "red", "blue"]);
        fit_body(&card.body, BODY_MAX_BYTES - SIGNATURE_ROOM, Unit::Bytes, |body| {
            let view = json!({
                "title": truncate_chars(&card.title, 100),
                "color": color,
                "fields": fields,
                "body": markdown_to_lark(body),
                "buttons": buttons,
                "footer": card.footer,
            });
            let v = t.render("feishu.interactive", &view)?;
            let size = serde_json::to_vec(&v).map(|b| b.len()).unwrap_or(usize::MAX);
            Ok((v, size))
        })
    }

    async fn attempt(&self, transport: &dyn Transport, body: &Value, now: SystemTime) -> Verdict {
        post_webhook(self, transport, body, now).await
    }
}

impl Webhook for Feishu {
    fn prepare(&self, body: &Value, now: SystemTime) -> Prepared {
        let mut body = body.clone();
        if let (Some(secret), Some(obj)) = (&self.secret, body.as_object_mut()) {
            let ts = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            obj.insert("timestamp".into(), Value::String(ts.to_string()));
            obj.insert("sign".into(), Value::String(feishu_sign(ts, secret)));
        }
        Prepared { url: self.url.clone(), body }
    }

    fn verdict(&self, reply: &HttpReply) -> Verdict {
        if let Some(v) = http_verdict(reply) {
            return v;
        }
        let Some(b) = parse_body(reply) else {
            return Verdict::Fail(format!("reply is not JSON: {}", truncate_chars(&reply.body, 200)));
        };
        // Older deployments answer {"StatusCode":0,"StatusMessage":"success"}.
        let code = b.get("code").or_else(|| b.get("StatusCode")).and_then(Value::as_i64);
        let msg = b.get("msg").or_else(|| b.get("StatusMessage")).and_then(Value::as_str).unwrap_or("");
        match code {
            Some(0) => Verdict::Delivered,
            Some(code) => code_verdict(code, msg, RETRYABLE_CODES),
            None => Verdict::Fail(format!("reply without code: {}", truncate_chars(&reply.body, 200))),
        }
    }
}
