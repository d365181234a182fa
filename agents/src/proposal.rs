//! The proposal agent: a grounded sales draft. Every figure comes from a
//! tool result and carries a numbered citation.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::Duration;
use tradewind_core::{Citation, Field, Lang, Product, Proposal, ProposalLine, StructuredInquiry};
use tradewind_tools::builtin::{
    CheckStock, KnowledgeHit, LookupProduct, LookupProductArgs, QuotePrice, RenderDocument, SearchKnowledge,
    SearchKnowledgeArgs, SkuQty,
};
use tradewind_tools::{wording, Tool, ToolCtx, ToolError};

use crate::agent::{Agent, AgentInput, AgentOutput};
use crate::Env;
use crate::{BrainError, BrainTask};

/// Collects citations and hands out their numbers, de-duplicated.
#[derive(Default)]
pub(crate) struct Refs {
    pub list: Vec<Citation>,
    /// What the reference list shows for each citation's section, when the
    /// stored section is a record path ("TW-BP-4820 price_tiers min_qty 1")
    /// rather than words.
    labels: Vec<Option<String>>,
}

impl Refs {
    pub fn add(&mut self, c: &Citation) -> usize {
        self.add_labelled(c, None)
    }

    /// Adds a citation whose section the reader sees as `label`.
    pub fn add_labelled(&mut self, c: &Citation, label: Option<String>) -> usize {
        if let Some(i) = self.list.iter().position(|x| x.source == c.source && x.section == c.section) {
            return i + 1;
        }
        self.list.push(c.clone());
        self.labels.push(label);
        self.list.len()
    }

    pub fn json(&self) -> Vec<Value> {
        self.list
            .iter()
            .zip(&self.labels)
            .enumerate()
            .map(|(i, (c, label))| json!({"n": i + 1, "source": c.source, "section": label.as_ref().or(c.section.as_ref())}))
            .collect()
    }
}

/// The first sentences of a chunk, bounded, for a short summary: cut at a
/// sentence end or a word, never inside a number.
pub(crate) fn summary(text: &str, max_chars: usize) -> String {
    wording::truncate(text, max_chars)
}

/// The destination as the inquiry's language writes it: "Hai Phong,
/// Vietnam", "越南海防". A place without a Chinese name is left out of a
/// Chinese text rather than shown in Latin letters.
pub fn destination_text(si: &StructuredInquiry) -> Option<String> {
    let d = si.destination.as_ref()?;
    let country = tradewind_nlp::country_name(&d.country, si.lang);
    let place = d.place.as_deref().map(|p| tradewind_nlp::place_name(p, si.lang).unwrap_or(p));
    Some(match (si.lang, place) {
        (Lang::En, Some(p)) => format!("{p}, {country}"),
        (Lang::Zh, Some(p)) if wording::foreign_words(p).is_empty() => format!("{country}{p}"),
        (_, _) => country.to_string(),
    })
}

async fn top_hit(
    env: &Env,
    ctx: &ToolCtx,
    query: String,
    kind: &str,
    lang: Lang,
) -> Result<Option<KnowledgeHit>, ToolError> {
    // A Chinese draft can only use Chinese text: ask for it, so an English
    // note ranked first does not hide a Chinese one.
    let lang = (lang == Lang::Zh).then(|| lang.code().to_string());
    let hits = env
        .dispatcher
        .call_typed::<SearchKnowledge>(
            ctx,
            &SearchKnowledgeArgs { query, kinds: Some(vec![kind.into()]), lang, sku: None, limit: Some(3) },
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
        draft(env, ctx, input.inquiry, input.changes).await.map(AgentOutput::Proposal)
    }
}

pub const NAME: &str = "proposal";

/// Builds the draft: every figure from a tool result, with its citation.
pub async fn draft(
    env: &Env,
    ctx: &ToolCtx,
    si: &StructuredInquiry,
    changes: Option<&str>,
) -> Result<Proposal, BrainError> {
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
        let price_ref = refs.add_labelled(&quote.citation, Some(price_label(&p.sku, quote.tier_min_qty, si.lang)));
        let stock_ref = refs.add_labelled(&stock.citation, Some(stock_label(&p.sku, si.lang)));
        names.push(p.name_en.clone());
        line_facts.push(line_fact(
            &LineFigures {
                product: &p,
                requested: item.quantity,
                quantity: qty,
                unit_price_usd: quote.unit_price_usd,
                total_usd: quote.total_usd,
                tier_min_qty: quote.tier_min_qty,
                below_moq: quote.below_moq,
                moq: quote.moq,
                lead_time_days: stock.lead_time_days,
                stock: stock.stock,
                shortfall: stock.shortfall,
                suggestion: &stock.suggestion,
                price_ref,
                stock_ref,
            },
            si.lang,
        ));
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
        if let Some(h) = top_hit(env, ctx, format!("{} {country}", names.join(" ")), "case", si.lang).await? {
            case_study = aside(&mut refs, &h, si.lang);
        }
        if let Some(h) = top_hit(env, ctx, format!("competitor {}", names.join(" ")), "competitor", si.lang).await? {
            competitor = aside(&mut refs, &h, si.lang);
        }
    }

    let products = lines_summary(&line_facts);
    let mut facts = document_facts(ctx.inquiry_id.as_ref(), si, line_facts, grand_total, case_study, competitor, &refs);
    facts["revised"] = json!(changes);
    let template = format!("proposal.{}", si.lang.code());
    // The figures and their citations always come from the template; a
    // model, where one is used, writes only the opening words to the buyer.
    if let Some(opening) = opening(env, ctx, si, &products).await {
        facts["opening"] = json!(opening);
    }
    let task = BrainTask {
        agent: NAME,
        system: String::new(),
        user: String::new(),
        template: Some(template.clone()),
        facts,
        tools: vec![],
        output: None,
        max_steps: 1,
    };
    let markdown = match env.offline.run(&task, &env.dispatcher, ctx).await {
        Ok(r) => r.content,
        Err(_) => crate::render(env, &template, &task.facts),
    };
    Ok(Proposal { markdown, citations: refs.list, lines })
}

/// One line's figures, as the catalog tools returned them.
pub(crate) struct LineFigures<'a> {
    pub product: &'a Product,
    /// The quantity the inquiry asked for, if it named one.
    pub requested: Option<u32>,
    /// The quantity priced: the requested one, else the MOQ.
    pub quantity: u32,
    pub unit_price_usd: f64,
    pub total_usd: f64,
    pub tier_min_qty: u32,
    pub below_moq: bool,
    pub moq: u32,
    pub lead_time_days: u32,
    pub stock: u32,
    pub shortfall: u32,
    /// The stock tool's suggestion: "ship_from_stock", "split_shipment", …
    pub suggestion: &'a str,
    pub price_ref: usize,
    pub stock_ref: usize,
}

/// A line as the template reads it: the figures, and the sentences about
/// them already worded for the draft's language.
pub(crate) fn line_fact(l: &LineFigures<'_>, lang: Lang) -> Value {
    let p = l.product;
    let name = match lang {
        Lang::En => &p.name_en,
        Lang::Zh => &p.name_zh,
    };
    let quantity_note = l.requested.is_none().then(|| wording::moq_pricing_note(l.quantity, lang));
    json!({
        "sku": p.sku, "name": name, "quantity": l.quantity,
        "specs": wording::specs_text(&p.specs, lang),
        "unit_price_usd": l.unit_price_usd, "total_usd": l.total_usd,
        "tier_min_qty": l.tier_min_qty, "moq": l.moq, "below_moq": l.below_moq,
        "tier_text": wording::tier_text(l.tier_min_qty, l.below_moq.then_some(l.moq), lang),
        "quantity_note": quantity_note,
        "lead_time_days": l.lead_time_days, "stock": l.stock,
        "stock_message": wording::stock_text(l.suggestion, l.stock, l.shortfall, l.lead_time_days, lang),
        "price_ref": l.price_ref, "stock_ref": l.stock_ref,
    })
}

/// How the reference list names a price citation.
fn price_label(sku: &str, tier_min_qty: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{sku}, price tier from {}", wording::units(tier_min_qty, lang)),
        Lang::Zh => format!("{sku} 价格档（{}起）", wording::units(tier_min_qty, lang)),
    }
}

/// How the reference list names a stock citation.
fn stock_label(sku: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{sku}, stock, lead time and minimum order quantity"),
        Lang::Zh => format!("{sku} 库存、交期和起订量"),
    }
}

/// A case study or competitor note for the draft, cited; `Null` when the
/// knowledge base has it only in another language (a Chinese draft never
/// quotes English text).
pub(crate) fn aside(refs: &mut Refs, h: &KnowledgeHit, lang: Lang) -> Value {
    if h.lang != lang.code() {
        return Value::Null;
    }
    let r = refs.add(&h.citation);
    json!({"title": h.section, "summary": summary(&h.text, 320), "ref": r})
}

/// Everything the proposal template reads.
pub(crate) fn document_facts(
    inquiry_id: &str,
    si: &StructuredInquiry,
    lines: Vec<Value>,
    grand_total: f64,
    case_study: Value,
    competitor: Value,
    refs: &Refs,
) -> Value {
    let destination = destination_text(si);
    json!({
        "inquiry_id": inquiry_id,
        "company": si.company,
        "contact_name": si.contact.name,
        "destination": destination,
        "incoterm": si.incoterm,
        "terms": wording::delivery_terms(si.incoterm.as_deref(), destination.as_deref(), si.lang),
        "lines": lines,
        "unmatched": si.unmatched_products,
        "grand_total": grand_total,
        "case_study": case_study,
        "competitor": competitor,
        "references": refs.json(),
    })
}

/// "800 × 48V 20Ah E-Bike Battery Pack; 200 × …", for the model's prompt.
fn lines_summary(lines: &[Value]) -> String {
    lines
        .iter()
        .map(|l| format!("{} × {}", l["quantity"], l["name"].as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A model-written opening paragraph, when the proposal agent uses a model:
/// short, grounded in the inquiry, and checked for anything that must not
/// be said. `None` means the template's own opening stands.
async fn opening(env: &Env, ctx: &ToolCtx, si: &StructuredInquiry, products: &str) -> Option<String> {
    let brain = env.brain_for(NAME);
    if brain.is_offline() || products.is_empty() {
        return None;
    }
    let lang_name = match si.lang {
        Lang::En => "English",
        Lang::Zh => "Chinese",
    };
    let facts = json!({
        "company": si.company, "contact_name": si.contact.name, "products": products,
        "destination": destination_text(si), "incoterm": si.incoterm,
    });
    let task = BrainTask {
        agent: NAME,
        system: crate::render(env, "system.proposal", &json!({"lang_name": lang_name, "facts": facts.to_string()})),
        user: "Write the opening paragraph now.".into(),
        facts,
        template: None,
        tools: vec![],
        output: None,
        max_steps: 1,
    };
    match brain.run(&task, &env.dispatcher, ctx).await {
        Ok(r) => {
            let text = r.content.trim().to_string();
            if text.is_empty() || text.chars().count() > 600 {
                ctx.recorder.degrade(NAME, "the model's opening was empty or too long; the template opening stands");
                return None;
            }
            if let Some(word) = crate::reply::leaks(&text) {
                ctx.recorder
                    .degrade(NAME, format!("the model's opening mentioned '{word}'; the template opening stands"));
                return None;
            }
            Some(text)
        }
        Err(e) => {
            ctx.recorder.degrade(NAME, format!("model opening failed ({e}); the template opening stands"));
            None
        }
    }
}

/// Every line's unit price appears, and citations are marked.
pub fn grounded(markdown: &str, lines: &[ProposalLine]) -> bool {
    let prices_present = lines.iter().all(|l| {
        let p = tradewind_tools::templates::format_money(l.unit_price_usd);
        markdown.contains(&p) || markdown.contains(&format!("{}", l.unit_price_usd))
    });
    prices_present && (lines.is_empty() || markdown.contains("[1]"))
}

#[cfg(test)]
mod tests {
    //! Whole drafts for a fixed inquiry, per language and Incoterm, against
    //! the stored files in `agents/tests/fixtures/proposal/`. Run with
    //! `TRADEWIND_BLESS=1` to rewrite them after a deliberate change, then
    //! read the diff.

    use super::*;
    use tradewind_core::{Catalog, Destination, LineItem};
    use tradewind_tools::builtin::CATALOG_SOURCE;
    use tradewind_tools::customs::StockSuggestion;

    const CATALOG: &str = include_str!("../../knowledge/kb/catalog.jsonl");
    const CASES: &str = include_str!("../../knowledge/kb/cases.md");
    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/proposal");

    /// 800 battery packs and an inverter with no quantity, to Hai Phong.
    fn inquiry(lang: Lang, incoterm: &str) -> StructuredInquiry {
        let mut si = StructuredInquiry::empty(lang);
        si.items = vec![
            LineItem { sku: "TW-BP-4820".into(), quantity: Some(800), matched_text: String::new() },
            LineItem { sku: "TW-IV-3024".into(), quantity: None, matched_text: String::new() },
        ];
        si.destination = Some(Destination {
            country: "VN".into(),
            place: Some("Hai Phong".into()),
            region: None,
            matched_text: String::new(),
        });
        si.incoterm = Some(incoterm.into());
        match lang {
            Lang::En => {
                si.company = Some("Mekong E-Ride Co., Ltd.".into());
                si.contact.name = Some("Ms Linh Tran".into());
            }
            Lang::Zh => {
                si.company = Some("海防绿行电动车有限公司".into());
                si.contact.name = Some("陈女士".into());
            }
        }
        si
    }

    /// The case study the knowledge base ranks first for this inquiry.
    fn case_hit() -> KnowledgeHit {
        let section = CASES.split("\n## ").find(|s| s.starts_with("Mekong")).unwrap_or_default();
        let (title, text) = section.split_once('\n').unwrap_or_default();
        KnowledgeHit {
            kind: "case".into(),
            lang: "en".into(),
            sku: None,
            section: title.trim().into(),
            text: text.trim().into(),
            citation: Citation {
                source: "kb/cases.md".into(),
                section: Some(title.trim().into()),
                chunk_id: None,
                score: None,
            },
        }
    }

    /// The draft as `draft` renders it offline, with the figures the
    /// catalog tools return for this inquiry.
    fn render(si: &StructuredInquiry) -> String {
        let catalog = Catalog::from_jsonl(CATALOG).unwrap();
        let mut refs = Refs::default();
        let mut lines = Vec::new();
        let mut total = 0.0;
        for item in &si.items {
            let p = catalog.get(&item.sku).unwrap();
            let qty = item.quantity.unwrap_or(p.moq);
            let tier = p.tier_for(qty).unwrap();
            let line_total = (tier.unit_price_usd * qty as f64 * 100.0).round() / 100.0;
            total += line_total;
            let price = Citation {
                source: CATALOG_SOURCE.into(),
                section: Some(format!("{} price_tiers min_qty {}", p.sku, tier.min_qty)),
                chunk_id: None,
                score: None,
            };
            let stock = Citation {
                source: CATALOG_SOURCE.into(),
                section: Some(format!("{} stock/lead_time_days/moq", p.sku)),
                chunk_id: None,
                score: None,
            };
            let price_ref = refs.add_labelled(&price, Some(price_label(&p.sku, tier.min_qty, si.lang)));
            let stock_ref = refs.add_labelled(&stock, Some(stock_label(&p.sku, si.lang)));
            let s = stock_policy().map(|policy| tradewind_tools::customs::assess_stock(p, qty, &policy)).unwrap();
            let suggestion = match s.suggestion {
                StockSuggestion::ShipFromStock | StockSuggestion::ShipFromStockAndPreStock => "ship_from_stock",
                StockSuggestion::SplitShipment => "split_shipment",
                StockSuggestion::ProduceToOrder => "produce_to_order",
            };
            lines.push(line_fact(
                &LineFigures {
                    product: p,
                    requested: item.quantity,
                    quantity: qty,
                    unit_price_usd: tier.unit_price_usd,
                    total_usd: line_total,
                    tier_min_qty: tier.min_qty,
                    below_moq: qty < p.moq,
                    moq: p.moq,
                    lead_time_days: p.lead_time_days,
                    stock: p.stock,
                    shortfall: s.shortfall,
                    suggestion,
                    price_ref,
                    stock_ref,
                },
                si.lang,
            ));
        }
        // As in `draft`: a case study only beside an offer.
        let case = if lines.is_empty() { Value::Null } else { aside(&mut refs, &case_hit(), si.lang) };
        let facts = document_facts("INQ-0042", si, lines, total, case, Value::Null, &refs);
        let hb = tradewind_tools::templates::load(None).unwrap();
        hb.render(&format!("proposal.{}", si.lang.code()), &facts).unwrap()
    }

    fn check_snapshot(name: &str, got: &str) {
        let path = std::path::Path::new(FIXTURES).join(name);
        if std::env::var_os("TRADEWIND_BLESS").is_some() {
            std::fs::create_dir_all(FIXTURES).unwrap();
            std::fs::write(&path, got).unwrap();
            return;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(got, want, "draft {name} differs from its snapshot");
    }

    /// Spec keys as the catalog stores them: none may reach a reader.
    fn raw_keys(text: &str) -> Vec<String> {
        let catalog = Catalog::from_jsonl(CATALOG).unwrap();
        let mut keys: Vec<String> = catalog.products().iter().flat_map(|p| p.specs.keys().cloned()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter().filter(|k| k.contains('_') && text.contains(k.as_str())).collect()
    }

    /// Latin words in a Chinese draft, beyond SKUs, units, currency and
    /// Incoterm codes and citations. A reference line's source is a file
    /// path (part of the citation), so it is taken out first.
    fn english_in_chinese(text: &str) -> Vec<String> {
        let body: String = text
            .lines()
            .map(|l| match l.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => {
                    rest.split_once(' ').map_or(String::new(), |(_, section)| section.to_string())
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        wording::foreign_words(&body).into_iter().map(String::from).collect()
    }

    fn stock_policy() -> Option<tradewind_tools::customs::StockPolicy> {
        tradewind_tools::customs::StockPolicy::embedded().ok()
    }

    const TERMS: [&str; 5] = ["EXW", "FOB", "CIF", "DAP", "DDP"];

    #[test]
    fn english_drafts_match_their_snapshots() {
        for term in TERMS {
            let text = render(&inquiry(Lang::En, term));
            assert_eq!(raw_keys(&text), Vec::<String>::new(), "{text}");
            assert!(!text.contains("1 units") && !text.contains("(96. ["), "{text}");
            check_snapshot(&format!("en-{term}.md"), &text);
        }
    }

    #[test]
    fn chinese_drafts_match_their_snapshots_and_hold_no_english() {
        for term in TERMS {
            let text = render(&inquiry(Lang::Zh, term));
            assert_eq!(raw_keys(&text), Vec::<String>::new(), "{text}");
            assert_eq!(english_in_chinese(&text), Vec::<String>::new(), "{text}");
            check_snapshot(&format!("zh-{term}.md"), &text);
        }
    }

    #[test]
    fn a_chinese_draft_leaves_out_an_english_case_study() {
        let mut refs = Refs::default();
        assert_eq!(aside(&mut refs, &case_hit(), Lang::Zh), Value::Null);
        assert!(refs.list.is_empty(), "an unused case study is not cited");
        assert!(aside(&mut refs, &case_hit(), Lang::En)["summary"].as_str().is_some_and(|s| s.len() <= 330));
    }

    #[test]
    fn destinations_read_in_the_draft_language() {
        assert_eq!(destination_text(&inquiry(Lang::En, "FOB")).as_deref(), Some("Hai Phong, Vietnam"));
        assert_eq!(destination_text(&inquiry(Lang::Zh, "FOB")).as_deref(), Some("越南海防"));
        let mut si = inquiry(Lang::Zh, "FOB");
        si.destination = Some(Destination {
            country: "US".into(),
            place: Some("Oakland".into()),
            region: None,
            matched_text: String::new(),
        });
        assert_eq!(destination_text(&si).as_deref(), Some("美国"));
    }

    #[test]
    fn no_product_asks_for_one_instead_of_offering() {
        for (lang, ask, offer) in [
            (Lang::En, "please tell us which product you need", "Please find our offer"),
            (Lang::Zh, "请告知所需产品", "以下是我们的报价"),
        ] {
            let mut si = inquiry(lang, "FOB");
            si.items.clear();
            si.unmatched_products = vec![match lang {
                Lang::En => "solar roof tiles".into(),
                Lang::Zh => "太阳能瓦".into(),
            }];
            let text = render(&si);
            assert!(text.contains(ask) && !text.contains(offer), "{text}");
            assert!(!text.contains("References") && !text.contains("引用"), "{text}");
            if lang == Lang::Zh {
                assert_eq!(english_in_chinese(&text), Vec::<String>::new(), "{text}");
            }
        }
    }

    #[test]
    fn no_quantity_is_priced_at_the_moq_and_says_so() {
        let en = render(&inquiry(Lang::En, "FOB"));
        assert!(en.contains("| TW-IV-3024 | 3 kW 24V Off-Grid Pure Sine Wave Inverter | 10 |"), "{en}");
        assert!(
            en.contains("priced at the minimum order quantity of 10 units; tell us your quantity for an exact quote")
        );
        let zh = render(&inquiry(Lang::Zh, "FOB"));
        assert!(zh.contains("按最小起订量 10 件报价；请告知采购数量"), "{zh}");
    }
}
