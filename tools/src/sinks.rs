//! Sink adapters: a folder of files, stdout, and an in-process collector.
//! (Chat channels are adapters of the same port in `tradewind-channels`.)

use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::Mutex;
use tradewind_ports::files::write_private_async;
use tradewind_ports::sink::{Delivery, Sink, SinkError};

/// Writes each delivery as `<dir>/<inquiry>/<delivery_id>.md` plus a `.json`
/// twin, via a temp file and rename so readers never see half a file and a
/// retry overwrites rather than duplicates.
pub struct DirSink {
    name: String,
    dir: PathBuf,
}

impl DirSink {
    pub fn new(name: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        Self { name: name.into(), dir: dir.into() }
    }
}

/// The file-name-safe form of an id: how an inquiry's folder is named.
pub fn safe_component(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).take(80).collect()
}

#[async_trait]
impl Sink for DirSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError> {
        let fail = |e: std::io::Error| SinkError::Failed { sink: self.name.clone(), message: e.to_string() };
        let dir = self.dir.join(safe_component(&d.inquiry_id));
        let stem = safe_component(&d.delivery_id);
        let md = dir.join(format!("{stem}.md"));
        let json = dir.join(format!("{stem}.json"));
        // Owner-only (0600 in 0700 folders): cards are about customers.
        write_private_async(&md, d.body.as_bytes().to_vec()).await.map_err(fail)?;
        let payload = serde_json::to_vec_pretty(d).unwrap_or_default();
        write_private_async(&json, payload).await.map_err(fail)?;
        Ok(md.display().to_string())
    }
}

/// Prints deliveries to stdout, one block each.
pub struct StdoutSink {
    name: String,
}

impl StdoutSink {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

#[async_trait]
impl Sink for StdoutSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError> {
        println!("──── [{}] {} ({})\n{}\n", self.name, d.title, d.kind, d.body);
        Ok("stdout".into())
    }
}

/// Keeps deliveries in process (bounded), de-duplicated by delivery id.
/// Used by `serve` for the operator view and by benchmarks, where writing
/// files would measure the disk instead of the swarm. Each delivery is kept
/// as compact JSON text, a fraction of the memory of a `Value` tree.
pub struct CollectSink {
    name: String,
    cap: usize,
    items: Mutex<Collected>,
}

#[derive(Default)]
struct Collected {
    order: std::collections::VecDeque<(String, Box<str>)>,
    ids: std::collections::HashSet<String>,
}

impl CollectSink {
    pub fn new(name: impl Into<String>, cap: usize) -> Self {
        Self { name: name.into(), cap, items: Mutex::new(Default::default()) }
    }

    pub fn items(&self) -> Vec<Delivery> {
        let items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        items.order.iter().filter_map(|(_, text)| serde_json::from_str(text).ok()).collect()
    }
}

#[async_trait]
impl Sink for CollectSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError> {
        let text = serde_json::to_string(d)
            .map_err(|e| SinkError::Failed { sink: self.name.clone(), message: e.to_string() })?
            .into_boxed_str();
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        if items.ids.insert(d.delivery_id.clone()) {
            items.order.push_back((d.delivery_id.clone(), text));
            while items.order.len() > self.cap {
                if let Some((old, _)) = items.order.pop_front() {
                    items.ids.remove(&old);
                }
            }
        }
        Ok(format!("memory:{}", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(id: &str) -> Delivery {
        Delivery {
            audience: "sales".into(),
            kind: "proposal".into(),
            inquiry_id: "inq-1".into(),
            delivery_id: id.into(),
            title: "t".into(),
            body: "# body".into(),
            payload: serde_json::json!({"a": 1}),
        }
    }

    #[tokio::test]
    async fn dir_sink_retry_overwrites_instead_of_duplicating() {
        let dir = tempfile::tempdir().unwrap();
        let sink = DirSink::new("sales", dir.path());
        let p1 = sink.deliver(&delivery("inq-1-proposal")).await.unwrap();
        let p2 = sink.deliver(&delivery("inq-1-proposal")).await.unwrap();
        assert_eq!(p1, p2);
        let n = std::fs::read_dir(dir.path().join("inq-1")).unwrap().count();
        assert_eq!(n, 2, "one .md and one .json");
    }

    #[tokio::test]
    async fn collect_sink_is_idempotent_by_delivery_id() {
        let sink = CollectSink::new("cs", 10);
        sink.deliver(&delivery("a")).await.unwrap();
        sink.deliver(&delivery("a")).await.unwrap();
        sink.deliver(&delivery("b")).await.unwrap();
        assert_eq!(sink.items().len(), 2);
    }
}
