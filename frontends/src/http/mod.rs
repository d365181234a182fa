//! The HTTP front end (axum): the web chat API (`POST /v1/chats` issues a
//! chat id and its token, `POST /v1/messages` takes a message or the
//! customer's verdict on an earlier answer, replies over server-sent events
//! for the token's holder only), the embeddable chat page,
//! `/healthz`, and the Telegram webhook when that mode is on. Errors from
//! the application come from `AppError::http_status()`; refusals at the
//! door (token, rate, Content-Type) from `guard::Refusal`.

pub mod assets;
pub mod guard;
pub mod hub;
pub mod serve;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use guard::{client_ip, require_json, ChatTokens, KeyedLimits, Refusal};

use crate::{check_size, InFlight};
use tradewind_ports::ingress::{InboundMessage, Ingress, Submitted};
use tradewind_ports::AppError;

pub const CHANNEL: &str = "web";
/// Chat and message ids travel in URLs and Redis keys: short and plain.
const MAX_ID_LEN: usize = 128;
const MAX_USER_LEN: usize = 256;

pub struct HttpState {
    pub ingress: Arc<dyn Ingress>,
    pub hub: Arc<hub::WebHub>,
    pub inflight: Arc<InFlight>,
    pub max_message_bytes: usize,
    pub max_body_bytes: usize,
    /// Ends the event streams once the shutdown drain is over.
    pub closing: CancellationToken,
    pub tokens: ChatTokens,
    pub per_ip: KeyedLimits,
    pub per_chat: KeyedLimits,
    pub trust_forwarded_for: bool,
    /// Answering a request (body included) may take this long; 408 after.
    pub request_timeout: Duration,
    /// Browser origins allowed to call the API; empty: no CORS.
    pub cors_origins: Vec<String>,
    /// The chat page's branding, served as `/chat/config.json`.
    pub chat_page: serde_json::Value,
}

impl HttpState {
    /// Counts a request against its client's address.
    fn admit(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Result<(), Refusal> {
        self.per_ip.check(&client_ip(peer.map(|p| p.ip()), headers, self.trust_forwarded_for))
    }
}

/// All routes; `extra` (the Telegram webhook) is merged in when present.
pub fn router(state: Arc<HttpState>, extra: Option<Router>) -> Router {
    let max_body = state.max_body_bytes;
    let timeout =
        tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.request_timeout);
    let cors = cors_layer(&state.cors_origins);
    let mut r = Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/chats", post(new_chat))
        .route("/v1/messages", post(post_message))
        .route("/chat", get(assets::chat_page))
        .route("/chat/app.js", get(assets::chat_app_js))
        .route("/chat/config.json", get(chat_config))
        .route("/chat.js", get(assets::embed_js))
        .fallback(not_found)
        .with_state(state.clone());
    if let Some(extra) = extra {
        r = r.merge(extra);
    }
    // The reply stream is meant to stay open: no request timeout on it.
    let streams = Router::new().route("/v1/chats/{chat_id}/events", get(events)).with_state(state);
    let mut r = r.layer(timeout).merge(streams).layer(DefaultBodyLimit::max(max_body));
    if let Some(cors) = cors {
        r = r.layer(cors);
    }
    r
}

/// CORS for the configured origins only; none configured means no CORS
/// headers, so browsers keep other sites' pages from reading the API.
fn cors_layer(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    let allowed: Vec<header::HeaderValue> =
        origins.iter().filter_map(|o| header::HeaderValue::from_str(o).ok()).collect();
    if allowed.is_empty() {
        return None;
    }
    Some(
        tower_http::cors::CorsLayer::new()
            .allow_origin(allowed)
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("x-chat-token"),
            ]),
    )
}

/// An `AppError` as an HTTP response: status from the one mapping, the
/// reason for 4xx (it is about the caller's input), and only the
/// customer-safe message for 5xx (the cause goes to the log).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0.http_status();
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = self.0.customer_message();
        let error = if code >= 500 {
            tracing::error!(error = %self.0, "request failed");
            message.to_string()
        } else {
            self.0.to_string()
        };
        (status, Json(serde_json::json!({"error": error, "message": message, "status": code}))).into_response()
    }
}

/// A body that could not be read: over the limit (413) or broken (400).
pub fn body_error(rejection: BytesRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("the request body is over the size limit".into())
    } else {
        AppError::BadInput(format!("cannot read the request body: {}", rejection.body_text()))
    }
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("no such route".into()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostMessage {
    /// The conversation; absent starts a new one (its id is returned).
    #[serde(default, alias = "session_id")]
    chat_id: Option<String>,
    /// The customer within the web channel; defaults to the chat. An
    /// embedding site that knows its users should set it server-side.
    #[serde(default)]
    user: Option<String>,
    /// Required, except with `feedback`, whose text is a fixed marker
    /// (any text sent with it is not used).
    #[serde(default)]
    text: Option<String>,
    /// The client's own id for the message, making retries idempotent.
    /// Not used with `feedback`: a chat gives one verdict per inquiry.
    #[serde(default)]
    message_id: Option<String>,
    /// Start a new inquiry in this chat even if one is open.
    #[serde(default)]
    new: bool,
    /// The token issued with `chat_id` (or in `X-Chat-Token`).
    #[serde(default)]
    chat_token: Option<String>,
    /// The customer's verdict on an earlier answer in this chat (the
    /// "not helpful" button) instead of a message.
    #[serde(default)]
    feedback: Option<PostFeedback>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostFeedback {
    inquiry_id: String,
    helpful: bool,
}

/// The client's socket address, when the server loop recorded it.
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)))
    }
}

/// A new chat: its id and the token that opens it.
fn issue_chat(s: &HttpState) -> (String, String) {
    let chat_id = uuid::Uuid::new_v4().to_string();
    let token = s.tokens.issue(&chat_id);
    (chat_id, token)
}

async fn chat_config(State(s): State<Arc<HttpState>>) -> Response {
    ([(header::CACHE_CONTROL, "no-cache")], Json(s.chat_page.clone())).into_response()
}

async fn new_chat(
    State(s): State<Arc<HttpState>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    // Read although unused: an unread body makes hyper close the kept-alive
    // connection, and the client's next request on it fails mid-write.
    _body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    s.admit(peer, &headers)?;
    let (chat_id, token) = issue_chat(&s);
    let events = format!("/v1/chats/{chat_id}/events");
    Ok((StatusCode::CREATED, Json(serde_json::json!({"chat_id": chat_id, "chat_token": token, "events": events})))
        .into_response())
}

fn check_id(what: &str, id: &str) -> Result<(), AppError> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':');
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(plain) {
        return Err(AppError::BadInput(format!(
            "{what} must be 1-{MAX_ID_LEN} characters of A-Z, a-z, 0-9, '-', '_', '.', ':'"
        )));
    }
    Ok(())
}

async fn post_message(
    State(s): State<Arc<HttpState>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    s.admit(peer, &headers).map_err(IntoResponse::into_response)?;
    require_json(&headers).map_err(IntoResponse::into_response)?;
    accept_message(&s, &headers, body)
        .await
        .map_err(|e| ApiError(e).into_response())?
        .map_err(IntoResponse::into_response)
}

async fn accept_message(
    s: &HttpState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Result<Response, Refusal>, AppError> {
    let body = body.map_err(body_error)?;
    let malformed = |e: serde_json::Error| AppError::BadInput(format!("malformed JSON body: {e}"));
    let body: serde_json::Value = serde_json::from_slice(&body).map_err(malformed)?;
    // Every field may be absent, so serde would take `[]` for a message.
    if !body.is_object() {
        return Err(AppError::BadInput("malformed JSON body: expected an object".into()));
    }
    let req: PostMessage = serde_json::from_value(body).map_err(malformed)?;
    match (&req.feedback, &req.text, &req.chat_id) {
        (None, None, _) => return Err(AppError::BadInput("missing field `text`".into())),
        // Before a chat is issued: a verdict belongs to an existing one.
        (Some(_), _, None) => {
            return Err(AppError::BadInput("feedback needs the chat_id of the chat it is about".into()))
        }
        _ => {}
    }
    let (chat_id, issued) = match req.chat_id {
        Some(c) => {
            check_id("chat_id", &c)?;
            if let Err(refused) = s.tokens.check(&c, headers, req.chat_token.as_deref()) {
                return Ok(Err(refused));
            }
            (c, None)
        }
        None => {
            let (c, token) = issue_chat(s);
            (c, Some(token))
        }
    };
    if let Err(refused) = s.per_chat.check(&chat_id) {
        return Ok(Err(refused));
    }
    let feedback = match &req.feedback {
        Some(f) => Some(crate::feedback::verdict(&f.inquiry_id, f.helpful)?),
        None => None,
    };
    let message_id = match (&feedback, req.message_id) {
        // One verdict per inquiry and chat: pressing again is a duplicate.
        // No client id can look like this one ('/' is not allowed in them).
        (Some(f), _) => format!("{chat_id}/feedback/{}", f.inquiry_id),
        (None, Some(m)) => {
            check_id("message_id", &m)?;
            // Scoped to the chat: two browsers may both call theirs "1".
            format!("{chat_id}/{m}")
        }
        (None, None) => uuid::Uuid::new_v4().to_string(),
    };
    let user = req.user.unwrap_or_else(|| chat_id.clone());
    if user.trim().is_empty() || user.len() > MAX_USER_LEN {
        return Err(AppError::BadInput(format!("user must be 1-{MAX_USER_LEN} bytes")));
    }
    let text = match &feedback {
        Some(f) => crate::feedback::marker(f.helpful).to_string(),
        None => {
            let text = req.text.unwrap_or_default();
            check_size(&text, s.max_message_bytes)?;
            if text.trim().is_empty() {
                return Err(AppError::BadInput("text is empty".into()));
            }
            text
        }
    };
    let msg = InboundMessage {
        channel: CHANNEL.into(),
        chat_id: chat_id.clone(),
        user,
        message_id: message_id.clone(),
        text,
        received_at_ms: tradewind_core::now_ms(),
        start_new: req.new && feedback.is_none(),
        verified_phone: None,
        feedback,
    };
    // Owed before it is submitted: the reply may come back first.
    let owed = s.inflight.add(CHANNEL, &message_id);
    let settle = || {
        if owed {
            s.inflight.done(CHANNEL, &message_id);
        }
    };
    let submitted = s.ingress.submit(msg).await.inspect_err(|_| settle())?;
    let (status, label) = match submitted {
        Submitted::Accepted => (StatusCode::ACCEPTED, "accepted"),
        Submitted::Duplicate => {
            settle();
            (StatusCode::OK, "duplicate")
        }
    };
    let events = format!("/v1/chats/{chat_id}/events");
    let mut body = serde_json::json!({"status": label, "message_id": message_id, "chat_id": chat_id, "events": events});
    // A chat started by this message: its token, once.
    if let Some(token) = issued {
        body["chat_token"] = serde_json::Value::String(token);
    }
    Ok(Ok((status, Json(body)).into_response()))
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    token: Option<String>,
}

async fn events(
    State(s): State<Arc<HttpState>>,
    Path(chat_id): Path<String>,
    Query(query): Query<EventsQuery>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Result<Response, Response> {
    s.admit(peer, &headers).map_err(IntoResponse::into_response)?;
    check_id("chat_id", &chat_id).map_err(|e| ApiError(e).into_response())?;
    s.tokens.check(&chat_id, &headers, query.token.as_deref()).map_err(IntoResponse::into_response)?;
    // Sent by browsers when they reconnect; replies up to it were seen.
    let after =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let stream = s.hub.stream(chat_id, after, s.closing.clone());
    // Proxies (nginx) buffer responses unless told not to, which would hold
    // replies back until the buffer fills.
    Ok((
        [(header::CACHE_CONTROL, "no-cache"), (header::HeaderName::from_static("x-accel-buffering"), "no")],
        Sse::new(stream).keep_alive(KeepAlive::default()),
    )
        .into_response())
}
