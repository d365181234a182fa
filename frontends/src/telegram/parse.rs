//! Sorting raw Telegram updates into the ones we serve, the ones we ignore
//! (kinds and chat types we do not serve, logged) and malformed ones (400 in
//! webhook mode, logged). teloxide alone cannot tell these apart: it turns
//! anything it cannot read into an empty `UpdateKind::Error`.

use serde_json::Value;
use teloxide::types::{CallbackQuery, Message, Update, UpdateId, UpdateKind};

/// What to do with one update.
#[derive(Debug)]
pub enum Triage {
    Serve(Box<Update>),
    /// Well-formed enough, but not for us; the reason goes to the log.
    Ignore(String),
    /// The reason goes to the sender (webhook 400) and the log.
    Malformed(String),
}

/// Chat types a customer can write to the bot from. Channels are
/// broadcast-only; anything newer than this list is ignored, not refused.
const SERVED_CHAT_TYPES: [&str; 3] = ["private", "group", "supergroup"];
const KNOWN_CHAT_TYPES: [&str; 4] = ["private", "group", "supergroup", "channel"];

pub fn triage_bytes(body: &[u8]) -> Triage {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => triage(v),
        Err(e) => Triage::Malformed(format!("the body is not JSON: {e}")),
    }
}

pub fn triage(raw: Value) -> Triage {
    let Value::Object(mut map) = raw else {
        return Triage::Malformed("an update must be a JSON object".into());
    };
    let id = match map.remove("update_id").as_ref().and_then(Value::as_u64).map(u32::try_from) {
        Some(Ok(id)) => UpdateId(id),
        _ => return Triage::Malformed("update_id is missing or not an unsigned 32-bit integer".into()),
    };
    let mut entries = map.into_iter();
    let (kind, body) = match (entries.next(), entries.next()) {
        (Some(one), None) => one,
        (None, _) => return Triage::Malformed("the update carries nothing besides update_id".into()),
        (Some((a, _)), Some((b, _))) => {
            return Triage::Malformed(format!("an update carries exactly one kind; this one has '{a}' and '{b}'"))
        }
    };
    match kind.as_str() {
        "message" => {
            let chat_type = body.get("chat").and_then(|c| c.get("type")).and_then(Value::as_str);
            match chat_type {
                Some(t) if !KNOWN_CHAT_TYPES.contains(&t) => {
                    return Triage::Ignore(format!("unknown chat type '{t}'"));
                }
                Some(t) if !SERVED_CHAT_TYPES.contains(&t) => {
                    return Triage::Ignore(format!("messages from '{t}' chats are not served"));
                }
                _ => {}
            }
            match serde_json::from_value::<Message>(body) {
                Ok(m) => Triage::Serve(Box::new(Update { id, kind: UpdateKind::Message(m) })),
                Err(e) => Triage::Malformed(format!("message: {e}")),
            }
        }
        "callback_query" => match serde_json::from_value::<CallbackQuery>(body) {
            Ok(q) => Triage::Serve(Box::new(Update { id, kind: UpdateKind::CallbackQuery(q) })),
            Err(e) => Triage::Malformed(format!("callback_query: {e}")),
        },
        other => Triage::Ignore(format!("update kind '{other}' is not served")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(chat_type: &str) -> Value {
        json!({
            "update_id": 7,
            "message": {
                "message_id": 3,
                "date": 1_700_000_000,
                "chat": {"id": 42, "type": chat_type, "first_name": "Ana", "title": "T"},
                "from": {"id": 42, "is_bot": false, "first_name": "Ana"},
                "text": "hello"
            }
        })
    }

    #[test]
    fn a_private_text_message_is_served() {
        match triage(message("private")) {
            Triage::Serve(u) => assert!(matches!(u.kind, UpdateKind::Message(_)) && u.id == UpdateId(7)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_chat_types_and_update_kinds_are_ignored_not_refused() {
        assert!(matches!(triage(message("hologram")), Triage::Ignore(r) if r.contains("hologram")));
        assert!(matches!(triage(message("channel")), Triage::Ignore(_)));
        let poll = json!({"update_id": 8, "poll": {"id": "1"}});
        assert!(matches!(triage(poll), Triage::Ignore(r) if r.contains("poll")));
    }

    #[test]
    fn malformed_updates_say_what_is_wrong() {
        let cases = [
            (json!([1, 2]), "JSON object"),
            (json!({"message": {}}), "update_id"),
            (json!({"update_id": -1, "message": {}}), "update_id"),
            (json!({"update_id": 1}), "nothing besides"),
            (json!({"update_id": 1, "message": {"text": "hi"}}), "message:"),
            (json!({"update_id": 1, "message": {}, "callback_query": {}}), "exactly one"),
            (json!({"update_id": 1, "callback_query": {"id": 5}}), "callback_query:"),
        ];
        for (raw, needle) in cases {
            match triage(raw.clone()) {
                Triage::Malformed(r) => assert!(r.contains(needle), "{raw}: {r}"),
                other => panic!("{raw}: {other:?}"),
            }
        }
        assert!(matches!(triage_bytes(b"{not json"), Triage::Malformed(r) if r.contains("not JSON")));
    }
}
