//! `tradewind strategy …` and `tradewind replay`: the strategy sandbox from
//! the command line.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use tradewind_app::sandbox::{self, strategy, Strategy};
use tradewind_app::Config;

#[derive(Subcommand)]
pub enum StrategyCommand {
    /// Every strategy: the configuration's own (config@v0) and each bundle in the strategies folder.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One strategy's resolved settings ("name", "name@v2", "config").
    Show {
        spec: String,
        #[arg(long)]
        json: bool,
    },
    /// The settings and templates that differ between two strategies.
    Diff {
        a: String,
        b: String,
        #[arg(long)]
        json: bool,
    },
    /// Send a stable share of conversations to a candidate; it rolls itself back past the [strategy.canary] thresholds.
    Canary {
        spec: String,
        /// Share of conversations, e.g. 10% or 0.1 (default: [strategy.canary] share).
        #[arg(long)]
        share: Option<String>,
    },
    /// Make a strategy the active one.
    Promote { spec: String },
    /// End the running canary.
    Stop {
        /// Why, for the history and the audit log.
        #[arg(long)]
        reason: String,
    },
    /// The active strategy, the canary and the history.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// `tradewind replay`: re-run stored inquiries or a case file through a candidate and judge it.
#[derive(Args)]
pub struct ReplayArgs {
    /// The candidate strategy ("name", "name@v2").
    #[arg(long)]
    strategy: String,
    /// The baseline (default: the active strategy).
    #[arg(long)]
    baseline: Option<String>,
    /// Stored inquiries received at or after this time (RFC 3339, or a date).
    #[arg(long)]
    since: Option<String>,
    /// …and before this time.
    #[arg(long)]
    until: Option<String>,
    /// A labelled case file (JSON Lines) instead of stored inquiries.
    #[arg(long, conflicts_with_all = ["since", "until"])]
    cases: Option<PathBuf>,
    /// At most this many stored inquiries, the newest.
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// Print the whole report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the HTML report here.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub async fn run(config: Config, cmd: StrategyCommand) -> anyhow::Result<std::process::ExitCode> {
    match cmd {
        StrategyCommand::List { json } => {
            let all = strategy::list(&config)?;
            let state = sandbox::state(&config).await?;
            let active = state.active.clone().unwrap_or_else(|| config.strategy.active.clone());
            let active = strategy::resolve(&config, &active).map(|s| s.id()).unwrap_or(active);
            let canary = state.canary.as_ref().map(|c| c.strategy.clone());
            let role = |s: &Strategy| {
                if s.id() == active {
                    "active"
                } else if Some(s.id()) == canary {
                    "canary"
                } else {
                    "candidate"
                }
            };
            if json {
                let v: Vec<_> = all
                    .iter()
                    .map(|s| serde_json::json!({"id": s.id(), "role": role(s), "fingerprint": s.fingerprint, "description": s.description, "source": s.source}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("strategies in {}", strategy::strategies_dir(&config).display());
                for s in &all {
                    println!("{:<28} {:<9} {}  {}", s.id(), role(s), s.fingerprint, s.description);
                }
            }
        }
        StrategyCommand::Show { spec, json } => {
            let s = strategy::resolve(&config, &spec)?;
            if json {
                let mut v = s.sections();
                v["id"] = s.id().into();
                v["fingerprint"] = s.fingerprint.clone().into();
                v["source"] = s.source.clone().into();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}  fingerprint {}\nfrom {}\n{}\n", s.id(), s.fingerprint, s.source, s.description);
                let table = toml::Table::try_from(s.sections()).context("showing the sections")?;
                println!("{}", toml::to_string_pretty(&table)?);
                if let Some(d) = &s.prompts_dir {
                    println!("templates: {} (overrides the embedded ones of the same path)", d.display());
                }
            }
        }
        StrategyCommand::Diff { a, b, json } => {
            let (x, y) = (strategy::resolve(&config, &a)?, strategy::resolve(&config, &b)?);
            let d = strategy::diff(&x, &y);
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else if d.is_empty() {
                println!("{} and {} shape results the same way", x.id(), y.id());
            } else {
                println!("--- {}\n+++ {}", x.id(), y.id());
                for s in d {
                    println!(
                        "{}\n  - {}\n  + {}",
                        s.path,
                        s.a.as_deref().unwrap_or("(absent)"),
                        s.b.as_deref().unwrap_or("(absent)")
                    );
                }
            }
        }
        StrategyCommand::Canary { spec, share } => {
            let share = match share {
                Some(s) => parse_share(&s)?,
                None => config.strategy.canary.share,
            };
            let s = sandbox::start_canary(&config, &spec, share, "cli").await?;
            println!(
                "canary: {} on {:.1}% of conversations; it rolls back past the [strategy.canary] thresholds (window {} s)",
                s.id(),
                share * 100.0,
                config.strategy.canary.window_secs
            );
        }
        StrategyCommand::Promote { spec } => {
            let s = sandbox::promote(&config, &spec, "cli").await?;
            println!("active: {} (fingerprint {})", s.id(), s.fingerprint);
        }
        StrategyCommand::Stop { reason } => {
            let id = sandbox::stop_canary(&config, "cli", &reason).await?;
            println!("canary {id} stopped");
        }
        StrategyCommand::Status { json } => {
            let state = sandbox::state(&config).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&state)?);
            } else {
                println!("active: {}", state.active.as_deref().unwrap_or(&config.strategy.active));
                match &state.canary {
                    Some(c) => println!(
                        "canary: {} on {:.1}% since {} (by {})",
                        c.strategy,
                        c.share * 100.0,
                        when(c.started_ms),
                        c.by
                    ),
                    None => println!("canary: none"),
                }
                for e in state.history.iter().rev().take(20) {
                    println!("{}  {:<8} {:<24} {}: {}", when(e.at_ms), e.action, e.strategy, e.by, e.reason);
                }
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

pub async fn replay(config: Config, a: ReplayArgs) -> anyhow::Result<std::process::ExitCode> {
    use sandbox::replay;
    let candidate = strategy::resolve(&config, &a.strategy)?;
    let baseline = match &a.baseline {
        Some(b) => strategy::resolve(&config, b)?,
        None => {
            let state = sandbox::state(&config).await?;
            strategy::resolve(&config, state.active.as_deref().unwrap_or(&config.strategy.active))?
        }
    };
    let (inputs, source) = match &a.cases {
        Some(p) => (replay::load_cases(p)?, format!("cases: {}", p.display())),
        None => {
            let since = a.since.as_deref().map(parse_time).transpose()?;
            let until = a.until.as_deref().map(parse_time).transpose()?;
            let inputs = replay::load_stored(&config, since, until, a.limit).await?;
            let span = format!(
                "stored inquiries{}{}",
                a.since.as_deref().map(|s| format!(" from {s}")).unwrap_or_default(),
                a.until.as_deref().map(|s| format!(" until {s}")).unwrap_or_default()
            );
            (inputs, span)
        }
    };
    if inputs.is_empty() {
        anyhow::bail!("nothing to replay ({source})");
    }
    eprintln!("replaying {} messages through {} and {}…", inputs.len(), baseline.id(), candidate.id());
    let report = replay::replay(&config, &baseline, &candidate, &inputs, source).await?;
    let saved = replay::save_report(&config, &report)?;
    if let Some(p) = &a.report {
        std::fs::write(p, sandbox::html::render(&report)).with_context(|| format!("writing {}", p.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let g = &report.gate;
        let with_diffs = report.cases.iter().filter(|c| !c.diffs.is_empty()).count();
        println!(
            "{} vs {}: {} messages, {} with differences",
            report.baseline,
            report.candidate,
            report.cases.len(),
            with_diffs
        );
        println!(
            "gate: {} (metric {}: {}; false triggers {} = {:.2}%, max {:.2}%)",
            if g.passed { "PASSED" } else { "FAILED" },
            g.metric,
            g.improvement.map_or("not measurable".into(), |i| format!("{:+.2}%", i * 100.0)),
            g.false_triggers,
            g.false_trigger_rate * 100.0,
            g.max_false_trigger_rate * 100.0
        );
        for r in &g.reasons {
            println!("  - {r}");
        }
        for c in report.cases.iter().filter(|c| c.false_trigger.is_some()).take(10) {
            println!("  false trigger {}: {}", c.key, c.false_trigger.as_deref().unwrap_or_default());
        }
        println!("report: {}", saved.display());
    }
    Ok(if report.gate.passed { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::from(3) })
}

/// "10%", "10" (percent when above 1) or "0.1".
fn parse_share(s: &str) -> anyhow::Result<f64> {
    let t = s.trim();
    let (num, pct) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let v: f64 = num.parse().with_context(|| format!("'{s}' is not a share (use 10% or 0.1)"))?;
    let v = if pct || v > 1.0 { v / 100.0 } else { v };
    if !(v > 0.0 && v <= 1.0) {
        anyhow::bail!("the share must be above 0% and at most 100%, not {s}");
    }
    Ok(v)
}

/// RFC 3339 or a date (midnight UTC), as Unix milliseconds.
fn parse_time(s: &str) -> anyhow::Result<u64> {
    let ts = match s.parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(_) => format!("{}T00:00:00Z", s.trim())
            .parse::<jiff::Timestamp>()
            .with_context(|| format!("'{s}' is neither a time (RFC 3339) nor a date (YYYY-MM-DD)"))?,
    };
    Ok(ts.as_millisecond().max(0) as u64)
}

fn when(ms: u64) -> String {
    jiff::Timestamp::from_millisecond(ms as i64).map(|t| t.to_string()).unwrap_or_else(|_| ms.to_string())
}
