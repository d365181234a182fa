//! Customer identity: one unified id per real customer across channels.
//!
//! The unified id is SHA-256 over the normalised phone number and the unified
//! social credit code (统一社会信用代码) once both are known; before that a
//! customer has a channel-scoped id, which memory links to the unified one.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CustomerId {
    /// `sha256(normalised_phone + "|" + credit_code)`, hex.
    Unified(String),
    /// `channel:user`, e.g. `telegram:12345` or `cli:local`.
    Channel(String),
}

impl CustomerId {
    pub fn channel(channel: &str, user: &str) -> Self {
        CustomerId::Channel(format!("{channel}:{user}"))
    }

    /// The key fragment used by memory backends.
    pub fn key(&self) -> String {
        match self {
            CustomerId::Unified(h) => format!("u:{h}"),
            CustomerId::Channel(c) => format!("c:{c}"),
        }
    }
}

/// What a written phone number turned out to be, in E.164 form
/// (`+8613800138000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneCheck {
    /// A number in its country's numbering plan.
    Valid(String),
    /// A real country code and a plausible length, but a number the
    /// numbering-plan metadata does not know: new ranges and made-up test
    /// numbers look like this, and a customer's number must not be lost
    /// over a metadata update.
    Unverified(String),
}

impl PhoneCheck {
    pub fn e164(&self) -> &str {
        match self {
            PhoneCheck::Valid(n) | PhoneCheck::Unverified(n) => n,
        }
    }

    pub fn into_e164(self) -> String {
        match self {
            PhoneCheck::Valid(n) | PhoneCheck::Unverified(n) => n,
        }
    }
}

/// E.164 allows at most 15 digits; fewer than 7 is never a whole number
/// with its country code.
const E164_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// Reads a written phone number with `phonenumber`. An international
/// number (`+49 …`, or `0049 …`: 00 is the international prefix nearly
/// everywhere, and the one customers write) stands on its own; a national
/// number (`138 0013 8000`, `(040) 123-4567`) needs the `region` it is
/// dialled in (ISO 3166 alpha-2, any case), and without one, or with a
/// region phonenumber does not know, its country is unknown and it is
/// `None`. An extension (`ext. 12`) is not part of the number.
pub fn check_phone(raw: &str, region: Option<&str>) -> Option<PhoneCheck> {
    let written = raw.trim().trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+');
    let international = match written.strip_prefix("00") {
        Some(rest) => std::borrow::Cow::Owned(format!("+{rest}")),
        None => std::borrow::Cow::Borrowed(written),
    };
    let region = region.and_then(|r| r.trim().to_ascii_uppercase().parse::<phonenumber::country::Id>().ok());
    if region.is_none() && !international.starts_with('+') {
        return None;
    }
    let number = phonenumber::parse(region, international.as_ref()).ok()?;
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    if phonenumber::is_valid(&number) {
        Some(PhoneCheck::Valid(e164))
    } else if E164_DIGITS.contains(&e164.bytes().filter(u8::is_ascii_digit).count()) {
        Some(PhoneCheck::Unverified(e164))
    } else {
        None
    }
}

/// The E.164 form of an international phone number (`+49 40 1234567`,
/// `0049-40-1234567` → `+49401234567`). A number written without its
/// country code is `None` here: see [`normalize_phone_in`].
pub fn normalize_phone(raw: &str) -> Option<String> {
    check_phone(raw, None).map(PhoneCheck::into_e164)
}

/// As [`normalize_phone`], reading a number written without its country
/// code as one dialled in `region` (ISO 3166 alpha-2, e.g. `CN`), so that
/// `138 0013 8000` in China and `+86 138 0013 8000` are the same number.
pub fn normalize_phone_in(raw: &str, region: &str) -> Option<String> {
    check_phone(raw, Some(region)).map(PhoneCheck::into_e164)
}

/// A unified social credit code is 18 characters of digits and upper-case
/// letters (excluding I, O, Z, S, V). We only check the shape here.
pub fn is_credit_code(s: &str) -> bool {
    s.len() == 18 && s.chars().all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"IOZSV".contains(c)))
}

/// The unified id, when both parts are known.
pub fn unified_customer_id(phone: &str, credit_code: &str) -> Option<CustomerId> {
    let phone = normalize_phone(phone)?;
    let code = credit_code.trim().to_ascii_uppercase();
    if !is_credit_code(&code) {
        return None;
    }
    let mut h = Sha256::new();
    h.update(phone.as_bytes());
    h.update(b"|");
    h.update(code.as_bytes());
    Some(CustomerId::Unified(hex::encode(h.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_normalisation_keeps_country_code() {
        assert_eq!(normalize_phone("+49 40 1234567").as_deref(), Some("+49401234567"));
        assert_eq!(normalize_phone("0049-40-1234567").as_deref(), Some("+49401234567"));
        assert_eq!(normalize_phone("12"), None);
    }

    #[test]
    fn national_numbers_need_a_region() {
        assert_eq!(normalize_phone("138 0013 8000"), None);
        assert_eq!(normalize_phone_in("138 0013 8000", "CN").as_deref(), Some("+8613800138000"));
        assert_eq!(normalize_phone_in("+86 138 0013 8000", "cn").as_deref(), Some("+8613800138000"));
        assert_eq!(normalize_phone_in("0086 138 0013 8000", "CN").as_deref(), Some("+8613800138000"));
        // The trunk prefix 0 is not part of the international number.
        assert_eq!(normalize_phone_in("(040) 123-4567", "DE").as_deref(), Some("+49401234567"));
        assert_eq!(normalize_phone_in("+49 40 1234567", "US").as_deref(), Some("+49401234567"), "+ wins");
        assert_eq!(normalize_phone_in("138 0013 8000", "XX"), None, "an unknown region is no region");
    }

    #[test]
    fn what_the_digits_alone_got_wrong() {
        // "(0)" is the trunk prefix, written for callers inside the country.
        assert_eq!(normalize_phone("+44 (0)20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(normalize_phone("+86 138 0013 8000 ext. 12").as_deref(), Some("+8613800138000"));
        assert_eq!(normalize_phone("+999 1234567"), None, "no such country code");
        assert_eq!(normalize_phone("+49 12"), None);
    }

    #[test]
    fn valid_or_only_plausible() {
        assert_eq!(check_phone("+86 138 0013 8000", None), Some(PhoneCheck::Valid("+8613800138000".into())));
        // A length the plan does not have, still kept as a customer's number.
        assert_eq!(check_phone("+1 212 555 0100 2", None), Some(PhoneCheck::Unverified("+121255501002".into())));
        assert_eq!(check_phone("+86 138 0013 8000 1234567", None), None, "longer than E.164 allows");
    }

    #[test]
    fn unified_id_is_stable_and_needs_both_parts() {
        let a = unified_customer_id("+86 138 0013 8000", "91310000MA1FL5YX2K").unwrap();
        let b = unified_customer_id("+8613800138000", "91310000ma1fl5yx2k").unwrap();
        assert_eq!(a, b);
        assert!(unified_customer_id("+8613800138000", "nope").is_none());
    }
}
