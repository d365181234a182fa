//! The OpenAI-compatible adapter of the `Brain` port (`tradewind-ports`):
//! any chat-completions endpoint (OpenAI, DeepSeek, Qwen, Ollama, vLLM,
//! llama.cpp), with a tool-calling loop, strict JSON outputs, retries and
//! timeouts. The only crate that speaks async-openai's chat types.

pub mod breaker;
pub mod openai;
pub mod tokens;

pub use openai::{OpenAiBrain, OpenAiConfig};
