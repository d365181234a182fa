//! Reading a new message against a conversation's open inquiry: what it
//! filled, revised, added, dropped or corrected, whether it asked a
//! question or started a separate inquiry, as the merged inquiry and the
//! list of changes (each with its before and after).
//!
//! The message is read with the same rules as a first message, with the
//! open inquiry's products as context ("chargers for them", "also add 300
//! controllers" in an e-bike inquiry). It is then taken clause by clause:
//! cue words say what a clause does ("drop", "不要了", "make it", "改成",
//! "also", "not Hamburg"), and a clause that only asks ("what is the lead
//! time?", "质保多久？") leaves the inquiry as it was.
//!
//! Rules worth knowing:
//! * A later message changes the destination only when it speaks of
//!   delivery (ship, deliver, to, port, destination, 发到, 运到, 目的港, an
//!   Incoterm before the place) or when no destination was known; a place
//!   named after "not" or "不是" is never the new one.
//! * A quantity with no product ("make it 1200 instead", "数量改成1000个")
//!   goes to the only item, else the only item still without a quantity,
//!   else the item named last.
//! * "I meant 20 of the grid tie inverters" replaces the item of the same
//!   kind; a product the customer chooses where an unmatched phrase of the
//!   same kind stood (we had no 8 kW hybrid; "the 10 kW then") replaces
//!   the phrase.
//! * The inquiry keeps the language the customer started in. A message
//!   wholly in the other language that says more than a word or a code (at
//!   least three words, or six Chinese characters) switches it: the
//!   customer has changed language, not quoted a product name.

use std::sync::OnceLock;

use tradewind_core::{Change, Destination, Field, Lang, LineItem, StructuredInquiry, TurnKind, TurnReading};

use crate::contact;
use crate::gazetteer::{DestContext, Gazetteer, PlaceHit};
use crate::products::{Loose, ScanContext, Seen};
use crate::text::{cap, is_cjk, leftmost_longest, Doc, Hit, Kind, PhraseIndex, SCAN_CAP};
use crate::{compute_missing, Intake};

/// What a cue word says a clause does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
enum Cue {
    StartNew = 0,
    Drop = 1,
    Add = 2,
    Revise = 3,
    /// "not Hamburg", "不是汉堡": the place or value after it is wrong.
    Not = 4,
    Delivery = 5,
    Question = 6,
    /// "sorry", "actually", "I meant": what follows corrects what was said.
    Correct = 7,
    /// "separately", "分开": a new inquiry when it is about a quote.
    Separately = 8,
}

/// Words that make "separately" about the quote rather than the shipment.
const QUOTE_WORDS: &[&str] = &["quote", "quotation", "quotations", "offer", "price", "prices", "pricing", "报", "价"];

const CUES: &[(Cue, &[&str])] = &[
    (
        Cue::StartNew,
        &[
            "separate quote",
            "separate quotation",
            "separate inquiry",
            "separate enquiry",
            "separate offer",
            "separate order",
            "separately quote",
            "quote separately",
            "new inquiry",
            "new enquiry",
            "another inquiry",
            "another enquiry",
            "different project",
            "another project",
            "单独报价",
            "单独报一下",
            "单独报个价",
            "单独询价",
            "另外单独",
            "分开报价",
            "新的询价",
            "另一个询价",
            "另一个项目",
            "另外一个项目",
            "另起一单",
        ],
    ),
    (
        Cue::Drop,
        &[
            "drop",
            "remove",
            "cancel",
            "delete",
            "forget",
            "skip",
            "take out",
            "leave out",
            "exclude",
            "without",
            "no more",
            "don't need",
            "do not need",
            "dont need",
            "no longer need",
            "not need",
            "don't want",
            "do not want",
            "不要了",
            "不要",
            "不需要",
            "取消",
            "去掉",
            "删掉",
            "删除",
            "算了",
            "不用了",
        ],
    ),
    (
        Cue::Add,
        &[
            "also",
            "add",
            "plus",
            "as well",
            "too",
            "in addition",
            "additionally",
            "include",
            "加上",
            "再加",
            "还要",
            "还需要",
            "增加",
            "追加",
            "再来",
            "另要",
        ],
    ),
    (
        Cue::Revise,
        &[
            "make it",
            "make that",
            "change",
            "instead",
            "update",
            "revise",
            "increase",
            "decrease",
            "reduce",
            "raise",
            "lower",
            "up to",
            "down to",
            "go with",
            "what about",
            "how about",
            "let's do",
            "lets do",
            "rather",
            "改成",
            "改为",
            "改到",
            "换成",
            "调整",
            "增加到",
            "减少到",
            "减到",
            "加到",
            "数量改",
            "改一下",
            "就要",
            "那就",
        ],
    ),
    (
        Cue::Not,
        &[
            "not",
            "instead of",
            "rather than",
            "不是",
            "而不是",
            "别发",
            "不发",
            "不要发",
            "不要发到",
            "不发到",
            "别发到",
            "不送",
        ],
    ),
    (
        Cue::Delivery,
        &[
            "ship",
            "shipping",
            "shipped",
            "shipment",
            "deliver",
            "delivery",
            "delivered",
            "send",
            "to",
            "port",
            "destination",
            "pod",
            "discharge",
            "发到",
            "发往",
            "运到",
            "运往",
            "送到",
            "寄到",
            "目的地",
            "目的港",
            "到港",
            "改发",
            "发货到",
            "交货地",
            "收货地",
        ],
    ),
    (
        Cue::Question,
        &[
            "what",
            "how",
            "when",
            "which",
            "why",
            "where",
            "who",
            "do you",
            "does",
            "did you",
            "can you",
            "could you",
            "is there",
            "are there",
            "is it",
            "are they",
            "will it",
            "请问",
            "吗",
            "多少",
            "什么",
            "怎么",
            "如何",
            "能否",
            "是否",
            "有没有",
            "多久",
            "几天",
            "哪",
        ],
    ),
    (
        Cue::Correct,
        &[
            "sorry",
            "actually",
            "i meant",
            "i mean",
            "meant",
            "correction",
            "my mistake",
            "typo",
            "wrong",
            "抱歉",
            "不好意思",
            "我是说",
            "应该是",
            "搞错",
            "更正",
            "说错",
            "写错",
        ],
    ),
    (Cue::Separately, &["separately", "separate", "分开", "单独"]),
];

fn cue_index() -> &'static PhraseIndex {
    static I: OnceLock<PhraseIndex> = OnceLock::new();
    I.get_or_init(|| {
        let mut idx = PhraseIndex::new(false);
        for (cue, words) in CUES {
            for w in *words {
                idx.add(w, *cue as u32);
            }
        }
        idx
    })
}

fn cue_of(payload: u32) -> Option<Cue> {
    CUES.iter().map(|(c, _)| *c).find(|c| *c as u32 == payload)
}

/// A clause of the message: its tokens, its sentence and the cues in it.
#[derive(Debug, Clone, Default)]
struct Clause {
    t0: usize,
    t1: usize,
    sentence: usize,
    cues: Vec<(Cue, usize)>,
}

impl Clause {
    fn has(&self, c: Cue) -> bool {
        self.cues.iter().any(|(x, _)| *x == c)
    }
}

/// Sentences end at . ! ? ; and line breaks; clauses also at commas and at
/// "and"/"but"/和 between them.
fn clauses(doc: &Doc) -> (Vec<Clause>, Vec<bool>) {
    let n = doc.len();
    let mut out: Vec<Clause> = Vec::new();
    let mut questions: Vec<bool> = Vec::new();
    let mut start = 0;
    let mut sentence = 0;
    let mut hits: Vec<Hit> = Vec::new();
    cue_index().find_all(doc, &mut hits);
    leftmost_longest(&mut hits, |_, _| false);
    let push = |out: &mut Vec<Clause>, a: usize, b: usize, sentence: usize| {
        if a < b {
            let cues = hits
                .iter()
                .filter(|h| h.start >= a && h.start < b)
                .filter_map(|h| cue_of(h.payload).map(|c| (c, h.start)))
                .collect();
            out.push(Clause { t0: a, t1: b, sentence, cues });
        }
    };
    let mut i = 0;
    while i < n {
        let w = doc.norm_of(i);
        let sentence_end = doc.is_boundary(i);
        let clause_end = sentence_end || matches!(w, "," | "and" | "but" | "和" | "但" | "但是" | "并且");
        if clause_end {
            push(&mut out, start, i, sentence);
            start = i + 1;
        }
        if sentence_end {
            questions.push(w == "?");
            sentence += 1;
        }
        i += 1;
    }
    push(&mut out, start, n, sentence);
    questions.push(false);
    // A clause with no cue of its own continues the one before it in the
    // same sentence: "remove the power banks and the lanterns".
    for k in 1..out.len() {
        let (prev, cur) = (&out[k - 1], &out[k]);
        if cur.sentence == prev.sentence && cur.cues.is_empty() {
            let inherited: Vec<(Cue, usize)> =
                prev.cues.iter().filter(|(c, _)| matches!(c, Cue::Drop | Cue::Add | Cue::Revise)).copied().collect();
            out[k].cues = inherited;
        }
    }
    (out, questions)
}

/// The product-facing parts of a message, read once.
struct Read {
    si: StructuredInquiry,
    seen: Vec<Seen>,
    loose: Vec<Loose>,
    places: Vec<PlaceHit>,
    incoterms: Vec<(usize, &'static str)>,
    dest_ctx: DestContext,
}

impl Intake {
    /// Reads `text` as the next message about `open`: the merged inquiry,
    /// what changed (quantities per SKU as the subject), what kind of turn
    /// it was, the question it asked, and whether the customer asked for a
    /// separate inquiry (then the inquiry is the reading of this message
    /// alone).
    pub fn read_turn(&self, open: &StructuredInquiry, text: &str) -> TurnReading {
        let scanned = cap(text, SCAN_CAP);
        let doc = Doc::new(scanned);
        let (clauses, question_marks) = clauses(&doc);
        // "quote this separately" asks for a new inquiry; "ship separately"
        // does not.
        let separately = clauses.iter().any(|c| c.has(Cue::Separately))
            && (0..doc.len()).any(|i| QUOTE_WORDS.contains(&doc.norm_of(i)));
        if separately || clauses.iter().any(|c| c.has(Cue::StartNew)) {
            return TurnReading {
                kinds: vec![TurnKind::Open],
                inquiry: self.parse(text),
                changes: Vec::new(),
                question: None,
                start_new: true,
            };
        }
        let context: Vec<String> = open.items.iter().map(|i| i.sku.clone()).collect();
        let read = self.read_doc(&doc, text, context);
        Turn::new(self, open, &doc, &clauses, &question_marks, read).finish()
    }

    fn read_doc(&self, doc: &Doc, text: &str, context: Vec<String>) -> Read {
        let mut si = StructuredInquiry::empty(Lang::detect(doc.text));
        let found = contact::extract_doc(doc);
        let places = self.gazetteer.find(doc, &found.masks);
        let place_starts = Gazetteer::starts(&places);
        let incoterms = contact::incoterms_doc(doc, &place_starts);
        let dest_ctx = DestContext {
            company_spans: found.company_span.into_iter().collect(),
            incoterms: incoterms.iter().map(|&(t, c)| (t, contact::incoterm_names_destination(c))).collect(),
        };
        let mut masks = found.masks;
        masks.extend(found.company_span);
        let scan_ctx = ScanContext { masks, place_starts, context, context_always: true };
        let scan = self.products.scan(doc, &scan_ctx);
        si.items = scan.matches.items;
        si.unmatched_products = scan.matches.unmatched;
        si.company = found.company;
        si.contact = found.contact;
        si.credit_code = found.credit_code;
        si.suspicious = if text.len() <= SCAN_CAP {
            crate::injection::scan_doc(doc)
        } else {
            crate::injection::is_suspicious(text)
        };
        Read { si, seen: scan.seen, loose: scan.loose, places, incoterms, dest_ctx }
    }

    /// Folds a whole conversation: the first message is parsed, each later
    /// one read against the inquiry so far (a separate inquiry replaces it).
    /// Returns the final inquiry and every turn's reading.
    pub fn fold_conversation<S: AsRef<str>>(&self, turns: &[S]) -> (StructuredInquiry, Vec<TurnReading>) {
        let mut readings = Vec::new();
        let mut cur: Option<StructuredInquiry> = None;
        for t in turns {
            let r = match &cur {
                None => TurnReading {
                    kinds: vec![TurnKind::Open],
                    inquiry: self.parse(t.as_ref()),
                    changes: Vec::new(),
                    question: None,
                    start_new: false,
                },
                Some(open) => self.read_turn(open, t.as_ref()),
            };
            cur = Some(r.inquiry.clone());
            readings.push(r);
        }
        (cur.unwrap_or_else(|| StructuredInquiry::empty(Lang::En)), readings)
    }
}

/// One message being merged into the open inquiry.
struct Turn<'a> {
    intake: &'a Intake,
    doc: &'a Doc<'a>,
    clauses: &'a [Clause],
    /// Per sentence: it only asks something.
    asking: Vec<bool>,
    read: Read,
    out: StructuredInquiry,
    changes: Vec<Change>,
    kinds: Vec<TurnKind>,
    open_lang: Lang,
}

impl<'a> Turn<'a> {
    fn new(
        intake: &'a Intake,
        open: &StructuredInquiry,
        doc: &'a Doc<'a>,
        clauses: &'a [Clause],
        question_marks: &[bool],
        read: Read,
    ) -> Self {
        let sentences = question_marks.len();
        let mut asking = vec![false; sentences];
        for (s, ask) in asking.iter_mut().enumerate() {
            let cl: Vec<&Clause> = clauses.iter().filter(|c| c.sentence == s).collect();
            let interrogative =
                question_marks.get(s).copied().unwrap_or(false) || cl.iter().any(|c| c.has(Cue::Question));
            let acts = cl.iter().any(|c| c.has(Cue::Drop) || c.has(Cue::Add) || c.has(Cue::Revise));
            *ask = interrogative && !acts;
        }
        Turn {
            intake,
            doc,
            clauses,
            asking,
            read,
            out: open.clone(),
            changes: Vec::new(),
            kinds: Vec::new(),
            open_lang: open.lang,
        }
    }

    fn clause_at(&self, t: usize) -> Option<&'a Clause> {
        self.clauses.iter().find(|c| t >= c.t0 && t < c.t1)
    }

    /// Token `t` lies in a sentence that only asks.
    fn asked(&self, t: usize) -> bool {
        self.clause_at(t).is_some_and(|c| self.asking.get(c.sentence).copied().unwrap_or(false))
    }

    fn cue_at(&self, t: usize, cue: Cue) -> bool {
        self.clause_at(t).is_some_and(|c| c.has(cue))
    }

    fn sentence_has(&self, t: usize, cue: Cue) -> bool {
        let Some(s) = self.clause_at(t).map(|c| c.sentence) else { return false };
        self.clauses.iter().any(|c| c.sentence == s && c.has(cue))
    }

    fn note(&mut self, kind: TurnKind, change: Change) {
        self.kinds.push(kind);
        if let Some(m) = self.out.from_memory.iter().position(|f| f == change.field.as_str()) {
            self.out.from_memory.remove(m);
        }
        self.changes.push(change);
    }

    fn finish(mut self) -> TurnReading {
        self.drop_unmatched();
        self.products();
        self.loose_quantities();
        self.destination();
        self.terms_and_parties();
        self.language();
        let question = self.question();
        self.out.suspicious |= self.read.si.suspicious;
        self.out.missing = compute_missing(&self.out);
        if question.is_some() {
            self.kinds.push(TurnKind::Question);
        }
        self.kinds.sort();
        self.kinds.dedup();
        if self.kinds.is_empty() {
            self.kinds.push(TurnKind::Chat);
        }
        TurnReading { kinds: self.kinds, inquiry: self.out, changes: self.changes, question, start_new: false }
    }

    /// The sentences that only ask, as the customer wrote them.
    fn question(&self) -> Option<String> {
        let mut parts = Vec::new();
        for (s, ask) in self.asking.iter().enumerate() {
            if !ask {
                continue;
            }
            let cl: Vec<&Clause> = self.clauses.iter().filter(|c| c.sentence == s).collect();
            if let (Some(a), Some(b)) = (cl.first(), cl.last()) {
                let end = if self.doc.is(b.t1, "?") { b.t1 + 1 } else { b.t1 };
                let text = self.doc.span(a.t0, end);
                if !text.is_empty() {
                    parts.push(text.to_owned());
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// The open items a mention refers to: its product if it is open, none
    /// if it names another product, else the open items among its
    /// candidates ("the power banks" when one power bank is in the inquiry).
    fn open_refs(&self, m: &Seen) -> Vec<String> {
        match &m.sku {
            Some(sku) if self.out.items.iter().any(|i| &i.sku == sku) => vec![sku.clone()],
            Some(_) => Vec::new(),
            None => m.cands.iter().filter(|c| self.out.items.iter().any(|i| &i.sku == *c)).cloned().collect(),
        }
    }

    /// Unmatched phrases of the open inquiry that a dropping clause names
    /// ("drop the fuel cells", "氢燃料电池不要了").
    fn drop_unmatched(&mut self) {
        let mut k = 0;
        while k < self.out.unmatched_products.len() {
            let phrase = self.out.unmatched_products[k].to_lowercase();
            let pd = Doc::new(&phrase);
            let last_word =
                (0..pd.len()).rev().find(|&i| pd.kind(i) == Some(Kind::Word)).map(|i| pd.stem_of(i).to_owned());
            let named = self.clauses.iter().any(|c| {
                if !c.has(Cue::Drop) || self.asking.get(c.sentence).copied().unwrap_or(false) {
                    return false;
                }
                let text = self.doc.span(c.t0, c.t1).to_lowercase();
                let by_word = last_word.as_ref().is_some_and(|w| (c.t0..c.t1).any(|i| self.doc.stem_of(i) == w));
                text.contains(&phrase) || by_word
            });
            if named {
                let gone = self.out.unmatched_products.remove(k);
                self.note(TurnKind::Drop, Change::new(Field::Products, Some(gone), None));
            } else {
                k += 1;
            }
        }
    }

    fn products(&mut self) {
        let seen = std::mem::take(&mut self.read.seen);
        for m in &seen {
            if self.asked(m.t0) || (m.purpose && m.quantity.is_none()) {
                continue;
            }
            let refs = self.open_refs(m);
            // "drop the lanterns" drops; "drop the levers and make the
            // displays 150" keeps the displays, which have a quantity.
            if self.cue_at(m.t0, Cue::Drop) && m.quantity.is_none() {
                for sku in refs {
                    self.drop_item(&sku);
                }
                continue;
            }
            match (&m.sku, refs.as_slice()) {
                // Named again: a new quantity revises it, none just refers to it.
                (_, [sku]) => {
                    if let Some(q) = m.quantity {
                        let correcting = self.correcting(m.t0);
                        self.set_quantity(&sku.clone(), q, correcting);
                    }
                }
                (Some(sku), []) => {
                    let replaces = self.cue_at(m.t0, Cue::Revise) || self.sentence_has(m.t0, Cue::Correct);
                    self.add_item(sku, m, replaces);
                }
                (None, [])
                    if (m.contradicted || m.quantity.is_some())
                        && !self.out.unmatched_products.iter().any(|u| u.eq_ignore_ascii_case(&m.text)) =>
                {
                    self.out.unmatched_products.push(m.text.clone());
                    self.note(TurnKind::Add, Change::new(Field::Products, None, Some(m.text.clone())));
                }
                _ => {}
            }
        }
        // Product-like phrases the catalog does not name, from clauses that act.
        let named: Vec<&str> = seen.iter().map(|m| m.text.as_str()).collect();
        for phrase in std::mem::take(&mut self.read.si.unmatched_products) {
            let known = named.iter().any(|t| t.eq_ignore_ascii_case(&phrase))
                || self.out.unmatched_products.iter().any(|u| u.eq_ignore_ascii_case(&phrase));
            let at = self.doc.text.find(&phrase).map(|o| self.token_at(o));
            let acts = at.is_some_and(|t| !self.asked(t) && !self.cue_at(t, Cue::Drop));
            if !known && acts {
                self.out.unmatched_products.push(phrase.clone());
                self.note(TurnKind::Add, Change::new(Field::Products, None, Some(phrase)));
            }
        }
    }

    fn token_at(&self, byte: usize) -> usize {
        self.doc.toks.iter().position(|t| t.o0 >= byte).unwrap_or(self.doc.len())
    }

    fn drop_item(&mut self, sku: &str) {
        if let Some(p) = self.out.items.iter().position(|i| i.sku == sku) {
            let gone = self.out.items.remove(p);
            self.note(TurnKind::Drop, Change::new(Field::Products, Some(gone.sku), None));
        }
    }

    fn set_quantity(&mut self, sku: &str, q: u32, correcting: bool) {
        let Some(item) = self.out.items.iter_mut().find(|i| i.sku == sku) else { return };
        if item.quantity == Some(q) {
            return;
        }
        let before = item.quantity;
        item.quantity = Some(q);
        let kind = match before {
            None => TurnKind::Fill,
            Some(_) if correcting => TurnKind::Correct,
            Some(_) => TurnKind::Revise,
        };
        self.note(kind, Change::new(Field::Quantities, before.map(|b| b.to_string()), Some(q.to_string())).about(sku));
    }

    /// Adds a product, or puts it in place of the item (or unmatched
    /// phrase) of the same kind that it corrects.
    fn add_item(&mut self, sku: &str, m: &Seen, replaces: bool) {
        let same_kind: Vec<String> = self
            .out
            .items
            .iter()
            .filter(|i| self.intake.products.same_kind(&i.sku, sku))
            .map(|i| i.sku.clone())
            .collect();
        let mut quantity = m.quantity;
        if replaces && !same_kind.is_empty() {
            // The one with the quantity named, else the last of that kind.
            let old = same_kind
                .iter()
                .find(|s| {
                    self.out.items.iter().any(|i| &i.sku == *s && i.quantity.is_some() && i.quantity == m.quantity)
                })
                .or(same_kind.last())
                .cloned();
            if let Some(old) = old {
                let old_q = self.out.items.iter().find(|i| i.sku == old).and_then(|i| i.quantity);
                quantity = quantity.or(old_q);
                if let Some(p) = self.out.items.iter().position(|i| i.sku == old) {
                    self.out.items.remove(p);
                }
                self.note(TurnKind::Revise, Change::new(Field::Products, Some(old), Some(sku.to_owned())));
                self.out.items.push(LineItem { sku: sku.to_owned(), quantity, matched_text: m.text.clone() });
                if let Some(q) = quantity {
                    self.changes.push(Change::new(Field::Quantities, None, Some(q.to_string())).about(sku));
                }
                return;
            }
        }
        // A product chosen where an unmatched phrase of its kind stood.
        let chosen = self.out.unmatched_products.iter().position(|u| self.intake.products.phrase_is_kind_of(u, sku));
        if let Some(p) = chosen {
            let phrase = self.out.unmatched_products.remove(p);
            self.note(TurnKind::Revise, Change::new(Field::Products, Some(phrase), Some(sku.to_owned())));
        } else {
            self.note(TurnKind::Add, Change::new(Field::Products, None, Some(sku.to_owned())));
        }
        if let Some(q) = quantity {
            self.changes.push(Change::new(Field::Quantities, None, Some(q.to_string())).about(sku));
        }
        self.out.items.push(LineItem { sku: sku.to_owned(), quantity, matched_text: m.text.clone() });
    }

    /// "make it 1200 instead", "数量改成1000个", "1,500 pcs": a quantity no
    /// product took.
    fn loose_quantities(&mut self) {
        let loose = std::mem::take(&mut self.read.loose);
        let short = self.doc.len() <= 6;
        for q in loose {
            // "530 sets, not 350": the number after "not" is the wrong one.
            if self.asked(q.t0) || self.negated(q.t0) {
                continue;
            }
            let revising = self.cue_at(q.t0, Cue::Revise) || self.sentence_has(q.t0, Cue::Correct);
            if !(revising || q.strong || short) {
                continue;
            }
            let target = match self.out.items.as_slice() {
                [] => None,
                [one] => Some(one.sku.clone()),
                items => {
                    let without: Vec<&LineItem> = items.iter().filter(|i| i.quantity.is_none()).collect();
                    match without.as_slice() {
                        [one] => Some(one.sku.clone()),
                        _ => items.last().map(|i| i.sku.clone()),
                    }
                }
            };
            if let Some(sku) = target {
                let correcting = self.correcting(q.t0);
                self.set_quantity(&sku, q.value, correcting);
            }
        }
    }

    fn destination(&mut self) {
        // Places in clauses that only ask, or named as wrong ("not
        // Hamburg", "不是汉堡"), are not the destination.
        let hits: Vec<PlaceHit> =
            self.read.places.iter().filter(|h| !self.asked(h.start) && !self.negated(h.start)).copied().collect();
        let Some(new) = self.intake.gazetteer.choose(self.doc, &hits, &self.read.dest_ctx) else { return };
        let Some(hit) = hits.iter().find(|h| self.doc.span(h.start, h.end) == new.matched_text) else { return };
        let same = |a: &Destination, b: &Destination| a.country == b.country && a.place == b.place;
        let label = |d: &Destination| match &d.place {
            Some(p) => format!("{p}, {}", d.country),
            None => d.country.clone(),
        };
        match self.out.destination.clone() {
            None => {
                self.note(TurnKind::Fill, Change::new(Field::Destination, None, Some(label(&new))));
                self.out.destination = Some(new);
            }
            Some(cur) if !same(&cur, &new) => {
                // The same country said again ("Germany" after "Hamburg") is no change.
                if new.place.is_none() && new.country == cur.country {
                    return;
                }
                let correcting = self.correcting(hit.start);
                if !(correcting || self.speaks_of_delivery(hit)) {
                    return;
                }
                let kind = if correcting { TurnKind::Correct } else { TurnKind::Revise };
                self.note(kind, Change::new(Field::Destination, Some(label(&cur)), Some(label(&new))));
                self.out.destination = Some(new);
            }
            Some(_) => {}
        }
    }

    /// The sentence around token `t` corrects what was said before.
    fn correcting(&self, t: usize) -> bool {
        self.sentence_has(t, Cue::Not) || self.sentence_has(t, Cue::Correct)
    }

    /// "not Hamburg", "instead of Hamburg", "不是汉堡": a cue of negation
    /// right before the place.
    fn negated(&self, start: usize) -> bool {
        let Some(c) = self.clause_at(start) else { return false };
        c.cues.iter().any(|&(cue, at)| cue == Cue::Not && at < start && start - at <= 3)
    }

    /// The sentence around the place speaks of delivery, or an Incoterm
    /// names it.
    fn speaks_of_delivery(&self, hit: &PlaceHit) -> bool {
        if self.sentence_has(hit.start, Cue::Delivery) {
            return true;
        }
        let s = self.clause_at(hit.start).map(|c| c.sentence);
        self.read.incoterms.iter().any(|&(t, _)| self.clause_at(t).map(|c| c.sentence) == s && t < hit.start)
    }

    fn terms_and_parties(&mut self) {
        if let Some(&(t, code)) = self.read.incoterms.iter().find(|(t, _)| !self.asked(*t) && !self.negated(*t)) {
            let correcting = self.correcting(t);
            match self.out.incoterm.clone() {
                None => {
                    self.note(TurnKind::Fill, Change::new(Field::Incoterm, None, Some(code.to_owned())));
                    self.out.incoterm = Some(code.to_owned());
                }
                Some(cur) if cur != code => {
                    let kind = if correcting { TurnKind::Correct } else { TurnKind::Revise };
                    self.note(kind, Change::new(Field::Incoterm, Some(cur), Some(code.to_owned())));
                    self.out.incoterm = Some(code.to_owned());
                }
                Some(_) => {}
            }
        }
        let new = std::mem::replace(&mut self.read.si, StructuredInquiry::empty(Lang::En));
        if let Some(c) = new.company {
            match self.out.company.clone() {
                None => {
                    self.note(TurnKind::Fill, Change::new(Field::Company, None, Some(c.clone())));
                    self.out.company = Some(c);
                }
                Some(cur) if !cur.eq_ignore_ascii_case(&c) => {
                    self.note(TurnKind::Revise, Change::new(Field::Company, Some(cur), Some(c.clone())));
                    self.out.company = Some(c);
                }
                Some(_) => {}
            }
        }
        let contact = new.contact;
        for (value, slot) in [
            (contact.name, &mut self.out.contact.name),
            (contact.phone, &mut self.out.contact.phone),
            (contact.email, &mut self.out.contact.email),
        ] {
            if let Some(v) = value {
                if slot.as_deref() != Some(v.as_str()) {
                    let before = slot.replace(v.clone());
                    let kind = if before.is_none() { TurnKind::Fill } else { TurnKind::Revise };
                    self.kinds.push(kind);
                    self.changes.push(Change::new(Field::Contact, before, Some(v)));
                }
            }
        }
        if self.out.credit_code.is_none() && new.credit_code.is_some() {
            self.out.credit_code = new.credit_code;
            self.kinds.push(TurnKind::Fill);
            self.changes.push(Change::new(Field::Parties, None, self.out.credit_code.clone()));
        }
    }

    /// Switches the inquiry's language only for a message wholly in the
    /// other language that says more than a word or a code.
    fn language(&mut self) {
        let text = self.doc.text;
        let cjk = text.chars().filter(|c| is_cjk(*c)).count();
        let words = (0..self.doc.len())
            .filter(|&i| self.doc.kind(i) == Some(Kind::Word) && self.doc.norm_of(i).chars().all(char::is_alphabetic))
            .count();
        let new = match self.open_lang {
            Lang::En if cjk >= 6 && Lang::detect(text) == Lang::Zh && words <= 2 => Lang::Zh,
            Lang::Zh if cjk == 0 && words >= 3 => Lang::En,
            _ => return,
        };
        self.out.lang = new;
        // A change of language is no change to what the customer asks for,
        // so it makes no kind of turn; the reply reads it.
        self.changes.push(Change::new(
            Field::Lang,
            Some(self.open_lang.code().to_owned()),
            Some(new.code().to_owned()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradewind_core::Catalog;

    fn intake() -> Intake {
        Intake::new(&Catalog::from_jsonl(include_str!("../../knowledge/kb/catalog.jsonl")).unwrap())
    }

    fn items(si: &StructuredInquiry) -> Vec<(&str, Option<u32>)> {
        si.items.iter().map(|i| (i.sku.as_str(), i.quantity)).collect()
    }

    #[test]
    fn a_second_message_fills_what_the_first_left_out() {
        let it = intake();
        let open = it.parse("Hi, we would like a quote for 500 5kW hybrid inverters.");
        let r = it.read_turn(&open, "Delivery to Hamburg, Germany please, CIF. Our company is Nordlicht Energie GmbH.");
        assert_eq!(r.kinds, vec![TurnKind::Fill]);
        assert_eq!(items(&r.inquiry), vec![("TW-HY-5000", Some(500))]);
        assert_eq!(r.inquiry.destination.as_ref().map(|d| d.country.as_str()), Some("DE"));
        assert_eq!(r.inquiry.incoterm.as_deref(), Some("CIF"));
        assert!(r.inquiry.missing.is_empty(), "{:?}", r.inquiry.missing);
        let fields: Vec<Field> = r.changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, vec![Field::Destination, Field::Incoterm, Field::Company]);
    }

    #[test]
    fn a_quantity_alone_revises_the_only_item() {
        let it = intake();
        let open = it.parse("We need 800 48V 20Ah battery packs to Rotterdam.");
        let r = it.read_turn(&open, "Make it 1200 instead.");
        assert_eq!(r.kinds, vec![TurnKind::Revise]);
        assert_eq!(items(&r.inquiry), vec![("TW-BP-4820", Some(1200))]);
        assert_eq!(r.changes[0].to_string(), "quantities of TW-BP-4820 800 → 1200");
        let r = it.read_turn(&open, "数量改成1000个。");
        assert_eq!(items(&r.inquiry), vec![("TW-BP-4820", Some(1000))]);
    }

    #[test]
    fn products_are_added_and_dropped_by_name() {
        let it = intake();
        let open = it.parse("Please quote 200 48V 500W rear hub motors and 100 camping lanterns, CIF Gdansk.");
        let r = it.read_turn(&open, "Also add 300 controllers.");
        assert_eq!(r.kinds, vec![TurnKind::Add]);
        assert!(items(&r.inquiry).contains(&("TW-CT-4822", Some(300))), "{:?}", items(&r.inquiry));
        let r = it.read_turn(&open, "Please drop the lanterns.");
        assert_eq!(r.kinds, vec![TurnKind::Drop]);
        assert_eq!(items(&r.inquiry), vec![("TW-MT-4850", Some(200))]);
        let open = it.parse("我们要300个露营灯和300个20000毫安充电宝，DAP维也纳。");
        let r = it.read_turn(&open, "充电宝不要了。");
        assert_eq!(items(&r.inquiry), vec![("TW-LT-0018", Some(300))]);
    }

    #[test]
    fn i_meant_replaces_the_product_of_the_same_kind() {
        let it = intake();
        let open = it.parse("Please quote 20 5kW hybrid inverters and 20 5kWh rack batteries to Lagos, CIF.");
        let r = it.read_turn(&open, "Sorry, I meant 20 of the grid tie inverters.");
        assert_eq!(items(&r.inquiry), vec![("TW-LF-5110", Some(20)), ("TW-GT-0800", Some(20))]);
        assert!(r.kinds.contains(&TurnKind::Revise));
    }

    #[test]
    fn a_correction_names_the_wrong_place_and_the_right_one() {
        let it = intake();
        let open = it.parse("Quote 100 micro inverters 800W, delivery to Hamburg.");
        let r = it.read_turn(&open, "Sorry, not Hamburg, Gdansk, Poland.");
        assert_eq!(r.kinds, vec![TurnKind::Correct]);
        let d = r.inquiry.destination.as_ref().map(|d| (d.country.as_str(), d.place.as_deref()));
        assert_eq!(d, Some(("PL", Some("Gdansk"))));
        assert_eq!(r.changes[0].to_string(), "destination Hamburg, DE → Gdansk, PL");
        let r = it.read_turn(&open, "不好意思，不是汉堡，是波兰格但斯克。");
        assert_eq!(r.inquiry.destination.map(|d| d.country), Some("PL".into()));
    }

    #[test]
    fn a_place_changes_the_destination_only_when_the_message_speaks_of_delivery() {
        let it = intake();
        let open = it.parse("Please quote 100 1000W hub motors to Riga, Latvia, CIF.");
        let r = it.read_turn(&open, "Our head office is in Stockholm, by the way.");
        assert_eq!(r.inquiry.destination.as_ref().map(|d| d.country.as_str()), Some("LV"));
        assert!(r.changes.is_empty());
        assert_eq!(r.kinds, vec![TurnKind::Chat]);
        let r = it.read_turn(&open, "Please ship to Stockholm instead.");
        assert_eq!(r.inquiry.destination.as_ref().map(|d| d.country.as_str()), Some("SE"));
    }

    #[test]
    fn a_question_leaves_the_inquiry_as_it_was() {
        let it = intake();
        let open = it.parse("We need 400 36V 10Ah downtube batteries, CIF Antwerp.");
        let r = it.read_turn(&open, "What is the lead time for the 48V batteries?");
        assert_eq!(r.kinds, vec![TurnKind::Question]);
        assert_eq!(r.question.as_deref(), Some("What is the lead time for the 48V batteries?"));
        assert_eq!(r.inquiry, open);
        assert!(r.changes.is_empty());
        let r = it.read_turn(&open, "请问交货期多久？");
        assert_eq!(r.kinds, vec![TurnKind::Question]);
        let r = it.read_turn(&open, "Can we make it 800?");
        assert_eq!(items(&r.inquiry), vec![("TW-BP-3610", Some(800))], "a question that revises is a revision");
    }

    #[test]
    fn a_separate_quote_starts_a_new_inquiry_from_this_message_alone() {
        let it = intake();
        let open = it.parse("We need 500 LED bulbs 9W to Dubai, CIF. Gulf Lights LLC");
        let r = it.read_turn(&open, "Please also prepare a separate quote for 100 solar street lights, FOB Shenzhen.");
        assert!(r.start_new);
        assert_eq!(r.kinds, vec![TurnKind::Open]);
        assert_eq!(items(&r.inquiry), vec![("TW-SS-0060", Some(100))]);
        assert_eq!(r.inquiry.company, None);
        assert!(it.read_turn(&open, "另外单独报价：100套太阳能路灯").start_new);
        assert!(!it.read_turn(&open, "Can you ship the bulbs separately?").start_new);
    }

    #[test]
    fn the_language_stays_unless_the_customer_switches_for_good() {
        let it = intake();
        let open = it.parse("需要300台折叠电动滑板车，CIF热那亚。");
        assert_eq!(it.read_turn(&open, "OK, CIF").inquiry.lang, Lang::Zh);
        let r = it.read_turn(&open, "Please also add 300 chargers for them.");
        assert_eq!(r.inquiry.lang, Lang::En);
        assert!(items(&r.inquiry).contains(&("TW-CH-3620", Some(300))), "{:?}", items(&r.inquiry));
    }

    #[test]
    fn hostile_turns_never_panic() {
        let it = intake();
        let open = it.parse("We need 800 48V 20Ah battery packs to Rotterdam.");
        for t in ["", "?", "not", "不是", "drop", "make it", "\u{0}", "1200", "separately", &"drop the x ".repeat(5000)]
        {
            let _ = it.read_turn(&open, t);
        }
    }
}
