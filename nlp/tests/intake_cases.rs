//! The intake cases in `tests/fixtures/intake-cases.jsonl`, read against the
//! demo catalog: at least 95% must read exactly as labelled, so that intake
//! quality cannot quietly regress.

use tradewind_core::Catalog;
use tradewind_nlp::labelled::{check_intake, IntakeCase};
use tradewind_nlp::Intake;

const CATALOG: &str = include_str!("../../knowledge/kb/catalog.jsonl");
const CASES: &str = include_str!("../../tests/fixtures/intake-cases.jsonl");

fn cases() -> Vec<IntakeCase> {
    CASES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad case line {l}: {e}")))
        .collect()
}

#[test]
fn the_case_file_has_eighty_cases_half_of_them_chinese() {
    let cases = cases();
    assert!(cases.len() >= 80, "{}", cases.len());
    let zh = cases.iter().filter(|c| c.lang.as_deref() == Some("zh")).count();
    assert!(zh * 2 >= cases.len(), "{zh} of {}", cases.len());
}

#[test]
fn at_least_95_percent_of_intake_cases_read_exactly_right() {
    let intake = Intake::new(&Catalog::from_jsonl(CATALOG).unwrap());
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let si = intake.parse(&c.text);
        let diff = check_intake(&si, &c.expect);
        if !diff.is_empty() {
            failures.push(format!("{}: {}\n    {}", c.id, c.text.replace('\n', " / "), diff.join("\n    ")));
        }
    }
    let right = cases.len() - failures.len();
    eprintln!("{right}/{} right\n{}", cases.len(), failures.join("\n"));
    assert!(right * 100 >= cases.len() * 95, "{right}/{} right:\n{}", cases.len(), failures.join("\n"));
}
