//! The customs and export pre-check engine: destination rules, denied-party
//! screening, HS codes and dangerous goods. Rules and lists decide every
//! verdict; every finding cites the rule id, list entry or catalog line
//! behind it. No I/O beyond reading the files it is given; no LLM.

pub mod battery_text;
pub mod destinations;
pub mod dg;
pub mod hs;
pub mod lists;
pub mod names;
pub mod screening;
pub mod stock;
pub mod verdict;

pub use destinations::{
    destination_findings, document_findings, transit_findings, DestinationRules, Goods, Place, DESTINATION_RULES,
};
pub use dg::{assess as assess_dg, transport_modes, DgAssessment, DgRules, ModeBasis, ModeChoice, TransportMode};
pub use hs::{
    hs_finding, hs_path, import_nomenclature_csv, HsCheck, HsError, HsGlossary, HsImportReport, HsSuggestion,
    Nomenclature,
};
pub use screening::{
    screening_findings, ListInfo, ScreeningHit, ScreeningList, ScreeningOutcome, Thresholds as ScreeningThresholds,
    DEFAULT_MAX_LIST_AGE_DAYS, DEMO_SCREENING_LIST, MATCH_THRESHOLD, REVIEW_THRESHOLD,
};
pub use stock::{assess_stock, stock_finding, StockAssessment, StockPolicy, StockSuggestion};
pub use verdict::{risk_of, rule_summary, verdict, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("destination rules: {0}")]
    Rules(String),
    #[error("screening list line {line}: {message}")]
    List { line: usize, message: String },
}
