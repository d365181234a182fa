//! Rate limits per destination: token buckets that make a sender wait for
//! its turn instead of dropping the message.
//!
//! Each bucket is a `governor` GCRA limiter (burst = capacity, refill =
//! rate). A destination may have several buckets (Feishu: 5 a second *and*
//! 100 a minute); a send waits until every one of them has a token, and
//! takes one from each. Slots are reserved under the lock, so concurrent
//! senders queue up fairly instead of racing for the same token.
//!
//! Two things governor does not do out of the box are plugged in through its
//! extension points: its clock reads `tokio::time::Instant` (so tests can
//! pause time) at an instant we choose, and its state store lets a check
//! look without taking. Together they let a send find the first instant
//! every bucket allows, then reserve that future instant in all of them;
//! with governor's stock "check now" API, a bucket that said yes would lose
//! its token whenever a later bucket said no.

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{NotKeyed, StateStore};
use governor::Quota;
use std::cell::Cell;
use std::num::NonZeroU32;
use std::ops::Add;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How far ahead anything is reserved or blocked. Keeping every instant
/// within this of now keeps governor's nanosecond counters (584 years of
/// range) far from overflowing whatever the configuration says.
const HORIZON: Duration = Duration::from_secs(30 * 365 * 86_400);

/// Longest interval a bucket honours: one send a year is already "never"
/// for a chat robot, and a bounded interval bounds burst × interval.
const MAX_INTERVAL: Duration = Duration::from_secs(365 * 86_400);

/// `t + d`, saturating: absurd configured durations must not panic.
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).or_else(|| t.checked_add(HORIZON)).unwrap_or(t)
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

    /// The governor quota for this rate; `None` when it limits nothing (a
    /// zero interval).
    fn quota(&self) -> Option<Quota> {
        let interval = self.interval.min(MAX_INTERVAL);
        // governor computes interval × (burst - 1) in u64 nanoseconds; past
        // `HORIZON` a bigger burst makes no difference anyway.
        let max_burst = (HORIZON.as_nanos() / interval.as_nanos().max(1)).min(u32::MAX as u128) as u32;
        let burst = NonZeroU32::new(self.burst.clamp(1, max_burst.max(1)))?;
        Quota::with_period(interval).map(|q| q.allow_burst(burst))
    }
}

/// An instant of tokio's clock, as governor measures time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Tick(Instant);

impl Add<Nanos> for Tick {
    type Output = Tick;

    fn add(self, d: Nanos) -> Tick {
        Tick(later(self.0, Duration::from_nanos(d.as_u64())))
    }
}

impl Reference for Tick {
    fn duration_since(&self, earlier: Self) -> Nanos {
        let d = self.0.saturating_duration_since(earlier.0);
        Nanos::from(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    fn saturating_sub(&self, d: Nanos) -> Self {
        Tick(self.0.checked_sub(Duration::from_nanos(d.as_u64())).unwrap_or(self.0))
    }
}

/// governor's clock, reading tokio's time at the instant set last: "now"
/// to look at a bucket, a future slot to reserve it.
#[derive(Debug)]
struct At(Cell<Instant>);

impl Clock for At {
    type Instant = Tick;

    fn now(&self) -> Tick {
        Tick(self.0.get())
    }
}

const UNSET: u64 = u64::MAX;

/// One bucket's GCRA state (its theoretical arrival time), shared between
/// governor's limiter and us so that a check only proposes the next state
/// and `commit` applies it.
#[derive(Debug)]
struct Tat {
    current: AtomicU64,
    proposed: AtomicU64,
}

impl Tat {
    fn commit(&self) {
        self.current.store(self.proposed.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct Tentative(Arc<Tat>);

impl StateStore for Tentative {
    type Key = NotKeyed;

    fn measure_and_replace<T, F, E>(&self, _key: &NotKeyed, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let current = self.0.current.load(Ordering::Relaxed);
        let (decision, next) = f((current != UNSET).then(|| Nanos::from(current)))?;
        self.0.proposed.store(next.as_u64(), Ordering::Relaxed);
        Ok(decision)
    }
}

type Gcra = governor::RateLimiter<NotKeyed, Tentative, At, NoOpMiddleware<Tick>>;

#[derive(Debug)]
struct Bucket {
    gcra: Gcra,
    tat: Arc<Tat>,
}

impl Bucket {
    fn new(rate: &Rate, now: Instant) -> Option<Bucket> {
        let tat = Arc::new(Tat { current: AtomicU64::new(UNSET), proposed: AtomicU64::new(UNSET) });
        let gcra = Gcra::new(rate.quota()?, Tentative(tat.clone()), At(Cell::new(now)));
        Some(Bucket { gcra, tat })
    }

    /// The earliest instant, `at` or later, when this bucket has a token;
    /// takes nothing.
    fn earliest(&self, at: Instant) -> Instant {
        self.gcra.clock().0.set(at);
        match self.gcra.check() {
            Ok(()) => at,
            Err(not_until) => not_until.earliest_possible().0.max(at),
        }
    }

    /// Takes the token for a send at `at`, which `earliest` said is free.
    fn take(&self, at: Instant) {
        self.gcra.clock().0.set(at);
        // GCRA only ever frees more tokens as time goes on, so a check at or
        // after `earliest` passes; were it to fail, nothing is taken.
        if self.gcra.check().is_ok() {
            self.tat.commit();
        }
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
                buckets: rates.iter().filter_map(|rate| Bucket::new(rate, now)).collect(),
                blocked_until: None,
            }),
        }
    }

    /// Reserves the next slot and returns how long to wait for it, or
    /// `TooLong` (reserving nothing) when that is more than `max_wait`.
    pub fn reserve(&self, max_wait: Duration) -> Result<Duration, TooLong> {
        let now = Instant::now();
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut at = s.blocked_until.filter(|b| *b > now).unwrap_or(now);
        // One pass suffices: a bucket that has a token at some instant still
        // has it at any later one.
        for b in &s.buckets {
            at = at.max(b.earliest(now));
        }
        let wait = at.saturating_duration_since(now);
        if wait > max_wait.min(HORIZON) {
            return Err(TooLong { wait, max: max_wait });
        }
        for b in &s.buckets {
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
        let until = later(Instant::now(), after.min(HORIZON));
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
    async fn a_send_waits_for_every_bucket_and_takes_from_each() {
        // 2 a second (burst 2) and 3 per 10 s (burst 3): the third send is
        // held by the second bucket though the first would let it through.
        let l = RateLimiter::new(&[Rate::per(2, Duration::from_secs(1), 2), Rate::per(3, Duration::from_secs(10), 3)]);
        let waits: Vec<u128> = (0..5).map(|_| l.reserve(Duration::from_secs(60)).unwrap().as_millis()).collect();
        // Sends 1-3 fit both bursts except that the first bucket spaces the
        // third by 500 ms; the second bucket then refills one every 3.33 s.
        assert_eq!(waits, vec![0, 0, 500, 3333, 6666]);
        // A refused reservation takes nothing from either bucket.
        assert!(l.reserve(Duration::from_secs(1)).is_err());
        assert_eq!(l.reserve(Duration::from_secs(60)).unwrap().as_millis(), 9999);
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
        let l = RateLimiter::new(&[
            Rate { burst: 1, interval: Duration::MAX },
            Rate { burst: u32::MAX, interval: Duration::from_secs(3600) },
            Rate { burst: 0, interval: Duration::from_nanos(1) },
            Rate::per(0, Duration::ZERO, 0),
        ]);
        assert!(l.reserve(Duration::MAX).is_ok());
        assert!(l.reserve(Duration::MAX).is_ok(), "a year ahead is within the horizon");
        l.block_for(Duration::MAX);
        assert!(l.reserve(Duration::from_secs(1)).is_err());
        assert!(RateLimiter::new(&[]).reserve(Duration::ZERO).is_ok());
    }
}
