//! Denied-party screening: a party's name (and country, when known) against
//! every list in force.
//!
//! The lists are the ones imported into the lists folder (see [`crate::lists`])
//! or, when none is, the project's demo list. A name is read by
//! [`crate::names::analyse`], its candidate list names are found through the
//! [`NameIndex`], and each candidate is scored by [`crate::names`]; the best
//! name of each entry counts. Country is evidence: an entry of the party's
//! country gains a little, an entry of other countries only loses a little
//! (a sanctioned buyer often ships through a third country).
//!
//! Two thresholds make three outcomes: at or above [`MATCH_THRESHOLD`] a
//! match (blocked), at or above [`REVIEW_THRESHOLD`] a potential match (a
//! person must review it), below it clear. They were set on a labelled
//! benchmark of real name pairs (see `tradewind eval screening`): the
//! review threshold for recall (a missed party is the costliest mistake),
//! the match threshold for F1.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tradewind_core::{Citation, Finding, PartyKind, RiskLevel};

use crate::lists::{self, date, Entity, ListError, ListFile};
use crate::names::index::{IndexedName, NameIndex};
use crate::names::{self, analyse, NameForm};
use crate::RulesError;

/// The project's demo list (its own simple CSV layout), used when no list
/// has been imported.
pub const DEMO_SCREENING_LIST: &str = include_str!("../../knowledge/lists/demo-screening.csv");
pub const DEMO_LIST_SOURCE: &str = "knowledge/lists/demo-screening.csv";

/// Score at or above which a name is a match.
pub const MATCH_THRESHOLD: f64 = 0.84;
/// Score at or above which a name needs review (a potential match).
pub const REVIEW_THRESHOLD: f64 = 0.55;
/// Lists older than this many days are out of date (`[screening]
/// max_list_age_days`).
pub const DEFAULT_MAX_LIST_AGE_DAYS: u32 = 90;
/// Level of the finding that says a list is out of date: a clear screening
/// against an old list proves nothing about parties listed since, so a
/// person must check before the order is confirmed.
pub const STALE_LIST_LEVEL: RiskLevel = RiskLevel::Review;
/// Format of the embedded demo list. It stands in for real lists in demos
/// and tests, and has no publication to fall behind.
pub const DEMO_FORMAT: &str = "demo-csv";

/// Score added when the entry lists the party's country…
const SAME_COUNTRY_BONUS: f64 = 0.05;
/// …and taken off when it lists only other countries.
const OTHER_COUNTRY_PENALTY: f64 = 0.08;
/// A name word is common when at least this many list names (and one in
/// 500) use it.
const COMMON_NAME_MIN_NAMES: usize = 10;
/// Most hits returned for one name.
const MAX_HITS: usize = 10;
/// Most candidate names scored for one name.
const MAX_CANDIDATES: usize = 200;

/// A listed party (the importers' entity).
pub type ListEntry = Entity;

/// Ordered by severity: clear < potential match < match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningOutcome {
    Clear,
    PotentialMatch,
    Match,
}

/// The two thresholds, which a strategy may set (`[screening] match_at`,
/// `review_at`) without rebuilding the list's index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub match_at: f64,
    pub review_at: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { match_at: MATCH_THRESHOLD, review_at: REVIEW_THRESHOLD }
    }
}

impl Thresholds {
    /// Both in (0, 1], review below match.
    pub fn validate(&self) -> Result<(), String> {
        let ok = |v: f64| v > 0.0 && v <= 1.0;
        if !ok(self.match_at) || !ok(self.review_at) || self.review_at > self.match_at {
            return Err(format!(
                "screening thresholds must be in (0, 1] with review_at <= match_at (match_at {}, review_at {})",
                self.match_at, self.review_at
            ));
        }
        Ok(())
    }
}

impl ScreeningOutcome {
    pub fn of_score(score: f64) -> Self {
        Self::of_score_with(score, &Thresholds::default())
    }

    pub fn of_score_with(score: f64, t: &Thresholds) -> Self {
        if score >= t.match_at {
            ScreeningOutcome::Match
        } else if score >= t.review_at {
            ScreeningOutcome::PotentialMatch
        } else {
            ScreeningOutcome::Clear
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreeningHit {
    /// The list the entry is on ("OFAC SDN", "CSL EL", "BIS DPL").
    pub list: String,
    /// The date of that list.
    pub list_date: String,
    pub entry_id: String,
    pub entry_name: String,
    /// individual, entity, vessel, aircraft, when the list says.
    #[serde(default)]
    pub entry_type: Option<String>,
    #[serde(default)]
    pub programs: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    /// The entry's name or alias that matched.
    pub matched_name: String,
    pub score: f64,
    pub outcome: ScreeningOutcome,
    pub why: String,
}

/// A list in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ListInfo {
    pub source: String,
    pub title: String,
    pub list_date: String,
    pub entries: usize,
    /// Where it was read from.
    pub origin: String,
    /// The import format ("ofac-sdn", "csl", "dpl", or the demo list's).
    #[serde(default)]
    pub format: String,
}

/// The lists in force, indexed for screening.
#[derive(Debug)]
pub struct ScreeningList {
    lists: Vec<ListInfo>,
    entries: Vec<Entity>,
    /// Entry → index of its list in `lists`.
    entry_list: Vec<u16>,
    index: NameIndex,
    max_list_age_days: u32,
}

impl Default for ScreeningList {
    fn default() -> Self {
        Self::from_lists(Vec::new())
    }
}

impl ScreeningList {
    /// Parses the project's simple list CSV:
    /// `id,name,aliases(;-separated),country,program,list,list_date`.
    pub fn parse_csv(text: &str) -> Result<Self, RulesError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
        // (list, date) → entries
        let mut groups: Vec<((String, String), Vec<Entity>)> = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| RulesError::List {
                line: e.position().map(|p| p.line() as usize).unwrap_or(0),
                message: e.to_string(),
            })?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if rec.len() != 7 {
                return Err(RulesError::List { line, message: format!("expected 7 columns, got {}", rec.len()) });
            }
            let f = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
            let list_date = date::normalize(&f(6))
                .ok_or_else(|| RulesError::List { line, message: format!("list date '{}' is not a date", f(6)) })?;
            if f(1).is_empty() {
                return Err(RulesError::List { line, message: "empty name".into() });
            }
            let entry = Entity {
                id: f(0),
                name: f(1),
                kind: None,
                aliases: f(2).split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
                countries: f(3).split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_uppercase).collect(),
                programs: f(4).split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
                list: f(5),
            };
            let key = (f(5), list_date);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(entry),
                None => groups.push((key, vec![entry])),
            }
        }
        let files = groups
            .into_iter()
            .map(|((list, list_date), entities)| ListFile {
                format_version: lists::FORMAT_VERSION,
                source: list.to_lowercase(),
                title: list,
                format: DEMO_FORMAT.into(),
                list_date,
                list_date_from: "list_date column".into(),
                imported_at: String::new(),
                imported_from: DEMO_LIST_SOURCE.into(),
                files: Vec::new(),
                malformed: Vec::new(),
                notes: Vec::new(),
                entities,
            })
            .collect();
        Ok(Self::from_lists(files))
    }

    /// The embedded demo list.
    pub fn demo() -> Result<Self, RulesError> {
        Self::parse_csv(DEMO_SCREENING_LIST)
    }

    /// Indexes imported lists.
    pub fn from_lists(files: Vec<ListFile>) -> Self {
        let mut lists = Vec::new();
        let mut entries = Vec::new();
        let mut entry_list = Vec::new();
        let mut index = NameIndex::new();
        for (k, f) in files.into_iter().enumerate() {
            lists.push(ListInfo {
                source: f.source,
                title: f.title,
                list_date: f.list_date,
                entries: f.entities.len(),
                origin: f.imported_from,
                format: f.format,
            });
            for e in f.entities {
                let id = entries.len() as u32;
                index.add(id, &e.name);
                for a in &e.aliases {
                    index.add(id, a);
                }
                entry_list.push(k.min(u16::MAX as usize) as u16);
                entries.push(e);
            }
        }
        Self { lists, entries, entry_list, index, max_list_age_days: DEFAULT_MAX_LIST_AGE_DAYS }
    }

    /// The lists imported into `lists_dir`, or `None` when there are none.
    pub fn load_dir(lists_dir: &Path) -> Result<Option<Self>, ListError> {
        let files = lists::load_dir(lists_dir)?;
        Ok((!files.is_empty()).then(|| Self::from_lists(files)))
    }

    /// Lists older than `days` are reported as out of date.
    pub fn with_max_list_age_days(mut self, days: u32) -> Self {
        self.max_list_age_days = days;
        self
    }

    pub fn max_list_age_days(&self) -> u32 {
        self.max_list_age_days
    }

    pub fn lists(&self) -> &[ListInfo] {
        &self.lists
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of indexed names (primary names and aliases).
    pub fn name_count(&self) -> usize {
        self.index.len()
    }

    /// The best hit per entry at or above the review threshold, best first.
    /// `country` is the party's ISO alpha-2 code, when known.
    pub fn screen(&self, name: &str, country: Option<&str>) -> Vec<ScreeningHit> {
        self.screen_top(name, country, None, MAX_HITS)
    }

    /// As [`ScreeningList::screen`], for a party known to be a person or a
    /// company: a person's name confirms only a listed individual, a
    /// company's only a listed entity (or vessel, aircraft); against an
    /// entry of the other kind it is a potential match at most (a company
    /// named after its listed owner needs a look, not a block).
    pub fn screen_as(&self, name: &str, country: Option<&str>, kind: Option<PartyKind>) -> Vec<ScreeningHit> {
        self.screen_top(name, country, kind, MAX_HITS)
    }

    /// As [`ScreeningList::screen_as`], under a strategy's thresholds.
    pub fn screen_with(
        &self,
        name: &str,
        country: Option<&str>,
        kind: Option<PartyKind>,
        t: &Thresholds,
    ) -> Vec<ScreeningHit> {
        self.screen_top_with(name, country, kind, MAX_HITS, t)
    }

    /// As [`ScreeningList::screen_as`], with at most `max_hits` hits.
    pub fn screen_top(
        &self,
        name: &str,
        country: Option<&str>,
        kind: Option<PartyKind>,
        max_hits: usize,
    ) -> Vec<ScreeningHit> {
        self.screen_top_with(name, country, kind, max_hits, &Thresholds::default())
    }

    fn screen_top_with(
        &self,
        name: &str,
        country: Option<&str>,
        kind: Option<PartyKind>,
        max_hits: usize,
        t: &Thresholds,
    ) -> Vec<ScreeningHit> {
        let q = analyse(name);
        if q.is_empty() {
            return Vec::new();
        }
        let country = country.map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
        let sims = self.index.similarities(&q);
        // The country bonus can lift a candidate by SAME_COUNTRY_BONUS.
        let floor = t.review_at - SAME_COUNTRY_BONUS;
        let candidates = self.index.candidates(&q, &sims, floor, MAX_CANDIDATES);
        let mut best: HashMap<u32, (f64, &IndexedName)> = HashMap::new();
        for c in candidates {
            let name = c.name;
            // Pairs the search did not meet are not the same word, except
            // initials, which are never searched for.
            let sim = |i: usize, j: usize| {
                sims.get(i, NameIndex::word_id(name, j)).unwrap_or_else(|| {
                    let (a, b) = (&q.tokens[i], &name.form.tokens[j]);
                    if a.text.len() == 1 || b.text.len() == 1 {
                        names::word_similarity(a, b)
                    } else {
                        0.0
                    }
                })
            };
            let s = names::score_via(&q, &name.form, false, &sim).score;
            if s < floor {
                continue;
            }
            let slot = best.entry(name.entry).or_insert((s, name));
            if s > slot.0 {
                *slot = (s, name);
            }
        }
        // Country evidence on the fast scores, then the explanation (a full
        // comparison) for the few hits that remain.
        let mut ranked: Vec<(f64, u32, &IndexedName)> = best
            .into_iter()
            .map(|(entry, (s, name))| (self.country_adjusted(s, entry, country.as_deref()).0, entry, name))
            .filter(|(s, _, _)| *s >= t.review_at - 0.02)
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // Some candidates drop out on a closer look (common names only):
        // look further down, within bounds, to fill the hits.
        let mut hits: Vec<ScreeningHit> = Vec::new();
        for (_, entry, name) in ranked.into_iter().take(max_hits.saturating_mul(5)) {
            if hits.len() >= max_hits.saturating_mul(2) {
                break;
            }
            hits.extend(self.hit(&q, entry, name, country.as_deref(), kind, t));
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entry_id.cmp(&b.entry_id)));
        hits.truncate(max_hits);
        hits
    }

    /// A score with the country evidence applied, and the reason.
    fn country_adjusted(&self, score: f64, entry: u32, country: Option<&str>) -> (f64, Option<String>) {
        let e = &self.entries[entry as usize];
        match country {
            Some(c) if e.countries.iter().any(|x| x == c) => {
                ((score + SAME_COUNTRY_BONUS).min(1.0), Some(format!("same country ({c})")))
            }
            Some(c) if !e.countries.is_empty() => {
                (score - OTHER_COUNTRY_PENALTY, Some(format!("entry lists {} (party: {c})", e.countries.join(", "))))
            }
            _ => (score, None),
        }
    }

    fn hit(
        &self,
        q: &NameForm,
        entry: u32,
        name: &IndexedName,
        country: Option<&str>,
        kind: Option<PartyKind>,
        t: &Thresholds,
    ) -> Option<ScreeningHit> {
        let e = &self.entries[entry as usize];
        let cmp = names::compare(q, &name.form);
        let (mut score, reason) = self.country_adjusted(cmp.score, entry, country);
        let mut why = cmp.why;
        if let Some(r) = reason {
            why.push_str("; ");
            why.push_str(&r);
        }
        if let (Some(k), Some(entry_kind)) = (kind, e.kind.as_deref()) {
            let listed_person = entry_kind.eq_ignore_ascii_case("individual");
            if (k == PartyKind::Person) != listed_person && score >= t.match_at {
                score = t.match_at - 0.01;
                why.push_str(&format!(
                    "; the party is a {} and the entry an {}",
                    k.as_str(),
                    entry_kind.to_lowercase()
                ));
            }
        }
        // A double-barrelled name is one name: "John Smith" is not "John B.
        // Pridmore-Smith" on the strength of half of it, though a person may
        // look.
        if score >= t.match_at && half_of_a_double_name(q, &name.text) {
            score = t.match_at - 0.01;
            why.push_str("; only half of a double-barrelled name in common");
        }
        // Names that many listed people share (Ali, Hassan, Mohammed) say
        // little on their own: when the screened name meets a list name only
        // on such names and the list name has names of its own besides, one
        // shared name is no hit and two are a review, never a match.
        let common = !cmp.paired_names.is_empty()
            && cmp.paired_names.iter().all(|w| self.index.document_frequency(w) >= self.common_frequency());
        if common && cmp.list_extra_names > 0 {
            match cmp.paired_names.len() {
                1 => return None,
                2 if score >= t.match_at => {
                    score = t.match_at - 0.01;
                    why.push_str("; only common names in common");
                }
                _ => {}
            }
        }
        let outcome = ScreeningOutcome::of_score_with(score, t);
        if outcome == ScreeningOutcome::Clear {
            return None;
        }
        let list = &self.lists[self.entry_list[entry as usize] as usize];
        Some(ScreeningHit {
            list: e.list.clone(),
            list_date: list.list_date.clone(),
            entry_id: e.id.clone(),
            entry_name: e.name.clone(),
            entry_type: e.kind.clone(),
            programs: e.programs.clone(),
            countries: e.countries.clone(),
            matched_name: name.text.clone(),
            score: (score * 1000.0).round() / 1000.0,
            outcome,
            why,
        })
    }

    /// A name word used by at least this many list names is common.
    fn common_frequency(&self) -> usize {
        (self.index.len() / 500).max(COMMON_NAME_MIN_NAMES)
    }

    /// Lists older than the maximum age on `today` (`YYYY-MM-DD`), with
    /// their age in days. The demo list is never out of date.
    pub fn stale_lists(&self, today: &str) -> Vec<(&ListInfo, i64)> {
        self.stale_lists_after(today, self.max_list_age_days)
    }

    fn stale_lists_after(&self, today: &str, max_age_days: u32) -> Vec<(&ListInfo, i64)> {
        let Some(t) = date::parse(today) else { return Vec::new() };
        self.lists
            .iter()
            .filter(|l| l.format != DEMO_FORMAT)
            .filter_map(|l| {
                let age = date::days_between(date::parse(&l.list_date)?, t);
                (age > i64::from(max_age_days)).then_some((l, age))
            })
            .collect()
    }

    /// The findings of a screening: one per hit (a match blocks, a potential
    /// match needs review), or one saying the party is clear against the
    /// lists in force; each cites the list and its date. A list older than
    /// the maximum age adds a finding that needs review.
    pub fn findings(&self, party: &str, hits: &[ScreeningHit], today: &str) -> Vec<Finding> {
        self.findings_for(&format!("'{party}'"), hits, today)
    }

    /// As [`ScreeningList::findings`], with the party described as the
    /// caller wants it named ("consignee 'Pars Cell Company' (company)").
    pub fn findings_for(&self, party: &str, hits: &[ScreeningHit], today: &str) -> Vec<Finding> {
        self.findings_aged(party, hits, today, self.max_list_age_days)
    }

    /// As [`ScreeningList::findings_for`], with a strategy's maximum list age.
    pub fn findings_aged(&self, party: &str, hits: &[ScreeningHit], today: &str, max_age_days: u32) -> Vec<Finding> {
        let mut out = if hits.is_empty() {
            let lists: Vec<String> = self.lists.iter().map(|l| format!("{} dated {}", l.title, l.list_date)).collect();
            vec![Finding {
                kind: "screening".into(),
                level: RiskLevel::Clear,
                sku: None,
                message: format!(
                    "{party} does not match any screened party ({} {} checked: {}).",
                    self.len(),
                    if self.len() == 1 { "entry" } else { "entries" },
                    if lists.is_empty() { "no list loaded".to_string() } else { lists.join("; ") }
                ),
                citations: self
                    .lists
                    .iter()
                    .map(|l| Citation {
                        source: l.origin.clone(),
                        section: Some(format!("{} list date {}", l.title, l.list_date)),
                        chunk_id: None,
                        score: None,
                    })
                    .collect(),
            }]
        } else {
            hit_findings(hits, party)
        };
        for (l, age) in self.stale_lists_after(today, max_age_days) {
            out.push(Finding {
                kind: "screening".into(),
                level: STALE_LIST_LEVEL,
                sku: None,
                message: format!(
                    "{} is dated {} ({age} days old, more than the {} days allowed): parties listed since are not screened; import a current list and screen again.",
                    l.title, l.list_date, max_age_days
                ),
                citations: vec![Citation {
                    source: l.origin.clone(),
                    section: Some(format!("list date {}", l.list_date)),
                    chunk_id: None,
                    score: None,
                }],
            });
        }
        out
    }
}

/// One finding per hit: a match blocks, a potential match needs review.
/// Each cites the list entry and the list's date.
pub fn screening_findings(hits: &[ScreeningHit], party: &str) -> Vec<Finding> {
    hit_findings(hits, &format!("'{party}'"))
}

/// As [`screening_findings`], with the party already described.
fn hit_findings(hits: &[ScreeningHit], party: &str) -> Vec<Finding> {
    if hits.is_empty() {
        return vec![Finding {
            kind: "screening".into(),
            level: RiskLevel::Clear,
            sku: None,
            message: format!("{party} does not match any screened party."),
            citations: vec![Citation::rule(DEMO_LIST_SOURCE)],
        }];
    }
    hits.iter()
        .map(|h| {
            let level = match h.outcome {
                ScreeningOutcome::Match => RiskLevel::Blocked,
                ScreeningOutcome::PotentialMatch => RiskLevel::Review,
                ScreeningOutcome::Clear => RiskLevel::Clear,
            };
            let programs =
                if h.programs.is_empty() { String::new() } else { format!(", programs {}", h.programs.join(", ")) };
            Finding {
                kind: "screening".into(),
                level,
                sku: None,
                message: format!(
                    "{party} {} {} entry {} '{}'{} (matched '{}', score {:.2}; {}; list dated {}).",
                    if h.outcome == ScreeningOutcome::Match { "matches" } else { "may match (review)" },
                    h.list,
                    h.entry_id,
                    h.entry_name,
                    programs,
                    h.matched_name,
                    h.score,
                    h.why,
                    h.list_date
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

/// Whether the screened name has one half of a hyphenated list word
/// ("PRIDMORE-SMITH") without the other.
fn half_of_a_double_name(q: &NameForm, listed: &str) -> bool {
    let has = |w: &str| q.tokens.iter().any(|t| t.text == w);
    listed.split_whitespace().any(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        let mut parts = word.split('-');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(x), Some(y), None) if x.chars().count() >= 3 && y.chars().count() >= 3 => has(x) != has(y),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_list_matches_alias_and_flags_variants() {
        let l = ScreeningList::demo().unwrap();
        let hits = l.screen("Tehran Power Cells Co., Ltd.", Some("IR"));
        assert_eq!(hits[0].outcome, ScreeningOutcome::Match);
        assert_eq!(hits[0].list_date, "2026-10-01");
        assert!(!l.screen("Krymvolt Trading Ltd", None).is_empty());
        assert!(l.screen("Nordlicht Energie GmbH", Some("DE")).is_empty());
    }

    #[test]
    fn an_out_of_date_list_needs_review_but_the_demo_list_never_ages() {
        let demo = ScreeningList::demo().unwrap().with_max_list_age_days(30);
        assert!(demo.stale_lists("2030-01-01").is_empty());
        let mut files = Vec::new();
        for (format, date) in [("ofac-sdn", "2019-01-08"), ("csl", "2026-11-20")] {
            files.push(ListFile {
                format_version: lists::FORMAT_VERSION,
                source: format.into(),
                title: format.to_uppercase(),
                format: format.into(),
                list_date: date.into(),
                list_date_from: "test".into(),
                imported_at: date.into(),
                imported_from: "tests".into(),
                files: Vec::new(),
                malformed: Vec::new(),
                notes: Vec::new(),
                entities: vec![Entity {
                    id: "1".into(),
                    name: "Karaj Power Storage".into(),
                    kind: None,
                    aliases: Vec::new(),
                    countries: Vec::new(),
                    programs: Vec::new(),
                    list: format.to_uppercase(),
                }],
            });
        }
        let l = ScreeningList::from_lists(files).with_max_list_age_days(90);
        let f = l.findings("Nordlicht Energie GmbH", &[], "2026-12-01");
        let stale: Vec<&Finding> = f.iter().filter(|f| f.level == RiskLevel::Review).collect();
        assert_eq!(stale.len(), 1, "{f:?}");
        assert!(stale[0].message.starts_with("OFAC-SDN is dated 2019-01-08"), "{}", stale[0].message);
        assert_eq!(f[0].level, RiskLevel::Clear, "the party itself is clear");
    }
}
