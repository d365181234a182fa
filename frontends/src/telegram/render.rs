//! Shaping replies for Telegram's limits: message text is capped at 4096
//! characters, callback data at 64 bytes, and long button labels are cut
//! off by clients anyway. Buttons: the FAQ quick replies, and "not helpful"
//! under an answer.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use tradewind_ports::ingress::QuickReply;

/// Below Telegram's 4096 so that counting in chars (Telegram counts UTF-16
/// units after entity parsing) can never overshoot on astral characters.
pub const MAX_TEXT_CHARS: usize = 2048;
const MAX_CALLBACK_BYTES: usize = 64;
const MAX_LABEL_CHARS: usize = 60;
const CALLBACK_PREFIX: &str = "faq:";
/// Callback data of the "not helpful" button: this, then the inquiry id.
pub const FEEDBACK_PREFIX: &str = "fb:";

/// Splits `text` into messages of at most `max` chars, at a paragraph or
/// line break or a space when there is one in the second half of a chunk.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if rest.chars().count() <= max {
            out.push(rest.to_string());
            break;
        }
        // Byte offset of the char at index `max`: the hard cut.
        let hard = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let window = &rest[..hard];
        let half = window.char_indices().nth(max / 2).map_or(0, |(i, _)| i);
        let cut = ["\n\n", "\n", " "]
            .iter()
            .find_map(|sep| window.rfind(sep).filter(|&i| i >= half).map(|i| i + sep.len()))
            .unwrap_or(hard);
        out.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    out
}

/// The callback data that stands for a card: its id behind a prefix,
/// cut to Telegram's limit on a char boundary.
pub fn callback_data(card_id: &str) -> String {
    let mut s = format!("{CALLBACK_PREFIX}{card_id}");
    if s.len() > MAX_CALLBACK_BYTES {
        let mut end = MAX_CALLBACK_BYTES;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

pub fn label(question: &str) -> String {
    let q = question.trim();
    if q.chars().count() <= MAX_LABEL_CHARS {
        return q.to_string();
    }
    let mut s: String = q.chars().take(MAX_LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

/// The "not helpful" button for the answer to `inquiry_id`, labelled in the
/// answer's language; none when the id would not fit the callback data
/// whole (a cut id would count against the wrong inquiry).
pub fn feedback_button(inquiry_id: &str, reply_text: &str) -> Option<InlineKeyboardButton> {
    let data = format!("{FEEDBACK_PREFIX}{inquiry_id}");
    if data.len() > MAX_CALLBACK_BYTES {
        return None;
    }
    let text = if crate::feedback::mostly_chinese(reply_text) { "👎 没有帮助" } else { "👎 Not helpful" };
    Some(InlineKeyboardButton::callback(text, data))
}

/// One button per row: FAQ questions are sentences, too long to share a
/// row. The feedback button, if any, comes last.
pub fn keyboard(quick: &[QuickReply], feedback: Option<InlineKeyboardButton>) -> Option<InlineKeyboardMarkup> {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = quick
        .iter()
        .map(|q| vec![InlineKeyboardButton::callback(label(&q.label), callback_data(&q.card_id))])
        .collect();
    rows.extend(feedback.map(|b| vec![b]));
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_split_at_breaks_within_the_limit() {
        let para = "word ".repeat(30);
        let text = format!("{para}\n\n{para}\n\n{para}");
        let parts = split_text(&text, 200);
        assert!(parts.len() >= 2, "{parts:?}");
        assert!(parts.iter().all(|p| p.chars().count() <= 200 && !p.is_empty()));
        assert_eq!(parts.join(" ").split_whitespace().count(), 90);
        let cjk = "电池".repeat(3000);
        let parts = split_text(&cjk, MAX_TEXT_CHARS);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_TEXT_CHARS));
        assert_eq!(parts.concat(), cjk);
        assert!(split_text("  \n ", 10).is_empty());
    }

    #[test]
    fn callback_data_fits_telegram_limit_on_a_char_boundary() {
        assert_eq!(callback_data("faq-moq"), "faq:faq-moq");
        let long = callback_data(&"卡".repeat(40));
        assert!(long.len() <= 64 && long.starts_with("faq:"));
    }

    #[test]
    fn keyboard_has_one_button_per_quick_reply_then_the_feedback_button() {
        let q = |id: &str| QuickReply { label: "What is the MOQ?".into(), card_id: id.into(), answer: "50".into() };
        let kb = keyboard(&[q("a"), q("b")], None).unwrap();
        assert_eq!(kb.inline_keyboard.len(), 2);
        assert!(keyboard(&[], None).is_none());
        assert_eq!(label(&"x".repeat(100)).chars().count(), 60);
        let kb = keyboard(&[q("a")], feedback_button("inq-1", "Here is your quote.")).unwrap();
        let last = &kb.inline_keyboard[1][0];
        assert_eq!(last.text, "👎 Not helpful");
        assert!(matches!(&last.kind, teloxide::types::InlineKeyboardButtonKind::CallbackData(d) if d == "fb:inq-1"));
        assert_eq!(
            keyboard(&[], feedback_button("inq-1", "您好，这是报价。")).unwrap().inline_keyboard[0][0].text,
            "👎 没有帮助"
        );
    }

    #[test]
    fn an_inquiry_id_that_would_not_fit_the_callback_data_gets_no_button() {
        assert!(feedback_button(&format!("inq-{}", "a".repeat(57)), "x").is_some());
        assert!(feedback_button(&format!("inq-{}", "a".repeat(58)), "x").is_none());
    }
}
