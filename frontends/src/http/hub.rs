//! The web chat's reply hub: keeps each chat's recent replies so that an
//! event stream opened after the reply was produced (or reconnected with
//! `Last-Event-ID`) still gets it, and wakes the open streams of a chat when
//! a reply arrives. Bounded in chats and replies per chat.

use axum::response::sse::Event;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::CHANNEL;
use crate::InFlight;
use tradewind_ports::ingress::{OutboundReply, QuickReply};
use tradewind_ports::AppError;

const MAX_CHATS: usize = 10_000;
const REPLIES_PER_CHAT: usize = 32;
/// Bytes of replies kept across all chats. Chats are counted too, but a cap
/// on bytes is what keeps the process flat whatever the replies' length.
const MAX_BYTES: usize = 4 << 20;
/// What a kept reply costs besides its text.
const REPLY_OVERHEAD: usize = 160;
/// A chat nobody wrote to for this long may be forgotten when room is needed.
const CHAT_TTL: Duration = Duration::from_secs(30 * 60);

type Logged = (u64, Arc<OutboundReply>);

pub struct WebHub {
    inner: Mutex<Inner>,
    /// The chat that just got a reply; streams of other chats ignore it.
    wake: broadcast::Sender<Arc<str>>,
}

struct Inner {
    chats: HashMap<Arc<str>, ChatLog>,
    /// Event ids, increasing across chats and (seeded from the clock) across
    /// restarts, so a reconnecting browser's `Last-Event-ID` never hides a
    /// newer reply.
    next_seq: u64,
    /// Sum of the chats' `bytes`.
    bytes: usize,
}

struct ChatLog {
    replies: VecDeque<Logged>,
    touched: Instant,
    bytes: usize,
}

fn size_of(reply: &OutboundReply) -> usize {
    let quick: usize = reply.quick_replies.iter().map(|q| q.label.len() + q.card_id.len() + q.answer.len()).sum();
    reply.text.len() + reply.chat_id.len() + reply.message_id.len() + quick + REPLY_OVERHEAD
}

impl Default for WebHub {
    fn default() -> Self {
        Self::new()
    }
}

impl WebHub {
    pub fn new() -> Self {
        let (wake, _) = broadcast::channel(1024);
        let inner =
            Inner { chats: HashMap::new(), next_seq: tradewind_core::now_ms().saturating_mul(1000).max(1), bytes: 0 };
        Self { inner: Mutex::new(inner), wake }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // Every change under this lock is a single insert or removal, so a
        // panic elsewhere cannot leave it inconsistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `reply` for its chat and wakes the chat's streams. Returns its event id.
    pub fn push(&self, reply: OutboundReply) -> u64 {
        let chat: Arc<str> = Arc::from(reply.chat_id.as_str());
        let seq = {
            let mut inner = self.inner();
            let seq = inner.next_seq;
            inner.next_seq += 1;
            if !inner.chats.contains_key(&chat) && inner.chats.len() >= MAX_CHATS {
                evict(&mut inner, false);
            }
            let size = size_of(&reply);
            let log = inner.chats.entry(chat.clone()).or_insert_with(|| ChatLog {
                replies: VecDeque::new(),
                touched: Instant::now(),
                bytes: 0,
            });
            log.touched = Instant::now();
            let mut freed = 0;
            if log.replies.len() >= REPLIES_PER_CHAT {
                freed = log.replies.pop_front().map_or(0, |(_, r)| size_of(&r));
            }
            log.replies.push_back((seq, Arc::new(reply)));
            log.bytes = (log.bytes + size).saturating_sub(freed);
            inner.bytes = (inner.bytes + size).saturating_sub(freed);
            while inner.bytes > MAX_BYTES && inner.chats.len() > 1 {
                evict(&mut inner, true);
            }
            seq
        };
        // No open stream is fine: the reply waits in the log.
        let _ = self.wake.send(chat);
        seq
    }

    /// The chat's kept replies with an event id above `after`.
    pub fn since(&self, chat: &str, after: u64) -> Vec<Logged> {
        self.inner()
            .chats
            .get(chat)
            .map(|log| log.replies.iter().filter(|(seq, _)| *seq > after).cloned().collect())
            .unwrap_or_default()
    }

    /// Moves the web channel's replies from the ingress into the hub until `closing`.
    pub async fn pump(
        &self,
        mut rx: broadcast::Receiver<OutboundReply>,
        inflight: Arc<InFlight>,
        closing: CancellationToken,
    ) -> Result<(), AppError> {
        loop {
            let next = tokio::select! {
                _ = closing.cancelled() => break,
                r = rx.recv() => r,
            };
            match next {
                Ok(reply) if reply.channel == CHANNEL => {
                    let id = reply.message_id.clone();
                    self.push(reply);
                    inflight.done(CHANNEL, &id);
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::error!(missed = n, "web chat fell behind the replies; some were lost");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
        Ok(())
    }

    /// Server-sent events for one chat: the kept replies after `after`, then
    /// each new one, until `closing`.
    pub fn stream(
        self: &Arc<Self>,
        chat: String,
        after: u64,
        closing: CancellationToken,
    ) -> impl futures::Stream<Item = Result<Event, Infallible>> + Send + 'static {
        // Subscribed before reading the log: a reply landing in between is
        // either in the log or announced, never neither.
        let wake = self.wake.subscribe();
        let queue: VecDeque<Logged> = self.since(&chat, after).into();
        let state = Follow { hub: self.clone(), chat, last: after, wake, queue, closing };
        futures::stream::unfold(state, |mut st| async move {
            loop {
                if let Some((seq, reply)) = st.queue.pop_front() {
                    if seq <= st.last {
                        continue;
                    }
                    st.last = seq;
                    return Some((Ok(event(seq, &reply)), st));
                }
                tokio::select! {
                    _ = st.closing.cancelled() => return None,
                    woke = st.wake.recv() => match woke {
                        Ok(chat) if *chat == *st.chat => st.queue = st.hub.since(&st.chat, st.last).into(),
                        Ok(_) => {}
                        // Missed wake-ups: the log still has the replies.
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            st.queue = st.hub.since(&st.chat, st.last).into();
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                }
            }
        })
    }
}

struct Follow {
    hub: Arc<WebHub>,
    chat: String,
    last: u64,
    wake: broadcast::Receiver<Arc<str>>,
    queue: VecDeque<Logged>,
    closing: CancellationToken,
}

/// Forgets stale chats, or the stalest one when none is stale (or, for the
/// byte budget, `always`).
fn evict(inner: &mut Inner, always: bool) {
    let mut freed = 0;
    inner.chats.retain(|_, log| {
        let keep = log.touched.elapsed() < CHAT_TTL;
        if !keep {
            freed += log.bytes;
        }
        keep
    });
    if always || inner.chats.len() >= MAX_CHATS {
        // Not the one just touched: it is never the stalest while others exist.
        if let Some(oldest) = inner.chats.iter().min_by_key(|(_, log)| log.touched).map(|(k, _)| k.clone()) {
            freed += inner.chats.remove(&oldest).map_or(0, |log| log.bytes);
        }
    }
    inner.bytes = inner.bytes.saturating_sub(freed);
}

/// What a browser sees of a reply: `OutboundReply::error` may name internal
/// causes, so only the fact of a failure goes out.
#[derive(Serialize)]
pub struct ReplyEvent<'a> {
    pub message_id: &'a str,
    pub inquiry_id: Option<&'a str>,
    pub text: &'a str,
    pub quick_replies: &'a [QuickReply],
    pub failed: bool,
}

fn event(seq: u64, r: &OutboundReply) -> Event {
    let view = ReplyEvent {
        message_id: &r.message_id,
        inquiry_id: r.inquiry_id.as_deref(),
        text: &r.text,
        quick_replies: &r.quick_replies,
        failed: r.error.is_some(),
    };
    let base = Event::default().id(seq.to_string()).event("reply");
    match serde_json::to_string(&view) {
        Ok(json) => base.data(json),
        Err(e) => base.comment(format!("reply not serialisable: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(chat: &str, text: &str) -> OutboundReply {
        OutboundReply {
            channel: CHANNEL.into(),
            chat_id: chat.into(),
            message_id: format!("{chat}-{text}"),
            inquiry_id: None,
            text: text.into(),
            quick_replies: vec![],
            error: None,
        }
    }

    #[test]
    fn replies_are_kept_per_chat_with_increasing_ids() {
        let hub = WebHub::new();
        let a1 = hub.push(reply("a", "1"));
        let b1 = hub.push(reply("b", "1"));
        let a2 = hub.push(reply("a", "2"));
        assert!(a1 < b1 && b1 < a2);
        let a: Vec<_> = hub.since("a", 0).into_iter().map(|(_, r)| r.text.clone()).collect();
        assert_eq!(a, ["1", "2"]);
        assert_eq!(hub.since("a", a1).len(), 1);
        assert!(hub.since("nobody", 0).is_empty());
        for i in 0..(REPLIES_PER_CHAT + 5) {
            hub.push(reply("c", &i.to_string()));
        }
        assert_eq!(hub.since("c", 0).len(), REPLIES_PER_CHAT);
    }

    #[test]
    fn the_kept_replies_stay_within_the_byte_budget_and_the_newest_chats_keep_theirs() {
        let hub = WebHub::new();
        let long = "x".repeat(4_000);
        let chats = 2 * MAX_BYTES / long.len();
        for i in 0..chats {
            hub.push(reply(&format!("chat-{i}"), &long));
        }
        let inner = hub.inner();
        assert!(inner.bytes <= MAX_BYTES, "{} bytes kept", inner.bytes);
        assert_eq!(inner.bytes, inner.chats.values().map(|l| l.bytes).sum::<usize>(), "the tally is exact");
        assert!(inner.chats.len() < chats);
        drop(inner);
        assert_eq!(hub.since(&format!("chat-{}", chats - 1), 0).len(), 1, "the newest chat keeps its reply");
        assert!(hub.since("chat-0", 0).is_empty(), "the oldest went first");
    }

    #[tokio::test]
    async fn a_stream_gets_the_kept_replies_then_new_ones_then_ends_on_closing() {
        use futures::StreamExt;
        let hub = Arc::new(WebHub::new());
        hub.push(reply("a", "early"));
        let closing = CancellationToken::new();
        let mut s = Box::pin(hub.stream("a".into(), 0, closing.clone()));
        assert!(s.next().await.is_some());
        hub.push(reply("b", "other chat"));
        hub.push(reply("a", "late"));
        let got = tokio::time::timeout(Duration::from_secs(1), s.next()).await.unwrap();
        assert!(got.is_some());
        closing.cancel();
        assert!(tokio::time::timeout(Duration::from_secs(1), s.next()).await.unwrap().is_none());
    }
}
