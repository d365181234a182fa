//! Property tests of tool-argument validation, which sees whatever a model
//! (or a hostile prompt through it) writes: any JSON value against any of
//! our strict schemas gives a verdict, never a panic, and a valid instance
//! stays valid.

use proptest::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tradewind_ports::schema::{schema_of, to_strict, validate};

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Line {
    sku: String,
    quantity: Option<u32>,
    tags: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[allow(dead_code)]
enum Kind {
    Proposal,
    Customs,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Args {
    query: String,
    limit: Option<u8>,
    kind: Kind,
    lines: Vec<Line>,
    nested: Option<Box<Args>>,
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "\\PC{0,20}".prop_map(Value::String),
        prop_oneof![Just("Proposal"), Just("Customs"), Just("sku"), Just("query")].prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("query".to_string()),
                    Just("limit".to_string()),
                    Just("kind".to_string()),
                    Just("lines".to_string()),
                    Just("nested".to_string()),
                    Just("sku".to_string()),
                    Just("quantity".to_string()),
                    Just("tags".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_json_gets_a_verdict_against_a_strict_schema(v in json_value()) {
        let schema = to_strict(&schema_of::<Args>());
        let errors = validate(&schema, &v);
        // Whatever the verdict, a value serde accepts is never called invalid
        // for a reason serde would not also reject it.
        if errors.is_empty() {
            prop_assert!(v.is_object());
        }
    }

    #[test]
    fn a_valid_instance_is_valid(query in "\\PC{0,30}", limit in proptest::option::of(any::<u8>()), skus in prop::collection::vec("[A-Z0-9-]{1,12}", 0..4)) {
        let schema = to_strict(&schema_of::<Args>());
        let lines: Vec<Value> = skus.iter().map(|s| json!({"sku": s, "quantity": null, "tags": []})).collect();
        let v = json!({"query": query, "limit": limit, "kind": "Customs", "lines": lines, "nested": null});
        prop_assert!(validate(&schema, &v).is_empty(), "{:?}", validate(&schema, &v));
    }

    #[test]
    fn any_schema_shaped_value_is_made_strict_without_panicking(v in json_value()) {
        let _ = to_strict(&v);
        let _ = validate(&v, &v);
    }
}
