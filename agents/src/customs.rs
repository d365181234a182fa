//! The customs agent: HS codes, destination rules, party screening,
//! dangerous goods and stock, aggregated into a risk level by rules. A model
//! may phrase the summary; it never changes the level or the findings.

use async_trait::async_trait;
use serde_json::json;
use std::time::Duration;
use tradewind_core::{Citation, CustomsReport, Field, Finding, PartyKind, PartyRole, RiskLevel, StructuredInquiry};
use tradewind_tools::builtin::{
    CheckDestination, CheckDestinationArgs, CheckStock, ClassifyHs, DangerousGoods, DescribedDangerousGoods,
    DescribedDgArgs, DgArgs, PushCard, ScreenParty, ScreenPartyArgs, SkuArgs, SkuQty, SuggestHs, SuggestHsArgs,
    TransitStop,
};
use tradewind_tools::customs::{self as rules, ModeBasis};
use tradewind_tools::{Tool, ToolCtx};

use crate::agent::{Agent, AgentInput, AgentOutput};
use crate::{BrainError, BrainTask, Env};

/// Products we do not sell get HS suggestions, up to this many per inquiry.
const MAX_SUGGESTED_PRODUCTS: usize = 3;
/// Most parties screened for one inquiry.
const MAX_SCREENED_PARTIES: usize = 12;

/// A party to screen: one name, with every role the message gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToScreen {
    pub name: String,
    pub kind: PartyKind,
    pub roles: Vec<PartyRole>,
    pub country: Option<String>,
}

/// The parties of an inquiry, one per name: intake's parties, and the
/// company and contact person memory or a model supplied.
pub fn parties_to_screen(si: &StructuredInquiry) -> Vec<ToScreen> {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let mut out: Vec<ToScreen> = Vec::new();
    let mut add = |name: &str, kind: PartyKind, role: PartyRole, country: Option<String>| {
        let k = key(name);
        if k.is_empty() {
            return;
        }
        match out.iter_mut().find(|p| key(&p.name) == k) {
            Some(p) => {
                if !p.roles.contains(&role) {
                    p.roles.push(role);
                    p.roles.sort();
                }
                if p.country.is_none() {
                    p.country = country;
                }
            }
            None => out.push(ToScreen { name: name.trim().to_string(), kind, roles: vec![role], country }),
        }
    };
    for p in &si.parties {
        add(&p.name, p.kind, p.role, p.country.clone());
    }
    if let Some(c) = &si.company {
        add(c, PartyKind::Company, PartyRole::Buyer, None);
    }
    if let Some(n) = &si.contact.name {
        add(n, PartyKind::Person, PartyRole::Contact, None);
    }
    out
}

pub const NAME: &str = "customs";

/// The HS glossary's rules, for citing HS-UNIDENTIFIED. The glossary is
/// compiled in and checked by the customs crate's tests, so a parse failure
/// here would be a build defect; the rule is then still cited by id.
fn glossary() -> &'static rules::HsGlossary {
    static G: std::sync::OnceLock<rules::HsGlossary> = std::sync::OnceLock::new();
    G.get_or_init(|| rules::HsGlossary::embedded().unwrap_or_else(|_| rules::HsGlossary::empty()))
}

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
            DescribedDangerousGoods::NAME,
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
        // Document groups are printed once, with their sources, under their
        // own heading rather than among the findings.
        let (documents, other): (Vec<&Finding>, Vec<&Finding>) = r.findings.iter().partition(|f| f.kind == "documents");
        let parties: Vec<String> = parties_to_screen(si)
            .iter()
            .map(|p| {
                let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
                format!("{} {} ({})", roles.join("/"), p.name, p.kind.as_str())
            })
            .collect();
        let transit: Vec<String> = si
            .transit
            .iter()
            .map(|t| match &t.place {
                Some(p) => format!("{p} ({})", t.country),
                None => t.country.clone(),
            })
            .collect();
        let body = crate::render(
            env,
            "customs",
            &json!({
                "inquiry_id": ctx.inquiry_id.as_ref(), "risk": r.risk.as_str(), "summary": r.summary,
                "findings": other, "document_groups": documents,
                "destination": crate::proposal::destination_text(si), "party": si.company,
                "parties": parties, "transit": transit,
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
    // Products we cannot vouch for: not in the catalog, or matched to a
    // record the customer's own figures contradict. (phrase, batteries
    // already assessed from its words)
    let mut unidentified: Vec<(String, bool)> =
        si.unmatched_products.iter().filter(|p| !p.trim().is_empty()).map(|p| (p.clone(), false)).collect();
    for item in &si.items {
        // Dangerous goods first: the words may rule the catalog match out.
        let dg = d
            .call_typed::<DangerousGoods>(
                ctx,
                &DgArgs {
                    sku: item.sku.clone(),
                    modes: mode_args.clone(),
                    incoterm: si.incoterm.clone(),
                    described_as: Some(item.matched_text.clone()).filter(|t| !t.trim().is_empty()),
                },
            )
            .await?;
        batteries |= dg.regulated;
        findings.extend(dg.findings);
        if dg.rejected.is_some() {
            unidentified.push((item.matched_text.clone(), true));
            continue;
        }
        let sku = SkuArgs { sku: item.sku.clone() };
        let hs = d.call_typed::<ClassifyHs>(ctx, &sku).await?;
        hs_codes.push(hs.hs_code.clone());
        findings.push(hs.finding);
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

    // What we could not identify we cannot classify: never clear. Broker
    // leads for the HS code, and the batteries the words describe.
    for (phrase, assessed) in unidentified.iter().take(MAX_SUGGESTED_PRODUCTS) {
        let leads = match d
            .call_typed::<SuggestHs>(ctx, &SuggestHsArgs { description: phrase.clone(), limit: Some(3) })
            .await
        {
            Ok(s) => s.suggestions,
            Err(e) => {
                ctx.recorder.note("customs", format!("no HS suggestion for '{phrase}': {e}"));
                Vec::new()
            }
        };
        findings.push(rules::hs::unidentified_finding(glossary(), Some(phrase), &leads));
        if !assessed {
            let dg = d
                .call_typed::<DescribedDangerousGoods>(
                    ctx,
                    &DescribedDgArgs {
                        description: phrase.clone(),
                        modes: mode_args.clone(),
                        incoterm: si.incoterm.clone(),
                    },
                )
                .await?;
            batteries |= dg.battery;
            findings.extend(dg.findings);
        }
    }

    // An inquiry that identifies no product at all has nothing to classify,
    // check for dangerous goods or hold against a destination's product
    // rules: it must not read as clear.
    if si.items.is_empty() && unidentified.is_empty() {
        findings.push(rules::hs::unidentified_finding(glossary(), None, &[]));
    }

    let mut documents = Vec::new();
    match &si.destination {
        Some(dest) => {
            let transit: Vec<TransitStop> = si
                .transit
                .iter()
                .map(|t| TransitStop { country: t.country.clone(), region: t.region.clone(), place: t.place.clone() })
                .collect();
            let check = d
                .call_typed::<CheckDestination>(
                    ctx,
                    &CheckDestinationArgs {
                        country: dest.country.clone(),
                        region: dest.region.clone(),
                        place: dest.place.clone(),
                        batteries: Some(batteries),
                        hs_codes: Some(hs_codes),
                        transit: Some(transit).filter(|t| !t.is_empty()),
                    },
                )
                .await?;
            findings.extend(check.findings);
            findings.extend(check.transit_findings);
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

    // Every party the message names, each screened as what it is (a person
    // or a company) and named by its role in the finding.
    let destination = si.destination.as_ref().map(|d| d.country.clone());
    let parties = parties_to_screen(si);
    for p in parties.iter().take(MAX_SCREENED_PARTIES) {
        // A buyer, consignee or end user without an address of its own is
        // taken to be where the goods go.
        let country = p.country.clone().or_else(|| {
            let at_destination = p.roles.iter().any(|r| !matches!(r, PartyRole::Forwarder | PartyRole::Contact));
            destination.clone().filter(|_| at_destination)
        });
        let s = d
            .call_typed::<ScreenParty>(
                ctx,
                &ScreenPartyArgs { name: p.name.clone(), country, kind: Some(p.kind), roles: Some(p.roles.clone()) },
            )
            .await?;
        findings.extend(s.findings);
    }
    if !parties.iter().any(|p| p.kind == PartyKind::Company) {
        let people: Vec<&str> = parties.iter().map(|p| p.name.as_str()).collect();
        findings.push(Finding {
            kind: "screening".into(),
            level: RiskLevel::Review,
            sku: None,
            message: if people.is_empty() {
                "Buyer not identified yet; screen the buyer before confirming the order.".into()
            } else {
                format!(
                    "Buyer company not identified yet (only {} named); screen the buyer before confirming the order.",
                    people.join(", ")
                )
            },
            citations: vec![Citation::rule("knowledge/lists/demo-screening.csv")],
        });
    }

    let v = rules::verdict(findings);
    let (risk, findings, rule_summary) = (v.risk, v.findings, v.summary);
    let verdict = json!({
        "risk": risk, "findings": findings, "documents": documents,
        "destination": si.destination.as_ref().map(|d| d.country.clone()), "party": si.company,
    });

    // The offline brain keeps the rules' own summary; a model only rephrases it.
    let brain = env.brain_for(NAME);
    let summary = if brain.is_offline() {
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
        match brain.run(&task, &env.dispatcher, ctx).await {
            Ok(r) if !r.content.trim().is_empty() => match crate::reply::leaks(&r.content) {
                None => format!("{} {}", rules::verdict::level_banner(risk), r.content.trim()),
                Some(word) => {
                    ctx.recorder
                        .degrade(NAME, format!("the model's summary mentioned '{word}'; the rules' summary stands"));
                    rule_summary
                }
            },
            Ok(_) => {
                ctx.recorder.degrade(NAME, "the model's summary was empty; the rules' summary stands");
                rule_summary
            }
            Err(e) => {
                ctx.recorder.degrade(NAME, format!("summary by model failed ({e}); the rules' summary stands"));
                rule_summary
            }
        }
    };
    Ok(CustomsReport { risk, findings, summary, documents })
}
