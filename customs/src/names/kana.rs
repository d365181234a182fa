//! Japanese kana to Latin letters by modified Hepburn, the romanisation
//! passports and most lists use: し shi, ち chi, つ tsu, ふ fu, じ ji; a
//! small ゃ ゅ ょ joins the syllable before it (きゃ kya, しゃ sha); a small っ
//! doubles the next consonant (っち tchi); ん is n; the long-vowel mark ー
//! and long vowels are written without macrons, as lists do (Tōkyō →
//! Tokyo). Katakana and hiragana read alike.

/// Hiragana あ (U+3042) to ゖ, in order; katakana are the same plus 0x60.
/// Small kana have their own entries, read where they join.
const BASE: u32 = 0x3041;
const TABLE: [&str; 86] = [
    "a", "a", "i", "i", "u", "u", "e", "e", "o", "o", // ぁあぃいぅうぇえぉお
    "ka", "ga", "ki", "gi", "ku", "gu", "ke", "ge", "ko", "go", // かがきぎくぐけげこご
    "sa", "za", "shi", "ji", "su", "zu", "se", "ze", "so", "zo", // さざしじすずせぜそぞ
    "ta", "da", "chi", "ji", "", "tsu", "zu", "te", "de", "to", "do", // ただちぢっつづてでとど
    "na", "ni", "nu", "ne", "no", // なにぬねの
    "ha", "ba", "pa", "hi", "bi", "pi", "fu", "bu", "pu", "he", "be", "pe", "ho", "bo", "po", // は…ぽ
    "ma", "mi", "mu", "me", "mo", // まみむめも
    "ya", "ya", "yu", "yu", "yo", "yo", // ゃやゅゆょよ
    "ra", "ri", "ru", "re", "ro", // らりるれろ
    "wa", "wa", "i", "e", "o", "n", "vu", "ka", "ke", // ゎわゐゑをんゔゕゖ
];

fn index(c: char) -> Option<usize> {
    let u = c as u32;
    let u = if (0x30A1..=0x30F6).contains(&u) { u - 0x60 } else { u };
    (BASE..BASE + TABLE.len() as u32).contains(&u).then(|| (u - BASE) as usize)
}

pub fn is_kana(c: char) -> bool {
    index(c).is_some() || c == 'ー'
}

fn is_small_y(c: char) -> bool {
    matches!(c, 'ゃ' | 'ゅ' | 'ょ' | 'ャ' | 'ュ' | 'ョ')
}

fn is_small_vowel(c: char) -> bool {
    matches!(c, 'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ')
}

fn is_sokuon(c: char) -> bool {
    matches!(c, 'っ' | 'ッ')
}

/// Romanises a run of kana; other characters are skipped.
pub fn hepburn(run: &str, out: &mut String) {
    let chars: Vec<char> = run.chars().collect();
    let mut double_next = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_sokuon(c) {
            double_next = true;
            i += 1;
            continue;
        }
        if c == 'ー' {
            // A long vowel: lists write it once.
            i += 1;
            continue;
        }
        let Some(k) = index(c) else {
            i += 1;
            continue;
        };
        let mut syl = TABLE[k].to_string();
        if let Some(&next) = chars.get(i + 1) {
            if is_small_y(next) {
                let y = index(next).map(|n| TABLE[n]).unwrap_or("");
                // きゃ kya; しゃ sha, ちゃ cha, じゃ ja drop the y.
                let stem = syl.trim_end_matches('i');
                syl =
                    if matches!(stem, "sh" | "ch" | "j") { format!("{stem}{}", &y[1..]) } else { format!("{stem}{y}") };
                i += 1;
            } else if is_small_vowel(next) && !syl.is_empty() {
                // Foreign sounds in katakana: ファ fa, ティ ti, ウィ wi.
                let v = index(next).map(|n| TABLE[n]).unwrap_or("");
                let stem = syl.trim_end_matches(['a', 'i', 'u', 'e', 'o']);
                let stem = if stem.is_empty() && syl == "u" { "w" } else { stem };
                syl = format!("{stem}{v}");
                i += 1;
            }
        }
        if double_next {
            // っち is "tchi" in Hepburn; any other consonant doubles.
            match syl.as_bytes().first() {
                Some(b'c') => out.push('t'),
                Some(&b) if !matches!(b, b'a' | b'i' | b'u' | b'e' | b'o' | b'n') => out.push(char::from(b)),
                _ => {}
            }
            double_next = false;
        }
        out.push_str(&syl);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> String {
        let mut o = String::new();
        hepburn(s, &mut o);
        o
    }

    #[test]
    fn hepburn_spellings() {
        assert_eq!(h("バラク"), "baraku");
        assert_eq!(h("オバマ"), "obama");
        assert_eq!(h("しんぞう"), "shinzou");
        assert_eq!(h("きしだ"), "kishida");
        assert_eq!(h("ちゃ"), "cha");
        assert_eq!(h("きょうと"), "kyouto");
        assert_eq!(h("マッチ"), "matchi");
        assert_eq!(h("ハッピー"), "happi");
        assert_eq!(h("ふじ"), "fuji");
        assert_eq!(h("ファミリー"), "famiri");
        assert_eq!(h("トヨタ"), "toyota");
    }
}
