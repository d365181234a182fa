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
    pub destination: Option<Destination>,
    /// Incoterms 2020 code, e.g. "FOB", "CIF", "DAP".
    pub incoterm: Option<String>,
    pub company: Option<String>,
    #[serde(default)]
    pub contact: Contact,
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
            incoterm: None,
            company: None,
            contact: Contact::default(),
            credit_code: None,
            missing: Vec::new(),
            from_memory: Vec::new(),
            suspicious: false,
        }
    }
}
