//! `tradewind deadletters`: chat-card deliveries that failed for good
//! (after their retries, on a full queue, at shutdown) and claims a stopped
//! process left unfinished, newest first. Reads Redis when `REDIS_URL` is
//! set, else the dead-letter file under the data folder.

use tradewind_app::outbox::list_dead_letters;
use tradewind_app::sandbox::html::utc;
use tradewind_app::{AppError, Config};
use tradewind_ports::outbox::DeadLetter;

#[derive(Debug, Clone, clap::Args)]
pub struct DeadLettersArgs {
    /// How many to show, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// One JSON object per line (the whole record, delivery included).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(config: Config, args: DeadLettersArgs) -> Result<(), AppError> {
    let records = list_dead_letters(&config, args.limit).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
    if args.json {
        for r in &records {
            println!("{}", serde_json::to_string(r).map_err(|e| AppError::Internal(e.to_string()))?);
        }
    } else {
        print!("{}", render(&records));
    }
    Ok(())
}

/// One block per record: what, where, why.
pub fn render(records: &[DeadLetter]) -> String {
    if records.is_empty() {
        return "No dead letters.\n".into();
    }
    let mut out = String::new();
    for r in records {
        let when = utc(r.at_ms);
        out.push_str(&format!(
            "{} {} → {} [{}] {}\n  inquiry {} · {} · {} attempt(s) · {when}{}\n  error: {}\n\n",
            if r.stranded { "STRANDED" } else { "DEAD" },
            r.delivery.delivery_id,
            r.sink,
            r.channel,
            r.destination,
            r.delivery.inquiry_id,
            r.delivery.title,
            r.attempts,
            if r.stranded { " (claimed)" } else { "" },
            r.error,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_577_836_800_000), "2020-01-01 00:00:00 UTC");
        assert_eq!(utc(1_709_208_000_000), "2024-02-29 12:00:00 UTC");
        assert_eq!(utc(1_709_208_000_999), "2024-02-29 12:00:00 UTC", "milliseconds are cut, not rounded");
        assert_eq!(utc(u64::MAX), "18446744073709551615 ms after 1970");
    }

    #[test]
    fn empty_listing_says_so() {
        assert_eq!(render(&[]), "No dead letters.\n");
    }
}
