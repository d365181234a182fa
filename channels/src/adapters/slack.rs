//! Slack incoming webhook with Block Kit: header, fields, the body as
//! mrkdwn sections, link buttons, a context footer, and `text` as the
//! notification fallback. No signing: the URL is the secret.
//!
//! Limits: about one message a second; at most 50 blocks; header
//! plain_text 150 characters; section text 3000; at most 10 fields of 2000;
//! at most 25 elements in an actions block, button text 75, URL 3000.
//! A long body is split over several sections rather than cut.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

use super::{destination_key, post_webhook, Adapter, Prepared, Verdict, Webhook};
use crate::card::{Card, Tone};
use crate::limit::Rate;
use crate::render::CardTemplates;
use crate::spec::{redact_target, ChannelKind, ChannelSpec};
use crate::text::{escape_within, markdown_to_slack, slack_escape, truncate_chars, ELLIPSIS};
use crate::transport::Transport;
use crate::ChannelError;

pub const MAX_BLOCKS: usize = 50;
pub const HEADER_MAX_CHARS: usize = 150;
pub const SECTION_MAX_CHARS: usize = 3000;
pub const MAX_FIELDS: usize = 10;
pub const FIELD_MAX_CHARS: usize = 2000;
pub const MAX_BUTTONS: usize = 25;
pub const BUTTON_TEXT_MAX_CHARS: usize = 75;
pub const URL_MAX_CHARS: usize = 3000;

pub struct Slack {
    url: String,
}

impl Slack {
    pub fn new(spec: &ChannelSpec) -> Self {
        Self { url: spec.target.clone() }
    }
}

const FENCE: &str = "```";

/// Splits mrkdwn into pieces of at most `max` characters on line
/// boundaries. A piece that ends inside a code block closes it and the
/// next one reopens it, so every section renders on its own.
pub fn chunk_mrkdwn(text: &str, max: usize) -> Vec<String> {
    let reserve = 2 * (FENCE.len() + 1);
    let budget = max.saturating_sub(reserve).max(1);
    let mut chunks = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    let mut in_fence = false;
    let push_line = |line: &str, chunks: &mut Vec<String>, cur: &mut String, cur_len: &mut usize, in_fence: bool| {
        let n = line.chars().count() + usize::from(*cur_len > 0);
        if *cur_len > 0 && *cur_len + n > budget {
            if in_fence {
                cur.push('\n');
                cur.push_str(FENCE);
            }
            chunks.push(std::mem::take(cur));
            *cur_len = 0;
            if in_fence {
                cur.push_str(FENCE);
                *cur_len = FENCE.len();
            }
        }
        if *cur_len > 0 {
            cur.push('\n');
            *cur_len += 1;
        }
        cur.push_str(line);
        *cur_len += line.chars().count();
    };
    for line in text.lines() {
        // A single line longer than a whole piece is split by characters.
        let chars: Vec<char> = line.chars().collect();
        if chars.len() > budget {
            for part in chars.chunks(budget) {
                let part: String = part.iter().collect();
                push_line(&part, &mut chunks, &mut cur, &mut cur_len, in_fence);
            }
        } else {
            push_line(line, &mut chunks, &mut cur, &mut cur_len, in_fence);
        }
        if line.trim() == FENCE {
            in_fence = !in_fence;
        }
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    chunks
}

#[async_trait]
impl Adapter for Slack {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Slack
    }

    fn display(&self) -> String {
        format!("slack:{}", redact_target(ChannelKind::Slack, &self.url))
    }

    fn destination_key(&self) -> String {
        destination_key(ChannelKind::Slack, &self.url)
    }

    fn rates(&self) -> Vec<Rate> {
        vec![Rate::per(1, Duration::from_secs(1), 1)]
    }

    fn render(&self, card: &Card, t: &CardTemplates) -> Result<Value, ChannelError> {
        let fields: Vec<Value> = card
            .fields
            .iter()
            .take(MAX_FIELDS)
            .map(|f| {
                // "*name*\nvalue": the name gets a small share, the value the rest.
                let name = escape_within(&f.name, 100, slack_escape);
                let room = FIELD_MAX_CHARS - name.chars().count() - 3;
                json!({"name": name, "value": escape_within(&f.value, room, slack_escape)})
            })
            .collect();
        let buttons: Vec<Value> = card
            .url_buttons()
            .filter(|(_, url)| url.chars().count() <= URL_MAX_CHARS)
            .take(MAX_BUTTONS)
            .enumerate()
            .map(|(i, (label, url))| {
                let style = match (i, card.tone) {
                    (0, Tone::Danger) => Some("danger"),
                    (0, _) => Some("primary"),
                    _ => None,
                };
                json!({"label": truncate_chars(label, BUTTON_TEXT_MAX_CHARS), "url": url, "style": style})
            })
            .collect();
        let fixed_blocks = 2 /* header, divider */
            + usize::from(!fields.is_empty())
            + usize::from(!buttons.is_empty())
            + usize::from(card.footer.is_some());
        let room = MAX_BLOCKS - fixed_blocks;
        let mut chunks = chunk_mrkdwn(&markdown_to_slack(&card.body), SECTION_MAX_CHARS);
        if chunks.len() > room {
            chunks.truncate(room);
            if let Some(last) = chunks.last_mut() {
                let mut cut = truncate_chars(last, SECTION_MAX_CHARS - 1);
                if !cut.ends_with(ELLIPSIS) {
                    cut.push_str(ELLIPSIS);
                }
                *last = cut;
            }
        }
        let fallback = match &card.headline {
            Some(h) => format!("{} ({h})", card.title),
            None => card.title.clone(),
        };
        let view = json!({
            "fallback": escape_within(&fallback, SECTION_MAX_CHARS, slack_escape),
            "title": truncate_chars(&card.title, HEADER_MAX_CHARS),
            "fields": fields,
            "chunks": chunks,
            "buttons": buttons,
            "footer": card.footer.as_deref().map(|f| escape_within(f, SECTION_MAX_CHARS, slack_escape)),
        });
        t.render("slack.blocks", &view)
    }

    async fn attempt(&self, transport: &dyn Transport, body: &Value, now: SystemTime) -> Verdict {
        post_webhook(self, transport, body, now).await
    }
}

impl Webhook for Slack {
    fn prepare(&self, body: &Value, _now: SystemTime) -> Prepared {
        Prepared { url: self.url.clone(), body: body.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_the_limit_and_reopen_code_blocks() {
        let mut text = String::from("intro\n```\n");
        for i in 0..200 {
            text.push_str(&format!("| row {i} | {} |\n", "x".repeat(30)));
        }
        text.push_str("```\nafter");
        let chunks = chunk_mrkdwn(&text, 1000);
        assert!(chunks.len() > 5);
        for c in &chunks {
            assert!(c.chars().count() <= 1000, "{}", c.chars().count());
            assert_eq!(c.matches(FENCE).count() % 2, 0, "unbalanced fence in {c}");
        }
        let long = "y".repeat(2500);
        let chunks = chunk_mrkdwn(&long, 1000);
        assert!(chunks.iter().all(|c| c.chars().count() <= 1000));
        assert_eq!(chunks.concat(), long);
    }
}
