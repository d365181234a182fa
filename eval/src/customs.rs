//! `tradewind eval customs`: labelled inquiries through the real swarm
//! (offline brain, in-process memory, a throwaway data folder), their risk
//! levels compared with the expected ones: accuracy, a confusion matrix and
//! every mismatch with the findings that drove it.
//!
//! The data folder is fresh for every run, so the figures depend only on
//! the cases, the code and the rules compiled in, never on what happens to
//! be imported under `data/`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tradewind_core::{AgentOutcome, RiskLevel};

use tradewind_app::{App, AppError, BuildOptions, Config, IncomingMessage};

#[derive(Debug, Clone, clap::Args)]
pub struct CustomsEvalArgs {
    /// JSON Lines of labelled inquiries with their expected risk levels.
    #[arg(long)]
    pub cases: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One labelled inquiry: `{"text": ..., "expected_risk": "clear|review|high|blocked", "note": ...}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub text: String,
    pub expected_risk: RiskLevel,
    #[serde(default)]
    pub note: Option<String>,
}

/// What one case produced.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Line in the cases file.
    pub line: usize,
    pub text: String,
    pub expected: RiskLevel,
    /// `None` when the customs pre-check did not finish (error or deadline).
    pub got: Option<RiskLevel>,
    /// Findings at the verdict's level, with the source each cites.
    pub drivers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomsEvalReport {
    pub cases_file: String,
    pub cases: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Got a lower level than expected: a risk the pre-check missed.
    pub under_called: usize,
    /// Got a higher level than expected: a false alarm.
    pub over_called: usize,
    /// The pre-check did not finish.
    pub failed: usize,
    /// expected → got → count; "failed" when there was no verdict.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub mismatches: Vec<CaseResult>,
    pub elapsed_ms: f64,
}

const LEVELS: [RiskLevel; 4] = [RiskLevel::Clear, RiskLevel::Review, RiskLevel::High, RiskLevel::Blocked];

/// Reads the cases file; a line that is not a case is an error naming it.
pub fn read_cases(path: &Path) -> Result<Vec<(usize, Case)>, AppError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AppError::BadInput(format!("cases file {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|e| {
            AppError::BadInput(format!(
                "{} line {}: {e} (expected {{\"text\": ..., \"expected_risk\": \"clear|review|high|blocked\", \"note\": ...}})",
                path.display(),
                i + 1
            ))
        })?;
        if case.text.trim().is_empty() {
            return Err(AppError::BadInput(format!("{} line {}: empty text", path.display(), i + 1)));
        }
        out.push((i + 1, case));
    }
    if out.is_empty() {
        return Err(AppError::BadInput(format!("{}: no cases", path.display())));
    }
    Ok(out)
}

/// A fresh folder under the system temp directory, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<Self, AppError> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("tradewind-eval-{}-{nanos:x}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::Internal(format!("scratch folder {}: {e}", dir.display())))?;
        Ok(Self(dir))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The configuration the evaluation runs under: the caller's deadlines and
/// limits, everything else offline and in a scratch folder.
fn eval_config(base: &Config, dir: &Path) -> Config {
    let mut c = base.clone();
    c.llm.base_url = None;
    c.memory.redis_url = None;
    c.memory.prefix = format!("tweval:{}:", std::process::id());
    c.knowledge.qdrant_url = None;
    c.knowledge.data_dir = dir.join("knowledge");
    c.knowledge.kb_dir = None;
    c.knowledge.embedder = "hash".into();
    c.sinks.sales = "none".into();
    c.sinks.logistics = "none".into();
    c.sinks.customer_service = "none".into();
    c
}

/// Runs every case through a freshly built app and scores the verdicts.
pub async fn evaluate(
    config: &Config,
    cases_file: &Path,
    cases: &[(usize, Case)],
) -> Result<CustomsEvalReport, AppError> {
    let scratch = ScratchDir::new()?;
    let started = Instant::now();
    let (app, _) =
        App::build(eval_config(config, &scratch.0), BuildOptions { ingest: true, quiet: true }, None).await?;
    let mut results = Vec::with_capacity(cases.len());
    for (line, case) in cases {
        // A user per case, so that no case inherits another's company or destination.
        let msg = IncomingMessage {
            channel: "eval".into(),
            user: format!("case-{line}"),
            text: case.text.clone(),
            ..Default::default()
        };
        let (got, drivers, error) = match app.handle_message(msg).await {
            Ok(r) => match r.customs {
                AgentOutcome::Done { value } => {
                    let drivers = value
                        .findings
                        .iter()
                        .filter(|f| f.level == value.risk)
                        .map(|f| {
                            let cite = f.citations.iter().map(|c| c.source.as_str()).collect::<Vec<_>>().join(", ");
                            format!("[{}] {}: {} ({cite})", f.level.as_str(), f.kind, clip(&f.message, 160))
                        })
                        .collect();
                    (Some(value.risk), drivers, None)
                }
                AgentOutcome::TimedOut { after_ms } => {
                    (None, vec![], Some(format!("customs timed out after {after_ms} ms")))
                }
                AgentOutcome::Failed { error } => (None, vec![], Some(error)),
                AgentOutcome::Skipped { reason } => (None, vec![], Some(format!("customs did not run: {reason}"))),
            },
            Err(e) => (None, vec![], Some(e.to_string())),
        };
        results.push(CaseResult {
            line: *line,
            text: case.text.clone(),
            expected: case.expected_risk,
            got,
            drivers,
            note: case.note.clone(),
            error,
        });
    }
    Ok(score(cases_file, results, started.elapsed().as_secs_f64() * 1000.0))
}

fn score(cases_file: &Path, results: Vec<CaseResult>, elapsed_ms: f64) -> CustomsEvalReport {
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for e in LEVELS {
        let row = confusion.entry(e.as_str().to_string()).or_default();
        for g in LEVELS {
            row.insert(g.as_str().to_string(), 0);
        }
        row.insert("failed".into(), 0);
    }
    let (mut correct, mut under, mut over, mut failed) = (0, 0, 0, 0);
    let mut mismatches = Vec::new();
    let n = results.len();
    for r in results {
        let got_key = r.got.map(|g| g.as_str()).unwrap_or("failed").to_string();
        *confusion.entry(r.expected.as_str().to_string()).or_default().entry(got_key).or_default() += 1;
        match r.got {
            Some(g) if g == r.expected => correct += 1,
            Some(g) => {
                if g < r.expected {
                    under += 1;
                } else {
                    over += 1;
                }
                mismatches.push(r);
            }
            None => {
                failed += 1;
                mismatches.push(r);
            }
        }
    }
    CustomsEvalReport {
        cases_file: cases_file.display().to_string(),
        cases: n,
        correct,
        accuracy: if n == 0 { 0.0 } else { correct as f64 / n as f64 },
        under_called: under,
        over_called: over,
        failed,
        confusion,
        mismatches,
        elapsed_ms,
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// The report as a table for a terminal.
pub fn render(r: &CustomsEvalReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("customs eval: {} cases from {}\n", r.cases, r.cases_file));
    out.push_str(&format!(
        "accuracy {}/{} = {:.1}%   under-called (missed risk) {}   over-called (false alarm) {}   failed {}   ({:.0} ms)\n\n",
        r.correct,
        r.cases,
        r.accuracy * 100.0,
        r.under_called,
        r.over_called,
        r.failed,
        r.elapsed_ms
    ));
    out.push_str("confusion matrix (rows: expected, columns: got)\n");
    let cols = ["clear", "review", "high", "blocked", "failed"];
    out.push_str(&format!("{:<10}", "expected"));
    for c in cols {
        out.push_str(&format!("{c:>9}"));
    }
    out.push('\n');
    for e in LEVELS {
        out.push_str(&format!("{:<10}", e.as_str()));
        for c in cols {
            let v = r.confusion.get(e.as_str()).and_then(|row| row.get(c)).copied().unwrap_or(0);
            out.push_str(&format!("{v:>9}"));
        }
        out.push('\n');
    }
    if r.mismatches.is_empty() {
        out.push_str("\nno mismatches\n");
    } else {
        out.push_str(&format!("\nmismatches ({})\n", r.mismatches.len()));
        for m in &r.mismatches {
            let got = m.got.map(|g| g.as_str()).unwrap_or("failed");
            out.push_str(&format!(
                "- line {}: expected {}, got {}: {}\n",
                m.line,
                m.expected.as_str(),
                got,
                clip(&m.text, 120)
            ));
            if let Some(n) = &m.note {
                out.push_str(&format!("    note: {n}\n"));
            }
            if let Some(e) = &m.error {
                out.push_str(&format!("    error: {e}\n"));
            }
            for d in &m.drivers {
                out.push_str(&format!("    {d}\n"));
            }
        }
    }
    out
}

pub async fn run(config: Config, args: CustomsEvalArgs) -> Result<(), AppError> {
    let cases = read_cases(&args.cases)?;
    let report = evaluate(&config, &args.cases, &cases).await?;
    if args.json {
        let text = serde_json::to_string(&report).map_err(|e| AppError::Internal(format!("report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}
