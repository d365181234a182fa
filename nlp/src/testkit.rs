//! Test fixtures shared by this crate's unit tests.

use std::collections::BTreeMap;
use tradewind_core::{PriceTier, Product};

/// A catalog product with just the fields matching looks at.
pub(crate) fn product(sku: &str, en: &str, zh: &str, cat: &str, specs: &[(&str, &str)], syn: &[&str]) -> Product {
    Product {
        sku: sku.into(),
        name_en: en.into(),
        name_zh: zh.into(),
        category: cat.into(),
        specs: specs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        hs_code: "850760".into(),
        price_tiers: vec![PriceTier { min_qty: 1, unit_price_usd: 100.0 }],
        moq: 10,
        lead_time_days: 20,
        stock: 1000,
        battery: None,
        synonyms: syn.iter().map(|s| s.to_string()).collect(),
    }
}
