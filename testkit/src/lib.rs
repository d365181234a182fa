//! What the tests share, used only as a dev-dependency: a wired Tradewind on
//! real parts (`spawn_app`), the front ends on top of it (`start_stack`), a
//! local Telegram Bot API server, and the scripted OpenAI-compatible server
//! (the test double for the LLM protocol).

pub mod app;
pub mod fake_telegram;
pub mod sse;
pub mod stack;

pub use app::{
    fast_cluster, redis_url, spawn_app, spawn_app_with, test_config, unique_prefix, uuid_like, Backend, TestApp,
};
pub use stack::{start_on, start_stack, start_stack_with, Stack};
pub use tradewind_scripted_llm::{ScriptedLlm, ScriptedResponse, ScriptedToolCall};
