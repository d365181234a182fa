//! Property tests of the Telegram update triage, which reads whatever is
//! posted to the webhook: any bytes and any JSON get a verdict (serve,
//! ignore, malformed), never a panic; well-formed text messages are served.

use proptest::prelude::*;
use serde_json::{json, Value};
use tradewind_frontends::telegram::parse::{triage, triage_bytes, Triage};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("update_id".to_string()),
                    Just("message".to_string()),
                    Just("callback_query".to_string()),
                    Just("chat".to_string()),
                    Just("type".to_string()),
                    Just("text".to_string()),
                    Just("from".to_string()),
                    Just("id".to_string()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_get_a_verdict(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = triage_bytes(&body);
    }

    #[test]
    fn any_json_update_gets_a_verdict(v in json_value()) {
        let _ = triage(v.clone());
        let _ = triage_bytes(v.to_string().as_bytes());
    }

    #[test]
    fn a_text_message_from_a_private_chat_is_served(
        update_id in 0u32..u32::MAX, chat in any::<i64>(), text in "\\PC{1,200}", date in 0i64..4_000_000_000,
    ) {
        let update = json!({
            "update_id": update_id,
            "message": {
                "message_id": 1, "date": date,
                "chat": {"id": chat, "type": "private", "first_name": "A"},
                "from": {"id": 7, "is_bot": false, "first_name": "A"},
                "text": text
            }
        });
        prop_assert!(matches!(triage(update), Triage::Serve(_)));
    }
}
