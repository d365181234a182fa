//! WeCom (企业微信) group robot: `markdown`, or `template_card` of type
//! `text_notice` when the card has a link to open. No signing: the key in
//! the URL is the secret.
//!
//! Limits (doc 91770): 20 messages a minute per robot; markdown content at
//! most 4096 bytes; template_card texts have suggested lengths (source 13,
//! main title 26, its desc 30, emphasis 10/15, sub title 112, key names 5),
//! at most 6 horizontal items and 3 jump links.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

use super::{
    code_verdict, destination_key, fit_body, http_verdict, parse_body, post_webhook, tone_pick, Adapter, Prepared,
    Unit, Verdict, Webhook,
};
use crate::card::Card;
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::spec::{redact_target, CardFormat, ChannelKind, ChannelSpec};
use crate::text::{markdown_to_plain, truncate_chars};
use crate::transport::{HttpReply, Transport};
use crate::ChannelError;

pub const MARKDOWN_MAX_BYTES: usize = 4096;
/// In-body codes worth retrying: -1 "system busy", 45009 "api freq out of limit".
pub const RETRYABLE_CODES: &[i64] = &[-1, 45009];

pub struct WeCom {
    url: String,
    format: CardFormat,
}

impl WeCom {
    pub fn new(spec: &ChannelSpec) -> Self {
        Self { url: spec.target.clone(), format: spec.format }
    }

    fn markdown(&self, card: &Card, t: &CardTemplates) -> Result<Value, ChannelError> {
        let links: Vec<Value> = card.url_buttons().map(|(label, url)| json!({"label": label, "url": url})).collect();
        let fields: Vec<Value> = card
            .fields
            .iter()
            .map(|f| json!({"name": truncate_chars(&f.name, 32), "value": truncate_chars(&f.value, 256)}))
            .collect();
        let color = tone_pick(card.tone, ["info", "warning", "warning", "comment"]);
        fit_body(&card.body, MARKDOWN_MAX_BYTES, Unit::Bytes, |body| {
            let view = json!({
                "title": truncate_chars(&card.title, 128),
                "headline": card.headline,
                "color": color,
                "fields": fields,
                "body": body,
                "links": links,
                "footer": card.footer,
            });
            let v = t.render("wecom.markdown", &view)?;
            let size = v.pointer("/markdown/content").and_then(Value::as_str).map_or(0, str::len);
            Ok((v, size))
        })
    }

    fn template_card(&self, card: &Card, t: &CardTemplates, action_url: &str) -> Result<Value, ChannelError> {
        let emphasis = card.headline.as_ref().map(|h| {
            json!({"title": truncate_chars(h, 10), "desc": truncate_chars(card.headline_label.as_deref().unwrap_or(""), 15)})
        });
        // The inquiry id is already the main title's desc; the rest get the
        // six slots, under their short names.
        let fields: Vec<Value> = card
            .fields
            .iter()
            .filter(|f| f.value != card.inquiry_id)
            .take(6)
            .map(|f| json!({"name": truncate_chars(&f.short, 5), "value": truncate_chars(&f.value, 30)}))
            .collect();
        let links: Vec<Value> = card
            .url_buttons()
            .take(3)
            .map(|(label, url)| json!({"label": truncate_chars(label, 13), "url": url}))
            .collect();
        let view = json!({
            "source": "Tradewind",
            "desc_color": tone_pick(card.tone, [3, 2, 2, 0]),
            "title": truncate_chars(&card.title, 26),
            "desc": truncate_chars(&card.inquiry_id, 30),
            "emphasis": emphasis,
            "sub_title": truncate_chars(&markdown_to_plain(&card.body), 112),
            "fields": fields,
            "links": links,
            "action_url": action_url,
        });
        t.render("wecom.template_card", &view)
    }
}

#[async_trait]
impl Adapter for WeCom {
    fn kind(&self) -> ChannelKind {
        ChannelKind::WeCom
    }

    fn display(&self) -> String {
        format!("wecom:{}", redact_target(ChannelKind::WeCom, &self.url))
    }

    fn destination_key(&self) -> String {
        destination_key(ChannelKind::WeCom, &self.url)
    }

    fn rates(&self) -> Vec<Rate> {
        // 20 a minute per robot: a burst of 4, then one every 4 s, is at
        // most 19 in any minute.
        vec![Rate::per(15, Duration::from_secs(60), 4)]
    }

    fn render(&self, card: &Card, t: &CardTemplates) -> Result<Value, ChannelError> {
        match (self.format, card.primary_url()) {
            (CardFormat::Markdown, _) | (_, None) => self.markdown(card, t),
            (CardFormat::Card | CardFormat::Auto, Some(url)) => self.template_card(card, t, url),
        }
    }

    async fn attempt(&self, transport: &dyn Transport, body: &Value, now: SystemTime) -> Verdict {
        post_webhook(self, transport, body, now).await
    }
}

impl Webhook for WeCom {
    fn prepare(&self, body: &Value, _now: SystemTime) -> Prepared {
        Prepared { url: self.url.clone(), body: body.clone() }
    }

    fn verdict(&self, reply: &HttpReply) -> Verdict {
        if let Some(v) = http_verdict(reply) {
            return v;
        }
        match parse_body(reply) {
            Some(b) => match b.get("errcode").and_then(Value::as_i64) {
                Some(0) => Verdict::Delivered,
                Some(code) => {
                    code_verdict(code, b.get("errmsg").and_then(Value::as_str).unwrap_or(""), RETRYABLE_CODES)
                }
                None => Verdict::Fail(format!("reply without errcode: {}", truncate_chars(&reply.body, 200))),
            },
            None => Verdict::Fail(format!("reply is not JSON: {}", truncate_chars(&reply.body, 200))),
        }
    }
}
