//! 请求内容脱敏 end to end: inquiries carrying a resident ID, a bank card,
//! phones, e-mails, an IBAN and passport numbers go through the whole
//! swarm, then everything at rest is scanned (every Redis key of the
//! deployment, every file under the data folder, every stored record) and
//! every request sent to a model. Only the customer record's contact fields
//! may hold a phone or an e-mail in the clear.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tradewind_core::CustomerId;
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_testkit::{spawn_app_with, ScriptedLlm, ScriptedResponse, TestApp};

const FIRST: &str = "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. \
    Nordlicht Energie GmbH, contact Ruth Lee, tel +49 40 1234567, ruth.lee@example.com. \
    We pay from IBAN DE89 3704 0044 0532 0130 00 or card 4111 1111 1111 1111.";
const SECOND: &str =
    "你好，我们是上海启航贸易有限公司，统一社会信用代码 91350100M000100Y43，需要两千个48V 20Ah电池包，\
    发到汉堡。电话 +86 138 0013 8000，邮箱 wang.wei@qihang.cn，身份证 11010519491231002X，护照号码 E12345678";
const THIRD: &str = "Passport no. C01X00T47 for the visa letter. Please also add 300 hub motors.";

/// Every identifier as written and in its compact forms.
const NEEDLES: &[&str] = &[
    "11010519491231002X",
    "11010519491231002x",
    "4111 1111 1111 1111",
    "4111111111111111",
    "+49 40 1234567",
    "+49401234567",
    "1234567",
    "+86 138 0013 8000",
    "+8613800138000",
    "13800138000",
    "ruth.lee@example.com",
    "wang.wei@qihang.cn",
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "E12345678",
    "C01X00T47",
];

/// The fields of the customer record allowed to hold contact details.
const CONTACT_FIELDS: &[&str] = &["contact_name", "phone", "email", "company"];

/// A thread with the contact of its open version taken out: that one is
/// kept in the clear for sales, like customer facts.
fn without_open_contact(mut thread: serde_json::Value) -> String {
    thread["inquiry"].as_object_mut().unwrap().remove("contact");
    thread.to_string()
}

fn leaks(place: &str, text: &str, found: &mut Vec<String>) {
    for n in NEEDLES {
        if text.contains(n) {
            found.push(format!("{n} in {place}"));
        }
    }
}

async fn run_inquiries(t: &TestApp) -> Vec<tradewind_core::SwarmResult> {
    vec![t.ask("ruth", FIRST).await, t.ask("wang", SECOND).await, t.ask("ruth", THIRD).await]
}

/// Every file under the data folder, and its mode.
fn scan_files(root: &Path, found: &mut Vec<String>, modes: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let meta = e.metadata().unwrap();
        let in_outbox = p.to_string_lossy().contains("/outbox");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            let want = if meta.is_dir() { 0o700 } else { 0o600 };
            // Outbox folders and cards are ours; the index is qdrant-edge's,
            // protected by the 0700 data folder above it.
            if in_outbox && mode != want {
                modes.push(format!("{} is {mode:o}", p.display()));
            }
        }
        if meta.is_dir() {
            scan_files(&p, found, modes);
        } else {
            let bytes = std::fs::read(&p).unwrap();
            leaks(&p.display().to_string(), &String::from_utf8_lossy(&bytes), found);
        }
    }
}

/// Stored records through the memory port (the in-process backend has no
/// other window).
async fn scan_memory(t: &TestApp, results: &[tradewind_core::SwarmResult], found: &mut Vec<String>) {
    let mem = &t.app.memory;
    for r in results {
        let id = &r.inquiry_id;
        let stored = mem.result(id).await.unwrap().expect("result stored");
        leaks(&format!("result {id}"), &serde_json::to_string(&stored).unwrap(), found);
        let steps = mem.transcript(id).await.unwrap();
        assert!(!steps.is_empty());
        leaks(&format!("transcript {id}"), &serde_json::to_string(&steps).unwrap(), found);
        if let Some(info) = &r.thread {
            let thread = mem.thread(&info.thread_id).await.unwrap().expect("thread stored");
            leaks(
                &format!("thread {}", info.thread_id),
                &without_open_contact(serde_json::to_value(&thread).unwrap()),
                found,
            );
        }
        let customer = match r.customer.strip_prefix("u:") {
            Some(h) => CustomerId::Unified(h.into()),
            None => CustomerId::Channel(r.customer.trim_start_matches("c:").into()),
        };
        let view = mem.load_customer(&customer).await.unwrap();
        leaks(&format!("turns of {}", r.customer), &serde_json::to_string(&view.recent_turns).unwrap(), found);
        let mut facts = serde_json::to_value(&view.facts).unwrap();
        for f in CONTACT_FIELDS {
            facts.as_object_mut().unwrap().remove(*f);
        }
        leaks(&format!("facts of {} (besides contacts)", r.customer), &facts.to_string(), found);
    }
}

/// Every key of the deployment, whatever its type.
async fn scan_redis(prefix: &str, found: &mut Vec<String>) -> usize {
    let client = redis::Client::open(tradewind_testkit::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
    for key in &keys {
        let kind: String = redis::cmd("TYPE").arg(key).query_async(&mut conn).await.unwrap();
        let text = match kind.as_str() {
            "string" => {
                let v: String = redis::cmd("GET").arg(key).query_async(&mut conn).await.unwrap();
                if key.contains(":thr:") {
                    without_open_contact(serde_json::from_str(&v).unwrap())
                } else if key.ends_with(":facts") {
                    let mut facts: serde_json::Value = serde_json::from_str(&v).unwrap();
                    for f in CONTACT_FIELDS {
                        facts.as_object_mut().unwrap().remove(*f);
                    }
                    facts.to_string()
                } else {
                    v
                }
            }
            "list" => {
                let v: Vec<String> = redis::cmd("LRANGE").arg(key).arg(0).arg(-1).query_async(&mut conn).await.unwrap();
                v.join("\n")
            }
            "hash" => {
                let v: Vec<String> = redis::cmd("HGETALL").arg(key).query_async(&mut conn).await.unwrap();
                v.join("\n")
            }
            "set" => {
                let v: Vec<String> = redis::cmd("SMEMBERS").arg(key).query_async(&mut conn).await.unwrap();
                v.join("\n")
            }
            "zset" => {
                let v: Vec<String> = redis::cmd("ZRANGE").arg(key).arg(0).arg(-1).query_async(&mut conn).await.unwrap();
                v.join("\n")
            }
            "stream" => {
                let v: redis::Value =
                    redis::cmd("XRANGE").arg(key).arg("-").arg("+").query_async(&mut conn).await.unwrap();
                format!("{v:?}")
            }
            other => panic!("{key} has a type this scan does not read: {other}"),
        };
        leaks(key, &text, found);
    }
    keys.len()
}

fn assert_clean(found: &[String], modes: &[String]) {
    assert!(found.is_empty(), "unmasked identifiers at rest:\n{}", found.join("\n"));
    assert!(modes.is_empty(), "files or folders wider than owner-only:\n{}", modes.join("\n"));
}

#[tokio::test]
async fn no_identifier_is_stored_unmasked_in_process() {
    let t = spawn_app_with(|c| c.memory.redis_url = None, None).await;
    assert_eq!(t.app.memory.backend(), "in-process");
    let results = run_inquiries(&t).await;
    let (mut found, mut modes) = (Vec::new(), Vec::new());
    scan_memory(&t, &results, &mut found).await;
    scan_files(t.dir.path(), &mut found, &mut modes);
    assert_clean(&found, &modes);

    // The customer record is where contact details stay, for sales.
    let view = t.app.memory.load_customer(&CustomerId::channel("test", "ruth")).await.unwrap();
    assert_eq!(view.facts.phone.as_deref(), Some("+49 40 1234567"));
    assert_eq!(view.facts.email.as_deref(), Some("ruth.lee@example.com"));
}

#[tokio::test]
async fn no_identifier_is_stored_unmasked_in_redis() {
    let t = spawn_app_with(|_| {}, None).await;
    assert_eq!(t.app.memory.backend(), "redis");
    let results = run_inquiries(&t).await;
    let (mut found, mut modes) = (Vec::new(), Vec::new());
    scan_memory(&t, &results, &mut found).await;
    let keys = scan_redis(&t.app.config.memory.prefix, &mut found).await;
    let stored = t.app.memory.transcript(&results[1].inquiry_id).await.unwrap();
    assert!(serde_json::to_string(&stored).unwrap().contains("1101**********002X"), "the text is kept, masked");
    assert!(keys >= 10, "the scan saw {keys} keys");
    scan_files(t.dir.path(), &mut found, &mut modes);
    assert_clean(&found, &modes);
}

#[tokio::test]
async fn no_identifier_reaches_a_model() {
    // Scripted mode records every request; plain answers are enough, since
    // what is checked is what the model was sent.
    let llm = ScriptedLlm::start((0..300).map(|_| ScriptedResponse::text("OK.")).collect()).await.unwrap();
    let brain = OpenAiBrain::new(OpenAiConfig {
        base_url: llm.base_url(),
        api_key: Some("test".into()),
        model: "scripted".into(),
        call_timeout: Duration::from_secs(10),
        max_retries: 0,
        ..OpenAiConfig::default()
    })
    .unwrap();
    let t = spawn_app_with(|c| c.memory.redis_url = None, Some(Arc::new(brain))).await;
    let results = run_inquiries(&t).await;
    let requests = llm.requests();
    assert!(requests.len() >= 3, "the model was asked {} times", requests.len());
    let mut found = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        leaks(&format!("model request {i}"), &r.to_string(), &mut found);
    }
    let all = serde_json::to_string(&requests).unwrap();
    for masked in ["+49 40 ****567", "1101**********002X", "r***@example.com"] {
        assert!(all.contains(masked), "the model saw the message, masked: no {masked}");
    }
    scan_memory(&t, &results, &mut found).await;
    assert!(found.is_empty(), "identifiers sent to the model:\n{}", found.join("\n"));
}

#[tokio::test]
async fn forgetting_a_customer_erases_their_records_and_files() {
    let t = spawn_app_with(|_| {}, None).await;
    let results = run_inquiries(&t).await;
    let ruth: Vec<&str> =
        results.iter().filter(|r| r.customer == "c:test:ruth").map(|r| r.inquiry_id.as_str()).collect();
    assert_eq!(ruth.len(), 2);
    let sales = t.outbox("sales");
    assert!(sales.join(ruth[0]).exists(), "the sales card of the first inquiry was written");

    let erased = tradewind_app::privacy::forget_customer(&t.app, "test:ruth").await.unwrap();
    let mut gone = erased.memory.inquiries.clone();
    gone.sort();
    let mut want: Vec<String> = ruth.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(gone, want);
    for inq in &ruth {
        assert!(t.app.memory.result(inq).await.unwrap().is_none());
        assert!(t.app.memory.transcript(inq).await.unwrap().is_empty());
        assert!(!sales.join(inq).exists(), "{inq}'s card folder is gone");
    }
    let view = t.app.memory.load_customer(&CustomerId::channel("test", "ruth")).await.unwrap();
    assert_eq!(view.facts, Default::default());
    assert!(view.recent_turns.is_empty());
    // Another customer is untouched.
    let wang = results.iter().find(|r| r.customer != "c:test:ruth").unwrap();
    assert!(t.app.memory.result(&wang.inquiry_id).await.unwrap().is_some());
}
