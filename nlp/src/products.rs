//! Catalog matching: which products a message names (by SKU, name, synonym
//! or specs such as "48V 20Ah"), how many of each, and which product-like
//! phrases matched nothing we sell.

use std::sync::OnceLock;

use tradewind_core::{Catalog, LineItem, Product};

use crate::numerals::{self, is_cjk_numeral, number_word, NumWord};
use crate::text::{cap, leftmost_longest, stem_word, Doc, FastMap, Hit, Kind, PhraseIndex, SCAN_CAP};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    V,
    Ah,
    W,
    Wh,
    A,
    Hz,
}

/// A rated value; `milli` is the value in thousandths of the base unit so
/// that "1.5kW" and "1500W", or "20Ah" and "20000mAh", compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    unit: Unit,
    milli: u64,
}

/// Splits "48v" into ("48", "v") and "1.5kw" into ("1.5", "kw").
fn split_num(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(s.len());
    if end == 0 || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    Some((&s[..end], &s[end..]))
}

/// Value in thousandths: `num * mul / div * 1000`.
fn milli_of(num: &str, mul: u128, div: u128) -> Option<u64> {
    let num = match num.split_once(',') {
        // "1,5" is a decimal comma; "1,500" a thousands separator.
        Some((a, b)) if b.len() != 3 && !b.contains([',', '.']) => format!("{a}.{b}"),
        _ => num.replace(',', ""),
    };
    let (int, frac) = num.split_once('.').unwrap_or((&num, ""));
    if int.is_empty() || frac.len() > 6 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mant: u128 = format!("{int}{frac}").parse().ok()?;
    let den = 10u128.checked_pow(frac.len() as u32)?.checked_mul(div)?;
    u64::try_from(mant.checked_mul(1000)?.checked_mul(mul)? / den).ok()
}

fn unit_of(suffix: &str) -> Option<(Unit, u128, u128)> {
    Some(match suffix {
        "v" | "vdc" | "vac" | "volt" | "volts" => (Unit::V, 1, 1),
        "kv" => (Unit::V, 1000, 1),
        "ah" => (Unit::Ah, 1, 1),
        "mah" => (Unit::Ah, 1, 1000),
        "w" | "watt" | "watts" => (Unit::W, 1, 1),
        "kw" => (Unit::W, 1000, 1),
        "wh" => (Unit::Wh, 1, 1),
        "kwh" => (Unit::Wh, 1000, 1),
        "a" | "amp" | "amps" => (Unit::A, 1, 1),
        "hz" => (Unit::Hz, 1, 1),
        _ => return None,
    })
}

/// "48v", "20ah", "1.5kw", "3000mah" → a spec.
#[cfg(test)]
fn parse_spec(s: &str) -> Option<Spec> {
    let (num, suffix) = split_num(s)?;
    let (unit, mul, div) = unit_of(suffix)?;
    Some(Spec { unit, milli: milli_of(num, mul, div)? })
}

/// Up to three specs written as one token: "48v", or "48v20ah" run together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Specs([Option<Spec>; 3]);

impl Specs {
    fn one(s: Spec) -> Self {
        Specs([Some(s), None, None])
    }
    fn iter(&self) -> impl Iterator<Item = Spec> + '_ {
        self.0.iter().flatten().copied()
    }
}

fn parse_specs(s: &str) -> Option<Specs> {
    let mut out = [None; 3];
    let mut rest = s;
    let mut k = 0;
    while !rest.is_empty() {
        if k == out.len() {
            return None;
        }
        let (num, after) = split_num(rest)?;
        let ulen = after.find(|c: char| c.is_ascii_digit()).unwrap_or(after.len());
        let (unit, mul, div) = unit_of(&after[..ulen])?;
        out[k] = Some(Spec { unit, milli: milli_of(num, mul, div)? });
        k += 1;
        rest = &after[ulen..];
    }
    (k > 0).then_some(Specs(out))
}

/// Chinese unit words after a number ("48伏", "5千瓦", "20安时"), longest
/// first: (unit characters, unit, multiplier, divisor).
const CJK_UNITS: &[(&str, Unit, u128, u128)] = &[
    ("千瓦时", Unit::Wh, 1000, 1),
    ("毫安时", Unit::Ah, 1, 1000),
    ("千瓦", Unit::W, 1000, 1),
    ("毫安", Unit::Ah, 1, 1000),
    ("安时", Unit::Ah, 1, 1),
    ("瓦时", Unit::Wh, 1, 1),
    ("伏", Unit::V, 1, 1),
    ("瓦", Unit::W, 1, 1),
];

/// A spec written as a number token followed by glued Chinese unit
/// characters; returns the spec and the token after it.
fn cjk_spec_at(doc: &Doc, i: usize) -> Option<(Spec, usize)> {
    if doc.kind(i) != Some(Kind::Num) {
        return None;
    }
    let mut s = String::new();
    let mut k = i + 1;
    while k < doc.len() && k <= i + 3 && doc.kind(k) == Some(Kind::Cjk) && doc.glued(k) {
        s.push_str(doc.norm_of(k));
        k += 1;
    }
    for &(u, unit, mul, div) in CJK_UNITS {
        if s.starts_with(u) {
            let milli = milli_of(doc.norm_of(i), mul, div)?;
            return Some((Spec { unit, milli }, i + 1 + u.chars().count()));
        }
    }
    None
}

/// Specs a product states in its spec table, names and battery data.
fn product_specs(p: &Product) -> Vec<Spec> {
    let mut out: Vec<Spec> = Vec::new();
    let mut push = |s: Spec| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for (key, value) in &p.specs {
        let d = Doc::new(value);
        let mut found = false;
        for i in 0..d.len() {
            if let Some(ss) = parse_specs(d.norm_of(i)).or_else(|| cjk_spec_at(&d, i).map(|x| Specs::one(x.0))) {
                ss.iter().for_each(&mut push);
                found = true;
            }
        }
        // A bare number under a key like "voltage_v" or "capacity_ah".
        if !found && d.len() == 1 && d.kind(0) == Some(Kind::Num) {
            let k = key.to_ascii_lowercase();
            let guess = if k.contains("volt") || k.ends_with("_v") {
                Some((Unit::V, 1, 1))
            } else if k.contains("kwh") {
                Some((Unit::Wh, 1000, 1))
            } else if k.contains("wh") || k.contains("energy") {
                Some((Unit::Wh, 1, 1))
            } else if k.contains("mah") {
                Some((Unit::Ah, 1, 1000))
            } else if k.contains("ah") || k.contains("capacity") {
                Some((Unit::Ah, 1, 1))
            } else if k.contains("kw") {
                Some((Unit::W, 1000, 1))
            } else if k.contains("power") || k.contains("watt") || k.ends_with("_w") {
                Some((Unit::W, 1, 1))
            } else {
                None
            };
            if let Some((unit, mul, div)) = guess {
                if let Some(milli) = milli_of(d.norm_of(0), mul, div) {
                    push(Spec { unit, milli });
                }
            }
        }
    }
    for name in [&p.name_en, &p.name_zh] {
        let d = Doc::new(name);
        for i in 0..d.len() {
            if let Some(ss) = parse_specs(d.norm_of(i)).or_else(|| cjk_spec_at(&d, i).map(|x| Specs::one(x.0))) {
                ss.iter().for_each(&mut push);
            }
        }
    }
    if let Some(b) = &p.battery {
        if b.wh.is_finite() && b.wh > 0.0 {
            push(Spec { unit: Unit::Wh, milli: (b.wh * 1000.0).round() as u64 });
        }
    }
    out
}

/// How well a product fits the specs a customer wrote: `None` when a spec
/// contradicts it (48V asked, 36V sold), else the number of specs it
/// confirms. Units the product doesn't state neither help nor hurt.
fn spec_fit(have: &[Spec], asked: &[Spec]) -> Option<usize> {
    let mut matched = 0;
    for a in asked {
        let mut same_unit = have.iter().filter(|h| h.unit == a.unit).peekable();
        if same_unit.peek().is_none() {
            continue;
        }
        if same_unit.any(|h| h.milli == a.milli) {
            matched += 1;
        } else {
            return None;
        }
    }
    Some(matched)
}

/// English words that never head a product phrase.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "for", "to", "in", "on", "at", "by", "with", "from", "and", "or", "your", "our", "my",
    "their", "this", "that", "these", "those", "some", "any", "please", "we", "i", "you", "it", "is", "are", "be",
    "need", "want", "like", "would", "could", "can", "do", "does", "new", "type", "model", "item", "product",
    "products",
];

/// Products found in a message.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ProductMatches {
    pub items: Vec<LineItem>,
    /// Product-like phrases that matched nothing in the catalog.
    pub unmatched: Vec<String>,
}

/// Precomputed catalog matcher; build once per catalog and reuse.
pub struct ProductMatcher {
    skus: Vec<String>,
    specs: Vec<Vec<Spec>>,
    index: PhraseIndex,
    /// Products sharing each indexed phrase.
    groups: Vec<Vec<u32>>,
}

/// Extra context from the other extractors.
#[derive(Debug, Default)]
pub(crate) struct ScanContext {
    /// Original byte ranges to ignore (phones, e-mails, URLs, credit codes).
    pub masks: Vec<(usize, usize)>,
    /// Tokens where a place name starts ("20095 Hamburg" is a postcode).
    pub place_starts: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Resolved(u32),
    /// Several products fit and nothing tells them apart.
    Ambiguous,
    /// The named product exists but not with the specs asked for.
    Contradicted,
}

#[derive(Debug, Clone)]
struct Mention {
    /// End of the phrase itself (specs may follow it).
    p1: usize,
    /// Extended over adjacent specs.
    e0: usize,
    e1: usize,
    specs: Vec<Spec>,
    cands: Vec<u32>,
    state: State,
}

#[derive(Debug, Clone, Copy)]
struct Qty {
    t0: usize,
    t1: usize,
    value: u32,
    /// Backed by a count word, a marker ("qty", "x") or "of".
    strong: bool,
}

impl ProductMatcher {
    pub fn new(catalog: &Catalog) -> Self {
        let products = catalog.products();
        let mut phrases: FastMap<Vec<Box<str>>, usize> = FastMap::default();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut keys_in_order: Vec<Vec<Box<str>>> = Vec::new();
        let mut add = |keys: Vec<Box<str>>, pid: u32| {
            if !phrase_ok(&keys) {
                return;
            }
            match phrases.get(&keys) {
                Some(&g) => {
                    if !groups[g].contains(&pid) {
                        groups[g].push(pid);
                    }
                }
                None => {
                    phrases.insert(keys.clone(), groups.len());
                    groups.push(vec![pid]);
                    keys_in_order.push(keys);
                }
            }
        };
        for (pid, p) in products.iter().enumerate() {
            let pid = pid as u32;
            let mut names: Vec<String> = vec![p.sku.clone(), p.sku.replace('-', " ")];
            names.push(p.name_en.clone());
            names.push(p.name_zh.clone());
            names.extend(p.synonyms.iter().cloned());
            let mut variants = Vec::new();
            for n in names {
                if n.contains('-') {
                    variants.push(n.replace('-', " "));
                }
                variants.push(n);
            }
            for v in variants {
                let d = Doc::new(&v);
                let all: Vec<Box<str>> = (0..d.len()).map(|i| Box::from(d.stem_of(i))).collect();
                // The name without its specs ("e-bike battery pack"): shared
                // by the 36V and 48V packs and told apart by nearby specs.
                let mut skip = vec![false; d.len()];
                for i in 0..d.len() {
                    if parse_specs(d.norm_of(i)).is_some() || d.kind(i) == Some(Kind::Punct) {
                        skip[i] = true;
                    }
                    if let Some((_, e)) = cjk_spec_at(&d, i) {
                        skip[i..e].iter_mut().for_each(|s| *s = true);
                    }
                }
                let stripped: Vec<Box<str>> =
                    (0..d.len()).filter(|&i| !skip[i]).map(|i| Box::from(d.stem_of(i))).collect();
                let latin_words: Vec<&Box<str>> =
                    stripped.iter().filter(|k| k.chars().all(|c| c.is_ascii_alphabetic())).collect();
                let tail: Option<Vec<Box<str>>> = (latin_words.len() >= 3 && latin_words.len() == stripped.len())
                    .then(|| stripped[stripped.len() - 2..].to_vec());
                add(all.clone(), pid);
                if stripped != all {
                    add(stripped, pid);
                }
                if let Some(t) = tail {
                    add(t, pid);
                }
            }
            let cat = p.category.trim().to_ascii_lowercase();
            if cat.len() >= 5 && cat.chars().all(|c| c.is_ascii_alphabetic()) {
                add(vec![Box::from(stem_word(&cat))], pid);
            }
        }
        let mut index = PhraseIndex::new(true);
        for (g, keys) in keys_in_order.into_iter().enumerate() {
            index.add_keys(keys, g as u32);
        }
        ProductMatcher {
            skus: products.iter().map(|p| p.sku.clone()).collect(),
            specs: products.iter().map(product_specs).collect(),
            index,
            groups,
        }
    }

    /// Products named in `text`, with quantities, and unmatched phrases.
    pub fn find(&self, text: &str) -> ProductMatches {
        let doc = Doc::new(cap(text, SCAN_CAP));
        let found = crate::contact::extract_doc(&doc);
        let places = crate::gazetteer::global().find(&doc, &found.masks);
        let ctx = ScanContext { masks: found.masks, place_starts: crate::gazetteer::Gazetteer::starts(&places) };
        self.find_doc(&doc, &ctx)
    }

    pub(crate) fn find_doc(&self, doc: &Doc, ctx: &ScanContext) -> ProductMatches {
        let n = doc.len();
        // Specs by start token, with the token after them.
        let mut spec_at: Vec<Option<(Specs, usize)>> = vec![None; n];
        let mut spec_start: Vec<Option<usize>> = vec![None; n];
        for (i, at) in spec_at.iter_mut().enumerate() {
            let s = match doc.kind(i) {
                Some(Kind::Word) => parse_specs(doc.norm_of(i)).map(|s| (s, i + 1)),
                Some(Kind::Num) => cjk_spec_at(doc, i).map(|(s, e)| (Specs::one(s), e)),
                _ => None,
            };
            if let Some((sp, e)) = s {
                if doc.in_spans(i, &ctx.masks) {
                    continue;
                }
                *at = Some((sp, e));
                for slot in spec_start.iter_mut().take(e).skip(i) {
                    *slot = Some(i);
                }
            }
        }

        let mut hits: Vec<Hit> = Vec::new();
        self.index.find_all(doc, &mut hits);
        leftmost_longest(&mut hits, |_, _| false);
        hits.retain(|h| !(h.start..h.end).any(|i| doc.in_spans(i, &ctx.masks)));

        let mut mentions: Vec<Mention> = Vec::with_capacity(hits.len());
        for (k, h) in hits.iter().enumerate() {
            let floor = if k > 0 { hits[k - 1].end } else { 0 };
            let mut specs: Vec<Spec> =
                (h.start..h.end).filter_map(|i| spec_at[i]).flat_map(|x| x.0.iter().collect::<Vec<_>>()).collect();
            // Specs written before the name: "48V 20Ah e-bike battery packs".
            let mut e0 = h.start;
            let mut j = h.start;
            let mut gap = 0;
            while j > floor {
                let t = j - 1;
                if let Some(s0) = spec_start[t] {
                    if s0 < floor {
                        break;
                    }
                    if let Some((sp, _)) = spec_at[s0] {
                        specs.extend(sp.iter());
                    }
                    e0 = s0;
                    j = s0;
                    gap = 0;
                    continue;
                }
                // "48V/20Ah", and Chinese "48伏20安时的电池包".
                if matches!(doc.norm_of(t), "/" | "+" | "(" | ")" | "的") {
                    j = t;
                    continue;
                }
                let w = doc.norm_of(t);
                if doc.kind(t) == Some(Kind::Word)
                    && gap < 2
                    && !STOPWORDS.contains(&w)
                    && !numerals::is_count_unit(w)
                    && w.chars().all(char::is_alphabetic)
                {
                    gap += 1;
                    j = t;
                    continue;
                }
                break;
            }
            mentions.push(Mention { p1: h.end, e0, e1: h.end, specs, cands: Vec::new(), state: State::Ambiguous });
            if let Some(g) = self.groups.get(h.payload as usize) {
                if let Some(m) = mentions.last_mut() {
                    m.cands = g.clone();
                }
            }
        }
        // Specs written after the name: "battery pack 48V/20Ah", "电池包（48V）".
        for k in 0..mentions.len() {
            let ceiling = mentions.get(k + 1).map_or(n, |m| m.e0);
            let mut j = mentions[k].p1;
            let mut e1 = mentions[k].p1;
            let mut extra = Vec::new();
            while j < ceiling {
                if let Some((sp, e)) = spec_at[j] {
                    if e > ceiling {
                        break;
                    }
                    extra.extend(sp.iter());
                    e1 = e;
                    j = e;
                    continue;
                }
                if matches!(doc.norm_of(j), "/" | "+" | "(" | ")" | ":" | "," | "-") {
                    j += 1;
                    continue;
                }
                break;
            }
            let m = &mut mentions[k];
            m.e1 = e1;
            m.specs.extend(extra);
        }
        for m in &mut mentions {
            m.state = self.resolve(&m.cands, &m.specs, false);
        }

        // Specs with no product name: "500 units of 48V 20Ah" still names one product.
        let covered = coverage(n, &mentions);
        let mut i = 0;
        let mut clusters = Vec::new();
        while i < n {
            if spec_at[i].is_none() || covered[i] {
                i += 1;
                continue;
            }
            let c0 = i;
            let mut specs = Vec::new();
            let mut j = i;
            let mut end = i;
            loop {
                if j < n && !covered[j] {
                    if let Some((sp, e)) = spec_at[j] {
                        specs.extend(sp.iter());
                        end = e;
                        j = e;
                        continue;
                    }
                    if matches!(doc.norm_of(j), "/" | "+" | ",") && spec_at.get(j + 1).is_some_and(Option::is_some) {
                        j += 1;
                        continue;
                    }
                }
                break;
            }
            if specs.len() >= 2 {
                let all: Vec<u32> = (0..self.skus.len() as u32).collect();
                if let State::Resolved(p) = self.resolve(&all, &specs, true) {
                    clusters.push(Mention {
                        p1: end,
                        e0: c0,
                        e1: end,
                        specs,
                        cands: vec![p],
                        state: State::Resolved(p),
                    });
                }
            }
            i = end.max(i + 1);
        }
        mentions.extend(clusters);
        mentions.sort_by_key(|m| m.e0);

        let qtys = scan_quantities(doc, ctx, &coverage(n, &mentions));
        let assigned = pair(doc, &mentions, &qtys);

        let mut items: Vec<LineItem> = Vec::new();
        let mut unmatched: Vec<String> = Vec::new();
        for (k, m) in mentions.iter().enumerate() {
            match m.state {
                State::Resolved(p) => {
                    let Some(sku) = self.skus.get(p as usize) else { continue };
                    let quantity = assigned[k].map(|q| qtys[q].value);
                    if let Some(existing) = items.iter_mut().find(|it| &it.sku == sku) {
                        if existing.quantity.is_none() {
                            existing.quantity = quantity;
                        }
                        continue;
                    }
                    items.push(LineItem { sku: sku.clone(), quantity, matched_text: doc.span(m.e0, m.e1).to_owned() });
                }
                State::Contradicted => push_unique(&mut unmatched, doc.span(m.e0, m.e1)),
                State::Ambiguous => {}
            }
        }
        for phrase in unmatched_phrases(doc, &mentions, ctx) {
            push_unique(&mut unmatched, &phrase);
        }
        unmatched.truncate(8);
        ProductMatches { items, unmatched }
    }

    /// Which candidate the specs single out. With `require_all`, every spec
    /// must be confirmed (specs alone are weak evidence of a product).
    fn resolve(&self, cands: &[u32], asked: &[Spec], require_all: bool) -> State {
        if cands.is_empty() {
            return State::Ambiguous;
        }
        if asked.is_empty() {
            return match cands {
                [one] => State::Resolved(*one),
                _ => State::Ambiguous,
            };
        }
        let mut best: Option<(usize, u32)> = None;
        let mut tie = false;
        let mut any = false;
        for &c in cands {
            let Some(have) = self.specs.get(c as usize) else { continue };
            let Some(score) = spec_fit(have, asked) else { continue };
            if require_all && score < asked.len() {
                continue;
            }
            any = true;
            match best {
                Some((s, _)) if score < s => {}
                Some((s, _)) if score == s => tie = true,
                _ => {
                    best = Some((score, c));
                    tie = false;
                }
            }
        }
        match best {
            _ if !any => State::Contradicted,
            Some((_, c)) if !tie => State::Resolved(c),
            _ => State::Ambiguous,
        }
    }
}

/// Which tokens belong to a mention (specs included).
fn coverage(n: usize, mentions: &[Mention]) -> Vec<bool> {
    let mut cov = vec![false; n];
    for m in mentions {
        for c in cov.iter_mut().take(m.e1.min(n)).skip(m.e0) {
            *c = true;
        }
    }
    cov
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() && !v.iter().any(|x| x.eq_ignore_ascii_case(s)) {
        v.push(s.to_owned());
    }
}

/// Phrases worth indexing: not empty, not a lone stopword, number or
/// single CJK character, and not made of specs alone.
fn phrase_ok(keys: &[Box<str>]) -> bool {
    if keys.is_empty() {
        return false;
    }
    if keys
        .iter()
        .all(|k| parse_specs(k).is_some() || k.chars().all(|c| c.is_ascii_digit() || c.is_ascii_punctuation()))
    {
        return false;
    }
    if let [k] = keys {
        let cjk = k.chars().all(crate::text::is_cjk);
        if cjk || k.len() < 3 || STOPWORDS.contains(&&**k) {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------- quantities

const CURRENCY: &[&str] = &[
    "$",
    "€",
    "£",
    "¥",
    "usd",
    "eur",
    "euro",
    "euros",
    "rmb",
    "cny",
    "gbp",
    "jpy",
    "aud",
    "cad",
    "hkd",
    "dollar",
    "dollars",
    "yuan",
    "元",
    "美元",
    "美金",
    "欧元",
    "人民币",
    "块钱",
];
/// Words before a number that make it an identifier, not a quantity.
const ID_BEFORE: &[&str] = &[
    "#", "no", "nr", "ref", "po", "invoice", "model", "sku", "item", "tel", "fax", "zip", "postcode", "postal", "plz",
    "code", "邮编", "room", "suite", "floor", "street", "st", "road", "rd", "version", "v", "page", "step",
];
/// Words after a number that make it something other than a piece count.
const NOT_PIECES: &[&str] = &[
    "container",
    "containers",
    "pallet",
    "pallets",
    "carton",
    "cartons",
    "ctn",
    "ctns",
    "box",
    "boxes",
    "ton",
    "tons",
    "tonne",
    "tonnes",
    "kg",
    "kgs",
    "g",
    "lb",
    "lbs",
    "ft",
    "feet",
    "foot",
    "hq",
    "gp",
    "teu",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "hour",
    "hours",
    "hrs",
    "minute",
    "minutes",
    "min",
    "percent",
    "am",
    "pm",
    "times",
    "km",
    "m",
    "meter",
    "meters",
    "cm",
    "mm",
    "inch",
    "inches",
    "nights",
    "x",
    "cycles",
    "cycle",
    "degrees",
    "c",
    "f",
    "mph",
    "kmh",
    "st",
    "nd",
    "rd",
    "th",
    "%",
    "°",
    "箱",
    "吨",
    "公斤",
    "千克",
    "年",
    "月",
    "日",
    "号",
    "天",
    "周",
    "小",
    "分",
    "秒",
    "岁",
    "次",
    "倍",
    "米",
    "度",
    "点",
    "楼",
    "层",
    "伏",
    "瓦",
    "安",
    "毫",
];
const YEAR_BEFORE: &[&str] = &[
    "in",
    "by",
    "since",
    "until",
    "till",
    "before",
    "after",
    "year",
    "early",
    "late",
    "end",
    "mid",
    "q1",
    "q2",
    "q3",
    "q4",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "(c)",
    "copyright",
];
const QTY_MARKERS: &[&str] = &["qty", "quantity", "quantities", "qnty", "amount", "volume", "moq", "x", "×", "*"];
const CJK_QTY_MARKERS: &[&str] = &["数量", "订量", "采购量", "订购量", "共", "总共", "一共"];

fn is_count_token(doc: &Doc, i: usize) -> bool {
    let w = doc.norm_of(i);
    if !numerals::is_count_unit(w) || w == "qty" {
        return false;
    }
    // "500块钱" is money; "3个月" is time.
    if w == "块" && doc.is(i + 1, "钱") {
        return false;
    }
    if w == "个" && (doc.is(i + 1, "月") || doc.is(i + 1, "小") || doc.is(i + 1, "星") || doc.is(i + 1, "工")) {
        return false;
    }
    // "pack"/"packs" counts only right after a number ("800 packs"), which is
    // the only place this is called.
    true
}

/// Every number that could be a quantity, with how strongly it reads as one.
fn scan_quantities(doc: &Doc, ctx: &ScanContext, covered: &[bool]) -> Vec<Qty> {
    let n = doc.len();
    let in_mention = |i: usize| covered.get(i).copied().unwrap_or(false);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n && out.len() < 64 {
        if in_mention(i) || doc.in_spans(i, &ctx.masks) {
            i += 1;
            continue;
        }
        let t0 = i;
        let mut t1 = i + 1;
        let mut strong = false;
        let mut plain_digits = false;
        let value: Option<u64> = match doc.kind(i) {
            Some(Kind::Num) => {
                let mut k = i + 1;
                let mut run = String::from(doc.norm_of(i));
                // "1万", "3千", "1.5万"
                while k < n
                    && doc.glued(k)
                    && doc.kind(k) == Some(Kind::Cjk)
                    && doc.norm_of(k).chars().all(is_cjk_numeral)
                {
                    run.push_str(doc.norm_of(k));
                    k += 1;
                }
                if k > i + 1 {
                    t1 = k;
                    numerals::parse_chinese(&run)
                } else {
                    // "10 000": a short group followed by groups of three.
                    let first = doc.norm_of(i);
                    if first.len() <= 3 && first.bytes().all(|b| b.is_ascii_digit()) {
                        while k < n
                            && doc.kind(k) == Some(Kind::Num)
                            && doc.toks[k].space_before
                            && doc.norm_of(k).len() == 3
                            && doc.norm_of(k).bytes().all(|b| b.is_ascii_digit())
                            && !(doc.glued(k + 1) && doc.kind(k + 1) == Some(Kind::Word))
                        {
                            run.push(' ');
                            run.push_str(doc.norm_of(k));
                            k += 1;
                        }
                    }
                    t1 = k;
                    plain_digits = run.bytes().all(|b| b.is_ascii_digit());
                    numerals::parse_number(&run)
                }
            }
            Some(Kind::Word) => {
                let w = doc.norm_of(i);
                if let Some(rest) =
                    w.strip_prefix('x').filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
                {
                    strong = true;
                    numerals::parse_number(rest)
                } else if let Some((num, suffix)) = split_num(w) {
                    if suffix == "k" {
                        numerals::parse_number(w)
                    } else if suffix == "x" || (numerals::is_count_unit(suffix) && suffix != "qty") {
                        strong = true;
                        numerals::parse_number(num)
                    } else {
                        None
                    }
                } else if number_word(w).is_some_and(|nw| !matches!(nw, NumWord::A | NumWord::And))
                    || (w == "a"
                        && number_word(doc.norm_of(i + 1))
                            .is_some_and(|nw| matches!(nw, NumWord::Hundred | NumWord::Thousand | NumWord::Dozen)))
                {
                    let mut k = i;
                    let mut words = Vec::new();
                    while k < n
                        && doc.kind(k) == Some(Kind::Word)
                        && number_word(doc.norm_of(k)).is_some()
                        && words.len() < 8
                    {
                        words.push(doc.norm_of(k));
                        k += 1;
                    }
                    while words.last().is_some_and(|w| matches!(*w, "and" | "a")) {
                        words.pop();
                        k -= 1;
                    }
                    t1 = k;
                    numerals::parse_number_words(&words).filter(|&v| v >= 2)
                } else {
                    None
                }
            }
            Some(Kind::Cjk) if doc.norm_of(i).chars().all(is_cjk_numeral) => {
                let mut k = i;
                let mut run = String::new();
                while k < n
                    && doc.kind(k) == Some(Kind::Cjk)
                    && doc.norm_of(k).chars().all(is_cjk_numeral)
                    && (k == i || doc.glued(k))
                {
                    run.push_str(doc.norm_of(k));
                    k += 1;
                }
                t1 = k;
                // A lone 一 or 十 is part of words (一些, 统一, 十分) unless a
                // measure word follows.
                if k - i == 1 && !is_count_token(doc, k) {
                    None
                } else {
                    numerals::parse_chinese(&run)
                }
            }
            _ => None,
        };
        let Some(value) = value else {
            i = t1.max(i + 1);
            continue;
        };
        let prev = t0.checked_sub(1);
        let pw = prev.map_or("", |p| doc.norm_of(p));
        let next = doc.norm_of(t1);
        let mut reject = false;
        // Money, identifiers and phone fragments.
        if CURRENCY.contains(&pw) || ID_BEFORE.contains(&pw) || matches!(pw, "+" | "@") || CURRENCY.contains(&next) {
            reject = true;
        }
        if let Some(p) = prev {
            if doc.is_punct(p, ':') || doc.is_punct(p, '.') || doc.is_punct(p, '#') {
                let pp = doc.norm_of(p.wrapping_sub(1));
                if ID_BEFORE.contains(&pp) || (doc.glued(t0) && doc.kind(p.wrapping_sub(1)) == Some(Kind::Num)) {
                    reject = true;
                }
            }
            // "2024/03", "10-20", "10:30" — dates, ranges and times.
            if matches!(pw, "/" | "-" | ":" | ".")
                && doc.glued(t0)
                && doc.glued(p)
                && doc.kind(p.wrapping_sub(1)) == Some(Kind::Num)
            {
                reject = true;
            }
        }
        if matches!(next, "/" | "-" | ":") && doc.glued(t1) && doc.glued(t1 + 1) && doc.kind(t1 + 1) == Some(Kind::Num)
        {
            reject = true;
        }
        if NOT_PIECES.contains(&next)
            || (next == "个" && !is_count_token(doc, t1))
            || (doc.kind(t1) == Some(Kind::Word) && unit_of(next).is_some())
        {
            reject = true;
        }
        if reject {
            i = t1.max(i + 1);
            continue;
        }
        let mut end = t1;
        if t1 < n && is_count_token(doc, t1) {
            strong = true;
            end = t1 + 1;
        } else if next == "of" {
            strong = true;
        }
        // Markers before: "qty: 500", "x 200", "数量：2000".
        let mut p = t0;
        while p > 0 && matches!(doc.norm_of(p - 1), ":" | "=") {
            p -= 1;
        }
        if p > 0 && QTY_MARKERS.contains(&doc.norm_of(p - 1)) {
            strong = true;
        }
        let mut cjk_before = String::new();
        let mut q = p;
        while q > 0 && p - q < 3 && doc.kind(q - 1) == Some(Kind::Cjk) {
            cjk_before.insert_str(0, doc.norm_of(q - 1));
            q -= 1;
        }
        if CJK_QTY_MARKERS.iter().any(|m| cjk_before.ends_with(m)) {
            strong = true;
        }
        // Years: "by 2025", "2025年".
        if plain_digits && (1900..=2100).contains(&value) && !strong && (YEAR_BEFORE.contains(&pw) || next == "年") {
            i = t1;
            continue;
        }
        // Postcodes: "20095 Hamburg".
        if plain_digits && (1000..=999_999).contains(&value) && !strong && ctx.place_starts.contains(&t1) {
            i = t1;
            continue;
        }
        if value == 0 || value > 10_000_000 {
            i = t1.max(i + 1);
            continue;
        }
        out.push(Qty { t0, t1: end, value: value as u32, strong });
        i = end.max(i + 1);
    }
    out
}

/// Words between a quantity and its product that don't weaken the link.
const NEUTRAL: &[&str] = &[
    "of",
    "your",
    "the",
    "our",
    "these",
    "those",
    "some",
    "more",
    "about",
    "approx",
    "approximately",
    "around",
    "roughly",
    "x",
    "×",
    "*",
    "pcs",
    "units",
    "pieces",
    "sets",
    "piece",
    "unit",
    "set",
    "new",
    "good",
    "quality",
    "high",
    "个",
    "台",
    "套",
    "只",
    "件",
    "块",
    "的",
    "你",
    "们",
    "您",
    "贵",
    "司",
    "公",
];
const SOFT_BREAKS: &[&str] = &[",", "and", "plus", "also", "or", "&", "和", "及", "与", "以", "还", "另"];

/// The cost of linking across tokens `a..b`, or `None` when another
/// product mention lies between.
fn gap_cost(doc: &Doc, mentions: &[Mention], skip: usize, a: usize, b: usize) -> Option<u32> {
    // Mentions are sorted and disjoint, so the first one ending after `a`
    // is the only one that can start before `b`.
    let k = mentions.partition_point(|m| m.e1 <= a);
    if mentions.get(k).is_some_and(|m| m.e0 < b) && k != skip {
        return None;
    }
    let mut cost = 0u32;
    for i in a..b {
        let w = doc.norm_of(i);
        cost += if doc.is_boundary(i) {
            if doc.kind(i) == Some(Kind::Newline) {
                3
            } else {
                8
            }
        } else if SOFT_BREAKS.contains(&w) {
            2
        } else if NEUTRAL.contains(&w) || matches!(w, ":" | "(" | ")" | "-" | "\"" | "'") {
            0
        } else {
            1
        };
        if cost > 12 {
            return None;
        }
    }
    Some(cost)
}

/// Links quantities to resolved mentions, cheapest links first, each
/// quantity used once. Returns, per mention, the index of its quantity.
fn pair(doc: &Doc, mentions: &[Mention], qtys: &[Qty]) -> Vec<Option<usize>> {
    let mut cands: Vec<(u32, bool, usize, usize)> = Vec::new();
    for (mi, m) in mentions.iter().enumerate() {
        if !matches!(m.state, State::Resolved(_)) {
            continue;
        }
        for (qi, q) in qtys.iter().enumerate() {
            // Links never survive more than a dozen tokens; skip far pairs cheaply.
            if q.t1 + 40 < m.e0 || m.e1 + 40 < q.t0 {
                continue;
            }
            if q.t1 <= m.e0 {
                if let Some(c) = gap_cost(doc, mentions, mi, q.t1, m.e0) {
                    cands.push((c, false, mi, qi));
                }
            } else if q.t0 >= m.e1 {
                if let Some(c) = gap_cost(doc, mentions, mi, m.e1, q.t0) {
                    // English puts the number first; a trailing number needs
                    // a count word or marker ("x200", "两千个") to be as good.
                    cands.push((c + if q.strong { 0 } else { 3 }, true, mi, qi));
                }
            }
        }
    }
    cands.sort();
    let mut by_mention: Vec<Option<usize>> = vec![None; mentions.len()];
    let mut used = vec![false; qtys.len()];
    for &(cost, _, mi, qi) in &cands {
        if cost > 10 || by_mention[mi].is_some() || used[qi] {
            continue;
        }
        by_mention[mi] = Some(qi);
        used[qi] = true;
    }
    // One product and one quantity too far apart for the costs above
    // ("Qty: 500" on its own line, "36V 10Ah? Need 300."): with nothing
    // else to compete, they belong together.
    let open: Vec<usize> = (0..mentions.len())
        .filter(|&k| matches!(mentions[k].state, State::Resolved(_)) && by_mention[k].is_none())
        .collect();
    let resolved = mentions.iter().filter(|m| matches!(m.state, State::Resolved(_))).count();
    let free_strong: Vec<usize> = (0..qtys.len()).filter(|&q| !used[q] && qtys[q].strong).collect();
    let free_any: Vec<usize> = (0..qtys.len()).filter(|&q| !used[q]).collect();
    if let [m] = open.as_slice() {
        if resolved == 1 {
            match (free_strong.as_slice(), free_any.as_slice()) {
                ([q], _) | ([], [q]) => by_mention[*m] = Some(*q),
                _ => {}
            }
        }
    }
    by_mention
}

// ---------------------------------------------------------------- unmatched

struct Cues {
    triggers: PhraseIndex,
}

const TRIGGERS: &[&str] = &[
    "your",
    "need",
    "needs",
    "needed",
    "sell",
    "sells",
    "buy",
    "buying",
    "purchase",
    "supply",
    "source",
    "sourcing",
    "require",
    "looking for",
    "interested in",
    "quote for",
    "quotation for",
    "price for",
    "prices for",
    "pricing for",
    "offer for",
    "do you have",
    "do you carry",
    "do you stock",
    "do you make",
    "do you produce",
    "do you offer",
    "want to order",
    "order some",
    "需要",
    "采购",
    "购买",
    "求购",
    "想买",
    "要买",
    "买",
    "有没有",
    "卖",
    "询价",
    "订购",
    "进口",
    "找",
];
/// Words skipped between a trigger and the phrase ("need some more of your ...").
const SKIP: &[&str] = &[
    "a",
    "an",
    "the",
    "some",
    "any",
    "more",
    "your",
    "our",
    "of",
    "about",
    "approx",
    "approximately",
    "around",
    "roughly",
    "additional",
    "quality",
    "good",
    "cheap",
    "new",
    "also",
    "urgently",
    "sample",
    "samples",
    "to",
    "buy",
    "purchase",
    "order",
    "source",
    "一些",
    "些",
    "一批",
    "批",
    "点",
    "你们",
    "您们",
    "贵司",
    "的",
    "一下",
];
/// Words that end a product phrase.
const STOP: &[&str] = &[
    "to",
    "for",
    "in",
    "at",
    "with",
    "from",
    "by",
    "delivered",
    "deliver",
    "delivery",
    "shipped",
    "ship",
    "shipping",
    "please",
    "and",
    "or",
    "that",
    "which",
    "asap",
    "urgently",
    "immediately",
    "next",
    "this",
    "before",
    "within",
    "per",
    "each",
    "is",
    "are",
    "was",
    "were",
    "if",
    "do",
    "does",
    "can",
    "could",
    "would",
    "will",
    "we",
    "i",
    "you",
    "it",
    "they",
    "them",
    "on",
    "as",
    "but",
    "so",
    "because",
    "via",
    "until",
    "soon",
    "too",
    "also",
    "now",
    "than",
    "like",
    "of",
    "qty",
    "quantity",
    "pcs",
    "units",
    "pieces",
];
/// Heads that make a phrase about something other than a product.
const NOT_PRODUCT: &[&str] = &[
    "quote",
    "quotation",
    "price",
    "prices",
    "pricing",
    "information",
    "info",
    "catalog",
    "catalogue",
    "help",
    "details",
    "offer",
    "discount",
    "invoice",
    "company",
    "website",
    "site",
    "team",
    "reply",
    "response",
    "earliest",
    "best",
    "lowest",
    "email",
    "feedback",
    "factory",
    "terms",
    "attention",
    "time",
    "kind",
    "sales",
    "service",
    "services",
    "side",
    "country",
    "address",
    "bank",
    "account",
    "payment",
    "lead",
    "moq",
    "minimum",
    "specification",
    "specifications",
    "specs",
    "datasheet",
    "brochure",
    "instructions",
    "instruction",
    "rules",
    "margin",
    "margins",
    "system",
    "prompt",
    "own",
    "message",
    "contact",
    "name",
    "question",
    "questions",
    "request",
    "requirements",
    "list",
    "stock",
    "availability",
    "inventory",
    "warranty",
    "certification",
    "certificates",
    "certificate",
    "documents",
    "documentation",
    "manual",
    "orders",
    "confirmation",
    "proforma",
    "pi",
    "conditions",
    "policy",
    "support",
    "products",
    "product",
    "range",
    "it",
    "them",
    "this",
    "that",
    "more",
    "answer",
    "advice",
    "assistance",
    "know",
    "help",
    "shipment",
    "container",
    "sample",
    "samples",
    "other",
    "customers",
    "customer",
    "clients",
    "partner",
    "partners",
    "agent",
    "distributor",
    "opinion",
    "self",
    "recommendation",
    "reference",
    "city",
    "location",
    "brand",
    "logo",
    "packaging",
    "oem",
    "odm",
    "business",
    "cooperation",
    "office",
    "contract",
    "agreement",
    "proposal",
    "photo",
    "photos",
    "picture",
    "pictures",
    "video",
    "competitor",
    "competitors",
    "model",
    "models",
    "production",
    "warehouse",
    "shop",
    "store",
    "booth",
    "exhibition",
    "newsletter",
    "platform",
    "colleague",
    "quick",
    "fast",
    "prompt",
    "urgent",
    "kind",
    "early",
    "soonest",
    "convenience",
    "报价",
    "价格",
    "目录",
    "资料",
    "信息",
    "样品",
    "帮助",
    "了解",
    "知道",
    "确认",
    "发货",
    "交货",
    "运输",
    "你们",
    "什么",
];
const CJK_STOP: &str = "的吗呢吧了和与及请给在从到发运送寄是有要么啊呀哦，。,.?!？！";

fn cues() -> &'static Cues {
    static C: OnceLock<Cues> = OnceLock::new();
    C.get_or_init(|| {
        let mut triggers = PhraseIndex::new(false);
        for t in TRIGGERS {
            triggers.add(t, 0);
        }
        Cues { triggers }
    })
}

/// Best-effort product phrases after "need", "sell", "your", "需要", "采购"
/// and the like that overlap no catalog match: "Do you sell hydrogen fuel
/// cells?" → "hydrogen fuel cells".
fn unmatched_phrases(doc: &Doc, mentions: &[Mention], ctx: &ScanContext) -> Vec<String> {
    let mut hits = Vec::new();
    cues().triggers.find_all(doc, &mut hits);
    leftmost_longest(&mut hits, |_, _| false);
    let n = doc.len();
    let mut out = Vec::new();
    let mut trigger_end = vec![0usize; n];
    for h in &hits {
        trigger_end[h.start] = h.end;
    }
    for h in &hits {
        let mut k = h.end;
        // Skip determiners, quantities, measure words and further triggers
        // ("需要采购", "need to buy"), but not forever.
        while k < n && k < h.end + 12 {
            if trigger_end[k] > k {
                k = trigger_end[k];
                continue;
            }
            let w = doc.norm_of(k);
            let skippable = SKIP.contains(&w)
                || matches!(doc.kind(k), Some(Kind::Num))
                || (doc.kind(k) == Some(Kind::Word)
                    && split_num(w).is_some_and(|(_, s)| s == "k" || s == "x" || numerals::is_count_unit(s)))
                || numerals::is_count_unit(w)
                || number_word(w).is_some()
                || (doc.kind(k) == Some(Kind::Cjk)
                    && (w.chars().all(is_cjk_numeral)
                        || matches!(w, "个" | "台" | "套" | "只" | "件" | "块" | "批" | "些")));
            if !skippable {
                break;
            }
            k += 1;
        }
        let a = k;
        let mut latin = 0;
        let mut cjk = 0;
        while k < n && latin < 5 && cjk < 10 && trigger_end[k] <= k {
            let w = doc.norm_of(k);
            match doc.kind(k) {
                Some(Kind::Word) if !STOP.contains(&w) => latin += 1,
                Some(Kind::Cjk) if !(CJK_STOP.contains(w) || cjk > 0 && w.chars().all(is_cjk_numeral)) => cjk += 1,
                _ => break,
            }
            k += 1;
        }
        let b = k;
        if a >= b || doc.in_spans(a, &ctx.masks) {
            continue;
        }
        if mentions.iter().any(|m| m.e0 < b && a < m.e1) {
            continue;
        }
        if ctx.place_starts.iter().any(|&p| p >= a && p < b) {
            continue;
        }
        if NOT_PRODUCT.iter().any(|p| !p.is_ascii() && doc.span(a, b).starts_with(p)) {
            continue;
        }
        // "quick reply", "best price" are about the deal, not a product;
        // "solar panel prices" still names "solar panel".
        let not_product = |i: usize| NOT_PRODUCT.contains(&doc.norm_of(i)) || NOT_PRODUCT.contains(&doc.stem_of(i));
        let latin: Vec<usize> = (a..b).filter(|&i| doc.kind(i) == Some(Kind::Word)).collect();
        let mut b = b;
        if let Some(f) = latin.iter().position(|&i| not_product(i)) {
            if f < 2 {
                continue;
            }
            b = latin[f];
        }
        let has_word = (a..b).any(|i| {
            doc.kind(i) == Some(Kind::Word) && doc.norm_of(i).chars().filter(|c| c.is_alphabetic()).count() >= 3
        });
        if !(has_word || cjk >= 2) {
            continue;
        }
        out.push(doc.span(a, b).to_owned());
        if out.len() >= 16 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testkit::product;

    fn matcher() -> ProductMatcher {
        ProductMatcher::new(&Catalog::new(vec![
            product(
                "TW-BP-4820",
                "48V 20Ah E-Bike Battery Pack",
                "48V 20Ah 电动自行车电池包",
                "battery",
                &[("voltage", "48 V"), ("capacity", "20 Ah")],
                &["e-bike battery", "battery pack", "电池包", "锂电池"],
            ),
            product(
                "TW-BP-3610",
                "36V 10Ah E-Bike Battery Pack",
                "36V 10Ah 电动自行车电池包",
                "battery",
                &[("voltage", "36 V"), ("capacity", "10 Ah")],
                &["e-bike battery", "battery pack", "电池包", "锂电池"],
            ),
            product(
                "TW-HM-500",
                "500W Hub Motor",
                "500W 轮毂电机",
                "ebike-part",
                &[("power", "500 W"), ("voltage", "36 V")],
                &["hub motor", "轮毂电机"],
            ),
            product(
                "TW-INV-5K",
                "5kW Hybrid Inverter",
                "5kW 混合逆变器",
                "inverter",
                &[("power", "5 kW")],
                &["hybrid inverter", "逆变器"],
            ),
        ]))
    }

    fn items(text: &str) -> Vec<(String, Option<u32>)> {
        matcher().find(text).items.into_iter().map(|i| (i.sku, i.quantity)).collect()
    }

    #[test]
    fn specs_parse_across_units() {
        assert_eq!(parse_spec("48v"), Some(Spec { unit: Unit::V, milli: 48_000 }));
        assert_eq!(parse_spec("1.5kw"), parse_spec("1500w"));
        assert_eq!(parse_spec("20000mah"), parse_spec("20ah"));
        assert_eq!(parse_spec("48"), None);
        assert_eq!(parse_spec("3rd"), None);
        let two: Vec<Spec> = parse_specs("48v20ah").map(|s| s.iter().collect()).unwrap_or_default();
        assert_eq!(two, vec![parse_spec("48v").unwrap(), parse_spec("20ah").unwrap()]);
        assert!(parse_specs("48v20").is_none());
    }

    #[test]
    fn english_quantity_before_spec_named_product() {
        assert_eq!(items("We need 800 of your 48V 20Ah e-bike battery packs"), vec![("TW-BP-4820".into(), Some(800))]);
    }

    #[test]
    fn specs_tell_shared_names_apart() {
        assert_eq!(items("500 pcs battery pack 36V 10Ah"), vec![("TW-BP-3610".into(), Some(500))]);
        assert_eq!(items("need 48 V 20 Ah battery, qty: 500 pcs"), vec![("TW-BP-4820".into(), Some(500))]);
        assert_eq!(items("300 units of 5kW inverters"), vec![("TW-INV-5K".into(), Some(300))]);
    }

    #[test]
    fn generic_name_without_specs_is_ambiguous() {
        let m = matcher().find("Do you sell battery packs?");
        assert!(m.items.is_empty());
        assert!(m.unmatched.is_empty());
    }

    #[test]
    fn chinese_quantities_before_and_after() {
        assert_eq!(items("需要800个48V 20Ah电池包"), vec![("TW-BP-4820".into(), Some(800))]);
        assert_eq!(items("48V 20Ah电池包 两千个"), vec![("TW-BP-4820".into(), Some(2000))]);
        assert_eq!(items("轮毂电机二十台"), vec![("TW-HM-500".into(), Some(20))]);
        assert_eq!(items("逆变器1万台"), vec![("TW-INV-5K".into(), Some(10_000))]);
        assert_eq!(items("采购三万五千个36V 10Ah锂电池"), vec![("TW-BP-3610".into(), Some(35_000))]);
    }

    #[test]
    fn quantity_markers_and_suffixes() {
        assert_eq!(items("500W hub motor x200"), vec![("TW-HM-500".into(), Some(200))]);
        assert_eq!(items("TW-HM-500 qty: 1,200"), vec![("TW-HM-500".into(), Some(1200))]);
        assert_eq!(items("2k hub motors"), vec![("TW-HM-500".into(), Some(2000))]);
        assert_eq!(items("1.5k hybrid inverters"), vec![("TW-INV-5K".into(), Some(1500))]);
        assert_eq!(items("10 000 hub motors"), vec![("TW-HM-500".into(), Some(10_000))]);
        assert_eq!(items("Product: hub motor\nQty: 500 pcs"), vec![("TW-HM-500".into(), Some(500))]);
    }

    #[test]
    fn two_products_each_get_their_own_quantity() {
        assert_eq!(
            items("800 pcs 48V 20Ah battery packs and 200 hub motors"),
            vec![("TW-BP-4820".into(), Some(800)), ("TW-HM-500".into(), Some(200))]
        );
    }

    #[test]
    fn spec_numbers_phones_years_and_postcodes_are_not_quantities() {
        assert_eq!(items("48V 20Ah battery pack, delivery by 2025"), vec![("TW-BP-4820".into(), None)]);
        assert_eq!(items("hub motor, 20095 Hamburg"), vec![("TW-HM-500".into(), None)]);
        assert_eq!(items("hub motor, call +49 40 1234567"), vec![("TW-HM-500".into(), None)]);
        assert_eq!(items("hub motor at $1200"), vec![("TW-HM-500".into(), None)]);
        assert_eq!(items("hub motor within 30 days"), vec![("TW-HM-500".into(), None)]);
    }

    #[test]
    fn specs_alone_can_name_a_product() {
        assert_eq!(items("500 units of 36V 10Ah please"), vec![("TW-BP-3610".into(), Some(500))]);
    }

    #[test]
    fn contradicted_specs_are_unmatched() {
        let m = matcher().find("We need 100 72V battery packs");
        assert!(m.items.is_empty());
        assert_eq!(m.unmatched, vec!["72V battery packs".to_string()]);
    }

    #[test]
    fn unknown_product_phrases_are_reported() {
        let m = matcher().find("Do you sell hydrogen fuel cells?");
        assert!(m.items.is_empty());
        assert_eq!(m.unmatched, vec!["hydrogen fuel cells".to_string()]);
        let m = matcher().find("我们需要一些氢燃料电池，谢谢");
        assert_eq!(m.unmatched, vec!["氢燃料电池".to_string()]);
        assert!(matcher().find("We need a quote for your company").unmatched.is_empty());
    }
}
