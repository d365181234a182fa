//! The words of names that are not names: legal forms, honorifics, particles,
//! generic trade words, abbreviations and number words. Every entry is written
//! in the normaliser's form (ASCII, lower case, apostrophes dropped, runs of
//! single letters joined: "S.p.A." → "spa", "Sp. z o.o." → "sp zoo").

/// What a legal form says about the kind of body, for a mild penalty when
/// two names carry forms of different kinds (a non-profit is not an LLC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalKind {
    Commercial,
    NonProfit,
}

/// Multi-word legal forms, as word sequences; the longest match wins.
pub const LEGAL_PHRASES: &[&str] = &[
    "open joint stock company",
    "closed joint stock company",
    "public joint stock company",
    "private joint stock company",
    "joint stock company",
    "joint stock co",
    "limited liability company",
    "limited liability partnership",
    "limited partnership",
    "public limited company",
    "private limited company",
    "public company limited",
    "company limited",
    "co ltd",
    "gesellschaft mit beschrankter haftung",
    "sociedad anonima",
    "sociedade anonima",
    "societe anonyme",
    "societa per azioni",
    "sociedad de responsabilidad limitada",
    "societatea cu raspundere limitata",
    "sp zoo",
    "s de rl de cv",
    "s de rl",
    "sa de cv",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostyu",
    "obshchestvo s ogranichennoj otvetstvennostyu",
    "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo",
    "aktsionernoe obshchestvo",
    "aktsionernoye obshchestvo",
    "tovarystvo z obmezhenoyu vidpovidalnistyu",
    "avtonomnaya nekommercheskaya organizatsiya",
];

/// Single-word legal forms.
pub const LEGAL_WORDS: &[&str] = &[
    "ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "co", "corp", "corporation", "company", "cie",
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "sa", "sas", "sarl", "srl", "spa", "sl", "sau", "slu", "sae",
    "bv", "nv", "plc", "pty", "pte", "sdn", "bhd", "tbk", "cv", "ab", "oy", "oyj", "asa", "aps", "kft", "zrt",
    "nyrt", "doo", "dd", "ood", "eood", "sro", "spzoo", "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc",
    "pjsc", "tov", "fze", "fzc", "fzco", "fzllc", "fzllc", "wll", "est", "establishment", "sal", "saog", "saoc",
    "psc", "kk", "ltda", "sac", "saa", "eirl", "lda", "aktiengesellschaft", "aktiebolag", "aksjeselskap",
    "osakeyhtio", "anonim", "sirketi", "ano", "ngo",
];

/// Legal forms of non-profit bodies.
const NON_PROFIT: &[&str] = &["ano", "ngo", "avtonomnaya nekommercheskaya organizatsiya"];

pub fn legal_kind(form: &str) -> LegalKind {
    if NON_PROFIT.contains(&form) {
        LegalKind::NonProfit
    } else {
        LegalKind::Commercial
    }
}

/// Long legal-form words that a typo should not hide ("Aktiengeselschaft").
pub const LONG_LEGAL_WORDS: &[&str] = &["aktiengesellschaft", "incorporated", "corporation", "establishment"];

/// Titles and honorifics: they say little about who a person is.
pub const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mister", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "president",
    "prasident", "presidente", "monsieur", "madame", "mme", "mlle", "herr", "frau", "senor", "senora", "sheikh",
    "shaikh", "sheik", "shaykh", "haji", "hajji", "hadji", "mullah", "mulla", "maulvi", "mawlawi", "maulawi",
    "maulana", "qari", "sayyid", "sayed", "imam", "gen", "col", "colonel", "capt", "captain", "admiral",
    "eng", "engineer", "his", "her", "excellency", "hon", "honorable", "honourable",
];

/// Particles and connecting words of names.
pub const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ur", "bin", "bint", "ibn", "ben", "abu", "abou", "de", "del", "della", "der", "den", "van",
    "von", "da", "di", "du", "dos", "das", "la", "le", "of", "the", "and", "y", "et", "und", "for", "na",
];

/// Spellings of one particle that mean the same.
pub fn particle_canonical(w: &str) -> &str {
    match w {
        "ibn" | "ben" => "bin",
        "el" => "al",
        "abou" => "abu",
        "und" | "et" => "and",
        _ => w,
    }
}

/// Words that many unrelated companies share; they count, but less.
pub const GENERIC: &[&str] = &[
    "trading", "trade", "traders", "group", "holding", "holdings", "international", "industries", "industrial",
    "industry", "enterprise", "enterprises", "global", "services", "service", "solutions", "technology",
    "technologies", "systems", "import", "export", "investment", "investments", "development", "engineering",
    "logistics", "shipping", "manufacturing", "products", "resources", "management", "consulting", "general",
    "commercial", "national", "new", "energy", "electronics", "equipment", "materials", "supply", "partners",
    "ventures", "capital", "fund", "trust", "bank", "agency", "organization", "organisation", "association",
    "institute", "center", "centre", "foundation", "office", "department", "ministry", "factory", "plant", "works",
    "store", "shop", "firm", "concern", "union", "society", "network", "foreign", "overseas", "world", "universal",
    "united", "first", "royal", "modern", "star", "golden", "best", "power", "line", "lines", "air", "marine",
    "maritime", "petroleum", "oil", "gas", "steel", "metal", "metals", "mining", "chemical", "chemicals",
];

/// Abbreviations written out.
pub fn expand_abbreviation(w: &str) -> Option<&'static str> {
    Some(match w {
        "intl" | "intern" => "international",
        "natl" => "national",
        "mfg" => "manufacturing",
        "dept" => "department",
        "govt" => "government",
        "bros" => "brothers",
        "assn" | "assoc" => "association",
        "univ" => "university",
        "inst" => "institute",
        "hldgs" | "hldg" => "holdings",
        "grp" => "group",
        "svcs" => "services",
        "tech" => "technology",
        "ent" => "enterprises",
        "mgmt" => "management",
        "invest" => "investment",
        "org" => "organization",
        "ctr" => "center",
        "mohd" => "mohammed",
        "muhd" => "muhammad",
        _ => return None,
    })
}

/// Number words and ordinals as digits, so "First" meets "1st" and
/// "Three" meets "3".
pub fn number_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "one" | "first" => "1",
        "two" | "second" => "2",
        "three" | "third" => "3",
        "four" | "fourth" => "4",
        "five" | "fifth" => "5",
        "six" | "sixth" => "6",
        "seven" | "seventh" => "7",
        "eight" | "eighth" => "8",
        "nine" | "ninth" => "9",
        "ten" | "tenth" => "10",
        "eleven" => "11",
        "twelve" => "12",
        "twenty" => "20",
        "hundred" => "100",
        "thousand" => "1000",
        _ => return None,
    })
}

/// Roman numerals that end fund, vessel and trust names ("Fund IV").
/// "xi" and "li" are left out: they are far more often Chinese names.
pub fn roman_numeral(w: &str) -> Option<&'static str> {
    Some(match w {
        "i" => "1",
        "ii" => "2",
        "iii" => "3",
        "iv" => "4",
        "v" => "5",
        "vi" => "6",
        "vii" => "7",
        "viii" => "8",
        "ix" => "9",
        "x" => "10",
        "xii" => "12",
        "xiii" => "13",
        "xiv" => "14",
        "xv" => "15",
        "xvi" => "16",
        "xx" => "20",
        _ => return None,
    })
}

/// Regions that name branches of companies the way countries do.
pub const REGIONS: &[&str] =
    &["europe", "asia", "africa", "america", "americas", "middle east", "latin america", "eurasia", "pacific"];

/// Patronymic endings (Russian, Ukrainian, Belarusian), in romanised form.
pub fn is_patronymic(w: &str) -> bool {
    w.len() > 6
        && ["ovich", "evich", "ovych", "evych", "ovna", "evna", "ichna", "ovitch", "evitch", "ovic", "evic"]
            .iter()
            .any(|s| w.ends_with(s))
}

/// Given names that are one name in different languages or a name and its
/// common short form (Juan and John, Fyodor and Theodore, Bibi and Benjamin).
/// A word may belong to several groups (Ted: Theodore and Edward).
pub const GIVEN_NAME_GROUPS: &[&str] = &[
    "john juan johann johannes jean jan ivan giovanni joao hans jon sean ioan ion jack",
    "theodore ted teddy theo fyodor fedor teodor feodor",
    "edward eduardo eduard edouard ted ed eddie",
    "michael miguel mikhail michel michele mikael mihail mike mick michal",
    "joseph jose josef giuseppe iosif joe yusuf youssef yosef jozef",
    "alexander aleksandr alexandr alejandro alessandro alexandre sasha alex aleksander iskander iskandar",
    "peter pedro pyotr petr pierre pietro piotr pete",
    "paul pablo pavel paolo paulo pawel",
    "william bill billy will guillermo wilhelm willem guillaume",
    "robert bob bobby rob roberto",
    "richard dick rick ricardo riccardo",
    "james jim jimmy jaime jacques diego",
    "jacob jakob yakov yaakov jacopo yaqub yakub",
    "george jorge georgy georgiy georgi giorgio georg",
    "nicholas nikolai nikolay nicolas nicola nick mykola nicolae niccolo",
    "stephen steven esteban stepan stefan stephan steve etienne stefano",
    "benjamin ben benny bibi binyamin",
    "abraham ibrahim avraham abe",
    "solomon suleiman sulayman suleyman shlomo",
    "moses musa moshe moise",
    "david dawud dawood daud",
    "mary maria marie mariya miriam maryam",
    "elizabeth elisabeth isabel elisabetta yelizaveta liz beth",
    "catherine katherine ekaterina yekaterina caterina katarina kate",
    "anne anna ann hanna hannah ana",
    "helen elena yelena helena ellen olena",
    "andrew andrei andrey andres andreas andrea andre andriy andy",
    "anthony antonio anton antoine tony",
    "charles carlos karl carl carlo charlie",
    "francis francisco francesco franz francois",
    "henry enrique heinrich henri enrico harry",
    "thomas tom tommy tomas tomasz foma",
    "daniel dan danny daniil",
    "samuel sam samuil",
    "gregory grigory gregorio greg",
    "dmitry dmitri dmitriy dima",
    "vladimir volodymyr wladimir vova volodya",
    "yevgeny evgeny eugene yevgeniy evgeni zhenya eugenio",
    "louis luis luiz ludwig luigi lewis",
    "philip phillip felipe filipp filippo philippe",
];
