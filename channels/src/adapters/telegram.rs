//! Telegram Bot API `sendMessage` to a chat, in HTML parse mode, with an
//! inline keyboard: link buttons and callback buttons (e.g. "Acknowledge").
//!
//! Limits (Bot FAQ): about one message a second per chat, at most 20 a
//! minute to one group or channel; 429 answers carry
//! `parameters.retry_after`. Text at most 4096 characters after entity
//! parsing (we count the HTML source, which is never shorter);
//! `callback_data` 1–64 bytes.

use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

use super::{destination_key, fit_body, http_verdict, parse_body, tone_pick, Adapter, Prepared, Unit, Verdict};
use crate::card::{ButtonAction, Card, MAX_CALLBACK_BYTES};
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::spec::{ChannelKind, ChannelSpec};
use crate::text::{escape_within, html_escape, markdown_to_telegram_html, truncate_chars};
use crate::transport::HttpReply;
use crate::ChannelError;

pub const TEXT_MAX_CHARS: usize = 4096;
const BUTTONS_PER_ROW: usize = 2;

pub struct Telegram {
    chat_id: String,
    api_base: String,
    token: String,
}

impl Telegram {
    pub fn new(spec: &ChannelSpec) -> Self {
        let (api_base, token) = match &spec.telegram {
            Some(bot) => (bot.api_base.clone(), bot.token.clone()),
            None => ("https://api.telegram.org".to_string(), String::new()),
        };
        Self { chat_id: spec.target.clone(), api_base, token }
    }

    /// Groups and channels have negative ids or @names; they get the
    /// stricter per-minute limit.
    fn is_group(&self) -> bool {
        self.chat_id.starts_with('-') || self.chat_id.starts_with('@')
    }
}

impl Adapter for Telegram {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Telegram
    }

    fn display(&self) -> String {
        format!("telegram:{}", self.chat_id)
    }

    fn destination_key(&self) -> String {
        destination_key(ChannelKind::Telegram, &format!("{}|{}|{}", self.api_base, self.token, self.chat_id))
    }

    fn rates(&self) -> Vec<Rate> {
        let per_chat = Rate::per(1, Duration::from_secs(1), 1);
        if self.is_group() {
            // 20 a minute to a group: a burst of 3, then one every 3.5 s, is
            // at most 20 in any minute.
            vec![per_chat, Rate::per(17, Duration::from_secs(60), 3)]
        } else {
            vec![per_chat]
        }
    }

    fn render(&self, card: &Card, t: &CardTemplates) -> Result<Value, ChannelError> {
        let chat_id = match self.chat_id.parse::<i64>() {
            Ok(n) => json!(n),
            Err(_) => json!(self.chat_id),
        };
        let buttons: Vec<Value> = card
            .buttons
            .iter()
            .filter_map(|b| {
                let label = truncate_chars(&b.label, 64);
                match &b.action {
                    ButtonAction::Url(u) => Some(json!({"label": label, "url": u})),
                    ButtonAction::Callback(c) if !c.is_empty() && c.len() <= MAX_CALLBACK_BYTES => {
                        Some(json!({"label": label, "callback": c}))
                    }
                    ButtonAction::Callback(_) => None,
                }
            })
            .collect();
        let rows: Vec<Value> = buttons.chunks(BUTTONS_PER_ROW).map(|r| Value::Array(r.to_vec())).collect();
        let fields: Vec<Value> = card
            .fields
            .iter()
            .map(|f| json!({"name": escape_within(&f.name, 64, html_escape), "value": escape_within(&f.value, 512, html_escape)}))
            .collect();
        let mark = tone_pick(card.tone, ["🟢", "🟠", "🔴", ""]);
        fit_body(&card.body, TEXT_MAX_CHARS, Unit::Chars, |body| {
            let view = json!({
                "chat_id": chat_id,
                "mark": mark,
                "title": escape_within(&card.title, 256, html_escape),
                "headline": card.headline.as_deref().map(|h| escape_within(h, 64, html_escape)),
                "fields": fields,
                "body": markdown_to_telegram_html(body),
                "footer": card.footer.as_deref().map(|f| escape_within(f, 256, html_escape)),
                "rows": rows,
            });
            let v = t.render("telegram.message", &view)?;
            let size = v.get("text").and_then(Value::as_str).map_or(0, |s| s.chars().count());
            Ok((v, size))
        })
    }

    fn prepare(&self, body: &Value, _now: SystemTime) -> Prepared {
        Prepared { url: format!("{}/bot{}/sendMessage", self.api_base, self.token), body: body.clone() }
    }

    fn verdict(&self, reply: &HttpReply) -> Verdict {
        let Some(b) = parse_body(reply) else {
            return http_verdict(reply)
                .unwrap_or_else(|| Verdict::Fail(format!("reply is not JSON: {}", truncate_chars(&reply.body, 200))));
        };
        if b.get("ok").and_then(Value::as_bool) == Some(true) {
            return Verdict::Delivered;
        }
        let code = b.get("error_code").and_then(Value::as_i64).unwrap_or(i64::from(reply.status));
        let description = b.get("description").and_then(Value::as_str).unwrap_or("");
        let reason = format!("error {code}: {}", truncate_chars(description, 300));
        let retry_after =
            b.pointer("/parameters/retry_after").and_then(Value::as_u64).map(Duration::from_secs).or(reply.retry_after);
        if code == 429 || code >= 500 {
            Verdict::Retry { reason, retry_after }
        } else {
            Verdict::Fail(reason)
        }
    }
}
