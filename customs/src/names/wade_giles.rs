//! Wade-Giles, the romanisation of Chinese that older lists and documents
//! use ("Mao Tse-tung", "Teng Hsiao-p'ing"), read as pinyin ("Mao Zedong",
//! "Deng Xiaoping"). The apostrophes that mark aspiration are gone by the
//! time a word gets here, so ch/ch' and k/k' read alike; the scorer's
//! phonetic forms do not tell those apart anyway.

use std::collections::HashSet;
use std::sync::OnceLock;

use pinyin::ToPinyin;

/// Every pinyin syllable (without tones), from the readings of the CJK
/// Unified Ideographs block.
fn syllables() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        let mut set = HashSet::new();
        for u in 0x4E00u32..=0x9FFF {
            if let Some(p) = char::from_u32(u).and_then(|c| c.to_pinyin()) {
                let plain: String = p.plain().chars().map(|c| if c == 'ü' { 'u' } else { c }).collect();
                set.insert(plain);
            }
        }
        set
    })
}

/// Whether a word is one pinyin syllable.
pub fn is_pinyin_syllable(w: &str) -> bool {
    syllables().contains(w)
}

/// Initials, longest first.
const INITIALS: &[&str] =
    &["hs", "ch", "ts", "tz", "ss", "sz", "sh", "p", "t", "k", "j", "h", "m", "n", "l", "f", "s", "w", "y"];

/// The pinyin of a Wade-Giles syllable that is not already pinyin, or
/// `None` (not a syllable, or the same in both).
pub fn to_pinyin(w: &str) -> Option<String> {
    if w.len() > 6 || !w.bytes().all(|b| b.is_ascii_lowercase()) || is_pinyin_syllable(w) {
        return None;
    }
    let init = INITIALS.iter().find(|i| w.starts_with(**i)).copied().unwrap_or("");
    let rest = &w[init.len()..];
    let initial = match init {
        "hs" => "x",
        // chih is zhi; chi (and chü) are ji; cha, cheng, chou are zha, zheng, zhou.
        "ch" if rest == "ih" => "zh",
        "ch" if rest.starts_with(['i', 'u']) && rest != "u" && !rest.starts_with("ua") && !rest.starts_with("un") => {
            "j"
        }
        "ch" => "zh",
        "ts" | "tz" => "z",
        "ss" | "sz" => "s",
        "k" => "g",
        "t" => "d",
        "p" => "b",
        "j" => "r",
        other => other,
    };
    let fin = match rest {
        "ung" => "ong",
        "iung" => "iong",
        "ieh" => "ie",
        "ien" => "ian",
        "ih" => "i",
        "uei" => "ui",
        "ueh" => "ue",
        "erh" => "er",
        // tzu, ssu: the buzzing vowel pinyin writes i.
        "u" if matches!(init, "ts" | "tz" | "ss" | "sz") => "i",
        "o" if matches!(init, "k" | "h") => "e",
        other => other,
    };
    let p = format!("{initial}{fin}");
    (p != w && is_pinyin_syllable(&p)).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wade_giles_syllables_read_as_pinyin() {
        for (wg, py) in [
            ("tse", "ze"),
            ("tung", "dong"),
            ("hsiao", "xiao"),
            ("chih", "zhi"),
            ("chiang", "jiang"),
            ("kuei", "gui"),
            ("tzu", "zi"),
            ("hsu", "xu"),
            ("tsai", "zai"),
            ("chung", "zhong"),
        ] {
            assert_eq!(to_pinyin(wg).as_deref(), Some(py), "{wg}");
        }
        // Already pinyin, or no syllable at all.
        assert_eq!(to_pinyin("mao"), None);
        assert_eq!(to_pinyin("smith"), None);
    }
}
