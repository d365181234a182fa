//! The swarm: intake, a parallel fan-out of the proposal, customs and FAQ
//! agents (each under its own deadline), then the customer's reply.
//!
//! The fan-out is `tokio::join!` inside the inquiry's own task, so every
//! branch is owned by the call: a straggler past its deadline is dropped
//! (cancelled) and reported as timed out while the others still deliver.

use serde::Serialize;
use serde_json::json;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_core::{
    now_ms, unified_customer_id, AgentOutcome, CustomerId, Inquiry, RiskLevel, StepKind, StructuredInquiry,
    SwarmResult, Timings,
};
use tradewind_memory::{MemoryError, Turn};
use tradewind_tools::builtin::{NoArgs, PushArgs, PushCard, RecallCustomer, RememberCustomer};
use tradewind_tools::{Recorder, ToolCtx};

use crate::brain::BrainError;
use crate::Env;

#[derive(Debug, Clone)]
pub struct SwarmConfig {
    pub intake_deadline: Duration,
    pub proposal_deadline: Duration,
    pub customs_deadline: Duration,
    pub faq_deadline: Duration,
    pub reply_deadline: Duration,
    /// Messages longer than this are refused with a clear error.
    pub max_message_bytes: usize,
    /// Push results to the configured sinks.
    pub deliver: bool,
}

impl Default for SwarmConfig {
    fn default() -> Self {
        Self {
            intake_deadline: Duration::from_secs(20),
            proposal_deadline: Duration::from_secs(30),
            customs_deadline: Duration::from_secs(30),
            faq_deadline: Duration::from_secs(30),
            reply_deadline: Duration::from_secs(20),
            max_message_bytes: 16 * 1024,
            deliver: true,
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

#[derive(Clone)]
pub struct Swarm {
    env: Env,
    config: Arc<SwarmConfig>,
}

async fn timed<T, F>(deadline: Duration, fut: F) -> (AgentOutcome<T>, f64)
where
    F: Future<Output = Result<T, BrainError>>,
{
    let start = Instant::now();
    let out = match tokio::time::timeout(deadline, fut).await {
        Ok(Ok(value)) => AgentOutcome::Done { value },
        Ok(Err(e)) => AgentOutcome::Failed { error: e.to_string() },
        Err(_) => AgentOutcome::TimedOut { after_ms: deadline.as_millis() as u64 },
    };
    (out, start.elapsed().as_secs_f64() * 1000.0)
}

fn outcome_note<T>(ctx: &ToolCtx, agent: &str, o: &AgentOutcome<T>) {
    match o {
        AgentOutcome::Done { .. } => {}
        AgentOutcome::TimedOut { after_ms } => {
            ctx.recorder.note(agent, format!("{agent} passed its {after_ms} ms deadline and was cancelled"))
        }
        AgentOutcome::Failed { error } => ctx.recorder.note(agent, format!("{agent} failed: {error}")),
    }
}

impl Swarm {
    pub fn new(env: Env, config: SwarmConfig) -> Self {
        Self { env, config: Arc::new(config) }
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    pub fn config(&self) -> &SwarmConfig {
        &self.config
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
        let (pctx, cctx, fctx) = (ctx.for_agent("proposal"), ctx.for_agent("customs"), ctx.for_agent("faq"));
        let ((proposal, proposal_ms), (customs, customs_ms), (faq, faq_ms)) = tokio::join!(
            timed(self.config.proposal_deadline, self.proposal_branch(&pctx, &si)),
            timed(self.config.customs_deadline, self.customs_branch(&cctx, &si)),
            timed(self.config.faq_deadline, self.faq_branch(&fctx, &si)),
        );
        let fanout_ms = tf.elapsed().as_secs_f64() * 1000.0;
        outcome_note(&ctx, "proposal", &proposal);
        outcome_note(&ctx, "customs", &customs);
        outcome_note(&ctx, "faq", &faq);

        // The sales draft goes out after the fan-out so that it can carry the
        // customs verdict: sales must never send a quote compliance has stopped.
        let risk = customs.value().map(|c| c.risk);
        if let Some(p) = proposal.value() {
            let pctx = ctx.for_agent("proposal");
            let banner = match (risk, &customs) {
                (Some(r), _) if r >= RiskLevel::High => format!(
                    "> **Customs pre-check: {}. Do not send this draft until compliance has cleared it.**\n\n",
                    r.as_str().to_uppercase()
                ),
                (None, _) => {
                    "> **Customs pre-check did not finish; do not send this draft until it has.**\n\n".to_string()
                }
                _ => String::new(),
            };
            let title = format!("Proposal draft {}", inquiry.id);
            let body = format!("{banner}{}", p.markdown);
            self.deliver(&pctx, "sales", "proposal", format!("{}-proposal", inquiry.id), title, body, p).await;
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
            timings: Timings {
                intake_ms,
                proposal_ms,
                customs_ms,
                faq_ms,
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

    async fn post<T: Serialize>(&self, inquiry_id: &str, key: &str, value: &T) {
        let v = serde_json::to_value(value).unwrap_or_default();
        if let Err(e) = self.env.services.memory.post(inquiry_id, key, &v).await {
            tracing::warn!(inquiry_id, key, error = %e, "could not post to blackboard");
        }
    }

    async fn deliver(
        &self,
        ctx: &ToolCtx,
        sink: &str,
        kind: &str,
        id: String,
        title: String,
        body: String,
        payload: &impl Serialize,
    ) {
        if !self.config.deliver || !self.env.services.sinks.contains_key(sink) {
            return;
        }
        let args = PushArgs {
            sink: sink.into(),
            kind: kind.into(),
            delivery_id: id,
            title,
            body,
            payload_json: serde_json::to_string(payload).ok(),
        };
        if let Err(e) = self.env.dispatcher.call_typed::<PushCard>(ctx, &args).await {
            ctx.recorder.note(ctx.agent, format!("delivery to {sink} failed: {e}"));
        }
    }

    async fn proposal_branch(
        &self,
        ctx: &ToolCtx,
        si: &StructuredInquiry,
    ) -> Result<tradewind_core::Proposal, BrainError> {
        let p = crate::proposal::run(&self.env, ctx, si).await?;
        ctx.recorder.record(
            "proposal",
            0.0,
            StepKind::Output { value: json!({"lines": p.lines, "citations": p.citations.len()}) },
        );
        self.post(&ctx.inquiry_id, "proposal", &p).await;
        Ok(p)
    }

    async fn customs_branch(
        &self,
        ctx: &ToolCtx,
        si: &StructuredInquiry,
    ) -> Result<tradewind_core::CustomsReport, BrainError> {
        let r = crate::customs::run(&self.env, ctx, si).await?;
        ctx.recorder.record(
            "customs",
            0.0,
            StepKind::Output { value: json!({"risk": r.risk, "findings": r.findings.len()}) },
        );
        self.post(&ctx.inquiry_id, "customs", &r).await;
        let body = crate::render(
            &self.env,
            "customs",
            &json!({
                "inquiry_id": ctx.inquiry_id.as_ref(), "risk": r.risk.as_str(), "summary": r.summary,
                "findings": r.findings, "documents": r.documents,
                "destination": crate::proposal::destination_text(si), "party": si.company,
            }),
        );
        let title = format!("Customs pre-check {}: {}", ctx.inquiry_id, r.risk.as_str());
        self.deliver(ctx, "logistics", "customs", format!("{}-customs", ctx.inquiry_id), title, body, &r).await;
        Ok(r)
    }

    async fn faq_branch(
        &self,
        ctx: &ToolCtx,
        si: &StructuredInquiry,
    ) -> Result<Vec<tradewind_core::FaqCard>, BrainError> {
        let cards = crate::faq::run(&self.env, ctx, si).await?;
        self.post(&ctx.inquiry_id, "faq", &cards).await;
        for (i, card) in cards.iter().enumerate() {
            let body = crate::render(&self.env, "faq_card", &serde_json::to_value(card).unwrap_or_default());
            let id = format!("{}-faq-{}", ctx.inquiry_id, i + 1);
            self.deliver(ctx, "customer_service", "faq_card", id, card.question.clone(), body, card).await;
        }
        Ok(cards)
    }
}

fn clip(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
