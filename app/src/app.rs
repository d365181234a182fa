//! The application: wiring the ports to their adapters, and the one
//! function every front end calls (`App::handle_message`). Front ends (CLI,
//! HTTP, chat channels) only unpack their input and map the result.

use crate::sandbox::lanes::Mark;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tradewind_agents::{offline_brain, Brain, Env, Swarm, SwarmConfig, SwarmError};
use tradewind_core::{now_ms, AgentOutcome, Catalog, Inquiry, SwarmResult, TranscriptStep};
use tradewind_knowledge::{Embedder, HashEmbedder, IngestOptions, IngestSummary, KnowledgeIndex};
use tradewind_knowledge::{OpenAiEmbedder, OpenAiEmbedderConfig};
use tradewind_llm::{OpenAiBrain, OpenAiConfig};
use tradewind_memory::{InProcessMemory, MaskedMemory, Memory, MemoryConfig};
use tradewind_ports::{AppError, Application, IncomingMessage};
use tradewind_redis::RedisMemory;
use tradewind_tools::customs::{DestinationRules, DgRules, HsGlossary, StockPolicy};
use tradewind_tools::{CollectSink, DirSink, Dispatcher, Services, Sink, StdoutSink};

use crate::config::Config;
use crate::lists::load_nomenclature;

#[derive(Clone)]
pub struct App {
    pub swarm: Swarm,
    pub memory: Arc<dyn Memory>,
    pub index: Arc<dyn KnowledgeIndex>,
    pub config: Config,
    /// Present when a sink is "memory" (benchmarks, `serve`).
    pub collected: Option<Arc<CollectSink>>,
    /// Chat-card channels, when any sink names one; drained on shutdown.
    pub channels: Option<Arc<tradewind_channels::ChannelHub>>,
    /// Bounds the inquiries running at once (`[limits] max_inflight`).
    inflight: Arc<tokio::sync::Semaphore>,
    /// Sends or holds every delivery once its inquiry is settled.
    pub desk: Arc<crate::desk::Desk>,
    pub metrics: Arc<crate::ops::Metrics>,
    /// The knowledge base's Markdown sources by path, for opening citations.
    pub sources: Arc<BTreeMap<String, String>>,
    /// The query cache in front of the index, when on (its hit counts).
    pub query_cache: Option<Arc<tradewind_knowledge::cache::CachedIndex>>,
    /// The strategies: which answers a conversation, live figures, the canary.
    pub strategies: Arc<crate::sandbox::lanes::Strategies>,
    /// Answers a customer already judged: one verdict each counts.
    feedback_seen: Arc<crate::sandbox::lanes::SeenSet>,
}

/// How `App::build` should prepare the knowledge index.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Ingest the knowledge base (idempotent: unchanged files cost nothing).
    pub ingest: bool,
    /// Hide the progress bar.
    pub quiet: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self { ingest: true, quiet: true }
    }
}

impl App {
    /// Wires every port to the adapter the config chooses. The brain is
    /// passed in when a caller (a test, the benchmark) needs a specific one.
    pub async fn build(
        config: Config,
        opts: BuildOptions,
        brain: Option<Arc<dyn Brain>>,
    ) -> Result<(App, Option<IngestSummary>), AppError> {
        // Everything under the data folder is about customers or the
        // company: owner-only, whatever the umask made of it before.
        let root = crate::data_root(&config);
        if root != Path::new(".") {
            tradewind_ports::files::private_dir(&root)
                .map_err(|e| AppError::Config(format!("data folder {}: {e}", root.display())))?;
        }
        let memory: Arc<dyn Memory> = {
            let mc = memory_config(&config);
            let backend: Arc<dyn Memory> = match &config.memory.redis_url {
                Some(url) => Arc::new(
                    RedisMemory::connect(url, mc)
                        .await
                        .map_err(|e| AppError::Unavailable(format!("redis at {url}: {e}")))?,
                ),
                None => Arc::new(InProcessMemory::with_limits(
                    mc,
                    tradewind_memory::InProcessLimits::total(config.memory.in_process_mib.max(1) << 20),
                )),
            };
            // Everything stored goes through the masking boundary.
            Arc::new(MaskedMemory::new(backend))
        };

        let embedder: Arc<dyn Embedder> = match config.knowledge.embedder.as_str() {
            "hash" => Arc::new(HashEmbedder::default()),
            "openai" => {
                let base =
                    config.llm.base_url.clone().ok_or_else(|| {
                        AppError::Config("knowledge.embedder = \"openai\" needs [llm] base_url".into())
                    })?;
                Arc::new(
                    OpenAiEmbedder::new(OpenAiEmbedderConfig::new(
                        base,
                        config.llm.api_key.clone().unwrap_or_default(),
                        config.knowledge.embedding_model.clone(),
                        config.knowledge.embedding_dim,
                    ))
                    .map_err(|e| AppError::Config(format!("embedder: {e}")))?,
                )
            }
            other => return Err(AppError::Config(format!("unknown embedder '{other}' (use \"hash\" or \"openai\")"))),
        };
        let index: Arc<dyn KnowledgeIndex> = match &config.knowledge.qdrant_url {
            Some(url) => tradewind_knowledge::open_remote(url, &config.knowledge.collection, embedder)
                .await
                .map_err(|e| AppError::Unavailable(format!("qdrant at {url}: {e}")))?,
            None => {
                let index =
                    tradewind_knowledge::open_default(&config.knowledge.data_dir, embedder).await.map_err(|e| {
                        AppError::Unavailable(held_folder_hint(&config, &e.to_string()).unwrap_or_else(|| {
                            format!("knowledge index in {}: {e}", config.knowledge.data_dir.display())
                        }))
                    })?;
                // Says who holds the folder, for the next process that finds it locked.
                let owner = format!("{} {}\n", std::process::id(), std::env::args().collect::<Vec<_>>().join(" "));
                if let Err(e) = tradewind_ports::files::write_private(&root.join(OWNER_FILE), owner.as_bytes()) {
                    tracing::debug!(error = %e, "could not record the data folder's owner");
                }
                index
            }
        };

        let query_cache = (config.knowledge.query_cache_entries > 0).then(|| {
            Arc::new(tradewind_knowledge::cache::CachedIndex::new(
                index.clone(),
                config.knowledge.query_cache_entries,
                Duration::from_secs(60),
            ))
        });
        let index: Arc<dyn KnowledgeIndex> = match &query_cache {
            Some(c) => c.clone(),
            None => index,
        };
        let (mut docs, catalog) = knowledge_documents(config.knowledge.kb_dir.as_deref())?;
        let sources: BTreeMap<String, String> = docs
            .iter()
            .filter(|(path, _)| path.ends_with(".md"))
            .filter_map(|(path, bytes)| String::from_utf8(bytes.clone()).ok().map(|t| (path.clone(), t)))
            .collect();
        // The HS nomenclature in force (imported, else built in) is searched
        // through the knowledge index, so its subheadings are ingested too.
        let hs = load_nomenclature(&config)?;
        docs.push(hs.index_document());
        let summary = if opts.ingest {
            Some(
                tradewind_knowledge::ingest(
                    index.as_ref(),
                    docs,
                    &IngestOptions { quiet: opts.quiet, ..IngestOptions::default() },
                )
                .await
                .map_err(|e| AppError::Unavailable(format!("ingest: {e}")))?,
            )
        } else {
            None
        };

        let mut sinks: BTreeMap<String, Arc<dyn Sink>> = BTreeMap::new();
        let mut collected: Option<Arc<CollectSink>> = None;
        // Chat-channel sinks share one hub: its workers, per-robot rate
        // limiters and delivery store (Redis under the memory prefix when
        // configured). Outbound Telegram uses the same bot as inbound.
        let mut channels: Option<Arc<tradewind_channels::ChannelHub>> = None;
        let channel_env = |k: &str| {
            match k {
                "TELEGRAM_BOT_TOKEN" => config.telegram.token.clone().or_else(|| std::env::var(k).ok()),
                "TELEGRAM_API_URL" => Some(config.telegram.api_url.clone()),
                _ => std::env::var(k).ok(),
            }
            .filter(|v| !v.trim().is_empty())
        };
        for (name, spec) in [
            ("sales", &config.sinks.sales),
            ("logistics", &config.sinks.logistics),
            ("customer_service", &config.sinks.customer_service),
        ] {
            let mut parts: Vec<Arc<dyn Sink>> = Vec::new();
            for part in tradewind_channels::split_sink_specs(spec) {
                if let Some(dir) = part.strip_prefix("dir:") {
                    parts.push(Arc::new(DirSink::new(name, dir)));
                } else if part == "stdout" {
                    parts.push(Arc::new(StdoutSink::new(name)));
                } else if part == "memory" {
                    parts.push(collected.get_or_insert_with(|| Arc::new(CollectSink::new("memory", 2_000))).clone());
                } else if part == "none" {
                } else if tradewind_channels::is_channel_spec(part) {
                    let bad = |e: tradewind_channels::ChannelError| AppError::Config(format!("sink {name}: {e}"));
                    let channel = tradewind_channels::ChannelSpec::parse_with(part, &channel_env).map_err(bad)?;
                    let hub = match &channels {
                        Some(hub) => hub.clone(),
                        None => {
                            let store = crate::outbox::open(&config)
                                .await
                                .map_err(|e| AppError::Unavailable(format!("chat channel sinks: {e}")))?;
                            let links =
                                tradewind_channels::CardLinks { console_url: channel_env("TRADEWIND_PUBLIC_URL") };
                            let hub_config = tradewind_channels::HubConfig { links, ..Default::default() };
                            let hub = tradewind_channels::ChannelHub::connect(hub_config, store, None)
                                .map_err(|e| AppError::Unavailable(format!("chat channel sinks: {e}")))?;
                            channels.insert(hub).clone()
                        }
                    };
                    parts.push(hub.sink(name, &channel).map_err(bad)?);
                } else {
                    // Only the scheme is echoed: the rest may be a webhook secret.
                    let kind = part.split(':').next().unwrap_or_default();
                    return Err(AppError::Config(format!(
                        "sink {name}: unknown kind '{kind}'; use dir:<path>, stdout, memory, none, or wecom:, feishu:, lark:, dingtalk:, slack:, telegram: (several separated by commas)"
                    )));
                }
            }
            match parts.len() {
                0 => {}
                1 => {
                    sinks.insert(name.to_string(), parts.remove(0));
                }
                _ => {
                    sinks.insert(name.to_string(), Arc::new(tradewind_channels::FanoutSink::new(name, parts)));
                }
            }
        }

        // The agents deliver into the desk's staging; the desk sends to the
        // real sinks once the inquiry is settled, or holds for approval.
        config.approval.validate().map_err(AppError::Config)?;
        let real_sinks = Arc::new(sinks);
        let staging = Arc::new(crate::desk::Staging::default());
        let gated: BTreeMap<String, Arc<dyn Sink>> = real_sinks
            .keys()
            .map(|k| (k.clone(), Arc::new(crate::desk::GateSink::new(k, staging.clone())) as Arc<dyn Sink>))
            .collect();
        let desk = Arc::new(crate::desk::Desk::new(
            crate::desk::open_reviews(&config).await?,
            crate::desk::open_audit(&config).await?,
            config.approval.clone(),
            real_sinks,
            staging,
        ));
        // The strategy to start with: the one the shared state promoted, else
        // `[strategy] active`. One that no longer resolves falls back to the
        // configuration's own, loudly, rather than keep the service down.
        let state_store = crate::sandbox::lanes::open_state(&config).await?;
        let state = state_store.load().await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not read the strategy state; starting on [strategy] active");
            Default::default()
        });
        let active_spec = state.active.clone().unwrap_or_else(|| config.strategy.active.clone());
        let strategy = match crate::sandbox::strategy::resolve(&config, &active_spec) {
            Ok(s) => s,
            Err(e) if active_spec != crate::sandbox::CONFIG_STRATEGY => {
                tracing::error!(strategy = %active_spec, error = %e, "cannot load the active strategy; running the configuration's own");
                crate::sandbox::Strategy::from_config(&config).map_err(|e| AppError::Config(e.to_string()))?
            }
            Err(e) => return Err(AppError::Config(e.to_string())),
        };
        // Imported lists (data/lists) when there are any, else the demo list.
        let screening = crate::lists::load_screening(&config)?;
        let intake = tradewind_nlp::Intake::new(&catalog);
        let base = Services {
            catalog: Arc::new(catalog),
            index: index.clone(),
            memory: memory.clone(),
            intake: Arc::new(intake),
            templates: Arc::new(tradewind_tools::templates::load(None).map_err(|e| AppError::Config(e.to_string()))?),
            sinks: Arc::new(gated),
            destinations: Arc::new(DestinationRules::embedded().map_err(|e| AppError::Config(e.to_string()))?),
            screening: Arc::new(screening),
            screening_thresholds: config.screening.thresholds(),
            max_list_age_days: config.screening.max_list_age_days,
            hs: Arc::new(hs),
            hs_glossary: Arc::new(HsGlossary::embedded().map_err(|e| AppError::Config(e.to_string()))?),
            dg_rules: Arc::new(DgRules::embedded().map_err(|e| AppError::Config(e.to_string()))?),
            stock_policy: Arc::new(StockPolicy::embedded().map_err(|e| AppError::Config(e.to_string()))?),
        };
        let services = services_for(&base, &strategy)?;
        let dispatcher = Dispatcher::new(tradewind_tools::registry(&services));
        let brain: Arc<dyn Brain> = match brain {
            Some(b) => b,
            None => brain_of(&strategy.llm)?,
        };
        let uses_model = !brain.is_offline();
        let env = Env::new(services, dispatcher, brain).with_model_agents(strategy.llm.agents.iter().cloned());
        let swarm = Swarm::new(env, swarm_config_for(&config, &strategy)?);
        if uses_model {
            check_model_deadlines(&strategy.llm, &swarm)?;
        }
        let home = crate::sandbox::lanes::Lane { id: strategy.id(), strategy: Arc::new(strategy), swarm: None };
        let build: crate::sandbox::lanes::LaneBuilder = {
            let (base, config, proto) = (base.clone(), config.clone(), swarm.clone());
            Arc::new(move |s: crate::sandbox::Strategy| lane(&base, &config, &proto, s))
        };
        let strategies = Arc::new(crate::sandbox::lanes::Strategies::new(
            config.clone(),
            home,
            state,
            build,
            state_store,
            desk.audit.clone(),
        ));
        {
            let s = strategies.clone();
            desk.on_reject(Arc::new(move |strategy: String| {
                let s = s.clone();
                Box::pin(async move { s.observe(&strategy, crate::sandbox::lanes::Mark::Negative).await })
            }));
        }
        let inflight = Arc::new(tokio::sync::Semaphore::new(config.limits.max_inflight.max(1)));
        let metrics = Arc::new(crate::ops::Metrics::default());
        let sources = Arc::new(sources);
        Ok((
            App {
                swarm,
                memory,
                index,
                config,
                collected,
                channels,
                inflight,
                desk,
                metrics,
                sources,
                query_cache,
                strategies,
                feedback_seen: Arc::new(crate::sandbox::lanes::SeenSet::new(100_000)),
            },
            summary,
        ))
    }

    /// The application function: one message in, everything out.
    pub async fn handle_message(&self, msg: IncomingMessage) -> Result<SwarmResult, AppError> {
        self.handle_message_with_id(msg, Swarm::new_inquiry_id()).await
    }

    /// The same, under a caller-chosen inquiry id: the cluster derives it from
    /// the channel's message id so that a rerun after a crash stores its
    /// result under the same id (exactly-once completion).
    pub async fn handle_message_with_id(
        &self,
        msg: IncomingMessage,
        inquiry_id: String,
    ) -> Result<SwarmResult, AppError> {
        if let Some(fb) = msg.feedback.clone() {
            return self.feedback(msg, fb, inquiry_id).await;
        }
        let inquiry = Inquiry {
            id: inquiry_id,
            channel: msg.channel,
            channel_user: msg.user,
            text: msg.text,
            received_at_ms: now_ms(),
            chat: msg.chat,
            start_new: msg.start_new,
            verified_phone: msg.verified_phone,
        };
        // Validate before queueing, so bad input is refused at once.
        if inquiry.text.trim().is_empty() {
            return Err(SwarmError::EmptyMessage.into());
        }
        let _permit = self
            .inflight
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable("the application is shutting down".into()))?;
        let channel = inquiry.channel.clone();
        self.strategies.refresh().await;
        let lane = self.strategies.pick(&inquiry.conversation());
        let swarm = lane.swarm.as_ref().unwrap_or(&self.swarm);
        let result = match swarm.handle(inquiry).await {
            Ok(r) => r,
            Err(e) => {
                self.metrics.failed();
                // Refusals of bad input say nothing about the strategy.
                if !matches!(e, SwarmError::EmptyMessage | SwarmError::TooLarge { .. }) {
                    self.strategies.observe(&lane.id, Mark::Failed).await;
                }
                return Err(e.into());
            }
        };
        let mark = if result.degraded.is_empty() { Mark::Answered } else { Mark::Degraded };
        self.strategies.observe(&lane.id, mark).await;
        let review = self.desk.settle_with(&result, &channel, &lane.strategy.approval).await.map_err(|e| {
            self.metrics.failed();
            match e {
                crate::desk::DeskError::Store(e) => AppError::Unavailable(format!("review desk: {e}")),
                other => AppError::Internal(format!("review desk: {other}")),
            }
        })?;
        self.metrics.inquiry(&result, &review);
        if self.config.memory.redis_url.is_none() && self.config.memory.export_transcripts {
            // In-process memory ends with the process, and another process
            // (`tradewind transcript`) cannot read it: keep a file.
            if let Err(e) = self.export_transcript(&result.inquiry_id).await {
                tracing::warn!(inquiry_id = %result.inquiry_id, error = %e, "could not export the transcript");
            }
            if let Err(e) = self.export_result(&result.inquiry_id).await {
                tracing::warn!(inquiry_id = %result.inquiry_id, error = %e, "could not export the result");
            }
        }
        Ok(result)
    }

    /// A customer's verdict on an earlier answer of this chat: counted
    /// against the strategy that made it and written to the audit log; no
    /// agent runs. The answer must be one this chat was given.
    async fn feedback(
        &self,
        msg: IncomingMessage,
        fb: tradewind_ports::Feedback,
        inquiry_id: String,
    ) -> Result<SwarmResult, AppError> {
        let conversation = format!("{}:{}", msg.channel, msg.chat.as_deref().unwrap_or(&msg.user));
        let earlier = self.memory.result(&fb.inquiry_id).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
        let earlier = earlier.filter(|r| {
            r.message
                .as_ref()
                .is_some_and(|m| format!("{}:{}", m.channel, m.chat.as_deref().unwrap_or(&m.user)) == conversation)
        });
        let Some(earlier) = earlier else {
            return Err(AppError::NotFound(format!("no answer '{}' in this chat", fb.inquiry_id)));
        };
        let first = self.feedback_seen.insert(fb.inquiry_id.clone());
        if first && !fb.helpful {
            if let Some(s) = &earlier.strategy {
                self.strategies.observe(s, Mark::Negative).await;
            }
        }
        if first {
            let event = tradewind_ports::AuditEvent {
                id: String::new(),
                at_ms: now_ms(),
                actor: format!("customer:{}", msg.channel),
                role: "customer".into(),
                inquiry_id: fb.inquiry_id.clone(),
                field: "feedback".into(),
                before: None,
                after: Some(serde_json::json!({ "helpful": fb.helpful })),
                trigger: format!("feedback:{inquiry_id}"),
                strategy: earlier.strategy.clone(),
            };
            if let Err(e) = self.desk.audit.append(&[event]).await {
                tracing::warn!(error = %e, "could not record the customer's feedback");
            }
        }
        let lang = earlier.inquiry.lang;
        let reply = match (lang, fb.helpful) {
            (tradewind_core::Lang::Zh, false) => "谢谢您的反馈。我们的同事会查看这段对话并跟进。",
            (tradewind_core::Lang::Zh, true) => "谢谢您的反馈！",
            (_, false) => "Thank you for telling us. A colleague will look at this conversation and follow up.",
            (_, true) => "Thank you for your feedback!",
        };
        fn skipped<T>() -> AgentOutcome<T> {
            AgentOutcome::Skipped { reason: "feedback, not an inquiry".into() }
        }
        Ok(SwarmResult {
            inquiry_id,
            customer: earlier.customer.clone(),
            inquiry: tradewind_core::StructuredInquiry::empty(lang),
            reply: reply.into(),
            proposal: skipped(),
            customs: skipped(),
            faq_cards: skipped(),
            others: BTreeMap::new(),
            degraded: Vec::new(),
            thread: None,
            timings: Default::default(),
            strategy: earlier.strategy,
            message: None,
        })
    }

    /// Writes the inquiry's transcript to `transcripts/<id>.jsonl` (0600)
    /// under the data folder.
    pub async fn export_transcript(&self, inquiry_id: &str) -> Result<(), AppError> {
        let steps = self.transcript(inquiry_id).await?;
        let path = crate::privacy::transcript_export_path(&self.config, inquiry_id);
        let mut out = String::new();
        for s in &steps {
            out.push_str(&serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?);
            out.push('\n');
        }
        tradewind_ports::files::write_private_async(&path, out.into_bytes())
            .await
            .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))
    }

    /// Writes the inquiry's stored (masked) result to `results/<id>.json`
    /// (0600) under the data folder, so `tradewind replay` can run it again.
    pub async fn export_result(&self, inquiry_id: &str) -> Result<(), AppError> {
        let Some(r) = self.memory.result(inquiry_id).await.map_err(|e| AppError::Unavailable(e.to_string()))? else {
            return Ok(());
        };
        let path = crate::privacy::result_export_path(&self.config, inquiry_id);
        let bytes = serde_json::to_vec(&r).map_err(|e| AppError::Internal(e.to_string()))?;
        tradewind_ports::files::write_private_async(&path, bytes)
            .await
            .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))
    }

    /// Inquiries running in this process now.
    pub fn inflight_now(&self) -> usize {
        self.config.limits.max_inflight.max(1).saturating_sub(self.inflight.available_permits())
    }

    /// The operators' console on this application: its routes, to serve
    /// beside the chat API.
    pub fn console(&self) -> Result<axum::Router, AppError> {
        let c = &self.config.console;
        let users = c.users_file.clone().unwrap_or_else(|| crate::data_root(&self.config).join("users.json"));
        let keys = tradewind_console::Keys::new(
            c.session_secret.as_deref(),
            Duration::from_secs(c.session_hours.max(1) * 3600),
            c.secure_cookies,
        );
        let console = tradewind_console::Console::new(
            self.memory.clone(),
            self.desk.reviews.clone(),
            self.desk.audit.clone(),
            self.desk.clone(),
            Arc::new(crate::ops::Ops::new(self.clone())),
            Arc::new(tradewind_console::UserStore::open(users)),
            keys,
            self.sources.clone(),
        )
        .map_err(AppError::Config)?
        .with_strategies(Arc::new(crate::sandbox::board::Board {
            config: self.config.clone(),
            strategies: self.strategies.clone(),
        }));
        Ok(Arc::new(console).router())
    }

    /// Drain queued chat cards (with their deadline) before the process exits.
    pub async fn shutdown_channels(&self) {
        if let Some(h) = &self.channels {
            h.shutdown().await;
        }
    }

    pub async fn transcript(&self, inquiry_id: &str) -> Result<Vec<TranscriptStep>, AppError> {
        let steps = self.memory.transcript(inquiry_id).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
        if steps.is_empty() {
            return Err(AppError::NotFound(format!("no transcript for inquiry '{inquiry_id}'")));
        }
        Ok(steps)
    }
}

/// Under the data folder: the pid and command line of the last process that
/// opened the knowledge index there.
const OWNER_FILE: &str = "owner.pid";

/// The embedded index takes a lock on its folder; when another process holds
/// it, say so plainly and name that process.
fn held_folder_hint(config: &Config, error: &str) -> Option<String> {
    if !(error.contains("WouldBlock") || error.contains("Resource temporarily unavailable") || error.contains("lock")) {
        return None;
    }
    let root = crate::data_root(config);
    let owner = std::fs::read_to_string(root.join(OWNER_FILE)).ok().map(|s| s.trim().to_string());
    Some(format!(
        "another Tradewind process holds the data folder {}{}; stop it, or point this one elsewhere with TRADEWIND_DATA_DIR (`tradewind transcript` works while it runs)",
        root.display(),
        owner.map(|o| format!(" (pid and command: {o})")).unwrap_or_default()
    ))
}

pub(crate) fn memory_config(config: &Config) -> MemoryConfig {
    MemoryConfig {
        prefix: config.memory.prefix.clone(),
        max_turns: config.memory.max_turns,
        turn_ttl_secs: config.memory.turn_ttl_secs,
        record_ttl_secs: config.memory.record_ttl_secs,
        customer_ttl_secs: config.memory.customer_ttl_secs,
    }
}

/// An inquiry's transcript without starting the application (no knowledge
/// index, so it works while `serve` holds the data folder): from Redis when
/// memory is there, else from the file `serve` and `ask` export.
pub async fn read_transcript(config: &Config, inquiry_id: &str) -> Result<Vec<TranscriptStep>, AppError> {
    if let Some(url) = &config.memory.redis_url {
        let memory = RedisMemory::connect(url, memory_config(config))
            .await
            .map_err(|e| AppError::Unavailable(format!("redis at {url}: {e}")))?;
        let steps = memory.transcript(inquiry_id).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
        if !steps.is_empty() {
            return Ok(steps);
        }
    }
    let path = crate::privacy::transcript_export_path(config, inquiry_id);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::NotFound(format!(
                "no transcript for inquiry '{inquiry_id}' (looked in {}{})",
                if config.memory.redis_url.is_some() { "Redis and " } else { "" },
                path.display()
            )))
        }
        Err(e) => return Err(AppError::Unavailable(format!("{}: {e}", path.display()))),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| AppError::Internal(format!("{}: {e}", path.display()))))
        .collect()
}

/// A knowledge file: its path under the knowledge root, and its bytes.
pub type Document = (String, Vec<u8>);

/// The documents to ingest and the catalog: from `kb_dir` when given, else
/// the demo base compiled into the binary.
pub fn knowledge_documents(kb_dir: Option<&Path>) -> Result<(Vec<Document>, Catalog), AppError> {
    match kb_dir {
        None => Ok((tradewind_knowledge::kb::embedded_documents(), tradewind_knowledge::kb::embedded_catalog())),
        Some(dir) => {
            // Sources are named from the folder itself ("kb/faq.en.md"), as
            // the embedded base names them: ingesting `knowledge/kb` after
            // the demo then finds every file unchanged and keeps the
            // citations' paths, instead of re-indexing under new names.
            let folder = dir
                .canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            let docs: Vec<Document> = tradewind_knowledge::read_dir_documents(dir)
                .map_err(|e| AppError::BadInput(format!("knowledge folder {}: {e}", dir.display())))?
                .into_iter()
                .map(|(path, bytes)| (if folder.is_empty() { path } else { format!("{folder}/{path}") }, bytes))
                .collect();
            let catalog = docs
                .iter()
                .find(|(p, _)| p.ends_with("catalog.jsonl"))
                .map(|(_, bytes)| {
                    let text = String::from_utf8_lossy(bytes);
                    Catalog::from_jsonl(&text).map_err(AppError::BadInput)
                })
                .transpose()?
                .unwrap_or_else(tradewind_knowledge::kb::embedded_catalog);
            Ok((docs, catalog))
        }
    }
}

/// The brain a model section asks for: the model when it has an endpoint,
/// else the offline brain.
fn brain_of(l: &crate::config::LlmConfig) -> Result<Arc<dyn Brain>, AppError> {
    match &l.base_url {
        Some(base) => Ok(Arc::new(
            OpenAiBrain::new(OpenAiConfig {
                base_url: base.clone(),
                api_key: l.api_key.clone(),
                model: l.model.clone(),
                call_timeout: Duration::from_millis(l.call_timeout_ms),
                max_retries: l.max_retries,
                max_tokens: l.max_tokens,
                context_tokens: l.context_tokens,
                breaker_failures: l.breaker_failures,
                breaker_window: Duration::from_millis(l.breaker_window_ms),
                breaker_open_for: Duration::from_millis(l.breaker_open_ms),
                ..OpenAiConfig::default()
            })
            .map_err(|e| AppError::Config(e.to_string()))?,
        )),
        None => Ok(Arc::new(offline_brain())),
    }
}

/// The shared services under a strategy's templates, rules and thresholds;
/// the catalog, index, memory, lists and sinks stay shared.
fn services_for(base: &Services, s: &crate::sandbox::Strategy) -> Result<Services, AppError> {
    let bad = |what: &str, e: String| AppError::Config(format!("strategy {}: {what}: {e}", s.id()));
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| bad(&p.display().to_string(), e.to_string()));
    let mut out = base.clone();
    out.templates =
        Arc::new(tradewind_tools::templates::load_texts(&s.templates).map_err(|e| bad("templates", e.to_string()))?);
    if let Some(p) = &s.customs.destination_rules {
        out.destinations =
            Arc::new(DestinationRules::parse(&read(p)?).map_err(|e| bad("destination rules", e.to_string()))?);
    }
    if let Some(p) = &s.customs.stock_rules {
        out.stock_policy = Arc::new(StockPolicy::parse(&read(p)?).map_err(|e| bad("stock rules", e.to_string()))?);
    }
    if let Some(p) = &s.customs.dg_rules {
        out.dg_rules = Arc::new(DgRules::parse(&read(p)?).map_err(|e| bad("dangerous-goods rules", e.to_string()))?);
    }
    out.screening_thresholds = s.screening.thresholds();
    out.max_list_age_days = s.screening.max_list_age_days;
    Ok(out)
}

fn swarm_config_for(config: &Config, s: &crate::sandbox::Strategy) -> Result<SwarmConfig, AppError> {
    let d = &s.deadlines;
    Ok(SwarmConfig {
        intake_deadline: Duration::from_millis(d.intake_ms),
        reply_deadline: Duration::from_millis(d.reply_ms),
        agent_deadlines: d.agent_overrides().map_err(AppError::Config)?,
        max_message_bytes: config.limits.max_message_bytes,
        conversation_window: Duration::from_secs(config.memory.conversation_window_secs.max(1)),
        cpu_slots: config.limits.cpu_slots,
        strategy: s.id(),
    })
}

/// A strategy ready to run beside the application's own: its own services,
/// brain and deadlines, the same agents and CPU slots.
fn lane(
    base: &Services,
    config: &Config,
    proto: &Swarm,
    s: crate::sandbox::Strategy,
) -> Result<crate::sandbox::lanes::Lane, AppError> {
    let services = services_for(base, &s)?;
    let dispatcher = Dispatcher::new(tradewind_tools::registry(&services));
    let brain = brain_of(&s.llm)?;
    let uses_model = !brain.is_offline();
    let env = Env::new(services, dispatcher, brain).with_model_agents(s.llm.agents.iter().cloned());
    let swarm = proto.sibling(env, swarm_config_for(config, &s)?);
    if uses_model {
        check_model_deadlines(&s.llm, &swarm)?;
    }
    Ok(crate::sandbox::lanes::Lane { id: s.id(), strategy: Arc::new(s), swarm: Some(swarm) })
}

/// Each model call must fit inside the deadline of every part that makes
/// one, with room left to fall back to the offline plan; a configuration
/// where it cannot is refused at start-up rather than failing every inquiry.
fn check_model_deadlines(llm: &crate::config::LlmConfig, swarm: &Swarm) -> Result<(), AppError> {
    const MARGIN: Duration = Duration::from_millis(500);
    let call = Duration::from_millis(llm.call_timeout_ms);
    let mut parts: Vec<(String, Duration)> =
        vec![("intake".into(), swarm.config().intake_deadline), ("reply".into(), swarm.config().reply_deadline)];
    for a in swarm.agents() {
        parts.push((a.name().to_string(), swarm.deadline_of(a.as_ref())));
    }
    let too_tight: Vec<String> = parts
        .into_iter()
        .filter(|(name, _)| llm.agents.iter().any(|a| a == name))
        .filter(|(_, d)| call + MARGIN > *d)
        .map(|(name, d)| format!("{name} ({} ms)", d.as_millis()))
        .collect();
    if too_tight.is_empty() {
        return Ok(());
    }
    Err(AppError::Config(format!(
        "[llm] call_timeout_ms = {} does not fit inside the deadline of {} with {} ms left to fall back; \
         lower call_timeout_ms or raise [deadlines]",
        call.as_millis(),
        too_tight.join(", "),
        MARGIN.as_millis()
    )))
}

#[async_trait]
impl Application for App {
    async fn handle(&self, msg: IncomingMessage, inquiry_id: String) -> Result<SwarmResult, AppError> {
        self.handle_message_with_id(msg, inquiry_id).await
    }

    async fn stored_result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, AppError> {
        self.memory.result(inquiry_id).await.map_err(|e| AppError::Unavailable(e.to_string()))
    }

    fn max_message_bytes(&self) -> usize {
        self.config.limits.max_message_bytes
    }
}
