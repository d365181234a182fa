//! What stands between the public and the web chat API: chat tokens (the
//! server issues a chat id with an HMAC of it, and only the holder of that
//! token may post to the chat or read its replies), rate limits per client
//! address and per chat (GCRA through `governor`, answered with 429 and
//! `Retry-After`), and the JSON Content-Type rule that turns away
//! cross-site form and `text/plain` posts.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::HttpConfig;

type HmacSha256 = Hmac<Sha256>;

/// A refusal that never reaches the application: answered here with its
/// status and a JSON body shaped like every other error.
#[derive(Debug)]
pub enum Refusal {
    /// 401: no chat token.
    NoToken,
    /// 403: a token that was not issued for this chat.
    BadToken,
    /// 415: a body that is not declared as JSON.
    NotJson,
    /// 429, with how long to wait.
    TooMany { retry_after: Duration, what: &'static str },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, error) = match &self {
            Refusal::NoToken => {
                (StatusCode::UNAUTHORIZED, "this chat needs its token (X-Chat-Token or ?token=)".into())
            }
            Refusal::BadToken => (StatusCode::FORBIDDEN, "the chat token does not match this chat".into()),
            Refusal::NotJson => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "the body must be JSON (Content-Type: application/json)".into())
            }
            Refusal::TooMany { what, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, format!("too many requests from this {what}"))
            }
        };
        let body = Json(serde_json::json!({"error": error, "message": error, "status": status.as_u16()}));
        match self {
            Refusal::TooMany { retry_after, .. } => {
                // Whole seconds, rounded up: "0" would invite an immediate retry.
                let secs = retry_after.as_millis().div_ceil(1000).max(1).to_string();
                (status, [(header::RETRY_AFTER, secs)], body).into_response()
            }
            _ => (status, body).into_response(),
        }
    }
}

/// `application/json`, with or without parameters (`; charset=utf-8`), or
/// a `+json` type. Anything else, or nothing, is refused: browsers send
/// cross-site `text/plain` and form posts without asking first.
pub fn require_json(headers: &HeaderMap) -> Result<(), Refusal> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Ok(())
    } else {
        Err(Refusal::NotJson)
    }
}

/// Signs and checks chat tokens. The first secret signs; every secret
/// verifies, so a secret can be rotated without logging every browser out:
/// put the new one first, keep the old one until its chats have gone quiet.
#[derive(Clone)]
pub struct ChatTokens {
    secrets: Arc<Vec<Vec<u8>>>,
}

impl std::fmt::Debug for ChatTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTokens").field("secrets", &self.secrets.len()).finish()
    }
}

impl ChatTokens {
    /// From the configuration; without a configured secret, a random one
    /// for this process (its tokens then end with it).
    pub fn from_config(cfg: &HttpConfig) -> Self {
        let mut secrets: Vec<Vec<u8>> = Vec::new();
        match cfg.chat_token_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => secrets.push(s.as_bytes().to_vec()),
            None => {
                tracing::warn!(
                    "[http] chat_token_secret is not set; chat tokens are signed with a random secret and end with this process"
                );
                secrets.push(rand::random::<[u8; 32]>().to_vec());
            }
        }
        secrets.extend(cfg.chat_token_old_secrets.iter().filter(|s| !s.is_empty()).map(|s| s.as_bytes().to_vec()));
        Self { secrets: Arc::new(secrets) }
    }

    pub fn with_secrets(secrets: Vec<Vec<u8>>) -> Self {
        Self { secrets: Arc::new(secrets) }
    }

    /// HMAC takes keys of any length, so this is always `Some`.
    fn mac(secret: &[u8], chat_id: &str) -> Option<HmacSha256> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).ok()?;
        mac.update(b"tradewind-chat\0");
        mac.update(chat_id.as_bytes());
        Some(mac)
    }

    /// The token of `chat_id`.
    pub fn issue(&self, chat_id: &str) -> String {
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        Self::mac(secret, chat_id).map(|m| URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())).unwrap_or_default()
    }

    /// Whether `token` was issued for `chat_id` under any current secret
    /// (compared in constant time).
    pub fn verify(&self, chat_id: &str, token: &str) -> bool {
        let Ok(raw) = URL_SAFE_NO_PAD.decode(token.trim()) else { return false };
        self.secrets.iter().any(|s| Self::mac(s, chat_id).is_some_and(|m| m.verify_slice(&raw).is_ok()))
    }

    /// Checks the token a request carries: `X-Chat-Token`, `Authorization:
    /// Bearer`, or the `token` query parameter (EventSource cannot set headers).
    pub fn check(&self, chat_id: &str, headers: &HeaderMap, query: Option<&str>) -> Result<(), Refusal> {
        let given = headers
            .get("x-chat-token")
            .and_then(|v| v.to_str().ok())
            .or_else(|| {
                headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
            })
            .map(str::to_string)
            .or_else(|| query.map(str::to_string));
        match given {
            None => Err(Refusal::NoToken),
            Some(t) if self.verify(chat_id, &t) => Ok(()),
            Some(_) => Err(Refusal::BadToken),
        }
    }
}

type Direct = RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<<MonotonicClock as Clock>::Instant>>;

/// One GCRA limiter per key (a client address, a chat), kept in a bounded
/// cache that forgets keys idle longer than it takes their bucket to refill,
/// so a flood of addresses costs bounded memory.
pub struct KeyedLimits {
    quota: Option<Quota>,
    limiters: moka::sync::Cache<String, Arc<Direct>>,
    what: &'static str,
}

/// Keys remembered per limit; beyond it the least recently seen go first.
const MAX_KEYS: u64 = 100_000;

impl KeyedLimits {
    /// `per_minute` requests a minute with `burst` at once; 0 turns it off.
    pub fn new(per_minute: u32, burst: u32, what: &'static str) -> Self {
        let quota = NonZeroU32::new(per_minute)
            .map(|n| Quota::per_minute(n).allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN)));
        let refill = quota.map_or(Duration::from_secs(60), |q| q.replenish_interval() * q.burst_size().get());
        let limiters = moka::sync::Cache::builder()
            .max_capacity(MAX_KEYS)
            .time_to_idle(refill.max(Duration::from_secs(1)))
            .build();
        Self { quota, limiters, what }
    }

    /// Takes one request from `key`'s bucket, or says how long to wait.
    pub fn check(&self, key: &str) -> Result<(), Refusal> {
        let Some(quota) = self.quota else { return Ok(()) };
        let limiter =
            self.limiters.get_with_by_ref(key, || Arc::new(RateLimiter::direct_with_clock(quota, MonotonicClock)));
        limiter.check().map_err(|not_until| Refusal::TooMany {
            retry_after: not_until.wait_time_from(MonotonicClock.now()),
            what: self.what,
        })
    }
}

/// The client's address: the peer's, or with `trust_forwarded_for` (behind
/// a proxy that sets it) the first address of `X-Forwarded-For`.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_token_opens_its_own_chat_only_and_survives_a_rotation() {
        let old = ChatTokens::with_secrets(vec![b"old".to_vec()]);
        let t = old.issue("chat-1");
        assert!(old.verify("chat-1", &t));
        assert!(!old.verify("chat-2", &t));
        assert!(!old.verify("chat-1", "bm90IGEgdG9rZW4"));
        let rotated = ChatTokens::with_secrets(vec![b"new".to_vec(), b"old".to_vec()]);
        assert!(rotated.verify("chat-1", &t), "old tokens still open their chats");
        assert_ne!(rotated.issue("chat-1"), t, "new tokens use the new secret");
        let retired = ChatTokens::with_secrets(vec![b"new".to_vec()]);
        assert!(!retired.verify("chat-1", &t));
    }

    #[test]
    fn the_token_comes_from_a_header_or_the_query() {
        let tokens = ChatTokens::with_secrets(vec![b"s".to_vec()]);
        let t = tokens.issue("c");
        let mut h = HeaderMap::new();
        assert!(matches!(tokens.check("c", &h, None), Err(Refusal::NoToken)));
        assert!(tokens.check("c", &h, Some(&t)).is_ok());
        h.insert("x-chat-token", HeaderValue::from_str(&t).unwrap());
        assert!(tokens.check("c", &h, None).is_ok());
        assert!(matches!(tokens.check("d", &h, None), Err(Refusal::BadToken)));
    }

    #[test]
    fn only_json_bodies_are_taken() {
        let with = |ct: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
            require_json(&h).is_ok()
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(require_json(&HeaderMap::new()).is_err());
    }

    #[test]
    fn a_key_past_its_burst_waits_and_others_do_not() {
        let limits = KeyedLimits::new(1, 2, "address");
        assert!(limits.check("a").is_ok());
        assert!(limits.check("a").is_ok());
        match limits.check("a") {
            Err(Refusal::TooMany { retry_after, .. }) => assert!(retry_after > Duration::ZERO),
            other => panic!("{other:?}"),
        }
        assert!(limits.check("b").is_ok());
        let off = KeyedLimits::new(0, 0, "chat");
        assert!((0..100).all(|_| off.check("a").is_ok()));
    }
}
