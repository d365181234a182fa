//! The BIS Denied Persons List: tab-separated with quoted fields and a
//! header (Name, Street_Address, City, State, Country, Postal_Code,
//! Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action,
//! FR_Citation). A name may carry its aliases ("FUYI SUN A/K/A FRANK SUN").
//! The list's date is its latest `Last_Update` that is not in the future.

use std::collections::HashMap;
use std::path::Path;

use super::read::{read_file, rows};
use super::{countries, date, Entity, FileRows, ListError, MalformedRow, Parsed};

const LIST: &str = "BIS DPL";

pub(super) fn parse(path: &Path) -> Result<Parsed, ListError> {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("dpl.txt").to_string();
    let all = rows(&read_file(path)?, b'\t');
    let fmt_err = |message: String| ListError::Format { path: path.display().to_string(), message };
    let mut iter = all.iter();
    let header = match iter.next() {
        Some(Ok(h)) => h,
        Some(Err((line, msg))) => return Err(fmt_err(format!("line {line}: unreadable header: {msg}"))),
        None => return Err(fmt_err("the file is empty".into())),
    };
    let cols: HashMap<String, usize> =
        header.fields.iter().enumerate().map(|(i, h)| (h.to_ascii_lowercase(), i)).collect();
    if header.fields.len() < 2 || !cols.contains_key("name") || !cols.contains_key("country") {
        return Err(fmt_err(format!(
            "line {}: not a Denied Persons List header (expected tab-separated Name … Country …)",
            header.line
        )));
    }
    let width = header.fields.len();
    let today = date::today_date();
    let mut latest = None;
    let mut future = Vec::new();
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
                message: format!("expected {width} tab-separated fields, found {}", f.len()),
            });
            continue;
        }
        let get = |name: &str| cols.get(name).and_then(|&i| f.get(i)).map(String::as_str).unwrap_or("");
        let mut names = split_aka(get("name"));
        if names.is_empty() {
            malformed.push(MalformedRow { file: file.clone(), line: row.line, message: "empty Name".into() });
            continue;
        }
        for field in ["last_update", "effective_date"] {
            if let Some(d) = date::parse(get(field)) {
                if d > today {
                    future.push(format!("line {}: {} {}", row.line, field, get(field)));
                } else {
                    latest = latest.max(Some(d));
                }
            }
        }
        let name = names.remove(0);
        let country = countries::country_code(get("country"));
        entities.push(Entity {
            id: format!("L{}", row.line),
            name,
            kind: None,
            aliases: names,
            countries: country.map(|c| vec![c.to_string()]).unwrap_or_default(),
            programs: Vec::new(),
            list: LIST.into(),
        });
    }
    let mut notes = Vec::new();
    if !future.is_empty() {
        notes.push(format!("dates in the future ignored for the list date: {}", future.join("; ")));
    }
    Ok(Parsed {
        source: "bis-dpl",
        title: "BIS Denied Persons List",
        entities,
        files: vec![FileRows { file, rows: data_rows }],
        malformed,
        notes,
        list_date: latest.map(|d| (d.to_string(), "latest Last_Update in the file".to_string())),
    })
}

/// `FUYI SUN A/K/A FRANK SUN` → [FUYI SUN, FRANK SUN].
fn split_aka(name: &str) -> Vec<String> {
    let upper = name.to_ascii_uppercase();
    let mut out = Vec::new();
    let mut rest = 0;
    for (i, _) in upper.match_indices("A/K/A") {
        out.push(name[rest..i].trim().trim_end_matches(',').trim().to_string());
        rest = i + "A/K/A".len();
    }
    out.push(name[rest..].trim().to_string());
    out.retain(|n| !n.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aka_splits() {
        assert_eq!(split_aka("FUYI SUN A/K/A FRANK SUN"), vec!["FUYI SUN", "FRANK SUN"]);
        assert_eq!(split_aka(" I. ASH"), vec!["I. ASH"]);
    }
}
