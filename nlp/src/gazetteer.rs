//! Destinations from free text: countries, ports, cities, free zones and the
//! sanctioned regions of Ukraine, in English and Chinese, resolved to ISO
//! 3166 codes, and the route a message describes: the final destination
//! behind any transit, transhipment or re-export ("ship to Jebel Ali, our
//! forwarder re-exports to Bushehr" ends in Iran; "经迪拜转口至伊朗" too), and
//! the places the goods pass on the way.
//!
//! A place gives way to an explicit state or country written beside it:
//! "Havana, FL, USA" and "Havana, Florida" are in the United States,
//! "Valencia, Venezuela" is not the Spanish port.
//!
//! Alias syntax in the tables: a leading `^` means the original text must be
//! all upper case ("US", not "us"), a leading `~` means it must be
//! capitalised ("Jordan", "Turkey", "Santos" are also ordinary words or
//! names). Latin aliases match whole words; CJK aliases match anywhere.

use std::sync::OnceLock;

use tradewind_core::{Destination, Lang};

use crate::text::{leftmost_longest, Doc, Hit, Kind, PhraseIndex};

/// (ISO alpha-2, English name, Chinese name, aliases separated by `|`).
const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("AE", "United Arab Emirates", "阿联酋", "united arab emirates|the emirates|^UAE|^U.A.E|阿拉伯联合酋长国|阿联酋"),
    ("AF", "Afghanistan", "阿富汗", "afghanistan|阿富汗"),
    ("AL", "Albania", "阿尔巴尼亚", "albania|阿尔巴尼亚"),
    ("AM", "Armenia", "亚美尼亚", "armenia|亚美尼亚"),
    ("AO", "Angola", "安哥拉", "angola|安哥拉"),
    ("AR", "Argentina", "阿根廷", "argentina|argentine republic|阿根廷"),
    ("AT", "Austria", "奥地利", "austria|osterreich|oesterreich|奥地利"),
    ("AU", "Australia", "澳大利亚", "australia|澳大利亚|澳洲"),
    ("AZ", "Azerbaijan", "阿塞拜疆", "azerbaijan|阿塞拜疆"),
    ("BD", "Bangladesh", "孟加拉国", "bangladesh|孟加拉国|孟加拉"),
    ("BE", "Belgium", "比利时", "belgium|belgie|belgique|比利时"),
    ("BG", "Bulgaria", "保加利亚", "bulgaria|保加利亚"),
    ("BH", "Bahrain", "巴林", "bahrain|巴林"),
    ("BO", "Bolivia", "玻利维亚", "bolivia|玻利维亚"),
    ("BR", "Brazil", "巴西", "brazil|brasil|巴西"),
    ("BY", "Belarus", "白俄罗斯", "belarus|belorussia|byelorussia|republic of belarus|беларусь|белоруссия|白俄罗斯|白俄"),
    ("CA", "Canada", "加拿大", "canada|加拿大"),
    ("CH", "Switzerland", "瑞士", "switzerland|schweiz|suisse|svizzera|瑞士"),
    ("CI", "Côte d'Ivoire", "科特迪瓦", "ivory coast|cote d'ivoire|科特迪瓦"),
    ("CL", "Chile", "智利", "~chile|智利"),
    ("CM", "Cameroon", "喀麦隆", "cameroon|喀麦隆"),
    ("CN", "China", "中国", "~china|people's republic of china|^PRC|^P.R.C|mainland china|中华人民共和国|中国大陆|中国|内蒙古"),
    ("CO", "Colombia", "哥伦比亚", "colombia|哥伦比亚"),
    ("CR", "Costa Rica", "哥斯达黎加", "costa rica|哥斯达黎加"),
    ("CU", "Cuba", "古巴", "cuba|republic of cuba|куба|古巴"),
    ("CY", "Cyprus", "塞浦路斯", "cyprus|塞浦路斯"),
    ("CZ", "Czechia", "捷克", "czechia|czech republic|~czech|捷克"),
    ("DE", "Germany", "德国", "germany|deutschland|federal republic of germany|德国|德意志"),
    ("DK", "Denmark", "丹麦", "denmark|danmark|丹麦"),
    ("DO", "Dominican Republic", "多米尼加", "dominican republic|多米尼加"),
    ("DZ", "Algeria", "阿尔及利亚", "algeria|阿尔及利亚"),
    ("EC", "Ecuador", "厄瓜多尔", "ecuador|厄瓜多尔"),
    ("EE", "Estonia", "爱沙尼亚", "estonia|爱沙尼亚"),
    ("EG", "Egypt", "埃及", "egypt|埃及"),
    ("ES", "Spain", "西班牙", "spain|espana|西班牙"),
    ("ET", "Ethiopia", "埃塞俄比亚", "ethiopia|埃塞俄比亚"),
    ("FI", "Finland", "芬兰", "finland|suomi|芬兰"),
    ("FR", "France", "法国", "~france|法国"),
    ("GB", "United Kingdom", "英国", "united kingdom|^UK|^U.K|great britain|britain|england|scotland|~wales|northern ireland|英国|大不列颠|英格兰|苏格兰"),
    ("GE", "Georgia", "格鲁吉亚", "~georgia|格鲁吉亚"),
    ("GH", "Ghana", "加纳", "ghana|加纳"),
    ("GR", "Greece", "希腊", "greece|hellas|希腊"),
    ("GT", "Guatemala", "危地马拉", "guatemala|危地马拉"),
    ("HK", "Hong Kong", "香港", "hong kong|hongkong|hong kong sar|中国香港|香港"),
    ("HR", "Croatia", "克罗地亚", "croatia|hrvatska|克罗地亚"),
    ("HU", "Hungary", "匈牙利", "hungary|magyarorszag|匈牙利"),
    ("ID", "Indonesia", "印度尼西亚", "indonesia|印度尼西亚|印尼"),
    ("IE", "Ireland", "爱尔兰", "~ireland|~eire|爱尔兰"),
    ("IL", "Israel", "以色列", "israel|以色列"),
    ("IN", "India", "印度", "~india|印度"),
    ("IQ", "Iraq", "伊拉克", "iraq|伊拉克"),
    ("IR", "Iran", "伊朗", "iran|islamic republic of iran|~persia|иран|伊朗"),
    ("IS", "Iceland", "冰岛", "iceland|冰岛"),
    ("IT", "Italy", "意大利", "italy|italia|意大利"),
    ("JO", "Jordan", "约旦", "~jordan|约旦"),
    ("JP", "Japan", "日本", "~japan|nippon|日本"),
    ("KE", "Kenya", "肯尼亚", "kenya|肯尼亚"),
    ("KG", "Kyrgyzstan", "吉尔吉斯斯坦", "kyrgyzstan|吉尔吉斯斯坦"),
    ("KH", "Cambodia", "柬埔寨", "cambodia|柬埔寨"),
    ("KP", "North Korea", "朝鲜", "north korea|dprk|^D.P.R.K|democratic people's republic of korea|северная корея|朝鲜民主主义人民共和国|北朝鲜|朝鲜|北韩"),
    ("KR", "South Korea", "韩国", "south korea|~korea|republic of korea|^ROK|大韩民国|韩国|南韩"),
    ("KW", "Kuwait", "科威特", "kuwait|科威特"),
    ("KZ", "Kazakhstan", "哈萨克斯坦", "kazakhstan|哈萨克斯坦"),
    ("LA", "Laos", "老挝", "laos|老挝"),
    ("LB", "Lebanon", "黎巴嫩", "lebanon|黎巴嫩"),
    ("LK", "Sri Lanka", "斯里兰卡", "sri lanka|斯里兰卡"),
    ("LT", "Lithuania", "立陶宛", "lithuania|立陶宛"),
    ("LU", "Luxembourg", "卢森堡", "luxembourg|卢森堡"),
    ("LV", "Latvia", "拉脱维亚", "latvia|拉脱维亚"),
    ("LY", "Libya", "利比亚", "libya|利比亚"),
    ("MA", "Morocco", "摩洛哥", "morocco|摩洛哥"),
    ("MD", "Moldova", "摩尔多瓦", "moldova|摩尔多瓦"),
    ("MM", "Myanmar", "缅甸", "myanmar|~burma|缅甸"),
    ("MN", "Mongolia", "蒙古", "mongolia|蒙古国|蒙古"),
    ("MO", "Macao", "澳门", "macao|macau|中国澳门|澳门"),
    ("MX", "Mexico", "墨西哥", "mexico|墨西哥"),
    ("MY", "Malaysia", "马来西亚", "malaysia|马来西亚"),
    ("MZ", "Mozambique", "莫桑比克", "mozambique|莫桑比克"),
    ("NG", "Nigeria", "尼日利亚", "nigeria|尼日利亚"),
    ("NL", "Netherlands", "荷兰", "netherlands|the netherlands|~holland|nederland|荷兰"),
    ("NO", "Norway", "挪威", "norway|norge|挪威"),
    ("NP", "Nepal", "尼泊尔", "nepal|尼泊尔"),
    ("NZ", "New Zealand", "新西兰", "new zealand|新西兰"),
    ("OM", "Oman", "阿曼", "~oman|阿曼"),
    ("PA", "Panama", "巴拿马", "~panama|巴拿马"),
    ("PE", "Peru", "秘鲁", "~peru|秘鲁"),
    ("PH", "Philippines", "菲律宾", "philippines|the philippines|菲律宾"),
    ("PK", "Pakistan", "巴基斯坦", "pakistan|巴基斯坦"),
    ("PL", "Poland", "波兰", "poland|polska|波兰"),
    ("PT", "Portugal", "葡萄牙", "portugal|葡萄牙"),
    ("PY", "Paraguay", "巴拉圭", "paraguay|巴拉圭"),
    ("QA", "Qatar", "卡塔尔", "qatar|卡塔尔"),
    ("RO", "Romania", "罗马尼亚", "romania|罗马尼亚"),
    ("RS", "Serbia", "塞尔维亚", "serbia|塞尔维亚"),
    ("RU", "Russia", "俄罗斯", "russia|russian federation|россия|российская федерация|俄罗斯联邦|俄罗斯|俄国"),
    ("SA", "Saudi Arabia", "沙特阿拉伯", "saudi arabia|kingdom of saudi arabia|~saudi|^KSA|沙特阿拉伯|沙特"),
    ("SD", "Sudan", "苏丹", "~sudan|苏丹"),
    ("SE", "Sweden", "瑞典", "sweden|sverige|瑞典"),
    ("SG", "Singapore", "新加坡", "singapore|新加坡"),
    ("SI", "Slovenia", "斯洛文尼亚", "slovenia|斯洛文尼亚"),
    ("SK", "Slovakia", "斯洛伐克", "slovakia|斯洛伐克"),
    ("SN", "Senegal", "塞内加尔", "senegal|塞内加尔"),
    ("SS", "South Sudan", "南苏丹", "south sudan|南苏丹"),
    ("SY", "Syria", "叙利亚", "syria|syrian arab republic|сирия|叙利亚"),
    ("TH", "Thailand", "泰国", "thailand|泰国"),
    ("TN", "Tunisia", "突尼斯", "tunisia|突尼斯"),
    ("TR", "Turkey", "土耳其", "~turkey|turkiye|republic of turkey|土耳其"),
    ("TW", "Taiwan", "台湾", "taiwan|中国台湾|台湾|臺灣"),
    ("TZ", "Tanzania", "坦桑尼亚", "tanzania|坦桑尼亚"),
    ("UA", "Ukraine", "乌克兰", "ukraine|the ukraine|украина|україна|乌克兰"),
    ("UG", "Uganda", "乌干达", "uganda|乌干达"),
    ("US", "United States", "美国", "united states|united states of america|^US|^USA|^U.S|^U.S.A|~america|new mexico|new england|美利坚合众国|美国"),
    ("UY", "Uruguay", "乌拉圭", "uruguay|乌拉圭"),
    ("UZ", "Uzbekistan", "乌兹别克斯坦", "uzbekistan|乌兹别克斯坦"),
    ("VE", "Venezuela", "委内瑞拉", "venezuela|bolivarian republic of venezuela|委内瑞拉"),
    ("VN", "Vietnam", "越南", "vietnam|viet nam|越南"),
    ("YE", "Yemen", "也门", "yemen|也门"),
    ("ZA", "South Africa", "南非", "south africa|^RSA|南非"),
];

/// Phrases that contain a country alias but name no destination; matching
/// them (longest wins) hides the shorter alias inside.
const BLOCKERS: &str = "south america|latin america|north america|central america|us $|us dollar|us dollars|u.s. dollar|u.s. dollars|us-dollar|turkey sandwich|china clay|fine china|bone china";

/// (English name, ISO alpha-2, ISO 3166-2 region when it matters for
/// sanctions, aliases).
const PLACES: &[(&str, &str, Option<&str>, &str)] = &[
    // Sanctioned regions of Ukraine: they must resolve to UA plus the region.
    (
        "Crimea",
        "UA",
        Some("UA-43"),
        "crimea|republic of crimea|autonomous republic of crimea|crimean peninsula|крым|克里米亚",
    ),
    ("Simferopol", "UA", Some("UA-43"), "simferopol|симферополь|辛菲罗波尔"),
    ("Yalta", "UA", Some("UA-43"), "~yalta|ялта|雅尔塔"),
    ("Kerch", "UA", Some("UA-43"), "kerch|керчь|刻赤"),
    ("Feodosia", "UA", Some("UA-43"), "feodosia|feodosiya|феодосия"),
    ("Sevastopol", "UA", Some("UA-40"), "sevastopol|sebastopol|севастополь|塞瓦斯托波尔"),
    ("Donetsk", "UA", Some("UA-14"), "donetsk|^DNR|^DPR|donetsk people's republic|донецк|顿涅茨克"),
    ("Mariupol", "UA", Some("UA-14"), "mariupol|мариуполь|马里乌波尔"),
    ("Luhansk", "UA", Some("UA-09"), "luhansk|lugansk|^LNR|^LPR|luhansk people's republic|луганск|卢甘斯克|卢汉斯克"),
    ("Kyiv", "UA", None, "kyiv|kiev|київ|киев|基辅"),
    ("Odesa", "UA", None, "odesa|odessa|одесса|敖德萨"),
    // Ports, free zones, cities and occupied areas of the embargoed and
    // sectorally sanctioned countries. Ports as UN/LOCODE (UNECE) names them;
    // Iran's free trade-industrial zones as designated under Iran's Law on
    // the Administration of Free Trade-Industrial Zones (1993) and listed by
    // the Secretariat of its High Council of Free Zones (Kish, Qeshm,
    // Chabahar, Arvand, Anzali, Aras, Maku); Cuba's Mariel Special
    // Development Zone under Decree-Law 313 (2013); the occupied areas of
    // Ukraine as Council Regulations (EU) No 692/2014 and 2022/263 name them.
    ("Yevpatoria", "UA", Some("UA-43"), "yevpatoria|evpatoria|yevpatoriya|евпатория"),
    ("Dzhankoi", "UA", Some("UA-43"), "dzhankoi|dzhankoy|джанкой"),
    ("Makiivka", "UA", Some("UA-14"), "makiivka|makeevka|макеевка"),
    ("Horlivka", "UA", Some("UA-14"), "horlivka|gorlovka|горловка"),
    ("Alchevsk", "UA", Some("UA-09"), "alchevsk|алчевск"),
    ("Melitopol", "UA", Some("UA-23"), "melitopol|мелитополь|梅利托波尔"),
    ("Berdiansk", "UA", Some("UA-23"), "berdiansk|berdyansk|бердянск|别尔江斯克"),
    ("Henichesk", "UA", Some("UA-65"), "henichesk|genichesk|геническ"),
    ("Skadovsk", "UA", Some("UA-65"), "skadovsk|скадовск"),
    ("Nova Kakhovka", "UA", Some("UA-65"), "nova kakhovka|novaya kakhovka|новая каховка"),
    ("Moscow", "RU", None, "moscow|moskva|москва|莫斯科"),
    (
        "St Petersburg",
        "RU",
        None,
        "st petersburg|st. petersburg|saint petersburg|saint-petersburg|sankt petersburg|санкт-петербург|圣彼得堡",
    ),
    ("Vladivostok", "RU", None, "vladivostok|владивосток|符拉迪沃斯托克|海参崴"),
    ("Novorossiysk", "RU", None, "novorossiysk|новороссийск|新罗西斯克"),
    ("Kaliningrad", "RU", None, "kaliningrad|калининград|加里宁格勒"),
    ("Yekaterinburg", "RU", None, "yekaterinburg|ekaterinburg|екатеринбург|叶卡捷琳堡"),
    ("Novosibirsk", "RU", None, "novosibirsk|новосибирск|新西伯利亚"),
    ("Ust-Luga", "RU", None, "ust-luga|ust luga|усть-луга|乌斯季卢加"),
    ("Primorsk", "RU", None, "~primorsk|приморск"),
    ("Murmansk", "RU", None, "murmansk|мурманск|摩尔曼斯克"),
    ("Arkhangelsk", "RU", None, "arkhangelsk|архангельск|阿尔汉格尔斯克"),
    ("Nakhodka", "RU", None, "nakhodka|находка|纳霍德卡"),
    ("Vostochny", "RU", None, "vostochny|vostochnyy|восточный|东方港"),
    ("Vanino", "RU", None, "vanino|ванино"),
    ("Taganrog", "RU", None, "taganrog|таганрог"),
    ("Rostov-on-Don", "RU", None, "rostov-on-don|rostov na donu|rostov|ростов-на-дону|罗斯托夫"),
    ("Tuapse", "RU", None, "tuapse|туапсе"),
    ("Astrakhan", "RU", None, "astrakhan|астрахань|阿斯特拉罕"),
    ("Makhachkala", "RU", None, "makhachkala|махачкала"),
    ("Kazan", "RU", None, "~kazan|казань|喀山"),
    ("Nizhny Novgorod", "RU", None, "nizhny novgorod|nizhniy novgorod|нижний новгород|下诺夫哥罗德"),
    ("Samara", "RU", None, "~samara|самара|萨马拉"),
    ("Chelyabinsk", "RU", None, "chelyabinsk|челябинск|车里雅宾斯克"),
    ("Krasnodar", "RU", None, "krasnodar|краснодар|克拉斯诺达尔"),
    ("Krasnoyarsk", "RU", None, "krasnoyarsk|красноярск|克拉斯诺亚尔斯克"),
    ("Irkutsk", "RU", None, "irkutsk|иркутск|伊尔库茨克"),
    ("Khabarovsk", "RU", None, "khabarovsk|хабаровск|哈巴罗夫斯克"),
    ("Ufa", "RU", None, "~ufa|уфа"),
    ("Omsk", "RU", None, "~omsk|омск|鄂木斯克"),
    ("Perm", "RU", None, "~perm|пермь|彼尔姆"),
    ("Voronezh", "RU", None, "voronezh|воронеж"),
    ("Volgograd", "RU", None, "volgograd|волгоград|伏尔加格勒"),
    ("Minsk", "BY", None, "minsk|минск|明斯克"),
    ("Brest", "BY", None, "брест"),
    ("Grodno", "BY", None, "grodno|hrodna|гродно"),
    ("Gomel", "BY", None, "gomel|homel|гомель"),
    ("Vitebsk", "BY", None, "vitebsk|віцебск|витебск"),
    ("Mogilev", "BY", None, "mogilev|mahilyow|могилёв|могилев"),
    ("Tehran", "IR", None, "tehran|teheran|德黑兰"),
    ("Bandar Abbas", "IR", None, "bandar abbas|bandar-e abbas|shahid rajaee|shahid rajaei|阿巴斯港"),
    ("Bushehr", "IR", None, "bushehr|bushire|布什尔"),
    ("Bandar Imam Khomeini", "IR", None, "bandar imam khomeini|bandar-e emam khomeyni|伊玛目霍梅尼港"),
    ("Chabahar", "IR", None, "chabahar|恰巴哈尔"),
    ("Khorramshahr", "IR", None, "khorramshahr|霍拉姆沙赫尔"),
    ("Bandar Anzali", "IR", None, "bandar anzali|anzali|安扎利"),
    ("Asaluyeh", "IR", None, "asaluyeh|assaluyeh|阿萨卢耶"),
    ("Amirabad", "IR", None, "~amirabad"),
    ("Nowshahr", "IR", None, "nowshahr|noshahr"),
    ("Kish Island", "IR", None, "kish island|kish free zone|~kish|基什岛"),
    ("Qeshm", "IR", None, "qeshm|qeshm island|格什姆"),
    ("Arvand Free Zone", "IR", None, "arvand free zone|~arvand"),
    ("Aras Free Zone", "IR", None, "aras free zone"),
    ("Maku Free Zone", "IR", None, "maku free zone|~maku"),
    ("Isfahan", "IR", None, "isfahan|esfahan|伊斯法罕"),
    ("Mashhad", "IR", None, "mashhad|马什哈德"),
    ("Tabriz", "IR", None, "tabriz|大不里士"),
    ("Shiraz", "IR", None, "~shiraz|设拉子"),
    ("Ahvaz", "IR", None, "ahvaz|ahwaz|阿瓦士"),
    ("Karaj", "IR", None, "~karaj|卡拉季"),
    ("Qom", "IR", None, "~qom|库姆"),
    ("Havana", "CU", None, "havana|la habana|哈瓦那"),
    ("Mariel", "CU", None, "~mariel|zed mariel|mariel special development zone|马里埃尔"),
    ("Santiago de Cuba", "CU", None, "santiago de cuba|圣地亚哥德古巴"),
    ("Cienfuegos", "CU", None, "cienfuegos|西恩富戈斯"),
    ("Matanzas", "CU", None, "matanzas|马坦萨斯"),
    ("Holguín", "CU", None, "holguin|奥尔金"),
    ("Pyongyang", "KP", None, "pyongyang|평양|平壤"),
    ("Nampo", "KP", None, "nampo|南浦"),
    ("Chongjin", "KP", None, "chongjin|清津"),
    ("Rason", "KP", None, "rason|rajin|rajin-sonbong|罗先|罗津"),
    ("Wonsan", "KP", None, "wonsan|元山"),
    ("Hamhung", "KP", None, "hamhung|hungnam|咸兴|兴南"),
    ("Haeju", "KP", None, "haeju|海州"),
    ("Sinuiju", "KP", None, "sinuiju|新义州"),
    ("Kaesong", "KP", None, "kaesong|开城"),
    ("Damascus", "SY", None, "damascus|大马士革"),
    ("Latakia", "SY", None, "latakia|lattakia|拉塔基亚"),
    ("Tartus", "SY", None, "tartus|tartous|塔尔图斯"),
    ("Baniyas", "SY", None, "baniyas|banias|巴尼亚斯"),
    ("Aleppo", "SY", None, "aleppo|阿勒颇"),
    ("Homs", "SY", None, "~homs|霍姆斯"),
    ("Hama", "SY", None, "~hama|哈马"),
    ("Caracas", "VE", None, "caracas|加拉加斯"),
    ("La Guaira", "VE", None, "la guaira|拉瓜伊拉"),
    ("Puerto Cabello", "VE", None, "puerto cabello|卡贝略港"),
    ("Maracaibo", "VE", None, "maracaibo|马拉开波"),
    ("Yangon", "MM", None, "yangon|rangoon|仰光"),
    ("Thilawa", "MM", None, "thilawa|迪洛瓦"),
    ("Mandalay", "MM", None, "mandalay|曼德勒"),
    ("Naypyidaw", "MM", None, "naypyidaw|nay pyi taw|内比都"),
    // Europe.
    ("Hamburg", "DE", None, "hamburg|汉堡"),
    ("Bremen", "DE", None, "bremen|不来梅"),
    ("Bremerhaven", "DE", None, "bremerhaven|不来梅港"),
    ("Berlin", "DE", None, "berlin|柏林"),
    ("Munich", "DE", None, "munich|munchen|muenchen|慕尼黑"),
    ("Frankfurt", "DE", None, "frankfurt|法兰克福"),
    ("Düsseldorf", "DE", None, "dusseldorf|duesseldorf|杜塞尔多夫"),
    ("Cologne", "DE", None, "cologne|koln|koeln|科隆"),
    ("Stuttgart", "DE", None, "stuttgart|斯图加特"),
    ("Rotterdam", "NL", None, "rotterdam|鹿特丹"),
    ("Amsterdam", "NL", None, "amsterdam|阿姆斯特丹"),
    ("Antwerp", "BE", None, "antwerp|antwerpen|anvers|安特卫普"),
    ("Brussels", "BE", None, "brussels|bruxelles|brussel|布鲁塞尔"),
    ("Felixstowe", "GB", None, "felixstowe|费利克斯托"),
    ("Southampton", "GB", None, "southampton|南安普顿"),
    ("London", "GB", None, "london|伦敦"),
    ("Manchester", "GB", None, "manchester|曼彻斯特"),
    ("Liverpool", "GB", None, "liverpool|利物浦"),
    ("Le Havre", "FR", None, "le havre|勒阿弗尔"),
    ("Marseille", "FR", None, "marseille|marseilles|马赛"),
    ("Paris", "FR", None, "paris|巴黎"),
    ("Genoa", "IT", None, "genoa|genova|热那亚"),
    ("Milan", "IT", None, "milan|milano|米兰"),
    ("La Spezia", "IT", None, "la spezia|拉斯佩齐亚"),
    ("Valencia", "ES", None, "valencia|瓦伦西亚|巴伦西亚"),
    ("Barcelona", "ES", None, "barcelona|巴塞罗那"),
    ("Algeciras", "ES", None, "algeciras|阿尔赫西拉斯"),
    ("Madrid", "ES", None, "madrid|马德里"),
    ("Lisbon", "PT", None, "lisbon|lisboa|里斯本"),
    ("Piraeus", "GR", None, "piraeus|比雷埃夫斯"),
    ("Athens", "GR", None, "athens|雅典"),
    ("Gdansk", "PL", None, "gdansk|格但斯克"),
    ("Warsaw", "PL", None, "warsaw|warszawa|华沙"),
    ("Gothenburg", "SE", None, "gothenburg|goteborg|哥德堡"),
    ("Stockholm", "SE", None, "stockholm|斯德哥尔摩"),
    ("Copenhagen", "DK", None, "copenhagen|kobenhavn|哥本哈根"),
    ("Aarhus", "DK", None, "aarhus|奥胡斯"),
    ("Oslo", "NO", None, "oslo|奥斯陆"),
    ("Helsinki", "FI", None, "helsinki|赫尔辛基"),
    ("Vienna", "AT", None, "vienna|wien|维也纳"),
    ("Zurich", "CH", None, "zurich|苏黎世"),
    ("Prague", "CZ", None, "prague|praha|布拉格"),
    ("Budapest", "HU", None, "budapest|布达佩斯"),
    ("Constanța", "RO", None, "constanta|康斯坦察"),
    ("Istanbul", "TR", None, "istanbul|伊斯坦布尔"),
    ("Mersin", "TR", None, "mersin|梅尔辛"),
    ("Izmir", "TR", None, "izmir|伊兹密尔"),
    // Americas.
    ("Los Angeles", "US", None, "los angeles|^LA port|洛杉矶"),
    ("Long Beach", "US", None, "~long beach|长滩"),
    ("New York", "US", None, "new york|^NYC|纽约"),
    ("Houston", "US", None, "houston|休斯顿"),
    ("Savannah", "US", None, "~savannah|萨凡纳"),
    ("Seattle", "US", None, "seattle|西雅图"),
    ("Chicago", "US", None, "chicago|芝加哥"),
    ("Miami", "US", None, "miami|迈阿密"),
    ("Oakland", "US", None, "oakland"),
    ("Vancouver", "CA", None, "vancouver|温哥华"),
    ("Toronto", "CA", None, "toronto|多伦多"),
    ("Montreal", "CA", None, "montreal|蒙特利尔"),
    ("Santos", "BR", None, "~santos|桑托斯"),
    ("São Paulo", "BR", None, "sao paulo|圣保罗"),
    ("Buenos Aires", "AR", None, "buenos aires|布宜诺斯艾利斯"),
    ("Valparaíso", "CL", None, "valparaiso|瓦尔帕莱索"),
    ("Callao", "PE", None, "callao|卡亚俄"),
    ("Lima", "PE", None, "~lima|利马"),
    // Middle East and South Asia.
    ("Dubai", "AE", None, "dubai|迪拜"),
    ("Jebel Ali", "AE", None, "jebel ali|jabal ali|jebel ali free zone|jafza|杰贝阿里"),
    ("Abu Dhabi", "AE", None, "abu dhabi|阿布扎比"),
    ("Sharjah", "AE", None, "sharjah|沙迦"),
    ("Jeddah", "SA", None, "jeddah|jiddah|jidda|吉达"),
    ("Riyadh", "SA", None, "riyadh|利雅得"),
    ("Dammam", "SA", None, "dammam|达曼"),
    ("Doha", "QA", None, "doha|多哈"),
    ("Muscat", "OM", None, "muscat|马斯喀特"),
    ("Tel Aviv", "IL", None, "tel aviv|特拉维夫"),
    ("Haifa", "IL", None, "haifa|海法"),
    ("Beirut", "LB", None, "beirut|贝鲁特"),
    ("Baghdad", "IQ", None, "baghdad|巴格达"),
    ("Mumbai", "IN", None, "mumbai|~bombay|孟买"),
    (
        "Nhava Sheva",
        "IN",
        None,
        "nhava sheva|nhavasheva|^JNPT|jawaharlal nehru port|navi mumbai|那瓦舍瓦|纳瓦舍瓦|新孟买",
    ),
    ("Chennai", "IN", None, "chennai|~madras|金奈"),
    ("Mundra", "IN", None, "mundra|蒙德拉"),
    ("Kolkata", "IN", None, "kolkata|calcutta|加尔各答"),
    ("New Delhi", "IN", None, "new delhi|delhi|新德里"),
    ("Karachi", "PK", None, "karachi|卡拉奇"),
    ("Chittagong", "BD", None, "chittagong|chattogram|吉大港"),
    ("Colombo", "LK", None, "~colombo|科伦坡"),
    // East and South-East Asia.
    ("Singapore", "SG", None, "singapore|新加坡"),
    ("Port Klang", "MY", None, "port klang|巴生港"),
    ("Kuala Lumpur", "MY", None, "kuala lumpur|吉隆坡"),
    ("Penang", "MY", None, "penang|槟城"),
    ("Jakarta", "ID", None, "jakarta|雅加达"),
    ("Tanjung Priok", "ID", None, "tanjung priok|丹戎不碌"),
    ("Surabaya", "ID", None, "surabaya|泗水"),
    ("Ho Chi Minh City", "VN", None, "ho chi minh city|ho chi minh|^HCMC|saigon|胡志明市|胡志明"),
    ("Hai Phong", "VN", None, "hai phong|haiphong|海防"),
    ("Hanoi", "VN", None, "hanoi|ha noi|河内"),
    ("Bangkok", "TH", None, "bangkok|曼谷"),
    ("Laem Chabang", "TH", None, "laem chabang|林查班|廉差邦"),
    ("Manila", "PH", None, "manila|马尼拉"),
    ("Phnom Penh", "KH", None, "phnom penh|金边"),
    ("Busan", "KR", None, "busan|pusan|釜山"),
    ("Seoul", "KR", None, "seoul|首尔"),
    ("Tokyo", "JP", None, "tokyo|东京"),
    ("Yokohama", "JP", None, "yokohama|横滨"),
    ("Osaka", "JP", None, "osaka|大阪"),
    ("Nagoya", "JP", None, "nagoya|名古屋"),
    ("Kaohsiung", "TW", None, "kaohsiung|高雄"),
    ("Taipei", "TW", None, "taipei|台北"),
    // China: our own side, usually the origin ("FOB Shenzhen").
    ("Shanghai", "CN", None, "shanghai|上海"),
    ("Shenzhen", "CN", None, "shenzhen|深圳"),
    ("Ningbo", "CN", None, "ningbo|宁波"),
    ("Qingdao", "CN", None, "qingdao|青岛"),
    ("Guangzhou", "CN", None, "guangzhou|canton|广州"),
    ("Xiamen", "CN", None, "xiamen|厦门"),
    ("Tianjin", "CN", None, "tianjin|天津"),
    ("Yantian", "CN", None, "yantian|盐田"),
    // Oceania.
    ("Sydney", "AU", None, "~sydney|悉尼"),
    ("Melbourne", "AU", None, "melbourne|墨尔本"),
    ("Brisbane", "AU", None, "brisbane|布里斯班"),
    ("Perth", "AU", None, "~perth|珀斯"),
    ("Auckland", "NZ", None, "auckland|奥克兰"),
    // Africa.
    ("Durban", "ZA", None, "durban|德班"),
    ("Cape Town", "ZA", None, "cape town|开普敦"),
    ("Johannesburg", "ZA", None, "johannesburg|约翰内斯堡"),
    ("Lagos", "NG", None, "~lagos|拉各斯"),
    ("Mombasa", "KE", None, "mombasa|蒙巴萨"),
    ("Nairobi", "KE", None, "nairobi|内罗毕"),
    ("Dar es Salaam", "TZ", None, "dar es salaam|达累斯萨拉姆"),
    ("Alexandria", "EG", None, "~alexandria|亚历山大港|亚历山大"),
    ("Port Said", "EG", None, "port said|塞得港"),
    ("Cairo", "EG", None, "cairo|开罗"),
    ("Casablanca", "MA", None, "casablanca|卡萨布兰卡"),
    ("Tangier", "MA", None, "tangier|tanger med|丹吉尔"),
    ("Tema", "GH", None, "~tema|特马港"),
    ("Abidjan", "CI", None, "abidjan|阿比让"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Blocker = 0,
    Country = 1,
    Place = 2,
    Region = 3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Any,
    Upper,
    Capital,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    iso: &'static str,
    place: Option<&'static str>,
    region: Option<&'static str>,
    level: Level,
}

/// A place named in a message: tokens `start..end` of the `Doc`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlaceHit {
    pub start: usize,
    pub end: usize,
    entry: u32,
}

pub(crate) struct Gazetteer {
    index: PhraseIndex,
    entries: Vec<Entry>,
    /// Per alias pattern: (entry, case rule).
    aliases: Vec<(u32, Case)>,
}

impl Gazetteer {
    fn build() -> Self {
        let mut g = Gazetteer { index: PhraseIndex::new(false), entries: Vec::new(), aliases: Vec::new() };
        for &(iso, _, zh, aliases) in COUNTRIES {
            let e = g.push_entry(Entry { iso, place: None, region: None, level: Level::Country });
            g.add_aliases(e, aliases);
            g.add_aliases(e, zh);
        }
        for &(name, iso, region, aliases) in PLACES {
            let level = if region.is_some() { Level::Region } else { Level::Place };
            let e = g.push_entry(Entry { iso, place: Some(name), region, level });
            g.add_aliases(e, aliases);
        }
        let b = g.push_entry(Entry { iso: "", place: None, region: None, level: Level::Blocker });
        g.add_aliases(b, BLOCKERS);
        g
    }

    fn push_entry(&mut self, e: Entry) -> u32 {
        self.entries.push(e);
        (self.entries.len() - 1) as u32
    }

    fn add_aliases(&mut self, entry: u32, aliases: &str) {
        for a in aliases.split('|') {
            let (case, text) = match a.as_bytes().first() {
                Some(b'^') => (Case::Upper, &a[1..]),
                Some(b'~') => (Case::Capital, &a[1..]),
                _ => (Case::Any, a),
            };
            let id = self.aliases.len() as u32;
            if self.index.add(text, id) > 0 {
                self.aliases.push((entry, case));
            }
        }
    }

    /// All places in `doc`, longest first where they overlap, skipping tokens
    /// inside `masks` (e-mail addresses, URLs).
    pub(crate) fn find(&self, doc: &Doc, masks: &[(usize, usize)]) -> Vec<PlaceHit> {
        let mut hits: Vec<Hit> = Vec::new();
        self.index.find_all(doc, &mut hits);
        // In a message typed in capitals "SEND IT TO US" is a pronoun, so
        // two-letter codes only count in mixed-case text.
        let (mut upper, mut lower) = (0usize, 0usize);
        if hits.iter().any(|h| self.aliases.get(h.payload as usize).is_some_and(|a| a.1 == Case::Upper)) {
            for c in doc.text.chars() {
                upper += usize::from(c.is_uppercase());
                lower += usize::from(c.is_lowercase());
            }
        }
        let shouting = upper > 2 * lower;
        hits.retain(|h| {
            let Some(&(_, case)) = self.aliases.get(h.payload as usize) else { return false };
            let ok_case = match case {
                Case::Any => true,
                Case::Upper if shouting && h.end - h.start == 1 && doc.norm_of(h.start).len() <= 2 => false,
                Case::Upper => (h.start..h.end).all(|i| doc.kind(i) != Some(Kind::Word) || doc.all_upper(i)),
                Case::Capital => doc.starts_upper(h.start),
            };
            ok_case && !(h.start..h.end).any(|i| doc.in_spans(i, masks))
        });
        let level = |h: &Hit| {
            self.aliases
                .get(h.payload as usize)
                .and_then(|&(e, _)| self.entries.get(e as usize))
                .map_or(Level::Blocker, |e| e.level)
        };
        leftmost_longest(&mut hits, |a, b| level(a) > level(b));
        hits.into_iter()
            .filter_map(|h| {
                let &(e, _) = self.aliases.get(h.payload as usize)?;
                let entry = self.entries.get(e as usize)?;
                (entry.level != Level::Blocker).then_some(PlaceHit { start: h.start, end: h.end, entry: e })
            })
            .collect()
    }

    fn entry(&self, h: &PlaceHit) -> Option<&Entry> {
        self.entries.get(h.entry as usize)
    }

    /// Picks the final destination among the places a message names: the
    /// most specific one with destination cues ("to", "发到", "CIF"),
    /// avoiding origin cues ("FOB", "from", "起运") and our own country, and
    /// behind any transit or re-export the message describes.
    pub(crate) fn choose(&self, doc: &Doc, hits: &[PlaceHit], ctx: &DestContext) -> Option<Destination> {
        self.route(doc, hits, ctx).destination
    }

    /// Start tokens of every place, for callers that must not read a postal
    /// code ("20095 Hamburg") as a quantity.
    pub(crate) fn starts(hits: &[PlaceHit]) -> Vec<usize> {
        hits.iter().map(|h| h.start).collect()
    }
}

/// What the destination choice needs to know beyond the places themselves.
#[derive(Debug, Default)]
pub(crate) struct DestContext {
    /// Original byte ranges of company names: a city inside a company name
    /// says where the buyer is registered, weaker evidence than "ship to".
    pub company_spans: Vec<(usize, usize)>,
    /// Incoterms by token index, with whether their named place is the
    /// destination (C and D terms) or the origin (E and F terms).
    pub incoterms: Vec<(usize, bool)>,
}

const DEST_WORDS: &[&str] = &[
    "to",
    "into",
    "destination",
    "destined",
    "deliver",
    "delivered",
    "delivery",
    "ship",
    "shipped",
    "shipping",
    "send",
    "sent",
    "import",
    "imported",
    "discharge",
    "pod",
    "consignee",
    "arrive",
    "arrival",
];
/// Words before a place the goods only pass through.
const TRANSIT_WORDS: &[&str] = &[
    "via",
    "through",
    "thru",
    "transit",
    "transiting",
    "transhipment",
    "transshipment",
    "transhipped",
    "transshipped",
    "tranship",
    "transship",
    "stopover",
];
/// Words before a place that say it is where the goods end up, after
/// whatever stops came before.
const ONWARD_WORDS: &[&str] = &[
    "final",
    "ultimate",
    "reexport",
    "reexported",
    "reexporting",
    "onward",
    "onwards",
    "forwarded",
    "then",
    "finally",
    "eventually",
    "truck",
    "trucked",
];
const ORIGIN_WORDS: &[&str] = &["ex", "loading", "pol", "origin", "exw", "fca", "fas", "fob"];
const DEST_CJK: &[&str] =
    &["发到", "发往", "运到", "运往", "送到", "寄到", "到", "往", "至", "目的港", "目的地", "进口", "卸货"];
/// Chinese words before a place the goods pass through.
const TRANSIT_CJK: &[&str] = &["经由", "途经", "经过", "中转", "过境"];
/// Chinese words before the place the goods end up in.
const ONWARD_CJK: &[&str] = &["转口", "转运", "再出口", "最终目的", "最终", "然后", "再运", "再发", "再转"];
const ORIGIN_CJK: &[&str] = &["起运", "装货", "离岸", "出发", "从", "产地"];

/// What the words before a place say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    None,
    Origin,
    /// The goods pass through ("via Beirut", "经迪拜").
    Transit,
    /// The goods go there ("to Hamburg", "发到汉堡").
    Destination,
    /// The goods end up there, after any stop ("then by truck to Damascus",
    /// "re-export them to Bushehr", "final destination Manila", "转口至伊朗").
    Onward,
}

impl Cue {
    fn score(self) -> i32 {
        match self {
            Cue::None => 0,
            Cue::Origin => -12,
            Cue::Transit => 2,
            Cue::Destination => 6,
            Cue::Onward => 10,
        }
    }
}

/// Destination, transit and origin cues in the few tokens before `start`,
/// stopping at a sentence boundary.
fn cue_of(doc: &Doc, start: usize, ctx: &DestContext) -> Cue {
    let mut cue = Cue::None;
    let lo = start.saturating_sub(4);
    let mut cjk = String::new();
    let mut i = start;
    while i > lo {
        i -= 1;
        if doc.is_boundary(i) {
            break;
        }
        // An origin cue further back than a destination cue does not undo
        // it: "FOB Ningbo, destination Mombasa".
        if let Some(&(_, dest)) = ctx.incoterms.iter().find(|(t, _)| *t == i) {
            return if dest {
                Cue::Destination.max_with(cue)
            } else if cue != Cue::None {
                cue
            } else {
                Cue::Origin
            };
        }
        match doc.kind(i) {
            Some(Kind::Word) => {
                let w = doc.norm_of(i);
                if ORIGIN_WORDS.contains(&w) {
                    return if cue != Cue::None { cue } else { Cue::Origin };
                }
                if w == "from" {
                    // "shipped from X" is an origin; "we are from X" is the buyer.
                    let prev = doc.norm_of(i.wrapping_sub(1));
                    if matches!(prev, "ship" | "shipped" | "shipping" | "dispatch" | "dispatched" | "sent" | "send") {
                        return Cue::Origin;
                    }
                    return cue;
                }
                if ONWARD_WORDS.contains(&w) {
                    cue = cue.max_with(Cue::Onward);
                } else if TRANSIT_WORDS.contains(&w) {
                    // "via" right before the place wins over an earlier "to".
                    if cue != Cue::Onward {
                        cue = Cue::Transit;
                    }
                } else if DEST_WORDS.contains(&w) && cue == Cue::None {
                    cue = Cue::Destination;
                }
            }
            Some(Kind::Cjk) => cjk.insert_str(0, doc.norm_of(i)),
            _ => {}
        }
    }
    if !cjk.is_empty() {
        if ORIGIN_CJK.iter().any(|c| cjk.contains(c)) {
            return Cue::Origin;
        }
        if ONWARD_CJK.iter().any(|c| cjk.contains(c)) {
            return Cue::Onward;
        }
        // 经 alone only right before the place: 经理 is a manager.
        if TRANSIT_CJK.iter().any(|c| cjk.contains(c)) || cjk.ends_with('经') {
            return Cue::Transit;
        }
        if DEST_CJK.iter().any(|c| cjk.ends_with(c) || cjk.contains(c)) {
            cue = cue.max_with(Cue::Destination);
        }
    }
    cue
}

impl Cue {
    /// The stronger claim that the goods end there.
    fn max_with(self, other: Cue) -> Cue {
        if other.score() > self.score() {
            other
        } else {
            self
        }
    }
}

/// US states and their postal codes: a place followed by one of them is in
/// the United States ("Havana, FL", "Havana, Florida"). Georgia is left out:
/// it is also a country.
const US_STATES: &[&str] = &[
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "california",
    "colorado",
    "connecticut",
    "delaware",
    "florida",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "rhode island",
    "south carolina",
    "south dakota",
    "tennessee",
    "texas",
    "utah",
    "vermont",
    "virginia",
    "washington",
    "west virginia",
    "wisconsin",
    "wyoming",
];
const US_STATE_CODES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
    "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
];

/// A place as it resolves in this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub iso: &'static str,
    pub place: Option<&'static str>,
    pub region: Option<&'static str>,
}

/// The route a message describes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Route {
    /// Where the goods end up.
    pub destination: Option<Destination>,
    /// Where they pass on the way, in the order the message names them.
    pub transit: Vec<Destination>,
}

impl Gazetteer {
    /// The country a place hit stands for in this message: its own, unless
    /// a state or another country is written right after it ("Havana, FL").
    pub(crate) fn resolve(&self, doc: &Doc, hits: &[PlaceHit], k: usize) -> Option<Resolved> {
        let h = hits.get(k)?;
        let e = self.entry(h)?;
        let own = Resolved { iso: e.iso, place: e.place, region: e.region };
        if e.level < Level::Place {
            return Some(own);
        }
        // ", <state>" or ", <ST>" right after the place.
        let mut i = h.end;
        if doc.is_punct(i, ',') {
            i += 1;
        }
        if i > h.end || doc.kind(i) == Some(Kind::Word) {
            let one = doc.norm_of(i);
            let two = format!("{one} {}", doc.norm_of(i + 1));
            let code = doc.orig_of(i);
            let state = US_STATES.contains(&one)
                || US_STATES.contains(&two.as_str())
                || (i > h.end && US_STATE_CODES.contains(&code) && doc.all_upper(i));
            if state && e.iso != "US" {
                return Some(Resolved { iso: "US", place: None, region: None });
            }
        }
        // A country right after the place (", Venezuela") says which one.
        if let Some(next) = hits.get(k + 1) {
            // Only a comma or a bracket between them: "Valencia, Venezuela".
            let gap_ok = next.start >= h.end
                && next.start - h.end <= 2
                && (h.end..next.start).all(|t| doc.is_punct(t, ',') || doc.is_punct(t, '('));
            if let Some(ne) = self.entry(next).filter(|ne| ne.level == Level::Country && gap_ok) {
                if ne.iso != e.iso {
                    return Some(Resolved { iso: ne.iso, place: None, region: None });
                }
            }
        }
        Some(own)
    }

    /// The final destination and the stops before it.
    pub(crate) fn route(&self, doc: &Doc, hits: &[PlaceHit], ctx: &DestContext) -> Route {
        let resolved: Vec<Option<Resolved>> = (0..hits.len()).map(|k| self.resolve(doc, hits, k)).collect();
        let mut scores: Vec<i32> = Vec::with_capacity(hits.len());
        let mut cues: Vec<Cue> = Vec::with_capacity(hits.len());
        for (k, h) in hits.iter().enumerate() {
            let (Some(e), Some(r)) = (self.entry(h), resolved[k]) else {
                scores.push(i32::MIN);
                cues.push(Cue::None);
                continue;
            };
            let cue = cue_of(doc, h.start, ctx);
            let mut score = 2 * e.level as i32 + cue.score();
            if doc.in_spans(h.start, &ctx.company_spans) {
                score -= 3;
            }
            // We export from China: a Chinese place is usually the origin
            // unless a destination cue says otherwise.
            if r.iso == "CN" {
                score -= 4;
            }
            scores.push(score);
            cues.push(cue);
        }
        // "Hamburg, Germany", "德国汉堡", "俄罗斯的莫斯科": the city and its
        // country are one destination, so the city inherits the country's
        // cues and, being more specific, wins.
        for (k, h) in hits.iter().enumerate() {
            let (Some(e), Some(r)) = (self.entry(h), resolved[k]) else { continue };
            if e.level < Level::Place {
                continue;
            }
            for c in k.saturating_sub(2)..(k + 3).min(hits.len()) {
                let other = &hits[c];
                let (Some(oe), Some(or)) = (self.entry(other), resolved[c]) else { continue };
                let near = (other.end <= h.start && h.start - other.end <= 2)
                    || (h.end <= other.start && other.start - h.end <= 2);
                if oe.level == Level::Country && or.iso == r.iso && near && scores[c] != i32::MIN {
                    scores[k] = scores[k].max(scores[c] + 2);
                    if cues[c].score() > cues[k].score() {
                        cues[k] = cues[c];
                    }
                }
            }
        }
        let mut best: Option<(i32, usize)> = None;
        for (k, &score) in scores.iter().enumerate() {
            // On a route, the later of two equal claims is further along.
            if score > 0 && best.is_none_or(|(s, _)| score >= s && (score > s || cues[k] != Cue::None)) {
                best = Some((score, k));
            }
        }
        let Some((_, k)) = best else { return Route::default() };
        let destination = self.destination_of(doc, hits, k, resolved[k]);
        let final_iso = resolved[k].map(|r| r.iso);
        // Stops: places the goods pass through or are sent to before the
        // final destination, in other countries than it.
        let mut transit: Vec<Destination> = Vec::new();
        for (j, r) in resolved.iter().enumerate() {
            let Some(r) = r else { continue };
            let on_route = matches!(cues[j], Cue::Transit | Cue::Destination | Cue::Onward);
            if j == k || !on_route || Some(r.iso) == final_iso || r.iso == "CN" {
                continue;
            }
            // "Cuba, New Mexico", "Lebanon, PA": a name qualified by the place
            // right after it belongs to that place's country, not a stop.
            let qualified = hits.get(j + 1).is_some_and(|next| {
                next.start >= hits[j].end
                    && next.start - hits[j].end <= 2
                    && (hits[j].end..next.start).all(|t| doc.is_punct(t, ','))
                    && resolved[j + 1].is_some_and(|nr| Some(nr.iso) == final_iso)
            });
            if qualified {
                continue;
            }
            if transit.iter().any(|t| t.country == r.iso) {
                continue;
            }
            if let Some(d) = self.destination_of(doc, hits, j, Some(*r)) {
                transit.push(d);
            }
        }
        Route { destination, transit }
    }

    fn destination_of(&self, doc: &Doc, hits: &[PlaceHit], k: usize, r: Option<Resolved>) -> Option<Destination> {
        let h = hits.get(k)?;
        let r = r?;
        Some(Destination {
            country: r.iso.to_owned(),
            place: r.place.map(str::to_owned),
            region: r.region.map(str::to_owned),
            matched_text: doc.span(h.start, h.end).to_owned(),
        })
    }
}

pub(crate) fn global() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::build)
}

/// The destination a free-text message names, if any: a port or city beats a
/// bare country, destination cues ("to Hamburg", "发到汉堡", "CIF Jeddah")
/// beat places without them, and origin cues ("FOB Shenzhen") rule a place
/// out.
pub fn resolve_destination(text: &str) -> Option<Destination> {
    let capped = crate::text::cap(text, crate::text::SCAN_CAP);
    let doc = Doc::new(capped);
    let found = crate::contact::extract_doc(&doc);
    let gaz = global();
    let hits = gaz.find(&doc, &found.masks);
    let ctx = DestContext {
        company_spans: found.company_span.into_iter().collect(),
        incoterms: crate::contact::incoterms_doc(&doc, &Gazetteer::starts(&hits))
            .into_iter()
            .map(|(t, code)| (t, crate::contact::incoterm_names_destination(code)))
            .collect(),
    };
    gaz.choose(&doc, &hits, &ctx)
}

/// The ISO alpha-2 code of a country name or alias ("Deutschland", "德国",
/// "UAE"), if known.
pub fn country_code(name: &str) -> Option<&'static str> {
    let doc = Doc::new(name.trim());
    let gaz = global();
    let hits = gaz.find(&doc, &[]);
    let h = hits.first()?;
    if h.start != 0 || h.end != doc.len() {
        return None;
    }
    gaz.entry(h).map(|e| e.iso)
}

/// The English or Chinese short name of a country; unknown codes are
/// returned unchanged.
pub fn country_name(iso2: &str, lang: Lang) -> &str {
    for &(iso, en, zh, _) in COUNTRIES {
        if iso.eq_ignore_ascii_case(iso2.trim()) {
            return match lang {
                Lang::En => en,
                Lang::Zh => zh,
            };
        }
    }
    iso2
}

/// A city or port's name in a language: the English name as the tables
/// spell it, or its Chinese name (the first CJK alias), so a Chinese
/// document never shows "Hai Phong". `None` when the place is not in the
/// tables or has no Chinese name.
pub fn place_name(place: &str, lang: Lang) -> Option<&'static str> {
    let &(name, _, _, aliases) = PLACES.iter().find(|(name, ..)| name.eq_ignore_ascii_case(place.trim()))?;
    match lang {
        Lang::En => Some(name),
        Lang::Zh => aliases.split('|').find(|a| a.chars().any(is_cjk)),
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The ports and cities the gazetteer knows (sanctioned regions left out),
/// as (English name, Chinese name when it has one, ISO alpha-2): the
/// benchmark draws varied destinations from them.
pub fn known_places() -> Vec<(&'static str, Option<&'static str>, &'static str)> {
    let han = |a: &&str| a.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    PLACES
        .iter()
        .filter(|(_, _, region, _)| region.is_none())
        .map(|(en, iso, _, aliases)| (*en, aliases.split('|').find(han), *iso))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_have_chinese_names() {
        assert_eq!(place_name("Hai Phong", Lang::Zh), Some("海防"));
        assert_eq!(place_name("Hamburg", Lang::En), Some("Hamburg"));
        assert_eq!(place_name("Atlantis", Lang::Zh), None);
    }

    fn dest(text: &str) -> Option<(String, Option<String>, Option<String>)> {
        resolve_destination(text).map(|d| (d.country, d.place, d.region))
    }

    #[test]
    fn port_beats_bare_country() {
        let d = resolve_destination("Please ship to Hamburg, Germany").unwrap();
        assert_eq!(d.country, "DE");
        assert_eq!(d.place.as_deref(), Some("Hamburg"));
        assert_eq!(d.matched_text, "Hamburg");
    }

    #[test]
    fn crimea_resolves_to_ukraine_with_region() {
        assert_eq!(dest("Delivery to Crimea please"), Some(("UA".into(), Some("Crimea".into()), Some("UA-43".into()))));
        assert_eq!(dest("发到克里米亚").map(|d| d.2), Some(Some("UA-43".into())));
        assert_eq!(dest("ship to Sevastopol").map(|d| d.2), Some(Some("UA-40".into())));
        assert_eq!(dest("to Donetsk").map(|d| d.2), Some(Some("UA-14".into())));
        assert_eq!(dest("to Luhansk").map(|d| d.2), Some(Some("UA-09".into())));
        assert_eq!(dest("to Kyiv").map(|d| (d.0, d.2)), Some(("UA".into(), None)));
    }

    #[test]
    fn us_only_as_upper_case_whole_word() {
        assert_eq!(dest("We ship to the US next month").map(|d| d.0), Some("US".into()));
        assert_eq!(dest("Tell us about the bus we can use").map(|d| d.0), None);
        assert_eq!(dest("Our customers are in the U.S.").map(|d| d.0), Some("US".into()));
        assert_eq!(dest("Price in US$ please").map(|d| d.0), None);
        assert_eq!(dest("PLEASE SEND IT TO US").map(|d| d.0), None);
        assert_eq!(dest("PLEASE SEND IT TO THE USA").map(|d| d.0), Some("US".into()));
    }

    #[test]
    fn whole_words_only_for_latin_names() {
        assert_eq!(dest("An Iranian-style rug"), None);
        assert_eq!(dest("Shipping to Iran"), Some(("IR".into(), None, None)));
        assert_eq!(dest("we are in Oman").map(|d| d.0), Some("OM".into()));
        assert_eq!(dest("women and men"), None);
    }

    #[test]
    fn aliases_in_several_languages() {
        assert_eq!(dest("Lieferung nach Deutschland").map(|d| d.0), Some("DE".into()));
        assert_eq!(dest("to the UK").map(|d| d.0), Some("GB".into()));
        assert_eq!(dest("to UAE").map(|d| d.0), Some("AE".into()));
        assert_eq!(dest("发到俄罗斯").map(|d| d.0), Some("RU".into()));
        assert_eq!(dest("我们在伊朗").map(|d| d.0), Some("IR".into()));
        assert_eq!(dest("朝鲜客户").map(|d| d.0), Some("KP".into()));
        assert_eq!(dest("deliver to Pyongyang").map(|d| d.0), Some("KP".into()));
        assert_eq!(dest("to North Korea").map(|d| d.0), Some("KP".into()));
        assert_eq!(dest("Port: Nhava Sheva").map(|d| d.0), Some("IN".into()));
        assert_eq!(dest("CIF Jebel Ali").map(|d| (d.0, d.1)), Some(("AE".into(), Some("Jebel Ali".into()))));
        assert_eq!(dest("发往莫斯科").map(|d| d.1), Some(Some("Moscow".into())));
        assert_eq!(dest("to Gdańsk").map(|d| d.1), Some(Some("Gdansk".into())));
    }

    #[test]
    fn origin_ports_are_not_destinations() {
        assert_eq!(dest("FOB Shenzhen"), None);
        let d = resolve_destination("FOB Shanghai, delivered to Rotterdam").unwrap();
        assert_eq!(d.place.as_deref(), Some("Rotterdam"));
    }

    #[test]
    fn sanctioned_capitals_and_ports() {
        for (t, iso) in [
            ("Havana", "CU"),
            ("哈瓦那", "CU"),
            ("Tehran", "IR"),
            ("德黑兰", "IR"),
            ("Bandar Abbas", "IR"),
            ("Damascus", "SY"),
            ("Latakia", "SY"),
            ("Minsk", "BY"),
            ("Caracas", "VE"),
            ("Yangon", "MM"),
            ("St Petersburg", "RU"),
            ("平壤", "KP"),
            ("Cuba", "CU"),
            ("Syria", "SY"),
            ("Belarus", "BY"),
            ("Venezuela", "VE"),
            ("Myanmar", "MM"),
            ("DPRK", "KP"),
            ("Russia", "RU"),
        ] {
            assert_eq!(dest(&format!("ship to {t}")).map(|d| d.0), Some(iso.to_owned()), "{t}");
        }
    }

    fn route(text: &str) -> (Option<String>, Vec<String>) {
        let doc = Doc::new(text);
        let gaz = global();
        let hits = gaz.find(&doc, &[]);
        let ctx = DestContext {
            company_spans: Vec::new(),
            incoterms: crate::contact::incoterms_doc(&doc, &Gazetteer::starts(&hits))
                .into_iter()
                .map(|(t, code)| (t, crate::contact::incoterm_names_destination(code)))
                .collect(),
        };
        let r = gaz.route(&doc, &hits, &ctx);
        (r.destination.map(|d| d.country), r.transit.into_iter().map(|d| d.country).collect())
    }

    #[test]
    fn the_final_destination_is_behind_transit_and_re_export() {
        assert_eq!(
            route("Ship to Jebel Ali; our forwarder will re-export them to Bushehr."),
            (Some("IR".into()), vec!["AE".into()])
        );
        assert_eq!(route("Via Beirut port, then by truck to Damascus."), (Some("SY".into()), vec!["LB".into()]));
        assert_eq!(route("货物先运到迪拜，再转口到伊朗。"), (Some("IR".into()), vec!["AE".into()]));
        assert_eq!(route("经迪拜转运至伊朗"), (Some("IR".into()), vec!["AE".into()]));
        assert_eq!(route("发到杰贝阿里，然后再出口到叙利亚"), (Some("SY".into()), vec!["AE".into()]));
        assert_eq!(route("FOB Shenzhen, final destination Manila"), (Some("PH".into()), vec![]));
        assert_eq!(route("FOB Ningbo, destination Mombasa"), (Some("KE".into()), vec![]));
        assert_eq!(route("Deliver to Hamburg, Germany"), (Some("DE".into()), vec![]));
    }

    #[test]
    fn a_country_name_qualified_by_a_state_is_no_stop() {
        assert_eq!(route("Please deliver to Cuba, New Mexico, USA."), (Some("US".into()), vec![]));
    }

    #[test]
    fn a_transit_through_a_sanctioned_country_is_kept() {
        assert_eq!(route("Deliver to Kazakhstan via Bandar Abbas by rail."), (Some("KZ".into()), vec!["IR".into()]));
        assert_eq!(route("Transhipment in Latakia, final destination Beirut"), (Some("LB".into()), vec!["SY".into()]));
    }

    #[test]
    fn free_zones_and_ports_of_sanctioned_countries() {
        for (t, iso) in [
            ("Kish Island", "IR"),
            ("Qeshm", "IR"),
            ("Chabahar", "IR"),
            ("Bushehr", "IR"),
            ("Bandar Imam Khomeini", "IR"),
            ("Novorossiysk", "RU"),
            ("Ust-Luga", "RU"),
            ("Rajin", "KP"),
            ("Chongjin", "KP"),
            ("Tartus", "SY"),
            ("Puerto Cabello", "VE"),
            ("Mariel", "CU"),
        ] {
            assert_eq!(dest(&format!("ship to {t}")).map(|d| d.0), Some(iso.to_owned()), "{t}");
        }
        assert_eq!(dest("ship to Melitopol").map(|d| d.2), Some(Some("UA-23".into())));
    }

    #[test]
    fn an_explicit_state_or_country_beside_a_place_wins() {
        assert_eq!(dest("Ship to Havana, FL, USA").map(|d| d.0), Some("US".into()));
        assert_eq!(dest("Our shop is in Havana, Florida; deliver to Havana, FL").map(|d| d.0), Some("US".into()));
        assert_eq!(dest("Deliver to Valencia, Venezuela").map(|d| d.0), Some("VE".into()));
        assert_eq!(dest("Deliver to Havana").map(|d| d.0), Some("CU".into()));
    }

    #[test]
    fn country_names_in_both_languages() {
        assert_eq!(country_name("DE", Lang::En), "Germany");
        assert_eq!(country_name("de", Lang::Zh), "德国");
        assert_eq!(country_name("XX", Lang::En), "XX");
        assert_eq!(country_code("Deutschland"), Some("DE"));
        assert_eq!(country_code("德国"), Some("DE"));
        assert_eq!(country_code("Atlantis"), None);
    }

    #[test]
    fn every_table_alias_is_indexed() {
        let g = global();
        assert!(g.aliases.len() > 500, "{}", g.aliases.len());
        assert!(COUNTRIES.len() >= 100);
        assert!(PLACES.len() >= 80);
    }
}
