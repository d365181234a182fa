//! The one retry policy every adapter that talks to a flaky peer uses (the
//! model endpoint, chat webhooks): exponential backoff with jitter, capped,
//! that never retries sooner than the peer asked (`Retry-After`). Built on
//! the `backoff` crate the design names; callers see only this module.

use backoff::backoff::Backoff;
use std::time::Duration;

/// How delays between attempts grow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub initial: Duration,
    pub max: Duration,
    pub multiplier: f64,
    /// Each delay is spread by ± this share, so that many retrying senders
    /// do not come back at the same instant.
    pub jitter: f64,
}

impl RetryPolicy {
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self { initial: initial.min(max), max, multiplier: 2.0, jitter: 0.5 }
    }

    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// A fresh schedule for one operation's retries.
    pub fn schedule(&self) -> RetrySchedule {
        let inner = backoff::ExponentialBackoffBuilder::new()
            .with_initial_interval(self.initial)
            .with_max_interval(self.max)
            .with_multiplier(self.multiplier)
            .with_randomization_factor(self.jitter)
            // Attempts are counted by the caller instead: a wall-clock budget
            // would not follow a paused test clock.
            .with_max_elapsed_time(None)
            .build();
        RetrySchedule { inner, max: self.max }
    }
}

pub struct RetrySchedule {
    inner: backoff::ExponentialBackoff,
    max: Duration,
}

impl RetrySchedule {
    /// The wait before the next attempt: the jittered backoff, clamped to
    /// the policy's ceiling, but never shorter than the peer's own
    /// `retry_after` (retrying sooner only earns another refusal).
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let backoff = self.inner.next_backoff().unwrap_or(self.max).min(self.max);
        match retry_after {
            Some(ra) => ra.max(backoff),
            None => backoff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_ceiling_and_respect_retry_after() {
        let mut s = RetryPolicy::new(Duration::from_millis(100), Duration::from_secs(1)).with_jitter(0.0).schedule();
        assert_eq!(s.next_delay(None), Duration::from_millis(100));
        assert_eq!(s.next_delay(None), Duration::from_millis(200));
        for _ in 0..10 {
            assert!(s.next_delay(None) <= Duration::from_secs(1));
        }
        assert_eq!(s.next_delay(Some(Duration::from_secs(5))), Duration::from_secs(5), "the peer's wait wins");
    }

    #[test]
    fn jitter_stays_within_the_ceiling() {
        let mut s = RetryPolicy::new(Duration::from_millis(500), Duration::from_millis(800)).schedule();
        for _ in 0..50 {
            assert!(s.next_delay(None) <= Duration::from_millis(800));
        }
    }
}
