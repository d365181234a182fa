//! Which strategy answers a conversation: the active one, or the canary for
//! a stable, hash-based share of conversations. Keeps each strategy's live
//! figures (errors, degraded answers, negative feedback) over a sliding
//! window and rolls the canary back itself when one crosses its threshold.
//!
//! The state (active strategy, canary, history) lives in a [`StateStore`]:
//! a file under the data folder, or Redis when memory is there, so that a
//! `tradewind strategy canary` in another process reaches `serve` and every
//! worker. Each process re-reads it at most once a second, on the path of
//! a message; no task of its own is needed.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tradewind_agents::Swarm;
use tradewind_core::now_ms;
use tradewind_ports::review::{AuditEvent, AuditLog};
use tradewind_ports::strategy::{CanaryState, LiveFigures, StrategyEvent};
use tradewind_ports::AppError;

use super::strategy::{CanarySection, Strategy};

/// What a process keeps of the strategies' state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrategyState {
    /// The promoted strategy ("name@v2"); none: `[strategy] active`.
    #[serde(default)]
    pub active: Option<String>,
    #[serde(default)]
    pub canary: Option<CanaryState>,
    /// Oldest first, the last [`HISTORY_KEPT`].
    #[serde(default)]
    pub history: Vec<StrategyEvent>,
}

/// Changes of strategy kept in the state.
pub const HISTORY_KEPT: usize = 200;

impl StrategyState {
    pub fn record(&mut self, event: StrategyEvent) {
        self.history.push(event);
        if self.history.len() > HISTORY_KEPT {
            let extra = self.history.len() - HISTORY_KEPT;
            self.history.drain(..extra);
        }
    }
}

/// Where the state is kept.
#[async_trait]
pub trait StateStore: Send + Sync {
    async fn load(&self) -> Result<StrategyState, String>;
    async fn save(&self, state: &StrategyState) -> Result<(), String>;
}

/// The state as an owner-only JSON file.
pub struct FileState {
    pub path: PathBuf,
}

#[async_trait]
impl StateStore for FileState {
    async fn load(&self) -> Result<StrategyState, String> {
        match tokio::fs::read(&self.path).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StrategyState::default()),
            Err(e) => Err(format!("{}: {e}", self.path.display())),
        }
    }

    async fn save(&self, state: &StrategyState) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
        tradewind_ports::files::write_private_async(&self.path, bytes)
            .await
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// The state under one Redis key, for deployments whose processes share Redis.
pub struct RedisState {
    pub value: tradewind_redis::RedisValue,
}

#[async_trait]
impl StateStore for RedisState {
    async fn load(&self) -> Result<StrategyState, String> {
        let v = self.value.get().await.map_err(|e| e.to_string())?;
        match v {
            Some(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", self.value.key())),
            None => Ok(StrategyState::default()),
        }
    }

    async fn save(&self, state: &StrategyState) -> Result<(), String> {
        let text = serde_json::to_string(state).map_err(|e| e.to_string())?;
        self.value.set(&text).await.map_err(|e| e.to_string())
    }
}

/// The store the configuration implies: Redis when memory is there, else a file.
pub async fn open_state(config: &crate::Config) -> Result<Arc<dyn StateStore>, AppError> {
    match &config.memory.redis_url {
        Some(url) => {
            let value = tradewind_redis::RedisValue::connect(url, format!("{}strategy:state", config.memory.prefix))
                .await
                .map_err(|e| AppError::Unavailable(format!("redis at {url}: {e}")))?;
            Ok(Arc::new(RedisState { value }))
        }
        None => Ok(Arc::new(FileState { path: crate::data_root(config).join("strategy-state.json") })),
    }
}

/// One strategy ready to run.
pub struct Lane {
    pub strategy: Arc<Strategy>,
    /// "name@v3".
    pub id: String,
    /// Its swarm; none for the strategy the application was built with,
    /// which runs the application's own swarm.
    pub swarm: Option<Swarm>,
}

/// Builds a lane for a strategy (see `App::lane`).
pub type LaneBuilder = Arc<dyn Fn(Strategy) -> Result<Lane, AppError> + Send + Sync>;

struct Routes {
    active: Arc<Lane>,
    canary: Option<(Arc<Lane>, f64)>,
    state: StrategyState,
}

/// How one inquiry ended, for the live figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Answered,
    Degraded,
    Failed,
    Negative,
}

/// A strategy's marks within the window, oldest first.
#[derive(Default)]
struct Window {
    marks: VecDeque<(u64, Mark)>,
}

/// Marks kept per strategy, whatever the window: bounded memory.
const MARKS_KEPT: usize = 100_000;

impl Window {
    fn push(&mut self, at: u64, m: Mark) {
        self.marks.push_back((at, m));
        if self.marks.len() > MARKS_KEPT {
            self.marks.pop_front();
        }
    }

    fn prune(&mut self, since: u64) {
        while self.marks.front().is_some_and(|(at, _)| *at < since) {
            self.marks.pop_front();
        }
    }

    fn figures(&self, strategy: &str, window_secs: u64) -> LiveFigures {
        let count = |m: Mark| self.marks.iter().filter(|(_, x)| *x == m).count() as u64;
        let (answered, degraded, failed, negative) =
            (count(Mark::Answered), count(Mark::Degraded), count(Mark::Failed), count(Mark::Negative));
        let inquiries = answered + degraded + failed;
        let rate = |n: u64| if inquiries == 0 { 0.0 } else { n as f64 / inquiries as f64 };
        LiveFigures {
            strategy: strategy.to_string(),
            window_secs,
            inquiries,
            errors: failed,
            degraded,
            negative_feedback: negative,
            error_rate: rate(failed),
            degraded_rate: rate(degraded),
            negative_rate: rate(negative),
        }
    }
}

/// The strategies of one running application.
pub struct Strategies {
    config: crate::Config,
    build: LaneBuilder,
    store: Arc<dyn StateStore>,
    audit: Arc<dyn AuditLog>,
    routes: RwLock<Routes>,
    windows: Mutex<HashMap<String, Window>>,
    checked: Mutex<Option<Instant>>,
    /// The lane the application was built with, reused when it is active again.
    home: Arc<Lane>,
}

/// How often a process looks at the shared state.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

impl Strategies {
    /// `home` is the lane of the strategy the application was built with;
    /// `state` what the store said then.
    pub fn new(
        config: crate::Config,
        home: Lane,
        state: StrategyState,
        build: LaneBuilder,
        store: Arc<dyn StateStore>,
        audit: Arc<dyn AuditLog>,
    ) -> Self {
        let home = Arc::new(home);
        let routes = Routes { active: home.clone(), canary: None, state: StrategyState::default() };
        let s = Self {
            config,
            build,
            store,
            audit,
            routes: RwLock::new(routes),
            windows: Mutex::new(HashMap::new()),
            checked: Mutex::new(Some(Instant::now())),
            home,
        };
        s.apply(state);
        s
    }

    pub fn canary_section(&self) -> &CanarySection {
        &self.config.strategy.canary
    }

    /// The lane for a conversation: the canary's for its share of
    /// conversations (a stable hash, so a customer stays with one strategy),
    /// else the active one.
    pub fn pick(&self, conversation: &str) -> Arc<Lane> {
        let r = read(&self.routes);
        if let Some((lane, share)) = &r.canary {
            if bucket(conversation) < *share {
                return lane.clone();
            }
        }
        r.active.clone()
    }

    pub fn active(&self) -> Arc<Lane> {
        read(&self.routes).active.clone()
    }

    pub fn canary(&self) -> Option<(Arc<Lane>, f64)> {
        read(&self.routes).canary.clone()
    }

    pub fn state(&self) -> StrategyState {
        read(&self.routes).state.clone()
    }

    /// Re-reads the shared state when a second has passed since the last look.
    pub async fn refresh(&self) {
        {
            let mut c = lock(&self.checked);
            if c.is_some_and(|t| t.elapsed() < REFRESH_EVERY) {
                return;
            }
            *c = Some(Instant::now());
        }
        self.reload().await;
    }

    /// Re-reads the shared state now.
    pub async fn reload(&self) {
        match self.store.load().await {
            Ok(state) => self.apply(state),
            Err(e) => tracing::warn!(error = %e, "could not read the strategy state; keeping the current routes"),
        }
    }

    /// Makes the routes follow `state`; a strategy that cannot be built
    /// leaves the routes as they were, with an error logged.
    fn apply(&self, state: StrategyState) {
        if read(&self.routes).state == state {
            return;
        }
        let active_spec = state.active.clone().unwrap_or_else(|| self.config.strategy.active.clone());
        let active = match self.lane_for(&active_spec) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(strategy = %active_spec, error = %e, "cannot run the active strategy; keeping the one running");
                read(&self.routes).active.clone()
            }
        };
        let canary = match &state.canary {
            Some(c) => match self.lane_for(&c.strategy) {
                Ok(l) if l.id != active.id => Some((l, c.share.clamp(0.0, 1.0))),
                Ok(_) => None,
                Err(e) => {
                    tracing::error!(strategy = %c.strategy, error = %e, "cannot run the canary; no canary");
                    None
                }
            },
            None => None,
        };
        let mut r = write(&self.routes);
        // Keep lanes already built for the same strategy.
        let active = if r.active.id == active.id { r.active.clone() } else { active };
        let canary = match (canary, &r.canary) {
            (Some((l, share)), Some((old, _))) if old.id == l.id => Some((old.clone(), share)),
            (c, _) => c,
        };
        if r.active.id != active.id {
            tracing::info!(strategy = %active.id, "active strategy");
        }
        if let Some((l, share)) = &canary {
            if r.canary.as_ref().map(|(o, _)| &o.id) != Some(&l.id) {
                tracing::info!(strategy = %l.id, share, "canary started");
            }
        }
        *r = Routes { active, canary, state };
    }

    fn lane_for(&self, spec: &str) -> Result<Arc<Lane>, AppError> {
        let s = super::strategy::resolve(&self.config, spec).map_err(|e| AppError::Config(e.to_string()))?;
        if s.id() == self.home.id && s.fingerprint == self.home.strategy.fingerprint {
            return Ok(self.home.clone());
        }
        if let Some(l) = self.current_lane(&s.id()) {
            if l.strategy.fingerprint == s.fingerprint {
                return Ok(l);
            }
        }
        Ok(Arc::new((self.build)(s)?))
    }

    fn current_lane(&self, id: &str) -> Option<Arc<Lane>> {
        let r = read(&self.routes);
        if r.active.id == id {
            return Some(r.active.clone());
        }
        r.canary.as_ref().filter(|(l, _)| l.id == id).map(|(l, _)| l.clone())
    }

    /// Counts how an inquiry of `strategy` ended and, for the canary, checks
    /// its thresholds.
    pub async fn observe(&self, strategy: &str, mark: Mark) {
        let c = &self.config.strategy.canary;
        let now = now_ms();
        let since = now.saturating_sub(c.window_secs.saturating_mul(1000));
        let (canary_figures, active_figures) = {
            let mut w = lock(&self.windows);
            let win = w.entry(strategy.to_string()).or_default();
            win.push(now, mark);
            win.prune(since);
            let canary_id = read(&self.routes).canary.as_ref().map(|(l, _)| l.id.clone());
            match canary_id {
                Some(id) if id == strategy => {
                    let active_id = read(&self.routes).active.id.clone();
                    let cf = w.get(&id).map(|x| x.figures(&id, c.window_secs)).unwrap_or_default();
                    let af = w.get_mut(&active_id).map(|x| {
                        x.prune(since);
                        x.figures(&active_id, c.window_secs)
                    });
                    (Some(cf), af)
                }
                _ => (None, None),
            }
        };
        let Some(cf) = canary_figures else { return };
        if let Some(reason) = crossed(c, &cf, active_figures.as_ref()) {
            self.roll_back(&cf.strategy, &reason).await;
        }
    }

    /// Ends the canary: routes every conversation to the active strategy,
    /// records why in the state's history and the audit log.
    pub async fn roll_back(&self, strategy: &str, reason: &str) {
        self.end_canary(strategy, "rollback", "system:canary", reason).await;
    }

    /// Ends the canary on a person's word.
    pub async fn stop(&self, by: &str, reason: &str) -> Result<(), String> {
        let Some((lane, _)) = self.canary() else {
            // Another process may have one the state knows and we have not read yet.
            self.reload().await;
            let Some((lane, _)) = self.canary() else { return Err("no canary is running".into()) };
            return self
                .end_canary(&lane.id, "stop", by, reason)
                .await
                .then_some(())
                .ok_or_else(|| "could not save".into());
        };
        self.end_canary(&lane.id, "stop", by, reason).await.then_some(()).ok_or_else(|| "could not save".into())
    }

    async fn end_canary(&self, strategy: &str, action: &str, by: &str, reason: &str) -> bool {
        // Routes first: customers leave the canary even if the store is down.
        let share = {
            let mut r = write(&self.routes);
            match &r.canary {
                Some((l, share)) if l.id == strategy => {
                    let share = *share;
                    r.canary = None;
                    r.state.canary = None;
                    share
                }
                _ => return false,
            }
        };
        tracing::warn!(strategy, reason, action, "canary ended");
        let event = StrategyEvent {
            at_ms: now_ms(),
            action: action.to_string(),
            strategy: strategy.to_string(),
            by: by.to_string(),
            reason: reason.to_string(),
        };
        let mut saved = false;
        match self.store.load().await {
            Ok(mut state) => {
                if state.canary.as_ref().is_some_and(|c| c.strategy == strategy) {
                    state.canary = None;
                    state.record(event.clone());
                    match self.store.save(&state).await {
                        Ok(()) => saved = true,
                        Err(e) => tracing::error!(error = %e, "could not save the canary's end"),
                    }
                    write(&self.routes).state = state;
                } else {
                    // Another process ended it first.
                    saved = true;
                }
            }
            Err(e) => tracing::error!(error = %e, "could not read the strategy state to end the canary"),
        }
        let audit = AuditEvent {
            id: String::new(),
            at_ms: event.at_ms,
            actor: by.to_string(),
            role: if by.starts_with("system:") { "system".into() } else { "admin".into() },
            inquiry_id: String::new(),
            field: "strategy.canary".into(),
            before: Some(json!({"strategy": strategy, "share": share})),
            after: None,
            trigger: format!("{action}: {reason}"),
            strategy: Some(strategy.to_string()),
        };
        if let Err(e) = self.audit.append(&[audit]).await {
            tracing::error!(error = %e, "could not record the canary's end in the audit log");
        }
        saved
    }

    /// Figures of the active strategy and the canary, over the window.
    pub fn figures(&self) -> Vec<LiveFigures> {
        let c = &self.config.strategy.canary;
        let since = now_ms().saturating_sub(c.window_secs.saturating_mul(1000));
        let mut ids = vec![self.active().id.clone()];
        if let Some((l, _)) = self.canary() {
            ids.push(l.id.clone());
        }
        let mut w = lock(&self.windows);
        ids.into_iter()
            .map(|id| {
                let win = w.entry(id.clone()).or_default();
                win.prune(since);
                win.figures(&id, c.window_secs)
            })
            .collect()
    }

    /// The thresholds as "name = value" lines.
    pub fn thresholds(&self) -> Vec<String> {
        let c = &self.config.strategy.canary;
        vec![
            format!("window_secs = {}", c.window_secs),
            format!("min_inquiries = {}", c.min_inquiries),
            format!("max_error_rate = {}", c.max_error_rate),
            format!("max_degraded_rate = {}", c.max_degraded_rate),
            format!("max_negative_increase = {}", c.max_negative_increase),
        ]
    }
}

/// The first threshold the canary's figures cross, in words.
pub fn crossed(c: &CanarySection, canary: &LiveFigures, active: Option<&LiveFigures>) -> Option<String> {
    if canary.inquiries < u64::from(c.min_inquiries.max(1)) {
        return None;
    }
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let n = canary.inquiries;
    if canary.error_rate > c.max_error_rate {
        return Some(format!(
            "error rate {} ({} of {n} inquiries failed) is above {}",
            pct(canary.error_rate),
            canary.errors,
            pct(c.max_error_rate)
        ));
    }
    if canary.degraded_rate > c.max_degraded_rate {
        return Some(format!(
            "degraded rate {} ({} of {n} inquiries fell back to rules) is above {}",
            pct(canary.degraded_rate),
            canary.degraded,
            pct(c.max_degraded_rate)
        ));
    }
    let base = active.map_or(0.0, |a| a.negative_rate);
    if canary.negative_rate - base > c.max_negative_increase {
        return Some(format!(
            "negative feedback {} is {} above the active strategy's {} (allowed: {})",
            pct(canary.negative_rate),
            pct(canary.negative_rate - base),
            pct(base),
            pct(c.max_negative_increase)
        ));
    }
    None
}

/// Ids seen, at most `cap` of them (the oldest forgotten first).
pub struct SeenSet {
    inner: Mutex<(std::collections::HashSet<String>, VecDeque<String>)>,
    cap: usize,
}

impl SeenSet {
    pub fn new(cap: usize) -> Self {
        Self { inner: Mutex::new(Default::default()), cap: cap.max(1) }
    }

    /// True the first time `id` is inserted.
    pub fn insert(&self, id: String) -> bool {
        let mut g = lock(&self.inner);
        let (set, order) = &mut *g;
        if !set.insert(id.clone()) {
            return false;
        }
        order.push_back(id);
        if order.len() > self.cap {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        true
    }
}

/// A conversation's place in [0, 1): stable across processes and restarts.
pub fn bucket(conversation: &str) -> f64 {
    let d = Sha256::digest(conversation.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

// A poisoned lock means a panic mid-update of plain data; the data is still
// the last whole value, so go on with it rather than take the process down.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(l: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

/// Share of conversations routed by `bucket` below `share`, for a quick check.
pub fn share_of(conversations: &[String], share: f64) -> f64 {
    let n = conversations.iter().filter(|c| bucket(c) < share).count();
    n as f64 / conversations.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_always_lands_in_the_same_bucket_and_shares_come_out_as_asked() {
        assert_eq!(bucket("telegram:42"), bucket("telegram:42"));
        let convs: Vec<String> = (0..20_000).map(|i| format!("web:chat-{i}")).collect();
        let got = share_of(&convs, 0.10);
        assert!((got - 0.10).abs() < 0.01, "{got}");
        assert_eq!(share_of(&convs, 0.0), 0.0);
        assert_eq!(share_of(&convs, 1.0), 1.0);
    }

    fn figures(inquiries: u64, errors: u64, degraded: u64, negative: u64) -> LiveFigures {
        let r = |n: u64| n as f64 / inquiries as f64;
        LiveFigures {
            strategy: "c@v1".into(),
            window_secs: 600,
            inquiries,
            errors,
            degraded,
            negative_feedback: negative,
            error_rate: r(errors),
            degraded_rate: r(degraded),
            negative_rate: r(negative),
        }
    }

    #[test]
    fn the_canary_is_judged_only_after_enough_inquiries_and_on_each_threshold() {
        let c = CanarySection { min_inquiries: 5, ..CanarySection::default() };
        assert_eq!(crossed(&c, &figures(4, 4, 0, 0), None), None);
        assert!(crossed(&c, &figures(5, 1, 0, 0), None).unwrap().contains("error rate 20.00%"));
        assert!(crossed(&c, &figures(10, 0, 10, 0), None).unwrap().contains("degraded rate 100.00%"));
        let base = LiveFigures { negative_rate: 0.10, ..figures(100, 0, 0, 10) };
        assert_eq!(crossed(&c, &figures(100, 0, 0, 10), Some(&base)), None);
        assert!(crossed(&c, &figures(100, 0, 0, 11), Some(&base)).unwrap().contains("negative feedback"));
        assert_eq!(crossed(&c, &figures(1000, 0, 0, 0), None), None);
    }
}
