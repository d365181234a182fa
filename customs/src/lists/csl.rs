//! The US Consolidated Screening List CSV. Two layouts are in use: the 2019
//! one (28 columns, starting `source,entity_number,type,programs,name`) and
//! the current one with a leading `_id` (29 columns). The header tells them
//! apart; columns are then found by name. Alternative names and programs
//! are `;`-separated; an address ends with its ISO country code.

use std::collections::HashMap;
use std::path::Path;

use super::read::{read_file, rows};
use super::{add_country, countries, Entity, FileRows, ListError, MalformedRow, Parsed};

pub(super) fn parse(path: &Path) -> Result<Parsed, ListError> {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("csl.csv").to_string();
    let all = rows(&read_file(path)?, b',');
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
