//! Sink specs: the strings in `[sinks]` that name a chat destination.
//!
//! ```text
//! wecom:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY[&format=markdown|card]
//! feishu:https://open.feishu.cn/open-apis/bot/v2/hook/TOKEN[?secret=S | ?secret_env=VAR]
//! lark:https://open.larksuite.com/open-apis/bot/v2/hook/TOKEN[?secret=S]
//! dingtalk:https://oapi.dingtalk.com/robot/send?access_token=T[&secret=SEC…][&format=markdown|card]
//! slack:https://hooks.slack.com/services/T…/B…/…
//! telegram:<chat_id or @channel>   (token from TELEGRAM_BOT_TOKEN, API base from TELEGRAM_API_URL)
//! ```
//!
//! `secret`, `secret_env` and `format` are ours and are removed from the URL
//! before it is called; every other query parameter (the robot's key or
//! token) stays. Without `secret`/`secret_env`, Feishu and DingTalk read
//! `TRADEWIND_FEISHU_SECRET` / `TRADEWIND_DINGTALK_SECRET`; with neither the
//! robot is called unsigned (keyword or IP-range security).

use std::fmt;

use crate::ChannelError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    WeCom,
    Feishu,
    DingTalk,
    Slack,
    Telegram,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::WeCom => "wecom",
            ChannelKind::Feishu => "feishu",
            ChannelKind::DingTalk => "dingtalk",
            ChannelKind::Slack => "slack",
            ChannelKind::Telegram => "telegram",
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which of a channel's formats to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFormat {
    /// The rich card when the card has a link to open (WeCom's
    /// `template_card` requires one; DingTalk's `actionCard` is pointless
    /// without buttons), else markdown.
    Auto,
    Markdown,
    Card,
}

/// Where Telegram cards go through.
#[derive(Clone, PartialEq)]
pub struct TelegramBot {
    pub token: String,
    /// `https://api.telegram.org` unless `TELEGRAM_API_URL` says otherwise,
    /// without a trailing slash; part of the destination key, so kept as
    /// written.
    pub api_base: String,
    /// `api_base` parsed, for teloxide.
    pub api_url: url::Url,
}

/// One parsed destination. `Debug` never prints secrets.
#[derive(Clone, PartialEq)]
pub struct ChannelSpec {
    pub kind: ChannelKind,
    /// The webhook URL (with the robot's own key, minus our options), or the
    /// Telegram chat id.
    pub target: String,
    pub secret: Option<String>,
    pub format: CardFormat,
    pub telegram: Option<TelegramBot>,
}

impl fmt::Debug for ChannelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelSpec")
            .field("kind", &self.kind)
            .field("target", &redact_target(self.kind, &self.target))
            .field("signed", &self.secret.is_some())
            .field("format", &self.format)
            .finish()
    }
}

/// Prefixes that start a spec; used to split a comma-separated list
/// without breaking URLs that contain commas.
const SPEC_PREFIXES: &[&str] =
    &["dir:", "stdout", "memory", "none", "wecom:", "feishu:", "lark:", "dingtalk:", "slack:", "telegram:"];

/// Splits `a,b,c` into sink specs. A comma only separates when what follows
/// starts like a spec, so `https://x/?a=1,2` stays whole.
pub fn split_sink_specs(spec: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut start = 0usize;
    for (i, _) in spec.match_indices(',') {
        let next = spec[i + 1..].trim_start();
        if SPEC_PREFIXES.iter().any(|p| next.starts_with(p)) {
            out.push(spec[start..i].trim());
            start = i + 1;
        }
    }
    out.push(spec[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// True when `spec` names a chat channel this crate handles.
pub fn is_channel_spec(spec: &str) -> bool {
    ["wecom:", "feishu:", "lark:", "dingtalk:", "slack:", "telegram:"].iter().any(|p| spec.trim_start().starts_with(p))
}

impl ChannelSpec {
    /// Parses with secrets and the Telegram token from the process environment.
    pub fn parse(spec: &str) -> Result<Self, ChannelError> {
        Self::parse_with(spec, &|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Parses with `env` standing in for the environment (tests, embedding).
    pub fn parse_with(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ChannelError> {
        let bad = |reason: &str| ChannelError::BadSpec { spec: redact_spec(spec), reason: reason.to_string() };
        let spec = spec.trim();
        let (kind_str, rest) = spec.split_once(':').ok_or_else(|| bad("expected <channel>:<target>"))?;
        let kind = match kind_str {
            "wecom" => ChannelKind::WeCom,
            "feishu" | "lark" => ChannelKind::Feishu,
            "dingtalk" => ChannelKind::DingTalk,
            "slack" => ChannelKind::Slack,
            "telegram" => ChannelKind::Telegram,
            _ => return Err(bad("unknown channel; use wecom, feishu, lark, dingtalk, slack or telegram")),
        };
        if kind == ChannelKind::Telegram {
            let chat = rest.trim();
            let numeric = chat.strip_prefix('-').unwrap_or(chat);
            let valid_id = !numeric.is_empty() && numeric.len() <= 20 && numeric.chars().all(|c| c.is_ascii_digit());
            let valid_name = chat.len() > 1
                && chat.len() <= 33
                && chat.starts_with('@')
                && chat[1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_id && !valid_name {
                return Err(bad("telegram needs a numeric chat id or an @channel name"));
            }
            let token = env("TELEGRAM_BOT_TOKEN")
                .ok_or_else(|| ChannelError::MissingConfig("telegram sinks need TELEGRAM_BOT_TOKEN".into()))?;
            if token.contains('/') || token.chars().any(char::is_whitespace) {
                return Err(ChannelError::MissingConfig("TELEGRAM_BOT_TOKEN is malformed".into()));
            }
            let api_base = env("TELEGRAM_API_URL").unwrap_or_else(|| "https://api.telegram.org".into());
            let api_base = api_base.trim_end_matches('/').to_string();
            // teloxide appends path segments to it, and panics on a URL that
            // cannot have any (`mailto:…`).
            let api_url = url::Url::parse(&api_base)
                .ok()
                .filter(|u| !u.cannot_be_a_base())
                .ok_or_else(|| ChannelError::MissingConfig("TELEGRAM_API_URL is not a URL".into()))?;
            return Ok(ChannelSpec {
                kind,
                target: chat.to_string(),
                secret: None,
                format: CardFormat::Card,
                telegram: Some(TelegramBot { token, api_base, api_url }),
            });
        }

        let mut url = url::Url::parse(rest.trim()).map_err(|e| bad(&format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("the webhook URL must be http(s)"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("the webhook URL has no host"));
        }
        let mut secret = None;
        let mut secret_env = None;
        let mut format = CardFormat::Auto;
        let mut kept: Vec<(String, String)> = Vec::new();
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "secret" => secret = Some(v.into_owned()),
                "secret_env" => secret_env = Some(v.into_owned()),
                "format" => {
                    format = match v.as_ref() {
                        "auto" => CardFormat::Auto,
                        "markdown" => CardFormat::Markdown,
                        "card" | "template_card" | "action_card" | "actionCard" => CardFormat::Card,
                        _ => return Err(bad("format must be auto, markdown or card")),
                    }
                }
                _ => kept.push((k.into_owned(), v.into_owned())),
            }
        }
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept.iter());
        }
        let secret = match (secret, secret_env) {
            (Some(s), _) => Some(s),
            (None, Some(var)) => Some(env(&var).ok_or_else(|| {
                ChannelError::MissingConfig(format!("{kind} sink: secret_env={var} but {var} is not set"))
            })?),
            (None, None) => match kind {
                ChannelKind::Feishu => env("TRADEWIND_FEISHU_SECRET"),
                ChannelKind::DingTalk => env("TRADEWIND_DINGTALK_SECRET"),
                _ => None,
            },
        };
        if secret.is_some() && !matches!(kind, ChannelKind::Feishu | ChannelKind::DingTalk) {
            return Err(bad("only feishu and dingtalk robots are signed"));
        }
        if format != CardFormat::Auto && !matches!(kind, ChannelKind::WeCom | ChannelKind::DingTalk) {
            return Err(bad("format= applies to wecom and dingtalk only"));
        }
        Ok(ChannelSpec {
            kind,
            target: url.to_string(),
            secret: secret.filter(|s| !s.is_empty()),
            format,
            telegram: None,
        })
    }

    /// For logs and dead letters: the host and path with every key, token
    /// and secret cut down to its last four characters.
    pub fn display(&self) -> String {
        format!("{}:{}", self.kind, redact_target(self.kind, &self.target))
    }
}

fn tail4(s: &str) -> String {
    let n = s.chars().count();
    let tail: String = s.chars().skip(n.saturating_sub(4)).collect();
    format!("…{tail}")
}

/// Keys, tokens and secrets hidden; the rest kept so an operator can tell
/// destinations apart.
pub fn redact_target(kind: ChannelKind, target: &str) -> String {
    if kind == ChannelKind::Telegram {
        return target.to_string();
    }
    match url::Url::parse(target) {
        Ok(url) => {
            let path: Vec<String> = url
                .path_segments()
                .map(|segs| {
                    segs.map(|s| {
                        if s.len() >= 16 || kind == ChannelKind::Slack && s.len() > 6 {
                            tail4(s)
                        } else {
                            s.to_string()
                        }
                    })
                    .collect()
                })
                .unwrap_or_default();
            let query: Vec<String> = url.query_pairs().map(|(k, v)| format!("{k}={}", tail4(&v))).collect();
            let mut out = format!("{}/{}", url.host_str().unwrap_or(""), path.join("/"));
            if !query.is_empty() {
                out.push('?');
                out.push_str(&query.join("&"));
            }
            out
        }
        Err(_) => "<invalid url>".into(),
    }
}

/// A spec for an error message: everything after the host is dropped.
fn redact_spec(spec: &str) -> String {
    match spec.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?']).next().unwrap_or("");
            format!("{scheme}://{host}/…")
        }
        None => crate::text::truncate_chars(spec, 40),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "TELEGRAM_BOT_TOKEN" => Some("123:abc".into()),
            "FS" => Some("from-env".into()),
            _ => None,
        }
    }

    #[test]
    fn splits_lists_without_breaking_urls() {
        assert_eq!(
            split_sink_specs("dir:out/sales, wecom:https://q.test/send?key=a,b ,telegram:-100"),
            vec!["dir:out/sales", "wecom:https://q.test/send?key=a,b", "telegram:-100"]
        );
        assert_eq!(split_sink_specs(""), Vec::<&str>::new());
        assert_eq!(split_sink_specs("stdout"), vec!["stdout"]);
    }

    #[test]
    fn parses_webhooks_and_strips_our_options() {
        let s = ChannelSpec::parse_with(
            "dingtalk:https://oapi.dingtalk.com/robot/send?access_token=tok123&secret=SECx&format=markdown",
            &env,
        )
        .unwrap();
        assert_eq!(s.kind, ChannelKind::DingTalk);
        assert_eq!(s.target, "https://oapi.dingtalk.com/robot/send?access_token=tok123");
        assert_eq!(s.secret.as_deref(), Some("SECx"));
        assert_eq!(s.format, CardFormat::Markdown);
        let f = ChannelSpec::parse_with("feishu:https://open.feishu.cn/open-apis/bot/v2/hook/abc?secret_env=FS", &env)
            .unwrap();
        assert_eq!(f.target, "https://open.feishu.cn/open-apis/bot/v2/hook/abc");
        assert_eq!(f.secret.as_deref(), Some("from-env"));
        assert!(!format!("{f:?}").contains("from-env"));
    }

    #[test]
    fn telegram_needs_a_token_and_a_chat() {
        let t = ChannelSpec::parse_with("telegram:-1001234", &env).unwrap();
        assert_eq!(t.target, "-1001234");
        assert_eq!(t.telegram.as_ref().map(|b| b.api_base.as_str()), Some("https://api.telegram.org"));
        assert!(ChannelSpec::parse_with("telegram:hello world", &env).is_err());
        assert!(matches!(ChannelSpec::parse_with("telegram:42", &|_| None), Err(ChannelError::MissingConfig(_))));
        let odd_api = |k: &str| match k {
            "TELEGRAM_BOT_TOKEN" => Some("1:T".to_string()),
            "TELEGRAM_API_URL" => Some("mailto:bot@example.com".to_string()),
            _ => None,
        };
        assert!(matches!(ChannelSpec::parse_with("telegram:42", &odd_api), Err(ChannelError::MissingConfig(_))));
    }

    #[test]
    fn bad_specs_are_errors_not_panics() {
        for s in [
            "",
            "wecom",
            "wecom:",
            "wecom:not a url",
            "ftp:x",
            "slack:ftp://h/x",
            "slack:https://h/x?secret=s",
            "feishu:https://h/x?secret_env=NOPE",
            "wecom:https://h/?format=fancy",
            "\u{0}:\u{0}",
        ] {
            assert!(ChannelSpec::parse_with(s, &env).is_err(), "{s:?}");
        }
    }

    #[test]
    fn display_hides_secrets() {
        let s = ChannelSpec::parse_with(
            "wecom:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            &env,
        )
        .unwrap();
        assert_eq!(s.display(), "wecom:qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa");
        let s =
            ChannelSpec::parse_with("slack:https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX", &env)
                .unwrap();
        assert!(!s.display().contains("XXXXXXXX"), "{}", s.display());
    }
}
