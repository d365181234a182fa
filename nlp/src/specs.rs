//! Rated values as customers and the catalog write them ("48V", "20 Ah",
//! "1.5kW", "5度电", "24–60 V", "1.2 m"), kept in integer thousandths so
//! that "1.5kW" and "1500W" are the same value, and how well a product's
//! values fit the ones a customer asked for.

use tradewind_core::Product;

use crate::text::{Doc, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Unit {
    V,
    Ah,
    W,
    Wh,
    A,
    Hz,
    /// Lengths, in millimetres: tube lengths, strip reels, screen sizes.
    Mm,
}

impl Unit {
    /// A different value of a decisive unit rules a product out (a 36V pack
    /// is not a 48V pack); lengths and frequencies only ever support a match,
    /// since a product lists several (cable, wheel, screen).
    fn decisive(self) -> bool {
        !matches!(self, Unit::Hz | Unit::Mm)
    }

    /// How far a value may be from the catalog's and still be the same
    /// product as customers speak of it: "12V" for a 12.8 V LiFePO4 battery,
    /// "10kWh" for 10.24 kWh, "4ft" for 1200 mm.
    fn tolerance_pct(self) -> u64 {
        match self {
            Unit::V => 7,
            _ => 5,
        }
    }
}

/// A rated value; `milli..=hi` is the value (or range, "24–60 V") in
/// thousandths of the base unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    pub unit: Unit,
    pub milli: u64,
    pub hi: u64,
}

impl Spec {
    pub fn point(unit: Unit, milli: u64) -> Self {
        Spec { unit, milli, hi: milli }
    }

    fn contains(&self, v: u64) -> bool {
        self.milli <= v && v <= self.hi
    }

    /// "8 kW", "48 V", "10.4 Ah", "24–60 V", for people.
    pub fn label(&self) -> String {
        let (div, unit) = match self.unit {
            Unit::V => (1, "V"),
            Unit::Ah => (1, "Ah"),
            Unit::A => (1, "A"),
            Unit::Hz => (1, "Hz"),
            Unit::W if self.hi >= 1_000_000 => (1000, "kW"),
            Unit::W => (1, "W"),
            Unit::Wh if self.hi >= 1_000_000 => (1000, "kWh"),
            Unit::Wh => (1, "Wh"),
            Unit::Mm if self.hi >= 1_000_000 => (1000, "m"),
            Unit::Mm => (1, "mm"),
        };
        if self.hi == self.milli {
            format!("{} {unit}", thousandths(self.milli / div))
        } else {
            format!("{}–{} {unit}", thousandths(self.milli / div), thousandths(self.hi / div))
        }
    }

    /// Distance from `v` as a fraction of the larger value, in thousandths.
    fn distance_permille(&self, v: u64) -> u64 {
        if self.contains(v) {
            return 0;
        }
        let near = if v < self.milli { self.milli } else { self.hi };
        let (a, b) = if near > v { (near, v) } else { (v, near) };
        if a == 0 {
            return 0;
        }
        ((a - b) as u128 * 1000 / a as u128) as u64
    }
}

/// "10240" thousandths → "10.24"; "8000" → "8".
fn thousandths(v: u64) -> String {
    let int = v / 1000;
    let frac = v % 1000;
    if frac == 0 {
        return int.to_string();
    }
    let f = format!("{frac:03}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

/// Splits "48v" into ("48", "v") and "1.5kw" into ("1.5", "kw").
pub(crate) fn split_num(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(s.len());
    if end == 0 || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    Some((&s[..end], &s[end..]))
}

/// Value in thousandths: `num * mul / div * 1000`.
pub(crate) fn milli_of(num: &str, mul: u128, div: u128) -> Option<u64> {
    let num = match num.split_once(',') {
        // "1,5" is a decimal comma; "1,500" a thousands separator.
        Some((a, b)) if b.len() != 3 && !b.contains([',', '.']) => format!("{a}.{b}"),
        _ => num.replace(',', ""),
    };
    let (int, frac) = num.split_once('.').unwrap_or((&num, ""));
    if int.is_empty() || frac.len() > 6 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mant: u128 = format!("{int}{frac}").parse().ok()?;
    let den = 10u128.checked_pow(frac.len() as u32)?.checked_mul(div)?;
    u64::try_from(mant.checked_mul(1000)?.checked_mul(mul)? / den).ok()
}

pub(crate) fn unit_of(suffix: &str) -> Option<(Unit, u128, u128)> {
    Some(match suffix {
        "v" | "vdc" | "vac" | "volt" | "volts" => (Unit::V, 1, 1),
        "kv" => (Unit::V, 1000, 1),
        "ah" => (Unit::Ah, 1, 1),
        "mah" => (Unit::Ah, 1, 1000),
        "w" | "watt" | "watts" => (Unit::W, 1, 1),
        "kw" => (Unit::W, 1000, 1),
        "wh" => (Unit::Wh, 1, 1),
        "kwh" => (Unit::Wh, 1000, 1),
        "a" | "amp" | "amps" => (Unit::A, 1, 1),
        "hz" => (Unit::Hz, 1, 1),
        "mm" => (Unit::Mm, 1, 1),
        "cm" => (Unit::Mm, 10, 1),
        "m" => (Unit::Mm, 1000, 1),
        "ft" => (Unit::Mm, 3048, 10),
        "inch" | "inches" => (Unit::Mm, 254, 10),
        _ => return None,
    })
}

/// "48v", "20ah", "1.5kw", "3000mah" → a spec.
#[cfg(test)]
pub(crate) fn parse_spec(s: &str) -> Option<Spec> {
    let (num, suffix) = split_num(s)?;
    let (unit, mul, div) = unit_of(suffix)?;
    Some(Spec::point(unit, milli_of(num, mul, div)?))
}

/// Up to three specs written as one token: "48v", or "48v20ah" run together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Specs([Option<Spec>; 3]);

impl Specs {
    pub fn one(s: Spec) -> Self {
        Specs([Some(s), None, None])
    }
    pub fn iter(&self) -> impl Iterator<Item = Spec> + '_ {
        self.0.iter().flatten().copied()
    }
}

pub(crate) fn parse_specs(s: &str) -> Option<Specs> {
    let mut out = [None; 3];
    let mut rest = s;
    let mut k = 0;
    while !rest.is_empty() {
        if k == out.len() {
            return None;
        }
        let (num, after) = split_num(rest)?;
        let ulen = after.find(|c: char| c.is_ascii_digit()).unwrap_or(after.len());
        let (unit, mul, div) = unit_of(&after[..ulen])?;
        out[k] = Some(Spec::point(unit, milli_of(num, mul, div)?));
        k += 1;
        rest = &after[ulen..];
    }
    (k > 0).then_some(Specs(out))
}

/// Chinese unit words after a number ("48伏", "5千瓦", "20安时", "10度电"),
/// longest first: (unit characters, unit, multiplier, divisor).
const CJK_UNITS: &[(&str, Unit, u128, u128)] = &[
    ("千瓦时", Unit::Wh, 1000, 1),
    ("毫安时", Unit::Ah, 1, 1000),
    ("千瓦", Unit::W, 1000, 1),
    ("毫安", Unit::Ah, 1, 1000),
    ("安时", Unit::Ah, 1, 1),
    ("瓦时", Unit::Wh, 1, 1),
    // 度 is the everyday word for a kilowatt-hour (十度电 = 10 kWh).
    ("度电", Unit::Wh, 1000, 1),
    ("度", Unit::Wh, 1000, 1),
    ("伏", Unit::V, 1, 1),
    ("瓦", Unit::W, 1, 1),
    ("毫米", Unit::Mm, 1, 1),
    ("厘米", Unit::Mm, 10, 1),
    ("米", Unit::Mm, 1000, 1),
    ("寸", Unit::Mm, 254, 10),
];

/// A spec written as a number token followed by glued Chinese unit
/// characters; returns the spec and the token after it.
pub(crate) fn cjk_spec_at(doc: &Doc, i: usize) -> Option<(Spec, usize)> {
    if doc.kind(i) != Some(Kind::Num) {
        return None;
    }
    let mut s = String::new();
    let mut k = i + 1;
    while k < doc.len() && k <= i + 3 && doc.kind(k) == Some(Kind::Cjk) && doc.glued(k) {
        s.push_str(doc.norm_of(k));
        k += 1;
    }
    for &(u, unit, mul, div) in CJK_UNITS {
        if s.starts_with(u) {
            let milli = milli_of(doc.norm_of(i), mul, div)?;
            return Some((Spec::point(unit, milli), i + 1 + u.chars().count()));
        }
    }
    None
}

/// The unit and scale of a single-spec token ("60v" → V ×1), for reading
/// the bare numbers of a range or list in front of it.
fn scale_of(token: &str) -> Option<(Unit, u128, u128)> {
    let (_, suffix) = split_num(token)?;
    unit_of(suffix)
}

/// Specs in one piece of catalog text, with ranges ("24–60 V", "100–240 V")
/// and lists ("12/24/36/48 V") read as the values they allow.
fn text_specs(text: &str, out: &mut Vec<Spec>) -> bool {
    let d = Doc::new(text);
    let mut found = false;
    for i in 0..d.len() {
        let Some(ss) = parse_specs(d.norm_of(i)).or_else(|| cjk_spec_at(&d, i).map(|x| Specs::one(x.0))) else {
            continue;
        };
        found = true;
        let single: Vec<Spec> = ss.iter().collect();
        let scale = if single.len() == 1 { scale_of(d.norm_of(i)) } else { None };
        let mut pushed = false;
        if let (Some((unit, mul, div)), [top]) = (scale, single.as_slice()) {
            let sep = d.norm_of(i.wrapping_sub(1));
            if i >= 2 && matches!(sep, "-" | "~" | "to") && d.kind(i - 2) == Some(Kind::Num) {
                if let Some(lo) = milli_of(d.norm_of(i - 2), mul, div).filter(|&lo| lo < top.milli) {
                    push_spec(out, Spec { unit, milli: lo, hi: top.milli });
                    pushed = true;
                }
            } else if sep == "/" {
                let mut k = i;
                while k >= 2 && d.norm_of(k - 1) == "/" && d.kind(k - 2) == Some(Kind::Num) {
                    if let Some(v) = milli_of(d.norm_of(k - 2), mul, div) {
                        push_spec(out, Spec::point(unit, v));
                    }
                    k -= 2;
                }
            }
        }
        if !pushed {
            single.into_iter().for_each(|s| push_spec(out, s));
        }
    }
    found
}

/// Specs written in one piece of text (a product's name).
pub(crate) fn specs_in(text: &str) -> Vec<Spec> {
    let mut out = Vec::new();
    text_specs(text, &mut out);
    out
}

fn push_spec(out: &mut Vec<Spec>, s: Spec) {
    if !out.contains(&s) {
        out.push(s);
    }
}

/// Specs a product states in its spec table, names, synonyms and battery data.
pub(crate) fn product_specs(p: &Product) -> Vec<Spec> {
    let mut out: Vec<Spec> = Vec::new();
    for (key, value) in &p.specs {
        let found = text_specs(value, &mut out);
        // A bare number under a key like "voltage_v" or "capacity_ah".
        let d = Doc::new(value);
        if !found && d.len() == 1 && d.kind(0) == Some(Kind::Num) {
            let k = key.to_ascii_lowercase();
            let guess = if k.contains("volt") || k.ends_with("_v") {
                Some((Unit::V, 1, 1))
            } else if k.contains("kwh") {
                Some((Unit::Wh, 1000, 1))
            } else if k.contains("wh") || k.contains("energy") {
                Some((Unit::Wh, 1, 1))
            } else if k.contains("mah") {
                Some((Unit::Ah, 1, 1000))
            } else if k.contains("ah") || k.contains("capacity") {
                Some((Unit::Ah, 1, 1))
            } else if k.contains("kw") {
                Some((Unit::W, 1000, 1))
            } else if k.contains("power") || k.contains("watt") || k.ends_with("_w") {
                Some((Unit::W, 1, 1))
            } else {
                None
            };
            if let Some((unit, mul, div)) = guess {
                if let Some(milli) = milli_of(d.norm_of(0), mul, div) {
                    push_spec(&mut out, Spec::point(unit, milli));
                }
            }
        }
    }
    for name in [&p.name_en, &p.name_zh].into_iter().chain(p.synonyms.iter()) {
        text_specs(name, &mut out);
    }
    if let Some(b) = &p.battery {
        if b.wh.is_finite() && b.wh > 0.0 {
            push_spec(&mut out, Spec::point(Unit::Wh, (b.wh * 1000.0).round() as u64));
        }
    }
    out
}

/// How one asked value fits what a product states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// The product states this value (or a range holding it).
    Exact,
    /// Within the unit's tolerance ("12V" for 12.8 V).
    Near,
    /// The product states nothing in this unit, or only other lengths.
    Silent,
    /// The product states other values in a decisive unit.
    Contradicts,
}

pub(crate) fn fit_one(have: &[Spec], asked: Spec) -> Fit {
    let mut same = have.iter().filter(|h| h.unit == asked.unit).peekable();
    if same.peek().is_none() {
        return Fit::Silent;
    }
    let mut best = u64::MAX;
    for h in same {
        best = best.min(h.distance_permille(asked.milli));
    }
    if best == 0 {
        Fit::Exact
    } else if best <= asked.unit.tolerance_pct() * 10 {
        Fit::Near
    } else if asked.unit.decisive() {
        Fit::Contradicts
    } else {
        Fit::Silent
    }
}

/// Points for the specs a product confirms (2 exact, 1 near), or `None`
/// when one contradicts it.
pub(crate) fn spec_score(have: &[Spec], asked: &[Spec]) -> Option<i32> {
    let mut score = 0;
    for &a in asked {
        match fit_one(have, a) {
            Fit::Exact => score += 2,
            Fit::Near => score += 1,
            Fit::Silent => {}
            Fit::Contradicts => return None,
        }
    }
    Some(score)
}

/// The product's value closest to `asked` in the same unit, for saying how
/// a near product differs ("5 kW instead of 8 kW").
pub(crate) fn closest(have: &[Spec], asked: Spec) -> Option<Spec> {
    have.iter().filter(|h| h.unit == asked.unit).min_by_key(|h| h.distance_permille(asked.milli)).copied()
}

/// Relative distance of the closest same-unit value, in thousandths
/// (`None` when the product states nothing in that unit).
pub(crate) fn distance(have: &[Spec], asked: Spec) -> Option<u64> {
    have.iter().filter(|h| h.unit == asked.unit).map(|h| h.distance_permille(asked.milli)).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_across_units() {
        assert_eq!(parse_spec("48v"), Some(Spec::point(Unit::V, 48_000)));
        assert_eq!(parse_spec("1.5kw"), parse_spec("1500w"));
        assert_eq!(parse_spec("20000mah"), parse_spec("20ah"));
        assert_eq!(parse_spec("1.2m"), parse_spec("1200mm"));
        assert_eq!(parse_spec("48"), None);
        assert_eq!(parse_spec("3rd"), None);
        let two: Vec<Spec> = parse_specs("48v20ah").map(|s| s.iter().collect()).unwrap_or_default();
        assert_eq!(two, vec![parse_spec("48v").unwrap(), parse_spec("20ah").unwrap()]);
        assert!(parse_specs("48v20").is_none());
    }

    #[test]
    fn ranges_and_lists_in_catalog_text_allow_every_value_in_them() {
        let mut have = Vec::new();
        text_specs("24–60 V", &mut have);
        assert_eq!(fit_one(&have, Spec::point(Unit::V, 48_000)), Fit::Exact);
        assert_eq!(fit_one(&have, Spec::point(Unit::V, 72_000)), Fit::Contradicts);
        let mut list = Vec::new();
        text_specs("12/24/36/48 V auto", &mut list);
        assert_eq!(fit_one(&list, Spec::point(Unit::V, 24_000)), Fit::Exact);
        assert_eq!(fit_one(&list, Spec::point(Unit::V, 30_000)), Fit::Contradicts);
    }

    #[test]
    fn nominal_values_are_near_and_other_values_contradict() {
        let have = [Spec::point(Unit::Wh, 10_240_000), Spec::point(Unit::V, 51_200)];
        assert_eq!(fit_one(&have, Spec::point(Unit::Wh, 10_000_000)), Fit::Near);
        assert_eq!(fit_one(&have, Spec::point(Unit::V, 48_000)), Fit::Near);
        assert_eq!(fit_one(&have, Spec::point(Unit::V, 36_000)), Fit::Contradicts);
        assert_eq!(fit_one(&have, Spec::point(Unit::Ah, 20_000)), Fit::Silent);
        assert_eq!(spec_score(&have, &[Spec::point(Unit::V, 36_000)]), None);
    }

    #[test]
    fn chinese_kilowatt_hours_are_read() {
        let mut have = Vec::new();
        text_specs("10度电壁挂电池", &mut have);
        assert_eq!(have, vec![Spec::point(Unit::Wh, 10_000_000)]);
    }

    #[test]
    fn labels_read_like_a_data_sheet() {
        assert_eq!(Spec::point(Unit::W, 8_000_000).label(), "8 kW");
        assert_eq!(Spec::point(Unit::Ah, 10_400).label(), "10.4 Ah");
        assert_eq!(Spec::point(Unit::Wh, 10_240_000).label(), "10.24 kWh");
        assert_eq!(Spec::point(Unit::V, 48_000).label(), "48 V");
        assert_eq!(Spec { unit: Unit::V, milli: 24_000, hi: 60_000 }.label(), "24–60 V");
    }
}
