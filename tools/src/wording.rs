//! Customer-facing wording for sales drafts, in English and Chinese: spec
//! labels and values, delivery terms per Incoterm, quantities with the right
//! number, and summaries cut where a reader expects a cut.
//!
//! The templates lay a draft out; the sentences whose wording depends on the
//! data (a term's responsibilities, "1 unit" against "2 units", a Chinese
//! spec value) are written here, where they can be tested one by one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use tradewind_core::Lang;

/// Where our goods leave from, as the F and E terms name it.
const ORIGIN_EN: &str = "Shenzhen";
const ORIGIN_ZH: &str = "深圳";

// ------------------------------------------------------------ specs

/// Human labels for every spec key the catalog uses: `(key, English,
/// Chinese)`. A key missing here still reads as words (see [`spec_label`]);
/// a test holds the shipped catalog to this table.
const SPEC_LABELS: &[(&str, &str, &str)] = &[
    ("ac_output", "AC output", "交流输出"),
    ("base", "lamp base", "灯头"),
    ("battery_types", "battery types", "适配电池类型"),
    ("battery_voltage", "battery voltage", "电池电压"),
    ("beam", "beam angle", "光束角"),
    ("bms", "BMS", "电池管理系统"),
    ("cable", "cable", "线缆"),
    ("capacity", "capacity", "容量"),
    ("cct", "colour temperature", "色温"),
    ("cells", "cells", "电芯"),
    ("certification", "certification", "认证"),
    ("charger", "charger", "充电器"),
    ("communication", "communication", "通信"),
    ("connector", "connector", "接头"),
    ("cri", "colour rendering (CRI)", "显色指数"),
    ("current", "current", "电流"),
    ("cycle_life", "cycle life", "循环寿命"),
    ("display", "display", "显示屏"),
    ("driver", "driver", "驱动电源"),
    ("efficacy", "luminous efficacy", "光效"),
    ("efficiency", "efficiency", "效率"),
    ("features", "features", "功能"),
    ("fits", "fits", "适配"),
    ("form", "form factor", "安装形式"),
    ("grid", "grid connection", "电网连接"),
    ("housing", "housing", "安装位置"),
    ("ik_rating", "IK rating", "抗冲击等级"),
    ("includes", "includes", "包含"),
    ("input", "input", "输入"),
    ("inputs", "PV inputs", "光伏输入"),
    ("ip_rating", "IP rating", "防护等级"),
    ("leds", "LEDs", "灯珠"),
    ("length", "length", "长度"),
    ("lifetime", "rated life", "额定寿命"),
    ("luminous_flux", "luminous flux", "光通量"),
    ("material", "material", "材质"),
    ("max_pv_voltage", "max. PV voltage", "最大光伏电压"),
    ("max_speed", "top speed", "最高车速"),
    ("monitoring", "monitoring", "监控"),
    ("motor", "motor", "电机"),
    ("mppt", "MPPT", "最大功率点跟踪"),
    ("optics", "optics", "配光"),
    ("output", "output", "输出"),
    ("panel", "solar panel", "太阳能板"),
    ("power", "power", "功率"),
    ("protocol", "protocol", "通信协议"),
    ("range", "range", "续航里程"),
    ("rated_power", "rated power", "额定功率"),
    ("screen", "screen", "屏幕"),
    ("sensor", "sensor", "传感器"),
    ("solar_input", "solar input", "太阳能输入"),
    ("standards", "standards", "标准"),
    ("surge", "surge protection", "防浪涌"),
    ("torque", "torque", "扭矩"),
    ("type", "type", "类型"),
    ("ugr", "glare rating (UGR)", "眩光值"),
    ("voltage", "voltage", "电压"),
    ("waveform", "waveform", "波形"),
    ("weight", "weight", "重量"),
    ("wheel", "wheel", "车轮"),
];

/// Chinese for the catalog's spec values that contain words: `(English,
/// Chinese)`. Values of figures and units alone ("48 V", "IP65") need no
/// entry; a worded value missing here is left out of a Chinese draft.
const SPEC_VALUES_ZH: &[(&str, &str)] = &[
    ("1500 W pure sine", "1500 W 纯正弦波"),
    ("E27 (B22 optional)", "E27（可选 B22）"),
    ("LiFePO4, lead-acid, gel", "磷酸铁锂、铅酸、胶体"),
    ("48 V low-voltage", "48 V 低压"),
    ("12/24/36/48 V auto", "12/24/36/48 V 自动识别"),
    ("100 A, Bluetooth", "100 A，蓝牙"),
    ("150 A, RS485/CAN", "150 A，RS485/CAN"),
    ("2-pin waterproof", "2 芯防水"),
    ("3-pin waterproof, 1.5 m", "3 芯防水，1.5 m"),
    ("16S prismatic LiFePO4", "16S 方形磷酸铁锂"),
    ("16S prismatic LiFePO4 280 Ah class", "16S 方形磷酸铁锂，280 Ah 级"),
    ("4S prismatic LiFePO4", "4S 方形磷酸铁锂"),
    ("8S prismatic LiFePO4", "8S 方形磷酸铁锂"),
    ("LiFePO4", "磷酸铁锂"),
    ("LiFePO4 built-in", "内置磷酸铁锂"),
    ("Li-polymer 2P", "锂聚合物 2P"),
    ("2x 18650 built-in", "内置 2 节 18650"),
    ("CE, UKCA, GS", "CE、UKCA、GS"),
    ("built-in 60 A AC charger", "内置 60 A 交流充电器"),
    ("CAN/RS485, closed-loop with TW-HY-5000", "CAN/RS485，与 TW-HY-5000 闭环通信"),
    ("DC 5.5x2.1 / XLR optional", "DC 5.5x2.1（可选 XLR）"),
    ("22 A max", "最大 22 A"),
    ("6000 cycles at 80% DoD", "80% 放电深度下 6000 次"),
    ("LCD with RS485", "LCD，带 RS485"),
    ("single-ended input", "单端输入"),
    ("flicker-free, PF>0.9", "无频闪，PF>0.9"),
    ("1–10 V dimmable", "1–10 V 调光"),
    ("98.4% max", "最高 98.4%"),
    ("USB charging port, 5 assist levels", "USB 充电口，5 档助力"),
    ("TW-ES-1036 deck compartment", "TW-ES-1036 踏板电池仓"),
    ("19-inch 3U rack", "19 英寸 3U 机架式"),
    ("wall-mount", "壁挂式"),
    ("three-phase 400 V", "三相 400 V"),
    ("on/off-grid, export limiting", "并网/离网，防逆流"),
    ("rear rack", "后货架"),
    ("Hailong-style downtube", "海霸款下管"),
    ("motor, controller, display, speed sensor", "电机、控制器、仪表、速度传感器"),
    ("2 PV modules, up to 2x 550 W", "2 块光伏组件，最大 2 × 550 W"),
    ("120 LEDs/m SMD2835", "每米 120 颗 SMD2835"),
    ("5 m reel", "5 m/卷"),
    ("forged aluminium", "锻造铝合金"),
    (
        "32 km/h (US Class 2); EU pedelec version with 250 W motor and 25 km/h cut-off on request",
        "32 km/h（美国 2 类）；可按需提供欧盟标准版（250 W 电机，25 km/h 限速）",
    ),
    ("Wi-Fi app", "Wi-Fi 手机应用"),
    ("350 W front hub", "350 W 前轮毂"),
    ("500 W rear hub (TW-MT-4850)", "500 W 后轮毂（TW-MT-4850）"),
    ("2 MPPT", "2 路 MPPT"),
    ("2 MPPT, 6500 W PV input", "2 路 MPPT，光伏输入 6500 W"),
    ("2 MPPT, 13000 W PV input", "2 路 MPPT，光伏输入 13000 W"),
    ("Type II/III", "Ⅱ型/Ⅲ型"),
    ("80 W mono", "80 W 单晶"),
    ("250 W rated", "额定 250 W"),
    ("500 W rated", "额定 500 W"),
    ("1000 W rated", "额定 1000 W"),
    ("3.5 inch colour TFT", "3.5 英寸彩色 TFT"),
    ("magnetic cut-off switch", "磁感应断电开关"),
    ("torque sensor", "力矩传感器"),
    ("hall-effect thumb throttle", "霍尔拇指转把"),
    ("direct-drive brushless", "直驱无刷"),
    ("geared brushless", "齿轮减速无刷"),
    ("hydraulic lever, 2-finger", "液压刹把，两指"),
    ("24–72 V indicator", "24–72 V，带电量显示"),
    ("24 V DC", "24 V 直流"),
    ("100–240 V AC", "100–240 V 交流"),
    ("sine wave", "正弦波"),
    ("pure sine", "纯正弦波"),
    ("27.5 inch", "27.5 英寸"),
    ("10 inch pneumatic", "10 英寸充气轮胎"),
    ("IEC 62109-1/-2, AS/NZS 4777.2, VDE-AR-N 4105", "IEC 62109-1/-2、AS/NZS 4777.2、VDE-AR-N 4105"),
    ("IEC 62109-1/-2, VDE-AR-N 4105, EN 50549-1", "IEC 62109-1/-2、VDE-AR-N 4105、EN 50549-1"),
    ("IEC 62109-1/-2, EN 50549-1", "IEC 62109-1/-2、EN 50549-1"),
    ("VDE-AR-N 4105, EN 50549-1, IEC 62109", "VDE-AR-N 4105、EN 50549-1、IEC 62109"),
];

/// The label a reader sees for a spec key. Keys outside the table read as
/// words ("max_charge_rate" → "max charge rate"), never as the raw key.
pub fn spec_label(key: &str, lang: Lang) -> Cow<'static, str> {
    match SPEC_LABELS.iter().find(|(k, ..)| *k == key) {
        Some((_, en, zh)) => Cow::Borrowed(if lang == Lang::Zh { zh } else { en }),
        None => Cow::Owned(key.replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")),
    }
}

/// Whether the table has a label for `key` (the catalog test asks).
pub fn has_spec_label(key: &str) -> bool {
    SPEC_LABELS.iter().any(|(k, ..)| *k == key)
}

/// A spec value as a reader of `lang` should see it: English as recorded;
/// Chinese from the table, or as recorded when it holds only figures, units
/// and codes. `None`: no Chinese for a worded value, so it stays out.
pub fn spec_value(value: &str, lang: Lang) -> Option<Cow<'_, str>> {
    if lang == Lang::En {
        return Some(Cow::Borrowed(value));
    }
    if let Some((_, zh)) = SPEC_VALUES_ZH.iter().find(|(en, _)| *en == value) {
        return Some(Cow::Borrowed(zh));
    }
    foreign_words(value).is_empty().then_some(Cow::Borrowed(value))
}

/// The specs a buyer looks for first; the rest follow alphabetically, the
/// weight last (the catalog map itself is alphabetical: "capacity, cells,
/// voltage, weight" reads backwards).
const SPEC_ORDER: &[&str] = &[
    "voltage",
    "capacity",
    "power",
    "rated_power",
    "battery_voltage",
    "ac_output",
    "input",
    "output",
    "luminous_flux",
    "efficacy",
    "cells",
    "motor",
    "torque",
    "type",
];

/// "voltage 48 V, capacity 20 Ah" / "电压 48 V，容量 20 Ah": every spec
/// with its human label. A Chinese list leaves out what only English can say.
pub fn specs_text(specs: &BTreeMap<String, String>, lang: Lang) -> String {
    let mut keys: Vec<&str> = SPEC_ORDER.iter().copied().filter(|k| specs.contains_key(*k)).collect();
    keys.extend(specs.keys().map(String::as_str).filter(|k| !SPEC_ORDER.contains(k) && *k != "weight"));
    if specs.contains_key("weight") {
        keys.push("weight");
    }
    let parts = keys.into_iter().filter_map(|k| {
        let value = spec_value(&specs[k], lang)?;
        let label = spec_label(k, lang);
        if lang == Lang::Zh && !foreign_words(&label).is_empty() {
            return None;
        }
        // "built-in 60 A AC charger" names itself; "charger built-in …" stutters.
        if value.to_lowercase().contains(&label.to_lowercase()) {
            return Some(value.into_owned());
        }
        Some(format!("{label} {value}"))
    });
    parts.collect::<Vec<_>>().join(if lang == Lang::Zh { "，" } else { ", " })
}

// ------------------------------------------------------------ Latin text in Chinese

/// Latin words a Chinese document may carry: units, currency and Incoterm
/// codes, and the technical abbreviations the trade writes in Latin letters
/// in Chinese too. Anything with a digit (SKUs, model codes, IP65) passes
/// on its own.
const LATIN_IN_ZH: &[&str] = &[
    // units
    "V", "kV", "W", "kW", "MW", "Wh", "kWh", "MWh", "GWh", "A", "Ah", "mAh", "kg", "g", "m", "mm", "cm", "km", "h",
    "lm", "K", "Hz", "N", "S", "P", "x", // currency and Incoterms
    "USD", "EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP",
    // Institute Cargo Clauses (A) and (C)
    "C", // technical abbreviations
    "LED", "USB", "PD", "MPPT", "UART", "CAN", "TFT", "LCD", "DC", "AC", "PV", "CE", "UKCA", "GS", "IEC", "EN", "VDE",
    "AR", "AS", "NZS", "PF", "Wi", "Fi", "XLR", "UFO", "BMS", "SMD",
];

/// The Latin-letter words in `text` that a Chinese document should not
/// carry. Empty means the text reads as Chinese.
pub fn foreign_words(text: &str) -> Vec<&str> {
    let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '·' | '+' | '_');
    text.split(|c: char| !token(c))
        .filter(|t| t.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit()))
        .filter(|t| {
            t.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).any(|w| !LATIN_IN_ZH.contains(&w))
        })
        .collect()
}

// ------------------------------------------------------------ quantities

/// "1 unit", "50 units", "50 件".
pub fn units(n: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{n} 件"),
        Lang::En if n == 1 => "1 unit".into(),
        Lang::En => format!("{n} units"),
    }
}

/// The price tier a line is priced from, and the MOQ when the quantity is
/// below it: "Price tier from 1 unit; note our MOQ is 50 units".
pub fn tier_text(tier_min_qty: u32, below_moq: Option<u32>, lang: Lang) -> String {
    let mut s = match lang {
        Lang::En => format!("Price tier from {}", units(tier_min_qty, lang)),
        Lang::Zh => format!("适用 {}起的价格档", units(tier_min_qty, lang)),
    };
    if let Some(moq) = below_moq {
        match lang {
            Lang::En => s.push_str(&format!("; note our minimum order quantity is {}", units(moq, lang))),
            Lang::Zh => s.push_str(&format!("；本产品起订量为 {}", units(moq, lang))),
        }
    }
    s
}

/// Said when the inquiry gave no quantity and the line is priced at the
/// MOQ. No closing stop: the template puts the citation before it.
pub fn moq_pricing_note(moq: u32, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "No quantity was given, so this line is priced at the minimum order quantity of {}; tell us your quantity for an exact quote",
            units(moq, lang)
        ),
        Lang::Zh => format!("询价未注明数量，本行按最小起订量 {}报价；请告知采购数量，以便我们准确报价", units(moq, lang)),
    }
}

/// Stock and lead time as the buyer should read them (the stock tool's own
/// message is advice to sales: reserves, pre-stocking). No closing stop, as
/// for [`moq_pricing_note`].
pub fn stock_text(suggestion: &str, stock: u32, shortfall: u32, lead_time_days: u32, lang: Lang) -> String {
    match (lang, suggestion) {
        (Lang::En, "ship_from_stock") => format!("{} in stock, ready to ship", units(stock, lang)),
        (Lang::En, "split_shipment") => format!(
            "{} in stock ship first; the other {} follow after about {lead_time_days} days of production",
            units(stock, lang),
            shortfall
        ),
        (Lang::En, _) => format!("Made to order; lead time about {lead_time_days} days"),
        (Lang::Zh, "ship_from_stock") => format!("现货 {stock} 件，可直接发货"),
        (Lang::Zh, "split_shipment") => {
            format!("现货 {stock} 件：可先发 {stock} 件，其余 {shortfall} 件生产约 {lead_time_days} 天后发货")
        }
        (Lang::Zh, _) => format!("按订单生产，交期约 {lead_time_days} 天"),
    }
}

// ------------------------------------------------------------ delivery terms

/// The eleven Incoterms 2020 rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoterm {
    Exw,
    Fca,
    Fas,
    Fob,
    Cfr,
    Cpt,
    Cif,
    Cip,
    Dap,
    Dpu,
    Ddp,
}

impl Incoterm {
    pub const ALL: [Incoterm; 11] = [
        Incoterm::Exw,
        Incoterm::Fca,
        Incoterm::Fas,
        Incoterm::Fob,
        Incoterm::Cfr,
        Incoterm::Cpt,
        Incoterm::Cif,
        Incoterm::Cip,
        Incoterm::Dap,
        Incoterm::Dpu,
        Incoterm::Ddp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Incoterm::Exw => "EXW",
            Incoterm::Fca => "FCA",
            Incoterm::Fas => "FAS",
            Incoterm::Fob => "FOB",
            Incoterm::Cfr => "CFR",
            Incoterm::Cpt => "CPT",
            Incoterm::Cif => "CIF",
            Incoterm::Cip => "CIP",
            Incoterm::Dap => "DAP",
            Incoterm::Dpu => "DPU",
            Incoterm::Ddp => "DDP",
        }
    }

    /// The rule for a code as intake writes it ("FOB"); DAT, replaced by
    /// DPU in 2020, reads as DPU.
    pub fn parse(code: &str) -> Option<Incoterm> {
        let code = code.trim().to_ascii_uppercase();
        if code == "DAT" {
            return Some(Incoterm::Dpu);
        }
        Incoterm::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// One sentence on who does and pays what under the inquiry's Incoterm,
/// for the line under the total. `destination` is the named place in the
/// draft's language. The unit prices above it are the catalog's; the
/// carriage and insurance a C or D rule puts on us come on top of them.
pub fn delivery_terms(incoterm: Option<&str>, destination: Option<&str>, lang: Lang) -> String {
    let Some(code) = incoterm.map(str::trim).filter(|c| !c.is_empty()) else {
        return match lang {
            Lang::En => format!(
                "Prices are ex works (EXW) our {ORIGIN_EN} factory; tell us your destination and preferred Incoterm and we will quote delivery."
            ),
            Lang::Zh => format!("以上价格为{ORIGIN_ZH}工厂交货价（EXW）；请告知目的地和希望采用的贸易术语，我们将报出相应的交货价格。"),
        };
    };
    let Some(term) = Incoterm::parse(code) else {
        return match lang {
            Lang::En => format!("Delivery terms: {code}, to be confirmed in the final quotation."),
            Lang::Zh => format!("贸易术语 {code} 将在正式报价中确认。"),
        };
    };
    match lang {
        Lang::En => terms_en(term, destination.unwrap_or("the named destination")),
        Lang::Zh => terms_zh(term, destination.unwrap_or("指定目的地")),
    }
}

fn terms_en(term: Incoterm, d: &str) -> String {
    let t = term.code();
    let o = ORIGIN_EN;
    match term {
        Incoterm::Exw => format!(
            "Prices are {t} our {o} factory (Incoterms 2020): you collect the goods at our premises and arrange export clearance, carriage, insurance and import yourselves."
        ),
        Incoterm::Fca => format!(
            "Prices are {t} {o} (Incoterms 2020): we clear the goods for export and hand them to your nominated carrier in {o}; you pay the main carriage and the insurance."
        ),
        Incoterm::Fas => format!(
            "Prices are {t} {o} port (Incoterms 2020): we clear the goods for export and deliver them alongside your vessel; you pay the sea freight and the insurance."
        ),
        Incoterm::Fob => format!(
            "Prices are {t} {o} port (Incoterms 2020): we clear the goods for export and load them on board your vessel; you pay the sea freight and the insurance."
        ),
        Incoterm::Cfr => format!(
            "Prices are {t} {d} (Incoterms 2020): we pay the sea freight to {d}, which the final quotation adds; the risk passes to you once the goods are on board in {o}, so you arrange the insurance."
        ),
        Incoterm::Cpt => format!(
            "Prices are {t} {d} (Incoterms 2020): we pay the carriage to {d}, which the final quotation adds; the risk passes to you when we hand the goods to the first carrier, so you arrange the insurance."
        ),
        Incoterm::Cif => format!(
            "Prices are {t} {d} (Incoterms 2020): we pay the sea freight and the cargo insurance (minimum cover, Institute Cargo Clauses (C)) to {d}, both added in the final quotation."
        ),
        Incoterm::Cip => format!(
            "Prices are {t} {d} (Incoterms 2020): we pay the carriage and the cargo insurance (all-risks cover, Institute Cargo Clauses (A)) to {d}, both added in the final quotation."
        ),
        Incoterm::Dap => format!(
            "Prices are {t} {d} (Incoterms 2020): we deliver the goods to {d} ready for unloading, with the carriage added in the final quotation; you clear them for import and pay the import duties and taxes."
        ),
        Incoterm::Dpu => format!(
            "Prices are {t} {d} (Incoterms 2020): we deliver the goods to {d} and unload them there, with the carriage added in the final quotation; you clear them for import and pay the import duties and taxes."
        ),
        Incoterm::Ddp => format!(
            "Prices are {t} {d} (Incoterms 2020): we deliver the goods to {d} cleared for import and pay the carriage, import duties and taxes, all added in the final quotation."
        ),
    }
}

fn terms_zh(term: Incoterm, d: &str) -> String {
    let t = term.code();
    let o = ORIGIN_ZH;
    let rules = "（《2020 国际贸易术语解释通则》）";
    match term {
        Incoterm::Exw => format!(
            "以上价格为 {t} {o}工厂交货价{rules}：由贵方到我方工厂提货，并自行办理出口清关、运输、保险和进口。"
        ),
        Incoterm::Fca => format!(
            "以上价格为 {t} {o}{rules}：我方办理出口清关，在{o}将货物交给贵方指定的承运人；主运费和保险由贵方承担。"
        ),
        Incoterm::Fas => format!(
            "以上价格为 {t} {o}港{rules}：我方办理出口清关，将货物交到贵方指定船舶的船边；海运费和保险由贵方承担。"
        ),
        Incoterm::Fob => format!(
            "以上价格为 {t} {o}港{rules}：我方办理出口清关，并将货物装上贵方指定的船舶；海运费和保险由贵方承担。"
        ),
        Incoterm::Cfr => format!(
            "以上价格为 {t} {d}{rules}：我方支付至{d}的海运费，将在正式报价中加上；货物在{o}装船后风险即转移给贵方，保险由贵方自行投保。"
        ),
        Incoterm::Cpt => format!(
            "以上价格为 {t} {d}{rules}：我方支付至{d}的运费，将在正式报价中加上；货物交给第一承运人后风险即转移给贵方，保险由贵方自行投保。"
        ),
        Incoterm::Cif => format!(
            "以上价格为 {t} {d}{rules}：我方支付至{d}的海运费和货物保险（最低险别，协会货物条款 C 条款），均在正式报价中加上。"
        ),
        Incoterm::Cip => format!(
            "以上价格为 {t} {d}{rules}：我方支付至{d}的运费和货物保险（一切险，协会货物条款 A 条款），均在正式报价中加上。"
        ),
        Incoterm::Dap => format!(
            "以上价格为 {t} {d}{rules}：我方将货物运至{d}，在运输工具上交货（不负责卸货），运费在正式报价中加上；进口清关及进口关税和税费由贵方负责。"
        ),
        Incoterm::Dpu => format!(
            "以上价格为 {t} {d}{rules}：我方将货物运至{d}并负责卸货，运费在正式报价中加上；进口清关及进口关税和税费由贵方负责。"
        ),
        Incoterm::Ddp => format!(
            "以上价格为 {t} {d}{rules}：我方将货物运至{d}并办理进口清关，承担运费、进口关税和税费，均在正式报价中加上。"
        ),
    }
}

// ------------------------------------------------------------ summaries

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] =
    &["co", "ltd", "inc", "corp", "no", "approx", "e.g", "i.e", "s.a", "st", "mr", "ms", "dr"];

/// The first sentences of `text`, whitespace flattened, within `max_chars`.
/// A cut ends at a sentence end when one falls in the last two thirds,
/// else at a word boundary with "…"; never inside a word or a number
/// ("96.5 Wh" does not end at "96.").
pub fn truncate(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= max_chars {
        return flat;
    }
    let ends_sentence = |i: usize| -> bool {
        let c = chars[i];
        if matches!(c, '。' | '！' | '？') {
            return true;
        }
        if !matches!(c, '.' | '!' | '?') {
            return false;
        }
        // A full stop ends a sentence only before a space, and not after
        // "Co." or "e.g.".
        if chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            return false;
        }
        let word: String = chars[..i]
            .iter()
            .rev()
            .take_while(|c| !c.is_whitespace() && **c != '(')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        c != '.' || !ABBREVIATIONS.contains(&word.to_lowercase().as_str())
    };
    if let Some(i) = (0..max_chars).rev().find(|&i| ends_sentence(i)) {
        if i + 1 > max_chars / 3 {
            return chars[..=i].iter().collect();
        }
    }
    // A word boundary: before a space, or between two characters that are
    // not both part of a Latin word or a number (CJK text has no spaces).
    let joined = |a: char, b: char| {
        let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '-' | '/' | '%');
        word(a) && word(b)
    };
    let mut end = max_chars;
    while end > 0 && !chars[end].is_whitespace() && joined(chars[end - 1], chars[end]) {
        end -= 1;
    }
    let mut cut: String = chars[..end].iter().collect();
    // An aside cut open ("(96.5…") loses its unit; drop the aside whole.
    for (open, close) in [('(', ')'), ('（', '）')] {
        if cut.matches(open).count() > cut.matches(close).count() {
            if let Some(i) = cut.rfind(open) {
                cut.truncate(i);
            }
        }
    }
    // "…, (" reads badly before the ellipsis.
    while cut.ends_with(|c: char| c.is_whitespace() || ",;:(–-—，、；：（".contains(c)) {
        cut.pop();
    }
    if cut.is_empty() {
        return String::new();
    }
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tradewind_core::Catalog;

    const CATALOG: &str = include_str!("../../knowledge/kb/catalog.jsonl");

    #[test]
    fn every_catalog_spec_key_has_a_label_and_every_value_reads_in_chinese() {
        let catalog = Catalog::from_jsonl(CATALOG).expect("catalog parses");
        for p in catalog.products() {
            for (k, v) in &p.specs {
                assert!(has_spec_label(k), "{}: no label for spec key '{k}'", p.sku);
                let zh = spec_value(v, Lang::Zh);
                assert!(zh.is_some(), "{}: no Chinese for '{k}' value '{v}'", p.sku);
                assert_eq!(foreign_words(&zh.unwrap_or_default()), Vec::<&str>::new(), "{}: {k}", p.sku);
            }
        }
    }

    #[test]
    fn labels_never_show_the_raw_key() {
        assert_eq!(spec_label("ac_output", Lang::En), "AC output");
        assert_eq!(spec_label("ac_output", Lang::Zh), "交流输出");
        assert_eq!(spec_label("battery_voltage", Lang::En), "battery voltage");
        assert_eq!(spec_label("battery_voltage", Lang::Zh), "电池电压");
        assert_eq!(spec_label("ip_rating", Lang::En), "IP rating");
        assert_eq!(spec_label("ip_rating", Lang::Zh), "防护等级");
        assert_eq!(spec_label("luminous_flux", Lang::En), "luminous flux");
        assert_eq!(spec_label("luminous_flux", Lang::Zh), "光通量");
        assert_eq!(spec_label("max_charge_rate", Lang::En), "max charge rate");
    }

    #[test]
    fn specs_read_with_labels_in_both_languages() {
        let specs: BTreeMap<String, String> = [
            ("rated_power", "3000 W"),
            ("battery_voltage", "24 V"),
            ("waveform", "pure sine"),
            ("ac_output", "230 V 50/60 Hz"),
            ("colour_scheme", "matt black"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            specs_text(&specs, Lang::En),
            "rated power 3000 W, battery voltage 24 V, AC output 230 V 50/60 Hz, colour scheme matt black, waveform pure sine"
        );
        // The unknown key has no Chinese label, its value no Chinese: left out.
        assert_eq!(
            specs_text(&specs, Lang::Zh),
            "额定功率 3000 W，电池电压 24 V，交流输出 230 V 50/60 Hz，波形 纯正弦波"
        );
    }

    #[test]
    fn foreign_words_spares_units_codes_and_skus() {
        assert!(foreign_words("TW-BP-4820 48V 20Ah 5.2 kg IP65 USD 1,234.00 FOB 60 N·m km/h [3]").is_empty());
        assert_eq!(foreign_words("海防 Hai Phong，越南"), vec!["Hai", "Phong"]);
    }

    #[test]
    fn units_agree_in_number() {
        assert_eq!(units(1, Lang::En), "1 unit");
        assert_eq!(units(2, Lang::En), "2 units");
        assert_eq!(units(1, Lang::Zh), "1 件");
        assert_eq!(tier_text(1, None, Lang::En), "Price tier from 1 unit");
        assert_eq!(
            tier_text(100, Some(50), Lang::En),
            "Price tier from 100 units; note our minimum order quantity is 50 units"
        );
        assert_eq!(tier_text(1, None, Lang::Zh), "适用 1 件起的价格档");
        assert_eq!(tier_text(1, Some(50), Lang::Zh), "适用 1 件起的价格档；本产品起订量为 50 件");
    }

    #[test]
    fn moq_pricing_is_said() {
        assert_eq!(
            moq_pricing_note(10, Lang::En),
            "No quantity was given, so this line is priced at the minimum order quantity of 10 units; tell us your quantity for an exact quote"
        );
        assert_eq!(
            moq_pricing_note(10, Lang::Zh),
            "询价未注明数量，本行按最小起订量 10 件报价；请告知采购数量，以便我们准确报价"
        );
    }

    fn en(code: &str) -> String {
        delivery_terms(Some(code), Some("Hamburg, Germany"), Lang::En)
    }

    fn zh(code: &str) -> String {
        delivery_terms(Some(code), Some("德国汉堡"), Lang::Zh)
    }

    #[test]
    fn exw_en() {
        assert_eq!(en("EXW"), "Prices are EXW our Shenzhen factory (Incoterms 2020): you collect the goods at our premises and arrange export clearance, carriage, insurance and import yourselves.");
    }
    #[test]
    fn exw_zh() {
        assert_eq!(zh("EXW"), "以上价格为 EXW 深圳工厂交货价（《2020 国际贸易术语解释通则》）：由贵方到我方工厂提货，并自行办理出口清关、运输、保险和进口。");
    }
    #[test]
    fn fca_en() {
        assert_eq!(en("FCA"), "Prices are FCA Shenzhen (Incoterms 2020): we clear the goods for export and hand them to your nominated carrier in Shenzhen; you pay the main carriage and the insurance.");
    }
    #[test]
    fn fca_zh() {
        assert_eq!(zh("FCA"), "以上价格为 FCA 深圳（《2020 国际贸易术语解释通则》）：我方办理出口清关，在深圳将货物交给贵方指定的承运人；主运费和保险由贵方承担。");
    }
    #[test]
    fn fas_en() {
        assert_eq!(en("FAS"), "Prices are FAS Shenzhen port (Incoterms 2020): we clear the goods for export and deliver them alongside your vessel; you pay the sea freight and the insurance.");
    }
    #[test]
    fn fas_zh() {
        assert_eq!(zh("FAS"), "以上价格为 FAS 深圳港（《2020 国际贸易术语解释通则》）：我方办理出口清关，将货物交到贵方指定船舶的船边；海运费和保险由贵方承担。");
    }
    #[test]
    fn fob_en() {
        assert_eq!(en("FOB"), "Prices are FOB Shenzhen port (Incoterms 2020): we clear the goods for export and load them on board your vessel; you pay the sea freight and the insurance.");
    }
    #[test]
    fn fob_zh() {
        assert_eq!(zh("FOB"), "以上价格为 FOB 深圳港（《2020 国际贸易术语解释通则》）：我方办理出口清关，并将货物装上贵方指定的船舶；海运费和保险由贵方承担。");
    }
    #[test]
    fn cfr_en() {
        assert_eq!(en("CFR"), "Prices are CFR Hamburg, Germany (Incoterms 2020): we pay the sea freight to Hamburg, Germany, which the final quotation adds; the risk passes to you once the goods are on board in Shenzhen, so you arrange the insurance.");
    }
    #[test]
    fn cfr_zh() {
        assert_eq!(zh("CFR"), "以上价格为 CFR 德国汉堡（《2020 国际贸易术语解释通则》）：我方支付至德国汉堡的海运费，将在正式报价中加上；货物在深圳装船后风险即转移给贵方，保险由贵方自行投保。");
    }
    #[test]
    fn cpt_en() {
        assert_eq!(en("CPT"), "Prices are CPT Hamburg, Germany (Incoterms 2020): we pay the carriage to Hamburg, Germany, which the final quotation adds; the risk passes to you when we hand the goods to the first carrier, so you arrange the insurance.");
    }
    #[test]
    fn cpt_zh() {
        assert_eq!(zh("CPT"), "以上价格为 CPT 德国汉堡（《2020 国际贸易术语解释通则》）：我方支付至德国汉堡的运费，将在正式报价中加上；货物交给第一承运人后风险即转移给贵方，保险由贵方自行投保。");
    }
    #[test]
    fn cif_en() {
        assert_eq!(en("CIF"), "Prices are CIF Hamburg, Germany (Incoterms 2020): we pay the sea freight and the cargo insurance (minimum cover, Institute Cargo Clauses (C)) to Hamburg, Germany, both added in the final quotation.");
    }
    #[test]
    fn cif_zh() {
        assert_eq!(zh("CIF"), "以上价格为 CIF 德国汉堡（《2020 国际贸易术语解释通则》）：我方支付至德国汉堡的海运费和货物保险（最低险别，协会货物条款 C 条款），均在正式报价中加上。");
    }
    #[test]
    fn cip_en() {
        assert_eq!(en("CIP"), "Prices are CIP Hamburg, Germany (Incoterms 2020): we pay the carriage and the cargo insurance (all-risks cover, Institute Cargo Clauses (A)) to Hamburg, Germany, both added in the final quotation.");
    }
    #[test]
    fn cip_zh() {
        assert_eq!(zh("CIP"), "以上价格为 CIP 德国汉堡（《2020 国际贸易术语解释通则》）：我方支付至德国汉堡的运费和货物保险（一切险，协会货物条款 A 条款），均在正式报价中加上。");
    }
    #[test]
    fn dap_en() {
        assert_eq!(en("DAP"), "Prices are DAP Hamburg, Germany (Incoterms 2020): we deliver the goods to Hamburg, Germany ready for unloading, with the carriage added in the final quotation; you clear them for import and pay the import duties and taxes.");
    }
    #[test]
    fn dap_zh() {
        assert_eq!(zh("DAP"), "以上价格为 DAP 德国汉堡（《2020 国际贸易术语解释通则》）：我方将货物运至德国汉堡，在运输工具上交货（不负责卸货），运费在正式报价中加上；进口清关及进口关税和税费由贵方负责。");
    }
    #[test]
    fn dpu_en() {
        assert_eq!(en("DPU"), "Prices are DPU Hamburg, Germany (Incoterms 2020): we deliver the goods to Hamburg, Germany and unload them there, with the carriage added in the final quotation; you clear them for import and pay the import duties and taxes.");
    }
    #[test]
    fn dpu_zh() {
        assert_eq!(zh("DPU"), "以上价格为 DPU 德国汉堡（《2020 国际贸易术语解释通则》）：我方将货物运至德国汉堡并负责卸货，运费在正式报价中加上；进口清关及进口关税和税费由贵方负责。");
    }
    #[test]
    fn ddp_en() {
        assert_eq!(en("DDP"), "Prices are DDP Hamburg, Germany (Incoterms 2020): we deliver the goods to Hamburg, Germany cleared for import and pay the carriage, import duties and taxes, all added in the final quotation.");
    }
    #[test]
    fn ddp_zh() {
        assert_eq!(zh("DDP"), "以上价格为 DDP 德国汉堡（《2020 国际贸易术语解释通则》）：我方将货物运至德国汉堡并办理进口清关，承担运费、进口关税和税费，均在正式报价中加上。");
    }

    #[test]
    fn no_term_and_no_freight_under_f_terms() {
        assert!(delivery_terms(None, None, Lang::En).contains("tell us your destination and preferred Incoterm"));
        assert!(delivery_terms(None, None, Lang::Zh).contains("请告知目的地"));
        for t in [Incoterm::Exw, Incoterm::Fca, Incoterm::Fas, Incoterm::Fob] {
            let s = delivery_terms(Some(t.code()), Some("Hamburg, Germany"), Lang::En);
            assert!(!s.contains("added") && !s.contains("Hamburg"), "{s}");
            let s = delivery_terms(Some(t.code()), Some("德国汉堡"), Lang::Zh);
            assert!(!s.contains("加上") && !s.contains("汉堡"), "{s}");
        }
        assert_eq!(Incoterm::parse("dat"), Some(Incoterm::Dpu));
        for t in Incoterm::ALL {
            assert!(foreign_words(&delivery_terms(Some(t.code()), Some("德国汉堡"), Lang::Zh)).is_empty());
        }
    }

    #[test]
    fn truncation_keeps_numbers_whole() {
        // The bug seen in drafts: "TW-PB-0096 (96. [3]".
        let text =
            "Andes Power Tools S.A. ordered 5,000 pieces of TW-PB-0096 (96.5 Wh) with its own logo and 2,000 packs";
        assert_eq!(truncate(text, 70), "Andes Power Tools S.A. ordered 5,000 pieces of TW-PB-0096 (96.5 Wh)…");
        assert_eq!(truncate(text, 64), "Andes Power Tools S.A. ordered 5,000 pieces of TW-PB-0096…");
        assert_eq!(truncate(text, 35), "Andes Power Tools S.A. ordered…");
        assert_eq!(truncate(text, 38), "Andes Power Tools S.A. ordered 5,000…");
        let two = "Outcome: it worked. We supplied 5,000 pieces of TW-PB-0096 (96.5 Wh) with its own logo";
        assert_eq!(truncate(two, 50), "Outcome: it worked.");
        assert_eq!(truncate("Short. Text.", 100), "Short. Text.");
        assert_eq!(truncate("One sentence here. Another one that runs long", 30), "One sentence here.");
        assert_eq!(truncate("共供货12345件电池包给客户", 5), "共供货…");
    }
}
