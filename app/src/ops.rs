//! What operators watch: counters for `/metrics` (Prometheus text), and the
//! operations page's figures: inquiries in flight, the model's circuit and
//! error rate, list ages, dead letters with a retry.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use tradewind_core::{now_ms, SwarmResult};
use tradewind_ports::review::{OpsView, Review, Stage};

use crate::App;

/// Counters since the process started. Plain atomics: a handful of series,
/// read by one scrape now and then, needs no metrics library.
#[derive(Default)]
pub struct Metrics {
    inquiries_ok: AtomicU64,
    inquiries_failed: AtomicU64,
    inquiry_ms_sum: AtomicU64,
    degraded: AtomicU64,
    model_calls: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    deliveries_sent: AtomicU64,
    deliveries_held: AtomicU64,
    held_inquiries: AtomicU64,
    /// Per agent: (sum of ms, runs).
    agents: Mutex<BTreeMap<String, (f64, u64)>>,
}

impl Metrics {
    pub fn inquiry(&self, r: &SwarmResult, review: &Review) {
        self.inquiries_ok.fetch_add(1, Relaxed);
        self.inquiry_ms_sum.fetch_add(r.timings.total_ms.max(0.0) as u64, Relaxed);
        self.degraded.fetch_add(r.degraded.len() as u64, Relaxed);
        self.model_calls.fetch_add(u64::from(r.timings.model_calls), Relaxed);
        self.prompt_tokens.fetch_add(r.timings.prompt_tokens, Relaxed);
        self.completion_tokens.fetch_add(r.timings.completion_tokens, Relaxed);
        self.deliveries_sent.fetch_add(review.sent.len() as u64, Relaxed);
        self.deliveries_held.fetch_add(review.held.len() as u64, Relaxed);
        if matches!(review.stage, Stage::AwaitingCompliance | Stage::AwaitingSales) {
            self.held_inquiries.fetch_add(1, Relaxed);
        }
        let mut agents = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        for (name, ms) in &r.timings.agents {
            let e = agents.entry(name.clone()).or_default();
            e.0 += ms;
            e.1 += 1;
        }
        let e = agents.entry("intake".into()).or_default();
        e.0 += r.timings.intake_ms;
        e.1 += 1;
    }

    pub fn failed(&self) {
        self.inquiries_failed.fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn render(&self, model_errors: u64) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, series: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (labels, v) in series {
                let _ = writeln!(out, "{name}{labels} {v}");
            }
        };
        counter(
            "tradewind_inquiries_total",
            "Messages the swarm answered, by outcome.",
            &[
                ("{outcome=\"ok\"}", self.inquiries_ok.load(Relaxed)),
                ("{outcome=\"failed\"}", self.inquiries_failed.load(Relaxed)),
            ],
        );
        counter(
            "tradewind_degraded_parts_total",
            "Result parts made without the model they should have used.",
            &[("", self.degraded.load(Relaxed))],
        );
        counter("tradewind_model_calls_total", "Model calls.", &[("", self.model_calls.load(Relaxed))]);
        counter("tradewind_model_errors_total", "Model calls that failed or timed out.", &[("", model_errors)]);
        counter(
            "tradewind_model_tokens_total",
            "Tokens of model calls, by kind.",
            &[
                ("{kind=\"prompt\"}", self.prompt_tokens.load(Relaxed)),
                ("{kind=\"completion\"}", self.completion_tokens.load(Relaxed)),
            ],
        );
        counter(
            "tradewind_deliveries_total",
            "Deliveries to sinks, sent at once or held for approval.",
            &[
                ("{state=\"sent\"}", self.deliveries_sent.load(Relaxed)),
                ("{state=\"held\"}", self.deliveries_held.load(Relaxed)),
            ],
        );
        counter(
            "tradewind_inquiries_held_total",
            "Inquiries that waited for a person.",
            &[("", self.held_inquiries.load(Relaxed))],
        );
        let _ = writeln!(out, "# HELP tradewind_inquiry_seconds Wall time of a message, end to end.\n# TYPE tradewind_inquiry_seconds summary");
        let _ = writeln!(out, "tradewind_inquiry_seconds_sum {:.3}", self.inquiry_ms_sum.load(Relaxed) as f64 / 1000.0);
        let _ = writeln!(out, "tradewind_inquiry_seconds_count {}", self.inquiries_ok.load(Relaxed));
        let _ = writeln!(
            out,
            "# HELP tradewind_agent_seconds Wall time of each agent.\n# TYPE tradewind_agent_seconds summary"
        );
        for (name, (ms, n)) in self.agents.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let name = name.replace(['"', '\\', '\n'], "_");
            let _ = writeln!(out, "tradewind_agent_seconds_sum{{agent=\"{name}\"}} {:.3}", ms / 1000.0);
            let _ = writeln!(out, "tradewind_agent_seconds_count{{agent=\"{name}\"}} {n}");
        }
        out
    }
}

/// The operations view over a built application.
pub struct Ops {
    app: App,
}

impl Ops {
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

#[async_trait]
impl OpsView for Ops {
    async fn snapshot(&self) -> Value {
        let app = &self.app;
        let env = app.swarm.env();
        let health = env.brain.health();
        let llm = match &health {
            Some(h) => json!({
                "endpoint": h.endpoint, "circuit": h.circuit, "calls": h.calls, "errors": h.errors,
                "timeouts": h.timeouts, "short_circuited": h.short_circuited,
                "error_rate": if h.calls > 0 { format!("{:.1}%", 100.0 * (h.errors + h.timeouts) as f64 / h.calls as f64) } else { "-".into() },
            }),
            None => json!({"brain": "offline (rules and templates; no model)"}),
        };
        let today = jiff_today();
        let mut lists = serde_json::Map::new();
        for l in env.services.screening.lists() {
            let age = days_between(&l.list_date, &today).map_or("?".into(), |d| format!("{d} days"));
            lists.insert(
                format!("{} ({})", l.source, l.format),
                json!(format!("{} entries, dated {} ({age})", l.entries, l.list_date)),
            );
        }
        let hs = env.services.hs.origin();
        let hs_age = if hs.builtin {
            "built in".to_string()
        } else {
            format!("imported {} days ago", now_ms().saturating_sub(hs.imported_at_ms) / 86_400_000)
        };
        lists.insert(format!("HS: {}", hs.label), json!(hs_age));
        let dead = match &app.channels {
            Some(hub) => hub.dead_letters(50).await.unwrap_or_default(),
            None => Vec::new(),
        };
        let dead: Vec<Value> = dead
            .into_iter()
            .map(|d| {
                json!({"delivery_id": d.delivery.delivery_id, "sink": d.sink, "channel": d.channel,
                       "error": d.error, "attempts": d.attempts, "at_ms": d.at_ms, "inquiry_id": d.delivery.inquiry_id})
            })
            .collect();
        let mut queues = json!({
            "in flight (this process)": app.inflight_now(),
            "max in flight": app.config.limits.max_inflight,
            "memory": app.memory.backend(),
        });
        // With the cluster on Redis: its streams, leases and workers.
        let settings = crate::runtime::cluster_settings(&app.config);
        if settings.redis_url.is_some() {
            match tradewind_cluster::queue_snapshot(&settings).await {
                Ok(serde_json::Value::Object(m)) => {
                    if let Some(q) = queues.as_object_mut() {
                        q.extend(m);
                    }
                }
                Ok(_) => {}
                Err(e) => queues["cluster"] = json!(format!("unavailable: {e}")),
            }
        }
        json!({
            "queues": queues,
            "llm": llm,
            "lists": lists,
            "dead_letters": dead,
        })
    }

    async fn retry_dead_letter(&self, delivery_id: &str) -> Result<String, String> {
        let Some(hub) = &self.app.channels else { return Err("no chat channels are configured".into()) };
        let dead = hub.dead_letters(1_000).await.map_err(|e| e.to_string())?;
        let d = dead
            .into_iter()
            .find(|d| d.delivery.delivery_id == delivery_id)
            .ok_or_else(|| format!("no dead letter {delivery_id}"))?;
        self.app.desk.resend(&d.sink, &d.delivery).await
    }

    fn metrics(&self) -> String {
        let errors = self.app.swarm.env().brain.health().map_or(0, |h| h.errors + h.timeouts);
        self.app.metrics.render(errors)
    }
}

fn jiff_today() -> String {
    tradewind_tools::customs::lists::date::today()
}

fn days_between(from: &str, to: &str) -> Option<i64> {
    let a: jiff::civil::Date = from.get(..10)?.parse().ok()?;
    let b: jiff::civil::Date = to.parse().ok()?;
    Some((b - a).get_days() as i64)
}
