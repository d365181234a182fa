//! A customer's "not helpful" on an answer, as the front ends carry it: a
//! message like any other (same chat, same limits, same ingress) with
//! `feedback` set and a fixed marker for its text, so nothing the customer
//! typed rides along. The application counts it against the strategy that
//! made the answer and acknowledges it.

use tradewind_ports::strategy::Feedback;
use tradewind_ports::AppError;

/// Inquiry ids are `inq-<hex time>-<hex>`; this bound leaves room for others.
pub const MAX_INQUIRY_ID: usize = 64;
const INQUIRY_PREFIX: &str = "inq-";

/// Refuses anything that cannot be one of our inquiry ids, before it
/// reaches a key or a log line.
pub fn check_inquiry_id(id: &str) -> Result<(), AppError> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    if !id.starts_with(INQUIRY_PREFIX) || id.len() <= INQUIRY_PREFIX.len() || id.len() > MAX_INQUIRY_ID {
        return Err(AppError::BadInput(format!(
            "feedback.inquiry_id must start with '{INQUIRY_PREFIX}' and be at most {MAX_INQUIRY_ID} characters"
        )));
    }
    if !id.bytes().all(plain) {
        return Err(AppError::BadInput("feedback.inquiry_id may hold only A-Z, a-z, 0-9 and '-'".into()));
    }
    Ok(())
}

/// The text of a feedback message: a fixed marker, not the customer's words.
pub fn marker(helpful: bool) -> &'static str {
    if helpful {
        "helpful"
    } else {
        "not helpful"
    }
}

/// The verdict on `inquiry_id`, once its id is checked.
pub fn verdict(inquiry_id: &str, helpful: bool) -> Result<Feedback, AppError> {
    check_inquiry_id(inquiry_id)?;
    Ok(Feedback { inquiry_id: inquiry_id.to_string(), helpful })
}

/// Whether a reply is mostly Chinese, for the button's label; the same
/// rule the customer-safe error messages use.
pub fn mostly_chinese(text: &str) -> bool {
    let han = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    han > 0 && han * 2 >= letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_inquiry_ids_are_taken() {
        assert!(check_inquiry_id("inq-18bcfe56800-0123456789ab").is_ok());
        let too_long = format!("inq-{}", "a".repeat(MAX_INQUIRY_ID));
        for bad in ["", "inq-", "abc-123", "inq-../x", "inq-a b", "inq-a_b", "inq-é", too_long.as_str()] {
            let e = check_inquiry_id(bad).expect_err(bad);
            assert_eq!(e.http_status(), 400, "{bad}");
            assert!(e.to_string().contains("inquiry_id"), "{bad}: {e}");
        }
    }

    #[test]
    fn chinese_replies_are_told_from_english_ones() {
        assert!(mostly_chinese("您好，我们可以提供300台逆变器。"));
        assert!(!mostly_chinese("Hello, we can supply 300 inverters."));
        assert!(!mostly_chinese(""));
    }
}
