//! The customs agent: HS codes, destination rules, party screening,
//! dangerous goods and stock, aggregated into a risk level by rules. A model
//! may phrase the summary; it never changes the level or the findings.

use serde_json::json;
use tradewind_core::{Citation, CustomsReport, Finding, RiskLevel, StructuredInquiry};
use tradewind_tools::builtin::{
    CheckDestination, CheckDestinationArgs, CheckStock, ClassifyHs, DangerousGoods, ScreenParty, ScreenPartyArgs,
    SkuArgs, SkuQty,
};
use tradewind_tools::ToolCtx;

use crate::brain::{BrainError, BrainTask};
use crate::Env;

pub async fn run(env: &Env, ctx: &ToolCtx, si: &StructuredInquiry) -> Result<CustomsReport, BrainError> {
    let d = &env.dispatcher;
    let mut findings: Vec<Finding> = Vec::new();
    let mut batteries = false;
    for item in &si.items {
        let hs = d.call_typed::<ClassifyHs>(ctx, &SkuArgs { sku: item.sku.clone() }).await?;
        findings.push(hs.finding);
        let dg = d.call_typed::<DangerousGoods>(ctx, &SkuArgs { sku: item.sku.clone() }).await?;
        batteries |= dg.regulated;
        findings.extend(dg.finding);
        if let Some(q) = item.quantity {
            let st = d.call_typed::<CheckStock>(ctx, &SkuQty { sku: item.sku.clone(), quantity: q.max(1) }).await?;
            findings.push(Finding {
                kind: "stock".into(),
                level: RiskLevel::Clear,
                sku: Some(item.sku.clone()),
                message: format!("{} (suggestion: {})", st.message, st.suggestion.replace('_', " ")),
                citations: vec![st.citation],
            });
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
                        batteries: Some(batteries),
                    },
                )
                .await?;
            findings.extend(check.findings);
            documents = check.documents;
        }
        None => findings.push(Finding {
            kind: "destination".into(),
            level: RiskLevel::Review,
            sku: None,
            message: "Destination not known yet; the destination check cannot be completed.".into(),
            citations: vec![Citation::rule("knowledge/rules/destinations.toml")],
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

    let risk = findings.iter().map(|f| f.level).max().unwrap_or(RiskLevel::Clear);
    let rule_summary = rule_summary(risk, &findings);
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
            Ok(r) if !r.content.trim().is_empty() => format!("{} {}", level_banner(risk), r.content.trim()),
            Ok(_) => rule_summary,
            Err(e) => {
                ctx.recorder.note("customs", format!("summary by model failed ({e}); using the rules' summary"));
                rule_summary
            }
        }
    };
    Ok(CustomsReport { risk, findings, summary, documents })
}

fn level_banner(risk: RiskLevel) -> String {
    format!("[{}]", risk.as_str().to_uppercase())
}

/// One sentence per level, naming what drove it.
pub fn rule_summary(risk: RiskLevel, findings: &[Finding]) -> String {
    let drivers: Vec<String> = findings
        .iter()
        .filter(|f| f.level == risk && risk != RiskLevel::Clear)
        .map(|f| match f.citations.first() {
            Some(c) => format!("{} ({})", f.kind.replace('_', " "), c.source),
            None => f.kind.replace('_', " "),
        })
        .collect();
    match risk {
        RiskLevel::Clear => "Clear: no rule or list raises a concern; ship with the documents listed.".into(),
        RiskLevel::Review => format!("Review: a person must check {} before the order is confirmed.", drivers.join("; ")),
        RiskLevel::High => format!("High: compliance must approve before any quote, because of {}.", drivers.join("; ")),
        RiskLevel::Blocked => format!("Blocked: do not quote or ship, because of {}.", drivers.join("; ")),
    }
}
