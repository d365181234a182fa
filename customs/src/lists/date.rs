//! Calendar dates as the lists write them (ISO `2019-01-08`, US `1/8/2019`),
//! counted in days since 1970-01-01 so list ages can be computed without a
//! date library.

use std::time::{SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count, as `YYYY-MM-DD`.
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days of an ISO (`2019-01-08`) or US (`01/08/2019`, `1/8/19` is not
/// accepted) date, `None` when it is neither or not a real date.
pub fn parse_days(s: &str) -> Option<i64> {
    let s = s.trim();
    let (y, m, d) = if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..] {
        (y, m, d)
    } else if let [m, d, y] = s.split('/').collect::<Vec<_>>()[..] {
        (y, m, d)
    } else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// The ISO form of a date in either accepted form.
pub fn normalize(s: &str) -> Option<String> {
    parse_days(s).map(civil_from_days)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Today (UTC) in days since 1970-01-01.
pub fn today_days() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    (secs / 86_400) as i64
}

/// Today (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    civil_from_days(today_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_parses_both_forms() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(normalize("01/08/2019").as_deref(), Some("2019-01-08"));
        assert_eq!(normalize("2019-1-8").as_deref(), Some("2019-01-08"));
        assert_eq!(parse_days("2023-02-29"), None);
        assert_eq!(parse_days("-0-"), None);
        assert_eq!(parse_days("2019-01-31").map(|d| d - days_from_civil(2019, 1, 1)), Some(30));
    }
}
