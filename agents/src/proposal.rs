//! The proposal agent: a grounded sales draft. Every figure comes from a
//! tool result and carries a numbered citation.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::Duration;
use tradewind_core::{Citation, Field, Lang, Proposal, ProposalLine, StructuredInquiry};
use tradewind_tools::builtin::{
    CheckStock, KnowledgeHit, LookupProduct, LookupProductArgs, QuotePrice, RenderDocument, SearchKnowledge,
    SearchKnowledgeArgs, SkuQty,
};
use tradewind_tools::{Tool, ToolCtx, ToolError};

use crate::agent::{Agent, AgentInput, AgentOutput};
use crate::Env;
use crate::{BrainError, BrainTask};

/// Collects citations and hands out their numbers, de-duplicated.
#[derive(Default)]
pub(crate) struct Refs {
    pub list: Vec<Citation>,
}

impl Refs {
    pub fn add(&mut self, c: &Citation) -> usize {
        if let Some(i) = self.list.iter().position(|x| x.source == c.source && x.section == c.section) {
            return i + 1;
        }
        self.list.push(c.clone());
        self.list.len()
    }

    pub fn json(&self) -> Vec<Value> {
        self.list
            .iter()
            .enumerate()
            .map(|(i, c)| json!({"n": i + 1, "source": c.source, "section": c.section}))
            .collect()
    }
}

/// The first sentences of a chunk, bounded, for a short summary.
pub(crate) fn summary(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    match cut.rfind(['.', '。', '!', '?']) {
        Some(i) if i > max_chars / 3 => cut[..i + cut[i..].chars().next().map_or(1, char::len_utf8)].to_string(),
        _ => format!("{cut}…"),
    }
}

pub fn destination_text(si: &StructuredInquiry) -> Option<String> {
    let d = si.destination.as_ref()?;
    let country = tradewind_nlp::country_name(&d.country, si.lang);
    Some(match &d.place {
        Some(p) => format!("{p}, {country}"),
        None => country.to_string(),
    })
}

async fn top_hit(env: &Env, ctx: &ToolCtx, query: String, kind: &str) -> Result<Option<KnowledgeHit>, ToolError> {
    let hits = env
        .dispatcher
        .call_typed::<SearchKnowledge>(
            ctx,
            &SearchKnowledgeArgs { query, kinds: Some(vec![kind.into()]), lang: None, sku: None, limit: Some(3) },
        )
        .await?;
    // A document's preamble (the text under its title) describes the file,
    // not a case or a competitor; skip it.
    Ok(hits.into_iter().find(|h| !is_preamble(&h.section)))
}

fn is_preamble(section: &str) -> bool {
    let s = section.trim().to_lowercase();
    ["case studies", "competitor notes", "shipping and destination notes"].contains(&s.as_str())
}

/// The sales draft. Its delivery waits for the customs verdict (the swarm
/// sends it after the fan-out, with a banner when compliance must look).
pub struct ProposalAgent;

#[async_trait]
impl Agent for ProposalAgent {
    fn name(&self) -> &'static str {
        NAME
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn tools(&self) -> &'static [&'static str] {
        &[LookupProduct::NAME, QuotePrice::NAME, CheckStock::NAME, SearchKnowledge::NAME, RenderDocument::NAME]
    }

    fn reads(&self) -> &'static [Field] {
        &[
            Field::Products,
            Field::Quantities,
            Field::Destination,
            Field::Incoterm,
            Field::Company,
            Field::Contact,
            Field::Lang,
        ]
    }

    async fn run(&self, env: &Env, ctx: &ToolCtx, input: AgentInput<'_>) -> Result<AgentOutput, BrainError> {
        draft(env, ctx, input.inquiry).await.map(AgentOutput::Proposal)
    }
}

pub const NAME: &str = "proposal";

/// Builds the draft: every figure from a tool result, with its citation.
pub async fn draft(env: &Env, ctx: &ToolCtx, si: &StructuredInquiry) -> Result<Proposal, BrainError> {
    let mut refs = Refs::default();
    let mut lines = Vec::new();
    let mut line_facts = Vec::new();
    let mut names = Vec::new();
    for item in &si.items {
        let info = env
            .dispatcher
            .call_typed::<LookupProduct>(ctx, &LookupProductArgs { sku: Some(item.sku.clone()), query: None })
            .await?;
        let Some(p) = info.into_iter().next().map(|i| i.product) else { continue };
        // No quantity yet: quote the MOQ so sales has a starting figure.
        let qty = item.quantity.unwrap_or(p.moq).max(1);
        let quote = env.dispatcher.call_typed::<QuotePrice>(ctx, &SkuQty { sku: p.sku.clone(), quantity: qty }).await?;
        let stock = env.dispatcher.call_typed::<CheckStock>(ctx, &SkuQty { sku: p.sku.clone(), quantity: qty }).await?;
        let price_ref = refs.add(&quote.citation);
        let stock_ref = refs.add(&stock.citation);
        let name = match si.lang {
            Lang::En => p.name_en.clone(),
            Lang::Zh => p.name_zh.clone(),
        };
        names.push(p.name_en.clone());
        let specs = p.specs.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let stock_message = match (si.lang, stock.suggestion.as_str()) {
            (Lang::Zh, "ship_from_stock") => format!("现货 {} 件，可直接发货。", stock.stock),
            (Lang::Zh, "split_shipment") => format!(
                "现货 {} 件：可先发 {} 件，其余 {} 件生产约 {} 天后发货。",
                stock.stock, stock.stock, stock.shortfall, stock.lead_time_days
            ),
            (Lang::Zh, _) => format!("按订单生产，交期约 {} 天。", stock.lead_time_days),
            (Lang::En, _) => stock.message.clone(),
        };
        line_facts.push(json!({
            "sku": p.sku, "name": name, "quantity": qty, "specs": specs,
            "unit_price_usd": quote.unit_price_usd, "total_usd": quote.total_usd,
            "tier_min_qty": quote.tier_min_qty, "moq": quote.moq, "below_moq": quote.below_moq,
            "lead_time_days": stock.lead_time_days, "stock": stock.stock, "stock_message": stock_message,
            "price_ref": price_ref, "stock_ref": stock_ref,
        }));
        lines.push(ProposalLine {
            sku: p.sku.clone(),
            quantity: qty,
            unit_price_usd: quote.unit_price_usd,
            tier_min_qty: quote.tier_min_qty,
            total_usd: quote.total_usd,
            lead_time_days: stock.lead_time_days,
            stock: stock.stock,
        });
    }
    let grand_total = (lines.iter().map(|l| l.total_usd).sum::<f64>() * 100.0).round() / 100.0;

    let mut case_study = Value::Null;
    let mut competitor = Value::Null;
    if !names.is_empty() {
        let country = si
            .destination
            .as_ref()
            .map(|d| tradewind_nlp::country_name(&d.country, Lang::En).to_string())
            .unwrap_or_default();
        if let Some(h) = top_hit(env, ctx, format!("{} {country}", names.join(" ")), "case").await? {
            let r = refs.add(&h.citation);
            case_study = json!({"title": h.section, "summary": summary(&h.text, 320), "ref": r});
        }
        if let Some(h) = top_hit(env, ctx, format!("competitor {}", names.join(" ")), "competitor").await? {
            let r = refs.add(&h.citation);
            competitor = json!({"title": h.section, "summary": summary(&h.text, 320), "ref": r});
        }
    }

    let facts = json!({
        "inquiry_id": ctx.inquiry_id.as_ref(),
        "company": si.company,
        "contact_name": si.contact.name,
        "destination": destination_text(si),
        "incoterm": si.incoterm,
        "lines": line_facts,
        "unmatched": si.unmatched_products,
        "grand_total": grand_total,
        "case_study": case_study,
        "competitor": competitor,
        "references": refs.json(),
    });
    let lang_name = match si.lang {
        Lang::En => "English",
        Lang::Zh => "Chinese",
    };
    let task = BrainTask {
        agent: "proposal",
        system: crate::render(env, "system.proposal", &json!({"lang_name": lang_name, "facts": facts.to_string()})),
        user: "Write the proposal draft now.".into(),
        template: Some(format!("proposal.{}", si.lang.code())),
        facts,
        tools: vec!["search_knowledge"],
        output: None,
        max_steps: 4,
    };
    let reply = match env.brain.run(&task, &env.dispatcher, ctx).await {
        Ok(r) => r,
        // A model that fails (context too small, endpoint down) must not cost
        // sales the draft: the template draft carries the same cited figures.
        Err(e) if !env.brain.is_offline() => {
            ctx.recorder.note("proposal", format!("model draft failed ({e}); used the template draft"));
            crate::BrainReply::default()
        }
        Err(e) => return Err(e),
    };
    let markdown = if env.brain.is_offline() || (!reply.content.is_empty() && grounded(&reply.content, &lines)) {
        reply.content
    } else {
        // A draft that drops a figure or its citation is not sendable; the
        // template draft always carries both.
        ctx.recorder.note(
            "proposal",
            "model draft failed the grounding check (missing a price or a citation); used the template draft",
        );
        crate::render(env, task.template.as_deref().unwrap_or("proposal.en"), &task.facts)
    };
    Ok(Proposal { markdown, citations: refs.list, lines })
}

/// Every line's unit price appears, and citations are marked.
pub fn grounded(markdown: &str, lines: &[ProposalLine]) -> bool {
    let prices_present = lines.iter().all(|l| {
        let p = tradewind_tools::templates::format_money(l.unit_price_usd);
        markdown.contains(&p) || markdown.contains(&format!("{}", l.unit_price_usd))
    });
    prices_present && (lines.is_empty() || markdown.contains("[1]"))
}
