//! Configuration: a TOML file plus environment overrides, with every default
//! built in so that no file is needed on a fresh machine.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub use tradewind_cluster::ClusterConfig;
pub use tradewind_frontends::config::{ChatPageConfig, HttpConfig, TelegramConfig, TelegramMode};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub llm: LlmConfig,
    pub memory: MemorySection,
    pub knowledge: KnowledgeSection,
    pub sinks: SinksSection,
    pub deadlines: DeadlinesSection,
    pub limits: LimitsSection,
    pub screening: ScreeningSection,
    pub customs: CustomsSection,
    pub strategy: crate::sandbox::StrategySection,
    pub cluster: ClusterConfig,
    pub http: HttpConfig,
    pub telegram: TelegramConfig,
    pub chat: ChatPageConfig,
    pub approval: crate::desk::ApprovalSection,
    pub console: ConsoleSection,
}

/// `[console]`: the operators' web console.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleSection {
    /// The operators' accounts (argon2 hashes, token digests); 0600.
    /// Default: `users.json` under the data folder.
    pub users_file: Option<PathBuf>,
    /// Signs session cookies and CSRF tokens (better set through
    /// `TRADEWIND_SESSION_SECRET`). Unset: a random secret per process, so
    /// sessions end with it.
    pub session_secret: Option<String>,
    /// How long a sign-in lasts.
    pub session_hours: u64,
    /// Mark cookies `Secure` (browsers still send them to localhost).
    pub secure_cookies: bool,
}

impl Default for ConsoleSection {
    fn default() -> Self {
        Self { users_file: None, session_secret: None, session_hours: 12, secure_cookies: true }
    }
}

/// The OpenAI-compatible endpoint. With no `base_url` the offline brain runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    pub base_url: Option<String>,
    pub model: String,
    /// Better set through `TRADEWIND_LLM_API_KEY` or `OPENAI_API_KEY`.
    pub api_key: Option<String>,
    /// One HTTP exchange with the model; it must fit inside every deadline
    /// of an agent that uses the model, with room to fall back.
    pub call_timeout_ms: u64,
    pub max_retries: u32,
    /// The most tokens one answer may take.
    pub max_tokens: u32,
    /// The model's context in tokens, for a small local model (4096): calls
    /// that cannot fit are not sent.
    pub context_tokens: Option<u32>,
    /// Which agents ask the model; the others work by rules. A small CPU
    /// model is best used for reading and phrasing only.
    pub agents: Vec<String>,
    /// The circuit opens after this many failed calls in `breaker_window_ms`…
    pub breaker_failures: u32,
    pub breaker_window_ms: u64,
    /// …and skips the model this long before it tries again.
    pub breaker_open_ms: u64,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            model: "gpt-4o-mini".into(),
            api_key: None,
            call_timeout_ms: 15_000,
            max_retries: 2,
            max_tokens: 512,
            context_tokens: None,
            agents: vec!["intake".into(), "proposal".into(), "reply".into()],
            breaker_failures: 5,
            breaker_window_ms: 30_000,
            breaker_open_ms: 30_000,
        }
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
    /// A conversation's inquiry stays open this long after its last message;
    /// the next message after that opens a new one.
    pub conversation_window_secs: u64,
    /// How long customer facts (contact details in the clear) and
    /// channel→customer links are kept after the customer last wrote.
    pub customer_ttl_secs: u64,
    /// What the in-process memory (no `redis_url`) may hold, in MiB of
    /// stored records; the least recently used go first. Half for
    /// inquiries' transcripts and results, a quarter each for customers and
    /// conversation threads.
    pub in_process_mib: u64,
    /// With in-process memory, write each inquiry's transcript to
    /// `transcripts/<id>.jsonl` under the data folder (0600), so that
    /// `tradewind transcript` can read it from another process.
    pub export_transcripts: bool,
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
            conversation_window_secs: 24 * 3600,
            customer_ttl_secs: d.customer_ttl_secs,
            in_process_mib: 8,
            export_transcripts: true,
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
    /// Knowledge searches remembered (identical queries answered from
    /// memory for 60 s); 0 turns the cache off.
    pub query_cache_entries: usize,
    /// Where imported screening lists and the HS nomenclature live; default
    /// `lists/` beside `data_dir`.
    pub lists_dir: Option<PathBuf>,
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
            query_cache_entries: 4096,
            lists_dir: None,
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

/// How long each stage may run. Fanned-out agents bring their own default
/// deadlines; `<agent>_ms` here overrides one (`proposal_ms = 15000`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DeadlinesSection {
    pub intake_ms: u64,
    pub reply_ms: u64,
    /// `<agent name>_ms` keys: per-agent overrides.
    #[serde(flatten)]
    pub agents: BTreeMap<String, u64>,
}

impl Default for DeadlinesSection {
    fn default() -> Self {
        Self { intake_ms: 20_000, reply_ms: 20_000, agents: BTreeMap::new() }
    }
}

impl DeadlinesSection {
    /// Sets one agent's deadline.
    pub fn set(&mut self, agent: &str, ms: u64) {
        self.agents.insert(format!("{agent}_ms"), ms);
    }

    /// The per-agent overrides, by agent name.
    pub fn agent_overrides(&self) -> Result<BTreeMap<String, std::time::Duration>, String> {
        self.agents
            .iter()
            .map(|(k, v)| match k.strip_suffix("_ms") {
                Some(name) if !name.is_empty() => Ok((name.to_string(), std::time::Duration::from_millis(*v))),
                _ => Err(format!("[deadlines] {k}: use <agent>_ms, e.g. proposal_ms")),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsSection {
    pub max_message_bytes: usize,
    /// Inquiries in flight at once in this process; more wait their turn,
    /// so a burst costs queue slots rather than memory. Most of an
    /// inquiry's life on a model is waiting on it, which costs no CPU, so
    /// this is in the thousands: with 3 calls of 200 ms on the critical
    /// path, 1,024 in flight allow about 1,700 inquiries/s.
    pub max_inflight: usize,
    /// Rule-run steps (the offline brain's intake, agents and reply) at
    /// once, across all inquiries: they are pure CPU. 0 = the cores.
    pub cpu_slots: usize,
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self { max_message_bytes: 16 * 1024, max_inflight: 1024, cpu_slots: 0 }
    }
}

/// Denied-party screening.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningSection {
    /// A list older than this many days is out of date: every screening
    /// against it needs review.
    pub max_list_age_days: u32,
    /// A name scoring at least this against a list entry is a match (blocked).
    pub match_at: f64,
    /// At least this, a potential match (held for review).
    pub review_at: f64,
}

impl Default for ScreeningSection {
    fn default() -> Self {
        let t = tradewind_tools::customs::ScreeningThresholds::default();
        Self {
            max_list_age_days: tradewind_tools::customs::DEFAULT_MAX_LIST_AGE_DAYS,
            match_at: t.match_at,
            review_at: t.review_at,
        }
    }
}

impl ScreeningSection {
    pub fn thresholds(&self) -> tradewind_tools::customs::ScreeningThresholds {
        tradewind_tools::customs::ScreeningThresholds { match_at: self.match_at, review_at: self.review_at }
    }
}

/// `[customs]`: rule files that replace the embedded ones (a strategy's
/// folder may hold its own; paths are relative to where they are written).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsSection {
    /// Destination rules (the format of `knowledge/rules/destinations.toml`).
    pub destination_rules: Option<PathBuf>,
    /// Stock policy (`knowledge/rules/stock.toml`).
    pub stock_rules: Option<PathBuf>,
    /// Lithium-battery dangerous-goods rules (`knowledge/rules/dangerous-goods.toml`).
    pub dg_rules: Option<PathBuf>,
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
    ///
    /// A table maps each variable to a config key, and the value is parsed
    /// as the type the key already has, so the same serde rules apply as
    /// for the file. (A table rather than `figment`: our variable names
    /// follow their ecosystems, `REDIS_URL`, `QDRANT_URL`,
    /// `TELEGRAM_BOT_TOKEN`, not one prefix-and-path scheme, so figment
    /// would need this table anyway.)
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let nonempty = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let mut tree = toml::Table::try_from(&*self)
            .map_err(|e| ConfigError::Env { name: "(all)".into(), message: e.to_string() })?;
        let mut applied = Vec::new();
        for &(name, path) in ENV_KEYS {
            let Some(v) = nonempty(name) else { continue };
            set_path(&mut tree, path, &v).map_err(|message| ConfigError::Env { name: name.into(), message })?;
            applied.push(name);
        }
        if !applied.is_empty() {
            *self = Config::deserialize(toml::Value::Table(tree))
                .map_err(|e| ConfigError::Env { name: applied.join(", "), message: e.to_string() })?;
        }
        if self.llm.api_key.is_none() {
            self.llm.api_key = nonempty("OPENAI_API_KEY");
        }
        // One root for everything Tradewind writes: the index, and the
        // outboxes still at their default place.
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
        Ok(())
    }
}

/// Environment variable → config key.
const ENV_KEYS: &[(&str, &str)] = &[
    ("TRADEWIND_LLM_BASE_URL", "llm.base_url"),
    ("TRADEWIND_LLM_MODEL", "llm.model"),
    ("TRADEWIND_LLM_API_KEY", "llm.api_key"),
    ("TRADEWIND_LLM_CALL_TIMEOUT_MS", "llm.call_timeout_ms"),
    ("TRADEWIND_LLM_CONTEXT_TOKENS", "llm.context_tokens"),
    ("REDIS_URL", "memory.redis_url"),
    ("TRADEWIND_PREFIX", "memory.prefix"),
    ("TRADEWIND_CONVERSATION_WINDOW_SECS", "memory.conversation_window_secs"),
    ("TRADEWIND_CUSTOMER_TTL_SECS", "memory.customer_ttl_secs"),
    ("QDRANT_URL", "knowledge.qdrant_url"),
    ("TRADEWIND_MAX_MESSAGE_BYTES", "limits.max_message_bytes"),
    ("TRADEWIND_MAX_LIST_AGE_DAYS", "screening.max_list_age_days"),
    ("TRADEWIND_CLUSTER_REDIS_URL", "cluster.redis_url"),
    ("TRADEWIND_STREAM", "cluster.stream"),
    ("TRADEWIND_CONSUMER_GROUP", "cluster.group"),
    ("TRADEWIND_WORKER_NAME", "cluster.worker_name"),
    ("TRADEWIND_GATEWAY_NAME", "cluster.gateway_name"),
    ("TRADEWIND_HEALTH_FILE", "cluster.health_file"),
    ("TRADEWIND_SHARDS", "cluster.shards"),
    ("TRADEWIND_WORKER_CONCURRENCY", "cluster.concurrency"),
    ("TRADEWIND_WORKER_BUFFER", "cluster.buffer"),
    ("TRADEWIND_MAX_DELIVERIES", "cluster.max_deliveries"),
    ("TRADEWIND_BLOCK_MS", "cluster.block_ms"),
    ("TRADEWIND_LEASE_MS", "cluster.lease_ms"),
    ("TRADEWIND_CLAIM_IDLE_MS", "cluster.claim_idle_ms"),
    ("TRADEWIND_SHUTDOWN_DEADLINE_MS", "cluster.shutdown_deadline_ms"),
    ("TRADEWIND_DEDUPE_TTL_SECS", "cluster.dedupe_ttl_secs"),
    ("TRADEWIND_HTTP_BIND", "http.bind"),
    ("TRADEWIND_HTTP_MAX_BODY_BYTES", "http.max_body_bytes"),
    ("TRADEWIND_CHAT_TOKEN_SECRET", "http.chat_token_secret"),
    ("TRADEWIND_SESSION_SECRET", "console.session_secret"),
    ("TELEGRAM_BOT_TOKEN", "telegram.token"),
    ("TELEGRAM_API_URL", "telegram.api_url"),
    ("TELEGRAM_MODE", "telegram.mode"),
    ("TELEGRAM_WEBHOOK_URL", "telegram.webhook_url"),
    ("TELEGRAM_WEBHOOK_SECRET", "telegram.webhook_secret"),
];

/// Keys of `Option<number>` fields that the environment may set.
const OPTIONAL_NUMBERS: &[&str] = &["llm.context_tokens"];

/// Sets `a.b` in `tree` to `raw`, read as the type the key holds now
/// (integer, float or boolean); keys that hold text or nothing take text.
fn set_path(tree: &mut toml::Table, path: &str, raw: &str) -> Result<(), String> {
    let (section, key) = path.split_once('.').ok_or_else(|| format!("bad config path {path}"))?;
    let table = tree
        .entry(section)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .ok_or_else(|| format!("{section} is not a section"))?;
    let value = match table.get(key) {
        Some(toml::Value::Integer(_)) => {
            toml::Value::Integer(raw.parse().map_err(|e| format!("'{raw}' is not a whole number: {e}"))?)
        }
        Some(toml::Value::Float(_)) => toml::Value::Float(raw.parse().map_err(|e| format!("'{raw}': {e}"))?),
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(raw.parse().map_err(|e| format!("'{raw}': {e}"))?),
        // Optional numbers are absent from the defaults, so their type
        // cannot be read off them.
        None if OPTIONAL_NUMBERS.contains(&path) => {
            toml::Value::Integer(raw.parse().map_err(|e| format!("'{raw}' is not a whole number: {e}"))?)
        }
        _ => toml::Value::String(raw.to_string()),
    };
    table.insert(key.to_string(), value);
    Ok(())
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
    fn the_list_age_limit_comes_from_the_file_and_the_environment() {
        assert_eq!(Config::parse("").unwrap().screening.max_list_age_days, 90);
        let mut c = Config::parse("[screening]\nmax_list_age_days = 30\n").unwrap();
        assert_eq!(c.screening.max_list_age_days, 30);
        c.apply_env(|k| (k == "TRADEWIND_MAX_LIST_AGE_DAYS").then(|| "7".to_string())).unwrap();
        assert_eq!(c.screening.max_list_age_days, 7);
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let e = Config::parse("[memory]\nprefx = \"a\"\n").unwrap_err();
        assert!(e.contains("prefx"), "{e}");
    }
}
