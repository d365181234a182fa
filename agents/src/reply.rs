//! The customer's reply: in their language, asking only for what is missing,
//! and revealing nothing internal (no prices or price rules, no risk
//! findings, no competitors, no other customer's data).

use serde_json::{json, Value};
use tradewind_core::{FaqCard, Lang, MissingField, StructuredInquiry};
use tradewind_tools::ToolCtx;

use crate::BrainTask;
use crate::Env;

/// Words that must never reach a customer in a model-written reply. The
/// template-built reply cannot contain them by construction.
const FORBIDDEN: &[&str] = &[
    "usd",
    "$",
    "price",
    "tier",
    "margin",
    "discount",
    "risk",
    "sanction",
    "screening",
    "embargo",
    "denied",
    "competitor",
    "internal",
    "rule",
    "system prompt",
    "价格",
    "单价",
    "利润",
    "折扣",
    "风险",
    "制裁",
    "筛查",
    "竞争",
    "规则",
    "内部",
];

pub fn leaks(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    if let Some(w) = FORBIDDEN.iter().copied().find(|w| lower.contains(w)) {
        return Some(w);
    }
    // Small models like to leave form-letter blanks ("[Your Name]"); a
    // customer must never receive those.
    ["[your", "[customer", "name]", "[company"].into_iter().find(|p| lower.contains(p))
}

fn question(si: &StructuredInquiry, m: MissingField, first_item_name: Option<&str>) -> String {
    match (si.lang, m) {
        (Lang::En, MissingField::Product) => "Which product (model or specification) you need".into(),
        (Lang::En, MissingField::Quantity) => match first_item_name {
            Some(n) => format!("How many units of the {n} you need"),
            None => "How many units you need".into(),
        },
        (Lang::En, MissingField::Destination) => {
            "Where the goods should be delivered (country, and port or city)".into()
        }
        (Lang::En, MissingField::Company) => "Your company name".into(),
        (Lang::Zh, MissingField::Product) => "您需要的产品（型号或规格）".into(),
        (Lang::Zh, MissingField::Quantity) => match first_item_name {
            Some(n) => format!("{n}的需求数量"),
            None => "需求数量".into(),
        },
        (Lang::Zh, MissingField::Destination) => "收货目的地（国家及港口或城市）".into(),
        (Lang::Zh, MissingField::Company) => "贵公司名称".into(),
    }
}

/// The public facts of the inquiry: nothing here is internal.
pub fn public_facts(env: &Env, si: &StructuredInquiry, hold: bool, answer: Option<&FaqCard>) -> Value {
    let mut items = Vec::new();
    let mut first_missing_qty: Option<String> = None;
    for it in &si.items {
        let Some(p) = env.services.catalog.get(&it.sku) else { continue };
        let name = match si.lang {
            Lang::En => p.name_en.clone(),
            Lang::Zh => p.name_zh.clone(),
        };
        if it.quantity.is_none() && first_missing_qty.is_none() {
            first_missing_qty = Some(name.clone());
        }
        let quantity_text = match (it.quantity, si.lang) {
            (Some(q), Lang::En) => format!("{q} × "),
            (Some(q), Lang::Zh) => format!("{q} 件 "),
            (None, _) => String::new(),
        };
        let available = it.quantity.is_some_and(|q| p.stock >= q);
        items.push(json!({
            "sku": p.sku, "name": name, "quantity_text": quantity_text,
            "available": available, "lead_time_days": p.lead_time_days,
        }));
    }
    let questions: Vec<String> = si.missing.iter().map(|m| question(si, *m, first_missing_qty.as_deref())).collect();
    let nearest = if si.suspicious { Vec::new() } else { nearest_products(env, si) };
    json!({
        // What we do sell closest to what we could not find, and how it
        // differs: a way forward instead of "please describe the product".
        "nearest": nearest,
        "contact_name": si.contact.name,
        "items": items,
        // Echoing a suspicious message's phrases back would hand an attacker a
        // channel; the reply then only offers our catalog. Otherwise only
        // short, product-like phrases are named; anything else is described.
        "unmatched": if si.suspicious { Vec::new() } else { echoable(&si.unmatched_products) },
        "unmatched_unnamed": !si.suspicious
            && si.unmatched_products.iter().any(|p| !p.trim().is_empty())
            && echoable(&si.unmatched_products).is_empty(),
        "no_products": si.items.is_empty() && (si.suspicious || si.unmatched_products.is_empty()),
        "questions": questions,
        "destination": crate::proposal::destination_text(si),
        // When compliance must look first we promise a review, not a quote,
        // and say nothing of why.
        "hold": hold,
        // The FAQ's answer to the question the customer asked, if any.
        "answer": answer.map(|c| c.answer.trim().to_string()),
    })
}

/// Alternatives offered for the products we could not match, at most.
const MAX_NEAREST: usize = 3;

/// The catalog products nearest to the unmatched phrases, each once, with
/// its name in the customer's language and how it differs.
fn nearest_products(env: &Env, si: &StructuredInquiry) -> Vec<Value> {
    let mut seen: Vec<String> = si.items.iter().map(|i| i.sku.clone()).collect();
    let mut out = Vec::new();
    for phrase in &si.unmatched_products {
        for near in env.services.intake.nearest(phrase, MAX_NEAREST) {
            if out.len() >= MAX_NEAREST || seen.contains(&near.sku) {
                continue;
            }
            let Some(p) = env.services.catalog.get(&near.sku) else { continue };
            let name = match si.lang {
                Lang::En => p.name_en.clone(),
                Lang::Zh => p.name_zh.clone(),
            };
            let sep = if si.lang == Lang::Zh { "；" } else { "; " };
            out.push(json!({"sku": p.sku, "name": name, "differs": near.differs.join(sep)}));
            seen.push(near.sku);
        }
    }
    out
}

/// Phrases longer than this are not named back to the customer.
const MAX_ECHO_CHARS: usize = 40;
const MAX_ECHO_WORDS: usize = 6;
const MAX_ECHOED: usize = 3;

/// The unmatched phrases fit to be named in a reply: short, made of words
/// and numbers (no links, no markup, no personal identifiers), at most
/// three. Whatever a sender (or a model reading them) puts in a "product"
/// is otherwise repeated by us, to them or to whoever they forward it to.
pub fn echoable(phrases: &[String]) -> Vec<String> {
    phrases.iter().map(|p| p.trim()).filter(|p| product_like(p)).take(MAX_ECHOED).map(str::to_string).collect()
}

fn product_like(p: &str) -> bool {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 2 || chars.len() > MAX_ECHO_CHARS || p.split_whitespace().count() > MAX_ECHO_WORDS {
        return false;
    }
    let allowed = |i: usize, c: char| {
        c.is_alphanumeric()
            || matches!(c, ' ' | '-' | '/' | '+' | '%' | '×')
            // A dot only inside a number ("1.5 kW"), never in a domain.
            || (c == '.'
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit))
    };
    chars.iter().enumerate().all(|(i, &c)| allowed(i, c)) && tradewind_nlp::pii::find(p).is_empty()
}

pub async fn run(
    env: &Env,
    ctx: &ToolCtx,
    si: &StructuredInquiry,
    hold: bool,
    answer: Option<&FaqCard>,
    letter: bool,
) -> String {
    let mut facts = public_facts(env, si, hold, answer);
    facts["letter"] = json!(letter);
    let template = format!("reply.{}", si.lang.code());
    let templated = crate::render(env, &template, &facts);
    let brain = env.brain_for("reply");
    if brain.is_offline() {
        return tidy(&templated);
    }
    let lang_name = match si.lang {
        Lang::En => "English",
        Lang::Zh => "Chinese",
    };
    let task = BrainTask {
        agent: "reply",
        system: crate::render(env, "system.reply", &json!({"lang_name": lang_name, "facts": facts.to_string()})),
        user: "Write the reply.".into(),
        facts,
        template: Some(template),
        tools: vec![],
        output: None,
        max_steps: 2,
    };
    match brain.run(&task, &env.dispatcher, ctx).await {
        Ok(r) if !r.content.trim().is_empty() => match leaks(&r.content) {
            None => r.content.trim().to_string(),
            Some(word) => {
                ctx.recorder
                    .degrade("reply", format!("model reply mentioned '{word}'; sent the template reply instead"));
                tidy(&templated)
            }
        },
        Ok(_) => tidy(&templated),
        Err(e) => {
            ctx.recorder.degrade("reply", format!("model reply failed ({e}); sent the template reply"));
            tidy(&templated)
        }
    }
}

/// Collapse the blank lines template conditionals leave behind.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// The short reply sent when the full one cannot be made in time.
pub fn acknowledgement(lang: Lang) -> String {
    match lang {
        Lang::En => "Thank you for your message. Our team has received it and will reply shortly.".into(),
        Lang::Zh => "感谢您的留言，我们已收到，会尽快回复您。".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_product_like_phrases_are_named_back() {
        let phrases: Vec<String> = [
            "hydrogen fuel cells",
            "氢燃料电池",
            "1.5 kW inverters",
            "free gift cards at evil.example.com",
            "<b>click</b>",
            "call +49 40 1234567 now",
            "a phrase that goes on and on and on for far too many words",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(echoable(&phrases), vec!["hydrogen fuel cells", "氢燃料电池", "1.5 kW inverters"]);
        assert!(echoable(&phrases[3..]).is_empty());
    }
}
