//! Several sinks behind one audience name (`sales = "dir:…,wecom:…"`).

use async_trait::async_trait;
use std::sync::Arc;
use tradewind_ports::sink::{Delivery, Sink, SinkError};

/// Delivers to every inner sink, in order, even when one fails; reports
/// every failure. A retry is safe: channel sinks are idempotent by delivery
/// id and the built-in sinks overwrite or de-duplicate.
pub struct FanoutSink {
    name: String,
    sinks: Vec<Arc<dyn Sink>>,
}

impl FanoutSink {
    pub fn new(name: impl Into<String>, sinks: Vec<Arc<dyn Sink>>) -> Self {
        Self { name: name.into(), sinks }
    }
}

#[async_trait]
impl Sink for FanoutSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError> {
        let mut places = Vec::with_capacity(self.sinks.len());
        let mut errors = Vec::new();
        for sink in &self.sinks {
            match sink.deliver(d).await {
                Ok(p) => places.push(p),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if errors.is_empty() {
            Ok(places.join("; "))
        } else {
            let delivered =
                if places.is_empty() { String::new() } else { format!(" (delivered: {})", places.join("; ")) };
            Err(SinkError::Failed { sink: self.name.clone(), message: format!("{}{delivered}", errors.join("; ")) })
        }
    }
}
