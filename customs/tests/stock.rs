//! Stock rule family: requested quantity against stock and lead time, on
//! fixture products written for the project in the catalog's format.

use tradewind_core::{Catalog, Citation, RiskLevel};
use tradewind_customs::stock::{assess_stock, stock_finding, StockPolicy, StockSuggestion};

fn check(sku: &str, qty: u32) -> tradewind_customs::StockAssessment {
    let c = Catalog::from_jsonl(include_str!("fixtures/products.jsonl")).unwrap();
    assess_stock(c.get(sku).unwrap(), qty, &StockPolicy::embedded().unwrap())
}

#[test]
fn enough_stock_ships_from_stock() {
    // FX-BP-960: 420 in stock, MOQ 50, 25 days.
    let a = check("FX-BP-960", 300);
    assert_eq!(a.suggestion, StockSuggestion::ShipFromStock);
    assert_eq!((a.ship_now, a.ship_later, a.ready_in_days, a.shortfall), (300, 0, 0, 0));
    assert!(!a.pre_stock && a.message.contains("120 left"), "{}", a.message);
}

#[test]
fn an_order_that_drains_stock_suggests_pre_stocking() {
    let a = check("FX-BP-960", 400);
    assert_eq!(a.suggestion, StockSuggestion::ShipFromStockAndPreStock);
    assert!(a.pre_stock);
    assert!(
        a.message.contains("leaves 20") && a.message.contains("reserve of 84") && a.message.contains("25 days"),
        "{}",
        a.message
    );
    assert_eq!(a.rule_ids, vec!["STOCK-FROM-STOCK", "STOCK-PRESTOCK"]);
}

#[test]
fn a_shortfall_with_a_worthwhile_first_lot_is_split() {
    let a = check("FX-BP-960", 800);
    assert_eq!(a.suggestion, StockSuggestion::SplitShipment);
    assert_eq!((a.ship_now, a.ship_later, a.ready_in_days, a.shortfall), (420, 380, 25, 380));
    assert!(a.message.contains("420 now") && a.message.contains("380 after 25 days"), "{}", a.message);
}

#[test]
fn too_little_stock_or_none_is_produced_to_order() {
    // FX-BP-65: 160 in stock, MOQ 200: below one MOQ, not worth a lot of its own.
    let a = check("FX-BP-65", 1000);
    assert_eq!(a.suggestion, StockSuggestion::ProduceToOrder);
    assert_eq!((a.ship_now, a.ship_later, a.ready_in_days), (0, 1000, 18));
    assert!(a.message.contains("Only 160 in stock"), "{}", a.message);
    assert!(!a.pre_stock, "18 days is not a long lead time");
    // FX-EB-720: no stock, 40 days: offer pre-stocking for repeat orders.
    let b = check("FX-EB-720", 100);
    assert_eq!(b.suggestion, StockSuggestion::ProduceToOrder);
    assert!(b.pre_stock && b.message.contains("pre-stock against the buyer's forecast"), "{}", b.message);
}

#[test]
fn below_moq_is_noted_and_stock_never_raises_the_risk() {
    let a = check("FX-BP-960", 10);
    assert!(a.below_moq && a.message.contains("below the MOQ of 50"), "{}", a.message);
    let policy = StockPolicy::embedded().unwrap();
    for (sku, qty) in [("FX-BP-960", 10), ("FX-BP-960", 800), ("FX-EB-720", 5000), ("FX-IV-3000", 1)] {
        let a = check(sku, qty);
        let f = stock_finding(&a, &policy, Citation::rule(format!("kb/catalog.jsonl#{sku}")));
        assert_eq!(f.level, RiskLevel::Clear);
        assert_eq!(f.kind, "stock");
        assert_eq!(f.citations[0].source, format!("kb/catalog.jsonl#{sku}"));
        assert!(f.citations[1..].iter().all(|c| c.source.starts_with("knowledge/rules/stock.toml#STOCK-")));
    }
    assert_eq!(check("FX-BP-960", 0).requested, 1, "a zero quantity is read as one unit");
}

#[test]
fn a_policy_without_its_rules_or_with_bad_thresholds_is_refused() {
    let text = tradewind_customs::stock::STOCK_RULES;
    assert!(StockPolicy::parse(&text.replace("split_min_share = 0.25", "split_min_share = 2.5")).is_err());
    assert!(StockPolicy::parse(&text.replace("id = \"STOCK-SPLIT\"", "id = \"STOCK-OTHER\"")).is_err());
}
