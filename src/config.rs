//! Configuration: a TOML file plus environment overrides, with every default
//! built in so that no file is needed on a fresh machine.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub llm: LlmConfig,
    pub memory: MemorySection,
    pub knowledge: KnowledgeSection,
    pub sinks: SinksSection,
    pub deadlines: DeadlinesSection,
    pub limits: LimitsSection,
    pub cluster: ClusterSection,
    pub http: HttpSection,
    pub telegram: TelegramSection,
}

/// The OpenAI-compatible endpoint. With no `base_url` the offline brain runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    pub base_url: Option<String>,
    pub model: String,
    /// Better set through `TRADEWIND_LLM_API_KEY` or `OPENAI_API_KEY`.
    pub api_key: Option<String>,
    pub call_timeout_ms: u64,
    pub max_retries: u32,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self { base_url: None, model: "gpt-4o-mini".into(), api_key: None, call_timeout_ms: 30_000, max_retries: 3 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemorySection {
    /// `redis://...`; absent means in-process memory.
    pub redis_url: Option<String>,
    pub prefix: String,
    pub max_turns: usize,
    pub turn_ttl_secs: u64,
    pub record_ttl_secs: u64,
}

impl Default for MemorySection {
    fn default() -> Self {
        let d = tradewind_memory::MemoryConfig::default();
        Self {
            redis_url: None,
            prefix: d.prefix,
            max_turns: d.max_turns,
            turn_ttl_secs: d.turn_ttl_secs,
            record_ttl_secs: d.record_ttl_secs,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeSection {
    /// Where qdrant-edge keeps its shard.
    pub data_dir: PathBuf,
    /// A Qdrant server; when set, qdrant-client is used instead of qdrant-edge.
    pub qdrant_url: Option<String>,
    pub collection: String,
    /// A knowledge folder to ingest instead of the embedded demo base.
    pub kb_dir: Option<PathBuf>,
    /// "hash" (offline, default) or "openai" (uses the [llm] endpoint).
    pub embedder: String,
    pub embedding_model: String,
    pub embedding_dim: usize,
}

impl Default for KnowledgeSection {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data/knowledge"),
            qdrant_url: None,
            collection: "tradewind".into(),
            kb_dir: None,
            embedder: "hash".into(),
            embedding_model: "text-embedding-3-small".into(),
            embedding_dim: 1536,
        }
    }
}

/// Each sink is "dir:<path>", "stdout" or "none".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinksSection {
    pub sales: String,
    pub logistics: String,
    pub customer_service: String,
}

impl Default for SinksSection {
    fn default() -> Self {
        Self {
            sales: "dir:data/outbox/sales".into(),
            logistics: "dir:data/outbox/logistics".into(),
            customer_service: "dir:data/outbox/customer_service".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlinesSection {
    pub intake_ms: u64,
    pub proposal_ms: u64,
    pub customs_ms: u64,
    pub faq_ms: u64,
    pub reply_ms: u64,
}

impl Default for DeadlinesSection {
    fn default() -> Self {
        Self { intake_ms: 20_000, proposal_ms: 30_000, customs_ms: 30_000, faq_ms: 30_000, reply_ms: 20_000 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsSection {
    pub max_message_bytes: usize,
    /// Inquiries the swarm runs at once in this process; more wait their
    /// turn, so a burst costs queue slots rather than memory.
    pub max_inflight: usize,
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self { max_message_bytes: 16 * 1024, max_inflight: 64 }
    }
}

/// The cluster: `serve` (in process), `gateway` and `worker` (Redis
/// Streams). Every worker and gateway of one deployment must agree on
/// `stream`, `group` and `shards` (the first one to start records `shards`
/// in Redis; a mismatch refuses to start).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSection {
    /// Redis for the streams; absent means `[memory] redis_url`.
    pub redis_url: Option<String>,
    /// Name of the inbound streams (`{prefix}{stream}:in:{shard}`).
    pub stream: String,
    /// The workers' consumer group.
    pub group: String,
    /// Inbound streams; a chat always lands on the same one, and one worker
    /// at a time reads each, which is what keeps a chat's messages in order.
    pub shards: usize,
    /// Inquiries one worker (or `serve`) runs at once.
    pub concurrency: usize,
    /// Entries one worker holds (running or waiting behind their chat).
    pub buffer: usize,
    /// Entries per XREADGROUP / XAUTOCLAIM call.
    pub batch: usize,
    /// How long one XREADGROUP / XREAD waits for entries.
    pub block_ms: u64,
    /// A worker's claim on a shard; renewed every third of it. A worker that
    /// stops renewing (crashed, partitioned) loses its shards after this.
    pub lease_ms: u64,
    /// A dead worker's pending entries are reclaimed (XAUTOCLAIM) once idle
    /// this long.
    pub claim_idle_ms: u64,
    /// Deliveries after which an entry is answered with an error and
    /// dead-lettered instead of run again.
    pub max_deliveries: usize,
    /// On SIGINT/SIGTERM, in-flight inquiries get this long to finish;
    /// the rest are handed back to other workers.
    pub shutdown_deadline_ms: u64,
    /// How long a (channel, message id) is remembered as seen and answered.
    pub dedupe_ttl_secs: u64,
    /// Message ids `serve` remembers (in process).
    pub dedupe_capacity: usize,
    /// Approximate cap on each inbound stream (XADD MAXLEN ~); keep it far
    /// above any backlog, because trimming drops entries nobody read yet.
    pub max_stream_len: usize,
    /// Approximate cap on the replies stream.
    pub max_replies_len: usize,
    /// Replies buffered per `subscribe()` receiver before it lags.
    pub reply_buffer: usize,
    /// This worker's consumer name; default `<host>-<pid>-<random>`.
    pub worker_name: Option<String>,
    /// This gateway's name: where it remembers how far it read the replies.
    pub gateway_name: String,
    /// A file touched while the process is healthy (container health checks).
    pub health_file: Option<PathBuf>,
}

impl Default for ClusterSection {
    fn default() -> Self {
        Self {
            redis_url: None,
            stream: "inquiries".into(),
            group: "workers".into(),
            shards: 16,
            concurrency: 32,
            buffer: 256,
            batch: 64,
            block_ms: 1_000,
            lease_ms: 10_000,
            claim_idle_ms: 5_000,
            max_deliveries: 5,
            shutdown_deadline_ms: 8_000,
            dedupe_ttl_secs: 24 * 3600,
            dedupe_capacity: 100_000,
            max_stream_len: 100_000,
            max_replies_len: 100_000,
            reply_buffer: 4_096,
            worker_name: None,
            gateway_name: "gateway".into(),
            health_file: None,
        }
    }
}

/// The HTTP front end: web chat API, the embeddable chat page, health, and
/// the Telegram webhook when that mode is on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSection {
    /// `host:port`; port 0 picks a free one (tests).
    pub bind: String,
    /// Request bodies above this are refused with 413 before they are read
    /// in full.
    pub max_body_bytes: usize,
    /// On shutdown, replies still owed to customers get this long to go out
    /// before the front ends close.
    pub drain_ms: u64,
}

impl Default for HttpSection {
    fn default() -> Self {
        Self { bind: "127.0.0.1:8080".into(), max_body_bytes: 64 * 1024, drain_ms: 10_000 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TelegramMode {
    /// `getUpdates` long polling: no public URL needed, one process per bot.
    #[default]
    Polling,
    /// Telegram POSTs updates to `/telegram/webhook` on the HTTP server.
    Webhook,
}

/// The Telegram bot. Off unless a token is set (better through
/// `TELEGRAM_BOT_TOKEN` than the file).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramSection {
    pub token: Option<String>,
    /// The Bot API server (a local one in tests, or a self-hosted one).
    pub api_url: String,
    pub mode: TelegramMode,
    /// Public HTTPS URL of `/telegram/webhook`; when set, Tradewind registers
    /// it with `setWebhook` at start. Unset means it is registered elsewhere.
    pub webhook_url: Option<String>,
    /// Required in webhook mode: Telegram echoes it in
    /// `X-Telegram-Bot-Api-Secret-Token` (1-256 of `A-Za-z0-9_-`).
    pub webhook_secret: Option<String>,
    /// How long one `getUpdates` waits for updates.
    pub poll_timeout_secs: u32,
}

impl Default for TelegramSection {
    fn default() -> Self {
        Self {
            token: None,
            api_url: "https://api.telegram.org".into(),
            mode: TelegramMode::Polling,
            webhook_url: None,
            webhook_secret: None,
            poll_timeout_secs: 10,
        }
    }
}

// By hand, so that a logged config never shows the token or the secret.
impl std::fmt::Debug for TelegramSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("TelegramSection")
            .field("token", &redact(&self.token))
            .field("api_url", &self.api_url)
            .field("mode", &self.mode)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &redact(&self.webhook_secret))
            .field("poll_timeout_secs", &self.poll_timeout_secs)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("bad config {path}: {message}")]
    Parse { path: String, message: String },
    #[error("bad environment variable {name}: {message}")]
    Env { name: String, message: String },
}

impl Config {
    /// Defaults, then the TOML file (when given or found at
    /// `TRADEWIND_CONFIG`), then environment overrides.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let env_path = std::env::var_os("TRADEWIND_CONFIG").map(PathBuf::from);
        let mut cfg = match path.map(Path::to_path_buf).or(env_path) {
            Some(p) => {
                let text = std::fs::read_to_string(&p)
                    .map_err(|source| ConfigError::Read { path: p.display().to_string(), source })?;
                Self::parse(&text).map_err(|message| ConfigError::Parse { path: p.display().to_string(), message })?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Environment overrides; `get` is injectable so tests need not touch the
    /// process environment.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let nonempty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = nonempty("TRADEWIND_LLM_BASE_URL") {
            self.llm.base_url = Some(v);
        }
        if let Some(v) = nonempty("TRADEWIND_LLM_MODEL") {
            self.llm.model = v;
        }
        if let Some(v) = nonempty("TRADEWIND_LLM_API_KEY").or_else(|| nonempty("OPENAI_API_KEY")) {
            self.llm.api_key = Some(v);
        }
        if let Some(v) = nonempty("REDIS_URL") {
            self.memory.redis_url = Some(v);
        }
        if let Some(v) = nonempty("TRADEWIND_PREFIX") {
            self.memory.prefix = v;
        }
        if let Some(v) = nonempty("QDRANT_URL") {
            self.knowledge.qdrant_url = Some(v);
        }
        if let Some(v) = nonempty("TRADEWIND_DATA_DIR") {
            let root = PathBuf::from(v);
            self.knowledge.data_dir = root.join("knowledge");
            for (sink, name) in [
                (&mut self.sinks.sales, "sales"),
                (&mut self.sinks.logistics, "logistics"),
                (&mut self.sinks.customer_service, "customer_service"),
            ] {
                if sink.starts_with("dir:data/outbox/") {
                    *sink = format!("dir:{}", root.join("outbox").join(name).display());
                }
            }
        }
        if let Some(v) = nonempty("TRADEWIND_MAX_MESSAGE_BYTES") {
            self.limits.max_message_bytes = v.parse().map_err(|e: std::num::ParseIntError| ConfigError::Env {
                name: "TRADEWIND_MAX_MESSAGE_BYTES".into(),
                message: e.to_string(),
            })?;
        }
        self.apply_cluster_env(&nonempty)?;
        self.apply_frontends_env(&nonempty)
    }

    fn apply_frontends_env(&mut self, nonempty: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = nonempty("TRADEWIND_HTTP_BIND") {
            self.http.bind = v;
        }
        if let Some(v) = nonempty("TRADEWIND_HTTP_MAX_BODY_BYTES") {
            self.http.max_body_bytes = v.trim().parse().map_err(|e: std::num::ParseIntError| ConfigError::Env {
                name: "TRADEWIND_HTTP_MAX_BODY_BYTES".into(),
                message: e.to_string(),
            })?;
        }
        let t = &mut self.telegram;
        if let Some(v) = nonempty("TELEGRAM_BOT_TOKEN") {
            t.token = Some(v.trim().to_string());
        }
        if let Some(v) = nonempty("TELEGRAM_API_URL") {
            t.api_url = v.trim().to_string();
        }
        if let Some(v) = nonempty("TELEGRAM_MODE") {
            t.mode = match v.trim() {
                "polling" => TelegramMode::Polling,
                "webhook" => TelegramMode::Webhook,
                other => {
                    return Err(ConfigError::Env {
                        name: "TELEGRAM_MODE".into(),
                        message: format!("'{other}': use polling or webhook"),
                    })
                }
            };
        }
        if let Some(v) = nonempty("TELEGRAM_WEBHOOK_URL") {
            t.webhook_url = Some(v.trim().to_string());
        }
        if let Some(v) = nonempty("TELEGRAM_WEBHOOK_SECRET") {
            t.webhook_secret = Some(v.trim().to_string());
        }
        Ok(())
    }

    fn apply_cluster_env(&mut self, nonempty: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            v.trim().parse().map_err(|e: T::Err| ConfigError::Env { name: name.into(), message: e.to_string() })
        }
        let c = &mut self.cluster;
        if let Some(v) = nonempty("TRADEWIND_CLUSTER_REDIS_URL") {
            c.redis_url = Some(v);
        }
        if let Some(v) = nonempty("TRADEWIND_STREAM") {
            c.stream = v;
        }
        if let Some(v) = nonempty("TRADEWIND_CONSUMER_GROUP") {
            c.group = v;
        }
        if let Some(v) = nonempty("TRADEWIND_WORKER_NAME") {
            c.worker_name = Some(v);
        }
        if let Some(v) = nonempty("TRADEWIND_GATEWAY_NAME") {
            c.gateway_name = v;
        }
        if let Some(v) = nonempty("TRADEWIND_HEALTH_FILE") {
            c.health_file = Some(PathBuf::from(v));
        }
        for (name, slot) in [
            ("TRADEWIND_SHARDS", &mut c.shards),
            ("TRADEWIND_WORKER_CONCURRENCY", &mut c.concurrency),
            ("TRADEWIND_WORKER_BUFFER", &mut c.buffer),
            ("TRADEWIND_MAX_DELIVERIES", &mut c.max_deliveries),
        ] {
            if let Some(v) = nonempty(name) {
                *slot = num(name, v)?;
            }
        }
        for (name, slot) in [
            ("TRADEWIND_BLOCK_MS", &mut c.block_ms),
            ("TRADEWIND_LEASE_MS", &mut c.lease_ms),
            ("TRADEWIND_CLAIM_IDLE_MS", &mut c.claim_idle_ms),
            ("TRADEWIND_SHUTDOWN_DEADLINE_MS", &mut c.shutdown_deadline_ms),
            ("TRADEWIND_DEDUPE_TTL_SECS", &mut c.dedupe_ttl_secs),
        ] {
            if let Some(v) = nonempty(name) {
                *slot = num(name, v)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_file_and_run_offline_in_process() {
        let c = Config::parse("").unwrap();
        assert!(c.llm.base_url.is_none());
        assert!(c.memory.redis_url.is_none());
        assert!(c.knowledge.qdrant_url.is_none());
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c = Config::parse("[memory]\nprefix = \"a:\"\n").unwrap();
        c.apply_env(|k| match k {
            "REDIS_URL" => Some("redis://127.0.0.1:1".into()),
            "TRADEWIND_PREFIX" => Some("b:".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.memory.prefix, "b:");
        assert_eq!(c.memory.redis_url.as_deref(), Some("redis://127.0.0.1:1"));
    }

    #[test]
    fn cluster_settings_come_from_the_file_and_the_environment() {
        let mut c = Config::parse("[cluster]\nshards = 4\nconcurrency = 3\n").unwrap();
        assert_eq!((c.cluster.shards, c.cluster.concurrency), (4, 3));
        c.apply_env(|k| match k {
            "TRADEWIND_WORKER_CONCURRENCY" => Some("9".into()),
            "TRADEWIND_CLAIM_IDLE_MS" => Some("250".into()),
            "TRADEWIND_WORKER_NAME" => Some("w-1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.cluster.concurrency, 9);
        assert_eq!(c.cluster.claim_idle_ms, 250);
        assert_eq!(c.cluster.worker_name.as_deref(), Some("w-1"));
        let e = c.apply_env(|k| (k == "TRADEWIND_SHARDS").then(|| "many".to_string())).unwrap_err();
        assert!(e.to_string().contains("TRADEWIND_SHARDS"), "{e}");
    }

    #[test]
    fn front_end_settings_come_from_the_file_and_the_environment() {
        let mut c = Config::parse("[http]\nbind = \"0.0.0.0:9000\"\n[telegram]\nmode = \"webhook\"\n").unwrap();
        assert_eq!(c.http.bind, "0.0.0.0:9000");
        assert_eq!(c.telegram.mode, TelegramMode::Webhook);
        assert!(c.telegram.token.is_none());
        c.apply_env(|k| match k {
            "TELEGRAM_BOT_TOKEN" => Some("123:abc".into()),
            "TELEGRAM_API_URL" => Some("http://127.0.0.1:1".into()),
            "TELEGRAM_MODE" => Some("polling".into()),
            "TELEGRAM_WEBHOOK_SECRET" => Some("s3cret".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.telegram.token.as_deref(), Some("123:abc"));
        assert_eq!(c.telegram.api_url, "http://127.0.0.1:1");
        assert_eq!(c.telegram.mode, TelegramMode::Polling);
        let shown = format!("{:?}", c.telegram);
        assert!(!shown.contains("123:abc") && !shown.contains("s3cret"), "{shown}");
        let e = c.apply_env(|k| (k == "TELEGRAM_MODE").then(|| "carrier-pigeon".to_string())).unwrap_err();
        assert!(e.to_string().contains("TELEGRAM_MODE"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let e = Config::parse("[memory]\nprefx = \"a\"\n").unwrap_err();
        assert!(e.contains("prefx"), "{e}");
    }
}
