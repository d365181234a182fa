//! `tradewind eval customs`: labelled inquiries through the real swarm
//! (offline brain, in-process memory), their risk levels compared with the
//! expected band: how many are in band, the blocks missed, the false highs,
//! the figures per category, a confusion matrix and every case out of band
//! with the findings that drove it.
//!
//! By default the swarm runs on the configured data folder, so it screens
//! against the lists imported there (`tradewind lists import …`) and the
//! configured `[screening] max_list_age_days`. `--scratch` runs it on a
//! throwaway folder instead (the demo list and the built-in HS table), so
//! the figures depend only on the cases, the code and the rules compiled in.
//!
//! A case gives its band as `expected_min` and `expected_max` (either may be
//! left open), or one level as `expected_risk`.

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
    /// Run on a throwaway data folder (demo list, built-in HS table) instead
    /// of the configured one and its imported lists.
    #[arg(long)]
    pub scratch: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One labelled inquiry: `{"text": ..., "expected_min": "review",
/// "expected_max": "high", "category": "route", "note": ...}`, or with
/// `"expected_risk"` for a single level; `"max_list_age_days"` overrides the
/// configured list-age limit for that case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_risk: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_min: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_max: Option<RiskLevel>,
    /// What the case tests ("party", "route", "battery", …), for figures per category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Runs this case with this `[screening] max_list_age_days` instead of
    /// the configured one: how a verdict depends on the list's date is
    /// labelled like anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_list_age_days: Option<u32>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Case {
    /// The levels the verdict may take, lowest and highest.
    pub fn band(&self) -> Option<(RiskLevel, RiskLevel)> {
        let (lo, hi) = match (self.expected_risk, self.expected_min, self.expected_max) {
            (Some(r), None, None) => (r, r),
            (None, None, None) | (Some(_), _, _) => return None,
            (None, lo, hi) => (lo.unwrap_or(RiskLevel::Clear), hi.unwrap_or(RiskLevel::Blocked)),
        };
        (lo <= hi).then_some((lo, hi))
    }
}

/// What one case produced.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Line in the cases file.
    pub line: usize,
    pub text: String,
    pub expected_min: RiskLevel,
    pub expected_max: RiskLevel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `None` when the customs pre-check did not finish (error or deadline).
    pub got: Option<RiskLevel>,
    /// Findings at the verdict's level, with the source each cites.
    pub drivers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CaseResult {
    fn in_band(&self) -> bool {
        self.got.is_some_and(|g| self.expected_min <= g && g <= self.expected_max)
    }
}

/// Figures for one category of cases.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CategoryFigures {
    pub cases: usize,
    pub in_band: usize,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomsEvalReport {
    pub cases_file: String,
    /// "configured data folder …" or "scratch folder (demo list)".
    pub lists: String,
    pub cases: usize,
    /// Verdicts within their expected band.
    pub in_band: usize,
    pub in_band_rate: f64,
    /// Kept for readers of the old report: the same as `in_band`.
    pub correct: usize,
    pub accuracy: f64,
    /// Cases that must be blocked and were not.
    pub must_block: usize,
    pub missed_blocks: usize,
    /// High or blocked where the band stops below high: a false alarm that
    /// stops a sale.
    pub may_not_be_high: usize,
    pub false_highs: usize,
    pub false_high_rate: f64,
    /// Got a lower level than the band: a risk the pre-check missed.
    pub under_called: usize,
    /// Got a higher level than the band: a false alarm.
    pub over_called: usize,
    /// The pre-check did not finish.
    pub failed: usize,
    pub per_category: BTreeMap<String, CategoryFigures>,
    /// lowest expected level → got → count; "failed" when there was no verdict.
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
                "{} line {}: {e} (expected {{\"text\": ..., \"expected_min\": \"clear|review|high|blocked\", \"expected_max\": ..., \"category\": ..., \"note\": ...}} or \"expected_risk\" for one level)",
                path.display(),
                i + 1
            ))
        })?;
        if case.text.trim().is_empty() {
            return Err(AppError::BadInput(format!("{} line {}: empty text", path.display(), i + 1)));
        }
        if case.band().is_none() {
            return Err(AppError::BadInput(format!(
                "{} line {}: give expected_risk, or expected_min and/or expected_max with min at most max",
                path.display(),
                i + 1
            )));
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

/// The configuration the evaluation runs under: the caller's deadlines,
/// limits, lists and screening settings; offline, with in-process memory
/// and no sinks; on a scratch folder when one is given.
fn eval_config(base: &Config, scratch: Option<&Path>) -> Config {
    let mut c = base.clone();
    c.llm.base_url = None;
    c.memory.redis_url = None;
    c.memory.prefix = format!("tweval:{}:", std::process::id());
    c.knowledge.qdrant_url = None;
    c.knowledge.embedder = "hash".into();
    if let Some(dir) = scratch {
        c.knowledge.data_dir = dir.join("knowledge");
        c.knowledge.kb_dir = None;
    }
    c.sinks.sales = "none".into();
    c.sinks.logistics = "none".into();
    c.sinks.customer_service = "none".into();
    c
}

/// Runs every case through a freshly built app and scores the verdicts.
/// With `scratch` the app runs on a throwaway folder (the demo list);
/// otherwise on the configured data folder and the lists imported there.
pub async fn evaluate(
    config: &Config,
    cases_file: &Path,
    cases: &[(usize, Case)],
    scratch: bool,
) -> Result<CustomsEvalReport, AppError> {
    let scratch_dir = if scratch { Some(ScratchDir::new()?) } else { None };
    let started = Instant::now();
    let cfg = eval_config(config, scratch_dir.as_ref().map(|d| d.0.as_path()));
    let lists = tradewind_app::lists::load_screening(&cfg)?;
    let lists_shown = format!(
        "{} ({})",
        if scratch {
            "scratch folder".to_string()
        } else {
            tradewind_app::lists::lists_dir(&cfg).display().to_string()
        },
        lists.lists().iter().map(|l| format!("{} dated {}", l.title, l.list_date)).collect::<Vec<_>>().join("; ")
    );
    drop(lists);
    // One app per list-age limit in use, since the limit is fixed when the
    // lists are loaded; cases keep their file order in the report.
    let mut limits: Vec<Option<u32>> = cases.iter().map(|(_, c)| c.max_list_age_days).collect();
    limits.sort();
    limits.dedup();
    let mut results = Vec::with_capacity(cases.len());
    for limit in limits {
        let mut cfg = cfg.clone();
        if let Some(days) = limit {
            cfg.screening.max_list_age_days = days;
        }
        let (app, _) = App::build(cfg, BuildOptions { ingest: true, quiet: true }, None).await?;
        for (line, case) in cases.iter().filter(|(_, c)| c.max_list_age_days == limit) {
            results.push(run_case(&app, *line, case).await);
        }
    }
    results.sort_by_key(|r| r.line);
    Ok(score(cases_file, lists_shown, results, started.elapsed().as_secs_f64() * 1000.0))
}

/// One case through the swarm, and its verdict against its band.
async fn run_case(app: &App, line: usize, case: &Case) -> CaseResult {
    // read_cases refuses a case without a valid band; the widest band is only a fallback.
    let (lo, hi) = case.band().unwrap_or((RiskLevel::Clear, RiskLevel::Blocked));
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
    CaseResult {
        line,
        text: case.text.clone(),
        expected_min: lo,
        expected_max: hi,
        category: case.category.clone(),
        got,
        drivers,
        note: case.note.clone(),
        error,
    }
}

fn score(cases_file: &Path, lists: String, results: Vec<CaseResult>, elapsed_ms: f64) -> CustomsEvalReport {
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for e in LEVELS {
        let row = confusion.entry(e.as_str().to_string()).or_default();
        for g in LEVELS {
            row.insert(g.as_str().to_string(), 0);
        }
        row.insert("failed".into(), 0);
    }
    let (mut in_band, mut under, mut over, mut failed) = (0, 0, 0, 0);
    let (mut must_block, mut missed_blocks, mut may_not_be_high, mut false_highs) = (0, 0, 0, 0);
    let mut per_category: BTreeMap<String, CategoryFigures> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let n = results.len();
    for r in results {
        let got_key = r.got.map(|g| g.as_str()).unwrap_or("failed").to_string();
        *confusion.entry(r.expected_min.as_str().to_string()).or_default().entry(got_key).or_default() += 1;
        let ok = r.in_band();
        let cat = per_category.entry(r.category.clone().unwrap_or_else(|| "uncategorised".into())).or_default();
        cat.cases += 1;
        if r.expected_min == RiskLevel::Blocked {
            must_block += 1;
            if r.got != Some(RiskLevel::Blocked) {
                missed_blocks += 1;
            }
        }
        if r.expected_max < RiskLevel::High {
            may_not_be_high += 1;
            if r.got.is_some_and(|g| g >= RiskLevel::High) {
                false_highs += 1;
            }
        }
        match r.got {
            _ if ok => {
                in_band += 1;
                cat.in_band += 1;
            }
            Some(g) => {
                if g < r.expected_min {
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
    for c in per_category.values_mut() {
        c.rate = ratio(c.in_band, c.cases);
    }
    CustomsEvalReport {
        cases_file: cases_file.display().to_string(),
        lists,
        cases: n,
        in_band,
        in_band_rate: ratio(in_band, n),
        correct: in_band,
        accuracy: ratio(in_band, n),
        must_block,
        missed_blocks,
        may_not_be_high,
        false_highs,
        false_high_rate: ratio(false_highs, n),
        under_called: under,
        over_called: over,
        failed,
        per_category,
        confusion,
        mismatches,
        elapsed_ms,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
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
    out.push_str(&format!("lists: {}\n", r.lists));
    out.push_str(&format!(
        "in band {}/{} = {:.1}%   missed blocks {}/{}   false highs {} ({:.1}% of all cases; {} cases may not be high)\n",
        r.in_band,
        r.cases,
        r.in_band_rate * 100.0,
        r.missed_blocks,
        r.must_block,
        r.false_highs,
        r.false_high_rate * 100.0,
        r.may_not_be_high
    ));
    out.push_str(&format!(
        "under the band (missed risk) {}   over the band (false alarm) {}   failed {}   ({:.0} ms)\n\n",
        r.under_called, r.over_called, r.failed, r.elapsed_ms
    ));
    out.push_str("per category\n");
    for (name, c) in &r.per_category {
        out.push_str(&format!("  {:<22} {:>4}/{:<4} {:>6.1}%\n", name, c.in_band, c.cases, c.rate * 100.0));
    }
    out.push_str("\nconfusion matrix (rows: lowest expected level, columns: got)\n");
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
        out.push_str("\nevery verdict in band\n");
    } else {
        out.push_str(&format!("\nout of band ({})\n", r.mismatches.len()));
        for m in &r.mismatches {
            let got = m.got.map(|g| g.as_str()).unwrap_or("failed");
            let band = if m.expected_min == m.expected_max {
                m.expected_min.as_str().to_string()
            } else {
                format!("{}..{}", m.expected_min.as_str(), m.expected_max.as_str())
            };
            out.push_str(&format!("- line {}: expected {band}, got {got}: {}\n", m.line, clip(&m.text, 120)));
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
    let report = evaluate(&config, &args.cases, &cases, args.scratch).await?;
    if args.json {
        let text = serde_json::to_string(&report).map_err(|e| AppError::Internal(format!("report: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}
