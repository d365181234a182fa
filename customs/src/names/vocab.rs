//! The words of names that are not names: legal forms, honorifics, particles,
//! generic trade words, abbreviations and number words. Every entry is written
//! in the normaliser's form (ASCII, lower case, apostrophes dropped, runs of
//! single letters joined: "S.p.A." → "spa", "Sp. z o.o." → "sp zoo").

/// What a legal form says about the kind of body. Two names whose forms are
/// of incompatible kinds (a German AG and a GmbH, an OOO and a PAO) are
/// likely two bodies, a parent and its subsidiary, rather than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalKind {
    /// Says nothing about the kind: "Co.", "Ltd", "Inc", "Corporation" are
    /// used loosely in English for every kind of company (a Japanese
    /// kabushiki kaisha, a Chinese 股份有限公司, a US corporation).
    Generic,
    /// Limited-liability companies without shares traded or issued to the
    /// public: GmbH, LLC, OOO, SARL, SRL, BV, Sp. z o.o.
    Private,
    /// Joint-stock companies: AG, SA, SpA, NV, JSC, PAO, PLC.
    Stock,
    /// Partnerships: LP, LLP, KG, OHG.
    Partnership,
    /// Sole establishments and free-zone establishments: Est., FZE.
    Sole,
    NonProfit,
}

impl LegalKind {
    /// Whether two names with these forms can be one body.
    pub fn compatible(self, other: LegalKind) -> bool {
        use LegalKind::*;
        self == other
            || self == Generic
            || other == Generic
            || matches!((self, other), (Private, Sole) | (Sole, Private))
    }

    /// A form the name gives later wins over an earlier one, except that
    /// a generic word never hides a specific form ("GmbH & Co. KG" is a KG).
    pub fn overrides(self, earlier: LegalKind) -> bool {
        earlier != LegalKind::NonProfit && self != LegalKind::Generic
    }
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
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "co",
    "corp",
    "corporation",
    "company",
    "cie",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "kgaa",
    "ohg",
    "ug",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "sl",
    "sau",
    "slu",
    "sae",
    "bv",
    "nv",
    "plc",
    "pty",
    "pte",
    "sdn",
    "bhd",
    "tbk",
    "cv",
    "ab",
    "oy",
    "oyj",
    "asa",
    "aps",
    "kft",
    "zrt",
    "nyrt",
    "doo",
    "dd",
    "ood",
    "eood",
    "sro",
    "spzoo",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "tov",
    "fze",
    "fzc",
    "fzco",
    "fzllc",
    "fzllc",
    "wll",
    "est",
    "establishment",
    "sal",
    "saog",
    "saoc",
    "psc",
    "kk",
    "ltda",
    "sac",
    "saa",
    "eirl",
    "lda",
    "aktiengesellschaft",
    "aktiebolag",
    "aksjeselskap",
    "osakeyhtio",
    "anonim",
    "sirketi",
    "ano",
    "ngo",
];

/// The kind of a legal form, as the normaliser writes it.
pub fn legal_kind(form: &str) -> LegalKind {
    use LegalKind::*;
    match form {
        "ano" | "ngo" | "avtonomnaya nekommercheskaya organizatsiya" => NonProfit,
        "gmbh"
        | "mbh"
        | "ug"
        | "llc"
        | "sarl"
        | "srl"
        | "sl"
        | "slu"
        | "bv"
        | "pty"
        | "pte"
        | "sdn"
        | "bhd"
        | "ooo"
        | "tov"
        | "sro"
        | "spzoo"
        | "sp zoo"
        | "doo"
        | "ood"
        | "eood"
        | "kft"
        | "aps"
        | "oy"
        | "ltda"
        | "lda"
        | "fzllc"
        | "wll"
        | "limited liability company"
        | "private limited company"
        | "gesellschaft mit beschrankter haftung"
        | "sociedad de responsabilidad limitada"
        | "societatea cu raspundere limitata"
        | "s de rl"
        | "tovarystvo z obmezhenoyu vidpovidalnistyu" => Private,
        f if f.starts_with("obshchestvo s ogranichennoy") || f.starts_with("obshchestvo s ogranichennoi") => Private,
        f if f.starts_with("obshchestvo s ogranichennoj") => Private,
        "ag"
        | "aktiengesellschaft"
        | "sa"
        | "sas"
        | "spa"
        | "nv"
        | "plc"
        | "jsc"
        | "ojsc"
        | "cjsc"
        | "pjsc"
        | "oao"
        | "zao"
        | "pao"
        | "ao"
        | "ab"
        | "aktiebolag"
        | "asa"
        | "oyj"
        | "kk"
        | "tbk"
        | "sae"
        | "saa"
        | "sau"
        | "sal"
        | "saog"
        | "saoc"
        | "psc"
        | "zrt"
        | "nyrt"
        | "dd"
        | "anonim"
        | "aksjeselskap"
        | "osakeyhtio"
        | "public limited company"
        | "public company limited"
        | "sociedad anonima"
        | "sociedade anonima"
        | "societe anonyme"
        | "societa per azioni"
        | "sa de cv" => Stock,
        f if f.ends_with("joint stock company") || f == "joint stock co" || f.ends_with("aktsionernoe obshchestvo") => {
            Stock
        }
        "aktsionernoye obshchestvo" => Stock,
        "lp" | "llp" | "kg" | "kgaa" | "ohg" | "limited partnership" | "limited liability partnership" => Partnership,
        "est" | "establishment" | "fze" | "eirl" => Sole,
        _ => Generic,
    }
}

/// Long legal-form words that a typo should not hide ("Aktiengeselschaft").
pub const LONG_LEGAL_WORDS: &[&str] = &["aktiengesellschaft", "incorporated", "corporation", "establishment"];

/// Titles and honorifics: they say little about who a person is.
pub const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mister",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "president",
    "prasident",
    "presidente",
    "monsieur",
    "madame",
    "mme",
    "mlle",
    "herr",
    "frau",
    "senor",
    "senora",
    "sheikh",
    "shaikh",
    "sheik",
    "shaykh",
    "haji",
    "hajji",
    "hadji",
    "mullah",
    "mulla",
    "maulvi",
    "mawlawi",
    "maulawi",
    "maulana",
    "qari",
    "sayyid",
    "sayed",
    "imam",
    "gen",
    "col",
    "colonel",
    "capt",
    "captain",
    "admiral",
    "eng",
    "engineer",
    "his",
    "her",
    "excellency",
    "hon",
    "honorable",
    "honourable",
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
    "trading",
    "trade",
    "traders",
    "group",
    "holding",
    "holdings",
    "international",
    "industries",
    "industrial",
    "industry",
    "enterprise",
    "enterprises",
    "global",
    "services",
    "service",
    "solutions",
    "technology",
    "technologies",
    "systems",
    "import",
    "export",
    "investment",
    "investments",
    "development",
    "engineering",
    "logistics",
    "shipping",
    "manufacturing",
    "products",
    "resources",
    "management",
    "consulting",
    "general",
    "commercial",
    "national",
    "new",
    "energy",
    "electronics",
    "equipment",
    "materials",
    "supply",
    "partners",
    "ventures",
    "capital",
    "fund",
    "trust",
    "bank",
    "agency",
    "organization",
    "organisation",
    "association",
    "institute",
    "center",
    "centre",
    "foundation",
    "office",
    "department",
    "ministry",
    "factory",
    "plant",
    "works",
    "store",
    "shop",
    "firm",
    "concern",
    "union",
    "society",
    "network",
    "foreign",
    "overseas",
    "world",
    "universal",
    "united",
    "first",
    "royal",
    "modern",
    "star",
    "golden",
    "best",
    "power",
    "line",
    "lines",
    "air",
    "marine",
    "maritime",
    "petroleum",
    "oil",
    "gas",
    "steel",
    "metal",
    "metals",
    "mining",
    "chemical",
    "chemicals",
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
/// "Three" meets "3"; a run of them ("forty-four", "one hundred and
/// five") is added up by the normaliser.
pub fn number_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "zero" => "0",
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
        "eleven" | "eleventh" => "11",
        "twelve" | "twelfth" => "12",
        "thirteen" | "thirteenth" => "13",
        "fourteen" | "fourteenth" => "14",
        "fifteen" | "fifteenth" => "15",
        "sixteen" | "sixteenth" => "16",
        "seventeen" | "seventeenth" => "17",
        "eighteen" | "eighteenth" => "18",
        "nineteen" | "nineteenth" => "19",
        "twenty" | "twentieth" => "20",
        "thirty" | "thirtieth" => "30",
        "forty" | "fortieth" => "40",
        "fifty" | "fiftieth" => "50",
        "sixty" | "sixtieth" => "60",
        "seventy" | "seventieth" => "70",
        "eighty" | "eightieth" => "80",
        "ninety" | "ninetieth" => "90",
        "hundred" | "hundredth" => "100",
        "thousand" | "thousandth" => "1000",
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

/// Korean family names, each with the spellings lists use for it (Revised
/// Romanization first, then McCune-Reischauer and customary ones): the
/// Hangul romaniser writes the first, and any of them pair as one name.
pub const KOREAN_SURNAMES: &[(char, &str)] = &[
    ('김', "kim gim"),
    ('이', "lee yi ri rhee"),
    ('리', "ri lee yi rhee"),
    ('박', "park pak bak"),
    ('최', "choi choe chwe"),
    ('정', "jung jeong chung chong jong"),
    ('강', "kang gang"),
    ('조', "cho jo joe"),
    ('윤', "yoon yun"),
    ('장', "jang chang"),
    ('임', "lim im rim"),
    ('림', "rim lim im"),
    ('한', "han"),
    ('오', "oh"),
    ('서', "seo suh so"),
    ('신', "shin sin"),
    ('권', "kwon gwon"),
    ('황', "hwang"),
    ('안', "ahn an"),
    ('송', "song"),
    ('류', "ryu ryoo yoo yu"),
    ('유', "yoo yu ryu"),
    ('전', "jeon jun chon chun"),
    ('홍', "hong"),
    ('고', "ko go koh"),
    ('문', "moon mun"),
    ('양', "yang ryang"),
    ('손', "son sohn"),
    ('배', "bae pae"),
    ('백', "baek paek paik"),
    ('허', "heo hur ho"),
    ('남', "nam"),
    ('심', "shim sim"),
    ('노', "noh no roh ro"),
    ('로', "ro roh noh"),
    ('하', "ha"),
    ('곽', "kwak gwak"),
    ('성', "sung seong song"),
    ('차', "cha"),
    ('주', "joo ju chu"),
    ('우', "woo"),
    ('구', "koo ku gu"),
    ('민', "min"),
    ('진', "jin chin"),
    ('지', "ji chi"),
    ('엄', "eom um"),
    ('채', "chae"),
    ('원', "won"),
    ('천', "cheon chon chun"),
    ('방', "bang pang"),
    ('공', "kong gong"),
    ('현', "hyun hyeon"),
    ('함', "ham"),
    ('변', "byun byeon pyon"),
    ('염', "yeom yum"),
    ('여', "yeo yo"),
    ('추', "choo chu"),
    ('도', "do to"),
    ('석', "seok sok"),
    ('선', "sun seon son"),
    ('설', "seol sol"),
    ('마', "ma"),
    ('길', "gil kil"),
    ('연', "yeon yon"),
    ('위', "wi wee"),
    ('표', "pyo"),
    ('명', "myung myeong myong"),
    ('기', "ki gi"),
    ('반', "ban pan"),
    ('왕', "wang"),
    ('금', "keum geum kum"),
    ('옥', "ok"),
    ('육', "yook yuk"),
    ('인', "in"),
    ('맹', "maeng"),
    ('제', "je che"),
    ('탁', "tak"),
    ('국', "kook guk kuk"),
    ('태', "tae thae"),
];

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
    "philip phillip felipe filipp filippo philippe phil",
    // Common short forms and nicknames.
    "christopher chris kit cristobal christoph kristof",
    "matthew matt matthias mateo matteo matvei",
    "jonathan jon jonny johnny",
    "timothy tim timmy",
    "lawrence laurence larry lorenzo laurent",
    "raymond ray raimundo",
    "ronald ron ronnie",
    "donald don donnie",
    "gerald gerry jerry",
    "frederick frederic fred freddie freddy fritz federico",
    "albert bert berto alberto",
    "douglas doug",
    "kenneth ken kenny",
    "leonard leo len lenny leonardo",
    "patrick pat paddy patricio",
    "patricia pat patty trish",
    "margaret maggie meg peggy marge greta margarita",
    "susan sue susie suzanne",
    "jennifer jen jenny",
    "victoria vicky tori",
    "rebecca becky",
    "deborah debbie deb",
    "dorothy dot dolly",
    "barbara barb babs",
    "abigail abby",
    "jacqueline jackie",
    "elizabeth eliza betty bess lizzy",
    "katherine kathy cathy katie kat katya",
    "natalia natalya natasha natalie",
    "tatiana tatyana tanya",
    "anastasia nastya",
    "svetlana sveta",
    "olga olya",
    "yelena lena",
    "anna anya",
    "maria masha",
    "ekaterina katya",
    "aleksandr sasha shura",
    "aleksei alexei alexey aleksey alyosha lyosha",
    "mikhail misha",
    "nikolai kolya",
    "sergei sergey seryozha",
    "ivan vanya",
    "pavel pasha",
    "dmitry mitya",
    "yuri yury yuriy",
    "konstantin kostya constantine",
    "boris borya",
    "grigory grisha",
    "vyacheslav slava",
    "stanislav stas",
    "valentin valya",
    "muhammad mohammed mohamed mohammad mohamad muhammed mohd",
    "ahmed ahmad",
    "hussein husain hussain husayn",
    "hassan hasan",
    "abdullah abdallah",
    "omar umar",
    "osama usama",
];
