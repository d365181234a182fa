//! Chinese names to Latin words.
//!
//! Company names in Chinese are written without spaces and mix a place, a
//! brand and trade words: 深圳华信电池科技有限公司 is "Shenzhen Huaxin Battery
//! Technology Co., Ltd." on an English list. So a run of Han characters is cut
//! into words: legal forms are dropped, places and trade words found in a
//! small dictionary become the words an English list would use, and what is
//! left (the brand or a person's name) becomes one pinyin word per stretch.

use pinyin::ToPinyin;

/// Legal forms, longest first; they are dropped like their Latin
/// counterparts.
const LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "责任公司",
    "株式会社",
    "有限会社",
    "合伙企业",
    "总公司",
    "分公司",
    "公司",
];

/// Places and trade words with the Latin words English lists write for them.
/// Places romanise to their pinyin anyway; they are here so that they become
/// words of their own (and the few with a customary spelling get it).
const WORDS: &[(&str, &str)] = &[
    // places
    ("中华人民共和国", "china"),
    ("中国", "china"),
    ("香港", "hong kong"),
    ("澳门", "macau"),
    ("台湾", "taiwan"),
    ("北京", "beijing"),
    ("上海", "shanghai"),
    ("天津", "tianjin"),
    ("重庆", "chongqing"),
    ("广州", "guangzhou"),
    ("深圳", "shenzhen"),
    ("厦门", "xiamen"),
    ("大连", "dalian"),
    ("青岛", "qingdao"),
    ("宁波", "ningbo"),
    ("杭州", "hangzhou"),
    ("南京", "nanjing"),
    ("苏州", "suzhou"),
    ("无锡", "wuxi"),
    ("武汉", "wuhan"),
    ("成都", "chengdu"),
    ("西安", "xian"),
    ("东莞", "dongguan"),
    ("佛山", "foshan"),
    ("珠海", "zhuhai"),
    ("惠州", "huizhou"),
    ("丹东", "dandong"),
    ("沈阳", "shenyang"),
    ("哈尔滨", "harbin"),
    ("长沙", "changsha"),
    ("郑州", "zhengzhou"),
    ("济南", "jinan"),
    ("福州", "fuzhou"),
    ("昆明", "kunming"),
    ("乌鲁木齐", "urumqi"),
    ("广东", "guangdong"),
    ("浙江", "zhejiang"),
    ("江苏", "jiangsu"),
    ("山东", "shandong"),
    ("福建", "fujian"),
    ("辽宁", "liaoning"),
    ("河北", "hebei"),
    ("河南", "henan"),
    ("湖北", "hubei"),
    ("湖南", "hunan"),
    ("四川", "sichuan"),
    ("陕西", "shaanxi"),
    ("山西", "shanxi"),
    ("新疆", "xinjiang"),
    ("内蒙古", "inner mongolia"),
    ("朝鲜", "north korea"),
    ("伊朗", "iran"),
    ("俄罗斯", "russia"),
    ("叙利亚", "syria"),
    // trade words
    ("进出口", "import export"),
    ("国际贸易", "international trading"),
    ("贸易", "trading"),
    ("商贸", "trading"),
    ("工贸", "industry trading"),
    ("外贸", "foreign trade"),
    ("国际", "international"),
    ("科技", "technology"),
    ("技术", "technology"),
    ("电子", "electronics"),
    ("集团", "group"),
    ("控股", "holding"),
    ("新能源", "new energy"),
    ("能源", "energy"),
    ("实业", "industrial"),
    ("工业", "industrial"),
    ("物流", "logistics"),
    ("投资", "investment"),
    ("发展", "development"),
    ("工程", "engineering"),
    ("机械", "machinery"),
    ("设备", "equipment"),
    ("化工", "chemical"),
    ("航运", "shipping"),
    ("船务", "shipping"),
    ("海运", "shipping"),
    ("石油", "petroleum"),
    ("银行", "bank"),
    ("电池", "battery"),
    ("动力", "power"),
    ("电力", "power"),
    ("电气", "electric"),
    ("电器", "electrical appliance"),
    ("光电", "optoelectronics"),
    ("半导体", "semiconductor"),
    ("通信", "communication"),
    ("网络", "network"),
    ("软件", "software"),
    ("制造", "manufacturing"),
    ("材料", "materials"),
    ("矿业", "mining"),
    ("钢铁", "steel"),
    ("汽车", "automobile"),
    ("航空", "aviation"),
    ("航天", "aerospace"),
    ("船舶", "shipbuilding"),
    ("重工", "heavy industry"),
    ("精密", "precision"),
    ("仪器", "instrument"),
    ("智能", "intelligent"),
    ("咨询", "consulting"),
    ("服务", "services"),
    ("管理", "management"),
    ("供应链", "supply chain"),
    ("研究院", "research institute"),
    ("研究所", "research institute"),
    ("大学", "university"),
    ("工厂", "factory"),
];

/// Family names (simplified and traditional forms) that open a Chinese
/// person's name: the most common ones, which cover most of the population.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤习温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝張劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇盧蔣賈錢龍顧龔嚴湯萬習溫齊喬龐顏聶魯蘭歐紀畢塗駱藍靳鮑華饒車項蘆婁竇費衛臧閔鄔邊師欒隋榮鞏遲鄺";
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒", "尉迟", "公孙", "夏侯", "歐陽", "司馬",
    "諸葛", "東方",
];

/// What a romanised word of a Han run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HanWord {
    /// A stretch read in pinyin: a brand, or a foreign name spelt in
    /// characters (compared by its consonants).
    Pinyin,
    /// Part of a Chinese person's name (family name, given name): pinyin
    /// is how lists write it, so it is compared as written.
    PersonName,
    /// An English word the dictionary gave for a place or trade word.
    English,
}

/// A romanised word, its kind and the characters it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Romanised {
    pub text: String,
    pub kind: HanWord,
    pub chars: String,
}

/// Romanises a run of Han characters into words appended to `words`;
/// returns whether the run carried a legal form. Characters without a
/// reading are skipped.
pub fn romanise(run: &str, words: &mut Vec<Romanised>) -> bool {
    // The dictionaries are in simplified characters.
    let chars: Vec<char> = run.chars().map(simplified).collect();
    if let Some(name) = person_name(&chars) {
        words.extend(name);
        return false;
    }
    let mut legal = false;
    let mut i = 0;
    let mut pending = String::new();
    let mut pending_chars = String::new();
    while i < chars.len() {
        if let Some(n) = match_at(&chars, i, LEGAL_FORMS.iter().copied()) {
            flush(&mut pending, &mut pending_chars, words);
            legal = true;
            i += n;
            continue;
        }
        if let Some((n, latin)) = WORDS
            .iter()
            .filter_map(|(zh, latin)| match_at(&chars, i, std::iter::once(*zh)).map(|n| (n, *latin)))
            .max_by_key(|(n, _)| *n)
        {
            flush(&mut pending, &mut pending_chars, words);
            let from: String = chars[i..i + n].iter().collect();
            words.extend(latin.split(' ').map(|w| Romanised {
                text: w.to_string(),
                kind: HanWord::English,
                chars: from.clone(),
            }));
            i += n;
            continue;
        }
        if push_pinyin(chars[i], &mut pending) {
            pending_chars.push(chars[i]);
        }
        i += 1;
    }
    flush(&mut pending, &mut pending_chars, words);
    legal
}

/// The plain pinyin of one character, appended; false when it has none.
fn push_pinyin(c: char, out: &mut String) -> bool {
    match c.to_pinyin() {
        Some(p) => {
            for c in p.plain().chars() {
                // ü comes out of the plain readings as a letter of its own.
                out.push(if c == 'ü' { 'u' } else { c });
            }
            true
        }
        None => false,
    }
}

/// A whole run that is a Chinese person's name: a family name (one
/// character, or a two-character compound) and a given name of one or two
/// characters, as two words.
fn person_name(chars: &[char]) -> Option<Vec<Romanised>> {
    let n = chars.len();
    let compound = n >= 3 && {
        let two: String = chars[..2].iter().collect();
        COMPOUND_SURNAMES.contains(&two.as_str())
    };
    let family = if compound { 2 } else { 1 };
    if !(family + 1..=family + 2).contains(&n) || !(compound || SURNAMES.contains(chars[0])) {
        return None;
    }
    let mut out = Vec::with_capacity(2);
    for part in [&chars[..family], &chars[family..]] {
        let mut text = String::new();
        for &c in part {
            if !push_pinyin(c, &mut text) {
                return None;
            }
        }
        out.push(Romanised { text, kind: HanWord::PersonName, chars: part.iter().collect() });
    }
    Some(out)
}

fn flush(pending: &mut String, pending_chars: &mut String, words: &mut Vec<Romanised>) {
    if !pending.is_empty() {
        words.push(Romanised {
            text: std::mem::take(pending),
            kind: HanWord::Pinyin,
            chars: std::mem::take(pending_chars),
        });
    }
    pending_chars.clear();
}

/// Traditional characters common in names and their simplified forms: a
/// name written in either form is the same name.
const TRADITIONAL: &str = "華华國国電电東东實实業业貿贸興兴發发廣广門门陳陈劉刘張张黃黄趙赵吳吴孫孙馬马鄭郑謝谢韓韩馮冯鄧邓蕭萧葉叶蘇苏盧卢蔣蒋賈贾錢钱龍龙長长開开達达進进連连運运軍军區区際际機机網网貨货銀银資资億亿萬万豐丰寶宝聯联匯汇團团產产務务體体學学會会協协創创碼码鋼钢鐵铁礦矿輪轮車车動动氣气應应鵬鹏鴻鸿傑杰偉伟強强紅红麗丽義义濤涛淵渊慶庆榮荣順顺時时歐欧陽阳陸陆倫伦維维線线藝艺術术設设計计測测燈灯熱热壓压島岛灣湾臺台漢汉專专導导環环綠绿潔洁衛卫愛爱樂乐雲云營营廠厂組组織织紡纺貝贝員员約约級级緣缘澤泽習习溫温齊齐喬乔龐庞顏颜聶聂魯鲁蘭兰紀纪畢毕塗涂駱骆藍蓝鮑鲍饒饶項项蘆芦婁娄竇窦費费臧臧閔闵鄔邬邊边師师欒栾榮荣鞏巩遲迟鄺邝鳳凤閻阎韋韦賀贺龔龚嚴严湯汤顧顾錦锦輝辉閩闽廈厦瀋沈鐘钟蘭兰";

/// A character in its simplified form, when the table knows a traditional one.
pub fn simplified(c: char) -> char {
    let mut it = TRADITIONAL.chars();
    while let (Some(t), Some(s)) = (it.next(), it.next()) {
        if t == c {
            return s;
        }
    }
    c
}

/// Length in characters of the longest of `candidates` that starts at `i`.
fn match_at<'a>(chars: &[char], i: usize, candidates: impl Iterator<Item = &'a str>) -> Option<usize> {
    candidates
        .filter(|c| {
            let mut n = 0;
            for (k, ch) in c.chars().enumerate() {
                if chars.get(i + k) != Some(&ch) {
                    return false;
                }
                n += 1;
            }
            n > 0
        })
        .map(|c| c.chars().count())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rom(s: &str) -> Vec<String> {
        let mut w = Vec::new();
        romanise(s, &mut w);
        w.into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn company_names_become_place_brand_and_trade_words() {
        assert_eq!(rom("深圳华信电池科技有限公司"), vec!["shenzhen", "huaxin", "battery", "technology"]);
        assert_eq!(rom("大连中创国际贸易股份有限公司"), vec!["dalian", "zhongchuang", "international", "trading"]);
    }

    #[test]
    fn person_names_become_family_name_and_given_name() {
        assert_eq!(rom("习近平"), vec!["xi", "jinping"]);
        assert_eq!(rom("李明"), vec!["li", "ming"]);
        assert_eq!(rom("欧阳修"), vec!["ouyang", "xiu"]);
        assert_eq!(rom("女"), vec!["nu"]);
        // A foreign name spelt in characters stays one word.
        assert_eq!(rom("奥巴马"), vec!["aobama"]);
    }

    #[test]
    fn traditional_characters_fold_to_simplified() {
        assert_eq!(simplified('華'), '华');
        assert_eq!(simplified('习'), '习');
    }
}
