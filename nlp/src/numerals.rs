//! Numbers as customers write them: digits ("800", "1,200", "1.5k",
//! "10 000"), English words ("two thousand") and Chinese numerals (八百,
//! 一千二百, 两千, 1万, 三万五千). Arithmetic is done in integers so that
//! "1.5万" is exactly 15000 and never 14999.999.

/// Value of a Chinese digit character (formal forms included).
pub(crate) fn cjk_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '贰' | '两' | '俩' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// Value of a Chinese multiplier character.
pub(crate) fn cjk_multiplier(c: char) -> Option<u64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1_000,
        '万' | '萬' => 10_000,
        '亿' | '億' => 100_000_000,
        _ => return None,
    })
}

pub(crate) fn is_cjk_numeral(c: char) -> bool {
    cjk_digit(c).is_some() || cjk_multiplier(c).is_some()
}

/// Digits with at most one '.', as (mantissa, decimals).
fn decimal(s: &str) -> Option<(u128, u32)> {
    let mut mant: u128 = 0;
    let mut scale = 0u32;
    let mut dot = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                mant = mant.checked_mul(10)?.checked_add(u128::from(c as u8 - b'0'))?;
                if dot {
                    scale += 1;
                }
                any = true;
            }
            '.' if !dot => dot = true,
            _ => return None,
        }
    }
    if !any || scale > 9 {
        return None;
    }
    Some((mant, scale))
}

/// `mant / 10^scale * mult`, only when that is a whole number.
fn scaled(mant: u128, scale: u32, mult: u128) -> Option<u128> {
    let den = 10u128.checked_pow(scale)?;
    let v = mant.checked_mul(mult)?;
    (v % den == 0).then_some(v / den)
}

/// Parses a whole string as a number: Arabic digits with thousands
/// separators or a `k` suffix, English number words, or Chinese numerals
/// (mixed with digits, as in "1万" or "3千"). Non-integers give `None`.
pub fn parse_number(s: &str) -> Option<u64> {
    let folded: String = s.chars().filter_map(crate::text::fold).collect();
    let t = folded.trim();
    if t.is_empty() {
        return None;
    }
    if t.chars().any(is_cjk_numeral) {
        return parse_chinese(t);
    }
    if t.chars().any(|c| c.is_ascii_alphabetic()) && t != "k" && !t.ends_with('k') {
        let words: Vec<&str> = t.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
        return parse_number_words(&words);
    }
    parse_arabic(t)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// "800", "1,200", "1.200" (European thousands), "10 000", "10'000",
/// "1.5k", "2k", "1,234.5k".
fn parse_arabic(t: &str) -> Option<u64> {
    let (body, mult) = match t.strip_suffix('k') {
        Some(b) => (b.trim_end(), 1000u128),
        None => (t, 1u128),
    };
    if body.is_empty() {
        return None;
    }
    let cleaned: String;
    let groups_ok = |groups: &[&str]| {
        groups.len() > 1
            && groups[0].len() <= 3
            && all_digits(groups[0])
            && groups[1..].iter().all(|g| g.len() == 3 && all_digits(g))
    };
    if body.contains([' ', '\'', '\u{202F}']) {
        let groups: Vec<&str> = body.split([' ', '\'', '\u{202F}']).collect();
        if !groups_ok(&groups) {
            return None;
        }
        cleaned = groups.concat();
    } else if body.contains(',') {
        if let Some((int, frac)) = body.split_once('.') {
            let groups: Vec<&str> = int.split(',').collect();
            if !groups_ok(&groups) {
                return None;
            }
            cleaned = format!("{}.{}", groups.concat(), frac);
        } else {
            let groups: Vec<&str> = body.split(',').collect();
            if groups_ok(&groups) {
                cleaned = groups.concat();
            } else if groups.len() == 2 && all_digits(groups[0]) && all_digits(groups[1]) {
                // Decimal comma, as in "1,5k".
                cleaned = format!("{}.{}", groups[0], groups[1]);
            } else {
                return None;
            }
        }
    } else if body.matches('.').count() > 1 {
        let groups: Vec<&str> = body.split('.').collect();
        if !groups_ok(&groups) {
            return None;
        }
        cleaned = groups.concat();
    } else if let Some((a, b)) = body.split_once('.') {
        // "1.200 Stück" is twelve hundred; a bare 1.2 pieces makes no sense.
        if mult == 1 && b.len() == 3 && (1..=3).contains(&a.len()) && all_digits(a) && all_digits(b) {
            cleaned = format!("{a}{b}");
        } else {
            cleaned = body.to_owned();
        }
    } else {
        cleaned = body.to_owned();
    }
    let (mant, scale) = decimal(&cleaned)?;
    u64::try_from(scaled(mant, scale, mult)?).ok()
}

/// Chinese numerals, optionally mixed with Arabic digits: 八百, 一千二百,
/// 一千二 (= 1200), 两万五 (= 25000), 一百零五, 十二, 1万, 1.5万, 3千,
/// 二零二四 (digit by digit).
pub fn parse_chinese(s: &str) -> Option<u64> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
    if chars.is_empty() {
        return None;
    }
    if chars.len() > 1 && chars.iter().all(|&c| cjk_digit(c).is_some()) {
        let mut v: u64 = 0;
        for &c in &chars {
            v = v.checked_mul(10)?.checked_add(cjk_digit(c)?)?;
        }
        return Some(v);
    }
    let mut yi: u128 = 0;
    let mut wan: u128 = 0;
    let mut sec: u128 = 0;
    let mut pending: Option<(u128, u32)> = None;
    let mut last_mult: u128 = 0;
    let mut zero_after_mult = false;
    let mut seen = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            if pending.is_some() {
                return None;
            }
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            pending = Some(decimal(&digits)?);
            seen = true;
            continue;
        }
        if let Some(d) = cjk_digit(c) {
            seen = true;
            if d == 0 {
                if pending.is_some() {
                    return None;
                }
                zero_after_mult = true;
            } else {
                if pending.is_some() {
                    return None;
                }
                pending = Some((u128::from(d), 0));
            }
            i += 1;
            continue;
        }
        let m = u128::from(cjk_multiplier(c)?);
        seen = true;
        match m {
            10 | 100 | 1000 => {
                let (mant, sc) = match pending.take() {
                    Some(p) => p,
                    // 十二 is twelve; a bare 百 or 千 is not a number.
                    None if m == 10 => (1, 0),
                    None => return None,
                };
                sec = sec.checked_add(scaled(mant, sc, m)?)?;
            }
            10_000 => {
                let p = match pending.take() {
                    Some((mant, sc)) => scaled(mant, sc, m)?,
                    None => 0,
                };
                let part = sec.checked_mul(m)?.checked_add(p)?;
                if part == 0 {
                    return None;
                }
                wan = wan.checked_add(part)?;
                sec = 0;
            }
            _ => {
                let p = match pending.take() {
                    Some((mant, sc)) => scaled(mant, sc, m)?,
                    None => 0,
                };
                let part = wan.checked_add(sec)?.checked_mul(m)?.checked_add(p)?;
                if part == 0 {
                    return None;
                }
                yi = yi.checked_add(part)?;
                wan = 0;
                sec = 0;
            }
        }
        last_mult = m;
        zero_after_mult = false;
        i += 1;
    }
    if !seen {
        return None;
    }
    let tail = match pending {
        None => 0,
        // 一千二 is 1200 and 两万五 is 25000: a trailing digit right after a
        // multiplier counts in the next lower unit, unless a 零 intervened.
        Some((m, 0)) if last_mult >= 100 && !zero_after_mult && m < 10 => m * (last_mult / 10),
        Some((m, sc)) => scaled(m, sc, 1)?,
    };
    u64::try_from(yi.checked_add(wan)?.checked_add(sec)?.checked_add(tail)?).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumWord {
    Small(u64),
    Hundred,
    Thousand,
    Million,
    Dozen,
    A,
    And,
}

/// Classifies an English number word.
pub(crate) fn number_word(w: &str) -> Option<NumWord> {
    use NumWord::*;
    Some(match w {
        "zero" => Small(0),
        "one" => Small(1),
        "two" => Small(2),
        "three" => Small(3),
        "four" => Small(4),
        "five" => Small(5),
        "six" => Small(6),
        "seven" => Small(7),
        "eight" => Small(8),
        "nine" => Small(9),
        "ten" => Small(10),
        "eleven" => Small(11),
        "twelve" => Small(12),
        "thirteen" => Small(13),
        "fourteen" => Small(14),
        "fifteen" => Small(15),
        "sixteen" => Small(16),
        "seventeen" => Small(17),
        "eighteen" => Small(18),
        "nineteen" => Small(19),
        "twenty" => Small(20),
        "thirty" => Small(30),
        "forty" => Small(40),
        "fifty" => Small(50),
        "sixty" => Small(60),
        "seventy" => Small(70),
        "eighty" => Small(80),
        "ninety" => Small(90),
        "hundred" => Hundred,
        "thousand" => Thousand,
        "million" => Million,
        "dozen" => Dozen,
        "a" => A,
        "and" => And,
        _ => return None,
    })
}

/// "twentyfive" (how the tokenizer reads "twenty-five") as its two words.
pub(crate) fn split_compound(w: &str) -> Option<(&'static str, &str)> {
    const TENS: &[&str] = &["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    let tens = TENS.iter().find(|t| w.starts_with(*t))?;
    let unit = &w[tens.len()..];
    matches!(number_word(unit), Some(NumWord::Small(1..=9))).then_some((tens, unit))
}

/// "two thousand", "five hundred", "a dozen", "one hundred and five".
pub fn parse_number_words(words: &[&str]) -> Option<u64> {
    use NumWord::*;
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut any = false;
    for (k, w) in words.iter().enumerate() {
        let lw = w.to_ascii_lowercase();
        match number_word(&lw)? {
            Small(n) => {
                current = current.checked_add(n)?;
                any = true;
            }
            Hundred => {
                current = current.max(1).checked_mul(100)?;
                any = true;
            }
            Thousand => {
                total = total.checked_add(current.max(1).checked_mul(1000)?)?;
                current = 0;
                any = true;
            }
            Million => {
                total = total.checked_add(current.max(1).checked_mul(1_000_000)?)?;
                current = 0;
                any = true;
            }
            Dozen => {
                current = current.max(1).checked_mul(12)?;
                any = true;
            }
            // "a" only as "a hundred", "a dozen"; "and" only inside.
            A => {
                if k + 1 >= words.len() {
                    return None;
                }
            }
            And => {
                if k == 0 || k + 1 >= words.len() {
                    return None;
                }
            }
        }
    }
    if !any {
        return None;
    }
    total.checked_add(current)
}

/// Count words after a number that say "pieces": they make the number a
/// quantity rather than anything else.
pub(crate) fn is_count_unit(w: &str) -> bool {
    matches!(
        w,
        "pcs"
            | "pc"
            | "pce"
            | "pces"
            | "piece"
            | "pieces"
            | "unit"
            | "units"
            | "set"
            | "sets"
            | "nos"
            | "ea"
            | "each"
            | "pack"
            | "packs"
            | "pairs"
            | "pair"
            | "qty"
            | "个"
            | "台"
            | "套"
            | "只"
            | "件"
            | "块"
            | "支"
            | "组"
            | "片"
            | "条"
            | "把"
            | "辆"
            | "部"
            | "颗"
            | "枚"
            | "对"
            | "副"
            | "卷"
            | "盏"
            | "根"
    )
}

/// Parses a quantity with its optional count word or multiplier sign:
/// "500 pcs", "二十台", "x200", "两千个", "1.5k units".
pub fn parse_quantity(s: &str) -> Option<u32> {
    let folded: String = s.chars().filter_map(crate::text::fold).collect();
    let mut t = folded.trim();
    for p in ['x', '×', '*'] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim_start();
        }
    }
    // Strip a trailing count word, longest first so "pcs" doesn't leave "pc"+"s".
    let mut changed = true;
    while changed {
        changed = false;
        for u in ["pieces", "piece", "units", "unit", "pcs", "pces", "pce", "pc", "sets", "set", "nos", "ea"] {
            if let Some(r) = t.strip_suffix(u) {
                if r.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == 'k' || is_cjk_numeral(c)) {
                    t = r.trim_end();
                    changed = true;
                    break;
                }
            }
        }
        if let Some(c) = t.chars().last() {
            if is_count_unit(c.encode_utf8(&mut [0u8; 4])) && !is_cjk_numeral(c) {
                t = &t[..t.len() - c.len_utf8()];
                t = t.trim_end();
                changed = true;
            }
        }
    }
    let v = parse_number(t)?;
    if v == 0 {
        return None;
    }
    u32::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_numbers_with_separators_and_k() {
        assert_eq!(parse_number("800"), Some(800));
        assert_eq!(parse_number("1,200"), Some(1200));
        assert_eq!(parse_number("1.200"), Some(1200));
        assert_eq!(parse_number("1.5k"), Some(1500));
        assert_eq!(parse_number("2k"), Some(2000));
        assert_eq!(parse_number("2K"), Some(2000));
        assert_eq!(parse_number("10 000"), Some(10_000));
        assert_eq!(parse_number("10'000"), Some(10_000));
        assert_eq!(parse_number("1,234,567"), Some(1_234_567));
        assert_eq!(parse_number("１２００"), Some(1200));
    }

    #[test]
    fn non_integers_and_garbage_are_rejected() {
        assert_eq!(parse_number("1.5"), None);
        assert_eq!(parse_number("12,34,5"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("99999999999999999999999999999999999999999"), None);
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(parse_number("八百"), Some(800));
        assert_eq!(parse_number("一千二百"), Some(1200));
        assert_eq!(parse_number("一千二"), Some(1200));
        assert_eq!(parse_number("两千"), Some(2000));
        assert_eq!(parse_number("1万"), Some(10_000));
        assert_eq!(parse_number("1.5万"), Some(15_000));
        assert_eq!(parse_number("三万五千"), Some(35_000));
        assert_eq!(parse_number("两万五"), Some(25_000));
        assert_eq!(parse_number("十二"), Some(12));
        assert_eq!(parse_number("十"), Some(10));
        assert_eq!(parse_number("十万"), Some(100_000));
        assert_eq!(parse_number("一百零五"), Some(105));
        assert_eq!(parse_number("3千"), Some(3000));
        assert_eq!(parse_number("二零二四"), Some(2024));
        assert_eq!(parse_number("一亿二千万"), Some(120_000_000));
        assert_eq!(parse_number("壹仟贰佰"), Some(1200));
    }

    #[test]
    fn malformed_chinese_numerals_are_rejected() {
        assert_eq!(parse_number("万一"), None);
        assert_eq!(parse_number("百"), None);
        assert_eq!(parse_number("一二百"), None);
    }

    #[test]
    fn english_number_words() {
        assert_eq!(parse_number("two thousand"), Some(2000));
        assert_eq!(parse_number("five hundred"), Some(500));
        assert_eq!(parse_number("one hundred and five"), Some(105));
        assert_eq!(parse_number("twenty-five"), Some(25));
        assert_eq!(parse_number("a dozen"), Some(12));
        assert_eq!(parse_number("a"), None);
    }

    #[test]
    fn quantities_with_count_words() {
        assert_eq!(parse_quantity("二十台"), Some(20));
        assert_eq!(parse_quantity("两千个"), Some(2000));
        assert_eq!(parse_quantity("500 pcs"), Some(500));
        assert_eq!(parse_quantity("500pcs"), Some(500));
        assert_eq!(parse_quantity("x200"), Some(200));
        assert_eq!(parse_quantity("×200"), Some(200));
        assert_eq!(parse_quantity("1.5k units"), Some(1500));
        assert_eq!(parse_quantity("0"), None);
        assert_eq!(parse_quantity("99999999999"), None);
    }
}
