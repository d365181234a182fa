//! What the catalog's own names say about each product: its head nouns
//! (what kind of thing it is: a battery, a charger, a light), the words that
//! qualify it, its Chinese names by kind, its rated values, and the products
//! it is made to go with. Matching and "nearest product" both read this.

use std::collections::{BTreeSet, HashSet};

use tradewind_core::Product;

use crate::specs::{cjk_spec_at, parse_specs, product_specs, specs_in, Spec};
use crate::text::{is_cjk, Doc, Kind};

/// English head nouns: the word of a name that says what the product is.
/// Vehicle words count only when no other head is in the name, since
/// "colour tft display ebike" is a display and "e-scooter replacement
/// battery" a battery.
const HEADS: &[&str] = &[
    "battery",
    "pack",
    "bank",
    "charger",
    "inverter",
    "microinverter",
    "controller",
    "motor",
    "kit",
    "display",
    "meter",
    "throttle",
    "lever",
    "light",
    "lamp",
    "lantern",
    "floodlight",
    "tube",
    "bulb",
    "strip",
    "tape",
    "panel",
    "bay",
    "station",
    "generator",
    "powerwall",
    "scooter",
    "escooter",
    "ebike",
    "bike",
    "bicycle",
    "pedelec",
];
const VEHICLES: &[&str] = &["scooter", "escooter", "ebike", "bike", "bicycle", "pedelec"];

/// Words that say what every product of a kind is ("lithium" batteries,
/// "electric" scooters): a customer's use of them never rules one out.
pub(crate) const SOFT_WORDS: &[&str] = &["lithium", "liion", "lithiumion", "rechargeable", "electric"];
/// The Chinese counterpart: 锂 (lithium) in 锂电池.
pub(crate) const SOFT_CJK: &[char] = &['锂'];

/// Every head word naming the same kind as `w` ("bike" → "ebike",
/// "bicycle", "pedelec", "bike"), `w` included.
pub(crate) fn head_variants(w: &str) -> Vec<&'static str> {
    let Some(h) = HEADS.iter().find(|h| **h == w) else { return Vec::new() };
    let c = canonical_head(h);
    HEADS.iter().copied().filter(|x| canonical_head(x) == c).collect()
}

/// The canonical head a word names, if it is a head noun.
pub(crate) fn canonical(w: &str) -> Option<&'static str> {
    HEADS.iter().find(|h| **h == w).map(|h| canonical_head(h))
}

pub(crate) fn is_head(w: &str) -> bool {
    HEADS.contains(&w)
}

/// True when `s` is nothing but a Chinese head noun (电池, 逆变器).
pub(crate) fn is_cjk_head(s: &str) -> bool {
    CJK_HEADS.iter().any(|(h, _)| *h == s)
}

/// Head words that name the same kind of thing.
fn canonical_head(w: &'static str) -> &'static str {
    match w {
        "lamp" => "light",
        "escooter" => "scooter",
        "bike" | "bicycle" | "pedelec" => "ebike",
        other => other,
    }
}

/// Chinese head nouns at the end of a name, longest first within a kind,
/// with the kind they name.
const CJK_HEADS: &[(&str, &str)] = &[
    ("电池包", "电池"),
    ("电池组", "电池"),
    ("电池", "电池"),
    ("充电器", "充电器"),
    ("充电宝", "充电宝"),
    ("移动电源", "充电宝"),
    ("储能电源", "电站"),
    ("便携电站", "电站"),
    ("电站", "电站"),
    ("发电机", "电站"),
    ("逆变器", "逆变器"),
    ("微逆", "逆变器"),
    ("控制器", "控制器"),
    ("电机", "电机"),
    ("马达", "电机"),
    ("套件", "套件"),
    ("仪表", "仪表"),
    ("显示屏", "仪表"),
    ("转把", "转把"),
    ("油门", "转把"),
    ("刹车把", "刹把"),
    ("刹把", "刹把"),
    ("路灯头", "路灯"),
    ("路灯", "路灯"),
    ("投光灯", "投光灯"),
    ("泛光灯", "投光灯"),
    ("工矿灯", "工矿灯"),
    ("高棚灯", "工矿灯"),
    ("平板灯", "平板灯"),
    ("面板灯", "平板灯"),
    ("露营灯", "露营灯"),
    ("营地灯", "露营灯"),
    ("灯管", "灯管"),
    ("球泡灯", "灯泡"),
    ("球泡", "灯泡"),
    ("灯泡", "灯泡"),
    ("灯带", "灯带"),
    ("灯条", "灯带"),
    ("滑板车", "滑板车"),
    ("自行车", "自行车"),
    ("整车", "自行车"),
];

/// Words that end the naming part of a name: what follows is an accessory
/// or a purpose ("with 15Ah battery", "for 48V packs").
const SEGMENT_END: &[&str] = &["with", "for", "incl", "including", "("];

/// Words that carry no meaning for telling products apart.
pub(crate) const FUNCTION_WORDS: &[&str] =
    &["a", "an", "the", "of", "for", "with", "and", "or", "in", "on", "to", "by", "at", "&", "/", "-", "x"];

/// The head of a run of English words (stems): the last head noun, a vehicle
/// only when nothing else is; canonical form, with its index in `words`.
pub(crate) fn latin_head<S: AsRef<str>>(words: &[S]) -> Option<(usize, &'static str)> {
    let find = |vehicles: bool| {
        words.iter().enumerate().rev().find_map(|(i, w)| {
            let w = w.as_ref();
            let h = HEADS.iter().find(|h| **h == w)?;
            (vehicles || !VEHICLES.contains(h)).then_some((i, *h))
        })
    };
    let (i, h) = find(false).or_else(|| find(true))?;
    Some((i, canonical_head(h)))
}

/// The Chinese head at the end of `s`, as (length in chars, kind).
pub(crate) fn cjk_head(s: &str) -> Option<(usize, &'static str)> {
    CJK_HEADS
        .iter()
        .filter(|(h, _)| s.ends_with(h))
        .max_by_key(|(h, _)| h.chars().count())
        .map(|(h, k)| (h.chars().count(), *k))
}

/// One name of a product, reduced to what matching compares.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameForm {
    /// English words (stems) of the naming part, specs left out.
    pub words: Vec<Box<str>>,
    /// Chinese characters of the naming part, specs left out.
    pub cjk: String,
}

/// What the catalog says about one product.
#[derive(Debug, Clone, Default)]
pub(crate) struct Info {
    pub sku: String,
    pub name_en: Option<String>,
    pub name_zh: Option<String>,
    pub category: String,
    pub specs: Vec<Spec>,
    /// The specs its names state: its headline ratings (5 kW, not the
    /// 6.5 kW of PV input its spec table also lists).
    pub name_specs: Vec<Spec>,
    /// English words of its names (naming parts only).
    pub vocab: BTreeSet<Box<str>>,
    /// Words from the rest of its names and its spec table ("for work
    /// lights", "wall-mount"): they support a match but never make one.
    pub extra: BTreeSet<Box<str>>,
    /// Canonical English head nouns.
    pub heads: BTreeSet<&'static str>,
    /// Chinese naming parts with their kind.
    pub zh: Vec<(String, &'static str)>,
    /// Every Chinese character of its names, and every pair of neighbours.
    pub zh_chars: BTreeSet<char>,
    pub zh_pairs: BTreeSet<(char, char)>,
    pub forms: Vec<NameForm>,
    /// Products it is made to go with (named in its spec table, or naming it).
    pub related: Vec<u32>,
}

impl Info {
    pub fn knows(&self, w: &str) -> bool {
        self.vocab.contains(w) || self.extra.contains(w)
    }
}

/// Splits a name into its alternatives ("Portable Power Station / Solar
/// Generator") and each into its naming part and the rest.
pub(crate) fn naming_parts(name: &str) -> Vec<(Doc<'_>, usize)> {
    name.split(" / ")
        .map(|alt| {
            let d = Doc::new(alt);
            let end = (0..d.len()).find(|&i| SEGMENT_END.contains(&d.norm_of(i))).unwrap_or(d.len());
            (d, end)
        })
        .collect()
}

/// Tokens of `d` (up to `end`) that are specs, as a mask.
pub(crate) fn spec_mask(d: &Doc, end: usize) -> Vec<bool> {
    let mut skip = vec![false; d.len()];
    for i in 0..end.min(d.len()) {
        if parse_specs(d.norm_of(i)).is_some() {
            skip[i] = true;
        }
        if let Some((_, e)) = cjk_spec_at(d, i) {
            skip[i..e.min(d.len())].iter_mut().for_each(|s| *s = true);
        }
    }
    skip
}

/// A name's naming part reduced to words and Chinese characters.
pub(crate) fn name_form(d: &Doc, end: usize) -> NameForm {
    let skip = spec_mask(d, end);
    let mut f = NameForm::default();
    for (i, _) in skip.iter().enumerate().take(end.min(d.len())).filter(|(_, s)| !**s) {
        match d.kind(i) {
            Some(Kind::Word) if !FUNCTION_WORDS.contains(&d.stem_of(i)) => f.words.push(Box::from(d.stem_of(i))),
            Some(Kind::Cjk) => f.cjk.push_str(d.norm_of(i)),
            _ => {}
        }
    }
    f
}

pub(crate) fn build(products: &[Product]) -> Vec<Info> {
    let mut infos: Vec<Info> = products.iter().map(info_of).collect();
    // "fits: TW-ES-1036 deck compartment": a spare part names what it fits.
    let keys: Vec<String> = products.iter().map(|p| sku_key(&p.sku)).collect();
    for (pid, p) in products.iter().enumerate() {
        for value in p.specs.values() {
            let d = Doc::new(value);
            for i in 0..d.len() {
                let w = d.norm_of(i);
                if let Some(other) = keys.iter().position(|k| k == w) {
                    if other != pid {
                        for (a, b) in [(pid, other), (other, pid)] {
                            if !infos[a].related.contains(&(b as u32)) {
                                infos[a].related.push(b as u32);
                            }
                        }
                    }
                }
            }
        }
    }
    infos
}

/// A SKU as the tokenizer reads it ("TW-ES-1036" → "twes1036").
fn sku_key(sku: &str) -> String {
    sku.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

fn info_of(p: &Product) -> Info {
    let mut info = Info {
        sku: p.sku.clone(),
        name_en: Some(p.name_en.clone()),
        name_zh: Some(p.name_zh.clone()),
        category: p.category.trim().to_ascii_lowercase(),
        specs: product_specs(p),
        name_specs: [&p.name_en, &p.name_zh].iter().flat_map(|n| specs_in(n)).collect(),
        ..Default::default()
    };
    for name in [&p.name_en, &p.name_zh].into_iter().chain(p.synonyms.iter()) {
        let cjk: Vec<char> = name.chars().filter(|c| is_cjk(*c)).collect();
        info.zh_chars.extend(cjk.iter().copied());
        info.zh_pairs.extend(name.chars().zip(name.chars().skip(1)).filter(|(a, b)| is_cjk(*a) && is_cjk(*b)));
        for (d, end) in naming_parts(name) {
            let form = name_form(&d, end);
            if let Some((_, h)) = latin_head(&form.words) {
                info.heads.insert(h);
            }
            if let Some((_, kind)) = cjk_head(&form.cjk) {
                info.zh.push((form.cjk.clone(), kind));
            }
            info.vocab.extend(form.words.iter().cloned());
            for i in end..d.len() {
                if d.kind(i) == Some(Kind::Word) && !FUNCTION_WORDS.contains(&d.stem_of(i)) {
                    info.extra.insert(Box::from(d.stem_of(i)));
                }
            }
            if !form.words.is_empty() || !form.cjk.is_empty() {
                info.forms.push(form);
            }
        }
    }
    for value in p.specs.values() {
        let d = Doc::new(value);
        for i in 0..d.len() {
            let w = d.stem_of(i);
            if d.kind(i) == Some(Kind::Word) && w.chars().all(char::is_alphabetic) && !FUNCTION_WORDS.contains(&w) {
                info.extra.insert(Box::from(w));
            }
        }
    }
    info
}

/// For every English word any product's naming part uses, the categories
/// of those products: a qualifier from another category ("solar panel"
/// asked of a catalog whose only panel is an LED panel light) means the
/// customer wants something we don't sell.
pub(crate) fn word_categories(infos: &[Info]) -> std::collections::HashMap<Box<str>, HashSet<String>> {
    let mut out: std::collections::HashMap<Box<str>, HashSet<String>> = std::collections::HashMap::new();
    for i in infos {
        for w in &i.vocab {
            out.entry(w.clone()).or_default().insert(i.category.clone());
        }
    }
    out
}

/// True when `needle`'s characters appear in `hay` in order.
pub(crate) fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.chars();
    needle.chars().all(|c| it.any(|h| h == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_skip_trailing_vehicle_words() {
        assert_eq!(latin_head(&["colour", "tft", "display", "ebike"]).map(|x| x.1), Some("display"));
        assert_eq!(latin_head(&["city", "ebike"]).map(|x| x.1), Some("ebike"));
        assert_eq!(latin_head(&["folding", "escooter"]).map(|x| x.1), Some("scooter"));
        assert_eq!(latin_head(&["street", "lamp"]).map(|x| x.1), Some("light"));
        assert_eq!(latin_head(&["hydrogen", "fuel", "cell"]), None);
    }

    #[test]
    fn chinese_heads_are_the_longest_suffix() {
        assert_eq!(cjk_head("电动自行车电池包"), Some((3, "电池")));
        assert_eq!(cjk_head("LED灯带"), Some((2, "灯带")));
        assert_eq!(cjk_head("阳台光伏微逆"), Some((2, "逆变器")));
        assert_eq!(cjk_head("氢燃料电堆"), None);
    }

    #[test]
    fn naming_part_stops_at_with_and_for() {
        let parts = naming_parts("Thumb Throttle with Battery Level Indicator");
        let (d, end) = &parts[0];
        let f = name_form(d, *end);
        assert_eq!(f.words, vec![Box::from("thumb"), Box::from("throttle")]);
    }

    #[test]
    fn subsequences_keep_order() {
        assert!(is_subsequence("电动自行车电池", "电动自行车后货架电池"));
        assert!(!is_subsequence("池电", "电池"));
    }
}
