//! The benchmark's inquiries: distinct messages generated with a fixed seed
//! from the catalog (names and synonyms, English and Chinese) and the
//! gazetteer (ports and cities), with varied quantities, terms, companies,
//! contacts and phrasings, one or two products each. A run over a few
//! repeated texts would time the query cache, not the swarm; every timed
//! inquiry here is a text the process has not seen.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use tradewind_core::Catalog;

/// The seed every run uses, so runs compare.
pub const SEED: u64 = 20_261_206;

const TERMS: &[&str] = &["FOB Ningbo", "FOB Shenzhen", "CIF", "CFR", "DAP", "DDP", "EXW", "FCA Shanghai", ""];
const COMPANY_A: &[&str] = &[
    "Nordic", "Baltic", "Atlas", "Delta", "Sunrise", "Harbor", "Crescent", "Pioneer", "Summit", "Coastal", "Meridian",
    "Orion",
];
const COMPANY_B: &[&str] = &[
    "Energy GmbH",
    "Trading Ltd",
    "Solar Pty Ltd",
    "Bikes Sp. z o.o.",
    "Lighting LLC",
    "Power B.V.",
    "Imports S.A.",
    "Distribution Inc.",
];
const COMPANY_ZH: &[&str] = &["启航", "华远", "新源", "恒通", "远大", "海川", "天成", "博信"];
const CONTACTS: &[&str] =
    &["Anna Schmidt", "Tomasz Nowak", "Priya Nair", "Carlos Mendes", "Lena Berg", "Ahmed Hassan", ""];
const CONTACTS_ZH: &[&str] = &["王先生", "李女士", "陈经理", "张总", ""];

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// `n` distinct inquiries (fewer only if the inputs cannot make that many).
pub fn generate(catalog: &Catalog, n: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut en_names: Vec<Vec<String>> = Vec::new();
    let mut zh_names: Vec<Vec<String>> = Vec::new();
    for p in catalog.products() {
        let mut en = vec![p.name_en.clone()];
        en.extend(p.synonyms.iter().filter(|s| !han(s)).cloned());
        let mut zh = vec![p.name_zh.clone()];
        zh.extend(p.synonyms.iter().filter(|s| han(s)).cloned());
        en_names.push(en);
        zh_names.push(zh);
    }
    let places = tradewind_nlp::gazetteer::known_places();
    let zh_places: Vec<&str> = places.iter().filter_map(|(_, zh, _)| *zh).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut attempts = 0usize;
    while out.len() < n && attempts < n * 50 && !en_names.is_empty() && !places.is_empty() {
        attempts += 1;
        let zh = rng.gen_bool(0.4);
        let qty = |rng: &mut StdRng| {
            *[20u32, 50, 80, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 3000, 5000]
                .choose(rng)
                .unwrap_or(&100)
        };
        let two = rng.gen_bool(0.25);
        let a = rng.gen_range(0..en_names.len());
        let b = rng.gen_range(0..en_names.len());
        let term = TERMS.choose(&mut rng).copied().unwrap_or("");
        let text = if zh {
            let name = |i: usize, rng: &mut StdRng| zh_names[i].choose(rng).cloned().unwrap_or_default();
            let place = zh_places.choose(&mut rng).copied().unwrap_or("汉堡");
            let mut items = format!("{}个{}", qty(&mut rng), name(a, &mut rng));
            if two && a != b {
                items.push_str(&format!("和{}个{}", qty(&mut rng), name(b, &mut rng)));
            }
            let company = format!(
                "{}{}贸易有限公司",
                ["上海", "深圳", "宁波", "杭州"].choose(&mut rng).unwrap_or(&"上海"),
                COMPANY_ZH.choose(&mut rng).unwrap_or(&"启航")
            );
            let contact = CONTACTS_ZH.choose(&mut rng).copied().unwrap_or("");
            let term = if term.is_empty() { String::new() } else { format!("，{term}") };
            match rng.gen_range(0..4) {
                0 => format!("您好，我们需要{items}，发到{place}{term}。{company}{contact}"),
                1 => format!("请报价：{items}，目的地{place}{term}。{contact}"),
                2 => format!("{company}询价：{items}{term}，运往{place}，请告知交期。"),
                _ => format!(
                    "我是{company}的{}，想采购{items}，送到{place}{term}",
                    if contact.is_empty() { "采购" } else { contact }
                ),
            }
        } else {
            let name = |i: usize, rng: &mut StdRng| en_names[i].choose(rng).cloned().unwrap_or_default();
            let (place, _, _) = places.choose(&mut rng).copied().unwrap_or(("Hamburg", None, "DE"));
            let mut items = format!("{} {}", qty(&mut rng), name(a, &mut rng));
            if two && a != b {
                items.push_str(&format!(" and {} {}", qty(&mut rng), name(b, &mut rng)));
            }
            let company = format!(
                "{} {}",
                COMPANY_A.choose(&mut rng).unwrap_or(&"Nordic"),
                COMPANY_B.choose(&mut rng).unwrap_or(&"Trading Ltd")
            );
            let contact = CONTACTS.choose(&mut rng).copied().unwrap_or("");
            let term = if term.is_empty() { String::new() } else { format!(", {term}") };
            match rng.gen_range(0..5) {
                0 => format!("Hi, please quote {items}{term}, delivery to {place}. {company}"),
                1 => format!("We need {items} shipped to {place}{term}. Regards, {contact} ({company})"),
                2 => format!(
                    "Hello, this is {} from {company}. Price for {items} to {place}{term}?",
                    if contact.is_empty() { "purchasing" } else { contact }
                ),
                3 => format!("RFQ: {items}. Destination {place}{term}. Lead time and payment terms please. {company}"),
                _ => format!("Do you have {items} in stock? We are in {place}.{term} {company}"),
            }
        };
        if seen.insert(text.clone()) {
            out.push(text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_distinct_inquiries_in_both_languages_from_a_fixed_seed() {
        let catalog = tradewind_app::knowledge_documents(None).expect("demo knowledge").1;
        let a = generate(&catalog, 1_000, SEED);
        assert_eq!(a.len(), 1_000);
        assert_eq!(a, generate(&catalog, 1_000, SEED), "the same seed, the same corpus");
        let zh = a.iter().filter(|t| han(t)).count();
        assert!((300..=500).contains(&zh), "about 40% Chinese: {zh}");
        let products: HashSet<&str> = catalog.products().iter().map(|p| p.sku.as_str()).filter(|_| true).collect();
        assert!(products.len() >= 10);
    }
}
