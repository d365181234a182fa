//! The operators' console: sign-in with roles, the inbox, the inquiry page
//! (conversation, versions, per-agent timeline, proposal, customs, cards,
//! deliveries), approvals, the audit log, operations, strategies (when the
//! application hands over a strategy board), `/metrics`, and the JSON API
//! under `/api/v1` that enforces the same rules as the pages.
//!
//! Server-rendered (handlebars, escaped by default) with a few lines of
//! script for live updates: no build step, usable without JavaScript.
//! It knows the ports only; the application passes in the stores, the
//! desk (`Approvals`) and the operations view.

pub mod auth;
pub mod i18n;
pub mod pages;
pub mod roles;
pub mod strategies;
pub mod users;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tradewind_ports::review::{Approvals, AuditLog, OpsView, ReviewStore};
use tradewind_ports::strategy::StrategyBoard;
use tradewind_ports::Memory;

pub use auth::{Keys, Who};
pub use roles::Role;
pub use users::{User, UserStore, UsersError};

type Limiter = governor::RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    governor::clock::DefaultClock,
    governor::middleware::NoOpMiddleware,
>;

/// Everything the console reads and acts through.
pub struct Console {
    pub memory: Arc<dyn Memory>,
    pub reviews: Arc<dyn ReviewStore>,
    pub audit: Arc<dyn AuditLog>,
    pub approvals: Arc<dyn Approvals>,
    pub ops: Arc<dyn OpsView>,
    pub users: Arc<UserStore>,
    pub keys: Keys,
    /// Knowledge sources by path (Markdown), for opening a citation.
    pub sources: Arc<BTreeMap<String, String>>,
    /// Strategies, canaries and replay reports; none until the application
    /// runs a sandbox, and then the strategies pages say so.
    strategies: Option<Arc<dyn StrategyBoard>>,
    templates: handlebars::Handlebars<'static>,
    /// Sign-in attempts per user name: ten a minute, then wait.
    logins: Limiter,
}

impl Console {
    // One argument per port the console reads; a builder would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        memory: Arc<dyn Memory>,
        reviews: Arc<dyn ReviewStore>,
        audit: Arc<dyn AuditLog>,
        approvals: Arc<dyn Approvals>,
        ops: Arc<dyn OpsView>,
        users: Arc<UserStore>,
        keys: Keys,
        sources: Arc<BTreeMap<String, String>>,
    ) -> Result<Self, String> {
        let per_minute = NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            memory,
            reviews,
            audit,
            approvals,
            ops,
            users,
            keys,
            sources,
            strategies: None,
            templates: pages::templates()?,
            logins: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
        })
    }

    /// Shows the strategy board's strategies, canary and replay reports,
    /// and lets an admin stop the canary.
    pub fn with_strategies(mut self, board: Arc<dyn StrategyBoard>) -> Self {
        self.strategies = Some(board);
        self
    }

    /// The routes: `/console/…`, `/inquiries/…`, `/api/v1/…`, `/metrics`.
    pub fn router(self: Arc<Self>) -> Router {
        pages::routes(self)
    }

    fn who_by_cookie(&self, headers: &HeaderMap) -> Option<Who> {
        auth::cookie(headers, auth::SESSION_COOKIE).and_then(|c| self.keys.check(c, &self.users))
    }

    fn who_by_token(&self, headers: &HeaderMap) -> Option<Who> {
        let token = auth::bearer(headers)?;
        let user = self.users.check_token(token)?;
        Some(Who { name: user.name, role: user.role, nonce: String::new() })
    }
}

/// A JSON error with its status.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({"error": message, "status": status.as_u16()}).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// How long a console request may take (the live stream is exempt).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
