//! The application: the configuration, the wiring of every port to the
//! adapter the configuration chooses (`App::build`), and the one
//! application function every front end and runtime calls
//! (`App::handle_message`, also behind the `Application` port).
//!
//! This is the one crate that knows every adapter; nothing depends on it
//! but the binary, the benchmark, the evaluation harness and the test kit.

pub mod app;
pub mod config;
pub mod desk;
pub mod lists;
pub mod ops;
pub mod outbox;
pub mod privacy;
pub mod runtime;
pub mod samples;
pub mod sandbox;

pub use app::{knowledge_documents, read_transcript, App, BuildOptions};
pub use config::Config;
pub use tradewind_ports::{AppError, Application, IncomingMessage};

/// The folder every local file of Tradewind lives under: the parent of the
/// knowledge index (`data/` by default, `$TRADEWIND_DATA_DIR` when set).
pub fn data_root(config: &Config) -> std::path::PathBuf {
    match config.knowledge.data_dir.parent() {
        Some(root) if !root.as_os_str().is_empty() => root.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}
