//! `tradewind lists`: import screening lists and the HS nomenclature into
//! the local lists folder, show the lists in force, screen one name.

use std::path::PathBuf;
use tradewind_app::lists::{lists_dir, load_screening};
use tradewind_app::{AppError, Config};
use tradewind_tools::customs::lists;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ListsCommand {
    /// Import a screening list or the HS nomenclature into the local index.
    Import {
        /// ofac-sdn (sdn.xml, or the legacy sdn.csv with alt.csv and add.csv beside it), csl (Consolidated Screening List: JSON, or CSV in the 2019 or current layout), dpl (BIS Denied Persons List), hs (HS 2022 nomenclature CSV).
        format: String,
        /// The file to import.
        path: PathBuf,
        /// The list's publication date (YYYY-MM-DD). Required for files that
        /// carry none (the OFAC legacy CSV, the CSL CSV); read from the file
        /// for the SDN XML (Publish_Date), the CSL JSON and the DPL.
        #[arg(long)]
        list_date: Option<String>,
    },
    /// Show the screening lists in force and their dates.
    Show,
    /// Screen one name against the lists in force.
    Screen {
        name: String,
        /// The party's ISO country code, when known.
        #[arg(long)]
        country: Option<String>,
        /// Print the hits and findings as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, cmd: ListsCommand) -> Result<(), AppError> {
    let dir = lists_dir(&config);
    match cmd {
        ListsCommand::Import { format, path, list_date } => {
            if format != "hs" && !lists::FORMATS.contains(&format.as_str()) {
                return Err(AppError::BadInput(format!(
                    "unknown list format '{format}': use ofac-sdn, ofac-sdn-xml, csl, dpl or hs"
                )));
            }
            if !path.exists() {
                return Err(AppError::BadInput(format!("{} does not exist", path.display())));
            }
            let report = tokio::task::spawn_blocking(move || -> Result<String, AppError> {
                if format == "hs" {
                    return tradewind_tools::customs::hs::import_nomenclature_csv(&path, &dir)
                        .map(|r| r.to_string())
                        .map_err(|e| AppError::BadInput(e.to_string()));
                }
                lists::import(&format, &path, &dir, list_date.as_deref()).map(|r| r.to_string()).map_err(|e| match e {
                    lists::ListError::Write { .. } => AppError::Internal(e.to_string()),
                    e => AppError::BadInput(e.to_string()),
                })
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
            println!("{}", report.trim_end());
            Ok(())
        }
        ListsCommand::Show => {
            let screening = load_screening(&config)?;
            let today = lists::date::today();
            let stale: Vec<String> = screening.stale_lists(&today).iter().map(|(l, _)| l.source.clone()).collect();
            for l in screening.lists() {
                println!(
                    "{:<12} {:<40} dated {} {:>6} entries  {}{}",
                    l.source,
                    l.title,
                    l.list_date,
                    l.entries,
                    l.origin,
                    if stale.contains(&l.source) { "  (out of date)" } else { "" }
                );
            }
            println!("{} names indexed from {}", screening.name_count(), dir.display());
            Ok(())
        }
        ListsCommand::Screen { name, country, json } => {
            let screening = load_screening(&config)?;
            let started = std::time::Instant::now();
            let hits = screening.screen(&name, country.as_deref());
            let micros = started.elapsed().as_micros();
            let findings = screening.findings(&name, &hits, &lists::date::today());
            if json {
                let out = serde_json::json!({ "name": name, "hits": hits, "findings": findings, "micros": micros });
                println!("{out}");
                return Ok(());
            }
            for f in &findings {
                println!("[{}] {}", f.level.as_str(), f.message);
            }
            println!("({} hits in {micros} µs)", hits.len());
            Ok(())
        }
    }
}
