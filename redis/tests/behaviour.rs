//! One behaviour suite, run against both backends, plus backend-specific
//! checks (bounded storage and throughput in process; corruption, outages,
//! reconnects and the single-round-trip read on Redis).
//!
//! Redis tests run on a single Redis (`REDIS_URL`) and on a Redis Cluster
//! (`REDIS_CLUSTER_URL`); they fail loudly without either rather than skip,
//! so a green run always means every backend was exercised. Each test uses
//! its own random key prefix, so tests run in parallel on one server.

#[macro_use]
mod backend;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::{Backend, Cleanup};
use futures::future::join_all;
use futures::StreamExt;
use serde_json::json;
use tradewind_core::{
    AgentOutcome, CustomerId, InquiryThread, Lang, StepKind, StructuredInquiry, SwarmResult, Timings, TranscriptStep,
};
use tradewind_memory::{
    CustomerFacts, InProcessLimits, InProcessMemory, Memory, MemoryConfig, MemoryError, Turn, MAX_PAST_INQUIRIES,
};
use tradewind_redis::conn::RedisConn;
use tradewind_redis::{RedisMemory, RedisOptions};

/// The suite assumes memories built with `test_config`.
const MAX_TURNS: usize = 5;

fn test_config(prefix: &str) -> MemoryConfig {
    MemoryConfig {
        prefix: prefix.to_owned(),
        max_turns: MAX_TURNS,
        turn_ttl_secs: 600,
        record_ttl_secs: 600,
        customer_ttl_secs: 600,
    }
}

fn unique_prefix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("twtest:{}:{nanos:x}:{}:", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn turn(at_ms: u64, text: &str) -> Turn {
    Turn {
        role: if at_ms.is_multiple_of(2) { "customer" } else { "assistant" }.into(),
        text: text.into(),
        at_ms,
        inquiry_id: format!("inq-{at_ms}"),
    }
}

fn step(inquiry: &str, seq: u32) -> TranscriptStep {
    let kind = match seq % 3 {
        0 => StepKind::ToolCall {
            tool: "price_lookup".into(),
            args: json!({"sku": "TW-BP-4820", "qty": seq}),
            result: Some(json!({"unit_price_usd": 12.5})),
            error: None,
        },
        1 => StepKind::Note { message: format!("note {seq} — 备注") },
        _ => StepKind::ModelReply { content: "ok".into(), prompt_tokens: 10, completion_tokens: seq },
    };
    TranscriptStep {
        inquiry_id: inquiry.into(),
        agent: "proposal".into(),
        seq,
        at_ms: 1_700_000_000_000 + seq as u64,
        duration_ms: 1.5,
        kind,
    }
}

fn swarm_result(inquiry: &str) -> SwarmResult {
    SwarmResult {
        inquiry_id: inquiry.into(),
        customer: "c:cli:local".into(),
        inquiry: StructuredInquiry::empty(Lang::Zh),
        reply: format!("reply to {inquiry}"),
        proposal: AgentOutcome::TimedOut { after_ms: 800 },
        customs: AgentOutcome::Failed { error: "no rules".into() },
        faq_cards: AgentOutcome::Done { value: Vec::new() },
        others: Default::default(),
        degraded: Vec::new(),
        thread: None,
        timings: Timings { total_ms: 12.0, ..Timings::default() },
        strategy: None,
        message: None,
    }
}

/// `SwarmResult` has no `PartialEq`; compare what would be stored.
fn same_result(a: &SwarmResult, b: &SwarmResult) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn facts(company: Option<&str>, past: &[&str]) -> CustomerFacts {
    CustomerFacts {
        company: company.map(Into::into),
        past_inquiries: past.iter().map(|s| s.to_string()).collect(),
        ..CustomerFacts::default()
    }
}

/// What `remember` must return: the documented Rust merge, applied in order.
fn oracle(steps: &[&CustomerFacts]) -> CustomerFacts {
    let mut acc = CustomerFacts::default();
    for s in steps {
        acc.merge(s);
    }
    acc
}

/// The contract every backend meets.
async fn exercise(mem: &dyn Memory) {
    facts_merge(mem).await;
    turns_are_bounded_and_ordered(mem).await;
    link_moves_channel_data(mem).await;
    transcript_keeps_order(mem).await;
    results_and_recent(mem).await;
    concurrent_remembers_lose_nothing(mem).await;
    threads_stay_open_per_conversation(mem).await;
    forget_erases_everything_of_one_customer(mem).await;
}

async fn threads_stay_open_per_conversation(mem: &dyn Memory) {
    assert_eq!(mem.open_thread("web:nobody").await.unwrap(), None);
    let si = StructuredInquiry::empty(Lang::En);
    let mut t = InquiryThread::open("thr-a".into(), "web:c1".into(), "c:web:u1".into(), "inq-1", si.clone(), 1);
    mem.save_thread(&t, 600).await.unwrap();
    assert_eq!(mem.open_thread("web:c1").await.unwrap().as_ref(), Some(&t));
    assert_eq!(mem.open_thread("web:c2").await.unwrap(), None, "per conversation");

    // A newer thread replaces the open one; closing the older does not unset it.
    let newer = InquiryThread::open("thr-b".into(), "web:c1".into(), "c:web:u1".into(), "inq-2", si, 2);
    mem.save_thread(&newer, 600).await.unwrap();
    t.closed = true;
    mem.save_thread(&t, 600).await.unwrap();
    assert_eq!(mem.open_thread("web:c1").await.unwrap().map(|t| t.thread_id), Some("thr-b".into()));
    assert!(mem.thread("thr-a").await.unwrap().is_some_and(|t| t.closed), "closed threads stay readable by id");

    let mut b = newer;
    b.closed = true;
    mem.save_thread(&b, 600).await.unwrap();
    assert_eq!(mem.open_thread("web:c1").await.unwrap(), None, "a closed thread is no longer open");
}

async fn threads_idle_out_of_their_window(mem: &dyn Memory) {
    let si = StructuredInquiry::empty(Lang::Zh);
    let t = InquiryThread::open("thr-idle".into(), "web:idle".into(), "c:web:idle".into(), "inq-1", si, 1);
    mem.save_thread(&t, 1).await.unwrap();
    assert!(mem.open_thread("web:idle").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(mem.open_thread("web:idle").await.unwrap(), None, "idle past the window");
}

/// The right to erasure, asked through any of the customer's ids.
async fn forget_erases_everything_of_one_customer(mem: &dyn Memory) {
    let chan = CustomerId::channel("telegram", "forget-me");
    let other = CustomerId::channel("web", "forget-me-too");
    let uni = CustomerId::Unified("fe".repeat(32));
    let bystander = CustomerId::channel("telegram", "stays");
    let booked = |inquiry: &str, to: &CustomerId| SwarmResult { customer: to.key(), ..swarm_result(inquiry) };
    mem.remember(&chan, &facts(Some("Gone Co"), &[])).await.unwrap();
    mem.push_turns(&chan, &[Turn { inquiry_id: "fg-1".into(), ..turn(10, "my phone is …") }]).await.unwrap();
    for inq in ["fg-1", "fg-2", "fg-keep"] {
        mem.append_transcript(inq, &[step(inq, 1)]).await.unwrap();
    }
    mem.save_result(&booked("fg-1", &chan)).await.unwrap();
    mem.link(&chan, &uni).await.unwrap();
    mem.link(&other, &uni).await.unwrap();
    mem.save_result(&booked("fg-2", &uni)).await.unwrap();
    mem.remember(&bystander, &facts(Some("Stays Co"), &[])).await.unwrap();
    mem.save_result(&booked("fg-keep", &bystander)).await.unwrap();

    let gone = mem.forget_customer(&other).await.unwrap();
    for k in [uni.key(), chan.key(), other.key()] {
        assert!(gone.customers.contains(&k), "{k} not in {:?}", gone.customers);
    }
    let mut inquiries = gone.inquiries.clone();
    inquiries.sort();
    assert_eq!(inquiries, vec!["fg-1", "fg-2"]);
    for id in [&chan, &other, &uni] {
        let view = mem.load_customer(id).await.unwrap();
        assert_eq!(&view.id, id, "no link survives");
        assert_eq!(view.facts, CustomerFacts::default());
        assert!(view.recent_turns.is_empty());
    }
    for inq in ["fg-1", "fg-2"] {
        assert!(mem.result(inq).await.unwrap().is_none(), "{inq}");
        assert!(mem.transcript(inq).await.unwrap().is_empty(), "{inq}");
    }
    let recent = mem.recent_inquiries(50).await.unwrap();
    assert!(!recent.iter().any(|r| r == "fg-1" || r == "fg-2"), "{recent:?}");
    assert!(recent.iter().any(|r| r == "fg-keep"));
    assert!(mem.result("fg-keep").await.unwrap().is_some());
    assert_eq!(mem.load_customer(&bystander).await.unwrap().facts.company.as_deref(), Some("Stays Co"));
}

/// Customer facts and links expire `customer_ttl_secs` after the last write.
async fn exercise_customer_ttl(mem: &dyn Memory) {
    let chan = CustomerId::channel("cli", "fleeting");
    let uni = CustomerId::Unified("cd".repeat(32));
    mem.remember(&chan, &facts(Some("Fleeting Co"), &[])).await.unwrap();
    mem.link(&chan, &uni).await.unwrap();
    let view = mem.load_customer(&chan).await.unwrap();
    assert_eq!((view.id, view.facts.company.as_deref()), (uni.clone(), Some("Fleeting Co")));

    tokio::time::sleep(Duration::from_millis(2100)).await;

    let view = mem.load_customer(&chan).await.unwrap();
    assert_eq!(view.id, chan, "the link expired");
    assert_eq!(mem.load_customer(&uni).await.unwrap().facts, CustomerFacts::default(), "the facts expired");
}

fn short_customer_ttl(prefix: &str) -> MemoryConfig {
    MemoryConfig { customer_ttl_secs: 1, ..test_config(prefix) }
}

async fn facts_merge(mem: &dyn Memory) {
    let id = CustomerId::channel("telegram", "1001");
    let view = mem.load_customer(&id).await.unwrap();
    assert_eq!(view.id, id);
    assert_eq!(view.facts, CustomerFacts::default());
    assert!(view.recent_turns.is_empty());

    let a = CustomerFacts {
        company: Some("Hamburg Ebike GmbH".into()),
        country: Some("DE".into()),
        lang: Some(Lang::En),
        past_inquiries: vec!["i1".into()],
        ..CustomerFacts::default()
    };
    let b = CustomerFacts {
        phone: Some("+49401234567".into()),
        contact_name: Some("Jörg / 约格".into()),
        // Duplicates in the newer list are kept, as `CustomerFacts::merge` does.
        past_inquiries: vec!["i2".into(), "i1".into(), "i2".into()],
        ..CustomerFacts::default()
    };
    let c =
        CustomerFacts { company: Some("Hamburg E-Bike GmbH".into()), lang: Some(Lang::Zh), ..CustomerFacts::default() };
    assert_eq!(mem.remember(&id, &a).await.unwrap(), oracle(&[&a]));
    assert_eq!(mem.remember(&id, &b).await.unwrap(), oracle(&[&a, &b]));
    let merged = mem.remember(&id, &c).await.unwrap();
    assert_eq!(merged, oracle(&[&a, &b, &c]));
    assert_eq!(merged.company.as_deref(), Some("Hamburg E-Bike GmbH"));
    assert_eq!(merged.phone.as_deref(), Some("+49401234567"));
    assert_eq!(mem.load_customer(&id).await.unwrap().facts, merged);

    // Past inquiries are bounded, newest first.
    let many: Vec<String> = (0..30).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let d = facts(None, &refs[..25]);
    let merged = mem.remember(&id, &d).await.unwrap();
    assert_eq!(merged, oracle(&[&a, &b, &c, &d]));
    assert_eq!(merged.past_inquiries.len(), MAX_PAST_INQUIRIES);
    assert_eq!(merged.past_inquiries[0], "p0");
    assert_eq!(merged.company.as_deref(), Some("Hamburg E-Bike GmbH"));
}

async fn turns_are_bounded_and_ordered(mem: &dyn Memory) {
    let id = CustomerId::channel("http", "turns");
    mem.push_turns(&id, &[]).await.unwrap();
    mem.push_turns(&id, &[turn(1, "a"), turn(2, "b")]).await.unwrap();
    let view = mem.load_customer(&id).await.unwrap();
    assert_eq!(view.recent_turns, vec![turn(1, "a"), turn(2, "b")]);

    let batch: Vec<Turn> = (3..=9).map(|i| turn(i, &format!("t{i}"))).collect();
    mem.push_turns(&id, &batch).await.unwrap();
    mem.push_turns(&id, &[turn(10, "last")]).await.unwrap();
    let got = mem.load_customer(&id).await.unwrap().recent_turns;
    let want: Vec<Turn> = (6..=9).map(|i| turn(i, &format!("t{i}"))).chain([turn(10, "last")]).collect();
    assert_eq!(got.len(), MAX_TURNS);
    assert_eq!(got, want);
}

async fn link_moves_channel_data(mem: &dyn Memory) {
    let channel = CustomerId::channel("wechat", "wx-77");
    let unified = CustomerId::Unified("9f".repeat(32));

    let uf = CustomerFacts {
        company: Some("Old Name Ltd".into()),
        email: Some("buyer@example.com".into()),
        past_inquiries: vec!["u-old".into()],
        ..CustomerFacts::default()
    };
    let cf = CustomerFacts {
        company: Some("New Name Ltd".into()),
        credit_code: Some("91310000MA1FL5YX2K".into()),
        past_inquiries: vec!["c-new".into()],
        ..CustomerFacts::default()
    };
    mem.remember(&unified, &uf).await.unwrap();
    mem.remember(&channel, &cf).await.unwrap();
    // Interleaved timestamps: the merged history must come out in time order.
    mem.push_turns(&unified, &[turn(2, "u2"), turn(4, "u4"), turn(6, "u6")]).await.unwrap();
    mem.push_turns(&channel, &[turn(1, "c1"), turn(3, "c3"), turn(5, "c5"), turn(7, "c7")]).await.unwrap();

    mem.link(&channel, &unified).await.unwrap();

    let mut want_facts = uf.clone();
    want_facts.merge(&cf);
    let want_turns: Vec<Turn> = vec![turn(3, "c3"), turn(4, "u4"), turn(5, "c5"), turn(6, "u6"), turn(7, "c7")];
    for who in [&channel, &unified] {
        let view = mem.load_customer(who).await.unwrap();
        assert_eq!(view.id, unified, "{who:?} resolves to the unified id");
        assert_eq!(view.facts, want_facts);
        assert_eq!(view.recent_turns, want_turns);
    }

    // Writes through the channel id land on the unified record.
    let phone = CustomerFacts { phone: Some("+8613800138000".into()), ..CustomerFacts::default() };
    let merged = mem.remember(&channel, &phone).await.unwrap();
    assert_eq!(merged.email.as_deref(), Some("buyer@example.com"));
    assert_eq!(merged.phone.as_deref(), Some("+8613800138000"));
    mem.push_turns(&channel, &[turn(8, "c8")]).await.unwrap();
    let view = mem.load_customer(&unified).await.unwrap();
    assert_eq!(view.facts, merged);
    assert_eq!(view.recent_turns.last(), Some(&turn(8, "c8")));

    // Linking again (nothing left under the channel) and linking to itself
    // change nothing.
    mem.link(&channel, &unified).await.unwrap();
    mem.link(&unified, &unified).await.unwrap();
    let again = mem.load_customer(&channel).await.unwrap();
    assert_eq!(again, view);

    // A fresh channel id linked to an unknown unified id simply moves over.
    let lone = CustomerId::channel("cli", "lone");
    let lone_unified = CustomerId::Unified("ab".repeat(32));
    mem.remember(&lone, &facts(Some("Solo Co"), &[])).await.unwrap();
    mem.link(&lone, &lone_unified).await.unwrap();
    let view = mem.load_customer(&lone_unified).await.unwrap();
    assert_eq!(view.facts.company.as_deref(), Some("Solo Co"));
    assert!(view.recent_turns.is_empty());
}

async fn transcript_keeps_order(mem: &dyn Memory) {
    assert!(mem.transcript("tr-none").await.unwrap().is_empty());
    let steps: Vec<TranscriptStep> = (0..7).map(|i| step("tr-1", i)).collect();
    mem.append_transcript("tr-1", &steps[..3]).await.unwrap();
    mem.append_transcript("tr-1", &[]).await.unwrap();
    mem.append_transcript("tr-1", &steps[3..]).await.unwrap();
    mem.append_transcript("tr-2", &[step("tr-2", 0)]).await.unwrap();
    assert_eq!(mem.transcript("tr-1").await.unwrap(), steps);
}

async fn results_and_recent(mem: &dyn Memory) {
    assert!(mem.result("res-none").await.unwrap().is_none());
    assert!(mem.recent_inquiries(5).await.unwrap().is_empty());
    for id in ["res-1", "res-2", "res-3"] {
        mem.save_result(&swarm_result(id)).await.unwrap();
    }
    let got = mem.result("res-2").await.unwrap().unwrap();
    assert!(same_result(&got, &swarm_result("res-2")));
    assert_eq!(mem.recent_inquiries(2).await.unwrap(), vec!["res-3", "res-2"]);
    assert_eq!(mem.recent_inquiries(10).await.unwrap(), vec!["res-3", "res-2", "res-1"]);
    assert!(mem.recent_inquiries(0).await.unwrap().is_empty());

    // Saving again moves the inquiry to the front without listing it twice.
    let mut updated = swarm_result("res-1");
    updated.reply = "revised".into();
    mem.save_result(&updated).await.unwrap();
    assert_eq!(mem.result("res-1").await.unwrap().unwrap().reply, "revised");
    assert_eq!(mem.recent_inquiries(10).await.unwrap(), vec!["res-1", "res-3", "res-2"]);
}

async fn concurrent_remembers_lose_nothing(mem: &dyn Memory) {
    let id = CustomerId::channel("http", "race");
    let n = MAX_PAST_INQUIRIES;
    let writes = (0..n).map(|i| {
        let f = CustomerFacts { past_inquiries: vec![format!("race-{i}")], ..CustomerFacts::default() };
        let id = id.clone();
        async move { mem.remember(&id, &f).await.unwrap() }
    });
    join_all(writes).await;
    let mut got = mem.load_customer(&id).await.unwrap().facts.past_inquiries;
    got.sort();
    let mut want: Vec<String> = (0..n).map(|i| format!("race-{i}")).collect();
    want.sort();
    assert_eq!(got, want, "a concurrent read-merge-write lost an update");
}

/// Two memories (different prefixes) must not see each other's data.
async fn exercise_isolation(a: &dyn Memory, b: &dyn Memory) {
    let chan = CustomerId::channel("telegram", "iso");
    let uni = CustomerId::Unified("cd".repeat(32));
    a.remember(&chan, &facts(Some("A only"), &["ia"])).await.unwrap();
    a.push_turns(&chan, &[turn(1, "a")]).await.unwrap();
    a.link(&chan, &uni).await.unwrap();
    a.append_transcript("iso-inq", &[step("iso-inq", 0)]).await.unwrap();
    a.append_transcript("iso-inq", &[step("iso-inq", 1)]).await.unwrap();
    a.save_result(&swarm_result("iso-inq")).await.unwrap();

    let view = b.load_customer(&chan).await.unwrap();
    assert_eq!(view.id, chan, "link leaked across prefixes");
    assert_eq!(view.facts, CustomerFacts::default());
    assert!(view.recent_turns.is_empty());
    assert_eq!(b.load_customer(&uni).await.unwrap().facts, CustomerFacts::default());
    assert!(b.transcript("iso-inq").await.unwrap().is_empty());
    assert!(b.transcript("iso-inq").await.unwrap().is_empty());
    assert!(b.result("iso-inq").await.unwrap().is_none());
    assert!(b.recent_inquiries(10).await.unwrap().is_empty());
    // And `a` still sees its own.
    assert_eq!(a.load_customer(&chan).await.unwrap().facts.company.as_deref(), Some("A only"));
}

/// With 1-second TTLs, turns, transcripts and results vanish;
/// facts (no TTL) stay.
async fn exercise_ttl(mem: &dyn Memory) {
    let id = CustomerId::channel("cli", "ttl");
    mem.remember(&id, &facts(Some("Keeps"), &[])).await.unwrap();
    mem.push_turns(&id, &[turn(1, "gone soon")]).await.unwrap();
    mem.append_transcript("ttl-inq", &[step("ttl-inq", 1)]).await.unwrap();
    mem.save_result(&swarm_result("ttl-inq")).await.unwrap();
    assert_eq!(mem.load_customer(&id).await.unwrap().recent_turns.len(), 1);
    assert!(mem.result("ttl-inq").await.unwrap().is_some());

    tokio::time::sleep(Duration::from_millis(2100)).await;

    let view = mem.load_customer(&id).await.unwrap();
    assert!(view.recent_turns.is_empty());
    assert_eq!(view.facts.company.as_deref(), Some("Keeps"));
    assert!(mem.transcript("ttl-inq").await.unwrap().is_empty());
    assert!(mem.result("ttl-inq").await.unwrap().is_none());

    // An expired list starts afresh rather than resurrecting old entries.
    mem.push_turns(&id, &[turn(2, "new")]).await.unwrap();
    assert_eq!(mem.load_customer(&id).await.unwrap().recent_turns, vec![turn(2, "new")]);
    threads_idle_out_of_their_window(mem).await;
}

fn short_ttl(prefix: &str) -> MemoryConfig {
    MemoryConfig { turn_ttl_secs: 1, record_ttl_secs: 1, ..test_config(prefix) }
}

// ---------------------------------------------------------------- in-process

#[tokio::test]
async fn inproc_behaviour() {
    exercise(&InProcessMemory::new(test_config("tw:"))).await;
}

#[tokio::test]
async fn inproc_isolation() {
    let a = InProcessMemory::new(test_config("a:"));
    let b = InProcessMemory::new(test_config("b:"));
    exercise_isolation(&a, &b).await;
}

#[tokio::test]
async fn inproc_ttl() {
    exercise_ttl(&InProcessMemory::new(short_ttl("tw:"))).await;
}

#[tokio::test]
async fn inproc_customer_ttl() {
    exercise_customer_ttl(&InProcessMemory::new(short_customer_ttl("tw:"))).await;
}

#[tokio::test]
async fn inproc_storage_is_bounded() {
    // Each record here is well under 1 KiB: 256 KiB holds a few hundred.
    let limits = InProcessLimits { inquiry_bytes: 256 << 10, customer_bytes: 256 << 10, thread_bytes: 64 << 10 };
    let mem = InProcessMemory::with_limits(test_config("tw:"), limits);
    for i in 0..5_000 {
        let inq = format!("inq-{i}");
        mem.append_transcript(&inq, &[step(&inq, 0)]).await.unwrap();
        mem.save_result(&swarm_result(&inq)).await.unwrap();
        let id = CustomerId::channel("bench", &i.to_string());
        mem.push_turns(&id, &[turn(i, "x")]).await.unwrap();
    }
    // moka may overshoot a cap briefly until its next clean-up; the counts run it first.
    assert!((100..=1_500).contains(&mem.stored_inquiries()), "inquiries {}", mem.stored_inquiries());
    assert!((100..=1_500).contains(&mem.stored_customers()), "customers {}", mem.stored_customers());
    assert!(mem.result("inq-4999").await.unwrap().is_some());
    assert_eq!(mem.transcript("inq-4999").await.unwrap().len(), 1);
    assert!(mem.result("inq-0").await.unwrap().is_none());
    assert_eq!(mem.recent_inquiries(2).await.unwrap(), vec!["inq-4999", "inq-4998"]);
}

/// The benchmark's shape: 1000 concurrent tasks, each a full inquiry's worth
/// of memory traffic on one shared instance; every one must come back whole.
/// (How fast is `tradewind bench parts`.)
async fn thousand_concurrent_inquiries(mem: Arc<dyn Memory>) {
    let tasks: Vec<_> = (0..1000u64)
        .map(|i| {
            let mem = Arc::clone(&mem);
            tokio::spawn(async move {
                // A few customers shared by many inquiries, to contend on purpose.
                let id = CustomerId::channel("bench", &(i % 50).to_string());
                let inq = format!("bench-{i}");
                mem.load_customer(&id).await?;
                mem.remember(&id, &facts(Some("Bench Co"), &[&inq])).await?;
                mem.push_turns(&id, &[turn(i, "q"), turn(i, "a")]).await?;
                mem.append_transcript(&inq, &[step(&inq, 0), step(&inq, 1)]).await?;
                mem.save_result(&swarm_result(&inq)).await?;
                mem.result(&inq).await
            })
        })
        .collect();
    for t in join_all(tasks).await {
        assert!(t.unwrap().unwrap().is_some());
    }
    assert_eq!(mem.recent_inquiries(2000).await.unwrap().len(), 1000);
    let shared = mem.load_customer(&CustomerId::channel("bench", "7")).await.unwrap();
    assert_eq!(shared.recent_turns.len(), 20, "max_turns of the default config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inproc_handles_1000_concurrent_inquiries() {
    thousand_concurrent_inquiries(Arc::new(InProcessMemory::default())).await;
}

// --------------------------------------------------------------------- redis

async fn redis_memory(backend: Backend, config: MemoryConfig) -> (RedisMemory, Cleanup) {
    let cleanup = Cleanup { backend, prefix: config.prefix.clone() };
    let mem = RedisMemory::connect(&backend.url(), config).await.unwrap();
    (mem, cleanup)
}

async fn behaviour(b: Backend) {
    let (mem, _c) = redis_memory(b, test_config(&unique_prefix())).await;
    assert_eq!(mem.backend(), "redis");
    mem.ping().await.unwrap();
    exercise(&mem).await;
}
on_both!(#[tokio::test] redis_behaviour => behaviour);

async fn thousand_concurrent(b: Backend) {
    let config = MemoryConfig { prefix: unique_prefix(), ..MemoryConfig::default() };
    let (mem, _c) = redis_memory(b, config).await;
    // Every call shares one multiplexed connection (per node); none may hit
    // the 2 s response timeout (which would fail the call).
    thousand_concurrent_inquiries(Arc::new(mem)).await;
}
on_both!(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] redis_handles_1000_concurrent_inquiries => thousand_concurrent);

async fn isolation(b: Backend) {
    let (m1, _ca) = redis_memory(b, test_config(&unique_prefix())).await;
    let (m2, _cb) = redis_memory(b, test_config(&unique_prefix())).await;
    exercise_isolation(&m1, &m2).await;
}
on_both!(#[tokio::test] redis_isolation => isolation);

async fn ttl(b: Backend) {
    let (mem, _c) = redis_memory(b, short_ttl(&unique_prefix())).await;
    exercise_ttl(&mem).await;
}
on_both!(#[tokio::test] redis_ttl => ttl);

async fn customer_ttl(b: Backend) {
    let (mem, _c) = redis_memory(b, short_customer_ttl(&unique_prefix())).await;
    exercise_customer_ttl(&mem).await;
}
on_both!(#[tokio::test] redis_customer_ttl => customer_ttl);

/// The documented layout: one customer's keys carry its id as a hash tag.
async fn key_layout(b: Backend) {
    let prefix = unique_prefix();
    let (mem, _c) = redis_memory(b, test_config(&prefix)).await;
    let chan = CustomerId::channel("telegram", "55");
    let uni = CustomerId::Unified("ef".repeat(32));
    mem.remember(&chan, &facts(Some("X"), &[])).await.unwrap();
    mem.push_turns(&chan, &[turn(1, "x")]).await.unwrap();
    mem.link(&chan, &uni).await.unwrap();
    mem.append_transcript("inq-9", &[step("inq-9", 1)]).await.unwrap();
    mem.save_result(&swarm_result("inq-9")).await.unwrap();

    let mut conn = b.conn().await;
    let mut keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
    keys.sort();
    let u = uni.key();
    let link = format!("{prefix}link:{{c:telegram:55}}");
    let mut want = vec![
        format!("{prefix}cust:{{{u}}}:facts"),
        format!("{prefix}cust:{{{u}}}:links"),
        format!("{prefix}cust:{{{u}}}:turns"),
        format!("{prefix}cust:{{c:cli:local}}:inq"),
        link.clone(),
        format!("{prefix}recent"),
        format!("{prefix}res:inq-9"),
        format!("{prefix}tr:inq-9"),
    ];
    want.sort();
    assert_eq!(keys, want, "channel keys must be gone after the link");
    let target: String = redis::cmd("GET").arg(&link).query_async(&mut conn).await.unwrap();
    assert_eq!(target, u);
    let ttl: i64 = redis::cmd("TTL").arg(format!("{prefix}cust:{{{u}}}:turns")).query_async(&mut conn).await.unwrap();
    assert!(ttl > 0 && ttl <= 600, "turns carry the turn TTL, got {ttl}");
    let ttl: i64 = redis::cmd("TTL").arg(format!("{prefix}res:inq-9")).query_async(&mut conn).await.unwrap();
    assert!(ttl > 0 && ttl <= 600, "results carry the record TTL, got {ttl}");
    for key in [format!("{prefix}cust:{{{u}}}:facts"), link] {
        let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut conn).await.unwrap();
        assert!(ttl > 0 && ttl <= 600, "{key} carries the customer TTL, got {ttl}");
    }
}
on_both!(#[tokio::test] redis_key_layout => key_layout);

fn assert_corrupt<T: std::fmt::Debug>(got: Result<T, MemoryError>) {
    match got {
        Err(MemoryError::Corrupt(msg)) => eprintln!("corrupt as expected: {msg}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

async fn corrupt_records(b: Backend) {
    let prefix = unique_prefix();
    let (mem, _c) = redis_memory(b, test_config(&prefix)).await;
    let mut conn = b.conn().await;
    let set = |k: String, v: &'static str| redis::cmd("SET").arg(k).arg(v).clone();
    let cust = |id: &CustomerId, part: &str| format!("{prefix}cust:{{{}}}:{part}", id.key());

    let bad = CustomerId::channel("cli", "bad");
    let good_u = CustomerId::Unified("01".repeat(32));
    let _: () = set(cust(&bad, "facts"), "{not json").query_async(&mut conn).await.unwrap();
    assert_corrupt(mem.load_customer(&bad).await);
    assert_corrupt(mem.remember(&bad, &facts(Some("x"), &[])).await);
    // A failed link must not half-apply.
    assert_corrupt(mem.link(&bad, &good_u).await);
    let link: Option<String> =
        redis::cmd("GET").arg(format!("{prefix}link:{{{}}}", bad.key())).query_async(&mut conn).await.unwrap();
    assert!(link.is_none());

    // Valid JSON of the wrong shape.
    let odd = CustomerId::channel("cli", "odd");
    let _: () = set(cust(&odd, "facts"), "[1,2]").query_async(&mut conn).await.unwrap();
    assert_corrupt(mem.load_customer(&odd).await);
    assert_corrupt(mem.remember(&odd, &facts(Some("x"), &[])).await);

    // A turn list that is not a list (WRONGTYPE inside the script).
    let wrong = CustomerId::channel("cli", "wrongtype");
    let _: () = set(cust(&wrong, "turns"), "x").query_async(&mut conn).await.unwrap();
    assert_corrupt(mem.load_customer(&wrong).await);

    let turns_bad = CustomerId::channel("cli", "badturn");
    let _: () = redis::cmd("RPUSH")
        .arg(cust(&turns_bad, "turns"))
        .arg("nope")
        .query_async(&mut conn)
        .await
        .map(|_: i64| ())
        .unwrap();
    assert_corrupt(mem.load_customer(&turns_bad).await);
    assert_corrupt(mem.link(&turns_bad, &good_u).await);

    // A corrupt unified record stops a link before anything moves.
    let bad_u = CustomerId::Unified("02".repeat(32));
    let fine = CustomerId::channel("cli", "fine");
    mem.remember(&fine, &facts(Some("Fine Co"), &[])).await.unwrap();
    let _: () = set(cust(&bad_u, "facts"), "{not json").query_async(&mut conn).await.unwrap();
    assert_corrupt(mem.link(&fine, &bad_u).await);
    assert_eq!(mem.load_customer(&fine).await.unwrap().facts.company.as_deref(), Some("Fine Co"));

    let _: () = redis::cmd("RPUSH")
        .arg(format!("{prefix}tr:t"))
        .arg("{}")
        .query_async(&mut conn)
        .await
        .map(|_: i64| ())
        .unwrap();
    assert_corrupt(mem.transcript("t").await);
    let _: () = set(format!("{prefix}res:r"), "42").query_async(&mut conn).await.unwrap();
    assert_corrupt(mem.result("r").await);
    let _: () = set(format!("{prefix}link:{{{}}}", CustomerId::channel("cli", "l").key()), "garbage")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_corrupt(mem.load_customer(&CustomerId::channel("cli", "l")).await);
}
on_both!(#[tokio::test] redis_corrupt_records_are_reported_not_panicked => corrupt_records);

/// The primaries' addresses: the one server, or every primary of the cluster.
async fn primaries(b: Backend, conn: &mut RedisConn) -> Vec<String> {
    if b == Backend::Single {
        return vec![b.url()];
    }
    let nodes: String = redis::cmd("CLUSTER").arg("NODES").query_async(conn).await.unwrap();
    nodes
        .lines()
        .filter(|l| l.split_whitespace().nth(2).is_some_and(|f| f.split(',').any(|f| f == "master")))
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(|addr| format!("redis://{}", addr.split('@').next().unwrap_or(addr)))
        .collect()
}

/// What the servers executed while `f` ran, as MONITOR lines naming
/// `prefix`: MONITOR logs every command in execution order, tagging the ones
/// a script issues as `lua`. A sentinel ECHO sent to every primary after `f`
/// returns marks the end of its traffic, so the check needs no sleeps and
/// ignores parallel tests (other prefixes).
async fn monitored<F: std::future::Future<Output = ()>>(b: Backend, prefix: &str, f: F) -> Vec<String> {
    let mut conn = b.conn().await;
    let nodes = primaries(b, &mut conn).await;
    let mut feeds = Vec::new();
    for node in &nodes {
        let monitor = redis::Client::open(node.as_str()).unwrap().get_async_monitor().await.unwrap();
        feeds.push(monitor.into_on_message::<String>().boxed());
    }
    let mut feed = futures::stream::select_all(feeds);
    f.await;
    let sentinel = format!("{prefix}sentinel");
    for node in &nodes {
        let mut direct = redis::Client::open(node.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
        let _: String = redis::cmd("ECHO").arg(&sentinel).query_async(&mut direct).await.unwrap();
    }
    let (mut seen, mut ours) = (0, Vec::new());
    while seen < nodes.len() {
        let line = tokio::time::timeout(Duration::from_secs(5), feed.next())
            .await
            .expect("MONITOR fell silent before the sentinel")
            .expect("MONITOR stream ended");
        if line.contains(&sentinel) {
            seen += 1;
        } else if line.contains(prefix) {
            ours.push(line);
        }
    }
    ours
}

/// `load_customer` is one request for an unlinked id and two through a
/// link (the link lives in the channel id's slot, the record in the
/// unified id's), on either topology.
async fn load_round_trips(b: Backend) {
    let prefix = unique_prefix();
    let (mem, _c) = redis_memory(b, test_config(&prefix)).await;
    let chan = CustomerId::channel("telegram", "rt");
    let uni = CustomerId::Unified("aa".repeat(32));
    let lone = CustomerId::channel("telegram", "rt-lone");
    mem.remember(&chan, &facts(Some("RT"), &["i"])).await.unwrap();
    mem.push_turns(&chan, &[turn(1, "a"), turn(2, "b")]).await.unwrap();
    mem.link(&chan, &uni).await.unwrap();
    mem.push_turns(&lone, &[turn(1, "a")]).await.unwrap();

    for (who, requests, in_script) in [(&lone, 1, 3), (&uni, 1, 3), (&chan, 2, 3)] {
        let ours = monitored(b, &prefix, async {
            let view = mem.load_customer(who).await.unwrap();
            assert_eq!(&view.id, if who == &chan { &uni } else { who });
            assert!(!view.recent_turns.is_empty());
        })
        .await;
        let from_client: Vec<&String> = ours.iter().filter(|l| !l.contains(" lua]")).collect();
        assert_eq!(from_client.len(), requests, "{who:?}: {from_client:#?}");
        assert!(from_client.iter().all(|l| l.contains("\"EVALSHA\"")), "{from_client:#?}");
        // The requests did follow the link and read facts and turns.
        let scripted = ours.iter().filter(|l| l.contains(" lua]")).count();
        assert_eq!(scripted, in_script, "{who:?}: {ours:#?}");
    }
}
on_both!(#[tokio::test] redis_load_customer_is_one_round_trip_and_two_through_a_link => load_round_trips);

#[tokio::test]
async fn redis_unreachable_is_unavailable() {
    let port = free_port();
    let options = RedisOptions {
        response_timeout: Duration::from_millis(500),
        connection_timeout: Duration::from_millis(500),
        reconnect_retries: 1,
        max_reconnect_delay: Duration::from_millis(100),
    };
    let got = RedisMemory::connect_with(&format!("redis://127.0.0.1:{port}/"), test_config("x:"), options).await;
    assert!(matches!(got, Err(MemoryError::Unavailable(_))), "{got:?}");
    let got = RedisMemory::connect("not a url", test_config("x:")).await;
    assert!(matches!(got, Err(MemoryError::Unavailable(_))), "{got:?}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A private redis-server this test may kill; killed on drop.
struct PrivateRedis {
    child: std::process::Child,
}

impl PrivateRedis {
    async fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server not on PATH: run the tests through scripts/test.sh");
        // Guard first, so a server that never answers is still killed.
        let server = Self { child };
        let url = format!("redis://127.0.0.1:{port}/");
        for _ in 0..100 {
            if let Ok(client) = redis::Client::open(url.as_str()) {
                if let Ok(mut c) = client.get_multiplexed_async_connection().await {
                    if redis::cmd("PING").query_async::<String>(&mut c).await.is_ok() {
                        return server;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("private redis-server on port {port} did not come up");
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Outage → `Unavailable` (no panic); recovery → the manager reconnects and
/// the scripts, lost with the old server, are re-uploaded on first use.
#[tokio::test]
async fn redis_survives_a_server_restart() {
    // The shared server proves the environment is set up; the restart itself
    // happens on a private one so parallel tests are unaffected.
    let _ = Backend::Single.url();
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let server = PrivateRedis::start(port).await;
    let options = RedisOptions {
        response_timeout: Duration::from_millis(500),
        connection_timeout: Duration::from_millis(500),
        reconnect_retries: 2,
        max_reconnect_delay: Duration::from_millis(200),
    };
    let mem = RedisMemory::connect_with(&url, test_config("tw:"), options).await.unwrap();
    let id = CustomerId::channel("cli", "restart");
    mem.remember(&id, &facts(Some("Before"), &[])).await.unwrap();

    drop(server);
    let down = mem.load_customer(&id).await;
    assert!(matches!(down, Err(MemoryError::Unavailable(_))), "{down:?}");
    assert!(matches!(mem.remember(&id, &facts(None, &[])).await, Err(MemoryError::Unavailable(_))));

    let _server = PrivateRedis::start(port).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let view = loop {
        match mem.load_customer(&id).await {
            Ok(view) => break view,
            Err(MemoryError::Unavailable(e)) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("did not recover: {e}"),
        }
    };
    // A fresh server: data gone, but every script path works again.
    assert_eq!(view.facts, CustomerFacts::default());
    let merged = mem.remember(&id, &facts(Some("After"), &[])).await.unwrap();
    assert_eq!(merged.company.as_deref(), Some("After"));
    mem.push_turns(&id, &[turn(1, "x")]).await.unwrap();
    mem.link(&id, &CustomerId::Unified("bb".repeat(32))).await.unwrap();
    assert_eq!(mem.load_customer(&id).await.unwrap().facts.company.as_deref(), Some("After"));
}
