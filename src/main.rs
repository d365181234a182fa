//! The `tradewind` command line: demo, ask, transcript, ingest, bench, and
//! the long-running serve, gateway and worker.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;
use tradewind_app::{App, AppError, BuildOptions, Config, IncomingMessage};

/// jemalloc rather than glibc's malloc: under `serve`'s churn of short-lived
/// per-inquiry allocations, glibc's RSS kept rising (117 → 157 MB from 1,000
/// to 20,000 inquiries, the same with one arena) while the live heap
/// (heaptrack) stayed under 20 MB; jemalloc with decay hands freed pages
/// back to the system. Figures in docs/ARCHITECTURE.md, "Memory".
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Freed pages go back after about a second, by jemalloc's own thread.
/// A thin pointer to a C string, which is what jemalloc reads there.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &u8 = &b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0"[0];

mod deadletters;
mod lists;
mod output;
mod strategy;
mod users;

#[derive(Parser)]
#[command(name = "tradewind", version, about = "An agent swarm that answers B2B export sales inquiries")]
struct Cli {
    /// TOML config file (default: built-in defaults; also TRADEWIND_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest the demo knowledge base and run the sample inquiries (English and Chinese) through the swarm.
    Demo {
        /// Print one JSON object per inquiry instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run one customer message through the swarm.
    Ask {
        /// The customer's message ("-" reads standard input).
        message: String,
        /// Print one JSON object: inquiry_id, reply, proposal, customs, faq_cards, timings.
        #[arg(long)]
        json: bool,
        /// Channel the message came from.
        #[arg(long, default_value = "cli")]
        channel: String,
        /// The sender's id in that channel (memory remembers customers by it).
        #[arg(long, default_value = "local")]
        user: String,
        /// Start a new inquiry even if this sender's conversation has one open.
        #[arg(long)]
        new: bool,
    },
    /// Show everything each agent did for an inquiry.
    Transcript {
        /// The inquiry id, as `ask`, the reply and the console show it (inq-…).
        inquiry_id: String,
        /// Export as JSON Lines, one step per line.
        #[arg(long)]
        jsonl: bool,
    },
    /// Ingest a knowledge folder (default: the embedded demo base) into the index.
    Ingest {
        /// Folder with Markdown, CSV and JSONL files.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Print throughput and latency figures for the offline and scripted-model settings; subcommands measure the cluster, single parts, faults and screening.
    Bench(tradewind_bench::BenchArgs),
    /// An OpenAI-compatible server that answers every request after a fixed latency, for `bench llm` against a process of its own.
    ScriptedLlm(tradewind_bench::llm::ScriptedLlmArgs),
    /// Everything in one process on the embedded defaults: the chat front ends and the swarm.
    Serve,
    /// Chat front ends in, onto Redis Streams; replies back from the workers (needs REDIS_URL).
    Gateway,
    /// Read the Redis Streams in a consumer group and run the swarm (needs REDIS_URL); run as many as you like.
    Worker,
    /// Import screening lists and the HS nomenclature.
    #[command(subcommand)]
    Lists(lists::ListsCommand),
    /// Measure the customs engine on labelled cases.
    #[command(subcommand)]
    Eval(tradewind_eval::EvalCommand),
    /// Chat-card deliveries that failed for good (dead letters), newest first.
    Deadletters(deadletters::DeadLettersArgs),
    /// Customer records: erasure on request.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// The console's operators: add, list, revoke, issue API tokens.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Strategies: versioned bundles of prompts, rules, thresholds, model and approval settings; canary and promotion.
    #[command(subcommand)]
    Strategy(strategy::StrategyCommand),
    /// Re-run stored inquiries (or a labelled case file) through a candidate strategy beside the active one, with every sink off; diff and gate.
    Replay(strategy::ReplayArgs),
}

#[derive(Subcommand)]
enum CustomersCommand {
    /// Erase a customer everywhere: facts, links, turns, and the transcripts, results and files of their inquiries.
    Forget {
        /// The customer id as results show it (c:telegram:42, u:<hash>), or <channel>:<user>.
        id: String,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve | Command::Gateway | Command::Worker | Command::ScriptedLlm(_)) {
        // Rust ignores SIGPIPE, so `tradewind demo | head` would end in a
        // panic on the first print after `head` quits. One-shot commands
        // end quietly like other Unix tools instead; the servers keep
        // ignoring it, as a vanished client must not kill them.
        // SAFETY: called before any thread is started; it only resets a
        // signal disposition to the default.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,qdrant_edge=error,segment=error".into()),
        )
        .with_writer(|| MaskedStderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let mut config = Config::load(cli.config.as_deref()).context("loading configuration")?;
    match cli.command {
        Command::Demo { json } => {
            let (app, summary) = App::build(config, BuildOptions { ingest: true, quiet: json }, None)
                .await
                .context("starting Tradewind")?;
            if let (Some(s), false) = (summary, json) {
                println!(
                    "Knowledge base: {s}\nBrain: {} · memory: {} · index: {}\n",
                    app.swarm.env().brain.name(),
                    app.memory.backend(),
                    app.index.backend()
                );
            }
            for sample in tradewind_app::samples::SAMPLES {
                let msg = IncomingMessage {
                    channel: "demo".into(),
                    user: sample.channel_user.into(),
                    text: sample.text.into(),
                    ..Default::default()
                };
                match app.handle_message(msg).await {
                    Ok(r) => {
                        if json {
                            println!("{}", serde_json::to_string(&output::json_view(&r))?);
                        } else {
                            println!("## {}", sample.title);
                            print!("{}", output::render_result(sample.text, &r));
                        }
                    }
                    Err(e) => println!("## {}\nerror: {e}\ncustomer sees: {}\n", sample.title, e.customer_message()),
                }
            }
            app.shutdown_channels().await;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Ask { message, json, channel, user, new } => {
            let text = if message == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("reading standard input")?;
                s
            } else {
                message
            };
            let (app, _) = App::build(config, BuildOptions::default(), None).await.context("starting Tradewind")?;
            let result = app
                .handle_message(IncomingMessage { start_new: new, ..IncomingMessage::new(channel, user, text.clone()) })
                .await;
            app.shutdown_channels().await;
            match result {
                Ok(r) => {
                    if json {
                        println!("{}", serde_json::to_string_pretty(&output::json_view(&r))?);
                    } else {
                        print!("{}", output::render_result(&text, &r));
                    }
                    Ok(std::process::ExitCode::SUCCESS)
                }
                Err(e) => {
                    if json {
                        println!(
                            "{}",
                            serde_json::json!({"error": e.to_string(), "status": e.http_status(), "reply": e.customer_message()})
                        );
                    } else {
                        eprintln!("error: {e}\ncustomer sees: {}", e.customer_message());
                    }
                    Ok(std::process::ExitCode::from(2))
                }
            }
        }
        Command::Transcript { inquiry_id, jsonl } => {
            let steps = match tradewind_app::read_transcript(&config, &inquiry_id).await {
                Ok(s) => s,
                Err(AppError::NotFound(m)) => {
                    eprintln!("{m}");
                    return Ok(std::process::ExitCode::from(1));
                }
                Err(e) => return Err(e).context("reading the transcript"),
            };
            let mut text = String::new();
            if jsonl {
                for s in &steps {
                    text.push_str(&serde_json::to_string(s)?);
                    text.push('\n');
                }
            } else {
                text = output::render_transcript(&steps);
            }
            print_or_quit(&text)?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Ingest { dir, quiet } => {
            if dir.is_some() {
                config.knowledge.kb_dir = dir;
            }
            let (_app, summary) =
                App::build(config, BuildOptions { ingest: true, quiet }, None).await.context("ingesting")?;
            if let Some(s) = summary {
                println!("{s}");
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Strategy(cmd) => strategy::run(config, cmd).await.context("strategy"),
        Command::Replay(a) => strategy::replay(config, a).await.context("replay"),
        Command::Lists(cmd) => {
            lists::run(config, cmd).await.context("lists")?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Eval(cmd) => {
            tradewind_eval::run(config, cmd).await.context("eval")?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Serve => {
            let (app, _) = App::build(config, BuildOptions::default(), None).await.context("starting Tradewind")?;
            let shutdown = CancellationToken::new();
            let _signals = tradewind_cluster::signals::cancel_on_signal(shutdown.clone());
            tracing::info!(brain = %app.swarm.env().brain.name(), memory = app.memory.backend(), "serving");
            let report = tradewind_app::runtime::run_serve(app.clone(), shutdown).await.context("serve")?;
            app.shutdown_channels().await;
            tracing::info!(answered = report.answered, unfinished = report.unfinished, "stopped");
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Gateway => {
            // The console reads the same Redis as the workers: reviews, the
            // audit log, results and transcripts; approvals send from here.
            if config.memory.redis_url.is_none() {
                config.memory.redis_url = config.cluster.redis_url.clone();
            }
            let (app, _) = App::build(config.clone(), BuildOptions { ingest: false, quiet: true }, None)
                .await
                .context("starting the gateway's console")?;
            let console = app.console().context("the console")?;
            let shutdown = CancellationToken::new();
            let _signals = tradewind_cluster::signals::cancel_on_signal(shutdown.clone());
            tradewind_app::runtime::run_gateway(&config, Some(console), shutdown).await.context("gateway")?;
            app.shutdown_channels().await;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Worker => {
            // Workers share memory through the cluster's Redis.
            if config.memory.redis_url.is_none() {
                config.memory.redis_url = config.cluster.redis_url.clone();
            }
            let (app, _) = App::build(config, BuildOptions::default(), None).await.context("starting the worker")?;
            let shutdown = CancellationToken::new();
            let _signals = tradewind_cluster::signals::cancel_on_signal(shutdown.clone());
            let report = tradewind_app::runtime::run_worker(app.clone(), shutdown).await.context("worker")?;
            app.shutdown_channels().await;
            tracing::info!(
                completed = report.completed,
                handed_back = report.handed_back,
                aborted = report.aborted,
                "worker stopped"
            );
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Deadletters(args) => {
            deadletters::run(config, args).await.context("dead letters")?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Users(cmd) => {
            users::run(&config, cmd)?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Customers(CustomersCommand::Forget { id }) => {
            let (app, _) = App::build(config, BuildOptions { ingest: false, quiet: true }, None)
                .await
                .context("starting Tradewind")?;
            if app.config.memory.redis_url.is_none() {
                eprintln!(
                    "note: memory is in process (no REDIS_URL), so only files under the data folder can be erased here"
                );
            }
            let erased = tradewind_app::privacy::forget_customer(&app, &id).await.context("forgetting the customer")?;
            println!("{}", serde_json::to_string_pretty(&erased)?);
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::ScriptedLlm(args) => {
            tradewind_bench::llm::serve_scripted(args).await.context("scripted LLM server")?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Bench(args) => {
            tradewind_bench::run(config, args).await.context("benchmark")?;
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

/// Standard error with personal identifiers masked: log lines may quote a
/// message or a model's answer, and logs are kept and shipped elsewhere.
struct MaskedStderr;

impl std::io::Write for MaskedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter writes one whole event per call, so an identifier
        // is never split between two writes.
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().write_all(tradewind_nlp::pii::mask(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// With in-process memory a transcript would die with the process, so the
/// CLI also exports it as JSON Lines under the data folder.
/// Writes `text` to standard output; a reader that went away (`| head`)
/// ends the program quietly instead of a panic.
fn print_or_quit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(e.into()),
    }
}
