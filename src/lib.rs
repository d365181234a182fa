//! Tradewind: the application crate. Config, wiring (`App`), the front ends
//! (CLI here; HTTP and chat channels later) and the benchmark.

pub mod app;
pub mod bench;
pub mod cluster;
pub mod config;
pub mod deadletters;
pub mod eval;
pub mod frontends;
pub mod gateway;
pub mod http;
pub mod lists;
pub mod output;
pub mod samples;
pub mod telegram;

pub use app::{App, AppError, BuildOptions, IncomingMessage};
pub use config::Config;
