//! The front ends' settings: `[http]` and `[telegram]` in the config file.

use serde::{Deserialize, Serialize};

/// The HTTP front end: web chat API, the embeddable chat page, health, and
/// the Telegram webhook when that mode is on.
#[derive(Clone, Serialize, Deserialize)]
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
    /// A request's headers must arrive within this: on a new connection,
    /// and on a kept-alive one waiting for its next request (so this is the
    /// idle timeout too). Half-open and idle connections are closed.
    pub header_timeout_ms: u64,
    /// A request (reading its body, then answering it) must finish within
    /// this, or gets 408. The reply stream is exempt: it is meant to stay open.
    pub request_timeout_ms: u64,
    /// Requests a minute from one client address (0: no limit), and how
    /// many may come at once.
    pub rate_per_ip_per_min: u32,
    pub burst_per_ip: u32,
    /// Messages a minute into one chat (0: no limit), and how many at once.
    pub rate_per_chat_per_min: u32,
    pub burst_per_chat: u32,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy
    /// that sets it; otherwise clients could pick their own address).
    pub trust_forwarded_for: bool,
    /// Signs the chat tokens the server issues with each chat id (better set
    /// through `TRADEWIND_CHAT_TOKEN_SECRET`). Unset: a random secret per
    /// process, so tokens end with it; every gateway of one deployment needs
    /// the same secret.
    pub chat_token_secret: Option<String>,
    /// Secrets that still verify tokens but no longer sign: the previous
    /// ones, during a rotation.
    pub chat_token_old_secrets: Vec<String>,
    /// Origins allowed to call the API from a browser (CORS), e.g.
    /// `https://shop.example.com`. Empty: no CORS headers at all.
    pub cors_origins: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            max_body_bytes: 64 * 1024,
            drain_ms: 10_000,
            header_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            rate_per_ip_per_min: 120,
            burst_per_ip: 30,
            rate_per_chat_per_min: 20,
            burst_per_chat: 5,
            trust_forwarded_for: false,
            chat_token_secret: None,
            chat_token_old_secrets: Vec::new(),
            cors_origins: Vec::new(),
        }
    }
}

// By hand, so that a logged config never shows the token secrets.
impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("bind", &self.bind)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("drain_ms", &self.drain_ms)
            .field("header_timeout_ms", &self.header_timeout_ms)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("rate_per_ip_per_min", &self.rate_per_ip_per_min)
            .field("burst_per_ip", &self.burst_per_ip)
            .field("rate_per_chat_per_min", &self.rate_per_chat_per_min)
            .field("burst_per_chat", &self.burst_per_chat)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("chat_token_secret", &self.chat_token_secret.as_ref().map(|_| "<redacted>"))
            .field("chat_token_old_secrets", &self.chat_token_old_secrets.len())
            .field("cors_origins", &self.cors_origins)
            .finish()
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
    pub chat: ChatPageConfig,
    pub max_message_bytes: usize,
}

/// `[chat]`: how the web chat page presents the company. The page reads it
/// from `/chat/config.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatPageConfig {
    pub company: String,
    pub company_zh: String,
    /// An image URL (same origin, or `data:`), shown beside the name.
    pub logo_url: Option<String>,
    /// The header colour, `#rgb` or `#rrggbb`.
    pub accent: String,
    pub greeting_en: String,
    pub greeting_zh: String,
    /// Example questions shown as buttons before the first message.
    pub starters_en: Vec<String>,
    pub starters_zh: Vec<String>,
}

impl Default for ChatPageConfig {
    fn default() -> Self {
        Self {
            company: "Tradewind Power".into(),
            company_zh: "信风动力".into(),
            logo_url: None,
            accent: "#0b5cad".into(),
            greeting_en: "Hi! Tell us what you need: the product, the quantity and where it should go, and we will prepare a quotation.".into(),
            greeting_zh: "您好！请告诉我们您需要的产品、数量和目的地，我们会为您准备报价。".into(),
            starters_en: vec![
                "500 × 48V 20Ah e-bike battery packs to Hamburg, CIF".into(),
                "Do you have 10 kW three-phase hybrid inverters?".into(),
                "What are your payment terms and lead times?".into(),
            ],
            starters_zh: vec![
                "需要300个100W LED路灯，发到迪拜".into(),
                "有5千瓦混合逆变器吗？".into(),
                "付款方式和交货期是怎样的？".into(),
            ],
        }
    }
}
