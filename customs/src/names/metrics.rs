//! String distances on normalised (ASCII, lower-case) name tokens:
//! Jaro-Winkler and a bounded Levenshtein. Both work on bytes because the
//! normaliser has already romanised every script.

/// Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4), in [0, 1].
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    jaro_winkler_bytes(a.as_bytes(), b.as_bytes())
}

pub fn jaro_winkler_bytes(a: &[u8], b: &[u8]) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let j = jaro(a, b);
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    j + prefix * 0.1 * (1.0 - j)
}

fn jaro(a: &[u8], b: &[u8]) -> f64 {
    // Names are short; fixed buffers keep this allocation-free on the hot path.
    const CAP: usize = 64;
    let (a, b) = (&a[..a.len().min(CAP)], &b[..b.len().min(CAP)]);
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_m = [false; CAP];
    let mut b_m = [false; CAP];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_m[j] && a[i] == b[j] {
                a_m[i] = true;
                b_m[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for i in 0..a.len() {
        if a_m[i] {
            while !b_m[j] {
                j += 1;
            }
            if a[i] != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0
}

/// Levenshtein distance, or `None` once it exceeds `max` (the caller only
/// cares whether a pair is within its edit budget).
pub fn levenshtein_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Two rows on the stack for ordinary words; longer ones are rare.
    const CAP: usize = 64;
    let mut heap: Vec<usize> = Vec::new();
    let mut stack = [0usize; 2 * (CAP + 1)];
    let rows: &mut [usize] = if b.len() <= CAP {
        &mut stack[..2 * (b.len() + 1)]
    } else {
        heap.resize(2 * (b.len() + 1), 0);
        &mut heap
    };
    let (prev, cur) = rows.split_at_mut(b.len() + 1);
    let (mut prev, mut cur) = (prev, cur);
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.813).abs() < 0.001);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("", "abc"), 0.0);
    }

    #[test]
    fn levenshtein_is_bounded() {
        assert_eq!(levenshtein_within("kitten", "sitting", 3), Some(3));
        assert_eq!(levenshtein_within("kitten", "sitting", 2), None);
        assert_eq!(levenshtein_within("", "ab", 2), Some(2));
    }
}
