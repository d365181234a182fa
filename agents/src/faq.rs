//! The FAQ agent: the customer's likely next questions, answered only from
//! the FAQ base, as cards for the customer-service channels.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{FaqCard, Field, Lang, StructuredInquiry};
use tradewind_tools::builtin::{PushCard, SearchKnowledge, SearchKnowledgeArgs};
use tradewind_tools::{Tool, ToolCtx, ToolHost};

use crate::agent::{Agent, AgentInput, AgentOutput};
use crate::offline::Plan;
use crate::{BrainError, BrainReply, BrainTask, Env, OutputSpec};

/// What the brain returns: the questions to answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct LikelyQuestions {
    /// Three to five short questions in the customer's language.
    pub questions: Vec<String>,
}

pub const MAX_CARDS: usize = 4;

/// What the inquiry is about, for choosing its cards: the product families
/// (catalog categories) of its items, and whether any carries a battery.
#[derive(Debug, Default, Clone)]
pub struct Subjects {
    pub families: std::collections::BTreeSet<String>,
    pub skus: Vec<String>,
    pub has_battery: bool,
    pub eu_or_uk: bool,
}

/// Rules for the questions a buyer asks next, most relevant first: about
/// the products they named (never about a family that is not in the
/// inquiry), then their destination and terms; the generic ones (payment,
/// lead time) only fill up what is left.
pub fn likely_questions(si: &StructuredInquiry, sub: &Subjects) -> Vec<String> {
    let zh = si.lang == Lang::Zh;
    let pick = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    let mut q: Vec<&str> = Vec::new();
    if si.items.is_empty() {
        q.push(pick("What is your minimum order quantity?", "起订量是多少？"));
        q.push(pick("Can I order a sample?", "可以订样品吗？"));
    }
    if sub.has_battery {
        q.push(pick("How do you ship lithium battery packs?", "锂电池包怎么运输？"));
        q.push(pick("Do you have UN38.3 test reports?", "有 UN38.3 测试报告吗？"));
        q.push(pick("What is the warranty on your battery packs?", "电池包质保多久？"));
    }
    if sub.families.contains("inverter") {
        q.push(pick("Which certifications do your solar inverters have?", "光伏逆变器有哪些认证？"));
        q.push(pick("What is the warranty on LiFePO4 storage batteries and inverters?", "储能电池和逆变器质保多久？"));
    }
    if sub.families.contains("ebike-part") || sub.families.contains("led") {
        q.push(pick("What is the warranty on e-bike parts and LED lighting?", "电动车配件和 LED 灯具质保多久？"));
    }
    if sub.skus.iter().any(|s| s.starts_with("TW-EB")) {
        q.push(pick("Do your e-bikes meet EN 15194?", "电动自行车符合 EN 15194 吗？"));
    }
    if sub.eu_or_uk {
        q.push(pick("Are your products CE and UKCA marked?", "产品有 CE 和 UKCA 标志吗？"));
        if sub.has_battery {
            q.push(pick(
                "Do I need to register as a battery producer in my country?",
                "我需要在本国注册电池生产者吗？",
            ));
        }
    }
    match si.incoterm.as_deref() {
        Some("DDP") => q.push(pick("Can you arrange shipping to my door (DDP)?", "可以做到门到门（DDP）吗？")),
        Some("FOB" | "FCA") => q.push(pick("Which port do you ship from?", "从哪个港口出货？")),
        _ => {}
    }
    if si.items.iter().any(|i| i.quantity.is_none()) && !si.items.is_empty() {
        q.push(pick("What is your minimum order quantity?", "起订量是多少？"));
    }
    // Generic questions only where nothing more specific filled the cards.
    for generic in [
        pick("What payment terms do you accept?", "你们接受哪些付款方式？"),
        pick("What is your lead time?", "交期多久？"),
    ] {
        if q.len() < MAX_CARDS - 1 {
            q.push(generic);
        }
    }
    let mut seen = std::collections::HashSet::new();
    q.into_iter().filter(|x| seen.insert(*x)).map(String::from).collect()
}

/// Offline plan: the rule questions, computed by the agent into `facts`.
pub struct OfflineFaq;

#[async_trait]
impl Plan for OfflineFaq {
    async fn run(&self, task: &BrainTask, _tools: &dyn ToolHost, _ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        let questions = task.facts.get("rule_questions").cloned().unwrap_or_else(|| json!([]));
        let v = json!({ "questions": questions });
        Ok(BrainReply { content: v.to_string(), json: Some(v), steps: 0, ..Default::default() })
    }
}

pub const NAME: &str = "faq";

/// Cards for customer service, answered only from the FAQ base; each card
/// goes to the customer-service sink as soon as the set is ready.
pub struct FaqAgent;

#[async_trait]
impl Agent for FaqAgent {
    fn name(&self) -> &'static str {
        NAME
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn tools(&self) -> &'static [&'static str] {
        &[SearchKnowledge::NAME, PushCard::NAME]
    }

    fn reads(&self) -> &'static [Field] {
        &[Field::Products, Field::Destination, Field::Lang, Field::Question]
    }

    fn offline_plan(&self) -> Option<Arc<dyn Plan>> {
        Some(Arc::new(OfflineFaq))
    }

    async fn run(&self, env: &Env, ctx: &ToolCtx, input: AgentInput<'_>) -> Result<AgentOutput, BrainError> {
        let cards = cards(env, ctx, input.inquiry, input.question).await?;
        for (i, card) in cards.iter().enumerate() {
            let body = crate::render(env, "faq_card", &serde_json::to_value(card).unwrap_or_default());
            let id = format!("{}-faq-{}", ctx.inquiry_id, i + 1);
            crate::deliver(env, ctx, "customer_service", "faq_card", id, card.question.clone(), body, card).await;
        }
        Ok(AgentOutput::Faq(cards))
    }
}

/// The cards: the likely questions (from the brain, else the rules), each
/// answered by the best FAQ chunk, de-duplicated, at most [`MAX_CARDS`].
pub async fn cards(
    env: &Env,
    ctx: &ToolCtx,
    si: &StructuredInquiry,
    question: Option<&str>,
) -> Result<Vec<FaqCard>, BrainError> {
    let mut sub =
        Subjects { eu_or_uk: si.destination.as_ref().is_some_and(|d| is_eu_or_uk(&d.country)), ..Subjects::default() };
    for p in si.items.iter().filter_map(|i| env.services.catalog.get(&i.sku)) {
        sub.families.insert(p.category.clone());
        sub.skus.push(p.sku.clone());
        sub.has_battery |= p.battery.is_some();
    }
    let rule_questions = likely_questions(si, &sub);
    let lang = si.lang.code();
    let task = BrainTask {
        agent: "faq",
        system: crate::render(
            env,
            "system.faq",
            &json!({"lang": lang, "inquiry": serde_json::to_string(si).unwrap_or_default()}),
        ),
        user: "List the customer's likely next questions.".into(),
        facts: json!({ "rule_questions": rule_questions }),
        template: None,
        tools: vec!["search_knowledge"],
        output: Some(OutputSpec {
            name: "likely_questions",
            schema: tradewind_tools::schema::to_strict(&tradewind_tools::schema::schema_of::<LikelyQuestions>()),
        }),
        max_steps: 4,
    };
    let brain = env.brain_for(NAME);
    let mut questions: Vec<String> = match brain.run(&task, &env.dispatcher, ctx).await {
        Ok(r) => r
            .json
            .and_then(|v| serde_json::from_value::<LikelyQuestions>(v).ok())
            .map(|l| l.questions)
            .unwrap_or_default(),
        Err(e) => {
            ctx.recorder.degrade(NAME, format!("model failed ({e}); the rule questions stand"));
            Vec::new()
        }
    };
    questions.retain(|q| !q.trim().is_empty() && q.len() < 300);
    if questions.is_empty() {
        questions = rule_questions;
    }
    // The customer's own question comes first: its card answers them.
    if let Some(q) = question.map(str::trim).filter(|q| !q.is_empty()) {
        questions.insert(0, q.chars().take(300).collect());
    }

    let mut cards: Vec<FaqCard> = Vec::new();
    for q in questions {
        if cards.len() >= MAX_CARDS {
            break;
        }
        let hits = env
            .dispatcher
            .call_typed::<SearchKnowledge>(
                ctx,
                &SearchKnowledgeArgs {
                    query: q,
                    kinds: Some(vec!["faq".into()]),
                    lang: Some(lang.into()),
                    sku: None,
                    limit: Some(1),
                },
            )
            .await?;
        let Some(h) = hits.into_iter().next() else { continue };
        let id = h.citation.chunk_id.clone().unwrap_or_else(|| h.section.clone());
        if cards.iter().any(|c| c.id == id) {
            continue;
        }
        if about_absent_family(&h.section, &sub) {
            continue;
        }
        let (topic, question) = match h.section.rsplit_once(" > ") {
            Some((t, q)) => (t.to_string(), q.to_string()),
            None => (String::new(), h.section.clone()),
        };
        cards.push(FaqCard {
            id,
            lang: si.lang,
            question,
            answer: h.text.trim().to_string(),
            topic,
            citation: h.citation,
        });
    }
    Ok(cards)
}

/// Whether a card names product families, none of which the inquiry has
/// (a battery card for LED lights): such a card is never shown.
fn about_absent_family(text: &str, sub: &Subjects) -> bool {
    let t = text.to_lowercase();
    let has = |f: &str| sub.families.contains(f);
    let groups: [(&[&str], bool); 4] = [
        (&["battery", "batteries", "lifepo4", "un38.3", "msds", "电池", "锂电"], sub.has_battery),
        (&["inverter", "逆变器"], has("inverter")),
        (
            &["e-bike", "ebike", "en 15194", "电动自行车", "电动车"],
            has("ebike-part") || sub.skus.iter().any(|s| s.starts_with("TW-EB")),
        ),
        (&["led", "lighting", "灯"], has("led")),
    ];
    let named: Vec<bool> =
        groups.iter().filter(|(words, _)| words.iter().any(|w| t.contains(w))).map(|(_, present)| *present).collect();
    !named.is_empty() && !named.iter().any(|p| *p)
}

fn is_eu_or_uk(c: &str) -> bool {
    const EU_UK: &[&str] = &[
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
        "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB",
    ];
    EU_UK.contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry(lang: &str, skus: &[&str], incoterm: Option<&str>) -> StructuredInquiry {
        let items: Vec<_> =
            skus.iter().map(|s| serde_json::json!({"sku": s, "quantity": 100, "matched_text": s})).collect();
        serde_json::from_value(serde_json::json!({
            "lang": lang, "items": items, "destination": null, "incoterm": incoterm, "company": null, "credit_code": null
        }))
        .expect("an inquiry")
    }

    fn subjects(families: &[&str], skus: &[&str], battery: bool, eu: bool) -> Subjects {
        Subjects {
            families: families.iter().map(|f| f.to_string()).collect(),
            skus: skus.iter().map(|s| s.to_string()).collect(),
            has_battery: battery,
            eu_or_uk: eu,
        }
    }

    #[test]
    fn an_inverter_inquiry_gets_inverter_cards_and_none_about_e_bikes_or_leds() {
        let si = inquiry("zh", &["TW-GT-0800"], None);
        let sub = subjects(&["inverter"], &["TW-GT-0800"], false, false);
        let q = likely_questions(&si, &sub);
        assert_eq!(q[0], "光伏逆变器有哪些认证？", "{q:?}");
        assert!(q.iter().all(|x| !x.contains("电动车") && !x.contains("LED") && !x.contains("电池包")), "{q:?}");
        assert!(about_absent_family("Warranty > 电动车配件和 LED 灯具质保多久？", &sub));
        assert!(!about_absent_family("Certificates > 光伏逆变器有哪些认证？", &sub));
        assert!(!about_absent_family("Payment > 你们接受哪些付款方式？", &sub));
    }

    #[test]
    fn battery_cards_to_europe_come_before_any_generic_card() {
        let si = inquiry("en", &["TW-BP-4820"], Some("DDP"));
        let sub = subjects(&["battery"], &["TW-BP-4820"], true, true);
        let q = likely_questions(&si, &sub);
        assert_eq!(q[0], "How do you ship lithium battery packs?");
        assert!(q.iter().take(MAX_CARDS).all(|x| !x.contains("payment") && !x.contains("lead time")), "{q:?}");
        assert!(q.contains(&"Are your products CE and UKCA marked?".to_string()));
        assert!(q.contains(&"Can you arrange shipping to my door (DDP)?".to_string()));
    }

    #[test]
    fn led_lights_never_get_a_battery_card() {
        let sub = subjects(&["led"], &["TW-LP-6040"], false, false);
        let q = likely_questions(&inquiry("en", &["TW-LP-6040"], None), &sub);
        assert!(q.iter().all(|x| !x.to_lowercase().contains("batter")), "{q:?}");
        assert!(about_absent_family("Lithium batteries > Do you have UN38.3 test reports?", &sub));
    }
}
