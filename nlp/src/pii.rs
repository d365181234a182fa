//! Personal data in free text (请求内容脱敏): Chinese resident identity
//! numbers (by their check digit), payment card numbers (Luhn), IBANs (mod
//! 97), phone numbers, e-mail addresses and passport numbers. `mask` hides
//! what it finds while keeping the text readable (`+49 40 ****567`,
//! `r***@example.com`, `1101**********002X`), so that turns, transcripts,
//! results, logs, cards and model prompts can carry a message without the
//! identifiers in it.
//!
//! Pure and bounded like the rest of the crate. Masking is idempotent: a
//! masked identifier no longer looks like one, so text can pass through
//! several masking boundaries. Check digits keep quantities, SKUs and HS
//! codes (which are shorter, or fail the check) out of the findings.

use std::borrow::Cow;

use tradewind_core::ids::{is_valid_card_number, is_valid_iban, is_valid_resident_id};

use crate::contact::{scan_emails, scan_phones};
use crate::text::{Doc, SCAN_CAP};

/// What kind of identifier a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    ResidentId,
    CardNumber,
    Iban,
    Passport,
    Email,
    Phone,
}

/// One identifier, as a byte range of the text it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiMatch {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// Fewer digits than this, and no `@`, cannot hold any identifier we look
/// for; most strings (product names, template text) stop here.
const MIN_DIGITS: usize = 5;

/// Words that announce a passport number.
const PASSPORT_CUES: &[&str] = &["passport", "护照", "reisepass", "passeport", "pasaporte"];
/// Words between a cue and the number ("passport no. …").
const PASSPORT_FILLERS: &[&[u8]] = &[b"no", b"nr", b"num", b"number", b"is", b"id", b"n", b"o"];

/// A resident identity number: its check digit, and a birth date
/// (characters 7-14) that is a real day. Both are needed to tell one from an
/// all-digit credit code whose last digit happens to fit.
pub fn is_resident_id(s: &str) -> bool {
    if !is_valid_resident_id(s) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|d| d.parse::<u32>().ok()).unwrap_or(0);
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    (1850..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// A cheap test that `text` may hold an identifier; `find` is exact.
pub fn may_contain(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            digits += 1;
            if digits >= MIN_DIGITS {
                return true;
            }
        } else if c == '@' || c == '＠' {
            return true;
        }
    }
    false
}

/// Every identifier in `text`, in order, without overlaps.
pub fn find(text: &str) -> Vec<PiiMatch> {
    if !may_contain(text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (start, end) in windows(text) {
        let mut offset = start;
        for chunk in chunks(&text[start..end], SCAN_CAP) {
            for m in find_in(chunk) {
                out.push(PiiMatch { kind: m.kind, start: m.start + offset, end: m.end + offset });
            }
            offset += chunk.len();
        }
    }
    out
}

/// `text` with every identifier masked; borrowed when there was none.
pub fn mask(text: &str) -> Cow<'_, str> {
    // Most strings have no identifier's digits at all; they cost one pass,
    // never a hash.
    if !may_contain(text) {
        return Cow::Borrowed(text);
    }
    if text.len() < MEMO_MIN_BYTES {
        return mask_uncached(text);
    }
    let key = memo_key(text);
    if let Some(known) = MEMO.get(&key) {
        return match known {
            Some(masked) => Cow::Owned(masked.to_string()),
            None => Cow::Borrowed(text),
        };
    }
    let out = mask_uncached(text);
    let stored = match &out {
        Cow::Borrowed(_) => None,
        Cow::Owned(m) => Some(std::sync::Arc::<str>::from(m.as_str())),
    };
    MEMO.insert(key, stored);
    out
}

/// Texts shorter than this are masked afresh each time: hashing and a
/// cache lookup would cost about what the scan does. Short texts are still
/// worth keeping: on the benchmark corpus, 97% of the texts with digits that
/// an inquiry masks (chunk ids, citations, HS lines, list dates) are texts
/// another inquiry masked before.
const MEMO_MIN_BYTES: usize = 16;

/// The same long texts pass several masking boundaries in one inquiry (a
/// proposal is masked in its transcript step, its stored result, its review
/// draft, its delivery body and payload), and masking is pure, so a text
/// is masked once: keyed by a 128-bit hash of the text, the value is
/// the masked text (no identifiers left) or `None` when nothing changed.
/// Bounded by the bytes it holds.
static MEMO: std::sync::LazyLock<moka::sync::Cache<u128, Option<std::sync::Arc<str>>>> =
    std::sync::LazyLock::new(|| {
        moka::sync::Cache::builder()
            .max_capacity(4 << 20)
            .weigher(|_, v: &Option<std::sync::Arc<str>>| {
                u32::try_from(32 + v.as_ref().map_or(0, |s| s.len())).unwrap_or(u32::MAX)
            })
            .build()
    });

fn memo_key(text: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        let mut h = std::hash::DefaultHasher::new();
        salt.hash(&mut h);
        text.hash(&mut h);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

fn mask_uncached(text: &str) -> Cow<'_, str> {
    let Some(mut out) = mask_once(text) else { return Cow::Borrowed(text) };
    // Masking a number can make its neighbours read as one ("+49 40 1234567
    // 800 1 100212": the phone's masked digits leave "1 100212" to read as
    // another); masked text must not change when masked again, so repeat
    // until it does not. Each pass only turns digits into stars, so this ends.
    for _ in 0..4 {
        match mask_once(&out) {
            Some(next) => out = next,
            None => break,
        }
    }
    Cow::Owned(out)
}

fn mask_once(text: &str) -> Option<String> {
    let found = find(text);
    if found.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in found {
        out.push_str(&text[at..m.start]);
        out.push_str(&mask_one(m.kind, &text[m.start..m.end]));
        at = m.end;
    }
    out.push_str(&text[at..]);
    // A match already masked masks to itself: nothing changed.
    (out != text).then_some(out)
}

/// Masks every string inside a JSON value (keys stay: they are ours).
/// Returns whether anything changed.
pub fn mask_json(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => match mask(s) {
            Cow::Borrowed(_) => false,
            Cow::Owned(m) => {
                *s = m;
                true
            }
        },
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |acc, i| mask_json(i) | acc),
        serde_json::Value::Object(map) => map.values_mut().fold(false, |acc, i| mask_json(i) | acc),
        _ => false,
    }
}

/// Masks an owned string in place.
pub fn mask_in_place(s: &mut String) {
    if let Cow::Owned(m) = mask(s) {
        *s = m;
    }
}

/// Pieces of at most `max` bytes, cut after a line break (or a space) when
/// one is near, so that an identifier is rarely cut in two.
fn chunks(text: &str, max: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() <= max {
            let all = rest;
            rest = "";
            return Some(all);
        }
        let mut end = max;
        while end > 0 && !rest.is_char_boundary(end) {
            end -= 1;
        }
        let head = &rest[..end];
        let cut = head.rfind('\n').or_else(|| head.rfind(' ')).filter(|&c| c > max / 2).map_or(end, |c| c + 1);
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

/// Context a finding may need around its digits or its `@`: the cue words
/// before a phone (24 bytes) or a passport number (the cue and 40 bytes).
const WINDOW_MARGIN: usize = 64;

/// The stretches of `text` that can hold an identifier: every digit and
/// every `@`, with `WINDOW_MARGIN` bytes of context each side (an `@` also
/// with its whole whitespace-free run, the longest an address can be),
/// merged, and widened to whitespace so that no word is cut (a cut word
/// could read as a cue: "graph" cut to "ph"). Identifiers are masked in
/// prompts, transcripts and results that are mostly prose and tables of
/// words; normalising and tokenising only these stretches, not the whole
/// text, was most of the CPU an inquiry spent on masking.
fn windows(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let n = b.len();
    let back_to_space = |mut i: usize| {
        let floor = i.saturating_sub(WINDOW_MARGIN);
        while i > floor && !b[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let on_to_space = |mut i: usize| {
        let ceil = (i + WINDOW_MARGIN).min(n);
        while i < ceil && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        while i < n && !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        let at = c == '@' || c == '＠';
        if !(at || c.is_ascii_digit() || ('０'..='９').contains(&c)) {
            continue;
        }
        let (mut a, mut z) = (i, i + c.len_utf8());
        if at {
            while a > 0 && !b[a - 1].is_ascii_whitespace() {
                a -= 1;
            }
            while z < n && !b[z].is_ascii_whitespace() {
                z += 1;
            }
        }
        let a = back_to_space(a.saturating_sub(WINDOW_MARGIN));
        let z = on_to_space((z + WINDOW_MARGIN).min(n));
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(z),
            _ => out.push((a, z)),
        }
    }
    out
}

fn find_in(text: &str) -> Vec<PiiMatch> {
    // The scanners below read the folded text only, never tokens.
    let doc = Doc::normalized(text);
    let s = doc.norm.as_bytes();
    // Check digits outrank shapes: the first of overlapping findings stays.
    let mut found: Vec<PiiMatch> = Vec::new();
    let orig = |kind, (a, b): (usize, usize)| PiiMatch { kind, start: doc.norm_to_orig(a), end: doc.norm_to_orig(b) };
    // An IBAN's digits may pass a resident ID's or a card's check by chance.
    for span in ibans(s) {
        found.push(orig(PiiKind::Iban, span));
    }
    for (kind, span) in digit_runs(s) {
        found.push(orig(kind, span));
    }
    for span in passports(&doc.norm) {
        found.push(orig(PiiKind::Passport, span));
    }
    for (a, b) in scan_emails(&doc) {
        found.push(PiiMatch { kind: PiiKind::Email, start: a, end: b });
    }
    for (a, b) in scan_phones(&doc) {
        found.push(PiiMatch { kind: PiiKind::Phone, start: a, end: b });
    }
    // Keep the first of overlapping findings, in the order pushed.
    let mut kept: Vec<PiiMatch> = Vec::with_capacity(found.len());
    for m in found {
        if m.start < m.end && !kept.iter().any(|k| m.start < k.end && k.start < m.end) {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| m.start);
    kept
}

/// True when a number starting after byte `prev` would be part of a larger
/// token: a SKU (`TW-4820…`), a decimal, a path, an id.
fn glued_before(s: &[u8], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let p = s[i - 1];
    if p.is_ascii_alphanumeric() || matches!(p, b'_' | b'/' | b'*' | b'+' | b'@') {
        return true;
    }
    matches!(p, b'-' | b'.') && i >= 2 && s[i - 2].is_ascii_alphanumeric()
}

fn glued_after(s: &[u8], e: usize) -> bool {
    match s.get(e) {
        None => false,
        Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'*' | b'@') => true,
        Some(b'-' | b'.') => s.get(e + 1).is_some_and(u8::is_ascii_alphanumeric),
        _ => false,
    }
}

/// Resident IDs and card numbers: runs of digit groups joined by single
/// spaces or dashes (`4111 1111 1111 1111`, `110105 19491231 002X`). The
/// longest prefix of whole groups that passes a check wins.
fn digit_runs(s: &[u8]) -> Vec<(PiiKind, (usize, usize))> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if !s[i].is_ascii_digit() || glued_before(s, i) {
            i += 1;
            continue;
        }
        // (end of group, digits so far)
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        let mut digits = 0;
        loop {
            let g0 = j;
            while j < s.len() && s[j].is_ascii_digit() && digits < 24 {
                j += 1;
                digits += 1;
            }
            // A resident ID's check character may be X.
            if digits == 17 && j - g0 > 0 && matches!(s.get(j), Some(b'x')) {
                j += 1;
                digits += 1;
            }
            groups.push((j, digits));
            let joins = matches!(s.get(j), Some(b' ' | b'-')) && s.get(j + 1).is_some_and(u8::is_ascii_digit);
            if !joins || digits >= 24 {
                break;
            }
            j += 1;
        }
        let mut hit = None;
        for &(end, n) in groups.iter().rev() {
            // Only 13 to 19 digits can be a card or a resident ID; most
            // runs are quantities and prices, not worth the string.
            if !(13..=19).contains(&n) || glued_after(s, end) {
                continue;
            }
            let compact: String = s[i..end].iter().filter(|c| c.is_ascii_alphanumeric()).map(|&c| c as char).collect();
            if n == 18 && is_resident_id(&compact) {
                hit = Some((PiiKind::ResidentId, end));
                break;
            }
            if (13..=19).contains(&n) && is_valid_card_number(&compact) {
                hit = Some((PiiKind::CardNumber, end));
                break;
            }
        }
        match hit {
            Some((kind, end)) => {
                out.push((kind, (i, end)));
                i = end;
            }
            None => i = groups.first().map_or(i + 1, |g| g.0.max(i + 1)),
        }
    }
    out
}

/// IBANs: two letters, two digits, then letters and digits in groups of
/// any size separated by single spaces; the longest prefix of whole groups
/// that passes mod 97.
fn ibans(s: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= s.len() {
        let head = s[i].is_ascii_alphabetic()
            && s[i + 1].is_ascii_alphabetic()
            && s[i + 2].is_ascii_digit()
            && s[i + 3].is_ascii_digit();
        if !head || (i > 0 && s[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut ends = Vec::new();
        let mut j = i;
        let mut n = 0;
        while j < s.len() && n < 34 {
            if s[j].is_ascii_alphanumeric() {
                j += 1;
                n += 1;
                if j == s.len() || !s[j].is_ascii_alphanumeric() {
                    ends.push(j);
                }
            } else if s[j] == b' ' && s.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) {
                j += 1;
            } else {
                break;
            }
        }
        let hit = ends.iter().rev().copied().find(|&e| {
            let compact: String = s[i..e].iter().filter(|c| c.is_ascii_alphanumeric()).map(|&c| c as char).collect();
            compact.len() >= 15 && is_valid_iban(&compact)
        });
        match hit {
            Some(e) => {
                out.push((i, e));
                i = e;
            }
            None => i += 1,
        }
    }
    out
}

/// Passport numbers: the first letters-and-digits token (5-12 long, at
/// least three digits) within a few words after a cue ("passport",
/// "护照"), and anywhere the unmistakable shape of a Chinese passport
/// (E or G and eight digits, or E, a letter and seven digits).
fn passports(norm: &str) -> Vec<(usize, usize)> {
    let s = norm.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for cue in PASSPORT_CUES {
        for (at, _) in norm.match_indices(cue).take(20) {
            let mut j = at + cue.len();
            let limit = (j + 40).min(s.len());
            // The number is the first token after the cue and its filler
            // words ("no.", "number", "号码："); anything else ends the look.
            while j < limit {
                if !s[j].is_ascii_alphanumeric() {
                    j += 1;
                    continue;
                }
                let a = j;
                while j < s.len() && s[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                let token = &s[a..j];
                if PASSPORT_FILLERS.contains(&token) {
                    continue;
                }
                let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
                if (5..=12).contains(&token.len()) && digits >= 3 {
                    out.push((a, j));
                }
                break;
            }
        }
    }
    let mut i = 0;
    while i < s.len() {
        if !s[i].is_ascii_alphanumeric() || (i > 0 && s[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < s.len() && s[j].is_ascii_alphanumeric() {
            j += 1;
        }
        let t = &s[i..j];
        let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
        let cn = t.len() == 9
            && ((matches!(t[0], b'e' | b'g') && digits(&t[1..]))
                || (t[0] == b'e' && t[1].is_ascii_alphabetic() && digits(&t[2..])));
        if cn && !out.iter().any(|&(a, _)| a == i) {
            out.push((i, j));
        }
        i = j;
    }
    out
}

/// The masked form of one identifier: separators stay, so the shape still
/// reads; only a few leading and trailing characters stay visible.
fn mask_one(kind: PiiKind, raw: &str) -> String {
    if kind == PiiKind::Email {
        let Some((local, domain)) = raw.split_once(['@', '＠']) else {
            return "***".into();
        };
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let significant = raw.chars().filter(|c| c.is_alphanumeric()).count();
    let (keep_head, keep_tail) = match kind {
        PiiKind::ResidentId => (4, 4),
        PiiKind::CardNumber => (0, 4),
        PiiKind::Iban => (4, 4),
        PiiKind::Passport => (1, 2),
        // The country and area code stay readable (who is calling from
        // where); at least four subscriber digits are always hidden.
        PiiKind::Phone => (significant.saturating_sub(7).min(4), 3.min(significant / 2)),
        PiiKind::Email => (0, 0),
    };
    // Otherwise never show more than half of it, however short.
    let (keep_head, keep_tail) = if kind != PiiKind::Phone && keep_head + keep_tail > significant / 2 {
        (keep_head.min(significant / 4), keep_tail.min(significant / 4))
    } else {
        (keep_head, keep_tail)
    };
    let mut seen = 0;
    raw.chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= keep_head || seen > significant - keep_tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole text scanned at once, as `find` did before windows.
    fn find_whole(text: &str) -> Vec<PiiMatch> {
        let mut out = Vec::new();
        let mut offset = 0;
        for chunk in chunks(text, SCAN_CAP) {
            for m in find_in(chunk) {
                out.push(PiiMatch { kind: m.kind, start: m.start + offset, end: m.end + offset });
            }
            offset += chunk.len();
        }
        out
    }

    #[test]
    fn a_long_text_masks_the_same_from_the_memo_as_afresh() {
        let text = format!("{} Call +49 40 1234567 today.", "Sea freight to Hamburg takes 30 days. ".repeat(20));
        let first = mask(&text).into_owned();
        assert!(first.contains("****567"), "{first}");
        assert_eq!(mask(&text), first);
        assert_eq!(mask_uncached(&text), first);
        let clean = "No identifiers here, only prose. ".repeat(30);
        assert!(matches!(mask(&clean), Cow::Borrowed(_)));
        assert!(matches!(mask(&clean), Cow::Borrowed(_)));
    }

    #[test]
    fn scanning_windows_finds_what_scanning_the_whole_text_finds() {
        let filler = "We quote FOB Shenzhen by default; the battery packs ship as Class nine goods with an MSDS. ";
        let prose_zh = "我们的标准付款方式是电汇，确认形式发票后支付定金，出货前支付余款。";
        let pieces = [
            "Call me on +49 40 1234567 or write to anna.schmidt@nordlicht-energie.de today.",
            "passport no. E12345678, tel: 0049-40-765 4321",
            "身份证 11010519491231002X，电话 138 0013 8000，邮箱 wang＠example.cn",
            "IBAN DE89 3704 0044 0532 0130 00 and card 4111 1111 1111 1111",
            "| TW-BP-4820 | 800 | 239.00 | 191,200.00 | 25 days | HS 8507600090 |",
            "Reisepass Nr. C01X00T47 ph: ０４０ １２３４ ５６７",
            "graph 12345 photo 1234567 paragraph 7654321",
        ];
        let mut texts = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            texts.push(p.to_string());
            texts.push(format!("{}{p}{}", filler.repeat(i + 1), prose_zh.repeat(3)));
            texts.push(format!("{prose_zh}\n{p}\n{}", filler.repeat(40)));
        }
        texts.push(pieces.join(&filler.repeat(2)));
        texts.push(pieces.concat());
        for t in &texts {
            assert_eq!(find(t), find_whole(t), "{t}");
        }
        assert!(!find(&texts[texts.len() - 1]).is_empty());
    }

    #[test]
    fn masked_text_stays_the_same_when_masked_again() {
        // Found by the property test: masking the phone left "1 100212" to
        // read as a number of its own on the second pass.
        let once = mask("+49 40 1234567 800 1 100212").into_owned();
        assert_eq!(mask(&once), once);
        assert!(find(&once).is_empty(), "{once}");
    }

    fn kinds(text: &str) -> Vec<(PiiKind, &str)> {
        find(text).into_iter().map(|m| (m.kind, &text[m.start..m.end])).collect()
    }

    #[test]
    fn each_identifier_is_found_by_its_check_or_shape() {
        let text = "身份证 11010519491231002X, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, \
                    passport no. C01X00T47, tel +49 40 1234567, mail ruth.lee@example.com, 手机 13800138000";
        let got = kinds(text);
        assert_eq!(
            got,
            vec![
                (PiiKind::ResidentId, "11010519491231002X"),
                (PiiKind::CardNumber, "4111 1111 1111 1111"),
                (PiiKind::Iban, "DE89 3704 0044 0532 0130 00"),
                (PiiKind::Passport, "C01X00T47"),
                (PiiKind::Phone, "+49 40 1234567"),
                (PiiKind::Email, "ruth.lee@example.com"),
                (PiiKind::Phone, "13800138000"),
            ]
        );
    }

    #[test]
    fn masks_keep_the_text_readable() {
        assert_eq!(mask("ID 11010519491231002X"), "ID 1101**********002X");
        assert_eq!(mask("tel +49 40 1234567"), "tel +49 40 ****567");
        assert_eq!(mask("ruth@example.com"), "r***@example.com");
        assert_eq!(mask("4111-1111-1111-1111"), "****-****-****-1111");
        assert_eq!(mask("GB82WEST12345698765432"), "GB82**************5432");
        assert_eq!(mask("护照号码：E12345678"), "护照号码：E******78");
    }

    #[test]
    fn quantities_skus_hs_codes_and_ids_are_left_alone() {
        for text in [
            "800 units of TW-BP-4820 to Hamburg, CIF, 1,200 pcs",
            "HS 8507600090 and 850760",
            "inquiry inq-18bcfe56800-3f2a1b4c for c:telegram:123456789",
            "4111 1111 1111 1112 fails Luhn",
            "110105194912310021 fails its check digit",
            "quantity 5000 at USD 12.50, 2024-06-01",
        ] {
            assert_eq!(mask(text), text, "{text}");
        }
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        let text = "11010519491231002X +86 138 0013 8000 a.b@example.org 5500-0000-0000-0004 passport E12345678";
        let once = mask(text).into_owned();
        assert_ne!(once, text);
        assert_eq!(mask(&once), once);
        assert!(find(&once).is_empty(), "{once}");
    }

    #[test]
    fn json_strings_are_masked_at_any_depth() {
        let mut v = serde_json::json!({"a": ["call +49 40 1234567"], "b": {"c": "ok", "d": 3}});
        assert!(mask_json(&mut v));
        assert_eq!(v["a"][0], "call +49 40 ****567");
        assert!(!mask_json(&mut v));
    }

    #[test]
    fn long_text_is_masked_past_the_scan_cap() {
        let text = format!("{}\nmail me at zed@example.com\n", "filler words here\n".repeat(3000));
        assert!(text.len() > SCAN_CAP * 2);
        assert!(mask(&text).contains("z***@example.com"));
    }
}
