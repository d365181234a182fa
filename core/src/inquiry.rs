//! An inquiry as it arrives, and as intake understands it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Chinese when at least a fifth of the letters are CJK ideographs.
    pub fn detect(text: &str) -> Lang {
        let mut cjk = 0usize;
        let mut letters = 0usize;
        for c in text.chars() {
            if ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c) {
                cjk += 1;
                letters += 1;
            } else if c.is_alphabetic() {
                letters += 1;
            }
        }
        if letters > 0 && cjk * 5 >= letters {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// A raw message from any front end.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inquiry {
    pub id: String,
    /// "cli", "http", "telegram", ...
    pub channel: String,
    /// The sender's id within that channel.
    pub channel_user: String,
    pub text: String,
    pub received_at_ms: u64,
    /// The chat within the channel; the sender when absent. One chat keeps
    /// one open inquiry (see `conversation`).
    #[serde(default)]
    pub chat: Option<String>,
    /// Start a new inquiry even if the conversation has one open.
    #[serde(default)]
    pub start_new: bool,
    /// A phone number the channel vouches belongs to the sender (a Telegram
    /// contact the sender shared themselves). Only such proof, or an
    /// operator, may link a chat to a known customer.
    #[serde(default)]
    pub verified_phone: Option<String>,
}

impl Inquiry {
    /// The conversation this message belongs to: `channel:chat`.
    pub fn conversation(&self) -> String {
        format!("{}:{}", self.channel, self.chat.as_deref().unwrap_or(&self.channel_user))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LineItem {
    pub sku: String,
    pub quantity: Option<u32>,
    /// The words in the message that named this product.
    pub matched_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Destination {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// A city or port, when one was named (English name).
    pub place: Option<String>,
    /// Sub-national region code when it matters for sanctions (e.g. "UA-43" Crimea).
    pub region: Option<String>,
    pub matched_text: String,
}

/// What a party does in the deal: every one of them is screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// Who buys and pays.
    Buyer,
    /// Who receives the goods.
    Consignee,
    /// Who finally uses the goods.
    EndUser,
    /// Who is told of the arrival (bill of lading notify party).
    NotifyParty,
    /// A freight forwarder or agent handling the goods.
    Forwarder,
    /// A person writing or named as the contact.
    Contact,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Buyer => "buyer",
            PartyRole::Consignee => "consignee",
            PartyRole::EndUser => "end user",
            PartyRole::NotifyParty => "notify party",
            PartyRole::Forwarder => "forwarder",
            PartyRole::Contact => "contact person",
        }
    }
}

/// A person or an organisation: screened against the list entries of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Person,
    Company,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Company => "company",
        }
    }
}

/// A party named in the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Party {
    pub role: PartyRole,
    /// The name as written.
    pub name: String,
    pub kind: PartyKind,
    /// ISO 3166-1 alpha-2, from the party's address or a place named with it.
    pub country: Option<String>,
    /// The address as written, when one was given.
    pub address: Option<String>,
    /// The words in the message that named the party.
    pub matched_text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingField {
    Product,
    Quantity,
    Destination,
    Company,
}

/// What intake made of a message, merged with what memory already knew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StructuredInquiry {
    pub lang: Lang,
    pub items: Vec<LineItem>,
    /// Product-like phrases that matched nothing in the catalog.
    #[serde(default)]
    pub unmatched_products: Vec<String>,
    /// The final destination: where the goods end up after any transit,
    /// transhipment or re-export the message describes.
    pub destination: Option<Destination>,
    /// Places the goods pass through on the way (transit, transhipment,
    /// free zones, a port they are re-exported from), in route order.
    #[serde(default)]
    pub transit: Vec<Destination>,
    /// Incoterms 2020 code, e.g. "FOB", "CIF", "DAP".
    pub incoterm: Option<String>,
    pub company: Option<String>,
    #[serde(default)]
    pub contact: Contact,
    /// Every party the message names (buyer, consignee, end user, notify
    /// party, forwarder, contact persons), each to be screened.
    #[serde(default)]
    pub parties: Vec<Party>,
    /// 统一社会信用代码, when given.
    pub credit_code: Option<String>,
    /// What we still need and must ask the customer for.
    #[serde(default)]
    pub missing: Vec<MissingField>,
    /// Fields filled from memory rather than this message.
    #[serde(default)]
    pub from_memory: Vec<String>,
    /// True when the message looked like an attempt to subvert instructions.
    #[serde(default)]
    pub suspicious: bool,
}

impl StructuredInquiry {
    pub fn empty(lang: Lang) -> Self {
        Self {
            lang,
            items: Vec::new(),
            unmatched_products: Vec::new(),
            destination: None,
            transit: Vec::new(),
            incoterm: None,
            company: None,
            contact: Contact::default(),
            parties: Vec::new(),
            credit_code: None,
            missing: Vec::new(),
            from_memory: Vec::new(),
            suspicious: false,
        }
    }
}
