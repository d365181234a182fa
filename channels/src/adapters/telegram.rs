//! Telegram Bot API `sendMessage` to a chat, in HTML parse mode, with an
//! inline keyboard: link buttons and callback buttons (e.g. "Acknowledge").
//! Sent with teloxide, the client the Telegram front end uses too.
//!
//! Limits (Bot FAQ): about one message a second per chat, at most 20 a
//! minute to one group or channel; 429 answers carry
//! `parameters.retry_after`. Text at most 4096 characters after entity
//! parsing (we count the HTML source, which is never shorter);
//! `callback_data` 1–64 bytes.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};
use teloxide::ApiError;

use super::{destination_key, fit_body, tone_pick, Adapter, Unit, Verdict};
use crate::card::{ButtonAction, Card, MAX_CALLBACK_BYTES};
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::spec::{ChannelKind, ChannelSpec, TelegramBot};
use crate::text::{escape_within, html_escape, markdown_to_telegram_html, truncate_chars};
use crate::transport::{describe, TelegramError, Transport};
use crate::ChannelError;

pub const TEXT_MAX_CHARS: usize = 4096;
const BUTTONS_PER_ROW: usize = 2;

pub struct Telegram {
    chat_id: String,
    /// `None` only for a spec built by hand without one; `parse` insists.
    bot: Option<TelegramBot>,
}

impl Telegram {
    pub fn new(spec: &ChannelSpec) -> Self {
        Self { chat_id: spec.target.clone(), bot: spec.telegram.clone() }
    }

    /// Groups and channels have negative ids or @names; they get the
    /// stricter per-minute limit.
    fn is_group(&self) -> bool {
        self.chat_id.starts_with('-') || self.chat_id.starts_with('@')
    }
}

#[async_trait]
impl Adapter for Telegram {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Telegram
    }

    fn display(&self) -> String {
        format!("telegram:{}", self.chat_id)
    }

    fn destination_key(&self) -> String {
        let (api_base, token) = match &self.bot {
            Some(bot) => (bot.api_base.as_str(), bot.token.as_str()),
            None => (teloxide::net::TELEGRAM_API_URL, ""),
        };
        destination_key(ChannelKind::Telegram, &format!("{api_base}|{token}|{}", self.chat_id))
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

    async fn attempt(&self, transport: &dyn Transport, body: &Value, _now: SystemTime) -> Verdict {
        match &self.bot {
            Some(bot) => verdict(transport.send_telegram(bot, body).await, &bot.token),
            None => Verdict::Fail("no Telegram bot configured (TELEGRAM_BOT_TOKEN)".into()),
        }
    }
}

/// Reads teloxide's outcome. teloxide keeps the Bot API's description and
/// `retry_after` but not the HTTP status or `error_code`, so server
/// trouble is recognised by its description.
fn verdict(outcome: Result<(), TelegramError>, token: &str) -> Verdict {
    let error = match outcome {
        Ok(()) => return Verdict::Delivered,
        Err(e) => e,
    };
    let retry = |reason: String| Verdict::Retry { reason, retry_after: None };
    match error {
        TelegramError::RetryAfter(after) => Verdict::Retry {
            reason: format!("Too Many Requests: retry after {}", after.seconds()),
            retry_after: Some(after.duration()),
        },
        TelegramError::MigrateToChatId(to) => {
            Verdict::Fail(format!("the group is now the supergroup {to}; send to telegram:{to} instead"))
        }
        TelegramError::Api(ApiError::Unknown(description)) => {
            let reason = truncate_chars(&description, 300);
            if server_trouble(&description) {
                retry(reason)
            } else {
                Verdict::Fail(reason)
            }
        }
        TelegramError::Api(known) => Verdict::Fail(known.to_string()),
        // Refused, reset, timed out: the request never got an answer.
        TelegramError::Network(_) | TelegramError::Io(_) => retry(scrub(&describe(&error), token)),
        // Not the Bot API speaking: an error page of a proxy or gateway in
        // front of it (whose status teloxide does not pass on), more often
        // passing than not.
        TelegramError::InvalidJson { raw, .. } => {
            retry(format!("not a Bot API answer: {}", truncate_chars(scrub(raw.trim(), token).as_str(), 200)))
        }
    }
}

/// The descriptions the Bot API gives with 429 and 5xx answers.
fn server_trouble(description: &str) -> bool {
    let d = description.trim_start().to_ascii_lowercase();
    ["too many requests", "internal server error", "bad gateway", "service unavailable", "gateway timeout"]
        .iter()
        .any(|p| d.starts_with(p))
}

/// teloxide's network errors name the request URL, which holds the bot
/// token.
fn scrub(text: &str, token: &str) -> String {
    if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, "<token>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use teloxide::types::{ChatId, Seconds};

    fn read(e: TelegramError) -> Verdict {
        verdict(Err(e), "123:SECRET")
    }

    #[test]
    fn bot_api_answers() {
        assert_eq!(verdict(Ok(()), "t"), Verdict::Delivered);
        assert_eq!(
            read(TelegramError::RetryAfter(Seconds::from_seconds(7))),
            Verdict::Retry {
                reason: "Too Many Requests: retry after 7".into(),
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            read(TelegramError::Api(ApiError::ChatNotFound)),
            Verdict::Fail("Bad Request: chat not found".into())
        );
        assert!(matches!(
            read(TelegramError::Api(ApiError::Unknown("Bad Request: can't parse entities".into()))),
            Verdict::Fail(r) if r == "Bad Request: can't parse entities"
        ));
        assert!(
            matches!(read(TelegramError::MigrateToChatId(ChatId(-1_004_242))), Verdict::Fail(r) if r.contains("telegram:-1004242"))
        );
    }

    #[test]
    fn server_trouble_and_foreign_answers_are_retried() {
        for d in ["Internal Server Error", "Bad Gateway", "Too Many Requests: retry later", "Gateway Timeout"] {
            assert!(matches!(read(TelegramError::Api(ApiError::Unknown(d.into()))), Verdict::Retry { .. }), "{d}");
        }
        let raw = "<html>502 Bad Gateway for /bot123:SECRET/sendMessage</html>";
        let source = Arc::new(serde_json::from_str::<Value>(raw).unwrap_err());
        match read(TelegramError::InvalidJson { source, raw: raw.into() }) {
            Verdict::Retry { reason, retry_after: None } => {
                assert!(reason.starts_with("not a Bot API answer: <html>502"), "{reason}");
                assert!(!reason.contains("SECRET"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_token_never_reaches_a_reason() {
        assert_eq!(
            scrub("for url (https://api.telegram.org/bot1:T/sendMessage)", "1:T"),
            "for url (https://api.telegram.org/bot<token>/sendMessage)"
        );
        assert_eq!(scrub("unchanged", ""), "unchanged");
    }
}
