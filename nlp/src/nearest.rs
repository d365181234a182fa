//! Nearest products for a phrase the catalog does not name exactly ("8kW
//! hybrid inverter", "1kW controllers", "72V battery packs"): the products
//! of the same kind, those sharing the customer's qualifiers first and
//! then the closest in their specs, each with how it differs from what was
//! asked ("10 kW instead of 8 kW", "On-Grid String, not hybrid"), so that a
//! reply can offer them instead of a dead end.
//!
//! Only products of the kind asked for are near: a phrase with no head noun
//! we know ("hydrogen fuel cells"), or with a qualifier the catalog uses
//! only for another category ("solar panels" against an LED panel light),
//! has no near products.

use serde::Serialize;
use tradewind_core::Lang;

use crate::products::{said_range, spec_table, ProductMatcher, ScanContext};
use crate::specs::{closest, distance, fit_one, Fit, Spec};
use crate::text::{cap, is_cjk, Doc, Kind};
use crate::vocab::{self, cjk_head, Info, FUNCTION_WORDS};

/// A product near what the customer asked for, and how it differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearProduct {
    pub sku: String,
    /// In the phrase's language: "5 kW instead of 8 kW", "On-Grid String,
    /// not hybrid"; "5 kW，不是 8 kW", "并网组串，不是混合". Empty when it
    /// differs in nothing the phrase states.
    pub differs: Vec<String>,
}

/// Phrases longer than this are not product names; the cap bounds the work.
const PHRASE_CAP: usize = 256;

pub(crate) fn nearest(m: &ProductMatcher, phrase: &str, max: usize) -> Vec<NearProduct> {
    let text = cap(phrase.trim(), PHRASE_CAP);
    let doc = Doc::new(text);
    let lang = Lang::detect(text);
    let asked: Vec<Spec> = spec_table(&doc, &ScanContext::default())
        .iter()
        .flatten()
        .flat_map(|(s, _)| s.iter().collect::<Vec<_>>())
        .collect();
    let said = said_range(&doc, 0, doc.len());
    let (head, kind) = (said.head, said.kind);
    if head.is_none() && kind.is_none() {
        return Vec::new();
    }
    let cands: Vec<&Info> = m
        .infos
        .iter()
        .filter(|i| {
            head.is_some_and(|h| i.heads.contains(h)) || kind.is_some_and(|k| i.zh.iter().any(|(_, z)| *z == k))
        })
        .collect();
    // The customer's qualifiers: the words of the phrase other than its head.
    let quals: Vec<&str> =
        said.words.iter().map(|w| &**w).filter(|w| !vocab::is_head(w) && !FUNCTION_WORDS.contains(w)).collect();
    for w in &quals {
        let Some(cats) = m.word_cats.get(*w) else { continue };
        if !cands.iter().any(|i| i.knows(w)) && !cands.iter().any(|i| cats.contains(&i.category)) {
            return Vec::new();
        }
    }
    let cjk_quals = strip_kind(&said.cjk);
    let mut ranked: Vec<(usize, u64, &Info)> = cands
        .iter()
        .map(|i| {
            let shared = quals.iter().filter(|w| i.knows(w)).count()
                + cjk_pairs(&cjk_quals).iter().filter(|p| i.zh_pairs.contains(p)).count();
            // A product silent on a unit asked for is less near than any
            // that states it, however far off.
            let off: u64 = asked.iter().map(|&a| distance(headline(i, a), a).unwrap_or(1000)).sum();
            (shared, off, *i)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.sku.cmp(&b.2.sku)));
    ranked
        .into_iter()
        .take(max)
        .map(|(_, _, info)| NearProduct {
            sku: info.sku.clone(),
            differs: differences(
                m,
                &Asked { doc: &doc, lang, specs: &asked, quals: &quals, cjk_quals: &cjk_quals },
                &cands,
                info,
            ),
        })
        .collect()
}

/// The values to compare `asked` with: the ones a product's name states in
/// that unit, else every one it lists.
fn headline(info: &Info, asked: Spec) -> &[Spec] {
    if info.name_specs.iter().any(|s| s.unit == asked.unit) {
        &info.name_specs
    } else {
        &info.specs
    }
}

/// The Chinese qualifiers of a phrase: its characters without the kind
/// noun at the end (混合 of 混合逆变器).
fn strip_kind(cjk: &str) -> String {
    match cjk_head(cjk) {
        Some((len, _)) => cjk.chars().take(cjk.chars().count().saturating_sub(len)).collect(),
        None => cjk.to_owned(),
    }
}

fn cjk_pairs(s: &str) -> Vec<(char, char)> {
    let cs: Vec<char> = s.chars().collect();
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

/// What the phrase asked for.
struct Asked<'a> {
    doc: &'a Doc<'a>,
    lang: Lang,
    specs: &'a [Spec],
    /// English qualifiers (stems), and Chinese ones (characters).
    quals: &'a [&'a str],
    cjk_quals: &'a str,
}

/// How `info` differs from the phrase: specs it has other values of, and
/// qualifiers it lacks, with the words that set it apart instead.
fn differences(m: &ProductMatcher, asked: &Asked, cands: &[&Info], info: &Info) -> Vec<String> {
    let Asked { doc, lang, quals, cjk_quals, .. } = *asked;
    let mut out = Vec::new();
    for &a in asked.specs {
        if matches!(fit_one(&info.specs, a), Fit::Exact | Fit::Near) {
            continue;
        }
        if let Some(have) = closest(headline(info, a), a) {
            out.push(match lang {
                Lang::En => format!("{} instead of {}", have.label(), a.label()),
                Lang::Zh => format!("{}，不是 {}", have.label(), a.label()),
            });
        }
    }
    match lang {
        Lang::En => {
            // Only qualifiers the catalog uses elsewhere are real differences;
            // of a word we never use we cannot say whether it fits.
            let missing: Vec<&str> =
                quals.iter().copied().filter(|w| !info.knows(w) && m.word_cats.contains_key(*w)).collect();
            if !missing.is_empty() {
                let shown: Vec<String> = missing.iter().map(|w| original(doc, w)).collect();
                let instead = contrast_words(info, cands, &missing);
                out.push(if instead.is_empty() {
                    format!("not {}", shown.join(" "))
                } else {
                    format!("{}, not {}", instead.join(" "), shown.join(" "))
                });
            }
        }
        Lang::Zh => {
            let missing: String = cjk_quals.chars().filter(|c| !info.zh_chars.contains(c)).collect();
            if !missing.is_empty() {
                let instead = contrast_chars(info, cands, cjk_quals);
                out.push(if instead.is_empty() {
                    format!("不是{missing}")
                } else {
                    format!("{instead}，不是{missing}")
                });
            }
        }
    }
    out
}

/// The word as the customer wrote it ("hybrid" for the stem "hybrid").
fn original(doc: &Doc, stem: &str) -> String {
    (0..doc.len())
        .find(|&i| doc.kind(i) == Some(Kind::Word) && doc.stem_of(i) == stem)
        .map_or_else(|| stem.to_owned(), |i| doc.orig_of(i).to_owned())
}

/// Words of the product's English name that no product having the missing
/// qualifiers uses: what it is instead ("On-Grid String" for a hybrid asked).
fn contrast_words(info: &Info, cands: &[&Info], missing: &[&str]) -> Vec<String> {
    let having: Vec<&&Info> = cands.iter().filter(|c| missing.iter().any(|w| c.knows(w))).collect();
    let Some(name) = info.name_en.as_deref() else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    for (d, end) in vocab::naming_parts(name) {
        let skip = vocab::spec_mask(&d, end);
        let words: Vec<usize> = (0..end.min(d.len()))
            .filter(|&i| d.kind(i) == Some(Kind::Word) && !skip[i] && d.stem_of(i).chars().all(char::is_alphabetic))
            .collect();
        // The name's own head noun ("Light" of "UFO LED High Bay Light") is
        // what the customer asked for; the rest says how it differs.
        let stems: Vec<&str> = words.iter().map(|&i| d.stem_of(i)).collect();
        let head = vocab::latin_head(&stems).map(|(h, _)| words[h]);
        for &i in &words {
            let w = d.stem_of(i);
            if Some(i) == head || FUNCTION_WORDS.contains(&w) || having.iter().any(|h| h.knows(w)) {
                continue;
            }
            let o = d.orig_of(i).to_owned();
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// Characters of the product's Chinese name (before its kind noun) that no
/// product having the asked qualifiers uses: 并网组串 for 混合 asked.
fn contrast_chars(info: &Info, cands: &[&Info], cjk_quals: &str) -> String {
    let having: Vec<&&Info> =
        cands.iter().filter(|c| cjk_pairs(cjk_quals).iter().any(|p| c.zh_pairs.contains(p))).collect();
    let Some(name) = info.name_zh.as_deref() else { return String::new() };
    let Some((d, end)) = vocab::naming_parts(name).into_iter().next() else { return String::new() };
    let form = vocab::name_form(&d, end);
    strip_kind(&form.cjk).chars().filter(|c| is_cjk(*c) && !having.iter().any(|h| h.zh_chars.contains(c))).collect()
}

#[cfg(test)]
mod tests {
    use crate::Intake;
    use tradewind_core::Catalog;

    fn intake() -> Intake {
        Intake::new(&Catalog::from_jsonl(include_str!("../../knowledge/kb/catalog.jsonl")).unwrap())
    }

    fn near(phrase: &str) -> Vec<(String, Vec<String>)> {
        intake().nearest(phrase, 3).into_iter().map(|n| (n.sku, n.differs)).collect()
    }

    #[test]
    fn an_8kw_hybrid_inverter_is_near_the_other_hybrids_and_the_8kw_on_grid_one() {
        assert_eq!(
            near("8kW hybrid inverter"),
            vec![
                ("TW-HY-1003".into(), vec!["10 kW instead of 8 kW".into()]),
                ("TW-HY-5000".into(), vec!["5 kW instead of 8 kW".into()]),
                ("TW-GT-0800".into(), vec!["On-Grid String, not hybrid".into()]),
            ]
        );
    }

    #[test]
    fn chinese_phrases_get_chinese_differences() {
        let n = near("8千瓦混合逆变器");
        assert_eq!(n[0], ("TW-HY-1003".into(), vec!["10 kW，不是 8 kW".into()]));
        assert_eq!(n[2], ("TW-GT-0800".into(), vec!["并网组串，不是混合".into()]));
    }

    #[test]
    fn specs_out_of_range_say_what_we_have() {
        let n = near("1kW controllers");
        assert_eq!(n[0], ("TW-CT-4822".into(), vec!["500 W instead of 1 kW".into()]));
        let n = near("72V battery packs");
        assert!(n.iter().all(|(_, d)| d.iter().any(|x| x.ends_with("instead of 72 V"))), "{n:?}");
    }

    #[test]
    fn nothing_is_near_a_kind_we_do_not_sell() {
        assert!(near("hydrogen fuel cells").is_empty());
        assert!(near("solar panels 450W").is_empty());
        assert!(near("").is_empty());
    }
}
