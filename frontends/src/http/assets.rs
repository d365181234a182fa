//! The embeddable web chat, compiled into the binary: the page (`/chat`),
//! its script (`/chat/app.js`) and the snippet a company puts on its own
//! site (`/chat.js`), which opens the page in an iframe.

use axum::http::header;
use axum::response::IntoResponse;

pub const CHAT_HTML: &str = include_str!("../../../web/chat.html");
pub const CHAT_APP_JS: &str = include_str!("../../../web/chat-app.js");
pub const EMBED_JS: &str = include_str!("../../../web/embed.js");

/// Scripts only from here, no inline script. No `frame-ancestors`: any page
/// may frame the chat, which is the point of it (`*` would still refuse
/// pages on `file:` and other non-network schemes).
const PAGE_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";
const JS: &str = "text/javascript; charset=utf-8";

pub async fn chat_page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CHAT_HTML,
    )
}

pub async fn chat_app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, "no-cache")], CHAT_APP_JS)
}

/// Served to other origins' pages, hence the CORS header (harmless for a
/// public script, and needed when it is loaded as a module or with SRI).
pub async fn embed_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, JS),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        EMBED_JS,
    )
}
