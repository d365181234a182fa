//! Denied-party screening: name normalisation and scoring against lists.

use serde::{Deserialize, Serialize};
use tradewind_core::{Citation, Finding, RiskLevel};

use crate::RulesError;

pub const DEMO_SCREENING_LIST: &str = include_str!("../../knowledge/lists/demo-screening.csv");


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


#[cfg(test)]
mod tests {
    use super::*;

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
