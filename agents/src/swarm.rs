//! The swarm: intake, a parallel fan-out of the registered agents (each
//! under its own deadline, with only its own tools), then the customer's
//! reply.
//!
//! The fan-out is a `join_all` inside the inquiry's own task, so every
//! branch is owned by the call: a straggler past its deadline is dropped
//! (cancelled) and reported as timed out while the others still deliver.

use futures::future::join_all;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_core::{
    now_ms, unified_customer_id, AgentOutcome, CustomerId, CustomsReport, FaqCard, Inquiry, Proposal, RiskLevel,
    StepKind, SwarmResult, Timings,
};
use tradewind_ports::memory::{MemoryError, Turn};
use tradewind_ports::AppError;
use tradewind_tools::builtin::{NoArgs, RecallCustomer, RememberCustomer};
use tradewind_tools::{Recorder, ToolCtx};

use crate::agent::{Agent, AgentInput, AgentOutput};
use crate::{BrainError, Env};

#[derive(Debug, Clone)]
pub struct SwarmConfig {
    pub intake_deadline: Duration,
    pub reply_deadline: Duration,
    /// Deadlines by agent name, overriding each agent's own.
    pub agent_deadlines: BTreeMap<String, Duration>,
    /// Messages longer than this are refused with a clear error.
    pub max_message_bytes: usize,
}

impl Default for SwarmConfig {
    fn default() -> Self {
        Self {
            intake_deadline: Duration::from_secs(20),
            reply_deadline: Duration::from_secs(20),
            agent_deadlines: BTreeMap::new(),
            max_message_bytes: 16 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SwarmError {
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message is {got} bytes; the limit is {max} bytes")]
    TooLarge { got: usize, max: usize },
    #[error("understanding the message timed out after {0:?}")]
    IntakeTimeout(Duration),
    #[error("understanding the message failed: {0}")]
    Intake(BrainError),
    #[error("memory unavailable: {0}")]
    Memory(#[from] MemoryError),
}

impl From<SwarmError> for AppError {
    fn from(e: SwarmError) -> Self {
        match e {
            SwarmError::EmptyMessage => AppError::BadInput("the message is empty".into()),
            SwarmError::TooLarge { .. } => AppError::TooLarge(e.to_string()),
            SwarmError::IntakeTimeout(_) => AppError::Timeout(e.to_string()),
            SwarmError::Intake(_) => AppError::Internal(e.to_string()),
            SwarmError::Memory(m) => AppError::Unavailable(m.to_string()),
        }
    }
}

#[derive(Clone)]
pub struct Swarm {
    env: Env,
    config: Arc<SwarmConfig>,
    agents: Arc<Vec<Arc<dyn Agent>>>,
}

/// How one agent ended, and how long it ran.
struct Ran {
    name: &'static str,
    outcome: AgentOutcome<AgentOutput>,
    ms: f64,
}

async fn run_agent(agent: &dyn Agent, env: &Env, ctx: ToolCtx, input: AgentInput<'_>, deadline: Duration) -> Ran {
    let start = Instant::now();
    let name = agent.name();
    // The agent sees only its own tools.
    let env = Env { dispatcher: env.dispatcher.scoped(agent.tools()), ..env.clone() };
    let outcome = match tokio::time::timeout(deadline, agent.run(&env, &ctx, input)).await {
        Ok(Ok(value)) => {
            ctx.recorder.record(name, 0.0, StepKind::Output { value: value.transcript_value() });
            AgentOutcome::Done { value }
        }
        Ok(Err(e)) => {
            ctx.recorder.note(name, format!("{name} failed: {e}"));
            AgentOutcome::Failed { error: e.to_string() }
        }
        Err(_) => {
            let after_ms = deadline.as_millis() as u64;
            ctx.recorder.note(name, format!("{name} passed its {after_ms} ms deadline and was cancelled"));
            AgentOutcome::TimedOut { after_ms }
        }
    };
    Ran { name, outcome, ms: start.elapsed().as_secs_f64() * 1000.0 }
}

/// The typed slot of a built-in agent's outcome.
fn typed<T>(ran: Option<AgentOutcome<AgentOutput>>, pick: impl Fn(AgentOutput) -> Option<T>) -> AgentOutcome<T> {
    match ran {
        None => AgentOutcome::Skipped { reason: "not registered".into() },
        Some(AgentOutcome::Done { value }) => match pick(value) {
            Some(v) => AgentOutcome::Done { value: v },
            None => AgentOutcome::Failed { error: "the agent returned an output of another kind".into() },
        },
        Some(AgentOutcome::TimedOut { after_ms }) => AgentOutcome::TimedOut { after_ms },
        Some(AgentOutcome::Failed { error }) => AgentOutcome::Failed { error },
        Some(AgentOutcome::Skipped { reason }) => AgentOutcome::Skipped { reason },
    }
}

impl Swarm {
    /// A swarm running the agents Tradewind ships.
    pub fn new(env: Env, config: SwarmConfig) -> Self {
        Self { env, config: Arc::new(config), agents: Arc::new(crate::agent::builtin()) }
    }

    /// Registers one more agent; it runs in the fan-out beside the others.
    pub fn with_agent(mut self, agent: Arc<dyn Agent>) -> Self {
        Arc::make_mut(&mut self.agents).push(agent);
        self
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    pub fn config(&self) -> &SwarmConfig {
        &self.config
    }

    pub fn agents(&self) -> &[Arc<dyn Agent>] {
        &self.agents
    }

    /// An agent's deadline: the config's override, else its own.
    pub fn deadline_of(&self, agent: &dyn Agent) -> Duration {
        self.config.agent_deadlines.get(agent.name()).copied().unwrap_or_else(|| agent.deadline())
    }

    /// A fresh, time-ordered inquiry id.
    pub fn new_inquiry_id() -> String {
        let u = uuid::Uuid::new_v4().simple().to_string();
        format!("inq-{:x}-{}", now_ms(), &u[..8])
    }

    /// Runs one inquiry end to end and stores its result and transcript.
    pub async fn handle(&self, inquiry: Inquiry) -> Result<SwarmResult, SwarmError> {
        let text = inquiry.text.trim();
        if text.is_empty() {
            return Err(SwarmError::EmptyMessage);
        }
        if inquiry.text.len() > self.config.max_message_bytes {
            return Err(SwarmError::TooLarge { got: inquiry.text.len(), max: self.config.max_message_bytes });
        }
        let env = &self.env;
        let started = Instant::now();
        let recorder = Arc::new(Recorder::new(inquiry.id.clone()));
        let mut ctx = ToolCtx {
            inquiry_id: Arc::from(inquiry.id.as_str()),
            agent: "intake",
            customer: CustomerId::channel(&inquiry.channel, &inquiry.channel_user),
            recorder: recorder.clone(),
        };
        recorder.record(
            "swarm",
            0.0,
            StepKind::Note {
                message: format!(
                    "inquiry from {}:{} ({} bytes), brain {}",
                    inquiry.channel,
                    inquiry.channel_user,
                    inquiry.text.len(),
                    env.brain.name()
                ),
            },
        );

        // Intake.
        let t0 = Instant::now();
        let (mut si, _recalled) =
            match tokio::time::timeout(self.config.intake_deadline, crate::intake::run(env, &ctx, text)).await {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => {
                    self.flush_transcript(&inquiry.id, &recorder).await;
                    return Err(SwarmError::Intake(e));
                }
                Err(_) => {
                    self.flush_transcript(&inquiry.id, &recorder).await;
                    return Err(SwarmError::IntakeTimeout(self.config.intake_deadline));
                }
            };
        if let (Some(phone), Some(code)) = (&si.contact.phone, &si.credit_code) {
            if let Some(unified) = unified_customer_id(phone, code) {
                env.services.memory.link(&ctx.customer, &unified).await?;
                recorder.note("intake", format!("linked {} to unified customer {}", ctx.customer.key(), unified.key()));
                ctx.customer = unified;
                // What the unified record knows (from other channels) fills
                // this inquiry's gaps too.
                if let Ok(r) = env.dispatcher.call_typed::<RecallCustomer>(&ctx, &NoArgs {}).await {
                    crate::intake::merge_memory(&mut si, &r.facts);
                    si.missing = tradewind_nlp::compute_missing(&si);
                }
            }
        }
        if let Err(e) = env.dispatcher.call_typed::<RememberCustomer>(&ctx, &crate::intake::facts_of(&si)).await {
            recorder.note("intake", format!("could not remember customer facts: {e}"));
        }
        recorder.record("intake", 0.0, StepKind::Output { value: serde_json::to_value(&si).unwrap_or_default() });
        let intake_ms = t0.elapsed().as_secs_f64() * 1000.0;
        self.post(&inquiry.id, "intake", &si).await;

        // Fan-out.
        let tf = Instant::now();
        let input = AgentInput { inquiry: &si, text };
        let runs = join_all(self.agents.iter().map(|a| {
            let deadline = self.deadline_of(a.as_ref());
            run_agent(a.as_ref(), env, ctx.for_agent(a.name()), input, deadline)
        }))
        .await;
        let fanout_ms = tf.elapsed().as_secs_f64() * 1000.0;
        let mut agent_ms = BTreeMap::new();
        let mut outcomes: BTreeMap<&'static str, AgentOutcome<AgentOutput>> = BTreeMap::new();
        for ran in runs {
            agent_ms.insert(ran.name.to_string(), ran.ms);
            outcomes.insert(ran.name, ran.outcome);
        }
        let proposal: AgentOutcome<Proposal> = typed(outcomes.remove(crate::proposal::NAME), |o| match o {
            AgentOutput::Proposal(p) => Some(p),
            _ => None,
        });
        let customs: AgentOutcome<CustomsReport> = typed(outcomes.remove(crate::customs::NAME), |o| match o {
            AgentOutput::Customs(c) => Some(c),
            _ => None,
        });
        let faq: AgentOutcome<Vec<FaqCard>> = typed(outcomes.remove(crate::faq::NAME), |o| match o {
            AgentOutput::Faq(f) => Some(f),
            _ => None,
        });
        let posts = [
            (crate::proposal::NAME, post_value(&proposal)),
            (crate::customs::NAME, post_value(&customs)),
            (crate::faq::NAME, post_value(&faq)),
        ];
        for (name, v) in posts {
            if let Some(v) = v {
                self.post(&inquiry.id, name, &v).await;
            }
        }
        let others: BTreeMap<String, AgentOutcome<serde_json::Value>> = outcomes
            .into_iter()
            .map(|(name, o)| {
                let o = typed(Some(o), |v| Some(serde_json::to_value(AgentOutputJson(&v)).unwrap_or_default()));
                (name.to_string(), o)
            })
            .collect();

        // The sales draft goes out after the fan-out so that it can carry the
        // customs verdict: sales must never send a quote compliance has stopped.
        let risk = customs.value().map(|c| c.risk);
        if let Some(p) = proposal.value() {
            let pctx = ctx.for_agent(crate::proposal::NAME);
            let banner = match risk {
                Some(r) if r >= RiskLevel::High => format!(
                    "> **Customs pre-check: {}. Do not send this draft until compliance has cleared it.**\n\n",
                    r.as_str().to_uppercase()
                ),
                None => "> **Customs pre-check did not finish; do not send this draft until it has.**\n\n".to_string(),
                _ => String::new(),
            };
            let title = format!("Proposal draft {}", inquiry.id);
            let body = format!("{banner}{}", p.markdown);
            let id = format!("{}-proposal", inquiry.id);
            crate::deliver(env, &pctx, "sales", "proposal", id, title, body, p).await;
        }

        // The customer's reply.
        let rctx = ctx.for_agent("reply");
        let hold = risk.is_none_or(|r| r >= RiskLevel::High);
        let reply =
            match tokio::time::timeout(self.config.reply_deadline, crate::reply::run(env, &rctx, &si, hold)).await {
                Ok(r) => r,
                Err(_) => {
                    rctx.recorder.note("reply", "reply passed its deadline; sent the short acknowledgement");
                    crate::reply::acknowledgement(si.lang)
                }
            };
        recorder.record("reply", 0.0, StepKind::Output { value: json!(reply) });

        let result = SwarmResult {
            inquiry_id: inquiry.id.clone(),
            customer: ctx.customer.key(),
            inquiry: si,
            reply,
            proposal,
            customs,
            faq_cards: faq,
            others,
            timings: Timings {
                intake_ms,
                agents: agent_ms,
                fanout_ms,
                total_ms: started.elapsed().as_secs_f64() * 1000.0,
            },
        };
        let mem = &env.services.memory;
        let turns = [
            Turn {
                role: "customer".into(),
                text: clip(text, 4000),
                at_ms: inquiry.received_at_ms,
                inquiry_id: inquiry.id.clone(),
            },
            Turn {
                role: "assistant".into(),
                text: result.reply.clone(),
                at_ms: now_ms(),
                inquiry_id: inquiry.id.clone(),
            },
        ];
        mem.push_turns(&ctx.customer, &turns).await?;
        mem.save_result(&result).await?;
        self.flush_transcript(&inquiry.id, &recorder).await;
        Ok(result)
    }

    async fn flush_transcript(&self, inquiry_id: &str, recorder: &Recorder) {
        let steps = recorder.take();
        if let Err(e) = self.env.services.memory.append_transcript(inquiry_id, &steps).await {
            tracing::warn!(inquiry_id, error = %e, "could not store transcript");
        }
    }

    async fn post<T: serde::Serialize>(&self, inquiry_id: &str, key: &str, value: &T) {
        let v = serde_json::to_value(value).unwrap_or_default();
        if let Err(e) = self.env.services.memory.post(inquiry_id, key, &v).await {
            tracing::warn!(inquiry_id, key, error = %e, "could not post to blackboard");
        }
    }
}

/// Any agent output as JSON, for agents without a typed slot.
struct AgentOutputJson<'a>(&'a AgentOutput);

impl serde::Serialize for AgentOutputJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            AgentOutput::Proposal(p) => p.serialize(s),
            AgentOutput::Customs(c) => c.serialize(s),
            AgentOutput::Faq(f) => f.serialize(s),
            AgentOutput::Json(v) => v.serialize(s),
        }
    }
}

fn post_value<T: serde::Serialize>(o: &AgentOutcome<T>) -> Option<serde_json::Value> {
    o.value().and_then(|v| serde_json::to_value(v).ok())
}

fn clip(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
