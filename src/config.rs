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
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self { max_message_bytes: 16 * 1024 }
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
    fn unknown_keys_are_rejected_with_their_name() {
        let e = Config::parse("[memory]\nprefx = \"a\"\n").unwrap_err();
        assert!(e.contains("prefx"), "{e}");
    }
}
