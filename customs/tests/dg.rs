//! Dangerous-goods rule family: lithium batteries from catalog records
//! (fixture products written for the project in the catalog's JSONL format),
//! by air, by sea and with the mode unstated.

use tradewind_core::{Catalog, Citation, Finding, Product, RiskLevel};
use tradewind_customs::dg::{
    assess, transport_modes, BatteryPacking, DgAssessment, DgRules, ModeBasis, ModeChoice, TransportMode,
};

fn catalog() -> Catalog {
    Catalog::from_jsonl(include_str!("fixtures/products.jsonl")).unwrap()
}

fn run(sku: &str, modes: ModeChoice) -> DgAssessment {
    let rules = DgRules::embedded().unwrap();
    let c = catalog();
    let p: &Product = c.get(sku).unwrap();
    assess(p, &modes, &rules, Citation::rule(format!("kb/catalog.jsonl#{sku}")))
}

fn air() -> ModeChoice {
    ModeChoice::stated(vec![TransportMode::Air])
}

fn sea() -> ModeChoice {
    ModeChoice::stated(vec![TransportMode::Sea])
}

fn cites(f: &Finding, id: &str) -> bool {
    f.citations.iter().any(|c| c.source.ends_with(&format!("#{id}")))
}

fn all_text(a: &DgAssessment) -> String {
    a.findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_960_wh_pack_alone_is_un3480_and_fully_regulated_by_air_and_by_sea() {
    let a = run("FX-BP-960", ModeChoice::unstated());
    assert_eq!(a.un_number.as_deref(), Some("UN3480"));
    assert_eq!(a.class.as_deref(), Some("9"));
    assert_eq!(a.packing, Some(BatteryPacking::Alone));
    assert!((a.cell_wh.unwrap() - 960.0 / 65.0).abs() < 1e-9);
    assert_eq!(a.level, RiskLevel::Review);
    assert_eq!(a.findings.len(), 3, "classification, air and sea");
    let text = all_text(&a);
    for want in [
        "UN3480 Class 9",
        "960 Wh",
        "over 100 Wh",
        "UN 38.3",
        "PI 965 Section IA",
        "Cargo Aircraft Only",
        "at most 30%",
        "P903",
        "Dangerous Goods Declaration",
        "not stated",
    ] {
        assert!(text.contains(want), "missing '{want}' in\n{text}");
    }
    assert!(
        cites(&a.findings[0], "DG-UN3480")
            && cites(&a.findings[0], "DG-UN383")
            && cites(&a.findings[0], "DG-MODE-UNSTATED")
    );
    assert!(cites(&a.findings[1], "DG-AIR-PI965"));
    assert!(cites(&a.findings[2], "DG-SEA-IMDG"));
    assert!(a.findings.iter().all(|f| f.citations[0].source == "kb/catalog.jsonl#FX-BP-960"));
}

#[test]
fn small_batteries_alone_get_special_provision_188_by_sea_but_section_ib_by_air() {
    let by_sea = run("FX-BP-65", sea());
    assert_eq!(by_sea.level, RiskLevel::Clear);
    assert!(cites(&by_sea.findings[1], "DG-SEA-SP188"), "{:#?}", by_sea.findings);
    let by_air = run("FX-BP-65", air());
    assert_eq!(by_air.level, RiskLevel::Review);
    assert!(all_text(&by_air).contains("Section IB"), "{}", all_text(&by_air));
    // Both stated: the stricter wins.
    assert_eq!(
        run("FX-BP-65", ModeChoice::stated(vec![TransportMode::Air, TransportMode::Sea])).level,
        RiskLevel::Review
    );
}

#[test]
fn a_power_bank_with_cells_over_20_wh_is_fully_regulated_even_by_sea() {
    let a = run("FX-PB-74", sea());
    assert!((a.cell_wh.unwrap() - 37.0).abs() < 1e-9);
    assert_eq!(a.level, RiskLevel::Review);
    assert!(all_text(&a).contains("over 20 Wh per cell"), "{}", all_text(&a));
    assert!(cites(&a.findings[1], "DG-SEA-IMDG"));
}

#[test]
fn an_unknown_cell_rating_must_be_confirmed_before_the_lighter_conditions() {
    let a = run("FX-PB-NOCELL", sea());
    assert_eq!(a.cell_wh, None);
    assert_eq!(a.level, RiskLevel::Review);
    assert!(all_text(&a).contains("cell rating must be confirmed"), "{}", all_text(&a));
}

#[test]
fn small_equipment_uses_section_ii_by_air_and_sp_188_by_sea() {
    let a = run("FX-LT-19", ModeChoice::unstated());
    assert_eq!(a.un_number.as_deref(), Some("UN3481"));
    assert_eq!(a.packing, Some(BatteryPacking::ContainedInEquipment));
    assert_eq!(a.level, RiskLevel::Clear, "{}", all_text(&a));
    assert!(cites(&a.findings[1], "DG-AIR-PI967") && all_text(&a).contains("PI 967 Section II"));
    assert!(cites(&a.findings[2], "DG-SEA-SP188"));
}

#[test]
fn a_battery_packed_with_equipment_is_pi_966_with_the_2026_state_of_charge_rule() {
    let a = run("FX-TL-50", air());
    assert_eq!(a.packing, Some(BatteryPacking::PackedWithEquipment));
    assert!(cites(&a.findings[1], "DG-AIR-PI966"));
    assert!(all_text(&a).contains("mandatory since 1 January 2026"), "{}", all_text(&a));
    assert_eq!(a.level, RiskLevel::Clear, "32.4 Wh, 10.8 Wh cells: Section II");
}

#[test]
fn large_equipment_is_section_i_by_air() {
    let a = run("FX-PS-1024", air());
    assert_eq!(a.level, RiskLevel::Review);
    assert!(all_text(&a).contains("PI 967 Section I:"), "{}", all_text(&a));
}

#[test]
fn a_complete_e_bike_is_a_un3556_vehicle_and_the_catalogs_un3481_is_flagged() {
    let a = run("FX-EB-720", ModeChoice::unstated());
    assert_eq!(a.un_number.as_deref(), Some("UN3556"));
    assert_eq!(a.catalog_un_number.as_deref(), Some("UN3481"));
    assert_eq!(a.packing, Some(BatteryPacking::Vehicle));
    assert_eq!(a.findings[0].level, RiskLevel::Review);
    assert!(a.findings[0].message.contains("catalog records UN3481"), "{}", a.findings[0].message);
    assert!(cites(&a.findings[0], "DG-UN3556"));
    assert!(cites(&a.findings[1], "DG-AIR-PI952"));
    assert!(cites(&a.findings[2], "DG-SEA-UN3556"));
}

#[test]
fn other_lithium_entries_go_to_a_person_and_products_without_batteries_are_not_regulated() {
    let a = run("FX-LM-3090", sea());
    assert_eq!(a.level, RiskLevel::Review);
    assert!(a.findings[0].message.contains("UN3091"));
    let none = run("FX-IV-3000", ModeChoice::unstated());
    assert!(!none.regulated && none.findings.is_empty() && none.level == RiskLevel::Clear);
}

#[test]
fn land_transport_follows_adr_and_rid() {
    let a = run("FX-BP-960", ModeChoice::stated(vec![TransportMode::Land]));
    assert!(cites(&a.findings[1], "DG-LAND-ADR"));
    assert_eq!(a.level, RiskLevel::Review);
}

#[test]
fn every_cited_dg_rule_exists_in_the_rules_file() {
    let rules = DgRules::embedded().unwrap();
    let c = catalog();
    for p in c.products() {
        for modes in [ModeChoice::unstated(), air(), sea(), ModeChoice::stated(vec![TransportMode::Land])] {
            let a = assess(p, &modes, &rules, Citation::rule("kb/catalog.jsonl"));
            for f in &a.findings {
                assert!(f.citations.len() >= 2, "{}: {}", p.sku, f.message);
                for c in f.citations.iter().skip(1) {
                    let id = c.source.rsplit('#').next().unwrap();
                    assert!(rules.rule(id).is_some(), "{}: unknown rule {id}", p.sku);
                    assert!(c.section.is_some(), "the rule's source is given");
                }
            }
        }
    }
}

#[test]
fn the_mode_comes_from_the_inquiry_in_english_and_chinese_or_a_sea_incoterm() {
    let cases: &[(&str, Option<&str>, &[TransportMode])] = &[
        ("Please send 500 packs by air to Frankfurt", None, &[TransportMode::Air]),
        ("air freight is fine", None, &[TransportMode::Air]),
        ("需要空运到迪拜", None, &[TransportMode::Air]),
        ("800 pcs by sea to Hamburg", None, &[TransportMode::Sea]),
        ("海运到鹿特丹", None, &[TransportMode::Sea]),
        ("FCL to Felixstowe", None, &[TransportMode::Sea]),
        ("by rail to Duisburg via 中欧班列", None, &[TransportMode::Land]),
        ("samples by air, the order by sea", None, &[TransportMode::Air, TransportMode::Sea]),
        ("not by air please, by sea", None, &[TransportMode::Sea]),
        ("Busan please", Some("CIF"), &[TransportMode::Sea]),
        ("Busan please", Some("DAP"), &[TransportMode::Air, TransportMode::Sea]),
        ("We are an airline caterer in Seattle", None, &[TransportMode::Air, TransportMode::Sea]),
    ];
    for (text, inco, want) in cases {
        assert_eq!(transport_modes(text, *inco).modes, want.to_vec(), "{text}");
    }
    assert_eq!(transport_modes("x", Some("fob")).basis, ModeBasis::Incoterm("FOB".into()));
    assert_eq!(transport_modes("x", None).basis, ModeBasis::Unstated);
    // Bounded: a huge message is scanned, not choked on.
    let big = format!("{} by air", "long text ".repeat(10_000));
    assert_eq!(transport_modes(&big, None).basis, ModeBasis::Unstated);
}

#[test]
fn a_power_bank_with_cells_over_20_wh_is_pi_965_section_ia() {
    // 74 Wh in two cells: 37 Wh each, over the 20 Wh per-cell limit.
    let a = run("FX-PB-74", air());
    let text = all_text(&a);
    assert!(text.contains("PI 965 Section IA"), "{text}");
    assert!(!text.contains("Section IB"), "{text}");
    assert_eq!(a.cell_wh, Some(37.0));
}

#[test]
fn a_fully_regulated_battery_is_never_a_clear_line() {
    for (sku, modes) in [("FX-BP-960", sea()), ("FX-PB-74", sea()), ("FX-BP-960", air())] {
        let a = run(sku, modes);
        for f in &a.findings {
            if f.message.contains("fully regulated") {
                assert_ne!(f.level, RiskLevel::Clear, "{}", f.message);
            }
        }
    }
}

mod from_the_inquiry_s_words {
    use super::*;
    use tradewind_customs::battery_text::{contradiction, read};
    use tradewind_customs::dg::assess_text;

    fn text(description: &str, modes: ModeChoice) -> DgAssessment {
        let rules = DgRules::embedded().unwrap();
        assess_text(description, &read(description).unwrap(), &modes, &rules)
    }

    #[test]
    fn a_large_pack_gets_its_un_number_wh_band_and_packing_instruction() {
        let a = text("LiFePO4 48V 200Ah packs", air());
        assert_eq!((a.un_number.as_deref(), a.wh), (Some("UN3480"), Some(9600.0)));
        assert_eq!(a.level, RiskLevel::Review);
        let t = all_text(&a);
        assert!(t.contains("over 100 Wh") && t.contains("PI 965 Section IA") && t.contains("48 V × 200 Ah"), "{t}");
        assert!(a.findings.iter().all(|f| f.sku.is_none() && cites(f, "DG-TEXT") || !f.citations.is_empty()));
    }

    #[test]
    fn vehicles_and_goods_with_batteries_inside() {
        let a = text("e-bikes 48V 13Ah with battery included", sea());
        assert_eq!(a.un_number.as_deref(), Some("UN3556"));
        let a = text("solar street lights 12.8V 30Ah 含电池", air());
        assert_eq!(a.un_number.as_deref(), Some("UN3481"));
        assert!(all_text(&a).contains("PI 967"), "{}", all_text(&a));
    }

    #[test]
    fn without_watt_hours_or_with_lithium_metal_a_specialist_must_look() {
        let a = text("e-scooters with battery", sea());
        assert_eq!((a.level, a.un_number.as_deref()), (RiskLevel::Review, Some("UN3556")));
        assert!(all_text(&a).contains("does not give"), "{}", all_text(&a));
        let a = text("CR2032 lithium metal coin cells", air());
        assert_eq!((a.level, a.un_number.as_deref()), (RiskLevel::Review, Some("UN3090")));
    }

    #[test]
    fn a_catalog_match_the_customer_s_figures_contradict_is_rejected() {
        let c = catalog();
        let small = c.get("FX-BP-65").unwrap();
        let said = read("48V 17.5Ah battery packs").unwrap();
        let why = contradiction(small.battery.as_ref().unwrap().wh, &small.specs, &said).unwrap();
        assert!(why.contains("840"), "{why}");
        let big = c.get("FX-BP-960").unwrap();
        assert_eq!(contradiction(960.0, &big.specs, &read("48V 20Ah battery packs").unwrap()), None);
    }
}

#[test]
fn pi_965_is_section_ia_for_a_74_wh_power_bank_whose_cells_are_37_wh() {
    // 74 Wh in two cells: the battery is within 100 Wh, but each cell is
    // over 20 Wh, so the per-cell limit alone makes it Section IA.
    let a = run("FX-PB-74", air());
    assert!((a.cell_wh.unwrap() - 37.0).abs() < 1e-9);
    let by_air = a.findings.iter().find(|f| cites(f, "DG-AIR-PI965")).expect("PI 965 finding");
    assert!(by_air.message.contains("PI 965 Section IA"), "{}", by_air.message);
    assert!(by_air.message.contains("cells over 20 Wh"), "{}", by_air.message);
    assert!(!by_air.message.contains("Section IB"), "{}", by_air.message);
    assert_eq!(by_air.level, RiskLevel::Review);
}

#[test]
fn pi_965_is_section_ib_when_cells_are_at_most_20_wh_in_a_battery_of_at_most_100_wh() {
    // 65 Wh in six cells of about 11 Wh each.
    let a = run("FX-BP-65", air());
    assert!(a.cell_wh.unwrap() <= 20.0, "{:?}", a.cell_wh);
    let by_air = a.findings.iter().find(|f| cites(f, "DG-AIR-PI965")).expect("PI 965 finding");
    assert!(by_air.message.contains("PI 965 Section IB"), "{}", by_air.message);
    assert!(!by_air.message.contains("Section IA"), "{}", by_air.message);
    // No Section II for UN3480 by air: still a declaration to prepare.
    assert_eq!(by_air.level, RiskLevel::Review);
}

#[test]
fn a_fully_regulated_dangerous_goods_line_is_never_clear() {
    let c = catalog();
    let rules = DgRules::embedded().unwrap();
    let modes = [air(), sea(), ModeChoice::stated(vec![TransportMode::Land]), ModeChoice::unstated()];
    let mut seen = 0;
    for p in c.products() {
        for m in &modes {
            let a = assess(p, m, &rules, Citation::rule(format!("kb/catalog.jsonl#{}", p.sku)));
            for f in a.findings.iter().filter(|f| f.message.contains("fully regulated")) {
                seen += 1;
                assert!(f.level >= RiskLevel::Review, "{}: [{}] {}", p.sku, f.level.as_str(), f.message);
            }
        }
    }
    assert!(seen > 0, "the fixtures include fully regulated batteries");
}
