//! Importers on fixtures written for the project in the real list formats:
//! OFAC legacy CSV (with `-0-`, quoted commas, aliases and addresses beside
//! it), both Consolidated Screening List layouts, the BIS Denied Persons
//! List; malformed rows with their line numbers; a failed import leaving the
//! previous list in force; and import → load → screen end to end.

use std::path::{Path, PathBuf};

use tradewind_customs::lists::{self, ImportOptions, ListError};
use tradewind_customs::{ScreeningList, ScreeningOutcome};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(p)
}

fn lenient() -> ImportOptions {
    ImportOptions { list_date: None, max_malformed_share: 0.5 }
}

fn lenient_dated(date: &str) -> ImportOptions {
    ImportOptions { list_date: Some(date.into()), max_malformed_share: 0.5 }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tw-lists-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn ofac_legacy_csv_reads_names_aliases_countries_and_programs() {
    let l = lists::parse("ofac-sdn", &fixture("ofac/sdn.csv"), Some("2019-01-08")).unwrap();
    let rows: Vec<(&str, usize)> = l.files.iter().map(|f| (f.file.as_str(), f.rows)).collect();
    assert_eq!(rows, vec![("sdn.csv", 4), ("alt.csv", 3), ("add.csv", 4)]);
    assert!(l.malformed.is_empty(), "{:?}", l.malformed);
    assert_eq!(l.list_date, "2019-01-08");
    assert_eq!(l.source, "ofac-sdn");

    let acme = l.entities.iter().find(|e| e.id == "10001").unwrap();
    assert_eq!(acme.name, "ACME BATTERY TRADING CO., LTD.");
    assert_eq!(acme.kind.as_deref(), Some("entity"), "-0- type means a company or organisation");
    assert_eq!(acme.programs, vec!["IRAN", "SDGT"]);
    assert_eq!(acme.aliases, vec!["ACME BATTERIES"]);
    assert_eq!(acme.countries, vec!["IR"]);
    assert_eq!(acme.list, "OFAC SDN");

    let volkov = l.entities.iter().find(|e| e.id == "10002").unwrap();
    assert_eq!(volkov.kind.as_deref(), Some("individual"));
    assert_eq!(volkov.aliases, vec!["ВОЛКОВ, Иван Петрович", "WOLKOW, Iwan"]);
    assert_eq!(volkov.countries, vec!["RU"]);

    let ship = l.entities.iter().find(|e| e.id == "10003").unwrap();
    assert_eq!(ship.kind.as_deref(), Some("vessel"));
    assert_eq!(ship.countries, vec!["KP"], "the vessel flag is a country");

    let works = l.entities.iter().find(|e| e.id == "10005").unwrap();
    assert_eq!(works.countries, vec!["KP"], "'undetermined' is no country");
}

#[test]
fn malformed_rows_are_reported_with_their_line_numbers() {
    let l = lists::parse_with("ofac-sdn", &fixture("ofac-bad/sdn.csv"), &lenient_dated("2019-01-08")).unwrap();
    let rows: Vec<usize> = l.files.iter().map(|f| f.rows).collect();
    assert_eq!(rows, vec![5, 3, 4], "every row is counted, malformed ones too");
    let bad: Vec<(&str, u64)> = l.malformed.iter().map(|m| (m.file.as_str(), m.line)).collect();
    assert_eq!(bad, vec![("sdn.csv", 4), ("alt.csv", 3)]);
    assert!(l.malformed[0].message.contains("expected 12 fields, found 4"));
    assert!(l.malformed[1].message.contains("unknown ent_num '99999'"));
    assert_eq!(l.entities.len(), 4);
}

#[test]
fn a_failed_import_leaves_the_previous_list_in_force() {
    let dir = temp_dir("failed");
    let first = lists::import("ofac-sdn", &fixture("ofac/sdn.csv"), &dir, Some("2019-01-08")).unwrap();
    let before = std::fs::read(&first.written).unwrap();

    // Too many malformed rows for the default limit: refused, naming them.
    let err = lists::import("ofac-sdn", &fixture("ofac-bad/sdn.csv"), &dir, Some("2019-01-09")).unwrap_err();
    match &err {
        ListError::TooManyMalformed { count, rows, first, .. } => {
            assert_eq!((*count, *rows), (2, 12));
            assert!(first.contains("sdn.csv line 4"), "{first}");
        }
        other => panic!("unexpected error {other}"),
    }
    // A file that is not a list at all.
    assert!(matches!(lists::import("csl", &fixture("lists/unknown.csv"), &dir, None), Err(ListError::Format { .. })));
    assert!(matches!(
        lists::import("xml", &fixture("lists/unknown.csv"), &dir, None),
        Err(ListError::UnknownFormat(_))
    ));
    assert!(matches!(lists::import("ofac-sdn", &fixture("ofac/missing.csv"), &dir, None), Err(ListError::Read { .. })));

    assert_eq!(std::fs::read(&first.written).unwrap(), before, "the stored list is untouched");
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["ofac-sdn.list.json"], "no temporary file is left behind");
    let l = ScreeningList::load_dir(&dir).unwrap().unwrap();
    assert_eq!(l.len(), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn consolidated_screening_list_2019_layout() {
    let l = lists::parse_with("csl", &fixture("lists/csl-2019.csv"), &lenient_dated("2019-06-01")).unwrap();
    assert_eq!(l.files[0].rows, 4);
    assert_eq!(l.malformed.len(), 1);
    assert_eq!(l.malformed[0].line, 5);
    assert!(l.malformed[0].message.contains("expected 28 fields"));
    assert!(l.notes.iter().any(|n| n == "layout: 2019"));

    let karaj = &l.entities[0];
    assert_eq!((karaj.id.as_str(), karaj.list.as_str()), ("20001", "CSL SDN"));
    assert_eq!(karaj.aliases, vec!["KARAJ ENERGY STORAGE", "SHERKAT-E ANBAR-E NIROO-YE KARAJ"]);
    assert_eq!(karaj.programs, vec!["IRAN", "SDGT"]);
    assert_eq!(karaj.countries, vec!["IR"]);
    assert_eq!(karaj.kind.as_deref(), Some("entity"));

    let gulf = &l.entities[1];
    assert_eq!((gulf.list.as_str(), gulf.countries.clone()), ("CSL EL", vec!["AE".to_string()]));
    assert_eq!(gulf.id, "L3", "rows without an entity number are known by their line");

    let dpl = &l.entities[2];
    assert_eq!((dpl.name.as_str(), dpl.list.as_str()), ("JOHN Q. EXPORTER", "CSL DPL"));
    assert_eq!(dpl.countries, vec!["US"]);
}

#[test]
fn consolidated_screening_list_current_layout_with_leading_id() {
    let l = lists::parse("csl", &fixture("lists/csl-current.csv"), Some("2023-08-08")).unwrap();
    assert_eq!(l.files[0].rows, 2);
    assert!(l.malformed.is_empty());
    assert!(l.notes.iter().any(|n| n == "layout: current (leading _id)"));
    let isn = &l.entities[0];
    assert_eq!(isn.name, "Eastwind Cell Import and Export Company", "the ISN rider is not part of the name");
    assert_eq!((isn.id.as_str(), isn.list.as_str()), ("5f2a", "CSL ISN"));
    let ri = &l.entities[1];
    assert_eq!((ri.id.as_str(), ri.kind.as_deref()), ("30001", Some("individual")));
    assert_eq!(ri.countries, vec!["CN", "KP"]);
    assert_eq!(ri.aliases, vec!["RI Chol-man"]);
    assert_eq!(l.list_date, "2023-08-08");
}

#[test]
fn denied_persons_list_is_tab_separated_and_dated_by_its_latest_update() {
    let l = lists::parse_with("dpl", &fixture("lists/dpl.txt"), &lenient()).unwrap();
    assert_eq!(l.files[0].rows, 4);
    assert_eq!(l.malformed.len(), 1);
    assert_eq!(l.malformed[0].line, 5);
    assert_eq!(l.list_date, "2019-05-10");
    assert_eq!(l.list_date_from, "latest Last_Update in the file");
    assert!(l.notes.iter().any(|n| n.contains("3019-01-01")), "a date in the future is noted, not used");

    let orion = &l.entities[0];
    assert_eq!(orion.name, "ORION CELL SUPPLY, INC.");
    assert_eq!(orion.aliases, vec!["ORION BATTERIES"]);
    assert_eq!((orion.countries.clone(), orion.list.as_str()), (vec!["US".to_string()], "BIS DPL"));
    assert_eq!(l.entities[1].name, "PETER \"PJ\" JANSSEN", "quoted quotes survive");
    assert_eq!(l.entities[1].countries, vec!["NL"]);
}

#[test]
fn imported_lists_coexist_and_screening_consults_all_of_them() {
    let dir = temp_dir("e2e");
    let sdn = lists::import("ofac-sdn", &fixture("ofac/sdn.csv"), &dir, Some("2019-01-08")).unwrap();
    assert_eq!(sdn.entities, 4);
    assert!(sdn.to_string().contains("sdn.csv: 4 rows"));
    lists::import_with("dpl", &fixture("lists/dpl.txt"), &dir, &lenient()).unwrap();
    lists::import("csl", &fixture("lists/csl-current.csv"), &dir, Some("2023-08-08")).unwrap();
    // A second import of a source replaces the first.
    lists::import("csl", &fixture("lists/csl-current.csv"), &dir, Some("2023-08-09")).unwrap();

    let l = ScreeningList::load_dir(&dir).unwrap().unwrap().with_max_list_age_days(90);
    let sources: Vec<(&str, &str)> = l.lists().iter().map(|i| (i.source.as_str(), i.list_date.as_str())).collect();
    assert_eq!(sources, vec![("bis-dpl", "2019-05-10"), ("csl", "2023-08-09"), ("ofac-sdn", "2019-01-08")]);

    let hits = l.screen("Acme Battery Trading Company", Some("IR"));
    assert_eq!(hits[0].outcome, ScreeningOutcome::Match);
    assert_eq!((hits[0].list.as_str(), hits[0].entry_id.as_str()), ("OFAC SDN", "10001"));
    assert_eq!(hits[0].list_date, "2019-01-08");

    let hits = l.screen("Orion Batteries", None);
    assert_eq!((hits[0].list.as_str(), hits[0].matched_name.as_str()), ("BIS DPL", "ORION BATTERIES"));

    let hits = l.screen("Иван Волков", None);
    assert_eq!(hits[0].entry_id, "10002", "a Cyrillic name meets its Latin listing");
    assert!(hits[0].outcome >= ScreeningOutcome::PotentialMatch);

    let findings =
        l.findings("Acme Battery Trading Company", &l.screen("Acme Battery Trading Company", None), "2026-11-25");
    assert!(findings[0].message.contains("list dated 2019-01-08"), "{}", findings[0].message);
    let stale: Vec<_> =
        findings.iter().filter(|f| f.message.starts_with("OFAC SDN (legacy CSV) is dated 2019-01-08")).collect();
    assert_eq!(stale.len(), 1, "{findings:?}");
    assert_eq!(stale[0].level, tradewind_core::RiskLevel::Review, "an out-of-date list needs review");

    let missing = l.findings("Nobody In Particular", &[], "2019-06-01");
    assert!(missing[0].message.contains("does not match any screened party"));
    assert!(missing[0].message.contains("OFAC SDN (legacy CSV) dated 2019-01-08"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_or_missing_lists_folder_means_no_imported_lists() {
    let dir = temp_dir("empty");
    assert!(ScreeningList::load_dir(&dir).unwrap().is_none());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hs-nomenclature.tsv"), "other files are not lists").unwrap();
    assert!(ScreeningList::load_dir(&dir).unwrap().is_none());
    std::fs::write(dir.join("broken.list.json"), "{").unwrap();
    assert!(matches!(ScreeningList::load_dir(&dir), Err(ListError::Corrupt { .. })), "a damaged list stops start-up");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_legacy_csv_without_a_given_date_is_refused() {
    let err = lists::parse("ofac-sdn", &fixture("ofac/sdn.csv"), None).unwrap_err();
    assert!(matches!(err, ListError::NoListDate { .. }), "{err}");
    assert!(err.to_string().contains("--list-date"), "{err}");
    let err = lists::parse("csl", &fixture("lists/csl-current.csv"), None).unwrap_err();
    assert!(matches!(err, ListError::NoListDate { .. }), "{err}");
}

#[test]
fn sdn_xml_is_dated_by_its_publish_date() {
    let l = lists::parse_with("ofac-sdn", &fixture("ofac-xml/sdn.xml"), &lenient()).unwrap();
    assert_eq!((l.list_date.as_str(), l.list_date_from.as_str()), ("2026-03-14", "Publish_Date in the file"));
    assert_eq!(l.title, "OFAC SDN (XML)");
    assert_eq!(l.source, "ofac-sdn", "it replaces a legacy CSV import of the same list");
    assert_eq!(l.files[0].rows, 4);
    assert_eq!(l.malformed.len(), 1);
    assert!(l.malformed[0].message.contains("without uid"), "{:?}", l.malformed);

    let karaj = l.entities.iter().find(|e| e.id == "40001").unwrap();
    assert_eq!(karaj.name, "KARAJ CELL WORKS");
    assert_eq!(karaj.aliases, vec!["KARAJ CELLS & PACKS"]);
    assert_eq!(karaj.programs, vec!["IRAN", "NPWMD"]);
    assert_eq!((karaj.countries.clone(), karaj.kind.as_deref()), (vec!["IR".to_string()], Some("entity")));

    let sokolov = l.entities.iter().find(|e| e.id == "40002").unwrap();
    assert_eq!(sokolov.name, "SOKOLOV, Dmitri Olegovich", "people are written LAST, First as in the CSV");
    assert_eq!(sokolov.aliases, vec!["СОКОЛОВ, Дмитрий"]);
    assert_eq!((sokolov.countries.clone(), sokolov.kind.as_deref()), (vec!["RU".to_string()], Some("individual")));

    let ship = l.entities.iter().find(|e| e.id == "40003").unwrap();
    assert_eq!(ship.countries, vec!["KP"], "the vessel flag is a country");

    // A given date still wins, and the explicit format reads the same file.
    let l = lists::parse_with("ofac-sdn-xml", &fixture("ofac-xml/sdn.xml"), &lenient_dated("2026-03-15")).unwrap();
    assert_eq!(l.list_date, "2026-03-15");
    // Not an SDN file.
    assert!(matches!(lists::parse("ofac-sdn-xml", &fixture("lists/dpl.txt"), None), Err(ListError::Format { .. })));
}

#[test]
fn csl_json_is_dated_by_its_sources() {
    let l = lists::parse("csl", &fixture("lists/csl.json"), None).unwrap();
    assert_eq!(l.list_date, "2026-03-02");
    assert!(l.list_date_from.contains("last_imported"), "{}", l.list_date_from);
    assert_eq!(l.entities.len(), 2);
    let bandar = &l.entities[0];
    assert_eq!((bandar.id.as_str(), bandar.list.as_str()), ("a1b2", "CSL EL"));
    assert_eq!(bandar.aliases, vec!["Bandar Logistics Free Zone Establishment"]);
    assert_eq!(bandar.countries, vec!["AE"]);
    let pak = &l.entities[1];
    assert_eq!(
        (pak.id.as_str(), pak.list.as_str(), pak.countries.clone()),
        ("50002", "CSL SDN", vec!["KP".to_string()])
    );
}
