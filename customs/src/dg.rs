//! Dangerous goods: lithium batteries (UN3480/UN3481, Class 9) from catalog data.

use tradewind_core::{Citation, Finding, Product, RiskLevel};

pub fn dg_findings(p: &Product, catalog_source: &str) -> Option<Finding> {
    let b = p.battery.as_ref()?;
    let alone = b.un_number.eq_ignore_ascii_case("UN3480");
    let over = b.wh > 100.0;
    let mut msg = format!(
        "{} contains lithium batteries: {} Class 9, {:.0} Wh {} 100 Wh.",
        p.sku,
        b.un_number,
        b.wh,
        if over { "over" } else { "at or under" }
    );
    if alone {
        msg.push_str(" By air: IATA PI 965, state of charge at most 30%; by sea: IMDG Class 9 with DG declaration.");
    } else {
        msg.push_str(" Batteries packed with or contained in equipment: IATA PI 966/967 by air; IMDG Class 9 by sea.");
    }
    msg.push_str(" UN 38.3 test summary required.");
    Some(Finding {
        kind: "dangerous_goods".into(),
        level: if over { RiskLevel::Review } else { RiskLevel::Clear },
        sku: Some(p.sku.clone()),
        message: msg,
        citations: vec![
            Citation::rule(format!("{catalog_source}#{}", p.sku)),
            Citation::rule("UN Model Regulations: UN3480/UN3481 Class 9; IATA DGR PI 965-967"),
        ],
    })
}

