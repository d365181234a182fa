//! The front ends' settings: `[http]` and `[telegram]` in the config file.

use serde::{Deserialize, Serialize};

/// The HTTP front end: web chat API, the embeddable chat page, health, and
/// the Telegram webhook when that mode is on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// `host:port`; port 0 picks a free one (tests).
    pub bind: String,
    /// Request bodies above this are refused with 413 before they are read
    /// in full.
    pub max_body_bytes: usize,
    /// On shutdown, replies still owed to customers get this long to go out
    /// before the front ends close.
    pub drain_ms: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self { bind: "127.0.0.1:8080".into(), max_body_bytes: 64 * 1024, drain_ms: 10_000 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TelegramMode {
    /// `getUpdates` long polling: no public URL needed, one process per bot.
    #[default]
    Polling,
    /// Telegram POSTs updates to `/telegram/webhook` on the HTTP server.
    Webhook,
}

/// The Telegram bot. Off unless a token is set (better through
/// `TELEGRAM_BOT_TOKEN` than the file).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramConfig {
    pub token: Option<String>,
    /// The Bot API server (a local one in tests, or a self-hosted one).
    pub api_url: String,
    pub mode: TelegramMode,
    /// Public HTTPS URL of `/telegram/webhook`; when set, Tradewind registers
    /// it with `setWebhook` at start. Unset means it is registered elsewhere.
    pub webhook_url: Option<String>,
    /// Required in webhook mode: Telegram echoes it in
    /// `X-Telegram-Bot-Api-Secret-Token` (1-256 of `A-Za-z0-9_-`).
    pub webhook_secret: Option<String>,
    /// How long one `getUpdates` waits for updates.
    pub poll_timeout_secs: u32,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        Self {
            token: None,
            api_url: "https://api.telegram.org".into(),
            mode: TelegramMode::Polling,
            webhook_url: None,
            webhook_secret: None,
            poll_timeout_secs: 10,
        }
    }
}

// By hand, so that a logged config never shows the token or the secret.
impl std::fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("TelegramConfig")
            .field("token", &redact(&self.token))
            .field("api_url", &self.api_url)
            .field("mode", &self.mode)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &redact(&self.webhook_secret))
            .field("poll_timeout_secs", &self.poll_timeout_secs)
            .finish()
    }
}

/// Everything the front ends need: their sections, and the message limit
/// they enforce before anything is queued.
#[derive(Debug, Clone, Default)]
pub struct FrontendsConfig {
    pub http: HttpConfig,
    pub telegram: TelegramConfig,
    pub max_message_bytes: usize,
}
