//! `tradewind eval intake`: labelled single messages read by the rule-based
//! intake against the demo catalog compiled into the binary, each compared
//! with its label field by field (SKUs and quantities, destination country,
//! Incoterm, contact, and company or unmatched phrases where the case
//! states them). Prints pass or fail per case and the accuracy.
//!
//! The case format and the comparison live in `tradewind_nlp::labelled`,
//! so that this command and the test holding the 95% bar agree.

use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tradewind_app::{AppError, Config};
use tradewind_core::Catalog;
use tradewind_nlp::labelled::{check_intake, IntakeCase};
use tradewind_nlp::Intake;

#[derive(Debug, Clone, clap::Args)]
pub struct IntakeEvalArgs {
    /// JSON Lines of labelled messages (see tests/fixtures/intake-cases.jsonl).
    #[arg(long)]
    pub cases: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// What one case gave.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub id: String,
    pub line: usize,
    pub pass: bool,
    pub text: String,
    /// What differs from the label, for people; empty when it passed.
    pub differences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntakeEvalReport {
    pub cases_file: String,
    pub cases: usize,
    pub correct: usize,
    pub accuracy: f64,
    pub results: Vec<CaseResult>,
    pub elapsed_ms: f64,
}

/// Reads the cases file; a line that is not a case is an error naming it.
pub fn read_cases(path: &Path) -> Result<Vec<(usize, IntakeCase)>, AppError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AppError::BadInput(format!("cases file {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let case: IntakeCase = serde_json::from_str(line).map_err(|e| {
            AppError::BadInput(format!(
                "{} line {}: {e} (expected {{\"id\": ..., \"text\": ..., \"expect\": {{\"items\": [...], \"destination\": ..., \"incoterm\": ..., \"contact\": ...}}}})",
                path.display(),
                i + 1
            ))
        })?;
        out.push((i + 1, case));
    }
    if out.is_empty() {
        return Err(AppError::BadInput(format!("{}: no cases", path.display())));
    }
    Ok(out)
}

/// Reads every case with a fresh parse of its text.
pub fn evaluate(catalog: &Catalog, cases_file: &Path, cases: &[(usize, IntakeCase)]) -> IntakeEvalReport {
    let started = Instant::now();
    let intake = Intake::new(catalog);
    let results: Vec<CaseResult> = cases
        .iter()
        .map(|(line, c)| {
            let differences = check_intake(&intake.parse(&c.text), &c.expect);
            CaseResult {
                id: c.id.clone(),
                line: *line,
                pass: differences.is_empty(),
                text: c.text.clone(),
                differences,
                note: c.note.clone(),
            }
        })
        .collect();
    let correct = results.iter().filter(|r| r.pass).count();
    IntakeEvalReport {
        cases_file: cases_file.display().to_string(),
        cases: results.len(),
        correct,
        accuracy: if results.is_empty() { 0.0 } else { correct as f64 / results.len() as f64 },
        results,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The report for a terminal: one line per case, the differences under
/// each failure, and the accuracy.
pub fn render(r: &IntakeEvalReport) -> String {
    let mut out = format!("intake eval: {} cases from {}\n", r.cases, r.cases_file);
    for c in &r.results {
        let text: String = c.text.replace('\n', " / ").chars().take(100).collect();
        out.push_str(&format!("{} {:<8} {text}\n", if c.pass { "pass" } else { "FAIL" }, c.id));
        for d in &c.differences {
            out.push_str(&format!("       {d}\n"));
        }
        if let (false, Some(n)) = (c.pass, &c.note) {
            out.push_str(&format!("       note: {n}\n"));
        }
    }
    out.push_str(&format!(
        "\naccuracy {}/{} = {:.1}%   ({:.0} ms)\n",
        r.correct,
        r.cases,
        r.accuracy * 100.0,
        r.elapsed_ms
    ));
    out
}

pub async fn run(_config: Config, args: IntakeEvalArgs) -> Result<(), AppError> {
    let cases = read_cases(&args.cases)?;
    let (_, catalog) = tradewind_app::knowledge_documents(None)?;
    let report = evaluate(&catalog, &args.cases, &cases);
    let text = if args.json {
        let mut t = serde_json::to_string(&report).map_err(|e| AppError::Internal(format!("report: {e}")))?;
        t.push('\n');
        t
    } else {
        render(&report)
    };
    // A reader that stops early (`| head`) is not an error.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::Internal(format!("stdout: {e}"))),
        _ => Ok(()),
    }
}
