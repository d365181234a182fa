//! Romanisation of the scripts that sanctioned names most often come in.
//!
//! Cyrillic follows a simplified BGN/PCGN scheme (Russian letters, plus the
//! Ukrainian, Belarusian, Serbian and Kazakh extras), Arabic and Persian a
//! simplified ALA-LC scheme that writes the long vowels and leaves the
//! unwritten short ones out (the scorer compares such words by their
//! consonants). Chinese is romanised in `han`, Korean in `hangul`, Japanese
//! kana in `kana`; any other script falls back to `any_ascii`. Latin letters
//! lose their diacritics.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The script family of a character, as far as romanisation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
    Hangul,
    Kana,
    Other,
}

pub fn script_of(c: char) -> Option<Script> {
    let u = c as u32;
    if c.is_ascii_alphanumeric() {
        return Some(Script::Latin);
    }
    if !c.is_alphanumeric() && !is_combining_mark(c) {
        return None;
    }
    Some(match u {
        0x00C0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
        0x3041..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        _ if c.is_numeric() => Script::Latin,
        _ => Script::Other,
    })
}

/// Latin letters without diacritics, lower case; letters that do not
/// decompose (ß, ø, ł, æ …) are spelled out.
pub fn fold_latin(word: &str, out: &mut String) {
    for c in word.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c if c.is_numeric() => {
                if let Some(d) = c.to_digit(10) {
                    out.push(char::from(b'0' + d as u8));
                }
            }
            c => out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase()),
        }
    }
}

pub fn cyrillic(word: &str, out: &mut String) {
    for c in word.chars().flat_map(char::to_lowercase) {
        let s = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            // Ukrainian, Belarusian
            'і' => "i",
            'ї' => "yi",
            'є' => "ye",
            'ґ' => "g",
            'ў' => "u",
            // Serbian, Macedonian
            'ђ' => "dj",
            'ј' => "j",
            'љ' => "lj",
            'њ' => "nj",
            'ћ' => "c",
            'џ' => "dz",
            'ѓ' => "gj",
            'ќ' => "kj",
            'ѕ' => "dz",
            // Kazakh, Kyrgyz, Tatar
            'ә' => "a",
            'ғ' => "g",
            'қ' => "k",
            'ң' => "n",
            'ө' => "o",
            'ұ' | 'ү' => "u",
            'һ' => "h",
            'ҳ' => "h",
            'ҷ' => "j",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            c if c.is_numeric() => {
                if let Some(d) = c.to_digit(10) {
                    out.push(char::from(b'0' + d as u8));
                }
                continue;
            }
            c => {
                out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase());
                continue;
            }
        };
        out.push_str(s);
    }
}

/// Romanises one Arabic-script word. The article "al-" comes out as a
/// separate word, as the Latin spellings of the lists write it.
pub fn arabic(word: &str, words: &mut Vec<String>) {
    let letters: Vec<char> =
        word.chars().filter(|&c| !matches!(c as u32, 0x064B..=0x065F | 0x0670 | 0x0640 | 0x06D6..=0x06ED)).collect();
    let mut start = 0;
    if letters.len() > 3 && letters[0] == 'ا' && letters[1] == 'ل' {
        words.push("al".into());
        start = 2;
    }
    let mut out = String::new();
    for (k, &c) in letters[start..].iter().enumerate() {
        let initial = k == 0;
        // After a word-initial alef, waw and ya spell the vowels o/u and e/i
        // of foreign names (أوندوا "Ondoa"), not consonants.
        let after_vowel = out.ends_with(['a', 'i', 'u']) && !(k == 1 && out == "a");
        let s = match c {
            'ا' | 'أ' | 'آ' | 'ٱ' => "a",
            'إ' => "i",
            'ب' => "b",
            'ت' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' => "h",
            'خ' => "kh",
            'د' => "d",
            'ذ' => "dh",
            'ر' => "r",
            'ز' => "z",
            'س' => "s",
            'ش' => "sh",
            'ص' => "s",
            'ض' => "d",
            'ط' => "t",
            'ظ' => "z",
            // An initial ayn is heard as a vowel ('Abd → Abd).
            'ع' if initial => "a",
            'ع' | 'ء' | 'ئ' => "",
            'غ' => "gh",
            'ف' => "f",
            'ق' => "q",
            'ك' | 'ک' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            'ه' | 'ھ' => "h",
            'ة' | 'ۀ' | 'ى' => "a",
            'ؤ' => "u",
            'و' if initial || after_vowel => "w",
            'و' => "u",
            'ي' | 'ی' if initial || after_vowel => "y",
            'ي' | 'ی' => "i",
            'پ' => "p",
            'چ' => "ch",
            'ژ' => "zh",
            'گ' => "g",
            c if c.is_numeric() => {
                if let Some(d) = c.to_digit(10) {
                    out.push(char::from(b'0' + d as u8));
                }
                continue;
            }
            c => {
                out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase());
                continue;
            }
        };
        out.push_str(s);
    }
    if !out.is_empty() {
        words.push(out);
    }
}

/// Any other script: `any_ascii`, lower case.
pub fn other(word: &str, out: &mut String) {
    for c in word.chars() {
        if is_combining_mark(c) && any_ascii::any_ascii_char(c).is_empty() {
            continue;
        }
        out.push_str(&any_ascii::any_ascii_char(c).to_ascii_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cyr(s: &str) -> String {
        let mut o = String::new();
        cyrillic(s, &mut o);
        o
    }

    #[test]
    fn cyrillic_romanises_russian_and_ukrainian() {
        assert_eq!(cyr("Ротенберг"), "rotenberg");
        assert_eq!(cyr("Аркадий"), "arkadiy");
        assert_eq!(cyr("Щукин"), "shchukin");
        assert_eq!(cyr("Зеленський"), "zelenskiy");
        assert_eq!(cyr("Їжак"), "yizhak");
    }

    #[test]
    fn arabic_splits_the_article_and_writes_long_vowels() {
        let mut w = Vec::new();
        arabic("السيسي", &mut w);
        assert_eq!(w, vec!["al", "sisi"]);
        let mut w = Vec::new();
        arabic("محمود", &mut w);
        assert_eq!(w, vec!["mhmud"]);
    }

    #[test]
    fn latin_loses_diacritics() {
        let mut o = String::new();
        fold_latin("Erdoğan Vučić Straße", &mut o);
        assert_eq!(o, "erdogan vucic strasse");
    }
}
