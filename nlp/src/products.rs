//! Catalog matching: which products a message names (by SKU, name, synonym,
//! a head noun with its qualifiers, or specs such as "48V 20Ah"), how many
//! of each, and which product-like phrases matched nothing we sell.
//!
//! A mention is found where a catalog phrase occurs ("hub motor", "电池",
//! "colour TFT display"); the products it may mean are those whose names
//! hold its head noun and all its words, in any order ("36V 14Ah e-bike
//! battery" may mean the "E-Bike Rear Rack Battery"); specs, qualifiers and
//! how little of a name the customer left out then pick one. A mention that
//! still fits several products is settled by the products it is meant to go
//! with ("150 chargers for them"), or reported as unmatched when the
//! customer gave it a quantity, so no ordered item is ever dropped silently.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use tradewind_core::{Catalog, LineItem};

use crate::numerals::{self, is_cjk_numeral, number_word, NumWord};
use crate::specs::{cjk_spec_at, fit_one, parse_specs, spec_score, split_num, unit_of, Fit, Spec, Specs, Unit};
use crate::text::{cap, leftmost_longest, Doc, FastMap, Hit, Kind, PhraseIndex, SCAN_CAP};
use crate::vocab::{self, cjk_head, is_subsequence, latin_head, Info, FUNCTION_WORDS};

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
    /// Product-like phrases that matched nothing in the catalog, or more
    /// than one product when the customer asked for a quantity of it.
    pub unmatched: Vec<String>,
}

/// Precomputed catalog matcher; build once per catalog and reuse.
pub struct ProductMatcher {
    pub(crate) infos: Vec<Info>,
    index: PhraseIndex,
    /// Products sharing each indexed phrase.
    groups: Vec<Vec<u32>>,
    /// Categories of the products whose names use each English word.
    pub(crate) word_cats: HashMap<Box<str>, HashSet<String>>,
    /// Chinese characters and neighbour pairs any product name uses.
    zh_chars: HashSet<char>,
    zh_pairs: HashSet<(char, char)>,
}

/// Extra context from the other extractors.
#[derive(Debug, Default)]
pub(crate) struct ScanContext {
    /// Original byte ranges to ignore (phones, e-mails, URLs, credit codes).
    pub masks: Vec<(usize, usize)>,
    /// Tokens where a place name starts ("20095 Hamburg" is a postcode).
    pub place_starts: Vec<usize>,
    /// SKUs already in the conversation, which "chargers for them" refers to.
    pub context: Vec<String>,
    /// The context is what the whole message is about (a later message of
    /// a conversation): it settles an ambiguous mention without a "for them".
    pub context_always: bool,
}

/// One product mention, as the scan left it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// First token of the mention, qualifiers and specs included.
    pub t0: usize,
    pub text: String,
    /// The product it names, when it names one.
    pub sku: Option<String>,
    /// The products it may name, best first.
    pub cands: Vec<String>,
    /// It names a product we have, but not as asked.
    pub contradicted: bool,
    pub quantity: Option<u32>,
    /// It says what something is for ("for our e-bikes").
    pub purpose: bool,
}

/// A quantity no mention took ("make it 1200 instead").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loose {
    pub t0: usize,
    pub value: u32,
    pub strong: bool,
}

pub(crate) struct Scan {
    pub matches: ProductMatches,
    pub seen: Vec<Seen>,
    pub loose: Vec<Loose>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Resolved(u32),
    /// Several products fit and nothing tells them apart.
    Ambiguous,
    /// The named product exists but not with the specs or qualifiers asked for.
    Contradicted,
}

#[derive(Debug, Clone)]
struct Mention {
    /// The catalog phrase found.
    h0: usize,
    h1: usize,
    /// End of the phrase itself (specs may follow it).
    p1: usize,
    /// Extended over adjacent specs and qualifiers.
    e0: usize,
    e1: usize,
    specs: Vec<Spec>,
    /// English qualifier tokens outside the phrase ("wall-mount", "spare").
    mods: Vec<usize>,
    /// Chinese qualifier characters in front of the phrase (壁挂式, 电动自行车).
    cjk_mods: String,
    /// Products the phrase may mean, best first once resolved.
    cands: Vec<u32>,
    /// A Chinese name glued to a noun that makes it something else
    /// (电池板 is a solar panel, not a battery).
    compound: bool,
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

/// What a mention says, for scoring: English words (stems) and Chinese
/// characters of the phrase, and the head noun or Chinese kind.
pub(crate) struct Said {
    pub words: Vec<Box<str>>,
    pub cjk: String,
    /// Words every product of the kind satisfies ("lithium"), kept apart
    /// so that they support a match without narrowing it.
    pub soft: Vec<Box<str>>,
    pub soft_cjk: String,
    pub head: Option<&'static str>,
    pub kind: Option<&'static str>,
}

impl ProductMatcher {
    pub fn new(catalog: &Catalog) -> Self {
        let products = catalog.products();
        let infos = vocab::build(products);
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
            for n in &names {
                if n.contains('-') {
                    variants.push(n.replace('-', " "));
                }
                variants.push(n.clone());
            }
            for v in variants {
                let d = Doc::new(&v);
                let all: Vec<Box<str>> = (0..d.len()).map(|i| Box::from(d.stem_of(i))).collect();
                // The name without its specs ("e-bike battery pack"): shared
                // by the 36V and 48V packs and told apart by nearby specs.
                let skip = vocab::spec_mask(&d, d.len());
                let stripped: Vec<Box<str>> = (0..d.len())
                    .filter(|&i| !skip[i] && d.kind(i) != Some(Kind::Punct))
                    .map(|i| Box::from(d.stem_of(i)))
                    .collect();
                add(all.clone(), pid);
                if stripped != all {
                    add(stripped, pid);
                }
            }
            // The head noun with up to three qualifiers in front of it
            // ("brake lever", "hydraulic brake lever"), and Chinese names cut
            // anywhere in front of their head (货架电池, 后货架电池).
            for name in [&p.name_en, &p.name_zh].into_iter().chain(p.synonyms.iter()) {
                for (d, end) in vocab::naming_parts(name) {
                    let form = vocab::name_form(&d, end);
                    if let Some((h, _)) = latin_head(&form.words) {
                        // "electric bikes" for a "complete electric bicycle".
                        for variant in vocab::head_variants(&form.words[h]) {
                            for s in h.saturating_sub(3)..=h {
                                let mut keys = form.words[s..h].to_vec();
                                keys.push(Box::from(variant));
                                add(keys, pid);
                            }
                        }
                    }
                    if let Some((hl, _)) = cjk_head(&form.cjk) {
                        let chars: Vec<char> = form.cjk.chars().collect();
                        for len in hl..=chars.len().min(8) {
                            add(chars[chars.len() - len..].iter().map(|c| Box::from(c.to_string())).collect(), pid);
                        }
                    }
                }
            }
        }
        let mut index = PhraseIndex::new(true);
        for (g, keys) in keys_in_order.into_iter().enumerate() {
            index.add_keys(keys, g as u32);
        }
        let word_cats = vocab::word_categories(&infos);
        let zh_chars = infos.iter().flat_map(|i| i.zh_chars.iter().copied()).collect();
        let zh_pairs = infos.iter().flat_map(|i| i.zh_pairs.iter().copied()).collect();
        ProductMatcher { infos, index, groups, word_cats, zh_chars, zh_pairs }
    }

    pub(crate) fn sku(&self, pid: u32) -> Option<&str> {
        self.infos.get(pid as usize).map(|i| i.sku.as_str())
    }

    pub(crate) fn pid_of(&self, sku: &str) -> Option<u32> {
        self.infos.iter().position(|i| i.sku.eq_ignore_ascii_case(sku)).map(|p| p as u32)
    }

    /// True when two products are the same kind of thing (share a head
    /// noun or a Chinese kind): a grid-tie and a hybrid inverter.
    pub(crate) fn same_kind(&self, a: &str, b: &str) -> bool {
        let (Some(a), Some(b)) = (self.pid_of(a), self.pid_of(b)) else { return false };
        let (Some(a), Some(b)) = (self.infos.get(a as usize), self.infos.get(b as usize)) else { return false };
        a.heads.iter().any(|h| b.heads.contains(h)) || a.zh.iter().any(|(_, k)| b.zh.iter().any(|(_, kb)| kb == k))
    }

    /// True when a free-text phrase names the kind of thing `sku` is
    /// ("hybrid inverters 8kW" and a 10 kW hybrid inverter).
    pub(crate) fn phrase_is_kind_of(&self, phrase: &str, sku: &str) -> bool {
        let d = Doc::new(phrase);
        let said = said_range(&d, 0, d.len());
        let Some(info) = self.pid_of(sku).and_then(|p| self.infos.get(p as usize)) else { return false };
        said.head.is_some_and(|h| info.heads.contains(h))
            || said.kind.is_some_and(|k| info.zh.iter().any(|(_, z)| *z == k))
    }

    /// Products named in `text`, with quantities, and unmatched phrases.
    pub fn find(&self, text: &str) -> ProductMatches {
        let doc = Doc::new(cap(text, SCAN_CAP));
        let found = crate::contact::extract_doc(&doc);
        let places = crate::gazetteer::global().find(&doc, &found.masks);
        let ctx = ScanContext {
            masks: found.masks,
            place_starts: crate::gazetteer::Gazetteer::starts(&places),
            context: Vec::new(),
            context_always: false,
        };
        self.find_doc(&doc, &ctx)
    }

    pub(crate) fn find_doc(&self, doc: &Doc, ctx: &ScanContext) -> ProductMatches {
        self.scan(doc, ctx).matches
    }

    /// Everything the product scan saw: the matches, and per mention and
    /// per quantity left over where they are (for reading a message
    /// against an open inquiry).
    pub(crate) fn scan(&self, doc: &Doc, ctx: &ScanContext) -> Scan {
        let n = doc.len();
        let spec_at = spec_table(doc, ctx);
        let mut spec_start: Vec<Option<usize>> = vec![None; n];
        for (i, at) in spec_at.iter().enumerate() {
            if let Some((_, e)) = at {
                for slot in spec_start.iter_mut().take(*e).skip(i) {
                    *slot = Some(i);
                }
            }
        }

        let mut hits: Vec<Hit> = Vec::new();
        self.index.find_all(doc, &mut hits);
        leftmost_longest(&mut hits, |_, _| false);
        // A name never starts inside a spec: 电机 is not in "5度电机架式电池".
        hits.retain(|h| {
            !(h.start..h.end).any(|i| doc.in_spans(i, &ctx.masks)) && spec_start[h.start].is_none_or(|s| s == h.start)
        });
        // "EU pedelec hub motors", "电动自行车电池": a vehicle named right in
        // front of another product's name says what that product is for.
        let mut qualifier = vec![false; hits.len()];
        for k in 0..hits.len().saturating_sub(1) {
            let (a, b) = (hits[k], hits[k + 1]);
            if a.end == b.start {
                let (sa, sb) = (said_range(doc, a.start, a.end), said_range(doc, b.start, b.end));
                qualifier[k] = sa.is_vehicle() && sb.has_head() && !sb.is_vehicle();
            }
        }
        let mut k = 0;
        hits.retain(|_| {
            k += 1;
            !qualifier[k - 1]
        });

        let mut mentions: Vec<Mention> = Vec::with_capacity(hits.len());
        for (k, h) in hits.iter().enumerate() {
            let floor = if k > 0 { hits[k - 1].end } else { 0 };
            let mut m = Mention {
                h0: h.start,
                h1: h.end,
                p1: h.end,
                e0: h.start,
                e1: h.end,
                specs: (h.start..h.end)
                    .filter_map(|i| spec_at[i])
                    .flat_map(|x| x.0.iter().collect::<Vec<_>>())
                    .collect(),
                mods: Vec::new(),
                cjk_mods: String::new(),
                cands: self.groups.get(h.payload as usize).cloned().unwrap_or_default(),
                compound: false,
                state: State::Ambiguous,
            };
            if doc.kind(h.end.wrapping_sub(1)) == Some(Kind::Cjk)
                && doc.kind(h.end) == Some(Kind::Cjk)
                && doc.glued(h.end)
                && COMPOUND_TAILS.contains(&doc.norm_of(h.end))
            {
                m.compound = true;
                m.p1 += 1;
                m.e1 += 1;
            }
            self.extend_back(doc, &spec_at, &spec_start, floor, &mut m);
            mentions.push(m);
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
            let (state, cands) = self.resolve_mention(doc, m);
            m.state = state;
            m.cands = cands;
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
                if let Some(p) = self.resolve_specs_only(&specs) {
                    clusters.push(Mention {
                        h0: c0,
                        h1: c0,
                        p1: end,
                        e0: c0,
                        e1: end,
                        specs,
                        mods: Vec::new(),
                        cjk_mods: String::new(),
                        cands: vec![p],
                        compound: false,
                        state: State::Resolved(p),
                    });
                }
            }
            i = end.max(i + 1);
        }
        mentions.extend(clusters);
        mentions.sort_by_key(|m| m.e0);

        self.settle_by_context(doc, &mut mentions, ctx);

        let qtys = scan_quantities(doc, ctx, &coverage(n, &mentions));
        let assigned = pair(doc, &mentions, &qtys);
        let mut used = vec![false; qtys.len()];
        for q in assigned.iter().flatten() {
            used[*q] = true;
        }

        let quantities = per_each(doc, &mentions, assigned.iter().map(|a| a.map(|q| qtys[q].value)).collect());
        let mut items: Vec<LineItem> = Vec::new();
        let mut unmatched: Vec<String> = Vec::new();
        for (k, m) in mentions.iter().enumerate() {
            let quantity = quantities[k];
            match m.state {
                // "hub motors for our e-bikes": the e-bikes say what the
                // motors are for; they are context, not an item.
                State::Resolved(_) if quantity.is_none() && for_purpose(doc, m.e0) => {}
                State::Resolved(p) => {
                    let Some(sku) = self.sku(p) else { continue };
                    if let Some(existing) = items.iter_mut().find(|it| it.sku == sku) {
                        if existing.quantity.is_none() {
                            existing.quantity = quantity;
                        }
                        continue;
                    }
                    items.push(LineItem {
                        sku: sku.to_owned(),
                        quantity,
                        matched_text: doc.span(m.e0, m.e1).to_owned(),
                    });
                }
                State::Contradicted => push_unique(&mut unmatched, doc.span(m.e0, m.e1)),
                // Several products fit: an item the customer ordered
                // ("500 hub motors") is reported so that the reply can offer
                // the ones we have; a passing mention ("do you sell battery
                // packs?") is not an item.
                State::Ambiguous if quantity.is_some() => push_unique(&mut unmatched, doc.span(m.e0, m.e1)),
                State::Ambiguous => {}
            }
        }
        for phrase in unmatched_phrases(doc, &mentions, ctx) {
            push_unique(&mut unmatched, &phrase);
        }
        for phrase in counted_phrases(doc, &mentions, &qtys, &used, ctx) {
            push_unique(&mut unmatched, &phrase);
        }
        // A phrase reported both ways would tell the customer we have it and
        // we don't.
        unmatched.retain(|u| !items.iter().any(|it| it.matched_text.eq_ignore_ascii_case(u)));
        // "电池" inside "氢燃料电池" is the same phrase, read twice.
        let all = unmatched.clone();
        unmatched.retain(|u| !all.iter().any(|o| o.len() > u.len() && o.to_lowercase().contains(&u.to_lowercase())));
        unmatched.truncate(8);
        let seen = mentions
            .iter()
            .enumerate()
            .map(|(k, m)| Seen {
                t0: m.e0,
                text: doc.span(m.e0, m.e1).to_owned(),
                sku: match m.state {
                    State::Resolved(p) => self.sku(p).map(str::to_owned),
                    _ => None,
                },
                cands: m.cands.iter().filter_map(|&p| self.sku(p).map(str::to_owned)).collect(),
                contradicted: m.state == State::Contradicted,
                quantity: quantities[k],
                purpose: for_purpose(doc, m.e0),
            })
            .collect();
        let loose = qtys
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(q, _)| Loose { t0: q.t0, value: q.value, strong: q.strong })
            .collect();
        Scan { matches: ProductMatches { items, unmatched }, seen, loose }
    }

    /// Extends a mention backwards over specs ("48V 20Ah e-bike battery
    /// packs"), separators and qualifier words ("wall-mount", "壁挂式").
    fn extend_back(
        &self,
        doc: &Doc,
        spec_at: &[Option<(Specs, usize)>],
        spec_start: &[Option<usize>],
        floor: usize,
        m: &mut Mention,
    ) {
        let mut j = m.h0;
        let mut unknown = 0;
        let mut known = 0;
        let mut cjk = 0;
        while j > floor {
            let t = j - 1;
            if let Some(s0) = spec_start[t] {
                if s0 < floor {
                    break;
                }
                if let Some((sp, _)) = spec_at[s0] {
                    m.specs.extend(sp.iter());
                }
                m.e0 = s0;
                j = s0;
                continue;
            }
            // "48V/20Ah", and Chinese "48伏20安时的电池包".
            if matches!(doc.norm_of(t), "/" | "+" | "(" | ")" | "的") {
                j = t;
                continue;
            }
            let w = doc.norm_of(t);
            match doc.kind(t) {
                Some(Kind::Word)
                    if !STOPWORDS.contains(&w)
                        && !FUNCTION_WORDS.contains(&w)
                        && !NOT_PRODUCT.contains(&w)
                        && !TRIGGERS.contains(&w)
                        && !numerals::is_count_unit(w)
                        && w.chars().all(char::is_alphabetic)
                        && number_word(w).is_none()
                        && numerals::split_compound(w).is_none() =>
                {
                    let is_known = self.word_cats.contains_key(doc.stem_of(t));
                    if (is_known && known < 3) || (!is_known && unknown < 2) {
                        if is_known {
                            known += 1;
                        } else {
                            unknown += 1;
                        }
                        m.mods.push(t);
                        m.e0 = t;
                        j = t;
                        continue;
                    }
                }
                Some(Kind::Cjk) if cjk < 6 && doc.glued(t + 1) => {
                    let c = w.chars().next().unwrap_or(' ');
                    let next = doc.norm_of(t + 1).chars().next().unwrap_or(' ');
                    // A numeral or measure word in front of a name is a
                    // quantity (五百个) unless the catalog writes it (一体化).
                    let plain = !is_cjk_numeral(c) && !numerals::is_count_unit(w);
                    // Particles and verbs are never qualifiers, even where a
                    // name uses them (电池用).
                    let particle = CJK_STOP.contains(c) || "用于为给把将对向也".contains(c);
                    if self.zh_chars.contains(&c) && !particle && (plain || self.zh_pairs.contains(&(c, next))) {
                        cjk += 1;
                        m.cjk_mods.insert(0, c);
                        m.e0 = t;
                        j = t;
                        continue;
                    }
                }
                _ => {}
            }
            break;
        }
    }

    /// The phrase's own group, plus every product whose names hold its head
    /// noun (or Chinese kind) and all its words, in any order.
    fn candidates(&self, said: &Said, group: &[u32]) -> Vec<u32> {
        let mut out = group.to_vec();
        if said.head.is_none() && said.kind.is_none() {
            return out;
        }
        for (pid, info) in self.infos.iter().enumerate() {
            let pid = pid as u32;
            if out.contains(&pid) {
                continue;
            }
            if let Some(h) = said.head {
                if !info.heads.contains(h) {
                    continue;
                }
            }
            let has = |w: &str| info.vocab.contains(w) || vocab::canonical(w).is_some_and(|c| info.heads.contains(c));
            if !said.words.iter().all(|w| has(w)) {
                continue;
            }
            if !said.cjk.is_empty() {
                let ok =
                    info.zh.iter().any(|(t, k)| said.kind.is_none_or(|sk| sk == *k) && is_subsequence(&said.cjk, t));
                if !ok {
                    continue;
                }
            }
            out.push(pid);
        }
        out
    }

    /// Points for qualifiers a product's names or specs confirm.
    fn qualifier_score(&self, pid: u32, mods: &[Box<str>], cjk_mods: &str) -> i32 {
        let Some(info) = self.infos.get(pid as usize) else { return 0 };
        let mut s = mods.iter().filter(|w| info.knows(w)).count() as i32;
        let cs: Vec<char> = cjk_mods.chars().collect();
        if cs.len() == 1 {
            s += i32::from(info.zh_chars.contains(&cs[0]));
        }
        s += cs.windows(2).filter(|w| info.zh_pairs.contains(&(w[0], w[1]))).count() as i32;
        s
    }

    /// How much of a product's closest name the customer left out: the
    /// fewer, the more plainly the mention names it ("LED street light" is
    /// the LED street light, not the solar one).
    fn left_out(&self, pid: u32, words: &[Box<str>], cjk: &str) -> usize {
        let Some(info) = self.infos.get(pid as usize) else { return usize::MAX };
        let chinese = !cjk.is_empty();
        info.forms
            .iter()
            .filter(|f| if chinese { !f.cjk.is_empty() } else { f.cjk.is_empty() && !f.words.is_empty() })
            .map(|f| {
                f.words.iter().filter(|w| !words.contains(w)).count()
                    + f.cjk.chars().filter(|c| !cjk.contains(*c)).count()
            })
            .min()
            .unwrap_or(usize::MAX)
    }

    /// Decides what a mention names; returns the state and the products
    /// still in the running (for context to settle an ambiguity).
    fn resolve_mention(&self, doc: &Doc, m: &Mention) -> (State, Vec<u32>) {
        if m.compound {
            return (State::Contradicted, Vec::new());
        }
        let said = said_range(doc, m.h0, m.h1);
        let cands = self.candidates(&said, &m.cands);
        if cands.is_empty() {
            return (State::Ambiguous, cands);
        }
        let mut mods: Vec<Box<str>> = m.mods.iter().map(|&t| Box::from(doc.stem_of(t))).collect();
        // A qualifier the catalog uses only for another kind of product
        // ("solar panels" of a catalog whose only panel is an LED light)
        // names something we don't sell.
        for w in &mods {
            let Some(cats) = self.word_cats.get(w) else { continue };
            let known_here = cands.iter().any(|&p| self.infos.get(p as usize).is_some_and(|i| i.knows(w)));
            let same_kind =
                cands.iter().any(|&p| self.infos.get(p as usize).is_some_and(|i| cats.contains(&i.category)));
            if !known_here && !same_kind {
                return (State::Contradicted, Vec::new());
            }
        }
        mods.extend(said.soft.iter().cloned());
        let cjk_mods = format!("{}{}", m.cjk_mods, said.soft_cjk);
        let mut all_words = said.words.clone();
        all_words.extend(mods.iter().cloned());
        let all_cjk = format!("{}{}", cjk_mods, said.cjk);
        let mut contradicted = false;
        let mut best_specs = 0;
        let mut scored: Vec<(i32, usize, u32)> = Vec::with_capacity(cands.len());
        for &p in &cands {
            let Some(info) = self.infos.get(p as usize) else { continue };
            let Some(spec) = spec_score(&info.specs, &m.specs) else {
                contradicted = true;
                continue;
            };
            best_specs = best_specs.max(spec);
            let s = spec + self.qualifier_score(p, &mods, &cjk_mods);
            scored.push((s, self.left_out(p, &all_words, &all_cjk), p));
        }
        // Specs that rule out the products stating them and confirm none of
        // the rest ("1kW controllers": ours are 500 W, or not rated in watts)
        // ask for something we don't make.
        if scored.is_empty() || (contradicted && best_specs == 0) {
            return (State::Contradicted, Vec::new());
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        // A bare kind ("inverters", "逆变器") says nothing about which one,
        // however plainly one product's name matches it.
        let generic = m.specs.is_empty()
            && m.mods.is_empty()
            && m.cjk_mods.is_empty()
            && said.words.iter().all(|w| vocab::is_head(w))
            && (said.cjk.is_empty() || vocab::is_cjk_head(&said.cjk));
        let top = (scored[0].0, if generic { 0 } else { scored[0].1 });
        let tied = scored.iter().take_while(|s| (s.0, if generic { 0 } else { s.1 }) == top).count();
        let ranked: Vec<u32> = scored.iter().map(|s| s.2).collect();
        match (tied, ranked.first()) {
            (1, Some(&one)) => (State::Resolved(one), ranked),
            _ => (State::Ambiguous, ranked),
        }
    }

    /// Specs alone ("500 units of 36V 10Ah") name a product only when one
    /// product confirms every one of them.
    fn resolve_specs_only(&self, asked: &[Spec]) -> Option<u32> {
        let mut best: Option<(i32, u32)> = None;
        let mut tie = false;
        for (pid, info) in self.infos.iter().enumerate() {
            if !asked.iter().all(|&a| matches!(fit_one(&info.specs, a), Fit::Exact | Fit::Near)) {
                continue;
            }
            let Some(s) = spec_score(&info.specs, asked) else { continue };
            match best {
                Some((b, _)) if s < b => {}
                Some((b, _)) if s == b => tie = true,
                _ => {
                    best = Some((s, pid as u32));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, p)| p)
    }

    /// Settles ambiguous mentions that refer to other products ("150
    /// chargers for them" after scooters, "spare batteries", "配套充电器"):
    /// the candidate made to go with them, or sharing their voltage, wins.
    fn settle_by_context(&self, doc: &Doc, mentions: &mut [Mention], ctx: &ScanContext) {
        let open: Vec<u32> = ctx.context.iter().filter_map(|s| self.pid_of(s)).collect();
        let mut context = open.clone();
        for m in mentions.iter() {
            if let State::Resolved(p) = m.state {
                context.push(p);
            }
        }
        if context.is_empty() {
            return;
        }
        for m in mentions.iter_mut() {
            if m.state != State::Ambiguous || !(ctx.context_always || refers_to_others(doc, m.e0, m.e1)) {
                continue;
            }
            let mut best: Option<(i32, u32)> = None;
            let mut tie = false;
            for &p in &m.cands {
                let Some(info) = self.infos.get(p as usize) else { continue };
                // "the power banks", later in a conversation about one, mean that one.
                let mut s = if open.contains(&p) { 5 } else { 0 };
                for &q in context.iter().filter(|&&q| q != p) {
                    let Some(other) = self.infos.get(q as usize) else { continue };
                    if info.related.contains(&q) {
                        s += 3;
                    }
                    // A controller for e-bike batteries is the e-bike one.
                    s += info.vocab.iter().filter(|w| !vocab::is_head(w) && other.vocab.contains(*w)).count() as i32;
                    for spec in other.specs.iter().filter(|s| matches!(s.unit, Unit::V | Unit::Ah | Unit::W)) {
                        if spec.milli == spec.hi && fit_one(&info.specs, *spec) == Fit::Exact {
                            s += 2;
                        }
                    }
                }
                match best {
                    Some((b, _)) if s < b => {}
                    Some((b, _)) if s == b => tie = true,
                    _ => {
                        best = Some((s, p));
                        tie = false;
                    }
                }
            }
            if let Some((s, p)) = best {
                if s > 0 && !tie {
                    m.state = State::Resolved(p);
                }
            }
        }
    }
}

/// The words, characters, head and kind of the phrase in tokens `a..b`
/// (its naming part: "thumb throttle" of "thumb throttle with battery level").
pub(crate) fn said_range(doc: &Doc, a: usize, b: usize) -> Said {
    let end = (a..b).find(|&i| matches!(doc.norm_of(i), "with" | "for" | "(")).unwrap_or(b);
    let mut words: Vec<Box<str>> = Vec::new();
    let mut cjk = String::new();
    let mut i = a;
    while i < end {
        if let Some(s) = cjk_spec_at(doc, i) {
            i = s.1;
            continue;
        }
        match doc.kind(i) {
            Some(Kind::Word) if parse_specs(doc.norm_of(i)).is_none() => {
                let w = doc.stem_of(i);
                if !FUNCTION_WORDS.contains(&w) {
                    words.push(Box::from(w));
                }
            }
            Some(Kind::Cjk) => cjk.push_str(doc.norm_of(i)),
            _ => {}
        }
        i += 1;
    }
    let (soft, words): (Vec<Box<str>>, Vec<Box<str>>) =
        words.into_iter().partition(|w| vocab::SOFT_WORDS.contains(&&**w));
    let soft_cjk: String = cjk.chars().filter(|c| vocab::SOFT_CJK.contains(c)).collect();
    cjk.retain(|c| !vocab::SOFT_CJK.contains(&c));
    let head = latin_head(&words).map(|x| x.1);
    let kind = cjk_head(&cjk).map(|x| x.1);
    Said { words, cjk, soft, soft_cjk, head, kind }
}

impl Said {
    fn has_head(&self) -> bool {
        self.head.is_some() || self.kind.is_some()
    }

    fn is_vehicle(&self) -> bool {
        matches!(self.head, Some("ebike" | "scooter")) || matches!(self.kind, Some("自行车" | "滑板车"))
    }
}

/// Quantities stated per unit of the product before: "300 hub motors, each
/// with a controller", "两千个电池包，每个配一个充电器". The customer means
/// one (or the stated few) for every unit, so the count is the earlier
/// item's times the per-unit number, not 1 or nothing.
fn per_each(doc: &Doc, mentions: &[Mention], mut quantities: Vec<Option<u32>>) -> Vec<Option<u32>> {
    // A per-unit count is small; "100 batteries, price per unit, and 50
    // chargers" names a quantity of its own.
    const MAX_PER_UNIT: u32 = 4;
    for k in 1..mentions.len() {
        let (prev, m) = (&mentions[k - 1], &mentions[k]);
        let Some(base) = quantities[k - 1] else { continue };
        if !matches!(prev.state, State::Resolved(_)) || quantities[k].is_some_and(|q| q > MAX_PER_UNIT) {
            continue;
        }
        let each = (prev.e1..m.e0).any(|i| {
            matches!(doc.norm_of(i), "each" | "every" | "per")
                || (doc.kind(i) == Some(Kind::Cjk) && doc.norm_of(i) == "每")
        });
        if each {
            quantities[k] = base.checked_mul(quantities[k].unwrap_or(1));
        }
    }
    quantities
}

/// True when the words before token `e0` say what something is for ("for
/// our e-bikes", "fits the scooter", "用于电动自行车").
fn for_purpose(doc: &Doc, e0: usize) -> bool {
    let mut k = e0;
    while k > 0 && matches!(doc.norm_of(k - 1), "our" | "my" | "their" | "your" | "the" | "these" | "those" | "its") {
        k -= 1;
    }
    let determiner = k < e0;
    if k > 0 && matches!(doc.norm_of(k - 1), "fits" | "fit" | "fitting") {
        return true;
    }
    // "a quote for mid-drive kits" asks for them; "for our e-bikes" and
    // "chargers for e-bikes" say what something is for.
    if k > 0 && doc.is(k - 1, "for") {
        let asked =
            NOT_PRODUCT.contains(&doc.norm_of(k.wrapping_sub(2))) || doc.norm_of(k.wrapping_sub(2)) == "looking";
        return determiner || !asked;
    }
    let mut cjk = String::new();
    let mut j = e0;
    while j > 0 && e0 - j < 3 && doc.kind(j - 1) == Some(Kind::Cjk) {
        cjk.insert_str(0, doc.norm_of(j - 1));
        j -= 1;
    }
    cjk.ends_with("用于") || cjk.ends_with("适用") || cjk.ends_with("适配")
}

/// Words around a mention that make it refer to products named elsewhere:
/// "for them", "to go with", "spare", "matching", "配套", "备用".
fn refers_to_others(doc: &Doc, e0: usize, e1: usize) -> bool {
    const BEFORE: &[&str] =
        &["spare", "matching", "compatible", "replacement", "extra", "additional", "with", "their", "its"];
    const AFTER: &[&str] = &["them", "it", "these", "those", "each", "every", "the", "this", "that"];
    const CJK: &[&str] = &["配套", "配", "备用", "替换", "适配", "用的", "它们", "这些", "那些", "每"];
    let before = (e0.saturating_sub(3)..e0).any(|i| BEFORE.contains(&doc.norm_of(i)));
    let after = (e1..(e1 + 4).min(doc.len())).any(|i| {
        matches!(doc.norm_of(i), "for" | "with" | "to") && AFTER.contains(&doc.norm_of(i + 1))
            || (doc.is(i, "go") && doc.is(i + 1, "with"))
    });
    let mut around = String::new();
    for i in e0.saturating_sub(4)..(e1 + 4).min(doc.len()) {
        if doc.kind(i) == Some(Kind::Cjk) {
            around.push_str(doc.norm_of(i));
        }
    }
    before || after || CJK.iter().any(|c| around.contains(c))
}

/// Nouns that, glued after a Chinese product name, make it a different
/// thing: 电池板 (solar panel), 电池盒 (battery box), 路灯杆 (lamp post).
const COMPOUND_TAILS: &[&str] = &["板", "盒", "片", "芯", "壳", "仓", "座", "线", "夹", "架", "柜", "箱", "罩", "杆"];

/// Specs by start token, with the token after them; none inside masks.
pub(crate) fn spec_table(doc: &Doc, ctx: &ScanContext) -> Vec<Option<(Specs, usize)>> {
    let n = doc.len();
    let mut spec_at: Vec<Option<(Specs, usize)>> = vec![None; n];
    for (i, at) in spec_at.iter_mut().enumerate() {
        let s = match doc.kind(i) {
            Some(Kind::Word) => parse_specs(doc.norm_of(i)).map(|s| (s, i + 1)),
            Some(Kind::Num) => cjk_spec_at(doc, i).map(|(s, e)| (Specs::one(s), e)),
            _ => None,
        };
        if let Some((sp, e)) = s {
            if !doc.in_spans(i, &ctx.masks) {
                *at = Some((sp, e));
            }
        }
    }
    spec_at
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
                    // "2 thousand", "1.5 thousand", "3 hundred": digits and a
                    // scale word are one number, not "2" and "thousand".
                    let scaled = match doc.norm_of(k) {
                        "thousand" if doc.kind(k) == Some(Kind::Word) => numerals::parse_number(&format!("{run}k")),
                        "hundred" if doc.kind(k) == Some(Kind::Word) => {
                            numerals::parse_number(&run).and_then(|v| v.checked_mul(100))
                        }
                        _ => None,
                    };
                    if scaled.is_some() {
                        t1 = k + 1;
                        plain_digits = false;
                        scaled
                    } else {
                        numerals::parse_number(&run)
                    }
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
                    || numerals::split_compound(w).is_some()
                    || (w == "a"
                        && number_word(doc.norm_of(i + 1))
                            .is_some_and(|nw| matches!(nw, NumWord::Hundred | NumWord::Thousand | NumWord::Dozen)))
                {
                    let mut k = i;
                    let mut words = Vec::new();
                    while k < n && doc.kind(k) == Some(Kind::Word) && words.len() < 8 {
                        let w = doc.norm_of(k);
                        // "twenty-five" is one token once the hyphen joins it.
                        if let Some((tens, unit)) = numerals::split_compound(w) {
                            words.push(tens);
                            words.push(unit);
                        } else if number_word(w).is_some() {
                            words.push(w);
                        } else {
                            break;
                        }
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
                // 一打, 两打: dozens.
                if doc.is(k, "打") && doc.glued(k) {
                    t1 = k + 1;
                    numerals::parse_chinese(&run).and_then(|v| v.checked_mul(12))
                // A lone 一 or 十 is part of words (一些, 统一, 十分) unless a
                // measure word follows.
                } else if k - i == 1 && !is_count_token(doc, k) {
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
        // "+49" is a phone prefix; "+ 50 x" adds another line.
        if CURRENCY.contains(&pw)
            || ID_BEFORE.contains(&pw)
            || pw == "@"
            || (pw == "+" && doc.glued(t0))
            || CURRENCY.contains(&next)
        {
            reject = true;
        }
        // "1) 36V scooter batteries", "2. 折叠滑板车": list numbers.
        if prev.is_none_or(|p| doc.kind(p) == Some(Kind::Newline))
            && matches!(next, ")" | "." | ",")
            && doc.glued(t1)
            && !doc.glued(t1 + 1)
        {
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
        // "60 x 1024Wh power stations": a count, unless a number follows
        // the sign ("2 x 20ft", "600 x 600 mm").
        let times = matches!(next, "x" | "×" | "*")
            && t1 + 1 < n
            && doc.kind(t1 + 1) != Some(Kind::Num)
            && !NOT_PIECES.contains(&doc.norm_of(t1 + 1));
        if (NOT_PIECES.contains(&next) && !times)
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
        if times || (t1 < n && is_count_token(doc, t1)) {
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

/// Links quantities to mentions, cheapest links first, each quantity used
/// once. Unresolved mentions take part so that they keep their own
/// quantities rather than lend them to a neighbour. Returns, per mention, the index of its quantity.
fn pair(doc: &Doc, mentions: &[Mention], qtys: &[Qty]) -> Vec<Option<usize>> {
    let mut cands: Vec<(u32, bool, usize, usize)> = Vec::new();
    for (mi, m) in mentions.iter().enumerate() {
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
                    // a count word or marker ("x200", "两千个") to be as good,
                    // and a bare one must follow at once ("hub motors, 500",
                    // not "the e-bike shows error 21").
                    if q.strong || c <= 1 {
                        cands.push((c + if q.strong { 0 } else { 3 }, true, mi, qi));
                    }
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
    "batch",
    "batches",
    "lot",
    "lots",
    "shipments",
    "installments",
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
        if let Some(p) = phrase_at(doc, h.end, &trigger_end, mentions, ctx) {
            out.push(p);
            if out.len() >= 16 {
                break;
            }
        }
    }
    out
}

/// The product-like phrase starting at (or, past determiners, quantities
/// and measure words, just after) token `start`, unless the catalog already
/// names it or it is about the deal rather than a product.
fn phrase_at(
    doc: &Doc,
    start: usize,
    trigger_end: &[usize],
    mentions: &[Mention],
    ctx: &ScanContext,
) -> Option<String> {
    let n = doc.len();
    let trig = |k: usize| trigger_end.get(k).copied().unwrap_or(0);
    let mut k = start;
    // Skip determiners, quantities, measure words and further triggers
    // ("需要采购", "need to buy"), but not forever.
    while k < n && k < start + 12 {
        if trig(k) > k {
            k = trig(k);
            continue;
        }
        let w = doc.norm_of(k);
        let skippable = SKIP.contains(&w)
            || matches!(doc.kind(k), Some(Kind::Num))
            || (doc.kind(k) == Some(Kind::Word)
                && split_num(w).is_some_and(|(_, s)| s == "k" || s == "x" || numerals::is_count_unit(s)))
            || numerals::is_count_unit(w)
            || number_word(w).is_some()
            || matches!(w, "x" | "×" | "*")
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
    while k < n && latin < 5 && cjk < 10 && trig(k) <= k {
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
        return None;
    }
    // A phrase the catalog names settles it, unless words we don't
    // know come first (氢燃料 in front of 电池 is a hydrogen fuel cell).
    if mentions.iter().any(|m| m.e0 < b && a < m.e1 && (m.state != State::Ambiguous || a >= m.e0)) {
        return None;
    }
    if ctx.place_starts.iter().any(|&p| p >= a && p < b) {
        return None;
    }
    if NOT_PRODUCT.iter().any(|p| !p.is_ascii() && doc.span(a, b).starts_with(p)) {
        return None;
    }
    // "quick reply", "best price" are about the deal, not a product;
    // "solar panel prices" still names "solar panel".
    let not_product = |i: usize| NOT_PRODUCT.contains(&doc.norm_of(i)) || NOT_PRODUCT.contains(&doc.stem_of(i));
    let latin: Vec<usize> = (a..b).filter(|&i| doc.kind(i) == Some(Kind::Word)).collect();
    let mut b = b;
    if let Some(f) = latin.iter().position(|&i| not_product(i)) {
        if f < 2 {
            return None;
        }
        b = latin[f];
    }
    let has_word = (a..b)
        .any(|i| doc.kind(i) == Some(Kind::Word) && doc.norm_of(i).chars().filter(|c| c.is_alphabetic()).count() >= 3);
    if !(has_word || cjk >= 2) {
        return None;
    }
    Some(doc.span(a, b).to_owned())
}

/// Items counted in a list but not in the catalog ("… and 100 poles for
/// them"): a quantity no product took, in a list or with a count word,
/// followed by a product-like phrase.
fn counted_phrases(doc: &Doc, mentions: &[Mention], qtys: &[Qty], used: &[bool], ctx: &ScanContext) -> Vec<String> {
    let mut out = Vec::new();
    for (q, qty) in qtys.iter().enumerate() {
        if used.get(q).copied().unwrap_or(true) {
            continue;
        }
        let before = doc.norm_of(qty.t0.wrapping_sub(1));
        let listed = qty.t0 == 0
            || doc.kind(qty.t0 - 1) == Some(Kind::Newline)
            || matches!(
                before,
                "," | "and" | "plus" | "+" | "&" | ";" | "need" | "want" | "和" | "及" | "、" | "要" | "需要"
            );
        if !(qty.strong || listed) {
            continue;
        }
        if let Some(p) = phrase_at(doc, qty.t1, &[], mentions, ctx) {
            out.push(p);
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
        assert_eq!(items("2 thousand hub motors"), vec![("TW-HM-500".into(), Some(2000))]);
        assert_eq!(items("1.5 thousand hub motors"), vec![("TW-HM-500".into(), Some(1500))]);
        assert_eq!(items("一打轮毂电机"), vec![("TW-HM-500".into(), Some(12))]);
    }

    #[test]
    fn a_count_per_unit_multiplies_the_earlier_items_quantity() {
        let mut got = items("300 hub motors, each with a 5kW hybrid inverter");
        got.sort();
        assert_eq!(got, vec![("TW-HM-500".into(), Some(300)), ("TW-INV-5K".into(), Some(300))]);
        let mut got = items("两千个轮毂电机，每个配两台5kW混合逆变器");
        got.sort();
        assert_eq!(got, vec![("TW-HM-500".into(), Some(2000)), ("TW-INV-5K".into(), Some(4000))]);
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
