//! Text helpers shared by the adapters: truncation that never splits a
//! character, escaping for each markup, and our Markdown translated into
//! each channel's dialect (Telegram HTML, Slack mrkdwn, Feishu `lark_md`,
//! plain text) from pulldown-cmark's event stream.
//!
//! Truncation works on the Markdown *source* before conversion, so a cut can
//! never leave half an HTML tag or an unbalanced Slack link behind: the
//! parser closes every element it opens, and the converters only ever emit
//! complete pairs.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

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

// ------------------------------------------------------------- Documents

/// A stretch of a document, in whole lines.
enum Part<'a> {
    /// A run of table lines, each trimmed.
    Table(Vec<&'a str>),
    /// Everything else, for the Markdown parser.
    Markdown(&'a str),
}

fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.len() > 1
}

/// Splits a document into runs of table lines and the Markdown between.
///
/// Kept hand-written because it is measurably better for chats, which show
/// no tables anyway: a table is any run of lines that start with `|`. The
/// GFM table rule (pulldown-cmark's) takes a plain line right after a table
/// for one more row, and reads table lines that follow a list item without
/// a blank line as lazy paragraph text, so Markdown written without blank
/// lines around its tables (as models often write it) would lose them;
/// `telegram_html_escapes_and_converts` pins the line rule. The parser
/// still decides what is code: a `|` line inside a code block stays in it.
fn parts(md: &str) -> Vec<Part<'_>> {
    let has_table = md.lines().any(is_table_line);
    let code: Vec<Range<usize>> = if has_table { code_blocks(md) } else { Vec::new() };
    let mut parts = Vec::new();
    let mut table = Vec::new();
    // Where the Markdown not yet handed out begins.
    let mut start = 0;
    let mut offset = 0;
    for raw in md.split_inclusive('\n') {
        let here = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let first = here + (raw.len() - raw.trim_start().len());
        if has_table && is_table_line(line) && !code.iter().any(|r| r.contains(&first)) {
            if table.is_empty() && start < here {
                parts.push(Part::Markdown(&md[start..here]));
            }
            table.push(line.trim());
            start = offset;
        } else if !table.is_empty() {
            parts.push(Part::Table(std::mem::take(&mut table)));
        }
    }
    if !table.is_empty() {
        parts.push(Part::Table(table));
    } else if start < md.len() {
        parts.push(Part::Markdown(&md[start..]));
    }
    parts
}

fn code_blocks(md: &str) -> Vec<Range<usize>> {
    Parser::new(md)
        .into_offset_iter()
        .filter_map(|(event, range)| matches!(event, Event::Start(Tag::CodeBlock(_))).then_some(range))
        .collect()
}

/// Links become links only to web pages; anything else (a relative path,
/// `mailto:`) is shown as the Markdown that was written.
fn is_web_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// Drops the rest of an element whose start was just read.
fn skip_element<'e>(events: impl Iterator<Item = (Event<'e>, Range<usize>)>) {
    let mut depth = 1usize;
    for (event, _) in events {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

// ------------------------------------------------------------ Chat dialects

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chat {
    Telegram,
    Slack,
}

impl Chat {
    fn escape(self, s: &str) -> String {
        match self {
            Chat::Telegram => html_escape(s),
            Chat::Slack => slack_escape(s),
        }
    }
}

fn markdown_to_chat(md: &str, chat: Chat) -> String {
    // Chats render no tables: their lines go out as written, monospaced.
    let (open, close) = match chat {
        Chat::Telegram => ("<pre>", "</pre>"),
        Chat::Slack => ("```\n", "\n```"),
    };
    let rendered: Vec<String> = parts(md)
        .into_iter()
        .map(|part| match part {
            Part::Table(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| chat.escape(l)).collect();
                format!("{open}{}{close}", lines.join("\n"))
            }
            Part::Markdown(src) => ChatWriter::render(chat, src),
        })
        .collect();
    rendered.join("\n")
}

/// Markdown → Telegram HTML: headings and `**` in bold, `*`/`_` in italics,
/// code, links to web pages, list bullets, rules; tables and code blocks
/// in `<pre>`. Everything else is escaped text; raw HTML is shown, not
/// interpreted.
pub fn markdown_to_telegram_html(md: &str) -> String {
    markdown_to_chat(md, Chat::Telegram)
}

/// Markdown → Slack mrkdwn: `*bold*`, `_italic_`, `<url|text>`, bullets,
/// quotes, tables and code blocks in a code block; `&`, `<`, `>` escaped
/// everywhere else.
pub fn markdown_to_slack(md: &str) -> String {
    markdown_to_chat(md, Chat::Slack)
}

/// Renders one stretch of Markdown for a chat.
///
/// Chats lay text out by lines, so the output keeps the source's: each
/// block starts as many lines after the previous one as it does in the
/// source (blank lines survive), and a line break stays a line break. Only
/// a code block is drawn shorter than its source, without fence lines.
struct ChatWriter<'a> {
    chat: Chat,
    src: &'a str,
    /// Byte offset where each source line starts.
    line_starts: Vec<usize>,
    out: String,
    /// The source line the output has reached.
    line: usize,
    /// Nothing written on the current output line yet: quote marks are due.
    fresh: bool,
    quotes: usize,
    /// Open bold contexts (headings and `**`), italics and links.
    bold: usize,
    italic: usize,
    links: usize,
    /// What each open element writes when it closes.
    closers: Vec<&'static str>,
    /// The text of a code or HTML block, collected until the block ends.
    block: Option<String>,
}

impl<'a> ChatWriter<'a> {
    fn render(chat: Chat, src: &'a str) -> String {
        let line_starts = std::iter::once(0).chain(src.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let mut w = ChatWriter {
            chat,
            src,
            line_starts,
            out: String::with_capacity(src.len() + 64),
            line: 0,
            fresh: true,
            quotes: 0,
            bold: 0,
            italic: 0,
            links: 0,
            closers: Vec::new(),
            block: None,
        };
        let mut events = Parser::new(src).into_offset_iter().peekable();
        while let Some((event, range)) = events.next() {
            match event {
                Event::Start(tag) => {
                    let empty = matches!(events.peek(), Some((Event::End(_), _)));
                    if !w.start(tag, &range, empty) {
                        skip_element(&mut events);
                    }
                }
                Event::End(tag) => w.end(tag, &range),
                Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => w.text(&t),
                Event::Code(t) => w.code(&t),
                Event::SoftBreak | Event::HardBreak => w.line_break(range.end),
                Event::Rule => {
                    w.block_start(range.start);
                    w.write("──────");
                    w.block_end(&range);
                }
                // Extensions left off (footnotes, task lists, maths): as written.
                _ => w.text(&src[range]),
            }
        }
        w.finish()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Writes on the current line, after any quote marks it still needs.
    fn write(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.fresh {
            if self.quotes > 0 {
                match self.chat {
                    Chat::Telegram => self.out.push_str(&"&gt; ".repeat(self.quotes)),
                    // Slack quotes one level deep; deeper marks are text.
                    Chat::Slack => {
                        self.out.push_str("> ");
                        self.out.push_str(&"&gt; ".repeat(self.quotes - 1));
                    }
                }
            }
            self.fresh = false;
        }
        self.out.push_str(s);
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.fresh = true;
    }

    /// Moves to the source line a block starts on, indented as written.
    fn block_start(&mut self, offset: usize) {
        self.block_line(offset);
        if self.fresh {
            let line_start = self.line_starts.get(self.line).copied().unwrap_or(0);
            self.indent(line_start, offset);
        }
    }

    /// Moves to the source line a block starts on.
    fn block_line(&mut self, offset: usize) {
        let target = self.line_of(offset);
        while self.line < target {
            self.newline();
            self.line += 1;
        }
    }

    /// Writes the spaces a line was indented with in the source, so that
    /// nested items and the continuation lines of an item stay under it.
    fn indent(&mut self, line_start: usize, until: usize) {
        let src = self.src;
        let lead = src.get(line_start..until).unwrap_or_default();
        if lead.chars().all(|c| c == ' ' || c == '\t') {
            self.write(lead);
        }
    }

    /// Notes the last source line a block used (a setext underline, a
    /// closing fence).
    fn block_end(&mut self, range: &Range<usize>) {
        let used = self.src.get(range.clone()).unwrap_or_default().trim_end().len();
        let last = self.line_of(range.start + used.saturating_sub(1));
        self.line = self.line.max(last);
    }

    /// Whether `**` or `*` may open: not inside the same style (a heading
    /// is bold already), and on Slack not inside link text, which shows no
    /// marks. Telegram lets bold and italics nest in any entity but code.
    fn styled(&self, strong: bool) -> bool {
        let inside = if strong { self.bold } else { self.italic };
        inside == 0 && (self.chat == Chat::Telegram || self.links == 0)
    }

    /// Handles an element's start; false when the element was written as
    /// its source text and its content must be skipped.
    fn start(&mut self, tag: Tag<'_>, range: &Range<usize>, empty: bool) -> bool {
        let telegram = self.chat == Chat::Telegram;
        let close = match tag {
            Tag::Paragraph => {
                self.block_start(range.start);
                ""
            }
            Tag::Heading { .. } => {
                self.block_start(range.start);
                self.bold += 1;
                match (empty, telegram) {
                    (true, _) => "",
                    (false, true) => self.open("<b>", "</b>"),
                    (false, false) => self.open("*", "*"),
                }
            }
            Tag::BlockQuote(_) => {
                self.quotes += 1;
                ""
            }
            Tag::CodeBlock(_) | Tag::HtmlBlock => {
                // Unindented: Slack's fences must open their line.
                self.block_line(range.start);
                self.block = Some(String::new());
                ""
            }
            Tag::Item => {
                self.block_start(range.start);
                self.bullet(range.start);
                ""
            }
            Tag::Strong => {
                let on = self.styled(true);
                self.bold += 1;
                match (on, telegram) {
                    (false, _) => "",
                    (true, true) => self.open("<b>", "</b>"),
                    (true, false) => self.open("*", "*"),
                }
            }
            Tag::Emphasis => {
                let on = self.styled(false);
                self.italic += 1;
                match (on, telegram) {
                    (false, _) => "",
                    (true, true) => self.open("<i>", "</i>"),
                    (true, false) => self.open("_", "_"),
                }
            }
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                if self.links > 0 {
                    // An image inside a link: its text is part of the link's.
                    self.links += 1;
                    ""
                } else if empty || !is_web_url(&dest_url) {
                    let src = self.src;
                    let written = self.chat.escape(src.get(range.clone()).unwrap_or_default());
                    self.write(&written);
                    return false;
                } else {
                    self.links += 1;
                    if telegram {
                        self.write(&format!("<a href=\"{}\">", html_escape(&dest_url)));
                        "</a>"
                    } else {
                        // A bar would end the URL early; it is legal percent-encoded.
                        self.write(&format!("<{}|", slack_escape(&dest_url.replace('|', "%7C"))));
                        ">"
                    }
                }
            }
            _ => "",
        };
        self.closers.push(close);
        true
    }

    fn open(&mut self, open: &str, close: &'static str) -> &'static str {
        self.write(open);
        close
    }

    fn end(&mut self, tag: TagEnd, range: &Range<usize>) {
        if matches!(tag, TagEnd::CodeBlock | TagEnd::HtmlBlock) {
            self.flush_block(tag == TagEnd::CodeBlock);
        }
        if let Some(close) = self.closers.pop() {
            self.write(close);
        }
        match tag {
            TagEnd::Heading(_) | TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Link | TagEnd::Image => self.links = self.links.saturating_sub(1),
            TagEnd::BlockQuote(_) => self.quotes = self.quotes.saturating_sub(1),
            _ => {}
        }
        if matches!(tag, TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock) {
            self.block_end(range);
        }
    }

    /// `• ` for a bullet item, the number as written (`3.`, `3)`) for an
    /// ordered one.
    fn bullet(&mut self, offset: usize) {
        let rest = self.src.get(offset..).unwrap_or_default();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let marker = match rest.as_bytes().get(digits) {
            Some(b'.' | b')') if digits > 0 => &rest[..=digits],
            _ => "•",
        };
        self.write(&format!("{marker} "));
    }

    fn text(&mut self, t: &str) {
        if let Some(block) = &mut self.block {
            block.push_str(t);
            return;
        }
        let escaped = if self.chat == Chat::Slack && self.links > 0 {
            // A bar would end Slack's link text early.
            slack_escape(&t.replace('|', "¦"))
        } else {
            self.chat.escape(t)
        };
        self.write(&escaped);
    }

    fn code(&mut self, t: &str) {
        // Telegram's `code` nests in no other entity (Bot API, "Formatting
        // options"); there it is shown as plain text.
        let plain = match self.chat {
            Chat::Telegram => self.bold > 0 || self.italic > 0 || self.links > 0,
            Chat::Slack => self.links > 0,
        };
        if plain {
            return self.text(t);
        }
        let (open, close) = match self.chat {
            Chat::Telegram => ("<code>", "</code>"),
            Chat::Slack => ("`", "`"),
        };
        let escaped = self.chat.escape(t);
        self.write(open);
        self.write(&escaped);
        self.write(close);
    }

    /// A line break in a paragraph; `next` is where the next line starts.
    fn line_break(&mut self, next: usize) {
        if self.chat == Chat::Slack && self.links > 0 {
            // Slack's link text is one line.
            self.write(" ");
            return;
        }
        self.newline();
        self.line += 1;
        let src = self.src;
        let rest = src.get(next..).unwrap_or_default();
        let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        self.indent(next, next + lead);
    }

    fn flush_block(&mut self, code: bool) {
        let Some(text) = self.block.take() else { return };
        let text = text.trim_end_matches('\n');
        if text.is_empty() {
            return;
        }
        let escaped = self.chat.escape(text);
        match (code, self.chat) {
            (true, Chat::Telegram) => {
                self.write("<pre>");
                self.out.push_str(&escaped);
                self.out.push_str("</pre>");
            }
            (true, Chat::Slack) => {
                // Fences on lines of their own: sections are split between
                // lines and close and reopen a code block they cut.
                if !self.fresh {
                    self.newline();
                }
                self.out.push_str("```\n");
                self.out.push_str(&escaped);
                self.out.push_str("\n```");
                self.fresh = false;
            }
            (false, _) => {
                for (i, line) in escaped.split('\n').enumerate() {
                    if i > 0 {
                        self.newline();
                    }
                    self.write(line);
                }
            }
        }
    }

    /// The output, as many lines long at its end as the source.
    fn finish(mut self) -> String {
        let lines = self.line_starts.len() - usize::from(self.src.ends_with('\n'));
        while self.line + 1 < lines {
            self.newline();
            self.line += 1;
        }
        self.out
    }
}

// ------------------------------------------------------- Other dialects

/// Markdown → Feishu `lark_md`, which lacks headings and tables: headings
/// become bold lines; everything else is already in its dialect.
pub fn markdown_to_lark(md: &str) -> String {
    let mut out = String::with_capacity(md.len() + 16);
    let mut copied = 0;
    let mut heading: Option<HeadingSource> = None;
    for (event, range) in Parser::new(md).into_offset_iter() {
        match (&event, heading.as_mut()) {
            (Event::Start(Tag::Heading { .. }), _) => heading = Some(HeadingSource::new(range)),
            (Event::End(TagEnd::Heading(_)), Some(h)) => {
                if let Some(title) = h.title(md) {
                    out.push_str(md.get(copied..h.range.start).unwrap_or_default());
                    out.push_str("**");
                    out.push_str(&title);
                    out.push_str("**");
                    // The line break after the heading stays.
                    let written = md.get(h.range.clone()).unwrap_or_default().trim_end_matches(['\n', '\r']);
                    copied = h.range.start + written.len();
                }
                heading = None;
            }
            (Event::Start(Tag::Strong), Some(h)) => {
                h.strong.push(range.clone());
                h.extend(range);
            }
            (_, Some(h)) => h.extend(range),
            (_, None) => {}
        }
    }
    out.push_str(md.get(copied..).unwrap_or_default());
    out
}

/// Where a heading and its text are in the source.
struct HeadingSource {
    range: Range<usize>,
    content: Option<Range<usize>>,
    /// `**` spans inside: the heading is bold already.
    strong: Vec<Range<usize>>,
}

impl HeadingSource {
    fn new(range: Range<usize>) -> Self {
        Self { range, content: None, strong: Vec::new() }
    }

    fn extend(&mut self, r: Range<usize>) {
        self.content = Some(match self.content.take() {
            Some(c) => c.start.min(r.start)..c.end.max(r.end),
            None => r,
        });
    }

    /// The heading's text as written, its `**` marks dropped; None for an
    /// empty heading, which is left alone.
    fn title(&self, md: &str) -> Option<String> {
        let mut content = self.content.clone()?;
        // The parser's text starts after a leading backslash escape.
        if content.start > self.range.start && md.as_bytes().get(content.start - 1) == Some(&b'\\') {
            content.start -= 1;
        }
        let mut marks: Vec<usize> = self
            .strong
            .iter()
            .flat_map(|s| [s.start, s.end.saturating_sub(2)])
            .filter(|&at| matches!(md.get(at..at + 2), Some("**" | "__")))
            .collect();
        marks.sort_unstable();
        let mut title = String::new();
        let mut at = content.start;
        for mark in marks {
            if mark >= at && mark + 2 <= content.end {
                title.push_str(md.get(at..mark).unwrap_or_default());
                at = mark + 2;
            }
        }
        title.push_str(md.get(at..content.end).unwrap_or_default());
        Some(title)
    }
}

/// Markdown → plain text on one line: markers dropped, links as their text,
/// tables left out, whitespace collapsed. For fields that take no markup
/// at all.
pub fn markdown_to_plain(md: &str) -> String {
    let mut text = String::with_capacity(md.len());
    for part in parts(md) {
        let Part::Markdown(src) = part else { continue };
        for event in Parser::new(src) {
            match event {
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => text.push_str(&t),
                Event::Start(tag) if is_inline(&tag.to_end()) => {}
                Event::End(tag) if is_inline(&tag) => {}
                // Block boundaries and line breaks separate words.
                _ => text.push(' '),
            }
        }
        text.push(' ');
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_inline(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
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
    fn code_blocks_stay_code() {
        let md = "Intro\n\n```rust\nlet x = a < b && **c**;\n# not a heading\n| a |\n```\nafter";
        assert_eq!(
            markdown_to_telegram_html(md),
            "Intro\n\n<pre>let x = a &lt; b &amp;&amp; **c**;\n# not a heading\n| a |</pre>\nafter"
        );
        assert_eq!(
            markdown_to_slack(md),
            "Intro\n\n```\nlet x = a &lt; b &amp;&amp; **c**;\n# not a heading\n| a |\n```\nafter"
        );
        assert_eq!(markdown_to_lark(md), md);
        assert_eq!(markdown_to_plain(md), "Intro let x = a < b && **c**; # not a heading | a | after");
    }

    #[test]
    fn emphasis_lists_and_links_follow_commonmark() {
        let md = "*em* and __strong__, `x` in **bold `x`**\n1. one\n   - nested\n2) two\n\n[rel](faq.md) <https://a.test/x> ![chart](https://c.test/p.png)";
        assert_eq!(
            markdown_to_telegram_html(md),
            "<i>em</i> and <b>strong</b>, <code>x</code> in <b>bold x</b>\n1. one\n   • nested\n2) two\n\n[rel](faq.md) <a href=\"https://a.test/x\">https://a.test/x</a> <a href=\"https://c.test/p.png\">chart</a>"
        );
        assert_eq!(
            markdown_to_slack(md),
            "_em_ and *strong*, `x` in *bold `x`*\n1. one\n   • nested\n2) two\n\n[rel](faq.md) <https://a.test/x|https://a.test/x> <https://c.test/p.png|chart>"
        );
        assert_eq!(markdown_to_plain(md), "em and strong, x in bold x one nested two rel https://a.test/x chart");
    }

    #[test]
    fn blank_lines_quotes_and_setext_headings() {
        let md = "Total\n=====\n\n> **Note** one\n> two\n\n\nend";
        assert_eq!(markdown_to_telegram_html(md), "<b>Total</b>\n\n&gt; <b>Note</b> one\n&gt; two\n\n\nend");
        assert_eq!(markdown_to_slack(md), "*Total*\n\n> *Note* one\n> two\n\n\nend");
        assert_eq!(markdown_to_lark(md), "**Total**\n\n> **Note** one\n> two\n\n\nend");
    }

    #[test]
    fn lark_headings_become_bold_lines() {
        assert_eq!(
            markdown_to_lark("## **Total** due\ntext\n```\n# kept\n```"),
            "**Total due**\ntext\n```\n# kept\n```"
        );
        assert_eq!(markdown_to_lark("# Title ##\n## C#\n#hashtag"), "**Title**\n**C#**\n#hashtag");
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
