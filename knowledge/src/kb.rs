//! The demo knowledge base, compiled into the binary so the demo works from
//! any directory without the source tree.

use tradewind_core::Catalog;

use crate::KnowledgeError;

/// (source, contents) of every embedded file; sources are relative to the
/// knowledge root, like those produced by `ingest::read_dir_documents`.
const FILES: &[(&str, &[u8])] = &[
    ("kb/catalog.jsonl", include_bytes!("../kb/catalog.jsonl")),
    ("kb/faq.en.md", include_bytes!("../kb/faq.en.md")),
    ("kb/faq.zh.md", include_bytes!("../kb/faq.zh.md")),
    ("kb/cases.md", include_bytes!("../kb/cases.md")),
    ("kb/competitors.md", include_bytes!("../kb/competitors.md")),
    ("kb/shipping.md", include_bytes!("../kb/shipping.md")),
];

const CATALOG_SOURCE: &str = "kb/catalog.jsonl";

/// The embedded knowledge documents, ready for `ingest::ingest`.
pub fn embedded_documents() -> Vec<(String, Vec<u8>)> {
    FILES.iter().map(|(s, b)| (s.to_string(), b.to_vec())).collect()
}

/// The embedded product catalog, or an error naming the bad line.
pub fn try_embedded_catalog() -> Result<Catalog, KnowledgeError> {
    let bytes = FILES.iter().find(|(s, _)| *s == CATALOG_SOURCE).map(|(_, b)| *b).unwrap_or_default();
    let text = std::str::from_utf8(bytes)
        .map_err(|e| KnowledgeError::BadInput(format!("{CATALOG_SOURCE}: not UTF-8: {e}")))?;
    Catalog::from_jsonl(text).map_err(|e| KnowledgeError::BadInput(format!("{CATALOG_SOURCE}: {e}")))
}

/// The embedded product catalog. The file is fixed at compile time and a
/// test parses it, so failure here means a broken build; it is logged and
/// an empty catalog returned rather than panicking.
pub fn embedded_catalog() -> Catalog {
    try_embedded_catalog().unwrap_or_else(|e| {
        tracing::error!(error = %e, "embedded catalog does not parse");
        Catalog::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_parses_and_is_not_empty() {
        let catalog = try_embedded_catalog().unwrap();
        assert!(!catalog.is_empty());
        assert!(catalog.get("TW-BP-4820").is_some());
    }

    #[test]
    fn embedded_documents_are_all_present() {
        let docs = embedded_documents();
        assert_eq!(docs.len(), 6);
        assert!(docs.iter().all(|(_, b)| !b.is_empty()));
    }
}
