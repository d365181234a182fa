//! The `Tool` trait, its object-safe form, the registry and the dispatcher
//! (the `ToolHost` adapter every brain calls tools through).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tradewind_core::StepKind;
use tradewind_ports::schema;
use tradewind_ports::tool::{ToolCtx, ToolError, ToolHost};

/// A typed tool. Implement this; the registry wraps it as a `DynTool`.
pub trait Tool: Send + Sync + 'static {
    const NAME: &'static str;
    type Args: DeserializeOwned + JsonSchema + Send;
    type Output: Serialize + Send;

    fn description(&self) -> String;

    fn call(&self, args: Self::Args, ctx: &ToolCtx) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;

    /// What the transcript keeps of a result: all of it unless a tool says
    /// otherwise (search hits keep their citations, not the chunks' text,
    /// which the knowledge base already holds).
    fn transcribe(output: Value) -> Value {
        output
    }

    /// What the transcript keeps of the arguments: all of them, as given,
    /// unless a tool says otherwise.
    fn transcribe_args(args: Value) -> Value {
        args
    }
}

/// The object-safe face of a tool: JSON in, JSON out.
#[async_trait]
pub trait DynTool: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> String;
    /// The strict-mode parameter schema (also used for validation).
    fn parameters(&self) -> &Value;
    /// Runs the tool on arguments that already passed validation.
    async fn call_json(&self, args: Value, ctx: &ToolCtx) -> Result<Value, ToolError>;
    /// See [`Tool::transcribe`].
    fn transcribe(&self, output: Value) -> Value;
    /// See [`Tool::transcribe_args`].
    fn transcribe_args(&self, args: Value) -> Value;
}

struct Typed<T: Tool> {
    tool: T,
    params: Value,
}

#[async_trait]
impl<T: Tool> DynTool for Typed<T> {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn description(&self) -> String {
        self.tool.description()
    }
    fn parameters(&self) -> &Value {
        &self.params
    }
    async fn call_json(&self, args: Value, ctx: &ToolCtx) -> Result<Value, ToolError> {
        let args: T::Args = serde_json::from_value(args)
            .map_err(|e| ToolError::InvalidArgs { tool: T::NAME.to_string(), message: e.to_string() })?;
        let out = self.tool.call(args, ctx).await?;
        serde_json::to_value(out).map_err(|e| ToolError::Internal(format!("{}: output: {e}", T::NAME)))
    }
    fn transcribe(&self, output: Value) -> Value {
        T::transcribe(output)
    }
    fn transcribe_args(&self, args: Value) -> Value {
        T::transcribe_args(args)
    }
}

/// Every tool the agents may use, by name.
#[derive(Default, Clone)]
pub struct Registry {
    tools: BTreeMap<&'static str, Arc<dyn DynTool>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register<T: Tool>(&mut self, tool: T) -> &mut Self {
        let params = schema::to_strict(&schema::schema_of::<T::Args>());
        self.tools.insert(T::NAME, Arc::new(Typed { tool, params }));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn DynTool>> {
        self.tools.get(name)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.tools.keys().copied().collect()
    }

    /// OpenAI `tools` entries (function definitions, strict mode) for the
    /// named tools, or for all when `only` is empty.
    pub fn openai_functions(&self, only: &[&str]) -> Vec<Value> {
        self.tools
            .values()
            .filter(|t| only.is_empty() || only.contains(&t.name()))
            .map(|t| {
                serde_json::json!({
                    "type": "function",
                    "function": {
                        "name": t.name(),
                        "description": t.description(),
                        "parameters": t.parameters(),
                        "strict": true,
                    }
                })
            })
            .collect()
    }
}

/// Validates, runs and records tool calls. Cheap to clone.
#[derive(Clone)]
pub struct Dispatcher {
    registry: Arc<Registry>,
    /// When set, the only tools this dispatcher runs: an agent's own list.
    allowed: Option<&'static [&'static str]>,
}

impl Dispatcher {
    pub fn new(registry: Registry) -> Self {
        Self { registry: Arc::new(registry), allowed: None }
    }

    /// The same tools, restricted to `allowed`: a call to any other tool is
    /// refused (and recorded) before it runs.
    pub fn scoped(&self, allowed: &'static [&'static str]) -> Self {
        Self { registry: self.registry.clone(), allowed: Some(allowed) }
    }

    fn permits(&self, name: &str) -> bool {
        self.allowed.is_none_or(|a| a.contains(&name))
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Validate `raw` against the tool's schema, run it, and record the call
    /// (arguments, result or error, duration) in the transcript.
    pub async fn call(&self, ctx: &ToolCtx, name: &str, raw: Value) -> Result<Value, ToolError> {
        let start = Instant::now();
        let res = self.call_inner(ctx, name, raw.clone()).await;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let tool = self.registry.get(name);
        let (result, error) = match &res {
            Ok(v) => (Some(tool.map_or_else(|| v.clone(), |t| t.transcribe(v.clone()))), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let args = match tool {
            Some(t) => t.transcribe_args(raw),
            None => raw,
        };
        ctx.recorder.record(ctx.agent, ms, StepKind::ToolCall { tool: name.to_string(), args, result, error });
        res
    }

    async fn call_inner(&self, ctx: &ToolCtx, name: &str, raw: Value) -> Result<Value, ToolError> {
        let tool = self.registry.get(name).ok_or_else(|| ToolError::UnknownTool(name.to_string()))?;
        if !self.permits(name) {
            return Err(ToolError::Rejected(format!("the {} agent may not use the tool '{name}'", ctx.agent)));
        }
        let errs = schema::validate(tool.parameters(), &raw);
        if !errs.is_empty() {
            return Err(ToolError::InvalidArgs { tool: name.to_string(), message: errs.join("; ") });
        }
        tool.call_json(raw, ctx).await
    }

    /// The typed path used by offline plans: same validation and transcript
    /// as a model's call, with Rust types at both ends.
    pub async fn call_typed<T>(&self, ctx: &ToolCtx, args: &T::Args) -> Result<T::Output, ToolError>
    where
        T: Tool,
        T::Args: Serialize,
        T::Output: DeserializeOwned,
    {
        call_typed::<T>(self, ctx, args).await
    }
}

#[async_trait]
impl ToolHost for Dispatcher {
    fn names(&self) -> Vec<&'static str> {
        self.registry.names().into_iter().filter(|n| self.permits(n)).collect()
    }

    fn definitions(&self, only: &[&str]) -> Vec<Value> {
        let mut defs = self.registry.openai_functions(only);
        defs.retain(|d| d.pointer("/function/name").and_then(Value::as_str).is_some_and(|n| self.permits(n)));
        defs
    }

    async fn call(&self, ctx: &ToolCtx, name: &str, raw: Value) -> Result<Value, ToolError> {
        Dispatcher::call(self, ctx, name, raw).await
    }
}

/// A typed call through any tool host: the arguments and the output are
/// Rust types, the call itself is validated and recorded like a model's.
pub async fn call_typed<T>(host: &dyn ToolHost, ctx: &ToolCtx, args: &T::Args) -> Result<T::Output, ToolError>
where
    T: Tool,
    T::Args: Serialize,
    T::Output: DeserializeOwned,
{
    let raw = serde_json::to_value(args).map_err(|e| ToolError::Internal(format!("{}: args: {e}", T::NAME)))?;
    let out = host.call(ctx, T::NAME, raw).await?;
    serde_json::from_value(out).map_err(|e| ToolError::Internal(format!("{}: output: {e}", T::NAME)))
}
