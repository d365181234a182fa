//! Intake: a message in, the conversation's inquiry out. Rules read the
//! message against the inquiry already open in the conversation; a model,
//! when configured, may fill what the rules left empty, but only with values
//! grounded in what the customer wrote; memory fills what the customer told
//! us before, so they are never asked twice.

use async_trait::async_trait;
use serde_json::{json, Value};
use tradewind_core::{Destination, Lang, LineItem, StructuredInquiry, TurnKind, TurnReading};
use tradewind_tools::builtin::{Facts, NoArgs, ReadMessage, ReadMessageArgs, RecallCustomer, Recalled};
use tradewind_tools::{call_typed, ToolCtx, ToolHost};

use crate::offline::Plan;
use crate::{BrainError, BrainReply, BrainTask, Env, OutputSpec};

/// Offline plan: the rules, through their tool.
pub struct OfflineIntake;

#[async_trait]
impl Plan for OfflineIntake {
    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        let open = task.facts.get("open").cloned().and_then(|v| serde_json::from_value(v).ok());
        let args = ReadMessageArgs { text: task.user.clone(), open };
        let reading = call_typed::<ReadMessage>(tools, ctx, &args).await?;
        let v = serde_json::to_value(&reading).map_err(|e| BrainError::BadOutput(e.to_string()))?;
        Ok(BrainReply { content: v.to_string(), json: Some(v), steps: 1, ..Default::default() })
    }
}

/// What a model returns for a message: only what the message says, every
/// field optional, none of the computed fields. Strict mode lets a model
/// write `null` for any of them, and it does.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct IntakeDraft {
    // `default` makes the lists nullable in the strict schema too: small
    // models write null for an empty list, and that must not fail the draft.
    #[serde(default)]
    pub items: Vec<DraftItem>,
    #[serde(default)]
    pub unmatched_products: Vec<String>,
    /// ISO 3166-1 alpha-2 of the final destination.
    pub destination_country: Option<String>,
    /// The city or port named for delivery.
    pub destination_place: Option<String>,
    pub incoterm: Option<String>,
    pub company: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct DraftItem {
    /// A catalog SKU found with lookup_product.
    pub sku: Option<String>,
    /// The customer's words for the product.
    pub product: Option<String>,
    pub quantity: Option<u32>,
}

impl IntakeDraft {
    /// Reads a model's JSON field by field: a field of the wrong type is
    /// dropped (and reported), not the whole draft.
    pub fn from_json(v: &Value) -> (IntakeDraft, Vec<String>) {
        let mut problems = Vec::new();
        let mut d = IntakeDraft::default();
        let Some(obj) = v.as_object() else {
            problems.push(format!("expected an object, got {}", kind_of(v)));
            return (d, problems);
        };
        let mut text = |key: &str| -> Option<String> {
            match obj.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(other) => {
                    problems.push(format!("{key}: expected text, got {}", kind_of(other)));
                    None
                }
            }
        };
        d.destination_country = text("destination_country");
        d.destination_place = text("destination_place");
        d.incoterm = text("incoterm");
        d.company = text("company");
        d.contact_name = text("contact_name");
        d.contact_phone = text("contact_phone");
        d.contact_email = text("contact_email");
        match obj.get("unmatched_products") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                d.unmatched_products = a.iter().filter_map(Value::as_str).map(str::to_string).collect();
            }
            Some(other) => problems.push(format!("unmatched_products: expected a list, got {}", kind_of(other))),
        }
        match obj.get("items") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for (i, it) in a.iter().enumerate() {
                    let Some(o) = it.as_object() else {
                        problems.push(format!("items[{i}]: expected an object, got {}", kind_of(it)));
                        continue;
                    };
                    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
                    let quantity = match o.get("quantity") {
                        None | Some(Value::Null) => None,
                        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0),
                        Some(Value::String(q)) => q.trim().replace(',', "").parse::<u32>().ok().filter(|n| *n > 0),
                        Some(other) => {
                            problems.push(format!("items[{i}].quantity: expected a number, got {}", kind_of(other)));
                            None
                        }
                    };
                    d.items.push(DraftItem {
                        sku: s("sku").map(str::to_string),
                        product: s("product").map(str::to_string),
                        quantity,
                    });
                }
            }
            Some(other) => problems.push(format!("items: expected a list, got {}", kind_of(other))),
        }
        (d, problems)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Runs intake: recall, read the message (against the open inquiry), let a
/// model fill gaps, then fill from memory and decide what is missing.
pub async fn run(
    env: &Env,
    ctx: &ToolCtx,
    text: &str,
    open: Option<&StructuredInquiry>,
    conversation: &str,
) -> Result<(TurnReading, Recalled), BrainError> {
    let recalled = env.dispatcher.call_typed::<RecallCustomer>(ctx, &NoArgs {}).await?;
    let brain = env.brain_for("intake");
    let mut reading = if brain.is_offline() {
        let task = BrainTask {
            agent: "intake",
            system: String::new(),
            user: text.to_string(),
            facts: json!({ "open": open }),
            template: None,
            tools: vec![],
            output: None,
            max_steps: 1,
        };
        let reply = brain.run(&task, &env.dispatcher, ctx).await?;
        reply
            .json
            .and_then(|v| serde_json::from_value::<TurnReading>(v).ok())
            .ok_or_else(|| BrainError::BadOutput("offline intake returned no reading".into()))?
    } else {
        // Rules first: they are cheap and never invent. The model sees their
        // reading and may fill what they missed; it cannot erase what they found.
        let args = ReadMessageArgs { text: text.to_string(), open: open.cloned() };
        let mut reading = env.dispatcher.call_typed::<ReadMessage>(ctx, &args).await?;
        let known = serde_json::to_string(&recalled.facts).unwrap_or_default();
        let task = BrainTask {
            agent: "intake",
            system: crate::render(env, "system.intake", &json!({ "known": known })),
            user: format!(
                "{conversation}Customer message:\n{text}\n\nWhat the rule-based parser found (JSON):\n{}",
                serde_json::to_string(&message_facts(&reading.inquiry)).unwrap_or_default()
            ),
            facts: json!({}),
            template: None,
            tools: vec!["lookup_product"],
            output: Some(OutputSpec {
                name: "intake_draft",
                schema: tradewind_tools::schema::to_strict(&tradewind_tools::schema::schema_of::<IntakeDraft>()),
            }),
            max_steps: 4,
        };
        match brain.run(&task, &env.dispatcher, ctx).await {
            Ok(reply) => match reply.json {
                Some(v) => {
                    let (draft, problems) = IntakeDraft::from_json(&v);
                    for p in problems {
                        ctx.recorder.note("intake", format!("model draft field ignored: {p}"));
                    }
                    // Only what the customer wrote grounds a value: our own
                    // replies name us ("Tradewind Power"), never the customer.
                    let theirs: Vec<&str> = conversation.lines().filter(|l| l.starts_with("customer:")).collect();
                    let grounding = format!("{}\n{text}", theirs.join("\n"));
                    let draft = ground(env, ctx, draft, &grounding);
                    fill_from_model(&mut reading, draft);
                }
                None => ctx.recorder.degrade(
                    "intake",
                    format!(
                        "the model's draft was not JSON ({} chars); the rules' reading stands",
                        reply.content.len()
                    ),
                ),
            },
            Err(e) => ctx.recorder.degrade("intake", format!("model failed ({e}); the rules' reading stands")),
        }
        reading
    };
    merge_memory(&mut reading.inquiry, &recalled.facts);
    reading.inquiry.missing = tradewind_nlp::compute_missing(&reading.inquiry);
    Ok((reading, recalled))
}

/// What the rules found, without the computed fields, for the model's prompt.
fn message_facts(si: &StructuredInquiry) -> Value {
    json!({
        "items": si.items.iter().map(|i| json!({"sku": i.sku, "quantity": i.quantity})).collect::<Vec<_>>(),
        "unmatched_products": si.unmatched_products,
        "destination": si.destination.as_ref().map(|d| &d.country),
        "incoterm": si.incoterm, "company": si.company, "contact": si.contact,
    })
}

/// Keeps only model values that the customer actually wrote (or that
/// normalise from what they wrote); drops the rest with a note. A model
/// must never invent a phone number, an address or a name that would be
/// stored as a customer fact.
pub fn ground(env: &Env, ctx: &ToolCtx, mut d: IntakeDraft, source: &str) -> IntakeDraft {
    let lower = source.to_lowercase();
    let squashed: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let digits: String = source.chars().filter(char::is_ascii_digit).collect();
    let mentions = |v: &str| {
        let v = v.trim().to_lowercase();
        !v.is_empty() && squashed.contains(&v.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let drop = |field: &str, value: &str| {
        ctx.recorder.note("intake", format!("model value for {field} ('{value}') is not in the message; dropped"));
    };
    let keep_text = |field: &str, v: &mut Option<String>| {
        if let Some(x) = v.as_deref().filter(|x| !mentions(x)) {
            drop(field, x);
            *v = None;
        }
    };
    keep_text("company", &mut d.company);
    keep_text("contact_name", &mut d.contact_name);
    keep_text("contact_email", &mut d.contact_email);
    keep_text("destination_place", &mut d.destination_place);
    if let Some(p) = d.contact_phone.as_deref() {
        let pd: String = p.chars().filter(char::is_ascii_digit).collect();
        // The national part must appear as written; a country code may be added.
        let tail = &pd[pd.len().saturating_sub(7)..];
        if pd.len() < 7 || !digits.contains(tail) {
            drop("contact_phone", p);
            d.contact_phone = None;
        }
    }
    if let Some(code) = d.incoterm.as_deref() {
        let code = code.trim().to_uppercase();
        if !lower.contains(&code.to_lowercase()) {
            drop("incoterm", &code);
            d.incoterm = None;
        } else {
            d.incoterm = Some(code);
        }
    }
    if let Some(c) = d.destination_country.clone() {
        let c = c.trim().to_uppercase();
        let named = [Lang::En, Lang::Zh].iter().any(|l| mentions(tradewind_nlp::country_name(&c, *l)))
            || tradewind_nlp::resolve_destination(source).is_some_and(|r| r.country == c)
            || d.destination_place
                .as_deref()
                .and_then(tradewind_nlp::resolve_destination)
                .is_some_and(|r| r.country == c);
        if c.len() != 2 || !named {
            drop("destination_country", &c);
            d.destination_country = None;
        } else {
            d.destination_country = Some(c);
        }
    }
    d.items.retain_mut(|it| {
        let Some(sku) = it.sku.as_deref() else { return false };
        if env.services.catalog.get(sku).is_none() {
            drop("items.sku", sku);
            return false;
        }
        if let Some(q) = it.quantity {
            if !digits.contains(&q.to_string()) && !quantity_in_words(source, q) {
                drop("items.quantity", &q.to_string());
                it.quantity = None;
            }
        }
        true
    });
    d
}

/// A quantity written in words or Chinese numerals ("three hundred", 三百).
fn quantity_in_words(source: &str, q: u32) -> bool {
    source.split(|c: char| c.is_whitespace() || ",.;:!?，。；：！？".contains(c)).any(|w| {
        tradewind_nlp::parse_chinese(w).is_some_and(|n| n == u64::from(q))
            || tradewind_nlp::parse_quantity(w).is_some_and(|n| n == q)
    })
}

/// Fills what the rules' reading still lacks from a grounded model draft,
/// field by field; the rules' and the conversation's values always stand.
fn fill_from_model(reading: &mut TurnReading, d: IntakeDraft) {
    let si = &mut reading.inquiry;
    if si.items.is_empty() {
        si.items = d
            .items
            .iter()
            .filter_map(|i| {
                Some(LineItem {
                    sku: i.sku.clone()?,
                    quantity: i.quantity,
                    matched_text: i.product.clone().unwrap_or_default(),
                })
            })
            .collect();
    } else {
        for it in &mut si.items {
            if it.quantity.is_none() {
                it.quantity = d.items.iter().find(|m| m.sku.as_deref() == Some(&it.sku)).and_then(|m| m.quantity);
            }
        }
    }
    for u in d.unmatched_products {
        if !u.trim().is_empty() && !si.unmatched_products.contains(&u) && si.items.iter().all(|i| i.matched_text != u) {
            si.unmatched_products.push(u);
        }
    }
    if si.destination.is_none() {
        si.destination = d.destination_country.map(|country| Destination {
            country,
            place: d.destination_place.clone(),
            region: None,
            matched_text: d.destination_place.clone().unwrap_or_default(),
        });
    }
    si.incoterm = si.incoterm.take().or(d.incoterm);
    si.company = si.company.take().or(d.company);
    si.contact.name = si.contact.name.take().or(d.contact_name);
    si.contact.email = si.contact.email.take().or(d.contact_email);
    si.contact.phone = si.contact.phone.take().or(d.contact_phone);
    if reading.kinds.is_empty() {
        reading.kinds.push(TurnKind::Fill);
    }
}

/// Fill what this message left out from what memory knows; this message wins.
pub fn merge_memory(si: &mut StructuredInquiry, facts: &Facts) {
    if si.company.is_none() {
        if let Some(c) = &facts.company {
            si.company = Some(c.clone());
            si.from_memory.push("company".into());
        }
    }
    if si.destination.is_none() {
        if let Some(c) = &facts.country {
            si.destination =
                Some(Destination { country: c.clone(), place: None, region: None, matched_text: String::new() });
            si.from_memory.push("destination".into());
        }
    }
    if si.incoterm.is_none() {
        if let Some(i) = &facts.preferred_incoterm {
            si.incoterm = Some(i.clone());
            si.from_memory.push("incoterm".into());
        }
    }
    if si.contact.name.is_none() {
        si.contact.name.clone_from(&facts.contact_name);
    }
    if si.contact.phone.is_none() {
        si.contact.phone.clone_from(&facts.phone);
    }
    if si.contact.email.is_none() {
        si.contact.email.clone_from(&facts.email);
    }
    if si.credit_code.is_none() {
        si.credit_code.clone_from(&facts.credit_code);
    }
    si.from_memory.sort();
    si.from_memory.dedup();
}

/// The facts worth remembering from this inquiry.
pub fn facts_of(si: &StructuredInquiry) -> Facts {
    Facts {
        company: si.company.clone(),
        country: si.destination.as_ref().map(|d| d.country.clone()),
        lang: Some(match si.lang {
            Lang::En => "en".into(),
            Lang::Zh => "zh".into(),
        }),
        preferred_incoterm: si.incoterm.clone(),
        contact_name: si.contact.name.clone(),
        phone: si.contact.phone.clone(),
        email: si.contact.email.clone(),
        credit_code: si.credit_code.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_of_nulls_is_an_empty_draft_not_a_failure() {
        let v = json!({
            "items": null, "unmatched_products": null, "destination_country": null, "destination_place": null,
            "incoterm": null, "company": null, "contact_name": null, "contact_phone": null, "contact_email": null
        });
        let (d, problems) = IntakeDraft::from_json(&v);
        assert_eq!(d, IntakeDraft::default());
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn the_strict_schema_a_model_is_given_accepts_null_for_every_field() {
        use tradewind_tools::schema::{schema_of, to_strict, validate};
        let schema = to_strict(&schema_of::<IntakeDraft>());
        let nulls = json!({
            "items": null, "unmatched_products": null, "destination_country": null, "destination_place": null,
            "incoterm": null, "company": null, "contact_name": null, "contact_phone": null, "contact_email": null
        });
        assert!(validate(&schema, &nulls).is_empty(), "{:?}", validate(&schema, &nulls));
        let item = json!({"items": [{"sku": null, "product": "inverters", "quantity": null}], "unmatched_products": [],
            "destination_country": "DE", "destination_place": null, "incoterm": null, "company": null,
            "contact_name": null, "contact_phone": null, "contact_email": null});
        assert!(validate(&schema, &item).is_empty(), "{:?}", validate(&schema, &item));
    }

    #[test]
    fn a_partial_draft_keeps_what_it_has() {
        let v = json!({"company": "Nordlicht Energie GmbH", "items": [{"sku": "TW-BP-4820", "quantity": 800}]});
        let (d, problems) = IntakeDraft::from_json(&v);
        assert!(problems.is_empty());
        assert_eq!(d.company.as_deref(), Some("Nordlicht Energie GmbH"));
        assert_eq!(d.items, vec![DraftItem { sku: Some("TW-BP-4820".into()), product: None, quantity: Some(800) }]);
    }

    #[test]
    fn a_wrong_type_drops_that_field_only_and_says_so() {
        let v = json!({
            "company": 42, "incoterm": "CIF",
            "items": [{"sku": "TW-BP-4820", "quantity": "1,200"}, "oops", {"sku": "TW-X", "quantity": true}],
            "unmatched_products": "hydrogen"
        });
        let (d, problems) = IntakeDraft::from_json(&v);
        assert_eq!(d.company, None);
        assert_eq!(d.incoterm.as_deref(), Some("CIF"));
        assert_eq!(d.items.len(), 2);
        assert_eq!(d.items[0].quantity, Some(1200), "numeric text is read");
        assert_eq!(d.items[1].quantity, None);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("company")));
    }

    #[test]
    fn not_an_object_is_a_reported_failure() {
        let (d, problems) = IntakeDraft::from_json(&json!([1, 2]));
        assert_eq!(d, IntakeDraft::default());
        assert_eq!(problems.len(), 1);
    }
}
