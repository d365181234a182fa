//! Domain types shared by every Tradewind crate: inquiries, catalog items,
//! citations, customs findings, FAQ cards, transcripts and customer identity.
//!
//! This crate knows nothing of Redis, Qdrant, HTTP or LLMs; it is the common
//! vocabulary the ports (`Memory`, `KnowledgeIndex`, `Brain`, sinks) speak.

pub mod catalog;
pub mod conversation;
pub mod identity;
pub mod ids;
pub mod inquiry;
pub mod output;
pub mod transcript;

pub use catalog::{BatteryInfo, Catalog, PriceTier, Product};
pub use conversation::{Change, Field, InquiryThread, InquiryVersion, TurnKind, TurnReading};
pub use identity::{check_phone, normalize_phone, normalize_phone_in, unified_customer_id, CustomerId, PhoneCheck};
pub use inquiry::{
    Contact, Destination, Inquiry, Lang, LineItem, MissingField, Party, PartyKind, PartyRole, StructuredInquiry,
};
pub use output::{
    AgentOutcome, Citation, CustomsReport, Degraded, FaqCard, Finding, Proposal, ProposalLine, RecordedMessage,
    RiskLevel, SwarmResult, ThreadInfo, Timings,
};
pub use transcript::{StepKind, TranscriptStep};

/// `1234.5` → `1,234.50`.
pub fn format_money(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}.{frac:02}", if cents < 0 { "-" } else { "" })
}

/// Milliseconds since the Unix epoch; the one clock every record uses.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
