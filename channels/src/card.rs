//! The one card model every adapter renders: built from a `Delivery` (FAQ
//! card, sales proposal, customs pre-check, or anything else a sink gets),
//! independent of any channel's format.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tradewind_core::{CustomsReport, FaqCard, Lang, Proposal, RiskLevel};
use tradewind_ports::sink::Delivery;

/// How urgent the card looks: header colours, emphasis and button styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Neutral,
    Good,
    Warning,
    Danger,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardField {
    pub name: String,
    /// At most five characters, for channels with tight key names (WeCom's
    /// `horizontal_content_list`); `name` when it is short already.
    pub short: String,
    /// Plain text (no markup).
    pub value: String,
}

impl CardField {
    fn new(name: &str, short: &str, value: impl Into<String>) -> Self {
        Self { name: name.to_string(), short: short.to_string(), value: value.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum ButtonAction {
    /// Opens a link; every channel can show it.
    Url(String),
    /// Sent back to the bot when pressed (Telegram `callback_data`, at most
    /// 64 bytes); channels without interactivity leave it out.
    Callback(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardButton {
    pub label: String,
    pub action: ButtonAction,
}

/// A card, ready to render into any channel's format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// "faq_card", "proposal", "customs" or the delivery's own kind.
    pub kind: String,
    /// "sales", "logistics", "customer_service".
    pub audience: String,
    pub lang: Lang,
    pub delivery_id: String,
    pub inquiry_id: String,
    pub title: String,
    /// One short line that stands out (risk level, total): plain text.
    pub headline: Option<String>,
    /// What the headline means ("risk level", "total"): plain text.
    pub headline_label: Option<String>,
    /// The document, in Markdown.
    pub body: String,
    pub fields: Vec<CardField>,
    pub buttons: Vec<CardButton>,
    /// Small print under the card: plain text.
    pub footer: Option<String>,
    pub tone: Tone,
}

/// Where buttons may point. Without a console URL cards carry no "open"
/// link (and channels that need one fall back to their plain format).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardLinks {
    /// Base of the operator console, e.g. `https://tradewind.example.com`;
    /// cards link to `{base}/inquiries/{inquiry_id}`.
    pub console_url: Option<String>,
}

/// Telegram's documented limit on `callback_data`.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// `prefix:value`, or `prefix:` + a hash of the value when that would not
/// fit in Telegram's 64 bytes; the bot resolves hashes through its own map.
pub fn callback_data(prefix: &str, value: &str) -> String {
    let direct = format!("{prefix}:{value}");
    if direct.len() <= MAX_CALLBACK_BYTES {
        return direct;
    }
    let digest = hex::encode(Sha256::digest(value.as_bytes()));
    let mut out = format!("{prefix}:#{digest}");
    out.truncate(MAX_CALLBACK_BYTES);
    out
}

/// A field label and its short form.
type Label = (&'static str, &'static str);

struct Labels {
    open: &'static str,
    ack: &'static str,
    risk: Label,
    risk_label: &'static str,
    findings: Label,
    documents: Label,
    lines: Label,
    total: Label,
    total_label: &'static str,
    lead_time: Label,
    topic: Label,
    source: Label,
    inquiry: Label,
    days: &'static str,
    customs_note: &'static str,
    proposal_note: &'static str,
}

fn labels(lang: Lang) -> &'static Labels {
    static EN: Labels = Labels {
        open: "Open inquiry",
        ack: "Acknowledge",
        risk: ("Risk", "Risk"),
        risk_label: "risk level",
        findings: ("Findings", "Flags"),
        documents: ("Documents", "Docs"),
        lines: ("Lines", "Lines"),
        total: ("Total", "Total"),
        total_label: "total (USD)",
        lead_time: ("Lead time", "Lead"),
        topic: ("Topic", "Topic"),
        source: ("Source", "Src"),
        inquiry: ("Inquiry", "Ref"),
        days: "days",
        customs_note: "Automated pre-check, not a compliance determination",
        proposal_note: "Draft for sales review; not yet sent to the customer",
    };
    static ZH: Labels = Labels {
        open: "查看询盘",
        ack: "已处理",
        risk: ("风险", "风险"),
        risk_label: "风险等级",
        findings: ("发现", "发现"),
        documents: ("单证", "单证"),
        lines: ("行数", "行数"),
        total: ("总额", "总额"),
        total_label: "总额 (USD)",
        lead_time: ("交期", "交期"),
        topic: ("主题", "主题"),
        source: ("来源", "来源"),
        inquiry: ("询盘", "询盘"),
        days: "天",
        customs_note: "自动预检，非合规结论",
        proposal_note: "销售草稿，尚未发送给客户",
    };
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

impl Card {
    /// The card for a delivery. A payload that does not match its kind (or
    /// is missing) still gives a card, from the title and body alone.
    pub fn from_delivery(d: &Delivery, links: &CardLinks) -> Card {
        let lang = match d.payload.get("lang").and_then(|v| v.as_str()) {
            Some("zh") => Lang::Zh,
            Some("en") => Lang::En,
            _ => Lang::detect(&format!("{} {}", d.title, d.body)),
        };
        let l = labels(lang);
        let mut card = Card {
            kind: d.kind.clone(),
            audience: d.audience.clone(),
            lang,
            delivery_id: d.delivery_id.clone(),
            inquiry_id: d.inquiry_id.clone(),
            title: d.title.clone(),
            headline: None,
            headline_label: None,
            // Trailing blank lines would become gaps before the footer.
            body: d.body.trim_end().to_string(),
            fields: Vec::new(),
            buttons: Vec::new(),
            footer: None,
            tone: Tone::Neutral,
        };
        match d.kind.as_str() {
            "customs" => {
                if let Ok(r) = serde_json::from_value::<CustomsReport>(d.payload.clone()) {
                    let risk = r.risk.as_str().to_uppercase();
                    card.tone = match r.risk {
                        RiskLevel::Clear => Tone::Good,
                        RiskLevel::Review => Tone::Warning,
                        RiskLevel::High | RiskLevel::Blocked => Tone::Danger,
                    };
                    card.headline = Some(risk.clone());
                    card.headline_label = Some(l.risk_label.into());
                    card.fields.push(CardField::new(l.risk.0, l.risk.1, risk));
                    card.fields.push(CardField::new(l.findings.0, l.findings.1, r.findings.len().to_string()));
                    if !r.documents.is_empty() {
                        card.fields.push(CardField::new(l.documents.0, l.documents.1, r.documents.join(", ")));
                    }
                }
                card.footer = Some(l.customs_note.into());
            }
            "proposal" => {
                if let Ok(p) = serde_json::from_value::<Proposal>(d.payload.clone()) {
                    let total: f64 = p.lines.iter().map(|x| x.total_usd).sum();
                    let lead = p.lines.iter().map(|x| x.lead_time_days).max();
                    if !p.lines.is_empty() {
                        let money = tradewind_core::format_money(total);
                        card.headline = Some(money.clone());
                        card.headline_label = Some(l.total_label.into());
                        card.fields.push(CardField::new(l.total.0, l.total.1, format!("USD {money}")));
                        card.fields.push(CardField::new(l.lines.0, l.lines.1, p.lines.len().to_string()));
                    }
                    if let Some(days) = lead {
                        card.fields.push(CardField::new(l.lead_time.0, l.lead_time.1, format!("{days} {}", l.days)));
                    }
                }
                // A draft held by customs carries a banner; make it impossible to miss.
                if d.body.starts_with("> **") {
                    card.tone = Tone::Danger;
                }
                card.footer = Some(l.proposal_note.into());
            }
            "faq_card" => {
                if let Ok(f) = serde_json::from_value::<FaqCard>(d.payload.clone()) {
                    card.title = f.question.clone();
                    card.body = f.answer.trim_end().to_string();
                    card.fields.push(CardField::new(l.topic.0, l.topic.1, f.topic.clone()));
                    let source = match &f.citation.section {
                        Some(s) => format!("{} — {s}", f.citation.source),
                        None => f.citation.source.clone(),
                    };
                    card.fields.push(CardField::new(l.source.0, l.source.1, source));
                    if f.citation.source.starts_with("https://") || f.citation.source.starts_with("http://") {
                        card.buttons.push(CardButton {
                            label: l.source.0.into(),
                            action: ButtonAction::Url(f.citation.source.clone()),
                        });
                    }
                }
            }
            _ => {}
        }
        card.fields.push(CardField::new(l.inquiry.0, l.inquiry.1, d.inquiry_id.clone()));
        if let Some(base) = links.console_url.as_deref().map(|b| b.trim_end_matches('/')).filter(|b| !b.is_empty()) {
            let url = format!("{base}/inquiries/{}", urlencoding::encode(&d.inquiry_id));
            card.buttons.insert(0, CardButton { label: l.open.into(), action: ButtonAction::Url(url) });
        }
        card.buttons.push(CardButton {
            label: l.ack.into(),
            action: ButtonAction::Callback(callback_data("ack", &d.delivery_id)),
        });
        card
    }

    /// The first link button, the card's "open" target.
    pub fn primary_url(&self) -> Option<&str> {
        self.url_buttons().next().map(|(_, url)| url)
    }

    pub fn url_buttons(&self) -> impl Iterator<Item = (&str, &str)> {
        self.buttons.iter().filter_map(|b| match &b.action {
            ButtonAction::Url(u) => Some((b.label.as_str(), u.as_str())),
            ButtonAction::Callback(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(kind: &str, payload: serde_json::Value) -> Delivery {
        Delivery {
            audience: "logistics".into(),
            kind: kind.into(),
            inquiry_id: "inq-1".into(),
            delivery_id: format!("inq-1-{kind}"),
            title: "Customs pre-check inq-1: review".into(),
            body: "# Customs\n\n**Risk level: REVIEW**".into(),
            payload,
        }
    }

    #[test]
    fn customs_card_has_risk_tone_and_fields() {
        let d = delivery("customs", json!({"risk":"review","findings":[],"summary":"s","documents":["UN38.3","SDS"]}));
        let c = Card::from_delivery(&d, &CardLinks { console_url: Some("https://tw.test/".into()) });
        assert_eq!(c.tone, Tone::Warning);
        assert_eq!(c.headline.as_deref(), Some("REVIEW"));
        assert_eq!(c.primary_url(), Some("https://tw.test/inquiries/inq-1"));
        assert!(c.fields.iter().any(|f| f.value == "UN38.3, SDS"));
        assert!(
            matches!(c.buttons.last().map(|b| &b.action), Some(ButtonAction::Callback(s)) if s == "ack:inq-1-customs")
        );
    }

    #[test]
    fn mismatched_payload_still_gives_a_card() {
        let c = Card::from_delivery(&delivery("customs", json!({"nonsense": true})), &CardLinks::default());
        assert_eq!(c.title, "Customs pre-check inq-1: review");
        assert_eq!(c.tone, Tone::Neutral);
        assert!(c.primary_url().is_none());
    }

    #[test]
    fn callback_data_fits_64_bytes() {
        assert_eq!(callback_data("ack", "short"), "ack:short");
        let long = callback_data("ack", &"x".repeat(200));
        assert!(long.len() <= 64 && long.starts_with("ack:#"));
    }
}
