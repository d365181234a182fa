//! `POST /telegram/webhook`: Telegram's calls in webhook mode. The secret
//! token is checked (in constant time) before the body is even parsed;
//! malformed updates get a 400 with the reason; a 5xx makes Telegram
//! deliver the update again, which the ingress dedupes.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::Arc;
use subtle::ConstantTimeEq;

use super::parse::{triage_bytes, Triage};
use super::Telegram;
use crate::http::{body_error, ApiError};
use tradewind_ports::AppError;

pub const PATH: &str = "/telegram/webhook";
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

struct Hook {
    tg: Arc<Telegram>,
    secret: String,
}

pub fn router(tg: Arc<Telegram>, secret: String) -> axum::Router {
    Router::new().route(PATH, post(receive)).with_state(Arc::new(Hook { tg, secret }))
}

async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    // Authentication failures have no `AppError` kind (they never reach the
    // application), so they are answered here: 401 without a token, 403 with
    // a wrong one.
    let Some(given) = headers.get(SECRET_HEADER) else {
        tracing::warn!("telegram webhook call without the secret token refused");
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "missing X-Telegram-Bot-Api-Secret-Token", "status": 401})),
        )
            .into_response();
    };
    if !bool::from(given.as_bytes().ct_eq(hook.secret.as_bytes())) {
        tracing::warn!("telegram webhook call with a wrong secret token refused");
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": "wrong X-Telegram-Bot-Api-Secret-Token", "status": 403})),
        )
            .into_response();
    }
    let body = match body {
        Ok(b) => b,
        Err(rejection) => return ApiError(body_error(rejection)).into_response(),
    };
    match triage_bytes(&body) {
        Triage::Serve(update) => match hook.tg.handle(*update).await {
            Ok(()) => StatusCode::OK.into_response(),
            Err(e) => ApiError(e).into_response(),
        },
        Triage::Ignore(why) => {
            tracing::info!(reason = %why, "telegram update ignored");
            StatusCode::OK.into_response()
        }
        Triage::Malformed(why) => {
            tracing::warn!(reason = %why, "malformed telegram update refused");
            ApiError(AppError::BadInput(format!("malformed update: {why}"))).into_response()
        }
    }
}
