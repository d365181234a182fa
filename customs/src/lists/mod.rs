//! Screening lists: importers for the real list formats and the local index
//! they are kept in.
//!
//! Three lists are read: the OFAC SDN list, in its XML form (`sdn.xml`) or
//! its legacy CSV form (`sdn.csv`, with aliases in `alt.csv` and addresses
//! in `add.csv` beside it); the US Consolidated Screening List, as JSON or
//! CSV (the 2019 layout and the current one with a leading `_id`); and the
//! BIS Denied Persons List (tab-separated).
//!
//! A list is only as good as its date. The SDN XML, the CSL JSON and the
//! DPL say when they were published and the date is read from the file; the
//! legacy CSV files say nothing, so their import needs the date given
//! (`--list-date`) rather than one guessed from the file's modification
//! time. Each import becomes one file in the lists folder,
//! `<source>.list.json`, holding the entities (name, type, aliases,
//! countries, programs, source list), the list's date and what the import
//! counted. Several lists coexist; screening consults all of them.
//!
//! Rows that cannot be read are counted and reported with their line
//! numbers. An import is written to a temporary file and renamed into place,
//! so one that fails (unreadable, unknown layout, too many malformed rows)
//! leaves the previous list in force.

pub mod countries;
mod csl;
pub mod date;
mod dpl;
mod ofac;
mod ofac_xml;
mod read;
pub mod xml;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Version of the list file layout; files of another version are refused.
pub const FORMAT_VERSION: u32 = 1;
/// File name suffix of imported lists inside the lists folder.
pub const LIST_SUFFIX: &str = ".list.json";
/// The import formats `import` accepts.
pub const FORMATS: &[&str] = &["ofac-sdn", "ofac-sdn-xml", "csl", "dpl"];
/// An import with a larger share of malformed rows than this fails: the
/// file is more likely the wrong file or truncated than a list with a few
/// bad lines.
pub const MAX_MALFORMED_SHARE: f64 = 0.01;

/// One listed party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// The list's own id (OFAC ent_num, CSL entity_number or `_id`), or
    /// `L<line>` when the list has none.
    pub id: String,
    pub name: String,
    /// individual, entity, vessel, aircraft, when the list says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 codes from addresses, nationalities and flags.
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub programs: Vec<String>,
    /// The list the entry is on ("OFAC SDN", "CSL EL", "BIS DPL").
    pub list: String,
}

/// Rows read from one input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRows {
    pub file: String,
    pub rows: usize,
}

/// A row that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MalformedRow {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// An imported list as kept on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListFile {
    pub format_version: u32,
    /// File stem in the lists folder; a new import of the same source
    /// replaces the old one ("ofac-sdn", "csl", "bis-dpl").
    pub source: String,
    /// Human name of the source ("OFAC SDN (legacy CSV)").
    pub title: String,
    pub format: String,
    /// The list's publication date, `YYYY-MM-DD`.
    pub list_date: String,
    /// Where the list date came from.
    pub list_date_from: String,
    pub imported_at: String,
    pub imported_from: String,
    pub files: Vec<FileRows>,
    pub malformed: Vec<MalformedRow>,
    /// Remarks on the import that are not errors (a missing alt.csv,
    /// countries that could not be resolved, a date in the future).
    #[serde(default)]
    pub notes: Vec<String>,
    pub entities: Vec<Entity>,
}

impl ListFile {
    pub fn alias_count(&self) -> usize {
        self.entities.iter().map(|e| e.aliases.len()).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("unknown list format '{0}': use ofac-sdn, csl or dpl")]
    UnknownFormat(String),
    #[error("{path}: {what} carries no list date; give it on import (--list-date YYYY-MM-DD), from the list's publication notice")]
    NoListDate { path: String, what: String },
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
    #[error("{path}: {count} of {rows} rows are malformed (more than {limit}%); the previous list stays in force. First: {first}")]
    TooManyMalformed { path: String, count: usize, rows: usize, limit: f64, first: String },
    #[error("list file {path}: {message}")]
    Corrupt { path: String, message: String },
}

/// What an import did: the list's metadata (without the entities) and where
/// it was written.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub source: String,
    pub title: String,
    pub format: String,
    pub list_date: String,
    pub list_date_from: String,
    pub files: Vec<FileRows>,
    pub entities: usize,
    pub aliases: usize,
    pub with_countries: usize,
    pub malformed: Vec<MalformedRow>,
    pub notes: Vec<String>,
    pub written: PathBuf,
    pub elapsed_ms: u128,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "imported {} ({}) as '{}'", self.title, self.format, self.source)?;
        writeln!(f, "  list date {} ({})", self.list_date, self.list_date_from)?;
        for r in &self.files {
            writeln!(f, "  {}: {} rows", r.file, r.rows)?;
        }
        writeln!(f, "  {} entities, {} aliases, {} with countries", self.entities, self.aliases, self.with_countries)?;
        writeln!(f, "  malformed rows: {}", self.malformed.len())?;
        for m in self.malformed.iter().take(50) {
            writeln!(f, "    {} line {}: {}", m.file, m.line, m.message)?;
        }
        if self.malformed.len() > 50 {
            writeln!(f, "    … and {} more (all are kept in the list file)", self.malformed.len() - 50)?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        writeln!(f, "  written to {} in {} ms", self.written.display(), self.elapsed_ms)
    }
}

/// How an import treats what it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The list's publication date (`YYYY-MM-DD`), overriding the date the
    /// file gives or implies.
    pub list_date: Option<String>,
    /// The largest share of malformed rows an import accepts.
    pub max_malformed_share: f64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { list_date: None, max_malformed_share: MAX_MALFORMED_SHARE }
    }
}

/// Reads a list in `format` from `path` without writing anything.
/// `list_date` (`YYYY-MM-DD`) overrides the date the file gives or implies.
pub fn parse(format: &str, path: &Path, list_date: Option<&str>) -> Result<ListFile, ListError> {
    parse_with(format, path, &ImportOptions { list_date: list_date.map(String::from), ..ImportOptions::default() })
}

/// As [`parse`], with options.
pub fn parse_with(format: &str, path: &Path, opts: &ImportOptions) -> Result<ListFile, ListError> {
    let list_date = opts.list_date.as_deref();
    let override_date = match list_date {
        Some(d) => Some(date::normalize(d).ok_or_else(|| ListError::Format {
            path: path.display().to_string(),
            message: format!("list date '{d}' is not a date (YYYY-MM-DD)"),
        })?),
        None => None,
    };
    let parsed = match format {
        "ofac-sdn-xml" | "sdn-xml" => ofac_xml::parse(path)?,
        "ofac-sdn" | "sdn" | "ofac" if is_xml(path) => ofac_xml::parse(path)?,
        "ofac-sdn" | "sdn" | "ofac" => ofac::parse(path)?,
        "csl" => csl::parse(path)?,
        "dpl" | "bis-dpl" => dpl::parse(path)?,
        other => return Err(ListError::UnknownFormat(other.to_string())),
    };
    let data_rows: usize = parsed.files.iter().map(|f| f.rows).sum();
    let limit = opts.max_malformed_share * 100.0;
    if parsed.entities.is_empty() {
        return Err(ListError::Format { path: path.display().to_string(), message: "no entries could be read".into() });
    }
    if parsed.malformed.len() as f64 > data_rows as f64 * opts.max_malformed_share {
        let first = parsed
            .malformed
            .iter()
            .take(5)
            .map(|m| format!("{} line {}: {}", m.file, m.line, m.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ListError::TooManyMalformed {
            path: path.display().to_string(),
            count: parsed.malformed.len(),
            rows: data_rows,
            limit,
            first,
        });
    }
    let notes = parsed.notes;
    let (list_date, list_date_from) = match (override_date, parsed.list_date) {
        (Some(d), _) => (d, "given on import".to_string()),
        (None, Some((d, from))) => (d, from),
        // A file's modification time says when it was copied, not when the
        // list was published: a 2019 list would pass for a current one.
        (None, None) => {
            return Err(ListError::NoListDate { path: path.display().to_string(), what: parsed.title.to_string() })
        }
    };
    Ok(ListFile {
        format_version: FORMAT_VERSION,
        source: parsed.source.to_string(),
        title: parsed.title.to_string(),
        format: format.to_string(),
        list_date,
        list_date_from,
        imported_at: date::today(),
        imported_from: path.display().to_string(),
        files: parsed.files,
        malformed: parsed.malformed,
        notes,
        entities: parsed.entities,
    })
}

/// Imports a list into `lists_dir`, replacing the previous import of the
/// same source only once the new one is complete.
pub fn import(format: &str, path: &Path, lists_dir: &Path, list_date: Option<&str>) -> Result<ImportReport, ListError> {
    import_with(
        format,
        path,
        lists_dir,
        &ImportOptions { list_date: list_date.map(String::from), ..ImportOptions::default() },
    )
}

/// As [`import`], with options.
pub fn import_with(
    format: &str,
    path: &Path,
    lists_dir: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ListError> {
    let started = Instant::now();
    let list = parse_with(format, path, opts)?;
    let written = store(&list, lists_dir)?;
    Ok(ImportReport {
        source: list.source.clone(),
        title: list.title.clone(),
        format: list.format.clone(),
        list_date: list.list_date.clone(),
        list_date_from: list.list_date_from.clone(),
        files: list.files.clone(),
        entities: list.entities.len(),
        aliases: list.alias_count(),
        with_countries: list.entities.iter().filter(|e| !e.countries.is_empty()).count(),
        malformed: list.malformed.clone(),
        notes: list.notes.clone(),
        written,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Creates a folder (and its parents) the owner alone may read: 0700, like
/// every folder Tradewind writes.
pub(crate) fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Creates (or truncates) a file the owner alone may read: 0600.
pub(crate) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).write(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Writes a list file atomically: a temporary file in the same folder,
/// renamed over the old one. Owner-only (0600): lists name people.
pub fn store(list: &ListFile, lists_dir: &Path) -> Result<PathBuf, ListError> {
    let werr = |p: &Path| {
        let p = p.display().to_string();
        move |source| ListError::Write { path: p, source }
    };
    private_dir(lists_dir).map_err(werr(lists_dir))?;
    let target = lists_dir.join(format!("{}{LIST_SUFFIX}", list.source));
    let tmp = lists_dir.join(format!(".{}{LIST_SUFFIX}.tmp-{}", list.source, std::process::id()));
    let bytes = serde_json::to_vec(list)
        .map_err(|e| ListError::Write { path: tmp.display().to_string(), source: std::io::Error::other(e) })?;
    let result = create_private(&tmp)
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, &bytes)?;
            f.sync_all()
        })
        .map_err(werr(&tmp))
        .and_then(|()| std::fs::rename(&tmp, &target).map_err(werr(&target)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| target)
}

/// Every imported list in `lists_dir` (sorted by source); an empty vector
/// when the folder does not exist or holds none.
pub fn load_dir(lists_dir: &Path) -> Result<Vec<ListFile>, ListError> {
    let entries = match std::fs::read_dir(lists_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(ListError::Read { path: lists_dir.display().to_string(), source }),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(LIST_SUFFIX) && !n.starts_with('.'))
        })
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}

pub fn load_file(path: &Path) -> Result<ListFile, ListError> {
    let bytes = std::fs::read(path).map_err(|source| ListError::Read { path: path.display().to_string(), source })?;
    let list: ListFile = serde_json::from_slice(&bytes)
        .map_err(|e| ListError::Corrupt { path: path.display().to_string(), message: e.to_string() })?;
    if list.format_version != FORMAT_VERSION {
        return Err(ListError::Corrupt {
            path: path.display().to_string(),
            message: format!(
                "layout version {} (this build reads {FORMAT_VERSION}); import the list again",
                list.format_version
            ),
        });
    }
    Ok(list)
}

/// Whether a file starts like an XML document (or is named like one).
fn is_xml(path: &Path) -> bool {
    if path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
        return true;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).unwrap_or(0);
    head[..n].iter().copied().find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF)) == Some(b'<')
}

/// What an importer hands back.
struct Parsed {
    source: &'static str,
    title: &'static str,
    entities: Vec<Entity>,
    files: Vec<FileRows>,
    malformed: Vec<MalformedRow>,
    notes: Vec<String>,
    /// The date the file itself gives, and from where.
    list_date: Option<(String, String)>,
}

/// Adds a country code once.
fn add_country(countries: &mut Vec<String>, code: &str) {
    if !countries.iter().any(|c| c == code) {
        countries.push(code.to_string());
    }
}
