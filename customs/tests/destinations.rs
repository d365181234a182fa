//! Destination rule family: the project's rules file (embargoes, sectoral
//! sanctions, documents by destination) and the rule semantics, on a small
//! rules file in the same format.

use std::path::Path;
use tradewind_core::RiskLevel;
use tradewind_customs::destinations::{destination_findings, document_findings, DestinationRules, Goods, Place};

fn rules() -> DestinationRules {
    DestinationRules::embedded().expect("the project's rules file parses")
}

fn mini() -> DestinationRules {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/destinations-mini.toml"))
            .unwrap();
    DestinationRules::parse(&text).unwrap()
}

fn to(country: &str) -> Place<'_> {
    Place { country, region: None, place: None }
}

fn batteries() -> Goods {
    Goods { hs_codes: vec!["850760".into()], batteries: true }
}

fn level_and_ids(r: &DestinationRules, p: Place<'_>, g: &Goods) -> (RiskLevel, Vec<String>) {
    let f = destination_findings(r, p, g);
    let level = f.iter().map(|x| x.level).max().unwrap();
    let ids = f.iter().map(|x| x.citations[0].source.rsplit('#').next().unwrap_or_default().to_string()).collect();
    (level, ids)
}

#[test]
fn embargoed_countries_and_regions_are_blocked_and_cite_their_rule() {
    let r = rules();
    let g = Goods::default();
    for (country, id) in [
        ("CU", "DEST-EMB-CU"),
        ("IR", "DEST-EMB-IR"),
        ("KP", "DEST-EMB-KP"),
        ("SY", "DEST-EMB-SY"),
        ("cu", "DEST-EMB-CU"),
    ] {
        let (level, ids) = level_and_ids(&r, to(country), &g);
        assert_eq!(level, RiskLevel::Blocked, "{country}");
        assert_eq!(ids, vec![id.to_string()]);
    }
    for (region, id) in [
        ("UA-43", "DEST-EMB-CRIMEA"),
        ("UA-40", "DEST-EMB-CRIMEA"),
        ("UA-14", "DEST-EMB-DNR-LNR"),
        ("UA-09", "DEST-EMB-DNR-LNR"),
    ] {
        let (level, ids) = level_and_ids(&r, Place { country: "UA", region: Some(region), place: Some("x") }, &g);
        assert_eq!(level, RiskLevel::Blocked, "{region}");
        assert_eq!(ids, vec![id.to_string()]);
    }
    let f = destination_findings(&r, to("CU"), &g);
    assert!(f[0].citations[0].section.as_deref().unwrap().contains("31 CFR Part 515"), "the source is cited");
}

#[test]
fn sectoral_and_watch_rules_raise_high_and_review() {
    let r = rules();
    let g = batteries();
    assert_eq!(level_and_ids(&r, to("RU"), &g), (RiskLevel::High, vec!["DEST-SECT-RU".into()]));
    assert_eq!(level_and_ids(&r, to("BY"), &g), (RiskLevel::High, vec!["DEST-SECT-BY".into()]));
    assert_eq!(level_and_ids(&r, to("VE"), &g).0, RiskLevel::Review);
    assert_eq!(level_and_ids(&r, to("MM"), &g).0, RiskLevel::Review);
    let zap = Place { country: "UA", region: Some("UA-23"), place: Some("Zaporizhzhia") };
    assert_eq!(level_and_ids(&r, zap, &g), (RiskLevel::High, vec!["DEST-OCC-ZAP-KHE".into()]));
}

#[test]
fn ukraine_needs_an_address_but_a_named_city_elsewhere_is_clear() {
    let r = rules();
    let g = Goods::default();
    assert_eq!(level_and_ids(&r, to("UA"), &g), (RiskLevel::Review, vec!["DEST-UA-ADDRESS".into()]));
    let kyiv = Place { country: "UA", region: None, place: Some("Kyiv") };
    assert_eq!(level_and_ids(&r, kyiv, &g).0, RiskLevel::Clear);
}

#[test]
fn ordinary_destinations_are_clear_and_cite_the_rule_set() {
    let r = rules();
    for c in ["DE", "NL", "GB", "US", "AU", "VN", "AE", "SA", "IN", "JP", "BR"] {
        let f = destination_findings(&r, to(c), &batteries());
        assert_eq!(f.len(), 1, "{c}");
        assert_eq!(f[0].level, RiskLevel::Clear, "{c}");
        assert_eq!(f[0].citations[0].source, "knowledge/rules/destinations.toml");
    }
}

fn docs(r: &DestinationRules, country: &str, g: &Goods) -> Vec<String> {
    r.documents_for(country, g).into_iter().map(|(d, _)| d).collect()
}

fn doc_ids(r: &DestinationRules, country: &str, g: &Goods) -> Vec<String> {
    r.document_groups(country, g).into_iter().map(|d| d.id.clone()).collect()
}

#[test]
fn eu_battery_duties_apply_only_when_batteries_ship() {
    let r = rules();
    let with = docs(&r, "DE", &batteries());
    assert!(with.iter().any(|d| d.contains("2023/1542") && d.contains("producer registration")), "{with:?}");
    assert!(with.iter().any(|d| d.contains("battery passport")), "{with:?}");
    assert!(with.iter().any(|d| d.contains("UN 38.3")), "{with:?}");
    assert!(with.iter().any(|d| d.contains("CE marking")), "{with:?}");
    let lamps = Goods { hs_codes: vec!["940542".into()], batteries: false };
    let without = docs(&r, "DE", &lamps);
    assert!(!without.iter().any(|d| d.contains("2023/1542")), "{without:?}");
    assert!(without.iter().any(|d| d.contains("CE marking")), "{without:?}");
    // Norway is in the EEA, not the EU customs union.
    let no = doc_ids(&r, "NO", &batteries());
    assert!(no.contains(&"DOC-EEA-BATTERY".to_string()) && !no.contains(&"DOC-EU-CUSTOMS".to_string()), "{no:?}");
    assert!(no.contains(&"DOC-DEFAULT".to_string()), "{no:?}");
}

#[test]
fn documents_by_destination_cover_the_main_markets() {
    let r = rules();
    let inverters = Goods { hs_codes: vec!["850440".into()], batteries: false };
    let ebikes = Goods { hs_codes: vec!["871160".into()], batteries: true };
    let cases: &[(&str, &Goods, &[&str])] = &[
        ("GB", &batteries(), &["DOC-UK-CUSTOMS", "DOC-UK-UKCA", "DOC-UK-BATTERY", "DOC-LI-BATTERY"]),
        ("US", &inverters, &["DOC-US-CUSTOMS", "DOC-US-FCC"]),
        ("US", &ebikes, &["DOC-US-BATTERY", "DOC-US-EBIKE"]),
        ("DE", &ebikes, &["DOC-EU-CUSTOMS", "DOC-EEA-CE", "DOC-EEA-BATTERY", "DOC-EU-EBIKE"]),
        ("AU", &inverters, &["DOC-AU", "DOC-ANZ-RCM"]),
        ("SA", &inverters, &["DOC-SA", "DOC-SA-SABER", "DOC-GCC-GMARK"]),
        ("AE", &batteries(), &["DOC-AE"]),
        ("IN", &batteries(), &["DOC-IN-BIS", "DOC-DEFAULT"]),
        ("VN", &inverters, &["DOC-DEFAULT", "DOC-ORIGIN-ASEAN"]),
        ("JP", &batteries(), &["DOC-ORIGIN-RCEP", "DOC-JP-PSE"]),
        ("KR", &inverters, &["DOC-KR-KC"]),
        ("CA", &inverters, &["DOC-CA"]),
        ("BR", &inverters, &["DOC-DEFAULT"]),
    ];
    for (country, goods, want) in cases {
        let got = doc_ids(&r, country, goods);
        for w in *want {
            assert!(got.contains(&w.to_string()), "{country}: {w} missing from {got:?}");
        }
        let base_count = r.document_groups(country, goods).iter().filter(|d| d.base || d.fallback).count();
        assert_eq!(base_count, 1, "{country}: exactly one group covers the basic paperwork: {got:?}");
    }
    assert!(docs(&r, "AU", &inverters).iter().any(|d| d.contains("RCM")));
    assert!(docs(&r, "SA", &inverters).iter().any(|d| d.contains("SABER")));
    assert!(docs(&r, "IN", &batteries()).iter().any(|d| d.contains("IS 16046")));
}

#[test]
fn document_findings_are_clear_and_cite_each_group() {
    let r = rules();
    let f = document_findings(&r, "DE", &batteries());
    assert!(f.iter().all(|x| x.level == RiskLevel::Clear && x.kind == "documents"));
    let battery =
        f.iter().find(|x| x.citations[0].source.ends_with("#DOC-EEA-BATTERY")).expect("EU battery duties finding");
    assert!(battery.message.contains("2023/1542"));
    assert!(battery.citations[0].section.as_deref().unwrap().contains("Regulation (EU) 2023/1542"));
}

#[test]
fn every_rule_in_the_project_file_cites_a_source() {
    let r = rules();
    assert!(r.rules.len() >= 11 && r.documents.len() >= 20);
    assert!(r.rules.iter().all(|x| x.source.len() > 10));
    assert!(r.documents.iter().all(|x| x.source.len() > 10));
}

#[test]
fn rule_semantics_on_a_small_rules_file() {
    let r = mini();
    assert_eq!(level_and_ids(&r, to("XA"), &Goods::default()).0, RiskLevel::Blocked);
    assert_eq!(
        level_and_ids(&r, Place { country: "XB", region: Some("XB-01"), place: Some("p") }, &Goods::default()).0,
        RiskLevel::Blocked
    );
    // hs_prefixes: only with the goods named; nested groups expand.
    assert_eq!(level_and_ids(&r, to("SE"), &batteries()).0, RiskLevel::Review);
    assert_eq!(level_and_ids(&r, to("FI"), &batteries()).0, RiskLevel::Review);
    assert_eq!(
        level_and_ids(&r, to("SE"), &Goods { hs_codes: vec!["940542".into()], batteries: false }).0,
        RiskLevel::Clear
    );
    // when_place_unknown
    assert_eq!(level_and_ids(&r, to("XB"), &Goods::default()).0, RiskLevel::Review);
    assert_eq!(
        level_and_ids(&r, Place { country: "XB", region: None, place: Some("Port") }, &Goods::default()).0,
        RiskLevel::Clear
    );
    // base / fallback / batteries / hs-specific documents
    let lamps = Goods { hs_codes: vec!["940542".into()], batteries: false };
    assert_eq!(doc_ids(&r, "DK", &batteries()), vec!["T-DOC-BASE", "T-DOC-BATT"]);
    assert_eq!(doc_ids(&r, "FI", &lamps), vec!["T-DOC-DEFAULT", "T-DOC-LAMP"]);
    assert_eq!(
        docs(&r, "DK", &Goods::default()),
        vec!["Invoice", "Nordic origin form"],
        "a document asked twice is listed once"
    );
}

#[test]
fn conformity_schemes_by_destination_each_cite_their_source() {
    let r = rules();
    let led = Goods { hs_codes: vec!["853952".into()], batteries: false };
    let inverter = Goods { hs_codes: vec!["850440".into()], batteries: false };
    for (country, goods, id, scheme) in [
        ("NG", &led, "DOC-NG-SONCAP", "SONCAP"),
        ("KE", &led, "DOC-KE-PVOC", "PVoC"),
        ("BR", &inverter, "DOC-BR-INMETRO", "INMETRO"),
        ("RU", &inverter, "DOC-EAEU-EAC", "EAC"),
        ("KZ", &led, "DOC-EAEU-EAC", "EAC"),
        ("SA", &led, "DOC-SA-SABER", "SABER"),
        ("GB", &inverter, "DOC-UK-UKCA", "UKCA"),
        ("DE", &inverter, "DOC-EEA-CE", "CE marking"),
        ("IN", &led, "DOC-IN-BIS", "BIS"),
        ("KR", &led, "DOC-KR-KC", "KC"),
        ("JP", &led, "DOC-JP-PSE", "PSE"),
    ] {
        let f = document_findings(&r, country, goods);
        let group = f.iter().find(|x| x.citations[0].source.ends_with(&format!("#{id}")));
        let group = group.unwrap_or_else(|| panic!("{country}: no {id} in {f:?}"));
        assert!(group.message.contains(scheme), "{country}: {}", group.message);
        let source = group.citations[0].section.as_deref().unwrap_or_default();
        assert!(source.len() > 20, "{id} cites its public source: {source}");
        // Self-declared marks are paperwork; a certificate needed before
        // shipment is something we cannot confirm, so a person checks it.
        let self_declared = matches!(id, "DOC-UK-UKCA" | "DOC-EEA-CE");
        let want = if self_declared { RiskLevel::Clear } else { RiskLevel::Review };
        assert_eq!(group.level, want, "{id}: {}", group.message);
        assert_eq!(group.message.contains("Pre-shipment certification"), !self_declared, "{}", group.message);
    }
    // LED bulbs to Lagos: SONCAP is listed.
    assert!(docs(&r, "NG", &led).iter().any(|d| d.contains("SONCAP Product Certificate")));
}

#[test]
fn a_transit_through_a_sanctioned_country_is_a_finding_of_its_own() {
    use tradewind_customs::destinations::transit_findings;
    let r = rules();
    let g = batteries();
    let via_iran = transit_findings(&r, &[Place { country: "IR", region: None, place: Some("Bandar Abbas") }], &g);
    assert_eq!(via_iran.len(), 1);
    assert_eq!((via_iran[0].kind.as_str(), via_iran[0].level), ("transit", RiskLevel::High));
    assert!(via_iran[0].message.contains("Bandar Abbas (IR)") && via_iran[0].message.contains("DEST-EMB-IR"));
    assert!(via_iran[0].citations[0].source.ends_with("#DEST-EMB-IR"));
    let via_russia = transit_findings(&r, &[to("RU")], &g);
    assert_eq!(via_russia[0].level, RiskLevel::Review);
    assert!(transit_findings(&r, &[to("AE"), to("SG")], &g).is_empty(), "an ordinary transit raises nothing");
}

fn scheme_finding(country: &str, goods: &Goods, id: &str) -> tradewind_core::Finding {
    let f = document_findings(&rules(), country, goods);
    f.iter()
        .find(|x| x.kind == "documents" && x.citations[0].source.ends_with(&format!("#{id}")))
        .cloned()
        .unwrap_or_else(|| panic!("{country}: no {id} in {f:#?}"))
}

#[test]
fn led_bulbs_to_nigeria_need_a_soncap_certificate_before_shipment() {
    let led = Goods { hs_codes: vec!["853952".into()], batteries: false };
    let f = scheme_finding("NG", &led, "DOC-NG-SONCAP");
    assert_eq!(f.level, RiskLevel::Review);
    assert!(f.message.contains("SONCAP") && f.message.contains("Pre-shipment"), "{}", f.message);
    assert!(rules()
        .documents_for("NG", &led)
        .iter()
        .any(|(d, c)| d.contains("SONCAP") && c.source.ends_with("#DOC-NG-SONCAP")));
}

#[test]
fn a_battery_to_saudi_arabia_needs_saso_saber_certificates() {
    let f = scheme_finding("SA", &batteries(), "DOC-SA-SABER");
    assert_eq!(f.level, RiskLevel::Review);
    assert!(f.message.contains("SABER") && f.message.contains("SCoC"), "{}", f.message);
}

#[test]
fn a_battery_to_india_needs_bis_compulsory_registration() {
    let f = scheme_finding("IN", &batteries(), "DOC-IN-BIS");
    assert_eq!(f.level, RiskLevel::Review);
    assert!(f.message.contains("BIS compulsory registration") && f.message.contains("IS 16046"), "{}", f.message);
}

#[test]
fn a_battery_to_russia_needs_eac_conformity() {
    let f = scheme_finding("RU", &batteries(), "DOC-EAEU-EAC");
    assert_eq!(f.level, RiskLevel::Review);
    assert!(f.message.contains("EAC"), "{}", f.message);
}

#[test]
fn a_battery_to_germany_needs_ce_marking_which_is_self_declared() {
    let f = scheme_finding("DE", &batteries(), "DOC-EEA-CE");
    assert_eq!(f.level, RiskLevel::Clear, "CE is the manufacturer's own declaration: {}", f.message);
    assert!(f.message.contains("CE marking"), "{}", f.message);
    let battery = scheme_finding("DE", &batteries(), "DOC-EEA-BATTERY");
    assert!(battery.message.contains("CE marking"), "{}", battery.message);
}
