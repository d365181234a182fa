//! The chat front ends (Telegram, web chat) started by `serve` and
//! `gateway`. They only translate: platform messages into
//! `InboundMessage`s for the ingress, `OutboundReply`s back out. One unit
//! over any `Ingress`: the HTTP server (web chat API, the embeddable chat
//! page, health, the Telegram webhook) and Telegram long polling. `run` is
//! what `serve` and `gateway` call; tests call `start` to learn the address.
//!
//! Shutdown, in order: stop taking input (HTTP stops accepting, polling
//! stops), let the replies owed for accepted messages go out until none is
//! left or `[http] drain_ms` passes, then close the reply streams and the
//! senders, and abort whatever still runs after a short grace.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub mod config;
pub mod feedback;
pub mod http;
pub mod telegram;

use config::{FrontendsConfig, TelegramMode};
use tradewind_ports::{AppError, Ingress};

/// Senders still busy when the drain ends get this long before they are
/// aborted: enough to finish one request, not to start a retry cycle.
const ABORT_GRACE: Duration = Duration::from_secs(2);

/// Runs every configured front end on `ingress` until `shutdown`, then
/// drains. `console` (the operators' routes) is served beside the chat API.
pub async fn run(
    ingress: Arc<dyn Ingress>,
    config: &FrontendsConfig,
    console: Option<axum::Router>,
    shutdown: CancellationToken,
) -> Result<(), AppError> {
    start(ingress, config, console, shutdown).await?.wait().await
}

/// Running front ends. Dropping it aborts their tasks; `wait` stops them in
/// order.
pub struct Frontends {
    http_addr: SocketAddr,
    tasks: JoinSet<Result<(), AppError>>,
    /// Ours, below the caller's token: a front end that fails stops its
    /// siblings without stopping the caller's other parts.
    stop: CancellationToken,
    /// Ends reply streams and senders once the drain is over.
    closing: CancellationToken,
    inflight: Arc<InFlight>,
    drain: Duration,
}

/// Binds the HTTP server and starts Telegram (when a token is configured).
/// Fails on a bad bind address, a bad Telegram setting, or a webhook that
/// cannot be registered.
pub async fn start(
    ingress: Arc<dyn Ingress>,
    config: &FrontendsConfig,
    console: Option<axum::Router>,
    shutdown: CancellationToken,
) -> Result<Frontends, AppError> {
    let stop = shutdown.child_token();
    let closing = CancellationToken::new();
    let inflight = Arc::new(InFlight::default());
    let mut tasks = JoinSet::new();

    let listener = tokio::net::TcpListener::bind(&config.http.bind)
        .await
        .map_err(|e| AppError::Config(format!("[http] bind = '{}': {e}", config.http.bind)))?;
    let http_addr = listener.local_addr().map_err(|e| AppError::Internal(format!("listener address: {e}")))?;

    let tg_config = &config.telegram;
    let mut webhook = None;
    if let Some(token) = tg_config.token.as_deref() {
        let tg =
            telegram::Telegram::new(token, tg_config, config.max_message_bytes, ingress.clone(), inflight.clone())?;
        match tg_config.mode {
            TelegramMode::Polling => {
                let (tg, stop) = (tg.clone(), stop.clone());
                let timeout = tg_config.poll_timeout_secs;
                tasks.spawn(async move { tg.poll(timeout, stop).await });
            }
            TelegramMode::Webhook => {
                let secret = tg_config.webhook_secret.clone().ok_or_else(|| {
                    AppError::Config(
                        "[telegram] mode = \"webhook\" needs webhook_secret (TELEGRAM_WEBHOOK_SECRET)".into(),
                    )
                })?;
                // Telegram's own rule; refused here rather than as a setWebhook error.
                let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
                if secret.is_empty() || secret.len() > 256 || !secret.bytes().all(plain) {
                    return Err(AppError::Config(
                        "[telegram] webhook_secret must be 1-256 of A-Z, a-z, 0-9, '_', '-'".into(),
                    ));
                }
                tg.register_webhook(tg_config).await?;
                webhook = Some(telegram::webhook::router(tg.clone(), secret));
            }
        }
        // Subscribed before the HTTP server takes its first message: no
        // reply can slip past.
        tg.launch_sender(&mut tasks, ingress.subscribe(), closing.clone());
    }

    let hub = Arc::new(http::hub::WebHub::new());
    {
        let (hub, rx, inflight, closing) = (hub.clone(), ingress.subscribe(), inflight.clone(), closing.clone());
        tasks.spawn(async move { hub.pump(rx, inflight, closing).await });
    }
    let h = &config.http;
    let state = Arc::new(http::HttpState {
        ingress,
        hub,
        inflight: inflight.clone(),
        max_message_bytes: config.max_message_bytes,
        max_body_bytes: h.max_body_bytes,
        closing: closing.clone(),
        tokens: http::guard::ChatTokens::from_config(h),
        per_ip: http::guard::KeyedLimits::new(h.rate_per_ip_per_min, h.burst_per_ip, "address"),
        per_chat: http::guard::KeyedLimits::new(h.rate_per_chat_per_min, h.burst_per_chat, "chat"),
        trust_forwarded_for: h.trust_forwarded_for,
        request_timeout: Duration::from_millis(h.request_timeout_ms.max(1)),
        cors_origins: h.cors_origins.clone(),
        chat_page: chat_page_json(&config.chat),
    });
    let mut router = http::router(state, webhook);
    if let Some(console) = console {
        router = router.merge(console);
    }
    {
        let stop = stop.clone();
        let header_timeout = Duration::from_millis(h.header_timeout_ms);
        tasks.spawn(async move { http::serve::serve(listener, router, header_timeout, stop).await });
    }
    let telegram = tg_config.token.as_ref().map(|_| tg_config.mode);
    tracing::info!(%http_addr, ?telegram, "front ends listening");
    Ok(Frontends { http_addr, tasks, stop, closing, inflight, drain: Duration::from_millis(config.http.drain_ms) })
}

/// The page's branding, with anything unsafe for a colour or an image left out.
fn chat_page_json(c: &config::ChatPageConfig) -> serde_json::Value {
    let colour =
        c.accent.len() <= 7 && c.accent.starts_with('#') && c.accent[1..].bytes().all(|b| b.is_ascii_hexdigit());
    let logo = c
        .logo_url
        .as_deref()
        .filter(|u| u.starts_with('/') || u.starts_with("data:image/") || u.starts_with("https://"));
    serde_json::json!({
        "company": {"en": c.company, "zh": c.company_zh},
        "logo_url": logo,
        "accent": if colour { Some(&c.accent) } else { None },
        "greeting": {"en": c.greeting_en, "zh": c.greeting_zh},
        "starters": {"en": c.starters_en, "zh": c.starters_zh},
    })
}

impl Frontends {
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Runs until the caller's shutdown (or a front end failing), then
    /// drains. Returns the first front end's failure, if any.
    pub async fn wait(mut self) -> Result<(), AppError> {
        let mut failure = None;
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => break,
                joined = self.tasks.join_next() => match joined {
                    None => break,
                    Some(r) => {
                        if let Some(e) = task_failure(r) {
                            tracing::error!(error = %e, "a front end failed; stopping the others");
                            failure.get_or_insert(e);
                            self.stop.cancel();
                            break;
                        }
                    }
                },
            }
        }
        if tokio::time::timeout(self.drain, self.inflight.wait_idle()).await.is_err() {
            tracing::warn!(owed = self.inflight.len(), "drain deadline passed with replies still owed");
        }
        self.closing.cancel();
        let rest = async {
            while let Some(r) = self.tasks.join_next().await {
                if let Some(e) = task_failure(r) {
                    failure.get_or_insert(e);
                }
            }
        };
        if tokio::time::timeout(ABORT_GRACE, rest).await.is_err() {
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
        failure.map_or(Ok(()), Err)
    }
}

fn task_failure(r: Result<Result<(), AppError>, tokio::task::JoinError>) -> Option<AppError> {
    match r {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(e) if e.is_cancelled() => None,
        Err(e) => Some(AppError::Internal(format!("a front end task panicked: {e}"))),
    }
}

/// Replies owed to customers: (channel, message id) of every accepted
/// message whose reply has not gone out yet. Only the drain reads it, so
/// entries are plain timestamps, and old ones (the reply went to another
/// gateway, or never came) are forgotten.
#[derive(Default)]
pub struct InFlight {
    owed: Mutex<HashMap<(String, String), Instant>>,
    idle: Notify,
}

/// Past this an owed reply is presumed lost or answered elsewhere.
const OWED_TTL: Duration = Duration::from_secs(15 * 60);
/// Past this many entries, stale ones are swept on insert.
const OWED_SWEEP_AT: usize = 10_000;

impl InFlight {
    fn owed(&self) -> MutexGuard<'_, HashMap<(String, String), Instant>> {
        // Single inserts and removals only: a panic elsewhere cannot leave
        // the map half-changed, so a poisoned lock is still sound.
        self.owed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// False when it was owed already (a redelivery while the first is
    /// running): then only the first's reply settles it.
    pub fn add(&self, channel: &str, message_id: &str) -> bool {
        let mut owed = self.owed();
        if owed.len() >= OWED_SWEEP_AT {
            owed.retain(|_, t| t.elapsed() < OWED_TTL);
        }
        owed.insert((channel.to_string(), message_id.to_string()), Instant::now()).is_none()
    }

    pub fn done(&self, channel: &str, message_id: &str) {
        let mut owed = self.owed();
        owed.remove(&(channel.to_string(), message_id.to_string()));
        if owed.is_empty() {
            self.idle.notify_waiters();
        }
    }

    pub fn len(&self) -> usize {
        self.owed().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Resolves once nothing is owed.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            // Registered before checking, so a `done` in between still wakes us.
            notified.as_mut().enable();
            {
                let mut owed = self.owed();
                owed.retain(|_, t| t.elapsed() < OWED_TTL);
                if owed.is_empty() {
                    return;
                }
            }
            notified.await;
        }
    }
}

/// A front end's refusal of a message over the size limit, before it is
/// queued anywhere: a 1 MB text has no business on a Redis stream.
pub fn check_size(text: &str, max_message_bytes: usize) -> Result<(), AppError> {
    if text.len() > max_message_bytes {
        return Err(AppError::TooLarge(format!(
            "the message is {} bytes; the limit is {max_message_bytes} bytes",
            text.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_flight_waits_until_every_owed_reply_is_done() {
        let f = Arc::new(InFlight::default());
        assert!(f.add("web", "a"));
        assert!(f.add("telegram", "a"));
        assert!(!f.add("telegram", "a"));
        let waiter = {
            let f = f.clone();
            tokio::spawn(async move { f.wait_idle().await })
        };
        f.done("web", "a");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        f.done("telegram", "a");
        tokio::time::timeout(Duration::from_secs(1), waiter).await.unwrap().unwrap();
        assert!(f.is_empty());
    }

    #[test]
    fn oversize_text_is_refused_with_the_size_error() {
        let e = check_size(&"x".repeat(17_000), 16_384).unwrap_err();
        assert_eq!(e.http_status(), 413);
        assert!(e.customer_message().contains("too long"));
        assert!(check_size("hello", 16_384).is_ok());
    }
}
