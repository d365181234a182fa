//! `ScriptedLlm`: a real OpenAI-compatible HTTP server on 127.0.0.1 for
//! tests and benchmarks, so the OpenAI brain is exercised over the wire
//! (serialisation, status codes, headers, timeouts) rather than through a
//! mock of its own types.
//!
//! Two modes. Scripted: replies to chat completions in a fixed order (text,
//! tool calls, JSON, raw HTTP errors, stalls) and records each request body.
//! Auto: replies to everything after a fixed latency, with a minimal valid
//! instance of the requested JSON schema or a short text; for benchmarks.
//! Both serve deterministic embeddings.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Embedding width when none is given.
pub const DEFAULT_EMBEDDING_DIM: usize = 64;

/// One tool call in a scripted assistant turn. `arguments` is the raw string
/// the model "generated", so a test can send malformed JSON too.
#[derive(Debug, Clone)]
pub struct ScriptedToolCall {
    pub name: String,
    pub arguments: String,
}

/// One scripted answer to a chat-completion request.
#[derive(Debug, Clone)]
pub enum ScriptedResponse {
    /// An assistant message with this text content.
    Text(String),
    /// An assistant message calling these tools (finish_reason `tool_calls`).
    ToolCalls(Vec<ScriptedToolCall>),
    /// An assistant message whose content is this JSON, serialised.
    Json(Value),
    /// A raw HTTP answer: any status, extra headers, verbatim body.
    Status { status: u16, headers: Vec<(String, String)>, body: String },
    /// Sleep, then answer with `then`.
    Stall { delay: Duration, then: Box<ScriptedResponse> },
}

impl ScriptedResponse {
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    pub fn tool_call(name: impl Into<String>, args: Value) -> Self {
        Self::ToolCalls(vec![ScriptedToolCall { name: name.into(), arguments: args.to_string() }])
    }

    /// A tool call whose arguments string is sent exactly as given.
    pub fn tool_call_raw(name: impl Into<String>, arguments: impl Into<String>) -> Self {
        Self::ToolCalls(vec![ScriptedToolCall { name: name.into(), arguments: arguments.into() }])
    }

    pub fn tool_calls(calls: Vec<(&str, Value)>) -> Self {
        Self::ToolCalls(
            calls
                .into_iter()
                .map(|(n, a)| ScriptedToolCall { name: n.to_string(), arguments: a.to_string() })
                .collect(),
        )
    }

    pub fn json(v: Value) -> Self {
        Self::Json(v)
    }

    pub fn status(status: u16, headers: Vec<(&str, &str)>, body: impl Into<String>) -> Self {
        Self::Status {
            status,
            headers: headers.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.into(),
        }
    }

    /// A 429 with `Retry-After: <secs>` and an OpenAI-style error body.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let body = json!({"error": {
            "message": "Rate limit reached for requests",
            "type": "requests",
            "param": null,
            "code": "rate_limit_exceeded"
        }});
        Self::status(429, vec![("retry-after", &retry_after_secs.to_string())], body.to_string())
    }

    pub fn stall(delay: Duration, then: ScriptedResponse) -> Self {
        Self::Stall { delay, then: Box::new(then) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScriptedLlmError {
    #[error("cannot bind the scripted LLM server: {0}")]
    Bind(#[source] std::io::Error),
}

enum Mode {
    Scripted,
    Auto { latency: Duration },
}

struct Shared {
    mode: Mode,
    dim: usize,
    script: Mutex<VecDeque<ScriptedResponse>>,
    requests: Mutex<Vec<Value>>,
    authorizations: Mutex<Vec<Option<String>>>,
    chat_count: AtomicU64,
    embedding_count: AtomicU64,
}

// A handler that panicked mid-push leaves the vector valid; keep serving.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Stops a running `ScriptedLlm` from anywhere; cheap to clone.
#[derive(Clone, Debug)]
pub struct ShutdownHandle(CancellationToken);

impl ShutdownHandle {
    pub fn shutdown(&self) {
        self.0.cancel();
    }
}

/// The server. It stops when dropped or when `shutdown` is called.
pub struct ScriptedLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    token: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ScriptedLlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedLlm").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl ScriptedLlm {
    /// Scripted mode: answers chat completions with `script`, in order.
    pub async fn start(script: Vec<ScriptedResponse>) -> Result<Self, ScriptedLlmError> {
        Self::launch(Mode::Scripted, script, DEFAULT_EMBEDDING_DIM).await
    }

    /// Auto mode with 64-dimensional embeddings.
    pub async fn start_auto(latency: Duration) -> Result<Self, ScriptedLlmError> {
        Self::start_auto_with_dim(latency, DEFAULT_EMBEDDING_DIM).await
    }

    /// Auto mode: every request (chat or embeddings) is answered after
    /// `latency`. Request bodies are counted, not kept, so a long benchmark
    /// does not grow the server's memory.
    pub async fn start_auto_with_dim(latency: Duration, dim: usize) -> Result<Self, ScriptedLlmError> {
        Self::launch(Mode::Auto { latency }, Vec::new(), dim.max(1)).await
    }

    /// Auto mode on a chosen loopback port (0: any free one), for
    /// `tradewind scripted-llm`, which runs the server as its own process so
    /// that a benchmark does not count the server's CPU as the client's.
    pub async fn start_auto_on_port(latency: Duration, dim: usize, port: u16) -> Result<Self, ScriptedLlmError> {
        Self::launch_on(Mode::Auto { latency }, Vec::new(), dim.max(1), port).await
    }

    async fn launch(mode: Mode, script: Vec<ScriptedResponse>, dim: usize) -> Result<Self, ScriptedLlmError> {
        Self::launch_on(mode, script, dim, 0).await
    }

    async fn launch_on(
        mode: Mode,
        script: Vec<ScriptedResponse>,
        dim: usize,
        port: u16,
    ) -> Result<Self, ScriptedLlmError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(ScriptedLlmError::Bind)?;
        let addr = listener.local_addr().map_err(ScriptedLlmError::Bind)?;
        let shared = Arc::new(Shared {
            mode,
            dim,
            script: Mutex::new(script.into()),
            requests: Mutex::new(Vec::new()),
            authorizations: Mutex::new(Vec::new()),
            chat_count: AtomicU64::new(0),
            embedding_count: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .route("/chat/completions", post(chat_completions))
            .route("/v1/embeddings", post(embeddings))
            .route("/embeddings", post(embeddings))
            .fallback(not_found)
            .with_state(shared.clone());
        let token = CancellationToken::new();
        let stop = token.clone();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await;
            if let Err(e) = served {
                tracing::warn!("scripted LLM server stopped: {e}");
            }
        });
        Ok(Self { addr, shared, token, task: Some(task) })
    }

    /// `http://127.0.0.1:PORT/v1`, ready for `OpenAiConfig::base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every chat-completion request body received so far (scripted mode).
    pub fn requests(&self) -> Vec<Value> {
        lock(&self.shared.requests).clone()
    }

    /// The `Authorization` header of each recorded request, in order.
    pub fn authorizations(&self) -> Vec<Option<String>> {
        lock(&self.shared.authorizations).clone()
    }

    /// Chat-completion requests received, including unparseable ones.
    pub fn chat_requests(&self) -> u64 {
        self.shared.chat_count.load(Ordering::Relaxed)
    }

    pub fn embedding_requests(&self) -> u64 {
        self.shared.embedding_count.load(Ordering::Relaxed)
    }

    /// Scripted responses not yet used.
    pub fn remaining(&self) -> usize {
        lock(&self.shared.script).len()
    }

    /// Appends to the script while the server runs.
    pub fn push(&self, response: ScriptedResponse) {
        lock(&self.shared.script).push_back(response);
    }

    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.token.clone())
    }

    /// Stops accepting connections and waits (up to a second) for the
    /// server task; connections still open are abandoned.
    pub async fn shutdown(mut self) {
        self.token.cancel();
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(1), task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for ScriptedLlm {
    fn drop(&mut self) {
        self.token.cancel();
        // Graceful shutdown waits for open keep-alive connections; a dropped
        // test server must not linger for them.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn error_response(status: StatusCode, message: &str, kind: &str) -> Response {
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": null}});
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "ScriptedLlm serves only /v1/chat/completions and /v1/embeddings",
        "invalid_request_error",
    )
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Roughly four characters per token, as for English with OpenAI's
/// tokenisers: good enough for usage figures that look real.
fn estimate_tokens(chars: usize) -> u32 {
    u32::try_from(chars.div_ceil(4)).unwrap_or(u32::MAX).max(1)
}

fn prompt_tokens(req: &Value) -> u32 {
    let messages = req.get("messages").map(|m| m.to_string().len()).unwrap_or(0);
    let tools = req.get("tools").map(|t| t.to_string().len()).unwrap_or(0);
    let n = req.get("messages").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
    // Each message carries a few tokens of role and framing.
    estimate_tokens(messages + tools).saturating_add(3 * n as u32)
}

async fn chat_completions(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let n = shared.chat_count.fetch_add(1, Ordering::Relaxed) + 1;
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                &format!("request body is not JSON: {e}"),
                "invalid_request_error",
            )
        }
    };
    match shared.mode {
        Mode::Auto { latency } => {
            tokio::time::sleep(latency).await;
            let content = match auto_schema(&req) {
                Some(instance) => instance.to_string(),
                None => "OK.".to_string(),
            };
            completion(&req, n, Some(content), Vec::new())
        }
        Mode::Scripted => {
            lock(&shared.requests).push(req.clone());
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
            lock(&shared.authorizations).push(auth);
            let next = lock(&shared.script).pop_front();
            let Some(mut step) = next else {
                return error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("ScriptedLlm: the script is exhausted (request #{n} has no scripted response)"),
                    "server_error",
                );
            };
            // Stalls may nest; unwind them all before answering.
            while let ScriptedResponse::Stall { delay, then } = step {
                tokio::time::sleep(delay).await;
                step = *then;
            }
            scripted_answer(&req, n, step)
        }
    }
}

fn scripted_answer(req: &Value, n: u64, step: ScriptedResponse) -> Response {
    match step {
        ScriptedResponse::Text(t) => completion(req, n, Some(t), Vec::new()),
        ScriptedResponse::Json(v) => completion(req, n, Some(v.to_string()), Vec::new()),
        ScriptedResponse::ToolCalls(calls) => completion(req, n, None, calls),
        ScriptedResponse::Status { status, headers, body } => raw_response(status, &headers, body),
        // Unwound by the caller; answering with the fallback keeps this total.
        ScriptedResponse::Stall { .. } => {
            error_response(StatusCode::INTERNAL_SERVER_ERROR, "ScriptedLlm: nested stall", "server_error")
        }
    }
}

fn raw_response(status: u16, headers: &[(String, String)], body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    // Error bodies from OpenAI are JSON; a scripted header may override.
    h.insert("content-type", HeaderValue::from_static("application/json"));
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            h.insert(name, value);
        }
    }
    resp
}

fn completion(req: &Value, n: u64, content: Option<String>, calls: Vec<ScriptedToolCall>) -> Response {
    let model = req.get("model").and_then(Value::as_str).unwrap_or("scripted").to_string();
    let prompt = prompt_tokens(req);
    let mut message = Map::new();
    message.insert("role".into(), json!("assistant"));
    message.insert("refusal".into(), Value::Null);
    let finish = if calls.is_empty() { "stop" } else { "tool_calls" };
    let mut out_chars = content.as_ref().map(String::len).unwrap_or(0);
    message.insert("content".into(), content.map(Value::String).unwrap_or(Value::Null));
    if !calls.is_empty() {
        let tool_calls: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                out_chars += c.name.len() + c.arguments.len();
                json!({
                    "id": format!("call_{n}_{i}"),
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments}
                })
            })
            .collect();
        message.insert("tool_calls".into(), Value::Array(tool_calls));
    }
    let completion_tokens = estimate_tokens(out_chars);
    let body = json!({
        "id": format!("chatcmpl-scripted-{n}"),
        "object": "chat.completion",
        "created": now_secs(),
        "model": model,
        "system_fingerprint": "fp_scripted",
        "choices": [{
            "index": 0,
            "message": Value::Object(message),
            "logprobs": null,
            "finish_reason": finish
        }],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt.saturating_add(completion_tokens)
        }
    });
    (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response()
}

/// For auto mode: the instance to answer with when the request asks for
/// structured output.
fn auto_schema(req: &Value) -> Option<Value> {
    let rf = req.get("response_format")?;
    match rf.get("type").and_then(Value::as_str)? {
        "json_schema" => {
            let schema = rf.get("json_schema").and_then(|j| j.get("schema")).cloned().unwrap_or(json!({}));
            Some(minimal_instance(&schema, &schema, 0))
        }
        "json_object" => Some(json!({})),
        _ => None,
    }
}

fn is_null_schema(s: &Value) -> bool {
    match s.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => false,
    }
}

fn resolve_ref<'a>(root: &'a Value, r: &str) -> Option<&'a Value> {
    let path = r.strip_prefix("#/")?;
    path.split('/').try_fold(root, |cur, seg| cur.get(seg.replace("~1", "/").replace("~0", "~")))
}

/// The smallest instance that satisfies `schema`: null where null is
/// allowed, `""`, `0`, `false`, `[]`, and objects with every required
/// property; minimums (length, items, value) are met rather than ignored.
pub fn minimal_instance(schema: &Value, root: &Value, depth: usize) -> Value {
    // Recursive schemas would otherwise never end.
    if depth > 32 {
        return Value::Null;
    }
    let Some(s) = schema.as_object() else { return Value::Null };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return resolve_ref(root, r).map(|t| minimal_instance(t, root, depth + 1)).unwrap_or(Value::Null);
    }
    if let Some(c) = s.get("const") {
        return c.clone();
    }
    if let Some(Value::Array(options)) = s.get("enum") {
        if options.contains(&Value::Null) {
            return Value::Null;
        }
        if let Some(first) = options.first() {
            return first.clone();
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = s.get(key) {
            if alts.iter().any(is_null_schema) {
                return Value::Null;
            }
            if let Some(first) = alts.first() {
                return minimal_instance(first, root, depth + 1);
            }
        }
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        if let Some(first) = all.first() {
            return minimal_instance(first, root, depth + 1);
        }
    }
    if is_null_schema(schema) {
        return Value::Null;
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).next().unwrap_or("null"),
        _ if s.contains_key("properties") => "object",
        _ if s.contains_key("items") => "array",
        _ => "null",
    };
    let min = s.get("minimum").and_then(Value::as_f64);
    let max = s.get("maximum").and_then(Value::as_f64);
    match ty {
        "object" => {
            let props = s.get("properties").and_then(Value::as_object);
            let mut out = Map::new();
            for name in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                let sub = props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
                out.insert(name.to_string(), minimal_instance(sub, root, depth + 1));
            }
            Value::Object(out)
        }
        "array" => {
            let n = s.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(1024) as usize;
            let item = s.get("items").map(|i| minimal_instance(i, root, depth + 1)).unwrap_or(Value::Null);
            Value::Array(vec![item; n])
        }
        "string" => {
            let n = s.get("minLength").and_then(Value::as_u64).unwrap_or(0).min(4096) as usize;
            Value::String("x".repeat(n))
        }
        "integer" => {
            let mut v = 0.0f64;
            if let Some(m) = min {
                v = v.max(m.ceil());
            }
            if let Some(m) = max {
                v = v.min(m.floor());
            }
            json!(v as i64)
        }
        "number" => {
            let mut v = 0.0f64;
            if let Some(m) = min {
                v = v.max(m);
            }
            if let Some(m) = max {
                v = v.min(m);
            }
            if v.fract() == 0.0 {
                json!(v as i64)
            } else {
                json!(v)
            }
        }
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

async fn embeddings(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    shared.embedding_count.fetch_add(1, Ordering::Relaxed);
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                &format!("request body is not JSON: {e}"),
                "invalid_request_error",
            )
        }
    };
    if let Mode::Auto { latency } = shared.mode {
        tokio::time::sleep(latency).await;
    }
    // One text per vector: a string, a list of strings, or token ids (one
    // list, or a list of lists), each hashed as written.
    let inputs: Vec<String> = match req.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) if items.iter().all(Value::is_number) => {
            vec![Value::Array(items.clone()).to_string()]
        }
        Some(Value::Array(items)) => {
            items.iter().map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string())).collect()
        }
        _ => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "'input' must be a string, an array of strings, or token arrays",
                "invalid_request_error",
            )
        }
    };
    let dim = req.get("dimensions").and_then(Value::as_u64).map(|d| d.clamp(1, 8192) as usize).unwrap_or(shared.dim);
    let base64 = req.get("encoding_format").and_then(Value::as_str) == Some("base64");
    let model = req.get("model").and_then(Value::as_str).unwrap_or("scripted-embedding");
    let mut tokens = 0u32;
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            tokens = tokens.saturating_add(estimate_tokens(text.len()));
            let v = deterministic_vector(text, dim);
            let embedding = if base64 { Value::String(f32s_base64(&v)) } else { json!(v) };
            json!({"object": "embedding", "index": i, "embedding": embedding})
        })
        .collect();
    let body = json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens}
    });
    (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response()
}

/// A unit vector that depends only on `text` and `dim`: FNV-1a seeds a
/// splitmix64 stream. Identical texts embed identically; others look random.
pub fn deterministic_vector(text: &str, dim: usize) -> Vec<f32> {
    use std::hash::Hasher;
    let mut fnv = fnv::FnvHasher::default();
    fnv.write(text.as_bytes());
    let mut state = fnv.finish();
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let raw: Vec<f32> = (0..dim).map(|_| ((next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32).collect();
    let norm = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        raw.into_iter().map(|x| x / norm).collect()
    } else {
        raw
    }
}

/// OpenAI's `encoding_format: "base64"`: little-endian f32s, standard base64.
fn f32s_base64(v: &[f32]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = v.iter().flat_map(|f| f.to_le_bytes()).collect();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| chunk.get(i).copied().unwrap_or(0);
        let b = [byte(0), byte(1), byte(2)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod pinned {
    use super::deterministic_vector;

    /// Pinned before FNV-1a moved to the `fnv` crate: the scripted
    /// server's `/embeddings` answers are these vectors, so runs against it
    /// (benchmarks, client tests) must see the same ones afterwards.
    #[test]
    fn deterministic_vectors_are_pinned() {
        let bits = |t: &str| deterministic_vector(t, 4).iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
        assert_eq!(bits("hello"), vec![1_061_100_655, 1_044_948_752, 3_205_155_825, 3_198_817_332]);
        assert_eq!(bits(""), vec![1_054_248_963, 3_207_719_312, 3_196_677_120, 3_204_766_995]);
        assert_eq!(bits("付款方式"), vec![3_195_202_986, 1_049_576_823, 3_196_044_212, 1_063_610_404]);
    }
}
