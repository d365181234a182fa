//! Calendar dates as the lists write them (ISO `2019-01-08`, US `1/8/2019`),
//! read into `jiff` civil dates; list ages are whole days between two of them.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::time::SystemTime;

/// A date in ISO (`2019-01-08`, `2019-1-8`) or US (`01/08/2019`) form;
/// `None` when it is neither or not a real date. The year must be written
/// with four digits (`1/8/19` is ambiguous and refused).
pub fn parse(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d) = if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..] {
        (y, m, d)
    } else if let [m, d, y] = s.split('/').collect::<Vec<_>>()[..] {
        (y, m, d)
    } else {
        return None;
    };
    // Digits only: a sign would let "+999" pass as the year 999.
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i16 = y.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    let d: i8 = d.parse().ok()?;
    Date::new(y, m, d).ok()
}

/// The ISO form of a date in either accepted form.
pub fn normalize(s: &str) -> Option<String> {
    parse(s).map(|d| d.to_string())
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// The UTC date of a moment; `None` outside the years jiff represents
/// (-9999 to 9999).
pub fn utc_date(at: SystemTime) -> Option<Date> {
    Timestamp::try_from(at).ok().map(|t| TimeZone::UTC.to_datetime(t).date())
}

/// Today's date in UTC. A clock outside jiff's range (years -9999 to 9999)
/// reads as 1970-01-01 rather than failing an import over it.
pub fn today_date() -> Date {
    utc_date(SystemTime::now()).unwrap_or(Date::constant(1970, 1, 1))
}

/// Today (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    today_date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn parses_both_forms_and_refuses_non_dates() {
        assert_eq!(parse("2024-02-29"), Some(Date::constant(2024, 2, 29)));
        assert_eq!(normalize("01/08/2019").as_deref(), Some("2019-01-08"));
        assert_eq!(normalize("2019-1-8").as_deref(), Some("2019-01-08"));
        assert_eq!(normalize(" 0999-12-31 ").as_deref(), Some("0999-12-31"));
        assert_eq!(parse("2023-02-29"), None);
        assert_eq!(parse("1900-02-29"), None);
        assert_eq!(parse("2000-02-29"), Some(Date::constant(2000, 2, 29)));
        assert_eq!(parse("-0-"), None);
        assert_eq!(parse("1/8/19"), None);
        assert_eq!(parse("1/8/+999"), None);
        assert_eq!(parse("2019-13-01"), None);
        assert_eq!(parse("2019-00-10"), None);
    }

    #[test]
    fn day_counts() {
        let d = |s: &str| parse(s).unwrap();
        assert_eq!(days_between(d("2019-01-01"), d("2019-01-31")), 30);
        assert_eq!(days_between(d("1970-01-01"), d("2024-02-29")), 19_782);
        assert_eq!(days_between(d("2024-03-01"), d("2024-02-28")), -2);
    }

    #[test]
    fn utc_dates_of_moments() {
        assert_eq!(utc_date(UNIX_EPOCH), Some(Date::constant(1970, 1, 1)));
        let leap_noon = UNIX_EPOCH + Duration::from_secs(1_709_208_000);
        assert_eq!(utc_date(leap_noon), Some(Date::constant(2024, 2, 29)));
        assert_eq!(utc_date(UNIX_EPOCH + Duration::from_secs(86_399)), Some(Date::constant(1970, 1, 1)));
    }
}
