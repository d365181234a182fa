//! The offline brain: a deterministic plan per agent over the same tools the
//! model would use, with text from handlebars templates. No network, no
//! randomness: the same inquiry always gives the same output.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use tradewind_ports::brain::{Brain, BrainError, BrainReply, BrainTask};
use tradewind_tools::builtin::{RenderArgs, RenderDocument};
use tradewind_tools::{call_typed, ToolCtx, ToolHost};

/// An agent's deterministic plan.
#[async_trait]
pub trait Plan: Send + Sync {
    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError>;
}

#[derive(Default, Clone)]
pub struct OfflineBrain {
    plans: HashMap<&'static str, Arc<dyn Plan>>,
}

impl OfflineBrain {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_plan(mut self, agent: &'static str, plan: Arc<dyn Plan>) -> Self {
        self.plans.insert(agent, plan);
        self
    }
}

#[async_trait]
impl Brain for OfflineBrain {
    fn name(&self) -> String {
        "offline".into()
    }

    fn is_offline(&self) -> bool {
        true
    }

    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        if let Some(plan) = self.plans.get(task.agent) {
            return plan.run(task, tools, ctx).await;
        }
        // The default plan: render the task's template from its facts.
        let Some(template) = &task.template else {
            return Err(BrainError::NoPlan(task.agent.to_string()));
        };
        let args = RenderArgs { template: template.clone(), data_json: task.facts.to_string() };
        let out = call_typed::<RenderDocument>(tools, ctx, &args).await?;
        Ok(BrainReply { content: out.text, json: None, steps: 1, prompt_tokens: 0, completion_tokens: 0 })
    }
}
