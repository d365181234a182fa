//! Running one inbound message through the swarm and turning the outcome
//! into the customer's `OutboundReply`. Shared by `serve` and the workers so
//! both answer identically.

use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tradewind_core::SwarmResult;

use tradewind_ports::ingress::{InboundMessage, OutboundReply, QuickReply};
use tradewind_ports::retry::RetryPolicy;
use tradewind_ports::{AppError, Application, IncomingMessage};

/// Quick replies offered under one answer; chat keyboards get crowded past this.
const MAX_QUICK_REPLIES: usize = 4;

/// How long an inquiry whose backing service is unavailable (Redis
/// restarting, a failover) is retried before the runtime gives up on it for
/// now: long enough to ride out a restart of several seconds.
pub const OUTAGE_PATIENCE: Duration = Duration::from_secs(12);

/// The outcome of one message: the reply, and how long the swarm took.
pub struct Answer {
    pub reply: OutboundReply,
    pub swarm: Duration,
    /// The backing services stayed unavailable past `OUTAGE_PATIENCE`: a
    /// runtime that can run the message again later (the Redis workers)
    /// should, rather than send `reply` (an apology).
    pub outage: bool,
}

/// Runs `msg` under `inquiry_id` (stable per message, so a rerun after a
/// crash stores its result under the same id). Never fails: every error
/// becomes the customer-safe reply. Transient unavailability is retried a
/// little; a panic in the swarm is caught so one poisoned message cannot
/// take a worker down. `cancel` interrupts the retry backoff.
pub async fn answer(
    app: &dyn Application,
    msg: &InboundMessage,
    inquiry_id: String,
    cancel: &CancellationToken,
) -> Answer {
    let started = Instant::now();
    let mut attempt = 0;
    let mut backoff = RetryPolicy::new(Duration::from_millis(200), Duration::from_secs(2)).schedule();
    let outcome = loop {
        let incoming = IncomingMessage {
            channel: msg.channel.clone(),
            user: msg.user.clone(),
            text: msg.text.clone(),
            chat: Some(msg.chat_id.clone()),
            start_new: msg.start_new,
            verified_phone: msg.verified_phone.clone(),
            feedback: msg.feedback.clone(),
        };
        let run = AssertUnwindSafe(app.handle(incoming, inquiry_id.clone())).catch_unwind();
        let result = match run.await {
            Ok(r) => r,
            Err(_) => Err(AppError::Internal("the swarm panicked".into())),
        };
        match result {
            Err(AppError::Unavailable(e)) if started.elapsed() < OUTAGE_PATIENCE => {
                attempt += 1;
                tracing::warn!(inquiry_id, attempt, error = %e, "backing service unavailable; retrying the inquiry");
                tokio::select! {
                    _ = tokio::time::sleep(backoff.next_delay(None)) => {}
                    _ = cancel.cancelled() => break Err(AppError::Unavailable(e)),
                }
            }
            other => break other,
        }
    };
    let outage = matches!(outcome, Err(AppError::Unavailable(_)));
    let reply = match outcome {
        Ok(r) => reply_from_result(msg, &r),
        Err(e) => {
            match &e {
                AppError::BadInput(_) | AppError::TooLarge(_) => {
                    tracing::info!(inquiry_id, error = %e, "message refused")
                }
                _ => tracing::error!(inquiry_id, error = %e, "inquiry failed"),
            }
            reply_from_error(msg, Some(inquiry_id), &e)
        }
    };
    Answer { reply, swarm: started.elapsed(), outage }
}

/// The customer's reply from a stored or fresh result: the reply text and
/// the FAQ cards as quick replies. Nothing internal (prices, customs
/// findings) is in a `SwarmResult::reply`, and FAQ cards come from the
/// public FAQ base.
pub fn reply_from_result(msg: &InboundMessage, r: &SwarmResult) -> OutboundReply {
    let quick_replies = r
        .faq_cards
        .value()
        .map(|cards| {
            cards
                .iter()
                .take(MAX_QUICK_REPLIES)
                .map(|c| QuickReply { label: c.question.clone(), card_id: c.id.clone(), answer: c.answer.clone() })
                .collect()
        })
        .unwrap_or_default();
    OutboundReply {
        channel: msg.channel.clone(),
        chat_id: msg.chat_id.clone(),
        message_id: msg.message_id.clone(),
        inquiry_id: Some(r.inquiry_id.clone()),
        text: r.reply.clone(),
        quick_replies,
        error: None,
    }
}

/// The reply for a message that could not be handled: the customer-safe
/// text, and in `error` only a short kind, because `AppError`'s text may
/// name internal services.
pub fn reply_from_error(msg: &InboundMessage, inquiry_id: Option<String>, e: &AppError) -> OutboundReply {
    OutboundReply {
        channel: msg.channel.clone(),
        chat_id: msg.chat_id.clone(),
        message_id: msg.message_id.clone(),
        inquiry_id,
        text: e.customer_message_for(&msg.text).to_string(),
        quick_replies: Vec::new(),
        error: Some(error_kind(e).to_string()),
    }
}

pub fn error_kind(e: &AppError) -> &'static str {
    match e {
        AppError::BadInput(_) => "bad_input",
        AppError::TooLarge(_) => "too_large",
        AppError::NotFound(_) => "not_found",
        AppError::Unavailable(_) => "unavailable",
        AppError::Timeout(_) => "timeout",
        AppError::Config(_) => "config",
        AppError::Internal(_) => "internal",
    }
}

/// What a message over the size limit gets, without running anything.
pub fn too_large(len: usize, max: usize) -> AppError {
    AppError::TooLarge(format!("message of {len} bytes exceeds the limit of {max} bytes"))
}

/// Microseconds since the Unix epoch: comparable across processes on one
/// machine (and across machines as far as their clocks agree).
pub fn now_us() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}
