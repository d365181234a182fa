//! Embedders: the dense-vector port, an offline feature-hashing embedder
//! that needs no model download, and an OpenAI-compatible HTTP client.

use async_openai::config::OpenAIConfig;
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};
use async_openai::Client;
use async_trait::async_trait;

use crate::text::{fold_fullwidth, is_stopword, runs, stem, Run};
use crate::{Embedder, KnowledgeError};

/// Default dimension of [`HashEmbedder`].
pub const HASH_EMBEDDER_DIM: usize = 384;

/// Offline embedder: signed feature hashing of normalised tokens.
///
/// Features are stemmed English words (stopwords dropped), character
/// trigrams of each word (so "pay"/"payment"/"payable" and typos still
/// overlap), and for Chinese, character unigrams and bigrams (there are no
/// spaces to find words by); full-width ASCII is folded first. Everything
/// is hashed with FNV-1a into `dim` buckets with a hash-derived sign, so
/// collisions cancel out on average, square-root damped, then L2-normalised
/// for cosine search. Deterministic across runs and machines; a short query
/// embeds in 1-2 µs when optimised.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    dim: usize,
    name: String,
}

/// Feature weights. Whole words carry the meaning; trigrams are a fuzzy
/// back-up; a Chinese bigram is closer to a word than a single character.
/// (Tuned on paraphrased FAQ queries against the demo knowledge base.)
const W_WORD: f32 = 1.0;
const W_TRIGRAM: f32 = 0.35;
const W_CJK_UNIGRAM: f32 = 0.5;
const W_CJK_BIGRAM: f32 = 1.0;

// Distinct seeds keep a word and an identical trigram from landing on the
// same bucket with the same sign.
const SEED_WORD: u8 = b'w';
const SEED_TRIGRAM: u8 = b't';
const SEED_CJK1: u8 = b'u';
const SEED_CJK2: u8 = b'b';

impl HashEmbedder {
    pub fn new(dim: usize) -> Self {
        let dim = dim.max(8);
        Self { dim, name: format!("hash-fnv1a-v1-{dim}") }
    }

    /// Embeds one text synchronously; the async trait method wraps this.
    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0f32; self.dim];
        let text = fold_fullwidth(text);
        let mut lower = String::new();
        runs(&text, |run| match run {
            Run::Word(w) => {
                lower.clear();
                for c in w.chars() {
                    lower.extend(c.to_lowercase());
                }
                if is_stopword(&lower) {
                    return;
                }
                let stemmed = stem(&lower);
                self.add(&mut v, SEED_WORD, stemmed.as_bytes(), W_WORD);
                self.add_trigrams(&mut v, &lower);
            }
            Run::Cjk(c) => {
                let mut prev: Option<char> = None;
                for ch in c.chars() {
                    let mut buf = [0u8; 8];
                    let a = ch.encode_utf8(&mut buf).len();
                    self.add(&mut v, SEED_CJK1, &buf[..a], W_CJK_UNIGRAM);
                    if let Some(p) = prev {
                        let mut pair = [0u8; 8];
                        let n1 = p.encode_utf8(&mut pair).len();
                        let n2 = ch.encode_utf8(&mut pair[n1..]).len();
                        self.add(&mut v, SEED_CJK2, &pair[..n1 + n2], W_CJK_BIGRAM);
                    }
                    prev = Some(ch);
                }
            }
        });
        // Square-root damping: a term repeated ten times in a long chunk
        // should not outweigh several distinct matching terms.
        for x in &mut v {
            *x = x.signum() * x.abs().sqrt();
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                *x /= norm;
            }
        }
        v
    }

    /// Trigrams over the word padded with boundary markers, so short words
    /// ("ce", "ul") still produce features.
    fn add_trigrams(&self, v: &mut [f32], word: &str) {
        let mut chars: Vec<char> = Vec::with_capacity(word.len() + 2);
        chars.push('^');
        chars.extend(word.chars());
        chars.push('$');
        if chars.len() < 3 {
            return;
        }
        for w in chars.windows(3) {
            let mut buf = [0u8; 12];
            let mut n = 0;
            for c in w {
                n += c.encode_utf8(&mut buf[n..]).len();
            }
            self.add(v, SEED_TRIGRAM, &buf[..n], W_TRIGRAM);
        }
    }

    #[inline]
    fn add(&self, v: &mut [f32], seed: u8, bytes: &[u8], weight: f32) {
        let h = fnv1a(seed, bytes);
        // Bucket from the low bits, sign from the top bit: independent enough.
        let idx = (h % self.dim as u64) as usize;
        let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
        v[idx] += sign * weight;
    }
}

impl Default for HashEmbedder {
    fn default() -> Self {
        Self::new(HASH_EMBEDDER_DIM)
    }
}

/// 64-bit FNV-1a over a seed byte and the token bytes.
#[inline]
fn fnv1a(seed: u8, bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    // Raw `write`s, not `Hash::hash`, which would add length or 0xff bytes
    // and so move every vector of the stored indexes.
    let mut fnv = fnv::FnvHasher::default();
    fnv.write(&[seed]);
    fnv.write(bytes);
    let mut h = fnv.finish();
    // FNV's low bits mix poorly for short inputs; a final avalanche
    // (from splitmix64) spreads them before the modulo.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

#[async_trait]
impl Embedder for HashEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.dim
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, KnowledgeError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

/// Settings for [`OpenAiEmbedder`].
#[derive(Debug, Clone)]
pub struct OpenAiEmbedderConfig {
    /// e.g. `https://api.openai.com/v1` or any OpenAI-compatible server.
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    /// Dimension the model returns; checked on every response.
    pub dim: usize,
    /// Inputs per request.
    pub batch_size: usize,
    /// Send `dimensions` in the request. Only `text-embedding-3*` and some
    /// compatible servers accept it; others reject the field.
    pub request_dimensions: bool,
}

impl OpenAiEmbedderConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>, model: impl Into<String>, dim: usize) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: api_key.into(),
            model: model.into(),
            dim,
            batch_size: 64,
            request_dimensions: false,
        }
    }
}

/// Embeddings from an OpenAI-compatible `/embeddings` endpoint.
pub struct OpenAiEmbedder {
    client: Client<OpenAIConfig>,
    config: OpenAiEmbedderConfig,
    name: String,
}

impl std::fmt::Debug for OpenAiEmbedder {
    // The client holds the API key; keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiEmbedder")
            .field("base_url", &self.config.base_url)
            .field("model", &self.config.model)
            .field("dim", &self.config.dim)
            .finish()
    }
}

impl OpenAiEmbedder {
    pub fn new(config: OpenAiEmbedderConfig) -> Result<Self, KnowledgeError> {
        if config.dim == 0 {
            return Err(KnowledgeError::BadInput("embedding dimension must be > 0".into()));
        }
        if config.model.trim().is_empty() {
            return Err(KnowledgeError::BadInput("embedding model name is empty".into()));
        }
        let openai = OpenAIConfig::new()
            .with_api_base(config.base_url.trim_end_matches('/'))
            .with_api_key(config.api_key.clone());
        let name = format!("openai:{}:{}", config.model, config.dim);
        Ok(Self { client: Client::with_config(openai), config, name })
    }

    async fn embed_batch(&self, batch: &[String]) -> Result<Vec<Vec<f32>>, KnowledgeError> {
        // The API rejects empty strings; a space embeds as "nothing".
        let input: Vec<String> =
            batch.iter().map(|t| if t.trim().is_empty() { " ".to_string() } else { t.clone() }).collect();
        let request = CreateEmbeddingRequest {
            model: self.config.model.clone(),
            input: EmbeddingInput::StringArray(input),
            dimensions: if self.config.request_dimensions { u32::try_from(self.config.dim).ok() } else { None },
            ..Default::default()
        };
        let response =
            self.client.embeddings().create(request).await.map_err(|e| KnowledgeError::Embedding(e.to_string()))?;
        if response.data.len() != batch.len() {
            return Err(KnowledgeError::Embedding(format!(
                "asked for {} embeddings, got {}",
                batch.len(),
                response.data.len()
            )));
        }
        // Servers may return items out of order; `index` is authoritative.
        let mut out: Vec<Option<Vec<f32>>> = vec![None; batch.len()];
        for item in response.data {
            let slot = out
                .get_mut(item.index as usize)
                .ok_or_else(|| KnowledgeError::Embedding(format!("embedding index {} out of range", item.index)))?;
            if item.embedding.len() != self.config.dim {
                return Err(KnowledgeError::Embedding(format!(
                    "model {} returned dimension {}, configured {}",
                    self.config.model,
                    item.embedding.len(),
                    self.config.dim
                )));
            }
            *slot = Some(item.embedding);
        }
        out.into_iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| KnowledgeError::Embedding(format!("missing embedding {i}"))))
            .collect()
    }
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.config.dim
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, KnowledgeError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.config.batch_size.max(1)) {
            out.extend(self.embed_batch(batch).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn hash_embedding_is_deterministic_and_normalised() {
        let e = HashEmbedder::default();
        let a = e.embed_one("What payment terms do you accept?");
        let b = HashEmbedder::new(HASH_EMBEDDER_DIM).embed_one("What payment terms do you accept?");
        assert_eq!(a, b);
        assert_eq!(a.len(), HASH_EMBEDDER_DIM);
        assert!((cos(&a, &a) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn empty_or_stopword_text_embeds_to_zero_not_nan() {
        let e = HashEmbedder::default();
        for t in ["", "  ", "the of and", "？！"] {
            let v = e.embed_one(t);
            assert!(v.iter().all(|x| *x == 0.0), "{t:?}");
        }
    }

    #[test]
    fn paraphrases_are_closer_than_unrelated_text() {
        let e = HashEmbedder::default();
        let doc = e.embed_one("Payment > What payment terms do you accept? We accept T/T with a 30% deposit.");
        let para = e.embed_one("how can I pay, do you take a deposit?");
        let other = e.embed_one("lithium battery shipping by sea freight");
        assert!(cos(&doc, &para) > cos(&doc, &other) + 0.05);

        let zh_doc = e.embed_one("付款方式：我们接受电汇，预付30%定金");
        let zh_q = e.embed_one("你们接受什么付款方式");
        let zh_other = e.embed_one("锂电池海运需要危险品文件");
        assert!(cos(&zh_doc, &zh_q) > cos(&zh_doc, &zh_other) + 0.05);
    }

    #[test]
    fn openai_embedder_rejects_zero_dim() {
        let cfg = OpenAiEmbedderConfig::new("http://localhost:1/v1", "k", "m", 0);
        assert!(OpenAiEmbedder::new(cfg).is_err());
    }

    /// Pinned before FNV-1a moved to the `fnv` crate: the vectors define
    /// every stored index and the demo's answers, so they must not move by
    /// a bit.
    #[test]
    fn hash_embedding_bits_are_pinned() {
        use sha2::{Digest, Sha256};
        assert_eq!(fnv1a(SEED_WORD, b"batteri"), 9_013_057_910_574_418_427);
        assert_eq!(fnv1a(SEED_CJK2, "付款".as_bytes()), 947_263_066_670_164_320);
        let e = HashEmbedder::default();
        for (text, want) in [
            ("What payment terms do you accept?", "c83697147cfc27665386b64fc3ccd2d296d3db58bfc1c47d21949f56613672f6"),
            (
                "48V 20Ah e-bike battery pack, 800 pcs FOB Shenzhen",
                "e394b0e99f1664a4fbad21c5db685860ca5725ce7f731c14f836a52ea0aa1439",
            ),
            ("付款方式：我们接受电汇，预付30%定金", "77c206c8b8f954523a5f9a7cdd04860986832fb1e1eb243177a87f8a29d24675"),
        ] {
            let bytes: Vec<u8> = e.embed_one(text).iter().flat_map(|x| x.to_le_bytes()).collect();
            assert_eq!(hex::encode(Sha256::digest(&bytes)), want, "{text}");
        }
    }
}
