//! `tradewind deadletters`: chat-card deliveries that failed for good
//! (after their retries, on a full queue, at shutdown) and claims a stopped
//! process left unfinished, newest first. Reads Redis when `REDIS_URL` is
//! set, else the dead-letter file under the data folder.

use tradewind_app::outbox::list_dead_letters;
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

/// `2026-01-31 12:00:00 UTC` from Unix milliseconds (proleptic Gregorian,
/// days-to-civil after Howard Hinnant), without a date crate.
fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_577_836_800_000), "2020-01-01 00:00:00 UTC");
        assert_eq!(utc(1_709_208_000_000), "2024-02-29 12:00:00 UTC");
    }

    #[test]
    fn empty_listing_says_so() {
        assert_eq!(render(&[]), "No dead letters.\n");
    }
}
