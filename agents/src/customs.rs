//! The customs agent: HS codes, destination rules, party screening,
//! dangerous goods and stock, aggregated into a risk level by rules. A model
//! may phrase the summary; it never changes the level or the findings.

use async_trait::async_trait;
use serde_json::json;
use std::time::Duration;
use tradewind_core::{Citation, CustomsReport, Field, Finding, RiskLevel, StructuredInquiry};
use tradewind_tools::builtin::{
    CheckDestination, CheckDestinationArgs, CheckStock, ClassifyHs, DangerousGoods, DgArgs, PushCard, ScreenParty,
    ScreenPartyArgs, SkuArgs, SkuQty, SuggestHs, SuggestHsArgs,
};
use tradewind_tools::customs::{self as rules, ModeBasis};
use tradewind_tools::{Tool, ToolCtx};

use crate::agent::{Agent, AgentInput, AgentOutput};
use crate::{BrainError, BrainTask, Env};

/// Products we do not sell get HS suggestions, up to this many per inquiry.
const MAX_SUGGESTED_PRODUCTS: usize = 3;

pub const NAME: &str = "customs";

/// The pre-check for logistics and compliance; its report goes to the
/// logistics sink as soon as it is ready.
pub struct CustomsAgent;

#[async_trait]
impl Agent for CustomsAgent {
    fn name(&self) -> &'static str {
        NAME
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn tools(&self) -> &'static [&'static str] {
        &[
            ClassifyHs::NAME,
            DangerousGoods::NAME,
            CheckStock::NAME,
            SuggestHs::NAME,
            CheckDestination::NAME,
            ScreenParty::NAME,
            PushCard::NAME,
        ]
    }

    fn reads(&self) -> &'static [Field] {
        &[
            Field::Products,
            Field::Quantities,
            Field::Destination,
            Field::Incoterm,
            Field::Company,
            Field::Contact,
            Field::Parties,
        ]
    }

    async fn run(&self, env: &Env, ctx: &ToolCtx, input: AgentInput<'_>) -> Result<AgentOutput, BrainError> {
        let si = input.inquiry;
        let r = check(env, ctx, si, input.text).await?;
        let body = crate::render(
            env,
            "customs",
            &json!({
                "inquiry_id": ctx.inquiry_id.as_ref(), "risk": r.risk.as_str(), "summary": r.summary,
                "findings": r.findings, "documents": r.documents,
                "destination": crate::proposal::destination_text(si), "party": si.company,
            }),
        );
        let title = format!("Customs pre-check {}: {}", ctx.inquiry_id, r.risk.as_str());
        let id = format!("{}-customs", ctx.inquiry_id);
        crate::deliver(env, ctx, "logistics", "customs", id, title, body, &r).await;
        Ok(AgentOutput::Customs(r))
    }
}

/// The verdict: rule findings aggregated by rules; a model may only phrase
/// the summary.
pub async fn check(env: &Env, ctx: &ToolCtx, si: &StructuredInquiry, text: &str) -> Result<CustomsReport, BrainError> {
    let d = &env.dispatcher;
    let mut findings: Vec<Finding> = Vec::new();

    // The mode of transport changes the dangerous-goods rules. The
    // structured inquiry does not carry it, so it is read from the message,
    // then from a sea-only Incoterm.
    let modes = rules::transport_modes(text, si.incoterm.as_deref());
    let mode_args: Option<Vec<String>> = match modes.basis {
        ModeBasis::Stated(_) => Some(modes.modes.iter().map(|m| m.as_str().to_string()).collect()),
        // The tool reads the Incoterm itself, so that its finding says why.
        ModeBasis::Incoterm(_) | ModeBasis::Unstated => None,
    };

    let mut batteries = false;
    let mut hs_codes: Vec<String> = Vec::new();
    for item in &si.items {
        let sku = SkuArgs { sku: item.sku.clone() };
        let hs = d.call_typed::<ClassifyHs>(ctx, &sku).await?;
        hs_codes.push(hs.hs_code.clone());
        findings.push(hs.finding);
        let dg = d
            .call_typed::<DangerousGoods>(
                ctx,
                &DgArgs { sku: item.sku.clone(), modes: mode_args.clone(), incoterm: si.incoterm.clone() },
            )
            .await?;
        batteries |= dg.regulated;
        findings.extend(dg.findings);
        match item.quantity {
            Some(q) => {
                let st = d.call_typed::<CheckStock>(ctx, &SkuQty { sku: item.sku.clone(), quantity: q.max(1) }).await?;
                findings.push(st.finding);
            }
            None => findings.push(Finding {
                kind: "stock".into(),
                level: RiskLevel::Clear,
                sku: Some(item.sku.clone()),
                message: format!("{}: quantity not given yet; stock and lead time are checked once it is.", item.sku),
                citations: vec![Citation {
                    source: tradewind_tools::builtin::CATALOG_SOURCE.into(),
                    section: Some(format!("{} stock/lead_time_days", item.sku)),
                    chunk_id: None,
                    score: None,
                }],
            }),
        }
    }

    // Products we do not sell: leads for a classification, never a verdict.
    for phrase in si.unmatched_products.iter().filter(|p| !p.trim().is_empty()).take(MAX_SUGGESTED_PRODUCTS) {
        match d.call_typed::<SuggestHs>(ctx, &SuggestHsArgs { description: phrase.clone(), limit: Some(3) }).await {
            Ok(s) if !s.suggestions.is_empty() => {
                let list: Vec<String> = s.suggestions.iter().map(|x| x.path.clone()).collect();
                findings.push(Finding {
                    kind: "hs".into(),
                    level: RiskLevel::Clear,
                    sku: None,
                    message: format!(
                        "'{phrase}' is not in our catalog; if it is sourced, candidate HS subheadings (need confirmation by a customs broker): {}.",
                        list.join(" | ")
                    ),
                    citations: s.suggestions.iter().flat_map(|x| x.citations.iter().cloned()).collect(),
                });
            }
            Ok(_) => {}
            Err(e) => ctx.recorder.note("customs", format!("no HS suggestion for '{phrase}': {e}")),
        }
    }

    let mut documents = Vec::new();
    match &si.destination {
        Some(dest) => {
            let check = d
                .call_typed::<CheckDestination>(
                    ctx,
                    &CheckDestinationArgs {
                        country: dest.country.clone(),
                        region: dest.region.clone(),
                        place: dest.place.clone(),
                        batteries: Some(batteries),
                        hs_codes: Some(hs_codes),
                    },
                )
                .await?;
            findings.extend(check.findings);
            findings.extend(check.document_findings);
            documents = check.documents;
        }
        None => findings.push(Finding {
            kind: "destination".into(),
            level: RiskLevel::Review,
            sku: None,
            message: "Destination not known yet; the destination check cannot be completed.".into(),
            citations: vec![Citation::rule(rules::destinations::RULES_SOURCE)],
        }),
    }

    match &si.company {
        Some(company) => {
            let country = si.destination.as_ref().map(|d| d.country.clone());
            let s = d.call_typed::<ScreenParty>(ctx, &ScreenPartyArgs { name: company.clone(), country }).await?;
            findings.extend(s.findings);
        }
        None => findings.push(Finding {
            kind: "screening".into(),
            level: RiskLevel::Review,
            sku: None,
            message: "Buyer not identified yet; screen the buyer before confirming the order.".into(),
            citations: vec![Citation::rule("knowledge/lists/demo-screening.csv")],
        }),
    }

    let v = rules::verdict(findings);
    let (risk, findings, rule_summary) = (v.risk, v.findings, v.summary);
    let verdict = json!({
        "risk": risk, "findings": findings, "documents": documents,
        "destination": si.destination.as_ref().map(|d| d.country.clone()), "party": si.company,
    });

    // The offline brain keeps the rules' own summary; a model only rephrases it.
    let summary = if env.brain.is_offline() {
        rule_summary
    } else {
        let task = BrainTask {
            agent: "customs",
            system: crate::render(env, "system.customs", &json!({"verdict": verdict.to_string()})),
            user: "Summarise the verdict.".into(),
            facts: verdict.clone(),
            template: None,
            tools: vec![],
            output: None,
            max_steps: 2,
        };
        match env.brain.run(&task, &env.dispatcher, ctx).await {
            Ok(r) if !r.content.trim().is_empty() => {
                format!("{} {}", rules::verdict::level_banner(risk), r.content.trim())
            }
            Ok(_) => rule_summary,
            Err(e) => {
                ctx.recorder.note("customs", format!("summary by model failed ({e}); using the rules' summary"));
                rule_summary
            }
        }
    };
    Ok(CustomsReport { risk, findings, summary, documents })
}
