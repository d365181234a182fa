//! Who is asking: a signed session cookie (pages) or a bearer token (API),
//! checked against the users file on every request, so a revoked account
//! or a changed role ends its sessions at once. CSRF tokens are derived
//! from the session (or, before sign-in, from a pre-session cookie), so
//! every form carries a value a cross-site page cannot know.

use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::roles::Role;
use crate::users::UserStore;

pub const SESSION_COOKIE: &str = "tw_session";
pub const PRE_COOKIE: &str = "tw_pre";
pub const LANG_COOKIE: &str = "tw_lang";

/// A signed-in person.
#[derive(Debug, Clone, PartialEq)]
pub struct Who {
    pub name: String,
    pub role: Role,
    /// Binds CSRF tokens to this session.
    pub nonce: String,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    u: String,
    r: Role,
    exp: u64,
    n: String,
}

pub struct Keys {
    secret: Vec<u8>,
    pub session_ttl: Duration,
    pub secure: bool,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn random_nonce() -> String {
    let mut raw = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    B64.encode(raw)
}

impl Keys {
    /// `secret` from the configuration, or a random one for this process.
    pub fn new(secret: Option<&str>, session_ttl: Duration, secure: bool) -> Self {
        let secret = match secret.filter(|s| !s.is_empty()) {
            Some(s) => s.as_bytes().to_vec(),
            None => {
                tracing::warn!("[console] session_secret is not set; sessions are signed with a random secret and end with this process");
                let mut raw = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut raw);
                raw
            }
        };
        Self { secret, session_ttl, secure }
    }

    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        // HMAC takes keys of any length; new_from_slice cannot fail for it.
        let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(&self.secret) {
            Ok(m) => m,
            Err(_) => return Vec::new(),
        };
        for p in parts {
            m.update(p);
            m.update(b"\x00");
        }
        m.finalize().into_bytes().to_vec()
    }

    fn verify_mac(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        let expected = self.mac(parts);
        !expected.is_empty() && subtle::ConstantTimeEq::ct_eq(expected.as_slice(), tag).into()
    }

    /// The cookie value for a new session of `name`.
    pub fn issue(&self, name: &str, role: Role) -> String {
        let claims =
            Claims { u: name.into(), r: role, exp: now_secs() + self.session_ttl.as_secs(), n: random_nonce() };
        let body = B64.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let tag = B64.encode(self.mac(&[b"session", body.as_bytes()]));
        format!("{body}.{tag}")
    }

    /// The session in `cookie`, if it is ours, unexpired, and its account
    /// still exists with the same role.
    pub fn check(&self, cookie: &str, users: &UserStore) -> Option<Who> {
        let (body, tag) = cookie.split_once('.')?;
        let tag = B64.decode(tag).ok()?;
        if !self.verify_mac(&[b"session", body.as_bytes()], &tag) {
            return None;
        }
        let claims: Claims = serde_json::from_slice(&B64.decode(body).ok()?).ok()?;
        if claims.exp < now_secs() {
            return None;
        }
        let user = users.live(&claims.u)?;
        (user.role == claims.r).then_some(Who { name: claims.u, role: claims.r, nonce: claims.n })
    }

    /// The CSRF token for forms of the session (or pre-session) `nonce`.
    pub fn csrf(&self, nonce: &str) -> String {
        B64.encode(self.mac(&[b"csrf", nonce.as_bytes()]))
    }

    pub fn check_csrf(&self, nonce: &str, token: &str) -> bool {
        B64.decode(token).map(|t| self.verify_mac(&[b"csrf", nonce.as_bytes()], &t)).unwrap_or(false)
    }

    /// `Set-Cookie` for `name=value`, HttpOnly and SameSite=Strict.
    pub fn cookie(&self, name: &str, value: &str, max_age: Duration) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", max_age.as_secs())
    }
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The bearer token of an API request.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_with_its_account_and_csrf_tokens_bind_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let users = UserStore::open(dir.path().join("users.json"));
        users.add("ana", Role::Sales, Some("a long password")).unwrap();
        let keys = Keys::new(Some("s3cret"), Duration::from_secs(60), true);
        let cookie = keys.issue("ana", Role::Sales);
        let who = keys.check(&cookie, &users).unwrap();
        assert_eq!(who.role, Role::Sales);
        let other = Keys::new(Some("other"), Duration::from_secs(60), true);
        assert!(other.check(&cookie, &users).is_none(), "another secret's cookie");
        let (body, _) = cookie.split_once('.').unwrap();
        assert!(keys.check(&format!("{body}.AAAA"), &users).is_none(), "a forged tag");
        let csrf = keys.csrf(&who.nonce);
        assert!(keys.check_csrf(&who.nonce, &csrf));
        assert!(!keys.check_csrf("another-session", &csrf));
        users.revoke("ana").unwrap();
        assert!(keys.check(&cookie, &users).is_none(), "revoked");
        assert!(keys.cookie("x", "y", Duration::from_secs(1)).contains("HttpOnly; SameSite=Strict"));
    }
}
