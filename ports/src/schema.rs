//! JSON Schema handling for tool arguments: generation from `schemars`,
//! conversion to OpenAI strict mode, and validation of raw arguments.
//!
//! We validate ourselves (a small subset of JSON Schema: exactly what
//! `schemars` emits for our argument structs) so that errors read like
//! instructions a model can act on: "at $.quantity: expected integer, got
//! string \"800\"".

use schemars::JsonSchema;
use serde_json::{Map, Value};

/// The schema of `T` with every subschema inlined (no `$ref`), so that the
/// validator and strict mode need no reference resolution.
pub fn schema_of<T: JsonSchema>() -> Value {
    let settings = schemars::generate::SchemaSettings::draft07().with(|s| {
        s.inline_subschemas = true;
    });
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut v = schema.to_value();
    if let Some(obj) = v.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
        obj.remove("definitions");
        obj.remove("$defs");
    }
    v
}

/// OpenAI strict mode: every object closed (`additionalProperties: false`),
/// every property listed in `required`, and properties that were optional
/// made nullable. Keywords strict mode rejects (`format`, `default`) go.
pub fn to_strict(schema: &Value) -> Value {
    let mut v = schema.clone();
    strictify(&mut v);
    v
}

fn strictify(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    obj.remove("format");
    obj.remove("default");
    obj.remove("title");
    if let Some(props) = obj.get("properties").and_then(Value::as_object).cloned() {
        let required: Vec<String> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let mut new_props = Map::new();
        for (name, mut p) in props {
            strictify(&mut p);
            if !required.contains(&name) {
                make_nullable(&mut p);
            }
            new_props.insert(name, p);
        }
        let all: Vec<Value> = new_props.keys().map(|k| Value::String(k.clone())).collect();
        obj.insert("properties".into(), Value::Object(new_props));
        obj.insert("required".into(), Value::Array(all));
        obj.insert("additionalProperties".into(), Value::Bool(false));
    }
    for key in ["items", "additionalItems"] {
        if let Some(sub) = obj.get_mut(key) {
            strictify(sub);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(subs)) = obj.get_mut(key) {
            for s in subs {
                strictify(s);
            }
        }
    }
}

fn make_nullable(p: &mut Value) {
    let Some(obj) = p.as_object_mut() else { return };
    match obj.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = t.clone();
            obj.insert("type".into(), serde_json::json!([t, "null"]));
        }
        Some(Value::Array(ts)) => {
            if !ts.iter().any(|t| t == "null") {
                ts.push(Value::String("null".into()));
            }
        }
        Some(_) => {}
        None => {
            let inner = std::mem::take(obj);
            obj.insert("anyOf".into(), serde_json::json!([Value::Object(inner), {"type": "null"}]));
        }
    }
    if let Some(Value::Array(e)) = obj.get_mut("enum") {
        if !e.contains(&Value::Null) {
            e.push(Value::Null);
        }
    }
}

/// Validates `value` against `schema`; returns every violation found, each
/// prefixed with its JSON path. An empty vector means valid.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    check(schema, value, "$", &mut errs);
    errs
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, v: &Value) -> bool {
    match expected {
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0 && f.is_finite()),
        other => type_name(v) == other,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn check(schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let Some(s) = schema.as_object() else { return };

    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = s.get(key) {
            let ok = alts.iter().any(|alt| {
                let mut e = Vec::new();
                check(alt, v, path, &mut e);
                e.is_empty()
            });
            if !ok {
                // Report the alternative closest to matching: the first whose
                // type fits, else a summary.
                let mut best: Option<Vec<String>> = None;
                for alt in alts {
                    let mut e = Vec::new();
                    check(alt, v, path, &mut e);
                    if best.as_ref().is_none_or(|b| e.len() < b.len()) {
                        best = Some(e);
                    }
                }
                errs.extend(best.unwrap_or_default());
                return;
            }
        }
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            check(sub, v, path, errs);
        }
    }

    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_matches(t, v),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_matches(t, v)),
            _ => true,
        };
        if !ok {
            let expected = match t {
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" or "),
                other => other.as_str().unwrap_or("?").to_string(),
            };
            errs.push(format!("at {path}: expected {expected}, got {} {}", type_name(v), short(v)));
            return;
        }
    }
    if let Some(Value::Array(options)) = s.get("enum") {
        if !options.contains(v) {
            let opts: Vec<String> = options.iter().map(|o| o.to_string()).collect();
            errs.push(format!("at {path}: {} is not one of [{}]", short(v), opts.join(", ")));
        }
    }
    if let Some(c) = s.get("const") {
        if c != v {
            errs.push(format!("at {path}: must be {c}"));
        }
    }
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
                if f < min {
                    errs.push(format!("at {path}: {f} is below the minimum {min}"));
                }
            }
            if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
                if f > max {
                    errs.push(format!("at {path}: {f} is above the maximum {max}"));
                }
            }
        }
        Value::String(st) => {
            let n = st.chars().count() as u64;
            if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
                if n < min {
                    errs.push(format!("at {path}: must have at least {min} characters"));
                }
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
                if n > max {
                    errs.push(format!("at {path}: must have at most {max} characters, got {n}"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
                if (items.len() as u64) < min {
                    errs.push(format!("at {path}: needs at least {min} items"));
                }
            }
            if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
                if (items.len() as u64) > max {
                    errs.push(format!("at {path}: allows at most {max} items"));
                }
            }
            if let Some(item_schema) = s.get("items") {
                for (i, it) in items.iter().enumerate() {
                    check(item_schema, it, &format!("{path}[{i}]"), errs);
                }
            }
        }
        Value::Object(map) => {
            let props = s.get("properties").and_then(Value::as_object);
            if let Some(Value::Array(req)) = s.get("required") {
                for r in req.iter().filter_map(Value::as_str) {
                    if !map.contains_key(r) {
                        errs.push(format!("at {path}: missing required property '{r}'"));
                    }
                }
            }
            let closed = matches!(s.get("additionalProperties"), Some(Value::Bool(false)));
            for (k, val) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => check(ps, val, &format!("{path}.{k}"), errs),
                    None if closed => {
                        let allowed: Vec<&str> =
                            props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                        errs.push(format!("at {path}: unknown property '{k}' (allowed: {})", allowed.join(", ")));
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// The SKU.
        sku: String,
        #[schemars(range(min = 1))]
        quantity: u32,
        note: Option<String>,
    }

    #[test]
    fn strict_schema_requires_every_property_and_makes_optional_nullable() {
        let s = to_strict(&schema_of::<Args>());
        assert_eq!(s["additionalProperties"], json!(false));
        let req: Vec<&str> = s["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert!(req.contains(&"note") && req.contains(&"sku") && req.contains(&"quantity"));
        assert!(s["properties"]["note"]["type"].as_array().unwrap().contains(&json!("null")));
        assert!(s["properties"]["quantity"].get("format").is_none());
    }

    #[test]
    fn validation_reports_wrong_type_unknown_and_missing_properties_with_paths() {
        let s = to_strict(&schema_of::<Args>());
        let errs = validate(&s, &json!({"sku": "X", "quantity": "800", "qty": 1}));
        let all = errs.join("\n");
        assert!(all.contains("at $.quantity: expected integer, got string"), "{all}");
        assert!(all.contains("unknown property 'qty'"), "{all}");
        assert!(all.contains("missing required property 'note'"), "{all}");
        assert!(validate(&s, &json!({"sku": "X", "quantity": 800, "note": null})).is_empty());
        let errs = validate(&s, &json!({"sku": "X", "quantity": 0, "note": null}));
        assert!(errs[0].contains("below the minimum"), "{errs:?}");
    }
}
