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
    now_ms, unified_customer_id, AgentOutcome, CustomerId, CustomsReport, FaqCard, Inquiry, InquiryThread, Proposal,
    RecordedMessage, RiskLevel, StepKind, SwarmResult, ThreadInfo, Timings, TurnReading,
};
use tradewind_ports::memory::{MemoryError, Turn};
use tradewind_ports::AppError;
use tradewind_tools::builtin::{NoArgs, RecallCustomer, RememberCustomer};
use tradewind_tools::{Recorder, ToolCtx, ToolError};

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
    /// A conversation's inquiry stays open this long after its last message.
    pub conversation_window: Duration,
    /// Steps that run by rules (the offline brain) at once, across every
    /// inquiry of this swarm: they are pure CPU, so more than the cores
    /// only interleave them and stretch every inquiry's latency. A step
    /// that waits on a model holds no slot, so the number of inquiries in
    /// flight (thousands, when a model is slow) is bounded elsewhere
    /// (`[limits] max_inflight`), not by the cores. 0 = the cores available.
    pub cpu_slots: usize,
    /// The strategy this swarm runs ("name@v3"), recorded on every result
    /// and transcript.
    pub strategy: String,
}

impl Default for SwarmConfig {
    fn default() -> Self {
        Self {
            intake_deadline: Duration::from_secs(20),
            reply_deadline: Duration::from_secs(20),
            agent_deadlines: BTreeMap::new(),
            max_message_bytes: 16 * 1024,
            conversation_window: Duration::from_secs(24 * 3600),
            cpu_slots: 0,
            strategy: "config@v0".into(),
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
            // A backing service (memory, the index) failing under intake is
            // an outage to wait out, not a bug: callers retry Unavailable.
            SwarmError::Intake(BrainError::Tool(ToolError::Transient(m))) => AppError::Unavailable(m),
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
    /// `SwarmConfig::cpu_slots` permits; see there.
    cpu: Arc<tokio::sync::Semaphore>,
}

/// A CPU slot for a step that runs by rules; none for one that asks a model.
async fn cpu_slot<'a>(
    cpu: &'a tokio::sync::Semaphore,
    brain: &dyn tradewind_ports::brain::Brain,
) -> Option<tokio::sync::SemaphorePermit<'a>> {
    if brain.is_offline() {
        // The semaphore is never closed, so this only waits.
        cpu.acquire().await.ok()
    } else {
        None
    }
}

/// How one agent ended, and how long it ran.
struct Ran {
    name: &'static str,
    outcome: AgentOutcome<AgentOutput>,
    ms: f64,
}

async fn run_agent(
    agent: &dyn Agent,
    env: &Env,
    cpu: &tokio::sync::Semaphore,
    ctx: ToolCtx,
    input: AgentInput<'_>,
    deadline: Duration,
) -> Ran {
    let start = Instant::now();
    let name = agent.name();
    // Waiting for a slot is load, not a hung agent: it is outside the deadline.
    let _slot = cpu_slot(cpu, env.brain_for(name)).await;
    // The agent sees only its own tools.
    let env = Env { dispatcher: env.dispatcher.scoped(agent.tools()), ..env.clone() };
    let ctx = ctx.with_deadline(deadline);
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
        let slots = match config.cpu_slots {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        Self {
            env,
            config: Arc::new(config),
            agents: Arc::new(crate::agent::builtin()),
            cpu: Arc::new(tokio::sync::Semaphore::new(slots)),
        }
    }

    /// The same swarm under another strategy's environment and settings,
    /// sharing this one's CPU slots and agents: strategies side by side
    /// must not double the cores.
    pub fn sibling(&self, env: Env, config: SwarmConfig) -> Self {
        Self { env, config: Arc::new(config), agents: self.agents.clone(), cpu: self.cpu.clone() }
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

    /// Runs one message end to end: reads it against its conversation's
    /// open inquiry, re-runs the agents whose inputs changed, replies, and
    /// stores the result, the transcript and the new version of the inquiry.
    pub async fn handle(&self, inquiry: Inquiry) -> Result<SwarmResult, SwarmError> {
        let text = inquiry.text.trim();
        if text.is_empty() {
            return Err(SwarmError::EmptyMessage);
        }
        if inquiry.text.len() > self.config.max_message_bytes {
            return Err(SwarmError::TooLarge { got: inquiry.text.len(), max: self.config.max_message_bytes });
        }
        let env = &self.env;
        let mem = &env.services.memory;
        let started = Instant::now();
        let recorder = Arc::new(Recorder::new(inquiry.id.clone()));
        let mut ctx = ToolCtx::new(
            &inquiry.id,
            "intake",
            CustomerId::channel(&inquiry.channel, &inquiry.channel_user),
            recorder.clone(),
        );
        let conversation = inquiry.conversation();
        recorder.record(
            "swarm",
            0.0,
            StepKind::Note {
                message: format!(
                    "message from {}:{} in {conversation} ({} bytes), strategy {}, brain {}",
                    inquiry.channel,
                    inquiry.channel_user,
                    inquiry.text.len(),
                    self.config.strategy,
                    env.brain.name()
                ),
            },
        );

        // The conversation's open inquiry, unless the customer asked for a new one.
        let mut open = mem.open_thread(&conversation).await?;
        if let Some(t) = &open {
            recorder.note("swarm", format!("open inquiry {} at v{}", t.thread_id, t.version));
        }
        if inquiry.start_new {
            self.close(&recorder, &mut open, "a new inquiry was asked for").await?;
        }

        // Intake.
        let t0 = Instant::now();
        let context = if env.brain.is_offline() { String::new() } else { self.recent_turns(&ctx).await };
        let ictx = ctx.clone().with_deadline(self.config.intake_deadline);
        let slot = cpu_slot(&self.cpu, env.brain_for("intake")).await;
        let intake = crate::intake::run(env, &ictx, text, open.as_ref().map(|t| &t.inquiry), &context);
        let (mut reading, _recalled) = match tokio::time::timeout(self.config.intake_deadline, intake).await {
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
        drop(slot);
        if reading.start_new {
            self.close(&recorder, &mut open, "the customer asked for a separate inquiry").await?;
        }
        self.link_if_proven(&inquiry, &mut ctx, &mut reading).await?;
        let si = &reading.inquiry;
        if let Err(e) = env.dispatcher.call_typed::<RememberCustomer>(&ctx, &crate::intake::facts_of(si)).await {
            recorder.note("intake", format!("could not remember customer facts: {e}"));
        }
        recorder.record("intake", 0.0, StepKind::Output { value: serde_json::to_value(&reading).unwrap_or_default() });
        let intake_ms = t0.elapsed().as_secs_f64() * 1000.0;

        // The new version of the conversation's inquiry.
        let now = now_ms();
        let (mut thread, first) = match open {
            Some(mut t) => {
                if t.apply(&inquiry.id, &reading, now) {
                    recorder.note("swarm", format!("{} is now v{}", t.thread_id, t.version));
                }
                (t, false)
            }
            None => {
                let t = InquiryThread::open(
                    new_thread_id(),
                    conversation.clone(),
                    ctx.customer.key(),
                    &inquiry.id,
                    reading.inquiry.clone(),
                    now,
                );
                recorder.note("swarm", format!("opened inquiry {}", t.thread_id));
                (t, true)
            }
        };
        let si = &thread.inquiry;
        let made_version = !first && thread.versions.last().is_some_and(|v| v.inquiry_id == inquiry.id);
        let change_summary = if made_version { thread.change_summary() } else { None };

        // Which agents run: all for a new inquiry; later, those that read
        // something this message changed (or that have no output to stand).
        let previous = match (&thread.last_run, first) {
            (Some(run), false) => mem.result(run).await?,
            _ => None,
        };
        let changed = reading.changed_fields();
        let mut ran = Vec::new();
        let mut reused: BTreeMap<&'static str, AgentOutcome<AgentOutput>> = BTreeMap::new();
        let mut selected = Vec::new();
        for a in self.agents.iter() {
            let earlier = previous.as_ref().and_then(|p| earlier_outcome(p, a.name()));
            let reads_change = a.reads().iter().any(|f| changed.contains(f));
            match earlier {
                Some(o) if !reads_change => {
                    recorder.note(
                        a.name(),
                        format!(
                            "not run: nothing it reads changed; its output from {} stands",
                            thread.last_run.as_deref().unwrap_or("")
                        ),
                    );
                    reused.insert(a.name(), o);
                }
                _ => {
                    ran.push(a.name().to_string());
                    selected.push(a.clone());
                }
            }
        }

        // Fan-out.
        let tf = Instant::now();
        let input =
            AgentInput { inquiry: si, text, question: reading.question.as_deref(), changes: change_summary.as_deref() };
        let runs = join_all(selected.iter().map(|a| {
            let deadline = self.deadline_of(a.as_ref());
            run_agent(a.as_ref(), env, &self.cpu, ctx.for_agent(a.name()), input, deadline)
        }))
        .await;
        let fanout_ms = tf.elapsed().as_secs_f64() * 1000.0;
        let mut agent_ms = BTreeMap::new();
        let mut outcomes: BTreeMap<&'static str, AgentOutcome<AgentOutput>> = reused.clone();
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
        let others: BTreeMap<String, AgentOutcome<serde_json::Value>> = outcomes
            .into_iter()
            .map(|(name, o)| {
                let o = typed(Some(o), |v| Some(serde_json::to_value(AgentOutputJson(&v)).unwrap_or_default()));
                (name.to_string(), o)
            })
            .collect();

        // The sales draft goes out after the fan-out so that it can carry the
        // customs verdict: sales must never send a quote compliance has
        // stopped. A draft that stands from an earlier message is not sent again.
        let risk = customs.value().map(|c| c.risk);
        if let (Some(p), true) = (proposal.value(), ran.iter().any(|n| n == crate::proposal::NAME)) {
            let pctx = ctx.for_agent(crate::proposal::NAME);
            let banner = match risk {
                Some(r) if r >= RiskLevel::High => format!(
                    "> **Customs pre-check: {}. Do not send this draft until compliance has cleared it.**\n\n",
                    r.as_str().to_uppercase()
                ),
                None => "> **Customs pre-check did not finish; do not send this draft until it has.**\n\n".to_string(),
                _ => String::new(),
            };
            let revised = match &change_summary {
                Some(c) => format!("> **Revised draft, {c}.**\n\n"),
                None => String::new(),
            };
            let title = match &change_summary {
                Some(_) => format!("Proposal draft {} v{}", thread.thread_id, thread.version),
                None => format!("Proposal draft {}", thread.thread_id),
            };
            // Sales must see when a part fell back to rules (a model that
            // failed or stalled): the draft is sound but plainer.
            let degraded = pctx.recorder.degraded();
            let fallback = if degraded.is_empty() {
                String::new()
            } else {
                let parts: Vec<String> = degraded.iter().map(|d| format!("{} ({})", d.part, d.reason)).collect();
                format!("> **Degraded: written by rules where the model failed: {}.**\n\n", parts.join("; "))
            };
            let body = format!("{banner}{fallback}{revised}{}", p.markdown);
            let id = format!("{}-proposal", inquiry.id);
            crate::deliver(env, &pctx, "sales", "proposal", id, title, body, p).await;
        }

        // The customer's reply.
        let rctx = ctx.for_agent("reply").with_deadline(self.config.reply_deadline);
        let hold = risk.is_none_or(|r| r >= RiskLevel::High);
        let answer = reading.question.as_ref().and(faq.value()).and_then(|cards| cards.first());
        // Chats get a chat message; e-mail and web forms keep the letter.
        let letter = matches!(inquiry.channel.as_str(), "email" | "mail" | "form" | "web_form");
        let slot = cpu_slot(&self.cpu, env.brain_for("reply")).await;
        let reply = match tokio::time::timeout(
            self.config.reply_deadline,
            crate::reply::run(env, &rctx, si, hold, answer, letter),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => {
                rctx.recorder.note("reply", "reply passed its deadline; sent the short acknowledgement");
                crate::reply::acknowledgement(si.lang)
            }
        };
        drop(slot);
        recorder.record("reply", 0.0, StepKind::Output { value: json!(reply) });

        thread.last_run = Some(inquiry.id.clone());
        thread.customer = ctx.customer.key();
        thread.asked.clone_from(&si.missing);
        let info = ThreadInfo {
            thread_id: thread.thread_id.clone(),
            version: thread.version,
            kinds: reading.kinds.clone(),
            changes: if made_version { reading.changes.clone() } else { Vec::new() },
            ran,
            reused: reused.keys().map(|k| k.to_string()).collect(),
        };
        let result = SwarmResult {
            inquiry_id: inquiry.id.clone(),
            customer: ctx.customer.key(),
            inquiry: thread.inquiry.clone(),
            reply,
            proposal,
            customs,
            faq_cards: faq,
            others,
            degraded: recorder.degraded(),
            thread: Some(info),
            timings: {
                let (model_calls, prompt_tokens, completion_tokens) = recorder.model_usage();
                Timings {
                    intake_ms,
                    agents: agent_ms,
                    fanout_ms,
                    total_ms: started.elapsed().as_secs_f64() * 1000.0,
                    model_calls,
                    prompt_tokens,
                    completion_tokens,
                }
            },
            strategy: Some(self.config.strategy.clone()),
            message: Some(RecordedMessage {
                channel: inquiry.channel.clone(),
                user: inquiry.channel_user.clone(),
                chat: inquiry.chat.clone(),
                text: clip(text, 4000),
                received_at_ms: inquiry.received_at_ms,
                start_new: inquiry.start_new,
            }),
        };
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
        mem.save_thread(&thread, self.config.conversation_window.as_secs()).await?;
        self.flush_transcript(&inquiry.id, &recorder).await;
        Ok(result)
    }

    /// Closes the open inquiry (it stays readable by id) so the message opens a new one.
    async fn close(&self, recorder: &Recorder, open: &mut Option<InquiryThread>, why: &str) -> Result<(), SwarmError> {
        if let Some(mut old) = open.take() {
            recorder.note("swarm", format!("{why}; {} is closed as it stood", old.thread_id));
            old.closed = true;
            self.env.services.memory.save_thread(&old, self.config.conversation_window.as_secs()).await?;
        }
        Ok(())
    }

    /// Links the chat to a known customer only on proof: a phone number the
    /// channel vouches for, with a valid credit code. A phone and a credit
    /// code typed into a message prove nothing (both are public), so they
    /// stay on this chat's own record.
    async fn link_if_proven(
        &self,
        inquiry: &Inquiry,
        ctx: &mut ToolCtx,
        reading: &mut TurnReading,
    ) -> Result<(), SwarmError> {
        let env = &self.env;
        let si = &mut reading.inquiry;
        let Some(code) = si.credit_code.clone() else { return Ok(()) };
        match &inquiry.verified_phone {
            Some(phone) => {
                let Some(unified) = unified_customer_id(phone, &code) else { return Ok(()) };
                env.services.memory.link(&ctx.customer, &unified).await?;
                ctx.recorder.note(
                    "intake",
                    format!("linked {} to customer {} (phone vouched for by the channel)", ctx.customer.key(), unified.key()),
                );
                ctx.customer = unified;
                // What the customer's record knows (from other channels)
                // fills this inquiry's gaps too.
                if let Ok(r) = env.dispatcher.call_typed::<RecallCustomer>(ctx, &NoArgs {}).await {
                    crate::intake::merge_memory(si, &r.facts);
                    si.missing = tradewind_nlp::compute_missing(si);
                }
            }
            None if si.contact.phone.is_some() => ctx.recorder.note(
                "intake",
                "a phone number and a credit code were given but not proven; kept on this chat, not linked to any customer",
            ),
            None => {}
        }
        Ok(())
    }

    /// The last turns of the conversation, for a model's prompts, within a
    /// budget (characters, a stand-in for tokens that never undercounts CJK).
    async fn recent_turns(&self, ctx: &ToolCtx) -> String {
        const BUDGET_CHARS: usize = 1200;
        let Ok(view) = self.env.services.memory.load_customer(&ctx.customer).await else { return String::new() };
        let mut lines: Vec<String> = Vec::new();
        let mut used = 0;
        for t in view.recent_turns.iter().rev() {
            let line = format!("{}: {}", t.role, clip(&t.text, 400));
            used += line.chars().count();
            if used > BUDGET_CHARS {
                break;
            }
            lines.push(line);
        }
        if lines.is_empty() {
            return String::new();
        }
        lines.reverse();
        format!("Earlier in this conversation:\n{}\n\n", lines.join("\n"))
    }

    async fn flush_transcript(&self, inquiry_id: &str, recorder: &Recorder) {
        let steps = recorder.take();
        if let Err(e) = self.env.services.memory.append_transcript(inquiry_id, &steps).await {
            tracing::warn!(inquiry_id, error = %e, "could not store transcript");
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

/// An agent's outcome in an earlier result, when it was done (a failure or
/// a timeout is no output to stand by).
fn earlier_outcome(r: &SwarmResult, name: &str) -> Option<AgentOutcome<AgentOutput>> {
    let out = match name {
        n if n == crate::proposal::NAME => r.proposal.value().cloned().map(AgentOutput::Proposal),
        n if n == crate::customs::NAME => r.customs.value().cloned().map(AgentOutput::Customs),
        n if n == crate::faq::NAME => r.faq_cards.value().cloned().map(AgentOutput::Faq),
        other => r.others.get(other).and_then(|o| o.value().cloned()).map(AgentOutput::Json),
    }?;
    Some(AgentOutcome::Done { value: out })
}

/// A fresh, time-ordered id for a conversation's inquiry.
fn new_thread_id() -> String {
    let u = uuid::Uuid::new_v4().simple().to_string();
    format!("thr-{:x}-{}", now_ms(), &u[..8])
}

fn clip(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
