//! A circuit breaker per model endpoint: after `failures` failed calls
//! within `window` it opens, and every call skips the model (the agents fall
//! back to their offline plans at once instead of each waiting out a dead
//! endpoint). After `open_for` it half-opens and lets one probe through; the
//! probe's outcome closes or reopens it.
//!
//! Hand-written rather than a crate: the crates we looked at wrap a call in
//! their own future and error types, while here the caller needs the state
//! itself (for `/metrics`) and decides per outcome what counts as a failure.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct BreakerConfig {
    pub failures: u32,
    pub window: Duration,
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self { failures: 5, window: Duration::from_secs(30), open_for: Duration::from_secs(30) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Circuit {
    Closed,
    Open,
    HalfOpen,
}

impl Circuit {
    pub fn as_str(self) -> &'static str {
        match self {
            Circuit::Closed => "closed",
            Circuit::Open => "open",
            Circuit::HalfOpen => "half_open",
        }
    }
}

#[derive(Debug, Default)]
struct State {
    failures: VecDeque<Instant>,
    open_until: Option<Instant>,
    probing: bool,
}

#[derive(Debug)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: Mutex<State>,
}

/// Permission to call; report the outcome with [`Breaker::success`] or [`Breaker::failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Call,
    /// The one call let through while half-open.
    Probe,
    /// Open: do not call; the model is treated as failing until this instant.
    Refuse {
        until: Instant,
    },
}

impl Breaker {
    pub fn new(cfg: BreakerConfig) -> Self {
        Self { cfg, state: Mutex::new(State::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn admit(&self) -> Admit {
        let now = Instant::now();
        let mut s = self.lock();
        match s.open_until {
            Some(until) if now < until => Admit::Refuse { until },
            Some(until) if s.probing => Admit::Refuse { until: until.max(now) },
            Some(_) => {
                s.probing = true;
                Admit::Probe
            }
            None => Admit::Call,
        }
    }

    pub fn success(&self) {
        let mut s = self.lock();
        s.failures.clear();
        s.open_until = None;
        s.probing = false;
    }

    pub fn failure(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        if s.probing {
            s.probing = false;
            s.open_until = now.checked_add(self.cfg.open_for);
            return;
        }
        s.failures.push_back(now);
        while s.failures.front().is_some_and(|t| now.saturating_duration_since(*t) > self.cfg.window) {
            s.failures.pop_front();
        }
        if s.failures.len() >= self.cfg.failures.max(1) as usize {
            s.failures.clear();
            s.open_until = now.checked_add(self.cfg.open_for);
        }
    }

    pub fn circuit(&self) -> Circuit {
        let s = self.lock();
        match s.open_until {
            None => Circuit::Closed,
            Some(until) if Instant::now() < until => Circuit::Open,
            Some(_) => Circuit::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new(BreakerConfig { failures: 3, window: Duration::from_secs(10), open_for: Duration::from_secs(5) })
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_n_failures_in_the_window_and_refuses_calls() {
        let b = breaker();
        for _ in 0..2 {
            assert_eq!(b.admit(), Admit::Call);
            b.failure();
        }
        assert_eq!(b.circuit(), Circuit::Closed);
        b.failure();
        assert_eq!(b.circuit(), Circuit::Open);
        assert!(matches!(b.admit(), Admit::Refuse { .. }));
    }

    #[tokio::test(start_paused = true)]
    async fn failures_outside_the_window_do_not_add_up() {
        let b = breaker();
        b.failure();
        b.failure();
        tokio::time::advance(Duration::from_secs(11)).await;
        b.failure();
        assert_eq!(b.circuit(), Circuit::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn half_opens_for_one_probe_whose_outcome_decides() {
        let b = breaker();
        for _ in 0..3 {
            b.failure();
        }
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(b.circuit(), Circuit::HalfOpen);
        assert_eq!(b.admit(), Admit::Probe);
        assert!(matches!(b.admit(), Admit::Refuse { .. }), "only one probe at a time");
        b.failure();
        assert_eq!(b.circuit(), Circuit::Open, "a failed probe reopens");
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(b.admit(), Admit::Probe);
        b.success();
        assert_eq!(b.circuit(), Circuit::Closed);
        assert_eq!(b.admit(), Admit::Call);
    }
}
