//! HS rule family: importing the nomenclature CSV (real layout, fixture
//! written for the project), checking catalog codes, paths, and free-text
//! suggestions.

use std::path::{Path, PathBuf};
use tradewind_core::{Citation, RiskLevel};
use tradewind_customs::hs::{
    hs_finding, import_nomenclature_csv, local_suggestions, rank_suggestions, HsCheck, HsGlossary, IndexCandidate,
    Nomenclature, NOMENCLATURE_FILE,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn catalog(sku: &str) -> Citation {
    Citation::rule(format!("kb/catalog.jsonl#{sku}"))
}

#[test]
fn import_counts_every_row_by_level_and_names_malformed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let r = import_nomenclature_csv(&fixture("hs-sample.csv"), dir.path()).unwrap();
    assert_eq!(r.rows_read, 26, "a quoted description spanning two lines is one row");
    assert_eq!((r.chapters, r.headings, r.subheadings, r.summary_rows), (3, 5, 10, 1));
    assert_eq!(r.edition, "HS 2022");
    let lines: Vec<u64> = r.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![14, 15, 16, 17, 18, 22, 28], "{r}");
    assert_eq!(r.rows_read, r.chapters + r.headings + r.subheadings + r.summary_rows + r.malformed.len());
    let reasons: Vec<&str> = r.malformed.iter().map(|m| m.reason.as_str()).collect();
    assert!(reasons[0].contains("not 2, 4 or 6 digits"), "{reasons:?}");
    assert!(reasons[1].contains("level 'x'"), "{reasons:?}");
    assert!(reasons[2].contains("expected '8507'"), "{reasons:?}");
    assert!(reasons[3].contains("repeats line 5"), "{reasons:?}");
    assert!(reasons[4].contains("2 field(s)"), "{reasons:?}");
    assert!(reasons[5].contains("parent '8714' is not in the file"), "{reasons:?}");
    assert!(reasons[6].contains("no description"), "{reasons:?}");
    let shown = r.to_string();
    assert!(
        shown.contains("26 rows read") && shown.contains("line 22:") && shown.contains("10 subheadings"),
        "{shown}"
    );
}

#[test]
fn an_imported_nomenclature_gives_paths_and_checks_codes() {
    let dir = tempfile::tempdir().unwrap();
    import_nomenclature_csv(&fixture("hs-sample.csv"), dir.path()).unwrap();
    let n = Nomenclature::load(dir.path()).unwrap().expect("stored");
    assert!(!n.is_builtin());
    assert_eq!(n.origin().label, "HS 2022 nomenclature");
    assert_eq!(n.subheading_count(), 10);
    let path = n.path("850760").unwrap();
    assert_eq!(path.lines.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(), vec!["85", "8507", "850760"]);
    let shown = path.to_string();
    assert!(
        shown.starts_with("Chapter 85 Electrical machinery") && shown.contains(" → 8507 Electric accumulators"),
        "{shown}"
    );
    assert!(shown.contains(" → 8507.60 Electric accumulators; lithium-ion"), "{shown}");
    // The two-line description was joined into one.
    assert!(n.get("8513").unwrap().description.contains("energy (e.g. dry batteries"));
    assert!(matches!(n.check("8507600010"), HsCheck::Known { national: Some(ref d), .. } if d == "0010"));
    assert!(matches!(n.check("8507.60"), HsCheck::Known { national: None, .. }));
    match n.check("850769") {
        HsCheck::Unknown { nearest: Some(p) } => assert_eq!(p.lines.last().unwrap().code, "8507"),
        other => panic!("{other:?}"),
    }
    match n.check("871410") {
        HsCheck::Unknown { nearest: Some(p) } => {
            assert_eq!(p.lines.len(), 1, "an orphan row is not stored; only chapter 87 is")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(n.check("85A760"), HsCheck::Malformed);
    assert_eq!(n.check("8507"), HsCheck::Malformed);
}

#[test]
fn a_failed_import_leaves_the_previous_one_in_force() {
    let dir = tempfile::tempdir().unwrap();
    import_nomenclature_csv(&fixture("hs-sample.csv"), dir.path()).unwrap();
    let before = std::fs::read(dir.path().join(NOMENCLATURE_FILE)).unwrap();
    for bad in ["hs-wrong-columns.csv", "hs-no-subheadings.csv", "does-not-exist.csv"] {
        let e = import_nomenclature_csv(&fixture(bad), dir.path()).unwrap_err();
        assert!(e.to_string().contains(bad), "{e}");
    }
    assert_eq!(std::fs::read(dir.path().join(NOMENCLATURE_FILE)).unwrap(), before);
    assert_eq!(Nomenclature::load(dir.path()).unwrap().unwrap().subheading_count(), 10);
    // No temporary file is left behind either.
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec![NOMENCLATURE_FILE.to_string()]);
}

#[test]
fn nothing_imported_means_none_and_a_corrupt_store_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Nomenclature::load(dir.path()).unwrap().is_none());
    std::fs::write(dir.path().join(NOMENCLATURE_FILE), "not a nomenclature\n").unwrap();
    let e = Nomenclature::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("import the nomenclature again"), "{e}");
}

#[test]
fn catalog_codes_are_checked_and_every_finding_cites_the_catalog_and_the_hs_line() {
    let dir = tempfile::tempdir().unwrap();
    import_nomenclature_csv(&fixture("hs-sample.csv"), dir.path()).unwrap();
    let n = Nomenclature::load(dir.path()).unwrap().unwrap();

    let ok = hs_finding("TW-BP-4820", "850760", &n, catalog("TW-BP-4820"));
    assert_eq!(ok.level, RiskLevel::Clear);
    assert!(ok.message.contains("850760") && ok.message.contains("HS 2022 nomenclature"), "{}", ok.message);
    assert_eq!(ok.citations[0].source, "kb/catalog.jsonl#TW-BP-4820");
    assert_eq!(ok.citations[1].source, "HS 2022 nomenclature#850760");

    let unknown = hs_finding("X-1", "850769", &n, catalog("X-1"));
    assert_eq!(unknown.level, RiskLevel::Review);
    assert!(unknown.message.contains("not a subheading"), "{}", unknown.message);
    assert_eq!(unknown.citations[1].source, "HS 2022 nomenclature#8507");

    let malformed = hs_finding("X-2", "94.05", &n, catalog("X-2"));
    assert_eq!(malformed.level, RiskLevel::Review);
    assert_eq!(malformed.citations.len(), 1);

    let national = hs_finding("X-3", "8507600010", &n, catalog("X-3"));
    assert_eq!(national.level, RiskLevel::Clear);
    assert!(national.message.contains("National digits '0010'"), "{}", national.message);
}

#[test]
fn the_builtin_table_covers_the_catalog_and_says_when_it_cannot_check() {
    let n = Nomenclature::builtin().unwrap();
    assert!(n.is_builtin());
    let catalog_codes = tradewind_core::Catalog::from_jsonl(include_str!("../../knowledge/kb/catalog.jsonl")).unwrap();
    for p in catalog_codes.products() {
        let f = hs_finding(&p.sku, &p.hs_code, &n, catalog(&p.sku));
        assert_eq!(f.level, RiskLevel::Clear, "{}: {}", p.sku, f.message);
    }
    let f = hs_finding("X", "030211", &n, catalog("X"));
    assert_eq!(f.level, RiskLevel::Review);
    assert!(f.message.contains("import the full nomenclature"), "{}", f.message);
}

#[test]
fn the_index_document_has_one_line_per_subheading_with_its_parents_words() {
    let n = Nomenclature::builtin().unwrap();
    let (name, bytes) = n.index_document();
    assert_eq!(name, "hs/hs.jsonl");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), n.subheading_count());
    let line = text.lines().find(|l| l.contains("\"850760\"")).unwrap();
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["sku"], "850760");
    assert!(v["heading"].as_str().unwrap().starts_with("8507 Electric accumulators"));
    assert!(v["chapter"].as_str().unwrap().starts_with("85 Electrical machinery"));
}

#[test]
fn free_text_finds_the_right_subheading_in_english_and_chinese() {
    let n = Nomenclature::builtin().unwrap();
    let g = HsGlossary::embedded().unwrap();
    for (text, want) in [
        ("48V 20Ah lithium battery pack for e-bikes", "850760"),
        ("电动自行车锂电池", "850760"),
        ("complete electric bicycle, 500 W", "871160"),
        ("电动滑板车", "871160"),
        ("5 kW hybrid solar inverter", "850440"),
        ("逆变器", "850440"),
        ("rechargeable LED camping lantern", "851310"),
        ("solar LED street light", "940541"),
        ("hydraulic brake lever for e-bikes", "871494"),
    ] {
        let got = local_suggestions(&n, &g.query(text), 3);
        let codes: Vec<&str> = got.iter().map(|s| s.code.as_str()).collect();
        assert!(codes.contains(&want), "{text}: {codes:?} (query: {:?})", g.query(text));
        assert!(got.iter().all(|s| s.needs_confirmation && s.path.starts_with("Chapter ")));
        assert!(got.iter().all(|s| s.citations[0].source.starts_with("built-in HS table#")));
    }
}

#[test]
fn index_candidates_are_reranked_against_the_nomenclature() {
    let n = Nomenclature::builtin().unwrap();
    let g = HsGlossary::embedded().unwrap();
    let q = g.query("lithium battery pack");
    let cand = |code: &str, rank| IndexCandidate {
        code: code.into(),
        rank,
        citation: Citation::rule(format!("hs/hs.jsonl#{code}")),
    };
    // The index put a lamp first, a heading and a stale code in between.
    let got = rank_suggestions(
        &n,
        &q,
        &[
            cand("851310", 0),
            cand("8507", 1),
            cand("999999", 2),
            cand("850760", 3),
            cand("850760", 4),
            cand("850720", 5),
        ],
        3,
    );
    let codes: Vec<&str> = got.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes[0], "850760", "{codes:?}");
    assert!(!codes.contains(&"8507") && !codes.contains(&"999999"));
    assert_eq!(codes.len(), 3);
    assert_eq!(got[0].citations[1].source, "hs/hs.jsonl#850760", "the index chunk is cited too");
}

#[test]
fn a_fuel_cell_is_no_primary_cell_accumulator_or_photovoltaic_cell() {
    let n = Nomenclature::builtin().unwrap();
    let g = HsGlossary::embedded().unwrap();
    for text in ["Hydrogen fuel cells", "hydrogen fuel cell stack 5 kW", "氢燃料电池"] {
        let q = g.query(text);
        let got = local_suggestions(&n, &q, 3);
        let codes: Vec<&str> = got.iter().map(|s| s.code.as_str()).collect();
        assert!(!codes.is_empty(), "{text}");
        for bad in ["8506", "8507", "8541"] {
            assert!(codes.iter().all(|c| !c.starts_with(bad)), "{text}: {codes:?}");
        }
        assert!(codes[0].starts_with("8501"), "{text}: {codes:?}");
        // Index candidates are held to the same rule.
        let cand = |code: &str, rank| IndexCandidate { code: code.into(), rank, citation: Citation::rule("hs") };
        let ranked = rank_suggestions(&n, &q, &[cand("850650", 0), cand("854142", 1), cand("850131", 2)], 3);
        assert_eq!(ranked.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(), vec!["850131"]);
    }
}

#[test]
fn fuel_cell_leads_are_generators_never_batteries_or_photovoltaics() {
    let n = Nomenclature::builtin().unwrap();
    let g = HsGlossary::embedded().unwrap();
    let q = g.query("Hydrogen fuel cells");
    // The built-in table holds 8506.50, 8541.42/43 and 8501.72 (photovoltaic
    // DC generators): none of them may be offered for a fuel cell.
    for bad in ["850650", "854142", "854143", "850172"] {
        assert!(q.excludes(bad), "{bad} is excluded: {:?}", q.excluded);
    }
    let got = local_suggestions(&n, &q, 3);
    assert!(!got.is_empty());
    for s in &got {
        assert!(s.code.starts_with("8501") && s.code != "850172", "{}: {}", s.code, s.description);
    }
    let cand = |code: &str, rank| IndexCandidate { code: code.into(), rank, citation: Citation::rule("hs") };
    let ranked = rank_suggestions(&n, &q, &[cand("850172", 0), cand("854143", 1), cand("850132", 2)], 3);
    assert_eq!(ranked.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(), vec!["850132"]);
}

#[test]
fn an_unidentified_product_cannot_be_classified_and_cites_the_rule() {
    use tradewind_customs::hs::unidentified_finding;
    let g = HsGlossary::embedded().unwrap();
    let n = Nomenclature::builtin().unwrap();
    let leads = local_suggestions(&n, &g.query("Hydrogen fuel cells"), 3);
    let f = unidentified_finding(&g, Some("Hydrogen fuel cells"), &leads);
    assert_eq!((f.kind.as_str(), f.level), ("hs", tradewind_core::RiskLevel::Review));
    assert!(f.message.starts_with("cannot classify: 'Hydrogen fuel cells'"), "{}", f.message);
    assert!(f.message.contains("broker"), "{}", f.message);
    assert!(f.citations[0].source.ends_with("hs-glossary.toml#HS-UNIDENTIFIED"), "{:?}", f.citations);
    assert!(f.citations[0].section.as_deref().is_some_and(|s| s.contains("Interpretative Rules")));
    assert!(f.citations.len() > 1, "the leads are cited too");

    let none = unidentified_finding(&g, None, &[]);
    assert_eq!(none.level, tradewind_core::RiskLevel::Review);
    assert!(none.message.contains("cannot classify: no product identified"), "{}", none.message);
    assert!(none.message.contains("no candidate"), "{}", none.message);
}
