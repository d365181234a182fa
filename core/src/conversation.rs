//! A conversation's open inquiry: what a new message did to it (fill,
//! revise, add, drop, correct, ask, start afresh), the changes that made a
//! new version, and which parts of the inquiry an agent reads, so that a
//! revision re-runs only the agents whose inputs changed.

use serde::{Deserialize, Serialize};

use crate::inquiry::{MissingField, StructuredInquiry};

/// What one message did to the open inquiry. A message may do several
/// things at once ("make it 1200, and ship to Gdansk instead").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TurnKind {
    /// The first message of a new inquiry.
    Open,
    /// Supplied something that was missing (destination, quantity, company…).
    Fill,
    /// Changed a value already given ("make it 1200 instead").
    Revise,
    /// Added a product.
    Add,
    /// Dropped a product.
    Drop,
    /// Corrected a value ("not Hamburg, Gdansk").
    Correct,
    /// Asked a question; the inquiry stays as it was.
    Question,
    /// Said nothing that changes the inquiry (thanks, greetings).
    Chat,
}

impl TurnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TurnKind::Open => "open",
            TurnKind::Fill => "fill",
            TurnKind::Revise => "revise",
            TurnKind::Add => "add",
            TurnKind::Drop => "drop",
            TurnKind::Correct => "correct",
            TurnKind::Question => "question",
            TurnKind::Chat => "chat",
        }
    }
}

/// The parts of an inquiry an agent may read. A change to one re-runs the
/// agents that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Which products (SKUs), and the phrases we could not match.
    Products,
    /// How many of each.
    Quantities,
    Destination,
    Incoterm,
    Company,
    Contact,
    /// Parties other than the buyer: consignee, end user, forwarder.
    Parties,
    Lang,
    /// A question the customer asked (FAQ answers it).
    Question,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Products,
        Field::Quantities,
        Field::Destination,
        Field::Incoterm,
        Field::Company,
        Field::Contact,
        Field::Parties,
        Field::Lang,
        Field::Question,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Products => "products",
            Field::Quantities => "quantities",
            Field::Destination => "destination",
            Field::Incoterm => "incoterm",
            Field::Company => "company",
            Field::Contact => "contact",
            Field::Parties => "parties",
            Field::Lang => "lang",
            Field::Question => "question",
        }
    }
}

/// One change between two versions, for people: "quantity of TW-BP-4820:
/// 800 → 1200".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    pub field: Field,
    /// What the change is about when a field has several values (a SKU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    pub fn new(field: Field, before: Option<String>, after: Option<String>) -> Self {
        Self { field, subject: None, before, after }
    }

    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match &self.subject {
            Some(s) => format!("{} of {s}", self.field.as_str()),
            None => self.field.as_str().to_string(),
        };
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => write!(f, "{what} {b} → {a}"),
            (None, Some(a)) => write!(f, "{what}: {a}"),
            (Some(b), None) => write!(f, "{what}: {b} dropped"),
            (None, None) => write!(f, "{what}"),
        }
    }
}

/// What reading one message against the open inquiry gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnReading {
    pub kinds: Vec<TurnKind>,
    /// The inquiry after this message.
    pub inquiry: StructuredInquiry,
    pub changes: Vec<Change>,
    /// The question the customer asked, when the message asks one.
    pub question: Option<String>,
    /// The customer asked for a separate, new inquiry.
    pub start_new: bool,
}

impl TurnReading {
    /// The fields this message changed, for deciding which agents re-run.
    pub fn changed_fields(&self) -> Vec<Field> {
        let mut f: Vec<Field> = self.changes.iter().map(|c| c.field).collect();
        if self.question.is_some() {
            f.push(Field::Question);
        }
        f.sort();
        f.dedup();
        f
    }
}

/// One version of a conversation's inquiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryVersion {
    pub version: u32,
    /// The message (and run) that made it.
    pub inquiry_id: String,
    pub at_ms: u64,
    pub kinds: Vec<TurnKind>,
    pub changes: Vec<Change>,
    pub inquiry: StructuredInquiry,
}

/// A conversation's open inquiry, kept in memory between messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryThread {
    /// Stable across versions: what operators and sales call "the inquiry".
    pub thread_id: String,
    /// The conversation it belongs to: `channel:chat`.
    pub conversation: String,
    /// The customer it was booked to (channel-scoped, or unified once linked).
    pub customer: String,
    pub version: u32,
    /// The inquiry as it stands.
    pub inquiry: StructuredInquiry,
    /// Versions, oldest first (bounded).
    pub versions: Vec<InquiryVersion>,
    /// The run whose agent outputs are current, for reuse when a message
    /// changes nothing an agent reads.
    pub last_run: Option<String>,
    /// Questions put to the customer, so that none is repeated once answered.
    #[serde(default)]
    pub asked: Vec<MissingField>,
    pub opened_at_ms: u64,
    pub updated_at_ms: u64,
    /// Closed inquiries take no more changes; the next message opens a new one.
    #[serde(default)]
    pub closed: bool,
}

/// Versions a thread keeps; older ones are dropped first.
pub const MAX_VERSIONS: usize = 50;

impl InquiryThread {
    pub fn open(
        thread_id: String,
        conversation: String,
        customer: String,
        inquiry_id: &str,
        inquiry: StructuredInquiry,
        at_ms: u64,
    ) -> Self {
        let first = InquiryVersion {
            version: 1,
            inquiry_id: inquiry_id.to_string(),
            at_ms,
            kinds: vec![TurnKind::Open],
            changes: Vec::new(),
            inquiry: inquiry.clone(),
        };
        Self {
            thread_id,
            conversation,
            customer,
            version: 1,
            inquiry,
            versions: vec![first],
            last_run: None,
            asked: Vec::new(),
            opened_at_ms: at_ms,
            updated_at_ms: at_ms,
            closed: false,
        }
    }

    /// Applies a message's reading: a new version when it changed anything.
    /// Returns whether a version was made.
    pub fn apply(&mut self, inquiry_id: &str, reading: &TurnReading, at_ms: u64) -> bool {
        self.updated_at_ms = at_ms;
        if reading.changes.is_empty() {
            return false;
        }
        self.version += 1;
        self.inquiry = reading.inquiry.clone();
        self.versions.push(InquiryVersion {
            version: self.version,
            inquiry_id: inquiry_id.to_string(),
            at_ms,
            kinds: reading.kinds.clone(),
            changes: reading.changes.clone(),
            inquiry: reading.inquiry.clone(),
        });
        if self.versions.len() > MAX_VERSIONS {
            let drop = self.versions.len() - MAX_VERSIONS;
            self.versions.drain(..drop);
        }
        true
    }

    /// "v2: quantity of TW-BP-4820 800 → 1200; destination: PL" for the
    /// latest version, or `None` for the first.
    pub fn change_summary(&self) -> Option<String> {
        let v = self.versions.last().filter(|v| v.version > 1)?;
        let parts: Vec<String> = v.changes.iter().map(ToString::to_string).collect();
        Some(format!("v{}: {}", v.version, parts.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inquiry::Lang;

    #[test]
    fn a_change_makes_a_version_and_says_what_changed() {
        let si = StructuredInquiry::empty(Lang::En);
        let mut t = InquiryThread::open("thr-1".into(), "web:c1".into(), "c:web:c1".into(), "inq-1", si.clone(), 1);
        assert_eq!(t.change_summary(), None);
        let nothing = TurnReading {
            kinds: vec![TurnKind::Question],
            inquiry: si.clone(),
            changes: vec![],
            question: Some("lead time?".into()),
            start_new: false,
        };
        assert!(!t.apply("inq-2", &nothing, 2), "a question makes no version");
        assert_eq!(t.version, 1);
        let revise = TurnReading {
            kinds: vec![TurnKind::Revise],
            inquiry: si,
            changes: vec![Change::new(Field::Quantities, Some("800".into()), Some("1200".into())).about("TW-BP-4820")],
            question: None,
            start_new: false,
        };
        assert!(t.apply("inq-3", &revise, 3));
        assert_eq!(t.version, 2);
        assert_eq!(t.change_summary().as_deref(), Some("v2: quantities of TW-BP-4820 800 → 1200"));
        assert_eq!(revise.changed_fields(), vec![Field::Quantities]);
    }
}
