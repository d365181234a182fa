//! Property tests of the Markdown dialect converters, which carry model- and
//! customer-written text into chat platforms: any input converts without a
//! panic, escapes leave no raw markup, and the length cuts hold.

use proptest::prelude::*;
use tradewind_channels::text::{
    escape_within, html_escape, markdown_to_lark, markdown_to_plain, markdown_to_slack, markdown_to_telegram_html,
    markdown_v2_escape, slack_escape, truncate_bytes, truncate_chars,
};

/// Markdown-ish text: markup characters, CJK, emoji, and anything else.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("**".to_string()),
        Just("_".to_string()),
        Just("`".to_string()),
        Just("```\n".to_string()),
        Just("# ".to_string()),
        Just("- ".to_string()),
        Just("> ".to_string()),
        Just("[a](http://x.y/<z>)".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        Just("<b>&amp;".to_string()),
        Just("\n".to_string()),
        Just("电池包 🔋".to_string()),
        "\\PC{0,16}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_dialect_converts_any_markdown(md in markdownish()) {
        let _ = markdown_to_telegram_html(&md);
        let _ = markdown_to_slack(&md);
        let _ = markdown_to_lark(&md);
        let _ = markdown_to_plain(&md);
    }

    #[test]
    fn escapes_leave_no_raw_markup(s in markdownish()) {
        let h = html_escape(&s);
        prop_assert!(!h.contains('<') && !h.contains('>'), "{h}");
        let sl = slack_escape(&s);
        prop_assert!(!sl.contains('<') && !sl.contains('>'), "{sl}");
        let _ = markdown_v2_escape(&s);
    }

    #[test]
    fn cuts_hold_their_limits(s in markdownish(), max in 0usize..200) {
        prop_assert!(truncate_chars(&s, max).chars().count() <= max);
        let b = truncate_bytes(&s, max);
        prop_assert!(b.len() <= max, "{} > {max}", b.len());
        prop_assert!(escape_within(&s, max, html_escape).chars().count() <= max);
    }
}
