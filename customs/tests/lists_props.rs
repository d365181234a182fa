//! Property tests of the screening-list importers, which read files
//! downloaded from public sites: any bytes, and any CSV-shaped rows, in any
//! supported format give a list or an error, never a panic.

use proptest::prelude::*;
use tradewind_customs::lists::parse;

const FORMATS: &[&str] = &["ofac-sdn", "csl", "dpl"];

fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        Just(String::new()),
        Just("\"quoted, cell\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("-0-".to_string()),
        Just("2024-01-31".to_string()),
        Just("Russia".to_string()),
        Just("a.k.a. 'X'".to_string()),
        "\\PC{0,24}",
    ];
    let row = prop::collection::vec(cell, 0..16).prop_map(|c| c.join(","));
    let sep = prop_oneof![Just("\n"), Just("\r\n"), Just("\t")];
    (prop::collection::vec(row, 0..40), sep).prop_map(|(rows, sep)| rows.join(sep).into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_in_any_format_give_a_list_or_an_error(
        bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..4096), csvish()],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        std::fs::write(&path, &bytes).unwrap();
        for format in FORMATS {
            let _ = parse(format, &path, None);
            let _ = parse(format, &path, Some("2024-05-01"));
        }
    }
}
