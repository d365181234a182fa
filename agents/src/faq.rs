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

/// Rules for the questions a buyer asks next, by what the inquiry contains.
pub fn likely_questions(si: &StructuredInquiry, has_battery: bool, eu_or_uk: bool) -> Vec<String> {
    let zh = si.lang == Lang::Zh;
    let mut q: Vec<&str> = Vec::new();
    if has_battery {
        q.push(if zh { "锂电池包怎么运输？" } else { "How do you ship lithium battery packs?" });
    }
    if eu_or_uk {
        q.push(if zh { "产品有 CE 和 UKCA 认证吗？" } else { "Are your products CE and UKCA marked?" });
    }
    q.push(if zh { "你们接受哪些付款方式？" } else { "What payment terms do you accept?" });
    q.push(if zh { "交期是多久？" } else { "What is your lead time?" });
    if has_battery {
        q.push(if zh { "电池包质保多久？" } else { "What is the warranty on your battery packs?" });
    } else {
        q.push(if zh { "质保多久？" } else { "What is the warranty on e-bike parts and LED lighting?" });
    }
    q.push(if zh { "可以先买样品吗？" } else { "Can I order a sample?" });
    if si.items.is_empty() {
        q.insert(0, if zh { "你们的起订量是多少？" } else { "What is your minimum order quantity?" });
    }
    q.into_iter().map(String::from).collect()
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
    let has_battery = si.items.iter().any(|i| env.services.catalog.get(&i.sku).is_some_and(|p| p.battery.is_some()));
    let eu_or_uk = si.destination.as_ref().is_some_and(|d| is_eu_or_uk(&d.country));
    let rule_questions = likely_questions(si, has_battery, eu_or_uk);
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
    let mut questions: Vec<String> = match env.brain.run(&task, &env.dispatcher, ctx).await {
        Ok(r) => r
            .json
            .and_then(|v| serde_json::from_value::<LikelyQuestions>(v).ok())
            .map(|l| l.questions)
            .unwrap_or_default(),
        Err(e) => {
            ctx.recorder.note("faq", format!("brain failed ({e}); using the rule questions"));
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

fn is_eu_or_uk(c: &str) -> bool {
    const EU_UK: &[&str] = &[
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
        "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB",
    ];
    EU_UK.contains(&c)
}
