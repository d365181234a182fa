//! `tradewind eval screening`: name-screening quality on labelled name pairs
//! (columns `name1, name2, is_match`, others ignored): precision, recall and
//! F1 at each outcome threshold (match, potential match), and the latency
//! of scoring one pair. With `--lists` it also times screening each `name1`
//! against the lists in force (imported, or the demo list); with `--pairs`
//! it prints every pair's score and whether the outcome agrees with the
//! label.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;
use tradewind_tools::customs::names::pairs::read_pairs;
use tradewind_tools::customs::names::{analyse, compare};
use tradewind_tools::customs::{MATCH_THRESHOLD, REVIEW_THRESHOLD};

use tradewind_app::{AppError, Config};

#[derive(Debug, Clone, clap::Args)]
pub struct ScreeningEvalArgs {
    /// CSV with columns name1, name2, is_match.
    #[arg(long)]
    pub cases: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also time screening each name1 against the lists in force.
    #[arg(long)]
    pub lists: bool,
    /// Print the score and outcome of every pair.
    #[arg(long)]
    pub pairs: bool,
}

/// One labelled pair as scored.
#[derive(Debug, Clone, Serialize)]
pub struct PairScore {
    /// Line of the pair in the cases file.
    pub line: u64,
    pub name1: String,
    pub name2: String,
    pub is_match: bool,
    pub score: f64,
    /// match, potential_match or clear.
    pub outcome: &'static str,
    /// Agrees with the label at the match threshold.
    pub agrees: bool,
    /// Why: the words that paired, differed, or were left over.
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdFigures {
    pub outcome: &'static str,
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
    pub max_us: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListLatency {
    pub lists: Vec<String>,
    pub entries: usize,
    pub names: usize,
    pub queries: usize,
    pub latency: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningEval {
    pub cases: String,
    pub pairs: usize,
    pub positives: usize,
    pub negatives: usize,
    pub thresholds: Vec<ThresholdFigures>,
    /// Scoring one pair (both names analysed and compared).
    pub pair_latency: Latency,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening_latency: Option<ListLatency>,
    /// Every pair, with `--pairs`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pair_scores: Vec<PairScore>,
}

fn latency(mut us: Vec<f64>) -> Latency {
    us.sort_by(f64::total_cmp);
    let at = |q: f64| us.get(((us.len().saturating_sub(1)) as f64 * q).round() as usize).copied().unwrap_or(0.0);
    let round = |x: f64| (x * 10.0).round() / 10.0;
    Latency {
        p50_us: round(at(0.5)),
        p99_us: round(at(0.99)),
        mean_us: round(us.iter().sum::<f64>() / us.len().max(1) as f64),
        max_us: round(us.last().copied().unwrap_or(0.0)),
    }
}

fn figures(outcome: &'static str, threshold: f64, scored: &[(f64, bool)]) -> ThresholdFigures {
    let count =
        |pred: bool, truth: bool| scored.iter().filter(|(s, m)| (*s >= threshold) == pred && *m == truth).count();
    let (tp, fp, fneg, tn) = (count(true, true), count(true, false), count(false, true), count(false, false));
    let ratio = |a: usize, b: usize| if a + b == 0 { 0.0 } else { a as f64 / (a + b) as f64 };
    let (p, r) = (ratio(tp, fp), ratio(tp, fneg));
    let f1 = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    ThresholdFigures {
        outcome,
        threshold,
        precision: round(p),
        recall: round(r),
        f1: round(f1),
        true_positives: tp,
        false_positives: fp,
        false_negatives: fneg,
        true_negatives: tn,
    }
}

pub fn evaluate(config: &Config, args: &ScreeningEvalArgs) -> Result<ScreeningEval, AppError> {
    let cases = read_pairs(&args.cases).map_err(|e| AppError::BadInput(e.to_string()))?;
    let mut scored = Vec::with_capacity(cases.len());
    let mut times = Vec::with_capacity(cases.len());
    // One untimed pass first: the first use builds the word tables.
    let _ = compare(&analyse(&cases[0].name1), &analyse(&cases[0].name2));
    let mut pair_scores = Vec::new();
    for c in &cases {
        let t = Instant::now();
        let s = compare(&analyse(&c.name1), &analyse(&c.name2)).score;
        times.push(t.elapsed().as_secs_f64() * 1e6);
        scored.push((s, c.is_match));
        if args.pairs {
            let cmp = compare(&analyse(&c.name1), &analyse(&c.name2));
            let outcome = if s >= MATCH_THRESHOLD {
                "match"
            } else if s >= REVIEW_THRESHOLD {
                "potential_match"
            } else {
                "clear"
            };
            pair_scores.push(PairScore {
                line: c.line,
                name1: c.name1.clone(),
                name2: c.name2.clone(),
                is_match: c.is_match,
                score: (s * 1000.0).round() / 1000.0,
                outcome,
                agrees: (s >= MATCH_THRESHOLD) == c.is_match,
                why: cmp.why,
            });
        }
    }
    let screening_latency = if args.lists {
        let list = tradewind_app::lists::load_screening(config)?;
        let mut t_list = Vec::with_capacity(cases.len());
        for c in &cases {
            let _ = list.screen(&c.name1, None);
        }
        for c in &cases {
            let t = Instant::now();
            let _ = list.screen(&c.name1, None);
            t_list.push(t.elapsed().as_secs_f64() * 1e6);
        }
        Some(ListLatency {
            lists: list.lists().iter().map(|l| format!("{} ({})", l.title, l.list_date)).collect(),
            entries: list.len(),
            names: list.name_count(),
            queries: t_list.len(),
            latency: latency(t_list),
        })
    } else {
        None
    };
    let positives = cases.iter().filter(|c| c.is_match).count();
    Ok(ScreeningEval {
        cases: args.cases.display().to_string(),
        pairs: cases.len(),
        positives,
        negatives: cases.len() - positives,
        thresholds: vec![
            figures("match", MATCH_THRESHOLD, &scored),
            figures("potential_match", REVIEW_THRESHOLD, &scored),
        ],
        pair_latency: latency(times),
        screening_latency,
        pair_scores,
    })
}

pub async fn run(config: Config, args: ScreeningEvalArgs) -> Result<(), AppError> {
    let json = args.json;
    let eval = tokio::task::spawn_blocking(move || evaluate(&config, &args))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    if json {
        println!("{}", serde_json::to_string(&eval).map_err(|e| AppError::Internal(e.to_string()))?);
        return Ok(());
    }
    if !eval.pair_scores.is_empty() {
        println!("{:>5} {:>6} {:<15} {:<5} {:<4} name1 | name2 | why", "line", "score", "outcome", "label", "");
        for p in &eval.pair_scores {
            let verdict = match (p.agrees, p.is_match) {
                (true, _) => "ok",
                (false, true) => "FN",
                (false, false) => "FP",
            };
            println!(
                "{:>5} {:>6.3} {:<15} {:<5} {:<4} {} | {} | {}",
                p.line, p.score, p.outcome, p.is_match, verdict, p.name1, p.name2, p.why
            );
        }
        println!();
    }
    println!(
        "name screening on {} ({} pairs: {} matches, {} non-matches)",
        eval.cases, eval.pairs, eval.positives, eval.negatives
    );
    println!(
        "{:<16} {:>9} {:>9} {:>7} {:>7} {:>5} {:>5} {:>5} {:>5}",
        "outcome", "threshold", "precision", "recall", "F1", "TP", "FP", "FN", "TN"
    );
    for t in &eval.thresholds {
        println!(
            "{:<16} {:>9.2} {:>9.3} {:>7.3} {:>7.3} {:>5} {:>5} {:>5} {:>5}",
            t.outcome,
            t.threshold,
            t.precision,
            t.recall,
            t.f1,
            t.true_positives,
            t.false_positives,
            t.false_negatives,
            t.true_negatives
        );
    }
    let l = &eval.pair_latency;
    println!(
        "latency per pair: p50 {:.1} µs, p99 {:.1} µs, mean {:.1} µs, max {:.1} µs",
        l.p50_us, l.p99_us, l.mean_us, l.max_us
    );
    if let Some(s) = &eval.screening_latency {
        let l = &s.latency;
        println!(
            "screening one name against {} ({} entries, {} names), {} queries: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
            s.lists.join(", "),
            s.entries,
            s.names,
            s.queries,
            l.p50_us,
            l.p99_us,
            l.max_us
        );
    }
    Ok(())
}
