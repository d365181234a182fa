//! Who is writing and on what terms: phone numbers, e-mail addresses,
//! company names (English legal forms and Chinese 公司 names), the contact
//! person, the unified social credit code (统一社会信用代码) and Incoterms.

use std::sync::OnceLock;

use tradewind_core::ids::{is_valid_resident_id, is_valid_uscc};
use tradewind_core::{Contact, PhoneCheck};

use crate::text::{cap, leftmost_longest, Doc, Hit, Kind, PhraseIndex, SCAN_CAP};

/// Contact details found in a message.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ContactInfo {
    pub company: Option<String>,
    pub contact: Contact,
    pub credit_code: Option<String>,
    pub incoterm: Option<String>,
}

/// Extracts company, contact person, phone, e-mail, credit code and Incoterm.
pub fn extract_contact(text: &str) -> ContactInfo {
    let doc = Doc::new(cap(text, SCAN_CAP));
    let found = extract_doc(&doc);
    let places = crate::gazetteer::global().find(&doc, &found.masks);
    let starts = crate::gazetteer::Gazetteer::starts(&places);
    ContactInfo {
        company: found.company,
        contact: found.contact,
        credit_code: found.credit_code,
        incoterm: incoterms_doc(&doc, &starts).first().map(|&(_, c)| c.to_owned()),
    }
}

/// Every phone number in the text, as written.
pub fn find_phones(text: &str) -> Vec<String> {
    let doc = Doc::new(cap(text, SCAN_CAP));
    scan_phones(&doc).into_iter().map(|(a, b)| doc.text[a..b].to_owned()).collect()
}

/// Every e-mail address in the text, as written.
pub fn find_emails(text: &str) -> Vec<String> {
    let doc = Doc::new(cap(text, SCAN_CAP));
    scan_emails(&doc).into_iter().map(|(a, b)| doc.text[a..b].to_owned()).collect()
}

/// The first Incoterm named in the text ("FOB", "CIF", ...).
pub fn extract_incoterm(text: &str) -> Option<String> {
    extract_contact(text).incoterm
}

/// What `extract_doc` found, plus the spans other matchers must not read
/// numbers or places from.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub company: Option<String>,
    /// Original byte range of the company name.
    pub company_span: Option<(usize, usize)>,
    pub contact: Contact,
    pub credit_code: Option<String>,
    /// Original byte ranges of phones, e-mails, URLs and credit codes.
    pub masks: Vec<(usize, usize)>,
}

pub(crate) fn extract_doc(doc: &Doc) -> Found {
    let mut f = Found::default();
    let phones = scan_phones(doc);
    let emails = scan_emails(doc);
    let urls = scan_urls(doc);
    f.contact.phone = phones.first().map(|&(a, b)| doc.text[a..b].trim().to_owned());
    f.contact.email = emails.first().map(|&(a, b)| doc.text[a..b].to_owned());
    f.masks.extend(&phones);
    f.masks.extend(&emails);
    f.masks.extend(&urls);
    if let Some((code, span)) = credit_code(doc) {
        f.credit_code = Some(code);
        f.masks.push(span);
    }
    let en = english_company(doc, &f.masks);
    let zh = chinese_company(doc, &f.masks);
    let company = match (en, zh) {
        (Some(a), Some(b)) => Some(if a.1 .0 <= b.1 .0 { a } else { b }),
        (a, b) => a.or(b),
    };
    if let Some((name, span)) = company {
        f.company = Some(name);
        f.company_span = Some(span);
    }
    f.contact.name = person_name(doc, f.company_span);
    f
}

// ---------------------------------------------------------------- phones

const PHONE_CUES: &[&str] = &[
    "tel",
    "tel no",
    "telephone",
    "phone",
    "phone no",
    "phone number",
    "mobile",
    "mob",
    "cell",
    "ph",
    "whatsapp",
    "wechat",
    "viber",
    "call",
    "电话",
    "手机",
    "手机号",
    "电话号码",
    "联系电话",
    "微信",
    "号码",
    "联系方式",
];

/// True when a phone cue ("Tel:", "电话") ends just before norm byte `i`.
fn phone_cue_before(norm: &str, i: usize) -> bool {
    let mut start = i.saturating_sub(24);
    while start > 0 && !norm.is_char_boundary(start) {
        start -= 1;
    }
    let Some(pre) = norm.get(start..i) else { return false };
    let pre = pre.trim_end_matches([' ', ':', '.', '/', '-', '(', '#', '+']);
    PHONE_CUES.iter().any(|cue| {
        pre.strip_suffix(cue).is_some_and(|rest| {
            // "graph" must not count as "ph".
            !rest.ends_with(|c: char| c.is_ascii_alphanumeric())
        })
    })
}

/// Group ends of a run of digits and single separators starting at `j`:
/// (norm byte end, digits so far) after every digit group.
fn digit_groups(s: &[u8], mut j: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut digits = 0;
    let mut seps = 0;
    while j < s.len() {
        let c = s[j];
        if c.is_ascii_digit() {
            digits += 1;
            seps = 0;
            j += 1;
            if j == s.len() || !s[j].is_ascii_digit() {
                groups.push((j, digits));
            }
            continue;
        }
        if matches!(c, b' ' | b'-' | b'.' | b'(' | b')' | b'/') {
            seps += 1;
            if seps > 2 || (c == b' ' && j > 0 && s[j - 1] == b' ') || digits > 20 {
                break;
            }
            j += 1;
            continue;
        }
        break;
    }
    groups
}

/// Chinese mobile numbers written without a country code: 1[3-9]x xxxx xxxx.
fn cn_mobile(s: &[u8], digits: usize) -> bool {
    let ds: Vec<u8> = s.iter().copied().filter(u8::is_ascii_digit).collect();
    digits == 11
        && ds.len() == 11
        && ds[0] == b'1'
        && (b'3'..=b'9').contains(&ds[1])
        && s.iter().all(|c| c.is_ascii_digit() || *c == b' ' || *c == b'-')
}

/// Numbering-plan checks per message at most. A check costs microseconds,
/// and a hostile message can be made of thousands of `+` numbers; past the
/// budget the digit counts alone decide, as they do for national numbers.
const PLAN_CHECKS: usize = 32;

/// Where an international number (`+…`, or `00…` when `prefixed_00`)
/// starting at norm byte `i` ends. Of the group ends whose digit count is
/// within `min..=max`, the longest that is a valid number in its country's
/// plan wins, so "+1 212 555 0100 2 pcs" stops before the quantity. When
/// none is (new ranges, test numbers), the longest that fits still counts,
/// as long as its country code exists: "+999 1234567" is no phone number.
fn international_end(
    norm: &str,
    groups: &[(usize, usize)],
    i: usize,
    (min, max): (usize, usize),
    checks: &mut usize,
) -> Option<usize> {
    let fits = || groups.iter().rev().filter(|(_, d)| (min..=max).contains(d)).map(|&(e, _)| e);
    let longest = fits().next()?;
    let mut fallback = None;
    for e in fits() {
        if *checks == 0 {
            return fallback.or(Some(longest));
        }
        *checks -= 1;
        match tradewind_core::check_phone(&norm[i..e], None) {
            Some(PhoneCheck::Valid(_)) => return Some(e),
            Some(PhoneCheck::Unverified(_)) => fallback = fallback.or(Some(e)),
            None => {}
        }
    }
    fallback
}

/// Phone numbers as original byte ranges. Only numbers that look like
/// phones are taken — a `+` or `00` prefix, a cue word, or a Chinese mobile
/// shape — so quantities like "800" or "1,200" are never phones.
pub(crate) fn scan_phones(doc: &Doc) -> Vec<(usize, usize)> {
    let s = doc.norm.as_bytes();
    let mut out = Vec::new();
    let mut checks = PLAN_CHECKS;
    let mut i = 0;
    while i < s.len() && out.len() < 20 {
        let b = s[i];
        let plus = b == b'+' && s.get(i + 1).is_some_and(u8::is_ascii_digit);
        let digit_start = b.is_ascii_digit()
            && (i == 0
                || !(s[i - 1].is_ascii_alphanumeric() || matches!(s[i - 1], b'.' | b',' | b'-' | b'/' | b'_' | b'+')));
        if !plus && !digit_start {
            i += 1;
            continue;
        }
        let groups = digit_groups(s, if plus { i + 1 } else { i });
        let Some(&(end_all, digits_all)) = groups.last() else {
            i += 1;
            continue;
        };
        let fit = |min: usize, max: usize| {
            groups.iter().rev().find(|(_, d)| *d <= max).filter(|(_, d)| *d >= min).map(|&(e, _)| e)
        };
        let accepted = if plus {
            international_end(&doc.norm, &groups, i, (7, 15), &mut checks)
        } else if s[i..].starts_with(b"00") && s.get(i + 2).is_some_and(|c| *c != b'0') {
            international_end(&doc.norm, &groups, i, (9, 17), &mut checks)
        } else if phone_cue_before(&doc.norm, i) {
            fit(7, 15)
        } else if cn_mobile(&s[i..end_all], digits_all) {
            Some(end_all)
        } else {
            None
        };
        match accepted {
            Some(e) => {
                // "(040) 123 4567": the area-code bracket belongs to the number.
                let a = if i > 0 && s[i - 1] == b'(' { i - 1 } else { i };
                out.push((doc.norm_to_orig(a), doc.norm_to_orig(e)));
                i = e;
            }
            None => i = end_all.max(i + 1),
        }
    }
    out
}

// ---------------------------------------------------------------- e-mail, URLs

pub(crate) fn scan_emails(doc: &Doc) -> Vec<(usize, usize)> {
    let s = doc.norm.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-');
    let mut out = Vec::new();
    for (i, _) in doc.norm.match_indices('@').take(50) {
        let mut a = i;
        while a > 0 && local(s[a - 1]) {
            a -= 1;
        }
        while a < i && s[a] == b'.' {
            a += 1;
        }
        let mut b = i + 1;
        while b < s.len() && domain(s[b]) {
            b += 1;
        }
        while b > i + 1 && matches!(s[b - 1], b'.' | b'-') {
            b -= 1;
        }
        if a == i || b <= i + 1 {
            continue;
        }
        let dom = &doc.norm[i + 1..b];
        let tld_ok = dom
            .rsplit_once('.')
            .is_some_and(|(h, t)| !h.is_empty() && t.len() >= 2 && t.bytes().all(|c| c.is_ascii_alphabetic()));
        if tld_ok {
            out.push((doc.norm_to_orig(a), doc.norm_to_orig(b)));
        }
    }
    out
}

fn scan_urls(doc: &Doc) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for pat in ["http://", "https://", "www."] {
        for (i, _) in doc.norm.match_indices(pat).take(50) {
            if pat == "www." && i > 0 && doc.norm.as_bytes()[i - 1] == b'/' {
                continue;
            }
            let end = doc.norm[i..].find(char::is_whitespace).map_or(doc.norm.len(), |e| i + e);
            out.push((doc.norm_to_orig(i), doc.norm_to_orig(end)));
        }
    }
    out
}

// ---------------------------------------------------------------- credit code

/// 统一社会信用代码: 18 characters from [0-9A-HJ-NPQRTUWXY], whose third to
/// eighth characters are the six-digit administrative division code and
/// whose last is the check character of the first seventeen.
fn credit_code(doc: &Doc) -> Option<(String, (usize, usize))> {
    for i in 0..doc.len() {
        if doc.kind(i) != Some(Kind::Word) {
            continue;
        }
        let o = doc.orig_of(i);
        if o.len() != 18 || !o.is_ascii() {
            continue;
        }
        let code = o.to_ascii_uppercase();
        // Eighteen characters are a company only when the GB 32100 check
        // character says so; an 18-digit resident ID of the right shape is
        // a person, and must never be stored as a company's code.
        if is_valid_uscc(&code) && !is_valid_resident_id(&code) {
            let t = doc.toks[i];
            return Some((code, (t.o0, t.o1)));
        }
    }
    None
}

// ---------------------------------------------------------------- companies

/// Payload bit: the form must be written in capitals (two-letter forms such
/// as "AG" or "SA" are ordinary words otherwise).
const UPPER: u32 = 1;
/// Payload bit: the form may also precede the name ("OOO Romashka", "PT Maju Jaya").
const PREFIX: u32 = 2;

const LEGAL_FORMS: &[(&str, u32)] = &[
    ("gmbh", 0),
    ("gmbh & co. kg", 0),
    ("gmbh & co kg", 0),
    ("ag", 1),
    ("kg", 1),
    ("ug", 1),
    ("ltd", 0),
    ("limited", 0),
    ("co., ltd", 0),
    ("co. ltd", 0),
    ("co ltd", 0),
    ("co.,ltd", 0),
    ("co., limited", 0),
    ("company limited", 0),
    ("llc", 0),
    ("l.l.c", 0),
    ("inc", 0),
    ("incorporated", 0),
    ("corp", 0),
    ("corporation", 0),
    ("s.a", 0),
    ("sa", 1),
    ("s.r.l", 0),
    ("srl", 0),
    ("s.p.a", 0),
    ("spa", 0),
    ("b.v", 0),
    ("bv", 1),
    ("n.v", 0),
    ("nv", 1),
    ("sas", 1),
    ("s.a.s", 0),
    ("sarl", 0),
    ("s.a.r.l", 0),
    ("pty ltd", 0),
    ("pty. ltd", 0),
    ("pty limited", 0),
    ("pte ltd", 0),
    ("pte. ltd", 0),
    ("pvt ltd", 0),
    ("pvt. ltd", 0),
    ("private limited", 0),
    ("jsc", PREFIX),
    ("ojsc", PREFIX),
    ("pjsc", PREFIX),
    ("cjsc", PREFIX),
    ("ooo", UPPER | PREFIX),
    ("zao", UPPER | PREFIX),
    ("oao", UPPER | PREFIX),
    ("pt", UPPER | PREFIX),
    ("llp", 0),
    ("plc", 0),
    ("sdn bhd", 0),
    ("sdn. bhd", 0),
    ("bhd", 0),
    ("fze", 0),
    ("fzco", 0),
    ("fzc", 1),
    ("fz-llc", 0),
    ("fz llc", 0),
    ("a/s", 0),
    ("ab", 1),
    ("oy", 0),
    ("oyj", 0),
    ("kft", 0),
    ("ltda", 0),
    // Portuguese "limitada", written "Lda" in Portugal.
    ("lda", 0),
    ("sp. z o.o", 0),
    ("s.l", 0),
    ("co.", 0),
    ("company", 0),
];

/// Capitalised words that start sentences rather than company names.
const LEAD_STOP: &[&str] = &[
    "hello",
    "hi",
    "dear",
    "we",
    "i",
    "our",
    "my",
    "this",
    "is",
    "are",
    "am",
    "regards",
    "thanks",
    "thank",
    "from",
    "at",
    "to",
    "for",
    "by",
    "with",
    "contact",
    "company",
    "name",
    "mr",
    "mrs",
    "ms",
    "dr",
    "best",
    "kind",
    "sincerely",
    "yours",
    "the",
    "please",
    "attn",
    "re",
    "subject",
    "hallo",
    "greetings",
    "cheers",
    "sales",
    "purchasing",
    "buyer",
    "and",
    "of",
    "it",
    "here",
    "us",
];

const CONNECT: &[&str] =
    &["&", "and", "of", "for", "und", "fur", "de", "der", "di", "la", "le", "du", "et", "y", "van", "von"];

struct Indices {
    legal: PhraseIndex,
    name_cues: PhraseIndex,
    incoterms: PhraseIndex,
}

const INCOTERMS: &[&str] = &["EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"];

/// Incoterm spellings (Latin and Chinese) → index into `INCOTERMS`;
/// payload bit 8 marks Chinese phrases, which need no case check.
const INCOTERM_ALIASES: &[(&str, u32)] = &[
    ("exw", 0),
    ("fca", 1),
    ("fas", 2),
    ("fob", 3),
    ("cfr", 4),
    ("cnf", 4),
    ("c&f", 4),
    ("c+f", 4),
    ("cif", 5),
    ("cpt", 6),
    ("cip", 7),
    ("dap", 8),
    ("ddu", 8),
    ("dpu", 9),
    ("dat", 9),
    ("ddp", 10),
    ("工厂交货", 0x100),
    ("出厂价", 0x100),
    ("货交承运人", 0x101),
    ("船边交货", 0x102),
    ("离岸价", 0x103),
    ("船上交货", 0x103),
    ("成本加运费", 0x104),
    ("到岸价", 0x105),
    ("成本加保险费加运费", 0x105),
    ("成本加保险费和运费", 0x105),
    ("运费付至", 0x106),
    ("运费和保险费付至", 0x107),
    ("运费及保险费付至", 0x107),
    ("目的地交货", 0x108),
    ("卸货地交货", 0x109),
    ("完税后交货", 0x10a),
];

fn indices() -> &'static Indices {
    static I: OnceLock<Indices> = OnceLock::new();
    I.get_or_init(|| {
        let mut legal = PhraseIndex::new(false);
        for &(f, p) in LEGAL_FORMS {
            legal.add(f, p);
        }
        let mut name_cues = PhraseIndex::new(false);
        for c in [
            "i'm",
            "im",
            "i am",
            "my name is",
            "this is",
            "name:",
            "contact:",
            "contact person:",
            "contact person",
            "regards,",
            "regards",
        ] {
            name_cues.add(c, 0);
        }
        for c in ["我是", "我叫", "本人"] {
            name_cues.add(c, 1);
        }
        for c in ["联系人", "姓名", "经办人", "采购员", "收件人"] {
            name_cues.add(c, 2);
        }
        let mut incoterms = PhraseIndex::new(false);
        for &(a, p) in INCOTERM_ALIASES {
            incoterms.add(a, p);
        }
        Indices { legal, name_cues, incoterms }
    })
}

/// Legal-form hits, keeping the longest where they overlap and only those
/// written the way legal forms are (capitalised, or upper case when short).
fn legal_hits(doc: &Doc) -> Vec<Hit> {
    let mut hits = Vec::new();
    indices().legal.find_all(doc, &mut hits);
    leftmost_longest(&mut hits, |_, _| false);
    hits.retain(|h| {
        if h.payload & UPPER != 0 {
            doc.all_upper(h.start) && (h.start + 1..h.end).all(|i| doc.kind(i) != Some(Kind::Word) || doc.all_upper(i))
        } else {
            doc.starts_upper(h.start)
        }
    });
    hits
}

/// "Nordlicht Energie GmbH": capitalised words ending in a legal form.
fn english_company(doc: &Doc, masks: &[(usize, usize)]) -> Option<(String, (usize, usize))> {
    for h in legal_hits(doc) {
        if doc.in_spans(h.start, masks) {
            continue;
        }
        let mut j = h.start;
        let mut first = h.start;
        let mut words = 0;
        while j > 0 && words < 8 {
            let k = j - 1;
            let w = doc.norm_of(k);
            match doc.kind(k) {
                Some(Kind::Word) if doc.starts_upper(k) || w.starts_with(|c: char| c.is_ascii_digit()) => {
                    words += 1;
                    first = k;
                    j = k;
                }
                Some(Kind::Word | Kind::Punct) if words > 0 && CONNECT.contains(&w) => j = k,
                _ => break,
            }
        }
        while first < h.start && (LEAD_STOP.contains(&doc.norm_of(first)) || CONNECT.contains(&doc.norm_of(first))) {
            first += 1;
        }
        if first >= h.start {
            if h.payload & PREFIX != 0 {
                if let Some(found) = prefixed_company(doc, h) {
                    return Some(found);
                }
            }
            continue;
        }
        let mut end = h.end;
        // "S.A." and "B.V." carry a final dot that belongs to the form.
        if doc.norm_of(end - 1).len() == 1 && doc.is_punct(end, '.') && doc.glued(end) {
            end += 1;
        }
        let (o0, o1) = (doc.toks[first].o0, doc.toks[end - 1].o1);
        return Some((doc.text[o0..o1].to_owned(), (o0, o1)));
    }
    None
}

/// "OOO Romashka", "PT \"Maju Jaya\"": a legal form followed by the name.
fn prefixed_company(doc: &Doc, h: Hit) -> Option<(String, (usize, usize))> {
    let mut k = h.end;
    while doc.is_punct(k, '"') || doc.is(k, "«") {
        k += 1;
    }
    let mut last = None;
    while k < doc.len() && k < h.end + 8 {
        let w = doc.norm_of(k);
        if doc.kind(k) == Some(Kind::Word) && (doc.starts_upper(k) || w.starts_with(|c: char| c.is_ascii_digit())) {
            last = Some(k);
        } else if !(last.is_some() && CONNECT.contains(&w)) {
            break;
        }
        k += 1;
    }
    let mut end = last? + 1;
    if doc.is_punct(end, '"') || doc.is(end, "»") {
        end += 1;
    }
    let (o0, o1) = (doc.toks[h.start].o0, doc.toks[end - 1].o1);
    Some((doc.text[o0..o1].to_owned(), (o0, o1)))
}

/// Words that precede a company name in Chinese self-introductions.
const ZH_CUES: &[&str] =
    &["我们是", "我司是", "这里是", "我是", "本公司是", "我们", "我司", "是", "来自", "代表", "你好", "您好"];
/// Openings that make "…公司" a reference rather than a name (贵公司, 我们公司).
const ZH_NOT_NAME: &[&str] = &[
    "贵", "你", "您", "我", "本", "该", "这", "那", "哪", "其他", "其它", "别的", "一家", "一个", "他们", "各", "什么",
    "物流", "快递", "货代",
];

/// "上海启航贸易有限公司": the run of characters before 公司, minus any
/// self-introduction in front of it.
fn chinese_company(doc: &Doc, masks: &[(usize, usize)]) -> Option<(String, (usize, usize))> {
    let n = doc.len();
    for i in 0..n.saturating_sub(1) {
        if !(doc.is(i, "公") && doc.is(i + 1, "司")) || doc.in_spans(i, masks) {
            continue;
        }
        let mut j = i;
        let mut first = i;
        while j > 0 && i - j < 30 {
            let k = j - 1;
            match doc.kind(k) {
                Some(Kind::Cjk) => first = k,
                Some(Kind::Word) if doc.glued(k + 1) || doc.kind(k + 1) == Some(Kind::Word) => first = k,
                Some(Kind::Punct) if matches!(doc.norm_of(k), "(" | ")") => {}
                _ => break,
            }
            j = k;
        }
        let (o0, o1) = (doc.toks[first].o0, doc.toks[i + 1].o1);
        let full = &doc.text[o0..o1];
        // Cut everything up to the last self-introduction cue.
        let mut cut = 0;
        for cue in ZH_CUES {
            if let Some(p) = full.rfind(cue) {
                let after = p + cue.len();
                if after > cut && after < full.len() {
                    cut = after;
                }
            }
        }
        let name = full[cut..].trim_start_matches(['(', '（', ' ']);
        let stem = name
            .trim_end_matches("公司")
            .trim_end_matches("有限")
            .trim_end_matches("股份")
            .trim_end_matches("有限责任");
        if stem.chars().count() < 2 || ZH_NOT_NAME.iter().any(|p| stem.starts_with(p)) {
            continue;
        }
        let start = o1 - name.len();
        return Some((name.to_owned(), (start, o1)));
    }
    None
}

// ---------------------------------------------------------------- person

const NAME_STOP: &[&str] = &[
    "interested",
    "looking",
    "writing",
    "contacting",
    "reaching",
    "from",
    "the",
    "a",
    "an",
    "here",
    "sorry",
    "glad",
    "happy",
    "not",
    "also",
    "currently",
    "very",
    "purchasing",
    "procurement",
    "sales",
    "manager",
    "buyer",
    "director",
    "ceo",
    "owner",
    "in",
    "at",
    "with",
    "to",
    "we",
    "our",
    "your",
    "i",
    "hello",
    "hi",
    "thanks",
    "thank",
    "please",
    "regarding",
    "about",
    "just",
    "still",
    "going",
];

const ZH_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";
const ZH_COMPOUND_SURNAMES: &[&str] =
    &["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒", "尉迟", "公孙", "夏侯"];
/// Characters that end a Chinese name: particles, verbs and title starts.
const ZH_NAME_END: &str = "的是在来从我负想需要和与经先女小总公司说请现今目这那们也就对代为，。,.:：";

/// Lower-case particles inside names: "Pieter de Vries", "Ahmed bin Salem".
const NAME_PARTICLES: &[&str] = &[
    "de", "van", "der", "den", "von", "da", "das", "dos", "del", "della", "di", "du", "la", "le", "al", "el", "bin",
    "ibn", "ter", "ten",
];

/// Capitalised words that are never part of a person's name at the start
/// of a clause: greetings, titles and the words of a letter.
const NOT_NAMES: &[&str] = &[
    "dear",
    "good",
    "best",
    "kind",
    "warm",
    "regards",
    "sir",
    "sirs",
    "madam",
    "team",
    "sales",
    "greetings",
    "hey",
    "hallo",
    "morning",
    "afternoon",
    "evening",
    "please",
    "price",
    "quote",
    "quotation",
    "order",
    "inquiry",
    "enquiry",
    "request",
    "urgent",
    "delivery",
    "shipping",
    "product",
    "products",
    "our",
    "my",
    "your",
    "we",
    "they",
    "this",
    "that",
    "these",
    "those",
    "there",
    "what",
    "when",
    "where",
    "which",
    "who",
    "how",
    "why",
    "yes",
    "no",
    "ok",
    "okay",
    "sure",
    "also",
    "and",
    "but",
    "so",
    "if",
    "re",
    "fw",
    "fwd",
    "attn",
    "subject",
    "thanks",
    "thank",
    "cheers",
    "sorry",
    "hello",
    "hi",
    "today",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Words after a name that show the writer introducing themself:
/// "Reza Karimi from …", "Pieter de Vries here".
const SELF_NEXT: &[&str] = &["from", "here", "speaking", "of", "at", "representing", "writing", "with"];

/// Greeting words that may open a message before the writer's name
/// ("Dear Sir, Reza Karimi from …", "Hello, this is Maria").
const GREETING_WORDS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hallo",
    "dear",
    "sir",
    "sirs",
    "madam",
    "mr",
    "ms",
    "mrs",
    "all",
    "team",
    "good",
    "morning",
    "afternoon",
    "evening",
    "greetings",
    "there",
    "everyone",
    "/",
    "or",
    "and",
    "sales",
    "purchasing",
    "friend",
    "friends",
    "colleagues",
    "您",
    "你",
    "好",
];

/// Words that close a message before the writer's name ("Thanks, Oliver").
const SIGN_OFFS: &[&str] =
    &["thanks", "thank", "you", "cheers", "best", "regards", "kind", "warm", "br", "sincerely", "yours", "truly"];

/// A capitalised English name of one to four words starting at token `k`
/// (particles such as "de" or "van" inside it), and the token after it.
fn english_name_span(doc: &Doc, legal: &[Hit], mut k: usize) -> Option<(String, usize, usize)> {
    if matches!(doc.norm_of(k), "mr" | "mrs" | "ms" | "dr" | "miss") {
        k += 1;
        if doc.is_punct(k, '.') {
            k += 1;
        }
    }
    let start = k;
    let mut words = 0;
    while k < doc.len() && k - start < 4 {
        let w = doc.norm_of(k);
        let is_word = doc.kind(k) == Some(Kind::Word) && w.chars().all(char::is_alphabetic);
        let capital = is_word && doc.starts_upper(k) && !NAME_STOP.contains(&w) && !NOT_NAMES.contains(&w);
        let particle = is_word
            && words > 0
            && NAME_PARTICLES.contains(&w)
            && doc.kind(k + 1) == Some(Kind::Word)
            && doc.starts_upper(k + 1);
        if capital {
            words += 1;
        } else if !particle {
            break;
        }
        k += 1;
    }
    if words == 0 {
        return None;
    }
    // "This is Nordlicht Energie GmbH" introduces a company, not a person.
    if legal.iter().any(|h| h.start >= start && h.start <= k + 1) {
        return None;
    }
    Some((doc.span(start, k).to_owned(), words, k))
}

fn english_name_at(doc: &Doc, legal: &[Hit], k: usize) -> Option<String> {
    english_name_span(doc, legal, k).map(|(n, _, _)| n)
}

/// True when token `k` starts a clause: the message or a sentence starts
/// there, or only a greeting comes before it ("Dear Sir, …", "您好，…").
fn clause_start(doc: &Doc, k: usize) -> bool {
    if k == 0 || doc.is_boundary(k - 1) {
        return true;
    }
    if !(doc.is_punct(k - 1, ',') || doc.is_punct(k - 1, '!') || doc.is_punct(k - 1, '-') || doc.is_punct(k - 1, ':')) {
        return false;
    }
    // The clause so far must open with a greeting; what follows it may name
    // whom it greets ("Hello Mr. Chen, this is Anna Berg").
    let mut j = k - 1;
    let mut first = None;
    while j > 0 {
        let t = j - 1;
        if doc.is_boundary(t) && !doc.is_punct(t, '.') {
            break;
        }
        let ok = GREETING_WORDS.contains(&doc.norm_of(t))
            || doc.is_punct(t, '.')
            || (doc.kind(t) == Some(Kind::Word) && doc.starts_upper(t));
        if !ok {
            return false;
        }
        first = Some(t);
        j = t;
    }
    first.is_some_and(|f| GREETING_WORDS.contains(&doc.norm_of(f)) && !doc.is_punct(f, '.'))
}

/// "Reza Karimi from Caspian Lighting", "Pieter de Vries here": a name at
/// the start of a clause, followed by words of self-introduction.
fn self_introduced(doc: &Doc, legal: &[Hit]) -> Option<String> {
    for k in 0..doc.len().min(400) {
        if doc.kind(k) != Some(Kind::Word) || !doc.starts_upper(k) || !clause_start(doc, k) {
            continue;
        }
        let Some((name, words, end)) = english_name_span(doc, legal, k) else { continue };
        let mut next = end;
        if doc.is_punct(next, ',') {
            next += 1;
        }
        let cue = doc.norm_of(next);
        let ok = match words {
            1 => next == end && matches!(cue, "here" | "speaking"),
            _ => SELF_NEXT.contains(&cue),
        };
        if ok {
            return Some(name);
        }
    }
    None
}

/// A surname and an honorific starting at token `k` (陈先生, 王女士, 李小姐,
/// 张经理, 刘总, 欧阳先生): the token after it.
fn honorific_at(doc: &Doc, k: usize) -> Option<usize> {
    const TITLES: &[&str] = &["先生", "女士", "小姐", "经理", "总"];
    let n = doc.len();
    let c = doc.norm_of(k);
    let two = format!("{}{}", c, doc.norm_of(k + 1));
    let surname_len = if ZH_COMPOUND_SURNAMES.contains(&two.as_str()) {
        2
    } else if doc.kind(k) == Some(Kind::Cjk) && ZH_SURNAMES.contains(c) {
        1
    } else {
        return None;
    };
    let t = k + surname_len;
    let mut title = String::new();
    let mut end = t;
    while end < n && end < t + 2 && doc.kind(end) == Some(Kind::Cjk) && doc.glued(end) {
        title.push_str(doc.norm_of(end));
        end += 1;
        if TITLES.contains(&title.as_str()) {
            break;
        }
    }
    if !TITLES.contains(&title.as_str()) {
        return None;
    }
    // "张总" only as a title, not inside 总共 or 总部.
    if title == "总" && doc.kind(end) == Some(Kind::Cjk) && doc.glued(end) && !matches!(doc.norm_of(end), "您" | "你")
    {
        return None;
    }
    Some(end)
}

/// The first surname-and-honorific that starts a word: nothing Chinese
/// glued in front but a self-introduction (我是陈先生) or greeting (你好).
fn chinese_honorific(doc: &Doc) -> Option<String> {
    for k in 0..doc.len() {
        if doc.kind(k) != Some(Kind::Cjk) {
            continue;
        }
        let free = k == 0
            || doc.kind(k - 1) != Some(Kind::Cjk)
            || !doc.glued(k)
            || matches!(doc.norm_of(k - 1), "是" | "好" | "叫" | "找" | "系" | "人");
        if !free {
            continue;
        }
        if let Some(end) = honorific_at(doc, k) {
            return Some(doc.span(k, end).to_owned());
        }
    }
    None
}

/// Words a cue such as 联系人 may be followed by that are not a name.
const ZH_NOT_NAME_START: &[&str] =
    &["电话", "手机", "邮箱", "电邮", "微信", "传真", "地址", "方式", "信息", "号码", "姓名", "名字", "身份"];

fn person_name(doc: &Doc, company: Option<(usize, usize)>) -> Option<String> {
    let legal = legal_hits(doc);
    cued_name(doc, company, &legal)
        .or_else(|| self_introduced(doc, &legal))
        .or_else(|| signed_name(doc, &legal))
        .or_else(|| chinese_honorific(doc))
}

/// A name signing off the message: on one of its last lines, alone or
/// followed by a comma and a company ("Thabo Mokoena, SunGrid Solutions"),
/// possibly after "Thanks," — never a place ("Hamburg, Germany").
fn signed_name(doc: &Doc, legal: &[Hit]) -> Option<String> {
    let n = doc.len();
    let mut line_starts: Vec<usize> = (1..n).filter(|&i| doc.kind(i - 1) == Some(Kind::Newline)).collect();
    let signed_off = line_starts.len();
    if (0..n).any(|i| doc.is_boundary(i) && doc.kind(i) != Some(Kind::Newline)) || signed_off > 0 {
        line_starts.insert(0, 0);
    }
    let places = crate::gazetteer::global().find(doc, &[]);
    let last = line_starts.len();
    for (li, &start) in line_starts.iter().enumerate().skip(last.saturating_sub(3)) {
        let mut k = start;
        // "-- Julien Moreau", "— Mark": a dash is how many sign a message.
        while k < n && matches!(doc.norm_of(k), "-" | "--" | "—" | "——" | "–") {
            k += 1;
        }
        let mut after_sign_off = false;
        while k < n && SIGN_OFFS.contains(&doc.norm_of(k)) {
            k += 1;
            after_sign_off = true;
        }
        if after_sign_off {
            if !(doc.is_punct(k, ',') || doc.is_punct(k, '!')) {
                continue;
            }
            k += 1;
            if doc.kind(k) == Some(Kind::Newline) {
                continue;
            }
        } else if li == 0 && signed_off == 0 {
            // A one-line message: only "…. Thanks, Oliver" counts, not its first words.
            continue;
        }
        if doc.kind(k) == Some(Kind::Cjk) {
            if let Some(name) = chinese_signature(doc, k) {
                return Some(name);
            }
            continue;
        }
        let Some((name, words, end)) = english_name_span(doc, legal, k) else { continue };
        let ends_line = end >= n || doc.kind(end) == Some(Kind::Newline);
        let then_company = doc.is_punct(end, ',') || doc.is_punct(end, '|') || doc.is_punct(end, '(');
        let enough = words >= 2 || (after_sign_off && ends_line);
        if !(enough && (ends_line || then_company)) {
            continue;
        }
        if places.iter().any(|p| p.start < end && k < p.end) {
            continue;
        }
        return Some(name);
    }
    None
}

/// A Chinese name alone at the end of a line ("——张伟"): a surname and one
/// or two more characters.
fn chinese_signature(doc: &Doc, k: usize) -> Option<String> {
    let mut j = k;
    while j < doc.len() && doc.kind(j) == Some(Kind::Cjk) && (j == k || doc.glued(j)) {
        j += 1;
    }
    let len = j - k;
    let line_ends = j >= doc.len() || doc.kind(j) == Some(Kind::Newline) || doc.is_boundary(j);
    if !(2..=3).contains(&len) || !line_ends || !ZH_SURNAMES.contains(doc.norm_of(k)) {
        return None;
    }
    Some(doc.span(k, j).to_owned())
}

/// The name after the first 的 of a short run of Chinese starting at `k`
/// (no punctuation in between): a surname with an honorific (林小姐) or a
/// surname and one or two more characters (张伟).
fn name_after_de(doc: &Doc, k: usize) -> Option<String> {
    let mut j = k;
    while j < doc.len() && j < k + 12 && doc.kind(j) == Some(Kind::Cjk) && !doc.is(j, "的") {
        j += 1;
    }
    if j == k || !doc.is(j, "的") {
        return None;
    }
    let s = j + 1;
    if let Some(end) = honorific_at(doc, s) {
        return Some(doc.span(s, end).to_owned());
    }
    if doc.kind(s) != Some(Kind::Cjk) || !ZH_SURNAMES.contains(doc.norm_of(s)) {
        return None;
    }
    let mut e = s + 1;
    while e < doc.len()
        && e < s + 3
        && doc.kind(e) == Some(Kind::Cjk)
        && doc.glued(e)
        && !ZH_NAME_END.contains(doc.norm_of(e))
    {
        e += 1;
    }
    // Whatever follows must end the name: punctuation or the end.
    let ends = e >= doc.len() || doc.kind(e) != Some(Kind::Cjk) || !doc.glued(e);
    ((2..=3).contains(&(e - s)) && ends).then(|| doc.span(s, e).to_owned())
}

/// A name after a cue: "I'm", "My name is", "Regards,", 我是, 联系人.
fn cued_name(doc: &Doc, company: Option<(usize, usize)>, legal: &[Hit]) -> Option<String> {
    let mut hits = Vec::new();
    indices().name_cues.find_all(doc, &mut hits);
    leftmost_longest(&mut hits, |_, _| false);
    if hits.is_empty() {
        return None;
    }
    for h in hits.into_iter().take(50) {
        let mut k = h.end;
        while k < doc.len()
            && (matches!(doc.kind(k), Some(Kind::Newline)) || doc.is_punct(k, ':') || doc.is_punct(k, ','))
        {
            k += 1;
        }
        if k >= doc.len() {
            continue;
        }
        if h.payload == 0 {
            let w = doc.norm_of(h.start);
            // "this is" introduces a name only at the start of a clause, and
            // "regards" only as a sign-off ("Best regards,\nMaria").
            if w == "this" && !doc.starts_upper(h.start) && !clause_start(doc, h.start) {
                continue;
            }
            if w == "regards" && h.end - h.start == 1 && doc.kind(h.end) != Some(Kind::Newline) {
                continue;
            }
            // "Kind regards,\nHamburg, Germany" signs off with a place.
            if crate::gazetteer::global().find(doc, &[]).iter().any(|p| p.start == k) {
                continue;
            }
            if let Some(n) = english_name_at(doc, legal, k) {
                return Some(n);
            }
            continue;
        }
        if doc.kind(k) == Some(Kind::Word) {
            if let Some(n) = english_name_at(doc, legal, k) {
                return Some(n);
            }
            continue;
        }
        // "我是上海启航贸易有限公司的张伟": skip the company, then 的.
        if let Some((c0, c1)) = company {
            if doc.toks[k].o0 == c0 {
                while k < doc.len() && doc.toks[k].o0 < c1 {
                    k += 1;
                }
                if !doc.is(k, "的") {
                    continue;
                }
                k += 1;
            }
        }
        // 我是陈先生: the honorific is how they want to be addressed.
        if let Some(end) = honorific_at(doc, k) {
            return Some(doc.span(k, end).to_owned());
        }
        // "我是曼谷的林小姐", "我是迪拜阳光能源的张伟": a place or a firm we
        // did not recognise as one, then 的, then the name.
        if let Some(name) = name_after_de(doc, k) {
            return Some(name);
        }
        let mut chars: Vec<&str> = Vec::new();
        let mut j = k;
        while j < doc.len() && doc.kind(j) == Some(Kind::Cjk) && chars.len() < 4 && (j == k || doc.glued(j)) {
            let c = doc.norm_of(j);
            if !chars.is_empty() && ZH_NAME_END.contains(c) {
                break;
            }
            chars.push(c);
            j += 1;
        }
        let joined: String = chars.concat();
        if ZH_NOT_NAME_START.iter().any(|w| joined.starts_with(w)) {
            continue;
        }
        let compound = chars.len() >= 2 && ZH_COMPOUND_SURNAMES.contains(&format!("{}{}", chars[0], chars[1]).as_str());
        let max = if compound { 4 } else { 3 };
        chars.truncate(max);
        let surname_ok = compound || chars.first().is_some_and(|c| ZH_SURNAMES.contains(c));
        if chars.len() < 2 || !surname_ok || ZH_NAME_END.contains(chars[0]) {
            continue;
        }
        return Some(doc.span(k, k + chars.len()).to_owned());
    }
    None
}

// ---------------------------------------------------------------- Incoterms

/// Words after a lower-case "fob" that show it is the trade term.
const TERM_NEXT: &[&str] = &[
    "terms",
    "term",
    "price",
    "prices",
    "pricing",
    "basis",
    "incoterm",
    "incoterms",
    "port",
    "shipping",
    "quote",
    "quotation",
    "价",
    "价格",
    "条款",
];

/// Incoterms in order of appearance, by token index. Latin codes count when
/// written in capitals or when a port, "terms" or similar follows; Chinese
/// names (离岸价, 到岸价, ...) always count.
pub(crate) fn incoterms_doc(doc: &Doc, place_starts: &[usize]) -> Vec<(usize, &'static str)> {
    let mut hits = Vec::new();
    indices().incoterms.find_all(doc, &mut hits);
    leftmost_longest(&mut hits, |_, _| false);
    let mut out = Vec::new();
    for h in hits {
        let code = INCOTERMS[(h.payload & 0xff) as usize % INCOTERMS.len()];
        if h.payload & 0x100 == 0 {
            let upper = (h.start..h.end).all(|i| doc.kind(i) != Some(Kind::Word) || doc.all_upper(i));
            let next = doc.norm_of(h.end);
            let prev = doc.norm_of(h.start.wrapping_sub(1));
            let ok = upper
                || TERM_NEXT.contains(&next)
                || place_starts.contains(&h.end)
                || matches!(prev, "incoterm" | "incoterms");
            if !ok {
                continue;
            }
        }
        out.push((h.start, code));
    }
    out
}

/// C and D terms name the destination; E and F terms name the origin.
pub(crate) fn incoterm_names_destination(code: &str) -> bool {
    code.starts_with('C') || code.starts_with('D')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_phone_formats() {
        assert_eq!(find_phones("call +49 40 1234567 today"), vec!["+49 40 1234567"]);
        assert_eq!(find_phones("电话 +86 138 0013 8000"), vec!["+86 138 0013 8000"]);
        assert_eq!(find_phones("0086 138 0013 8000"), vec!["0086 138 0013 8000"]);
        assert_eq!(find_phones("Tel: (040) 123-4567"), vec!["(040) 123-4567"]);
        assert_eq!(find_phones("手机13800138000"), vec!["13800138000"]);
        assert_eq!(find_phones("+1-212-555-0100."), vec!["+1-212-555-0100"]);
    }

    #[test]
    fn international_numbers_end_where_the_numbering_plan_says() {
        assert_eq!(find_phones("+1-212-555-0100 2 pcs"), vec!["+1-212-555-0100"]);
        assert_eq!(find_phones("电话 +86 138 0013 8000 12 个"), vec!["+86 138 0013 8000"]);
        // Not in the plan (a test number), still a phone by its shape.
        assert_eq!(find_phones("+49 40 1234567"), vec!["+49 40 1234567"]);
        assert_eq!(find_phones("+971 4 123 4567"), vec!["+971 4 123 4567"]);
        assert!(find_phones("ref +999 1234567").is_empty(), "no such country code");
    }

    #[test]
    fn numbering_plan_checks_are_bounded() {
        let found = find_phones(&"+49 40 1234567 ".repeat(500));
        assert_eq!(found.len(), 20, "the scan keeps the first 20");
        assert!(found.iter().all(|p| p == "+49 40 1234567"));
        // Past the budget the digit counts decide, as they did before.
        // Each of these costs six checks (one per group end that fits).
        let one = "+999 1 2 3 4 5 6 7 8 9 ";
        assert!(find_phones(&one.repeat(5)).is_empty());
        let found = find_phones(&one.repeat(1000));
        assert!(!found.is_empty() && found.len() <= 20);
    }

    #[test]
    fn quantities_and_dates_are_not_phones() {
        assert!(find_phones("need 800 pcs, 1,200 units, by 2024-03-01").is_empty());
        assert!(find_phones("order 12345678").is_empty());
    }

    #[test]
    fn emails_are_found_and_trimmed() {
        assert_eq!(find_emails("mail: Anna.Berg@nordlicht-energie.de."), vec!["Anna.Berg@nordlicht-energie.de"]);
        assert!(find_emails("me @ home, a@b").is_empty());
    }

    #[test]
    fn english_companies_end_in_legal_forms() {
        let c = |t: &str| extract_contact(t).company;
        assert_eq!(c("Hamburg. Nordlicht Energie GmbH, +49"), Some("Nordlicht Energie GmbH".into()));
        assert_eq!(c("We are Shenzhen Bright Power Co., Ltd. and we"), Some("Shenzhen Bright Power Co., Ltd".into()));
        assert_eq!(c("From Acme Trading LLC"), Some("Acme Trading LLC".into()));
        assert_eq!(c("Solar Solutions S.A. here"), Some("Solar Solutions S.A.".into()));
        assert_eq!(c("Gulf Energy FZE, Dubai"), Some("Gulf Energy FZE".into()));
        assert_eq!(c("Kuala Power Sdn Bhd"), Some("Kuala Power Sdn Bhd".into()));
        assert_eq!(c("Sydney Cycles Pty Ltd"), Some("Sydney Cycles Pty Ltd".into()));
        assert_eq!(c("Milano Bici S.r.l."), Some("Milano Bici S.r.l.".into()));
        assert_eq!(c("Dutch E-Mobility B.V. in Rotterdam"), Some("Dutch E-Mobility B.V.".into()));
        assert_eq!(c("Alpen Strom AG"), Some("Alpen Strom AG".into()));
        assert_eq!(c("Bretagne Velo SAS"), Some("Bretagne Velo SAS".into()));
        assert_eq!(c("Thames Power PLC and"), Some("Thames Power PLC".into()));
        assert_eq!(c("Emirates Trading FZCO"), Some("Emirates Trading FZCO".into()));
        assert_eq!(c("We are OOO Romashka from Moscow"), Some("OOO Romashka".into()));
        assert_eq!(c("PT Maju Jaya, Jakarta"), Some("PT Maju Jaya".into()));
        assert_eq!(c("we sell to a company in Germany"), None);
        assert_eq!(c("Limited stock is fine"), None);
    }

    #[test]
    fn chinese_company_names() {
        let c = |t: &str| extract_contact(t).company;
        assert_eq!(c("你好，我们是上海启航贸易有限公司，需要"), Some("上海启航贸易有限公司".into()));
        assert_eq!(c("深圳市华通电子股份有限公司"), Some("深圳市华通电子股份有限公司".into()));
        assert_eq!(c("贵公司的报价"), None);
        assert_eq!(c("我们公司需要"), None);
    }

    #[test]
    fn contact_person_from_introductions() {
        let n = |t: &str| extract_contact(t).contact.name;
        assert_eq!(n("Hi, I'm John Smith from Nordlicht."), Some("John Smith".into()));
        assert_eq!(n("My name is Anna Berg"), Some("Anna Berg".into()));
        assert_eq!(n("I'm interested in batteries"), None);
        assert_eq!(n("我是张伟，需要电池"), Some("张伟".into()));
        assert_eq!(n("联系人：王芳"), Some("王芳".into()));
        assert_eq!(n("我是上海启航贸易有限公司的李明"), Some("李明".into()));
        assert_eq!(n("我是采购经理"), None);
        assert_eq!(n("Best regards,\nMaria Lopez"), Some("Maria Lopez".into()));
    }

    #[test]
    fn credit_codes_need_their_check_character() {
        let c = extract_contact("统一社会信用代码：91310000MA1FL5YX29").credit_code;
        assert_eq!(c.as_deref(), Some("91310000MA1FL5YX29"));
        assert_eq!(extract_contact("code 91440300ma5f0tq01e").credit_code.as_deref(), Some("91440300MA5F0TQ01E"));
        assert_eq!(extract_contact("统一社会信用代码：91310000MA1FL5YX2K").credit_code, None, "wrong check character");
        assert_eq!(extract_contact("code ABCDEFGHJKLMNPQRTU").credit_code, None);
        assert_eq!(extract_contact("code 91310000MA1FL5YX2I").credit_code, None);
        assert_eq!(extract_contact("统一社会信用代码 91310000MA1FL5YX2K").credit_code, None, "wrong check character");
    }

    #[test]
    fn a_resident_id_is_never_taken_for_a_credit_code() {
        assert_eq!(extract_contact("身份证号 11010519491231002X").credit_code, None);
        assert_eq!(
            extract_contact("ID 440524188001010014, 统一社会信用代码 91350100M000100Y43").credit_code.as_deref(),
            Some("91350100M000100Y43")
        );
    }

    #[test]
    fn a_phone_cue_is_not_a_contact_name() {
        for text in ["电话：+86 138 0013 8000", "联系人电话 13800138000", "电话 +49 40 1234567，谢谢"] {
            let name = extract_contact(text).contact.name;
            assert!(name.as_deref().is_none_or(|n| !n.contains("电话")), "{text}: {name:?}");
        }
    }

    #[test]
    fn a_resident_id_is_never_read_as_a_credit_code() {
        assert_eq!(extract_contact("身份证 44030419900307123X").credit_code, None);
        assert_eq!(
            extract_contact("ID 11010519491231002X, USCC 92110105L123456787").credit_code.as_deref(),
            Some("92110105L123456787")
        );
    }

    #[test]
    fn a_phone_cue_after_a_name_cue_is_not_a_name() {
        for text in ["联系人电话：13912345678", "联系人手机 13800138000", "姓名电话 13800138000"] {
            assert_eq!(extract_contact(text).contact.name, None, "{text}");
        }
    }

    #[test]
    fn writers_introduce_themselves_in_many_ways() {
        let n = |t: &str| extract_contact(t).contact.name;
        assert_eq!(n("Reza Karimi from Caspian Lighting LLC, 300 high bays"), Some("Reza Karimi".into()));
        assert_eq!(n("Pieter de Vries here, 100 micro inverters"), Some("Pieter de Vries".into()));
        assert_eq!(n("Dear Sir, Maria Santos from Sol Energia Ltda."), Some("Maria Santos".into()));
        assert_eq!(n("Hello Mr. Chen, this is Anna Berg from Nordlicht."), Some("Anna Berg".into()));
        assert_eq!(n("Please quote 80 batteries.\nThanks, Oliver Hughes"), Some("Oliver Hughes".into()));
        assert_eq!(
            n("Please quote 80 batteries, CIF Durban.\nThabo Mokoena, SunGrid Solutions"),
            Some("Thabo Mokoena".into())
        );
        assert_eq!(n("陈先生，需要500个彩屏仪表"), Some("陈先生".into()));
        assert_eq!(n("我是陈先生，需要逆变器"), Some("陈先生".into()));
        assert_eq!(n("订购三百套，发往米兰。\n刘经理"), Some("刘经理".into()));
        assert_eq!(n("王经理您好！我是曼谷的林小姐，需要1000个工矿灯"), Some("林小姐".into()));
        assert_eq!(n("李经理您好，我是迪拜阳光能源的张伟，需要逆变器"), Some("张伟".into()));
        assert_eq!(n("Please quote 300 street lights.\n-- Julien Moreau"), Some("Julien Moreau".into()));
    }

    #[test]
    fn greetings_recipients_and_places_are_not_the_writer() {
        let n = |t: &str| extract_contact(t).contact.name;
        assert_eq!(n("Hi Maria, we need 100 power stations."), None);
        assert_eq!(n("Attn: Mr. Wang. We need 100 inverters."), None);
        assert_eq!(n("Please ship to us.\nKind regards,\nHamburg, Germany"), None);
        assert_eq!(n("Dear Sir, please quote 100 hub motors."), None);
        assert_eq!(n("我们需要总共500个"), None);
    }

    #[test]
    fn incoterms_whole_word_and_case_rules() {
        assert_eq!(extract_incoterm("Price FOB Shenzhen please"), Some("FOB".into()));
        assert_eq!(extract_incoterm("cif hamburg"), Some("CIF".into()));
        assert_eq!(extract_incoterm("on fob terms"), Some("FOB".into()));
        assert_eq!(extract_incoterm("the dap of the"), None);
        assert_eq!(extract_incoterm("FOBS and CIFFY"), None);
        assert_eq!(extract_incoterm("请报离岸价"), Some("FOB".into()));
        assert_eq!(extract_incoterm("到岸价多少"), Some("CIF".into()));
        assert_eq!(extract_incoterm("DDP"), Some("DDP".into()));
        assert_eq!(extract_incoterm("C&F Lagos"), Some("CFR".into()));
    }
}
