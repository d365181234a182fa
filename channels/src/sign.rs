//! Request signatures for the robots that support them. The two look alike
//! and are easy to mix up: Feishu uses `timestamp + "\n" + secret` as the
//! HMAC *key* over an empty message; DingTalk keys by the secret and signs
//! `timestamp + "\n" + secret`, then URL-encodes the base64.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the
    // fallback keeps this function total without an unwrap.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Feishu / Lark custom bot: `timestamp` in Unix seconds; the result goes
/// into the JSON body as `sign` next to `timestamp`.
pub fn feishu_sign(timestamp_secs: u64, secret: &str) -> String {
    let key = format!("{timestamp_secs}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key.as_bytes(), b""))
}

/// DingTalk robot: `timestamp` in Unix milliseconds; the result is already
/// URL-encoded, ready for the `sign` query parameter.
pub fn dingtalk_sign(timestamp_ms: u64, secret: &str) -> String {
    let message = format!("{timestamp_ms}\n{secret}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), message.as_bytes()));
    urlencoding::encode(&b64).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feishu_published_vector() {
        assert_eq!(feishu_sign(1599360473, "demo-secret"), "3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s=");
    }

    #[test]
    fn dingtalk_published_vector() {
        assert_eq!(dingtalk_sign(1577836800000, "SECdemo"), "FcLcAX0Ossq%2F9BYYBoQJ9BY74CTqR7UCn19DGI83DF0%3D");
    }
}
