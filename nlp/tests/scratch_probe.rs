use std::collections::BTreeMap;
use tradewind_core::{Catalog, PriceTier, Product};
use tradewind_nlp::Intake;

fn product(sku: &str, en: &str, zh: &str, cat: &str, specs: &[(&str, &str)], syn: &[&str]) -> Product {
    Product {
        sku: sku.into(), name_en: en.into(), name_zh: zh.into(), category: cat.into(),
        specs: specs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        hs_code: "850760".into(), price_tiers: vec![PriceTier { min_qty: 1, unit_price_usd: 100.0 }],
        moq: 10, lead_time_days: 20, stock: 1000, battery: None,
        synonyms: syn.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn probe() {
    let it = Intake::new(&Catalog::new(vec![
        product("TW-BP-4820", "48V 20Ah E-Bike Battery Pack", "48V 20Ah 电动自行车电池包", "battery", &[("voltage", "48 V"), ("capacity", "20 Ah")], &["e-bike battery", "battery pack", "电池包"]),
        product("TW-BP-3610", "36V 10Ah E-Bike Battery Pack", "36V 10Ah 电动自行车电池包", "battery", &[("voltage", "36 V"), ("capacity", "10 Ah")], &["e-bike battery", "battery pack", "电池包"]),
        product("TW-HM-500", "500W Hub Motor", "500W 轮毂电机", "ebike-part", &[("power", "500 W")], &["hub motor", "轮毂电机"]),
        product("TW-INV-5K", "5kW Hybrid Inverter", "5kW 混合逆变器", "inverter", &[("power", "5 kW")], &["hybrid inverter", "逆变器"]),
    ]));
    let text = std::fs::read_to_string(std::env::var("PROBE").unwrap()).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let line = line.replace("\\n", "\n");
        let si = it.parse(&line);
        println!("=== {line}");
        println!("  items={:?}", si.items.iter().map(|i| (i.sku.as_str(), i.quantity, i.matched_text.as_str())).collect::<Vec<_>>());
        println!("  unmatched={:?} dest={:?} inco={:?} company={:?}", si.unmatched_products, si.destination.as_ref().map(|d| (d.country.as_str(), d.place.as_deref(), d.region.as_deref(), d.matched_text.as_str())), si.incoterm, si.company);
        println!("  contact={:?} code={:?} susp={} missing={:?} lang={:?}", si.contact, si.credit_code, si.suspicious, si.missing, si.lang);
    }
}

#[test]
fn fuzz() {
    let it = Intake::new(&Catalog::new(vec![
        product("TW-BP-4820", "48V 20Ah E-Bike Battery Pack", "48V 20Ah 电动自行车电池包", "battery", &[("voltage", "48 V"), ("capacity", "20 Ah")], &["e-bike battery", "battery pack", "电池包"]),
        product("TW-HM-500", "500W Hub Motor", "500W 轮毂电机", "ebike-part", &[("power", "500 W")], &["hub motor", "轮毂电机"]),
    ]));
    let pool = ["48V", "20Ah", "battery", "pack", "packs", "hub", "motor", "800", "1,200", "1.5k", "x200", "×", "两千", "个", "万", "一", "零", "电池包", "汉堡", "Hamburg", "US", "U.S.", "to", "FOB", "fob", "GmbH", "Co.,", "Ltd", "有限公司", "公司", "我是", "张", "伟", "+", "+49", "00", "138", "0013", "@", "a@b.de", ".", ",", "，", "。", "\n", " ", "  ", "-", "'", "(", ")", ":", "：", "$", "#", "2025", "20095", "Crimea", "qty", "of", "your", "need", "sell", "需要", "采购", "ignore", "instructions", "\u{200b}", "\u{0}", "İ", "ß", "é", "Ｆ", "１", "9131", "0000MA1FL5YX2K", "的", "台", "块", "钱", "个月", "k", "10", "000"];
    let mut seed: u64 = 0x1234_5678;
    let mut next = || { seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (seed >> 33) as usize };
    let t = std::time::Instant::now();
    for _ in 0..20000 {
        let len = next() % 30;
        let mut s = String::new();
        for _ in 0..len {
            s.push_str(pool[next() % pool.len()]);
            if next() % 3 == 0 { s.push(' '); }
        }
        let _ = it.parse(&s);
    }
    println!("fuzz 20000 in {:?}", t.elapsed());
}

#[test]
fn fuzz_chars() {
    let it = Intake::new(&Catalog::new(vec![
        product("TW-BP-4820", "48V 20Ah E-Bike Battery Pack", "48V 20Ah 电动自行车电池包", "battery", &[("voltage", "48 V"), ("capacity", "20 Ah")], &["e-bike battery", "battery pack", "电池包"]),
    ]));
    let pool: Vec<char> = "0123456789abcdefkvwhx ABCDEFGHKUSVWX.,;:+-()@#$%'\n\t\u{0}\u{200b}\u{3000}，。：（）一二两三十百千万亿零个台块钱汉堡公司有限我是的电池包İßé１２ＡＢ＋\u{301}\u{10ffff}😀".chars().collect();
    let mut seed: u64 = 99;
    let mut next = || { seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (seed >> 33) as usize };
    for _ in 0..30000 {
        let len = next() % 60;
        let s: String = (0..len).map(|_| pool[next() % pool.len()]).collect();
        let _ = it.parse(&s);
        let _ = tradewind_nlp::parse_number(&s);
        let _ = tradewind_nlp::parse_quantity(&s);
    }
}
