//! Random well-typed policies over the small schema of `enterprises.rs`: typed expressions three
//! levels deep, every clause that changes a decision. A policy the checker refuses is skipped.

use proptest::prelude::*;
use proptest::sample::select;

/// Facts a 免申即享 policy may not read (declared or review results).
const NOT_AUTHORITATIVE: &[&str] = &["投资额", "面积", "核查通过"];

pub fn pick(items: &'static [&'static str]) -> BoxedStrategy<String> {
    select(items).prop_map(String::from).boxed()
}

const MONEY_LITS: &[&str] = &[
    "0元",
    "1元",
    "0.01元",
    "0.005元",
    "99.995元",
    "5万元",
    "10万元",
    "100万元",
    "1000万元",
    "12345.67元",
    "2.5亿元",
    "7000000000000亿元",
];
const MONEY_FACTS: &[&str] = &[
    "投资额",
    "补助基数",
    "营业收入[上年]",
    "营业收入[本年]",
    "营业收入[前年]",
    "营业收入[本年-3]",
    "缺省金额",
    "(出口额[上年] × 美元汇率)",
    "(欧元收入[上年] × 欧元折算率)",
    "(日元折算率[本年] × 日元存款)",
    "季度产值[上季]",
    "(季度产值[上季] - 季度产值[本季-5])",
    "(500元/人 × 员工人数)",
    "(20元/㎡ × 面积)",
    "(1万元/人 × 新增员工[上年])",
];
const NUM_LITS: &[&str] = &["0", "1", "2", "0.5", "3", "20%", "3‰", "1.5", "100", "10万", "87.5%"];
const NUM_FACTS: &[&str] = &[
    "增长率",
    "认定年度",
    "评估年度",
    "年份(认定日期)",
    "(投资额 ÷ 营业收入[上年])",
    "(营业收入[本年] ÷ 营业收入[上年])",
];
const COUNTS: &[&str] =
    &["0人", "1人", "10人", "50人", "100人", "员工人数", "新增员工[上年]", "新增员工[本年]"];
const DATES: &[&str] = &[
    "认定日期",
    "评估日期",
    "2024-01-01",
    "2025-06-30",
    "2026-11-26",
    "2023-12-31",
    "2024-02-29",
    "2025-01-31",
    "日期(评估年度 - 1, 12, 31)",
    "date(评估年度, 1, 1)",
];
/// Periods of months, and periods to move a date by; the days and years are literals only.
const MONTHS: &[&str] = &["0个月", "1个月", "12个月", "36个月", "13月"];
const SHIFTS: &[&str] = &["1年", "3年", "-1年", "1日", "30天", "90日", "-1日", "0日"];
/// Dates whose month or day may not exist in a computed year: an error on both sides.
const MADE_DATES: &[&str] = &[
    "日期(评估年度 - 1, 2, 29)",
    "日期(年份(认定日期), 1, 31)",
    "日期(认定年度, 13, 1)",
    "日期(2025, 6, 认定年度)",
];
const BOOLS: &[&str] = &[
    "真",
    "假",
    "认定标志",
    "名单内[上年]",
    "名单内[本年]",
    "季度达标[上季]",
    "季度达标[本季]",
    "核查通过",
    "位于园区",
    "企业等级 为 \"省级\"",
    "企业等级 不为 \"无\"",
    "企业等级 属于 [\"国家级\", \"省级\"]",
    "注册区县 为 \"章贡区\"",
    "注册区县 不为 \"章贡区\"",
];
const INFIX: &[&str] = &[
    "==",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "≥",
    "≤",
    "≠",
    "=",
    "为",
    "不为",
    "不超过",
    "不低于",
    "超过",
    "不满",
    "低于",
];
const POSTFIX: &[&str] = &["以上", "以下", "以内", "在 {} 以上", "达 {} 以下", "在 {} 以内"];
const PLACES: &[&str] = &["0", "1", "2", "2", "3", "30", "1万"];

/// Band layouts for a money base; `{}` is each row's value. Each is valid (ascending, no overlap,
/// no gap), some start above zero or below it, some use the postfix words.
const MONEY_BANDS: &[&[&str]] = &[
    &["不低于 100万元, 低于 500万元", "不低于 500万元"],
    &["超过 0元, 不超过 100万元", "超过 100万元, 不超过 1000万元", "超过 1000万元"],
    &["不超过 5000万元", "超过 5000万元, 不超过 2亿元", "超过 2亿元"],
    &["100万元 以上, 500万元 以下", "超过 500万元"],
    &["不低于 -100万元, 低于 0元", "不低于 0元, 低于 10万元", "10万元 以上"],
];
const COUNT_BANDS: &[&[&str]] =
    &[&["不低于 10人, 低于 50人", "不低于 50人"], &["不满 10人", "10人 以上, 50人 以内"]];
const NUM_BANDS: &[&[&str]] =
    &[&["低于 0", "不低于 0, 低于 20%", "不低于 20%"], &["超过 1, 不超过 3", "超过 3"]];

/// The names a part of the policy may read besides facts: definitions and condition labels.
#[derive(Clone, Default)]
pub struct Scope {
    pub money: Vec<String>,
    pub bools: Vec<String>,
}

/// Strategies for each kind of expression, `depth` levels deep at most.
#[derive(Clone)]
pub struct Exprs {
    pub money: BoxedStrategy<String>,
    pub num: BoxedStrategy<String>,
    pub count: BoxedStrategy<String>,
    pub date: BoxedStrategy<String>,
    /// Quantities in 月: what `月数` gives and a date moves by.
    pub months: BoxedStrategy<String>,
    pub boolean: BoxedStrategy<String>,
}

fn leaf(base: &'static [&'static str], extra: &[String]) -> BoxedStrategy<String> {
    let mut all: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    all.extend(extra.iter().cloned());
    select(all).boxed()
}

fn compare(a: BoxedStrategy<String>, b: BoxedStrategy<String>) -> BoxedStrategy<String> {
    let infix = (a.clone(), pick(INFIX), b.clone()).prop_map(|(a, op, b)| format!("({a}) {op} ({b})"));
    let postfix = (a, pick(POSTFIX), b).prop_map(|(a, op, b)| match op.split_once("{}") {
        Some((at, word)) => format!("({a}) {at}({b}){word}"),
        None => format!("({a}) ({b}) {op}"),
    });
    prop_oneof![3 => infix, 1 => postfix].boxed()
}

fn tiers(
    kind: &'static str,
    base: BoxedStrategy<String>,
    layouts: &'static [&'static [&'static str]],
    value: BoxedStrategy<String>,
) -> BoxedStrategy<String> {
    (base, select(layouts), proptest::collection::vec(value, 3))
        .prop_map(move |(base, bands, values)| {
            let rows: Vec<String> =
                bands.iter().zip(values).map(|(band, v)| format!("    {band}: {v}\n")).collect();
            format!("{kind} ({base}) {{\n{}  }}", rows.concat())
        })
        .boxed()
}

impl Exprs {
    pub fn new(scope: &Scope, depth: u32) -> Exprs {
        let leaves = Exprs {
            money: prop_oneof![pick(MONEY_LITS), leaf(MONEY_FACTS, &scope.money)].boxed(),
            num: prop_oneof![pick(NUM_LITS), pick(NUM_FACTS)].boxed(),
            count: pick(COUNTS),
            date: pick(DATES),
            months: pick(MONTHS),
            boolean: leaf(BOOLS, &scope.bools),
        };
        (0..depth).fold(leaves.clone(), |below, _| below.deeper(&leaves))
    }

    /// One more level: every composite form over `self`, or a leaf.
    fn deeper(&self, leaves: &Exprs) -> Exprs {
        let (m, n, c, d, b) = (&self.money, &self.num, &self.count, &self.date, &self.boolean);
        let mo = &self.months;
        let two = |x: &BoxedStrategy<String>, y: &BoxedStrategy<String>, f: fn(String, String) -> String| {
            (x.clone(), y.clone()).prop_map(move |(a, b)| f(a, b)).boxed()
        };
        let choose = |x: &BoxedStrategy<String>| {
            (b.clone(), x.clone(), x.clone())
                .prop_map(|(c, t, e)| format!("(如果 {c} 那么 {t} 否则 {e})"))
                .boxed()
        };
        let rounded = |x: &BoxedStrategy<String>| {
            (x.clone(), pick(&["四舍五入", "向下取整", "round", "floor"]), pick(PLACES))
                .prop_map(|(x, f, p)| format!("{f}({x}, {p})"))
                .boxed()
        };
        let extreme = |x: &BoxedStrategy<String>| {
            (pick(&["最小", "最大", "min", "max"]), proptest::collection::vec(x.clone(), 2..4))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", ")))
                .boxed()
        };
        let money = prop_oneof![
            6 => leaves.money.clone(),
            2 => two(m, m, |a, b| format!("({a} + {b})")),
            2 => two(m, m, |a, b| format!("({a} - {b})")),
            2 => two(n, m, |a, b| format!("({a} × {b})")),
            1 => two(m, n, |a, b| format!("({a} * {b})")),
            1 => two(m, n, |a, b| format!("({a} ÷ {b})")),
            1 => m.clone().prop_map(|a| format!("-{a}")),
            1 => extreme(m),
            1 => m.clone().prop_map(|a| format!("绝对值({a})")),
            1 => rounded(m),
            2 => choose(m),
            1 => tiers("分档", m.clone(), MONEY_BANDS, m.clone()),
            1 => tiers("分档", c.clone(), COUNT_BANDS, m.clone()),
            1 => tiers("累进", m.clone(), MONEY_BANDS, n.clone()),
            1 => mo.clone().prop_map(|a| format!("(1000元/月 × {a})")),
        ]
        .boxed();
        let num = prop_oneof![
            6 => leaves.num.clone(),
            1 => two(n, n, |a, b| format!("({a} + {b})")),
            1 => two(n, n, |a, b| format!("({a} - {b})")),
            1 => two(n, n, |a, b| format!("({a} × {b})")),
            1 => two(n, n, |a, b| format!("({a} ÷ {b})")),
            1 => two(m, m, |a, b| format!("({a} ÷ {b})")),
            1 => n.clone().prop_map(|a| format!("-{a}")),
            1 => extreme(n),
            1 => n.clone().prop_map(|a| format!("abs({a})")),
            1 => rounded(n),
            1 => choose(n),
            1 => tiers("分档", n.clone(), NUM_BANDS, n.clone()),
            1 => tiers("分档", m.clone(), MONEY_BANDS, n.clone()),
        ]
        .boxed();
        let count = prop_oneof![
            4 => leaves.count.clone(),
            1 => two(c, c, |a, b| format!("({a} + {b})")),
            1 => two(c, c, |a, b| format!("({a} - {b})")),
            1 => two(n, c, |a, b| format!("({a} × {b})")),
            1 => extreme(c),
            1 => choose(c),
        ]
        .boxed();
        let date = prop_oneof![
            4 => leaves.date.clone(),
            1 => choose(d),
            2 => two(d, mo, |a, b| format!("({a} + {b})")),
            1 => two(d, mo, |a, b| format!("({a} - {b})")),
            2 => (d.clone(), pick(&["+", "-"]), pick(SHIFTS)).prop_map(|(a, op, p)| format!("({a} {op} {p})")),
            1 => pick(MADE_DATES),
        ]
        .boxed();
        let between = |f: &'static [&'static str]| {
            (pick(f), d.clone(), d.clone()).prop_map(|(f, a, b)| format!("{f}({a}, {b})")).boxed()
        };
        let months = prop_oneof![
            3 => leaves.months.clone(),
            3 => between(&["月数", "months_between"]),
            1 => two(mo, mo, |a, b| format!("({a} - {b})")),
            // Not always whole: moving a date by it is an error on both sides.
            1 => mo.clone().prop_map(|a| format!("({a} ÷ 2)")),
            1 => (mo.clone(), mo.clone()).prop_map(|(a, b)| format!("最小(36个月, 最大(0个月, {a}, {b}))")),
            1 => choose(mo),
        ]
        .boxed();
        let periods = prop_oneof![
            (between(&["年数", "years_between"]), pick(&["不满 3年", ">= 1年", "== 0年"]))
                .prop_map(|(a, cmp)| format!("{a} {cmp}")),
            (between(&["天数", "days_between"]), pick(&["超过 0日", "< 365天", "== -1日"]))
                .prop_map(|(a, cmp)| format!("{a} {cmp}")),
        ];
        let options = (b.clone(), pick(&["\"国家级\"", "\"无\""]))
            .prop_map(|(c, o)| format!("企业等级 属于 [如果 {c} 那么 \"省级\" 否则 \"市级\", {o}]"));
        let boolean = prop_oneof![
            4 => leaves.boolean.clone(),
            1 => b.clone().prop_map(|a| format!("非 ({a})")),
            2 => two(b, b, |a, b| format!("({a} 且 {b})")),
            2 => two(b, b, |a, b| format!("({a} 或 {b})")),
            3 => compare(m.clone(), m.clone()),
            2 => compare(n.clone(), n.clone()),
            1 => compare(c.clone(), c.clone()),
            1 => compare(d.clone(), d.clone()),
            1 => compare(mo.clone(), mo.clone()),
            1 => periods,
            1 => choose(b),
            1 => options,
        ]
        .boxed();
        Exprs { money, num, count, date, months, boolean }
    }
}

/// A generated policy (and the peer that shares its 就高不重复 group, if it has one).
#[derive(Debug, Clone)]
pub struct Generated {
    pub policy: String,
    pub peer: Option<String>,
}

pub const ID: &str = "ref-1";
pub const PEER: &str = "ref-peer";

fn clauses() -> impl Strategy<Value = (String, Option<String>)> {
    let validity = prop_oneof![
        12 => Just("2022-03-20 至 长期"),
        1 => Just("2024-01-01 至 长期"),
        1 => Just("2022-03-20 至 2025-12-31"),
        1 => Just("2025-07-01 至 2026-06-30"),
    ];
    let status = prop_oneof![20 => Just(""), 1 => Just("状态 暂停\n"), 1 => Just("状态 未列入\n")];
    let frequency =
        pick(&["", "", "频次 每企业一次\n", "频次 每企业每年一次\n", "频次 每企业每季一次\n", "频次 不限\n"]);
    let group = prop_oneof![3 => Just(None), 1 => Just(Some("")), 1 => Just(Some(" 升级补差"))];
    let rounding = pick(&[
        "",
        "",
        "取整 分\n",
        "取整 角\n",
        "取整 元\n",
        "取整 十元\n",
        "取整 百元\n",
        "取整 千元\n",
        "取整 万元\n",
    ]);
    let shares = pick(&[
        "",
        "分担 市 30%, 区 70%\n",
        "分担 市 33.33%, 区 66.67%\n",
        "分担 区 40%, 市 其余\n",
        "分担 市 120万元, 区 其余\n",
        "分担 区 其余, 市 3333.33元\n",
    ]);
    let staged = pick(&[
        "",
        "",
        "分期 4:3:3 按年\n",
        "分期 1:1 按年\n",
        "分期 2:1:1 按年 当 认定标志 后续各期 {\n    续期有收入: 营业收入[上年] 超过 0元\n    续期在名单: 名单内[本年] 或 增长率 >= 0\n  }\n",
        "分期 1:1 按年 当 企业等级 不为 \"无\"\n",
        "分期 3:2 按年 后续各期 {\n    未失信: 非 失信记录\n  }\n",
    ]);
    // 标的: per item, or per item with the group kept per enterprise (the peer says the same, or
    // the library is refused with E317).
    let item = pick(&["", "", "标的 标的编号\n", "标的 标的编号 按企业 就高不重复\n"]);
    (validity, status, frequency, group, rounding, shares, staged, item).prop_map(
        |(validity, status, frequency, group, rounding, shares, staged, item)| {
            // `按企业 就高不重复` needs a group (E320 otherwise).
            let item = if group.is_none() && item.contains("按企业") { String::new() } else { item };
            let grouped = group.map(|g| format!("就高不重复 组甲{g}\n"));
            let head = format!(
                "有效期 {validity}\n  时限 5个工作日\n  {status}{frequency}{item}{}{rounding}{shares}{staged}",
                grouped.clone().unwrap_or_default()
            );
            let peer = grouped.map(|g| {
                format!("政策 {PEER} \"同组政策\" {{\n  部门 区工信局\n  方式 即申即享\n  渠道 全程网办\n  依据 \"差分测试\"\n  有效期 2022-03-20 至 长期\n  时限 5个工作日\n  {item}  {g}  奖励 1万元\n}}\n")
            });
            (head, peer)
        },
    )
}

/// A whole policy: a definition, two condition blocks with a definition between them that reads
/// a label, the award and up to three caps; later parts read earlier names.
pub fn policy() -> impl Strategy<Value = Generated> {
    let first = Exprs::new(&Scope::default(), 2);
    let after_base = Exprs::new(&Scope { money: vec!["基数".into()], bools: vec![] }, 3);
    let all = Scope { money: vec!["基数".into(), "调整".into()], bools: vec!["甲".into()] };
    let late = Exprs::new(&all, 3);
    let caps = Exprs::new(&all, 2);
    let mid = Exprs::new(&Scope { money: vec!["基数".into()], bools: vec!["甲".into()] }, 2);
    let cap = |word: &'static str| {
        proptest::option::weighted(0.3, caps.money.clone().prop_map(move |m| format!("  {word} {m}\n")))
    };
    (
        clauses(),
        pick(&["免申即享", "即申即享", "承诺兑现"]),
        first.money.clone(),
        // Often plainly true, so that many cases get as far as the amount.
        prop_oneof![1 => Just("真".to_string()), 2 => after_base.boolean.clone()],
        proptest::option::weighted(0.4, after_base.boolean.clone()),
        mid.money,
        proptest::option::weighted(0.3, late.boolean.clone()),
        late.money.clone(),
        (cap("上限"), cap("年度上限"), cap("累计上限"), any::<bool>()),
    )
        .prop_map(|((head, peer), mode, base, a, b, adjust, c, award, (item, yearly, life, reversed))| {
            let mut caps: Vec<String> = [item, yearly, life].into_iter().flatten().collect();
            if reversed {
                caps.reverse();
            }
            let b = b.map(|b| format!("    乙: {b}\n")).unwrap_or_default();
            let c = c.map(|c| format!("  条件 {{\n    丙: {c}\n  }}\n")).unwrap_or_default();
            let body = format!(
                "  设 基数 = {base}\n  条件 {{\n    甲: {a}\n{b}  }}\n  设 调整 = {adjust}\n{c}  奖励 {award}\n{}",
                caps.concat()
            );
            // A 免申即享 policy may read only authoritative data (E309): keep the case, change the mode.
            let mode = if mode == "免申即享" && NOT_AUTHORITATIVE.iter().any(|f| body.contains(f)) { "即申即享" } else { mode.as_str() };
            let policy = format!(
                "政策 {ID} \"生成的政策\" {{\n  部门 区工信局\n  方式 {mode}\n  渠道 全程网办\n  依据 \"差分测试\"\n  {head}{body}}}\n"
            );
            Generated { policy, peer }
        })
}
