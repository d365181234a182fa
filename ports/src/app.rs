//! The application port: the one function every front end and runtime
//! calls, and the one error type they all map (to HTTP status, to a
//! customer-safe message).

use async_trait::async_trait;
use tradewind_core::SwarmResult;

/// Every failure a front end can see, with one mapping to HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    NotFound(String),
    #[error("a backing service is unavailable: {0}")]
    Unavailable(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("configuration error: {0}")]
    Config(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The single, exhaustive mapping to HTTP status codes.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::BadInput(_) => 400,
            AppError::NotFound(_) => 404,
            AppError::TooLarge(_) => 413,
            AppError::Config(_) | AppError::Internal(_) => 500,
            AppError::Unavailable(_) => 503,
            AppError::Timeout(_) => 504,
        }
    }

    /// What a customer may be told: never internal details.
    /// The customer-safe text in the language of the customer's message
    /// (Chinese when it is mostly Han script, else English).
    pub fn customer_message_for(&self, customer_text: &str) -> &'static str {
        let han = customer_text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
        let letters = customer_text.chars().filter(|c| c.is_alphabetic()).count();
        if han > 0 && han * 2 >= letters {
            match self {
                AppError::BadInput(_) => "抱歉，我们没能读懂这条消息。请用几句话说明您的需求。",
                AppError::TooLarge(_) => "您的消息太长，我们无法处理。请缩短到 16 KB 以内后重新发送。",
                AppError::NotFound(_) => "没有找到相关内容。",
                AppError::Timeout(_) | AppError::Unavailable(_) | AppError::Config(_) | AppError::Internal(_) => {
                    "抱歉，我们这边出了点问题。团队已收到通知，会尽快回复您。"
                }
            }
        } else {
            self.customer_message()
        }
    }

    pub fn customer_message(&self) -> &'static str {
        match self {
            AppError::BadInput(_) => {
                "Sorry, we could not read that message. Please write what you need in a few words."
            }
            AppError::TooLarge(_) => {
                "Your message is too long for us to process. Please shorten it (under 16 KB) and send it again."
            }
            AppError::NotFound(_) => "We could not find that.",
            AppError::Timeout(_) | AppError::Unavailable(_) | AppError::Config(_) | AppError::Internal(_) => {
                "Sorry, something went wrong on our side. Our team has been notified and will reply shortly."
            }
        }
    }
}

/// A message from any front end.
#[derive(Debug, Clone, Default)]
pub struct IncomingMessage {
    pub channel: String,
    pub user: String,
    pub text: String,
    /// The chat (conversation) within the channel; the user when absent.
    pub chat: Option<String>,
    /// Start a new inquiry even if the conversation has one open.
    pub start_new: bool,
    /// A phone number the channel vouches belongs to the sender.
    pub verified_phone: Option<String>,
    /// Set when the message is the customer's verdict on an earlier answer
    /// (a "not helpful" button) rather than something to answer.
    pub feedback: Option<crate::strategy::Feedback>,
}

impl IncomingMessage {
    pub fn new(channel: impl Into<String>, user: impl Into<String>, text: impl Into<String>) -> Self {
        Self { channel: channel.into(), user: user.into(), text: text.into(), ..Self::default() }
    }
}

/// The application as runtimes see it: one message in, everything out.
/// The cluster runtime depends on this trait, not on the wiring, so it can
/// be tested against a fake swarm.
#[async_trait]
pub trait Application: Send + Sync + 'static {
    /// Runs one message under a caller-chosen inquiry id. The cluster derives
    /// the id from the channel's message id, so that a rerun after a crash
    /// stores its result under the same id (exactly-once completion).
    async fn handle(&self, msg: IncomingMessage, inquiry_id: String) -> Result<SwarmResult, AppError>;

    /// A result stored earlier under `inquiry_id`, if any.
    async fn stored_result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, AppError>;

    /// Messages longer than this are refused before anything runs.
    fn max_message_bytes(&self) -> usize;
}
