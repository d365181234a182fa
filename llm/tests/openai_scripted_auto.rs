//! `ScriptedLlm` in auto mode, as a benchmark would use it: schema-valid
//! structured replies, plain text otherwise, deterministic embeddings that
//! async-openai's own client accepts, and a clean shutdown.

use async_openai::config::OpenAIConfig;
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};
use async_openai::Client;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tradewind_core::CustomerId;
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_ports::brain::{Brain, BrainTask, OutputSpec};
use tradewind_scripted_llm::{deterministic_vector, minimal_instance, ScriptedLlm};
use tradewind_tools::{Dispatcher, Recorder, Registry, ToolCtx};

fn ctx() -> ToolCtx {
    ToolCtx {
        inquiry_id: Arc::from("inq-auto"),
        agent: "customs",
        customer: CustomerId::channel("test", "u1"),
        recorder: Arc::new(Recorder::new("inq-auto")),
        deadline: None,
    }
}

fn brain(server: &ScriptedLlm) -> OpenAiBrain {
    OpenAiBrain::new(OpenAiConfig { base_url: server.base_url(), model: "bench".into(), ..OpenAiConfig::default() })
        .expect("brain")
}

fn task(output: Option<OutputSpec>) -> BrainTask {
    BrainTask {
        agent: "customs",
        system: "sys".into(),
        user: "user".into(),
        facts: json!({}),
        template: None,
        tools: vec![],
        output,
        max_steps: 1,
    }
}

#[tokio::test]
async fn auto_mode_answers_structured_requests_with_a_schema_valid_instance_after_the_latency() {
    let schema = json!({
        "type": "object",
        "properties": {
            "risk": {"type": "string", "enum": ["low", "medium", "high"]},
            "score": {"type": "number", "minimum": 1},
            "count": {"type": "integer"},
            "ok": {"type": "boolean"},
            "findings": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"], "additionalProperties": false}},
            "hs_code": {"type": ["string", "null"]},
            "nested": {"type": "object", "properties": {"name": {"type": "string", "minLength": 2}}, "required": ["name"], "additionalProperties": false},
            "either": {"anyOf": [{"type": "string"}, {"type": "null"}]}
        },
        "required": ["risk", "score", "count", "ok", "findings", "hs_code", "nested", "either"],
        "additionalProperties": false
    });
    let server = ScriptedLlm::start_auto(Duration::from_millis(100)).await.expect("server");
    let started = Instant::now();
    let reply = brain(&server)
        .run(
            &task(Some(OutputSpec { name: "customs", schema: schema.clone() })),
            &Dispatcher::new(Registry::new()),
            &ctx(),
        )
        .await
        .expect("reply");
    assert!(started.elapsed() >= Duration::from_millis(100));
    let v = reply.json.expect("json");
    assert!(tradewind_tools::schema::validate(&schema, &v).is_empty(), "{v}");
    assert_eq!(
        v,
        json!({"risk": "low", "score": 1, "count": 0, "ok": false, "findings": [], "hs_code": null,
               "nested": {"name": "xx"}, "either": null})
    );
    assert!(reply.prompt_tokens > 0);

    let text = brain(&server).run(&task(None), &Dispatcher::new(Registry::new()), &ctx()).await.expect("text");
    assert_eq!(text.content, "OK.");
    assert_eq!(server.chat_requests(), 2);
}

#[test]
fn minimal_instance_resolves_refs() {
    let schema = json!({
        "type": "object",
        "properties": {"item": {"$ref": "#/$defs/Item"}},
        "required": ["item"],
        "$defs": {"Item": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}, "required": ["n"]}}
    });
    assert_eq!(minimal_instance(&schema, &schema, 0), json!({"item": {"n": 3}}));
}

#[tokio::test]
async fn embeddings_are_deterministic_unit_vectors_readable_by_async_openai() {
    let server = ScriptedLlm::start_auto_with_dim(Duration::ZERO, 16).await.expect("server");
    let client = Client::with_config(OpenAIConfig::new().with_api_base(server.base_url()).with_api_key("none"));
    let req = CreateEmbeddingRequest {
        model: "emb".into(),
        input: EmbeddingInput::StringArray(vec![
            "lithium battery".into(),
            "solar panel".into(),
            "lithium battery".into(),
        ]),
        ..Default::default()
    };
    let resp = client.embeddings().create(req).await.expect("embeddings");
    assert_eq!(resp.data.len(), 3);
    let vecs: Vec<Vec<f32>> = resp.data.iter().map(|d| d.embedding.clone()).collect();
    assert!(vecs.iter().all(|v| v.len() == 16));
    assert_eq!(vecs[0], vecs[2]);
    assert_ne!(vecs[0], vecs[1]);
    let norm: f32 = vecs[1].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    assert_eq!(vecs[0], deterministic_vector("lithium battery", 16));
    assert!(resp.usage.prompt_tokens > 0);
    assert_eq!(server.embedding_requests(), 1);

    // base64 encoding decodes to the same floats.
    let b64 = client
        .embeddings()
        .create_base64(CreateEmbeddingRequest {
            model: "emb".into(),
            input: EmbeddingInput::String("solar panel".into()),
            encoding_format: Some(async_openai::types::embeddings::EncodingFormat::Base64),
            ..Default::default()
        })
        .await
        .expect("base64 embeddings");
    let decoded: Vec<f32> = b64.data[0].embedding.clone().into();
    assert_eq!(decoded, vecs[1]);
}

#[tokio::test]
async fn scripted_server_stops_on_shutdown_and_reports_exhaustion() {
    let server = ScriptedLlm::start(vec![]).await.expect("server");
    let url = format!("{}/chat/completions", server.base_url());
    let http = reqwest::Client::new();
    let resp = http.post(&url).json(&json!({"model": "m", "messages": []})).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 500);
    let body: Value = resp.json().await.expect("json");
    assert!(body["error"]["message"].as_str().unwrap_or("").contains("exhausted"), "{body}");

    server.shutdown().await;
    // A fresh client, so no pooled connection survives the shutdown.
    let after = reqwest::Client::new().post(&url).json(&json!({})).send().await;
    assert!(after.is_err(), "server still answering after shutdown");
}
