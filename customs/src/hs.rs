//! HS codes: the HS nomenclature (imported from the HS 2022 CSV, or a small
//! built-in table), checks of the codes our catalog records, the chapter →
//! heading → subheading path, and the lexical side of free-text suggestions.
//!
//! The CSV layout is the one UN Comtrade publishes and the `harmonized-system`
//! dataset mirrors: `section,hscode,description,parent,level`, levels 2, 4 and
//! 6, plus one summary row (`TOTAL`, level 5). An import is validated whole,
//! written to a temporary file and renamed into place, so a failed import
//! leaves the previous nomenclature in force.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tradewind_core::{Citation, Finding, RiskLevel};

/// The built-in fallback: the chapters, headings and subheadings our catalog
/// uses and their near neighbours, in the same CSV layout as the real file.
pub const BUILTIN_HS_TABLE: &str = include_str!("../../knowledge/rules/hs-builtin.csv");
pub const BUILTIN_HS_SOURCE: &str = "knowledge/rules/hs-builtin.csv";
/// Trade words (English and Chinese) mapped to the nomenclature's own terms.
pub const HS_GLOSSARY: &str = include_str!("../../knowledge/rules/hs-glossary.toml");
/// File name of the imported nomenclature inside the lists folder.
pub const NOMENCLATURE_FILE: &str = "hs-nomenclature.tsv";
/// Document name under which subheadings are put into the knowledge index;
/// its file stem makes the chunks' kind "hs".
pub const HS_INDEX_DOCUMENT: &str = "hs/hs.jsonl";
/// Knowledge-index kind of nomenclature chunks.
pub const HS_KIND: &str = "hs";
const STORE_MAGIC: &str = "# tradewind-hs v1";

#[derive(Debug, thiserror::Error)]
pub enum HsError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
    #[error("HS glossary: {0}")]
    Glossary(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HsLevel {
    Chapter,
    Heading,
    Subheading,
}

impl HsLevel {
    fn of_code(code: &str) -> Option<HsLevel> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            2 => Some(HsLevel::Chapter),
            4 => Some(HsLevel::Heading),
            6 => Some(HsLevel::Subheading),
            _ => None,
        }
    }

    fn digits(self) -> usize {
        match self {
            HsLevel::Chapter => 2,
            HsLevel::Heading => 4,
            HsLevel::Subheading => 6,
        }
    }
}

/// One line of the nomenclature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HsLine {
    pub code: String,
    pub level: HsLevel,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    line: HsLine,
    section: String,
}

/// The chapter → heading → subheading path of a code, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HsPath {
    pub lines: Vec<HsLine>,
}

impl fmt::Display for HsPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                f.write_str(" → ")?;
            }
            let label = match l.level {
                HsLevel::Chapter => format!("Chapter {}", l.code),
                HsLevel::Heading => l.code.clone(),
                HsLevel::Subheading => match (l.code.get(..4), l.code.get(4..)) {
                    (Some(a), Some(b)) => format!("{a}.{b}"),
                    _ => l.code.clone(),
                },
            };
            write!(f, "{label} {}", l.description)?;
        }
        Ok(())
    }
}

/// Where a nomenclature came from, for citations and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HsOrigin {
    /// Short name used as the citation source, e.g. "HS 2022 nomenclature".
    pub label: String,
    /// The file the rows were read from.
    pub file: String,
    /// When it was imported (ms since the epoch); 0 for the built-in table.
    pub imported_at_ms: u64,
    pub builtin: bool,
}

/// An HS nomenclature: every chapter, heading and six-digit subheading with
/// its description, plus a token view of subheadings for lexical search.
#[derive(Debug, Clone)]
pub struct Nomenclature {
    entries: BTreeMap<String, Entry>,
    origin: HsOrigin,
    /// Per subheading: its own tokens, its heading's, its chapter's.
    search: Vec<SearchRow>,
    /// Number of subheadings each token occurs in (any of the three levels).
    df: BTreeMap<String, usize>,
    /// Mean number of tokens in a subheading's own description.
    avg_own: f64,
    /// Subheading code → its row in `search`.
    by_code: BTreeMap<String, usize>,
}

#[derive(Debug, Clone)]
struct SearchRow {
    code: String,
    own: BTreeSet<String>,
    heading: BTreeSet<String>,
    chapter: BTreeSet<String>,
    /// Output band in watts ("exceeding 750W but not exceeding 75kW"), when
    /// the description has one.
    band: Option<(f64, f64)>,
}

/// How a recorded code compares with the nomenclature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HsCheck {
    /// The six-digit subheading exists; `national` holds any digits past six,
    /// which no international nomenclature can check.
    Known { path: HsPath, national: Option<String> },
    /// Not a subheading of this nomenclature; `nearest` is the deepest
    /// ancestor (heading or chapter) that does exist.
    Unknown { nearest: Option<HsPath> },
    /// Not six to ten digits.
    Malformed,
}

/// A malformed row, by its line in the file (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedRow {
    pub line: u64,
    pub reason: String,
}

/// What an import read, kept and refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsImportReport {
    pub source: String,
    pub stored_at: String,
    /// Data rows in the file (the header excluded).
    pub rows_read: usize,
    pub chapters: usize,
    pub headings: usize,
    pub subheadings: usize,
    /// Summary rows such as `TOTAL`: expected, read and not stored.
    pub summary_rows: usize,
    pub malformed: Vec<MalformedRow>,
    pub edition: String,
}

impl fmt::Display for HsImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} from {}: {} rows read: {} chapters (level 2), {} headings (level 4), {} subheadings (level 6), {} summary row(s), {} malformed; stored in {}",
            self.edition,
            self.source,
            self.rows_read,
            self.chapters,
            self.headings,
            self.subheadings,
            self.summary_rows,
            self.malformed.len(),
            self.stored_at
        )?;
        for m in &self.malformed {
            write!(f, "\n  line {}: {}", m.line, m.reason)?;
        }
        Ok(())
    }
}

/// Imports the HS nomenclature CSV at `path` into `data_dir` (the lists
/// folder, e.g. `data/lists`). Malformed rows are reported with their line
/// numbers and left out; a file that cannot be read, has the wrong columns
/// or yields no subheading is refused and the previous import stays.
pub fn import_nomenclature_csv(path: &Path, data_dir: &Path) -> Result<HsImportReport, HsError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| HsError::Read { path: shown.clone(), source })?;
    let parsed = parse_csv(&bytes, &shown)?;
    if parsed.entries.values().all(|e| e.line.level != HsLevel::Subheading) {
        return Err(HsError::Format { path: shown, message: "no valid six-digit subheading in the file".into() });
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| shown.clone());
    let origin = HsOrigin {
        label: format!("{} nomenclature", parsed.edition),
        file: file_name,
        imported_at_ms: tradewind_core::now_ms(),
        builtin: false,
    };
    let target = data_dir.join(NOMENCLATURE_FILE);
    store(&target, &origin, &parsed.entries)?;
    let count = |lvl| parsed.entries.values().filter(|e| e.line.level == lvl).count();
    Ok(HsImportReport {
        source: shown,
        stored_at: target.display().to_string(),
        rows_read: parsed.rows_read,
        chapters: count(HsLevel::Chapter),
        headings: count(HsLevel::Heading),
        subheadings: count(HsLevel::Subheading),
        summary_rows: parsed.summary_rows,
        malformed: parsed.malformed,
        edition: parsed.edition,
    })
}

struct Parsed {
    entries: BTreeMap<String, Entry>,
    rows_read: usize,
    summary_rows: usize,
    malformed: Vec<MalformedRow>,
    edition: String,
}

fn parse_csv(bytes: &[u8], shown: &str) -> Result<Parsed, HsError> {
    let format_err = |message: String| HsError::Format { path: shown.to_string(), message };
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format_err(format!("header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            format_err(format!("missing column '{name}' (expected section, hscode, description, parent, level)"))
        })
    };
    let (c_section, c_code, c_desc, c_parent, c_level) =
        (col("section")?, col("hscode")?, col("description")?, col("parent")?, col("level")?);

    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
    let mut parents: Vec<(String, String, u64)> = Vec::new();
    let mut malformed = Vec::new();
    let mut rows_read = 0usize;
    let mut summary_rows = 0usize;
    let mut edition = String::from("HS");

    for record in reader.records() {
        rows_read += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                malformed.push(MalformedRow { line, reason: format!("unreadable CSV: {e}") });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or_default();
        let needed = [c_section, c_code, c_desc, c_parent, c_level].into_iter().max().unwrap_or(0) + 1;
        if record.len() < needed {
            malformed.push(MalformedRow { line, reason: format!("{} field(s), expected {needed}", record.len()) });
            continue;
        }
        let code = field(c_code);
        let description = field(c_desc);
        if code.eq_ignore_ascii_case("TOTAL") {
            summary_rows += 1;
            if let Some(ed) = edition_of(description) {
                edition = ed;
            }
            continue;
        }
        let Ok(level_num) = field(c_level).parse::<u8>() else {
            malformed.push(MalformedRow { line, reason: format!("level '{}' is not a number", field(c_level)) });
            continue;
        };
        let Some(level) = HsLevel::of_code(code) else {
            malformed.push(MalformedRow { line, reason: format!("hscode '{code}' is not 2, 4 or 6 digits") });
            continue;
        };
        if level.digits() != level_num as usize {
            malformed.push(MalformedRow {
                line,
                reason: format!("hscode '{code}' has {} digits but level is {level_num}", code.len()),
            });
            continue;
        }
        if description.is_empty() {
            malformed.push(MalformedRow { line, reason: format!("hscode '{code}' has no description") });
            continue;
        }
        let parent = field(c_parent);
        let expected_parent = match level {
            HsLevel::Chapter => None,
            HsLevel::Heading => Some(&code[..2]),
            HsLevel::Subheading => Some(&code[..4]),
        };
        if let Some(exp) = expected_parent {
            if parent != exp {
                malformed.push(MalformedRow {
                    line,
                    reason: format!("hscode '{code}' has parent '{parent}', expected '{exp}'"),
                });
                continue;
            }
        }
        if let Some(prev) = first_line.get(code) {
            malformed.push(MalformedRow { line, reason: format!("hscode '{code}' repeats line {prev}") });
            continue;
        }
        first_line.insert(code.to_string(), line);
        if let Some(exp) = expected_parent {
            parents.push((code.to_string(), exp.to_string(), line));
        }
        entries.insert(
            code.to_string(),
            Entry {
                line: HsLine { code: code.to_string(), level, description: clean(description) },
                section: field(c_section).to_string(),
            },
        );
    }

    // A subheading whose heading is missing (or a heading without its
    // chapter) cannot show a path: refuse it. Headings go first, so that an
    // orphaned heading also takes its subheadings with it.
    parents.sort_by_key(|(code, _, _)| code.len());
    for (code, parent, line) in parents {
        if !entries.contains_key(&parent) {
            entries.remove(&code);
            malformed
                .push(MalformedRow { line, reason: format!("hscode '{code}': parent '{parent}' is not in the file") });
        }
    }
    malformed.sort_by_key(|m| m.line);
    Ok(Parsed { entries, rows_read, summary_rows, malformed, edition })
}

/// "Total of all HS2022 commodities" → "HS 2022".
fn edition_of(description: &str) -> Option<String> {
    let upper = description.to_ascii_uppercase();
    let at = upper.find("HS")?;
    let year: String = upper[at + 2..].trim_start().chars().take_while(char::is_ascii_digit).collect();
    (year.len() == 4).then(|| format!("HS {year}"))
}

/// Descriptions are stored one per line, tab-separated: keep them on one line.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn store(target: &Path, origin: &HsOrigin, entries: &BTreeMap<String, Entry>) -> Result<(), HsError> {
    let write_err = |p: &Path, source| HsError::Write { path: p.display().to_string(), source };
    let dir = target.parent().unwrap_or(Path::new("."));
    crate::lists::private_dir(dir).map_err(|e| write_err(dir, e))?;
    let tmp: PathBuf = dir.join(format!(".{NOMENCLATURE_FILE}.{}.tmp", std::process::id()));
    let mut out = String::with_capacity(entries.len() * 96);
    let meta = serde_json::to_string(origin).unwrap_or_default();
    out.push_str(&format!("{STORE_MAGIC}\t{meta}\n"));
    for e in entries.values() {
        out.push_str(&format!("{}\t{}\t{}\n", e.line.code, e.section, e.line.description));
    }
    let result = crate::lists::create_private(&tmp)
        .and_then(|mut f| {
            f.write_all(out.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, target));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(target, e));
    }
    Ok(())
}

impl Nomenclature {
    fn from_entries(entries: BTreeMap<String, Entry>, origin: HsOrigin) -> Self {
        let desc = |code: &str| entries.get(code).map(|e| e.line.description.as_str()).unwrap_or_default();
        let search: Vec<SearchRow> = entries
            .values()
            .filter(|e| e.line.level == HsLevel::Subheading)
            .map(|e| SearchRow {
                code: e.line.code.clone(),
                own: tokens(&e.line.description),
                heading: tokens(desc(e.line.code.get(..4).unwrap_or_default())),
                chapter: tokens(desc(e.line.code.get(..2).unwrap_or_default())),
                band: power_band(&e.line.description),
            })
            .collect();
        let mut df: BTreeMap<String, usize> = BTreeMap::new();
        let avg_own = search.iter().map(|r| r.own.len()).sum::<usize>() as f64 / search.len().max(1) as f64;
        for row in &search {
            let all: BTreeSet<&String> = row.own.iter().chain(&row.heading).chain(&row.chapter).collect();
            for t in all {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let by_code = search.iter().enumerate().map(|(i, r)| (r.code.clone(), i)).collect();
        Self { entries, origin, search, df, avg_own, by_code }
    }

    /// The built-in table for the chapters and headings our catalog uses.
    pub fn builtin() -> Result<Self, HsError> {
        let parsed = parse_csv(BUILTIN_HS_TABLE.as_bytes(), BUILTIN_HS_SOURCE)?;
        if let Some(m) = parsed.malformed.first() {
            return Err(HsError::Format {
                path: BUILTIN_HS_SOURCE.into(),
                message: format!("line {}: {}", m.line, m.reason),
            });
        }
        let origin = HsOrigin {
            label: "built-in HS table".into(),
            file: BUILTIN_HS_SOURCE.into(),
            imported_at_ms: 0,
            builtin: true,
        };
        Ok(Self::from_entries(parsed.entries, origin))
    }

    /// Reads a nomenclature stored by [`import_nomenclature_csv`] in
    /// `data_dir`; `Ok(None)` when none was imported.
    pub fn load(data_dir: &Path) -> Result<Option<Self>, HsError> {
        let path = data_dir.join(NOMENCLATURE_FILE);
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(HsError::Read { path: shown, source }),
        };
        let corrupt = |line: usize, what: &str| HsError::Format {
            path: shown.clone(),
            message: format!("line {line}: {what}; import the nomenclature again"),
        };
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        let meta =
            header.strip_prefix(STORE_MAGIC).map(str::trim).ok_or_else(|| corrupt(1, "not a stored nomenclature"))?;
        let origin: HsOrigin = serde_json::from_str(meta).map_err(|_| corrupt(1, "unreadable header"))?;
        let mut entries = BTreeMap::new();
        for (i, line) in lines.enumerate() {
            let mut parts = line.splitn(3, '\t');
            let (Some(code), Some(section), Some(description)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(corrupt(i + 2, "expected code, section and description"));
            };
            let level = HsLevel::of_code(code).ok_or_else(|| corrupt(i + 2, "bad code"))?;
            entries.insert(
                code.to_string(),
                Entry {
                    line: HsLine { code: code.to_string(), level, description: description.to_string() },
                    section: section.to_string(),
                },
            );
        }
        Ok(Some(Self::from_entries(entries, origin)))
    }

    pub fn origin(&self) -> &HsOrigin {
        &self.origin
    }

    pub fn is_builtin(&self) -> bool {
        self.origin.builtin
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn subheading_count(&self) -> usize {
        self.search.len()
    }

    pub fn get(&self, code: &str) -> Option<&HsLine> {
        self.entries.get(code).map(|e| &e.line)
    }

    /// The section (Roman numeral) a code belongs to.
    pub fn section(&self, code: &str) -> Option<&str> {
        self.entries.get(code).map(|e| e.section.as_str())
    }

    /// Chapter → heading → subheading for a 2, 4 or 6 digit code (longer
    /// codes are cut to six); only the levels that exist are included.
    pub fn path(&self, code: &str) -> Option<HsPath> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let code = code.get(..code.len().min(6))?;
        let mut lines = Vec::new();
        for n in [2, 4, 6] {
            let Some(prefix) = code.get(..n) else { break };
            match self.entries.get(prefix) {
                Some(e) => lines.push(e.line.clone()),
                None => break,
            }
        }
        (!lines.is_empty()).then_some(HsPath { lines })
    }

    /// Checks a code as a catalog records it (six to ten digits, dots and
    /// spaces ignored).
    pub fn check(&self, recorded: &str) -> HsCheck {
        let digits: String = recorded.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        if !(6..=10).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return HsCheck::Malformed;
        }
        let six = &digits[..6];
        let national = (digits.len() > 6).then(|| digits[6..].to_string());
        match self.path(six) {
            Some(path) if path.lines.len() == 3 => HsCheck::Known { path, national },
            nearest => HsCheck::Unknown { nearest },
        }
    }

    /// Citation of one line of this nomenclature.
    pub fn citation(&self, code: &str) -> Citation {
        Citation {
            source: format!("{}#{code}", self.origin.label),
            section: self.get(code).map(|l| format!("{code} {}", l.description)),
            chunk_id: None,
            score: None,
        }
    }

    /// Every subheading as a JSON Lines document for the knowledge index:
    /// the code goes in `sku` (so it becomes the chunk's section and sku),
    /// and the heading and chapter text go along so that a query can match a
    /// subheading through the words of its parents.
    pub fn index_document(&self) -> (String, Vec<u8>) {
        let mut out = String::with_capacity(self.search.len() * 200);
        for row in &self.search {
            let Some(path) = self.path(&row.code) else { continue };
            let [chapter, heading, sub] =
                [0, 1, 2].map(|i| path.lines.get(i).map(|l| l.description.as_str()).unwrap_or(""));
            let obj = serde_json::json!({
                "sku": row.code,
                "title": sub,
                "heading": format!("{} {heading}", row.code.get(..4).unwrap_or_default()),
                "chapter": format!("{} {chapter}", row.code.get(..2).unwrap_or_default()),
            });
            out.push_str(&obj.to_string());
            out.push('\n');
        }
        (HS_INDEX_DOCUMENT.to_string(), out.into_bytes())
    }

    /// Lexical score of one subheading for a query: IDF-weighted overlap of
    /// the query's weighted tokens, full weight for the subheading's own
    /// words (normalised by description length, so that a short exact line
    /// beats a long one that merely contains the words), less for words only
    /// its heading or chapter carries.
    pub fn lexical_score(&self, code: &str, query: &HsQuery) -> f64 {
        match self.by_code.get(code).and_then(|&i| self.search.get(i)) {
            Some(row) => self.score_row(row, query),
            None => 0.0,
        }
    }

    fn score_row(&self, row: &SearchRow, query: &HsQuery) -> f64 {
        let n = self.search.len().max(1) as f64;
        let (mut own, mut parents) = (0.0, 0.0);
        for (t, w) in &query.weights {
            let df = self.df.get(t).copied().unwrap_or(0) as f64;
            let idf = 1.0 + (n / (1.0 + df)).ln();
            if row.own.contains(t) {
                own += w * idf;
            } else if row.heading.contains(t) {
                parents += 0.6 * w * idf;
            } else if row.chapter.contains(t) {
                parents += 0.25 * w * idf;
            }
        }
        let norm = 0.6 + 0.4 * (row.own.len() as f64 / self.avg_own.max(1.0));
        let mut score = own / norm + parents;
        // A parts line answers a query about parts only.
        if row.own.contains("part") && !query.weights.contains_key("part") {
            score *= 0.5;
        }
        // Motors, generators and the like are split by output: a stated
        // wattage inside the band counts for the line, outside against it.
        if let (Some(w), Some((lo, hi))) = (query.watts, row.band) {
            if w > lo && w <= hi {
                score *= 1.5;
            } else {
                score *= 0.6;
            }
        }
        score
    }

    /// The best `n` subheadings for a query by lexical score alone: the
    /// fallback when the knowledge index cannot be asked.
    pub fn search_local(&self, query: &HsQuery, n: usize) -> Vec<(String, f64)> {
        let mut scored: Vec<(String, f64)> =
            self.search.iter().map(|r| (r.code.clone(), self.score_row(r, query))).filter(|(_, s)| *s > 0.0).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
    }
}

/// The path of a code in the built-in table, for callers without a
/// nomenclature at hand.
pub fn hs_path(code: &str) -> Option<String> {
    static BUILTIN: OnceLock<Option<Nomenclature>> = OnceLock::new();
    BUILTIN.get_or_init(|| Nomenclature::builtin().ok()).as_ref()?.path(code).map(|p| p.to_string())
}

/// The HS finding for a catalog product: its recorded code checked against
/// the nomenclature in force.
pub fn hs_finding(sku: &str, recorded: &str, nom: &Nomenclature, catalog: Citation) -> Finding {
    let label = &nom.origin().label;
    let (level, message, mut citations) = match nom.check(recorded) {
        HsCheck::Malformed => (
            RiskLevel::Review,
            format!("{sku}: the catalog records HS code '{recorded}', which is not six to ten digits; confirm the classification before shipping."),
            vec![],
        ),
        HsCheck::Known { path, national } => {
            let six = path.lines.last().map(|l| l.code.clone()).unwrap_or_default();
            let nat = match national {
                Some(n) => format!(" National digits '{n}' are not checked here; the importer's tariff decides them."),
                None => String::new(),
            };
            (
                RiskLevel::Clear,
                format!("{sku} classified under HS {recorded} ({path}), checked against the {label}.{nat}"),
                vec![nom.citation(&six)],
            )
        }
        HsCheck::Unknown { nearest } => {
            let (near, cites) = match &nearest {
                Some(p) => match p.lines.last() {
                    Some(last) => (format!(" The nearest line is {p}."), vec![nom.citation(&last.code)]),
                    None => (String::new(), vec![Citation::rule(nom.origin().file.clone())]),
                },
                None => (String::new(), vec![Citation::rule(nom.origin().file.clone())]),
            };
            let hint = if nom.is_builtin() {
                " The built-in table only covers our catalog's headings; import the full nomenclature (tradewind lists import hs) or confirm the code."
            } else {
                " Confirm the classification and correct the catalog."
            };
            (
                RiskLevel::Review,
                format!("{sku}: HS {recorded} is not a subheading of the {label}.{near}{hint}"),
                cites,
            )
        }
    };
    citations.insert(0, catalog);
    Finding { kind: "hs".into(), level, sku: Some(sku.to_string()), message, citations }
}

// ---------------------------------------------------------------- search text

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "or",
    "of",
    "the",
    "for",
    "with",
    "without",
    "to",
    "in",
    "on",
    "by",
    "not",
    "other",
    "than",
    "whether",
    "including",
    "excluding",
    "thereof",
    "kind",
    "kinds",
    "used",
    "use",
    "such",
    "as",
    "its",
    "their",
    "nec",
    "n.e.c",
    "item",
    "no",
    "heading",
    "headings",
    "subheading",
    "chapter",
    "this",
    "be",
    "is",
    "are",
    "from",
    "we",
    "our",
    "you",
    "your",
    "need",
    "want",
    "please",
    "quote",
    "pcs",
    "units",
    "unit",
    "type",
];

/// Lower-case ASCII word tokens, stop words dropped, plural "s" folded.
pub fn tokens(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for w in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').flat_map(|w| w.split('-')) {
        let w = w.to_ascii_lowercase();
        if w.len() < 2 || STOPWORDS.contains(&w.as_str()) || w.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        out.insert(fold(&w));
    }
    out
}

fn fold(w: &str) -> String {
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

#[derive(Debug, Clone, Deserialize)]
struct GlossaryFile {
    term: Vec<GlossaryTerm>,
    #[serde(default)]
    rule: Vec<HsRule>,
}

/// A rule the HS check cites by id, with its public source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsRule {
    pub id: String,
    pub statement: String,
    pub source: String,
}

/// Where the HS rules live, for citations.
pub const HS_RULES_SOURCE: &str = "knowledge/rules/hs-glossary.toml";
/// Cited when a product cannot be identified, so cannot be classified.
pub const HS_UNIDENTIFIED: &str = "HS-UNIDENTIFIED";

#[derive(Debug, Clone, Deserialize)]
struct GlossaryTerm {
    /// Trade words as customers write them (ASCII words match whole tokens,
    /// Chinese words match as substrings).
    words: Vec<String>,
    /// The nomenclature's words for the same thing.
    means: String,
    /// Words assumed, weakly, when the text does not say otherwise (a
    /// "battery" in our trade is lithium-ion unless the text names another
    /// chemistry).
    #[serde(default)]
    prior: Option<String>,
    /// HS codes (prefixes) the thing cannot be, though its words suggest
    /// them: a fuel cell is no primary cell (8506), accumulator (8507) or
    /// photovoltaic cell (8541).
    #[serde(default)]
    not: Vec<String>,
}

/// Trade words → nomenclature words, in English and Chinese.
#[derive(Debug, Clone)]
pub struct HsGlossary {
    terms: Vec<GlossaryTerm>,
    rules: Vec<HsRule>,
}

/// A free-text product description made ready for the nomenclature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HsQuery {
    /// What is sent to the knowledge index: the product's noun phrase plus
    /// the nomenclature's words for its head noun.
    pub text: String,
    /// The trade word taken as the product itself (the head noun).
    pub head: Option<String>,
    /// Token weights for the lexical ranking.
    pub weights: BTreeMap<String, f64>,
    /// A power rating the description states ("500W", "5 kW", "3千瓦"), in watts.
    pub watts: Option<f64>,
    /// HS codes (prefixes) the product cannot be, from the glossary.
    #[serde(default)]
    pub excluded: Vec<String>,
}

impl HsQuery {
    /// Whether a code is ruled out for this product.
    pub fn excludes(&self, code: &str) -> bool {
        self.excluded.iter().any(|p| code.starts_with(p.as_str()))
    }
}

/// Where the product noun phrase ends and its application begins:
/// "battery pack | for e-bikes", "throttle | with battery indicator".
const TAIL_MARKERS: &[&str] = &[" for ", " with ", " to fit ", " fits ", "(", "（", "用于", "适用", "配套"];
/// Weight of the head noun's nomenclature words, of other trade words in the
/// noun phrase, and of words describing the application.
const HEAD_WEIGHT: f64 = 2.5;
const MODIFIER_WEIGHT: f64 = 0.6;
const TAIL_WEIGHT: f64 = 0.3;
const PRIOR_WEIGHT: f64 = 0.25;

#[derive(Debug, Clone, Copy)]
struct TermMatch {
    term: usize,
    start: usize,
    end: usize,
}

/// ASCII words with their byte spans, folded like [`tokens`], stop words kept.
fn word_spans(lower: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in lower.char_indices() {
        if c.is_ascii_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((fold(&lower[s..i]), s, i));
        }
    }
    if let Some(s) = start {
        out.push((fold(&lower[s..]), s, lower.len()));
    }
    out
}

impl HsGlossary {
    pub fn parse(text: &str) -> Result<Self, HsError> {
        let f: GlossaryFile = toml::from_str(text).map_err(|e| HsError::Glossary(e.to_string()))?;
        if let Some(t) =
            f.term.iter().find(|t| t.words.iter().any(|w| w.trim().is_empty()) || t.means.trim().is_empty())
        {
            return Err(HsError::Glossary(format!("an entry has an empty word or meaning: {:?}", t.words)));
        }
        if let Some(r) = f.rule.iter().find(|r| r.source.trim().is_empty() || r.statement.trim().is_empty()) {
            return Err(HsError::Glossary(format!("rule {} needs a statement and a source", r.id)));
        }
        Ok(Self { terms: f.term, rules: f.rule })
    }

    /// The citation of one of the glossary's rules; a rule the file lacks
    /// is still cited by id, so the finding is never left without a source.
    pub fn rule_citation(&self, id: &str) -> Citation {
        Citation {
            source: format!("{HS_RULES_SOURCE}#{id}"),
            section: self.rules.iter().find(|r| r.id == id).map(|r| r.source.clone()),
            chunk_id: None,
            score: None,
        }
    }

    pub fn embedded() -> Result<Self, HsError> {
        Self::parse(HS_GLOSSARY)
    }

    /// A glossary with no words and no rules: queries pass through as
    /// written and rule citations carry the id alone.
    pub fn empty() -> Self {
        Self { terms: Vec::new(), rules: Vec::new() }
    }

    fn matches(&self, lower: &str) -> Vec<TermMatch> {
        let spans = word_spans(lower);
        let mut found: Vec<TermMatch> = Vec::new();
        for (ti, t) in self.terms.iter().enumerate() {
            for w in &t.words {
                let w = w.to_lowercase();
                if w.is_ascii() {
                    let ws: Vec<String> = word_spans(&w).into_iter().map(|x| x.0).collect();
                    if ws.is_empty() || ws.len() > spans.len() {
                        continue;
                    }
                    for i in 0..=spans.len() - ws.len() {
                        if ws.iter().enumerate().all(|(k, x)| spans[i + k].0 == *x) {
                            found.push(TermMatch { term: ti, start: spans[i].1, end: spans[i + ws.len() - 1].2 });
                        }
                    }
                } else {
                    for (pos, m) in lower.match_indices(w.as_str()) {
                        found.push(TermMatch { term: ti, start: pos, end: pos + m.len() });
                    }
                }
            }
        }
        // "灯" inside "球泡灯" says less than "球泡灯": a match lying inside a
        // longer one is dropped.
        let all = found.clone();
        found.retain(|m| {
            !all.iter().any(|o| o.start <= m.start && m.end <= o.end && (o.end - o.start) > (m.end - m.start))
        });
        found
    }

    /// Reads a product description: the head noun (the last trade word
    /// before "for", "with" or a bracket) counts most, other trade words in
    /// the noun phrase less, words about the application least. "E-bike
    /// battery pack" is a battery, "battery charger" a charger.
    pub fn query(&self, text: &str) -> HsQuery {
        let lower = text.trim().to_lowercase();
        let cut = TAIL_MARKERS.iter().filter_map(|m| lower.find(m)).min().unwrap_or(lower.len());
        let matches = self.matches(&lower);
        let head = matches.iter().filter(|m| m.end <= cut).max_by_key(|m| (m.end, m.end - m.start)).copied();
        let mut weights: BTreeMap<String, f64> = BTreeMap::new();
        let mut put = |t: String, w: f64| {
            let e = weights.entry(t).or_insert(0.0);
            if w > *e {
                *e = w;
            }
        };
        for t in tokens(&lower[..cut]) {
            put(t, 1.0);
        }
        for t in tokens(&lower[cut..]) {
            put(t, TAIL_WEIGHT);
        }
        for m in &matches {
            let term = &self.terms[m.term];
            let w = match head {
                Some(h) if h.term == m.term && h.start == m.start => HEAD_WEIGHT,
                _ if m.end <= cut => MODIFIER_WEIGHT,
                _ => TAIL_WEIGHT,
            };
            for t in tokens(&term.means) {
                put(t, w);
            }
            if let Some(prior) = &term.prior {
                for t in tokens(prior) {
                    put(t, PRIOR_WEIGHT);
                }
            }
        }
        // The index weighs every query word alike, so it is sent the product
        // itself: the noun phrase as written plus the head noun's
        // nomenclature words. The application ("for e-bikes") and other
        // modifiers would pull in every line about cycles.
        let noun_phrase = &lower[..cut];
        let text = match head {
            Some(h) => {
                let term = &self.terms[h.term];
                let prior = term.prior.as_deref().unwrap_or_default();
                format!("{} {} {}", noun_phrase.trim(), term.means, prior).trim().to_string()
            }
            None => {
                let means: Vec<&str> = matches.iter().map(|m| self.terms[m.term].means.as_str()).collect();
                format!("{} {}", noun_phrase.trim(), means.join(" ")).trim().to_string()
            }
        };
        let mut excluded: Vec<String> = Vec::new();
        for m in &matches {
            for p in &self.terms[m.term].not {
                if !excluded.contains(p) {
                    excluded.push(p.clone());
                }
            }
        }
        HsQuery {
            text,
            head: head.map(|h| lower[h.start..h.end].to_string()),
            weights,
            watts: stated_watts(&lower),
            excluded,
        }
    }

    /// The query text for the knowledge index. HS descriptions say
    /// "accumulators", not "batteries", and are English only, so without the
    /// nomenclature's words a Chinese or plain-language query finds nothing.
    pub fn expand(&self, text: &str) -> String {
        self.query(text).text
    }
}

/// Parses "1000W", "5 kW", "75kVA", "3千瓦" into watts.
fn watts_at(s: &str) -> Option<(f64, usize)> {
    let num: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    if num.is_empty() {
        return None;
    }
    let value: f64 = num.parse().ok()?;
    let rest = s[num.len()..].trim_start();
    let (mult, unit_len) = if rest.starts_with("kva") {
        (1000.0, 3)
    } else if rest.starts_with("kw") {
        (1000.0, 2)
    } else if rest.starts_with("mw") {
        (1_000_000.0, 2)
    } else if rest.starts_with("千瓦") {
        (1000.0, "千瓦".len())
    } else if rest.starts_with("va") {
        (1.0, 2)
    } else if rest.starts_with('w') || rest.starts_with('瓦') {
        (1.0, rest.chars().next().map(char::len_utf8).unwrap_or(1))
    } else {
        return None;
    };
    // "20Ah" or "5 Wh" are capacities, not power.
    let after = &rest[unit_len..];
    if after.starts_with('h') {
        return None;
    }
    Some((value * mult, s.len() - after.len()))
}

/// The first power rating stated in a (lower-case) text.
fn stated_watts(lower: &str) -> Option<f64> {
    lower
        .char_indices()
        .filter(|(i, c)| {
            c.is_ascii_digit() && (*i == 0 || !lower[..*i].ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.'))
        })
        .find_map(|(i, _)| watts_at(&lower[i..]).map(|(w, _)| w))
}

/// The output band a description states: "not exceeding 750W" is (0, 750],
/// "exceeding 750W but not exceeding 75kW" is (750, 75000], "exceeding
/// 375kW" is (375000, ∞).
fn power_band(description: &str) -> Option<(f64, f64)> {
    let d = description.to_lowercase();
    let (mut lo, mut hi) = (None, None);
    let mut from = 0;
    while let Some(at) = d[from..].find("exceeding ") {
        let start = from + at;
        let value = watts_at(&d[start + "exceeding ".len()..]).map(|(w, _)| w);
        let negated = d[..start].ends_with("not ");
        match (value, negated) {
            (Some(w), true) => hi = Some(w),
            (Some(w), false) => lo = Some(w),
            (None, _) => {}
        }
        from = start + "exceeding ".len();
    }
    match (lo, hi) {
        (None, None) => None,
        (l, h) => Some((l.unwrap_or(0.0), h.unwrap_or(f64::INFINITY))),
    }
}

/// A suggested subheading for a free-text product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HsSuggestion {
    pub code: String,
    pub description: String,
    /// "Chapter 85 … → 8507 … → 8507.60 …".
    pub path: String,
    pub path_lines: Vec<HsLine>,
    pub score: f64,
    /// Always true: a suggestion is a starting point for a broker, never a
    /// classification.
    pub needs_confirmation: bool,
    pub citations: Vec<Citation>,
}

/// A candidate from the knowledge index: a code, the index's own rank and
/// the citation of the chunk it came from.
#[derive(Debug, Clone)]
pub struct IndexCandidate {
    pub code: String,
    pub rank: usize,
    pub citation: Citation,
}

/// Orders index candidates by lexical agreement with the query (the index
/// rank breaks ties) and keeps the best `n` six-digit subheadings that this
/// nomenclature has. Candidates from an older import are dropped.
pub fn rank_suggestions(
    nom: &Nomenclature,
    query: &HsQuery,
    candidates: &[IndexCandidate],
    n: usize,
) -> Vec<HsSuggestion> {
    let mut seen = BTreeSet::new();
    let mut scored: Vec<(f64, usize, &IndexCandidate)> = candidates
        .iter()
        .filter(|c| HsLevel::of_code(&c.code) == Some(HsLevel::Subheading) && nom.get(&c.code).is_some())
        .filter(|c| !query.excludes(&c.code))
        .filter(|c| seen.insert(c.code.clone()))
        .map(|c| (nom.lexical_score(&c.code, query), c.rank, c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(n)
        .filter_map(|(score, _, c)| suggestion(nom, &c.code, score, Some(c.citation.clone())))
        .collect()
}

/// Suggestions from the nomenclature alone (no index).
pub fn local_suggestions(nom: &Nomenclature, query: &HsQuery, n: usize) -> Vec<HsSuggestion> {
    // Ask for more when some codes are ruled out, so that n remain.
    let ask = if query.excluded.is_empty() { n } else { n + 10 };
    nom.search_local(query, ask)
        .into_iter()
        .filter(|(code, _)| !query.excludes(code))
        .take(n)
        .filter_map(|(code, score)| suggestion(nom, &code, score, None))
        .collect()
}

fn suggestion(nom: &Nomenclature, code: &str, score: f64, chunk: Option<Citation>) -> Option<HsSuggestion> {
    let path = nom.path(code)?;
    let line = nom.get(code)?;
    let mut citations = vec![nom.citation(code)];
    citations.extend(chunk);
    Some(HsSuggestion {
        code: code.to_string(),
        description: line.description.clone(),
        path: path.to_string(),
        path_lines: path.lines,
        score: (score * 1000.0).round() / 1000.0,
        needs_confirmation: true,
        citations,
    })
}

/// The finding for goods we could not identify: `phrase` is the customer's
/// words for one product, `None` when the inquiry identifies no product at
/// all. Never clear, because nothing can be classified without knowing
/// what the goods are; the candidate subheadings, if any, are leads for a
/// broker and are cited next to the rule.
pub fn unidentified_finding(glossary: &HsGlossary, phrase: Option<&str>, leads: &[HsSuggestion]) -> Finding {
    let what = match phrase {
        Some(p) => format!("'{}'", p.trim()),
        None => "no product identified in the inquiry".to_string(),
    };
    let why = match phrase {
        Some(_) => "it matches nothing in our catalog that we can vouch for",
        None => "the inquiry names no product we could match",
    };
    let list: Vec<&str> = leads.iter().map(|x| x.path.as_str()).collect();
    let next = if list.is_empty() {
        "the nomenclature offers no candidate; a customs broker must classify it before any quote".to_string()
    } else {
        format!("candidate HS subheadings for a customs broker to confirm: {}", list.join(" | "))
    };
    let mut citations = vec![glossary.rule_citation(HS_UNIDENTIFIED)];
    for c in leads.iter().flat_map(|x| x.citations.iter()) {
        if !citations.contains(c) {
            citations.push(c.clone());
        }
    }
    Finding {
        kind: "hs".into(),
        level: RiskLevel::Review,
        sku: None,
        message: format!("cannot classify: {what}; {why} ({HS_UNIDENTIFIED}); {next}."),
        citations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_covers_the_catalogs_headings() {
        let n = Nomenclature::builtin().unwrap();
        for code in ["850760", "871160", "850440", "940542", "853952", "851310", "871494"] {
            assert!(matches!(n.check(code), HsCheck::Known { .. }), "{code}");
        }
        assert!(hs_path("850760").unwrap().contains("8507"));
    }

    #[test]
    fn edition_comes_from_the_total_row() {
        assert_eq!(edition_of("Total of all HS2022 commodities").as_deref(), Some("HS 2022"));
        assert_eq!(edition_of("Grand total"), None);
    }

    #[test]
    fn power_figures_and_bands_are_read() {
        assert_eq!(stated_watts("48v 1000w direct-drive hub motor"), Some(1000.0));
        assert_eq!(stated_watts("5 kw hybrid inverter"), Some(5000.0));
        assert_eq!(stated_watts("3千瓦离网逆变器"), Some(3000.0));
        assert_eq!(stated_watts("48v 20ah battery, 960 wh"), None);
        assert_eq!(
            power_band("Electric motors and generators; DC, of an output exceeding 750W but not exceeding 75kW"),
            Some((750.0, 75000.0))
        );
        assert_eq!(power_band("Electric motors; of an output not exceeding 37.5W"), Some((0.0, 37.5)));
        assert_eq!(
            power_band("Generators; AC generators, of an output exceeding 750kVA"),
            Some((750000.0, f64::INFINITY))
        );
        assert_eq!(power_band("Electrical static converters"), None);
    }

    #[test]
    fn tokens_fold_plurals_and_drop_stop_words() {
        let t = tokens("Electric accumulators; lithium-ion, other than batteries");
        assert!(t.contains("accumulator") && t.contains("lithium") && t.contains("ion") && t.contains("battery"));
        assert!(!t.contains("other") && !t.contains("than"));
    }
}
