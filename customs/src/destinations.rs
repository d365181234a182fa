//! Destination rules: embargoes, sectoral sanctions and the documents a
//! destination requires, from `knowledge/rules/destinations.toml`, each rule
//! with the public source that justifies it.

use serde::Deserialize;
use tradewind_core::{Citation, Finding, RiskLevel};

use crate::RulesError;

pub const DESTINATION_RULES: &str = include_str!("../../knowledge/rules/destinations.toml");
const RULES_SOURCE: &str = "knowledge/rules/destinations.toml";

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

}
