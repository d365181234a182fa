//! Handlebars templates from `prompts/`: compiled into the binary so the
//! offline brain works on a fresh machine, overridable from a folder so
//! operators can edit wording without a rebuild.

use handlebars::{handlebars_helper, Handlebars};
use include_dir::{include_dir, Dir};
use std::path::Path;

/// Every template shipped in `prompts/` (chat-card templates excepted: the
/// channels load those). Embedding the whole folder means a new agent's
/// template is a new file there, with no table to edit.
static PROMPTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../prompts");

/// Where the chat channels keep their own templates.
const CARDS_DIR: &str = "cards";

/// `(name, source)` of every embedded template: `proposal.en.md.hbs` →
/// `proposal.en`, `system/faq.hbs` → `system.faq`.
pub fn embedded() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    collect(&PROMPTS, &mut out);
    out.sort();
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for d in dir.dirs() {
        if d.path() != std::path::Path::new(CARDS_DIR) {
            collect(d, out);
        }
    }
    for f in dir.files() {
        let (Some(name), Some(src)) = (template_name(f.path()), f.contents_utf8()) else { continue };
        out.push((name, src));
    }
}

/// The template name of a file under `prompts/`, if it is a template.
fn template_name(rel: &Path) -> Option<String> {
    let s = rel.to_str()?;
    let stem = s.strip_suffix(".md.hbs").or_else(|| s.strip_suffix(".hbs"))?;
    Some(stem.replace(['/', '\\'], "."))
}

handlebars_helper!(money: |v: f64| format_money(v));
handlebars_helper!(join: |v: Vec<String>, sep: str| v.join(sep));
handlebars_helper!(upper: |v: str| v.to_uppercase());

pub use tradewind_core::format_money;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {message}")]
    Bad { name: String, message: String },
}

/// The embedded templates, then any `*.hbs` in `override_dir` replacing the
/// one of the same name (`proposal.en.md.hbs` → `proposal.en`,
/// `system/faq.hbs` → `system.faq`).
pub fn load(override_dir: Option<&Path>) -> Result<Handlebars<'static>, TemplateError> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("money", Box::new(money));
    hb.register_helper("join", Box::new(join));
    hb.register_helper("upper", Box::new(upper));
    let embedded = embedded();
    for (name, src) in &embedded {
        hb.register_template_string(name, src)
            .map_err(|e| TemplateError::Bad { name: name.to_string(), message: e.to_string() })?;
    }
    if let Some(dir) = override_dir {
        for (name, _) in &embedded {
            let Some(p) = override_path(dir, name) else { continue };
            if let Ok(src) = std::fs::read_to_string(&p) {
                hb.register_template_string(name, src)
                    .map_err(|e| TemplateError::Bad { name: p.display().to_string(), message: e.to_string() })?;
            }
        }
    }
    Ok(hb)
}

/// Every template as it would be loaded with `override_dir`: `(name,
/// source)`, the override's text where one exists (for strategy
/// fingerprints and diffs).
pub fn effective(override_dir: Option<&Path>) -> Vec<(String, String)> {
    embedded()
        .into_iter()
        .map(|(name, src)| {
            let text = override_dir
                .and_then(|dir| override_path(dir, &name))
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_else(|| src.to_string());
            (name, text)
        })
        .collect()
}

/// Handlebars with exactly these `(name, source)` templates (a strategy's
/// snapshot of [`effective`]).
pub fn load_texts(texts: &[(String, String)]) -> Result<Handlebars<'static>, TemplateError> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("money", Box::new(money));
    hb.register_helper("join", Box::new(join));
    hb.register_helper("upper", Box::new(upper));
    for (name, src) in texts {
        hb.register_template_string(name, src)
            .map_err(|e| TemplateError::Bad { name: name.clone(), message: e.to_string() })?;
    }
    Ok(hb)
}

/// The file in `dir` that overrides the embedded template `name`: the same
/// path under `prompts/`.
fn override_path(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    let mut found = None;
    for_each_file(&PROMPTS, &mut |rel| {
        if template_name(rel).as_deref() == Some(name) {
            found = Some(dir.join(rel));
        }
    });
    found
}

fn for_each_file(dir: &'static Dir<'static>, f: &mut impl FnMut(&Path)) {
    for d in dir.dirs() {
        for_each_file(d, f);
    }
    for file in dir.files() {
        f(file.path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_keeps_cents() {
        assert_eq!(format_money(176800.0), "176,800.00");
        assert_eq!(format_money(221.5), "221.50");
        assert_eq!(format_money(0.0), "0.00");
    }

    #[test]
    fn every_embedded_template_compiles() {
        let hb = load(None).unwrap();
        let names: Vec<String> = embedded().into_iter().map(|(n, _)| n).collect();
        for name in ["proposal.en", "proposal.zh", "customs", "reply.en", "reply.zh", "faq_card", "system.intake"] {
            assert!(names.iter().any(|n| n == name), "{name} is embedded: {names:?}");
        }
        for name in &names {
            assert!(hb.has_template(name), "{name}");
            assert!(!name.starts_with("cards."), "card templates belong to the channels: {name}");
        }
    }
}
