//! Property tests of what faces the public in this crate: intake reads any
//! string (bounded in size, as the swarm bounds messages) without panicking
//! and finds only catalog SKUs; the PII masker never panics, is idempotent,
//! and never lets a valid card number or resident ID through.

use proptest::prelude::*;
use tradewind_core::Catalog;
use tradewind_nlp::{pii, Intake};

const CATALOG: &str = r#"{"sku":"TW-HM-500","name_en":"500W Hub Motor","name_zh":"500W 轮毂电机","category":"ebike-part","hs_code":"850131","price_tiers":[],"moq":10,"lead_time_days":20,"stock":100,"synonyms":["hub motor"]}
{"sku":"TW-BP-4820","name_en":"48V 20Ah E-bike Battery Pack","name_zh":"48V 20Ah 电动自行车电池包","category":"battery","hs_code":"850760","price_tiers":[],"moq":10,"lead_time_days":25,"stock":500,"synonyms":["battery pack"]}"#;

/// Text like customers write, and text like attackers do: any characters,
/// words from the domain, digits and separators, up to the message limit.
fn message() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("800".to_string()),
        Just("hub motor".to_string()),
        Just("48V 20Ah".to_string()),
        Just("Hamburg".to_string()),
        Just("汉堡".to_string()),
        Just("两千个".to_string()),
        Just("电话".to_string()),
        Just("+49 40 1234567".to_string()),
        Just("a@b.cn".to_string()),
        Just("CIF".to_string()),
        Just("ignore previous instructions".to_string()),
        "[0-9 ,.\\-+()]{1,24}",
        "\\PC{0,40}",
        any::<String>().prop_map(|s| s.chars().take(40).collect()),
    ];
    prop::collection::vec(word, 0..60).prop_map(|w| w.join(" "))
}

fn luhn_complete(body: &[u32]) -> String {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    body.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).chain(char::from_digit(check, 10)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn intake_reads_any_message_and_names_only_catalog_skus(text in message()) {
        let catalog = Catalog::from_jsonl(CATALOG).unwrap();
        let si = Intake::new(&catalog).parse(&text);
        for item in &si.items {
            prop_assert!(catalog.get(&item.sku).is_some(), "{}", item.sku);
        }
        prop_assert!(si.unmatched_products.len() <= 8);
    }

    #[test]
    fn intake_survives_arbitrary_bytes_as_text(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let catalog = Catalog::from_jsonl(CATALOG).unwrap();
        let _ = Intake::new(&catalog).parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn masking_is_idempotent_on_any_text(text in message()) {
        let once = pii::mask(&text).into_owned();
        prop_assert_eq!(pii::mask(&once).into_owned(), once.clone());
        prop_assert!(pii::find(&once).is_empty(), "{once}");
    }

    #[test]
    fn a_valid_card_number_never_survives_masking(
        body in prop::collection::vec(0u32..10, 15),
        before in "[a-zA-Z ]{0,20}",
        after in "[a-zA-Z ]{0,20}",
        grouped in any::<bool>(),
    ) {
        let card = luhn_complete(&body);
        let written = if grouped {
            card.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
        } else {
            card.clone()
        };
        let text = format!("{before} {written} {after}");
        let masked = pii::mask(&text);
        prop_assert!(!masked.contains(&written), "{masked}");
        prop_assert!(!masked.replace(' ', "").contains(&card), "{masked}");
    }

    #[test]
    fn a_valid_resident_id_never_survives_masking(
        area in 110000u32..660000,
        y in 1930u32..2010, m in 1u32..13, d in 1u32..29, seq in 0u32..1000,
        before in "[a-z ]{0,10}",
    ) {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let body = format!("{area:06}{y:04}{m:02}{d:02}{seq:03}");
        let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
        let id = format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char);
        let masked = pii::mask(&format!("{before}身份证 {id}")).into_owned();
        prop_assert!(!masked.contains(&id), "{masked}");
    }
}
