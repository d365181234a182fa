//! The card templates in `prompts/cards/`: one handlebars template per
//! channel format, each producing that channel's JSON request body.
//!
//! Templates write JSON, so values go through two helpers instead of plain
//! `{{x}}`: `{{json x}}` writes any value as a JSON literal, and the block
//! `{{#jstr}}…{{/jstr}}` renders its content (the message text, laid out
//! freely) and writes it as one JSON string. Escaping for the channel's
//! markup happens in the adapter before rendering; the registry itself never
//! escapes. The output is parsed, so a broken template fails loudly.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderErrorReason, Renderable,
    StringOutput,
};
use std::path::Path;

use crate::ChannelError;

/// (name, source) of every card template, compiled in so a fresh machine
/// needs no files; `CardTemplates::load` can override them from a folder.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("wecom.markdown", include_str!("../../prompts/cards/wecom.markdown.json.hbs")),
    ("wecom.template_card", include_str!("../../prompts/cards/wecom.template_card.json.hbs")),
    ("feishu.interactive", include_str!("../../prompts/cards/feishu.interactive.json.hbs")),
    ("dingtalk.markdown", include_str!("../../prompts/cards/dingtalk.markdown.json.hbs")),
    ("dingtalk.action_card", include_str!("../../prompts/cards/dingtalk.action_card.json.hbs")),
    ("slack.blocks", include_str!("../../prompts/cards/slack.blocks.json.hbs")),
    ("telegram.message", include_str!("../../prompts/cards/telegram.message.json.hbs")),
];

struct JsonLiteral;

impl HelperDef for JsonLiteral {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let value = h.param(0).map(|p| p.value().clone()).unwrap_or(serde_json::Value::Null);
        let text = serde_json::to_string(&value).map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        out.write(&text)?;
        Ok(())
    }
}

struct JsonString;

impl HelperDef for JsonString {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let mut buf = StringOutput::new();
        if let Some(t) = h.template() {
            t.render(r, ctx, rc, &mut buf)?;
        }
        let inner = buf.into_string().map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        // Templates lay text out over several lines for readability; blank
        // lines at either end are layout, not content.
        let content = inner.trim_start_matches(['\n', '\r']).trim_end();
        let text = serde_json::to_string(content).map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        out.write(&text)?;
        Ok(())
    }
}

/// The compiled card templates.
pub struct CardTemplates {
    hb: Handlebars<'static>,
}

impl CardTemplates {
    /// The embedded templates, then `<name>.json.hbs` files in `override_dir`
    /// replacing the one of the same name.
    pub fn load(override_dir: Option<&Path>) -> Result<Self, ChannelError> {
        let mut hb = Handlebars::new();
        hb.register_escape_fn(handlebars::no_escape);
        hb.set_strict_mode(false);
        hb.register_helper("json", Box::new(JsonLiteral));
        hb.register_helper("jstr", Box::new(JsonString));
        for (name, src) in EMBEDDED {
            hb.register_template_string(name, src)
                .map_err(|e| ChannelError::Template { name: name.to_string(), message: e.to_string() })?;
        }
        if let Some(dir) = override_dir {
            for (name, _) in EMBEDDED {
                let p = dir.join(format!("{name}.json.hbs"));
                if let Ok(src) = std::fs::read_to_string(&p) {
                    hb.register_template_string(name, src).map_err(|e| ChannelError::Template {
                        name: p.display().to_string(),
                        message: e.to_string(),
                    })?;
                }
            }
        }
        Ok(Self { hb })
    }

    /// Renders `name` with `data` and parses the result as JSON.
    pub fn render(&self, name: &str, data: &serde_json::Value) -> Result<serde_json::Value, ChannelError> {
        let text = self
            .hb
            .render(name, data)
            .map_err(|e| ChannelError::Template { name: name.to_string(), message: e.to_string() })?;
        serde_json::from_str(&text).map_err(|e| ChannelError::Template {
            name: name.to_string(),
            message: format!("did not render valid JSON ({e}): {}", crate::text::truncate_chars(&text, 300)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn helpers_write_json_literals() {
        let mut hb = Handlebars::new();
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_helper("json", Box::new(JsonLiteral));
        hb.register_helper("jstr", Box::new(JsonString));
        hb.register_template_string("t", "{ \"a\": {{json a}}, \"b\": {{#jstr}}x \"{{b}}\"\n{{/jstr}} }").unwrap();
        let out = hb.render("t", &json!({"a": ["q\"", 1], "b": "<y>\\"})).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v, json!({"a": ["q\"", 1], "b": "x \"<y>\\\""}));
    }

    #[test]
    fn every_embedded_template_compiles() {
        CardTemplates::load(None).unwrap();
    }
}
