//! Retrieval-quality check on the embedded demo knowledge base: paraphrased
//! FAQ questions (English and Chinese) and the section each should find.
//! It guards against retrieval regressions when the embedder, the fusion or
//! the kb files change; `--nocapture` prints the misses for tuning.

use std::sync::Arc;
use tradewind_knowledge::{
    edge::EdgeIndex,
    embed::HashEmbedder,
    ingest::{ingest, IngestOptions},
    kb, KnowledgeIndex, SearchQuery,
};
const EVAL: &[(&str, &str)] = &[
    ("Can I pay with a letter of credit?", "Payment > Do you accept L/C payment?"),
    ("what payment methods are possible", "Payment > What payment terms do you accept?"),
    ("do you take euros or only dollars", "Payment > Which currencies can I pay in?"),
    ("who covers the wire transfer fees", "Payment > Who pays the bank charges?"),
    ("can we get 60 days payment terms after some orders", "Payment > Do you offer credit terms for repeat customers?"),
    ("how are the e-bike battery packs shipped", "Shipping > How do you ship lithium battery packs?"),
    ("which harbour do goods leave from", "Shipping > Which port do you ship from?"),
    ("how many days on the ocean to Hamburg", "Shipping > How long does sea freight take?"),
    ("deliver duty paid to my warehouse", "Shipping > Can you arrange shipping to my door (DDP)?"),
    ("UN3480 or UN3481?", "Lithium batteries > What is the UN number of your batteries?"),
    ("safety data sheet for the battery", "Lithium batteries > Do you provide an MSDS?"),
    ("which cell brand is inside the pack", "Lithium batteries > What cells do you use in your e-bike battery packs?"),
    ("LFP vs NMC", "Lithium batteries > What is the difference between your Li-ion NMC and LiFePO4 batteries?"),
    ("how long is the guarantee on the battery pack", "Warranty > What is the warranty on your battery packs?"),
    ("what is excluded from warranty", "Warranty > What does the warranty not cover?"),
    ("how to make a warranty claim", "Warranty > How do you handle warranty claims?"),
    ("do you have CE marking", "Certificates > Are your products CE and UKCA marked?"),
    ("RoHS compliant?", "Certificates > Do your products comply with RoHS and REACH?"),
    ("can I buy one sample unit", "Samples > Can I order a sample?"),
    ("are samples free of charge", "Samples > Can I get free samples?"),
    ("what is the smallest quantity I can order", "MOQ and pricing > What is your minimum order quantity?"),
    ("volume discount for 1000 pieces", "MOQ and pricing > Do you give discounts for larger quantities?"),
    ("how long until my order is produced", "Lead time > What is your lead time?"),
    ("urgent order, can you produce faster", "Lead time > Can you speed up production for an urgent order?"),
    ("what paperwork comes with the goods", "Customs and documents > Which documents come with a shipment?"),
    ("certificate of origin form A", "Customs and documents > Can you provide a certificate of origin?"),
    ("goods arrived broken", "After-sales > What if goods arrive damaged?"),
    ("put our brand logo on the box", "Customisation > Can you print our logo on the products?"),
    ("can I come see the factory", "Ordering > Can I visit your factory?"),
    ("inspection by SGS before shipping", "Ordering > Do you allow third-party inspection before shipment?"),
    ("付款方式有哪些", "付款 > 你们接受哪些付款方式？"),
    ("能开信用证吗", "付款 > 可以用信用证付款吗？"),
    ("银行费用谁付", "付款 > 银行手续费由谁承担？"),
    ("锂电池能空运吗", "运输 > 可以空运吗？"),
    ("海运到汉堡要多久", "运输 > 海运需要多长时间？"),
    ("电池是UN3480吗", "锂电池 > 你们的电池是什么 UN 编号？"),
    ("有没有MSDS", "锂电池 > 能提供 MSDS 吗？"),
    ("电池包保修多长时间", "质保 > 电池包质保多久？"),
    ("有CE认证吗", "认证 > 产品有 CE 和 UKCA 标志吗？"),
    ("样品要钱吗", "样品 > 可以提供免费样品吗？"),
    ("最少要买多少个", "起订量与价格 > 起订量是多少？"),
    ("多买有优惠吗", "起订量与价格 > 大批量有折扣吗？"),
    ("生产要多少天", "交期 > 交期多久？"),
    ("货到了坏了怎么办", "售后 > 货物到达时有损坏怎么办？"),
    ("能印我们的商标吗", "定制 > 可以在产品上印我们的 Logo 吗？"),
    ("可以来工厂看看吗", "下单 > 可以参观工厂吗？"),
];
#[tokio::test(flavor = "multi_thread")]
async fn most_paraphrased_faq_questions_find_their_section_first() {
    let dir = tempfile::tempdir().unwrap();
    let index = EdgeIndex::open(dir.path(), Arc::new(HashEmbedder::default())).await.unwrap();
    ingest(&index, kb::embedded_documents(), &IngestOptions { quiet: true, ..Default::default() }).await.unwrap();
    let (mut h1, mut mrr, mut n) = (0, 0.0, 0);
    for (q, want) in EVAL {
        n += 1;
        let hits = index.search(&SearchQuery { kinds: vec!["faq".into()], ..SearchQuery::new(*q, 3) }).await.unwrap();
        let pos = hits.iter().position(|h| h.chunk.section == *want);
        if pos == Some(0) {
            h1 += 1
        }
        if let Some(p) = pos {
            mrr += 1.0 / (p as f64 + 1.0)
        }
        if pos != Some(0) {
            println!(
                "MISS {q} -> {:?} (want {want})",
                hits.iter().map(|h| h.chunk.section.clone()).collect::<Vec<_>>()
            );
        }
    }
    println!("hit@1 {h1}/{n}  mrr@3 {:.3}", mrr / n as f64);
    // Measured 33/46 when tuned; a drop well below that means a regression.
    assert!(h1 * 2 >= n, "hit@1 {h1}/{n}");
}
