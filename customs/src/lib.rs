//! The customs and export pre-check engine: destination rules, denied-party
//! screening, HS codes and dangerous goods. Rules and lists decide every
//! verdict; every finding cites the rule id, list entry or catalog line
//! behind it. No I/O beyond reading the files it is given; no LLM.

pub mod destinations;
pub mod dg;
pub mod hs;
pub mod screening;

pub use destinations::{destination_findings, DestinationRules, DESTINATION_RULES};
pub use dg::dg_findings;
pub use hs::hs_path;
pub use screening::{
    screening_findings, ScreeningHit, ScreeningList, ScreeningOutcome, DEMO_SCREENING_LIST, MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("destination rules: {0}")]
    Rules(String),
    #[error("screening list line {line}: {message}")]
    List { line: usize, message: String },
}
