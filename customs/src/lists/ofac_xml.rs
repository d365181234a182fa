//! The OFAC SDN list in its XML form (`sdn.xml`): one `sdnEntry` per listed
//! party with `uid`, `firstName`/`lastName`, `sdnType`, `programList`,
//! `akaList`, `addressList`, `nationalityList`, `citizenshipList` and
//! `vesselInfo`. Unlike the legacy CSV it carries its own publication date,
//! `publshInformation/Publish_Date` (OFAC's spelling), as `MM/DD/YYYY`.
//! Names are written as the CSV writes them: "LAST, First" for people.

use std::path::Path;

use super::read::read_file;
use super::xml::{Event, Reader};
use super::{add_country, countries, date, Entity, FileRows, ListError, MalformedRow, Parsed};

const LIST: &str = "OFAC SDN";

/// An entry or alias being read.
#[derive(Default)]
struct NameParts {
    first: String,
    last: String,
}

impl NameParts {
    fn name(&self) -> String {
        match (self.last.trim(), self.first.trim()) {
            ("", f) => f.to_string(),
            (l, "") => l.to_string(),
            (l, f) => format!("{l}, {f}"),
        }
    }
}

#[derive(Default)]
struct EntryBuf {
    line: u64,
    uid: String,
    name: NameParts,
    kind: String,
    programs: Vec<String>,
    aliases: Vec<String>,
    countries: Vec<String>,
    unresolved: Vec<String>,
}

pub(super) fn parse(path: &Path) -> Result<Parsed, ListError> {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("sdn.xml").to_string();
    let bytes = read_file(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let fmt_err = |message: String| ListError::Format { path: path.display().to_string(), message };
    let mut reader = Reader::new(&text);
    // Local names of the open elements, outermost first.
    let mut stack: Vec<&str> = Vec::new();
    let mut entry: Option<EntryBuf> = None;
    let mut alias: Option<NameParts> = None;
    let mut publish_date: Option<String> = None;
    let mut entities = Vec::new();
    let mut malformed = Vec::new();
    let mut unresolved: Vec<String> = Vec::new();
    let mut rows = 0usize;
    let mut saw_root = false;
    while let Some(ev) = reader.next_event() {
        let ev = ev.map_err(|e| fmt_err(format!("not well-formed XML: {e}")))?;
        match ev {
            Event::Start(name) => {
                if stack.is_empty() {
                    if name != "sdnList" {
                        return Err(fmt_err(format!(
                            "the root element is <{name}>, not <sdnList>: not an SDN XML file"
                        )));
                    }
                    saw_root = true;
                }
                match name {
                    "sdnEntry" => {
                        rows += 1;
                        entry = Some(EntryBuf { line: reader.line(), ..EntryBuf::default() });
                    }
                    "aka" => alias = Some(NameParts::default()),
                    _ => {}
                }
                stack.push(name);
            }
            Event::End(name) => {
                if stack.last() != Some(&name) {
                    return Err(fmt_err(format!(
                        "line {}: </{name}> closes <{}>",
                        reader.line(),
                        stack.last().unwrap_or(&"")
                    )));
                }
                stack.pop();
                match name {
                    "aka" => {
                        if let (Some(a), Some(e)) = (alias.take(), entry.as_mut()) {
                            let n = a.name();
                            if !n.is_empty() {
                                e.aliases.push(n);
                            }
                        }
                    }
                    "sdnEntry" => {
                        if let Some(e) = entry.take() {
                            let name = e.name.name();
                            if e.uid.trim().is_empty() {
                                malformed.push(MalformedRow {
                                    file: file.clone(),
                                    line: e.line,
                                    message: "sdnEntry without uid".into(),
                                });
                            } else if name.is_empty() {
                                malformed.push(MalformedRow {
                                    file: file.clone(),
                                    line: e.line,
                                    message: format!("sdnEntry {} without a name", e.uid),
                                });
                            } else {
                                unresolved.extend(e.unresolved);
                                entities.push(Entity {
                                    id: e.uid.trim().to_string(),
                                    name,
                                    kind: Some(if e.kind.trim().is_empty() {
                                        "entity".into()
                                    } else {
                                        e.kind.trim().to_lowercase()
                                    }),
                                    aliases: e.aliases,
                                    countries: e.countries,
                                    programs: e.programs,
                                    list: LIST.into(),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                let t = t.trim();
                let here = stack.last().copied().unwrap_or("");
                let parent = stack.len().checked_sub(2).and_then(|i| stack.get(i)).copied().unwrap_or("");
                if here == "Publish_Date" && parent == "publshInformation" {
                    publish_date = Some(t.to_string());
                    continue;
                }
                let Some(e) = entry.as_mut() else { continue };
                match (parent, here) {
                    ("sdnEntry", "uid") => e.uid = t.to_string(),
                    ("sdnEntry", "firstName") => e.name.first = t.to_string(),
                    ("sdnEntry", "lastName") => e.name.last = t.to_string(),
                    ("sdnEntry", "sdnType") => e.kind = t.to_string(),
                    ("programList", "program") => e.programs.push(t.to_string()),
                    ("aka", "firstName") => {
                        if let Some(a) = alias.as_mut() {
                            a.first = t.to_string();
                        }
                    }
                    ("aka", "lastName") => {
                        if let Some(a) = alias.as_mut() {
                            a.last = t.to_string();
                        }
                    }
                    ("address" | "nationality" | "citizenship", "country") | ("vesselInfo", "vesselFlag") => {
                        match countries::country_code(t) {
                            Some(code) => add_country(&mut e.countries, code),
                            None if t.is_empty() || t.eq_ignore_ascii_case("undetermined") => {}
                            None => e.unresolved.push(t.to_string()),
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if !saw_root {
        return Err(fmt_err("no <sdnList> element: not an SDN XML file".into()));
    }
    let mut notes = Vec::new();
    unresolved.sort();
    unresolved.dedup();
    for u in unresolved {
        notes.push(format!("country '{u}' is not a known country name"));
    }
    let list_date = match publish_date {
        Some(d) => Some((
            date::normalize(&d).ok_or_else(|| fmt_err(format!("Publish_Date '{d}' is not a date")))?,
            "Publish_Date in the file".to_string(),
        )),
        None => None,
    };
    Ok(Parsed {
        source: "ofac-sdn",
        title: "OFAC SDN (XML)",
        entities,
        files: vec![FileRows { file, rows }],
        malformed,
        notes,
        list_date,
    })
}
