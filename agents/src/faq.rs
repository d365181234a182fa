//! The FAQ agent: the customer's likely next questions, answered only from
//! the FAQ base, as cards for the customer-service channels.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tradewind_core::{FaqCard, Lang, StructuredInquiry};
use tradewind_tools::builtin::{SearchKnowledge, SearchKnowledgeArgs};
use tradewind_tools::{Dispatcher, ToolCtx};

use crate::brain::{BrainError, BrainReply, BrainTask, OutputSpec, Plan};
use crate::Env;

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
    async fn run(&self, task: &BrainTask, _tools: &Dispatcher, _ctx: &ToolCtx) -> Result<BrainReply, BrainError> {
        let questions = task.facts.get("rule_questions").cloned().unwrap_or_else(|| json!([]));
        let v = json!({ "questions": questions });
        Ok(BrainReply { content: v.to_string(), json: Some(v), steps: 0, ..Default::default() })
    }
}

pub async fn run(env: &Env, ctx: &ToolCtx, si: &StructuredInquiry) -> Result<Vec<FaqCard>, BrainError> {
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
