//! BM25 sparse vectors, computed client-side with qdrant-edge's own BM25
//! model, identically for the edge and the server backend.
//!
//! qdrant's word tokenizer treats a run of Chinese characters as one token,
//! and its multilingual (jieba) tokenizer segments documents and queries
//! differently often enough to miss exact matches (and costs ~140 ms to load
//! its dictionary). So CJK runs are pre-tokenized here into overlapping
//! bigrams, the usual choice for Chinese full-text search, and the result
//! goes through qdrant's word tokenizer, which keeps its English stemming and
//! stopwords. IDF is applied by the engine (`Modifier::Idf` on the sparse
//! vector), so only term frequencies are computed here.

use std::borrow::Cow;

use qdrant_edge::bm25_embed::{EdgeBm25, EdgeBm25Config};
use qdrant_edge::external::ordered_float::NotNan;
use qdrant_edge::TokenizerType;

use crate::text::{fold_fullwidth, runs, Run};
use crate::KnowledgeError;

/// A sparse vector independent of either backend's types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Sorted, unique term ids.
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVec {
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }
}

/// Typical chunk length in tokens; BM25's length normalisation is relative
/// to it. FAQ answers and catalog lines are short, so qdrant's default of
/// 256 would over-reward long chunks.
const AVG_CHUNK_TOKENS: f64 = 96.0;

/// BM25 encoder for documents and queries.
#[derive(Debug)]
pub struct Bm25Encoder {
    model: EdgeBm25,
}

impl Bm25Encoder {
    pub fn new() -> Result<Self, KnowledgeError> {
        let avg_len =
            NotNan::new(AVG_CHUNK_TOKENS).map_err(|e| KnowledgeError::Unavailable(format!("bm25 config: {e}")))?;
        let config = EdgeBm25Config {
            avg_len,
            tokenizer: TokenizerType::Word,
            // English stemming and stopwords (the default language).
            language: None,
            ..EdgeBm25Config::default()
        };
        let model = EdgeBm25::new(config).map_err(|e| KnowledgeError::Unavailable(format!("bm25 model: {e}")))?;
        Ok(Self { model })
    }

    /// Term-frequency weights of a document (IDF comes from the engine).
    pub fn embed_document(&self, text: &str) -> SparseVec {
        let prepared = pretokenize(text);
        let v = self.model.embed_document(&prepared);
        SparseVec { indices: v.indices, values: v.values }
    }

    /// Unit weights for each distinct query term.
    pub fn embed_query(&self, text: &str) -> SparseVec {
        let prepared = pretokenize(text);
        let v = self.model.embed_query(&prepared);
        SparseVec { indices: v.indices, values: v.values }
    }
}

/// Rewrites CJK runs as space-separated bigrams (a lone character stays a
/// unigram), folds full-width ASCII, and leaves other text alone. Borrows
/// when there is nothing to rewrite.
pub fn pretokenize(text: &str) -> Cow<'_, str> {
    let text = fold_fullwidth(text);
    if !text.chars().any(crate::text::is_cjk) {
        return text;
    }
    let mut out = String::with_capacity(text.len() * 2);
    runs(&text, |run| match run {
        Run::Word(w) => {
            out.push_str(w);
            out.push(' ');
        }
        Run::Cjk(c) => {
            let mut chars = c.chars();
            let Some(mut prev) = chars.next() else { return };
            let mut emitted = false;
            for ch in chars {
                out.push(prev);
                out.push(ch);
                out.push(' ');
                prev = ch;
                emitted = true;
            }
            if !emitted {
                out.push(prev);
                out.push(' ');
            }
        }
    });
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_bigrams_and_words_survive() {
        assert_eq!(pretokenize("付款方式"), "付款 款方 方式 ");
        assert_eq!(pretokenize("48V锂电池"), "48V 锂电 电池 ");
        assert_eq!(pretokenize("的 MOQ"), "的 MOQ ");
        assert_eq!(pretokenize("plain English"), "plain English");
        assert_eq!(pretokenize("ＭＯＱ"), "MOQ");
    }

    #[test]
    fn query_and_document_share_term_ids() {
        let bm25 = Bm25Encoder::new().unwrap();
        let doc = bm25.embed_document("我们接受电汇和信用证付款。We accept payments by T/T.");
        let q = bm25.embed_query("付款方式 payment");
        assert!(!q.is_empty());
        let shared = q.indices.iter().filter(|i| doc.indices.contains(i)).count();
        // "付款" and the stem of "payment"/"payments".
        assert_eq!(shared, 2, "query {q:?} doc {doc:?}");
        assert!(q.indices.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn stopword_only_query_is_empty() {
        let bm25 = Bm25Encoder::new().unwrap();
        assert!(bm25.embed_query("the of and").is_empty());
        assert!(bm25.embed_query("  ？！ ").is_empty());
    }
}
