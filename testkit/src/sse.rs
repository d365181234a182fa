//! Reading the web chat's server-sent events in tests.

use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Reads server-sent events from an open stream until `n` `reply` events
/// arrived; returns their ids and data.
pub async fn read_replies(res: &mut reqwest::Response, n: usize) -> Vec<(String, Value)> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let read = async {
        while out.len() < n {
            let Some(chunk) = res.chunk().await.expect("stream readable") else { break };
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let field =
                    |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim_start().to_string());
                if field("event:").as_deref() == Some("reply") {
                    let data = field("data:").expect("data line");
                    out.push((field("id:").unwrap_or_default(), serde_json::from_str(&data).expect("JSON data")));
                }
            }
        }
    };
    tokio::time::timeout(WAIT, read).await.expect("replies arrive on the event stream");
    out
}
