//! Dangerous goods: lithium ion batteries (UN3480, UN3481, UN3556; Class 9)
//! from catalog data, and what each mode of transport requires. Rule
//! statements and sources live in `knowledge/rules/dangerous-goods.toml`;
//! this module decides which rules apply and at what level.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tradewind_core::{BatteryInfo, Citation, Finding, Product, RiskLevel};

use crate::battery_text::TextBattery;
use crate::RulesError;

pub const DG_RULES: &str = include_str!("../../knowledge/rules/dangerous-goods.toml");
pub const DG_RULES_SOURCE: &str = "knowledge/rules/dangerous-goods.toml";

/// Above this many watt-hours a battery is fully regulated in every mode.
pub const BATTERY_WH_LIMIT: f64 = 100.0;
/// Above this many watt-hours a cell is fully regulated in every mode.
pub const CELL_WH_LIMIT: f64 = 20.0;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DgRule {
    pub id: String,
    pub statement: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DgFile {
    vehicle_hs_headings: Vec<String>,
    rule: Vec<DgRule>,
}

/// Every rule id the code relies on; parsing fails when one is missing.
const REQUIRED: &[&str] = &[
    "DG-UN3480",
    "DG-UN3481",
    "DG-UN3556",
    "DG-100WH",
    "DG-UN383",
    "DG-MODE-UNSTATED",
    "DG-MODE-INCOTERM",
    "DG-AIR-PI965",
    "DG-AIR-PI966",
    "DG-AIR-PI967",
    "DG-AIR-PI952",
    "DG-SEA-IMDG",
    "DG-SEA-SP188",
    "DG-SEA-UN3556",
    "DG-LAND-ADR",
    "DG-UN3090",
    "DG-TEXT",
];

#[derive(Debug, Clone)]
pub struct DgRules {
    rules: BTreeMap<String, DgRule>,
    vehicle_hs_headings: Vec<String>,
}

impl DgRules {
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        let f: DgFile = toml::from_str(text).map_err(|e| RulesError::Rules(format!("dangerous goods: {e}")))?;
        let mut rules = BTreeMap::new();
        for r in f.rule {
            if r.source.trim().is_empty() || r.statement.trim().is_empty() {
                return Err(RulesError::Rules(format!("dangerous goods rule {} needs a statement and a source", r.id)));
            }
            if rules.insert(r.id.clone(), r.clone()).is_some() {
                return Err(RulesError::Rules(format!("dangerous goods rule id {} is used twice", r.id)));
            }
        }
        if let Some(missing) = REQUIRED.iter().find(|id| !rules.contains_key(**id)) {
            return Err(RulesError::Rules(format!("dangerous goods rule {missing} is missing")));
        }
        Ok(Self { rules, vehicle_hs_headings: f.vehicle_hs_headings })
    }

    pub fn embedded() -> Result<Self, RulesError> {
        Self::parse(DG_RULES)
    }

    pub fn rule(&self, id: &str) -> Option<&DgRule> {
        self.rules.get(id)
    }

    fn cite(&self, id: &str) -> Citation {
        Citation {
            source: format!("{DG_RULES_SOURCE}#{id}"),
            section: self.rules.get(id).map(|r| r.source.clone()),
            chunk_id: None,
            score: None,
        }
    }

    /// Whether a product is a vehicle in dangerous-goods terms.
    pub fn is_vehicle(&self, p: &Product) -> bool {
        self.vehicle_hs_headings.iter().any(|h| p.hs_code.starts_with(h.as_str()))
    }
}

// ---------------------------------------------------------------- modes

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TransportMode {
    Air,
    Sea,
    /// Road or rail (ADR/RID).
    Land,
}

impl TransportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportMode::Air => "air",
            TransportMode::Sea => "sea",
            TransportMode::Land => "land",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "air" => Some(TransportMode::Air),
            "sea" | "ocean" => Some(TransportMode::Sea),
            "land" | "road" | "rail" => Some(TransportMode::Land),
            _ => None,
        }
    }
}

/// Why these modes were chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "basis", content = "evidence", rename_all = "snake_case")]
pub enum ModeBasis {
    /// The inquiry said so; the words that said it.
    Stated(String),
    /// A sea-only Incoterm.
    Incoterm(String),
    /// Nothing said: air and sea both assessed.
    Unstated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ModeChoice {
    pub modes: Vec<TransportMode>,
    pub basis: ModeBasis,
}

impl ModeChoice {
    pub fn unstated() -> Self {
        Self { modes: vec![TransportMode::Air, TransportMode::Sea], basis: ModeBasis::Unstated }
    }

    pub fn stated(modes: Vec<TransportMode>) -> Self {
        if modes.is_empty() {
            return Self::unstated();
        }
        let words = modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
        Self { modes, basis: ModeBasis::Stated(words) }
    }
}

const AIR_WORDS: &[&str] = &[
    "by air",
    "air freight",
    "airfreight",
    "air cargo",
    "air shipment",
    "via air",
    "air express",
    "by express",
    "express courier",
    "courier",
    "dhl",
    "fedex",
    "空运",
    "航空",
    "快递",
    "空派",
];
const SEA_WORDS: &[&str] = &[
    "by sea",
    "sea freight",
    "seafreight",
    "ocean freight",
    "by ocean",
    "by ship",
    "by vessel",
    "by boat",
    "fcl",
    "lcl",
    "海运",
    "船运",
    "海路",
    "整柜",
    "拼箱",
];
const LAND_WORDS: &[&str] = &[
    "by rail",
    "by train",
    "rail freight",
    "railway",
    "by truck",
    "by road",
    "road freight",
    "trucking",
    "铁路",
    "班列",
    "火车",
    "陆运",
    "卡车",
    "汽运",
];
const NEGATIONS: &[&str] =
    &["not ", "no ", "never ", "instead of ", "rather than ", "不要", "不走", "不用", "别", "不"];
/// Incoterms 2020 rules for sea and inland waterway transport only.
const SEA_INCOTERMS: &[&str] = &["FAS", "FOB", "CFR", "CIF"];

/// The modes of transport an inquiry states ("by air", "空运", "by sea",
/// "海运", rail or road), else the one a sea-only Incoterm implies, else
/// air and sea both. A negated mention ("not by air") does not count.
pub fn transport_modes(text: &str, incoterm: Option<&str>) -> ModeChoice {
    // Bounded work: the scan looks at the first 8 KB only.
    let mut end = text.len().min(8192);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let lower = text[..end].to_lowercase();
    // Pad ASCII words with spaces so "by air" does not match "by airline".
    let padded: String =
        lower.chars().map(|c| if c.is_ascii_alphanumeric() || !c.is_ascii() { c } else { ' ' }).collect();
    let padded = format!(" {} ", padded.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut modes = Vec::new();
    let mut evidence = Vec::new();
    for (mode, words) in
        [(TransportMode::Air, AIR_WORDS), (TransportMode::Sea, SEA_WORDS), (TransportMode::Land, LAND_WORDS)]
    {
        for w in words {
            if let Some(found) = stated(&padded, w) {
                if !modes.contains(&mode) {
                    modes.push(mode);
                    evidence.push(found);
                }
            }
        }
    }
    if !modes.is_empty() {
        return ModeChoice { modes, basis: ModeBasis::Stated(evidence.join(", ")) };
    }
    if let Some(term) = incoterm.map(|t| t.trim().to_ascii_uppercase()) {
        if SEA_INCOTERMS.contains(&term.as_str()) {
            return ModeChoice { modes: vec![TransportMode::Sea], basis: ModeBasis::Incoterm(term) };
        }
    }
    ModeChoice::unstated()
}

/// The word as found, unless every occurrence is negated.
fn stated(padded: &str, word: &str) -> Option<String> {
    let needle = if word.is_ascii() { format!(" {word} ") } else { word.to_string() };
    let mut from = 0;
    while let Some(at) = padded[from..].find(&needle) {
        let start = from + at;
        let mut window_start = start.saturating_sub(16);
        while !padded.is_char_boundary(window_start) {
            window_start -= 1;
        }
        let before = format!("{} ", padded[window_start..start].trim_end());
        let negated = NEGATIONS.iter().any(|n| {
            if n.is_ascii() {
                before.ends_with(&format!(" {n}")) || before == *n
            } else {
                before.trim_end().ends_with(n)
            }
        });
        if !negated {
            return Some(word.to_string());
        }
        from = start + needle.len().max(1);
        while from < padded.len() && !padded.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

// ---------------------------------------------------------------- assessment

/// How the batteries travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatteryPacking {
    Alone,
    PackedWithEquipment,
    ContainedInEquipment,
    Vehicle,
}

/// The dangerous-goods assessment of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DgAssessment {
    pub sku: String,
    pub regulated: bool,
    /// The UN number the rules assign (may differ from the catalog's).
    pub un_number: Option<String>,
    pub catalog_un_number: Option<String>,
    pub class: Option<String>,
    pub packing: Option<BatteryPacking>,
    pub wh: Option<f64>,
    /// Estimated watt-hours per cell, from the catalog's cell layout.
    pub cell_wh: Option<f64>,
    pub modes: ModeChoice,
    pub level: RiskLevel,
    pub findings: Vec<Finding>,
}

/// Number of cells in a layout such as "13S5P 21700", "4P 21700",
/// "Li-polymer 2P", "2x 18650 built-in" or "16S prismatic".
pub fn cell_count(layout: &str) -> Option<u32> {
    for tok in layout.split(|c: char| c.is_whitespace() || c == ',').map(|t| t.to_ascii_lowercase()) {
        let num = |s: &str| s.parse::<u32>().ok().filter(|n| *n > 0);
        if let Some((s, p)) = tok.strip_suffix('p').and_then(|t| t.split_once('s')) {
            if let (Some(s), Some(p)) = (num(s), num(p)) {
                return Some(s.saturating_mul(p));
            }
        }
        for suffix in ['p', 's', 'x'] {
            if let Some(n) = tok.strip_suffix(suffix).and_then(num) {
                return Some(n);
            }
        }
    }
    None
}

fn packing_of(p: &Product, rules: &DgRules) -> Option<BatteryPacking> {
    let b = p.battery.as_ref()?;
    if rules.is_vehicle(p) {
        return Some(BatteryPacking::Vehicle);
    }
    let un = b.un_number.trim().to_ascii_uppercase();
    match un.as_str() {
        "UN3480" => Some(BatteryPacking::Alone),
        "UN3481" => {
            // The catalog does not say whether a UN3481 battery sits inside
            // the product or beside it in the box; our equipment ships with
            // it installed, unless the specs say otherwise.
            let specs = p.specs.values().map(|v| v.to_ascii_lowercase()).collect::<Vec<_>>().join(" ");
            if specs.contains("packed with") || specs.contains("spare battery") || specs.contains("separate battery") {
                Some(BatteryPacking::PackedWithEquipment)
            } else {
                Some(BatteryPacking::ContainedInEquipment)
            }
        }
        _ => None,
    }
}

fn fmt_wh(wh: f64) -> String {
    if (wh - wh.round()).abs() < 0.05 {
        format!("{wh:.0} Wh")
    } else {
        format!("{wh:.1} Wh")
    }
}

/// Assesses a product's lithium batteries for the given modes. Products
/// without batteries are not regulated and get no finding.
pub fn assess(p: &Product, modes: &ModeChoice, rules: &DgRules, catalog: Citation) -> DgAssessment {
    let mut out = DgAssessment {
        sku: p.sku.clone(),
        regulated: false,
        un_number: None,
        catalog_un_number: None,
        class: None,
        packing: None,
        wh: None,
        cell_wh: None,
        modes: modes.clone(),
        level: RiskLevel::Clear,
        findings: Vec::new(),
    };
    let Some(b) = p.battery.as_ref() else { return out };
    out.regulated = true;
    out.catalog_un_number = Some(b.un_number.clone());
    out.wh = Some(b.wh);
    let finding = |level, message: String, ids: &[&str]| {
        let mut citations = vec![catalog.clone()];
        citations.extend(ids.iter().map(|id| rules.cite(id)));
        Finding { kind: "dangerous_goods".into(), level, sku: Some(p.sku.clone()), message, citations }
    };

    let Some(packing) = packing_of(p, rules) else {
        out.level = RiskLevel::Review;
        out.findings.push(finding(
            RiskLevel::Review,
            format!(
                "{}: the catalog records {} for its lithium battery, which these rules do not cover (they cover lithium ion UN3480, UN3481 and UN3556); a dangerous-goods specialist must classify it.",
                p.sku, b.un_number
            ),
            &["DG-UN3480", "DG-UN3481"],
        ));
        return out;
    };
    out.packing = Some(packing);
    let (un, rule) = match packing {
        BatteryPacking::Alone => ("UN3480", "DG-UN3480"),
        BatteryPacking::PackedWithEquipment | BatteryPacking::ContainedInEquipment => ("UN3481", "DG-UN3481"),
        BatteryPacking::Vehicle => ("UN3556", "DG-UN3556"),
    };
    out.un_number = Some(un.to_string());
    out.class = Some("9".into());

    let cells = p.specs.get("cells").and_then(|c| cell_count(c));
    out.cell_wh = if b.wh <= CELL_WH_LIMIT { Some(b.wh) } else { cells.map(|n| b.wh / n as f64) };
    let small_battery = b.wh <= BATTERY_WH_LIMIT;
    let small_cells = out.cell_wh.is_some_and(|c| c <= CELL_WH_LIMIT);
    let small = small_battery && small_cells;

    // Classification, with the figures every later rule depends on.
    let what = match packing {
        BatteryPacking::Alone => "batteries shipped on their own",
        BatteryPacking::PackedWithEquipment => "batteries packed with equipment",
        BatteryPacking::ContainedInEquipment => "batteries contained in equipment",
        BatteryPacking::Vehicle => "a vehicle powered by a lithium ion battery",
    };
    let cell_text = match (out.cell_wh, cells) {
        (Some(c), Some(n)) if b.wh > CELL_WH_LIMIT => format!(", about {} per cell ({n} cells)", fmt_wh(c)),
        (Some(_), _) => String::new(),
        _ => ", cell rating not in the catalog".to_string(),
    };
    let threshold = if small {
        "within 100 Wh per battery and 20 Wh per cell, so the lighter conditions can apply".to_string()
    } else if small_battery {
        format!(
            "at or under 100 Wh per battery but {}, so it is fully regulated",
            if out.cell_wh.is_some() {
                "over 20 Wh per cell"
            } else {
                "the cell rating must be confirmed at or under 20 Wh before the lighter conditions apply"
            }
        )
    } else {
        "over 100 Wh per battery, so it is fully regulated in every mode".to_string()
    };
    let mode_text = match &modes.basis {
        ModeBasis::Stated(words) => format!(" Mode stated in the inquiry ({words})."),
        ModeBasis::Incoterm(t) => format!(" Sea freight, from the sea-only Incoterm {t}."),
        ModeBasis::Unstated => {
            " Mode of transport not stated: air and sea are both assessed and the stricter applies.".into()
        }
    };
    let mut ids = vec![rule, "DG-100WH", "DG-UN383"];
    match modes.basis {
        ModeBasis::Unstated => ids.push("DG-MODE-UNSTATED"),
        ModeBasis::Incoterm(_) => ids.push("DG-MODE-INCOTERM"),
        ModeBasis::Stated(_) => {}
    }
    // A fully regulated battery needs a declaration someone must prepare
    // and sign: never a clear line.
    let mut class_level = if small { RiskLevel::Clear } else { RiskLevel::Review };
    let mut reclass = String::new();
    if packing == BatteryPacking::Vehicle && !b.un_number.eq_ignore_ascii_case("UN3556") {
        class_level = RiskLevel::Review;
        reclass = format!(
            " The catalog records {}; a complete e-bike or e-scooter is a vehicle (special provision 388), so it ships as UN3556 and the catalog record and booking must be corrected.",
            b.un_number
        );
    }
    out.findings.push(finding(
        class_level,
        format!(
            "{}: {} ({}), {} per battery{}: {un} Class 9, {what}; {threshold}.{reclass} UN 38.3 test summary required.{mode_text}",
            p.sku,
            b.chemistry,
            p.name_en,
            fmt_wh(b.wh),
            cell_text
        ),
        &ids,
    ));

    for mode in &modes.modes {
        let (level, message, rule_ids): (RiskLevel, String, Vec<&str>) = match (mode, packing) {
            (TransportMode::Air, BatteryPacking::Alone) => {
                // Section IB is for batteries of at most 100 Wh whose cells are
                // at most 20 Wh each; a larger battery or a larger cell is IA.
                let section = if small {
                    "Section IB (no Section II exists for PI 965 since 1 April 2022, so even small batteries are fully regulated)"
                } else if small_battery && out.cell_wh.is_none() {
                    "Section IB if every cell is at most 20 Wh, otherwise Section IA (the cell rating is not in the catalog and must be confirmed)"
                } else if small_battery {
                    "Section IA (cells over 20 Wh, although the battery is within 100 Wh): UN-specification packaging, at most 35 kg net per package"
                } else {
                    "Section IA: UN-specification packaging, at most 35 kg net per package"
                };
                (
                    RiskLevel::Review,
                    format!("By air: {un}, IATA PI 965 {section}; Cargo Aircraft Only (forbidden on passenger aircraft); state of charge at most 30% of rated capacity; Class 9 lithium battery label and Shipper's Declaration."),
                    vec!["DG-AIR-PI965"],
                )
            }
            (TransportMode::Air, BatteryPacking::PackedWithEquipment | BatteryPacking::ContainedInEquipment) => {
                let (pi, id, soc) = if packing == BatteryPacking::PackedWithEquipment {
                    ("966", "DG-AIR-PI966", "state of charge at most 30% (mandatory since 1 January 2026)")
                } else {
                    ("967", "DG-AIR-PI967", "state of charge at most 30% recommended")
                };
                if small {
                    (
                        RiskLevel::Clear,
                        format!("By air: {un}, IATA PI {pi} Section II: lithium battery mark, no Class 9 label or Shipper's Declaration; {soc}."),
                        vec![id, "DG-100WH"],
                    )
                } else {
                    (
                        RiskLevel::Review,
                        format!("By air: {un}, IATA PI {pi} Section I: Class 9 label and Shipper's Declaration; at most 5 kg of batteries per package on passenger aircraft, 35 kg on cargo aircraft; {soc}."),
                        vec![id],
                    )
                }
            }
            (TransportMode::Air, BatteryPacking::Vehicle) => (
                RiskLevel::Review,
                format!("By air: {un}, IATA PI 952: battery over 100 Wh at a state of charge of at most 30% (since 1 January 2026), protected from damage and short circuit; Shipper's Declaration."),
                vec!["DG-AIR-PI952"],
            ),
            (TransportMode::Sea, BatteryPacking::Vehicle) => (
                RiskLevel::Review,
                format!("By sea: IMDG Code {un} Class 9 (special provision 388; UN3171 no longer accepted after 31 December 2025): Dangerous Goods Declaration, battery installed and protected."),
                vec!["DG-SEA-UN3556"],
            ),
            (TransportMode::Sea, _) if small => (
                RiskLevel::Clear,
                format!("By sea: special provision 188 applies ({} per battery, cells at or under 20 Wh): lithium battery mark, packaging that survives a 1.2 m drop, at most 30 kg gross per package unless installed in equipment; otherwise not subject to the IMDG Code (we still declare fully when the carrier asks).", fmt_wh(b.wh)),
                vec!["DG-SEA-SP188"],
            ),
            (TransportMode::Sea, _) => (
                RiskLevel::Review,
                format!("By sea: IMDG Code {un} Class 9, packing instruction P903, EmS F-A, S-I; Class 9 lithium battery labels, container placards, Dangerous Goods Declaration and container packing certificate."),
                vec!["DG-SEA-IMDG"],
            ),
            (TransportMode::Land, _) => (
                if small && packing != BatteryPacking::Vehicle { RiskLevel::Clear } else { RiskLevel::Review },
                if small && packing != BatteryPacking::Vehicle {
                    format!("By road or rail: ADR/RID special provision 188 applies to these small batteries ({un}); lithium battery mark on packages.")
                } else {
                    format!("By road or rail: ADR/RID {un} Class 9, P903 (special provision 388 for vehicles); Class 9 labels and a transport document.")
                },
                vec!["DG-LAND-ADR"],
            ),
        };
        out.findings.push(finding(level, format!("{}: {message}", p.sku), &rule_ids));
    }
    out.level = out.findings.iter().map(|f| f.level).max().unwrap_or(RiskLevel::Clear);
    out
}

/// Assesses a lithium battery the inquiry describes (a product we could
/// not match, or a match its own figures ruled out): the UN number, the
/// watt-hour band and the packing instruction from the customer's words,
/// to be confirmed from the manufacturer's UN 38.3 test summary.
pub fn assess_text(description: &str, said: &TextBattery, modes: &ModeChoice, rules: &DgRules) -> DgAssessment {
    let label = clip(description.trim(), 60);
    let (un, rule) = match (said.lithium_metal, said.packing) {
        (true, BatteryPacking::Alone) => ("UN3090", "DG-UN3090"),
        (true, _) => ("UN3091", "DG-UN3090"),
        (false, BatteryPacking::Alone) => ("UN3480", "DG-UN3480"),
        (false, BatteryPacking::Vehicle) => ("UN3556", "DG-UN3556"),
        (false, _) => ("UN3481", "DG-UN3481"),
    };
    let cite = |ids: &[&str]| ids.iter().map(|id| rules.cite(id)).collect::<Vec<_>>();
    let review = |message: String, ids: &[&str]| DgAssessment {
        sku: label.clone(),
        regulated: true,
        un_number: Some(un.to_string()),
        catalog_un_number: None,
        class: Some("9".into()),
        packing: Some(said.packing),
        wh: said.wh,
        cell_wh: None,
        modes: modes.clone(),
        level: RiskLevel::Review,
        findings: vec![Finding {
            kind: "dangerous_goods".into(),
            level: RiskLevel::Review,
            sku: None,
            message,
            citations: cite(ids),
        }],
    };
    let chemistry = said.chemistry.clone().unwrap_or_else(|| "chemistry not stated".into());
    if said.lithium_metal {
        return review(
            format!("'{label}': lithium metal batteries ({chemistry}): {un} Class 9; by air PI 968 (alone, Cargo Aircraft Only), 969 or 970; the lithium content per cell and battery decides the section. A dangerous-goods specialist must classify them from the UN 38.3 test summary."),
            &[rule, "DG-TEXT", "DG-UN383"],
        );
    }
    let Some(wh) = said.wh else {
        return review(
            format!("'{label}': a battery ({chemistry}) whose watt-hours the inquiry does not give: if lithium ion, {un} Class 9, and the watt-hours decide whether it is fully regulated. Ask for the rating (or volts and ampere-hours) and the UN 38.3 test summary before quoting transport."),
            &[rule, "DG-TEXT", "DG-100WH"],
        );
    };
    let p = Product {
        sku: label.clone(),
        name_en: format!("as described: {}", said.wh_from.as_deref().unwrap_or("figures from the inquiry")),
        name_zh: String::new(),
        category: "battery".into(),
        specs: if said.packing == BatteryPacking::PackedWithEquipment {
            [("packing".to_string(), "packed with equipment".to_string())].into_iter().collect()
        } else {
            std::collections::BTreeMap::new()
        },
        // The HS code only tells a vehicle from other goods here.
        hs_code: if said.packing == BatteryPacking::Vehicle { "871160".into() } else { "850760".into() },
        price_tiers: Vec::new(),
        moq: 0,
        lead_time_days: 0,
        stock: 0,
        battery: Some(BatteryInfo {
            wh,
            un_number: if un == "UN3556" { "UN3556".into() } else { un.into() },
            chemistry,
        }),
        synonyms: Vec::new(),
    };
    let mut a = assess(&p, modes, rules, rules.cite("DG-TEXT"));
    for f in &mut a.findings {
        f.sku = None;
        if let Some(rest) = f.message.strip_prefix(&format!("{label}:")) {
            f.message = format!("'{label}' (from the inquiry's words):{rest}");
        }
    }
    a
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_layouts_are_counted() {
        assert_eq!(cell_count("13S5P 21700"), Some(65));
        assert_eq!(cell_count("Li-polymer 2P"), Some(2));
        assert_eq!(cell_count("4P 21700 6700 mAh"), Some(4));
        assert_eq!(cell_count("2x 18650 built-in"), Some(2));
        assert_eq!(cell_count("16S prismatic LiFePO4 280 Ah class"), Some(16));
        assert_eq!(cell_count("prismatic"), None);
    }

    #[test]
    fn stated_modes_beat_incoterms_and_negations_do_not_count() {
        assert_eq!(transport_modes("ship by air please", None).modes, vec![TransportMode::Air]);
        assert_eq!(transport_modes("请海运到汉堡", None).modes, vec![TransportMode::Sea]);
        assert_eq!(transport_modes("not by air, by sea", None).modes, vec![TransportMode::Sea]);
        assert_eq!(transport_modes("不要空运，海运", None).modes, vec![TransportMode::Sea]);
        assert_eq!(transport_modes("send to Busan", Some("CIF")).basis, ModeBasis::Incoterm("CIF".into()));
        assert_eq!(transport_modes("deliver by airline partner", None).basis, ModeBasis::Unstated);
        assert_eq!(transport_modes("by rail to Duisburg", Some("FOB")).modes, vec![TransportMode::Land]);
    }
}
