//! The product catalog: what we sell, at which price tier, from which stock.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One quantity break. `min_qty` is inclusive; the tier applies up to the next tier's `min_qty`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PriceTier {
    pub min_qty: u32,
    pub unit_price_usd: f64,
}

/// Lithium battery data needed for dangerous-goods classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BatteryInfo {
    /// Watt-hour rating per battery (pack).
    pub wh: f64,
    /// "UN3480" (batteries alone) or "UN3481" (packed with / contained in equipment).
    pub un_number: String,
    /// e.g. "Li-ion NMC", "LiFePO4".
    pub chemistry: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Product {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    /// e.g. "battery", "ebike-part", "inverter", "led".
    pub category: String,
    #[serde(default)]
    pub specs: BTreeMap<String, String>,
    /// Six to ten digit HS code, digits only (e.g. "850760").
    pub hs_code: String,
    pub price_tiers: Vec<PriceTier>,
    pub moq: u32,
    pub lead_time_days: u32,
    pub stock: u32,
    #[serde(default)]
    pub battery: Option<BatteryInfo>,
    /// Extra names customers use (English and Chinese), for intake matching.
    #[serde(default)]
    pub synonyms: Vec<String>,
}

impl Product {
    /// The tier that applies to `qty`: the highest `min_qty` not above it.
    /// Below the first tier the first tier applies (the quote then notes the MOQ).
    pub fn tier_for(&self, qty: u32) -> Option<&PriceTier> {
        let mut best: Option<&PriceTier> = None;
        for t in &self.price_tiers {
            if t.min_qty <= qty && best.is_none_or(|b| t.min_qty >= b.min_qty) {
                best = Some(t);
            }
        }
        best.or_else(|| self.price_tiers.iter().min_by_key(|t| t.min_qty))
    }
}

/// The whole catalog, indexed by SKU.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    products: Vec<Product>,
    by_sku: BTreeMap<String, usize>,
}

impl Catalog {
    pub fn new(products: Vec<Product>) -> Self {
        let by_sku = products.iter().enumerate().map(|(i, p)| (p.sku.to_ascii_uppercase(), i)).collect();
        Self { products, by_sku }
    }

    /// Parses JSON Lines, one `Product` per line; blank lines are skipped.
    pub fn from_jsonl(text: &str) -> Result<Self, String> {
        let mut products = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let p: Product = serde_json::from_str(line).map_err(|e| format!("catalog line {}: {e}", i + 1))?;
            products.push(p);
        }
        Ok(Self::new(products))
    }

    pub fn get(&self, sku: &str) -> Option<&Product> {
        self.by_sku.get(&sku.trim().to_ascii_uppercase()).map(|&i| &self.products[i])
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }
}
