//! The strategy board the console reads: the sandbox's state, live
//! figures and saved replay reports behind the `StrategyBoard` port.

use async_trait::async_trait;
use std::sync::Arc;
use tradewind_ports::strategy::{BoardError, ReportInfo, StrategyBoard, StrategyInfo, StrategyOverview};

use super::lanes::Strategies;
use crate::Config;

pub struct Board {
    pub config: Config,
    pub strategies: Arc<Strategies>,
}

#[async_trait]
impl StrategyBoard for Board {
    async fn overview(&self) -> Result<StrategyOverview, BoardError> {
        self.strategies.reload().await;
        let state = self.strategies.state();
        let active = self.strategies.active().id.clone();
        let canary_id = self.strategies.canary().map(|(l, _)| l.id.clone());
        let all = super::strategy::list(&self.config).map_err(|e| BoardError::Unavailable(e.to_string()))?;
        let strategies = all
            .iter()
            .map(|s| StrategyInfo {
                id: s.id(),
                description: s.description.clone(),
                fingerprint: s.fingerprint.clone(),
                source: s.source.clone(),
                role: if s.id() == active {
                    "active".into()
                } else if Some(s.id()) == canary_id {
                    "canary".into()
                } else {
                    "candidate".into()
                },
            })
            .collect();
        let reports = super::replay::saved_reports(&self.config)
            .into_iter()
            .map(|r| ReportInfo {
                id: r.id.clone(),
                created_ms: r.created_ms,
                baseline: r.baseline.clone(),
                candidate: r.candidate.clone(),
                passed: r.gate.passed,
                cases: r.cases.len() as u32,
                cases_with_diffs: r.cases.iter().filter(|c| !c.diffs.is_empty()).count() as u32,
                false_triggers: r.gate.false_triggers,
                metric: r.gate.metric.clone(),
                improvement: r.gate.improvement,
            })
            .collect();
        let mut history = state.history.clone();
        history.reverse();
        Ok(StrategyOverview {
            active,
            canary: state.canary.clone().filter(|_| canary_id.is_some()),
            strategies,
            live: self.strategies.figures(),
            thresholds: self.strategies.thresholds(),
            reports,
            history,
        })
    }

    async fn report_html(&self, id: &str) -> Result<String, BoardError> {
        let r = super::replay::saved_report(&self.config, id)
            .ok_or_else(|| BoardError::NotFound(format!("no replay report '{id}'")))?;
        Ok(super::html::render(&r))
    }

    async fn report_json(&self, id: &str) -> Result<serde_json::Value, BoardError> {
        let r = super::replay::saved_report(&self.config, id)
            .ok_or_else(|| BoardError::NotFound(format!("no replay report '{id}'")))?;
        serde_json::to_value(r).map_err(|e| BoardError::Unavailable(e.to_string()))
    }

    async fn stop_canary(&self, by: &str, reason: &str) -> Result<(), BoardError> {
        if reason.trim().is_empty() {
            return Err(BoardError::Invalid("a reason is required".into()));
        }
        self.strategies.stop(by, reason.trim()).await.map_err(BoardError::Invalid)
    }
}
