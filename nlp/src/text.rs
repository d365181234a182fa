//! Normalisation and tokenisation shared by every matcher, so that they all
//! agree on what a "word" is and can point back into the original text.

/// Matching never looks past this many bytes of a message: real inquiries
/// are far shorter, and the cap bounds what a hostile 1 MB message costs.
pub(crate) const SCAN_CAP: usize = 16 * 1024;

/// The longest prefix of `text` that is at most `max` bytes and ends on a
/// character boundary.
pub(crate) fn cap(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// FNV-1a. Map keys are short words and the maps only ever hold our own
/// patterns (messages are looked up, never inserted), so SipHash's flooding
/// protection buys nothing and costs a noticeable share of a parse.
pub(crate) type FastMap<K, V> = fnv::FnvHashMap<K, V>;

/// Han ideographs, kana and hangul: scripts written without spaces, where a
/// pattern may start at any character.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{20000}'..='\u{2A6DF}')
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphabetic() && !is_cjk(c))
}

/// Folds one character to its matching form, or drops it. The mapping is one
/// character to at most one character so every normalised position still has
/// a single original position.
pub(crate) fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return match c {
            '\n' | '\r' => Some('\n'),
            '\t' | '\x0b' | '\x0c' => Some(' '),
            c if c.is_ascii_control() => None,
            c => Some(c.to_ascii_lowercase()),
        };
    }
    match c {
        // Full-width ASCII (Chinese input methods): Ｆ０Ｂ，：（）
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).map(|a| a.to_ascii_lowercase()),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => Some(' '),
        '\u{2028}' | '\u{2029}' | '\u{0085}' => Some('\n'),
        // Invisible characters are a classic way to split "ig\u{200b}nore" past a filter.
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' => None,
        '\u{3001}' => Some(','),
        '\u{3002}' | '\u{FF61}' => Some('.'),
        '\u{3010}' | '\u{3014}' | '\u{3016}' => Some('('),
        '\u{3011}' | '\u{3015}' | '\u{3017}' => Some(')'),
        '\u{300A}' | '\u{300B}' | '\u{300C}' | '\u{300D}' | '\u{300E}' | '\u{300F}' | '\u{201C}' | '\u{201D}'
        | '\u{201E}' => Some('"'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => Some('\''),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => Some('-'),
        c if c.is_control() => None,
        c => {
            let mut lower = c.to_lowercase();
            let l = match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            };
            Some(strip_accent(l))
        }
    }
}

/// Customers type "Gdansk" and "Gdańsk", "Munchen" and "München".
fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ł' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        c => c,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters, possibly with digits: "battery", "48v", "x200", "twbp4820".
    Word,
    /// Digits with inner `.`/`,`: "800", "1,200", "1.5".
    Num,
    /// One CJK character.
    Cjk,
    Punct,
    Newline,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub kind: Kind,
    norm: (u32, u32),
    stem: (u32, u32),
    /// Byte range in the original text.
    pub o0: usize,
    pub o1: usize,
    pub space_before: bool,
}

/// A message, normalised and tokenised once and shared by all matchers.
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    /// Folded text (lower case, half-width, no invisible characters).
    pub norm: String,
    /// For every byte of `norm`, the original byte offset of its character;
    /// one extra entry maps the end.
    nmap: Vec<u32>,
    /// Normalised and stemmed token texts, so tokens don't allocate.
    buf: String,
    pub toks: Vec<Tok>,
}

/// Unit words that customers separate from their number ("48 V", "500 W");
/// joining them makes "48 v" and "48v" the same token.
fn is_join_unit(w: &str) -> bool {
    matches!(
        w,
        "v" | "vdc"
            | "vac"
            | "volt"
            | "volts"
            | "kv"
            | "ah"
            | "mah"
            | "w"
            | "watt"
            | "watts"
            | "kw"
            | "wh"
            | "kwh"
            | "hz"
            | "amp"
            | "amps"
            | "mm"
            | "cm"
            | "m"
            | "ft"
            | "inch"
            | "inches"
    )
}

/// Plural-insensitive form of a lower-case ASCII word ("packs" → "pack",
/// "batteries" → "battery"); short words are left alone so "bus" stays "bus".
/// Returns the length of the kept head and the suffix to append.
fn stem_parts(w: &str) -> Option<(usize, &'static str)> {
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        return Some((n - 3, "y"));
    }
    if n > 4 && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("sses") || w.ends_with("xes")) {
        return Some((n - 2, ""));
    }
    if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return Some((n - 1, ""));
    }
    None
}

impl<'a> Doc<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut doc = Self::normalized(text);
        doc.buf.reserve(text.len() + 16);
        doc.tokenize();
        doc
    }

    /// The folded text and its offset map only, without tokens: for
    /// scanners that read `norm` alone (identifiers, contacts), where
    /// tokenising was most of the cost.
    pub fn normalized(text: &'a str) -> Self {
        let mut norm = String::with_capacity(text.len());
        let mut nmap = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            if let Some(f) = fold(c) {
                let before = norm.len();
                norm.push(f);
                for _ in before..norm.len() {
                    nmap.push(i as u32);
                }
            }
        }
        nmap.push(text.len() as u32);
        Doc { text, norm, nmap, buf: String::new(), toks: Vec::new() }
    }

    fn orig_at(&self, nb: usize) -> usize {
        self.nmap.get(nb).map_or(self.text.len(), |&o| o as usize)
    }

    fn push_tok(&mut self, toks: &mut Vec<Tok>, kind: Kind, text: &str, nb0: usize, nb1: usize, space: bool) {
        let b0 = self.buf.len() as u32;
        self.buf.push_str(text);
        let b1 = self.buf.len() as u32;
        toks.push(Tok {
            kind,
            norm: (b0, b1),
            stem: (b0, b1),
            o0: self.orig_at(nb0),
            o1: self.orig_at(nb1),
            space_before: space,
        });
    }

    fn tokenize(&mut self) {
        let norm = std::mem::take(&mut self.norm);
        let cs: Vec<(usize, char)> = norm.char_indices().collect();
        let n = cs.len();
        let mut toks = Vec::with_capacity(n / 3 + 4);
        let mut i = 0;
        let mut space = false;
        let mut tmp = [0u8; 4];
        while i < n {
            let (nb, c) = cs[i];
            let next_nb = nb + c.len_utf8();
            if c == '\n' {
                self.push_tok(&mut toks, Kind::Newline, "\n", nb, next_nb, true);
                space = true;
                i += 1;
                continue;
            }
            if c.is_whitespace() {
                space = true;
                i += 1;
                continue;
            }
            if !is_word_char(c) {
                let kind = if is_cjk(c) { Kind::Cjk } else { Kind::Punct };
                let s: &str = c.encode_utf8(&mut tmp);
                self.push_tok(&mut toks, kind, s, nb, next_nb, space);
                space = false;
                i += 1;
                continue;
            }
            let b0 = self.buf.len();
            let mut alpha = false;
            let mut ascii_lower = true;
            let mut j = i;
            while j < n {
                let c = cs[j].1;
                if is_word_char(c) {
                    self.buf.push(c);
                    alpha |= !c.is_ascii_digit();
                    ascii_lower &= c.is_ascii_lowercase();
                    j += 1;
                    continue;
                }
                let prev = cs[j - 1].1;
                let next = cs.get(j + 1).map(|x| x.1);
                match (c, next) {
                    // "e-bike" = "ebike"; "TW-BP-4820" is one SKU; but "2024-03" stays apart.
                    ('-' | '_', Some(nx)) if is_word_char(nx) && (prev.is_alphabetic() || nx.is_alphabetic()) => {
                        j += 1;
                    }
                    ('\'', Some(nx)) if prev.is_alphabetic() && nx.is_alphabetic() => {
                        j += 1;
                    }
                    ('.' | ',', Some(nx)) if prev.is_ascii_digit() && nx.is_ascii_digit() => {
                        self.buf.push(c);
                        j += 1;
                    }
                    _ => break,
                }
            }
            let b1 = self.buf.len();
            let end_nb = cs[j - 1].0 + cs[j - 1].1.len_utf8();
            let mut stem = (b0 as u32, b1 as u32);
            if alpha && ascii_lower {
                if let Some((hl, tail)) = stem_parts(&self.buf[b0..b1]) {
                    let head = self.buf[b0..b0 + hl].to_owned();
                    let s0 = self.buf.len();
                    self.buf.push_str(&head);
                    self.buf.push_str(tail);
                    stem = (s0 as u32, self.buf.len() as u32);
                }
            }
            toks.push(Tok {
                kind: if alpha { Kind::Word } else { Kind::Num },
                norm: (b0 as u32, b1 as u32),
                stem,
                o0: self.orig_at(nb),
                o1: self.orig_at(end_nb),
                space_before: space,
            });
            space = false;
            i = j;
        }
        self.norm = norm;
        self.toks = self.join_units(toks);
    }

    /// Merges "48 V" into one "48v" token so specs read the same however spaced.
    fn join_units(&mut self, toks: Vec<Tok>) -> Vec<Tok> {
        let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            if t.kind == Kind::Num && i + 1 < toks.len() {
                let u = toks[i + 1];
                let unit = &self.buf[u.norm.0 as usize..u.norm.1 as usize];
                if u.kind == Kind::Word && u.space_before && is_join_unit(unit) {
                    let merged = format!("{}{}", &self.buf[t.norm.0 as usize..t.norm.1 as usize], unit);
                    let b0 = self.buf.len() as u32;
                    self.buf.push_str(&merged);
                    let b1 = self.buf.len() as u32;
                    out.push(Tok {
                        kind: Kind::Word,
                        norm: (b0, b1),
                        stem: (b0, b1),
                        o0: t.o0,
                        o1: u.o1,
                        space_before: t.space_before,
                    });
                    i += 2;
                    continue;
                }
            }
            out.push(t);
            i += 1;
        }
        out
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn norm_of(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => &self.buf[t.norm.0 as usize..t.norm.1 as usize],
            None => "",
        }
    }

    pub fn stem_of(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => &self.buf[t.stem.0 as usize..t.stem.1 as usize],
            None => "",
        }
    }

    pub fn key(&self, i: usize, stem: bool) -> &str {
        if stem {
            self.stem_of(i)
        } else {
            self.norm_of(i)
        }
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// The original text of token `i`.
    pub fn orig_of(&self, i: usize) -> &'a str {
        match self.toks.get(i) {
            Some(t) => self.text.get(t.o0..t.o1).unwrap_or(""),
            None => "",
        }
    }

    /// The original text covering tokens `a..b`.
    pub fn span(&self, a: usize, b: usize) -> &'a str {
        if a >= b || b > self.toks.len() {
            return "";
        }
        let (o0, o1) = (self.toks[a].o0, self.toks[b - 1].o1);
        self.text.get(o0..o1).unwrap_or("").trim()
    }

    pub fn norm_to_orig(&self, nb: usize) -> usize {
        self.orig_at(nb)
    }

    pub fn is(&self, i: usize, s: &str) -> bool {
        i < self.toks.len() && self.norm_of(i) == s
    }

    pub fn is_punct(&self, i: usize, c: char) -> bool {
        self.kind(i) == Some(Kind::Punct) && self.norm_of(i).starts_with(c)
    }

    /// True when token `i` is glued to the previous one (no space between).
    pub fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space_before)
    }

    pub fn starts_upper(&self, i: usize) -> bool {
        self.orig_of(i).chars().next().is_some_and(|c| c.is_uppercase())
    }

    /// All letters upper case (and at least one letter).
    pub fn all_upper(&self, i: usize) -> bool {
        let s = self.orig_of(i);
        s.chars().any(|c| c.is_alphabetic()) && !s.chars().any(|c| c.is_lowercase())
    }

    /// Sentence and line boundaries, which stop most look-arounds.
    pub fn is_boundary(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(Kind::Newline) => true,
            Some(Kind::Punct) => matches!(self.norm_of(i), "." | "!" | "?" | ";"),
            _ => false,
        }
    }

    /// True when token `i` overlaps one of the original-text byte ranges.
    pub fn in_spans(&self, i: usize, spans: &[(usize, usize)]) -> bool {
        match self.toks.get(i) {
            Some(t) => spans.iter().any(|&(a, b)| t.o0 < b && a < t.o1),
            None => false,
        }
    }
}

/// One pattern occurrence: tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub payload: u32,
}

/// Multi-token phrase lookup. Patterns are tokenised exactly like messages,
/// so Latin words match whole words and CJK matches character runs anywhere.
pub(crate) struct PhraseIndex {
    first: FastMap<Box<str>, Vec<u32>>,
    pats: Vec<(Box<[Box<str>]>, u32)>,
    stem: bool,
}

impl PhraseIndex {
    pub fn new(stem: bool) -> Self {
        Self { first: FastMap::default(), pats: Vec::new(), stem }
    }

    /// Tokenises `phrase` and indexes it; returns its keys (empty when the
    /// phrase has no tokens and was skipped).
    pub fn add(&mut self, phrase: &str, payload: u32) -> usize {
        let keys = self.keys_of(phrase);
        let n = keys.len();
        self.add_keys(keys, payload);
        n
    }

    pub fn keys_of(&self, phrase: &str) -> Vec<Box<str>> {
        let d = Doc::new(phrase);
        (0..d.len()).map(|i| Box::<str>::from(d.key(i, self.stem))).collect()
    }

    pub fn add_keys(&mut self, keys: Vec<Box<str>>, payload: u32) {
        let Some(k0) = keys.first().cloned() else { return };
        let id = self.pats.len() as u32;
        self.first.entry(k0).or_default().push(id);
        self.pats.push((keys.into_boxed_slice(), payload));
    }

    /// Every occurrence of every pattern, overlapping ones included.
    pub fn find_all(&self, doc: &Doc, out: &mut Vec<Hit>) {
        let n = doc.len();
        for i in 0..n {
            let Some(ids) = self.first.get(doc.key(i, self.stem)) else { continue };
            for &id in ids {
                let (keys, payload) = &self.pats[id as usize];
                let l = keys.len();
                if i + l <= n && (1..l).all(|k| doc.key(i + k, self.stem) == &*keys[k]) {
                    out.push(Hit { start: i, end: i + l, payload: *payload });
                }
            }
        }
    }
}

/// Keeps the leftmost, then longest, non-overlapping hits. `better` breaks
/// ties between hits with the same span (true when `a` should win).
pub(crate) fn leftmost_longest(hits: &mut Vec<Hit>, better: impl Fn(&Hit, &Hit) -> bool) {
    hits.sort_by(|a, b| {
        a.start.cmp(&b.start).then(b.end.cmp(&a.end)).then_with(|| {
            if better(a, b) {
                std::cmp::Ordering::Less
            } else if better(b, a) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    let mut out = Vec::with_capacity(hits.len());
    let mut last_end = 0;
    for h in hits.iter() {
        if out.is_empty() || h.start >= last_end {
            last_end = h.end;
            out.push(*h);
        }
    }
    *hits = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_fold_to_ascii_lower() {
        let d = Doc::new("ＦＯＢ　深圳，48 V");
        let keys: Vec<&str> = (0..d.len()).map(|i| d.norm_of(i)).collect();
        assert_eq!(keys, vec!["fob", "深", "圳", ",", "48v"]);
        assert_eq!(d.orig_of(0), "ＦＯＢ");
        assert_eq!(d.orig_of(4), "48 V");
    }

    #[test]
    fn hyphenated_words_join_but_dates_do_not() {
        let d = Doc::new("e-bike 2024-03 TW-BP-4820");
        let keys: Vec<&str> = (0..d.len()).map(|i| d.norm_of(i)).collect();
        assert_eq!(keys, vec!["ebike", "2024", "-", "03", "twbp4820"]);
    }

    #[test]
    fn plurals_share_a_stem_but_short_words_keep_theirs() {
        let d = Doc::new("packs batteries bus");
        assert_eq!(d.stem_of(0), "pack");
        assert_eq!(d.stem_of(1), "battery");
        assert_eq!(d.stem_of(2), "bus");
    }

    #[test]
    fn invisible_characters_are_dropped() {
        let d = Doc::new("ig\u{200b}nore");
        assert_eq!(d.norm_of(0), "ignore");
    }

    #[test]
    fn cap_respects_char_boundaries() {
        let s = "汉汉汉";
        assert_eq!(cap(s, 4), "汉");
        assert_eq!(cap(s, 100), s);
    }

    #[test]
    fn fast_map_hash_is_fnv1a() {
        use std::hash::{BuildHasher, Hasher};
        // Pinned before the hasher moved to the `fnv` crate: the standard
        // FNV-1a 64 test vectors, and what a `str` key (bytes, then 0xff)
        // hashes to.
        let raw = |bytes: &[u8]| {
            let mut h = <FastMap<(), ()>>::default().hasher().build_hasher();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(raw(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(raw(b"foobar"), 0x8594_4171_f739_67e8);
        let keyed = |s: &str| <FastMap<(), ()>>::default().hasher().hash_one(s);
        assert_eq!(keyed("fob"), 15_917_552_289_879_989_037);
        assert_eq!(keyed("离岸价"), 16_257_077_034_648_507_485);
    }
}
