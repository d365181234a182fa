//! Text helpers shared by the adapters: truncation that never splits a
//! character, escaping for each markup, and the small Markdown subset our
//! documents use translated into each channel's dialect.
//!
//! Truncation works on the Markdown *source* before conversion, so a cut can
//! never leave half an HTML tag or an unbalanced Slack link behind: the
//! converters only ever emit complete pairs.

/// Appended where text was cut, so readers know there is more.
pub const ELLIPSIS: &str = "…";

/// At most `max` characters, the last of them "…" when anything was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push_str(ELLIPSIS);
    out
}

/// At most `max` UTF-8 bytes, ending in "…" when anything was cut (and the
/// marker fits). The cut lands on a character boundary.
pub fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let (budget, marker) = if max >= ELLIPSIS.len() { (max - ELLIPSIS.len(), ELLIPSIS) } else { (max, "") };
    let mut end = budget;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{marker}", &s[..end])
}

/// `escape(s)` cut to at most `max` characters: the *source* is cut (with
/// "…") until its escaped form fits, so no entity is ever split.
pub fn escape_within(s: &str, max: usize, escape: impl Fn(&str) -> String) -> String {
    let mut source = truncate_chars(s, max);
    loop {
        let out = escape(&source);
        let len = out.chars().count();
        if len <= max {
            return out;
        }
        let n = source.chars().count();
        if n == 0 {
            return String::new();
        }
        // One source character escapes to at most six, so cutting a sixth
        // of the overshoot never cuts more than needed.
        let cut = (len - max).div_ceil(6).max(1);
        let next = truncate_chars(&source, n.saturating_sub(cut));
        source = if next.chars().count() >= n { String::new() } else { next };
    }
}

/// Escapes text for Telegram's (and any) HTML: `&`, `<`, `>` and `"` (the
/// last one matters inside `href="…"`).
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Slack's mrkdwn reserves only `&`, `<` and `>`; everything else is literal.
pub fn slack_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes every character Telegram's MarkdownV2 reserves (Bot API
/// "Formatting options"): `_*[]()~`>#+-=|{}.!` and the backslash itself.
pub fn markdown_v2_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '_' | '*'
                | '['
                | ']'
                | '('
                | ')'
                | '~'
                | '`'
                | '>'
                | '#'
                | '+'
                | '-'
                | '='
                | '|'
                | '{'
                | '}'
                | '.'
                | '!'
                | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One piece of a Markdown line.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline<'a> {
    Text(&'a str),
    Bold(&'a str),
    Code(&'a str),
    Link { text: &'a str, url: &'a str },
}

/// Splits a line into text, `**bold**`, `` `code` `` and `[text](http…)`
/// links. Anything that does not close is plain text, so the output of a
/// converter is always balanced.
pub fn inline_tokens(line: &str) -> Vec<Inline<'_>> {
    let mut out = Vec::new();
    let rest = line;
    let mut text_start = 0usize;
    let mut i = 0usize;
    while i < rest.len() {
        let tail = &rest[i..];
        let token = if let Some(inner) = tail.strip_prefix('`') {
            inner.find('`').filter(|&n| n > 0).map(|n| (Inline::Code(&inner[..n]), n + 2))
        } else if let Some(inner) = tail.strip_prefix("**") {
            inner.find("**").filter(|&n| n > 0).map(|n| (Inline::Bold(&inner[..n]), n + 4))
        } else if let Some(inner) = tail.strip_prefix('[') {
            inner.find("](").and_then(|close| {
                let text = &inner[..close];
                let after = &inner[close + 2..];
                let end = after.find(')')?;
                let url = &after[..end];
                let is_url = url.starts_with("http://") || url.starts_with("https://");
                (is_url && !text.is_empty() && !text.contains('['))
                    .then_some((Inline::Link { text, url }, close + 2 + end + 2))
            })
        } else {
            None
        };
        match token {
            Some((tok, len)) => {
                if text_start < i {
                    out.push(Inline::Text(&rest[text_start..i]));
                }
                out.push(tok);
                i += len;
                text_start = i;
            }
            None => {
                i += tail.chars().next().map(char::len_utf8).unwrap_or(1);
            }
        }
    }
    if text_start < rest.len() {
        out.push(Inline::Text(&rest[text_start..]));
    }
    out
}

fn heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) {
        line[hashes..].strip_prefix(' ').map(str::trim)
    } else {
        None
    }
}

fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.len() > 1
}

/// Walks Markdown lines for a chat dialect: runs of table lines go inside
/// `open`/`close` (escaped with `escape`, since chats render no tables);
/// every other line is handed to `line`, one output line per input line.
fn convert_lines(
    md: &str,
    open: &str,
    close: &str,
    escape: fn(&str) -> String,
    mut line: impl FnMut(&str, &mut String),
) -> String {
    let mut out = String::with_capacity(md.len() + 64);
    let mut in_table = false;
    for (n, l) in md.lines().enumerate() {
        if is_table_line(l) {
            if !in_table {
                if n > 0 {
                    out.push('\n');
                }
                out.push_str(open);
                in_table = true;
            } else {
                out.push('\n');
            }
            out.push_str(&escape(l.trim()));
            continue;
        }
        if in_table {
            out.push_str(close);
            in_table = false;
        }
        if n > 0 {
            out.push('\n');
        }
        line(l, &mut out);
    }
    if in_table {
        out.push_str(close);
    }
    out
}

/// Markdown → Telegram HTML: headings and `**` in bold, code, links, list
/// bullets, `_whole line_` in italics, tables in `<pre>`. Everything else
/// is escaped text.
pub fn markdown_to_telegram_html(md: &str) -> String {
    convert_lines(md, "<pre>", "</pre>", html_escape, |line, out| {
        if let Some(h) = heading(line) {
            out.push_str("<b>");
            out.push_str(&inline_html(h, true));
            out.push_str("</b>");
        } else if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            out.push_str("• ");
            out.push_str(&inline_html(item, false));
        } else if line.trim() == "---" {
            out.push_str("──────");
        } else if line.len() > 2 && line.starts_with('_') && line.ends_with('_') && !line.starts_with("__") {
            out.push_str("<i>");
            out.push_str(&inline_html(&line[1..line.len() - 1], true));
            out.push_str("</i>");
        } else {
            out.push_str(&inline_html(line, false));
        }
    })
}

/// `plain_bold`: inside an element that is already bold or italic, `**`
/// pairs become plain text (Telegram rejects some nestings).
fn inline_html(line: &str, plain_bold: bool) -> String {
    let mut out = String::new();
    for tok in inline_tokens(line) {
        match tok {
            Inline::Text(t) => out.push_str(&html_escape(t)),
            Inline::Bold(t) if plain_bold => out.push_str(&html_escape(t)),
            Inline::Bold(t) => {
                out.push_str("<b>");
                out.push_str(&html_escape(t));
                out.push_str("</b>");
            }
            Inline::Code(t) => {
                out.push_str("<code>");
                out.push_str(&html_escape(t));
                out.push_str("</code>");
            }
            Inline::Link { text, url } => {
                out.push_str("<a href=\"");
                out.push_str(&html_escape(url));
                out.push_str("\">");
                out.push_str(&html_escape(text));
                out.push_str("</a>");
            }
        }
    }
    out
}

/// Markdown → Slack mrkdwn: `*bold*`, `<url|text>`, bullets, tables in a
/// code block; `&`, `<`, `>` escaped everywhere else.
pub fn markdown_to_slack(md: &str) -> String {
    convert_lines(md, "```\n", "\n```", slack_escape, |line, out| {
        if let Some(h) = heading(line) {
            out.push('*');
            out.push_str(&inline_slack(h, true));
            out.push('*');
        } else if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            out.push_str("• ");
            out.push_str(&inline_slack(item, false));
        } else if let Some(q) = line.strip_prefix("> ") {
            out.push_str("> ");
            out.push_str(&inline_slack(q, false));
        } else if line.trim() == "---" {
            out.push_str("──────");
        } else {
            out.push_str(&inline_slack(line, false));
        }
    })
}

fn inline_slack(line: &str, plain_bold: bool) -> String {
    let mut out = String::new();
    for tok in inline_tokens(line) {
        match tok {
            Inline::Text(t) => out.push_str(&slack_escape(t)),
            Inline::Bold(t) if plain_bold => out.push_str(&slack_escape(t)),
            Inline::Bold(t) => {
                out.push('*');
                out.push_str(&slack_escape(t));
                out.push('*');
            }
            Inline::Code(t) => {
                out.push('`');
                out.push_str(&slack_escape(t));
                out.push('`');
            }
            Inline::Link { text, url } => {
                out.push('<');
                // A bar would end the URL early; it is legal percent-encoded.
                out.push_str(&slack_escape(&url.replace('|', "%7C")));
                out.push('|');
                out.push_str(&slack_escape(&text.replace('|', "¦")));
                out.push('>');
            }
        }
    }
    out
}

/// Markdown → Feishu `lark_md`, which lacks headings and tables: headings
/// become bold lines; everything else is already in its dialect.
pub fn markdown_to_lark(md: &str) -> String {
    md.lines()
        .map(|line| match heading(line) {
            Some(h) => format!("**{h}**"),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Markdown → plain text on one line: markers dropped, links as their text,
/// whitespace collapsed. For fields that take no markup at all.
pub fn markdown_to_plain(md: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for line in md.lines() {
        let line = heading(line).unwrap_or(line);
        let mut line = line.trim_start();
        while let Some(rest) = line.strip_prefix("> ").or_else(|| line.strip_prefix('>')) {
            line = rest.trim_start();
        }
        let line = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")).unwrap_or(line);
        if line.trim() == "---" || is_table_line(line) {
            continue;
        }
        let mut s = String::new();
        for tok in inline_tokens(line) {
            match tok {
                Inline::Text(t) => s.push_str(t),
                Inline::Bold(t) | Inline::Code(t) => s.push_str(t),
                Inline::Link { text, .. } => s.push_str(text),
            }
        }
        let s = s.trim_matches('_');
        words.extend(s.split_whitespace().map(str::to_string));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries_and_marks_the_cut() {
        assert_eq!(truncate_chars("héllo", 10), "héllo");
        assert_eq!(truncate_chars("héllo", 3), "hé…");
        assert_eq!(truncate_chars("出口预检报告", 4), "出口预…");
        assert_eq!(truncate_chars("abc", 0), "");
        let t = truncate_bytes("出口预检报告", 10);
        assert!(t.len() <= 10, "{t}");
        assert_eq!(t, "出口…");
        assert_eq!(truncate_bytes("abc", 2), "ab");
        assert_eq!(truncate_bytes("出口", 2), "");
        assert_eq!(truncate_bytes("ok", 10), "ok");
    }

    #[test]
    fn escape_within_never_splits_an_entity() {
        let s = escape_within("a&b&c&d", 8, slack_escape);
        assert!(s.chars().count() <= 8, "{s}");
        assert!(!s.contains("&am…") && s.ends_with('…'), "{s}");
        assert_eq!(escape_within("<ok>", 20, html_escape), "&lt;ok&gt;");
    }

    #[test]
    fn telegram_html_escapes_and_converts() {
        let md = "# Risk <high> & more\n**Buyer** A&B <GmbH>\n- see [the FAQ](https://x.test/faq?a=1&b=\"2\")\n`a<b`\n_note_\n| a | b |\n|---|---|\nafter";
        let html = markdown_to_telegram_html(md);
        assert_eq!(
            html,
            "<b>Risk &lt;high&gt; &amp; more</b>\n<b>Buyer</b> A&amp;B &lt;GmbH&gt;\n• see <a href=\"https://x.test/faq?a=1&amp;b=&quot;2&quot;\">the FAQ</a>\n<code>a&lt;b</code>\n<i>note</i>\n<pre>| a | b |\n|---|---|</pre>\nafter"
        );
    }

    #[test]
    fn unbalanced_markup_stays_plain_text() {
        assert_eq!(markdown_to_telegram_html("**open and [x](y"), "**open and [x](y");
        assert_eq!(markdown_to_slack("a ** b `c"), "a ** b `c");
    }

    #[test]
    fn slack_mrkdwn() {
        let s = markdown_to_slack("## Total\n**USD 1,000** for <you> & [docs](https://d.test/a|b)");
        assert_eq!(s, "*Total*\n*USD 1,000* for &lt;you&gt; &amp; <https://d.test/a%7Cb|docs>");
    }

    #[test]
    fn markdown_v2_escapes_reserved() {
        assert_eq!(markdown_v2_escape("a_b*c.d!(e)"), "a\\_b\\*c\\.d\\!\\(e\\)");
    }

    #[test]
    fn plain_text_drops_markers() {
        assert_eq!(
            markdown_to_plain("# Title\n> **HS** 8507.60 see [FAQ](https://f.test)\n| t | a |"),
            "Title HS 8507.60 see FAQ"
        );
    }
}
