//! Check digits of the identifiers customers type into chats: the
//! unified social credit code (统一社会信用代码, GB 32100-2015), the Chinese
//! resident identity number (GB 11643-1999), payment card numbers (Luhn)
//! and IBANs (ISO 13616, mod 97). Telling them apart by their check digits
//! is what keeps an 18-digit resident ID from being read as a company code.

/// The 31 characters a credit code may use, in value order (no I, O, Z, S, V).
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A unified social credit code whose 18th character is the GB 32100 check
/// character of the first 17. Case-insensitive; no spaces.
pub fn is_valid_uscc(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 18 {
        return false;
    }
    let value = |c: u8| USCC_CHARS.iter().position(|&x| x == c.to_ascii_uppercase()).map(|p| p as u32);
    let mut sum = 0;
    for (c, w) in b[..17].iter().zip(USCC_WEIGHTS) {
        let Some(v) = value(*c) else { return false };
        sum += v * w;
    }
    // The administrative division code (characters 3-8) is digits.
    if !b[2..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let check = (31 - sum % 31) % 31;
    value(b[17]) == Some(check)
}

/// An 18-character resident identity number whose last character is the
/// ISO 7064 MOD 11-2 check of the first 17 digits (X stands for 10).
pub fn is_valid_resident_id(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// A payment card number (12-19 digits, spaces and dashes allowed) that
/// passes the Luhn check.
pub fn is_valid_card_number(raw: &str) -> bool {
    if !raw.bytes().all(|c| c.is_ascii_digit() || c == b' ' || c == b'-') {
        return false;
    }
    let digits: Vec<u32> = raw.bytes().filter(u8::is_ascii_digit).map(|d| u32::from(d - b'0')).collect();
    if !(12..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// An IBAN (spaces allowed) whose check digits pass mod 97 = 1.
pub fn is_valid_iban(raw: &str) -> bool {
    let s: Vec<u8> = raw.bytes().filter(|c| *c != b' ').map(|c| c.to_ascii_uppercase()).collect();
    if !(15..=34).contains(&s.len())
        || !s[..2].iter().all(u8::is_ascii_alphabetic)
        || !s[2..4].iter().all(u8::is_ascii_digit)
        || !s.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    // Country and check digits move to the end; letters count as 10-35.
    let mut rem: u32 = 0;
    for &c in s[4..].iter().chain(&s[..4]) {
        let v = if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') + 10 };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes_are_checked_by_their_check_character() {
        assert!(is_valid_uscc("91350100M000100Y43"));
        assert!(is_valid_uscc("914403001922038216"));
        assert!(is_valid_uscc("91350100m000100y43"), "case does not matter");
        assert!(!is_valid_uscc("91350100M000100Y44"), "one character off");
        assert!(!is_valid_uscc("91350100M000100Y4"), "too short");
        assert!(!is_valid_uscc("91350100M00O100Y43"), "O is not in the alphabet");
    }

    #[test]
    fn a_resident_id_is_not_a_credit_code() {
        let id = "11010519491231002X";
        assert!(is_valid_resident_id(id));
        assert!(!is_valid_uscc(id));
        assert!(is_valid_resident_id("440524188001010014"));
        assert!(!is_valid_resident_id("440524188001010015"));
    }

    #[test]
    fn card_numbers_pass_luhn_and_quantities_do_not() {
        assert!(is_valid_card_number("4111 1111 1111 1111"));
        assert!(is_valid_card_number("5500-0000-0000-0004"));
        assert!(!is_valid_card_number("4111 1111 1111 1112"));
        assert!(!is_valid_card_number("800"));
    }

    #[test]
    fn ibans_pass_mod_97() {
        assert!(is_valid_iban("DE89 3704 0044 0532 0130 00"));
        assert!(is_valid_iban("GB82WEST12345698765432"));
        assert!(!is_valid_iban("DE89 3704 0044 0532 0130 01"));
        assert!(!is_valid_iban("hello world 12345"));
    }
}
