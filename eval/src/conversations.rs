//! `tradewind eval conversations`: multi-turn dialogues through the real
//! swarm, one conversation each, with whatever brain is configured; the
//! inquiry after the last turn is compared with the expected one (SKUs with
//! quantities, destination country, incoterm, company).
//!
//! Memory, the index and the sinks are scratch ones, so the figures depend
//! only on the cases, the code and the brain.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tradewind_app::{App, AppError, BuildOptions, Config, IncomingMessage};
use tradewind_core::StructuredInquiry;

#[derive(Debug, Clone, clap::Args)]
pub struct ConversationEvalArgs {
    /// JSON Lines of dialogues: {"id", "lang", "kinds", "turns": [...], "expect": {...}}.
    #[arg(long)]
    pub cases: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationCase {
    pub id: String,
    #[serde(default)]
    pub lang: Option<String>,
    /// The kinds of turn the dialogue exercises (fill, revise, add, …).
    #[serde(default)]
    pub kinds: Vec<String>,
    pub turns: Vec<String>,
    pub expect: Expected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    #[serde(default)]
    pub items: Vec<ExpectedItem>,
    #[serde(default)]
    pub destination: Option<String>,
    #[serde(default)]
    pub incoterm: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExpectedItem {
    pub sku: String,
    pub quantity: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationResult {
    pub id: String,
    pub kinds: Vec<String>,
    pub pass: bool,
    /// What differed, field by field.
    pub diffs: Vec<String>,
    /// Milliseconds per turn.
    pub turn_ms: Vec<f64>,
    /// Model tokens per turn (prompt + completion), 0 on the offline brain.
    pub turn_tokens: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationReport {
    pub cases_file: String,
    pub brain: String,
    pub cases: usize,
    pub passed: usize,
    pub accuracy: f64,
    /// Per kind of turn: (cases with that kind, passed).
    pub by_kind: Vec<(String, usize, usize)>,
    pub results: Vec<ConversationResult>,
    pub seconds: f64,
}

pub fn read_cases(path: &Path) -> Result<Vec<ConversationCase>, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::BadInput(format!("cannot read {}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| AppError::BadInput(format!("{} line {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// What the final inquiry says, in the shape of the expectation.
pub fn actual(si: &StructuredInquiry) -> Expected {
    let mut items: Vec<ExpectedItem> =
        si.items.iter().map(|i| ExpectedItem { sku: i.sku.clone(), quantity: i.quantity }).collect();
    items.sort();
    Expected {
        items,
        destination: si.destination.as_ref().map(|d| d.country.clone()),
        incoterm: si.incoterm.clone(),
        company: si.company.clone(),
    }
}

/// Field-by-field differences; company names compare case- and
/// space-insensitively.
pub fn diff(want: &Expected, got: &Expected) -> Vec<String> {
    let mut d = Vec::new();
    let mut want_items = want.items.clone();
    want_items.sort();
    if want_items != got.items {
        d.push(format!("items: want {want_items:?}, got {:?}", got.items));
    }
    if want.destination != got.destination {
        d.push(format!("destination: want {:?}, got {:?}", want.destination, got.destination));
    }
    if want.incoterm != got.incoterm {
        d.push(format!("incoterm: want {:?}, got {:?}", want.incoterm, got.incoterm));
    }
    let norm =
        |s: &Option<String>| s.as_ref().map(|c| c.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" "));
    if norm(&want.company) != norm(&got.company) {
        d.push(format!("company: want {:?}, got {:?}", want.company, got.company));
    }
    d
}

fn scratch_config(base: &Config, dir: &Path) -> Config {
    let mut c = base.clone();
    c.memory.redis_url = None;
    c.memory.prefix = format!("twevalconv:{}:", std::process::id());
    c.knowledge.qdrant_url = None;
    c.knowledge.data_dir = dir.join("knowledge");
    c.knowledge.kb_dir = None;
    c.sinks.sales = "none".into();
    c.sinks.logistics = "none".into();
    c.sinks.customer_service = "none".into();
    c
}

pub async fn evaluate(
    config: &Config,
    cases_file: &Path,
    cases: &[ConversationCase],
) -> Result<ConversationReport, AppError> {
    let dir =
        std::env::temp_dir().join(format!("tradewind-evalconv-{}-{}", std::process::id(), tradewind_core::now_ms()));
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
    let started = Instant::now();
    let (app, _) = App::build(scratch_config(config, &dir), BuildOptions { ingest: true, quiet: true }, None).await?;
    let brain = app.swarm.env().brain.name();
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let user = format!("conv-{}", case.id);
        let mut last = None;
        let mut error = None;
        let mut turn_ms = Vec::new();
        let mut turn_tokens = Vec::new();
        for text in &case.turns {
            let t = Instant::now();
            match app.handle_message(IncomingMessage::new("eval", user.clone(), text.clone())).await {
                Ok(r) => {
                    turn_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    turn_tokens.push(tokens_of(&app, &r.inquiry_id).await);
                    last = Some(r);
                }
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
        let diffs = match &last {
            Some(r) if error.is_none() => diff(&case.expect, &actual(&r.inquiry)),
            _ => vec!["no final inquiry".into()],
        };
        results.push(ConversationResult {
            id: case.id.clone(),
            kinds: case.kinds.clone(),
            pass: diffs.is_empty(),
            diffs,
            turn_ms,
            turn_tokens,
            error,
        });
    }
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    let passed = results.iter().filter(|r| r.pass).count();
    let mut kinds: Vec<String> = results.iter().flat_map(|r| r.kinds.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let by_kind = kinds
        .into_iter()
        .map(|k| {
            let with: Vec<&ConversationResult> = results.iter().filter(|r| r.kinds.contains(&k)).collect();
            let n = with.len();
            (k, n, with.iter().filter(|r| r.pass).count())
        })
        .collect();
    Ok(ConversationReport {
        cases_file: cases_file.display().to_string(),
        brain,
        cases: results.len(),
        passed,
        accuracy: if results.is_empty() { 0.0 } else { passed as f64 / results.len() as f64 },
        by_kind,
        results,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Model tokens an inquiry used, from its transcript.
async fn tokens_of(app: &App, inquiry_id: &str) -> u32 {
    let Ok(steps) = app.memory.transcript(inquiry_id).await else { return 0 };
    steps
        .iter()
        .map(|s| match &s.kind {
            tradewind_core::StepKind::ModelReply { prompt_tokens, completion_tokens, .. } => {
                prompt_tokens + completion_tokens
            }
            _ => 0,
        })
        .sum()
}

pub fn render(r: &ConversationReport) -> String {
    let mut out = String::new();
    for c in &r.results {
        let ms: Vec<String> = c.turn_ms.iter().map(|m| format!("{m:.0}")).collect();
        out.push_str(&format!(
            "{} {:<24} turns {} ms [{}] tokens {:?}\n",
            if c.pass { "PASS" } else { "FAIL" },
            c.id,
            c.turn_ms.len(),
            ms.join(", "),
            c.turn_tokens
        ));
        for d in &c.diffs {
            out.push_str(&format!("     {d}\n"));
        }
        if let Some(e) = &c.error {
            out.push_str(&format!("     error: {e}\n"));
        }
    }
    out.push_str(&format!(
        "\n{} of {} dialogues right ({:.1}%), brain {}, {:.1} s\n",
        r.passed,
        r.cases,
        r.accuracy * 100.0,
        r.brain,
        r.seconds
    ));
    for (k, n, p) in &r.by_kind {
        out.push_str(&format!("  {k:<10} {p}/{n}\n"));
    }
    out
}

pub async fn run(config: Config, args: ConversationEvalArgs) -> Result<(), AppError> {
    let cases = read_cases(&args.cases)?;
    let report = evaluate(&config, &args.cases, &cases).await?;
    if args.json {
        println!("{}", serde_json::to_string(&report).map_err(|e| AppError::Internal(e.to_string()))?);
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}
