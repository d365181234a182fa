//! Text helpers shared by the dense hash embedder and the BM25 encoder, so
//! both see Chinese and English the same way.

use std::borrow::Cow;

/// CJK ideographs (unified + extension A + compatibility). Kana and Hangul are
/// left out on purpose: the knowledge base is English and Chinese only.
#[inline]
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{f900}'..='\u{faff}')
}

/// Folds full-width ASCII forms ("ＭＯＱ", "４８Ｖ"), common in Chinese
/// text, to plain ASCII so they match their half-width spelling. Borrows
/// when there is nothing to fold, which is almost always.
pub(crate) fn fold_fullwidth(text: &str) -> Cow<'_, str> {
    const FULLWIDTH: std::ops::RangeInclusive<char> = '\u{ff01}'..='\u{ff5e}';
    if !text.chars().any(|c| FULLWIDTH.contains(&c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if FULLWIDTH.contains(&c) { char::from_u32(c as u32 - 0xfee0).unwrap_or(c) } else { c })
            .collect(),
    )
}

/// A run of text of one script class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run<'a> {
    /// Letters/digits outside CJK (English words, SKUs, numbers).
    Word(&'a str),
    /// Consecutive CJK ideographs.
    Cjk(&'a str),
}

/// Splits text into word runs and CJK runs; everything else is a separator.
/// Hyphens and apostrophes split words too, so "TW-BP-4820" yields "TW",
/// "BP", "4820" in both the index and the query.
pub(crate) fn runs(text: &str, mut f: impl FnMut(Run<'_>)) {
    #[derive(PartialEq, Eq, Clone, Copy)]
    enum Class {
        Sep,
        Word,
        Cjk,
    }
    let class_of = |c: char| {
        if is_cjk(c) {
            Class::Cjk
        } else if c.is_alphanumeric() {
            Class::Word
        } else {
            Class::Sep
        }
    };
    let mut start = 0usize;
    let mut current = Class::Sep;
    for (i, c) in text.char_indices() {
        let class = class_of(c);
        if class != current {
            emit(text, start, i, current, &mut f);
            start = i;
            current = class;
        }
    }
    emit(text, start, text.len(), current, &mut f);

    fn emit<'a>(text: &'a str, start: usize, end: usize, class: Class, f: &mut impl FnMut(Run<'a>)) {
        if start >= end {
            return;
        }
        let s = &text[start..end];
        match class {
            Class::Sep => {}
            Class::Word => f(Run::Word(s)),
            Class::Cjk => f(Run::Cjk(s)),
        }
    }
}

/// Small English stopword list: function words that make paraphrases look
/// different without carrying meaning.
pub(crate) fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "and"
            | "or"
            | "but"
            | "of"
            | "to"
            | "in"
            | "on"
            | "for"
            | "with"
            | "at"
            | "by"
            | "from"
            | "as"
            | "into"
            | "about"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "being"
            | "am"
            | "do"
            | "does"
            | "did"
            | "doing"
            | "have"
            | "has"
            | "had"
            | "you"
            | "your"
            | "yours"
            | "we"
            | "our"
            | "ours"
            | "us"
            | "i"
            | "me"
            | "my"
            | "it"
            | "its"
            | "this"
            | "that"
            | "these"
            | "those"
            | "what"
            | "which"
            | "who"
            | "whom"
            | "how"
            | "can"
            | "could"
            | "would"
            | "should"
            | "will"
            | "shall"
            | "may"
            | "might"
            | "must"
            | "if"
            | "so"
            | "any"
            | "there"
            | "their"
            | "they"
            | "them"
            | "he"
            | "she"
            | "his"
            | "her"
            | "please"
            | "also"
            | "then"
            | "than"
            | "too"
            | "very"
            | "just"
            | "some"
            | "such"
            | "s"
            | "t"
    )
}

/// Suffix-stripping stemmer. Crude but consistent: it only has to map a word
/// and its inflections to the same key ("battery"/"batteries" → "batter",
/// "pay"/"payment" → "pay", "ship"/"shipping"/"shipped" → "ship").
pub(crate) fn stem(w: &str) -> &str {
    // Only ASCII words are stemmed; byte slicing below relies on it.
    if w.len() <= 3 || !w.is_ascii() {
        return w;
    }
    const RULES: &[(&str, usize)] = &[
        ("ations", 3),
        ("ation", 3),
        ("ated", 3),
        ("ates", 3),
        ("ate", 3),
        ("tions", 3),
        ("tion", 3),
        ("ions", 3),
        ("ion", 3),
        ("ments", 3),
        ("ment", 3),
        ("ings", 3),
        ("ing", 3),
        ("ies", 3),
        ("ied", 3),
        ("ed", 3),
        ("es", 3),
        ("ly", 3),
        ("s", 3),
        ("e", 3),
        ("y", 3),
    ];
    for &(suffix, min_stem) in RULES {
        if let Some(stem) = w.strip_suffix(suffix) {
            if stem.len() < min_stem {
                continue;
            }
            if suffix == "s" && stem.ends_with('s') {
                // "glass", "process": not a plural.
                return w;
            }
            return undouble(stem);
        }
    }
    w
}

/// "shipp" → "ship", "stopp" → "stop": the doubled consonant left behind by
/// "-ing"/"-ed" on short stems.
fn undouble(stem: &str) -> &str {
    let b = stem.as_bytes();
    let n = b.len();
    if n >= 4 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'a' | b'e' | b'i' | b'o' | b'u' | b'l' | b's' | b'z') {
        &stem[..n - 1]
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        runs(text, |r| match r {
            Run::Word(w) => out.push(format!("w:{w}")),
            Run::Cjk(c) => out.push(format!("c:{c}")),
        });
        out
    }

    #[test]
    fn runs_split_scripts_and_punctuation() {
        assert_eq!(
            collect("48V锂电池, TW-BP-4820？付款"),
            vec!["w:48V", "c:锂电池", "w:TW", "w:BP", "w:4820", "c:付款"]
        );
        assert!(collect("  ,.!  ").is_empty());
    }

    #[test]
    fn fullwidth_forms_fold_to_ascii() {
        assert_eq!(fold_fullwidth("ＭＯＱ是４８Ｖ"), "MOQ是48V");
        assert!(matches!(fold_fullwidth("MOQ 是 48V"), Cow::Borrowed(_)));
    }

    #[test]
    fn stemmer_conflates_common_inflections() {
        assert_eq!(stem("battery"), stem("batteries"));
        assert_eq!(stem("payment"), "pay");
        assert_eq!(stem("shipping"), "ship");
        assert_eq!(stem("shipped"), "ship");
        assert_eq!(stem("terms"), "term");
        assert_eq!(stem("package"), stem("packages"));
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("moq"), "moq");
    }
}
