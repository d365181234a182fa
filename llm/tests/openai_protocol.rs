//! The OpenAI brain against a real HTTP server (`ScriptedLlm`): the tool
//! loop, argument repair, retries with `Retry-After`, timeouts, structured
//! output and the step limit, as seen on the wire and in the transcript.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_core::{CustomerId, StepKind};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_ports::brain::{Brain, BrainError, BrainTask, OutputSpec};
use tradewind_scripted_llm::{ScriptedLlm, ScriptedResponse};
use tradewind_tools::{Dispatcher, Recorder, Registry, Tool, ToolCtx, ToolError};

// ---------------------------------------------------------------- test tools

struct AddNumbers;

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
struct AddArgs {
    a: i64,
    b: i64,
}

#[derive(Debug, Serialize)]
struct AddOut {
    sum: i64,
}

impl Tool for AddNumbers {
    const NAME: &'static str = "add_numbers";
    type Args = AddArgs;
    type Output = AddOut;

    fn description(&self) -> String {
        "Adds two integers.".into()
    }

    async fn call(&self, args: AddArgs, _ctx: &ToolCtx) -> Result<AddOut, ToolError> {
        Ok(AddOut { sum: args.a + args.b })
    }
}

/// Fails with a transient error the first `fail_times` calls.
struct Flaky {
    calls: Arc<AtomicU32>,
    fail_times: u32,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
struct FlakyArgs {
    key: String,
}

impl Tool for Flaky {
    const NAME: &'static str = "flaky_lookup";
    type Args = FlakyArgs;
    type Output = Value;

    fn description(&self) -> String {
        "Looks something up; sometimes the backend is busy.".into()
    }

    async fn call(&self, args: FlakyArgs, _ctx: &ToolCtx) -> Result<Value, ToolError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_times {
            Err(ToolError::Transient("backend busy".into()))
        } else {
            Ok(json!({"key": args.key, "value": 42}))
        }
    }
}

// ------------------------------------------------------------------- harness

struct Harness {
    server: ScriptedLlm,
    brain: OpenAiBrain,
    dispatcher: Dispatcher,
    ctx: ToolCtx,
    recorder: Arc<Recorder>,
    flaky_calls: Arc<AtomicU32>,
}

fn config(base_url: String) -> OpenAiConfig {
    OpenAiConfig {
        base_url,
        api_key: Some("sk-test".into()),
        model: "test-model".into(),
        call_timeout: Duration::from_secs(5),
        max_retries: 2,
        max_backoff: Duration::from_secs(3),
        temperature: Some(0.0),
        ..OpenAiConfig::default()
    }
}

async fn harness_with(
    script: Vec<ScriptedResponse>,
    tweak: impl FnOnce(&mut OpenAiConfig),
    flaky_fails: u32,
) -> Harness {
    let server = ScriptedLlm::start(script).await.expect("server starts");
    let mut cfg = config(server.base_url());
    tweak(&mut cfg);
    let brain = OpenAiBrain::new(cfg).expect("brain builds");
    let flaky_calls = Arc::new(AtomicU32::new(0));
    let mut registry = Registry::new();
    registry.register(AddNumbers);
    registry.register(Flaky { calls: flaky_calls.clone(), fail_times: flaky_fails });
    let recorder = Arc::new(Recorder::new("inq-1"));
    let ctx = ToolCtx {
        inquiry_id: Arc::from("inq-1"),
        agent: "proposal",
        customer: CustomerId::channel("test", "u1"),
        recorder: recorder.clone(),
        deadline: None,
    };
    Harness { server, brain, dispatcher: Dispatcher::new(registry), ctx, recorder, flaky_calls }
}

async fn harness(script: Vec<ScriptedResponse>) -> Harness {
    harness_with(script, |_| {}, 0).await
}

fn task(tools: Vec<&'static str>, output: Option<OutputSpec>, max_steps: usize) -> BrainTask {
    BrainTask {
        agent: "proposal",
        system: "You are a careful assistant.".into(),
        user: "What is 2 + 3?".into(),
        facts: json!({}),
        template: None,
        tools,
        output,
        max_steps,
    }
}

fn quote_spec() -> OutputSpec {
    OutputSpec {
        name: "quote",
        schema: json!({
            "type": "object",
            "properties": {
                "sku": {"type": "string"},
                "quantity": {"type": "integer", "minimum": 1},
                "note": {"type": ["string", "null"]}
            },
            "required": ["sku", "quantity", "note"],
            "additionalProperties": false
        }),
    }
}

fn kinds(recorder: &Recorder) -> Vec<StepKind> {
    recorder.snapshot().into_iter().map(|s| s.kind).collect()
}

fn messages(req: &Value) -> Vec<Value> {
    req["messages"].as_array().cloned().unwrap_or_default()
}

// --------------------------------------------------------------------- tests

#[tokio::test]
async fn tool_call_loop_sends_tool_result_back_and_records_tool_and_model_steps() {
    let h = harness(vec![
        ScriptedResponse::tool_call("add_numbers", json!({"a": 2, "b": 3})),
        ScriptedResponse::text("2 + 3 = 5."),
    ])
    .await;
    let reply = h.brain.run(&task(vec!["add_numbers"], None, 4), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(reply.content, "2 + 3 = 5.");
    assert_eq!(reply.steps, 2);
    assert!(reply.prompt_tokens > 0 && reply.completion_tokens > 0, "{reply:?}");

    let reqs = h.server.requests();
    assert_eq!(reqs.len(), 2);
    // First request: system + user, only the allowed tool, in strict mode.
    let first = &reqs[0];
    assert_eq!(first["model"], "test-model");
    assert_eq!(messages(first).len(), 2);
    assert_eq!(messages(first)[0]["role"], "system");
    assert_eq!(messages(first)[1]["role"], "user");
    let tools = first["tools"].as_array().expect("tools sent");
    assert_eq!(tools.len(), 1, "only the task's tools: {tools:?}");
    assert_eq!(tools[0]["type"], "function");
    assert_eq!(tools[0]["function"]["name"], "add_numbers");
    assert_eq!(tools[0]["function"]["strict"], json!(true));
    assert_eq!(tools[0]["function"]["parameters"]["additionalProperties"], json!(false));
    assert!(first.get("response_format").is_none());

    // Second request: the assistant's call, then the tool's result for that id.
    let msgs = messages(&reqs[1]);
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert_eq!(msgs[2]["role"], "assistant");
    let call_id = msgs[2]["tool_calls"][0]["id"].as_str().expect("call id").to_string();
    assert_eq!(msgs[2]["tool_calls"][0]["function"]["name"], "add_numbers");
    assert_eq!(msgs[3]["role"], "tool");
    assert_eq!(msgs[3]["tool_call_id"], call_id.as_str());
    let result: Value = serde_json::from_str(msgs[3]["content"].as_str().expect("text")).expect("json result");
    assert_eq!(result, json!({"sum": 5}));

    let steps = kinds(&h.recorder);
    assert!(
        matches!(&steps[0], StepKind::Prompt { system, user } if system.contains("careful") && user.contains("2 + 3"))
    );
    assert!(steps.iter().any(|k| matches!(k,
        StepKind::ToolCall { tool, result: Some(r), error: None, .. } if tool == "add_numbers" && r["sum"] == 5)));
    let replies: Vec<_> = steps.iter().filter(|k| matches!(k, StepKind::ModelReply { .. })).collect();
    assert_eq!(replies.len(), 2);
    assert!(matches!(replies[1], StepKind::ModelReply { content, prompt_tokens, completion_tokens }
        if content == "2 + 3 = 5." && *prompt_tokens > 0 && *completion_tokens > 0));
}

#[tokio::test]
async fn invalid_arguments_go_back_to_the_model_and_the_repaired_call_succeeds() {
    let h = harness(vec![
        ScriptedResponse::tool_call("add_numbers", json!({"a": "two", "b": 3})),
        ScriptedResponse::tool_call("add_numbers", json!({"a": 2, "b": 3})),
        ScriptedResponse::text("5"),
    ])
    .await;
    let reply = h.brain.run(&task(vec!["add_numbers"], None, 5), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(reply.content, "5");
    assert_eq!(reply.steps, 3);

    let reqs = h.server.requests();
    let second = messages(&reqs[1]);
    let error_text = second[3]["content"].as_str().expect("tool message text");
    assert_eq!(second[3]["role"], "tool");
    assert!(error_text.contains("at $.a: expected integer, got string"), "{error_text}");
    assert!(error_text.to_lowercase().contains("error"), "{error_text}");

    let third = messages(&reqs[2]);
    let repaired: Value = serde_json::from_str(third[5]["content"].as_str().expect("text")).expect("json");
    assert_eq!(repaired, json!({"sum": 5}));

    let calls: Vec<_> = kinds(&h.recorder)
        .into_iter()
        .filter_map(|k| match k {
            StepKind::ToolCall { result, error, .. } => Some((result.is_some(), error.is_some())),
            _ => None,
        })
        .collect();
    assert_eq!(calls, vec![(false, true), (true, false)]);
}

#[tokio::test]
async fn unparseable_arguments_are_reported_to_the_model_not_the_caller() {
    let h = harness(vec![
        ScriptedResponse::tool_call_raw("add_numbers", "{\"a\": 2, \"b\": "),
        ScriptedResponse::text("sorry"),
    ])
    .await;
    let reply = h.brain.run(&task(vec!["add_numbers"], None, 3), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(reply.content, "sorry");
    let msgs = messages(&h.server.requests()[1]);
    let text = msgs[3]["content"].as_str().expect("text");
    assert!(text.contains("not valid JSON"), "{text}");
    assert!(kinds(&h.recorder).iter().any(|k| matches!(k,
        StepKind::ToolCall { error: Some(e), .. } if e.contains("not valid JSON"))));
}

#[tokio::test]
async fn transient_tool_error_is_retried_once() {
    let h = harness_with(
        vec![ScriptedResponse::tool_call("flaky_lookup", json!({"key": "k"})), ScriptedResponse::text("42")],
        |_| {},
        1,
    )
    .await;
    let reply = h.brain.run(&task(vec!["flaky_lookup"], None, 3), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(reply.content, "42");
    assert_eq!(h.flaky_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn transient_tool_error_twice_returns_tool_error() {
    let h = harness_with(
        vec![ScriptedResponse::tool_call("flaky_lookup", json!({"key": "k"})), ScriptedResponse::text("never")],
        |_| {},
        5,
    )
    .await;
    let err = h.brain.run(&task(vec!["flaky_lookup"], None, 3), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(matches!(err, BrainError::Tool(ToolError::Transient(_))), "{err:?}");
    assert_eq!(h.flaky_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn rate_limit_429_with_retry_after_is_retried_after_at_least_one_second() {
    let h = harness(vec![ScriptedResponse::rate_limited(1), ScriptedResponse::text("hello")]).await;
    let started = Instant::now();
    let reply = h.brain.run(&task(vec![], None, 2), &h.dispatcher, &h.ctx).await.expect("reply");
    let elapsed = started.elapsed();
    assert_eq!(reply.content, "hello");
    assert!(elapsed >= Duration::from_secs(1), "retried too early: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "waited too long: {elapsed:?}");
    assert_eq!(h.server.requests().len(), 2);
    // One model turn despite two HTTP attempts; the retry is noted.
    assert_eq!(reply.steps, 1);
    assert!(kinds(&h.recorder).iter().any(|k| matches!(k, StepKind::Note { message } if message.contains("429"))));
    // No tools listed for the task: none offered to the model.
    assert!(h.server.requests()[0].get("tools").is_none());
}

#[tokio::test]
async fn service_unavailable_with_http_date_retry_after_is_honoured() {
    let at = std::time::SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(at);
    let h = harness(vec![
        ScriptedResponse::status(503, vec![("Retry-After", &date)], "overloaded"),
        ScriptedResponse::text("ok"),
    ])
    .await;
    let started = Instant::now();
    let reply = h.brain.run(&task(vec![], None, 2), &h.dispatcher, &h.ctx).await.expect("reply");
    // HTTP-dates have one-second resolution, so the wait is between 1 and 2 s.
    assert!(started.elapsed() >= Duration::from_millis(1000), "{:?}", started.elapsed());
    assert_eq!(reply.content, "ok");
}

#[tokio::test]
async fn server_errors_are_retried_up_to_max_retries_then_reported() {
    let h = harness_with(
        vec![
            ScriptedResponse::status(500, vec![], "boom"),
            ScriptedResponse::status(502, vec![], "bad gateway"),
            ScriptedResponse::status(504, vec![], "gateway timeout"),
            ScriptedResponse::text("unreached"),
        ],
        |c| c.max_backoff = Duration::from_millis(50),
        0,
    )
    .await;
    let err = h.brain.run(&task(vec![], None, 2), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(matches!(&err, BrainError::Endpoint(m) if m.contains("504") && m.contains("2 retries")), "{err:?}");
    assert_eq!(h.server.requests().len(), 3, "first attempt + max_retries (2)");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let body = json!({"error": {"message": "Invalid schema for response_format", "type": "invalid_request_error", "param": null, "code": null}});
    let h = harness(vec![ScriptedResponse::status(400, vec![], body.to_string()), ScriptedResponse::text("x")]).await;
    let err = h.brain.run(&task(vec![], None, 2), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(matches!(&err, BrainError::Endpoint(m) if m.contains("400") && m.contains("Invalid schema")), "{err:?}");
    assert_eq!(h.server.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_longer_than_max_backoff_fails_fast() {
    let h = harness(vec![ScriptedResponse::rate_limited(120), ScriptedResponse::text("x")]).await;
    let started = Instant::now();
    let err = h.brain.run(&task(vec![], None, 2), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(&err, BrainError::Endpoint(m) if m.contains("429")), "{err:?}");
}

#[tokio::test]
async fn stalled_call_times_out_quickly_without_retry() {
    let h = harness_with(
        vec![
            ScriptedResponse::stall(Duration::from_secs(5), ScriptedResponse::text("too late")),
            ScriptedResponse::text("should not be asked for"),
        ],
        |c| c.call_timeout = Duration::from_millis(300),
        0,
    )
    .await;
    let started = Instant::now();
    let err = h.brain.run(&task(vec![], None, 3), &h.dispatcher, &h.ctx).await.expect_err("times out");
    let elapsed = started.elapsed();
    assert!(matches!(err, BrainError::Timeout(d) if d == Duration::from_millis(300)), "{err:?}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(h.server.requests().len(), 1, "a timed-out call is not retried");
}

#[tokio::test]
async fn structured_output_repairs_invalid_json_then_returns_parsed_value() {
    let h = harness(vec![
        ScriptedResponse::text("Sure! Here is the quote: {sku: X1"),
        ScriptedResponse::json(json!({"sku": "X1", "quantity": 0, "note": null})),
        ScriptedResponse::text("```json\n{\"sku\": \"X1\", \"quantity\": 800, \"note\": null}\n```"),
    ])
    .await;
    let reply = h.brain.run(&task(vec![], Some(quote_spec()), 4), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(reply.json, Some(json!({"sku": "X1", "quantity": 800, "note": null})));
    assert_eq!(reply.steps, 3);
    let parsed: Value = serde_json::from_str(&reply.content).expect("content is the JSON text");
    assert_eq!(parsed["quantity"], 800);

    let reqs = h.server.requests();
    let rf = &reqs[0]["response_format"];
    assert_eq!(rf["type"], "json_schema");
    assert_eq!(rf["json_schema"]["name"], "quote");
    assert_eq!(rf["json_schema"]["strict"], json!(true));
    assert_eq!(rf["json_schema"]["schema"], quote_spec().schema);

    // After the unparseable reply: the model's text, then a correction.
    let second = messages(&reqs[1]);
    assert_eq!(second[2]["role"], "assistant");
    assert_eq!(second[3]["role"], "user");
    assert!(second[3]["content"].as_str().unwrap_or("").contains("not valid JSON"));
    // After the schema violation: the validator's path-qualified message.
    let third = messages(&reqs[2]);
    let correction = third[5]["content"].as_str().unwrap_or("");
    assert!(correction.contains("at $.quantity") && correction.contains("below the minimum"), "{correction}");
}

#[tokio::test]
async fn structured_output_that_never_validates_hits_step_limit() {
    let h = harness(vec![
        ScriptedResponse::text("not json"),
        ScriptedResponse::json(json!({"sku": "X1"})),
        ScriptedResponse::text("never asked"),
    ])
    .await;
    let err = h.brain.run(&task(vec![], Some(quote_spec()), 2), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(matches!(err, BrainError::StepLimit(2)), "{err:?}");
    assert_eq!(h.server.requests().len(), 2);
}

#[tokio::test]
async fn endless_tool_calls_hit_step_limit() {
    let h = harness(vec![
        ScriptedResponse::tool_call("add_numbers", json!({"a": 1, "b": 1})),
        ScriptedResponse::tool_call("add_numbers", json!({"a": 1, "b": 2})),
        ScriptedResponse::text("never asked"),
    ])
    .await;
    let err = h.brain.run(&task(vec!["add_numbers"], None, 2), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(matches!(err, BrainError::StepLimit(2)), "{err:?}");
}

#[tokio::test]
async fn bearer_key_and_temperature_are_sent_and_name_reports_model() {
    let h = harness(vec![ScriptedResponse::text("hi")]).await;
    assert_eq!(h.brain.name(), "openai:test-model");
    assert!(!h.brain.is_offline());
    h.brain.run(&task(vec![], None, 1), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(h.server.requests()[0]["temperature"], json!(0.0));
    assert_eq!(h.server.authorizations(), vec![Some("Bearer sk-test".to_string())]);
    assert!(!format!("{:?}", h.brain).contains("sk-test"), "key must not appear in Debug output");
}

#[tokio::test]
async fn nonstandard_fields_from_compatible_servers_are_tolerated() {
    // No `object`/`created`, and DeepSeek's extra finish reason.
    let body = json!({
        "id": "x",
        "model": "deepseek-chat",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "partial", "reasoning_content": "…"},
                     "finish_reason": "insufficient_system_resource"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}
    });
    let h = harness(vec![ScriptedResponse::status(200, vec![], body.to_string())]).await;
    let reply = h.brain.run(&task(vec![], None, 1), &h.dispatcher, &h.ctx).await.expect("reply");
    assert_eq!(reply.content, "partial");
    assert_eq!((reply.prompt_tokens, reply.completion_tokens), (7, 2));
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop a listener to get a port with nobody behind it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut cfg = config(format!("http://127.0.0.1:{port}/v1"));
    cfg.max_backoff = Duration::from_millis(20);
    let brain = OpenAiBrain::new(cfg).expect("brain");
    let h = harness(vec![]).await;
    let err = brain.run(&task(vec![], None, 1), &h.dispatcher, &h.ctx).await.expect_err("fails");
    assert!(matches!(&err, BrainError::Endpoint(m) if m.contains("connection") && m.contains("2 retries")), "{err:?}");
}

#[tokio::test]
async fn config_deserializes_with_defaults_and_human_durations() {
    let cfg: OpenAiConfig = serde_json::from_value(json!({
        "base_url": "http://localhost:11434/v1",
        "model": "qwen2.5:7b",
        "call_timeout": "1500ms",
        "max_backoff": 10
    }))
    .expect("config");
    assert_eq!(cfg.call_timeout, Duration::from_millis(1500));
    assert_eq!(cfg.max_backoff, Duration::from_secs(10));
    assert_eq!(cfg.max_retries, OpenAiConfig::default().max_retries);
    assert!(cfg.api_key.is_none());
    assert!(OpenAiBrain::new(OpenAiConfig { base_url: "not a url".into(), ..cfg.clone() }).is_err());
}
