//! `tradewind bench screening`: how long one name takes to screen against
//! the lists in force (the imported lists, or the demo list), on one core.
//!
//! The lists are loaded and indexed once; then each name is screened once
//! untimed (first use fills the per-word caches, as a running service
//! would have them), and timed over and over on the calling thread alone,
//! so the figures are one core's. Run it on an idle machine: other load
//! shows up in the tail.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;
use tradewind_app::{AppError, Config};

/// Names screened when none are given: a listed party, a typo of one, a
/// Chinese, a Cyrillic and a Korean name, a clean buyer and a long company
/// name, so that hits, misses and every script are timed.
const DEFAULT_NAMES: &[&str] = &[
    "Islamic Republic of Iran Shipping Lines",
    "Kim Jong Un",
    "Nordlicht Energie GmbH",
    "Tehran Powercell Co.",
    "深圳华信电池科技有限公司",
    "Сергей Викторович Лавров",
    "김정은",
    "Mohammed Ali Hassan Trading LLC",
];

#[derive(Debug, Clone, clap::Args)]
pub struct ScreeningBenchArgs {
    /// A name to screen (repeat for several); default: a fixed mix of
    /// listed and clean names in several scripts.
    #[arg(long = "name")]
    pub names: Vec<String>,
    /// A file with one name per line to screen (e.g. the name1 column of a
    /// labelled set).
    #[arg(long)]
    pub names_file: Option<PathBuf>,
    /// Timed screenings per name.
    #[arg(long, default_value_t = 2000)]
    pub iterations: usize,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NameFigures {
    pub name: String,
    pub hits: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScreeningFigures {
    pub lists: Vec<String>,
    pub entries: usize,
    pub names_indexed: usize,
    pub index_ms: f64,
    pub iterations: usize,
    pub per_name: Vec<NameFigures>,
    /// Over every timed screening of every name.
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

pub async fn run(config: Config, args: ScreeningBenchArgs) -> Result<ScreeningFigures, AppError> {
    // The whole measurement runs on one blocking thread: one core.
    let figures = tokio::task::spawn_blocking(move || measure(&config, &args).map(|f| (f, args.json)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let (f, json) = figures;
    if json {
        println!("{}", serde_json::to_string(&f).map_err(|e| AppError::Internal(e.to_string()))?);
    } else {
        print!("{}", render(&f));
    }
    Ok(f)
}

fn measure(config: &Config, args: &ScreeningBenchArgs) -> Result<ScreeningFigures, AppError> {
    let mut names: Vec<String> = args.names.clone();
    if let Some(path) = &args.names_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::BadInput(format!("names file {}: {e}", path.display())))?;
        names.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
    }
    if names.is_empty() {
        names = DEFAULT_NAMES.iter().map(|s| s.to_string()).collect();
    }
    let iterations = args.iterations.max(1);
    let started = Instant::now();
    let list = tradewind_app::lists::load_screening(config)?;
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut all: Vec<f64> = Vec::with_capacity(names.len() * iterations);
    let mut per_name = Vec::with_capacity(names.len());
    for name in &names {
        let hits = list.screen(name, None).len();
        let mut us = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let t = Instant::now();
            let h = list.screen(name, None);
            us.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(h);
        }
        us.sort_by(f64::total_cmp);
        per_name.push(NameFigures {
            name: name.clone(),
            hits,
            p50_us: round(crate::percentile(&us, 0.5)),
            p99_us: round(crate::percentile(&us, 0.99)),
            max_us: round(us.last().copied().unwrap_or(0.0)),
        });
        all.extend(us);
    }
    all.sort_by(f64::total_cmp);
    Ok(ScreeningFigures {
        lists: list.lists().iter().map(|l| format!("{} ({}, {} entries)", l.title, l.list_date, l.entries)).collect(),
        entries: list.len(),
        names_indexed: list.name_count(),
        index_ms: round(index_ms),
        iterations,
        per_name,
        p50_us: round(crate::percentile(&all, 0.5)),
        p99_us: round(crate::percentile(&all, 0.99)),
        max_us: round(all.last().copied().unwrap_or(0.0)),
    })
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn render(f: &ScreeningFigures) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "screening against {} ({} entries, {} names indexed in {:.0} ms), {} timed screenings per name, one thread\n",
        f.lists.join(", "),
        f.entries,
        f.names_indexed,
        f.index_ms,
        f.iterations
    ));
    out.push_str(&format!("{:<44} {:>5} {:>9} {:>9} {:>9}\n", "name", "hits", "p50 µs", "p99 µs", "max µs"));
    for n in &f.per_name {
        let shown: String = n.name.chars().take(42).collect();
        out.push_str(&format!("{:<44} {:>5} {:>9.1} {:>9.1} {:>9.1}\n", shown, n.hits, n.p50_us, n.p99_us, n.max_us));
    }
    out.push_str(&format!("all names: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs\n", f.p50_us, f.p99_us, f.max_us));
    out
}
