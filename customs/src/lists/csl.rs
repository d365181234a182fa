//! The US Consolidated Screening List. The CSV comes in two layouts: the
//! 2019 one (28 columns, starting `source,entity_number,type,programs,name`)
//! and the current one with a leading `_id` (29 columns). The header tells
//! them apart; columns are then found by name. Alternative names and
//! programs are `;`-separated; an address ends with its ISO country code.
//! Neither CSV says when it was published.
//!
//! The JSON download (`consolidated.json`) holds the same parties under
//! `results`, with lists where the CSV has `;`, and names its sources under
//! `sources_used`, each with the date it was last imported and updated: the
//! latest of those is the list's date.

use std::collections::HashMap;
use std::path::Path;

use super::read::{read_file, rows};
use super::{add_country, countries, date, Entity, FileRows, ListError, MalformedRow, Parsed};

pub(super) fn parse(path: &Path) -> Result<Parsed, ListError> {
    let bytes = read_file(path)?;
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    if matches!(first, Some(b'{' | b'[')) {
        return parse_json(path, &bytes);
    }
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("csl.csv").to_string();
    let all = rows(&bytes, b',');
    let fmt_err = |message: String| ListError::Format { path: path.display().to_string(), message };
    let mut iter = all.iter();
    let header = match iter.next() {
        Some(Ok(h)) => h,
        Some(Err((line, msg))) => return Err(fmt_err(format!("line {line}: unreadable header: {msg}"))),
        None => return Err(fmt_err("the file is empty".into())),
    };
    let cols: HashMap<&str, usize> =
        header.fields.iter().enumerate().map(|(i, h)| (h.trim_start_matches('\u{feff}'), i)).collect();
    let layout = match header.fields.first().map(String::as_str) {
        Some("_id") => "current (leading _id)",
        Some("source") => "2019",
        _ => {
            return Err(fmt_err(format!(
                "line {}: not a Consolidated Screening List header (expected it to start with '_id' or 'source')",
                header.line
            )))
        }
    };
    for required in ["source", "name"] {
        if !cols.contains_key(required) {
            return Err(fmt_err(format!("header has no '{required}' column")));
        }
    }
    let col = |name: &str| cols.get(name).copied();
    let width = header.fields.len();
    let mut entities = Vec::new();
    let mut malformed = Vec::new();
    let mut data_rows = 0usize;
    for r in iter {
        data_rows += 1;
        let row = match r {
            Ok(row) => row,
            Err((line, msg)) => {
                malformed.push(MalformedRow { file: file.clone(), line: *line, message: msg.clone() });
                continue;
            }
        };
        let f = &row.fields;
        if f.len() != width {
            malformed.push(MalformedRow {
                file: file.clone(),
                line: row.line,
                message: format!("expected {width} fields, found {}", f.len()),
            });
            continue;
        }
        let get = |name: &str| col(name).and_then(|i| f.get(i)).map(String::as_str).unwrap_or("");
        let name = clean_name(get("name"));
        if name.is_empty() {
            malformed.push(MalformedRow { file: file.clone(), line: row.line, message: "empty name".into() });
            continue;
        }
        let id = [get("entity_number"), get("_id")]
            .into_iter()
            .find(|s| !s.is_empty())
            .map(String::from)
            .unwrap_or_else(|| format!("L{}", row.line));
        let mut e = Entity {
            id,
            name,
            kind: Some(get("type").to_lowercase()).filter(|k| !k.is_empty()),
            aliases: split(get("alt_names")).map(clean_name).filter(|a| !a.is_empty()).collect(),
            countries: Vec::new(),
            programs: split(get("programs")).map(String::from).collect(),
            list: format!("CSL {}", list_code(get("source"))),
        };
        for address in split(get("addresses")) {
            if let Some(code) = address.rsplit(',').next().and_then(|c| countries::country_code(c.trim())) {
                add_country(&mut e.countries, code);
            }
        }
        for field in ["citizenships", "nationalities", "vessel_flag"] {
            for c in get(field).split([';', ',']) {
                if let Some(code) = countries::country_code(c.trim()) {
                    add_country(&mut e.countries, code);
                }
            }
        }
        entities.push(e);
    }
    Ok(Parsed {
        source: "csl",
        title: "US Consolidated Screening List",
        entities,
        files: vec![FileRows { file, rows: data_rows }],
        malformed,
        notes: vec![format!("layout: {layout}")],
        list_date: None,
    })
}

/// The JSON download: `{"results": [...], "sources_used": [...]}`, or a bare
/// array of results.
fn parse_json(path: &Path, bytes: &[u8]) -> Result<Parsed, ListError> {
    use serde_json::Value;
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("consolidated.json").to_string();
    let fmt_err = |message: String| ListError::Format { path: path.display().to_string(), message };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| fmt_err(format!("not JSON: {e}")))?;
    let results = match &doc {
        Value::Array(a) => a,
        Value::Object(o) => o
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| fmt_err("no 'results' array: not a Consolidated Screening List JSON file".into()))?,
        _ => return Err(fmt_err("not a Consolidated Screening List JSON file".into())),
    };
    // A field as a list of strings, whether the file writes a list or one
    // `;`-separated string.
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.trim().to_string()),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .collect(),
            Some(Value::String(s)) => split(s).map(String::from).collect(),
            _ => Vec::new(),
        }
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::trim).unwrap_or("").to_string();
    let mut entities = Vec::new();
    let mut malformed = Vec::new();
    for (k, r) in results.iter().enumerate() {
        // Records have no line of their own: number them from 1.
        let line = k as u64 + 1;
        let name = clean_name(&text(r.get("name")));
        if name.is_empty() {
            malformed.push(MalformedRow { file: file.clone(), line, message: format!("result {line}: empty name") });
            continue;
        }
        let id = [text(r.get("entity_number")), text(r.get("id")), text(r.get("_id"))]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_else(|| format!("R{line}"));
        let mut e = Entity {
            id,
            name,
            kind: Some(text(r.get("type")).to_lowercase()).filter(|k| !k.is_empty()),
            aliases: strings(r.get("alt_names")).iter().map(|a| clean_name(a)).filter(|a| !a.is_empty()).collect(),
            countries: Vec::new(),
            programs: strings(r.get("programs")),
            list: format!("CSL {}", list_code(&text(r.get("source")))),
        };
        if let Some(Value::Array(addrs)) = r.get("addresses") {
            for a in addrs {
                let c = match a {
                    Value::Object(o) => text(o.get("country")),
                    Value::String(s) => s.rsplit(',').next().unwrap_or("").trim().to_string(),
                    _ => String::new(),
                };
                if let Some(code) = countries::country_code(&c) {
                    add_country(&mut e.countries, code);
                }
            }
        }
        for field in ["citizenships", "nationalities"] {
            for c in strings(r.get(field)) {
                if let Some(code) = countries::country_code(&c) {
                    add_country(&mut e.countries, code);
                }
            }
        }
        if let Some(code) = countries::country_code(&text(r.get("vessel_flag"))) {
            add_country(&mut e.countries, code);
        }
        entities.push(e);
    }
    let mut latest: Option<(jiff::civil::Date, &str)> = None;
    if let Some(Value::Array(sources)) = doc.get("sources_used") {
        for s in sources {
            for (field, label) in
                [("last_imported", "latest last_imported"), ("source_last_updated", "latest source_last_updated")]
            {
                let raw = text(s.get(field));
                // "2023-08-11T09:14:05.000+00:00": the date part.
                if let Some(d) = date::parse(raw.get(..10).unwrap_or(&raw)) {
                    if latest.is_none_or(|(l, _)| d > l) {
                        latest = Some((d, label));
                    }
                }
            }
        }
    }
    Ok(Parsed {
        source: "csl",
        title: "US Consolidated Screening List",
        entities,
        files: vec![FileRows { file, rows: results.len() }],
        malformed,
        notes: vec!["layout: JSON".into()],
        list_date: latest.map(|(d, label)| (d.to_string(), format!("{label} of the sources_used in the file"))),
    })
}

fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|p| !p.is_empty())
}

/// Names of the ISN list carry a rider ("…; and any successor, sub-unit, or
/// subsidiary thereof") that is not part of the name.
fn clean_name(s: &str) -> String {
    let s = s.trim();
    let cut = s.to_ascii_lowercase().find("; and any successor").unwrap_or(s.len());
    s[..cut].trim().to_string()
}

/// `Entity List (EL) - Bureau of Industry and Security` → `EL`.
fn list_code(source: &str) -> String {
    let code = source.rsplit_once('(').and_then(|(_, rest)| rest.split_once(')')).map(|(c, _)| c.trim());
    match code {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => source.split(" - ").next().unwrap_or(source).trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_codes_and_names() {
        assert_eq!(list_code("Entity List (EL) - Bureau of Industry and Security"), "EL");
        assert_eq!(list_code("Military End User (MEU) List - Bureau of Industry and Security"), "MEU");
        assert_eq!(
            clean_name("Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof"),
            "Sinobright Import and Export Company"
        );
    }
}
