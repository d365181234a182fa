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

/// Romanises a run of Han characters into words, appended to `words` with
/// `true` for pinyin and `false` for words the dictionary gave (they are
/// English words and compare as such). Characters without a reading are
/// skipped.
pub fn romanise(run: &str, words: &mut Vec<(String, bool)>) {
    let chars: Vec<char> = run.chars().collect();
    let mut i = 0;
    let mut pending = String::new();
    while i < chars.len() {
        if let Some(n) = match_at(&chars, i, LEGAL_FORMS.iter().copied()) {
            flush(&mut pending, words);
            i += n;
            continue;
        }
        if let Some((n, latin)) = WORDS
            .iter()
            .filter_map(|(zh, latin)| match_at(&chars, i, std::iter::once(*zh)).map(|n| (n, *latin)))
            .max_by_key(|(n, _)| *n)
        {
            flush(&mut pending, words);
            words.extend(latin.split(' ').map(|w| (w.to_string(), false)));
            i += n;
            continue;
        }
        if let Some(p) = chars[i].to_pinyin() {
            for c in p.plain().chars() {
                // ü comes out of the plain readings as a letter of its own.
                pending.push(if c == 'ü' { 'u' } else { c });
            }
        }
        i += 1;
    }
    flush(&mut pending, words);
}

fn flush(pending: &mut String, words: &mut Vec<(String, bool)>) {
    if !pending.is_empty() {
        words.push((std::mem::take(pending), true));
    }
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
        w.into_iter().map(|(w, _)| w).collect()
    }

    #[test]
    fn company_names_become_place_brand_and_trade_words() {
        assert_eq!(rom("深圳华信电池科技有限公司"), vec!["shenzhen", "huaxin", "battery", "technology"]);
        assert_eq!(rom("大连中创国际贸易股份有限公司"), vec!["dalian", "zhongchuang", "international", "trading"]);
    }

    #[test]
    fn person_names_become_one_word() {
        assert_eq!(rom("习近平"), vec!["xijinping"]);
        assert_eq!(rom("女"), vec!["nu"]);
    }
}
