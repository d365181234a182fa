//! Roles, what each may do, and the fields each may see. Redaction works on
//! the JSON the pages and the API both render from, so the two cannot
//! disagree: prices for sales, finance and admin; screening details for
//! compliance, logistics and admin; customer contact details for sales,
//! support and admin.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Sales,
    Compliance,
    Logistics,
    Support,
    Finance,
}

/// What replaces a field the role may not see.
pub const HIDDEN: &str = "(hidden for your role)";

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Sales, Role::Compliance, Role::Logistics, Role::Support, Role::Finance];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Sales => "sales",
            Role::Compliance => "compliance",
            Role::Logistics => "logistics",
            Role::Support => "support",
            Role::Finance => "finance",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Price tiers, margins, price rules, and the proposal that quotes them.
    pub fn sees_prices(self) -> bool {
        matches!(self, Role::Sales | Role::Finance | Role::Admin)
    }

    /// Screening matches, scores and list entries.
    pub fn sees_screening(self) -> bool {
        matches!(self, Role::Compliance | Role::Logistics | Role::Admin)
    }

    /// The customer's name, phone and email.
    pub fn sees_pii(self) -> bool {
        matches!(self, Role::Sales | Role::Support | Role::Admin)
    }

    /// The whole audit log, exported.
    pub fn exports_audit(self) -> bool {
        matches!(self, Role::Admin | Role::Compliance | Role::Finance)
    }

    /// The operations page and dead-letter retries.
    pub fn operates(self) -> bool {
        matches!(self, Role::Admin | Role::Logistics | Role::Support)
    }
}

/// A stored `SwarmResult` as this role may see it.
pub fn redact_result(role: Role, mut v: Value) -> Value {
    if !role.sees_prices() {
        if let Some(p) = v.pointer_mut("/proposal/value") {
            *p = json!({"markdown": HIDDEN, "citations": [], "lines": [], "hidden": true});
        }
    }
    if !role.sees_screening() {
        if let Some(findings) = v.pointer_mut("/customs/value/findings").and_then(Value::as_array_mut) {
            for f in findings.iter_mut().filter(|f| f["kind"] == "screening") {
                f["message"] = json!(HIDDEN);
                f["citations"] = json!([]);
            }
        }
        if let Some(parties) = v.pointer_mut("/inquiry/parties").and_then(Value::as_array_mut) {
            for p in parties.iter_mut() {
                if let Some(o) = p.as_object_mut() {
                    o.retain(|k, _| k == "role");
                    o.insert("name".into(), json!(HIDDEN));
                }
            }
        }
    }
    if !role.sees_pii() {
        if let Some(c) = v.pointer_mut("/inquiry/contact").and_then(Value::as_object_mut) {
            for (_, val) in c.iter_mut().filter(|(_, val)| !val.is_null()) {
                *val = json!(HIDDEN);
            }
        }
        if let Some(code) = v.pointer_mut("/inquiry/credit_code").filter(|c| !c.is_null()) {
            *code = json!(HIDDEN);
        }
    }
    v
}

/// The strings this role may not see anywhere in an inquiry's view (the
/// conversation and the transcript quote them too): the contact's details
/// without PII access, the parties' names without screening access.
pub fn secrets_of(role: Role, result: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !role.sees_pii() {
        for k in ["name", "phone", "email"] {
            if let Some(s) = result.pointer(&format!("/inquiry/contact/{k}")).and_then(Value::as_str) {
                out.push(s.to_string());
            }
        }
        if let Some(s) = result.pointer("/inquiry/credit_code").and_then(Value::as_str) {
            out.push(s.to_string());
        }
    }
    if !role.sees_screening() && !role.sees_pii() {
        if let Some(parties) = result.pointer("/inquiry/parties").and_then(Value::as_array) {
            out.extend(parties.iter().filter_map(|p| p["name"].as_str()).map(str::to_string));
        }
    }
    out.retain(|s| s.chars().count() >= 3 && s != HIDDEN);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// Replaces each of `secrets` in every string of `v`.
pub fn scrub(v: &mut Value, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    match v {
        Value::String(s) => {
            for x in secrets {
                if s.contains(x.as_str()) {
                    *s = s.replace(x.as_str(), "•••");
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| scrub(x, secrets)),
        Value::Object(o) => o.values_mut().for_each(|x| scrub(x, secrets)),
        _ => {}
    }
}

/// Whether a transcript step of `agent` calling `tool` may be shown.
pub fn sees_step(role: Role, agent: &str, tool: Option<&str>) -> bool {
    let screening = matches!(tool, Some(t) if t.contains("screen"));
    let prices = agent == "proposal" || matches!(tool, Some(t) if t.contains("price") || t.contains("quote"));
    (role.sees_prices() || !prices) && (role.sees_screening() || !screening)
}

/// An audit event's values as this role may see them.
pub fn redact_audit(role: Role, mut v: Value) -> Value {
    let field = v["field"].as_str().unwrap_or_default().to_string();
    let hide = (field.starts_with("proposal") && !role.sees_prices())
        || (field.starts_with("screening") && !role.sees_screening());
    if hide {
        for k in ["before", "after"] {
            if !v[k].is_null() {
                v[k] = json!(HIDDEN);
            }
        }
    }
    v
}

/// A review (held deliveries, draft versions) as this role may see it.
pub fn redact_review(role: Role, mut v: Value) -> Value {
    if !role.sees_prices() {
        if let Some(drafts) = v.get_mut("drafts").and_then(Value::as_array_mut) {
            for d in drafts.iter_mut() {
                d["body"] = json!(HIDDEN);
            }
        }
        if let Some(held) = v.get_mut("held").and_then(Value::as_array_mut) {
            for h in held.iter_mut().filter(|h| h["delivery"]["kind"] == "proposal") {
                h["delivery"]["body"] = json!(HIDDEN);
                h["delivery"]["payload"] = json!(null);
            }
        }
    }
    if !role.sees_screening() {
        if let Some(held) = v.get_mut("held").and_then(Value::as_array_mut) {
            for h in held.iter_mut().filter(|h| h["delivery"]["kind"] == "customs") {
                h["delivery"]["payload"] = json!(null);
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> Value {
        json!({
            "proposal": {"status": "done", "value": {"markdown": "USD 123.00 per unit", "lines": [{"unit_price_usd": 123.0}]}},
            "customs": {"status": "done", "value": {"risk": "high", "findings": [
                {"kind": "screening", "level": "high", "message": "Possible match: ACME TRADING (SDN)", "citations": [{"source": "sdn"}]},
                {"kind": "hs", "level": "clear", "message": "8507.60", "citations": []}
            ]}},
            "inquiry": {"contact": {"name": "Maria Santos", "phone": "+49 30 1234567", "email": null}, "credit_code": null, "parties": [{"name": "ACME TRADING", "role": "buyer"}]}
        })
    }

    #[test]
    fn each_role_sees_only_its_fields() {
        for role in Role::ALL {
            let text = redact_result(role, result()).to_string();
            assert_eq!(text.contains("USD 123.00"), role.sees_prices(), "{role:?} prices");
            assert_eq!(text.contains("Possible match"), role.sees_screening(), "{role:?} screening");
            assert_eq!(text.contains("Maria Santos"), role.sees_pii(), "{role:?} pii");
            assert!(text.contains("8507.60"), "HS findings are for everyone");
        }
    }

    #[test]
    fn audit_values_of_the_proposal_are_hidden_without_price_access() {
        let e = json!({"field": "proposal.body", "before": "USD 1", "after": "USD 2"});
        assert_eq!(redact_audit(Role::Support, e.clone())["after"], json!(HIDDEN));
        assert_eq!(redact_audit(Role::Finance, e)["after"], json!("USD 2"));
    }
}
