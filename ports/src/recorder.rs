//! Per-inquiry transcript recorder: steps are collected in memory while the
//! swarm runs and flushed to the `Memory` port in one write at the end, so
//! recording costs no network round trip per step.

use std::sync::Mutex;
use tradewind_core::{now_ms, Degraded, StepKind, TranscriptStep};

#[derive(Debug)]
pub struct Recorder {
    inquiry_id: String,
    steps: Mutex<Vec<TranscriptStep>>,
    /// Parts that fell back from the model to their offline plan, and why.
    degraded: Mutex<Vec<Degraded>>,
}

impl Recorder {
    pub fn new(inquiry_id: impl Into<String>) -> Self {
        Self {
            inquiry_id: inquiry_id.into(),
            steps: Mutex::new(Vec::with_capacity(32)),
            degraded: Mutex::new(Vec::new()),
        }
    }

    pub fn inquiry_id(&self) -> &str {
        &self.inquiry_id
    }

    pub fn record(&self, agent: &str, duration_ms: f64, kind: StepKind) {
        // A poisoned lock only means another task panicked mid-push; the
        // vector itself is still valid, so keep recording.
        let mut steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        let seq = steps.len() as u32;
        steps.push(TranscriptStep {
            inquiry_id: self.inquiry_id.clone(),
            agent: agent.to_string(),
            seq,
            at_ms: now_ms(),
            duration_ms,
            kind,
        });
    }

    pub fn note(&self, agent: &str, message: impl Into<String>) {
        self.record(agent, 0.0, StepKind::Note { message: message.into() });
    }

    /// Records that `part` fell back from the model (noted in the transcript
    /// too); the result then says it is degraded, and why.
    pub fn degrade(&self, part: &str, reason: impl Into<String>) {
        let reason = reason.into();
        self.note(part, format!("degraded: {reason}"));
        let mut d = self.degraded.lock().unwrap_or_else(|p| p.into_inner());
        if !d.iter().any(|x| x.part == part) {
            d.push(Degraded { part: part.to_string(), reason });
        }
    }

    /// The degraded parts so far.
    pub fn degraded(&self) -> Vec<Degraded> {
        self.degraded.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Model calls recorded so far, with their prompt and completion tokens.
    pub fn model_usage(&self) -> (u32, u64, u64) {
        let steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        steps.iter().fold((0, 0, 0), |(n, p, c), s| match &s.kind {
            StepKind::ModelReply { prompt_tokens, completion_tokens, .. } => {
                (n + 1, p + u64::from(*prompt_tokens), c + u64::from(*completion_tokens))
            }
            _ => (n, p, c),
        })
    }

    pub fn snapshot(&self) -> Vec<TranscriptStep> {
        self.steps.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn take(&self) -> Vec<TranscriptStep> {
        std::mem::take(&mut *self.steps.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
