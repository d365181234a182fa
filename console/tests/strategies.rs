//! The strategies page and API on the console's own router, with a fake
//! strategy board (the port's test double) and the in-process stores:
//! every role reads the active strategy, the canary, the figures, the
//! reports and the history; only an admin stops a canary, with a form token
//! and a reason; an unknown report is a 404.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt;
use tradewind_console::{Console, Keys, Role, UserStore};
use tradewind_memory::{InProcessAudit, InProcessMemory, InProcessReviews, MemoryConfig};
use tradewind_ports::review::{Actor, Approvals, DecideError, DecisionRequest, OpsView, Review};
use tradewind_ports::strategy::{
    BoardError, CanaryState, LiveFigures, ReportInfo, StrategyBoard, StrategyEvent, StrategyInfo, StrategyOverview,
};

const SECRET: &str = "strategies test secret";
const REPORT_HTML: &str = "<!doctype html><title>rep-7</title><style>h1{color:red}</style><h1>Replay rep-7</h1>";
const ROLLBACK_REASON: &str = "error rate 12% over the 5% threshold";

/// The board as the sandbox would fill it, recording the stops it is asked for.
#[derive(Default)]
struct FakeBoard {
    stops: Mutex<Vec<(String, String)>>,
}

fn overview() -> StrategyOverview {
    let strategy = |id: &str, role: &str| StrategyInfo {
        id: id.into(),
        description: format!("{id} <script>alert(1)</script>"),
        fingerprint: format!("fp-{id}"),
        source: "the configuration".into(),
        role: role.into(),
    };
    StrategyOverview {
        active: "baseline@v2".into(),
        canary: Some(CanaryState {
            strategy: "terse@v3".into(),
            share: 0.25,
            started_ms: 1_767_000_000_000,
            by: "user:ada".into(),
        }),
        strategies: vec![strategy("baseline@v2", "active"), strategy("terse@v3", "canary")],
        live: vec![LiveFigures {
            strategy: "terse@v3".into(),
            window_secs: 600,
            inquiries: 40,
            errors: 1,
            degraded: 2,
            negative_feedback: 3,
            error_rate: 0.025,
            degraded_rate: 0.05,
            negative_rate: 0.075,
        }],
        thresholds: vec!["max_error_rate = 0.05".into()],
        reports: vec![ReportInfo {
            id: "rep-7".into(),
            created_ms: 1_766_990_000_000,
            baseline: "baseline@v2".into(),
            candidate: "terse@v3".into(),
            passed: true,
            cases: 120,
            cases_with_diffs: 9,
            false_triggers: 0,
            metric: "answered_without_human".into(),
            improvement: Some(0.052),
        }],
        history: vec![
            StrategyEvent {
                at_ms: 1_766_000_000_000,
                action: "rollback".into(),
                strategy: "chatty@v1".into(),
                by: "canary".into(),
                reason: ROLLBACK_REASON.into(),
            },
            StrategyEvent {
                at_ms: 1_765_000_000_000,
                action: "canary".into(),
                strategy: "chatty@v1".into(),
                by: "cli".into(),
                reason: String::new(),
            },
        ],
    }
}

#[async_trait::async_trait]
impl StrategyBoard for FakeBoard {
    async fn overview(&self) -> Result<StrategyOverview, BoardError> {
        Ok(overview())
    }

    async fn report_html(&self, id: &str) -> Result<String, BoardError> {
        match id {
            "rep-7" => Ok(REPORT_HTML.into()),
            _ => Err(BoardError::NotFound(format!("no report {id}"))),
        }
    }

    async fn report_json(&self, id: &str) -> Result<Value, BoardError> {
        match id {
            "rep-7" => Ok(json!({"id": "rep-7", "gate": {"passed": true}})),
            _ => Err(BoardError::NotFound(format!("no report {id}"))),
        }
    }

    async fn stop_canary(&self, by: &str, reason: &str) -> Result<(), BoardError> {
        self.stops.lock().unwrap().push((by.into(), reason.into()));
        Ok(())
    }
}

struct NoDesk;

#[async_trait::async_trait]
impl Approvals for NoDesk {
    async fn decide(&self, id: &str, _: &Actor, _: &DecisionRequest) -> Result<Review, DecideError> {
        Err(DecideError::NotFound(id.into()))
    }
}

struct NoOps;

#[async_trait::async_trait]
impl OpsView for NoOps {
    async fn snapshot(&self) -> Value {
        json!({})
    }

    async fn retry_dead_letter(&self, id: &str) -> Result<String, String> {
        Err(format!("no dead letter {id}"))
    }

    fn metrics(&self) -> String {
        String::new()
    }
}

/// The console's router with one signed-in admin (`ada`) and one
/// sales person (`sam`), each with a session cookie and an API token.
struct Desk {
    router: Router,
    keys: Keys,
    users: Arc<UserStore>,
    board: Arc<FakeBoard>,
    _dir: tempfile::TempDir,
}

impl Desk {
    fn new(with_board: bool) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let users = Arc::new(UserStore::open(dir.path().join("users.json")));
        users.add("ada", Role::Admin, None).unwrap();
        users.add("sam", Role::Sales, None).unwrap();
        let keys = || Keys::new(Some(SECRET), Duration::from_secs(3600), false);
        let board = Arc::new(FakeBoard::default());
        let mut console = Console::new(
            Arc::new(InProcessMemory::new(MemoryConfig::default())),
            Arc::new(InProcessReviews::new(100)),
            Arc::new(InProcessAudit::new(100)),
            Arc::new(NoDesk),
            Arc::new(NoOps),
            users.clone(),
            keys(),
            Arc::new(BTreeMap::new()),
        )
        .unwrap();
        if with_board {
            console = console.with_strategies(board.clone());
        }
        Desk { router: Arc::new(console).router(), keys: keys(), users, board, _dir: dir }
    }

    /// A session cookie for `name` and the form token that goes with it.
    fn session(&self, name: &str, role: Role) -> (String, String) {
        let cookie = self.keys.issue(name, role);
        let who = self.keys.check(&cookie, &self.users).unwrap();
        (format!("tw_session={cookie}"), self.keys.csrf(&who.nonce))
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn page(&self, cookie: &str, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        self.call(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    async fn post_form(&self, cookie: &str, path: &str, form: &str) -> (StatusCode, String) {
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap();
        let (status, _, body) = self.call(req).await;
        (status, body)
    }

    async fn api(&self, name: &str, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let token = self.users.issue_token(name).unwrap();
        let mut req =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let (status, _, text) = self.call(req).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn stops(&self) -> Vec<(String, String)> {
        self.board.stops.lock().unwrap().clone()
    }
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn the_page_shows_the_active_strategy_the_canary_the_figures_reports_and_a_rollback_reason() {
    let d = Desk::new(true);
    let (cookie, _) = d.session("sam", Role::Sales);
    let (status, _, html) = d.page(&cookie, "/console/strategies").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for needle in [
        "<code id=\"active-strategy\">baseline@v2</code>",
        "<code id=\"canary-strategy\">terse@v3</code>",
        "<td id=\"canary-share\">25%</td>",
        "<td id=\"canary-by\">user:ada</td>",
        "2.5% <small>(1)</small>",
        "7.5% <small>(3)</small>",
        "10 min",
        // Handlebars escapes '=' too.
        "<code>max_error_rate &#x3D; 0.05</code>",
        "fp-terse@v3",
        "<a href=\"/console/strategies/reports/rep-7\">rep-7</a>",
        "PASSED",
        "+5.2%",
        "answered_without_human",
    ] {
        assert!(html.contains(needle), "missing {needle:?} in:\n{html}");
    }
    let rollback = html.find("<tr class=\"rollback\" data-action=\"rollback\">").expect("the rollback row is marked");
    assert!(html[rollback..].contains(ROLLBACK_REASON), "the rollback shows its reason");
    assert!(html.contains("<a href=\"/console/strategies\">Strategies</a>"), "the nav links the page");
    assert!(!html.contains("<script>alert") && html.contains("&lt;script&gt;alert"), "text is escaped");

    // In Chinese, the same page in the operator's words.
    let (_, _, zh) = d.page(&format!("{cookie}; tw_lang=zh"), "/console/strategies").await;
    assert!(zh.contains("灰度发布") && zh.contains("通过"), "{zh}");
}

#[tokio::test]
async fn only_an_admin_gets_the_stop_button_and_may_stop_the_canary_with_a_token_and_a_reason() {
    let d = Desk::new(true);
    let (sales, sales_csrf) = d.session("sam", Role::Sales);
    let (_, _, html) = d.page(&sales, "/console/strategies").await;
    assert!(!html.contains("stop-canary"), "no stop button for sales:\n{html}");
    let (status, _) = d
        .post_form(
            &sales,
            "/console/strategies/canary/stop",
            &form_encode(&[("csrf", &sales_csrf), ("reason", "I do not like it")]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (admin, csrf) = d.session("ada", Role::Admin);
    let (_, _, html) = d.page(&admin, "/console/strategies").await;
    assert!(html.contains("id=\"stop-canary\""), "the admin sees the button");
    assert!(html.contains(&format!("name=\"csrf\" value=\"{csrf}\"")), "the form carries the session's token");

    let path = "/console/strategies/canary/stop";
    let (status, _) = d.post_form(&admin, path, &form_encode(&[("reason", "errors up")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no form token");
    let (status, _) = d.post_form(&admin, path, &form_encode(&[("csrf", &sales_csrf), ("reason", "errors up")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another session's token");
    let (status, body) = d.post_form(&admin, path, &form_encode(&[("csrf", &csrf), ("reason", "  ")])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no reason: {body}");
    assert!(d.stops().is_empty(), "nothing refused reached the board");

    let req = Request::post(path)
        .header(header::COOKIE, &admin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_encode(&[("csrf", &csrf), ("reason", "negative feedback doubled")])))
        .unwrap();
    let (status, headers, _) = d.call(req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/console/strategies");
    assert_eq!(d.stops(), vec![("user:ada".to_string(), "negative feedback doubled".to_string())]);
}

#[tokio::test]
async fn the_report_page_serves_the_boards_html_and_an_unknown_report_is_a_404() {
    let d = Desk::new(true);
    let (cookie, _) = d.session("sam", Role::Sales);
    let (status, headers, body) = d.page(&cookie, "/console/strategies/reports/rep-7").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, REPORT_HTML);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("style-src 'unsafe-inline'") && !csp.contains("script-src"), "{csp}");
    for path in ["/console/strategies/reports/rep-8", "/console/strategies/reports/..%2Fusers.json"] {
        let (status, _, _) = d.page(&cookie, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, v) = d.api("sam", "GET", "/api/v1/strategies/reports/rep-7", None).await;
    assert_eq!((status, v["id"].clone()), (StatusCode::OK, json!("rep-7")));
    let (status, v) = d.api("sam", "GET", "/api/v1/strategies/reports/rep-8", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");

    // Signed out: sent to sign in, nothing of the report shown.
    let (status, headers, _) = d.page("", "/console/strategies/reports/rep-7").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().unwrap().starts_with("/console/login?next="));
}

#[tokio::test]
async fn the_api_returns_the_overview_to_every_role_and_lets_only_an_admin_stop_the_canary() {
    let d = Desk::new(true);
    let (status, v) = d.api("sam", "GET", "/api/v1/strategies", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, serde_json::to_value(overview()).unwrap());
    let (status, _, _) = d.call(Request::get("/api/v1/strategies").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no token");

    let stop = "/api/v1/strategies/canary/stop";
    let (status, _) = d.api("sam", "POST", stop, Some(json!({"reason": "errors up"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = d.api("ada", "POST", stop, Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(d.stops().is_empty());
    let (status, v) = d.api("ada", "POST", stop, Some(json!({"reason": "errors up"}))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(d.stops(), vec![("user:ada".to_string(), "errors up".to_string())]);
}

#[tokio::test]
async fn without_a_board_the_page_says_so_and_the_api_is_a_404() {
    let d = Desk::new(false);
    let (cookie, _) = d.session("ada", Role::Admin);
    let (status, _, html) = d.page(&cookie, "/console/strategies").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"strategies-unavailable\""), "{html}");
    for path in ["/api/v1/strategies", "/api/v1/strategies/reports/rep-7"] {
        assert_eq!(d.api("ada", "GET", path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = d.api("ada", "POST", "/api/v1/strategies/canary/stop", Some(json!({"reason": "x"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
