//! Handlebars templates from `prompts/`: compiled into the binary so the
//! offline brain works on a fresh machine, overridable from a folder so
//! operators can edit wording without a rebuild.

use handlebars::{handlebars_helper, Handlebars};
use std::path::Path;

/// (name, source) of every template shipped in `prompts/`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("proposal.en", include_str!("../../prompts/proposal.en.md.hbs")),
    ("proposal.zh", include_str!("../../prompts/proposal.zh.md.hbs")),
    ("customs", include_str!("../../prompts/customs.md.hbs")),
    ("reply.en", include_str!("../../prompts/reply.en.hbs")),
    ("reply.zh", include_str!("../../prompts/reply.zh.hbs")),
    ("faq_card", include_str!("../../prompts/faq_card.md.hbs")),
    ("system.intake", include_str!("../../prompts/system/intake.hbs")),
    ("system.proposal", include_str!("../../prompts/system/proposal.hbs")),
    ("system.customs", include_str!("../../prompts/system/customs.hbs")),
    ("system.faq", include_str!("../../prompts/system/faq.hbs")),
    ("system.reply", include_str!("../../prompts/system/reply.hbs")),
];

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
    for (name, src) in EMBEDDED {
        hb.register_template_string(name, src)
            .map_err(|e| TemplateError::Bad { name: name.to_string(), message: e.to_string() })?;
    }
    if let Some(dir) = override_dir {
        for (name, _) in EMBEDDED {
            let rel = template_path(name);
            let p = dir.join(&rel);
            if let Ok(src) = std::fs::read_to_string(&p) {
                hb.register_template_string(name, src)
                    .map_err(|e| TemplateError::Bad { name: p.display().to_string(), message: e.to_string() })?;
            }
        }
    }
    Ok(hb)
}

fn template_path(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("system.") {
        return format!("system/{rest}.hbs");
    }
    match name {
        "reply.en" | "reply.zh" => format!("{name}.hbs"),
        _ => format!("{name}.md.hbs"),
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
        for (name, _) in EMBEDDED {
            assert!(hb.has_template(name), "{name}");
        }
    }
}
