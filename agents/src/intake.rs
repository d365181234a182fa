//! Intake: a message in, a structured inquiry out, merged with what memory
//! already knows so the customer is never asked twice for the same thing.

use async_trait::async_trait;
use serde_json::json;
use tradewind_core::{Destination, Lang, StructuredInquiry};
use tradewind_tools::builtin::{Facts, NoArgs, ParseInquiry, ParseInquiryArgs, RecallCustomer, Recalled};
use tradewind_tools::{call_typed, ToolCtx, ToolHost};

use crate::offline::Plan;
use crate::Env;
use crate::{BrainError, BrainReply, BrainTask, OutputSpec};

/// Offline plan: the rule-based parser, through its tool.
pub struct OfflineIntake;

#[async_trait]
impl Plan for OfflineIntake {
    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        let si = call_typed::<ParseInquiry>(tools, ctx, &ParseInquiryArgs { text: task.user.clone() }).await?;
        let v = serde_json::to_value(&si).map_err(|e| BrainError::BadOutput(e.to_string()))?;
        Ok(BrainReply { content: v.to_string(), json: Some(v), steps: 1, ..Default::default() })
    }
}

/// Runs intake: recall, understand, merge, decide what is missing.
pub async fn run(env: &Env, ctx: &ToolCtx, text: &str) -> Result<(StructuredInquiry, Recalled), BrainError> {
    let recalled = env.dispatcher.call_typed::<RecallCustomer>(ctx, &NoArgs {}).await?;
    let known = serde_json::to_string(&recalled.facts).unwrap_or_default();
    let system = crate::render(env, "system.intake", &json!({ "known": known }));
    let task = BrainTask {
        agent: "intake",
        system,
        user: text.to_string(),
        facts: json!({}),
        template: None,
        tools: vec!["lookup_product"],
        output: Some(OutputSpec {
            name: "structured_inquiry",
            schema: tradewind_tools::schema::to_strict(&tradewind_tools::schema::schema_of::<StructuredInquiry>()),
        }),
        max_steps: 6,
    };
    let mut si = if env.brain.is_offline() {
        let reply = env.brain.run(&task, &env.dispatcher, ctx).await?;
        reply
            .json
            .and_then(|v| serde_json::from_value::<StructuredInquiry>(v).ok())
            .ok_or_else(|| BrainError::BadOutput("offline intake returned no inquiry".into()))?
    } else {
        // Rules first: they are cheap and never invent. The model sees their
        // reading and may fill what they missed; it cannot erase what they found.
        let rules =
            env.dispatcher.call_typed::<ParseInquiry>(ctx, &ParseInquiryArgs { text: text.to_string() }).await?;
        let mut task = task;
        task.user = format!(
            "Customer message:\n{text}\n\nWhat the rule-based parser found (JSON):\n{}",
            serde_json::to_string(&rules).unwrap_or_default()
        );
        match env.brain.run(&task, &env.dispatcher, ctx).await {
            Ok(reply) => match reply.json.and_then(|v| serde_json::from_value::<StructuredInquiry>(v).ok()) {
                Some(model) => merge_model(rules, sanitize(env, model)),
                None => rules,
            },
            Err(e) => {
                ctx.recorder.note("intake", format!("brain failed ({e}); using the rules' reading"));
                rules
            }
        }
    };
    merge_memory(&mut si, &recalled.facts);
    si.missing = tradewind_nlp::compute_missing(&si);
    Ok((si, recalled))
}

/// Rules' findings stay; the model's fill the gaps.
fn merge_model(mut rules: StructuredInquiry, model: StructuredInquiry) -> StructuredInquiry {
    if rules.items.is_empty() {
        rules.items = model.items;
    } else {
        for it in &mut rules.items {
            if it.quantity.is_none() {
                it.quantity = model.items.iter().find(|m| m.sku == it.sku).and_then(|m| m.quantity);
            }
        }
    }
    for u in model.unmatched_products {
        if !u.trim().is_empty() && !rules.unmatched_products.contains(&u) {
            rules.unmatched_products.push(u);
        }
    }
    if rules.destination.is_none() {
        rules.destination = model.destination.filter(|d| d.country.len() == 2);
    }
    rules.incoterm = rules.incoterm.or(model.incoterm.filter(|s| !s.is_empty()));
    rules.company = rules.company.or(model.company.filter(|s| !s.is_empty()));
    rules.contact.name = rules.contact.name.or(model.contact.name.filter(|s| !s.is_empty()));
    rules.contact.email = rules.contact.email.or(model.contact.email.filter(|s| !s.is_empty()));
    rules.contact.phone = rules.contact.phone.or(model.contact.phone.filter(|s| !s.is_empty()));
    rules.suspicious |= model.suspicious;
    rules
}

/// Drop SKUs a model invented; the catalog is the only source of SKUs.
fn sanitize(env: &Env, mut si: StructuredInquiry) -> StructuredInquiry {
    let (known, unknown): (Vec<_>, Vec<_>) =
        si.items.into_iter().partition(|i| env.services.catalog.get(&i.sku).is_some());
    si.items = known;
    si.unmatched_products.extend(unknown.into_iter().map(|i| i.matched_text));
    if let Some(d) = &mut si.destination {
        d.country = d.country.to_ascii_uppercase();
    }
    si
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
