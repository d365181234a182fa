//! The OFAC SDN list in its legacy CSV form: `sdn.csv` (no header: ent_num,
//! SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
//! Vess_flag, Vess_owner, Remarks), `alt.csv` beside it (ent_num, alt_num,
//! alt_type, alt_name, alt_remarks) and `add.csv` (ent_num, add_num,
//! address, city/state/postal, country, add_remarks). `-0-` is an empty
//! field; several programs are written `SDGT] [IRGC`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::read::{read_file, rows};
use super::{add_country, countries, Entity, FileRows, ListError, MalformedRow, Parsed};

const LIST: &str = "OFAC SDN";

pub(super) fn parse(path: &Path) -> Result<Parsed, ListError> {
    let sdn_path = if path.is_dir() { path.join("sdn.csv") } else { path.to_path_buf() };
    let dir = sdn_path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let sdn_name = file_name(&sdn_path);
    let mut malformed = Vec::new();
    let mut notes = Vec::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();

    let sdn_rows = rows(&read_file(&sdn_path)?, b',');
    let mut bad = |file: &str, line: u64, message: String| {
        malformed.push(MalformedRow { file: file.to_string(), line, message });
    };
    for r in &sdn_rows {
        let row = match r {
            Ok(row) => row,
            Err((line, msg)) => {
                bad(&sdn_name, *line, msg.clone());
                continue;
            }
        };
        let f = &row.fields;
        if f.len() != 12 {
            bad(&sdn_name, row.line, format!("expected 12 fields, found {}", f.len()));
            continue;
        }
        if f[0].is_empty() || !f[0].bytes().all(|b| b.is_ascii_digit()) {
            bad(&sdn_name, row.line, format!("ent_num '{}' is not a number", f[0]));
            continue;
        }
        if f[1].is_empty() {
            bad(&sdn_name, row.line, "empty SDN_Name".into());
            continue;
        }
        if by_id.contains_key(&f[0]) {
            bad(&sdn_name, row.line, format!("ent_num {} appears twice", f[0]));
            continue;
        }
        let mut e = Entity {
            id: f[0].clone(),
            name: f[1].clone(),
            // OFAC leaves the type of companies and organisations empty.
            kind: Some(if f[2].is_empty() { "entity".to_string() } else { f[2].to_lowercase() }),
            aliases: Vec::new(),
            countries: Vec::new(),
            programs: programs(&f[3]),
            list: LIST.into(),
        };
        if let Some(code) = countries::country_code(&f[9]) {
            add_country(&mut e.countries, code);
        }
        by_id.insert(f[0].clone(), entities.len());
        entities.push(e);
    }
    let mut files = vec![FileRows { file: sdn_name.clone(), rows: sdn_rows.len() }];

    let alt_path = dir.join("alt.csv");
    if alt_path.exists() {
        let alt_rows = rows(&read_file(&alt_path)?, b',');
        for r in &alt_rows {
            let row = match r {
                Ok(row) => row,
                Err((line, msg)) => {
                    bad("alt.csv", *line, msg.clone());
                    continue;
                }
            };
            let f = &row.fields;
            if f.len() != 5 {
                bad("alt.csv", row.line, format!("expected 5 fields, found {}", f.len()));
                continue;
            }
            let Some(&k) = by_id.get(&f[0]) else {
                bad("alt.csv", row.line, format!("alias of unknown ent_num '{}'", f[0]));
                continue;
            };
            if f[3].is_empty() {
                bad("alt.csv", row.line, "empty alt_name".into());
                continue;
            }
            entities[k].aliases.push(f[3].clone());
        }
        files.push(FileRows { file: "alt.csv".into(), rows: alt_rows.len() });
    } else {
        notes.push(format!("no alt.csv beside {}: aliases not imported", sdn_path.display()));
    }

    let add_path = dir.join("add.csv");
    if add_path.exists() {
        let add_rows = rows(&read_file(&add_path)?, b',');
        let mut unresolved: HashMap<String, usize> = HashMap::new();
        for r in &add_rows {
            let row = match r {
                Ok(row) => row,
                Err((line, msg)) => {
                    bad("add.csv", *line, msg.clone());
                    continue;
                }
            };
            let f = &row.fields;
            if f.len() != 6 {
                bad("add.csv", row.line, format!("expected 6 fields, found {}", f.len()));
                continue;
            }
            let Some(&k) = by_id.get(&f[0]) else {
                bad("add.csv", row.line, format!("address of unknown ent_num '{}'", f[0]));
                continue;
            };
            match countries::country_code(&f[4]) {
                Some(code) => add_country(&mut entities[k].countries, code),
                None if f[4].is_empty() || f[4].eq_ignore_ascii_case("undetermined") => {}
                None => *unresolved.entry(f[4].clone()).or_default() += 1,
            }
        }
        files.push(FileRows { file: "add.csv".into(), rows: add_rows.len() });
        let mut unresolved: Vec<_> = unresolved.into_iter().collect();
        unresolved.sort();
        for (name, n) in unresolved {
            notes.push(format!("add.csv: country '{name}' ({n} addresses) is not a known country name"));
        }
    } else {
        notes.push(format!("no add.csv beside {}: countries only from vessel flags", sdn_path.display()));
    }

    Ok(Parsed {
        source: "ofac-sdn",
        title: "OFAC SDN (legacy CSV)",
        entities,
        files,
        malformed,
        notes,
        list_date: None,
    })
}

fn file_name(p: &Path) -> String {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("sdn.csv").to_string()
}

/// `SDGT] [IRGC` → [SDGT, IRGC].
fn programs(field: &str) -> Vec<String> {
    field
        .split("] [")
        .map(|p| p.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()))
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_split() {
        assert_eq!(programs("SDGT] [IRGC"), vec!["SDGT", "IRGC"]);
        assert_eq!(programs(""), Vec::<String>::new());
    }
}
