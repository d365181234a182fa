//! Lithium batteries as an inquiry describes them, for products that are
//! not in the catalog ("LiFePO4 48V 200Ah packs", "e-bikes with battery
//! included", "锂电池 12V 100Ah") and to check a catalog match against the
//! customer's own figures.
//!
//! The clues: the chemistry (lithium ion, LiFePO4, NMC, Li-po, 锂电池,
//! 磷酸铁锂; lithium metal), the energy (watt-hours written out, or volts
//! times ampere-hours, or milliampere-hours at a lithium-ion cell's 3.7 V
//! nominal), and how the battery travels (alone, "battery included" / 含电池
//! with equipment, or in an e-bike or e-scooter, which is a vehicle).

use serde::{Deserialize, Serialize};

use crate::dg::BatteryPacking;

/// Nominal voltage of a lithium-ion cell, for a capacity given in mAh alone
/// (power banks are labelled so).
pub const LI_ION_CELL_VOLTS: f64 = 3.7;

/// What an inquiry says about a battery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TextBattery {
    /// As the customer wrote it ("LiFePO4", "锂电池"); `None` when only the
    /// word battery and lithium-typical figures say so.
    pub chemistry: Option<String>,
    /// Lithium metal (primary) rather than lithium ion.
    pub lithium_metal: bool,
    pub volts: Option<f64>,
    pub amp_hours: Option<f64>,
    /// Watt-hours per battery, written or computed.
    pub wh: Option<f64>,
    /// How the watt-hours were found ("written", "48 V × 17.5 Ah", …).
    pub wh_from: Option<String>,
    pub packing: BatteryPacking,
}

const LITHIUM: &[&str] = &[
    "lithium",
    "li-ion",
    "liion",
    "li ion",
    "lifepo4",
    "lifepo",
    "lfp",
    "nmc",
    "ncm",
    "lipo",
    "li-po",
    "li-polymer",
    "lithium-ion",
    "lithium ion",
    "18650",
    "21700",
    "锂",
    "磷酸铁锂",
    "三元",
];
const METAL: &[&str] =
    &["lithium metal", "primary lithium", "li-mno2", "limno2", "cr2032", "cr123", "锂金属", "一次锂"];
const BATTERY: &[&str] = &[
    "battery",
    "batteries",
    "batt",
    "accumulator",
    "power bank",
    "powerbank",
    "power station",
    "电池",
    "电芯",
    "储能",
    "充电宝",
    "移动电源",
];
const INCLUDED: &[&str] = &[
    "battery included",
    "batteries included",
    "with battery",
    "with batteries",
    "incl. battery",
    "including battery",
    "built-in battery",
    "built in battery",
    "含电池",
    "带电池",
    "内置电池",
    "配电池",
    "含锂电池",
    "带锂电池",
];
const PACKED_WITH: &[&str] = &["spare battery", "spare batteries", "packed with", "备用电池"];
const VEHICLES: &[&str] = &[
    "e-bike",
    "ebike",
    "e-bikes",
    "ebikes",
    "electric bike",
    "electric bicycle",
    "e-scooter",
    "escooter",
    "electric scooter",
    "e-motorcycle",
    "electric motorcycle",
    "电动自行车",
    "电动车",
    "电动滑板车",
    "电瓶车",
    "电摩",
];
/// Words that name something battery-related that is no battery.
const NOT_A_BATTERY: &[&str] = &[
    "charger",
    "chargers",
    "charging",
    "fuel cell",
    "fuel cells",
    "燃料电池",
    "solar cell",
    "solar cells",
    "indicator",
    "holder",
    "tester",
    "bracket",
    "mount",
    "cable",
    "connector",
    "充电器",
    "指示",
    "支架",
];
/// Battery chemistries that are not lithium (other UN numbers and rules).
const OTHER_CHEMISTRY: &[&str] =
    &["lead acid", "lead-acid", "agm", "gel battery", "nimh", "nicd", "alkaline", "铅酸", "镍氢"];
/// Words for equipment that carries its battery inside.
const EQUIPMENT: &[&str] = &[
    "lantern",
    "light",
    "lamp",
    "flashlight",
    "torch",
    "tool",
    "drill",
    "speaker",
    "camera",
    "laptop",
    "phone",
    "street light",
    "灯",
    "工具",
];

fn has(text: &str, words: &[&str]) -> Option<String> {
    words.iter().find(|w| contains_word(text, w)).map(|w| w.to_string())
}

/// `word` in `text` on word boundaries (Latin); anywhere for CJK.
fn contains_word(text: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return text.contains(word);
    }
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let end = at + word.len();
        let before = at == 0 || !b[at - 1].is_ascii_alphanumeric();
        // A plural "s" still ends the word ("e-scooters").
        let ends = |e: usize| e >= b.len() || !b[e].is_ascii_alphabetic();
        let after = ends(end) || (b[end] == b's' && ends(end + 1));
        if before && after {
            return true;
        }
        from = at + 1;
        while from < text.len() && !text.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Numbers with a unit: "48V", "17.5 Ah", "17,5Ah", "20000mAh", "1.2 kWh".
fn figures(text: &str) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && out.len() < 32 {
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut num = String::new();
        while j < chars.len()
            && (chars[j].is_ascii_digit()
                || ((chars[j] == '.' || chars[j] == ',') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            num.push(if chars[j] == ',' { '.' } else { chars[j] });
            j += 1;
        }
        let mut k = j;
        while k < chars.len() && chars[k] == ' ' {
            k += 1;
        }
        let mut unit = String::new();
        while k < chars.len() && chars[k].is_ascii_alphabetic() && unit.len() < 4 {
            unit.push(chars[k].to_ascii_lowercase());
            k += 1;
        }
        if let Ok(v) = num.parse::<f64>() {
            // A unit is the whole word after the number ("48V", not "48Vx").
            let unit_ends = k >= chars.len() || !chars[k].is_ascii_alphabetic();
            if !unit.is_empty() && unit_ends {
                out.push((v, unit));
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// Reads a battery from the words of one product, or `None` when they
/// describe no lithium battery.
pub fn read(text: &str) -> Option<TextBattery> {
    let lower = text.to_lowercase();
    let chemistry = has(&lower, LITHIUM);
    let lithium_metal = has(&lower, METAL).is_some();
    let battery_word = has(&lower, BATTERY).is_some() || has(&lower, INCLUDED).is_some();
    let vehicle = has(&lower, VEHICLES).is_some();
    let (mut volts, mut ah, mut mah, mut wh) = (None, None, None, None);
    for (v, unit) in figures(&lower) {
        match unit.as_str() {
            "v" | "vdc" | "volt" => volts = volts.or(Some(v)),
            "ah" => ah = ah.or(Some(v)),
            "mah" => mah = mah.or(Some(v)),
            "wh" => wh = wh.or(Some(v)),
            "kwh" => wh = wh.or(Some(v * 1000.0)),
            _ => {}
        }
    }
    // A charger or a battery-level indicator is no battery; lead-acid and
    // nickel batteries are not lithium batteries.
    if has(&lower, NOT_A_BATTERY).is_some() && chemistry.is_none() {
        return None;
    }
    if has(&lower, OTHER_CHEMISTRY).is_some() && chemistry.is_none() && !lithium_metal {
        return None;
    }
    // A lithium chemistry, or the word battery (the chemistry then needs
    // asking: most batteries we are asked about are lithium).
    if chemistry.is_none() && !lithium_metal && !battery_word {
        return None;
    }
    let mut wh_from = wh.map(|_| "written in the inquiry".to_string());
    if wh.is_none() {
        if let (Some(v), Some(a)) = (volts, ah) {
            wh = Some(v * a);
            wh_from = Some(format!("{} V × {} Ah", trim(v), trim(a)));
        } else if let (Some(v), Some(m)) = (volts, mah) {
            wh = Some(v * m / 1000.0);
            wh_from = Some(format!("{} V × {} mAh", trim(v), trim(m)));
        } else if let Some(m) = mah {
            wh = Some(LI_ION_CELL_VOLTS * m / 1000.0);
            wh_from = Some(format!("{} mAh at the {LI_ION_CELL_VOLTS} V nominal of a lithium-ion cell", trim(m)));
        }
    }
    let packing = if vehicle {
        BatteryPacking::Vehicle
    } else if has(&lower, PACKED_WITH).is_some() {
        BatteryPacking::PackedWithEquipment
    } else if has(&lower, INCLUDED).is_some() || (has(&lower, EQUIPMENT).is_some() && has(&lower, BATTERY).is_none()) {
        BatteryPacking::ContainedInEquipment
    } else {
        BatteryPacking::Alone
    };
    Some(TextBattery {
        chemistry: chemistry.map(|c| original_case(text, &c)),
        lithium_metal,
        volts,
        amp_hours: ah.or(mah.map(|m| m / 1000.0)),
        wh: wh.map(|w| (w * 100.0).round() / 100.0),
        wh_from,
        packing,
    })
}

fn trim(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// The chemistry word as the customer wrote it.
fn original_case(text: &str, lower_word: &str) -> String {
    let lower = text.to_lowercase();
    match lower.find(lower_word) {
        Some(i) if lower.len() == text.len() => text.get(i..i + lower_word.len()).unwrap_or(lower_word).to_string(),
        _ => lower_word.to_string(),
    }
}

/// Why the customer's own figures rule out a catalog battery, if they do:
/// watt-hours more than a fifth apart, or a different voltage or capacity.
pub fn contradiction(
    catalog_wh: f64,
    catalog_specs: &std::collections::BTreeMap<String, String>,
    said: &TextBattery,
) -> Option<String> {
    let spec = |k: &str| {
        catalog_specs
            .get(k)
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.replace(',', ".").parse::<f64>().ok())
    };
    let apart = |a: f64, b: f64| (a - b).abs() > 0.2 * a.max(b);
    if let Some(w) = said.wh {
        if apart(w, catalog_wh) {
            let from = said.wh_from.as_deref().unwrap_or("the inquiry");
            return Some(format!(
                "the inquiry gives {} Wh ({from}), the catalog record {} Wh",
                trim((w * 10.0).round() / 10.0),
                trim(catalog_wh)
            ));
        }
    }
    if let (Some(v), Some(cv)) = (said.volts, spec("voltage")) {
        if apart(v, cv) {
            return Some(format!("the inquiry gives {} V, the catalog record {} V", trim(v), trim(cv)));
        }
    }
    if let (Some(a), Some(ca)) = (said.amp_hours, spec("capacity")) {
        if apart(a, ca) {
            return Some(format!("the inquiry gives {} Ah, the catalog record {} Ah", trim(a), trim(ca)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chemistry_volts_times_amp_hours_and_packing() {
        let b = read("LiFePO4 48V 200Ah packs").unwrap();
        assert_eq!((b.chemistry.as_deref(), b.wh, b.packing), (Some("LiFePO4"), Some(9600.0), BatteryPacking::Alone));
        assert_eq!(b.wh_from.as_deref(), Some("48 V × 200 Ah"));
        let b = read("e-bikes with battery included").unwrap();
        assert_eq!((b.packing, b.wh), (BatteryPacking::Vehicle, None));
        let b = read("48V 17.5Ah battery").unwrap();
        assert_eq!(b.wh, Some(840.0));
        let b = read("20000mAh power bank").unwrap();
        assert_eq!(b.wh, Some(74.0));
        let b = read("锂电池 12.8V 100Ah").unwrap();
        assert_eq!((b.wh, b.chemistry.as_deref()), (Some(1280.0), Some("锂")));
        let b = read("LED camping lanterns 含电池").unwrap();
        assert_eq!((b.packing, b.chemistry.as_deref()), (BatteryPacking::ContainedInEquipment, None));
        assert!(read("CR2032 lithium metal coin cells").unwrap().lithium_metal);
    }

    #[test]
    fn no_battery_no_reading() {
        assert_eq!(read("hydrogen fuel cells"), None);
        assert_eq!(read("500W hub motors"), None);
        assert_eq!(read("24V LED strip 5 m"), None);
        assert_eq!(read("e-bike display"), None);
        assert_eq!(read("e-bike battery charger 54.6V 2A"), None);
        assert_eq!(read("12V 100Ah lead-acid battery"), None);
    }

    #[test]
    fn the_customer_s_figures_can_rule_out_a_catalog_match() {
        let said = read("48V 17.5Ah battery pack").unwrap();
        let mut specs = std::collections::BTreeMap::new();
        specs.insert("voltage".to_string(), "10.8 V".to_string());
        let why = contradiction(64.8, &specs, &said).unwrap();
        assert!(why.contains("840 Wh") && why.contains("64.8 Wh"), "{why}");
        let same = read("48V 20Ah battery").unwrap();
        specs.insert("voltage".to_string(), "48 V".to_string());
        assert_eq!(contradiction(960.0, &specs, &same), None);
    }
}
