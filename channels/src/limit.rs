//! Rate limits per destination: token buckets that make a sender wait for
//! its turn instead of dropping the message.
//!
//! Each bucket is kept in its virtual-scheduling form (GCRA): one
//! "theoretical arrival time" per bucket instead of a token count, which is
//! the same token bucket (burst = capacity, refill = rate) without a timer.
//! A destination may have several buckets (Feishu: 5 a second *and* 100 a
//! minute); a send waits until every one of them has a token. Reservations
//! are taken under the lock, so concurrent senders queue up fairly instead
//! of racing for the same token. Time is `tokio::time::Instant`, so tests
//! can pause the clock.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// `t + d`, saturating: absurd configured durations must not panic.
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(Duration::from_secs(30 * 365 * 86_400))).unwrap_or(t)
}

/// `burst` sends at once, then one every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub interval: Duration,
}

impl Rate {
    /// `count` per `per`, with `burst` allowed at once.
    pub const fn per(count: u32, per: Duration, burst: u32) -> Rate {
        let count = if count == 0 { 1 } else { count };
        let nanos = per.as_nanos() / count as u128;
        let nanos = if nanos > u64::MAX as u128 { u64::MAX } else { nanos as u64 };
        Rate { burst: if burst == 0 { 1 } else { burst }, interval: Duration::from_nanos(nanos) }
    }

    /// The most sends this rate allows in any window of `window`.
    pub fn max_in(&self, window: Duration) -> u64 {
        if self.interval.is_zero() {
            return u64::MAX;
        }
        self.burst as u64 + (window.as_nanos() / self.interval.as_nanos()) as u64
    }
}

#[derive(Debug)]
struct Bucket {
    rate: Rate,
    /// When the bucket will next be full again, in GCRA terms.
    tat: Instant,
}

impl Bucket {
    fn tolerance(&self) -> Duration {
        self.rate.interval.saturating_mul(self.rate.burst.saturating_sub(1))
    }

    /// Earliest instant a send may go out.
    fn earliest(&self, now: Instant) -> Instant {
        let allowed = self.tat.checked_sub(self.tolerance()).unwrap_or(now);
        allowed.max(now)
    }

    fn take(&mut self, at: Instant) {
        self.tat = later(self.tat.max(at), self.rate.interval);
    }
}

/// The buckets of one destination, plus a "blocked until" set by the
/// platform's own `retry_after`.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<LimiterState>,
}

#[derive(Debug)]
struct LimiterState {
    buckets: Vec<Bucket>,
    blocked_until: Option<Instant>,
}

/// A send would have to wait longer than the caller allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate limit: next slot in {wait:?}, more than the {max:?} allowed")]
pub struct TooLong {
    pub wait: Duration,
    pub max: Duration,
}

impl RateLimiter {
    pub fn new(rates: &[Rate]) -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(LimiterState {
                buckets: rates.iter().map(|&rate| Bucket { rate, tat: now }).collect(),
                blocked_until: None,
            }),
        }
    }

    /// Reserves the next slot and returns how long to wait for it, or
    /// `TooLong` (reserving nothing) when that is more than `max_wait`.
    pub fn reserve(&self, max_wait: Duration) -> Result<Duration, TooLong> {
        let now = Instant::now();
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut at = s.blocked_until.filter(|b| *b > now).unwrap_or(now);
        for b in &s.buckets {
            at = at.max(b.earliest(now));
        }
        let wait = at.saturating_duration_since(now);
        if wait > max_wait {
            return Err(TooLong { wait, max: max_wait });
        }
        for b in &mut s.buckets {
            b.take(at);
        }
        Ok(wait)
    }

    /// Waits for the next slot (at most `max_wait`), then returns.
    pub async fn acquire(&self, max_wait: Duration) -> Result<(), TooLong> {
        let wait = self.reserve(max_wait)?;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    /// The platform said "not before `after`": nobody sends until then.
    pub fn block_for(&self, after: Duration) {
        let until = later(Instant::now(), after);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_bounds() {
        let r = Rate::per(15, Duration::from_secs(60), 4);
        assert_eq!(r.interval, Duration::from_secs(4));
        assert_eq!(r.max_in(Duration::from_secs(60)), 19);
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_spaced() {
        let l = RateLimiter::new(&[Rate::per(1, Duration::from_secs(1), 2)]);
        let t0 = Instant::now();
        let mut at = Vec::new();
        for _ in 0..5 {
            l.acquire(Duration::from_secs(60)).await.unwrap();
            at.push((Instant::now() - t0).as_millis());
        }
        assert_eq!(at, vec![0, 0, 1000, 2000, 3000]);
    }

    #[tokio::test(start_paused = true)]
    async fn too_long_reserves_nothing_and_retry_after_blocks() {
        let l = RateLimiter::new(&[Rate::per(1, Duration::from_secs(10), 1)]);
        l.acquire(Duration::ZERO).await.unwrap();
        assert!(l.reserve(Duration::from_secs(1)).is_err());
        assert_eq!(l.reserve(Duration::from_secs(10)).unwrap(), Duration::from_secs(10));
        let l = RateLimiter::new(&[Rate::per(100, Duration::from_secs(1), 100)]);
        l.block_for(Duration::from_secs(5));
        assert_eq!(l.reserve(Duration::from_secs(60)).unwrap(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn absurd_durations_do_not_panic() {
        let l = RateLimiter::new(&[Rate { burst: 1, interval: Duration::MAX }, Rate::per(0, Duration::ZERO, 0)]);
        l.block_for(Duration::MAX);
        assert!(l.reserve(Duration::from_secs(1)).is_err());
        assert!(RateLimiter::new(&[]).reserve(Duration::ZERO).is_ok());
    }
}
