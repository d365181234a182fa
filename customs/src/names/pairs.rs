//! Labelled name pairs (the name-benchmark layout: columns `name1`, `name2`,
//! `is_match`, any others ignored) for measuring screening quality.

use std::path::Path;

/// One labelled pair.
#[derive(Debug, Clone, PartialEq)]
pub struct NamePair {
    pub name1: String,
    pub name2: String,
    pub is_match: bool,
    /// Line of the pair in its file.
    pub line: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PairsError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Reads labelled pairs; a row whose label is not true or false is an
/// error naming its line.
pub fn read_pairs(path: &Path) -> Result<Vec<NamePair>, PairsError> {
    let bad = |message: String| PairsError::Invalid { path: path.display().to_string(), message };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| bad(format!("no '{name}' column")))
    };
    let (c1, c2, cm) = (col("name1")?, col("name2")?, col("is_match")?);
    let mut pairs = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |i: usize| rec.get(i).map(str::trim).unwrap_or("");
        let is_match = match get(cm).to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "t" => true,
            "false" | "0" | "no" | "n" | "f" => false,
            other => return Err(bad(format!("line {line}: is_match '{other}' is not true or false"))),
        };
        pairs.push(NamePair { name1: get(c1).to_string(), name2: get(c2).to_string(), is_match, line });
    }
    if pairs.is_empty() {
        return Err(bad("no pairs".into()));
    }
    Ok(pairs)
}
