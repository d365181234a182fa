//! Counting prompt tokens, so that a call is never sent that cannot fit the
//! model's context with room for its answer. The endpoint's own tokenizer
//! counts exactly where it has one (llama.cpp's `POST /tokenize`); anywhere
//! else a conservative estimate stands in.

/// A count that never undercounts by much for the tokenizers we meet: a
/// CJK character is at least one token (often exactly one), and other text
/// runs about four characters a token in English, so three is generous.
pub fn estimate(text: &str) -> u32 {
    let mut cjk = 0u32;
    let mut other = 0u32;
    for c in text.chars() {
        if ('\u{2e80}'..='\u{9fff}').contains(&c)
            || ('\u{ac00}'..='\u{d7af}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
        {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    cjk + other.div_ceil(3)
}

/// Tokens a chat template adds around each message (role markers,
/// separators); generous for ChatML-style templates.
pub const PER_MESSAGE: u32 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_conservative_for_english_and_chinese() {
        // "We need 800 battery packs" is 6 tokens in common BPE vocabularies.
        assert!(estimate("We need 800 battery packs") >= 6);
        assert_eq!(estimate("需要两千个电池包"), 8);
        assert_eq!(estimate(""), 0);
    }
}
