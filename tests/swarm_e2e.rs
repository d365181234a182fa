//! End to end: real Redis memory, real qdrant-edge index, the offline brain,
//! English and Chinese inquiries, checked by content.

use tradewind_app::IncomingMessage;
use tradewind_core::{AgentOutcome, MissingField, RiskLevel, StepKind};
use tradewind_testkit::spawn_app;

const HAMBURG: &str =
    "We need 800 of your 48V 20Ah e-bike battery packs delivered to Hamburg. Nordlicht Energie GmbH, +49 40 1234567";

#[tokio::test]
async fn english_battery_inquiry_gets_the_right_sku_tier_hs_code_and_risk() {
    let t = spawn_app().await;
    let r = t.ask("nordlicht", HAMBURG).await;

    assert_eq!(r.inquiry.items.len(), 1, "{:?}", r.inquiry.items);
    assert_eq!(r.inquiry.items[0].sku, "TW-BP-4820");
    assert_eq!(r.inquiry.items[0].quantity, Some(800));
    let dest = r.inquiry.destination.as_ref().expect("destination");
    assert_eq!(dest.country, "DE");

    let p = r.proposal.value().expect("proposal delivered");
    assert_eq!(p.lines[0].tier_min_qty, 500, "800 units fall in the 500+ tier");
    assert_eq!(p.lines[0].unit_price_usd, 239.0);
    assert_eq!(p.lines[0].total_usd, 191_200.0);
    assert!(p.markdown.contains("239.00"), "{}", p.markdown);
    assert!(
        p.markdown.contains("[1]") && p.markdown.contains("kb/catalog.jsonl"),
        "figures are cited:\n{}",
        p.markdown
    );
    assert!(!p.citations.is_empty());

    let c = r.customs.value().expect("customs delivered");
    assert_eq!(c.risk, RiskLevel::Review, "a 960 Wh UN3480 pack needs DG review: {:#?}", c.findings);
    assert!(c.findings.iter().any(|f| f.kind == "hs" && f.message.contains("850760")));
    assert!(c.findings.iter().any(|f| f.kind == "dangerous_goods" && f.message.contains("UN3480")));
    assert!(c.documents.iter().any(|d| d.contains("2023/1542")), "EU battery duties: {:?}", c.documents);
    assert!(c.findings.iter().all(|f| !f.citations.is_empty()), "every finding cites its source");

    let cards = r.faq_cards.value().expect("faq delivered");
    assert!(cards.len() >= 3);
    assert!(cards.iter().any(|c| c.question.to_lowercase().contains("lithium")), "{cards:#?}");
    assert!(cards.iter().all(|c| c.citation.chunk_id.is_some()));

    assert!(r.reply.contains("800"), "{}", r.reply);
    for secret in ["239", "USD", "risk", "UN3480", "Review"] {
        assert!(!r.reply.contains(secret), "reply leaks '{secret}': {}", r.reply);
    }
}

#[tokio::test]
async fn chinese_inquiry_is_answered_in_chinese_with_chinese_faq_cards() {
    let t = spawn_app().await;
    let r = t
        .ask(
            "qihang",
            "你好，我们是上海启航贸易有限公司，需要两千个48V 20Ah电池包，发到汉堡，FOB 深圳。电话 +86 138 0013 8000",
        )
        .await;
    assert_eq!(r.inquiry.lang, tradewind_core::Lang::Zh);
    assert_eq!(r.inquiry.items[0].sku, "TW-BP-4820");
    assert_eq!(r.inquiry.items[0].quantity, Some(2000));
    let p = r.proposal.value().unwrap();
    assert_eq!(p.lines[0].tier_min_qty, 1000);
    assert_eq!(p.lines[0].unit_price_usd, 221.0);
    assert!(p.markdown.contains("报价方案"));
    assert!(r.reply.contains("您好"), "{}", r.reply);
    let cards = r.faq_cards.value().unwrap();
    assert!(!cards.is_empty());
    assert!(cards.iter().all(|c| c.lang == tradewind_core::Lang::Zh));
}

#[tokio::test]
async fn embargoed_destination_is_blocked_and_the_customer_is_not_told_why() {
    let t = spawn_app().await;
    let r = t.ask("caribe", "Please quote 200 units of the 3 kW 24V off-grid inverter for delivery to Havana, Cuba. Caribe Energia S.A.").await;
    let c = r.customs.value().unwrap();
    assert_eq!(c.risk, RiskLevel::Blocked);
    assert!(c.findings.iter().any(|f| f.citations.iter().any(|x| x.source.contains("DEST-EMB-CU"))));
    for word in ["embargo", "sanction", "blocked", "Blocked"] {
        assert!(!r.reply.contains(word), "reply leaks '{word}': {}", r.reply);
    }
}

#[tokio::test]
async fn a_listed_party_name_variant_is_flagged() {
    let t = spawn_app().await;
    let r = t
        .ask(
            "pc",
            "Tehran Powercell Co. would like 1000 of the 20000 mAh USB-C power banks shipped to Jebel Ali, Dubai.",
        )
        .await;
    let c = r.customs.value().unwrap();
    assert!(c.risk >= RiskLevel::Review, "{c:#?}");
    assert!(c.findings.iter().any(|f| f.kind == "screening" && f.level >= RiskLevel::Review), "{:#?}", c.findings);
}

#[tokio::test]
async fn memory_means_the_customer_is_not_asked_twice() {
    let t = spawn_app().await;
    let first = t.ask("repeat", HAMBURG).await;
    assert!(first.inquiry.missing.is_empty(), "{:?}", first.inquiry.missing);
    // A separate inquiry (not a change to the open one): memory fills it.
    let mut again = IncomingMessage::new("test", "repeat", "Also 200 of the 36V 10Ah downtube batteries please.");
    again.start_new = true;
    let second = t.send(again).await;
    assert_ne!(second.thread.as_ref().map(|t| &t.thread_id), first.thread.as_ref().map(|t| &t.thread_id));
    assert_eq!(second.inquiry.company.as_deref(), Some("Nordlicht Energie GmbH"));
    assert!(second.inquiry.from_memory.contains(&"company".to_string()));
    assert!(!second.inquiry.missing.contains(&MissingField::Company));
    assert!(!second.inquiry.missing.contains(&MissingField::Destination));
    assert!(!second.reply.to_lowercase().contains("company name"), "{}", second.reply);
}

#[tokio::test]
async fn missing_details_are_asked_for_in_the_reply() {
    let t = spawn_app().await;
    let r = t.ask("wang", "你好，想采购LED高棚灯，请报价。").await;
    assert!(r.inquiry.missing.contains(&MissingField::Quantity), "{:?}", r.inquiry.missing);
    assert!(r.inquiry.missing.contains(&MissingField::Destination));
    assert!(r.reply.contains("目的地"), "{}", r.reply);
}

#[tokio::test]
async fn the_transcript_shows_every_agents_tool_calls_with_durations() {
    let t = spawn_app().await;
    let r = t.ask("tr", HAMBURG).await;
    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    for agent in ["intake", "proposal", "customs", "faq"] {
        assert!(
            steps.iter().any(|s| s.agent == agent && matches!(s.kind, StepKind::ToolCall { .. })),
            "no tool call by {agent}"
        );
    }
    let call =
        steps.iter().find(|s| matches!(&s.kind, StepKind::ToolCall { tool, .. } if tool == "quote_price")).unwrap();
    match &call.kind {
        StepKind::ToolCall { args, result, .. } => {
            assert_eq!(args["sku"], "TW-BP-4820");
            assert!(result.is_some());
        }
        _ => unreachable!(),
    }
    assert!(steps.windows(2).all(|w| w[0].seq < w[1].seq), "steps are in order");
}

#[tokio::test]
async fn the_transcript_keeps_a_delivered_payload_as_json_not_as_text() {
    let t = spawn_app().await;
    let r = t.ask("payload", HAMBURG).await;
    let steps = t.app.transcript(&r.inquiry_id).await.unwrap();
    let customs = steps
        .iter()
        .find_map(|s| match &s.kind {
            StepKind::ToolCall { tool, args, .. } if tool == "push_card" && args["kind"] == "customs" => Some(args),
            _ => None,
        })
        .expect("the customs report was delivered");
    assert!(customs.get("payload_json").is_none(), "{customs}");
    assert_eq!(customs["payload"]["risk"], "review", "{customs}");
}

#[tokio::test]
async fn results_reach_the_sales_logistics_and_customer_service_sinks() {
    let t = spawn_app().await;
    let r = t.ask("sinks", HAMBURG).await;
    let sales =
        std::fs::read_to_string(t.outbox("sales").join(&r.inquiry_id).join(format!("{}-proposal.md", r.inquiry_id)))
            .unwrap();
    assert!(sales.contains("TW-BP-4820"));
    let logistics =
        std::fs::read_to_string(t.outbox("logistics").join(&r.inquiry_id).join(format!("{}-customs.md", r.inquiry_id)))
            .unwrap();
    assert!(logistics.contains("Risk level: REVIEW"), "{logistics}");
    let cards = std::fs::read_dir(t.outbox("customer_service").join(&r.inquiry_id)).unwrap().count();
    assert!(cards >= 2);
    assert!(matches!(r.proposal, AgentOutcome::Done { .. }));
}

#[tokio::test]
async fn a_phone_the_channel_vouches_for_links_the_chat_to_the_customer_across_channels() {
    let t = spawn_app().await;
    let code = "91350100M000100Y43";
    let mut first = IncomingMessage::new(
        "telegram",
        "1001",
        format!("我们是上海启航贸易有限公司，统一社会信用代码 {code}，需要两千个48V 20Ah电池包，发到汉堡。"),
    );
    first.verified_phone = Some("+86 138 0013 8000".into());
    let first = t.send(first).await;
    assert!(first.customer.starts_with("u:"), "linked on proof: {}", first.customer);

    let mut other = IncomingMessage::new(
        "wecom",
        "zhang",
        format!("Hello again, credit code {code}. Please add 300 of the 36V 10Ah downtube batteries."),
    );
    other.verified_phone = Some("13800138000".into());
    let other = t.send(other).await;
    assert_eq!(other.customer, first.customer, "same customer, the number written two ways");
    assert!(other.inquiry.company.is_some(), "company recalled from the customer's record");
}
