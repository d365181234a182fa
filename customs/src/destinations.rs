//! Destination rules: embargoes, sectoral sanctions and the documents a
//! destination requires, from `knowledge/rules/destinations.toml`, each rule
//! with the public source that justifies it.
//!
//! The file is checked when it is parsed (unique ids, a source per rule,
//! well-formed codes, known groups), so a typo fails at start-up rather than
//! silently clearing a destination.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use tradewind_core::{Citation, Finding, RiskLevel};

use crate::RulesError;

pub const DESTINATION_RULES: &str = include_str!("../../knowledge/rules/destinations.toml");
pub const RULES_SOURCE: &str = "knowledge/rules/destinations.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationRule {
    pub id: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    /// Only when the goods include an HS code with one of these prefixes.
    #[serde(default)]
    pub hs_prefixes: Vec<String>,
    /// Only when no city or port is known (the address could be anywhere).
    #[serde(default)]
    pub when_place_unknown: bool,
    pub level: RiskLevel,
    pub message: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRule {
    pub id: String,
    pub countries: Vec<String>,
    pub documents: Vec<String>,
    pub source: String,
    /// Only when the goods include lithium batteries.
    #[serde(default)]
    pub batteries: bool,
    /// Only when the goods include an HS code with one of these prefixes.
    #[serde(default)]
    pub hs_prefixes: Vec<String>,
    /// This group covers the basic customs paperwork of its countries.
    #[serde(default)]
    pub base: bool,
    /// Only when no base group applies.
    #[serde(default)]
    pub fallback: bool,
    /// A conformity scheme whose certificate must exist before the goods
    /// ship (SONCAP, PVoC, SABER, BIS, EAC…). The catalog records no
    /// certificates, so we cannot confirm one: the group is a review, not a
    /// clear line.
    #[serde(default)]
    pub pre_shipment: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
    #[serde(rename = "rule", default)]
    rules: Vec<DestinationRule>,
    #[serde(rename = "documents", default)]
    documents: Vec<DocumentRule>,
}

/// What is being shipped, as far as destination rules care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Goods {
    /// HS codes of the goods (six to ten digits).
    pub hs_codes: Vec<String>,
    /// Whether any of the goods are or contain lithium batteries.
    pub batteries: bool,
}

impl Goods {
    fn has_prefix(&self, prefixes: &[String]) -> bool {
        prefixes.is_empty() || self.hs_codes.iter().any(|c| prefixes.iter().any(|p| c.starts_with(p.as_str())))
    }
}

/// Where the goods go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// ISO 3166-1 alpha-2.
    pub country: &'a str,
    /// ISO 3166-2, when it matters for sanctions (e.g. "UA-43").
    pub region: Option<&'a str>,
    /// A city or port, when one was named.
    pub place: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct DestinationRules {
    /// Rules with their country groups expanded to ISO codes.
    pub rules: Vec<DestinationRule>,
    pub documents: Vec<DocumentRule>,
}

impl DestinationRules {
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| RulesError::Rules(e.to_string()))?;
        let groups = expand_groups(&file.groups)?;
        let mut ids = BTreeSet::new();
        let mut rules = file.rules;
        let mut documents = file.documents;
        for r in &mut rules {
            check_common(&mut ids, &r.id, &r.source, &r.hs_prefixes)?;
            r.countries = expand(&r.countries, &groups, &r.id)?;
            if r.countries.is_empty() && r.regions.is_empty() {
                return Err(RulesError::Rules(format!("rule {} names no country or region", r.id)));
            }
            if let Some(bad) = r.regions.iter().find(|g| !is_region(g)) {
                return Err(RulesError::Rules(format!("rule {}: '{bad}' is not an ISO 3166-2 region code", r.id)));
            }
            if r.message.trim().is_empty() {
                return Err(RulesError::Rules(format!("rule {} has no message", r.id)));
            }
        }
        for d in &mut documents {
            check_common(&mut ids, &d.id, &d.source, &d.hs_prefixes)?;
            d.countries = expand(&d.countries, &groups, &d.id)?;
            if d.documents.iter().any(|x| x.trim().is_empty()) || d.documents.is_empty() {
                return Err(RulesError::Rules(format!("documents {} lists an empty document", d.id)));
            }
        }
        Ok(Self { rules, documents })
    }

    pub fn embedded() -> Result<Self, RulesError> {
        Self::parse(DESTINATION_RULES)
    }

    /// Rules that apply to a destination and these goods.
    pub fn matching(&self, to: Place<'_>, goods: &Goods) -> Vec<&DestinationRule> {
        let country = to.country.trim().to_ascii_uppercase();
        self.rules
            .iter()
            .filter(|r| {
                let here = r.countries.contains(&country)
                    || to.region.is_some_and(|reg| r.regions.iter().any(|x| x.eq_ignore_ascii_case(reg.trim())));
                here && goods.has_prefix(&r.hs_prefixes) && !(r.when_place_unknown && to.place.is_some())
            })
            .collect()
    }

    /// Document groups for a country and these goods: its own groups, the
    /// universal ones, and the fallback when no base group covers it.
    pub fn document_groups(&self, country: &str, goods: &Goods) -> Vec<&DocumentRule> {
        let country = country.trim().to_ascii_uppercase();
        let applies = |d: &DocumentRule| {
            (d.countries.iter().any(|c| *c == country || c == "*"))
                && (!d.batteries || goods.batteries)
                && goods.has_prefix(&d.hs_prefixes)
        };
        let chosen: Vec<&DocumentRule> = self.documents.iter().filter(|d| !d.fallback && applies(d)).collect();
        let has_base = chosen.iter().any(|d| d.base);
        let mut out: Vec<&DocumentRule> = Vec::new();
        if !has_base {
            out.extend(self.documents.iter().filter(|d| d.fallback && applies(d)));
        }
        out.extend(chosen);
        out
    }

    /// The documents for a country, each with the group that asks for it;
    /// a document asked for twice is listed once.
    pub fn documents_for(&self, country: &str, goods: &Goods) -> Vec<(String, Citation)> {
        let mut out: Vec<(String, Citation)> = Vec::new();
        for g in self.document_groups(country, goods) {
            for doc in &g.documents {
                if !out.iter().any(|(d, _)| d == doc) {
                    out.push((doc.clone(), rule_citation(&g.id, &g.source)));
                }
            }
        }
        out
    }
}

fn check_common(ids: &mut BTreeSet<String>, id: &str, source: &str, prefixes: &[String]) -> Result<(), RulesError> {
    if id.trim().is_empty() {
        return Err(RulesError::Rules("a rule has an empty id".into()));
    }
    if !ids.insert(id.to_string()) {
        return Err(RulesError::Rules(format!("rule id {id} is used twice")));
    }
    if source.trim().is_empty() {
        return Err(RulesError::Rules(format!("rule {id} cites no source")));
    }
    if let Some(p) = prefixes.iter().find(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(RulesError::Rules(format!("rule {id}: HS prefix '{p}' is not digits")));
    }
    Ok(())
}

fn is_country(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_region(r: &str) -> bool {
    match r.split_once('-') {
        Some((c, sub)) => is_country(c) && !sub.is_empty() && sub.bytes().all(|b| b.is_ascii_alphanumeric()),
        None => false,
    }
}

/// Groups may name other groups; expand them (no cycles, no unknown names).
fn expand_groups(raw: &BTreeMap<String, Vec<String>>) -> Result<BTreeMap<String, Vec<String>>, RulesError> {
    fn walk(
        name: &str,
        raw: &BTreeMap<String, Vec<String>>,
        stack: &mut Vec<String>,
        out: &mut Vec<String>,
    ) -> Result<(), RulesError> {
        if stack.iter().any(|s| s == name) {
            return Err(RulesError::Rules(format!("country group @{name} includes itself")));
        }
        let members = raw.get(name).ok_or_else(|| RulesError::Rules(format!("unknown country group @{name}")))?;
        stack.push(name.to_string());
        for m in members {
            match m.strip_prefix('@') {
                Some(inner) => walk(inner, raw, stack, out)?,
                None if is_country(m) => {
                    if !out.contains(m) {
                        out.push(m.clone());
                    }
                }
                None => return Err(RulesError::Rules(format!("group @{name}: '{m}' is not an ISO country code"))),
            }
        }
        stack.pop();
        Ok(())
    }
    let mut out = BTreeMap::new();
    for name in raw.keys() {
        let mut members = Vec::new();
        walk(name, raw, &mut Vec::new(), &mut members)?;
        out.insert(name.clone(), members);
    }
    Ok(out)
}

fn expand(list: &[String], groups: &BTreeMap<String, Vec<String>>, id: &str) -> Result<Vec<String>, RulesError> {
    let mut out: Vec<String> = Vec::new();
    for c in list {
        let add: Vec<String> = if let Some(g) = c.strip_prefix('@') {
            groups.get(g).cloned().ok_or_else(|| RulesError::Rules(format!("rule {id}: unknown country group {c}")))?
        } else if c == "*" || is_country(c) {
            vec![c.clone()]
        } else {
            return Err(RulesError::Rules(format!("rule {id}: '{c}' is not an ISO country code, a @group or *")));
        };
        for a in add {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    Ok(out)
}

/// Citation of one rule of the destinations file.
pub fn rule_citation(id: &str, source: &str) -> Citation {
    Citation { source: format!("{RULES_SOURCE}#{id}"), section: Some(source.to_string()), chunk_id: None, score: None }
}

/// Destination findings: every matching rule, or one clear finding citing
/// the rule set when none applies.
pub fn destination_findings(rules: &DestinationRules, to: Place<'_>, goods: &Goods) -> Vec<Finding> {
    let matched = rules.matching(to, goods);
    if matched.is_empty() {
        let name = match to.region {
            Some(r) => format!("{} ({r})", to.country.to_ascii_uppercase()),
            None => to.country.to_ascii_uppercase(),
        };
        return vec![Finding {
            kind: "destination".into(),
            level: RiskLevel::Clear,
            sku: None,
            message: format!("No embargo or sectoral rule applies to {name}."),
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

/// Findings for the places the goods pass through before their final
/// destination. A transit or transhipment through a country under embargo
/// exposes the goods to seizure there and breaks the embargo's own
/// prohibitions on indirect supply: compliance must approve the route (or
/// it must change). Through a country under sectoral sanctions or on the
/// watch list, a person reviews it. Elsewhere a transit raises nothing.
pub fn transit_findings(rules: &DestinationRules, stops: &[Place<'_>], goods: &Goods) -> Vec<Finding> {
    let mut out = Vec::new();
    for stop in stops {
        for r in rules.matching(*stop, goods) {
            let level = match r.level {
                RiskLevel::Blocked => RiskLevel::High,
                RiskLevel::High | RiskLevel::Review => RiskLevel::Review,
                RiskLevel::Clear => continue,
            };
            let at = match stop.place {
                Some(p) => format!("{p} ({})", stop.country.to_ascii_uppercase()),
                None => stop.country.to_ascii_uppercase(),
            };
            out.push(Finding {
                kind: "transit".into(),
                level,
                sku: None,
                message: format!(
                    "The goods would pass through {at} on the way, where this rule applies: {} ({}). {}",
                    r.message,
                    r.id,
                    if level == RiskLevel::High {
                        "A transit or transhipment there needs compliance approval, or another route."
                    } else {
                        "A person must review the route."
                    }
                ),
                citations: vec![rule_citation(&r.id, &r.source)],
            });
        }
    }
    out
}

/// One finding per document group that applies, so that each destination
/// duty (EU battery rules, CE, SABER…) appears with its source. A group
/// that needs a certificate before shipment is a review: nothing we hold
/// shows that the certificate exists.
pub fn document_findings(rules: &DestinationRules, country: &str, goods: &Goods) -> Vec<Finding> {
    rules
        .document_groups(country, goods)
        .into_iter()
        .map(|g| {
            let (level, check) = if g.pre_shipment {
                (
                    RiskLevel::Review,
                    ". Pre-shipment certification: confirm the certificate exists for these products before the order is confirmed; our catalog does not record it.",
                )
            } else {
                (RiskLevel::Clear, "")
            };
            Finding {
                kind: "documents".into(),
                level,
                sku: None,
                message: format!("{} ({}){check}", g.documents.join("; "), g.id),
                citations: vec![rule_citation(&g.id, &g.source)],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_expand_and_bad_codes_are_refused() {
        let ok = "[groups]\nA = [\"DE\"]\nB = [\"@A\", \"FR\"]\n[[rule]]\nid=\"X\"\ncountries=[\"@B\"]\nlevel=\"review\"\nmessage=\"m\"\nsource=\"s\"\n";
        let r = DestinationRules::parse(ok).unwrap();
        assert_eq!(r.rules[0].countries, vec!["DE", "FR"]);
        for bad in [
            ok.replace("\"@B\"", "\"@C\""),
            ok.replace("\"@B\"", "\"Germany\""),
            ok.replace("source=\"s\"", "source=\" \""),
            format!("{ok}[[rule]]\nid=\"X\"\ncountries=[\"DE\"]\nlevel=\"review\"\nmessage=\"m\"\nsource=\"s\"\n"),
            ok.replace("[\"@A\", \"FR\"]", "[\"@B\"]"),
        ] {
            assert!(DestinationRules::parse(&bad).is_err(), "{bad}");
        }
    }
}
