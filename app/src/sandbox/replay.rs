//! Shadow replay: stored inquiries (or a labelled case file) run again
//! through a baseline and a candidate strategy, each in a sandbox of its
//! own: scratch in-process memory, every sink off, a private copy of the
//! knowledge index, nothing sent. Both sides run now, on the same inputs
//! and the same knowledge, so the only difference between them is the
//! strategy. Their outputs are compared field by field and judged by the
//! gate.
//!
//! No tool of ours writes to the outside world except through a sink or
//! memory, and both are sandboxed here, so recorded tool results are not
//! needed to keep a replay free of side effects.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tradewind_core::{now_ms, AgentOutcome, RiskLevel, SwarmResult};
use tradewind_ports::review::Stage;
use tradewind_ports::{AppError, IncomingMessage};

use super::report::{CaseDiff, FieldDiff, GateOutcome, Metrics, Outcome, ReplayReport};
use super::strategy::{GateSection, Strategy};
use crate::{App, BuildOptions, Config};

/// One message to replay.
#[derive(Debug, Clone)]
pub struct ReplayInput {
    /// The stored inquiry id, or "case <n>".
    pub key: String,
    pub msg: IncomingMessage,
    pub received_at_ms: u64,
    pub labels: Option<Labels>,
}

/// What a labelled case expects. Every field is optional; only the ones
/// given are scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Labels {
    /// Catalog SKUs the message asks for.
    pub skus: Option<Vec<String>>,
    /// Quantity per SKU.
    pub quantities: Option<BTreeMap<String, u32>>,
    /// ISO alpha-2 of the final destination.
    pub destination: Option<String>,
    pub incoterm: Option<String>,
    /// Whether customs should hold the order (review or worse).
    pub held: Option<bool>,
    /// FAQ card ids that are right for it.
    pub cards: Option<Vec<String>>,
}

/// One line of a case file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseLine {
    text: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    chat: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    expect: Option<Labels>,
}

/// Reads a JSON Lines case file: `{"text": …, "chat"?: …, "expect"?: {…}}`.
/// Lines without a chat are separate conversations.
pub fn load_cases(path: &Path) -> Result<Vec<ReplayInput>, AppError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AppError::BadInput(format!("case file {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let c: CaseLine = serde_json::from_str(line)
            .map_err(|e| AppError::BadInput(format!("case file {} line {}: {e}", path.display(), n + 1)))?;
        let key = format!("case {}", n + 1);
        let chat = c.chat.unwrap_or_else(|| format!("case-{}", n + 1));
        let msg = IncomingMessage {
            channel: c.channel.unwrap_or_else(|| "replay".into()),
            user: c.user.unwrap_or_else(|| chat.clone()),
            text: c.text,
            chat: Some(chat),
            ..IncomingMessage::default()
        };
        out.push(ReplayInput { key, msg, received_at_ms: n as u64, labels: c.expect });
    }
    Ok(out)
}

/// Stored inquiries received in `[since, until)`, oldest first: from Redis
/// when memory is there, else from the results the application exported
/// under the data folder. At most `limit`, the newest.
pub async fn load_stored(
    config: &Config,
    since_ms: Option<u64>,
    until_ms: Option<u64>,
    limit: usize,
) -> Result<Vec<ReplayInput>, AppError> {
    let results: Vec<SwarmResult> = match &config.memory.redis_url {
        Some(url) => {
            let mc = crate::app::memory_config(config);
            let memory = tradewind_redis::RedisMemory::connect(url, mc)
                .await
                .map_err(|e| AppError::Unavailable(format!("redis at {url}: {e}")))?;
            use tradewind_memory::Memory;
            let ids = memory.recent_inquiries(limit).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(r) = memory.result(&id).await.map_err(|e| AppError::Unavailable(e.to_string()))? {
                    out.push(r);
                }
            }
            out
        }
        None => {
            let dir = crate::data_root(config).join("results");
            let mut out = Vec::new();
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(AppError::NotFound(format!(
                        "no stored inquiries in {} (serve and ask keep them there)",
                        dir.display()
                    )))
                }
                Err(e) => return Err(AppError::Unavailable(format!("{}: {e}", dir.display()))),
            };
            for e in entries.flatten() {
                let Ok(bytes) = std::fs::read(e.path()) else { continue };
                match serde_json::from_slice::<SwarmResult>(&bytes) {
                    Ok(r) => out.push(r),
                    Err(err) => {
                        tracing::warn!(file = %e.path().display(), error = %err, "skipping an unreadable result")
                    }
                }
            }
            out
        }
    };
    let mut inputs: Vec<ReplayInput> = results
        .into_iter()
        .filter_map(|r| {
            let m = r.message?;
            let t = m.received_at_ms;
            if since_ms.is_some_and(|s| t < s) || until_ms.is_some_and(|u| t >= u) {
                return None;
            }
            Some(ReplayInput {
                key: r.inquiry_id,
                msg: IncomingMessage {
                    channel: m.channel,
                    user: m.user,
                    text: m.text,
                    chat: m.chat,
                    start_new: m.start_new,
                    ..IncomingMessage::default()
                },
                received_at_ms: t,
                labels: None,
            })
        })
        .collect();
    inputs.sort_by(|a, b| a.received_at_ms.cmp(&b.received_at_ms).then_with(|| a.key.cmp(&b.key)));
    if inputs.len() > limit {
        inputs.drain(..inputs.len() - limit);
    }
    Ok(inputs)
}

/// What one side made of one input.
struct Produced {
    result: Option<SwarmResult>,
    error: Option<String>,
    stage: Option<Stage>,
}

/// A sandbox application for one strategy: the real wiring with scratch
/// memory, sinks off and a private knowledge index.
async fn sandbox(config: &Config, strategy: &Strategy, scratch: &Path) -> Result<App, AppError> {
    let mut c = config.clone();
    // Keep reading the real lists and bundles after the data folder moves.
    c.knowledge.lists_dir = Some(crate::lists::lists_dir(config));
    c.strategy.dir = Some(super::strategy::strategies_dir(config));
    c.strategy.active = strategy.id();
    c.memory.redis_url = None;
    c.memory.export_transcripts = false;
    c.sinks.sales = "none".into();
    c.sinks.logistics = "none".into();
    c.sinks.customer_service = "none".into();
    c.knowledge.query_cache_entries = 0;
    // A server index is read as it is; the embedded one is built afresh,
    // since the running service holds the real one's folder.
    let ingest = c.knowledge.qdrant_url.is_none();
    c.knowledge.data_dir = scratch.join("knowledge");
    let (app, _) = App::build(c, BuildOptions { ingest, quiet: true }, None).await?;
    Ok(app)
}

/// Runs every input through `app`, in order (a conversation's messages
/// build on each other).
async fn run_side(app: &App, inputs: &[ReplayInput]) -> Vec<Produced> {
    let mut out = Vec::with_capacity(inputs.len());
    for (n, input) in inputs.iter().enumerate() {
        let id = format!("inq-replay-{n:06}");
        match app.handle_message_with_id(input.msg.clone(), id.clone()).await {
            Ok(r) => {
                let stage = app.desk.reviews.get(&id).await.ok().flatten().map(|r| r.stage);
                out.push(Produced { result: Some(r), error: None, stage });
            }
            Err(e) => out.push(Produced { result: None, error: Some(e.to_string()), stage: None }),
        }
    }
    out
}

/// Replays `inputs` through both strategies and judges the candidate.
pub async fn replay(
    config: &Config,
    baseline: &Strategy,
    candidate: &Strategy,
    inputs: &[ReplayInput],
    source: String,
) -> Result<ReplayReport, AppError> {
    let scratch = ScratchDir::new()?;
    let base_app = sandbox(config, baseline, &scratch.path.join("baseline")).await?;
    let base = run_side(&base_app, inputs).await;
    drop(base_app);
    let cand_app = sandbox(config, candidate, &scratch.path.join("candidate")).await?;
    let cand = run_side(&cand_app, inputs).await;
    drop(cand_app);
    Ok(compare(&config.strategy.gate, baseline, candidate, inputs, &base, &cand, source))
}

fn compare(
    gate: &GateSection,
    baseline: &Strategy,
    candidate: &Strategy,
    inputs: &[ReplayInput],
    base: &[Produced],
    cand: &[Produced],
    source: String,
) -> ReplayReport {
    let mut cases = Vec::new();
    for ((input, b), c) in inputs.iter().zip(base).zip(cand) {
        let bo = outcome(b, input.labels.as_ref());
        let co = outcome(c, input.labels.as_ref());
        let diffs = diff_results(b, c);
        let false_trigger = false_trigger(&bo, &co, input.labels.as_ref());
        cases.push(CaseDiff {
            key: input.key.clone(),
            conversation: format!("{}:{}", input.msg.channel, input.msg.chat.as_deref().unwrap_or(&input.msg.user)),
            text: input.msg.text.clone(),
            diffs,
            false_trigger,
            baseline: bo,
            candidate: co,
        });
    }
    let bm = metrics(cases.iter().map(|c| &c.baseline));
    let cm = metrics(cases.iter().map(|c| &c.candidate));
    let gate = judge(gate, &cases, &bm, &cm);
    let created_ms = now_ms();
    ReplayReport {
        id: format!("rpl-{created_ms:x}-{}", candidate.name),
        created_ms,
        baseline: baseline.id(),
        candidate: candidate.id(),
        source,
        labelled: inputs.iter().any(|i| i.labels.is_some()),
        cases,
        baseline_metrics: bm,
        candidate_metrics: cm,
        gate,
    }
}

fn outcome(p: &Produced, labels: Option<&Labels>) -> Outcome {
    let Some(r) = &p.result else {
        return Outcome { error: p.error.clone(), ..Outcome::default() };
    };
    let risk = r.customs.value().map(|c| c.risk);
    let cards = r.faq_cards.value().map(|v| v.iter().map(|c| c.id.clone()).collect()).unwrap_or_default();
    let proposal_cited = r.proposal.value().filter(|p| !p.lines.is_empty()).map(|p| {
        p.lines.iter().all(|l| {
            let cites = |what: &str| {
                p.citations
                    .iter()
                    .any(|c| c.section.as_deref().is_some_and(|s| s.starts_with(&format!("{} {what}", l.sku))))
            };
            cites("price_tiers") && cites("stock")
        })
    });
    Outcome {
        risk: risk.map(|r| r.as_str().to_string()),
        held: risk.is_some_and(|r| r >= RiskLevel::Review),
        cards,
        reply: r.reply.clone(),
        first_reply_ms: r.timings.total_ms,
        answered_without_human: p.stage == Some(Stage::Sent),
        slots: labels.and_then(|l| slots(l, r)),
        proposal_cited,
        degraded: r.degraded.iter().map(|d| format!("{}: {}", d.part, d.reason)).collect(),
        error: None,
    }
}

/// Labelled slots filled right, of those labelled.
fn slots(l: &Labels, r: &SwarmResult) -> Option<(u32, u32)> {
    let si = &r.inquiry;
    let (mut right, mut total) = (0u32, 0u32);
    let mut score = |ok: bool| {
        total += 1;
        right += u32::from(ok);
    };
    if let Some(skus) = &l.skus {
        let got: BTreeSet<&str> = si.items.iter().map(|i| i.sku.as_str()).collect();
        for s in skus {
            score(got.contains(s.as_str()));
        }
        // Products the customer did not ask for are wrong too.
        for g in &got {
            if !skus.iter().any(|s| s == g) {
                score(false);
            }
        }
    }
    if let Some(q) = &l.quantities {
        for (sku, n) in q {
            score(si.items.iter().any(|i| &i.sku == sku && i.quantity == Some(*n)));
        }
    }
    if let Some(d) = &l.destination {
        score(si.destination.as_ref().is_some_and(|x| x.country.eq_ignore_ascii_case(d)));
    }
    if let Some(t) = &l.incoterm {
        score(si.incoterm.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(t)));
    }
    (total > 0).then_some((right, total))
}

/// A hold or a card the candidate adds that neither the baseline nor the
/// labels support.
fn false_trigger(b: &Outcome, c: &Outcome, labels: Option<&Labels>) -> Option<String> {
    let mut why = Vec::new();
    if c.held && !b.held && labels.and_then(|l| l.held) != Some(true) {
        why.push(format!(
            "customs {} where the baseline said {}",
            c.risk.as_deref().unwrap_or("unknown"),
            b.risk.as_deref().unwrap_or("nothing")
        ));
    }
    let allowed: BTreeSet<&str> =
        labels.and_then(|l| l.cards.as_ref()).into_iter().flatten().map(String::as_str).collect();
    let new: Vec<&str> = c
        .cards
        .iter()
        .map(String::as_str)
        .filter(|id| !b.cards.iter().any(|x| x == id) && !allowed.contains(id))
        .collect();
    if !new.is_empty() {
        why.push(format!("card{} {} the baseline did not push", if new.len() == 1 { "" } else { "s" }, new.join(", ")));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The compared parts of a result, as JSON; ids that differ on every run
/// (the conversation's thread id) are written as placeholders.
fn parts(p: &Produced) -> BTreeMap<&'static str, Value> {
    let mut out = BTreeMap::new();
    let Some(r) = &p.result else {
        out.insert("error", Value::String(p.error.clone().unwrap_or_default()));
        return out;
    };
    let mut inquiry = serde_json::to_value(&r.inquiry).unwrap_or_default();
    if let Some(o) = inquiry.as_object_mut() {
        // Where a field came from is bookkeeping, not the reading.
        o.remove("from_memory");
    }
    out.insert("inquiry", inquiry);
    out.insert("customs", outcome_json(&r.customs, |c| serde_json::json!({"risk": c.risk, "findings": c.findings, "documents": c.documents, "summary": c.summary})));
    out.insert(
        "proposal",
        outcome_json(&r.proposal, |p| serde_json::json!({"lines": p.lines, "citations": p.citations})),
    );
    out.insert("faq", outcome_json(&r.faq_cards, |v| serde_json::to_value(v).unwrap_or_default()));
    let thread = r.thread.as_ref().map(|t| t.thread_id.as_str()).unwrap_or_default();
    let reply = if thread.is_empty() { r.reply.clone() } else { r.reply.replace(thread, "thr-…") };
    out.insert("reply", Value::String(reply));
    out
}

fn outcome_json<T>(o: &AgentOutcome<T>, f: impl Fn(&T) -> Value) -> Value {
    match o {
        AgentOutcome::Done { value } => f(value),
        // The status only: a timeout's exact milliseconds are noise.
        AgentOutcome::TimedOut { .. } => serde_json::json!({ "status": "timed_out" }),
        AgentOutcome::Failed { .. } => serde_json::json!({ "status": "failed" }),
        AgentOutcome::Skipped { .. } => serde_json::json!({ "status": "skipped" }),
    }
}

fn diff_results(b: &Produced, c: &Produced) -> Vec<FieldDiff> {
    let (mut pb, mut pc) = (parts(b), parts(c));
    // Search scores move with the index's build (HNSW links differ run to
    // run); which chunk is cited is what counts.
    for v in pb.values_mut().chain(pc.values_mut()) {
        drop_scores(v);
    }
    let mut out = Vec::new();
    for part in pb.keys().chain(pc.keys()).collect::<BTreeSet<_>>() {
        diff_json(part, "", pb.get(part), pc.get(part), &mut out);
    }
    out
}

fn drop_scores(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.remove("score");
            o.values_mut().for_each(drop_scores);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_scores),
        _ => {}
    }
}

/// Field-level differences, down to scalars; arrays by position.
fn diff_json(part: &str, path: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldDiff>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                diff_json(part, &format!("{path}/{k}"), x.get(k), y.get(k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff_json(part, &format!("{path}/{i}"), Some(p), Some(q), out);
            }
        }
        _ => out.push(FieldDiff {
            part: part.to_string(),
            field: if path.is_empty() { "/".into() } else { path.to_string() },
            baseline: a.cloned(),
            candidate: b.cloned(),
        }),
    }
}

fn metrics<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Metrics {
    let all: Vec<&Outcome> = outcomes.collect();
    let n = all.len() as u32;
    let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / f64::from(n) };
    let (right, total) = all.iter().filter_map(|o| o.slots).fold((0u32, 0u32), |(r, t), (a, b)| (r + a, t + b));
    let cited: Vec<bool> = all.iter().filter_map(|o| o.proposal_cited).collect();
    let mut times: Vec<f64> = all.iter().filter(|o| o.error.is_none()).map(|o| o.first_reply_ms).collect();
    let first_reply_ms = times.clone();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if times.is_empty() {
            0.0
        } else {
            times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)]
        }
    };
    Metrics {
        inquiries: n,
        slot_filling_accuracy: (total > 0).then(|| f64::from(right) / f64::from(total)),
        answered_without_human: share(all.iter().filter(|o| o.answered_without_human).count()),
        first_reply_ms_p50: pct(0.50),
        first_reply_ms_p95: pct(0.95),
        first_reply_ms,
        proposal_completeness: (!cited.is_empty())
            .then(|| cited.iter().filter(|c| **c).count() as f64 / cited.len() as f64),
        errors: all.iter().filter(|o| o.error.is_some()).count() as u32,
        degraded: all.iter().filter(|o| !o.degraded.is_empty()).count() as u32,
        held: all.iter().filter(|o| o.held).count() as u32,
        cards: all.iter().map(|o| o.cards.len() as u32).sum(),
    }
}

/// The metrics the gate can judge, and whether more is better.
pub const METRICS: [(&str, bool); 4] = [
    ("answered_without_human", true),
    ("slot_filling_accuracy", true),
    ("time_to_first_reply", false),
    ("proposal_completeness", true),
];

fn metric_value(m: &Metrics, name: &str) -> Option<f64> {
    match name {
        "answered_without_human" => Some(m.answered_without_human),
        "slot_filling_accuracy" => m.slot_filling_accuracy,
        "time_to_first_reply" => (m.inquiries > 0).then_some(m.first_reply_ms_p50),
        "proposal_completeness" => m.proposal_completeness,
        _ => None,
    }
}

fn judge(g: &GateSection, cases: &[CaseDiff], b: &Metrics, c: &Metrics) -> GateOutcome {
    let n = cases.len().max(1) as f64;
    let false_triggers = cases.iter().filter(|c| c.false_trigger.is_some()).count() as u32;
    let rate = f64::from(false_triggers) / n;
    let higher_better = METRICS.iter().find(|(m, _)| *m == g.metric).map(|(_, h)| *h);
    let improvement = match (higher_better, metric_value(b, &g.metric), metric_value(c, &g.metric)) {
        (Some(h), Some(x), Some(y)) if x.abs() > f64::EPSILON => Some(if h { (y - x) / x } else { (x - y) / x }),
        // From nothing to something is an improvement without a ratio.
        (Some(true), Some(_), Some(y)) if y > 0.0 => Some(f64::INFINITY),
        (Some(_), Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    let mut reasons = Vec::new();
    if cases.is_empty() {
        reasons.push("nothing was replayed".to_string());
    }
    if higher_better.is_none() {
        reasons.push(format!(
            "unknown metric '{}' (use {})",
            g.metric,
            METRICS.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
        ));
    }
    if rate >= g.max_false_trigger_rate {
        reasons.push(format!(
            "false triggers {false_triggers} of {} ({:.2}%) are not below {:.2}%",
            cases.len(),
            rate * 100.0,
            g.max_false_trigger_rate * 100.0
        ));
    }
    match improvement {
        None if higher_better.is_some() => reasons.push(format!("{} cannot be measured on this set", g.metric)),
        Some(i) if i < g.min_improvement => reasons.push(format!(
            "{} improved by {:+.2}%, less than the {:.2}% required",
            g.metric,
            i * 100.0,
            g.min_improvement * 100.0
        )),
        _ => {}
    }
    let passed = reasons.is_empty();
    if passed {
        reasons.push(format!(
            "{} improved by {:+.2}% with {false_triggers} false triggers ({:.2}%)",
            g.metric,
            improvement.unwrap_or_default() * 100.0,
            rate * 100.0
        ));
    }
    GateOutcome {
        passed,
        metric: g.metric.clone(),
        improvement: improvement.filter(|i| i.is_finite()),
        min_improvement: g.min_improvement,
        false_triggers,
        false_trigger_rate: rate,
        max_false_trigger_rate: g.max_false_trigger_rate,
        reasons,
    }
}

/// A temporary folder removed when dropped.
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    fn new() -> Result<Self, AppError> {
        let path = std::env::temp_dir().join(format!("tradewind-replay-{}-{:x}", std::process::id(), now_ms()));
        tradewind_ports::files::private_dir(&path)
            .map_err(|e| AppError::Internal(format!("scratch folder {}: {e}", path.display())))?;
        Ok(Self { path })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where reports are kept: `replays/` under the data folder.
pub fn reports_dir(config: &Config) -> PathBuf {
    crate::data_root(config).join("replays")
}

/// Saves the report as `<id>.json` and `<id>.html`; returns the JSON path.
pub fn save_report(config: &Config, report: &ReplayReport) -> Result<PathBuf, AppError> {
    let dir = reports_dir(config);
    let json = dir.join(format!("{}.json", report.id));
    let bytes = serde_json::to_vec_pretty(report).map_err(|e| AppError::Internal(e.to_string()))?;
    tradewind_ports::files::write_private(&json, &bytes)
        .map_err(|e| AppError::Internal(format!("{}: {e}", json.display())))?;
    let html = dir.join(format!("{}.html", report.id));
    tradewind_ports::files::write_private(&html, super::html::render(report).as_bytes())
        .map_err(|e| AppError::Internal(format!("{}: {e}", html.display())))?;
    Ok(json)
}

/// Every saved report, newest first.
pub fn saved_reports(config: &Config) -> Vec<ReplayReport> {
    let mut out: Vec<ReplayReport> = std::fs::read_dir(reports_dir(config))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice(&b).ok())
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.created_ms));
    out
}

/// One saved report by id (ids are checked: no path tricks).
pub fn saved_report(config: &Config, id: &str) -> Option<ReplayReport> {
    if !id.starts_with("rpl-") || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    let bytes = std::fs::read(reports_dir(config).join(format!("{id}.json"))).ok()?;
    serde_json::from_slice(&bytes).ok()
}
