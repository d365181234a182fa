//! The verdict: the risk level is the highest level among the rule
//! findings, and every finding must cite its source. Nothing here reads a
//! model's output; a model may only rephrase the summary afterwards.

use tradewind_core::{Citation, Finding, RiskLevel};

/// Cited by the guard that catches a finding without a source.
pub const UNCITED_SOURCE: &str = "customs/verdict#UNCITED";

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub risk: RiskLevel,
    /// Highest level first; within a level, in the order they were found.
    pub findings: Vec<Finding>,
    /// The rules' own one-sentence summary.
    pub summary: String,
}

/// The highest level among the findings (clear when there are none).
pub fn risk_of(findings: &[Finding]) -> RiskLevel {
    findings.iter().map(|f| f.level).max().unwrap_or(RiskLevel::Clear)
}

/// Aggregates findings into a verdict. Exact duplicates are dropped. A
/// finding that cites nothing cannot be checked by a person, so it is
/// raised to at least review and marked, rather than trusted or dropped.
pub fn verdict(findings: Vec<Finding>) -> Verdict {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for mut f in findings {
        if f.citations.is_empty() {
            f.level = f.level.max(RiskLevel::Review);
            f.message = format!("(no source cited; treat as unverified) {}", f.message);
            f.citations.push(Citation::rule(UNCITED_SOURCE));
        }
        if out.iter().any(|g| g.kind == f.kind && g.sku == f.sku && g.message == f.message) {
            continue;
        }
        out.push(f);
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.level));
    let risk = risk_of(&out);
    let summary = rule_summary(risk, &out);
    Verdict { risk, findings: out, summary }
}

/// "[REVIEW]" and so on, put before a model-written summary so that the
/// rules' level always leads.
pub fn level_banner(risk: RiskLevel) -> String {
    format!("[{}]", risk.as_str().to_uppercase())
}

/// The citation that best names the rule behind a finding: the first one
/// that is not a catalog record.
fn rule_source(f: &Finding) -> Option<&str> {
    f.citations
        .iter()
        .find(|c| !c.source.ends_with("catalog.jsonl"))
        .or_else(|| f.citations.first())
        .map(|c| c.source.as_str())
}

/// One sentence per level, naming what drove it.
pub fn rule_summary(risk: RiskLevel, findings: &[Finding]) -> String {
    let mut drivers: Vec<String> = Vec::new();
    for f in findings.iter().filter(|f| f.level == risk && risk != RiskLevel::Clear) {
        let kind = f.kind.replace('_', " ");
        let d = match (rule_source(f), &f.sku) {
            (Some(src), Some(sku)) => format!("{kind} {sku} ({src})"),
            (Some(src), None) => format!("{kind} ({src})"),
            (None, Some(sku)) => format!("{kind} {sku}"),
            (None, None) => kind,
        };
        if !drivers.contains(&d) {
            drivers.push(d);
        }
    }
    let list = drivers.join("; ");
    match risk {
        RiskLevel::Clear => "Clear: no rule or list raises a concern; ship with the documents listed.".into(),
        RiskLevel::Review => format!("Review: a person must check {list} before the order is confirmed."),
        RiskLevel::High => format!("High: compliance must approve before any quote, because of {list}."),
        RiskLevel::Blocked => format!("Blocked: do not quote or ship, because of {list}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(kind: &str, level: RiskLevel, cite: Option<&str>) -> Finding {
        Finding {
            kind: kind.into(),
            level,
            sku: None,
            message: format!("{kind} finding"),
            citations: cite.map(|c| vec![Citation::rule(c)]).unwrap_or_default(),
        }
    }

    #[test]
    fn risk_is_the_highest_level_and_the_summary_names_its_rule() {
        let v = verdict(vec![
            f("stock", RiskLevel::Clear, Some("a")),
            f("destination", RiskLevel::Blocked, Some("rules#DEST-EMB-CU")),
            f("dangerous_goods", RiskLevel::Review, Some("b")),
        ]);
        assert_eq!(v.risk, RiskLevel::Blocked);
        assert_eq!(v.findings[0].kind, "destination");
        assert!(v.summary.starts_with("Blocked") && v.summary.contains("DEST-EMB-CU"), "{}", v.summary);
        assert_eq!(verdict(vec![]).risk, RiskLevel::Clear);
    }

    #[test]
    fn an_uncited_finding_is_raised_to_review_and_marked() {
        let v = verdict(vec![f("hs", RiskLevel::Clear, None), f("hs", RiskLevel::Clear, None)]);
        assert_eq!(v.findings.len(), 1);
        assert_eq!(v.risk, RiskLevel::Review);
        assert_eq!(v.findings[0].citations[0].source, UNCITED_SOURCE);
    }
}
