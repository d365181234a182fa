//! Stock: the requested quantity against stock on hand and lead time, with
//! a shipping suggestion (from stock, pre-stock, split, produce to order).
//! Thresholds and rule statements live in `knowledge/rules/stock.toml`.
//! Stock findings are always at level clear: they plan a shipment, they do
//! not judge whether it may leave.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tradewind_core::{Citation, Finding, Product, RiskLevel};

use crate::RulesError;

pub const STOCK_RULES: &str = include_str!("../../knowledge/rules/stock.toml");
pub const STOCK_RULES_SOURCE: &str = "knowledge/rules/stock.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StockFile {
    split_min_share: f64,
    reserve_share: f64,
    long_lead_days: u32,
    rule: Vec<StockRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockRule {
    pub id: String,
    pub statement: String,
    pub source: String,
}

const REQUIRED: &[&str] = &["STOCK-FROM-STOCK", "STOCK-PRESTOCK", "STOCK-SPLIT", "STOCK-PRODUCE", "STOCK-MOQ"];

#[derive(Debug, Clone)]
pub struct StockPolicy {
    pub split_min_share: f64,
    pub reserve_share: f64,
    pub long_lead_days: u32,
    rules: BTreeMap<String, StockRule>,
}

impl StockPolicy {
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        let f: StockFile = toml::from_str(text).map_err(|e| RulesError::Rules(format!("stock rules: {e}")))?;
        for (name, v) in [("split_min_share", f.split_min_share), ("reserve_share", f.reserve_share)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(RulesError::Rules(format!("stock rules: {name} must be between 0 and 1, is {v}")));
            }
        }
        let mut rules = BTreeMap::new();
        for r in f.rule {
            if r.source.trim().is_empty() {
                return Err(RulesError::Rules(format!("stock rule {} cites no source", r.id)));
            }
            if rules.insert(r.id.clone(), r.clone()).is_some() {
                return Err(RulesError::Rules(format!("stock rule id {} is used twice", r.id)));
            }
        }
        if let Some(missing) = REQUIRED.iter().find(|id| !rules.contains_key(**id)) {
            return Err(RulesError::Rules(format!("stock rule {missing} is missing")));
        }
        Ok(Self {
            split_min_share: f.split_min_share,
            reserve_share: f.reserve_share,
            long_lead_days: f.long_lead_days,
            rules,
        })
    }

    pub fn embedded() -> Result<Self, RulesError> {
        Self::parse(STOCK_RULES)
    }

    fn cite(&self, id: &str) -> Citation {
        Citation {
            source: format!("{STOCK_RULES_SOURCE}#{id}"),
            section: self.rules.get(id).map(|r| r.statement.clone()),
            chunk_id: None,
            score: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockSuggestion {
    ShipFromStock,
    /// Ship from stock and start a replenishment run now.
    ShipFromStockAndPreStock,
    SplitShipment,
    ProduceToOrder,
}

impl StockSuggestion {
    pub fn as_str(self) -> &'static str {
        match self {
            StockSuggestion::ShipFromStock => "ship_from_stock",
            StockSuggestion::ShipFromStockAndPreStock => "ship_from_stock_and_pre_stock",
            StockSuggestion::SplitShipment => "split_shipment",
            StockSuggestion::ProduceToOrder => "produce_to_order",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StockAssessment {
    pub sku: String,
    pub requested: u32,
    pub stock: u32,
    pub shortfall: u32,
    pub lead_time_days: u32,
    pub moq: u32,
    pub below_moq: bool,
    pub suggestion: StockSuggestion,
    /// Units that can leave now.
    pub ship_now: u32,
    /// Units that follow after production.
    pub ship_later: u32,
    /// Days until the last unit is ready (0 when everything is in stock).
    pub ready_in_days: u32,
    /// Suggest producing ahead (replenishment, or against a buyer's forecast).
    pub pre_stock: bool,
    pub rule_ids: Vec<String>,
    pub message: String,
}

/// Compares `requested` with the product's stock and lead time.
pub fn assess_stock(p: &Product, requested: u32, policy: &StockPolicy) -> StockAssessment {
    let requested = requested.max(1);
    let stock = p.stock;
    let shortfall = requested.saturating_sub(stock);
    let below_moq = requested < p.moq;
    let lead = p.lead_time_days;
    let mut rule_ids: Vec<&str> = Vec::new();
    let (suggestion, ship_now, ship_later, ready, pre_stock, mut message) = if shortfall == 0 {
        let left = stock - requested;
        let reserve = ((stock as f64 * policy.reserve_share).ceil() as u32).max(p.moq);
        if left < reserve {
            rule_ids.extend(["STOCK-FROM-STOCK", "STOCK-PRESTOCK"]);
            let m = format!(
                "{}: {stock} in stock covers {requested}; ship from stock. It leaves {left}, below the reserve of {reserve}: pre-stock now (a replenishment run takes {lead} days).",
                p.sku
            );
            (StockSuggestion::ShipFromStockAndPreStock, requested, 0, 0, true, m)
        } else {
            rule_ids.push("STOCK-FROM-STOCK");
            let m = format!("{}: {stock} in stock covers {requested}; ship from stock ({left} left).", p.sku);
            (StockSuggestion::ShipFromStock, requested, 0, 0, false, m)
        }
    } else if stock > 0 && stock as f64 >= requested as f64 * policy.split_min_share && stock >= p.moq {
        rule_ids.push("STOCK-SPLIT");
        let m = format!(
            "{}: {stock} in stock of {requested} requested. Split shipment: {stock} now, the other {shortfall} after {lead} days' production.",
            p.sku
        );
        (StockSuggestion::SplitShipment, stock, shortfall, lead, false, m)
    } else {
        rule_ids.push("STOCK-PRODUCE");
        let pre = lead >= policy.long_lead_days;
        let why = if stock == 0 {
            "No stock".to_string()
        } else {
            format!("Only {stock} in stock, too few for a first lot of its own")
        };
        let mut m = format!("{}: {why}; produce all {requested} and ship after {lead} days.", p.sku);
        if pre {
            m.push_str(&format!(
                " With a {lead}-day lead time, offer to pre-stock against the buyer's forecast for repeat orders."
            ));
        }
        (StockSuggestion::ProduceToOrder, 0, requested, lead, pre, m)
    };
    if below_moq {
        rule_ids.push("STOCK-MOQ");
        message
            .push_str(&format!(" {requested} is below the MOQ of {}: quote at the MOQ or as a sample order.", p.moq));
    }
    StockAssessment {
        sku: p.sku.clone(),
        requested,
        stock,
        shortfall,
        lead_time_days: lead,
        moq: p.moq,
        below_moq,
        suggestion,
        ship_now,
        ship_later,
        ready_in_days: ready,
        pre_stock,
        rule_ids: rule_ids.into_iter().map(str::to_string).collect(),
        message,
    }
}

/// The stock finding: the catalog line plus the rules that produced the
/// suggestion.
pub fn stock_finding(a: &StockAssessment, policy: &StockPolicy, catalog: Citation) -> Finding {
    let mut citations = vec![catalog];
    citations.extend(a.rule_ids.iter().map(|id| policy.cite(id)));
    Finding {
        kind: "stock".into(),
        level: RiskLevel::Clear,
        sku: Some(a.sku.clone()),
        message: a.message.clone(),
        citations,
    }
}
