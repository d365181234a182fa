//! Typed tools: the only way agents act on the world.
//!
//! A tool is a Rust struct with a name, `Args: DeserializeOwned + JsonSchema`
//! and a serialisable `Output`. The `Registry` exports OpenAI function
//! definitions in strict mode; the `Dispatcher` validates raw JSON against
//! the schema before anything runs and records every call in the transcript.
//! Both brains (offline plans and LLM tool loops) go through the dispatcher,
//! so operators see the same steps whichever brain ran.

pub mod builtin;
pub use tradewind_customs as customs;
pub mod dispatch;
pub mod sinks;
pub mod templates;
pub mod wording;

pub use builtin::{registry, Services};
pub use dispatch::{call_typed, Dispatcher, DynTool, Registry, Tool};
pub use sinks::{CollectSink, DirSink, StdoutSink};
pub use tradewind_ports::schema;
pub use tradewind_ports::{Delivery, Recorder, Sink, SinkError, ToolCtx, ToolError, ToolErrorKind, ToolHost};
