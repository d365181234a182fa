//! The console's routes and handlers. Pages need a session cookie (or go to
//! sign-in); the API needs a bearer token (401 without, 403 for the wrong
//! role). Both build their view with the same functions and the same
//! redaction, so a role sees the same fields either way.

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::Stream;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{CustomerId, StepKind};
use tradewind_ports::review::{Actor, DecideError, DecisionRequest, Review, Stage};

use crate::auth::{self, Who};
use crate::i18n::Lang;
use crate::roles::{self, Role};
use crate::{json_error, strategies, Console};

type S = State<Arc<Console>>;

pub fn templates() -> Result<handlebars::Handlebars<'static>, String> {
    let mut h = handlebars::Handlebars::new();
    h.set_strict_mode(false);
    for (name, text) in [
        ("layout", include_str!("../templates/layout.hbs")),
        ("login", include_str!("../templates/login.hbs")),
        ("inbox", include_str!("../templates/inbox.hbs")),
        ("rows", include_str!("../templates/rows.hbs")),
        ("inquiry", include_str!("../templates/inquiry.hbs")),
        ("ops", include_str!("../templates/ops.hbs")),
        ("source", include_str!("../templates/source.hbs")),
        ("strategies", include_str!("../templates/strategies.hbs")),
    ] {
        h.register_template_string(name, text).map_err(|e| format!("console template {name}: {e}"))?;
    }
    h.register_helper("eq", Box::new(eq_helper));
    Ok(h)
}

handlebars::handlebars_helper!(eq_helper: |a: Value, b: Value| a == b);

pub fn routes(c: Arc<Console>) -> Router {
    let timed = Router::new()
        .route("/console", get(inbox))
        .route("/console/", get(|| async { Redirect::to("/console") }))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/lang/{code}", get(set_lang))
        .route("/console/ops", get(ops_page))
        .route("/console/ops/retry", post(ops_retry))
        .route("/console/audit.jsonl", get(audit_export_page))
        .route("/console/sources/{*path}", get(source_page))
        .route("/console/app.css", get(|| async { asset("text/css", include_str!("../templates/app.css")) }))
        .route("/console/app.js", get(|| async { asset("text/javascript", include_str!("../templates/app.js")) }))
        .route("/inquiries/{id}", get(inquiry_page))
        .route("/inquiries/{id}/decide", post(decide_form))
        .route("/inquiries/{id}/audit.jsonl", get(inquiry_audit_page))
        .route("/api/v1/inquiries", get(api_list))
        .route("/api/v1/inquiries/{id}", get(api_inquiry))
        .route("/api/v1/inquiries/{id}/decision", post(api_decide))
        .route("/api/v1/inquiries/{id}/audit", get(api_inquiry_audit))
        .route("/api/v1/audit", get(api_audit_export))
        .route("/api/v1/ops", get(api_ops))
        .route("/api/v1/ops/dead-letters/{id}/retry", post(api_retry))
        .route("/console/strategies", get(strategies::page))
        .route("/console/strategies/reports/{id}", get(strategies::report_page))
        .route("/console/strategies/canary/stop", post(strategies::stop_form))
        .route("/api/v1/strategies", get(strategies::api_overview))
        .route("/api/v1/strategies/reports/{id}", get(strategies::api_report))
        .route("/api/v1/strategies/canary/stop", post(strategies::api_stop))
        .route("/metrics", get(metrics))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, crate::REQUEST_TIMEOUT))
        .with_state(c.clone());
    // The live stream is meant to stay open: no request timeout on it.
    let streams = Router::new().route("/console/events", get(live)).with_state(c);
    timed.merge(streams).layer(axum::middleware::map_response(security_headers))
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    // A replay report brings its own policy: inline styles, and no script at all.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "max-age=300")], body).into_response()
}

pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::parse(auth::cookie(headers, auth::LANG_COOKIE))
}

/// Only paths on this site, so `next` cannot send anyone elsewhere.
fn local_path(p: Option<&str>) -> String {
    match p {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/console".into(),
    }
}

fn to_login(path: &str) -> Response {
    Redirect::to(&format!("/console/login?next={}", urlencoding::encode(path))).into_response()
}

impl Console {
    pub(crate) fn render(&self, name: &str, headers: &HeaderMap, who: Option<&Who>, mut data: Value) -> Response {
        let lang = lang_of(headers);
        data["t"] = lang.table();
        data["lang"] = json!(lang.code());
        if let Some(w) = who {
            data["who"] = json!({"name": w.name, "role": w.role.as_str(), "operates": w.role.operates(), "exports_audit": w.role.exports_audit()});
            data["csrf"] = json!(self.keys.csrf(&w.nonce));
        }
        match self.templates.render(name, &data) {
            Ok(body) => Html(body).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "console page failed to render");
                (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response()
            }
        }
    }

    // The error is the response to send (a redirect or a 401), built once
    // here; boxing it would only move the allocation.
    #[allow(clippy::result_large_err)]
    pub(crate) fn page_who(&self, headers: &HeaderMap, path: &str) -> Result<Who, Response> {
        self.who_by_cookie(headers).ok_or_else(|| to_login(path))
    }

    #[allow(clippy::result_large_err)]
    pub(crate) fn api_who(&self, headers: &HeaderMap) -> Result<Who, Response> {
        self.who_by_token(headers).ok_or_else(|| {
            let mut r =
                json_error(StatusCode::UNAUTHORIZED, "a bearer token is required (tradewind users token <name>)");
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            r
        })
    }
}

// ---- sign-in ----

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    error: Option<String>,
}

async fn login_page(State(c): S, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let nonce = auth::random_nonce();
    let data = json!({"csrf": c.keys.csrf(&format!("pre:{nonce}")), "next": local_path(q.next.as_deref()), "error": q.error.is_some()});
    let mut res = c.render("login", &headers, None, data);
    if let Ok(v) = HeaderValue::from_str(&c.keys.cookie(auth::PRE_COOKIE, &nonce, Duration::from_secs(3600))) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

async fn login(State(c): S, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let pre = auth::cookie(&headers, auth::PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !c.keys.check_csrf(&format!("pre:{pre}"), &f.csrf) {
        return (StatusCode::FORBIDDEN, "the sign-in form expired; reload it").into_response();
    }
    if c.logins.check_key(&f.name).is_err() {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "60")],
            "too many sign-in attempts; wait a minute",
        )
            .into_response();
    }
    let next = local_path(f.next.as_deref());
    let users = c.users.clone();
    let (name, password) = (f.name.clone(), f.password.clone());
    // argon2 is deliberately slow: off the async threads.
    let user = tokio::task::spawn_blocking(move || users.check_password(&name, &password)).await.ok().flatten();
    let Some(user) = user else {
        tracing::info!(user = %f.name, "console sign-in refused");
        return Redirect::to(&format!("/console/login?error=1&next={}", urlencoding::encode(&next))).into_response();
    };
    let session = c.keys.issue(&user.name, user.role);
    let mut res = Redirect::to(&next).into_response();
    for cookie in [
        c.keys.cookie(auth::SESSION_COOKIE, &session, c.keys.session_ttl),
        c.keys.cookie(auth::PRE_COOKIE, "", Duration::ZERO),
    ] {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(c): S, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    if let Some(who) = c.who_by_cookie(&headers) {
        if !c.keys.check_csrf(&who.nonce, &f.csrf) {
            return (StatusCode::FORBIDDEN, "bad form token").into_response();
        }
    }
    let mut res = Redirect::to("/console/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&c.keys.cookie(auth::SESSION_COOKIE, "", Duration::ZERO)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct BackQuery {
    back: Option<String>,
}

async fn set_lang(State(c): S, Path(code): Path<String>, Query(q): Query<BackQuery>) -> Response {
    let lang = Lang::parse(Some(&code));
    let mut res = Redirect::to(&local_path(q.back.as_deref())).into_response();
    if let Ok(v) =
        HeaderValue::from_str(&c.keys.cookie(auth::LANG_COOKIE, lang.code(), Duration::from_secs(365 * 86400)))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

// ---- inbox ----

#[derive(Deserialize, Default, Clone)]
pub struct InboxQuery {
    pub status: Option<String>,
    pub risk: Option<String>,
    pub channel: Option<String>,
    pub language: Option<String>,
    pub customer: Option<String>,
    pub since_hours: Option<u64>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub fragment: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != "any")
}

/// The inbox as JSON: counts per status (under the other filters) and the
/// rows, newest first.
pub async fn inbox_view(c: &Console, who: &Who, q: &InboxQuery) -> Result<Value, Response> {
    let all = c.reviews.list(2_000).await.map_err(|e| json_error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()))?;
    let since = q.since_hours.filter(|h| *h > 0).map(|h| tradewind_core::now_ms().saturating_sub(h * 3_600_000));
    let keep = |r: &Review| {
        nonempty(&q.risk).is_none_or(|x| r.risk == x)
            && nonempty(&q.channel).is_none_or(|x| r.channel == x)
            && nonempty(&q.language).is_none_or(|x| r.language == x)
            && nonempty(&q.customer).is_none_or(|x| r.customer.contains(x) || r.inquiry_id.contains(x))
            && since.is_none_or(|s| r.created_ms >= s)
    };
    let filtered: Vec<&Review> = all.iter().filter(|r| keep(r)).collect();
    let mut counts: BTreeMap<&str, usize> = Stage::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for r in &filtered {
        *counts.entry(r.stage.as_str()).or_default() += 1;
    }
    let status = nonempty(&q.status);
    let lang = Lang::En;
    let rows: Vec<Value> = filtered
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.stage.as_str() == s))
        .take(q.limit.unwrap_or(200).min(1_000))
        .map(|r| {
            json!({
                "inquiry_id": r.inquiry_id, "stage": r.stage.as_str(), "stage_label": lang.word(&format!("stage_{}", r.stage.as_str())),
                "risk": r.risk, "channel": r.channel, "language": r.language,
                "customer": if who.role.sees_pii() { r.customer.clone() } else { short_customer(&r.customer) },
                "created_ms": r.created_ms, "updated_ms": r.updated_ms, "held": r.held.len(), "rev": r.rev,
            })
        })
        .collect();
    let channels: BTreeSet<&str> = all.iter().map(|r| r.channel.as_str()).filter(|c| !c.is_empty()).collect();
    Ok(json!({"counts": counts, "items": rows, "channels": channels}))
}

/// A customer key without the chat user id, for roles without PII access.
fn short_customer(key: &str) -> String {
    match key.split_once(':') {
        Some((ch, rest)) if ch != "u" => {
            format!("{ch}:…{}", rest.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect::<String>())
        }
        _ => key.chars().take(10).collect(),
    }
}

async fn inbox(State(c): S, headers: HeaderMap, Query(q): Query<InboxQuery>) -> Response {
    let who = match c.page_who(&headers, "/console") {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut view = match inbox_view(&c, &who, &q).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = lang_of(&headers);
    if let Some(items) = view["items"].as_array_mut() {
        for it in items.iter_mut() {
            let label = lang.word(&format!("stage_{}", it["stage"].as_str().unwrap_or_default()));
            it["stage_label"] = json!(label);
        }
    }
    let counts: Vec<Value> = Stage::ALL
        .iter()
        .map(|s| json!({"stage": s.as_str(), "label": lang.word(&format!("stage_{}", s.as_str())), "n": view["counts"][s.as_str()], "selected": q.status.as_deref() == Some(s.as_str())}))
        .collect();
    view["stage_counts"] = json!(counts);
    view["q"] = json!({"status": q.status, "risk": q.risk, "channel": q.channel, "language": q.language, "customer": q.customer, "since_hours": q.since_hours});
    view["risks"] = json!(["clear", "review", "high", "blocked", "unknown"]);
    let template = if q.fragment.as_deref() == Some("rows") { "rows" } else { "inbox" };
    c.render(template, &headers, Some(&who), view)
}

/// Server-sent events: `changed` whenever the newest review or any review's
/// revision changes. Polls the store, so it works the same whether the
/// swarm runs in this process or on workers elsewhere.
async fn live(State(c): S, headers: HeaderMap) -> Response {
    if c.who_by_cookie(&headers).is_none() && c.who_by_token(&headers).is_none() {
        return json_error(StatusCode::UNAUTHORIZED, "sign in first");
    }
    Sse::new(changes(c)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

fn changes(c: Arc<Console>) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    futures::stream::unfold((c, None::<String>), |(c, last)| async move {
        loop {
            let print = match c.reviews.list(50).await {
                Ok(list) => list.iter().map(|r| format!("{}@{}", r.inquiry_id, r.rev)).collect::<Vec<_>>().join(","),
                Err(_) => String::new(),
            };
            if last.as_deref() != Some(print.as_str()) {
                let ev = Event::default().event("changed").data(print.len().to_string());
                return Some((Ok(ev), (c, Some(print))));
            }
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    })
}

// ---- the inquiry ----

/// The id behind a customer key as results store it (`c:web:42`, `u:<hash>`).
fn customer_id(key: &str) -> CustomerId {
    match key.strip_prefix("u:") {
        Some(h) => CustomerId::Unified(h.to_string()),
        None => CustomerId::Channel(key.strip_prefix("c:").unwrap_or(key).to_string()),
    }
}

/// Everything about one inquiry that `who` may see, as JSON.
pub async fn inquiry_view(c: &Console, who: &Who, id: &str) -> Result<Value, Response> {
    let unavailable = |e: String| json_error(StatusCode::SERVICE_UNAVAILABLE, &e);
    let review = c.reviews.get(id).await.map_err(|e| unavailable(e.to_string()))?;
    let result = c.memory.result(id).await.map_err(|e| unavailable(e.to_string()))?;
    if review.is_none() && result.is_none() {
        return Err(json_error(StatusCode::NOT_FOUND, &format!("no inquiry {id}")));
    }
    let role = who.role;
    let result_json = result.as_ref().map(|r| roles::redact_result(role, serde_json::to_value(r).unwrap_or_default()));
    let transcript = c.memory.transcript(id).await.map_err(|e| unavailable(e.to_string()))?;
    let mut lanes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let (mut prompt_tokens, mut completion_tokens, mut model_calls) = (0u64, 0u64, 0u32);
    let t0 = transcript.first().map_or(0, |s| s.at_ms);
    for step in &transcript {
        let tool = match &step.kind {
            StepKind::ToolCall { tool, .. } => Some(tool.as_str()),
            _ => None,
        };
        let lane = lanes.entry(step.agent.clone()).or_default();
        if !roles::sees_step(role, &step.agent, tool) {
            lane.push(json!({"seq": step.seq, "type": "hidden", "at": step.at_ms.saturating_sub(t0), "duration_ms": format!("{:.1}", step.duration_ms)}));
            continue;
        }
        if let StepKind::ModelReply { prompt_tokens: p, completion_tokens: q, .. } = &step.kind {
            prompt_tokens += u64::from(*p);
            completion_tokens += u64::from(*q);
            model_calls += 1;
        }
        let mut v = serde_json::to_value(step).unwrap_or_default();
        v["at"] = json!(step.at_ms.saturating_sub(t0));
        v["duration_ms"] = json!(format!("{:.1}", step.duration_ms));
        for k in ["args", "result", "value"] {
            if let Some(x) = v.get(k).filter(|x| !x.is_null()) {
                v[format!("{k}_text")] = json!(serde_json::to_string_pretty(x).unwrap_or_default());
            }
        }
        lane.push(v);
    }
    let order = ["swarm", "intake", "proposal", "customs", "faq", "reply"];
    let mut lane_list: Vec<Value> = Vec::new();
    for name in order
        .iter()
        .map(|s| s.to_string())
        .chain(lanes.keys().filter(|k| !order.contains(&k.as_str())).cloned().collect::<Vec<_>>())
    {
        if let Some(steps) = lanes.remove(&name) {
            lane_list.push(json!({"agent": name, "steps": steps}));
        }
    }
    // The conversation: the thread's versions and the customer's turns.
    let thread_id = result.as_ref().and_then(|r| r.thread.as_ref().map(|t| t.thread_id.clone()));
    let thread = match thread_id {
        Some(t) => c.memory.thread(&t).await.map_err(|e| unavailable(e.to_string()))?,
        None => None,
    };
    let versions: Vec<Value> = thread
        .as_ref()
        .map(|t| {
            t.versions
                .iter()
                .map(|v| {
                    let inquiry = roles::redact_result(role, json!({"inquiry": v.inquiry}))["inquiry"].clone();
                    json!({"version": v.version, "inquiry_id": v.inquiry_id, "at_ms": v.at_ms, "kinds": v.kinds, "changes": v.changes, "inquiry": inquiry})
                })
                .collect()
        })
        .unwrap_or_default();
    let run_ids: BTreeSet<String> = thread
        .as_ref()
        .map(|t| t.versions.iter().map(|v| v.inquiry_id.clone()).collect())
        .unwrap_or_else(|| std::iter::once(id.to_string()).collect());
    let customer = result.as_ref().map(|r| r.customer.clone()).or(review.as_ref().map(|r| r.customer.clone()));
    let turns: Vec<Value> = match &customer {
        Some(k) => c
            .memory
            .load_customer(&customer_id(k))
            .await
            .map(|v| v.recent_turns)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| run_ids.contains(&t.inquiry_id))
            .map(|t| json!({"role": t.role, "text": t.text, "at_ms": t.at_ms}))
            .collect(),
        None => Vec::new(),
    };
    let audit: Vec<Value> = c
        .audit
        .for_inquiry(id)
        .await
        .map_err(|e| unavailable(e.to_string()))?
        .into_iter()
        .map(|e| roles::redact_audit(role, serde_json::to_value(e).unwrap_or_default()))
        .collect();
    let review_json = review.as_ref().map(|r| roles::redact_review(role, serde_json::to_value(r).unwrap_or_default()));
    // Free text quotes the contact and the parties: scrub what the role may
    // not see from every string, not only from the structured fields.
    let secrets = result
        .as_ref()
        .map(|r| roles::secrets_of(role, &serde_json::to_value(r).unwrap_or_default()))
        .unwrap_or_default();
    let mut view = json!({
        "inquiry_id": id,
        "review": review_json,
        "result": result_json,
        "lanes": lane_list,
        "tokens": {"prompt": prompt_tokens, "completion": completion_tokens, "model_calls": model_calls},
        "versions": versions,
        "conversation": turns,
        "audit": audit,
    });
    roles::scrub(&mut view, &secrets);
    Ok(view)
}

/// Markdown to HTML with any raw HTML in it shown as text, and links to
/// knowledge sources kept on this site.
pub fn markdown_html(md: &str) -> String {
    use pulldown_cmark::{Event as Md, Parser};
    let events = Parser::new(md).map(|e| match e {
        Md::Html(t) | Md::InlineHtml(t) => Md::Text(t),
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

fn slug(s: &str) -> String {
    let s: String = s.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

async fn inquiry_page(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let who = match c.page_who(&headers, &format!("/inquiries/{}", urlencoding::encode(&id))) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut v = match inquiry_view(&c, &who, &id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = lang_of(&headers);
    let role = who.role;
    let draft = v["review"]["drafts"]
        .as_array()
        .and_then(|d| d.last())
        .map(|d| d["body"].as_str().unwrap_or_default().to_string());
    let proposal_md = draft.or_else(|| v["result"]["proposal"]["value"]["markdown"].as_str().map(str::to_string));
    if role.sees_prices() {
        if let Some(md) = &proposal_md {
            v["proposal_html"] = json!(markdown_html(md));
            v["draft_body"] = json!(md);
        }
    }
    let citations: Vec<Value> = v["result"]["proposal"]["value"]["citations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|ci| {
            let source = ci["source"].as_str().unwrap_or_default().to_string();
            let section = ci["section"].as_str().map(slug);
            let href = c.sources.contains_key(&source).then(|| {
                format!("/console/sources/{}{}", source, section.as_ref().map(|s| format!("#{s}")).unwrap_or_default())
            });
            json!({"source": source, "section": ci["section"], "href": href, "chunk_id": ci["chunk_id"]})
        })
        .collect();
    v["citations"] = json!(citations);
    let stage = v["review"]["stage"].as_str().unwrap_or_default().to_string();
    v["stage_label"] = json!(lang.word(&format!("stage_{stage}")));
    v["can_comply"] = json!(stage == "awaiting_compliance" && matches!(role, Role::Compliance | Role::Admin));
    v["can_sell"] = json!(stage == "awaiting_sales" && matches!(role, Role::Sales | Role::Admin));
    v["awaiting"] = json!(stage.starts_with("awaiting"));
    if let Some(findings) = v["result"]["customs"]["value"]["findings"].as_array_mut() {
        for f in findings.iter_mut() {
            let cites: Vec<String> = f["citations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| {
                            format!(
                                "{}{}",
                                c["source"].as_str().unwrap_or_default(),
                                c["section"].as_str().map(|s| format!(" §{s}")).unwrap_or_default()
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            f["sources"] = json!(cites.join("; "));
        }
    }
    if let Some(held) = v["review"]["held"].as_array_mut() {
        for h in held.iter_mut() {
            let body = h["delivery"]["body"].as_str().unwrap_or_default().to_string();
            h["html"] = json!(markdown_html(&body));
        }
    }
    v["audit_rows"] = json!(v["audit"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            for k in ["before", "after"] {
                let s = match &e[k] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                e[format!("{k}_text")] = json!(s.chars().take(400).collect::<String>());
            }
            e
        })
        .collect::<Vec<_>>());
    c.render("inquiry", &headers, Some(&who), v)
}

#[derive(Deserialize)]
struct DecideForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    body: Option<String>,
    rev: u64,
    csrf: String,
}

async fn decide_form(State(c): S, headers: HeaderMap, Path(id): Path<String>, Form(f): Form<DecideForm>) -> Response {
    let back = format!("/inquiries/{}", urlencoding::encode(&id));
    let who = match c.page_who(&headers, &back) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !c.keys.check_csrf(&who.nonce, &f.csrf) {
        return (StatusCode::FORBIDDEN, "bad form token; reload the page").into_response();
    }
    let req = DecisionRequest { action: f.action, reason: f.reason, body: f.body, rev: f.rev };
    match c.approvals.decide(&id, &Actor { name: who.name.clone(), role: who.role.as_str().into() }, &req).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => decide_error(e),
    }
}

fn decide_error(e: DecideError) -> Response {
    match e {
        DecideError::NotFound(m) => json_error(StatusCode::NOT_FOUND, &format!("no inquiry {m}")),
        DecideError::Forbidden(m) => json_error(StatusCode::FORBIDDEN, &m),
        DecideError::Invalid(m) => json_error(StatusCode::UNPROCESSABLE_ENTITY, &m),
        DecideError::Store(tradewind_ports::ReviewError::Conflict(m)) => {
            json_error(StatusCode::CONFLICT, &format!("inquiry {m} changed meanwhile; reload and try again"))
        }
        DecideError::Store(e) => json_error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    }
}

fn jsonl(events: Vec<Value>) -> Response {
    let mut body = String::new();
    for e in events {
        body.push_str(&e.to_string());
        body.push('\n');
    }
    ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
}

/// Audit events as JSON Lines, redacted for `role`.
fn audit_jsonl(role: Role, events: Result<Vec<tradewind_ports::AuditEvent>, tradewind_ports::ReviewError>) -> Response {
    match events {
        Ok(events) => jsonl(
            events
                .into_iter()
                .map(|e| roles::redact_audit(role, serde_json::to_value(e).unwrap_or_default()))
                .collect(),
        ),
        Err(e) => json_error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    }
}

async fn inquiry_audit(c: &Console, who: &Who, id: &str) -> Response {
    audit_jsonl(who.role, c.audit.for_inquiry(id).await)
}

async fn inquiry_audit_page(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    match c.page_who(&headers, &format!("/inquiries/{id}")) {
        Ok(who) => inquiry_audit(&c, &who, &id).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct ExportQuery {
    since_ms: Option<u64>,
    limit: Option<usize>,
}

async fn audit_export(c: &Console, who: &Who, q: &ExportQuery) -> Response {
    if !who.role.exports_audit() {
        return json_error(
            StatusCode::FORBIDDEN,
            "exporting the audit log needs the admin, compliance or finance role",
        );
    }
    audit_jsonl(who.role, c.audit.export(q.since_ms.unwrap_or(0), q.limit.unwrap_or(100_000).min(1_000_000)).await)
}

async fn audit_export_page(State(c): S, headers: HeaderMap, Query(q): Query<ExportQuery>) -> Response {
    match c.page_who(&headers, "/console") {
        Ok(who) => audit_export(&c, &who, &q).await,
        Err(r) => r,
    }
}

async fn source_page(State(c): S, headers: HeaderMap, Path(path): Path<String>) -> Response {
    let who = match c.page_who(&headers, "/console") {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(md) = c.sources.get(&path) else {
        return (StatusCode::NOT_FOUND, "no such knowledge source").into_response();
    };
    // Headings get ids (their slugs), so a citation's section opens in place.
    let mut html = String::new();
    for block in md.split("\n\n") {
        let first = block.lines().next().unwrap_or_default();
        let heading = first.trim_start_matches('#');
        if first.starts_with('#') {
            html.push_str(&format!("<a id=\"{}\"></a>", slug(heading.trim())));
        }
        html.push_str(&markdown_html(block));
    }
    c.render("source", &headers, Some(&who), json!({"source": path, "html": html}))
}

// ---- operations ----

async fn ops_page(State(c): S, headers: HeaderMap) -> Response {
    let who = match c.page_who(&headers, "/console/ops") {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !who.role.operates() {
        return (StatusCode::FORBIDDEN, "the operations page needs the admin, logistics or support role")
            .into_response();
    }
    let snap = c.ops.snapshot().await;
    c.render(
        "ops",
        &headers,
        Some(&who),
        json!({"ops": snap, "ops_text": serde_json::to_string_pretty(&snap).unwrap_or_default()}),
    )
}

#[derive(Deserialize)]
struct RetryForm {
    delivery_id: String,
    csrf: String,
}

async fn ops_retry(State(c): S, headers: HeaderMap, Form(f): Form<RetryForm>) -> Response {
    let who = match c.page_who(&headers, "/console/ops") {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !c.keys.check_csrf(&who.nonce, &f.csrf) {
        return (StatusCode::FORBIDDEN, "bad form token; reload the page").into_response();
    }
    if !who.role.operates() {
        return (StatusCode::FORBIDDEN, "retrying needs the admin, logistics or support role").into_response();
    }
    match c.ops.retry_dead_letter(&f.delivery_id).await {
        Ok(_) => Redirect::to("/console/ops").into_response(),
        Err(e) => json_error(StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

// ---- the API ----

async fn api_list(State(c): S, headers: HeaderMap, Query(q): Query<InboxQuery>) -> Response {
    let who = match c.api_who(&headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match inbox_view(&c, &who, &q).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn api_inquiry(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let who = match c.api_who(&headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match inquiry_view(&c, &who, &id).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// Whether the request says its body is JSON.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")))
}

async fn api_decide(State(c): S, headers: HeaderMap, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let who = match c.api_who(&headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !is_json(&headers) {
        return json_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the decision as application/json");
    }
    let req: DecisionRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &format!("bad decision: {e}")),
    };
    match c.approvals.decide(&id, &Actor { name: who.name.clone(), role: who.role.as_str().into() }, &req).await {
        Ok(r) => Json(roles::redact_review(who.role, serde_json::to_value(r).unwrap_or_default())).into_response(),
        Err(e) => decide_error(e),
    }
}

async fn api_inquiry_audit(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    match c.api_who(&headers) {
        Ok(who) => inquiry_audit(&c, &who, &id).await,
        Err(r) => r,
    }
}

async fn api_audit_export(State(c): S, headers: HeaderMap, Query(q): Query<ExportQuery>) -> Response {
    match c.api_who(&headers) {
        Ok(who) => audit_export(&c, &who, &q).await,
        Err(r) => r,
    }
}

async fn api_ops(State(c): S, headers: HeaderMap) -> Response {
    let who = match c.api_who(&headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !who.role.operates() {
        return json_error(StatusCode::FORBIDDEN, "operations need the admin, logistics or support role");
    }
    Json(c.ops.snapshot().await).into_response()
}

async fn api_retry(State(c): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let who = match c.api_who(&headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if !who.role.operates() {
        return json_error(StatusCode::FORBIDDEN, "retrying needs the admin, logistics or support role");
    }
    match c.ops.retry_dead_letter(&id).await {
        Ok(w) => Json(json!({"retried": id, "to": w})).into_response(),
        Err(e) => json_error(StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

async fn metrics(State(c): S, headers: HeaderMap) -> Response {
    if let Err(r) = c.api_who(&headers) {
        return r;
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], c.ops.metrics()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inquiry_page_lists_each_document_group_once_with_its_level() {
        let h = templates().expect("templates parse");
        let data = serde_json::json!({
            "t": {"customs": "Customs", "risk": "risk", "source": "source", "documents": "Documents"},
            "result": {"customs": {"value": {
                "summary": "Review: a person must check documents (DOC-NG-SONCAP).",
                "documents": ["SONCAP Product Certificate"],
                "findings": [
                    {"kind": "documents", "level": "review", "message": "SONCAP Product Certificate (DOC-NG-SONCAP)", "sources": "destinations.toml#DOC-NG-SONCAP"},
                    {"kind": "hs", "level": "clear", "message": "TW-LB-0009 classified under HS 8539.52", "sources": "hs"}
                ]
            }}}
        });
        let html = h.render("inquiry", &data).expect("page renders");
        assert_eq!(html.matches("SONCAP Product Certificate").count(), 1, "{html}");
        assert!(html.contains("<li><span class=\"risk risk-review\">review</span> SONCAP"), "{html}");
        assert!(html.contains("<td>hs</td>"), "{html}");
    }
}
