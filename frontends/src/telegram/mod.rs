//! The Telegram front end, with teloxide as the Bot API client: updates come
//! in by long polling or a webhook, become `InboundMessage`s, and the
//! replies go back as messages with an inline keyboard of FAQ quick
//! replies and a "not helpful" button. Pressing a card's button answers
//! with that card's answer; pressing "not helpful" sends the ingress a
//! feedback message about that answer's inquiry.
//!
//! Identity: `chat_id` is Telegram's chat id, `user` the sender's user id,
//! and `message_id` is `{chat_id}:{message_id}` because Telegram numbers
//! messages per chat; the ingress dedupes on it, so a redelivered update is
//! answered once.

pub mod parse;
mod render;
pub mod webhook;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use teloxide::payloads::{GetUpdatesSetters, SendMessageSetters, SetWebhookSetters};
use teloxide::requests::{Request, Requester};
use teloxide::types::{
    AllowedUpdate, CallbackQuery, CallbackQueryId, ChatId, InlineKeyboardButtonKind, InlineKeyboardMarkup, Message,
    Update, UpdateKind,
};
use teloxide::{Bot, RequestError};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::TelegramConfig;
use crate::{check_size, InFlight};
use tradewind_ports::ingress::{InboundMessage, Ingress, OutboundReply, Submitted};
use tradewind_ports::AppError;

pub const CHANNEL: &str = "telegram";
/// Message ids of feedback: `feedback:{chat}:{inquiry}`, one per inquiry
/// and chat, so pressing again is a duplicate.
const FEEDBACK_ID_PREFIX: &str = "feedback:";

/// Senders working in parallel. A chat always uses the same one, so its
/// messages go out in order; a slow or failing chat holds up only its shard.
const SENDER_SHARDS: usize = 8;
const SHARD_QUEUE: usize = 256;
/// Cards remembered for their buttons; an older button falls back to asking
/// the swarm the button's question.
const CARD_MEMORY: usize = 4096;
/// Callback queries and refusals remembered, so a redelivery is not answered twice.
const RECENT_MEMORY: usize = 4096;
const SEND_ATTEMPTS: usize = 4;
const UPDATES: [AllowedUpdate; 2] = [AllowedUpdate::Message, AllowedUpdate::CallbackQuery];

/// One thing to send, in its chat's order.
#[derive(Debug)]
enum Outgoing {
    Text {
        chat: ChatId,
        text: String,
        keyboard: Option<InlineKeyboardMarkup>,
        /// The accepted message this answers (drain bookkeeping).
        owed: Option<String>,
    },
    /// Stops the button's spinner in the client.
    AnswerCallback { chat: ChatId, id: CallbackQueryId },
}

impl Outgoing {
    fn chat(&self) -> ChatId {
        match self {
            Outgoing::Text { chat, .. } | Outgoing::AnswerCallback { chat, .. } => *chat,
        }
    }
}

#[derive(Debug, Clone)]
struct Card {
    answer: String,
}

pub struct Telegram {
    bot: Bot,
    ingress: Arc<dyn Ingress>,
    inflight: Arc<InFlight>,
    max_message_bytes: usize,
    cards: Mutex<Bounded<Card>>,
    recent: Mutex<Bounded<()>>,
    outbox: Vec<mpsc::Sender<Outgoing>>,
    /// The outbox's receiving ends until `launch_sender` takes them.
    pending_receivers: Mutex<Vec<mpsc::Receiver<Outgoing>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each guarded structure is updated by single inserts; a panic elsewhere
    // cannot leave it half-changed, so a poisoned lock is still sound.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Telegram {
    pub fn new(
        token: &str,
        config: &TelegramConfig,
        max_message_bytes: usize,
        ingress: Arc<dyn Ingress>,
        inflight: Arc<InFlight>,
    ) -> Result<Arc<Self>, AppError> {
        let api_url = url::Url::parse(config.api_url.trim_end_matches('/'))
            .map_err(|e| AppError::Config(format!("[telegram] api_url '{}': {e}", config.api_url)))?;
        // teloxide's default client times out at 17 s, which a long poll must
        // stay under; ours leaves room for the configured poll timeout.
        let client = teloxide::net::default_reqwest_settings()
            .timeout(Duration::from_secs(u64::from(config.poll_timeout_secs) + 15))
            .build()
            .map_err(|e| AppError::Config(format!("telegram HTTP client: {e}")))?;
        let bot = Bot::with_client(token, client).set_api_url(api_url);
        let (outbox, receivers): (Vec<_>, Vec<_>) = (0..SENDER_SHARDS).map(|_| mpsc::channel(SHARD_QUEUE)).unzip();
        Ok(Arc::new(Self {
            bot,
            ingress,
            inflight,
            max_message_bytes,
            cards: Mutex::new(Bounded::new(CARD_MEMORY)),
            recent: Mutex::new(Bounded::new(RECENT_MEMORY)),
            outbox,
            pending_receivers: Mutex::new(receivers),
        }))
    }

    /// Starts the senders and the loop that routes this channel's replies to
    /// them. They run until `closing`.
    pub fn launch_sender(
        self: &Arc<Self>,
        tasks: &mut JoinSet<Result<(), AppError>>,
        replies: broadcast::Receiver<OutboundReply>,
        closing: CancellationToken,
    ) {
        for rx in std::mem::take(&mut *lock(&self.pending_receivers)) {
            let (tg, closing) = (self.clone(), closing.clone());
            tasks.spawn(async move { tg.send_loop(rx, closing).await });
        }
        let tg = self.clone();
        tasks.spawn(async move { tg.reply_loop(replies, closing).await });
    }

    /// Registers the webhook when `webhook_url` is set (with the secret, so
    /// Telegram echoes it on every call). Unset means it is managed elsewhere.
    pub async fn register_webhook(&self, config: &TelegramConfig) -> Result<(), AppError> {
        let Some(url) = &config.webhook_url else {
            return Ok(());
        };
        let secret = config.webhook_secret.clone().ok_or_else(|| {
            AppError::Config("[telegram] mode = \"webhook\" needs webhook_secret (TELEGRAM_WEBHOOK_SECRET)".into())
        })?;
        let url = url::Url::parse(url).map_err(|e| AppError::Config(format!("[telegram] webhook_url '{url}': {e}")))?;
        self.bot
            .set_webhook(url)
            .secret_token(secret)
            .allowed_updates(UPDATES)
            .send()
            .await
            .map_err(|e| AppError::Unavailable(format!("telegram setWebhook: {e}")))?;
        Ok(())
    }

    /// Long polling until `stop`. An update is confirmed (the offset moves
    /// past it) only once the ingress has taken it; when the ingress is
    /// unavailable the same update is fetched again after a backoff.
    pub async fn poll(&self, timeout_secs: u32, stop: CancellationToken) -> Result<(), AppError> {
        let mut backoff = Backoff::default();
        // getUpdates is refused while a webhook is registered.
        loop {
            let done = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                r = self.bot.delete_webhook().send() => r,
            };
            match done {
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %self.describe(&e), "telegram deleteWebhook failed; retrying");
                    if !backoff.sleep(&stop).await {
                        return Ok(());
                    }
                }
            }
        }
        backoff.reset();
        let mut offset: Option<i32> = None;
        while !stop.is_cancelled() {
            let mut req = self.bot.get_updates().timeout(timeout_secs).allowed_updates(UPDATES);
            if let Some(o) = offset {
                req = req.offset(o);
            }
            let updates = tokio::select! {
                _ = stop.cancelled() => break,
                r = req.send() => r,
            };
            let updates = match updates {
                Ok(u) => u,
                Err(e) => {
                    tracing::warn!(error = %self.describe(&e), "telegram getUpdates failed");
                    if !backoff.sleep(&stop).await {
                        break;
                    }
                    continue;
                }
            };
            let mut failed = false;
            for update in updates {
                let next = update.id.as_offset();
                match self.handle_polled(update).await {
                    Ok(()) => offset = Some(next),
                    Err(e) => {
                        tracing::warn!(error = %e, "telegram update not taken; fetching it again");
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                if !backoff.sleep(&stop).await {
                    break;
                }
            } else {
                backoff.reset();
            }
        }
        // Confirms the handled updates so a restart does not fetch them
        // again (dedupe would catch them, this saves the work). Best effort.
        if let Some(o) = offset {
            let confirm = self.bot.get_updates().offset(o).timeout(0).limit(1).send();
            if let Ok(Err(e)) = tokio::time::timeout(Duration::from_secs(2), confirm).await {
                tracing::debug!(error = %self.describe(&e), "could not confirm the last telegram updates");
            }
        }
        Ok(())
    }

    async fn handle_polled(&self, update: Update) -> Result<(), AppError> {
        match update.kind {
            // teloxide could not read it; the raw update says why.
            UpdateKind::Error(raw) => match parse::triage(raw) {
                parse::Triage::Serve(u) => self.handle(*u).await,
                parse::Triage::Ignore(why) => {
                    tracing::info!(update_id = update.id.0, reason = %why, "telegram update ignored");
                    Ok(())
                }
                parse::Triage::Malformed(why) => {
                    tracing::warn!(update_id = update.id.0, reason = %why, "malformed telegram update skipped");
                    Ok(())
                }
            },
            _ => self.handle(update).await,
        }
    }

    /// Takes one readable update. An error means the update was not taken
    /// and should be delivered again (webhook: non-2xx; polling: same offset).
    pub async fn handle(&self, update: Update) -> Result<(), AppError> {
        match update.kind {
            UpdateKind::Message(m) => self.on_message(m).await,
            UpdateKind::CallbackQuery(q) => self.on_callback(q).await,
            _ => {
                tracing::info!(update_id = update.id.0, "telegram update kind not served; ignored");
                Ok(())
            }
        }
    }

    async fn on_message(&self, m: Message) -> Result<(), AppError> {
        let chat = m.chat.id;
        if !(m.chat.is_private() || m.chat.is_group() || m.chat.is_supergroup()) {
            tracing::info!(chat = chat.0, "telegram message from a chat type not served; ignored");
            return Ok(());
        }
        let message_id = format!("{}:{}", chat.0, m.id.0);
        // A contact the sender shared themselves: Telegram vouches that the
        // phone number is theirs. (A contact of someone else proves nothing.)
        let sender = m.from.as_ref().map(|u| u.id);
        let verified_phone =
            m.contact().filter(|c| c.user_id.is_some() && c.user_id == sender).map(|c| c.phone_number.clone());
        let Some(text) = m.text().or_else(|| m.caption()).or(verified_phone.as_deref()) else {
            // Service messages in groups (joins, pins) carry no text and want
            // no answer; in a private chat it is a sticker or a voice note.
            if m.chat.is_private() {
                self.refuse(chat, &message_id, AppError::BadInput("the message has no text".into())).await;
            } else {
                tracing::debug!(chat = chat.0, "telegram group message without text ignored");
            }
            return Ok(());
        };
        if let Err(e) = check_size(text, self.max_message_bytes) {
            self.refuse(chat, &message_id, e).await;
            return Ok(());
        }
        let user = m.from.as_ref().map_or_else(|| chat.0.to_string(), |u| u.id.0.to_string());
        self.submit(InboundMessage {
            channel: CHANNEL.into(),
            chat_id: chat.0.to_string(),
            user,
            message_id,
            text: text.to_string(),
            received_at_ms: tradewind_core::now_ms(),
            start_new: false,
            verified_phone,
            feedback: None,
        })
        .await
    }

    /// Tells the customer why their message is not taken, once per message:
    /// these never reach the ingress, so its dedupe cannot catch a redelivery.
    async fn refuse(&self, chat: ChatId, message_id: &str, e: AppError) {
        tracing::info!(chat = chat.0, message_id, error = %e, "telegram message refused");
        if lock(&self.recent).insert(format!("refused:{message_id}"), ()) {
            self.enqueue(text_to(chat, e.customer_message())).await;
        }
    }

    async fn submit(&self, msg: InboundMessage) -> Result<(), AppError> {
        let chat = msg.chat_id.parse().map(ChatId).ok();
        let message_id = msg.message_id.clone();
        // Owed before it is submitted: the reply may come back before
        // `submit` returns.
        let owed = self.inflight.add(CHANNEL, &message_id);
        let settle = || {
            if owed {
                self.inflight.done(CHANNEL, &message_id);
            }
        };
        match self.ingress.submit(msg).await {
            Ok(Submitted::Accepted) => Ok(()),
            Ok(Submitted::Duplicate) => {
                settle();
                tracing::info!(message_id, "telegram redelivery ignored");
                Ok(())
            }
            Err(e) => {
                settle();
                if e.http_status() >= 500 {
                    return Err(e);
                }
                tracing::info!(message_id, error = %e, "telegram message refused");
                if let Some(chat) = chat {
                    self.enqueue(text_to(chat, e.customer_message())).await;
                }
                Ok(())
            }
        }
    }

    async fn on_callback(&self, q: CallbackQuery) -> Result<(), AppError> {
        if !lock(&self.recent).insert(format!("callback:{}", q.id.0), ()) {
            tracing::info!(callback = %q.id.0, "telegram callback redelivery ignored");
            return Ok(());
        }
        // Without the message (an inline-mode button) the private chat with
        // the presser has the presser's id.
        let chat = q.message.as_ref().map_or(ChatId(q.from.id.0 as i64), |m| m.chat().id);
        let data = q.data.clone().unwrap_or_default();
        self.enqueue(Outgoing::AnswerCallback { chat, id: q.id.clone() }).await;
        if let Some(inquiry_id) = data.strip_prefix(render::FEEDBACK_PREFIX) {
            return self.on_feedback(chat, &q, inquiry_id).await;
        }
        let card = lock(&self.cards).get(&data).cloned();
        if let Some(card) = card {
            self.enqueue(text_to(chat, &card.answer)).await;
            return Ok(());
        }
        // Forgotten (a restart, or an old button): ask the swarm the
        // button's question instead.
        let question = q.message.as_ref().and_then(|m| m.regular_message()).and_then(|m| button_text(m, &data));
        match question {
            Some(text) => {
                self.submit(InboundMessage {
                    channel: CHANNEL.into(),
                    chat_id: chat.0.to_string(),
                    user: q.from.id.0.to_string(),
                    message_id: format!("callback:{}", q.id.0),
                    text,
                    received_at_ms: tradewind_core::now_ms(),
                    ..InboundMessage::default()
                })
                .await
            }
            None => {
                tracing::info!(data, "telegram callback for an unknown button ignored");
                Ok(())
            }
        }
    }

    /// A "not helpful" press: the verdict on `inquiry_id`, from the presser,
    /// in the chat the button is in.
    async fn on_feedback(&self, chat: ChatId, q: &CallbackQuery, inquiry_id: &str) -> Result<(), AppError> {
        let feedback = match crate::feedback::verdict(inquiry_id, false) {
            Ok(f) => f,
            Err(e) => {
                // Only a forged press can carry this; nothing to tell a customer.
                tracing::info!(error = %e, "telegram feedback for a malformed inquiry id ignored");
                return Ok(());
            }
        };
        self.submit(InboundMessage {
            channel: CHANNEL.into(),
            chat_id: chat.0.to_string(),
            user: q.from.id.0.to_string(),
            message_id: format!("{FEEDBACK_ID_PREFIX}{}:{inquiry_id}", chat.0),
            text: crate::feedback::marker(false).into(),
            received_at_ms: tradewind_core::now_ms(),
            feedback: Some(feedback),
            ..InboundMessage::default()
        })
        .await
    }

    async fn reply_loop(
        &self,
        mut rx: broadcast::Receiver<OutboundReply>,
        closing: CancellationToken,
    ) -> Result<(), AppError> {
        loop {
            let next = tokio::select! {
                _ = closing.cancelled() => break,
                r = rx.recv() => r,
            };
            match next {
                Ok(reply) if reply.channel == CHANNEL => self.route_reply(reply).await,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::error!(missed = n, "telegram front end fell behind the replies; some were lost");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
        Ok(())
    }

    async fn route_reply(&self, reply: OutboundReply) {
        let Ok(chat) = reply.chat_id.parse::<i64>().map(ChatId) else {
            tracing::warn!(chat_id = reply.chat_id, "telegram reply for a chat id that is not a number; dropped");
            self.inflight.done(CHANNEL, &reply.message_id);
            return;
        };
        // An answer can be rated; an error or the acknowledgement of a
        // rating cannot.
        let feedback = match &reply.inquiry_id {
            Some(id) if !reply.message_id.starts_with(FEEDBACK_ID_PREFIX) => {
                crate::feedback::check_inquiry_id(id).ok().and_then(|()| render::feedback_button(id, &reply.text))
            }
            _ => None,
        };
        let keyboard = if reply.error.is_none() { render::keyboard(&reply.quick_replies, feedback) } else { None };
        if keyboard.is_some() {
            let mut cards = lock(&self.cards);
            for q in &reply.quick_replies {
                cards.insert(render::callback_data(&q.card_id), Card { answer: q.answer.clone() });
            }
        }
        self.enqueue(Outgoing::Text { chat, text: reply.text, keyboard, owed: Some(reply.message_id) }).await;
    }

    async fn enqueue(&self, out: Outgoing) {
        let shard = (out.chat().0.unsigned_abs() % SENDER_SHARDS as u64) as usize;
        if let Err(mpsc::error::SendError(out)) = self.outbox[shard].send(out).await {
            tracing::warn!(chat = out.chat().0, "telegram senders have stopped; message dropped");
            if let Outgoing::Text { owed: Some(id), .. } = out {
                self.inflight.done(CHANNEL, &id);
            }
        }
    }

    async fn send_loop(&self, mut rx: mpsc::Receiver<Outgoing>, closing: CancellationToken) -> Result<(), AppError> {
        loop {
            let out = tokio::select! {
                biased;
                _ = closing.cancelled() => break,
                m = rx.recv() => match m {
                    Some(m) => m,
                    None => break,
                },
            };
            match out {
                Outgoing::Text { chat, text, keyboard, owed } => {
                    self.send_text(chat, &text, keyboard).await;
                    if let Some(id) = owed {
                        self.inflight.done(CHANNEL, &id);
                    }
                }
                Outgoing::AnswerCallback { id, .. } => {
                    let id_text = id.0.clone();
                    if let Err(e) = self.with_retries(|| self.bot.answer_callback_query(id.clone()).send()).await {
                        tracing::warn!(callback = %id_text, error = %self.describe(&e), "telegram answerCallbackQuery failed");
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends `text` in as many messages as Telegram's limit needs, with the
    /// keyboard under the last one.
    async fn send_text(&self, mut chat: ChatId, text: &str, keyboard: Option<InlineKeyboardMarkup>) {
        let parts = render::split_text(text, render::MAX_TEXT_CHARS);
        if parts.is_empty() {
            tracing::warn!(chat = chat.0, "empty telegram reply not sent");
            return;
        }
        let last = parts.len() - 1;
        for (i, part) in parts.into_iter().enumerate() {
            let kb = if i == last { keyboard.clone() } else { None };
            let send = |chat: ChatId| {
                let mut req = self.bot.send_message(chat, part.clone());
                if let Some(kb) = &kb {
                    req = req.reply_markup(kb.clone());
                }
                req.send()
            };
            let mut result = self.with_retries(|| send(chat)).await;
            // The group became a supergroup: same conversation, new id.
            if let Err(RequestError::MigrateToChatId(new)) = result {
                chat = new;
                result = self.with_retries(|| send(chat)).await;
            }
            if let Err(e) = result {
                tracing::warn!(chat = chat.0, error = %self.describe(&e), "telegram sendMessage failed; reply dropped");
                return;
            }
        }
    }

    /// Retries what Telegram says to retry (429 with `retry_after`) and
    /// network failures, a few times; API refusals (blocked by the user, a
    /// deleted chat) are final.
    async fn with_retries<T, F, Fut>(&self, mut call: F) -> Result<T, RequestError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, RequestError>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let err = match call().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let wait = match &err {
                RequestError::RetryAfter(s) => s.duration().min(Duration::from_secs(30)),
                RequestError::Network(_) | RequestError::Io(_) => Duration::from_millis(250 << attempt.min(5)),
                _ => return Err(err),
            };
            if attempt >= SEND_ATTEMPTS {
                return Err(err);
            }
            tokio::time::sleep(wait).await;
        }
    }
}

impl Telegram {
    /// An error fit for the log: reqwest puts the request URL, and so the
    /// bot token, in its messages; teloxide's `InvalidJson` carries the
    /// whole raw response.
    fn describe(&self, e: &RequestError) -> String {
        let s = e.to_string().replace(self.bot.token(), "<token>");
        match s.char_indices().nth(300) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s,
        }
    }
}

fn text_to(chat: ChatId, text: &str) -> Outgoing {
    Outgoing::Text { chat, text: text.to_string(), keyboard: None, owed: None }
}

/// The label of the button in `m`'s keyboard that carries `data`.
fn button_text(m: &Message, data: &str) -> Option<String> {
    m.reply_markup()?
        .inline_keyboard
        .iter()
        .flatten()
        .find(|b| matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d) if d == data))
        .map(|b| b.text.trim_end_matches('…').to_string())
}

/// A map that forgets its oldest entries past a capacity.
struct Bounded<V> {
    map: HashMap<String, V>,
    order: VecDeque<String>,
    cap: usize,
}

impl<V> Bounded<V> {
    fn new(cap: usize) -> Self {
        Self { map: HashMap::new(), order: VecDeque::new(), cap: cap.max(1) }
    }

    /// True when `key` was not there.
    fn insert(&mut self, key: String, value: V) -> bool {
        if let Some(v) = self.map.get_mut(&key) {
            *v = value;
            return false;
        }
        if self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
        true
    }

    fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }
}

/// Exponential backoff for the polling loop, interrupted by `stop`.
#[derive(Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn reset(&mut self) {
        self.failures = 0;
    }

    /// False when `stop` fired while waiting.
    async fn sleep(&mut self, stop: &CancellationToken) -> bool {
        self.failures = self.failures.saturating_add(1);
        let wait = Duration::from_millis(250u64 << self.failures.min(7)).min(Duration::from_secs(30));
        tokio::select! {
            _ = stop.cancelled() => false,
            _ = tokio::time::sleep(wait) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_errors_never_show_the_token() {
        let config = TelegramConfig { api_url: "http://127.0.0.1:9".into(), ..TelegramConfig::default() };
        struct Nowhere;
        #[async_trait::async_trait]
        impl Ingress for Nowhere {
            async fn submit(&self, _: InboundMessage) -> Result<Submitted, AppError> {
                Err(AppError::Unavailable("test".into()))
            }
            fn subscribe(&self) -> broadcast::Receiver<OutboundReply> {
                broadcast::channel(1).1
            }
        }
        let tg = Telegram::new("42:secret-token", &config, 16_384, Arc::new(Nowhere), Arc::new(InFlight::default()))
            .unwrap();
        let e = RequestError::InvalidJson {
            source: Arc::new(serde_json::from_str::<u8>("x").unwrap_err()),
            raw: format!("url /bot42:secret-token/GetMe {}", "z".repeat(1000)).into(),
        };
        let shown = tg.describe(&e);
        assert!(!shown.contains("secret-token") && shown.contains("<token>"), "{shown}");
        assert!(shown.chars().count() <= 301);
    }

    #[test]
    fn bounded_map_forgets_the_oldest_and_reports_repeats() {
        let mut b = Bounded::new(2);
        assert!(b.insert("a".into(), 1));
        assert!(!b.insert("a".into(), 2));
        assert!(b.insert("b".into(), 3));
        assert!(b.insert("c".into(), 4));
        assert!(b.get("a").is_none());
        assert_eq!(b.get("c"), Some(&4));
    }
}
