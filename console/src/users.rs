//! The operators' accounts, in one owner-only JSON file: name, role, an
//! argon2id password hash and the SHA-256 digests of their API tokens. A
//! file rather than the memory backend because `tradewind users` must work
//! before any service is up, like an htpasswd file; every process re-reads
//! it when it changes, so a revocation takes effect at the next request.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::roles::Role;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// argon2id PHC string; none for token-only accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// SHA-256 digests (hex) of the API tokens issued to this user.
    #[serde(default)]
    pub tokens: Vec<String>,
    #[serde(default)]
    pub revoked: bool,
    pub created_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("users file {path}: {message}")]
    File { path: String, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("no user named '{0}'")]
    NoSuchUser(String),
}

pub struct UserStore {
    path: PathBuf,
    /// The file's contents as of its modification time.
    cache: Mutex<Option<(Option<SystemTime>, Vec<User>)>>,
}

/// A token is 32 random bytes, so a fast digest is enough to store it.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl UserStore {
    pub fn open(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), cache: Mutex::new(None) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: impl std::fmt::Display) -> UsersError {
        UsersError::File { path: self.path.display().to_string(), message: e.to_string() }
    }

    /// Every account; an absent file is no accounts.
    pub fn list(&self) -> Result<Vec<User>, UsersError> {
        let modified = std::fs::metadata(&self.path).and_then(|m| m.modified()).ok();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, users)) = cache.as_ref() {
            if *at == modified && modified.is_some() {
                return Ok(users.clone());
            }
        }
        let users: Vec<User> = match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.err(e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(self.err(e)),
        };
        *cache = Some((modified, users.clone()));
        Ok(users)
    }

    fn save(&self, users: &[User]) -> Result<(), UsersError> {
        let bytes = serde_json::to_vec_pretty(users).map_err(|e| self.err(e))?;
        tradewind_ports::files::write_private(&self.path, &bytes).map_err(|e| self.err(e))?;
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    /// Adds (or, for a revoked account, re-creates) `name` with `role`.
    pub fn add(&self, name: &str, role: Role, password: Option<&str>) -> Result<User, UsersError> {
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@');
        if name.is_empty() || name.len() > 64 || !name.bytes().all(plain) {
            return Err(UsersError::Invalid("a user name is 1-64 of A-Z, a-z, 0-9, '.', '_', '-', '@'".into()));
        }
        let password = match password {
            Some(p) if p.chars().count() < 10 => {
                return Err(UsersError::Invalid("a password needs at least 10 characters".into()))
            }
            Some(p) => Some(hash_password(p)?),
            None => None,
        };
        let mut users = self.list()?;
        if users.iter().any(|u| u.name == name && !u.revoked) {
            return Err(UsersError::Invalid(format!("user '{name}' exists; revoke it first")));
        }
        users.retain(|u| u.name != name);
        let user = User {
            name: name.to_string(),
            role,
            password,
            tokens: Vec::new(),
            revoked: false,
            created_ms: tradewind_core::now_ms(),
        };
        users.push(user.clone());
        self.save(&users)?;
        Ok(user)
    }

    /// Revokes the account and every token it holds.
    pub fn revoke(&self, name: &str) -> Result<(), UsersError> {
        let mut users = self.list()?;
        let user = users.iter_mut().find(|u| u.name == name).ok_or_else(|| UsersError::NoSuchUser(name.into()))?;
        user.revoked = true;
        user.tokens.clear();
        user.password = None;
        self.save(&users)
    }

    /// Issues a new API token for `name`; it is shown once and only its
    /// digest is kept.
    pub fn issue_token(&self, name: &str) -> Result<String, UsersError> {
        let mut users = self.list()?;
        let user = users
            .iter_mut()
            .find(|u| u.name == name && !u.revoked)
            .ok_or_else(|| UsersError::NoSuchUser(name.into()))?;
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = format!("tw_{}", hex::encode(raw));
        user.tokens.push(token_digest(&token));
        self.save(&users)?;
        Ok(token)
    }

    /// The live account `name` if `password` is its password.
    pub fn check_password(&self, name: &str, password: &str) -> Option<User> {
        let user = self.list().ok()?.into_iter().find(|u| u.name == name && !u.revoked);
        // Hash something even for an unknown user, so the reply time does
        // not tell which names exist.
        let phc = user.as_ref().and_then(|u| u.password.clone()).unwrap_or_else(dummy_hash);
        let ok = PasswordHash::new(&phc)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        user.filter(|u| ok && u.password.is_some())
    }

    /// The live account holding `token`.
    pub fn check_token(&self, token: &str) -> Option<User> {
        let digest = token_digest(token);
        self.list().ok()?.into_iter().find(|u| {
            !u.revoked && u.tokens.iter().any(|t| subtle::ConstantTimeEq::ct_eq(t.as_bytes(), digest.as_bytes()).into())
        })
    }

    /// The live account `name`.
    pub fn live(&self, name: &str) -> Option<User> {
        self.list().ok()?.into_iter().find(|u| u.name == name && !u.revoked)
    }
}

/// An argon2id hash of a random password nobody has, checked for unknown names.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let mut raw = [0u8; 24];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            hash_password(&hex::encode(raw)).unwrap_or_default()
        })
        .clone()
}

fn hash_password(p: &str) -> Result<String, UsersError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(p.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UsersError::Invalid(format!("cannot hash the password: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens_check_and_revocation_ends_both() {
        let dir = tempfile::tempdir().unwrap();
        let store = UserStore::open(dir.path().join("users.json"));
        store.add("ana", Role::Compliance, Some("correct horse battery")).unwrap();
        assert!(store.check_password("ana", "correct horse battery").is_some());
        assert!(store.check_password("ana", "wrong password!").is_none());
        assert!(store.check_password("bob", "correct horse battery").is_none());
        let token = store.issue_token("ana").unwrap();
        assert_eq!(store.check_token(&token).unwrap().role, Role::Compliance);
        assert!(store.check_token("tw_00").is_none());
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(!text.contains(&token) && !text.contains("correct horse"), "only hashes are stored");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
        store.revoke("ana").unwrap();
        assert!(store.check_token(&token).is_none());
        assert!(store.check_password("ana", "correct horse battery").is_none());
    }

    #[test]
    fn short_passwords_and_odd_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = UserStore::open(dir.path().join("users.json"));
        assert!(matches!(store.add("ana", Role::Sales, Some("short")), Err(UsersError::Invalid(_))));
        assert!(matches!(store.add("a b", Role::Sales, None), Err(UsersError::Invalid(_))));
        store.add("ana", Role::Sales, None).unwrap();
        assert!(matches!(store.add("ana", Role::Sales, None), Err(UsersError::Invalid(_))));
    }
}
