//! Test support: a local webhook receiver (a real axum HTTP server on
//! 127.0.0.1:0) that records every request and answers from a script, a
//! recording in-memory transport for paused-clock tests, and deliveries
//! shaped like the swarm's.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tradewind_channels::{CardTemplates, ChannelHub, HubConfig, Rate, Transport};
use tradewind_memory::InProcessStore;
use tradewind_ports::Delivery;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// Raw query string (percent-encoding intact, as the platform sees it).
    pub raw_query: String,
    pub query: HashMap<String, String>,
    pub body: Value,
    pub at: tokio::time::Instant,
}

/// An answer the receiver gives.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<u64>,
    /// Wait this long before answering (a hung platform).
    pub delay: Duration,
}

impl Reply {
    pub fn ok(body: &str) -> Self {
        Reply { status: 200, body: body.into(), retry_after: None, delay: Duration::ZERO }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Reply { status, body: body.into(), retry_after: None, delay: Duration::ZERO }
    }
    pub fn hang(delay: Duration) -> Self {
        Reply { status: 200, body: "{}".into(), retry_after: None, delay }
    }
}

#[derive(Clone)]
struct ReceiverState {
    log: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
    default: Arc<Mutex<Reply>>,
}

/// A local platform stand-in. Stops when dropped.
pub struct Receiver {
    pub addr: SocketAddr,
    state: ReceiverState,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.cancel();
        self.task.abort();
    }
}

async fn handle(State(s): State<ReceiverState>, uri: Uri, _headers: HeaderMap, body: Bytes) -> Response {
    let raw_query = uri.query().unwrap_or("").to_string();
    let query = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), urlencoding::decode(v).map(|c| c.into_owned()).unwrap_or_default())
        })
        .collect();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    s.log.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        raw_query,
        query,
        body,
        at: tokio::time::Instant::now(),
    });
    let reply = s.script.lock().unwrap().pop_front().unwrap_or_else(|| s.default.lock().unwrap().clone());
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut resp = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    if let Some(secs) = reply.retry_after {
        resp.headers_mut().insert("retry-after", secs.to_string().parse().unwrap());
    }
    resp
}

impl Receiver {
    /// A receiver answering `default` to everything not scripted.
    pub async fn start(default: Reply) -> Receiver {
        let state =
            ReceiverState { log: Arc::default(), script: Arc::default(), default: Arc::new(Mutex::new(default)) };
        let app = axum::Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let signal = stop.clone().cancelled_owned();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(signal).await;
        });
        Receiver { addr, state, stop, task }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }

    /// The next answers, in order, before falling back to the default.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().unwrap().extend(replies);
    }

    pub fn set_default(&self, reply: Reply) {
        *self.state.default.lock().unwrap() = reply;
    }

    pub fn requests(&self) -> Vec<Received> {
        self.state.log.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; panics after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let r = self.requests();
            if r.len() >= n {
                return r;
            }
            assert!(tokio::time::Instant::now() < deadline, "expected {n} requests, got {}", r.len());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A port nothing listens on: connections are refused.
pub fn dead_port_url(path: &str) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}{path}")
}

/// Fast retries, no rate limits worth waiting for: for tests that check
/// shapes and failure handling in real time.
pub fn fast_config() -> HubConfig {
    HubConfig {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_attempts: 3,
        request_timeout: Duration::from_secs(3),
        drain_timeout: Duration::from_secs(2),
        rate_override: Some(vec![Rate::per(1000, Duration::from_secs(1), 1000)]),
        ..HubConfig::default()
    }
}

pub fn hub(config: HubConfig) -> (Arc<ChannelHub>, Arc<InProcessStore>) {
    let store = Arc::new(InProcessStore::new(None));
    let transport = tradewind_channels::HttpTransport::new(config.request_timeout).unwrap();
    let hub = ChannelHub::new(config, store.clone(), Arc::new(transport), Arc::new(CardTemplates::load(None).unwrap()));
    (hub, store)
}

pub fn hub_with_transport(config: HubConfig, transport: Arc<dyn Transport>) -> Arc<ChannelHub> {
    let store = Arc::new(InProcessStore::new(None));
    ChannelHub::new(config, store, transport, Arc::new(CardTemplates::load(None).unwrap()))
}

/// A stand-in environment for `ChannelSpec::parse_with`.
pub fn env_with(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |k| owned.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone())
}

pub fn customs_delivery(id: &str) -> Delivery {
    Delivery {
        audience: "logistics".into(),
        kind: "customs".into(),
        inquiry_id: "inq-18f3a2b4c5d-1a2b3c4d".into(),
        delivery_id: id.into(),
        title: "Customs pre-check inq-18f3a2b4c5d-1a2b3c4d: review".into(),
        body: "# Customs and export pre-check\n\n**Risk level: REVIEW** · destination Hamburg, DE · buyer Nordlicht <Energie> & Co\n\n## Findings\n- [review] dangerous_goods (TW-BP-4820): UN3480 Class 9, PI965 [rules/dg.toml]\n- [clear] screening: no list hit ≥ 0.70\n".into(),
        payload: json!({
            "risk": "review",
            "findings": [{"kind": "dangerous_goods", "level": "review", "sku": "TW-BP-4820", "message": "UN3480", "citations": []}],
            "summary": "REVIEW: lithium batteries",
            "documents": ["UN38.3 test summary", "SDS"]
        }),
    }
}

pub fn faq_delivery(id: &str) -> Delivery {
    Delivery {
        audience: "customer_service".into(),
        kind: "faq_card".into(),
        inquiry_id: "inq-1".into(),
        delivery_id: id.into(),
        title: "Can you ship lithium batteries by air?".into(),
        body: "**Can you ship lithium batteries by air?**\n\nYes, as UN3480 under PI965.\n\n_logistics · faq.md_"
            .into(),
        payload: json!({
            "id": "faq-air", "lang": "en",
            "question": "Can you ship lithium batteries by air?",
            "answer": "Yes, as **UN3480** under PI965, cargo aircraft only, at ≤30% state of charge. See [the guide](https://kb.test/dg?a=1&b=2).",
            "topic": "logistics",
            "citation": {"source": "knowledge/kb/faq.md", "section": "Air freight", "chunk_id": "c1", "score": 0.9}
        }),
    }
}

pub fn proposal_delivery(id: &str, body: String) -> Delivery {
    Delivery {
        audience: "sales".into(),
        kind: "proposal".into(),
        inquiry_id: "inq-2".into(),
        delivery_id: id.into(),
        title: "Proposal draft inq-2".into(),
        body,
        payload: json!({
            "markdown": "…", "citations": [],
            "lines": [{"sku": "TW-BP-4820", "quantity": 800, "unit_price_usd": 182.5, "tier_min_qty": 500, "total_usd": 146000.0, "lead_time_days": 25, "stock": 1200}]
        }),
    }
}
