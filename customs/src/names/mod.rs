//! How screening reads and compares names.
//!
//! [`analyse`] turns a name in any script into words a list would write:
//! romanised (Cyrillic, Arabic, Chinese, Korean by Revised Romanization,
//! Japanese kana by Hepburn, and a fallback for the rest), without case,
//! punctuation or diacritics, number words as digits, legal forms set aside
//! (Ltd, LLC, GmbH, OOO, JSC, 有限公司 …; their kind still tells an AG from a
//! GmbH), and each word classed (a name, a trade word, a place, a particle, a
//! title, a number, an initial) with its phonetic key.
//!
//! [`compare`] scores two analysed names in [0, 1]: their words are paired
//! by similarity (Jaro-Winkler on spelling and on phonetic form, vowel-free
//! skeletons for scripts that leave short vowels out, initials, acronyms,
//! words split or run together), and the score is the weighted share of the
//! words that found a partner. A word with no partner costs more on the
//! screened side than on the list side (a list entry may carry a middle name
//! the customer never writes), and two words that disagree cost most.

pub mod han;
pub mod hangul;
pub mod index;
pub mod kana;
pub mod metrics;
pub mod pairs;
pub mod phonetic;
pub mod translit;
pub mod vocab;
pub mod wade_giles;

use std::fmt::Write as _;
use std::sync::OnceLock;

use translit::Script;
pub use vocab::LegalKind;

/// What a word of a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Name,
    Generic,
    Location,
    Particle,
    Honorific,
    Numeric,
    Initial,
    Patronymic,
}

impl Class {
    /// How much the word says about who the party is.
    pub fn weight(self) -> f64 {
        match self {
            Class::Name => 1.0,
            Class::Generic => 0.5,
            Class::Location => 0.6,
            Class::Patronymic => 0.5,
            Class::Initial => 0.4,
            Class::Numeric => 0.35,
            Class::Particle => 0.2,
            Class::Honorific => 0.15,
        }
    }

    /// Two unpaired words of these classes contradict each other (two
    /// different surnames, two different countries), rather than one side
    /// merely saying more.
    fn conflicts_with(self, other: Class) -> bool {
        use Class::*;
        matches!(
            (self, other),
            (Name | Patronymic | Initial, Name | Patronymic | Initial)
                | (Location, Location)
                | (Numeric, Numeric)
                | (Generic, Generic)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub text: String,
    pub phon: String,
    pub skel: String,
    pub class: Class,
    /// Romanised from a script whose spelling of vowels (or of foreign
    /// sounds) cannot be trusted: compared by consonants too.
    pub abjad: bool,
    /// Romanised by us from a non-Latin script (the list may have used
    /// another scheme: more spelling differences are allowed).
    pub romanised: bool,
    /// Stands for the initials of several words ("PLA", "US").
    acronym: bool,
    /// A syllable of a Chinese name romanised from characters: pinyin is
    /// exact, so it pairs only with a word that sounds the same.
    pub strict: bool,
    /// The Chinese or Korean characters the word was romanised from: two
    /// names that read alike may still be written differently (张伟, 章伟).
    pub orig: Option<Box<str>>,
}

impl Token {
    pub(crate) fn acronym_flag(&self) -> bool {
        self.acronym
    }

    fn new(text: String, class: Class, abjad: bool) -> Self {
        let phon = phonetic::phonetic(&text);
        let skel = phonetic::skeleton(&phon);
        Token { text, phon, skel, class, abjad, romanised: false, acronym: false, strict: false, orig: None }
    }
}

/// A name as screening reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameForm {
    pub tokens: Vec<Token>,
    /// The kind of the legal form the name carried, if any.
    pub legal: Option<LegalKind>,
}

impl NameForm {
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The words, space-separated: the normalised name.
    pub fn normalized(&self) -> String {
        self.tokens.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// Normalised words of a name (compatibility helper for callers that only
/// want the words).
pub fn normalize_name(name: &str) -> Vec<String> {
    analyse(name).tokens.into_iter().map(|t| t.text).collect()
}

/// Longest name we read, in bytes; list names and screened names are far
/// shorter, and the bound keeps the work per name fixed.
const MAX_NAME_BYTES: usize = 512;
/// Most words we keep of one name.
const MAX_WORDS: usize = 24;

pub fn analyse(name: &str) -> NameForm {
    let name = cap(name, MAX_NAME_BYTES);
    let mut words = romanise(name);
    words.truncate(MAX_WORDS * 2);
    let words = tidy(words);
    let (words, legal) = strip_legal_forms(words);
    let mut tokens = classify(words);
    tokens.truncate(MAX_WORDS);
    NameForm { tokens, legal }
}

fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A romanised word and the script it came from.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    script: Script,
    /// Romanised the way lists write such names (a Chinese person's name in
    /// pinyin): compared as written rather than by its consonants.
    exact: bool,
    /// The characters behind a romanised Chinese or Korean name word.
    orig: Option<String>,
    /// Written as a number word ("forty", "first"), so that a run of them
    /// adds up to one number.
    number_word: bool,
}

impl Word {
    fn new(text: String, script: Script) -> Self {
        Word { text, script, exact: false, orig: None, number_word: false }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '´' | '‘' | 'ʻ' | 'ʹ')
}

/// Splits a name into words at spaces, punctuation, changes of script and
/// camel-case humps ("SiemensAG", "RamiMakhlouf"), and romanises each word.
fn romanise(name: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_script: Option<Script> = None;
    let mut prev: Option<char> = None;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if is_apostrophe(c) {
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) && !cur.is_empty() {
            cur.push(c);
            continue;
        }
        match translit::script_of(c) {
            None => {
                flush(&mut cur, &mut cur_script, &mut out);
                match c {
                    '&' | '＆' => out.push(Word::new("and".into(), Script::Latin)),
                    '%' | '％' => out.push(Word::new("percent".into(), Script::Latin)),
                    _ => {}
                }
            }
            Some(s) => {
                // A hump needs a word after it: "GmbH" and "KGaA" stay whole.
                let camel = s == Script::Latin
                    && cur_script == Some(Script::Latin)
                    && prev.is_some_and(char::is_lowercase)
                    && c.is_uppercase()
                    && chars.peek().is_some_and(|n| n.is_alphabetic());
                if cur_script.is_some_and(|cs| cs != s) || camel {
                    flush(&mut cur, &mut cur_script, &mut out);
                }
                cur.push(c);
                cur_script = Some(s);
            }
        }
        prev = Some(c);
    }
    flush(&mut cur, &mut cur_script, &mut out);
    out
}

fn flush(cur: &mut String, script: &mut Option<Script>, out: &mut Vec<Word>) {
    let Some(s) = script.take() else {
        cur.clear();
        return;
    };
    let raw = std::mem::take(cur);
    let mut texts: Vec<String> = Vec::new();
    match s {
        Script::Han => {
            let mut han_words = Vec::new();
            han::romanise(&raw, &mut han_words);
            for w in han_words {
                out.push(match w.kind {
                    han::HanWord::English => Word::new(w.text, Script::Latin),
                    han::HanWord::Pinyin => Word { orig: Some(w.chars), ..Word::new(w.text, Script::Han) },
                    han::HanWord::PersonName => {
                        Word { exact: true, orig: Some(w.chars), ..Word::new(w.text, Script::Han) }
                    }
                });
            }
            return;
        }
        Script::Hangul => {
            let mut words = Vec::new();
            hangul::romanise(&raw, &mut words);
            for (text, chars) in words {
                out.push(Word { orig: Some(chars), ..Word::new(text, Script::Hangul) });
            }
            return;
        }
        Script::Latin => {
            let mut t = String::new();
            translit::fold_latin(&raw, &mut t);
            texts.push(t);
        }
        Script::Cyrillic => {
            let mut t = String::new();
            translit::cyrillic(&raw, &mut t);
            texts.push(t);
        }
        Script::Arabic => translit::arabic(&raw, &mut texts),
        Script::Kana => {
            let mut t = String::new();
            kana::hepburn(&raw, &mut t);
            texts.push(t);
        }
        Script::Other => {
            let mut t = String::new();
            translit::other(&raw, &mut t);
            texts.push(t);
        }
    }
    for t in texts {
        for w in t.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
            out.push(Word::new(w.to_ascii_lowercase(), s));
        }
    }
}

/// Digits that stand in for letters ("Ig0r Sech1n"), ordinals, number words
/// (a run of them is one number: "Forty-Four" is 44), abbreviations, and runs
/// of single letters ("A.B.C.", "U.S.").
fn tidy(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    for w in words {
        let text = unleet(&w.text);
        let text = ordinal(&text).map(String::from).unwrap_or(text);
        for part in split_digits(&text) {
            let number = if w.script == Script::Latin { vocab::number_word(&part) } else { None };
            let part = number.map(String::from).unwrap_or(part);
            let part = vocab::expand_abbreviation(&part).map(String::from).unwrap_or(part);
            out.push(Word { text: part, number_word: number.is_some(), ..w.clone() });
        }
    }
    let out = add_up_numbers(out);
    // Runs of two or more single letters are one word: initialisms. A
    // legal form spelled with stops ends the run ("Partners V L.P.").
    let mut merged: Vec<Word> = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        let single = |w: &Word| w.text.len() == 1 && w.text.as_bytes()[0].is_ascii_alphabetic();
        if single(&out[i]) {
            let mut j = i;
            let mut text = String::new();
            while j < out.len() && single(&out[j]) {
                text.push_str(&out[j].text);
                j += 1;
            }
            // Two letters before a name are a person's initials ("N. N.
            // Ivanov"); three or more, or two on their own, an initialism.
            let name_follows = out
                .get(j)
                .is_some_and(|w| w.text.len() > 1 && !w.number_word && !vocab::GENERIC.contains(&w.text.as_str()));
            if j - i == 2 && name_follows && i == 0 {
                merged.extend(out[i..j].iter().cloned());
                i = j;
                continue;
            }
            let split = (1..text.len().saturating_sub(1))
                .find(|&k| vocab::LEGAL_WORDS.contains(&&text[k..]))
                .unwrap_or(text.len());
            let (head, tail) = text.split_at(split);
            merged.push(Word::new(head.to_string(), out[i].script));
            if !tail.is_empty() {
                merged.push(Word::new(tail.to_string(), out[i].script));
            }
            i = j;
        } else {
            merged.push(out[i].clone());
            i += 1;
        }
    }
    merged
}

/// Runs of number words as the numbers they spell: "forty four" 44, "one
/// hundred and five" 105, "twenty first" 21. A word that cannot continue
/// the number before it starts a new one ("one two" stays 1, 2).
fn add_up_numbers(words: Vec<Word>) -> Vec<Word> {
    if words.iter().filter(|w| w.number_word).count() < 2 {
        return words;
    }
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    // The number being read: (value, the place value its last word filled).
    let mut open: Option<(u64, u64)> = None;
    let close = |open: &mut Option<(u64, u64)>, out: &mut Vec<Word>| {
        if let Some((v, _)) = open.take() {
            out.push(Word { number_word: true, ..Word::new(v.to_string(), Script::Latin) });
        }
    };
    for (k, w) in words.iter().enumerate() {
        let v: Option<u64> = if w.number_word { w.text.parse().ok() } else { None };
        let Some(v) = v else {
            // "one hundred and five": "and" inside a number is part of it.
            let inside = w.text == "and"
                && open.is_some_and(|(n, _)| n >= 100)
                && words.get(k + 1).is_some_and(|n| n.number_word);
            if !inside {
                close(&mut open, &mut out);
                out.push(w.clone());
            }
            continue;
        };
        open = match open {
            None => Some((v, v)),
            // Multipliers scale what came before: "two hundred", "five thousand".
            Some((n, _)) if (v == 100 || v == 1000) && n % v != 0 && n < v => Some((n * v, v)),
            // Smaller words fill the places the number left open: "forty four",
            // "one hundred twenty".
            Some((n, last)) if v < last && v < 100 && (n % 100) + v < 100 && (v >= 10 || n % 10 == 0) => {
                Some((n + v, v))
            }
            Some(_) => {
                close(&mut open, &mut out);
                Some((v, v))
            }
        };
    }
    close(&mut open, &mut out);
    out
}

fn unleet(w: &str) -> String {
    let b = w.as_bytes();
    if !b.iter().any(u8::is_ascii_digit) || !b.iter().any(u8::is_ascii_alphabetic) {
        return w.to_string();
    }
    let mut out = b.to_vec();
    for i in 1..b.len().saturating_sub(1) {
        if b[i - 1].is_ascii_alphabetic() && b[i + 1].is_ascii_alphabetic() {
            out[i] = match b[i] {
                b'0' => b'o',
                b'1' => b'i',
                b'3' => b'e',
                b'4' => b'a',
                b'5' => b's',
                b'7' => b't',
                b'9' => b'g',
                c => c,
            };
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

fn ordinal(w: &str) -> Option<&str> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && matches!(suffix, "st" | "nd" | "rd" | "th"))
        .then_some(digits)
}

fn split_digits(w: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut digit = None;
    for c in w.chars() {
        let d = c.is_ascii_digit();
        if digit.is_some_and(|p| p != d) {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        digit = Some(d);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

struct Phrases {
    legal: Vec<Vec<&'static str>>,
    places: Vec<Vec<&'static str>>,
}

fn phrases() -> &'static Phrases {
    static P: OnceLock<Phrases> = OnceLock::new();
    P.get_or_init(|| {
        let mut legal: Vec<Vec<&str>> = vocab::LEGAL_PHRASES.iter().map(|p| p.split(' ').collect()).collect();
        legal.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let mut places: Vec<Vec<&str>> = crate::lists::countries::all_names()
            .chain(vocab::REGIONS.iter().copied())
            .filter(|n| n.len() > 3)
            .map(|p| p.split(' ').collect())
            .collect();
        places.sort_by_key(|p| std::cmp::Reverse(p.len()));
        Phrases { legal, places }
    })
}

fn phrase_at<'a>(words: &[Word], i: usize, list: &'a [Vec<&'static str>]) -> Option<&'a [&'static str]> {
    list.iter()
        .find(|p| p.len() <= words.len() - i && p.iter().zip(&words[i..]).all(|(a, w)| *a == w.text))
        .map(|p| p.as_slice())
}

/// A multi-word legal form at `i`; one word of it may carry a typo
/// ("Joynt Stock Company").
fn legal_phrase_at(words: &[Word], i: usize) -> Option<&'static [&'static str]> {
    phrases()
        .legal
        .iter()
        .find(|p| {
            if p.len() > words.len() - i {
                return false;
            }
            let mut typos = 0;
            for (a, w) in p.iter().zip(&words[i..]) {
                if *a != w.text {
                    if a.len() >= 4 && metrics::levenshtein_within(a, &w.text, 1).is_some() {
                        typos += 1;
                    } else {
                        return false;
                    }
                }
            }
            typos <= usize::from(p.len() >= 3)
        })
        .map(|p| p.as_slice())
}

fn strip_legal_forms(words: Vec<Word>) -> (Vec<Word>, Option<LegalKind>) {
    let mut keep = vec![true; words.len()];
    let mut legal = None;
    let mut i = 0;
    while i < words.len() {
        if matches!(words[i].script, Script::Han | Script::Hangul) {
            i += 1;
            continue;
        }
        if let Some(p) = legal_phrase_at(&words, i) {
            let kind = vocab::legal_kind(&p.join(" "));
            if legal.is_none_or(|l| kind.overrides(l)) {
                legal = Some(kind);
            }
            keep[i..i + p.len()].iter_mut().for_each(|k| *k = false);
            i += p.len();
            continue;
        }
        let w = words[i].text.as_str();
        let fuzzy =
            w.len() >= 10 && vocab::LONG_LEGAL_WORDS.iter().any(|l| metrics::levenshtein_within(w, l, 2).is_some());
        if vocab::LEGAL_WORDS.contains(&w) || fuzzy {
            // A legal form earlier in the name may already have set the kind.
            let kind = vocab::legal_kind(w);
            if legal.is_none_or(|l| kind.overrides(l)) {
                legal = Some(kind);
            }
            keep[i] = false;
        }
        i += 1;
    }
    if !keep.iter().any(|k| *k) {
        // Nothing but legal-form words ("Company Limited"): keep them as the name.
        return (words, None);
    }
    let words = words.into_iter().zip(keep).filter(|(_, k)| *k).map(|(w, _)| w).collect();
    (words, legal)
}

fn classify(words: Vec<Word>) -> Vec<Token> {
    let n = words.len();
    let mut classes: Vec<Option<Class>> = vec![None; n];
    let mut i = 0;
    while i < n {
        if let Some(p) = phrase_at(&words, i, &phrases().places) {
            classes[i..i + p.len()].iter_mut().for_each(|c| *c = Some(Class::Location));
            i += p.len();
        } else {
            i += 1;
        }
    }
    let mut out = Vec::with_capacity(n);
    for (k, w) in words.into_iter().enumerate() {
        // Arabic leaves short vowels unwritten; Chinese, Japanese, Khmer and
        // the like spell foreign names with sounds of their own: either way
        // only the consonants can be trusted. A Chinese person's name in
        // pinyin and a Korean name in Revised Romanization are written the
        // way lists write them, give or take a vowel.
        let abjad = !matches!(w.script, Script::Latin | Script::Cyrillic | Script::Hangul) && !w.exact;
        let t = w.text;
        let (text, class) = if let Some(c) = classes[k] {
            (t, c)
        } else if t.bytes().all(|b| b.is_ascii_digit()) {
            (t, Class::Numeric)
        } else if k > 0 && k + 1 == n && w.script == Script::Latin && vocab::roman_numeral(&t).is_some() {
            (vocab::roman_numeral(&t).unwrap_or_default().to_string(), Class::Numeric)
        } else if vocab::PARTICLES.contains(&t.as_str()) {
            (vocab::particle_canonical(&t).to_string(), Class::Particle)
        } else if vocab::HONORIFICS.contains(&t.as_str()) && n > 1 {
            (t, Class::Honorific)
        } else if vocab::GENERIC.contains(&t.as_str()) {
            (t, Class::Generic)
        } else if t.len() == 1 {
            (t, Class::Initial)
        } else if vocab::is_patronymic(&t) {
            (t, Class::Patronymic)
        } else {
            (t, Class::Name)
        };
        let mut token = Token::new(text, class, abjad);
        token.romanised = w.script != Script::Latin;
        token.orig = w.orig.map(String::into_boxed_str);
        token.strict = w.exact && w.script == Script::Han;
        if w.script == Script::Hangul {
            // Revised Romanization writes eo and eu where the older
            // McCune-Reischauer spellings lists use write o and u.
            token.phon = phonetic::phonetic(&token.text.replace("eo", "o").replace("eu", "u"));
            token.skel = phonetic::skeleton(&token.phon);
        }
        if class == Class::Name && w.script == Script::Latin {
            // A Chinese syllable in Wade-Giles ("Tse-tung", "Hsiao") sounds
            // like its pinyin ("Zedong", "Xiao"), which lists also use.
            if let Some(p) = wade_giles::to_pinyin(&token.text) {
                token.phon = phonetic::phonetic(&p);
                token.skel = phonetic::skeleton(&token.phon);
            }
        }
        out.push(token);
    }
    out
}

// ---------------------------------------------------------------- scoring
//
// The weights below were set on the development half of a public name
// benchmark (`tradewind eval screening`), by general rules rather than by
// case: each one names the kind of evidence it prices.

/// Word pairs below this similarity are not the same word.
const PAIR_FLOOR: f64 = 0.78;
/// An unpaired word of the screened name costs this share of its weight…
const EXTRA_QUERY: f64 = 0.6;
/// …and an unpaired word of the list name this share.
const EXTRA_LIST: f64 = 0.25;
/// Factor on the cost of extra words when one side is wholly contained in
/// the other.
const SUBSET: f64 = 0.3;
/// Share of its weight that a place named only in the list name costs.
const EXTRA_PLACE: f64 = 1.0;
/// Pairs at least this similar count as the same name for the subset rule.
const SUBSET_STRONG: f64 = 0.95;
/// Factor on a score that no name word (only trade words, places,
/// particles, numbers) supports.
const NO_NAME_FACTOR: f64 = 0.8;
/// Factor when the names around "bin" are swapped.
const LINEAGE_PENALTY: f64 = 0.8;
/// Words this similar but below the floor get partial credit, up to…
const NEAR_MISS_FROM: f64 = 0.6;
/// …this much.
const NEAR_MISS_CREDIT: f64 = 0.15;
/// Two unpaired words that contradict each other cost their full weight.
const CONFLICT: f64 = 1.0;
/// Weight of the length difference of two words that do not sound alike
/// (the penalty weight moov-io/watchman uses).
const LENGTH_PENALTY: f64 = 0.3;
/// Words shorter than this are not charged for their length difference.
const LENGTH_PENALTY_FROM: usize = 5;
/// Similarity of two forms of one given name (Juan, John).
const GIVEN_NAME_VARIANT: f64 = 0.88;
/// Share of a word's letters that may differ in a typo.
const EDIT_SHARE: f64 = 0.2;
/// The same across scripts: romanisation schemes differ.
const EDIT_SHARE_ACROSS_SCRIPTS: f64 = 0.34;
/// Factor on the similarity of words beyond their edit budget.
const IMPLAUSIBLE: f64 = 0.9;
/// Names whose legal forms are of incompatible kinds (an AG against a GmbH,
/// a non-profit against a company) are less likely the same body: an exact
/// name then needs review, not a block.
const LEGAL_KIND_PENALTY: f64 = 0.8;
/// Factor per character that differs between names written in Chinese or
/// Korean on both sides: one different character turns a match into a
/// review.
const CJK_CHARACTER_PENALTY: f64 = 0.8;
/// The highest score a name may reach that covers too little of the list
/// name (below the match threshold: it needs review at most).
const MATCH_CAP: f64 = 0.8;

/// Similarity of two words in [0, 1]; 0 below the pairing floor.
pub fn word_similarity(a: &Token, b: &Token) -> f64 {
    if a.text == b.text {
        return if a.acronym != b.acronym { 0.9 } else { 1.0 };
    }
    if a.acronym || b.acronym {
        return 0.0;
    }
    let numeric = |t: &Token| t.class == Class::Numeric;
    if numeric(a) || numeric(b) {
        return 0.0;
    }
    // A patronymic is not a given name (Oleksandr / Oleksandrovych), though
    // it may be written as an initial ("N. N. Ivanov").
    let initial = a.text.len() == 1 || b.text.len() == 1;
    if (a.class == Class::Patronymic) != (b.class == Class::Patronymic) && !initial {
        return 0.0;
    }
    if a.text.len() == 1 || b.text.len() == 1 {
        // An initial stands for a name, not for a trade word or a place:
        // the S of "S.A." is not "Solar", the E of "A&E" not "Energy".
        let full = if a.text.len() == 1 { b } else { a };
        if matches!(full.class, Class::Generic | Class::Location | Class::Particle) {
            return 0.0;
        }
        return if a.text.as_bytes()[0] == b.text.as_bytes()[0] { 0.9 } else { 0.0 };
    }
    // A particle ("and", "of", "al") pairs only with itself; "Andes" is no "and".
    if (a.class == Class::Particle) != (b.class == Class::Particle) {
        return 0.0;
    }
    // Some words leave no room for typos: a two-letter word (one wrong
    // letter is half of it, unless only its consonants were written), a
    // syllable of a Chinese name in pinyin (a different syllable is a
    // different name), and a known given name against a place (Ivan is not
    // Iran). They pair only when they sound the same.
    let given = |t: &Token| t.class == Class::Name && name_groups().by_word.contains_key(t.text.as_str());
    let name_and_place = (given(a) && b.class == Class::Location) || (a.class == Class::Location && given(b));
    let short = (a.text.len() < 3 || b.text.len() < 3) && !(a.abjad || b.abjad);
    if a.strict || b.strict || short || name_and_place {
        return if a.phon == b.phon {
            0.95
        } else if same_given_name(&a.text, &b.text) {
            GIVEN_NAME_VARIANT
        } else {
            0.0
        };
    }
    let mut s = metrics::jaro_winkler(&a.text, &b.text);
    if a.phon == b.phon {
        s = s.max(0.95);
    } else {
        s = s.max(metrics::jaro_winkler(&a.phon, &b.phon) * 0.98);
        // Jaro-Winkler forgives long shared prefixes (Montenegro/Monteiro):
        // beyond an edit budget of about one letter in five, the spellings
        // are different words. Within it, one wrong letter in a long word
        // is a typo even where Jaro-Winkler, which weighs the first letters
        // most, disagrees (Invidia/Nvidia).
        let floor = PAIR_FLOOR;
        let budget = edit_budget(a, b);
        let longest = a.text.len().max(b.text.len());
        if s >= floor {
            match edits(a, b, budget + 4) {
                Some(d) if d <= budget => s = s.max(1.0 - d as f64 / longest as f64),
                Some(d) => s *= IMPLAUSIBLE.powi((d - budget) as i32),
                None => s *= IMPLAUSIBLE.powi(5),
            }
        } else {
            // Only the typo rule could still lift the pair: look for edits
            // only as far as it could.
            let cap = budget.min(((1.0 - floor) * longest as f64) as usize);
            if cap > 0 {
                if let Some(d) = edits(a, b, cap) {
                    s = s.max(1.0 - d as f64 / longest as f64);
                }
            }
        }
    }
    if (a.abjad || b.abjad) && a.skel.len() >= 2 && b.skel.len() >= 2 {
        s = s.max(metrics::jaro_winkler(&a.skel, &b.skel) * 0.95);
    }
    // Jaro-Winkler barely notices letters added or dropped (Castro,
    // Castillo; Ronaldo, Ronaldinho): words of different lengths that do not
    // sound alike lose in proportion to the difference. One letter more or
    // less is a typo (Invidia, Nvidia), and short words are left to the edit
    // budget, where one letter is already a large share.
    let (la, lb) = (a.text.len(), b.text.len());
    if la != lb
        && a.phon != b.phon
        && la.min(lb) >= LENGTH_PENALTY_FROM
        && metrics::levenshtein_within(&a.text, &b.text, 1).is_none()
    {
        s -= LENGTH_PENALTY * la.abs_diff(lb) as f64 / la.max(lb) as f64;
    }
    if same_given_name(&a.text, &b.text) {
        s = s.max(GIVEN_NAME_VARIANT);
    }
    if s >= PAIR_FLOOR {
        s
    } else {
        0.0
    }
}

/// Partial credit for two words just below the pairing floor.
fn near_miss(a: &Token, b: &Token) -> f64 {
    if a.class == Class::Numeric || b.class == Class::Numeric || a.text.len() < 2 || b.text.len() < 2 {
        return 0.0;
    }
    let raw = metrics::jaro_winkler(&a.text, &b.text).max(metrics::jaro_winkler(&a.phon, &b.phon));
    let floor = PAIR_FLOOR;
    let p0 = NEAR_MISS_FROM;
    ((raw - p0) / (floor - p0)).clamp(0.0, 1.0) * NEAR_MISS_CREDIT
}

/// The variant groups (given names and their short forms, the spellings
/// of Korean family names), and for each word the groups it belongs to.
struct NameGroups {
    groups: Vec<Vec<&'static str>>,
    by_word: std::collections::HashMap<&'static str, Vec<u16>>,
}

fn name_groups() -> &'static NameGroups {
    static GROUPS: OnceLock<NameGroups> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let groups: Vec<Vec<&'static str>> = vocab::GIVEN_NAME_GROUPS
            .iter()
            .copied()
            .chain(vocab::KOREAN_SURNAMES.iter().map(|(_, spellings)| *spellings))
            .map(|g| g.split(' ').collect())
            .collect();
        let mut by_word: std::collections::HashMap<&'static str, Vec<u16>> = std::collections::HashMap::new();
        for (k, g) in groups.iter().enumerate() {
            for w in g {
                let ids = by_word.entry(*w).or_default();
                if !ids.contains(&(k as u16)) {
                    ids.push(k as u16);
                }
            }
        }
        NameGroups { groups, by_word }
    })
}

fn same_given_name(a: &str, b: &str) -> bool {
    let by_word = &name_groups().by_word;
    match (by_word.get(a), by_word.get(b)) {
        (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
        _ => false,
    }
}

/// The other forms of a given name (John: Juan, Ivan, Hans …).
pub(crate) fn given_name_variants(w: &str) -> Vec<&'static str> {
    let NameGroups { groups, by_word } = name_groups();
    match by_word.get(w) {
        Some(ids) => ids.iter().flat_map(|&k| groups[k as usize].iter().copied()).filter(|v| *v != w).collect(),
        None => Vec::new(),
    }
}

/// How many edits two words may differ by and still be one word misspelt:
/// about one letter in five, more across scripts.
fn edit_budget(a: &Token, b: &Token) -> usize {
    let min = a.text.len().min(b.text.len());
    let share = if a.romanised != b.romanised { EDIT_SHARE_ACROSS_SCRIPTS } else { EDIT_SHARE };
    ((min as f64 * share).ceil() as usize).clamp(1, 4)
}

/// Edits between two words, the fewer of spelling and phonetic form; `None`
/// beyond `cap`.
fn edits(a: &Token, b: &Token, cap: usize) -> Option<usize> {
    let d1 = metrics::levenshtein_within(&a.text, &b.text, cap);
    if d1 == Some(0) {
        return d1;
    }
    let d2 = metrics::levenshtein_within(&a.phon, &b.phon, d1.map_or(cap, |d| d.saturating_sub(1)));
    match (d1, d2) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// The result of comparing two names.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub score: f64,
    /// Why, in words: which words paired, which differ, which are extra.
    pub why: String,
    /// The screened name's name words (not trade words, places, particles)
    /// that found a partner.
    pub paired_names: Vec<String>,
    /// Name words of the list name that found none (extra or different).
    pub list_extra_names: usize,
}

/// Scores a screened name (`query`) against a list name, in [0, 1].
pub fn compare(query: &NameForm, list: &NameForm) -> Comparison {
    score_with(query, list, true)
}

/// The score alone (no explanation), for the hot path of screening.
pub fn score(query: &NameForm, list: &NameForm) -> f64 {
    score_with(query, list, false).score
}

fn score_with(query: &NameForm, list: &NameForm, explain: bool) -> Comparison {
    score_via(query, list, explain, &|i, j| word_similarity(&query.tokens[i], &list.tokens[j]))
}

/// The score of `query` against `list`, with the word similarities of the
/// two names' own words supplied by `sim(i, j)` (screening looks them up
/// from a cache instead of computing each pair again).
pub(crate) fn score_via(
    query: &NameForm,
    list: &NameForm,
    explain: bool,
    sim: &dyn Fn(usize, usize) -> f64,
) -> Comparison {
    if query.is_empty() || list.is_empty() {
        return Comparison { score: 0.0, why: String::new(), paired_names: Vec::new(), list_extra_names: 0 };
    }
    let mut best = align(&query.tokens, &list.tokens, explain, sim);
    if best.score < 0.999 && best.unpaired {
        if let Some((q, l)) = rejoin(&query.tokens, &list.tokens) {
            let other = align(&q, &l, explain, &|i, j| word_similarity(&q[i], &l[j]));
            if other.score > best.score {
                best = other;
            }
        }
    }
    let mut score = best.score;
    let mut why = best.why;
    if let (Some(a), Some(b)) = (query.legal, list.legal) {
        if !a.compatible(b) {
            score *= LEGAL_KIND_PENALTY;
            if explain {
                why.push_str("; legal forms of different kinds");
            }
        }
    }
    // Names that read alike but are written with other characters (张伟 and
    // 章伟, 华信 and 华新) are other names: romanisation hides the difference.
    let differ = best.cjk_differences;
    if differ > 0 {
        score *= CJK_CHARACTER_PENALTY.powi(differ as i32);
        if explain {
            why.push_str(&format!("; written with {differ} other character{}", if differ == 1 { "" } else { "s" }));
        }
    }
    // Minimum information: a name that says much less than the list name
    // (one given name against three names, two of six) cannot confirm it.
    if best.covers_too_little && score >= MATCH_CAP {
        score = MATCH_CAP;
        if explain {
            why.push_str("; too little of the list name in common to confirm");
        }
    }
    Comparison {
        score: score.clamp(0.0, 1.0),
        why,
        paired_names: best.paired_names,
        list_extra_names: best.list_extra_names,
    }
}

struct Aligned {
    score: f64,
    unpaired: bool,
    why: String,
    paired_names: Vec<String>,
    list_extra_names: usize,
    /// Characters that differ between paired words written in Chinese or
    /// Korean on both sides.
    cjk_differences: usize,
    /// The screened name's own name words cover less than half of the list
    /// name's.
    covers_too_little: bool,
}

fn align(q: &[Token], l: &[Token], explain: bool, sim: &dyn Fn(usize, usize) -> f64) -> Aligned {
    // Candidate pairs, best first; ties go to words in the same position.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::with_capacity(q.len() * l.len());
    for i in 0..q.len() {
        for j in 0..l.len() {
            let s = sim(i, j);
            if s > 0.0 {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.abs_diff(x.2).cmp(&y.1.abs_diff(y.2))));
    let mut q_used = vec![false; q.len()];
    let mut l_used = vec![false; l.len()];
    let mut num = 0.0;
    let mut den = 0.0;
    let mut why = String::new();
    let mut pair_list: Vec<(usize, usize, f64)> = Vec::new();
    for (s, i, j) in pairs {
        if q_used[i] || l_used[j] {
            continue;
        }
        q_used[i] = true;
        l_used[j] = true;
        let w = (q[i].class.weight() + l[j].class.weight()) / 2.0;
        num += s * w;
        den += w;
        pair_list.push((i, j, s));
    }
    let mut q_left: Vec<usize> = (0..q.len()).filter(|&i| !q_used[i]).collect();
    let mut l_left: Vec<usize> = (0..l.len()).filter(|&j| !l_used[j]).collect();
    let unpaired = !q_left.is_empty() || !l_left.is_empty();
    let mut conflicts = Vec::new();
    // Contradictions first: an unpaired word on each side, of kinds that
    // cannot both be true, heaviest first.
    q_left.sort_by(|a, b| q[*b].class.weight().total_cmp(&q[*a].class.weight()));
    l_left.sort_by(|a, b| l[*b].class.weight().total_cmp(&l[*a].class.weight()));
    let mut qi = 0;
    while qi < q_left.len() {
        let i = q_left[qi];
        if let Some(pos) = l_left.iter().position(|&j| q[i].class.conflicts_with(l[j].class)) {
            let j = l_left.remove(pos);
            let w = (q[i].class.weight() + l[j].class.weight()) / 2.0;
            den += CONFLICT * w;
            // Words that nearly pass for each other (Jones/James) still count
            // for a little: enough to ask for a review, never for a match.
            num += near_miss(&q[i], &l[j]) * w;
            if explain {
                conflicts.push((i, j));
            }
            q_left.remove(qi);
        } else {
            qi += 1;
        }
    }
    // When every name word of one side found its partner, and there are at
    // least two of them, the other side's extra names are middle names,
    // patronymics or titles the first side left out.
    let is_name = |t: &Token| matches!(t.class, Class::Name | Class::Patronymic);
    let paired_names = pair_list.iter().filter(|&&(i, _, s)| s >= SUBSET_STRONG && is_name(&q[i])).count();
    let covered = |side: &[Token], used: &[bool]| side.iter().zip(used).all(|(t, u)| *u || !is_name(t));
    let subset = paired_names >= 2 && (covered(q, &q_used) || covered(l, &l_used));
    let extra = |t: &Token, share: f64| {
        let cheap = subset && !matches!(t.class, Class::Numeric | Class::Generic | Class::Location);
        share * t.class.weight() * if cheap { SUBSET } else { 1.0 }
    };
    for &i in &q_left {
        den += extra(&q[i], EXTRA_QUERY);
    }
    for &j in &l_left {
        den += if l[j].class == Class::Location {
            // The list names one branch ("Banco Santander Mexico"); a
            // screened name without the place may be another branch. (A
            // place only in the screened name may be a branch of the
            // listed body, which is no better: that costs as usual.)
            EXTRA_PLACE * l[j].class.weight()
        } else {
            extra(&l[j], EXTRA_LIST)
        };
    }
    let mut score = if den > 0.0 { num / den } else { 0.0 };
    // Trade words, places and particles alone do not make two names one
    // ("Banco Nacional" / "National Bank"), unless the two names are the
    // same words ("First International Bank", "1st International Bank").
    let literal = !unpaired && pair_list.iter().all(|&(_, _, s)| s >= 0.999);
    if !literal && !pair_list.iter().any(|&(i, j, _)| is_name(&q[i]) || is_name(&l[j]) || q[i].acronym || l[j].acronym)
    {
        score *= NO_NAME_FACTOR;
    }
    // "Salman bin Muhammad" is Muhammad's son, "Muhammad bin Salman"
    // Salman's: the word after "bin" must pair with a word after "bin".
    let after_bin = |side: &[Token], k: usize| k > 0 && side[k - 1].text == "bin";
    let lineage_swapped = q.iter().any(|t| t.text == "bin")
        && l.iter().any(|t| t.text == "bin")
        && pair_list.iter().any(|&(i, j, _)| after_bin(q, i) != after_bin(l, j));
    if lineage_swapped {
        score *= LINEAGE_PENALTY;
    }
    if explain {
        if lineage_swapped {
            why.push_str("father and son names swapped around bin; ");
        }
        let mut paired = pair_list.clone();
        paired.sort_by_key(|p| p.0);
        let parts: Vec<String> = paired
            .iter()
            .map(
                |&(i, j, s)| {
                    if s >= 0.999 {
                        q[i].text.clone()
                    } else {
                        format!("{}~{} {:.2}", q[i].text, l[j].text, s)
                    }
                },
            )
            .collect();
        let _ = write!(why, "words in common: {}", if parts.is_empty() { "none".into() } else { parts.join(", ") });
        if !conflicts.is_empty() {
            let c: Vec<String> = conflicts.iter().map(|&(i, j)| format!("{}/{}", q[i].text, l[j].text)).collect();
            let _ = write!(why, "; differ: {}", c.join(", "));
        }
        if !q_left.is_empty() {
            let c: Vec<&str> = q_left.iter().map(|&i| q[i].text.as_str()).collect();
            let _ = write!(why, "; only in screened name: {}", c.join(" "));
        }
        if !l_left.is_empty() {
            let c: Vec<&str> = l_left.iter().map(|&j| l[j].text.as_str()).collect();
            let _ = write!(why, "; only in list name: {}", c.join(" "));
        }
    }
    let paired_names = if explain {
        pair_list.iter().filter(|&&(i, _, _)| is_name(&q[i])).map(|&(i, _, _)| q[i].text.clone()).collect()
    } else {
        Vec::new()
    };
    let list_extra_names =
        l_left.iter().filter(|&&j| is_name(&l[j])).count() + conflicts.iter().filter(|&&(_, j)| is_name(&l[j])).count();
    let cjk_differences = pair_list.iter().map(|&(i, j, _)| cjk_difference(&q[i], &l[j])).sum();
    let list_names = l.iter().filter(|t| is_name(t)).count();
    let paired_list_names = pair_list.iter().filter(|&&(_, j, _)| is_name(&l[j])).count();
    let covers_too_little = list_names >= 3 && paired_list_names * 2 < list_names;
    Aligned { score, unpaired, why, paired_names, list_extra_names, cjk_differences, covers_too_little }
}

/// How many characters differ between two words romanised from Chinese or
/// Korean characters on both sides (traditional and simplified forms of a
/// character are one character); 0 when either side has no characters or
/// their lengths differ (then the romanised words already differ).
fn cjk_difference(a: &Token, b: &Token) -> usize {
    let (Some(x), Some(y)) = (a.orig.as_deref(), b.orig.as_deref()) else { return 0 };
    if x.chars().count() != y.chars().count() {
        return 0;
    }
    x.chars().zip(y.chars()).filter(|&(c, d)| han::simplified(c) != han::simplified(d)).count()
}

/// Words written apart on one side and together on the other ("Good Will" /
/// "Goodwill", "Patr ushev" / "Patrushev"), and acronyms ("PLA" / "People's
/// Liberation Army"): both names rewritten so that such words meet, or
/// `None` when there is nothing to rejoin.
fn rejoin(q: &[Token], l: &[Token]) -> Option<(Vec<Token>, Vec<Token>)> {
    // Most pairs have nothing to rejoin: look before copying any word.
    // A two-letter acronym is trusted only on the screened side ("U.S.");
    // two initials of a screened person are no acronym of a list name.
    if find_run(q, l).is_none()
        && find_run(l, q).is_none()
        && find_acronym(l, q, 2).is_none()
        && find_acronym(q, l, 3).is_none()
    {
        return None;
    }
    let mut q = q.to_vec();
    let mut l = l.to_vec();
    join_runs(&mut q, &l);
    join_runs(&mut l, &q);
    acronyms(&mut l, &q, 2);
    acronyms(&mut q, &l, 3);
    Some((q, l))
}

/// A run of 2–3 adjacent words of `side` (start, length) that spells a word
/// of `other`, allowing a typo in long words.
fn find_run(side: &[Token], other: &[Token]) -> Option<(usize, usize)> {
    let mut joined = String::new();
    for target in other {
        let tl = target.text.len();
        if target.class == Class::Numeric || side.iter().any(|t| t.text == target.text) {
            continue;
        }
        // Initials written apart on one side and together on the other
        // ("S. C. Johnson", "SC Johnson").
        if (2..4).contains(&tl) {
            if let Some(i) = (0..=side.len().saturating_sub(tl)).find(|&i| {
                side.len() >= i + tl
                    && side[i..i + tl]
                        .iter()
                        .zip(target.text.bytes())
                        .all(|(t, b)| t.text.len() == 1 && t.text.as_bytes()[0] == b)
            }) {
                return Some((i, tl));
            }
            continue;
        }
        if tl < 4 {
            continue;
        }
        let budget = 1 + tl / 10;
        for n in [3usize, 2] {
            if side.len() < n {
                continue;
            }
            for i in 0..=side.len() - n {
                let len: usize = side[i..i + n].iter().map(|t| t.text.len()).sum();
                if len.abs_diff(tl) > budget {
                    continue;
                }
                joined.clear();
                side[i..i + n].iter().for_each(|t| joined.push_str(&t.text));
                if joined == target.text
                    || (joined.len() >= 6 && metrics::levenshtein_within(&joined, &target.text, budget).is_some())
                    || joined_phon(&side[i..i + n]) == target.phon
                {
                    return Some((i, n));
                }
            }
        }
    }
    None
}

/// The phonetic forms of a run of words, run together.
fn joined_phon(run: &[Token]) -> String {
    let mut out = String::new();
    for t in run {
        for c in t.phon.chars() {
            if !out.ends_with(c) {
                out.push(c);
            }
        }
    }
    out
}

fn join_runs(side: &mut Vec<Token>, other: &[Token]) {
    // Each join removes at least one word, so this ends.
    while let Some((i, n)) = find_run(side, other) {
        let joined: String = side[i..i + n].iter().map(|t| t.text.as_str()).collect();
        let mut t = Token::new(joined, Class::Name, side[i..i + n].iter().any(|t| t.abjad));
        // The parts' own sounds (a Wade-Giles syllable sounds like its pinyin).
        t.phon = joined_phon(&side[i..i + n]);
        t.skel = phonetic::skeleton(&t.phon);
        t.romanised = side[i].romanised;
        side.splice(i..i + n, std::iter::once(t));
    }
}

/// A run of words of `side` (start, length) whose initials spell a word of
/// `other` of `min` to 6 letters.
fn find_acronym(side: &[Token], other: &[Token], min: usize) -> Option<(usize, usize)> {
    for target in other {
        let n = target.text.len();
        if !(min..=6).contains(&n)
            || target.acronym
            || !matches!(target.class, Class::Name | Class::Initial)
            || !target.text.bytes().all(|b| b.is_ascii_alphabetic())
            || side.len() < n
            || side.iter().any(|t| t.text == target.text)
        {
            continue;
        }
        for i in 0..=side.len() - n {
            let run = &side[i..i + n];
            // Two letters stand for places and institutions ("U.S.", "UK"),
            // not for people: "N.N." is no acronym of "Nikolai Nikolaev".
            let institution = n > 2 || run.iter().any(|t| matches!(t.class, Class::Generic | Class::Location));
            // Acronyms are made of words, not of the syllables of a name
            // ("Mao Tse-tung" is no "M.T.T.").
            let words = run.iter().all(|t| t.class == Class::Particle || t.text.len() >= 4);
            if institution && words && run.iter().zip(target.text.bytes()).all(|(t, b)| t.text.as_bytes()[0] == b) {
                return Some((i, n));
            }
        }
    }
    None
}

fn acronyms(side: &mut Vec<Token>, other: &[Token], min: usize) {
    while let Some((i, n)) = find_acronym(side, other, min) {
        let initials: String = side[i..i + n].iter().map(|t| char::from(t.text.as_bytes()[0])).collect();
        let mut t = Token::new(initials, Class::Name, false);
        t.acronym = true;
        side.splice(i..i + n, std::iter::once(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        normalize_name(s)
    }

    fn sc(a: &str, b: &str) -> f64 {
        score(&analyse(a), &analyse(b))
    }

    #[test]
    fn case_punctuation_diacritics_and_legal_forms_go() {
        assert_eq!(words("Société Générale S.A."), vec!["societe", "generale"]);
        assert_eq!(words("CRYSTALORD LIMITED"), words("Crystalord Ltd."));
        assert_eq!(words("Volkswagen Gesellschaft mit beschränkter Haftung"), vec!["volkswagen"]);
        assert_eq!(words("FABERLIC EUROPE Sp. z o.o."), vec!["faberlic", "europe"]);
        assert_eq!(words("OOO Volkov"), vec!["volkov"]);
        assert_eq!(words("ООО \"Волков\""), vec!["volkov"]);
        assert_eq!(words("深圳华信电池科技有限公司"), vec!["shenzhen", "huaxin", "battery", "technology"]);
        assert_eq!(words("华信股份有限公司"), vec!["huaxin"]);
        assert_eq!(words("Company Limited"), vec!["company", "limited"]);
    }

    #[test]
    fn scripts_are_romanised() {
        assert_eq!(words("Сергей Лавров"), vec!["sergey", "lavrov"]);
        assert_eq!(words("عبد الفتاح السيسي"), vec!["abd", "al", "ftah", "al", "sisi"]);
        assert_eq!(words("习近平"), vec!["xi", "jinping"]);
        assert_eq!(words("김정은"), vec!["kim", "jeong", "eun"]);
        assert_eq!(words("バラク・オバマ"), vec!["baraku", "obama"]);
    }

    #[test]
    fn digits_numbers_and_initials() {
        assert_eq!(words("Ig0r Sech1n"), vec!["igor", "sechin"]);
        assert_eq!(words("1st International Bank"), words("First International Bank"));
        assert_eq!(words("L.X.C Aviation"), vec!["lxc", "aviation"]);
        assert_eq!(words("SiemensAG"), vec!["siemens"]);
        assert_eq!(words("Fund IV"), vec!["fund", "4"]);
    }

    #[test]
    fn scores_rank_variants_above_different_names() {
        assert!(sc("Vladimir Putin", "Putin, Vladimir") > 0.99);
        assert!(sc("Good Will Company", "Goodwill Company") > 0.95);
        assert!(sc("PLA", "People's Liberation Army") > 0.85);
        assert!(sc("Olaf Schulze", "Olaf Scholz") > sc("Octavian Scholz", "Olaf Scholz"));
        assert!(sc("Government of Estonia", "Government of Ethiopia") < 0.8);
        assert!(sc("Bashar al-Assad", "Hafez al-Assad") < 0.7);
    }
}
