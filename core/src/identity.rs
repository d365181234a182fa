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

/// E.164-style normalisation: keep digits, keep a leading `+`, turn a leading
/// `00` into `+`. Returns `None` when fewer than 7 digits remain.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 7 || digits.len() > 15 + 2 {
        return None;
    }
    if trimmed.starts_with('+') {
        Some(format!("+{digits}"))
    } else if let Some(rest) = digits.strip_prefix("00") {
        Some(format!("+{rest}"))
    } else {
        Some(digits)
    }
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
    fn unified_id_is_stable_and_needs_both_parts() {
        let a = unified_customer_id("+86 138 0013 8000", "91310000MA1FL5YX2K").unwrap();
        let b = unified_customer_id("+8613800138000", "91310000ma1fl5yx2k").unwrap();
        assert_eq!(a, b);
        assert!(unified_customer_id("+8613800138000", "nope").is_none());
    }
}
