//! The strategies page and its API: the active strategy, the live canary
//! with its figures and the thresholds it is held to, every strategy, the
//! replay reports, and the history of changes. Every signed-in role may
//! read them (ids and figures only: no prices, contacts or screening
//! details); only an admin may stop a canary, and must say why.

use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use tradewind_ports::strategy::{BoardError, StrategyBoard, StrategyOverview};

use crate::i18n::Lang;
use crate::pages::{is_json, lang_of};
use crate::roles::Role;
use crate::{json_error, Console};

type S = State<Arc<Console>>;

const PAGE: &str = "/console/strategies";
/// A reason is a sentence for the history, not a document.
const MAX_REASON_CHARS: usize = 1_000;
const MAX_REPORT_ID: usize = 128;
/// The report is the app's own self-contained page: inline styles, never a
/// script, nothing fetched, not framed, no forms.
const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

/// Stopping a canary changes what every customer is answered with.
fn may_stop(role: Role) -> bool {
    role == Role::Admin
}

fn status_of(e: &BoardError) -> StatusCode {
    match e {
        BoardError::NotFound(_) => StatusCode::NOT_FOUND,
        BoardError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        BoardError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn page_error(e: &BoardError) -> Response {
    if matches!(e, BoardError::Unavailable(_)) {
        tracing::warn!(error = %e, "strategy board unavailable");
    }
    (status_of(e), e.to_string()).into_response()
}

fn api_error(e: &BoardError) -> Response {
    if matches!(e, BoardError::Unavailable(_)) {
        tracing::warn!(error = %e, "strategy board unavailable");
    }
    json_error(status_of(e), &e.to_string())
}

const UNAVAILABLE: &str = "strategies are not available in this deployment";

/// Report ids name stored files: anything else cannot be one, and is not
/// passed on.
fn plausible_report_id(id: &str) -> bool {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@' | b':');
    !id.is_empty() && id.len() <= MAX_REPORT_ID && id.bytes().all(plain) && !id.starts_with('.')
}

/// The reason, trimmed, or what is wrong with it.
fn check_reason(reason: &str) -> Result<&str, String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("a reason is required to stop the canary".into());
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(format!("the reason is longer than {MAX_REASON_CHARS} characters"));
    }
    Ok(reason)
}

/// 0.25 → "25%", 0.034 → "3.4%".
fn percent(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn duration_text(secs: u64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The overview as the page shows it: shares and rates as percentages,
/// windows as durations, gate verdicts and actions in the reader's language.
pub fn overview_view(o: &StrategyOverview, lang: Lang) -> Value {
    let canary = o
        .canary
        .as_ref()
        .map(|c| json!({"strategy": c.strategy, "share": percent(c.share), "started_ms": c.started_ms, "by": c.by}));
    let live: Vec<Value> = o
        .live
        .iter()
        .map(|f| {
            json!({
                "strategy": f.strategy, "inquiries": f.inquiries, "window": duration_text(f.window_secs),
                "error_rate": percent(f.error_rate), "errors": f.errors,
                "degraded_rate": percent(f.degraded_rate), "degraded": f.degraded,
                "negative_rate": percent(f.negative_rate), "negative_feedback": f.negative_feedback,
            })
        })
        .collect();
    let reports: Vec<Value> = o
        .reports
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "href": format!("{PAGE}/reports/{}", urlencoding::encode(&r.id)),
                "created_ms": r.created_ms, "baseline": r.baseline, "candidate": r.candidate,
                "passed": r.passed, "verdict": lang.word(if r.passed { "passed" } else { "failed" }),
                "cases": r.cases, "cases_with_diffs": r.cases_with_diffs, "false_triggers": r.false_triggers,
                "metric": r.metric,
                "improvement": r.improvement.map_or_else(|| "—".to_string(), |x| format!("{:+.1}%", x * 100.0)),
            })
        })
        .collect();
    let history: Vec<Value> = o
        .history
        .iter()
        .map(|e| {
            let label = lang.word(&format!("action_{}", e.action));
            json!({
                "at_ms": e.at_ms, "action": e.action, "label": if label.is_empty() { e.action.as_str() } else { label },
                "rollback": e.action == "rollback", "strategy": e.strategy, "by": e.by, "reason": e.reason,
            })
        })
        .collect();
    json!({
        "active": o.active,
        "canary": canary,
        "live": live,
        "thresholds": o.thresholds,
        "strategies": o.strategies,
        "reports": reports,
        "history": history,
    })
}

fn board(c: &Console) -> Option<Arc<dyn StrategyBoard>> {
    c.strategies.clone()
}

pub async fn page(State(c): S, headers: HeaderMap) -> Response {
    let who = match c.page_who(&headers, PAGE) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(board) = board(&c) else {
        return c.render("strategies", &headers, Some(&who), json!({"available": false}));
    };
    let overview = match board.overview().await {
        Ok(o) => o,
        Err(e) => return page_error(&e),
    };
    let mut v = overview_view(&overview, lang_of(&headers));
    v["available"] = json!(true);
    v["can_stop"] = json!(may_stop(who.role));
    c.render("strategies", &headers, Some(&who), v)
}

pub async fn report_page(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = c.page_who(&headers, &format!("{PAGE}/reports/{}", urlencoding::encode(&id))) {
        return r;
    }
    let Some(board) = board(&c) else {
        return (StatusCode::NOT_FOUND, UNAVAILABLE).into_response();
    };
    let no_such = || (StatusCode::NOT_FOUND, "no such replay report").into_response();
    if !plausible_report_id(&id) {
        return no_such();
    }
    match board.report_html(&id).await {
        Ok(html) => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, REPORT_CSP)], html)
                .into_response()
        }
        Err(BoardError::NotFound(_)) => no_such(),
        Err(e) => page_error(&e),
    }
}

#[derive(Deserialize)]
pub struct StopForm {
    // Both defaulted so that a form without them is refused by the checks
    // below, in words, rather than by the extractor.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn stop_form(State(c): S, headers: HeaderMap, Form(f): Form<StopForm>) -> Response {
    let who = match c.page_who(&headers, PAGE) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !c.keys.check_csrf(&who.nonce, &f.csrf) {
        return (StatusCode::FORBIDDEN, "bad form token; reload the page").into_response();
    }
    if !may_stop(who.role) {
        return (StatusCode::FORBIDDEN, "stopping a canary needs the admin role").into_response();
    }
    let Some(board) = board(&c) else {
        return (StatusCode::NOT_FOUND, UNAVAILABLE).into_response();
    };
    let reason = match check_reason(&f.reason) {
        Ok(r) => r,
        Err(m) => return (StatusCode::BAD_REQUEST, m).into_response(),
    };
    match board.stop_canary(&format!("user:{}", who.name), reason).await {
        Ok(()) => Redirect::to(PAGE).into_response(),
        Err(e) => page_error(&e),
    }
}

pub async fn api_overview(State(c): S, headers: HeaderMap) -> Response {
    if let Err(r) = c.api_who(&headers) {
        return r;
    }
    let Some(board) = board(&c) else {
        return json_error(StatusCode::NOT_FOUND, UNAVAILABLE);
    };
    match board.overview().await {
        Ok(o) => Json(o).into_response(),
        Err(e) => api_error(&e),
    }
}

pub async fn api_report(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = c.api_who(&headers) {
        return r;
    }
    let Some(board) = board(&c) else {
        return json_error(StatusCode::NOT_FOUND, UNAVAILABLE);
    };
    if !plausible_report_id(&id) {
        return json_error(StatusCode::NOT_FOUND, "no such replay report");
    }
    match board.report_json(&id).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize)]
struct StopRequest {
    #[serde(default)]
    reason: String,
}

pub async fn api_stop(State(c): S, headers: HeaderMap, body: Bytes) -> Response {
    let who = match c.api_who(&headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !may_stop(who.role) {
        return json_error(StatusCode::FORBIDDEN, "stopping a canary needs the admin role");
    }
    let Some(board) = board(&c) else {
        return json_error(StatusCode::NOT_FOUND, UNAVAILABLE);
    };
    if !is_json(&headers) {
        return json_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the request as application/json");
    }
    let req: StopRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &format!("bad request: {e}")),
    };
    let reason = match check_reason(&req.reason) {
        Ok(r) => r,
        Err(m) => return json_error(StatusCode::BAD_REQUEST, &m),
    };
    let by = format!("user:{}", who.name);
    match board.stop_canary(&by, reason).await {
        Ok(()) => Json(json!({"stopped": true, "by": by, "reason": reason})).into_response(),
        Err(e) => api_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_rates_and_windows_read_as_people_write_them() {
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.034), "3.4%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(duration_text(600), "10 min");
        assert_eq!(duration_text(7200), "2 h");
        assert_eq!(duration_text(45), "45 s");
    }

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert!(check_reason("   ").is_err());
        assert_eq!(check_reason("  errors up  "), Ok("errors up"));
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    }

    #[test]
    fn only_plain_report_ids_reach_the_board() {
        assert!(plausible_report_id("rep-20260101-abc"));
        for bad in ["", "../etc/passwd", "a/b", ".hidden", &"x".repeat(MAX_REPORT_ID + 1)] {
            assert!(!plausible_report_id(bad), "{bad}");
        }
    }
}
