//! Korean names in Hangul to Latin words, by the Revised Romanization of
//! Korean (2000), syllable by syllable as the scheme prescribes for
//! personal names (no sound changes across syllables).
//!
//! A run of two to four syllables that starts with a family name is read as
//! a person's name, family name first, the way lists write it ("KIM Jong
//! Un", "LEE Jae-myung"): the family name in the spelling lists use most
//! (김 Kim, 이 Lee, 박 Park; the other spellings pair with it as variants) and
//! the given name as one word. Any other run is one word.

use super::vocab::KOREAN_SURNAMES;

const FIRST: u32 = 0xAC00;
const LAST: u32 = 0xD7A3;

/// Initial consonants, in Unicode order.
const INITIALS: [&str; 19] =
    ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
/// Vowels, in Unicode order.
const VOWELS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu",
    "ui", "i",
];
/// Final consonants, in Unicode order (the first is none). A final is
/// written by the sound it makes at the end of a syllable.
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t",
    "t", "k", "t", "p", "t",
];

pub fn is_syllable(c: char) -> bool {
    (FIRST..=LAST).contains(&(c as u32))
}

/// One precomposed syllable in Revised Romanization; other characters give
/// nothing.
pub fn syllable(c: char, out: &mut String) {
    let u = c as u32;
    if !(FIRST..=LAST).contains(&u) {
        return;
    }
    let s = u - FIRST;
    let (l, v, t) = ((s / 588) as usize, ((s % 588) / 28) as usize, (s % 28) as usize);
    // Initial ㄹ is "r" but a final one "l"; both tables already say so.
    out.push_str(INITIALS[l]);
    out.push_str(VOWELS[v]);
    out.push_str(FINALS[t]);
}

/// The customary spelling of a family name written with this syllable.
pub fn surname(c: char) -> Option<&'static str> {
    KOREAN_SURNAMES.iter().find(|(h, _)| *h == c).and_then(|(_, spellings)| spellings.split(' ').next())
}

/// Romanises a run of Hangul syllables into words.
pub fn romanise(run: &str, words: &mut Vec<(String, String)>) {
    let syllables: Vec<char> = run.chars().filter(|&c| is_syllable(c)).collect();
    if syllables.is_empty() {
        return;
    }
    if (2..=4).contains(&syllables.len()) {
        if let Some(family) = surname(syllables[0]) {
            words.push((family.to_string(), syllables[0].to_string()));
            // The given name syllable by syllable: lists write it apart
            // ("Jong Un"), hyphenated ("Jong-un", read apart too) or
            // together, which the scorer rejoins.
            for &c in &syllables[1..] {
                let mut w = String::new();
                syllable(c, &mut w);
                words.push((w, c.to_string()));
            }
            return;
        }
    }
    let mut w = String::new();
    syllables.iter().for_each(|&c| syllable(c, &mut w));
    words.push((w, syllables.iter().collect()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rom(s: &str) -> Vec<String> {
        let mut w = Vec::new();
        romanise(s, &mut w);
        w.into_iter().map(|(text, _)| text).collect()
    }

    #[test]
    fn syllables_follow_revised_romanization() {
        let mut s = String::new();
        for c in "한국어".chars() {
            syllable(c, &mut s);
        }
        assert_eq!(s, "hangukeo");
        let mut s = String::new();
        syllable('률', &mut s);
        assert_eq!(s, "ryul");
    }

    #[test]
    fn person_names_put_the_family_name_first_in_its_usual_spelling() {
        assert_eq!(rom("김정은"), vec!["kim", "jeong", "eun"]);
        assert_eq!(rom("이재명"), vec!["lee", "jae", "myeong"]);
        assert_eq!(rom("박정희"), vec!["park", "jeong", "hui"]);
        assert_eq!(rom("삼성전자주식"), vec!["samseongjeonjajusik"]);
    }
}
