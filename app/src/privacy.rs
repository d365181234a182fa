//! Personal data the application keeps on disk, and the right to erasure
//! (`tradewind customers forget <id>`): the customer's record everywhere
//! memory keeps it, then the files written for their inquiries (cards in
//! the outbox folders, exported transcripts).

use std::path::PathBuf;

use tradewind_core::CustomerId;
use tradewind_memory::Forgotten;
use tradewind_ports::AppError;

use crate::{App, Config};

/// What `forget_customer` erased.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Erased {
    #[serde(flatten)]
    pub memory: Forgotten,
    /// Files and folders removed under the data folder.
    pub files: Vec<PathBuf>,
}

/// A customer id as shown in results (`c:telegram:42`, `u:<sha256>`), or a
/// channel id without its prefix (`telegram:42`).
pub fn parse_customer(id: &str) -> Result<CustomerId, AppError> {
    let id = id.trim();
    let bad = || {
        AppError::BadInput(format!("'{id}' is not a customer id (c:<channel>:<user>, u:<hash> or <channel>:<user>)"))
    };
    if let Some(hash) = id.strip_prefix("u:") {
        if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(CustomerId::Unified(hash.to_ascii_lowercase()));
        }
        return Err(bad());
    }
    let channel = id.strip_prefix("c:").unwrap_or(id);
    match channel.split_once(':') {
        Some((c, u)) if !c.is_empty() && !u.is_empty() => Ok(CustomerId::Channel(channel.to_string())),
        _ => Err(bad()),
    }
}

/// Where the CLI exports an inquiry's transcript (JSON Lines).
pub fn transcript_export_path(config: &Config, inquiry_id: &str) -> PathBuf {
    let safe: String = inquiry_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    crate::data_root(config).join("transcripts").join(format!("{safe}.jsonl"))
}

/// Where an inquiry's result is kept beside its transcript (JSON), for
/// replay when memory is in process.
pub fn result_export_path(config: &Config, inquiry_id: &str) -> PathBuf {
    let safe: String = inquiry_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    crate::data_root(config).join("results").join(format!("{safe}.json"))
}

/// The outbox folders of the `dir:` sinks.
fn outbox_dirs(config: &Config) -> Vec<PathBuf> {
    let s = &config.sinks;
    [&s.sales, &s.logistics, &s.customer_service]
        .into_iter()
        .flat_map(|spec| tradewind_channels::split_sink_specs(spec))
        .filter_map(|part| part.strip_prefix("dir:").map(PathBuf::from))
        .collect()
}

/// Erases a customer: memory first (facts, links, turns, transcripts,
/// results), then the files of their inquiries.
pub async fn forget_customer(app: &App, id: &str) -> Result<Erased, AppError> {
    let id = parse_customer(id)?;
    let memory = app.memory.forget_customer(&id).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
    let mut files = Vec::new();
    let dirs = outbox_dirs(&app.config);
    for inquiry in &memory.inquiries {
        let mut paths: Vec<PathBuf> =
            dirs.iter().map(|d| d.join(tradewind_tools::sinks::safe_component(inquiry))).collect();
        paths.push(transcript_export_path(&app.config, inquiry));
        paths.push(result_export_path(&app.config, inquiry));
        for p in paths {
            let removed = match tokio::fs::metadata(&p).await {
                Ok(m) if m.is_dir() => tokio::fs::remove_dir_all(&p).await,
                Ok(_) => tokio::fs::remove_file(&p).await,
                Err(_) => continue,
            };
            match removed {
                Ok(()) => files.push(p),
                Err(e) => return Err(AppError::Internal(format!("could not erase {}: {e}", p.display()))),
            }
        }
    }
    Ok(Erased { memory, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_ids_parse_in_every_written_form() {
        assert_eq!(parse_customer("c:telegram:42").unwrap(), CustomerId::channel("telegram", "42"));
        assert_eq!(parse_customer("telegram:42").unwrap(), CustomerId::channel("telegram", "42"));
        let h = "ab".repeat(32);
        assert_eq!(parse_customer(&format!("u:{h}")).unwrap(), CustomerId::Unified(h));
        for bad in ["", "u:xyz", "nobody", "c::x"] {
            assert!(parse_customer(bad).is_err(), "{bad}");
        }
    }
}
