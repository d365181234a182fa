//! The OpenAI-compatible brain: a tool-calling loop with strict structured
//! outputs against any chat-completions endpoint (OpenAI, DeepSeek, Qwen,
//! Ollama, vLLM, llama.cpp).
//!
//! Requests and responses are async-openai 0.43's own serde types
//! (`CreateChatCompletionRequest`, `CreateChatCompletionResponse`, its
//! message and tool types), but the HTTP exchange is a thin reqwest call of
//! our own. async-openai's client runs every request through a built-in
//! retry layer (three retries on 429/5xx) and turns error responses into an
//! `ApiErrorResponse` that keeps the status but drops the headers, so through
//! it we could neither read `Retry-After` nor bound retries ourselves, and
//! our retry loop would have multiplied with its own. Owning the exchange
//! gives one retry policy, with the status and headers in hand.

use crate::breaker::{Admit, Breaker, BreakerConfig, Circuit};
use crate::tokens;
use async_openai::error::WrappedError;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionResponse, ResponseFormat,
    ResponseFormatJsonSchema,
};
use async_trait::async_trait;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tradewind_core::StepKind;
use tradewind_ports::brain::{Brain, BrainError, BrainHealth, BrainReply, BrainTask, OutputSpec};
use tradewind_ports::retry::{RetryPolicy, RetrySchedule};
use tradewind_ports::tool::{ToolCtx, ToolErrorKind, ToolHost};

/// Where and how to reach the model. Every field has a default, so a config
/// file only names what differs (usually `base_url`, `model`, `api_key`).
///
/// Durations deserialise from seconds (`30`, `0.5`), from text (`"300ms"`,
/// `"30s"`, `"2m"`) or from serde's own `{ secs, nanos }` form.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct OpenAiConfig {
    /// Up to and including the version segment, e.g.
    /// `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: String,
    /// Sent as a bearer token when set; local servers usually need none.
    pub api_key: Option<String>,
    pub model: String,
    /// Bound on one HTTP exchange with the model (not on the whole task).
    #[serde(deserialize_with = "de_duration")]
    pub call_timeout: Duration,
    /// Retries after the first attempt, for 429/5xx and connection errors.
    pub max_retries: u32,
    /// Ceiling for the exponential backoff between retries.
    #[serde(deserialize_with = "de_duration")]
    pub max_backoff: Duration,
    pub temperature: Option<f32>,
    /// The most tokens one answer may take.
    pub max_tokens: u32,
    /// The model's context, in tokens, when it is small enough to matter
    /// (a local model: 4096). A call whose prompt and answer cannot fit is
    /// not sent; the agent falls back instead.
    pub context_tokens: Option<u32>,
    /// Failed calls within `breaker_window` that open the circuit.
    pub breaker_failures: u32,
    #[serde(deserialize_with = "de_duration")]
    pub breaker_window: Duration,
    /// How long an open circuit skips the model before a probe.
    #[serde(deserialize_with = "de_duration")]
    pub breaker_open_for: Duration,
}

impl Default for OpenAiConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".into(),
            api_key: None,
            model: "gpt-4o-mini".into(),
            call_timeout: Duration::from_secs(60),
            max_retries: 2,
            max_backoff: Duration::from_secs(2),
            temperature: None,
            max_tokens: 512,
            context_tokens: None,
            breaker_failures: 5,
            breaker_window: Duration::from_secs(30),
            breaker_open_for: Duration::from_secs(30),
        }
    }
}

// Hand-written rather than derived so the key never reaches a log line.
impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("call_timeout", &self.call_timeout)
            .field("max_retries", &self.max_retries)
            .field("max_backoff", &self.max_backoff)
            .field("temperature", &self.temperature)
            .field("max_tokens", &self.max_tokens)
            .field("context_tokens", &self.context_tokens)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DurationRepr {
    Seconds(f64),
    Text(String),
    Std {
        secs: u64,
        #[serde(default)]
        nanos: u32,
    },
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    use serde::de::Error;
    match DurationRepr::deserialize(d)? {
        DurationRepr::Seconds(s) => seconds(s).ok_or_else(|| D::Error::custom(format!("invalid duration {s}"))),
        DurationRepr::Text(t) => parse_duration_text(&t).ok_or_else(|| {
            D::Error::custom(format!("invalid duration '{t}' (use e.g. 30, \"30s\", \"300ms\", \"2m\")"))
        }),
        DurationRepr::Std { secs, nanos } => Ok(Duration::new(secs, nanos)),
    }
}

fn seconds(s: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(s).ok()
}

fn parse_duration_text(t: &str) -> Option<Duration> {
    let t = t.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let n: f64 = num.trim().parse().ok()?;
    seconds(n * scale)
}

/// An OpenAI-compatible chat model driving the agents' tool loop.
#[derive(Clone)]
pub struct OpenAiBrain {
    cfg: OpenAiConfig,
    http: reqwest::Client,
    completions_url: String,
    /// llama.cpp's tokenizer endpoint, tried once; `None` after it failed.
    tokenize_url: Arc<Mutex<Option<String>>>,
    breaker: Arc<Breaker>,
    stats: Arc<Stats>,
}

/// Counters for `/metrics` and the operations page.
#[derive(Debug, Default)]
struct Stats {
    calls: AtomicU64,
    errors: AtomicU64,
    timeouts: AtomicU64,
    short_circuited: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
}

/// What a brain leaves an agent before its deadline: enough to fall back
/// to its offline plan and still deliver.
const FALLBACK_MARGIN: Duration = Duration::from_millis(300);
/// A call with less time than this left is not worth starting.
const MIN_CALL: Duration = Duration::from_millis(200);

impl std::fmt::Debug for OpenAiBrain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiBrain").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl OpenAiBrain {
    pub fn new(cfg: OpenAiConfig) -> Result<Self, BrainError> {
        let base = cfg.base_url.trim().trim_end_matches('/');
        let url = reqwest::Url::parse(base)
            .map_err(|e| BrainError::Endpoint(format!("invalid base_url '{}': {e}", cfg.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BrainError::Endpoint(format!("base_url '{}' must be http or https", cfg.base_url)));
        }
        if cfg.model.trim().is_empty() {
            return Err(BrainError::Endpoint("model name is empty".into()));
        }
        if cfg.call_timeout.is_zero() {
            return Err(BrainError::Endpoint("call_timeout must be greater than zero".into()));
        }
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| BrainError::Endpoint(format!("cannot build HTTP client: {}", error_chain(&e))))?;
        let completions_url = format!("{base}/chat/completions");
        // llama.cpp serves /tokenize beside /v1; elsewhere it 404s once and
        // the estimate takes over.
        let root = base.strip_suffix("/v1").unwrap_or(base);
        let tokenize_url = Arc::new(Mutex::new(Some(format!("{root}/tokenize"))));
        let breaker = Arc::new(Breaker::new(BreakerConfig {
            failures: cfg.breaker_failures,
            window: cfg.breaker_window,
            open_for: cfg.breaker_open_for,
        }));
        Ok(Self { cfg, http, completions_url, tokenize_url, breaker, stats: Arc::new(Stats::default()) })
    }

    /// Tokens in `text`, from the endpoint's tokenizer when it has one.
    async fn count_tokens(&self, text: &str) -> u32 {
        let url = self.tokenize_url.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(url) = url {
            let asked = self
                .http
                .post(&url)
                .json(&serde_json::json!({ "content": text }))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(resp) = asked {
                if resp.status().is_success() {
                    if let Ok(v) = resp.json::<Value>().await {
                        if let Some(n) = v.get("tokens").and_then(Value::as_array).map(Vec::len) {
                            return u32::try_from(n).unwrap_or(u32::MAX);
                        }
                    }
                }
            }
            *self.tokenize_url.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        tokens::estimate(text)
    }

    /// Refuses a request whose prompt and answer cannot fit the context.
    async fn check_budget(&self, req: &CreateChatCompletionRequest, ctx: &ToolCtx) -> Result<u32, BrainError> {
        let Some(context) = self.cfg.context_tokens else { return Ok(0) };
        let mut text = String::new();
        for m in &req.messages {
            if let Ok(v) = serde_json::to_value(m) {
                text.push_str(&v.get("content").map(Value::to_string).unwrap_or_default());
                text.push('\n');
            }
        }
        if let Some(tools) = &req.tools {
            text.push_str(&serde_json::to_string(tools).unwrap_or_default());
        }
        let prompt = self.count_tokens(&text).await + tokens::PER_MESSAGE * req.messages.len() as u32;
        let need = prompt + self.cfg.max_tokens;
        if need > context {
            let msg = format!(
                "{prompt} prompt tokens + {} for the answer > the {context}-token context",
                self.cfg.max_tokens
            );
            ctx.recorder.note(ctx.agent, format!("model call not sent: {msg}"));
            return Err(BrainError::OverBudget(msg));
        }
        Ok(prompt)
    }

    /// Time this attempt may take: the call timeout, cut to what the
    /// agent's deadline leaves after the fallback margin.
    fn attempt_budget(&self, ctx: &ToolCtx) -> Option<Duration> {
        match ctx.remaining() {
            None => Some(self.cfg.call_timeout),
            Some(left) => {
                let usable = left.saturating_sub(FALLBACK_MARGIN);
                (usable >= MIN_CALL).then(|| usable.min(self.cfg.call_timeout))
            }
        }
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.cfg
    }

    /// One model turn: the HTTP exchange with retries. Each attempt has its
    /// own `call_timeout`; a timed-out attempt is not retried, because a
    /// stalled model is the agent's deadline to manage, not ours to hide.
    async fn complete(
        &self,
        req: &CreateChatCompletionRequest,
        ctx: &ToolCtx,
    ) -> Result<CreateChatCompletionResponse, BrainError> {
        let body = masked_body(req)?;
        let mut backoff = RetryPolicy::new(Duration::from_millis(500), self.cfg.max_backoff).schedule();
        let probe = match self.breaker.admit() {
            Admit::Refuse { until } => {
                self.stats.short_circuited.fetch_add(1, Ordering::Relaxed);
                let secs = until.saturating_duration_since(tokio::time::Instant::now()).as_secs();
                return Err(BrainError::Unavailable(format!(
                    "the circuit is open after repeated failures; the model is skipped for {secs} s more"
                )));
            }
            Admit::Probe => true,
            Admit::Call => false,
        };
        if probe {
            ctx.recorder.note(ctx.agent, "model endpoint circuit half-open: this call is the probe");
        }
        let result = self.attempts(&body, ctx, &mut backoff).await;
        match &result {
            Ok(_) => self.breaker.success(),
            Err(BrainError::Timeout(_)) | Err(BrainError::Endpoint(_)) => {
                self.breaker.failure();
                if self.breaker.circuit() == Circuit::Open {
                    tracing::warn!(endpoint = %self.completions_url, "model endpoint circuit opened");
                }
            }
            Err(_) => {}
        }
        result
    }

    async fn attempts(
        &self,
        body: &[u8],
        ctx: &ToolCtx,
        backoff: &mut RetrySchedule,
    ) -> Result<CreateChatCompletionResponse, BrainError> {
        let mut retries = 0u32;
        loop {
            let Some(budget) = self.attempt_budget(ctx) else {
                self.stats.timeouts.fetch_add(1, Ordering::Relaxed);
                return Err(BrainError::Timeout(Duration::ZERO));
            };
            self.stats.calls.fetch_add(1, Ordering::Relaxed);
            let outcome = tokio::time::timeout(budget, self.exchange(body.to_vec())).await;
            let failure = match outcome {
                Ok(Ok(resp)) => return Ok(resp),
                Ok(Err(f)) => f,
                Err(_elapsed) => {
                    self.stats.timeouts.fetch_add(1, Ordering::Relaxed);
                    ctx.recorder.note(ctx.agent, format!("model call timed out after {budget:?}"));
                    return Err(BrainError::Timeout(budget));
                }
            };
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
            let (reason, retry_after) = match failure {
                AttemptError::Permanent(m) => return Err(BrainError::Endpoint(m)),
                AttemptError::Retryable { reason, retry_after } => (reason, retry_after),
            };
            if retries >= self.cfg.max_retries {
                return Err(BrainError::Endpoint(format!("{reason} (gave up after {retries} retries)")));
            }
            // Waiting longer than we budget for stalls the agent; failing now
            // lets the caller fall back while it still can.
            if let Some(ra) = retry_after.filter(|ra| *ra > self.cfg.max_backoff) {
                return Err(BrainError::Endpoint(format!(
                    "{reason}; the server asks to retry after {ra:?}, longer than max_backoff {:?}",
                    self.cfg.max_backoff
                )));
            }
            let wait = backoff.next_delay(retry_after);
            // A retry that would end past the deadline only delays the fallback.
            if ctx.remaining().is_some_and(|left| wait + MIN_CALL + FALLBACK_MARGIN > left) {
                return Err(BrainError::Endpoint(format!("{reason} (no time left to retry before the deadline)")));
            }
            retries += 1;
            let msg = format!(
                "model endpoint: {reason}; retry {retries}/{} in {:.2}s",
                self.cfg.max_retries,
                wait.as_secs_f64()
            );
            tracing::warn!(agent = ctx.agent, "{msg}");
            ctx.recorder.note(ctx.agent, msg);
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP request and its classification.
    async fn exchange(&self, body: Vec<u8>) -> Result<CreateChatCompletionResponse, AttemptError> {
        let mut rb = self.http.post(&self.completions_url).header(CONTENT_TYPE, "application/json").body(body);
        if let Some(key) = self.cfg.api_key.as_deref().filter(|k| !k.is_empty()) {
            rb = rb.bearer_auth(key);
        }
        let resp = rb.send().await.map_err(transport_error)?;
        let status = resp.status();
        let retry_after = parse_retry_after(resp.headers(), SystemTime::now());
        let bytes = resp.bytes().await.map_err(transport_error)?;
        if status.is_success() {
            let bad = |e: serde_json::Error| {
                AttemptError::Permanent(format!("unexpected response body ({e}): {}", snippet(&bytes)))
            };
            let mut raw: Value = serde_json::from_slice(&bytes).map_err(bad)?;
            normalize_response(&mut raw);
            return serde_json::from_value::<CreateChatCompletionResponse>(raw).map_err(bad);
        }
        let (message, code) = match serde_json::from_slice::<WrappedError>(&bytes) {
            Ok(w) => (w.error.message, w.error.code),
            Err(_) => (snippet(&bytes), None),
        };
        let reason = format!("HTTP {status}: {message}");
        match status {
            // OpenAI answers 429 both for rate limits and for an exhausted
            // quota; only the former goes away by waiting.
            StatusCode::TOO_MANY_REQUESTS if code.as_deref() == Some("insufficient_quota") => {
                Err(AttemptError::Permanent(reason))
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                Err(AttemptError::Retryable { reason, retry_after })
            }
            StatusCode::INTERNAL_SERVER_ERROR | StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT => {
                Err(AttemptError::Retryable { reason, retry_after: None })
            }
            _ => Err(AttemptError::Permanent(reason)),
        }
    }

    /// Runs one tool call the model asked for and returns the text of the
    /// tool message that answers it. Mistakes the model can fix come back as
    /// that text; only failures it cannot fix end the task.
    async fn run_tool_call(
        &self,
        call: &ChatCompletionMessageToolCalls,
        tools: &dyn ToolHost,
        ctx: &ToolCtx,
    ) -> Result<String, BrainError> {
        let call = match call {
            ChatCompletionMessageToolCalls::Function(f) => f,
            ChatCompletionMessageToolCalls::Custom(c) => {
                return Ok(format!(
                    "Error: '{}' is not available; only the listed function tools can be called.",
                    c.custom_tool.name
                ));
            }
        };
        let name = call.function.name.as_str();
        let raw = call.function.arguments.trim();
        // Some servers send "" for a call without parameters.
        let parsed = if raw.is_empty() { Ok(Value::Object(Default::default())) } else { serde_json::from_str(raw) };
        let args = match parsed {
            Ok(v) => v,
            Err(e) => {
                let error = format!("arguments are not valid JSON: {e}");
                ctx.recorder.record(
                    ctx.agent,
                    0.0,
                    StepKind::ToolCall {
                        tool: name.to_string(),
                        args: Value::String(raw.to_string()),
                        result: None,
                        error: Some(error.clone()),
                    },
                );
                return Ok(format!(
                    "Error: the {error}. Call {name} again with a single JSON object matching its parameters."
                ));
            }
        };
        let mut result = tools.call(ctx, name, args.clone()).await;
        if let Err(e) = &result {
            if e.kind() == ToolErrorKind::Retry {
                ctx.recorder.note(ctx.agent, format!("tool {name} failed transiently ({e}); retrying once"));
                result = tools.call(ctx, name, args).await;
            }
        }
        match result {
            Ok(v) => Ok(v.to_string()),
            Err(e) => match e.kind() {
                ToolErrorKind::TellModel => {
                    Ok(format!("Error: {e}. Correct the call to {name} and try again, or answer without it."))
                }
                ToolErrorKind::Retry | ToolErrorKind::Fatal => Err(BrainError::Tool(e)),
            },
        }
    }

    fn tool_definitions(
        &self,
        task: &BrainTask,
        tools: &dyn ToolHost,
    ) -> Result<Option<Vec<ChatCompletionTools>>, BrainError> {
        // `definitions(&[])` means "all tools"; a task that lists none
        // must get none.
        if task.tools.is_empty() {
            return Ok(None);
        }
        let defs = tools
            .definitions(&task.tools)
            .into_iter()
            .map(serde_json::from_value::<ChatCompletionTools>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| BrainError::Endpoint(format!("tool definition is not a valid OpenAI tool: {e}")))?;
        if defs.len() < task.tools.len() {
            // A name missing from the registry is a wiring bug; the model can
            // still work with the rest, but operators should see it.
            let known = tools.names();
            let missing: Vec<&str> = task.tools.iter().copied().filter(|t| !known.contains(t)).collect();
            tracing::warn!(agent = task.agent, ?missing, "tools not in the registry");
        }
        Ok(if defs.is_empty() { None } else { Some(defs) })
    }
}

#[derive(Debug, thiserror::Error)]
enum AttemptError {
    #[error("{reason}")]
    Retryable { reason: String, retry_after: Option<Duration> },
    #[error("{0}")]
    Permanent(String),
}

fn transport_error(e: reqwest::Error) -> AttemptError {
    let reason = format!("connection error: {}", error_chain(&e));
    // Connect failures, resets while sending and bodies cut short are the
    // passing network faults worth another attempt; anything else (a bad
    // URL, a redirect loop) will fail the same way again.
    if e.is_connect() || e.is_request() || e.is_body() {
        AttemptError::Retryable { reason, retry_after: None }
    } else {
        AttemptError::Permanent(reason)
    }
}

// reqwest's Display omits the cause ("error sending request"), which is the
// part an operator needs ("connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn snippet(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Bends a compatible server's reply into what async-openai's strict types
/// accept, without changing its meaning: fields some servers omit (`object`,
/// `created`, `id`, `model`, a message's `role`) get their OpenAI values, and
/// a `finish_reason` outside OpenAI's set (DeepSeek's
/// `insufficient_system_resource`) becomes null instead of failing the turn.
fn normalize_response(raw: &mut Value) {
    const FINISH: [&str; 5] = ["stop", "length", "tool_calls", "content_filter", "function_call"];
    let Some(obj) = raw.as_object_mut() else { return };
    for (key, default) in [
        ("object", Value::from("chat.completion")),
        ("created", Value::from(0)),
        ("id", Value::from("")),
        ("model", Value::from("")),
    ] {
        if obj.get(key).is_none_or(Value::is_null) {
            obj.insert(key.to_string(), default);
        }
    }
    let Some(Value::Array(choices)) = obj.get_mut("choices") else { return };
    for (i, choice) in choices.iter_mut().enumerate() {
        let Some(c) = choice.as_object_mut() else { continue };
        if c.get("index").is_none_or(Value::is_null) {
            c.insert("index".into(), Value::from(i));
        }
        if c.get("finish_reason").and_then(Value::as_str).is_some_and(|f| !FINISH.contains(&f)) {
            c.insert("finish_reason".into(), Value::Null);
        }
        if let Some(Value::Object(m)) = c.get_mut("message") {
            if m.get("role").is_none_or(Value::is_null) {
                m.insert("role".into(), Value::from("assistant"));
            }
        }
    }
}

/// How long the server asked us to wait, from `retry-after-ms` (OpenAI's
/// millisecond variant) or `Retry-After` as delta-seconds or an HTTP-date
/// (RFC 9110 §10.2.3). A date in the past means "now".
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if let Some(d) = seconds(ms / 1000.0) {
            return Some(d);
        }
    }
    let v = text("retry-after")?;
    if let Ok(secs) = v.parse::<f64>() {
        return seconds(secs);
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Removes a Markdown code fence (```` ```json … ``` ````) around a reply.
fn strip_fences(s: &str) -> &str {
    let t = s.trim();
    let Some(start) = t.find("```") else { return t };
    let after = &t[start + 3..];
    let after = after.trim_start_matches(|c: char| c.is_ascii_alphanumeric());
    let inner = match after.rfind("```") {
        Some(end) => &after[..end],
        None => after,
    };
    inner.trim()
}

/// Parses and validates a structured reply. The error is a message for the
/// model, phrased so it can correct itself on the next turn.
fn parse_structured(content: &str, spec: &OutputSpec) -> Result<(String, Value), String> {
    let trimmed = content.trim();
    // Try the reply as-is first: a valid JSON string value may itself
    // contain a fence, which stripping would break.
    let (text, value) = match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => (trimmed, v),
        Err(first) => {
            let inner = strip_fences(trimmed);
            match serde_json::from_str::<Value>(inner) {
                Ok(v) => (inner, v),
                Err(_) => {
                    return Err(format!(
                        "Your reply was not valid JSON ({first}). Reply with only a JSON value that matches the `{}` schema: no prose, no code fences.",
                        spec.name
                    ));
                }
            }
        }
    };
    let errs = tradewind_ports::schema::validate(&spec.schema, &value);
    if !errs.is_empty() {
        return Err(format!(
            "Your reply did not match the `{}` schema:\n- {}\nReply again with only the corrected JSON.",
            spec.name,
            errs.join("\n- ")
        ));
    }
    Ok((text.to_string(), value))
}

fn summarize_calls(calls: &[ChatCompletionMessageToolCalls]) -> String {
    calls
        .iter()
        .map(|c| match c {
            ChatCompletionMessageToolCalls::Function(f) => {
                format!("{}({})", f.function.name, f.function.arguments)
            }
            ChatCompletionMessageToolCalls::Custom(c) => {
                format!("{}[custom]({})", c.custom_tool.name, c.custom_tool.input)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn assistant_message(
    content: Option<String>,
    calls: Option<Vec<ChatCompletionMessageToolCalls>>,
) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
        // With tool calls an empty content is better sent as null; without
        // them, some servers reject an assistant turn that has no content.
        content: content
            .filter(|c| !c.is_empty() || calls.is_none())
            .map(ChatCompletionRequestAssistantMessageContent::Text),
        tool_calls: calls,
        ..Default::default()
    })
}

/// The request as sent: every message (system, user, assistant, tool
/// results) with personal identifiers masked, whatever the agent put in it.
/// The model never needs them: contact details reach sales through the
/// customer record, not through a prompt.
fn masked_body(req: &CreateChatCompletionRequest) -> Result<Vec<u8>, BrainError> {
    let encode = |e: serde_json::Error| BrainError::Endpoint(format!("cannot encode the request: {e}"));
    let mut v = serde_json::to_value(req).map_err(encode)?;
    if let Some(messages) = v.get_mut("messages") {
        tradewind_nlp::pii::mask_json(messages);
    }
    serde_json::to_vec(&v).map_err(encode)
}

fn user_message(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
        content: ChatCompletionRequestUserMessageContent::Text(text),
        name: None,
    })
}

#[async_trait]
impl Brain for OpenAiBrain {
    fn name(&self) -> String {
        format!("openai:{}", self.cfg.model)
    }

    fn is_offline(&self) -> bool {
        false
    }

    fn health(&self) -> Option<BrainHealth> {
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Some(BrainHealth {
            endpoint: self.completions_url.clone(),
            circuit: self.breaker.circuit().as_str().to_string(),
            calls: n(&self.stats.calls),
            errors: n(&self.stats.errors),
            timeouts: n(&self.stats.timeouts),
            short_circuited: n(&self.stats.short_circuited),
            prompt_tokens: n(&self.stats.prompt_tokens),
            completion_tokens: n(&self.stats.completion_tokens),
        })
    }

    async fn run(&self, task: &BrainTask, tools: &dyn ToolHost, ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        ctx.recorder.record(ctx.agent, 0.0, StepKind::Prompt { system: task.system.clone(), user: task.user.clone() });
        let response_format = task.output.as_ref().map(|o| ResponseFormat::JsonSchema {
            json_schema: ResponseFormatJsonSchema {
                description: None,
                name: o.name.to_string(),
                schema: o.schema.clone(),
                strict: Some(true),
            },
        });
        let mut req = CreateChatCompletionRequest {
            model: self.cfg.model.clone(),
            messages: vec![
                ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
                    content: ChatCompletionRequestSystemMessageContent::Text(task.system.clone()),
                    name: None,
                }),
                user_message(task.user.clone()),
            ],
            tools: self.tool_definitions(task, tools)?,
            response_format,
            temperature: self.cfg.temperature,
            ..Default::default()
        };

        req.max_completion_tokens = Some(self.cfg.max_tokens);
        let mut reply = BrainReply::default();
        for _turn in 0..task.max_steps {
            self.check_budget(&req, ctx).await?;
            let started = Instant::now();
            let resp = self.complete(&req, ctx).await?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let (pt, ct) = resp.usage.as_ref().map(|u| (u.prompt_tokens, u.completion_tokens)).unwrap_or((0, 0));
            reply.steps += 1;
            reply.prompt_tokens = reply.prompt_tokens.saturating_add(pt);
            reply.completion_tokens = reply.completion_tokens.saturating_add(ct);
            self.stats.prompt_tokens.fetch_add(u64::from(pt), Ordering::Relaxed);
            self.stats.completion_tokens.fetch_add(u64::from(ct), Ordering::Relaxed);

            let Some(choice) = resp.choices.into_iter().next() else {
                return Err(BrainError::Endpoint("the response has no choices".into()));
            };
            let msg = choice.message;
            let calls = msg.tool_calls.unwrap_or_default();
            let content = msg.content.unwrap_or_default();
            let shown = match (content.is_empty(), calls.is_empty()) {
                (_, true) => content.clone(),
                (true, false) => format!("[tool calls] {}", summarize_calls(&calls)),
                (false, false) => format!("{content}\n[tool calls] {}", summarize_calls(&calls)),
            };
            ctx.recorder.record(
                ctx.agent,
                ms,
                StepKind::ModelReply { content: shown, prompt_tokens: pt, completion_tokens: ct },
            );

            if !calls.is_empty() {
                req.messages.push(assistant_message(Some(content), Some(calls.clone())));
                for call in &calls {
                    let text = self.run_tool_call(call, tools, ctx).await?;
                    let id = match call {
                        ChatCompletionMessageToolCalls::Function(f) => f.id.clone(),
                        ChatCompletionMessageToolCalls::Custom(c) => c.id.clone(),
                    };
                    req.messages.push(ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
                        content: ChatCompletionRequestToolMessageContent::Text(text),
                        tool_call_id: id,
                    }));
                }
                continue;
            }

            let Some(spec) = &task.output else {
                // A refusal arrives in its own field with no content; it is
                // still the model's answer and the agent should see it.
                reply.content = if content.is_empty() { msg.refusal.unwrap_or_default() } else { content };
                return Ok(reply);
            };
            if content.trim().is_empty() {
                if let Some(r) = msg.refusal {
                    return Err(BrainError::BadOutput(format!("the model refused: {r}")));
                }
            }
            match parse_structured(&content, spec) {
                Ok((text, value)) => {
                    reply.content = text;
                    reply.json = Some(value);
                    return Ok(reply);
                }
                Err(problem) => {
                    ctx.recorder.note(ctx.agent, format!("structured output rejected: {problem}"));
                    req.messages.push(assistant_message(Some(content), None));
                    req.messages.push(user_message(problem));
                }
            }
        }
        Err(BrainError::StepLimit(task.max_steps))
    }
}
