//! The built-in tools and the services they act on.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tradewind_core::{
    Catalog, Citation, Finding, PartyKind, PartyRole, Product, RiskLevel, StructuredInquiry, TurnKind, TurnReading,
};
use tradewind_nlp::Intake;
use tradewind_ports::knowledge::{KnowledgeIndex, SearchQuery};
use tradewind_ports::memory::{CustomerFacts, Memory};

use crate::customs::{self, DestinationRules, ScreeningHit, ScreeningList, ScreeningOutcome};
use crate::dispatch::{Registry, Tool};
use tradewind_ports::sink::{Delivery, Sink};
use tradewind_ports::tool::{ToolCtx, ToolError};

/// Where catalog citations point.
pub const CATALOG_SOURCE: &str = "kb/catalog.jsonl";

/// Everything the tools act on, each behind its port.
#[derive(Clone)]
pub struct Services {
    pub catalog: Arc<Catalog>,
    pub index: Arc<dyn KnowledgeIndex>,
    pub memory: Arc<dyn Memory>,
    pub intake: Arc<Intake>,
    pub templates: Arc<handlebars::Handlebars<'static>>,
    pub sinks: Arc<BTreeMap<String, Arc<dyn Sink>>>,
    pub destinations: Arc<DestinationRules>,
    pub screening: Arc<ScreeningList>,
    /// The active strategy's match and review thresholds, and the age past
    /// which a list is out of date; the list's index is shared by all strategies.
    pub screening_thresholds: customs::ScreeningThresholds,
    pub max_list_age_days: u32,
    /// The HS nomenclature in force: imported, or the built-in table.
    pub hs: Arc<customs::Nomenclature>,
    pub hs_glossary: Arc<customs::HsGlossary>,
    pub dg_rules: Arc<customs::DgRules>,
    pub stock_policy: Arc<customs::StockPolicy>,
}

/// A registry holding every built-in tool.
pub fn registry(s: &Services) -> Registry {
    let mut r = Registry::new();
    r.register(ParseInquiry(s.clone()))
        .register(ReadMessage(s.clone()))
        .register(SearchKnowledge(s.clone()))
        .register(LookupProduct(s.clone()))
        .register(QuotePrice(s.clone()))
        .register(CheckStock(s.clone()))
        .register(RecallCustomer(s.clone()))
        .register(RememberCustomer(s.clone()))
        .register(ScreenParty(s.clone()))
        .register(CheckDestination(s.clone()))
        .register(ClassifyHs(s.clone()))
        .register(SuggestHs(s.clone()))
        .register(DangerousGoods(s.clone()))
        .register(DescribedDangerousGoods(s.clone()))
        .register(RenderDocument(s.clone()))
        .register(PushCard(s.clone()));
    r
}

fn product<'a>(s: &'a Services, sku: &str) -> Result<&'a Product, ToolError> {
    s.catalog.get(sku).ok_or_else(|| {
        ToolError::NotFound(format!("no product with SKU '{sku}'; use lookup_product with a query to find SKUs"))
    })
}

fn catalog_citation(sku: &str) -> Citation {
    Citation { source: CATALOG_SOURCE.into(), section: Some(sku.to_string()), chunk_id: None, score: None }
}

// ------------------------------------------------------------ parse_inquiry

pub struct ParseInquiry(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ParseInquiryArgs {
    /// The customer's message.
    pub text: String,
}

impl Tool for ParseInquiry {
    const NAME: &'static str = "parse_inquiry";
    type Args = ParseInquiryArgs;
    type Output = StructuredInquiry;

    fn description(&self) -> String {
        "Extract products with quantities, destination, incoterm, company and contact from a customer message by rules."
            .into()
    }

    async fn call(&self, args: ParseInquiryArgs, _ctx: &ToolCtx) -> Result<StructuredInquiry, ToolError> {
        Ok(self.0.intake.parse(&args.text))
    }
}

// ------------------------------------------------------------ read_message

/// Reads a message against the conversation's open inquiry (or alone, for
/// the first message): what it filled, revised, added or dropped.
pub struct ReadMessage(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ReadMessageArgs {
    /// The customer's message.
    pub text: String,
    /// The inquiry as it stood before this message, if one is open.
    pub open: Option<StructuredInquiry>,
}

impl Tool for ReadMessage {
    const NAME: &'static str = "read_message";
    type Args = ReadMessageArgs;
    type Output = TurnReading;

    fn description(&self) -> String {
        "Read a customer message by rules, against the inquiry already open in the conversation if any.".into()
    }

    async fn call(&self, args: ReadMessageArgs, _ctx: &ToolCtx) -> Result<TurnReading, ToolError> {
        Ok(match &args.open {
            Some(open) => self.0.intake.read_turn(open, &args.text),
            None => {
                let si = self.0.intake.parse(&args.text);
                TurnReading {
                    kinds: vec![TurnKind::Open],
                    inquiry: si,
                    changes: Vec::new(),
                    question: None,
                    start_new: false,
                }
            }
        })
    }
}

// ------------------------------------------------------------ search_knowledge

pub struct SearchKnowledge(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SearchKnowledgeArgs {
    /// What to look for, in English or Chinese.
    #[schemars(length(min = 1, max = 500))]
    pub query: String,
    /// Only these kinds: catalog, faq, case, competitor, shipping.
    pub kinds: Option<Vec<String>>,
    /// "en" or "zh".
    pub lang: Option<String>,
    pub sku: Option<String>,
    /// At most this many hits (1 to 10, default 5).
    #[schemars(range(min = 1, max = 10))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct KnowledgeHit {
    pub kind: String,
    pub lang: String,
    pub sku: Option<String>,
    pub section: String,
    pub text: String,
    pub citation: Citation,
}

impl Tool for SearchKnowledge {
    const NAME: &'static str = "search_knowledge";
    type Args = SearchKnowledgeArgs;
    type Output = Vec<KnowledgeHit>;

    fn description(&self) -> String {
        "Hybrid search of the knowledge base (catalog, FAQ, case studies, competitor and shipping notes). Every hit carries its citation.".into()
    }

    /// Hits by reference: the citation names the chunk; its text stays in
    /// the knowledge base (it made transcripts, kept per inquiry, ~10× larger).
    fn transcribe(mut output: serde_json::Value) -> serde_json::Value {
        if let Some(hits) = output.as_array_mut() {
            for hit in hits.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                hit.remove("text");
            }
        }
        output
    }

    async fn call(&self, a: SearchKnowledgeArgs, _ctx: &ToolCtx) -> Result<Vec<KnowledgeHit>, ToolError> {
        let q = SearchQuery {
            // The query may go to an embedding model; identifiers never help a search.
            text: tradewind_nlp::pii::mask(&a.query).into_owned(),
            kinds: a.kinds.unwrap_or_default(),
            lang: a.lang,
            sku: a.sku,
            limit: a.limit.unwrap_or(5).clamp(1, 10) as usize,
        };
        let hits = self.0.index.search(&q).await.map_err(|e| ToolError::Transient(e.to_string()))?;
        Ok(hits
            .into_iter()
            .map(|h| KnowledgeHit {
                citation: h.citation(),
                kind: h.chunk.kind,
                lang: h.chunk.lang,
                sku: h.chunk.sku,
                section: h.chunk.section,
                text: h.chunk.text,
            })
            .collect())
    }
}

// ------------------------------------------------------------ lookup_product

pub struct LookupProduct(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct LookupProductArgs {
    /// Exact SKU, when known.
    pub sku: Option<String>,
    /// Otherwise a product description such as "48V 20Ah e-bike battery".
    pub query: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ProductInfo {
    pub product: Product,
    pub citation: Citation,
}

impl Tool for LookupProduct {
    const NAME: &'static str = "lookup_product";
    type Args = LookupProductArgs;
    type Output = Vec<ProductInfo>;

    fn description(&self) -> String {
        "Look up catalog products by SKU or by description; returns specs, HS code, MOQ, lead time and stock.".into()
    }

    async fn call(&self, a: LookupProductArgs, _ctx: &ToolCtx) -> Result<Vec<ProductInfo>, ToolError> {
        let info = |p: &Product| ProductInfo { product: p.clone(), citation: catalog_citation(&p.sku) };
        if let Some(sku) = a.sku.as_deref().filter(|s| !s.trim().is_empty()) {
            return Ok(vec![info(product(&self.0, sku)?)]);
        }
        let Some(q) = a.query.filter(|s| !s.trim().is_empty()) else {
            return Err(ToolError::InvalidArgs { tool: Self::NAME.into(), message: "give a sku or a query".into() });
        };
        let parsed = self.0.intake.parse(&q);
        let found: Vec<ProductInfo> =
            parsed.items.iter().filter_map(|i| self.0.catalog.get(&i.sku)).map(info).collect();
        if found.is_empty() {
            return Err(ToolError::NotFound(format!("no catalog product matches '{q}'")));
        }
        Ok(found)
    }
}

// ------------------------------------------------------------ quote_price

pub struct QuotePrice(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SkuQty {
    pub sku: String,
    #[schemars(range(min = 1))]
    pub quantity: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    pub sku: String,
    pub quantity: u32,
    pub tier_min_qty: u32,
    pub unit_price_usd: f64,
    pub total_usd: f64,
    pub moq: u32,
    pub below_moq: bool,
    pub citation: Citation,
}

impl Tool for QuotePrice {
    const NAME: &'static str = "quote_price";
    type Args = SkuQty;
    type Output = Quote;

    fn description(&self) -> String {
        "Price for a quantity from the catalog's price tiers (internal: for sales drafts only).".into()
    }

    async fn call(&self, a: SkuQty, _ctx: &ToolCtx) -> Result<Quote, ToolError> {
        let p = product(&self.0, &a.sku)?;
        let tier =
            p.tier_for(a.quantity).ok_or_else(|| ToolError::NotFound(format!("{} has no price tiers", p.sku)))?;
        let total = (tier.unit_price_usd * a.quantity as f64 * 100.0).round() / 100.0;
        Ok(Quote {
            sku: p.sku.clone(),
            quantity: a.quantity,
            tier_min_qty: tier.min_qty,
            unit_price_usd: tier.unit_price_usd,
            total_usd: total,
            moq: p.moq,
            below_moq: a.quantity < p.moq,
            citation: Citation {
                source: CATALOG_SOURCE.into(),
                section: Some(format!("{} price_tiers min_qty {}", p.sku, tier.min_qty)),
                chunk_id: None,
                score: None,
            },
        })
    }
}

// ------------------------------------------------------------ check_stock

pub struct CheckStock(pub Services);

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StockStatus {
    pub sku: String,
    pub requested: u32,
    pub stock: u32,
    pub enough: bool,
    pub shortfall: u32,
    pub lead_time_days: u32,
    /// "ship_from_stock", "split_shipment" or "produce_to_order".
    pub suggestion: String,
    /// The full plan, including "ship_from_stock_and_pre_stock".
    pub plan: customs::StockSuggestion,
    /// Produce ahead: replenish now, or offer stock against a forecast.
    pub pre_stock: bool,
    pub ship_now: u32,
    pub ship_later: u32,
    pub ready_in_days: u32,
    pub moq: u32,
    pub below_moq: bool,
    pub message: String,
    /// The catalog record the figures come from.
    pub citation: Citation,
    /// The same, as a customs finding citing the catalog line and the stock rules.
    pub finding: Finding,
}

impl Tool for CheckStock {
    const NAME: &'static str = "check_stock";
    type Args = SkuQty;
    type Output = StockStatus;

    fn description(&self) -> String {
        "Compare a requested quantity with stock on hand and lead time; suggests shipping from stock (with pre-stocking when stock runs low), a split shipment or production to order.".into()
    }

    async fn call(&self, a: SkuQty, _ctx: &ToolCtx) -> Result<StockStatus, ToolError> {
        let p = product(&self.0, &a.sku)?;
        let s = customs::assess_stock(p, a.quantity, &self.0.stock_policy);
        let citation = Citation {
            source: CATALOG_SOURCE.into(),
            section: Some(format!("{} stock/lead_time_days/moq", p.sku)),
            chunk_id: None,
            score: None,
        };
        let finding = customs::stock_finding(&s, &self.0.stock_policy, citation.clone());
        let suggestion = match s.suggestion {
            customs::StockSuggestion::ShipFromStock | customs::StockSuggestion::ShipFromStockAndPreStock => {
                "ship_from_stock"
            }
            customs::StockSuggestion::SplitShipment => "split_shipment",
            customs::StockSuggestion::ProduceToOrder => "produce_to_order",
        };
        Ok(StockStatus {
            sku: s.sku.clone(),
            requested: s.requested,
            stock: s.stock,
            enough: s.shortfall == 0,
            shortfall: s.shortfall,
            lead_time_days: s.lead_time_days,
            suggestion: suggestion.into(),
            plan: s.suggestion,
            pre_stock: s.pre_stock,
            ship_now: s.ship_now,
            ship_later: s.ship_later,
            ready_in_days: s.ready_in_days,
            moq: s.moq,
            below_moq: s.below_moq,
            message: s.message,
            citation,
            finding,
        })
    }
}

// ------------------------------------------------------------ memory tools

pub struct RecallCustomer(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NoArgs {}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Facts {
    pub company: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// "en" or "zh".
    pub lang: Option<String>,
    pub preferred_incoterm: Option<String>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub credit_code: Option<String>,
}

impl From<&CustomerFacts> for Facts {
    fn from(f: &CustomerFacts) -> Self {
        Facts {
            company: f.company.clone(),
            country: f.country.clone(),
            lang: f.lang.map(|l| l.code().to_string()),
            preferred_incoterm: f.preferred_incoterm.clone(),
            contact_name: f.contact_name.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            credit_code: f.credit_code.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Recalled {
    pub customer: String,
    pub facts: Facts,
    pub past_inquiries: Vec<String>,
}

impl Tool for RecallCustomer {
    const NAME: &'static str = "recall_customer";
    type Args = NoArgs;
    type Output = Recalled;

    fn description(&self) -> String {
        "Recall what we already know about the current customer (company, country, language, incoterm, past inquiries)."
            .into()
    }

    async fn call(&self, _a: NoArgs, ctx: &ToolCtx) -> Result<Recalled, ToolError> {
        let v = self.0.memory.load_customer(&ctx.customer).await.map_err(|e| ToolError::Transient(e.to_string()))?;
        Ok(Recalled { customer: v.id.key(), facts: Facts::from(&v.facts), past_inquiries: v.facts.past_inquiries })
    }
}

pub struct RememberCustomer(pub Services);

impl Tool for RememberCustomer {
    const NAME: &'static str = "remember_customer";
    type Args = Facts;
    type Output = Facts;

    fn description(&self) -> String {
        "Remember facts about the current customer; null fields keep what is known.".into()
    }

    async fn call(&self, a: Facts, ctx: &ToolCtx) -> Result<Facts, ToolError> {
        let lang = match a.lang.as_deref() {
            None => None,
            Some("en") => Some(tradewind_core::Lang::En),
            Some("zh") => Some(tradewind_core::Lang::Zh),
            Some(other) => {
                return Err(ToolError::InvalidArgs {
                    tool: Self::NAME.into(),
                    message: format!("lang '{other}' must be en or zh"),
                })
            }
        };
        let facts = CustomerFacts {
            company: a.company,
            country: a.country,
            lang,
            preferred_incoterm: a.preferred_incoterm,
            contact_name: a.contact_name,
            phone: a.phone,
            email: a.email,
            credit_code: a.credit_code,
            past_inquiries: vec![ctx.inquiry_id.to_string()],
        };
        let merged =
            self.0.memory.remember(&ctx.customer, &facts).await.map_err(|e| ToolError::Transient(e.to_string()))?;
        Ok(Facts::from(&merged))
    }
}

// ------------------------------------------------------------ customs tools

pub struct ScreenParty(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ScreenPartyArgs {
    /// Company or person name, as given.
    #[schemars(length(min = 1, max = 300))]
    pub name: String,
    /// ISO country of the party, when known.
    pub country: Option<String>,
    /// "person" or "company", when known: a person is confirmed only
    /// against listed individuals, a company only against listed entities.
    #[serde(default)]
    pub kind: Option<PartyKind>,
    /// What the party does in the deal (buyer, consignee, end_user,
    /// notify_party, forwarder, contact), named in the findings.
    #[serde(default)]
    pub roles: Option<Vec<PartyRole>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ScreeningResult {
    pub outcome: ScreeningOutcome,
    pub hits: Vec<ScreeningHit>,
    pub findings: Vec<Finding>,
}

impl Tool for ScreenParty {
    const NAME: &'static str = "screen_party";
    type Args = ScreenPartyArgs;
    type Output = ScreeningResult;

    fn description(&self) -> String {
        "Screen a party's name (any script) against the denied-party lists in force; returns each hit with its list, entry, matched alias, score and why, and the lists' dates.".into()
    }

    async fn call(&self, a: ScreenPartyArgs, _ctx: &ToolCtx) -> Result<ScreeningResult, ToolError> {
        let hits = self.0.screening.screen_with(&a.name, a.country.as_deref(), a.kind, &self.0.screening_thresholds);
        let outcome = hits.first().map(|h| h.outcome).unwrap_or(ScreeningOutcome::Clear);
        let label = party_label(&a.name, a.kind, a.roles.as_deref().unwrap_or_default());
        // Today's date only decides whether a list is out of date.
        let findings =
            self.0.screening.findings_aged(&label, &hits, &customs::lists::date::today(), self.0.max_list_age_days);
        Ok(ScreeningResult { outcome, hits, findings })
    }
}

/// "Consignee and end user 'Pars Cell Company' (company)".
pub fn party_label(name: &str, kind: Option<PartyKind>, roles: &[PartyRole]) -> String {
    let mut roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    roles.dedup();
    let who = match roles.len() {
        0 => String::new(),
        1 => format!("{} ", roles[0]),
        n => format!("{} and {} ", roles[..n - 1].join(", "), roles[n - 1]),
    };
    let mut out = format!("{who}'{name}'");
    if let Some(k) = kind {
        out.push_str(&format!(" ({})", k.as_str()));
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

pub struct CheckDestination(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CheckDestinationArgs {
    /// ISO 3166-1 alpha-2 country code.
    #[schemars(length(min = 2, max = 2))]
    pub country: String,
    /// ISO 3166-2 region code when relevant (e.g. "UA-43").
    pub region: Option<String>,
    /// City or port, when one was named.
    pub place: Option<String>,
    /// Whether the goods include lithium batteries (adds battery documents).
    pub batteries: Option<bool>,
    /// HS codes of the goods (rules and documents that depend on the goods).
    pub hs_codes: Option<Vec<String>>,
    /// Places the goods pass through before the destination (transit,
    /// transhipment, a port they are re-exported from).
    #[serde(default)]
    pub transit: Option<Vec<TransitStop>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TransitStop {
    /// ISO 3166-1 alpha-2 country code.
    #[schemars(length(min = 2, max = 2))]
    pub country: String,
    /// ISO 3166-2 region code when relevant.
    pub region: Option<String>,
    /// The port or city.
    pub place: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DestinationCheck {
    pub country: String,
    pub level: RiskLevel,
    /// Embargo, sanction and watch rules (one clear finding when none applies).
    pub findings: Vec<Finding>,
    /// One clear finding per document group, with its source.
    pub document_findings: Vec<Finding>,
    /// Rules of the countries the goods pass through.
    #[serde(default)]
    pub transit_findings: Vec<Finding>,
    pub documents: Vec<String>,
    pub document_citations: Vec<Citation>,
}

impl Tool for CheckDestination {
    const NAME: &'static str = "check_destination";
    type Args = CheckDestinationArgs;
    type Output = DestinationCheck;

    fn description(&self) -> String {
        "Check a destination against embargo and sectoral-sanction rules and list the documents it requires for these goods, each with its rule id and source.".into()
    }

    async fn call(&self, a: CheckDestinationArgs, _ctx: &ToolCtx) -> Result<DestinationCheck, ToolError> {
        let country = a.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ToolError::InvalidArgs {
                tool: Self::NAME.into(),
                message: format!("country '{}' must be an ISO 3166-1 alpha-2 code such as DE", a.country),
            });
        }
        let goods =
            customs::Goods { hs_codes: a.hs_codes.unwrap_or_default(), batteries: a.batteries.unwrap_or(false) };
        let to = customs::Place { country: &country, region: a.region.as_deref(), place: a.place.as_deref() };
        let findings = customs::destination_findings(&self.0.destinations, to, &goods);
        let stops: Vec<TransitStop> = a
            .transit
            .unwrap_or_default()
            .into_iter()
            .map(|t| TransitStop { country: t.country.trim().to_ascii_uppercase(), ..t })
            .filter(|t| t.country.len() == 2 && t.country != country)
            .collect();
        let places: Vec<customs::Place> = stops
            .iter()
            .map(|t| customs::Place { country: &t.country, region: t.region.as_deref(), place: t.place.as_deref() })
            .collect();
        let transit_findings = customs::transit_findings(&self.0.destinations, &places, &goods);
        let level = customs::risk_of(&findings).max(customs::risk_of(&transit_findings));
        let document_findings = customs::document_findings(&self.0.destinations, &country, &goods);
        let docs = self.0.destinations.documents_for(&country, &goods);
        let mut document_citations: Vec<Citation> = Vec::new();
        for (_, c) in &docs {
            if !document_citations.contains(c) {
                document_citations.push(c.clone());
            }
        }
        Ok(DestinationCheck {
            country,
            level,
            findings,
            document_findings,
            transit_findings,
            documents: docs.into_iter().map(|d| d.0).collect(),
            document_citations,
        })
    }
}

pub struct ClassifyHs(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SkuArgs {
    pub sku: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HsClassification {
    pub sku: String,
    pub hs_code: String,
    /// "Chapter 85 … → 8507 … → 8507.60 …", or "unknown".
    pub path: String,
    /// Whether the code is a subheading of the nomenclature in force.
    pub known: bool,
    /// Which nomenclature checked it (imported HS edition or the built-in table).
    pub nomenclature: String,
    pub finding: Finding,
}

impl Tool for ClassifyHs {
    const NAME: &'static str = "classify_hs";
    type Args = SkuArgs;
    type Output = HsClassification;

    fn description(&self) -> String {
        "HS code of a catalog product, checked against the HS nomenclature, with its chapter → heading → subheading path.".into()
    }

    async fn call(&self, a: SkuArgs, _ctx: &ToolCtx) -> Result<HsClassification, ToolError> {
        let p = product(&self.0, &a.sku)?;
        let nom = &self.0.hs;
        let check = nom.check(&p.hs_code);
        let (path, known) = match &check {
            customs::HsCheck::Known { path, .. } => (path.to_string(), true),
            customs::HsCheck::Unknown { nearest: Some(path) } => (path.to_string(), false),
            _ => ("unknown".to_string(), false),
        };
        let catalog = Citation {
            source: CATALOG_SOURCE.into(),
            section: Some(format!("{} hs_code", p.sku)),
            chunk_id: None,
            score: None,
        };
        let finding = customs::hs_finding(&p.sku, &p.hs_code, nom, catalog);
        Ok(HsClassification {
            sku: p.sku.clone(),
            hs_code: p.hs_code.clone(),
            path,
            known,
            nomenclature: nom.origin().label.clone(),
            finding,
        })
    }
}

pub struct SuggestHs(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SuggestHsArgs {
    /// A product description in English or Chinese, e.g. "hydrogen fuel cell stack".
    #[schemars(length(min = 1, max = 500))]
    pub description: String,
    /// How many subheadings (1 to 5, default 3).
    #[schemars(range(min = 1, max = 5))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HsSuggestions {
    pub description: String,
    /// The query actually searched: the description plus the nomenclature's words for its trade words.
    pub query: String,
    /// The trade word read as the product itself (e.g. "charger" in "e-bike battery charger").
    pub head: Option<String>,
    /// "knowledge index" or "nomenclature (index unavailable)".
    pub searched: String,
    pub nomenclature: String,
    pub suggestions: Vec<customs::HsSuggestion>,
    /// Always true: suggestions are leads for a customs broker, not classifications.
    pub needs_confirmation: bool,
}

/// Index candidates fetched per suggestion wanted: the rerank needs room.
const HS_CANDIDATES: usize = 30;

impl Tool for SuggestHs {
    const NAME: &'static str = "suggest_hs";
    type Args = SuggestHsArgs;
    type Output = HsSuggestions;

    fn description(&self) -> String {
        "Suggest the best six-digit HS subheadings for a free-text product (not in our catalog), with the chapter → heading → subheading path; every suggestion needs confirmation by a customs broker.".into()
    }

    async fn call(&self, a: SuggestHsArgs, ctx: &ToolCtx) -> Result<HsSuggestions, ToolError> {
        let text = a.description.trim();
        if text.is_empty() {
            return Err(ToolError::InvalidArgs { tool: Self::NAME.into(), message: "description is empty".into() });
        }
        let n = a.limit.unwrap_or(3).clamp(1, 5) as usize;
        let nom = &self.0.hs;
        let hq = self.0.hs_glossary.query(text);
        let q = SearchQuery {
            text: hq.text.clone(),
            kinds: vec![customs::hs::HS_KIND.into()],
            lang: None,
            sku: None,
            limit: HS_CANDIDATES,
        };
        // The index is the search; the nomenclature reorders its candidates
        // and drops codes from an older import. When the index cannot answer,
        // the nomenclature's own token search stands in, and says so.
        let (suggestions, searched) = match self.0.index.search(&q).await {
            Ok(hits) => {
                let candidates: Vec<customs::hs::IndexCandidate> = hits
                    .iter()
                    .enumerate()
                    .filter_map(|(rank, h)| {
                        h.chunk.sku.clone().map(|code| customs::hs::IndexCandidate {
                            code,
                            rank,
                            citation: h.citation(),
                        })
                    })
                    .collect();
                let found = customs::hs::rank_suggestions(nom, &hq, &candidates, n);
                if found.is_empty() {
                    (customs::hs::local_suggestions(nom, &hq, n), "nomenclature (no index hit)".to_string())
                } else {
                    (found, "knowledge index".to_string())
                }
            }
            Err(e) => {
                ctx.recorder.note(
                    ctx.agent,
                    format!("suggest_hs: knowledge index failed ({e}); searching the nomenclature directly"),
                );
                (customs::hs::local_suggestions(nom, &hq, n), "nomenclature (index unavailable)".to_string())
            }
        };
        Ok(HsSuggestions {
            description: text.to_string(),
            query: hq.text,
            head: hq.head,
            searched,
            nomenclature: nom.origin().label.clone(),
            suggestions,
            needs_confirmation: true,
        })
    }
}

pub struct DangerousGoods(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DgArgs {
    pub sku: String,
    /// Modes of transport the inquiry states: "air", "sea" and/or "land"
    /// (road or rail). Empty or absent: the Incoterm decides when it is a
    /// sea-only one, else air and sea are both assessed.
    pub modes: Option<Vec<String>>,
    /// The inquiry's Incoterm, e.g. "CIF".
    pub incoterm: Option<String>,
    /// The words the inquiry used for the product ("48V 17.5Ah battery
    /// packs"): figures in them that contradict the catalog record reject
    /// the match, and the batteries are classified from the words instead.
    #[serde(default)]
    pub described_as: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DgStatus {
    pub sku: String,
    pub regulated: bool,
    /// The UN number the rules assign (UN3480, UN3481 or UN3556).
    pub un_number: Option<String>,
    /// The UN number the catalog records; a finding flags it when the rules assign another.
    pub catalog_un_number: Option<String>,
    pub wh: Option<f64>,
    pub cell_wh: Option<f64>,
    pub level: RiskLevel,
    pub assessment: customs::DgAssessment,
    pub findings: Vec<Finding>,
    /// Why the catalog match was rejected, when the inquiry's own figures
    /// contradict it; the assessment then comes from the inquiry's words.
    #[serde(default)]
    pub rejected: Option<String>,
}

/// The modes an inquiry states, or those its Incoterm implies.
fn mode_choice(
    tool: &str,
    modes: Option<Vec<String>>,
    incoterm: Option<&str>,
) -> Result<customs::ModeChoice, ToolError> {
    let mut out = Vec::new();
    for m in modes.unwrap_or_default() {
        let mode = customs::TransportMode::parse(&m).ok_or_else(|| ToolError::InvalidArgs {
            tool: tool.into(),
            message: format!("mode '{m}' must be air, sea or land"),
        })?;
        if !out.contains(&mode) {
            out.push(mode);
        }
    }
    Ok(if out.is_empty() { customs::transport_modes("", incoterm) } else { customs::ModeChoice::stated(out) })
}

impl Tool for DangerousGoods {
    const NAME: &'static str = "dangerous_goods";
    type Args = DgArgs;
    type Output = DgStatus;

    fn description(&self) -> String {
        "Dangerous-goods classification of a product's lithium batteries (UN number, Class 9, Wh per battery and cell) and what air, sea or land transport requires.".into()
    }

    async fn call(&self, a: DgArgs, _ctx: &ToolCtx) -> Result<DgStatus, ToolError> {
        let p = product(&self.0, &a.sku)?;
        let choice = mode_choice(Self::NAME, a.modes, a.incoterm.as_deref())?;
        let catalog = Citation {
            source: CATALOG_SOURCE.into(),
            section: Some(format!("{} battery", p.sku)),
            chunk_id: None,
            score: None,
        };
        // The customer's own figures may rule the catalog record out ("48V
        // 17.5Ah" matched to a 64.8 Wh pack): then the words decide.
        let said = a.described_as.as_deref().and_then(customs::battery_text::read);
        if let (Some(said), Some(b)) = (said.as_ref(), p.battery.as_ref()) {
            if let Some(why) = customs::battery_text::contradiction(b.wh, &p.specs, said) {
                let words = a.described_as.as_deref().unwrap_or_default();
                let mut assessment = customs::dg::assess_text(words, said, &choice, &self.0.dg_rules);
                assessment.findings.insert(
                    0,
                    Finding {
                        kind: "dangerous_goods".into(),
                        level: RiskLevel::Review,
                        sku: Some(p.sku.clone()),
                        message: format!(
                            "The match of '{words}' to {} is rejected: {why}. The batteries are classified from the inquiry's words; confirm the product before quoting.",
                            p.sku
                        ),
                        citations: vec![catalog.clone(), Citation::rule(format!("{}#DG-TEXT", customs::dg::DG_RULES_SOURCE))],
                    },
                );
                assessment.level = assessment.level.max(RiskLevel::Review);
                return Ok(DgStatus {
                    sku: p.sku.clone(),
                    regulated: true,
                    un_number: assessment.un_number.clone(),
                    catalog_un_number: Some(b.un_number.clone()),
                    wh: assessment.wh,
                    cell_wh: assessment.cell_wh,
                    level: assessment.level,
                    findings: assessment.findings.clone(),
                    assessment,
                    rejected: Some(why),
                });
            }
        }
        let assessment = customs::assess_dg(p, &choice, &self.0.dg_rules, catalog);
        Ok(DgStatus {
            sku: p.sku.clone(),
            regulated: assessment.regulated,
            un_number: assessment.un_number.clone(),
            catalog_un_number: assessment.catalog_un_number.clone(),
            wh: assessment.wh,
            cell_wh: assessment.cell_wh,
            level: assessment.level,
            findings: assessment.findings.clone(),
            assessment,
            rejected: None,
        })
    }
}

pub struct DescribedDangerousGoods(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DescribedDgArgs {
    /// The product as the inquiry describes it, e.g. "LiFePO4 48V 200Ah
    /// packs" or "e-bikes with battery included".
    #[schemars(length(min = 1, max = 300))]
    pub description: String,
    /// Modes of transport the inquiry states: "air", "sea" and/or "land".
    pub modes: Option<Vec<String>>,
    /// The inquiry's Incoterm, e.g. "CIF".
    pub incoterm: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DescribedDgStatus {
    pub description: String,
    /// Whether the words describe a lithium battery at all.
    pub battery: bool,
    /// What the words say: chemistry, volts, ampere-hours, watt-hours, packing.
    pub reading: Option<customs::battery_text::TextBattery>,
    pub un_number: Option<String>,
    pub level: RiskLevel,
    pub findings: Vec<Finding>,
}

impl Tool for DescribedDangerousGoods {
    const NAME: &'static str = "dangerous_goods_text";
    type Args = DescribedDgArgs;
    type Output = DescribedDgStatus;

    fn description(&self) -> String {
        "Dangerous-goods classification of lithium batteries described in free text (products not in the catalog): UN number, watt-hour band and packing instruction from the chemistry, volts × ampere-hours and whether the battery comes with equipment.".into()
    }

    async fn call(&self, a: DescribedDgArgs, _ctx: &ToolCtx) -> Result<DescribedDgStatus, ToolError> {
        let choice = mode_choice(Self::NAME, a.modes, a.incoterm.as_deref())?;
        let reading = customs::battery_text::read(&a.description);
        let (un_number, level, findings) = match &reading {
            Some(said) => {
                let x = customs::dg::assess_text(&a.description, said, &choice, &self.0.dg_rules);
                (x.un_number, x.level, x.findings)
            }
            None => (None, RiskLevel::Clear, Vec::new()),
        };
        Ok(DescribedDgStatus {
            description: a.description,
            battery: reading.is_some(),
            reading,
            un_number,
            level,
            findings,
        })
    }
}

// ------------------------------------------------------------ documents and delivery

pub struct RenderDocument(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RenderArgs {
    /// Template name, e.g. "proposal.en", "customs", "reply.zh", "faq_card".
    pub template: String,
    /// The template's data as a JSON object encoded in a string.
    pub data_json: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Rendered {
    pub text: String,
}

impl Tool for RenderDocument {
    const NAME: &'static str = "render_document";
    type Args = RenderArgs;
    type Output = Rendered;

    fn description(&self) -> String {
        "Render a document from one of the prompts/ templates.".into()
    }

    async fn call(&self, a: RenderArgs, _ctx: &ToolCtx) -> Result<Rendered, ToolError> {
        if !self.0.templates.has_template(&a.template) {
            let names: Vec<&String> = self.0.templates.get_templates().keys().collect();
            return Err(ToolError::NotFound(format!("no template '{}'; have {names:?}", a.template)));
        }
        let data: serde_json::Value = serde_json::from_str(&a.data_json).map_err(|e| ToolError::InvalidArgs {
            tool: Self::NAME.into(),
            message: format!("data_json is not JSON: {e}"),
        })?;
        let text = self
            .0
            .templates
            .render(&a.template, &data)
            .map_err(|e| ToolError::Rejected(format!("template {}: {e}", a.template)))?;
        Ok(Rendered { text })
    }
}

pub struct PushCard(pub Services);

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct PushArgs {
    /// Sink name: "sales", "logistics" or "customer_service".
    pub sink: String,
    /// "proposal", "customs", "faq_card" or "reply".
    pub kind: String,
    pub delivery_id: String,
    pub title: String,
    pub body: String,
    /// Structured payload as JSON text.
    pub payload_json: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Pushed {
    pub sink: String,
    pub location: String,
}

impl Tool for PushCard {
    const NAME: &'static str = "push_card";
    type Args = PushArgs;
    type Output = Pushed;

    fn description(&self) -> String {
        "Deliver a document or card to a configured sink (sales, logistics, customer_service).".into()
    }

    /// The payload is kept as the JSON it is, not as a string of it: an
    /// operator reads it as structure, and masking at rest then reads the
    /// same strings the delivery masked (a memo hit), instead of scanning
    /// kilobytes of JSON text once more for every card.
    fn transcribe_args(mut args: serde_json::Value) -> serde_json::Value {
        if let Some(obj) = args.as_object_mut() {
            let parsed = obj
                .get("payload_json")
                .and_then(|p| p.as_str())
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok());
            if let Some(payload) = parsed {
                obj.remove("payload_json");
                obj.insert("payload".into(), payload);
            }
        }
        args
    }

    async fn call(&self, a: PushArgs, ctx: &ToolCtx) -> Result<Pushed, ToolError> {
        let sink = self.0.sinks.get(&a.sink).ok_or_else(|| {
            let names: Vec<&String> = self.0.sinks.keys().collect();
            ToolError::NotFound(format!("no sink '{}'; configured: {names:?}", a.sink))
        })?;
        let mut payload = match a.payload_json {
            Some(p) => serde_json::from_str(&p).map_err(|e| ToolError::InvalidArgs {
                tool: Self::NAME.into(),
                message: format!("payload_json is not JSON: {e}"),
            })?,
            None => serde_json::Value::Null,
        };
        // Cards leave for files and chat platforms: identifiers stay behind,
        // sales reads contact details from the customer record.
        tradewind_nlp::pii::mask_json(&mut payload);
        let d = Delivery {
            audience: a.sink.clone(),
            kind: a.kind,
            inquiry_id: ctx.inquiry_id.to_string(),
            delivery_id: a.delivery_id,
            title: tradewind_nlp::pii::mask(&a.title).into_owned(),
            body: tradewind_nlp::pii::mask(&a.body).into_owned(),
            payload,
        };
        let location = sink.deliver(&d).await.map_err(|e| ToolError::Transient(e.to_string()))?;
        Ok(Pushed { sink: a.sink, location })
    }
}
