//! The strategy sandbox: strategies as versioned bundles, shadow replay
//! against a baseline, the gate, and the canary that rolls itself back.

pub mod html;
pub mod lanes;
pub mod replay;
pub mod report;
pub mod strategy;

pub use strategy::{CanarySection, GateSection, Strategy, StrategyError, StrategySection, CONFIG_STRATEGY};

pub mod board;

use tradewind_core::now_ms;
use tradewind_ports::strategy::{CanaryState, StrategyEvent};
use tradewind_ports::AppError;

/// Starts a canary of `spec` on `share` of conversations (0..=1); running
/// processes pick it up within a second.
pub async fn start_canary(config: &crate::Config, spec: &str, share: f64, by: &str) -> Result<Strategy, AppError> {
    if !(share > 0.0 && share <= 1.0) {
        return Err(AppError::BadInput(format!("the share must be above 0% and at most 100%, not {}", share * 100.0)));
    }
    let s = strategy::resolve(config, spec).map_err(|e| AppError::BadInput(e.to_string()))?;
    let store = lanes::open_state(config).await?;
    let mut state = store.load().await.map_err(AppError::Unavailable)?;
    let active = state.active.clone().unwrap_or_else(|| config.strategy.active.clone());
    let active = strategy::resolve(config, &active).map(|a| a.id()).unwrap_or(active);
    if active == s.id() {
        return Err(AppError::BadInput(format!("{} is already the active strategy", s.id())));
    }
    state.canary = Some(CanaryState { strategy: s.id(), share, started_ms: now_ms(), by: by.to_string() });
    state.record(StrategyEvent {
        at_ms: now_ms(),
        action: "canary".into(),
        strategy: s.id(),
        by: by.into(),
        reason: format!("{:.1}% of conversations", share * 100.0),
    });
    store.save(&state).await.map_err(AppError::Unavailable)?;
    Ok(s)
}

/// Makes `spec` the active strategy (ending a canary of it).
pub async fn promote(config: &crate::Config, spec: &str, by: &str) -> Result<Strategy, AppError> {
    let s = strategy::resolve(config, spec).map_err(|e| AppError::BadInput(e.to_string()))?;
    let store = lanes::open_state(config).await?;
    let mut state = store.load().await.map_err(AppError::Unavailable)?;
    state.active = Some(s.id());
    if state.canary.as_ref().is_some_and(|c| c.strategy == s.id()) {
        state.canary = None;
    }
    state.record(StrategyEvent {
        at_ms: now_ms(),
        action: "promote".into(),
        strategy: s.id(),
        by: by.into(),
        reason: format!("fingerprint {}", s.fingerprint),
    });
    store.save(&state).await.map_err(AppError::Unavailable)?;
    Ok(s)
}

/// Ends the canary by hand.
pub async fn stop_canary(config: &crate::Config, by: &str, reason: &str) -> Result<String, AppError> {
    let store = lanes::open_state(config).await?;
    let mut state = store.load().await.map_err(AppError::Unavailable)?;
    let Some(c) = state.canary.take() else { return Err(AppError::BadInput("no canary is running".into())) };
    state.record(StrategyEvent {
        at_ms: now_ms(),
        action: "stop".into(),
        strategy: c.strategy.clone(),
        by: by.into(),
        reason: reason.to_string(),
    });
    store.save(&state).await.map_err(AppError::Unavailable)?;
    Ok(c.strategy)
}

/// The state as stored.
pub async fn state(config: &crate::Config) -> Result<lanes::StrategyState, AppError> {
    lanes::open_state(config).await?.load().await.map_err(AppError::Unavailable)
}
