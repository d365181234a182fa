//! Customs and export rules: destinations, party screening, HS codes,
//! dangerous goods and stock. Rules and lists decide; every finding cites
//! the rule id, list entry or catalog line behind it.
//!
//! This is the first, simple engine: the destination rules file and a small
//! screening list ship in `knowledge/`. Importers for the real lists come
//! with the customs issue and feed the same `ScreeningList`.

use serde::{Deserialize, Serialize};
use tradewind_core::{Citation, Finding, Product, RiskLevel};

pub const DESTINATION_RULES: &str = include_str!("../../knowledge/rules/destinations.toml");
pub const DEMO_SCREENING_LIST: &str = include_str!("../../knowledge/lists/demo-screening.csv");
const RULES_SOURCE: &str = "knowledge/rules/destinations.toml";

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("destination rules: {0}")]
    Rules(String),
    #[error("screening list line {line}: {message}")]
    List { line: usize, message: String },
}

#[derive(Debug, Clone, Deserialize)]
pub struct DestinationRule {
    pub id: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    pub level: RiskLevel,
    pub message: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocumentRule {
    pub id: String,
    pub countries: Vec<String>,
    pub documents: Vec<String>,
    pub source: String,
    /// Indexes into `documents` that only apply when the goods include lithium batteries.
    #[serde(default)]
    pub battery_only: Vec<usize>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DestinationRules {
    #[serde(rename = "rule")]
    pub rules: Vec<DestinationRule>,
    #[serde(rename = "documents")]
    pub documents: Vec<DocumentRule>,
}

impl DestinationRules {
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        toml::from_str(text).map_err(|e| RulesError::Rules(e.to_string()))
    }

    pub fn embedded() -> Result<Self, RulesError> {
        Self::parse(DESTINATION_RULES)
    }

    /// Rules that apply to a country (and optional region).
    pub fn matching(&self, country: &str, region: Option<&str>) -> Vec<&DestinationRule> {
        let country = country.to_ascii_uppercase();
        self.rules
            .iter()
            .filter(|r| {
                r.countries.iter().any(|c| c.eq_ignore_ascii_case(&country))
                    || region.is_some_and(|reg| r.regions.iter().any(|x| x.eq_ignore_ascii_case(reg)))
            })
            .collect()
    }

    /// Documents for a country: its specific groups (or the default group
    /// when none), plus the universal battery group when batteries ship.
    pub fn documents_for(&self, country: &str, batteries: bool) -> Vec<(String, Citation)> {
        let specific: Vec<&DocumentRule> = self
            .documents
            .iter()
            .filter(|d| d.countries.iter().any(|c| c.eq_ignore_ascii_case(country)))
            .collect();
        let mut groups: Vec<&DocumentRule> = if specific.is_empty() {
            self.documents.iter().filter(|d| d.id == "DOC-DEFAULT").collect()
        } else {
            specific
        };
        groups.extend(self.documents.iter().filter(|d| d.id == "DOC-LI-BATTERY"));
        let mut out: Vec<(String, Citation)> = Vec::new();
        for g in groups {
            for (i, doc) in g.documents.iter().enumerate() {
                if g.battery_only.contains(&i) && !batteries {
                    continue;
                }
                if out.iter().any(|(d, _)| d == doc) {
                    continue;
                }
                out.push((doc.clone(), rule_citation(&g.id, &g.source)));
            }
        }
        out
    }
}

fn rule_citation(id: &str, source: &str) -> Citation {
    Citation { source: format!("{RULES_SOURCE}#{id}"), section: Some(source.to_string()), chunk_id: None, score: None }
}

/// Destination findings: every matching rule, or a clear finding citing the
/// rule set when none applies.
pub fn destination_findings(rules: &DestinationRules, country: &str, region: Option<&str>) -> Vec<Finding> {
    let matched = rules.matching(country, region);
    if matched.is_empty() {
        return vec![Finding {
            kind: "destination".into(),
            level: RiskLevel::Clear,
            sku: None,
            message: format!("No embargo or sectoral rule applies to {country}."),
            citations: vec![Citation::rule(RULES_SOURCE)],
        }];
    }
    matched
        .into_iter()
        .map(|r| Finding {
            kind: "destination".into(),
            level: r.level,
            sku: None,
            message: format!("{} ({})", r.message, r.id),
            citations: vec![rule_citation(&r.id, &r.source)],
        })
        .collect()
}

// ---------------------------------------------------------------- screening

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ListEntry {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub country: String,
    pub program: String,
    pub list: String,
    pub list_date: String,
}

#[derive(Debug, Clone, Default)]
pub struct ScreeningList {
    entries: Vec<ListEntry>,
    /// (entry index, normalised tokens, the name form it came from)
    names: Vec<(usize, Vec<String>, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningOutcome {
    Clear,
    PotentialMatch,
    Match,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreeningHit {
    pub list: String,
    pub list_date: String,
    pub entry_id: String,
    pub entry_name: String,
    pub matched_name: String,
    pub score: f64,
    pub outcome: ScreeningOutcome,
    pub why: String,
}

/// Score at or above which a name is a match.
pub const MATCH_THRESHOLD: f64 = 0.95;
/// Score at or above which a name needs review.
pub const REVIEW_THRESHOLD: f64 = 0.85;

const LEGAL_FORMS: &[&str] = &[
    "ltd", "limited", "llc", "inc", "co", "corp", "corporation", "company", "gmbh", "mbh", "ag", "sa", "srl",
    "bv", "nv", "plc", "llp", "ooo", "zao", "oao", "pao", "jsc", "est", "pty", "sdn", "bhd", "fze", "fzco", "sas",
    "kg", "the",
];

/// Lower-case, strip punctuation and legal-form words. Chinese legal forms
/// (有限公司, 股份有限公司) are cut before tokenising.
pub fn normalize_name(name: &str) -> Vec<String> {
    let mut s = name.to_lowercase();
    for form in ["股份有限公司", "有限责任公司", "有限公司", "公司"] {
        s = s.replace(form, " ");
    }
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && !LEGAL_FORMS.contains(t))
        .map(str::to_string)
        .collect()
}

impl ScreeningList {
    /// Parses the project's simple list CSV: `id,name,aliases(;-separated),country,program,list,list_date`.
    pub fn parse_csv(text: &str) -> Result<Self, RulesError> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() != 7 {
                return Err(RulesError::List { line: i + 1, message: format!("expected 7 columns, got {}", cols.len()) });
            }
            entries.push(ListEntry {
                id: cols[0].trim().into(),
                name: cols[1].trim().into(),
                aliases: cols[2].split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
                country: cols[3].trim().into(),
                program: cols[4].trim().into(),
                list: cols[5].trim().into(),
                list_date: cols[6].trim().into(),
            });
        }
        Ok(Self::new(entries))
    }

    pub fn new(entries: Vec<ListEntry>) -> Self {
        let mut names = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for n in std::iter::once(&e.name).chain(e.aliases.iter()) {
                let toks = normalize_name(n);
                if !toks.is_empty() {
                    names.push((i, toks, n.clone()));
                }
            }
        }
        Self { entries, names }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Best hit per entry at or above the review threshold, best first.
    pub fn screen(&self, name: &str, country: Option<&str>) -> Vec<ScreeningHit> {
        let q = normalize_name(name);
        if q.is_empty() {
            return Vec::new();
        }
        let mut best: Vec<Option<(f64, usize)>> = vec![None; self.entries.len()];
        for (k, (ei, toks, _)) in self.names.iter().enumerate() {
            let s = token_set_score(&q, toks);
            if best[*ei].is_none_or(|(b, _)| s > b) {
                best[*ei] = Some((s, k));
            }
        }
        let mut hits = Vec::new();
        for (ei, b) in best.into_iter().enumerate() {
            let Some((mut score, k)) = b else { continue };
            let e = &self.entries[ei];
            let mut why = format!("name tokens match '{}' at {:.2}", self.names[k].2, score);
            if let Some(c) = country {
                if c.eq_ignore_ascii_case(&e.country) {
                    score = (score + 0.03).min(1.0);
                    why.push_str("; same country");
                } else if !e.country.is_empty() {
                    score -= 0.05;
                    why.push_str("; different country");
                }
            }
            let outcome = if score >= MATCH_THRESHOLD {
                ScreeningOutcome::Match
            } else if score >= REVIEW_THRESHOLD {
                ScreeningOutcome::PotentialMatch
            } else {
                continue;
            };
            hits.push(ScreeningHit {
                list: e.list.clone(),
                list_date: e.list_date.clone(),
                entry_id: e.id.clone(),
                entry_name: e.name.clone(),
                matched_name: self.names[k].2.clone(),
                score: (score * 1000.0).round() / 1000.0,
                outcome,
                why,
            });
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }
}

/// Symmetric token-set similarity: each token's best Jaro-Winkler partner,
/// averaged over both sides so extra tokens on either side cost.
pub fn token_set_score(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let side = |x: &[String], y: &[String]| -> f64 {
        x.iter().map(|t| y.iter().map(|u| jaro_winkler(t, u)).fold(0.0, f64::max)).sum::<f64>() / x.len() as f64
    };
    (side(a, b) + side(b, a)) / 2.0
}

pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_m = vec![false; a.len()];
    let mut b_m = vec![false; b.len()];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_m[j] && a[i] == b[j] {
                a_m[i] = true;
                b_m[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut j = 0usize;
    for i in 0..a.len() {
        if a_m[i] {
            while !b_m[j] {
                j += 1;
            }
            if a[i] != b[j] {
                t += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - t as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b.iter()).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

pub fn screening_findings(hits: &[ScreeningHit], party: &str) -> Vec<Finding> {
    if hits.is_empty() {
        return vec![Finding {
            kind: "screening".into(),
            level: RiskLevel::Clear,
            sku: None,
            message: format!("'{party}' does not match any screened party."),
            citations: vec![Citation::rule("knowledge/lists/demo-screening.csv")],
        }];
    }
    hits.iter()
        .map(|h| {
            let level = match h.outcome {
                ScreeningOutcome::Match => RiskLevel::Blocked,
                ScreeningOutcome::PotentialMatch => RiskLevel::Review,
                ScreeningOutcome::Clear => RiskLevel::Clear,
            };
            Finding {
                kind: "screening".into(),
                level,
                sku: None,
                message: format!(
                    "'{party}' {} {} entry {} '{}' (matched '{}', score {:.2}; {}).",
                    if h.outcome == ScreeningOutcome::Match { "matches" } else { "may match" },
                    h.list,
                    h.entry_id,
                    h.entry_name,
                    h.matched_name,
                    h.score,
                    h.why
                ),
                citations: vec![Citation {
                    source: format!("{}#{}", h.list, h.entry_id),
                    section: Some(format!("list date {}", h.list_date)),
                    chunk_id: None,
                    score: Some(h.score as f32),
                }],
            }
        })
        .collect()
}

// ---------------------------------------------------------------- HS, DG, stock

/// The HS chapters and headings our catalog uses, for the path shown to
/// logistics. The full nomenclature is imported by `tradewind lists`.
pub fn hs_path(code: &str) -> Option<String> {
    let chapter = code.get(0..2)?;
    let heading = code.get(0..4)?;
    let ch = match chapter {
        "84" => "Chapter 84: Nuclear reactors, boilers, machinery and mechanical appliances",
        "85" => "Chapter 85: Electrical machinery and equipment and parts thereof",
        "87" => "Chapter 87: Vehicles other than railway or tramway rolling stock",
        "90" => "Chapter 90: Optical, measuring, checking, precision instruments",
        "94" => "Chapter 94: Furniture; luminaires and lighting fittings",
        _ => return Some(format!("Chapter {chapter}")),
    };
    let hd = match heading {
        "8501" => "8501: Electric motors and generators",
        "8504" => "8504: Electrical transformers, static converters (inverters, chargers)",
        "8507" => "8507: Electric accumulators",
        "8512" => "8512: Electrical lighting or signalling equipment for cycles or motor vehicles",
        "8536" => "8536: Electrical apparatus for switching or protecting circuits (≤ 1,000 V)",
        "8537" => "8537: Boards, panels, consoles for electric control",
        "8539" => "8539: Electric filament or discharge lamps; LED light sources",
        "8541" => "8541: Semiconductor devices; photovoltaic cells",
        "8543" => "8543: Electrical machines and apparatus n.e.s.",
        "8544" => "8544: Insulated wire and cable",
        "8711" => "8711: Motorcycles and cycles fitted with an auxiliary motor",
        "8714" => "8714: Parts and accessories of vehicles of headings 8711 to 8713",
        "9405" => "9405: Luminaires and lighting fittings",
        _ => "",
    };
    Some(if hd.is_empty() { format!("{ch} > {heading}") } else { format!("{ch} > {hd} > {code}") })
}

pub fn dg_findings(p: &Product, catalog_source: &str) -> Option<Finding> {
    let b = p.battery.as_ref()?;
    let alone = b.un_number.eq_ignore_ascii_case("UN3480");
    let over = b.wh > 100.0;
    let mut msg = format!(
        "{} contains lithium batteries: {} Class 9, {:.0} Wh {} 100 Wh.",
        p.sku,
        b.un_number,
        b.wh,
        if over { "over" } else { "at or under" }
    );
    if alone {
        msg.push_str(" By air: IATA PI 965, state of charge at most 30%; by sea: IMDG Class 9 with DG declaration.");
    } else {
        msg.push_str(" Batteries packed with or contained in equipment: IATA PI 966/967 by air; IMDG Class 9 by sea.");
    }
    msg.push_str(" UN 38.3 test summary required.");
    Some(Finding {
        kind: "dangerous_goods".into(),
        level: if over { RiskLevel::Review } else { RiskLevel::Clear },
        sku: Some(p.sku.clone()),
        message: msg,
        citations: vec![
            Citation::rule(format!("{catalog_source}#{}", p.sku)),
            Citation::rule("UN Model Regulations: UN3480/UN3481 Class 9; IATA DGR PI 965-967"),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embargoed_country_and_region_are_blocked_with_rule_ids() {
        let r = DestinationRules::embedded().unwrap();
        let f = destination_findings(&r, "CU", None);
        assert_eq!(f[0].level, RiskLevel::Blocked);
        assert!(f[0].citations[0].source.ends_with("#DEST-EMB-CU"));
        let f = destination_findings(&r, "UA", Some("UA-43"));
        assert_eq!(f[0].level, RiskLevel::Blocked);
        let f = destination_findings(&r, "DE", None);
        assert_eq!(f[0].level, RiskLevel::Clear);
        let f = destination_findings(&r, "RU", None);
        assert_eq!(f[0].level, RiskLevel::High);
    }

    #[test]
    fn eu_documents_include_battery_regulation_only_for_batteries() {
        let r = DestinationRules::embedded().unwrap();
        let with: Vec<String> = r.documents_for("DE", true).into_iter().map(|d| d.0).collect();
        assert!(with.iter().any(|d| d.contains("2023/1542")));
        assert!(with.iter().any(|d| d.contains("UN 38.3")));
        let without: Vec<String> = r.documents_for("DE", false).into_iter().map(|d| d.0).collect();
        assert!(!without.iter().any(|d| d.contains("2023/1542")));
    }

    #[test]
    fn screening_matches_alias_and_flags_variant_for_review() {
        let l = ScreeningList::parse_csv(DEMO_SCREENING_LIST).unwrap();
        let hits = l.screen("Tehran Power Cells Co., Ltd.", Some("IR"));
        assert_eq!(hits[0].outcome, ScreeningOutcome::Match);
        let hits = l.screen("Krymvolt Trading Ltd", None);
        assert!(!hits.is_empty());
        assert!(l.screen("Nordlicht Energie GmbH", Some("DE")).is_empty());
    }

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
    }
}
