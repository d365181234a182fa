//! The operators' console in a real headless Chromium, driven over WebDriver: sign-in,
//! the live inbox, role redaction, and the compliance → sales approval path down to the sales sink.

#[path = "support/browser.rs"]
mod browser;

use browser::{session, start_chromedriver, Ui};
use fantoccini::Locator;
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use tradewind_console::{Role, UserStore};
use tradewind_testkit::start_stack_with;

const COMPLIANCE: (&str, &str) = ("cleo", "a long password 1");
const SALES: (&str, &str) = ("sam", "a long password 2");
const EDIT_LINE: &str = "Edited by sales: valid 14 days.";
/// Russia is on the sectoral list (customs risk "high", not "blocked"), so
/// the proposal is still drafted and the inquiry waits for compliance.
const HIGH_RISK_INQUIRY: &str = "Please quote 300 units of the 3 kW 24V off-grid inverter for delivery to Moscow, \
     Russia. Severny Solar LLC, contact Ivan Petrov.";

/// The console's own steps, on top of the shared harness.
impl Ui {
    async fn sign_in(&self, (name, password): (&str, &str)) {
        self.type_into("#name", name).await;
        self.type_into("#password", password).await;
        self.submit("#sign-in").await;
    }

    async fn stage(&self) -> Option<String> {
        self.attr("#stage", "data-stage").await
    }

    /// The audit table's rows as (who, field, after).
    async fn audit_rows(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for row in self.c.find_all(Locator::Css("#audit tbody tr")).await.unwrap_or_default() {
            let mut cells = Vec::new();
            for td in row.find_all(Locator::Css("td")).await.unwrap_or_default() {
                cells.push(td.text().await.unwrap_or_default());
            }
            if cells.len() >= 5 {
                out.push((cells[1].clone(), cells[2].clone(), cells[4].clone()));
            }
        }
        out
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_page_greets_in_english_and_chinese_offers_starters_and_replies_like_a_chat() {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts/chat");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let stack = start_stack_with(|c| {
        c.chat.company = "Nordwind Batteries".into();
        c.chat.company_zh = "北风电池".into();
    })
    .await;
    let driver = start_chromedriver(&shots.join("chromedriver.log")).await;
    let client = session(&driver).await;
    let base = format!("http://localhost:{}", stack.addr.port());
    let mut ui = Ui { c: client, base, shots, taken: Vec::new() };

    for (lang, company, greeting_word, question) in [
        ("en", "Nordwind Batteries", "quotation", None),
        ("zh", "北风电池", "报价", Some("需要300个36V 10Ah电动自行车下管电池，发到汉堡，CIF")),
    ] {
        ui.goto(&format!("/chat?lang={lang}")).await;
        ui.until("the branded header and greeting", async || {
            let title = ui.text("#title").await?;
            let log = ui.text("#log").await?;
            (title == company && log.contains(greeting_word)).then_some(())
        })
        .await;
        assert!(ui.exists("#starters button").await, "{lang}: starter prompts are offered");
        ui.shot(&format!("{lang}-greeting")).await;
        match question {
            // English: a starter prompt is one click.
            None => ui.c.find(Locator::Css("#starters button")).await.expect("a starter").click().await.expect("click"),
            Some(q) => {
                ui.type_into("#text", q).await;
                ui.c.find(Locator::Css("#send")).await.expect("send").click().await.expect("click");
            }
        }
        assert!(!ui.exists("#starters").await, "{lang}: the starters go once the customer writes");
        let reply = ui
            .until("the reply bubble", async || {
                let bubbles = ui.c.find_all(Locator::Css("#log .msg.bot:not(.greeting)")).await.ok()?;
                match bubbles.last() {
                    Some(b) => b.text().await.ok().filter(|t| !t.is_empty()),
                    None => None,
                }
            })
            .await;
        ui.shot(&format!("{lang}-reply")).await;
        // A chat message, not a letter.
        for letter in ["Dear ", "Best regards", "Hello,", "客服团队"] {
            assert!(!reply.contains(letter), "{lang}: a chat reply reads like a chat, not a letter: {reply}");
        }
        if lang == "zh" {
            assert!(reply.contains("您好"), "a Chinese reply: {reply}");
        }
        // The next language starts a chat of its own.
        ui.c.execute("localStorage.clear();", vec![]).await.expect("clear the stored chat");
    }
    println!("screenshots in {}: {}", ui.shots.display(), ui.taken.join(", "));
    ui.c.close().await.expect("end the WebDriver session");
    drop(driver);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_signs_in_sees_a_held_inquiry_live_clears_edits_approves_and_a_role_is_denied_a_field() {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts/console");
    // Only this run's screenshots, so a stale failed.png cannot mislead.
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let users_dir = tempfile::tempdir().expect("temp dir");
    let users_file = users_dir.path().join("users.json");
    let users = UserStore::open(&users_file);
    users.add(COMPLIANCE.0, Role::Compliance, Some(COMPLIANCE.1)).expect("compliance user");
    users.add(SALES.0, Role::Sales, Some(SALES.1)).expect("sales user");

    let stack = start_stack_with(|c| {
        c.approval.compliance_at = "high".into();
        c.approval.proposal = "hold".into();
        c.console.users_file = Some(users_file.clone());
        c.console.session_secret = Some("browser test session secret".into());
        // Chromium treats http://localhost as a secure context, so Secure
        // cookies work there as they will behind TLS.
        c.console.secure_cookies = true;
        c.sinks.sales = "memory".into();
    })
    .await;
    let collected = stack.app().app.collected.clone().expect("the sales sink collects in memory");
    let proposals = || collected.items().into_iter().filter(|d| d.kind == "proposal").collect::<Vec<_>>();

    let driver = start_chromedriver(&shots.join("chromedriver.log")).await;
    let client = session(&driver).await;
    // Cookies are per host: the browser must use one name throughout.
    let base = format!("http://localhost:{}", stack.addr.port());
    let mut ui = Ui { c: client, base, shots, taken: Vec::new() };
    // Known console bugs are collected rather than asserted on the spot, so
    // one of them does not hide whether the rest of the flow works; the test
    // still fails on them at the end.
    let mut console_bugs: Vec<String> = Vec::new();

    // 1. Sign-in: a wrong password is refused in words, the right one lands on the inbox.
    ui.goto("/console").await;
    ui.until("the sign-in form", async || ui.exists("#sign-in").await.then_some(())).await;
    assert_eq!(ui.path().await, "/console/login", "the inbox sends a stranger to sign in");
    ui.sign_in((COMPLIANCE.0, "not the password")).await;
    let error = ui.until("the sign-in error", async || ui.text("#login-error").await).await;
    assert!(!error.trim().is_empty(), "the refusal says something");
    assert!(!ui.exists("#inbox").await, "no inbox after a wrong password");
    ui.shot("wrong-password").await;
    ui.sign_in(COMPLIANCE).await;
    ui.until("the inbox", async || ui.exists("#inbox").await.then_some(())).await;
    assert_eq!(ui.path().await, "/console");
    assert!(ui.text("#who").await.unwrap_or_default().contains(COMPLIANCE.0));
    assert!(!ui.exists("#rows tr[data-id]").await, "this stack's inbox starts empty");
    ui.shot("inbox-compliance").await;

    // 2. An inquiry through the chat API shows up in the open inbox with no reload.
    ui.mark_document().await;
    let res = reqwest::Client::new()
        .post(format!("http://{}/v1/messages", stack.addr))
        .header("content-type", "application/json")
        .body(json!({"text": HIGH_RISK_INQUIRY}).to_string())
        .send()
        .await
        .expect("chat API reachable");
    assert_eq!(res.status().as_u16(), 202, "{}", res.text().await.unwrap_or_default());
    let id = ui.until("the new inquiry's row in #rows", async || ui.attr("#rows tr[data-id]", "data-id").await).await;
    assert!(ui.same_document().await, "the row came over the live stream, not a reload");
    let row = ui.text(&format!("#rows tr[data-id=\"{id}\"]")).await.unwrap_or_default();
    assert!(row.contains("high"), "the row shows the risk: {row}");
    let mut counted = None;
    for _ in 0..20 {
        counted = ui.text("#count-awaiting_compliance").await;
        if counted.as_deref() == Some("1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    if counted.as_deref() != Some("1") {
        console_bugs.push(format!(
            "the inbox's live update swaps the rows but not the counts: #count-awaiting_compliance reads {counted:?} \
             beside a row awaiting compliance"
        ));
    }
    ui.shot("inbox-live-row").await;

    // 3. Compliance sees the agents' lanes and the held stage, not the priced proposal.
    ui.c.find(Locator::Css(&format!("#rows tr[data-id=\"{id}\"] a")))
        .await
        .expect("the row links")
        .click()
        .await
        .expect("open");
    ui.until("the inquiry page", async || ui.stage().await).await;
    assert_eq!(ui.path().await, format!("/inquiries/{id}"));
    assert_eq!(ui.stage().await.as_deref(), Some("awaiting_compliance"));
    assert_eq!(ui.text("#risk").await.as_deref(), Some("high"));
    let lanes = ui.c.find_all(Locator::Css("#lanes .lane[data-agent]")).await.expect("lanes");
    let mut agents = Vec::new();
    for lane in &lanes {
        agents.push(lane.attr("data-agent").await.ok().flatten().unwrap_or_default());
        assert!(
            !lane.find_all(Locator::Css("details.step")).await.unwrap_or_default().is_empty(),
            "steps in {agents:?}"
        );
    }
    assert!(agents.len() >= 3, "several agents worked on it: {agents:?}");
    assert_eq!(ui.text("#proposal-hidden").await.as_deref(), Some("(hidden for your role)"));
    assert!(!ui.exists("#proposal").await, "compliance is denied the priced proposal");
    assert!(!ui.exists("#sales-form").await, "and the sales decisions");
    let conversation = ui.text("ol.chat").await.unwrap_or_default();
    if !conversation.contains("off-grid inverter") {
        console_bugs.push(format!("the inquiry page's conversation lacks the customer's message: {conversation:?}"));
    }
    let structured = ui.text("dl.kv").await.unwrap_or_default().to_lowercase();
    if !structured.contains("inverter") || !structured.contains("moscow") {
        console_bugs
            .push(format!("the structured inquiry lacks the product's words or the place (Moscow): {structured:?}"));
    }
    ui.shot("inquiry-compliance-proposal-hidden").await;

    // 4. Clearing it moves it to sales; the proposal is still held.
    ui.type_into("#c-reason", "End user and civil use confirmed by phone.").await;
    ui.submit("#clear").await;
    assert_eq!(ui.stage().await.as_deref(), Some("awaiting_sales"));
    assert!(proposals().is_empty(), "no proposal delivered before sales approved");
    ui.shot("cleared-awaiting-sales").await;

    // 5. Sales signs in (landing back on the inquiry), edits, saves a version, approves.
    ui.submit("form[action=\"/console/logout\"] button").await;
    assert_eq!(ui.path().await, "/console/login");
    ui.goto(&format!("/inquiries/{id}")).await;
    ui.until("the sign-in form", async || ui.exists("#sign-in").await.then_some(())).await;
    ui.sign_in(SALES).await;
    ui.until("the sales form", async || ui.exists("#sales-form").await.then_some(())).await;
    assert_eq!(ui.path().await, format!("/inquiries/{id}"), "sign-in returns to the page asked for");
    assert!(ui.exists("#proposal").await && !ui.exists("#proposal-hidden").await, "sales sees the proposal");
    let draft =
        ui.c.find(Locator::Css("#s-body")).await.expect("draft").prop("value").await.ok().flatten().unwrap_or_default();
    assert!(!draft.trim().is_empty(), "the agent's draft is there to edit");
    ui.shot("sales-sees-draft").await;

    // WebDriver puts the caret at the end of a field it types into, so this appends.
    ui.type_into("#s-body", &format!("\n\n{EDIT_LINE}")).await;
    let edited = ui.c.find(Locator::Css("#s-body")).await.expect("draft").prop("value").await.ok().flatten();
    assert!(edited.as_deref().is_some_and(|v| v.trim_end().ends_with(EDIT_LINE)), "appended: {edited:?}");
    ui.type_into("#s-reason", "Added the validity.").await;
    ui.submit("#save-edit").await;
    assert_eq!(ui.stage().await.as_deref(), Some("awaiting_sales"), "an edit alone sends nothing");
    assert!(ui.text("#proposal").await.unwrap_or_default().contains(EDIT_LINE), "the saved version is shown");
    let versions = ui.text("section[aria-labelledby=\"h-prop\"]").await.unwrap_or_default();
    assert!(versions.contains(&format!("user:{}", SALES.0)), "a new draft version by sales: {versions}");
    assert!(proposals().is_empty(), "saving an edit delivers nothing");
    ui.shot("sales-edit-saved").await;

    ui.submit("#approve").await;
    assert_eq!(ui.stage().await.as_deref(), Some("sent"));
    let sent = proposals();
    assert_eq!(sent.len(), 1, "one proposal delivered on approval: {sent:?}");
    assert_eq!(sent[0].inquiry_id, id);
    assert!(sent[0].body.contains(EDIT_LINE), "the edited draft went out, not the agent's: {}", sent[0].body);
    // Browsers submit a textarea with CRLF line breaks; the draft the agent
    // wrote, and what sinks expect, use LF.
    if sent[0].body.contains('\r') {
        console_bugs.push(format!(
            "the edited proposal keeps the form's CRLF line breaks ({} of them) instead of LF",
            sent[0].body.matches("\r\n").count()
        ));
    }
    ui.shot("approved-sent").await;

    // The audit trail names the person behind each change.
    let audit = ui.audit_rows().await;
    let by = |who: &str, field: &str| audit.iter().any(|(w, f, _)| w == who && f == field);
    let sales = format!("user:{}", SALES.0);
    assert!(by(&sales, "stage"), "a stage change by {sales}: {audit:?}");
    assert!(audit.iter().any(|(w, f, a)| *w == sales && f == "stage" && a.contains("sent")), "{audit:?}");
    assert!(by(&sales, "proposal.body"), "a proposal.body change by {sales}: {audit:?}");
    assert!(by(&format!("user:{}", COMPLIANCE.0), "stage"), "the clearance is audited too: {audit:?}");
    // Chromium clips element screenshots to the window: make the window as
    // tall as the page so the people's rows at the table's end are in it.
    let height = ui.c.execute("return document.documentElement.scrollHeight;", vec![]).await.ok();
    let height = height.and_then(|h| h.as_u64()).unwrap_or(900).clamp(900, 12_000) as u32;
    ui.c.set_window_size(1366, height + 200).await.expect("resize");
    let table = ui.c.find(Locator::Css("#audit")).await.expect("audit table").screenshot().await.expect("screenshot");
    ui.c.set_window_size(1366, 900).await.expect("resize");
    let file = format!("{:02}-audit.png", ui.taken.len() + 1);
    std::fs::write(ui.shots.join(&file), table).expect("write screenshot");
    ui.taken.push(file);

    println!("screenshots in {}: {}", ui.shots.display(), ui.taken.join(", "));
    // The browser's live stream must end before the server drains.
    ui.c.close().await.expect("end the WebDriver session");
    drop(driver);
    stack.stop().await;
    assert!(console_bugs.is_empty(), "console bugs:\n- {}", console_bugs.join("\n- "));
}
