//! The strategy sandbox: strategies as versioned bundles, shadow replay
//! against a baseline, the gate, and the canary that rolls itself back.

pub mod html;
pub mod lanes;
pub mod report;
pub mod strategy;

pub use strategy::{CanarySection, GateSection, Strategy, StrategyError, StrategySection, CONFIG_STRATEGY};
