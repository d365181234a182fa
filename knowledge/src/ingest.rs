//! Ingest: reads Markdown, CSV and JSONL knowledge documents, chunks them
//! with their heading context, and writes them to a `KnowledgeIndex`
//! idempotently (unchanged documents are skipped by content hash; changed
//! ones have their chunks replaced and stale chunks deleted).

use std::collections::BTreeSet;
use std::fmt;
use std::io::IsTerminal;
use std::ops::Range;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tradewind_core::Lang;
use uuid::Uuid;

use crate::{Chunk, KnowledgeError, KnowledgeIndex};

/// Target chunk body size; long sections are split at paragraph boundaries.
pub const MAX_CHUNK_CHARS: usize = 1200;
/// Mixed into every document hash: bump it when chunking changes so that
/// unchanged files are still re-chunked once. v2: headings come from a
/// CommonMark parser, which also sees setext headings and reads code and
/// HTML blocks as CommonMark does.
const CHUNKER_VERSION: &str = "tradewind-chunker-v2";
/// Chunks per `upsert` call.
const UPSERT_BATCH: usize = 256;
/// Chunks written between two flushes of the index. Flushes fall between
/// documents, never inside one: a crash then loses whole documents, whose
/// hashes are missing, so the next ingest writes them again.
const FLUSH_EVERY_CHUNKS: usize = 20_000;

/// Options for [`ingest`].
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// No progress bar, even on a terminal.
    pub quiet: bool,
    /// Also delete every indexed source that is not among the documents
    /// given (a file was removed). Off by default so that ingesting a
    /// subset never wipes the rest.
    pub prune_missing: bool,
}

/// What an ingest run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestSummary {
    pub files_seen: usize,
    pub files_indexed: usize,
    pub files_unchanged: usize,
    pub chunks_written: usize,
    pub chunks_deleted: usize,
    /// (source, reason) for files, or parts of files, that were not indexed.
    pub skipped: Vec<(String, String)>,
}

impl fmt::Display for IngestSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} file(s): {} indexed, {} unchanged, {} skipped; {} chunk(s) written, {} deleted",
            self.files_seen,
            self.files_indexed,
            self.files_unchanged,
            self.skipped_files(),
            self.chunks_written,
            self.chunks_deleted
        )?;
        for (source, reason) in &self.skipped {
            write!(f, "\n  skipped {source}: {reason}")?;
        }
        Ok(())
    }
}

impl IngestSummary {
    /// Distinct sources with at least one skip entry.
    fn skipped_files(&self) -> usize {
        self.skipped.iter().map(|(s, _)| s.as_str()).collect::<BTreeSet<_>>().len()
    }
}

/// Content hash of a document (hex SHA-256, salted with the chunker version).
pub fn doc_hash(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(CHUNKER_VERSION.as_bytes());
    h.update([0u8]);
    h.update(bytes);
    hex::encode(h.finalize())
}

/// Stable chunk id: UUIDv5 (URL namespace) of `source#ordinal`.
pub fn chunk_id(source: &str, ordinal: usize) -> String {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("{source}#{ordinal}").as_bytes()).to_string()
}

fn file_name(source: &str) -> &str {
    source.rsplit(['/', '\\']).next().unwrap_or(source)
}

/// Kind from the file name: `catalog.*` → "catalog", `faq.*` → "faq",
/// `cases.*` → "case", `competitors.*` → "competitor", `shipping.*` →
/// "shipping", otherwise the name up to its first dot.
pub fn kind_for(source: &str) -> String {
    let stem = file_name(source).split('.').next().unwrap_or_default().to_ascii_lowercase();
    match stem.as_str() {
        "catalog" => "catalog".into(),
        "faq" => "faq".into(),
        "cases" => "case".into(),
        "competitors" => "competitor".into(),
        "shipping" => "shipping".into(),
        _ => stem,
    }
}

/// Language declared by a `.en.` / `.zh.` infix in the file name, if any.
pub fn declared_lang(source: &str) -> Option<&'static str> {
    let name = file_name(source).to_ascii_lowercase();
    let parts: Vec<&str> = name.split('.').collect();
    // Only inner parts count: "en.md" is a file named "en", not a language.
    let inner = parts.get(1..parts.len().saturating_sub(1)).unwrap_or_default();
    if inner.contains(&"zh") {
        Some("zh")
    } else if inner.contains(&"en") {
        Some("en")
    } else {
        None
    }
}

fn lang_of(declared: Option<&'static str>, text: &str) -> String {
    declared.unwrap_or_else(|| Lang::detect(text).code()).to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Csv,
    Jsonl,
}

fn format_of(source: &str) -> Option<Format> {
    let name = file_name(source).to_ascii_lowercase();
    let ext = name.rsplit('.').next().unwrap_or_default();
    match ext {
        "md" | "markdown" | "txt" => Some(Format::Markdown),
        "csv" => Some(Format::Csv),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        _ => None,
    }
}

/// A chunk before ids, hashes and kind are attached.
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    section: String,
    text: String,
    sku: Option<String>,
    lang: String,
}

/// Chunks one document. Returns the chunks and per-part problems (for
/// example a malformed JSONL line) that did not stop the rest.
pub fn chunk_document(source: &str, text: &str) -> Result<(Vec<Chunk>, Vec<String>), String> {
    let format = format_of(source).ok_or_else(|| "unsupported file type (expected .md, .csv or .jsonl)".to_string())?;
    let declared = declared_lang(source);
    let hash = doc_hash(text.as_bytes());
    let mut problems = Vec::new();
    let pieces = match format {
        Format::Markdown => chunk_markdown(source, text, declared),
        Format::Csv => chunk_csv(text, declared, &mut problems),
        Format::Jsonl => chunk_jsonl(text, declared, &mut problems),
    };
    let kind = kind_for(source);
    let chunks = pieces
        .into_iter()
        .enumerate()
        .map(|(i, p)| Chunk {
            id: chunk_id(source, i),
            source: source.to_string(),
            section: p.section,
            kind: kind.clone(),
            lang: p.lang,
            sku: p.sku,
            text: p.text,
            doc_hash: hash.clone(),
        })
        .collect();
    Ok((chunks, problems))
}

// ---------------------------------------------------------------- Markdown

/// A top-level heading: its level, its text as written, and the whole
/// source lines it takes up.
#[derive(Debug, Clone, PartialEq)]
struct Heading {
    level: usize,
    title: String,
    lines: Range<usize>,
}

/// The document's headings, from pulldown-cmark's event stream. Only
/// headings outside any container count: a `#` line in a list item or a
/// quote belongs to that item or quote, not to the document's outline.
fn headings(text: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    // The heading being read: level, range, and the span of its text.
    let mut open: Option<(usize, Range<usize>, Option<Range<usize>>)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match (&event, open.as_mut()) {
            (Event::Start(Tag::Heading { level, .. }), None) if depth == 0 => {
                open = Some((*level as usize, range.clone(), None));
            }
            (Event::End(TagEnd::Heading(_)), Some(_)) if depth == 1 => {
                if let Some((level, range, content)) = open.take() {
                    out.push(Heading { level, title: heading_title(text, content), lines: whole_lines(text, range) });
                }
            }
            (_, Some((_, _, content))) => {
                *content = Some(match content.take() {
                    Some(c) => c.start.min(range.start)..c.end.max(range.end),
                    None => range.clone(),
                });
            }
            _ => {}
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// A heading's text as written (markup kept), on one line: a setext
/// heading's text may span several.
fn heading_title(text: &str, content: Option<Range<usize>>) -> String {
    let Some(mut content) = content else { return String::new() };
    // The parser's text starts after a leading backslash escape.
    if content.start > 0 && text.as_bytes().get(content.start - 1) == Some(&b'\\') {
        content.start -= 1;
    }
    let written = text.get(content).unwrap_or_default();
    written.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// `range` widened to the whole lines it touches, line break included.
fn whole_lines(text: &str, range: Range<usize>) -> Range<usize> {
    let start = text.get(..range.start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let end = if range.end == 0 || text.get(..range.end).is_some_and(|t| t.ends_with('\n')) {
        range.end
    } else {
        text.get(range.end..).and_then(|t| t.find('\n')).map_or(text.len(), |i| range.end + i + 1)
    };
    start..end.max(start)
}

fn chunk_markdown(source: &str, text: &str, declared: Option<&'static str>) -> Vec<Piece> {
    // The single H1 that opens a document is its title, not a section: it
    // is left out of heading paths ("Payment > ..." rather than
    // "Frequently asked questions > Payment > ...").
    let headings = headings(text);
    let h1_count = headings.iter().filter(|h| h.level == 1).count();
    let title = match headings.first() {
        Some(h) if h.level == 1 && h1_count == 1 => Some(h.title.clone()),
        _ => None,
    };
    let fallback_section = title.clone().unwrap_or_else(|| file_name(source).to_string());

    let mut pieces = Vec::new();
    let mut stack: Vec<(usize, &str)> = Vec::new();
    let flush = |stack: &[(usize, &str)], body: &str, pieces: &mut Vec<Piece>| {
        // Rebuilt line by line so that CRLF documents chunk like LF ones.
        let body: String = body.lines().flat_map(|line| [line, "\n"]).collect();
        let trimmed = body.trim();
        if trimmed.is_empty() {
            return;
        }
        let path: Vec<&str> = stack
            .iter()
            .filter(|(level, _)| !(title.is_some() && *level == 1))
            .map(|(_, t)| *t)
            .filter(|t| !t.is_empty())
            .collect();
        let section = if path.is_empty() { fallback_section.clone() } else { path.join(" > ") };
        for part in split_body(trimmed, MAX_CHUNK_CHARS) {
            let lang = lang_of(declared, &format!("{section}\n{part}"));
            pieces.push(Piece { section: section.clone(), text: part, sku: None, lang });
        }
    };

    // Each section's body is the source between its heading and the next.
    let mut body_start = 0;
    for h in &headings {
        flush(&stack, text.get(body_start..h.lines.start).unwrap_or_default(), &mut pieces);
        while stack.last().is_some_and(|(l, _)| *l >= h.level) {
            stack.pop();
        }
        stack.push((h.level, h.title.as_str()));
        body_start = h.lines.end;
    }
    flush(&stack, text.get(body_start..).unwrap_or_default(), &mut pieces);
    pieces
}

/// Splits a body into parts of at most `max` characters, preferring
/// paragraph boundaries, then line boundaries, then whitespace.
fn split_body(body: &str, max: usize) -> Vec<String> {
    if body.chars().count() <= max {
        return vec![body.to_string()];
    }
    let mut units: Vec<String> = Vec::new();
    for para in split_paragraphs(body) {
        if para.chars().count() <= max {
            units.push(para);
        } else {
            for line in para.lines() {
                units.extend(hard_split(line, max));
            }
        }
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for unit in units {
        let sep = if current.is_empty() { 0 } else { 2 };
        if !current.is_empty() && current.chars().count() + sep + unit.chars().count() > max {
            parts.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(&unit);
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

fn split_paragraphs(body: &str) -> Vec<String> {
    let mut paras = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !current.trim().is_empty() {
                paras.push(current.trim_end().to_string());
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.trim().is_empty() {
        paras.push(current.trim_end().to_string());
    }
    paras
}

/// Cuts one over-long line at whitespace near `max` characters, or at `max`
/// characters exactly when there is none (Chinese text has no spaces).
fn hard_split(line: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while rest.chars().count() > max {
        let cut = rest.char_indices().nth(max).map(|(i, _)| i).unwrap_or(rest.len());
        let window = &rest[..cut];
        let at = match window.rfind(char::is_whitespace) {
            Some(i) if i > cut / 2 => i,
            _ => cut,
        };
        out.push(rest[..at].trim().to_string());
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

// ------------------------------------------------------------------- JSONL

/// Keys rendered first, in this order; the rest follow alphabetically.
const LEADING_KEYS: &[&str] = &["sku", "name_en", "name_zh", "name", "title", "category"];

fn render_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .map(render_value)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(if items.iter().any(Value::is_object) { " | " } else { ", " }),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k, render_value(v)))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn render_object(map: &serde_json::Map<String, Value>) -> String {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| {
        let lead = LEADING_KEYS.iter().position(|l| l == k).unwrap_or(LEADING_KEYS.len());
        (lead, (*k).clone())
    });
    keys.into_iter()
        .filter_map(|k| {
            let v = render_value(&map[k]);
            (!v.is_empty()).then(|| format!("{k}: {v}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn chunk_jsonl(text: &str, declared: Option<&'static str>, problems: &mut Vec<String>) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let lineno = i + 1;
        let map = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                problems.push(format!("line {lineno}: not a JSON object"));
                continue;
            }
            Err(e) => {
                problems.push(format!("line {lineno}: invalid JSON ({e})"));
                continue;
            }
        };
        let sku =
            map.get("sku").and_then(Value::as_str).map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
        let text = render_object(&map);
        if text.is_empty() {
            continue;
        }
        let section = sku.clone().unwrap_or_else(|| format!("line {lineno}"));
        let lang = lang_of(declared, &text);
        pieces.push(Piece { section, text, sku, lang });
    }
    pieces
}

// --------------------------------------------------------------------- CSV

fn chunk_csv(text: &str, declared: Option<&'static str>, problems: &mut Vec<String>) -> Vec<Piece> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            problems.push(format!("header: {e}"));
            return Vec::new();
        }
    };
    let sku_col = headers.iter().position(|h| h.eq_ignore_ascii_case("sku"));
    let mut pieces = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // Row 1 is the header.
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("row {row}: {e}"));
                continue;
            }
        };
        let pairs: Vec<String> = record
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(c, v)| match headers.get(c).filter(|h| !h.is_empty()) {
                Some(h) => format!("{h}: {v}"),
                None => v.to_string(),
            })
            .collect();
        if pairs.is_empty() {
            continue;
        }
        let first = record.get(0).unwrap_or_default();
        let section = if first.is_empty() { format!("row {row}") } else { first.to_string() };
        let sku = sku_col.and_then(|c| record.get(c)).map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
        let text = pairs.join("; ");
        let lang = lang_of(declared, &text);
        pieces.push(Piece { section, text, sku, lang });
    }
    pieces
}

// ------------------------------------------------------------------ Walker

/// Reads every supported document (.md, .markdown, .txt, .csv, .jsonl,
/// .ndjson) under `root`, recursively, as `(path relative to root with '/'
/// separators, bytes)`, sorted by path. Hidden entries and README files
/// (which describe the knowledge base rather than being part of it) are left
/// out.
pub fn read_dir_documents(root: &Path) -> Result<Vec<(String, Vec<u8>)>, KnowledgeError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|source| KnowledgeError::Io { path: dir.display().to_string(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| KnowledgeError::Io { path: dir.display().to_string(), source })?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let file_type =
                entry.file_type().map_err(|source| KnowledgeError::Io { path: path.display().to_string(), source })?;
            if file_type.is_dir() {
                stack.push(path);
                continue;
            }
            if name.to_ascii_lowercase().starts_with("readme") || format_of(&name).is_none() {
                continue;
            }
            let bytes = std::fs::read(&path)
                .map_err(|source| KnowledgeError::Io { path: path.display().to_string(), source })?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push((rel, bytes));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

// ------------------------------------------------------------------ Ingest

fn progress_bar(len: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} ingest [{bar:30}] {pos}/{len} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Ingests `documents` (`(source, bytes)`, source relative to the knowledge
/// root, e.g. "kb/faq.en.md") into `index`.
///
/// Per document: empty or non-UTF-8 files are skipped with a reason; an
/// unchanged `doc_hash` means nothing is written; otherwise the new chunks
/// are upserted first and the source's other chunks deleted after, so a
/// search never sees the document missing. Index errors abort the run.
pub async fn ingest(
    index: &dyn KnowledgeIndex,
    documents: Vec<(String, Vec<u8>)>,
    options: &IngestOptions,
) -> Result<IngestSummary, KnowledgeError> {
    let mut summary = IngestSummary::default();
    let existing = index.source_hashes().await?;
    let bar = progress_bar(documents.len(), options.quiet);
    let mut seen: BTreeSet<String> = BTreeSet::new();

    let mut unflushed = 0usize;
    for (source, bytes) in documents {
        summary.files_seen += 1;
        bar.set_message(source.clone());
        seen.insert(source.clone());
        let before = summary.chunks_written + summary.chunks_deleted;
        let outcome = ingest_one(index, &source, &bytes, existing.get(&source), &mut summary).await;
        bar.inc(1);
        outcome?;
        unflushed += summary.chunks_written + summary.chunks_deleted - before;
        if unflushed >= FLUSH_EVERY_CHUNKS {
            index.flush().await?;
            unflushed = 0;
        }
    }

    if options.prune_missing {
        for source in existing.keys().filter(|s| !seen.contains(*s)) {
            summary.chunks_deleted += index.delete_source_except(source, &[]).await?;
        }
    }
    index.flush().await?;
    bar.finish_and_clear();
    Ok(summary)
}

async fn ingest_one(
    index: &dyn KnowledgeIndex,
    source: &str,
    bytes: &[u8],
    indexed_hash: Option<&String>,
    summary: &mut IngestSummary,
) -> Result<(), KnowledgeError> {
    let skip = |summary: &mut IngestSummary, reason: String| {
        tracing::warn!(source, %reason, "knowledge file skipped");
        summary.skipped.push((source.to_string(), reason));
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            skip(summary, format!("not valid UTF-8 (first bad byte at offset {})", e.valid_up_to()));
            return Ok(());
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        skip(summary, "empty file".to_string());
        return Ok(());
    }
    let hash = doc_hash(text.as_bytes());
    if indexed_hash == Some(&hash) {
        summary.files_unchanged += 1;
        return Ok(());
    }
    let (chunks, problems) = match chunk_document(source, text) {
        Ok(c) => c,
        Err(reason) => {
            skip(summary, reason);
            return Ok(());
        }
    };
    for p in problems {
        skip(summary, p);
    }
    if chunks.is_empty() {
        skip(summary, "no indexable content".to_string());
        return Ok(());
    }
    for batch in chunks.chunks(UPSERT_BATCH) {
        index.upsert(batch).await?;
    }
    let ids: Vec<String> = chunks.iter().map(|c| c.id.clone()).collect();
    summary.chunks_written += chunks.len();
    summary.chunks_deleted += index.delete_source_except(source, &ids).await?;
    summary.files_indexed += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAQ: &str = "# Frequently asked questions\n\nIntro line.\n\n## Payment\n\n### What payment terms do you accept?\nT/T 30% deposit.\n\nBalance before shipment.\n\n### Do you accept L/C?\nYes, above USD 50,000.\n\n## Shipping\nWe ship worldwide.\n\n```\n# not a heading\n```\n";

    #[test]
    fn markdown_sections_carry_heading_path_without_title() {
        let (chunks, problems) = chunk_document("kb/faq.en.md", FAQ).unwrap();
        assert!(problems.is_empty());
        let sections: Vec<&str> = chunks.iter().map(|c| c.section.as_str()).collect();
        assert_eq!(
            sections,
            vec![
                "Frequently asked questions",
                "Payment > What payment terms do you accept?",
                "Payment > Do you accept L/C?",
                "Shipping",
            ]
        );
        assert_eq!(chunks[1].text, "T/T 30% deposit.\n\nBalance before shipment.");
        assert!(chunks[3].text.contains("# not a heading"));
        assert!(chunks.iter().all(|c| c.kind == "faq" && c.lang == "en"));
        assert_eq!(chunks[0].id, chunk_id("kb/faq.en.md", 0));
        assert_ne!(chunks[0].id, chunks[1].id);
    }

    /// The chunks of a document shaped like the demo knowledge base, with
    /// the constructs a line scanner gets wrong; citations depend on them.
    const SHIPPING: &str = "# Shipping notes\n\nHow we ship, in short.\n\n## Lithium batteries by sea\n\nPacks travel as UN3480, Class 9.\n- Ship at 40–50% state of charge.\n- Book DG space early.\n\n```text\n# a comment in a code block, not a heading\n```\n\n### Documents ##\n\n| Document | When |\n|---|---|\n| MSDS | always |\n\n> ## A quoted heading stays in the body\n\n## Air freight\nPI 965 applies; **Cargo Aircraft Only**.\n\n## C#\nA heading may end in a hash.\n\nSamples\n-------\nBy courier, see [the guide](https://kb.test/samples).\n";

    #[test]
    fn markdown_chunks_are_pinned() {
        let (chunks, problems) = chunk_document("kb/shipping.md", SHIPPING).unwrap();
        assert!(problems.is_empty());
        let got: Vec<(&str, &str)> = chunks.iter().map(|c| (c.section.as_str(), c.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("Shipping notes", "How we ship, in short."),
                (
                    "Lithium batteries by sea",
                    "Packs travel as UN3480, Class 9.\n- Ship at 40–50% state of charge.\n- Book DG space early.\n\n```text\n# a comment in a code block, not a heading\n```"
                ),
                (
                    "Lithium batteries by sea > Documents",
                    "| Document | When |\n|---|---|\n| MSDS | always |\n\n> ## A quoted heading stays in the body"
                ),
                ("Air freight", "PI 965 applies; **Cargo Aircraft Only**."),
                ("C#", "A heading may end in a hash."),
                ("Samples", "By courier, see [the guide](https://kb.test/samples)."),
            ]
        );
        for (i, c) in chunks.iter().enumerate() {
            assert_eq!(c.id, chunk_id("kb/shipping.md", i));
            assert_eq!(
                (c.source.as_str(), c.kind.as_str(), c.lang.as_str(), c.sku.as_deref()),
                ("kb/shipping.md", "shipping", "en", None)
            );
            assert_eq!(c.doc_hash, doc_hash(SHIPPING.as_bytes()));
        }
        assert_eq!(chunks[0].id, "f98c47dc-d68a-5d9b-89bb-8c5f904344ee");
        // Line endings do not change a chunk.
        let (crlf, _) = chunk_document("kb/shipping.md", &SHIPPING.replace('\n', "\r\n")).unwrap();
        let crlf: Vec<(&str, &str)> = crlf.iter().map(|c| (c.section.as_str(), c.text.as_str())).collect();
        assert_eq!(crlf, got);
    }

    #[test]
    fn long_sections_split_at_paragraphs_with_same_section() {
        let para = "word ".repeat(100); // ~500 chars
        let body = format!("## Long\n{para}\n\n{para}\n\n{para}\n\n{para}\n");
        let (chunks, _) = chunk_document("notes.md", &body).unwrap();
        assert!(chunks.len() >= 2, "{}", chunks.len());
        assert!(chunks.iter().all(|c| c.section == "Long"));
        assert!(chunks.iter().all(|c| c.text.chars().count() <= MAX_CHUNK_CHARS));
        // Without spaces (Chinese), a single over-long line is still cut.
        let zh = format!("## 长\n{}\n", "电池".repeat(1000));
        let (chunks, _) = chunk_document("zh-notes.md", &zh).unwrap();
        assert!(chunks.len() >= 2);
        assert!(chunks.iter().all(|c| c.text.chars().count() <= MAX_CHUNK_CHARS && c.lang == "zh"));
    }

    #[test]
    fn kind_and_lang_come_from_file_name() {
        assert_eq!(kind_for("kb/catalog.jsonl"), "catalog");
        assert_eq!(kind_for("kb/faq.zh.md"), "faq");
        assert_eq!(kind_for("kb/cases.md"), "case");
        assert_eq!(kind_for("kb/competitors.md"), "competitor");
        assert_eq!(kind_for("kb/shipping.md"), "shipping");
        assert_eq!(kind_for("kb/hs.notes.md"), "hs");
        assert_eq!(declared_lang("kb/faq.zh.md"), Some("zh"));
        assert_eq!(declared_lang("kb/faq.en.md"), Some("en"));
        assert_eq!(declared_lang("kb/en.md"), None);
        let (chunks, _) =
            chunk_document("kb/cases.md", "## 案例\n德国客户采购了电动自行车电池。\n\n## Case\nA German buyer.\n")
                .unwrap();
        assert_eq!(chunks[0].lang, "zh");
        assert_eq!(chunks[1].lang, "en");
    }

    #[test]
    fn jsonl_lines_render_fields_and_take_sku() {
        let text = "{\"sku\":\"tw-bp-4820\",\"name_en\":\"48V Battery\",\"name_zh\":\"48V 电池\",\"specs\":{\"voltage\":\"48 V\"},\"price_tiers\":[{\"min_qty\":1,\"unit_price_usd\":289.0}]}\n\nnot json\n[1,2]\n{\"title\":\"no sku\"}\n";
        let (chunks, problems) = chunk_document("kb/catalog.jsonl", text).unwrap();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].sku.as_deref(), Some("TW-BP-4820"));
        assert_eq!(chunks[0].section, "TW-BP-4820");
        assert!(
            chunks[0].text.starts_with("sku: tw-bp-4820; name_en: 48V Battery; name_zh: 48V 电池;"),
            "{}",
            chunks[0].text
        );
        assert!(chunks[0].text.contains("specs: voltage 48 V"));
        assert!(chunks[0].text.contains("min_qty 1, unit_price_usd 289.0"));
        assert_eq!(chunks[1].section, "line 5");
        assert_eq!(problems.len(), 2);
        assert!(problems[0].starts_with("line 3"));
    }

    #[test]
    fn csv_rows_become_header_value_pairs() {
        let text = "country,rule,sku\nGermany,CE and UN38.3 required,tw-bp-4820\n,,\nIran,embargoed,\n";
        let (chunks, _) = chunk_document("kb/rules.csv", text).unwrap();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].section, "Germany");
        assert_eq!(chunks[0].text, "country: Germany; rule: CE and UN38.3 required; sku: tw-bp-4820");
        assert_eq!(chunks[0].sku.as_deref(), Some("TW-BP-4820"));
        assert_eq!(chunks[1].sku, None);
        assert_eq!(chunks[0].kind, "rules");
    }

    #[test]
    fn unsupported_type_is_an_error_not_a_panic() {
        assert!(chunk_document("kb/image.png", "x").is_err());
    }

    #[test]
    fn summary_display_is_concise() {
        let s = IngestSummary {
            files_seen: 3,
            files_indexed: 1,
            files_unchanged: 1,
            chunks_written: 12,
            chunks_deleted: 2,
            skipped: vec![("kb/bad.md".into(), "not valid UTF-8".into())],
        };
        let text = s.to_string();
        assert!(text.starts_with("3 file(s): 1 indexed, 1 unchanged, 1 skipped; 12 chunk(s) written, 2 deleted"));
        assert!(text.contains("skipped kb/bad.md: not valid UTF-8"));
    }
}
