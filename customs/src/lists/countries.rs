//! Country names as the US lists write them ("Korea, North", "Burma",
//! "Region: Crimea", "Bahamas, The") resolved to ISO 3166-1 alpha-2 codes,
//! and the same names as place words for the name scorer.

/// (ISO alpha-2, names separated by `|`). Names are matched after
/// [`key`]: lower case, letters and digits only, single spaces.
const COUNTRIES: &[(&str, &str)] = &[
    ("AD", "andorra"),
    ("AE", "united arab emirates|uae|u a e|emirates"),
    ("AF", "afghanistan"),
    ("AG", "antigua and barbuda"),
    ("AI", "anguilla"),
    ("AL", "albania"),
    ("AM", "armenia"),
    ("AN", "netherlands antilles"),
    ("AO", "angola"),
    ("AR", "argentina"),
    ("AT", "austria"),
    ("AU", "australia"),
    ("AW", "aruba"),
    ("AZ", "azerbaijan"),
    ("BA", "bosnia and herzegovina|bosnia herzegovina|bosnia"),
    ("BB", "barbados"),
    ("BD", "bangladesh"),
    ("BE", "belgium"),
    ("BF", "burkina faso"),
    ("BG", "bulgaria"),
    ("BH", "bahrain"),
    ("BI", "burundi"),
    ("BJ", "benin"),
    ("BM", "bermuda"),
    ("BN", "brunei|brunei darussalam"),
    ("BO", "bolivia"),
    ("BR", "brazil|brasil"),
    ("BS", "bahamas|bahamas the|the bahamas"),
    ("BT", "bhutan"),
    ("BW", "botswana"),
    ("BY", "belarus|byelorussia"),
    ("BZ", "belize"),
    ("CA", "canada"),
    ("CD", "congo democratic republic of the|democratic republic of the congo|democratic republic of congo|drc|congo kinshasa"),
    ("CF", "central african republic"),
    ("CG", "congo republic of the|republic of the congo|republic of congo|congo brazzaville|congo"),
    ("CH", "switzerland"),
    ("CI", "cote d ivoire|cote divoire|ivory coast"),
    ("CL", "chile"),
    ("CM", "cameroon"),
    ("CN", "china|peoples republic of china|people s republic of china|prc"),
    ("CO", "colombia"),
    ("CR", "costa rica"),
    ("CU", "cuba"),
    ("CV", "cape verde|cabo verde"),
    ("CW", "curacao"),
    ("CY", "cyprus"),
    ("CZ", "czech republic|czechia"),
    ("DE", "germany|deutschland"),
    ("DJ", "djibouti"),
    ("DK", "denmark"),
    ("DM", "dominica"),
    ("DO", "dominican republic"),
    ("DZ", "algeria"),
    ("EC", "ecuador"),
    ("EE", "estonia"),
    ("EG", "egypt"),
    ("ER", "eritrea"),
    ("ES", "spain"),
    ("ET", "ethiopia"),
    ("FI", "finland"),
    ("FJ", "fiji"),
    ("FR", "france"),
    ("GA", "gabon"),
    ("GB", "united kingdom|uk|great britain|britain|england|scotland|wales|northern ireland"),
    ("GD", "grenada"),
    ("GE", "georgia"),
    ("GG", "guernsey"),
    ("GH", "ghana"),
    ("GI", "gibraltar"),
    ("GM", "gambia|the gambia|gambia the"),
    ("GN", "guinea"),
    ("GQ", "equatorial guinea"),
    ("GR", "greece"),
    ("GT", "guatemala"),
    ("GW", "guinea bissau"),
    ("GY", "guyana"),
    ("HK", "hong kong"),
    ("HN", "honduras"),
    ("HR", "croatia"),
    ("HT", "haiti"),
    ("HU", "hungary"),
    ("ID", "indonesia"),
    ("IE", "ireland"),
    ("IL", "israel"),
    ("IM", "isle of man|man isle of"),
    ("IN", "india"),
    ("IQ", "iraq"),
    ("IR", "iran|islamic republic of iran"),
    ("IS", "iceland"),
    ("IT", "italy"),
    ("JE", "jersey"),
    ("JM", "jamaica"),
    ("JO", "jordan"),
    ("JP", "japan"),
    ("KE", "kenya"),
    ("KG", "kyrgyzstan"),
    ("KH", "cambodia"),
    ("KM", "comoros"),
    ("KN", "saint kitts and nevis|st kitts and nevis"),
    ("KP", "korea north|north korea|democratic people s republic of korea|democratic peoples republic of korea|dprk"),
    ("KR", "korea south|south korea|republic of korea|korea"),
    ("KW", "kuwait"),
    ("KY", "cayman islands"),
    ("KZ", "kazakhstan"),
    ("LA", "laos|lao people s democratic republic"),
    ("LB", "lebanon"),
    ("LC", "saint lucia|st lucia"),
    ("LI", "liechtenstein"),
    ("LK", "sri lanka"),
    ("LR", "liberia"),
    ("LS", "lesotho"),
    ("LT", "lithuania"),
    ("LU", "luxembourg"),
    ("LV", "latvia"),
    ("LY", "libya"),
    ("MA", "morocco"),
    ("MC", "monaco"),
    ("MD", "moldova"),
    ("ME", "montenegro"),
    ("MG", "madagascar"),
    ("MH", "marshall islands"),
    ("MK", "north macedonia|macedonia"),
    ("ML", "mali|region northern mali"),
    ("MM", "burma|myanmar"),
    ("MN", "mongolia"),
    ("MO", "macau|macao"),
    ("MR", "mauritania"),
    ("MT", "malta"),
    ("MU", "mauritius"),
    ("MV", "maldives"),
    ("MW", "malawi"),
    ("MX", "mexico"),
    ("MY", "malaysia"),
    ("MZ", "mozambique"),
    ("NA", "namibia"),
    ("NE", "niger"),
    ("NG", "nigeria"),
    ("NI", "nicaragua"),
    ("NL", "netherlands|the netherlands|holland"),
    ("NO", "norway"),
    ("NP", "nepal"),
    ("NZ", "new zealand"),
    ("OM", "oman"),
    ("PA", "panama"),
    ("PE", "peru"),
    ("PG", "papua new guinea"),
    ("PH", "philippines"),
    ("PK", "pakistan"),
    ("PL", "poland"),
    ("PS", "palestinian|palestine|west bank|region gaza|gaza|west bank and gaza"),
    ("PT", "portugal"),
    ("PY", "paraguay"),
    ("QA", "qatar"),
    ("RO", "romania"),
    ("RS", "serbia"),
    ("RU", "russia|russian federation"),
    ("RW", "rwanda"),
    ("SA", "saudi arabia"),
    ("SB", "solomon islands"),
    ("SC", "seychelles"),
    ("SD", "sudan|region kafia kingi"),
    ("SE", "sweden"),
    ("SG", "singapore"),
    ("SI", "slovenia"),
    ("SK", "slovakia"),
    ("SL", "sierra leone"),
    ("SN", "senegal"),
    ("SO", "somalia"),
    ("SR", "suriname"),
    ("SS", "south sudan"),
    ("SV", "el salvador"),
    ("SY", "syria|syrian arab republic"),
    ("SZ", "eswatini|swaziland"),
    ("TD", "chad"),
    ("TG", "togo"),
    ("TH", "thailand"),
    ("TJ", "tajikistan"),
    ("TL", "timor leste|east timor"),
    ("TM", "turkmenistan"),
    ("TN", "tunisia"),
    ("TR", "turkey|turkiye"),
    ("TT", "trinidad and tobago"),
    ("TW", "taiwan"),
    ("TZ", "tanzania"),
    ("UA", "ukraine|region crimea|crimea"),
    ("UG", "uganda"),
    ("US", "united states|united states of america|usa|u s a"),
    ("UY", "uruguay"),
    ("UZ", "uzbekistan"),
    ("VC", "saint vincent and the grenadines|st vincent and the grenadines"),
    ("VE", "venezuela"),
    ("VG", "virgin islands british|british virgin islands"),
    ("VN", "vietnam|viet nam"),
    ("VU", "vanuatu"),
    ("WS", "samoa"),
    ("XK", "kosovo"),
    ("YE", "yemen"),
    ("ZA", "south africa"),
    ("ZM", "zambia"),
    ("ZW", "zimbabwe"),
];

/// Lower case, letters and digits only, single spaces ("Korea, North" →
/// "korea north", "Cote d'Ivoire" → "cote d ivoire").
pub fn key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    crate::names::translit::fold_latin(name, &mut out);
    let mut k = String::with_capacity(out.len());
    for w in out.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !k.is_empty() {
            k.push(' ');
        }
        k.push_str(w);
    }
    k
}

/// The ISO alpha-2 code of a country name as the lists write it, or of a
/// code itself; `None` when unknown ("undetermined", "-0-").
pub fn country_code(name: &str) -> Option<&'static str> {
    let k = key(name);
    if k.is_empty() {
        return None;
    }
    if k.len() == 2 {
        let up = k.to_ascii_uppercase();
        if let Some((iso, _)) = COUNTRIES.iter().find(|(iso, _)| *iso == up) {
            return Some(iso);
        }
    }
    COUNTRIES.iter().find(|(_, names)| names.split('|').any(|n| n == k)).map(|(iso, _)| *iso)
}

/// Every country name, as word sequences, for the scorer's place words.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().flat_map(|(_, names)| names.split('|'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_spellings_resolve() {
        assert_eq!(country_code("Korea, North"), Some("KP"));
        assert_eq!(country_code("Bahamas, The"), Some("BS"));
        assert_eq!(country_code("Region: Crimea"), Some("UA"));
        assert_eq!(country_code("Cote d Ivoire"), Some("CI"));
        assert_eq!(country_code("Man, Isle of"), Some("IM"));
        assert_eq!(country_code("CN"), Some("CN"));
        assert_eq!(country_code("undetermined"), None);
    }
}
