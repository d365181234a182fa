//! Every party a message names, so that each can be screened: the buyer,
//! the consignee, the end user, the notify party, the forwarder and the
//! people writing or named as contacts, with the country and address given
//! for them, in English and Chinese and in any script or case.
//!
//! Parties are found by their cues ("consignee:", "end user is", "our
//! forwarder", "收货人", "最终用户", "货代", "we are", "I am", "我是"), by the
//! subject after a greeting ("Dear Sir, Katrangi Electronics would like …"),
//! by a signature block, and by "… here". A name is read as far as it goes:
//! capitalised or upper-case words, a legal form before or after them
//! (Ltd, GmbH, Co., Ltd., ООО, ПАО «…», 有限公司), quoted names; it stops at a
//! parenthesis, a clause or a lower-case word. A name that is only a place
//! ("ship to Hamburg") is no party. A legal form or a trade word makes a
//! company; a cue for a person, or two or three plain capitalised words,
//! makes a person.
//!
//! Pure and bounded: at most [`MAX_PARTIES`] parties of at most
//! [`MAX_NAME_WORDS`] words each, from the first cues of a capped message.

use std::sync::OnceLock;

use tradewind_core::{Party, PartyKind, PartyRole, StructuredInquiry};

use crate::gazetteer::{DestContext, Gazetteer, PlaceHit};
use crate::text::{leftmost_longest, Doc, Hit, Kind, PhraseIndex};

/// Most parties read from one message.
pub const MAX_PARTIES: usize = 12;
/// Most words of one name.
pub const MAX_NAME_WORDS: usize = 10;
/// Most cues looked at in one message.
const MAX_CUES: usize = 64;

/// Cue payloads: the role in the low bits, then flags.
const ROLE_MASK: u32 = 0xff;
/// The cue introduces a person ("I am", "我是", "contact person").
const PERSON: u32 = 0x100;
/// The cue introduces an address.
const ADDRESS: u32 = 0x200;
/// The cue comes after the name ("Anna Berg here").
const AFTER: u32 = 0x400;

fn role_code(r: PartyRole) -> u32 {
    match r {
        PartyRole::Buyer => 0,
        PartyRole::Consignee => 1,
        PartyRole::EndUser => 2,
        PartyRole::NotifyParty => 3,
        PartyRole::Forwarder => 4,
        PartyRole::Contact => 5,
    }
}

fn role_of(code: u32) -> PartyRole {
    match code & ROLE_MASK {
        1 => PartyRole::Consignee,
        2 => PartyRole::EndUser,
        3 => PartyRole::NotifyParty,
        4 => PartyRole::Forwarder,
        5 => PartyRole::Contact,
        _ => PartyRole::Buyer,
    }
}

const CUES: &[(&str, PartyRole, u32)] = &[
    // The buyer introducing itself.
    ("we are", PartyRole::Buyer, 0),
    ("we're", PartyRole::Buyer, 0),
    ("this is", PartyRole::Buyer, 0),
    ("our company is", PartyRole::Buyer, 0),
    ("our company", PartyRole::Buyer, 0),
    ("company name", PartyRole::Buyer, 0),
    ("company:", PartyRole::Buyer, 0),
    ("buyer", PartyRole::Buyer, 0),
    ("purchaser", PartyRole::Buyer, 0),
    ("importer", PartyRole::Buyer, 0),
    ("on behalf of", PartyRole::Buyer, 0),
    ("representing", PartyRole::Buyer, 0),
    ("i represent", PartyRole::Buyer, 0),
    ("from", PartyRole::Buyer, 0),
    ("我们是", PartyRole::Buyer, 0),
    ("我司是", PartyRole::Buyer, 0),
    ("我司", PartyRole::Buyer, 0),
    ("我们公司是", PartyRole::Buyer, 0),
    ("本公司是", PartyRole::Buyer, 0),
    ("买方", PartyRole::Buyer, 0),
    ("采购方", PartyRole::Buyer, 0),
    ("进口商", PartyRole::Buyer, 0),
    ("公司名称", PartyRole::Buyer, 0),
    ("来自", PartyRole::Buyer, 0),
    ("покупатель", PartyRole::Buyer, 0),
    ("мы", PartyRole::Buyer, 0),
    // Who receives the goods.
    ("consignee", PartyRole::Consignee, 0),
    ("consignee is", PartyRole::Consignee, 0),
    ("ship to", PartyRole::Consignee, 0),
    ("deliver to", PartyRole::Consignee, 0),
    ("delivered to", PartyRole::Consignee, 0),
    ("receiver", PartyRole::Consignee, 0),
    ("收货人", PartyRole::Consignee, 0),
    ("收货方", PartyRole::Consignee, 0),
    ("收货公司", PartyRole::Consignee, 0),
    ("грузополучатель", PartyRole::Consignee, 0),
    // Who uses them.
    ("end user", PartyRole::EndUser, 0),
    ("end-user", PartyRole::EndUser, 0),
    ("enduser", PartyRole::EndUser, 0),
    ("end customer", PartyRole::EndUser, 0),
    ("final user", PartyRole::EndUser, 0),
    ("ultimate user", PartyRole::EndUser, 0),
    ("our customer", PartyRole::EndUser, 0),
    ("our client", PartyRole::EndUser, 0),
    ("used by", PartyRole::EndUser, 0),
    ("最终用户", PartyRole::EndUser, 0),
    ("终端用户", PartyRole::EndUser, 0),
    ("最终使用方", PartyRole::EndUser, 0),
    ("用户是", PartyRole::EndUser, 0),
    ("конечный пользователь", PartyRole::EndUser, 0),
    // Who is told of the arrival.
    ("notify party", PartyRole::NotifyParty, 0),
    ("notify", PartyRole::NotifyParty, 0),
    ("通知人", PartyRole::NotifyParty, 0),
    ("通知方", PartyRole::NotifyParty, 0),
    // Who moves them.
    ("forwarder", PartyRole::Forwarder, 0),
    ("freight forwarder", PartyRole::Forwarder, 0),
    ("forwarding agent", PartyRole::Forwarder, 0),
    ("shipping agent", PartyRole::Forwarder, 0),
    ("货代", PartyRole::Forwarder, 0),
    ("货运代理", PartyRole::Forwarder, 0),
    ("货代公司", PartyRole::Forwarder, 0),
    // People.
    ("i am", PartyRole::Contact, PERSON),
    ("i'm", PartyRole::Contact, PERSON),
    ("my name is", PartyRole::Contact, PERSON),
    ("name:", PartyRole::Contact, PERSON),
    ("contact:", PartyRole::Contact, PERSON),
    ("contact person", PartyRole::Contact, PERSON),
    ("attn", PartyRole::Contact, PERSON),
    ("attention", PartyRole::Contact, PERSON),
    ("我是", PartyRole::Contact, PERSON),
    ("我叫", PartyRole::Contact, PERSON),
    ("本人", PartyRole::Contact, PERSON),
    ("联系人", PartyRole::Contact, PERSON),
    ("姓名", PartyRole::Contact, PERSON),
    ("经办人", PartyRole::Contact, PERSON),
    ("here", PartyRole::Contact, PERSON | AFTER),
    // Addresses, for the party named last.
    ("address", PartyRole::Buyer, ADDRESS),
    ("delivery address", PartyRole::Consignee, ADDRESS),
    ("shipping address", PartyRole::Consignee, ADDRESS),
    ("地址", PartyRole::Buyer, ADDRESS),
    ("收货地址", PartyRole::Consignee, ADDRESS),
    ("送货地址", PartyRole::Consignee, ADDRESS),
];

/// Words that sign a message off; the lines after them are a signature.
const SIGN_OFFS: &[&str] = &["regards", "sincerely", "thanks", "cheers", "best", "faithfully", "此致", "谢谢", "敬礼"];
/// Words that open a message; a name after them is who writes.
const GREETINGS: &[&str] = &["dear", "hello", "hi", "hey", "greetings", "good", "您好", "你好", "尊敬的"];

/// Legal forms (as the tokenizer writes their words): a name with one is a
/// company. Dotted forms come as single letters ("s", "a" for S.A.).
const LEGAL: &[&str] = &[
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "ug",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "plc",
    "pty",
    "pte",
    "pvt",
    "sdn",
    "bhd",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "wll",
    "est",
    "ltda",
    "kft",
    "sro",
    "ab",
    "oy",
    "oyj",
    "as",
    "aps",
    "tbk",
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "тоо",
    "тов",
    "ип",
];
/// Legal forms written before the name ("OOO Romashka", "ПАО «…»", "PT Maju").
const LEGAL_PREFIX: &[&str] =
    &["ooo", "oao", "zao", "pao", "jsc", "pjsc", "ojsc", "pt", "ооо", "оао", "зао", "пао", "ао", "тоо", "тов", "ип"];
/// Trade words: a name with one is an organisation.
const TRADE: &[&str] = &[
    "trading",
    "trade",
    "traders",
    "electronics",
    "electronic",
    "technology",
    "technologies",
    "tech",
    "industries",
    "industrial",
    "industry",
    "group",
    "logistics",
    "shipping",
    "bank",
    "imports",
    "import",
    "exports",
    "export",
    "solutions",
    "systems",
    "energy",
    "power",
    "motors",
    "motor",
    "auto",
    "automotive",
    "supply",
    "supplies",
    "holdings",
    "holding",
    "international",
    "enterprises",
    "enterprise",
    "engineering",
    "manufacturing",
    "services",
    "partners",
    "ventures",
    "distribution",
    "distributors",
    "distributor",
    "store",
    "stores",
    "shop",
    "mart",
    "cycles",
    "bikes",
    "bicycles",
    "batteries",
    "battery",
    "solar",
    "lighting",
    "lights",
    "electric",
    "electrical",
    "equipment",
    "machinery",
    "global",
    "worldwide",
    "agency",
    "consulting",
    "construction",
    "projects",
    "development",
    "investments",
    "capital",
    "merchants",
    "commerce",
    "commercial",
    "freight",
    "cargo",
    "lines",
    "marine",
    "maritime",
    "express",
    "transport",
    "forwarding",
    "institute",
    "university",
    "ministry",
    "factory",
    "plant",
    "works",
    "center",
    "centre",
    "office",
    "organization",
    "organisation",
    "association",
    "foundation",
    "brothers",
    "sons",
    "wholesale",
    "retail",
    "mobility",
    "components",
    "parts",
    "products",
    "materials",
    "chemicals",
    "petroleum",
    "oil",
    "gas",
    "steel",
    "metals",
    "mining",
    "aviation",
    "airlines",
    "airways",
    "telecom",
];
/// Chinese words that make a name an organisation.
const ZH_ORG: &[&str] = &[
    "公司",
    "集团",
    "厂",
    "银行",
    "商行",
    "有限",
    "贸易",
    "科技",
    "电子",
    "实业",
    "物流",
    "研究所",
    "研究院",
    "大学",
    "商贸",
    "工贸",
    "工业",
    "能源",
];
/// Characters that end a Chinese name.
const ZH_STOP: &[&str] = &[
    "的", "在", "位于", "地址", "电话", "手机", "邮箱", "联系", "需要", "要", "想", "购买", "采购", "订购", "打算",
    "计划", "请", "和", "与", "及", "等", "是", "将", "会", "希望", "从", "到", "发", "运", "负责", "先生", "女士",
    "小姐", "经理", "总",
];
/// Connecting words inside names ("Bank of China", "Smith & Sons").
const CONNECT: &[&str] =
    &["&", "and", "of", "for", "de", "der", "du", "di", "la", "le", "van", "von", "y", "the", "und", "al", "el", "bin"];
/// Capitalised words that are not names: sentence openers and the like.
const NOT_NAME: &[&str] = &[
    "i",
    "we",
    "our",
    "you",
    "your",
    "he",
    "she",
    "they",
    "it",
    "this",
    "that",
    "these",
    "please",
    "thanks",
    "thank",
    "hello",
    "hi",
    "dear",
    "regards",
    "best",
    "kind",
    "sincerely",
    "the",
    "a",
    "an",
    "my",
    "sir",
    "madam",
    "sirs",
    "team",
    "mr",
    "mrs",
    "ms",
    "dr",
    "miss",
    "purchasing",
    "procurement",
    "sales",
    "manager",
    "director",
    "ceo",
    "owner",
    "buyer",
    "consignee",
    "forwarder",
    "notify",
    "party",
    "end",
    "user",
    "company",
    "attn",
    "re",
    "subject",
    "could",
    "would",
    "can",
    "will",
    "shall",
    "should",
    "may",
    "is",
    "are",
    "am",
    "be",
    "not",
    "no",
    "yes",
    "ok",
    "also",
    "and",
    "or",
    "but",
    "so",
    "if",
    "when",
    "as",
    "at",
    "in",
    "on",
    "to",
    "by",
    "with",
    "for",
    "from",
    "here",
    "there",
    "now",
    "today",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "fob",
    "cif",
    "cfr",
    "exw",
    "ddp",
    "dap",
    "fca",
    "cpt",
    "cip",
    "dpu",
    "fas",
    "usd",
    "eur",
    "rmb",
    "pcs",
    "units",
    "moq",
    "quote",
    "quotation",
    "price",
    "prices",
    "order",
    "inquiry",
    "enquiry",
    "need",
    "looking",
    "interested",
    "we'd",
    "we'll",
    "let",
    "kindly",
    "also",
    "via",
    "ship",
    "deliver",
    "send",
];
/// Verbs after a name that show it is the subject of a sentence
/// ("Katrangi Electronics would like …").
const SUBJECT_VERBS: &[&str] = &[
    "would",
    "is",
    "are",
    "needs",
    "need",
    "wants",
    "want",
    "requests",
    "request",
    "intends",
    "plans",
    "seeks",
    "has",
    "have",
    "will",
    "wishes",
    "here",
    "requires",
    "is looking",
    "hereby",
    "invites",
    "asks",
    "orders",
    "wishes",
    "inquires",
    "enquires",
    "sends",
    "writes",
    "seeks",
];
/// Words between a cue and the name ("consignee is", "our forwarder will be").
const SKIP: &[&str] =
    &["is", "are", "will", "be", "the", "our", "a", "an", "named", "called", "company", "namely", "firm"];

struct Indices {
    cues: PhraseIndex,
}

fn indices() -> &'static Indices {
    static I: OnceLock<Indices> = OnceLock::new();
    I.get_or_init(|| {
        let mut cues = PhraseIndex::new(false);
        for &(phrase, role, flags) in CUES {
            cues.add(phrase, role_code(role) | flags);
        }
        Indices { cues }
    })
}

/// A party being read: token span of its name and what is known of it.
#[derive(Debug, Clone)]
struct Found {
    role: PartyRole,
    start: usize,
    end: usize,
    kind: PartyKind,
    country: Option<String>,
    address: Option<String>,
}

/// Reads the parties and the route of a message into `si`: the transit
/// stops of the route, and every party (including the company and contact
/// person the contact reader found, when no cue named them).
pub(crate) fn fill(si: &mut StructuredInquiry, doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], ctx: &DestContext) {
    si.transit = gaz.route(doc, places, ctx).transit;
    si.parties = parties(doc, gaz, places, si);
}

/// The parties a message names, in the order found.
pub(crate) fn parties(doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], si: &StructuredInquiry) -> Vec<Party> {
    let mut found: Vec<Found> = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    indices().cues.find_all(doc, &mut hits);
    leftmost_longest(&mut hits, |_, _| false);
    for h in hits.iter().take(MAX_CUES) {
        if found.len() >= MAX_PARTIES {
            break;
        }
        let role = role_of(h.payload);
        if h.payload & ADDRESS != 0 {
            if let Some(addr) = address_after(doc, h.end) {
                attach_address(doc, gaz, places, &mut found, role, h.start, addr);
            }
            continue;
        }
        if !cue_counts(doc, h) {
            continue;
        }
        let span = if h.payload & AFTER != 0 { name_before(doc, h.start) } else { name_after(doc, h.end) };
        let Some((a, b)) = span else { continue };
        let Some((a, b)) = trim_places(doc, places, a, b) else { continue };
        let person_cue = h.payload & PERSON != 0;
        // "Delivered to Limassol, Cyprus": after a shipping verb a name is a
        // place unless it reads as a company; the gazetteer lacks many towns.
        if matches!(doc.norm_of(h.start), "ship" | "deliver" | "delivered")
            && !(a..b)
                .any(|i| doc.kind(i) == Some(Kind::Word) && (is_legal(doc.norm_of(i)) || is_trade(doc.norm_of(i))))
        {
            continue;
        }
        let kind = kind_of(doc, a, b, role, person_cue);
        // A person's cue naming a company ("This is Nordlicht Energie GmbH",
        // "I am from Acme Trading") introduces the buyer.
        let role = if role == PartyRole::Contact && kind == PartyKind::Company { PartyRole::Buyer } else { role };
        let country = country_near(doc, gaz, places, a, b);
        push(&mut found, doc, Found { role, start: a, end: b, kind, country, address: None });
    }
    if let Some((a, b)) = greeting_subject(doc) {
        if let Some((a, b)) = trim_places(doc, places, a, b) {
            let kind = kind_of(doc, a, b, PartyRole::Buyer, false);
            let role = if kind == PartyKind::Person { PartyRole::Contact } else { PartyRole::Buyer };
            let country = country_near(doc, gaz, places, a, b);
            push(&mut found, doc, Found { role, start: a, end: b, kind, country, address: None });
        }
    }
    sentence_subjects(doc, gaz, places, &mut found);
    signature(doc, gaz, places, &mut found);

    let mut out: Vec<Party> = found
        .into_iter()
        .take(MAX_PARTIES)
        .map(|f| Party {
            role: f.role,
            name: clean(doc.span(f.start, f.end)),
            kind: f.kind,
            country: f.country,
            address: f.address,
            matched_text: doc.span(f.start, f.end).to_owned(),
        })
        .filter(|p| p.name.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .collect();
    // What the contact reader found, when no cue here named it.
    if let Some(c) = si.company.as_deref().filter(|c| !c.trim().is_empty()) {
        if !out.iter().any(|p| same_name(&p.name, c)) && out.len() < MAX_PARTIES {
            let country = country_in(gaz, c);
            out.push(Party {
                role: PartyRole::Buyer,
                name: c.to_owned(),
                kind: PartyKind::Company,
                country,
                address: None,
                matched_text: c.to_owned(),
            });
        }
    }
    if let Some(n) = si.contact.name.as_deref().filter(|c| !c.trim().is_empty()) {
        if !out.iter().any(|p| same_name(&p.name, n)) && out.len() < MAX_PARTIES {
            out.push(Party {
                role: PartyRole::Contact,
                name: n.to_owned(),
                kind: PartyKind::Person,
                country: None,
                address: None,
                matched_text: n.to_owned(),
            });
        }
    }
    out
}

/// Some cues count only in their place: "this is" at the start of a
/// sentence, "from" after a person ("I'm Anna from Nordlicht Energie"),
/// "buyer"/"importer" as a label rather than a word in a sentence.
fn cue_counts(doc: &Doc, h: &Hit) -> bool {
    let first = doc.norm_of(h.start);
    let label = |end: usize| doc.is_punct(end, ':') || doc.is_punct(end, '-') || doc.is(end, "is");
    match first {
        // "This is …" opens a sentence or follows a greeting ("Hello, this is …").
        "this" => {
            h.start == 0 || doc.is_boundary(h.start - 1) || doc.is_punct(h.start - 1, ',') || doc.starts_upper(h.start)
        }
        "from" => {
            // Only "<someone> from <Company>", where a name comes right before.
            h.start > 0 && doc.kind(h.start - 1) == Some(Kind::Word) && doc.starts_upper(h.start - 1)
        }
        "buyer" | "purchaser" | "importer" | "receiver" | "notify" | "consignee" | "forwarder" | "company" => {
            label(h.end) || (h.end - h.start > 1)
        }
        "ship" | "deliver" | "delivered" => true,
        _ => true,
    }
}

fn is_legal(w: &str) -> bool {
    LEGAL.contains(&w)
}

fn is_trade(w: &str) -> bool {
    TRADE.contains(&w)
}

/// Skips what stands between a cue and the name.
fn skip_to_name(doc: &Doc, mut k: usize) -> usize {
    let mut steps = 0;
    while k < doc.len() && steps < 6 {
        let skip = match doc.kind(k) {
            Some(Kind::Punct) => matches!(doc.norm_of(k), ":" | "-" | "," | "="),
            Some(Kind::Newline) => k > 0 && doc.is_punct(k - 1, ':'),
            Some(Kind::Word) => SKIP.contains(&doc.norm_of(k)) && !doc.all_upper(k),
            Some(Kind::Cjk) => matches!(doc.norm_of(k), "是" | "为" | "："),
            _ => false,
        };
        if !skip {
            break;
        }
        k += 1;
        steps += 1;
    }
    k
}

/// The name right after a cue, as a token span.
fn name_after(doc: &Doc, k: usize) -> Option<(usize, usize)> {
    let k = skip_to_name(doc, k);
    match doc.kind(k)? {
        Kind::Cjk => read_cjk(doc, k),
        Kind::Word | Kind::Punct | Kind::Num => read_latin(doc, k),
        Kind::Newline => None,
    }
}

/// The name ending right before a cue ("Anna Berg here", "Katrangi
/// Electronics here").
fn name_before(doc: &Doc, k: usize) -> Option<(usize, usize)> {
    let mut a = k;
    let mut words = 0;
    while a > 0 && words < MAX_NAME_WORDS {
        let j = a - 1;
        let ok = match doc.kind(j) {
            Some(Kind::Word) => {
                let w = doc.norm_of(j);
                (doc.starts_upper(j) || doc.all_upper(j)) && !NOT_NAME.contains(&w)
                    || (words > 0 && CONNECT.contains(&w))
            }
            Some(Kind::Punct) => words > 0 && matches!(doc.norm_of(j), "&" | "." | "'") && doc.glued(j + 1),
            _ => false,
        };
        if !ok {
            break;
        }
        if doc.kind(j) == Some(Kind::Word) {
            words += 1;
        }
        a = j;
    }
    while a < k && (doc.kind(a) != Some(Kind::Word) || CONNECT.contains(&doc.norm_of(a))) {
        a += 1;
    }
    (a < k).then_some((a, k))
}

/// A name in Latin or Cyrillic letters starting at token `k`.
fn read_latin(doc: &Doc, k: usize) -> Option<(usize, usize)> {
    let n = doc.len();
    let mut j = k;
    let mut words = 0;
    let mut end = None;
    let mut after_legal = false;
    let mut prefix = false;
    while j < n && words < MAX_NAME_WORDS {
        match doc.kind(j) {
            Some(Kind::Word) => {
                let w = doc.norm_of(j);
                let legal = is_legal(w);
                let capital = doc.starts_upper(j) || doc.all_upper(j) || w.starts_with(|c: char| c.is_ascii_digit());
                if after_legal && !legal {
                    break;
                }
                if (capital && (words > 0 || !NOT_NAME.contains(&w))) || (legal && words > 0) {
                    words += 1;
                    end = Some(j + 1);
                    after_legal = legal && words > 1 && !LEGAL_PREFIX.contains(&w);
                    prefix |= words == 1 && LEGAL_PREFIX.contains(&w);
                } else if words > 0
                    && CONNECT.contains(&w)
                    && doc.kind(j + 1) == Some(Kind::Word)
                    && (doc.starts_upper(j + 1) || doc.all_upper(j + 1))
                {
                    // "Bank of China", "Smith and Sons": carried on below.
                } else {
                    break;
                }
            }
            Some(Kind::Num) if words > 0 && !after_legal => {
                words += 1;
                end = Some(j + 1);
            }
            Some(Kind::Punct) => {
                let p = doc.norm_of(j);
                match p {
                    // A quoted name: after a legal form or at the start ("ПАО «Уралэлектроснаб»").
                    "«" | "\"" if words == 0 || prefix => {
                        let close = if p == "«" { "»" } else { "\"" };
                        let mut q = j + 1;
                        while q < n
                            && q < j + 2 * MAX_NAME_WORDS
                            && !doc.is(q, close)
                            && doc.kind(q) != Some(Kind::Newline)
                        {
                            q += 1;
                        }
                        if !doc.is(q, close) || q == j + 1 {
                            break;
                        }
                        words += q - j - 1;
                        end = Some(q + 1);
                        j = q + 1;
                        // A legal form may still follow the quotes.
                        after_legal = true;
                        continue;
                    }
                    "&" | "+" if words > 0 => {}
                    "-" | "'" | "/" if words > 0 && doc.glued(j) && doc.glued(j + 1) => {}
                    // "Co.", "Ltd.", "S.A.", "Inc.": the stop belongs to the word.
                    "." if words > 0 && doc.glued(j) && doc.norm_of(j - 1).chars().count() <= 4 => {
                        let prev = doc.norm_of(j - 1);
                        if is_legal(prev)
                            || prev.chars().count() == 1
                            || matches!(prev, "st" | "no" | "jr" | "sr" | "bros")
                        {
                            end = Some(j + 1);
                            // "Acme Co. Ltd": carry on only into a legal form.
                            let next = doc.norm_of(j + 1);
                            if !(is_legal(next) || next.chars().count() == 1 || doc.is_punct(j + 1, ',')) {
                                break;
                            }
                        } else {
                            break;
                        }
                    }
                    // "Co., Ltd.", "Acme, Inc.": a comma before a legal form.
                    "," if words > 0 && is_legal(doc.norm_of(j + 1)) => {}
                    _ => break,
                }
            }
            _ => break,
        }
        j += 1;
    }
    let end = end?;
    // Trailing connectors and punctuation are not part of the name.
    let mut e = end;
    while e > k
        && (doc.kind(e - 1) != Some(Kind::Word)
            && !doc.is_punct(e - 1, '.')
            && !doc.is(e - 1, "»")
            && !doc.is_punct(e - 1, '"')
            && doc.kind(e - 1) != Some(Kind::Num))
    {
        e -= 1;
    }
    (e > k).then_some((k, e))
}

/// A name in Chinese characters starting at token `k`: up to its legal
/// form (…有限公司) or to the first word that ends a name.
fn read_cjk(doc: &Doc, k: usize) -> Option<(usize, usize)> {
    let n = doc.len();
    let mut j = k;
    let mut text = String::new();
    while j < n && j < k + 30 {
        let glued_latin = doc.kind(j) == Some(Kind::Word) && doc.glued(j) && j > k;
        if doc.kind(j) != Some(Kind::Cjk) && !glued_latin {
            break;
        }
        let c = doc.norm_of(j);
        let with = format!("{text}{c}");
        if j > k && ZH_STOP.iter().any(|s| with.ends_with(s) && !text.ends_with(s)) {
            // Stop before the stop word (which may be two characters long).
            let stop_len = ZH_STOP.iter().filter(|s| with.ends_with(**s)).map(|s| s.chars().count()).max().unwrap_or(1);
            let keep = (j + 1).saturating_sub(stop_len);
            return (keep > k).then_some((k, keep));
        }
        text = with;
        j += 1;
        // A company name ends with its legal form.
        let company = ["公司", "集团", "银行", "厂"].iter().any(|f| text.ends_with(f));
        if company && !(doc.is(j, "有") || doc.is(j, "股")) {
            return Some((k, j));
        }
    }
    (j > k).then_some((k, j))
}

/// Drops a place at the end of a name ("Gulf Star Trading Dubai"); a name
/// that is only a place is no party ("ship to Hamburg").
fn trim_places(doc: &Doc, places: &[PlaceHit], a: usize, b: usize) -> Option<(usize, usize)> {
    let mut b = b;
    for p in places.iter().rev() {
        if p.start >= a && p.end == b && p.start > a {
            b = p.start;
        }
    }
    let covered = places.iter().any(|p| p.start <= a && p.end >= b);
    // "ship to" reads the place after it; a place with a legal form after
    // it is a company named after the place ("Hamburg Trading GmbH").
    if covered {
        return None;
    }
    while b > a
        && matches!(doc.kind(b - 1), Some(Kind::Punct))
        && !doc.is_punct(b - 1, '.')
        && !doc.is(b - 1, "»")
        && !doc.is_punct(b - 1, '"')
    {
        b -= 1;
    }
    (b > a).then_some((a, b))
}

/// Whether a name is a company's or a person's.
fn kind_of(doc: &Doc, a: usize, b: usize, role: PartyRole, person_cue: bool) -> PartyKind {
    let mut words = 0;
    let mut org = false;
    let mut cjk = String::new();
    for i in a..b {
        match doc.kind(i) {
            Some(Kind::Word) => {
                let w = doc.norm_of(i);
                words += 1;
                org |= is_legal(w) || is_trade(w) || LEGAL_PREFIX.contains(&w);
            }
            Some(Kind::Num) => org = true,
            Some(Kind::Cjk) => cjk.push_str(doc.norm_of(i)),
            Some(Kind::Punct) => org |= matches!(doc.norm_of(i), "«" | "\"" | "&"),
            _ => {}
        }
    }
    if !cjk.is_empty() {
        org |= ZH_ORG.iter().any(|w| cjk.contains(w));
        let chars = cjk.chars().count();
        return if org || (chars > 4 && !person_cue) { PartyKind::Company } else { PartyKind::Person };
    }
    // Dotted legal forms come as single letters: "B.V.", "s.r.o.", "S.A.".
    let letters: String = (a..b)
        .filter(|&i| doc.kind(i) == Some(Kind::Word) && doc.norm_of(i).chars().count() == 1)
        .map(|i| doc.norm_of(i))
        .collect();
    org |= letters.len() >= 2 && LEGAL.iter().any(|l| letters.ends_with(l) && l.len() >= 2);
    if org {
        return PartyKind::Company;
    }
    if person_cue || role == PartyRole::Contact {
        return PartyKind::Person;
    }
    // Two or three plain names are a person ("Consignee: Ali Hassan Rezaei").
    if (2..=4).contains(&words) {
        PartyKind::Person
    } else {
        PartyKind::Company
    }
}

/// The country of a place named right after a name ("… (Chase Side,
/// London)", "… from Dubai", "…, Tehran"), or inside it ("Tehran Power
/// Cells"), on the same line.
fn country_near(doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], a: usize, b: usize) -> Option<String> {
    let mut line_end = b;
    while line_end < doc.len() && line_end < b + 12 && !doc.is_boundary(line_end) {
        line_end += 1;
    }
    let after = places.iter().enumerate().find(|(_, p)| p.start >= b && p.start < line_end);
    let inside = places.iter().enumerate().find(|(_, p)| p.start >= a && p.end <= b);
    let (k, _) = after.or(inside)?;
    gaz.resolve(doc, places, k).map(|r| r.iso.to_owned())
}

/// The country of a name found elsewhere (a place in the name itself).
fn country_in(gaz: &Gazetteer, name: &str) -> Option<String> {
    let d = Doc::new(name);
    let hits = gaz.find(&d, &[]);
    (0..hits.len()).find_map(|k| gaz.resolve(&d, &hits, k)).map(|r| r.iso.to_owned())
}

/// The address after an address cue: the rest of its line.
fn address_after(doc: &Doc, k: usize) -> Option<(usize, usize)> {
    let k = skip_to_name(doc, k);
    let mut e = k;
    while e < doc.len() && e < k + 40 && doc.kind(e) != Some(Kind::Newline) && !doc.is_punct(e, ';') {
        if doc.is_punct(e, '.') && doc.kind(e + 1).is_some_and(|kd| kd == Kind::Newline) {
            break;
        }
        e += 1;
    }
    (e > k).then_some((k, e))
}

/// Gives an address to the party it belongs to: the last one named before
/// it of the cue's role, else the last one named before it.
fn attach_address(
    doc: &Doc,
    gaz: &Gazetteer,
    places: &[PlaceHit],
    found: &mut [Found],
    role: PartyRole,
    at: usize,
    (a, b): (usize, usize),
) {
    let owner = found
        .iter()
        .rposition(|f| f.start < at && f.role == role && f.kind == PartyKind::Company)
        .or_else(|| found.iter().rposition(|f| f.start < at && f.kind == PartyKind::Company));
    let Some(i) = owner else { return };
    let f = &mut found[i];
    f.address = Some(doc.span(a, b).to_owned());
    // The last place of an address is its city or country.
    let last = places.iter().enumerate().filter(|(_, p)| p.start >= a && p.end <= b).map(|(k, _)| k).next_back();
    if let Some(k) = last {
        f.country = gaz.resolve(doc, places, k).map(|r| r.iso.to_owned()).or(f.country.take());
    }
}

/// "Dear Sir, Katrangi Electronics would like …": the subject of the
/// sentence after a greeting.
fn greeting_subject(doc: &Doc) -> Option<(usize, usize)> {
    if !doc.kind(0).is_some_and(|k| matches!(k, Kind::Word | Kind::Cjk))
        || !GREETINGS.iter().any(|g| doc.norm_of(0) == *g || doc.orig_of(0).starts_with(g))
    {
        return None;
    }
    // The greeting runs to its comma or line end.
    let mut k = 1;
    while k < doc.len()
        && k < 8
        && !(doc.is_punct(k, ',') || doc.is_punct(k, '!') || doc.kind(k) == Some(Kind::Newline))
    {
        k += 1;
    }
    while k < doc.len() && (doc.kind(k) == Some(Kind::Punct) || doc.kind(k) == Some(Kind::Newline)) {
        k += 1;
    }
    let (a, b) = read_latin(doc, k)?;
    let next = doc.norm_of(b);
    let subject = SUBJECT_VERBS.contains(&next) || doc.is_punct(b, ',') && b - a >= 2;
    (subject && !NOT_NAME.contains(&doc.norm_of(a))).then_some((a, b))
}

/// Names that open a sentence without a cue: the subject of a verb
/// ("NEYRIZ STEEL needs …", "EKT Smart Technology (Chase Side, London)
/// would like …", "Oleg Deripaska will sign …"), a sentence that is only a
/// name ("… to Juba, South Sudan. CROWN AUTO TRADING"), a name labelling
/// the message ("Инвесткапиталбанк: 400 …"), a company before its city
/// ("ТОО «Степь Энерго», Almaty …") and a Latin name running into Chinese
/// ("Sarmayeh Bank 采购部需要 …"). Cue-less, so each form asks for more
/// evidence that it is a name: a sentence start, and a verb, a legal form,
/// a trade word or another script.
fn sentence_subjects(doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], found: &mut Vec<Found>) {
    let n = doc.len();
    let mut k = 0;
    let mut looked = 0;
    while k < n && looked < MAX_CUES && found.len() < MAX_PARTIES {
        let start = k == 0
            || doc.is_boundary(k - 1)
            || (doc.kind(k - 1) == Some(Kind::Punct) && matches!(doc.orig_of(k - 1), "，" | "。" | "：" | "！")
                || doc.is_punct(k - 1, ',') && k >= 2 && GREETINGS.contains(&doc.norm_of(k - 2)));
        if !start || doc.kind(k) != Some(Kind::Word) {
            k += 1;
            continue;
        }
        looked += 1;
        let Some((a, b0)) = read_latin(doc, k) else {
            k += 1;
            continue;
        };
        // In capitals the verb is read as part of the name ("… TRADING REQUESTS 100 UNITS").
        let cut = (a + 1..b0).find(|&i| SUBJECT_VERBS.contains(&doc.norm_of(i)) && !is_trade(doc.norm_of(i)));
        let b = cut.unwrap_or(b0);
        // Skip what may stand between a name and its verb: "(Chase Side,
        // London)", "(Pty) Ltd", "(our Dubai branch)".
        let mut j = b;
        let mut b = b;
        for _ in 0..4 {
            if doc.is(j, "(") {
                let close = (j + 1..(j + 16).min(n)).find(|&q| doc.is(q, ")"));
                match close {
                    Some(q) => j = q + 1,
                    None => break,
                }
            } else if doc.kind(j) == Some(Kind::Word) && is_legal(doc.norm_of(j)) {
                // "IPP Oil Products (Cyprus) Limited": the bracket is the
                // name's own when a legal form follows it.
                j += 1;
                b = j;
            } else {
                break;
            }
        }
        let words: Vec<&str> = (a..b).filter(|&i| doc.kind(i) == Some(Kind::Word)).map(|i| doc.norm_of(i)).collect();
        let has_num = (a..b).any(|i| doc.kind(i) == Some(Kind::Num));
        let corporate =
            words.iter().any(|w| is_legal(w) || is_trade(w)) || (a..b).any(|i| doc.is(i, "«") || doc.is(i, "\""));
        let foreign = doc.span(a, b).chars().any(|c| c.is_alphabetic() && !c.is_ascii());
        let plain = !has_num && words.iter().all(|w| !NOT_NAME.contains(w) || is_legal(w));
        let next = doc.norm_of(j);
        let verb = cut.is_some() || SUBJECT_VERBS.contains(&next);
        // One plain word is a name only before a verb of asking ("Rosoboronexport
        // would like"); "Delivery is …" and "Price will …" are not.
        let strong_verb = verb && !matches!(next, "is" | "are" | "has" | "have" | "will" | "here");
        let legal_form =
            words.iter().any(|w| is_legal(w) || LEGAL_PREFIX.contains(w)) || (a..b).any(|i| doc.is(i, "«"));
        let whole = j >= n || doc.is_boundary(j);
        let label = doc.is_punct(j, ':') && j == b && (corporate || foreign);
        let before_place = doc.is_punct(j, ',') && (places.iter().any(|p| p.start == j + 1) && corporate || legal_form);
        let into_cjk = doc.kind(j) == Some(Kind::Cjk) && words.len() >= 2 && corporate;
        // A cue word is a label ("Покупатель: …"), read by the cue pass.
        let cue_word = CUES.iter().any(|(phrase, _, _)| *phrase == doc.norm_of(a));
        let ok = plain
            && !cue_word
            && !NOT_NAME.contains(&doc.norm_of(a))
            && ((verb && (words.len() >= 2 || corporate || foreign || strong_verb))
                || (whole && (words.len() >= 2 || foreign) && (corporate || foreign || words.len() <= 4))
                || label
                || before_place
                || into_cjk);
        if ok {
            if let Some((a, b)) = trim_places(doc, places, a, b) {
                let kind = kind_of(doc, a, b, PartyRole::Buyer, false);
                let role = if kind == PartyKind::Person { PartyRole::Contact } else { PartyRole::Buyer };
                let country = country_near(doc, gaz, places, a, b);
                push(found, doc, Found { role, start: a, end: b, kind, country, address: None });
            }
        }
        k = b0.max(k + 1);
    }
    for_whom(doc, gaz, places, found);
}

/// "Please quote 60 inverters for Basic Element, delivery to Vienna": a
/// name of two or more capitalised words after "for", closed by a comma or
/// the sentence's end, is the buyer the quote is for. Places are dropped
/// ("for Dubai"), and so is anything with a number in it ("for 2 Units").
fn for_whom(doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], found: &mut Vec<Found>) {
    let n = doc.len();
    for k in (0..n).filter(|&k| doc.is(k, "for")).take(8) {
        if found.len() >= MAX_PARTIES {
            return;
        }
        let Some((a, b)) = read_latin(doc, k + 1) else { continue };
        let words: Vec<usize> = (a..b).filter(|&i| doc.kind(i) == Some(Kind::Word)).collect();
        let closed = b >= n || doc.is_boundary(b) || doc.is_punct(b, ',');
        let plain = !(a..b).any(|i| doc.kind(i) == Some(Kind::Num))
            && words.iter().all(|&i| doc.starts_upper(i) && !NOT_NAME.contains(&doc.norm_of(i)));
        if words.len() < 2 || !closed || !plain {
            continue;
        }
        if let Some((a, b)) = trim_places(doc, places, a, b) {
            // A quote is asked for a firm; plain words here are its name, not a person's.
            let country = country_near(doc, gaz, places, a, b);
            push(
                found,
                doc,
                Found { role: PartyRole::Buyer, start: a, end: b, kind: PartyKind::Company, country, address: None },
            );
        }
    }
}

/// The lines after a sign-off: a person, a company, an address.
fn signature(doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], found: &mut Vec<Found>) {
    let Some(s) = (0..doc.len()).rev().take(400).find(|&i| SIGN_OFFS.contains(&doc.norm_of(i))) else { return };
    // The first line after the sign-off's own line.
    let mut k = s;
    while k < doc.len() && doc.kind(k) != Some(Kind::Newline) {
        k += 1;
    }
    let mut lines = 0;
    let mut company: Option<usize> = None;
    while k < doc.len() && lines < 6 && found.len() < MAX_PARTIES {
        while k < doc.len() && doc.kind(k) == Some(Kind::Newline) {
            k += 1;
        }
        let start = k;
        while k < doc.len() && doc.kind(k) != Some(Kind::Newline) {
            k += 1;
        }
        lines += 1;
        if start >= k {
            continue;
        }
        let whole = |(a, b): (usize, usize)| a == start && b + 1 >= k;
        let name = match doc.kind(start) {
            Some(Kind::Cjk) => read_cjk(doc, start),
            _ => read_latin(doc, start),
        };
        match name.filter(|&n| whole(n)) {
            Some((a, b)) if !found.iter().any(|f| same_span(doc, f, a, b)) => {
                let Some((a, b)) = trim_places(doc, places, a, b) else {
                    if let Some(c) = company {
                        attach_line(doc, gaz, places, &mut found[c], start, k);
                    }
                    continue;
                };
                let kind = kind_of(doc, a, b, PartyRole::Buyer, false);
                let title = (a..b).any(|i| {
                    NOT_NAME.contains(&doc.norm_of(i))
                        && matches!(
                            doc.norm_of(i),
                            "manager" | "director" | "purchasing" | "procurement" | "sales" | "ceo" | "owner"
                        )
                });
                if title {
                    continue;
                }
                let role = if kind == PartyKind::Person { PartyRole::Contact } else { PartyRole::Buyer };
                let country = country_near(doc, gaz, places, a, b);
                if kind == PartyKind::Company {
                    company = Some(found.len());
                }
                found.push(Found { role, start: a, end: b, kind, country, address: None });
            }
            _ => {
                // An address line under the company.
                if let Some(c) = company {
                    attach_line(doc, gaz, places, &mut found[c], start, k);
                }
            }
        }
    }
}

fn attach_line(doc: &Doc, gaz: &Gazetteer, places: &[PlaceHit], f: &mut Found, a: usize, b: usize) {
    let last = places.iter().enumerate().filter(|(_, p)| p.start >= a && p.end <= b).map(|(k, _)| k).next_back();
    let Some(k) = last else { return };
    if f.address.is_none() {
        f.address = Some(doc.span(a, b).to_owned());
    }
    if let Some(r) = gaz.resolve(doc, places, k) {
        f.country = Some(r.iso.to_owned());
    }
}

fn same_span(doc: &Doc, f: &Found, a: usize, b: usize) -> bool {
    same_name(doc.span(f.start, f.end), doc.span(a, b))
}

/// Adds a party unless the same name was already read in the same role.
fn push(found: &mut Vec<Found>, doc: &Doc, f: Found) {
    if found.len() >= MAX_PARTIES {
        return;
    }
    let name = doc.span(f.start, f.end);
    if let Some(g) = found.iter_mut().find(|g| same_name(doc.span(g.start, g.end), name)) {
        // A cue that names the role beats the buyer guessed from "we are".
        if g.role == PartyRole::Buyer && f.role != PartyRole::Buyer && f.role != PartyRole::Contact {
            g.role = f.role;
        }
        if g.country.is_none() {
            g.country = f.country;
        }
        return;
    }
    found.push(f);
}

/// Names compared without case, spaces and punctuation.
fn same_name(a: &str, b: &str) -> bool {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let (ka, kb) = (key(a), key(b));
    !ka.is_empty() && (ka == kb || (ka.len() >= 6 && kb.len() >= 6 && (ka.starts_with(&kb) || kb.starts_with(&ka))))
}

/// A name without the quotes or trailing punctuation it was written with.
fn clean(s: &str) -> String {
    s.trim().trim_end_matches([',', ';', ':']).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(PartyRole, String, PartyKind, Option<String>)> {
        let doc = Doc::new(text);
        let gaz = crate::gazetteer::global();
        let places = gaz.find(&doc, &[]);
        let si = StructuredInquiry::empty(tradewind_core::Lang::En);
        parties(&doc, gaz, &places, &si).into_iter().map(|p| (p.role, p.name, p.kind, p.country)).collect()
    }

    fn names(text: &str) -> Vec<String> {
        read(text).into_iter().map(|p| p.1).collect()
    }

    #[test]
    fn a_buyer_in_capitals_without_a_legal_form() {
        let p = read("Hello, this is CROWN AUTO TRADING from Dubai. We need 200 hub motors.");
        assert_eq!(p[0], (PartyRole::Buyer, "CROWN AUTO TRADING".into(), PartyKind::Company, Some("AE".into())));
    }

    #[test]
    fn a_name_before_a_parenthesis_takes_its_country_from_it() {
        let p = read("We are EKT Smart Technology (Chase Side, London) and need inverters.");
        assert_eq!(p[0], (PartyRole::Buyer, "EKT Smart Technology".into(), PartyKind::Company, Some("GB".into())));
    }

    #[test]
    fn the_subject_after_a_greeting() {
        let p = read("Dear Sir, Katrangi Electronics would like to order 500 LED bulbs.");
        assert_eq!(p[0].1, "Katrangi Electronics");
        assert_eq!((p[0].0, p[0].2), (PartyRole::Buyer, PartyKind::Company));
    }

    #[test]
    fn cyrillic_names_with_legal_forms_before_them() {
        assert_eq!(
            names("Покупатель: ПАО «Уралэлектроснаб», Екатеринбург. We are ПАО «Уралэлектроснаб»."),
            vec!["ПАО «Уралэлектроснаб»"]
        );
    }

    #[test]
    fn every_role_and_contact_persons() {
        let p = read(
            "Hi, I am Reza Karimi. Buyer: Gulf Star Trading LLC, Dubai. Consignee: Pars Cell Company, Tehran. \
             End user is Kavir Power Storage. Our forwarder is Sea Bridge Logistics.",
        );
        let roles: Vec<(PartyRole, &str, PartyKind)> = p.iter().map(|x| (x.0, x.1.as_str(), x.2)).collect();
        assert_eq!(
            roles,
            vec![
                (PartyRole::Contact, "Reza Karimi", PartyKind::Person),
                (PartyRole::Buyer, "Gulf Star Trading LLC", PartyKind::Company),
                (PartyRole::Consignee, "Pars Cell Company", PartyKind::Company),
                (PartyRole::EndUser, "Kavir Power Storage", PartyKind::Company),
                (PartyRole::Forwarder, "Sea Bridge Logistics", PartyKind::Company),
            ]
        );
        assert_eq!(p[2].3.as_deref(), Some("IR"));
    }

    #[test]
    fn chinese_roles_and_people() {
        let p = read(
            "你好，我是王伟，我们是迪拜星光贸易有限公司。收货人：德黑兰帕尔斯电池公司。最终用户是卡维尔储能公司。",
        );
        let roles: Vec<(PartyRole, &str, PartyKind)> = p.iter().map(|x| (x.0, x.1.as_str(), x.2)).collect();
        assert_eq!(
            roles,
            vec![
                (PartyRole::Contact, "王伟", PartyKind::Person),
                (PartyRole::Buyer, "迪拜星光贸易有限公司", PartyKind::Company),
                (PartyRole::Consignee, "德黑兰帕尔斯电池公司", PartyKind::Company),
                (PartyRole::EndUser, "卡维尔储能公司", PartyKind::Company),
            ]
        );
        assert_eq!(p[1].3.as_deref(), Some("AE"));
        assert_eq!(p[2].3.as_deref(), Some("IR"));
    }

    #[test]
    fn someone_here_and_a_signature() {
        let p = read("Pieter de Vries here. Please quote 100 inverters.\n\nBest regards,\nPieter de Vries\nSales Manager\nHolland Solar Trading B.V.\nKeizersgracht 1, Amsterdam");
        let roles: Vec<(PartyRole, &str)> = p.iter().map(|x| (x.0, x.1.as_str())).collect();
        assert_eq!(
            roles,
            vec![(PartyRole::Contact, "Pieter de Vries"), (PartyRole::Buyer, "Holland Solar Trading B.V.")]
        );
        assert_eq!(p[1].3.as_deref(), Some("NL"));
    }

    #[test]
    fn places_are_not_parties() {
        assert!(names("Please ship to Hamburg and deliver to Rotterdam.").is_empty());
        assert!(names("We are from Germany.").is_empty());
    }

    #[test]
    fn hostile_input_is_bounded() {
        let long = "Consignee: Acme Trading LLC. ".repeat(500);
        assert!(read(&long).len() <= MAX_PARTIES);
        let _ = read("«««««« ПАО « ООО \" \" ,,,, Co., Co., Co.,");
        let _ = read("收货人：");
        let _ = read("Dear");
    }

    #[test]
    fn a_company_opening_a_sentence_before_its_verb() {
        let p = read("GHADIR INDUSTRIAL TRADING REQUESTS 100 UNITS OF THE 8 KW INVERTER.");
        assert_eq!(
            (p[0].0, p[0].1.as_str(), p[0].2),
            (PartyRole::Buyer, "GHADIR INDUSTRIAL TRADING", PartyKind::Company)
        );
        assert_eq!(names("Neyriz Steel needs 40 flood lights."), vec!["Neyriz Steel"]);
        assert_eq!(names("Rosoboronexport would like 100 high bay lights."), vec!["Rosoboronexport"]);
        assert_eq!(names("Уралвагонзавод would like 50 inverters."), vec!["Уралвагонзавод"]);
    }

    #[test]
    fn a_bracket_between_a_name_and_its_verb_is_skipped_or_kept_before_a_legal_form() {
        let p = read("EKT Smart Technology (Chase Side, London) would like 200 displays.");
        assert_eq!(p[0].1, "EKT Smart Technology");
        let p = read("IPP Oil Products (Cyprus) Limited (Limassol office) asks for 20 inverters.");
        assert_eq!(p[0].1, "IPP Oil Products (Cyprus) Limited");
    }

    #[test]
    fn a_person_opening_a_sentence_is_a_contact() {
        let p = read("Oleg Deripaska will sign the order himself: 100 hub motors.");
        assert_eq!((p[0].0, p[0].1.as_str(), p[0].2), (PartyRole::Contact, "Oleg Deripaska", PartyKind::Person));
    }

    #[test]
    fn a_name_alone_in_the_last_sentence_and_a_name_labelling_the_message() {
        assert_eq!(names("300 flood lights to Juba, South Sudan. CROWN AUTO TRADING"), vec!["CROWN AUTO TRADING"]);
        assert_eq!(names("Инвесткапиталбанк: 400 LED bulbs please."), vec!["Инвесткапиталбанк"]);
        assert_eq!(names("ТОО «Степь Энерго», Almaty, requests 100 inverters."), vec!["ТОО «Степь Энерго»"]);
        assert_eq!(names("您好，Sarmayeh Bank 采购部需要600个平板灯"), vec!["Sarmayeh Bank"]);
    }

    #[test]
    fn the_firm_a_quote_is_for() {
        let p = read("Please quote 60 inverters for Basic Element, delivery to Vienna, Austria.");
        assert_eq!((p[0].0, p[0].1.as_str(), p[0].2), (PartyRole::Buyer, "Basic Element", PartyKind::Company));
        assert!(names("Please quote 60 inverters for 2 Projects.").is_empty());
    }

    #[test]
    fn an_unknown_town_after_delivered_to_is_no_consignee() {
        assert!(names("We need 20 inverters delivered to Limassol, Cyprus.").is_empty());
        assert_eq!(names("Deliver to Acme Trading LLC, Limassol."), vec!["Acme Trading LLC"]);
    }

    #[test]
    fn dotted_legal_forms_make_a_company() {
        let p = read("Please quote 400 micro-inverters to Utrecht. Zonnedak Installaties B.V.");
        assert_eq!((p[0].1.as_str(), p[0].2), ("Zonnedak Installaties B.V.", PartyKind::Company));
    }

    #[test]
    fn sentence_openers_and_products_are_no_parties() {
        assert!(names("Please quote 300 PCS 200W LED FLOOD LIGHT.").is_empty());
        assert!(names("URGENT 1000 PCS 9W LED BULB TO ISTANBUL.").is_empty());
        assert!(names("Delivery is urgent. Price will matter.").is_empty());
    }
}
