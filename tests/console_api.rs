//! The console's API and approval desk over real sockets, a real Redis and
//! the real swarm: every route refuses without a token (401) and for the
//! wrong role (403); each role sees only its fields; nothing held leaves by
//! any sink until a person approves it; every change is one audit event
//! with its values before and after; two people deciding at once cannot
//! both win.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use tradewind_app::IncomingMessage;
use tradewind_console::{Role, UserStore};
use tradewind_testkit::{start_stack_with, Stack};

const HIGH_RISK: &str =
    "Please quote 300 units of the 3 kW 24V off-grid inverter for delivery to Havana, Cuba. Caribe Energia S.A. Contact: Maria Lopez";
const CLEAR: &str =
    "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg, CIF. Nordlicht Energie GmbH";

struct Desk {
    s: Stack,
    http: Client,
    tokens: Vec<(Role, String)>,
}

impl Desk {
    async fn start(edit: impl FnOnce(&mut tradewind_app::Config)) -> Desk {
        let users_dir = tempfile::tempdir().unwrap().keep();
        let users_file = users_dir.join("users.json");
        let users = UserStore::open(&users_file);
        let mut tokens = Vec::new();
        for role in Role::ALL {
            users.add(role.as_str(), role, None).unwrap();
            tokens.push((role, users.issue_token(role.as_str()).unwrap()));
        }
        let s = start_stack_with(|c| {
            c.console.users_file = Some(users_file.clone());
            c.console.session_secret = Some("test secret".into());
            for sink in [&mut c.sinks.sales, &mut c.sinks.logistics, &mut c.sinks.customer_service] {
                *sink = "memory".into();
            }
            edit(c);
        })
        .await;
        Desk { s, http: Client::new(), tokens }
    }

    fn token(&self, role: Role) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    async fn get(&self, role: Option<Role>, path: &str) -> reqwest::Response {
        let mut r = self.http.get(self.s.url(path));
        if let Some(role) = role {
            r = r.bearer_auth(self.token(role));
        }
        r.send().await.unwrap()
    }

    async fn json(&self, role: Role, path: &str) -> Value {
        let res = self.get(Some(role), path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path} as {role:?}");
        res.json().await.unwrap()
    }

    async fn decide(&self, role: Role, id: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.s.url(&format!("/api/v1/inquiries/{id}/decision")))
            .bearer_auth(self.token(role))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn ask(&self, user: &str, text: &str) -> tradewind_core::SwarmResult {
        self.s
            .app()
            .send(IncomingMessage { channel: "web".into(), user: user.into(), text: text.into(), ..Default::default() })
            .await
    }

    /// Deliveries the sinks got for `id`, as (kind, body).
    fn delivered(&self, id: &str) -> Vec<(String, String)> {
        let collected = self.s.app().app.collected.clone().expect("memory sinks");
        collected.items().into_iter().filter(|d| d.inquiry_id == id).map(|d| (d.kind, d.body)).collect()
    }

    async fn rev(&self, id: &str) -> u64 {
        self.json(Role::Admin, &format!("/api/v1/inquiries/{id}")).await["review"]["rev"].as_u64().unwrap()
    }
}

#[tokio::test]
async fn every_console_and_api_route_needs_a_session_or_a_token() {
    let d = Desk::start(|_| {}).await;
    let id = d.ask("r1", CLEAR).await.inquiry_id;
    let api = [
        "/api/v1/inquiries".to_string(),
        format!("/api/v1/inquiries/{id}"),
        format!("/api/v1/inquiries/{id}/audit"),
        "/api/v1/audit".into(),
        "/api/v1/ops".into(),
        "/metrics".into(),
    ];
    for path in &api {
        let res = d.get(None, path).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        let res = d.http.get(d.s.url(path)).bearer_auth("tw_not-a-token").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path} with a made-up token");
    }
    for path in ["/api/v1/inquiries/x/decision".to_string(), "/api/v1/ops/dead-letters/x/retry".into()] {
        let res = d.http.post(d.s.url(&path)).json(&json!({})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // Pages send the browser to sign in; nothing of the inquiry shows.
    let no_redirects = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in
        ["/console".to_string(), format!("/inquiries/{id}"), "/console/ops".into(), "/console/audit.jsonl".into()]
    {
        let res = no_redirects.get(d.s.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(res.headers()["location"].to_str().unwrap().starts_with("/console/login?next="), "{path}");
    }
    let res = no_redirects.get(d.s.url("/console/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The customer's chat API stays public.
    let res =
        d.http.post(d.s.url("/v1/chats")).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    d.s.stop().await;
}

#[tokio::test]
async fn the_wrong_role_gets_403_on_each_guarded_route() {
    let d = Desk::start(|c| c.approval.proposal = "hold".into()).await;
    let id = d.ask("r2", CLEAR).await.inquiry_id;
    for role in Role::ALL {
        let audit = d.get(Some(role), "/api/v1/audit").await.status();
        assert_eq!(audit == StatusCode::OK, role.exports_audit(), "{role:?} audit export: {audit}");
        let ops = d.get(Some(role), "/api/v1/ops").await.status();
        assert_eq!(ops == StatusCode::OK, role.operates(), "{role:?} ops: {ops}");
        assert_eq!(d.get(Some(role), "/metrics").await.status(), StatusCode::OK, "{role:?} metrics");
        assert_eq!(d.get(Some(role), "/api/v1/inquiries").await.status(), StatusCode::OK);
    }
    let rev = d.rev(&id).await;
    for role in [Role::Compliance, Role::Logistics, Role::Support, Role::Finance] {
        let res = d.decide(role, &id, json!({"action": "approve", "rev": rev})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role:?} approving a draft");
    }
    assert!(d.delivered(&id).iter().all(|(k, _)| k != "proposal"), "nothing was approved");
    d.s.stop().await;
}

#[tokio::test]
async fn each_role_sees_prices_screening_and_contact_details_only_when_it_should() {
    let d = Desk::start(|_| {}).await;
    let r = d.ask("r3", HIGH_RISK).await;
    let id = r.inquiry_id.clone();
    let price = r.proposal.value().map(|p| format!("{:.2}", p.lines[0].unit_price_usd));
    for role in Role::ALL {
        let v = d.json(role, &format!("/api/v1/inquiries/{id}")).await;
        let text = v.to_string();
        let prices_shown = v["result"]["proposal"]["value"]["lines"].as_array().is_some_and(|l| !l.is_empty());
        assert_eq!(prices_shown, role.sees_prices(), "{role:?} proposal lines");
        if let Some(p) = &price {
            assert_eq!(text.contains(p.as_str()), role.sees_prices(), "{role:?} sees {p}");
        }
        let contact = &v["result"]["inquiry"]["contact"]["name"];
        assert_eq!(contact == &json!("Maria Lopez"), role.sees_pii(), "{role:?} contact name: {contact}");
        // Screening needs the names it screens; a role with neither sees
        // the name nowhere, not in the conversation nor the transcript.
        if !role.sees_pii() && !role.sees_screening() {
            assert!(!text.contains("Maria Lopez"), "{role:?}");
        }
        let findings = v["result"]["customs"]["value"]["findings"].as_array().cloned().unwrap_or_default();
        let screening_hidden = findings
            .iter()
            .filter(|f| f["kind"] == "screening")
            .all(|f| f["message"] == json!("(hidden for your role)"));
        if findings.iter().any(|f| f["kind"] == "screening") {
            assert_eq!(!screening_hidden, role.sees_screening(), "{role:?} screening details");
        }
        let audit: String = d.get(Some(role), &format!("/api/v1/inquiries/{id}/audit")).await.text().await.unwrap();
        if !role.sees_prices() {
            if let Some(p) = &price {
                assert!(!audit.contains(p.as_str()), "{role:?} sees no price in the audit log");
            }
        }
    }
    d.s.stop().await;
}

#[tokio::test]
async fn nothing_held_leaves_until_compliance_clears_and_sales_approves() {
    let d = Desk::start(|c| c.approval.proposal = "hold".into()).await;
    let r = d.ask("r4", HIGH_RISK).await;
    let id = r.inquiry_id.clone();
    assert!(d.delivered(&id).is_empty(), "held: no sink got anything: {:?}", d.delivered(&id));
    // Nor does the customer's reply carry the draft's prices.
    if let Some(p) = r.proposal.value() {
        assert!(!r.reply.contains(&format!("{:.2}", p.lines[0].unit_price_usd)), "{}", r.reply);
    }
    let v = d.json(Role::Admin, &format!("/api/v1/inquiries/{id}")).await;
    assert_eq!(v["review"]["stage"], json!("awaiting_compliance"));
    let rev = d.rev(&id).await;
    let no_reason = d.decide(Role::Compliance, &id, json!({"action": "clear", "rev": rev})).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY, "a clearance needs a reason");
    let sales_first = d.decide(Role::Sales, &id, json!({"action": "clear", "reason": "x", "rev": rev})).await;
    assert_eq!(sales_first.status(), StatusCode::FORBIDDEN);
    let cleared = d
        .decide(Role::Compliance, &id, json!({"action": "clear", "reason": "licence EX-123 on file", "rev": rev}))
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    let cleared: Value = cleared.json().await.unwrap();
    assert_eq!(cleared["stage"], json!("awaiting_sales"));
    let kinds: Vec<String> = d.delivered(&id).into_iter().map(|(k, _)| k).collect();
    assert!(!kinds.contains(&"proposal".to_string()), "the proposal still waits for sales: {kinds:?}");
    assert!(kinds.contains(&"customs".to_string()), "the customs report went to logistics: {kinds:?}");

    // Two people acting on the same revision: one wins, the other is told.
    let rev = cleared["rev"].as_u64().unwrap();
    let edited = "## Offer\n\nEdited by sales: valid for 14 days.";
    let (a, b) = tokio::join!(
        d.decide(Role::Sales, &id, json!({"action": "edit", "body": edited, "rev": rev})),
        d.decide(Role::Admin, &id, json!({"action": "reject", "reason": "duplicate", "rev": rev})),
    );
    let statuses = [a.status(), b.status()];
    assert!(statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    let stage = d.json(Role::Admin, &format!("/api/v1/inquiries/{id}")).await["review"]["stage"].clone();
    if stage == json!("rejected") {
        assert!(d.delivered(&id).iter().all(|(k, _)| k != "proposal"), "rejected: the proposal never left");
        d.s.stop().await;
        return;
    }
    let rev = d.rev(&id).await;
    let approved = d.decide(Role::Sales, &id, json!({"action": "approve", "reason": "ok", "rev": rev})).await;
    assert_eq!(approved.status(), StatusCode::OK);
    let proposals: Vec<String> =
        d.delivered(&id).into_iter().filter(|(k, _)| k == "proposal").map(|(_, b)| b).collect();
    assert_eq!(proposals.len(), 1, "sent once");
    assert!(proposals[0].contains("Edited by sales"), "the approved version went out: {}", proposals[0]);

    // One audit event per change, with before and after.
    let audit: Vec<Value> = d
        .get(Some(Role::Admin), &format!("/api/v1/inquiries/{id}/audit"))
        .await
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stages: Vec<(Value, Value, Value)> = audit
        .iter()
        .filter(|e| e["field"] == "stage")
        .map(|e| (e["actor"].clone(), e["before"].clone(), e["after"].clone()))
        .collect();
    assert_eq!(
        stages,
        vec![
            (json!("agent:desk"), json!(null), json!("awaiting_compliance")),
            (json!("user:compliance"), json!("awaiting_compliance"), json!("awaiting_sales")),
            (json!("user:sales"), json!("awaiting_sales"), json!("sent")),
        ]
    );
    let edits: Vec<&Value> =
        audit.iter().filter(|e| e["field"] == "proposal.body" && e["actor"] == "user:sales").collect();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["after"], json!(edited));
    assert!(edits[0]["before"].as_str().is_some_and(|b| !b.is_empty() && b != edited));
    assert!(audit.iter().all(|e| !e["id"].as_str().unwrap_or_default().is_empty() && e["at_ms"].as_u64().unwrap() > 0));
    let export = d.get(Some(Role::Compliance), "/api/v1/audit?since_ms=0").await.text().await.unwrap();
    assert!(export.lines().count() >= audit.len(), "the export holds every event");
    d.s.stop().await;
}

#[tokio::test]
async fn a_clear_inquiry_sends_at_once_and_faq_cards_never_wait_for_sales() {
    let d = Desk::start(|c| c.approval.proposal = "hold".into()).await;
    let id = d.ask("r5", CLEAR).await.inquiry_id;
    let kinds: Vec<String> = d.delivered(&id).into_iter().map(|(k, _)| k).collect();
    assert!(kinds.contains(&"faq_card".to_string()) && kinds.contains(&"customs".to_string()), "{kinds:?}");
    assert!(!kinds.contains(&"proposal".to_string()), "{kinds:?}");
    let v = d.json(Role::Sales, &format!("/api/v1/inquiries/{id}")).await;
    assert_eq!(v["review"]["stage"], json!("awaiting_sales"));

    let auto = Desk::start(|_| {}).await;
    let id = auto.ask("r6", CLEAR).await.inquiry_id;
    let kinds: Vec<String> = auto.delivered(&id).into_iter().map(|(k, _)| k).collect();
    assert!(kinds.contains(&"proposal".to_string()), "the default policy sends a clear draft at once: {kinds:?}");
    let v = auto.json(Role::Sales, &format!("/api/v1/inquiries/{id}")).await;
    assert_eq!(v["review"]["stage"], json!("sent"));
    let metrics = auto.get(Some(Role::Support), "/metrics").await.text().await.unwrap();
    assert!(metrics.contains("tradewind_inquiries_total{outcome=\"ok\"} 1"), "{metrics}");
    assert!(metrics.contains("# TYPE tradewind_agent_seconds summary"), "{metrics}");
    d.s.stop().await;
    auto.s.stop().await;
}

#[tokio::test]
async fn users_file_is_private_and_tokens_are_stored_as_digests() {
    let dir = tempfile::tempdir().unwrap();
    let users = UserStore::open(dir.path().join("users.json"));
    users.add("ops", Role::Admin, Some("a long password here")).unwrap();
    let token = users.issue_token("ops").unwrap();
    let text = std::fs::read_to_string(users.path()).unwrap();
    assert!(!text.contains(&token));
    assert!(text.contains("$argon2id$"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(Path::new(users.path())).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
