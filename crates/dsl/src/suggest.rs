//! "Did you mean": the closest known name to a misspelt one. The one rule every part of huiqi
//! uses (the parser's keywords and units, the checker's names, departments and enum values, the
//! engine's facts, a registry's header, screening's policy ids), so a typo gets the same
//! suggestion wherever it is made. The words around a suggestion are the diagnostic's, in
//! [`crate::message`].

/// Names longer than this (in characters) are never compared: edit distance is quadratic, and no
/// name of a library is near this long, so a huge input would cost time and find nothing.
pub const MAX_COMPARED: usize = 64;

/// The customary short forms of Chinese government names, longest first: a department's full name
/// (`区人力资源和社会保障局`) and its short name (`区人社局`), as the platform lists it, are the
/// same department. Both sides of a comparison are shortened alike, so either may be written.
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("人才工作领导小组办公室", "人才办"),
    ("人力资源和社会保障", "人社"),
    ("文化广电新闻出版旅游", "文广新旅"),
    ("发展和改革委员会", "发改委"),
    ("住房和城乡建设", "住建"),
    ("工业和信息化", "工信"),
    ("市场监督管理", "市监"),
    ("行政审批服务", "行政审批"),
    ("管理委员会", "管委会"),
    ("发展改革委", "发改委"),
    ("科学技术", "科技"),
    ("市场监管", "市监"),
    ("委员会", "委"),
];

/// Every unit the language knows, for "did you mean" on a misspelt one (`平米` → `平方米`).
pub const UNITS: &[&str] = &[
    "元",
    "万元",
    "亿元",
    "美元",
    "万美元",
    "亿美元",
    "平方米",
    "千瓦时",
    "小时",
    "kWh",
    "㎡",
    "人",
    "名",
    "户",
    "个月",
    "个",
    "家",
    "集",
    "部",
    "项",
    "件",
    "次",
    "场",
    "届",
    "年",
    "月",
    "天",
    "日",
    "亩",
    "度",
    "吨",
    "台",
    "套",
    "米",
    "份",
];

/// `name` with every long form of [`ABBREVIATIONS`] replaced by its short form.
fn shortened(name: &str) -> std::borrow::Cow<'_, str> {
    let mut out = std::borrow::Cow::Borrowed(name);
    for (long, short) in ABBREVIATIONS {
        if out.contains(long) {
            out = std::borrow::Cow::Owned(out.replace(long, short));
        }
    }
    out
}

/// How far `candidate` is from `wrong`, if close enough to be a likely slip: at most one edit in
/// three characters (at least one), or one name containing the other (注册区 / 注册区县).
fn distance(wrong: &str, candidate: &str) -> Option<usize> {
    let limit = (wrong.chars().count() / 3).max(1);
    let d = strsim::levenshtein(wrong, candidate);
    // A name that contains the other is a likely slip too.
    let contains = candidate.contains(wrong) || wrong.contains(candidate);
    let d = if contains { d.min(limit) } else { d };
    (d <= limit).then_some(d)
}

/// The candidate closest to `wrong`, if it is close enough to be a likely typo: at most one edit
/// in three characters (at least one), or one name containing the other (注册区 / 注册区县), either
/// as written or with government names shortened ([`ABBREVIATIONS`]: `区人力资源和社会保障局` finds
/// `区人社局`). Ties go to the first in text order; `wrong` itself is never suggested.
///
/// The one rule every part of huiqi uses for "did you mean": keywords, facts, definitions,
/// departments, funders, units, enum values, functions, a registry's columns and policy ids.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if wrong.chars().count() > MAX_COMPARED {
        return None;
    }
    let short = shortened(wrong);
    candidates
        .into_iter()
        .filter(|c| *c != wrong && c.chars().count() <= MAX_COMPARED)
        .filter_map(|c| {
            let as_written = distance(wrong, c);
            let as_short =
                if short != wrong || shortened(c) != c { distance(&short, &shortened(c)) } else { None };
            as_written.into_iter().chain(as_short).min().map(|d| (d, c))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_in_three_characters() {
        assert_eq!(closest("gxj-2", ["gxj-02", "kjj-06"]), Some("gxj-02"));
        assert_eq!(closest("营业收", ["营业收入", "纳税额"]), Some("营业收入"));
        // Two edits in five characters is one too many.
        assert_eq!(closest("abcde", ["abxyz"]), None);
        // Short names still get one edit.
        assert_eq!(closest("ab", ["ac"]), Some("ac"));
    }

    #[test]
    fn a_name_containing_the_other_is_close() {
        assert_eq!(closest("收入", ["营业收入总额"]), Some("营业收入总额"));
        assert_eq!(closest("注册区县名", ["注册区"]), Some("注册区"));
    }

    #[test]
    fn nearest_wins_then_text_order() {
        assert_eq!(closest("abcdef", ["abcxef", "abcdex", "abcdeg"]), Some("abcdeg"));
        assert_eq!(closest("abcdef", ["abcdxx", "abcdef0"]), Some("abcdef0"));
    }

    #[test]
    fn the_same_name_is_not_suggested() {
        assert_eq!(closest("gxj-02", ["gxj-02"]), None);
        assert_eq!(closest("", ["a"]), Some("a"));
    }

    #[test]
    fn long_names_are_never_compared() {
        let long = "营".repeat(MAX_COMPARED + 1);
        assert_eq!(closest(&long, [long.get(3..).unwrap_or_default()]), None);
        let edge = "营".repeat(MAX_COMPARED);
        let near = format!("{}收", "营".repeat(MAX_COMPARED - 1));
        assert_eq!(closest(&edge, [near.as_str()]), Some(near.as_str()));
        // A huge input returns at once rather than after seconds of comparing.
        let huge = "x".repeat(1_000_000);
        assert_eq!(closest(&huge, ["x"]), None);
    }

    #[test]
    fn a_full_government_name_finds_its_short_name() {
        let departments =
            ["区工信局", "区人社局", "区市场监督管理局", "区发改委", "章贡高新区管委会", "区住建局"];
        assert_eq!(closest("区人力资源和社会保障局", departments), Some("区人社局"));
        assert_eq!(closest("章贡区人力资源和社会保障局", departments), Some("区人社局"));
        assert_eq!(closest("区工业和信息化局", departments), Some("区工信局"));
        assert_eq!(closest("区市场监管局", departments), Some("区市场监督管理局"));
        assert_eq!(closest("区发展和改革委员会", departments), Some("区发改委"));
        assert_eq!(closest("章贡高新区管理委员会", departments), Some("章贡高新区管委会"));
        assert_eq!(closest("区住房和城乡建设局", departments), Some("区住建局"));
        // Shortening does not make unrelated names close.
        assert_eq!(closest("区教育局", departments), None);
    }

    #[test]
    fn keywords_and_units() {
        let clauses = ["部门", "方式", "渠道", "依据", "有效期", "条件", "奖励", "上限", "年度上限"];
        assert_eq!(closest("奖金", clauses), Some("奖励"));
        assert_eq!(closest("平米", UNITS.iter().copied()), Some("平方米"));
    }
}
