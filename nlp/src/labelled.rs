//! Labelled cases and how a reading is scored against them: single
//! messages (`tests/fixtures/intake-cases.jsonl`) and multi-turn
//! conversations (`tests/fixtures/conversations.jsonl`). The files are read
//! by callers (`tradewind eval`, tests); here only the shapes and the
//! comparison, so that every caller scores a case the same way.
//!
//! Intake case, one JSON object per line:
//! `{"id": "en-01", "lang": "en", "text": "...", "expect": {"items": [{"sku":
//! "TW-BP-3614", "quantity": 250}], "destination": "PL", "incoterm": "DAP",
//! "contact": "Tomasz Nowak", "company": "...", "unmatched": ["..."]}, "note": "..."}`.
//! `company` is checked only when present; `unmatched` defaults to none.
//!
//! Conversation case:
//! `{"id": "...", "lang": "en"|"zh", "kinds": ["revise", ...], "turns":
//! ["...", "..."], "expect": {"items": [...], "destination": "PL",
//! "incoterm": "CIF", "company": "..."}}`; `null` where the customer never
//! said.

use serde::{Deserialize, Deserializer, Serialize};
use tradewind_core::StructuredInquiry;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExpectedItem {
    pub sku: String,
    pub quantity: Option<u32>,
}

/// What a single message should read as.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeExpect {
    pub items: Vec<ExpectedItem>,
    /// ISO country code of the destination.
    pub destination: Option<String>,
    pub incoterm: Option<String>,
    /// The contact person's name.
    pub contact: Option<String>,
    /// Checked only when the case states it (`null` included).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub company: Option<Option<String>>,
    /// Phrases that must be reported as not in the catalog (and no others).
    #[serde(default)]
    pub unmatched: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeCase {
    pub id: String,
    #[serde(default)]
    pub lang: Option<String>,
    pub text: String,
    pub expect: IntakeExpect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a conversation's open inquiry should be after its last turn.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationExpect {
    pub items: Vec<ExpectedItem>,
    pub destination: Option<String>,
    pub incoterm: Option<String>,
    pub company: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationCase {
    pub id: String,
    pub lang: String,
    /// The kinds of turn the dialogue exercises ("fill", "revise", ...).
    pub kinds: Vec<String>,
    pub turns: Vec<String>,
    pub expect: ConversationExpect,
}

/// A field given as `null` is present; a field left out is not.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
    norm(a) == norm(b)
}

fn items_of(si: &StructuredInquiry) -> Vec<ExpectedItem> {
    let mut got: Vec<ExpectedItem> =
        si.items.iter().map(|i| ExpectedItem { sku: i.sku.clone(), quantity: i.quantity }).collect();
    got.sort();
    got
}

fn show(items: &[ExpectedItem]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match i.quantity {
            Some(q) => format!("{} ×{q}", i.sku),
            None => format!("{} ×?", i.sku),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The fields every case compares: items (order aside), destination
/// country, Incoterm. Returns what differs, for people.
fn common(
    si: &StructuredInquiry,
    items: &[ExpectedItem],
    destination: Option<&str>,
    incoterm: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut want = items.to_vec();
    want.sort();
    let got = items_of(si);
    if got != want {
        out.push(format!("items: got {}, expected {}", show(&got), show(&want)));
    }
    let dest = si.destination.as_ref().map(|d| d.country.as_str());
    if !same_text(dest, destination) {
        out.push(format!("destination: got {dest:?}, expected {destination:?}"));
    }
    if !same_text(si.incoterm.as_deref(), incoterm) {
        out.push(format!("incoterm: got {:?}, expected {incoterm:?}", si.incoterm));
    }
    out
}

/// Where a single message's reading differs from its label (empty: right).
pub fn check_intake(si: &StructuredInquiry, expect: &IntakeExpect) -> Vec<String> {
    let mut out = common(si, &expect.items, expect.destination.as_deref(), expect.incoterm.as_deref());
    if !same_text(si.contact.name.as_deref(), expect.contact.as_deref()) {
        out.push(format!("contact: got {:?}, expected {:?}", si.contact.name, expect.contact));
    }
    if let Some(company) = &expect.company {
        if !same_text(si.company.as_deref(), company.as_deref()) {
            out.push(format!("company: got {:?}, expected {company:?}", si.company));
        }
    }
    let contains = |a: &str, b: &str| {
        let (a, b) = (a.to_lowercase(), b.to_lowercase());
        a.contains(&b) || b.contains(&a)
    };
    let all_found = expect.unmatched.iter().all(|e| si.unmatched_products.iter().any(|g| contains(g, e)));
    if si.unmatched_products.len() != expect.unmatched.len() || !all_found {
        out.push(format!("unmatched: got {:?}, expected {:?}", si.unmatched_products, expect.unmatched));
    }
    out
}

/// Where a conversation's final inquiry differs from its label.
pub fn check_conversation(si: &StructuredInquiry, expect: &ConversationExpect) -> Vec<String> {
    let mut out = common(si, &expect.items, expect.destination.as_deref(), expect.incoterm.as_deref());
    if !same_text(si.company.as_deref(), expect.company.as_deref()) {
        out.push(format!("company: got {:?}, expected {:?}", si.company, expect.company));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradewind_core::{Lang, LineItem};

    #[test]
    fn items_compare_in_any_order_and_absent_company_is_not_checked() {
        let mut si = StructuredInquiry::empty(Lang::En);
        si.items = vec![
            LineItem { sku: "B".into(), quantity: Some(2), matched_text: String::new() },
            LineItem { sku: "A".into(), quantity: None, matched_text: String::new() },
        ];
        si.company = Some("Acme LLC".into());
        let e: IntakeExpect = serde_json::from_str(
            r#"{"items":[{"sku":"A","quantity":null},{"sku":"B","quantity":2}],"destination":null,"incoterm":null,"contact":null}"#,
        )
        .unwrap();
        assert!(check_intake(&si, &e).is_empty(), "{:?}", check_intake(&si, &e));
        let e2: IntakeExpect = serde_json::from_str(
            r#"{"items":[{"sku":"A","quantity":null},{"sku":"B","quantity":2}],"destination":null,"incoterm":null,"contact":null,"company":null}"#,
        )
        .unwrap();
        assert_eq!(check_intake(&si, &e2).len(), 1);
    }
}
