//! Tradewind: the application crate. Config, wiring (`App`), the front ends
//! (CLI here; HTTP and chat channels later) and the benchmark.

pub mod app;
pub mod bench;
pub mod config;
pub mod eval;
pub mod gateway;
pub mod lists;
pub mod output;
pub mod samples;

pub use app::{App, AppError, BuildOptions, IncomingMessage};
pub use config::Config;
