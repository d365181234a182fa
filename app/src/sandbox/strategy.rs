//! Strategies: named, versioned bundles of everything that shapes a result
//! (prompts and templates, customs rule files, screening thresholds, the
//! brain and its model settings, the approval policy, deadlines).
//!
//! A bundle is a file `<dir>/<name>/v<N>.toml`. It names only what it
//! changes: its tables are laid over the configuration's own sections, so
//! `config@v0`, the configuration itself, is the strategy every other one
//! is a change of. The fingerprint covers the resolved sections and the
//! text of every template and rule file it points at, so an edited file
//! under an old version number still shows up as a different strategy.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::config::{Config, CustomsSection, DeadlinesSection, LlmConfig, ScreeningSection};
use crate::desk::ApprovalSection;

/// The strategy made of the configuration's own sections.
pub const CONFIG_STRATEGY: &str = "config";

/// The configuration sections a strategy may change.
pub const GOVERNED: [&str; 5] = ["llm", "screening", "customs", "approval", "deadlines"];

/// `[strategy]`: where bundles live, which is active, and the gate's and
/// the canary's thresholds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrategySection {
    /// Bundles as `<dir>/<name>/v<N>.toml`. Default: `strategies` under the
    /// data folder.
    pub dir: Option<PathBuf>,
    /// Active until a `promote` says otherwise ("config", "name", "name@v2").
    pub active: String,
    pub gate: GateSection,
    pub canary: CanarySection,
}

impl Default for StrategySection {
    fn default() -> Self {
        Self {
            dir: None,
            active: CONFIG_STRATEGY.into(),
            gate: GateSection::default(),
            canary: CanarySection::default(),
        }
    }
}

/// `[strategy.gate]`: what a candidate must show on replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateSection {
    /// "answered_without_human", "slot_filling_accuracy", "time_to_first_reply"
    /// or "proposal_completeness".
    pub metric: String,
    /// Relative improvement the metric must show (0.05 = 5%).
    pub min_improvement: f64,
    /// False triggers must stay below this share of the replayed inquiries.
    pub max_false_trigger_rate: f64,
}

impl Default for GateSection {
    fn default() -> Self {
        Self { metric: "answered_without_human".into(), min_improvement: 0.05, max_false_trigger_rate: 0.003 }
    }
}

/// `[strategy.canary]`: when a live candidate rolls itself back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CanarySection {
    /// Share of conversations a `canary` sends to the candidate unless told.
    pub share: f64,
    /// Rates are taken over this much of the recent past.
    pub window_secs: u64,
    /// No verdict before the candidate has answered this many in the window.
    pub min_inquiries: u32,
    /// Inquiries that failed outright.
    pub max_error_rate: f64,
    /// Inquiries with a part that fell back from the model to rules.
    pub max_degraded_rate: f64,
    /// Negative feedback (a customer's "not helpful", a rejection in the
    /// console) above the active strategy's rate by more than this.
    pub max_negative_increase: f64,
}

impl Default for CanarySection {
    fn default() -> Self {
        Self {
            share: 0.10,
            window_secs: 600,
            min_inquiries: 5,
            max_error_rate: 0.003,
            max_degraded_rate: 0.003,
            max_negative_increase: 0.005,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StrategyError {
    #[error("no strategy '{0}' (see `tradewind strategy list`)")]
    NotFound(String),
    #[error("strategy {path}: {message}")]
    Bad { path: String, message: String },
    #[error("strategies folder {path}: {source}")]
    Read { path: String, source: std::io::Error },
}

/// One resolved strategy: every governed section in full.
#[derive(Debug, Clone, Serialize)]
pub struct Strategy {
    pub name: String,
    pub version: u32,
    pub description: String,
    /// "the configuration" or the bundle's path.
    pub source: String,
    pub llm: LlmConfig,
    pub screening: ScreeningSection,
    pub customs: CustomsSection,
    pub approval: ApprovalSection,
    pub deadlines: DeadlinesSection,
    /// Templates here replace the embedded ones of the same path.
    pub prompts_dir: Option<PathBuf>,
    /// Every template as this strategy renders it, read when it was
    /// resolved: a file edited later is a new strategy, not this one.
    #[serde(skip)]
    pub templates: Vec<(String, String)>,
    /// First 12 hex digits of a SHA-256 over everything above that shapes results.
    pub fingerprint: String,
}

impl Strategy {
    /// "name@v3": what inquiries, transcripts and audit events record.
    pub fn id(&self) -> String {
        format!("{}@v{}", self.name, self.version)
    }

    /// The configuration's own sections as a strategy.
    pub fn from_config(config: &Config) -> Result<Strategy, StrategyError> {
        let s = Strategy {
            name: CONFIG_STRATEGY.into(),
            version: 0,
            description: "the configuration's own sections".into(),
            source: "the configuration".into(),
            llm: config.llm.clone(),
            screening: config.screening.clone(),
            customs: config.customs.clone(),
            approval: config.approval.clone(),
            deadlines: config.deadlines.clone(),
            prompts_dir: None,
            templates: Vec::new(),
            fingerprint: String::new(),
        };
        let source = s.source.clone();
        s.seal().map_err(|message| StrategyError::Bad { path: source, message })
    }

    /// The sections as shown to people and hashed: the API key is never part of it.
    pub fn sections(&self) -> serde_json::Value {
        let mut llm = serde_json::to_value(&self.llm).unwrap_or_default();
        if let Some(o) = llm.as_object_mut() {
            o.remove("api_key");
        }
        serde_json::json!({
            "llm": llm,
            "screening": self.screening,
            "customs": self.customs,
            "approval": self.approval,
            "deadlines": self.deadlines,
        })
    }

    /// Reads the templates and computes the fingerprint, once the sections are final.
    fn seal(mut self) -> Result<Strategy, String> {
        self.check()?;
        self.templates = tradewind_tools::templates::effective(self.prompts_dir.as_deref());
        tradewind_tools::templates::load_texts(&self.templates).map_err(|e| e.to_string())?;
        self.fingerprint = self.compute_fingerprint();
        Ok(self)
    }

    fn check(&self) -> Result<(), String> {
        self.screening.thresholds().validate()?;
        self.approval.validate()?;
        self.deadlines.agent_overrides()?;
        for p in
            [&self.customs.destination_rules, &self.customs.stock_rules, &self.customs.dg_rules].into_iter().flatten()
        {
            if !p.is_file() {
                return Err(format!("customs rule file {} does not exist", p.display()));
            }
        }
        if let Some(d) = &self.prompts_dir {
            if !d.is_dir() {
                return Err(format!("prompts folder {} does not exist", d.display()));
            }
        }
        Ok(())
    }

    fn compute_fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.sections().to_string().as_bytes());
        for (name, text) in &self.templates {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        for p in
            [&self.customs.destination_rules, &self.customs.stock_rules, &self.customs.dg_rules].into_iter().flatten()
        {
            h.update(std::fs::read(p).unwrap_or_default());
        }
        hex::encode(&h.finalize()[..6])
    }
}

/// Where the bundles live.
pub fn strategies_dir(config: &Config) -> PathBuf {
    config.strategy.dir.clone().unwrap_or_else(|| crate::data_root(config).join("strategies"))
}

/// Every strategy: the configuration's first, then each bundle by name and
/// version.
pub fn list(config: &Config) -> Result<Vec<Strategy>, StrategyError> {
    let mut out = vec![Strategy::from_config(config)?];
    for (name, version, path) in bundles(&strategies_dir(config))? {
        out.push(load_bundle(config, &name, version, &path)?);
    }
    Ok(out)
}

/// A strategy by "config", "name" (its latest version), "name@v2" or "name@2".
pub fn resolve(config: &Config, spec: &str) -> Result<Strategy, StrategyError> {
    let spec = spec.trim();
    let (name, version) = match spec.split_once('@') {
        Some((n, v)) => {
            let v = v.trim_start_matches('v');
            let v: u32 = v.parse().map_err(|_| StrategyError::NotFound(spec.to_string()))?;
            (n, Some(v))
        }
        None => (spec, None),
    };
    if name == CONFIG_STRATEGY && version.unwrap_or(0) == 0 {
        return Strategy::from_config(config);
    }
    let found = bundles(&strategies_dir(config))?
        .into_iter()
        .filter(|(n, v, _)| n == name && version.is_none_or(|want| want == *v))
        .max_by_key(|(_, v, _)| *v);
    match found {
        Some((n, v, path)) => load_bundle(config, &n, v, &path),
        None => Err(StrategyError::NotFound(spec.to_string())),
    }
}

/// `(name, version, path)` of every `<dir>/<name>/v<N>.toml`.
fn bundles(dir: &Path) -> Result<Vec<(String, u32, PathBuf)>, StrategyError> {
    let read_err = |source| StrategyError::Read { path: dir.display().to_string(), source };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_err(e)),
    };
    let mut out = Vec::new();
    for e in entries {
        let e = e.map_err(read_err)?;
        let Ok(name) = e.file_name().into_string() else { continue };
        if !e.path().is_dir() || name == CONFIG_STRATEGY || !valid_name(&name) {
            continue;
        }
        for f in std::fs::read_dir(e.path()).map_err(read_err)? {
            let f = f.map_err(read_err)?;
            let file = f.file_name().to_string_lossy().into_owned();
            let Some(v) = file.strip_prefix('v').and_then(|s| s.strip_suffix(".toml")).and_then(|s| s.parse().ok())
            else {
                continue;
            };
            out.push((name.clone(), v, f.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A bundle's tables laid over the configuration's sections.
fn load_bundle(config: &Config, name: &str, version: u32, path: &Path) -> Result<Strategy, StrategyError> {
    let bad = |message: String| StrategyError::Bad { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let mut file: toml::Table = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let description = match file.remove("description") {
        Some(toml::Value::String(s)) => s,
        None => String::new(),
        Some(_) => return Err(bad("description must be text".into())),
    };
    let prompts_dir = match file.remove("prompts") {
        Some(toml::Value::String(s)) => Some(folder.join(s)),
        None => None,
        Some(_) => return Err(bad("prompts must be a folder path".into())),
    };
    if let Some(k) = file.keys().find(|k| !GOVERNED.contains(&k.as_str())) {
        return Err(bad(format!(
            "unknown key '{k}': a strategy may set description, prompts and the sections {}",
            GOVERNED.join(", ")
        )));
    }
    let base = toml::Table::try_from(config).map_err(|e| bad(e.to_string()))?;
    let section = |key: &str| -> Result<toml::Value, StrategyError> {
        let mut v = base.get(key).cloned().unwrap_or_else(|| toml::Value::Table(toml::Table::new()));
        if let Some(over) = file.get(key) {
            let over = over.as_table().ok_or_else(|| bad(format!("[{key}] must be a table")))?;
            merge(&mut v, over);
        }
        Ok(v)
    };
    fn typed<T: serde::de::DeserializeOwned>(key: &str, v: toml::Value) -> Result<T, String> {
        T::deserialize(v).map_err(|e| format!("[{key}]: {e}"))
    }
    let mut customs: CustomsSection = typed("customs", section("customs")?).map_err(bad)?;
    // Rule files a bundle names are relative to its own folder.
    if let Some(over) = file.get("customs").and_then(|v| v.as_table()) {
        for (key, slot) in [
            ("destination_rules", &mut customs.destination_rules),
            ("stock_rules", &mut customs.stock_rules),
            ("dg_rules", &mut customs.dg_rules),
        ] {
            if over.contains_key(key) {
                *slot = slot.take().map(|p| if p.is_absolute() { p } else { folder.join(p) });
            }
        }
    }
    let s = Strategy {
        name: name.to_string(),
        version,
        description,
        source: path.display().to_string(),
        llm: typed("llm", section("llm")?).map_err(bad)?,
        screening: typed("screening", section("screening")?).map_err(bad)?,
        customs,
        approval: typed("approval", section("approval")?).map_err(bad)?,
        deadlines: typed("deadlines", section("deadlines")?).map_err(bad)?,
        prompts_dir,
        templates: Vec::new(),
        fingerprint: String::new(),
    };
    s.seal().map_err(bad)
}

/// Lays `over` onto `base`, table by table; other values replace.
fn merge(base: &mut toml::Value, over: &toml::Table) {
    let Some(b) = base.as_table_mut() else {
        *base = toml::Value::Table(over.clone());
        return;
    };
    for (k, v) in over {
        match (b.get_mut(k), v) {
            (Some(bv @ toml::Value::Table(_)), toml::Value::Table(ov)) => merge(bv, ov),
            _ => {
                b.insert(k.clone(), v.clone());
            }
        }
    }
}

/// One difference between two strategies: a setting's path and each side's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingDiff {
    pub path: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

/// Every setting and template that differs.
pub fn diff(a: &Strategy, b: &Strategy) -> Vec<SettingDiff> {
    let mut fa = Vec::new();
    let mut fb = Vec::new();
    flatten("", &a.sections(), &mut fa);
    flatten("", &b.sections(), &mut fb);
    let ma: std::collections::BTreeMap<_, _> = fa.into_iter().collect();
    let mb: std::collections::BTreeMap<_, _> = fb.into_iter().collect();
    let mut out = Vec::new();
    for k in ma.keys().chain(mb.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (x, y) = (ma.get(k).cloned(), mb.get(k).cloned());
        if x != y {
            out.push(SettingDiff { path: k.clone(), a: x, b: y });
        }
    }
    let ta: std::collections::BTreeMap<_, _> = a.templates.iter().cloned().collect();
    for (name, text) in &b.templates {
        let old = ta.get(name).cloned().unwrap_or_default();
        if &old != text {
            out.push(SettingDiff { path: format!("prompts/{name}"), a: Some(summary(&old)), b: Some(summary(text)) });
        }
    }
    out
}

/// A template's size and its first line, for a diff that fits a terminal.
fn summary(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let first: String = first.chars().take(60).collect();
    format!("{} lines, sha256 {}…: {first}", text.lines().count(), &hex::encode(Sha256::digest(text.as_bytes()))[..8])
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&p, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(dir: &Path) -> Config {
        let mut c = Config::default();
        c.strategy.dir = Some(dir.to_path_buf());
        c
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn a_bundle_changes_only_what_it_names_and_inherits_the_rest_from_the_configuration() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "strict/v1.toml", "description = \"stricter\"\n[screening]\nreview_at = 0.5\n");
        let mut c = config_in(d.path());
        c.llm.model = "m-from-config".into();
        let s = resolve(&c, "strict").unwrap();
        assert_eq!((s.id().as_str(), s.screening.review_at), ("strict@v1", 0.5));
        assert_eq!(s.screening.match_at, c.screening.match_at);
        assert_eq!(s.llm.model, "m-from-config");
        let base = resolve(&c, "config").unwrap();
        let d = diff(&base, &s);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "screening.review_at");
    }

    #[test]
    fn the_latest_version_is_the_default_and_an_old_one_can_be_named() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "s/v1.toml", "[approval]\nproposal = \"hold\"\n");
        write(d.path(), "s/v2.toml", "[approval]\nproposal = \"auto\"\n");
        let c = config_in(d.path());
        assert_eq!(resolve(&c, "s").unwrap().version, 2);
        assert_eq!(resolve(&c, "s@v1").unwrap().approval.proposal, "hold");
        assert_eq!(resolve(&c, "s@1").unwrap().version, 1);
        assert!(matches!(resolve(&c, "s@v9"), Err(StrategyError::NotFound(_))));
        let ids: Vec<String> = list(&c).unwrap().iter().map(Strategy::id).collect();
        assert_eq!(ids, ["config@v0", "s@v1", "s@v2"]);
    }

    #[test]
    fn an_edited_template_changes_the_fingerprint_and_shows_in_the_diff() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "t/v1.toml", "prompts = \"prompts\"\n");
        std::fs::create_dir_all(d.path().join("t/prompts")).unwrap();
        let c = config_in(d.path());
        let before = resolve(&c, "t").unwrap();
        assert_eq!(before.fingerprint, resolve(&c, "config").unwrap().fingerprint);
        write(d.path(), "t/prompts/reply.en.hbs", "Hello {{name}}\n");
        let after = resolve(&c, "t").unwrap();
        assert_ne!(before.fingerprint, after.fingerprint);
        let d = diff(&before, &after);
        assert!(d.iter().any(|x| x.path == "prompts/reply.en"), "{d:?}");
    }

    #[test]
    fn a_bad_bundle_is_refused_with_its_path_and_the_reason() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "x/v1.toml", "[screening]\nreview_at = 0.95\nmatch_at = 0.9\n");
        write(d.path(), "y/v1.toml", "[sinks]\nsales = \"stdout\"\n");
        let c = config_in(d.path());
        let e = resolve(&c, "x").unwrap_err().to_string();
        assert!(e.contains("x/v1.toml") && e.contains("review_at"), "{e}");
        let e = resolve(&c, "y").unwrap_err().to_string();
        assert!(e.contains("unknown key 'sinks'"), "{e}");
    }

    #[test]
    fn the_api_key_is_never_shown_or_hashed() {
        let mut c = Config::default();
        c.llm.api_key = Some("sk-secret".into());
        let s = Strategy::from_config(&c).unwrap();
        assert!(!s.sections().to_string().contains("sk-secret"));
        c.llm.api_key = Some("sk-other".into());
        assert_eq!(Strategy::from_config(&c).unwrap().fingerprint, s.fingerprint);
    }
}
