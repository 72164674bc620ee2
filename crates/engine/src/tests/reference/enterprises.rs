//! The generated library's platform and schema, and random enterprises for it: facts on the
//! thresholds the generated policies use, some absent, some `null`, some huge; a date inside the
//! calendar; now and then prior awards, some at the edge of what a decimal holds.

use crate::PriorAward;
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::gen::{pick, ID, PEER};

pub const PLATFORM: &str = "平台 差分 {
  部门 区工信局, 区人社局, 区税务局, 区商务局, 区统计局, 区市场监督管理局, 区住建局, 区发改委, 章贡高新区管委会, 区行政审批局, 区财政局
  出资方 市, 区
  付款方 {
    章贡高新区管委会 当 位于园区
    区行政审批局 否则
  }
  兑付时限 1个工作日
  联审 {
    失信: 失信记录
  }
}
";

/// (name, declaration body): booleans, whole numbers, money in 万元 and 元, 美元, 欧元 and 日元
/// with their rates, quarterly series,
/// a percentage, an enum, a date, text, yearly series, defaults, a review result.
const FACTS: &[(&str, &str)] = &[
    ("认定标志", "类型 布尔\n 提供 区工信局\n 来源 权威"),
    ("名单内", "类型 逐年 布尔\n 提供 区工信局\n 来源 权威\n 缺省 假"),
    ("核查通过", "类型 布尔\n 提供 区工信局\n 来源 审核"),
    ("位于园区", "类型 布尔\n 提供 章贡高新区管委会\n 来源 权威"),
    ("失信记录", "类型 布尔\n 提供 区发改委\n 来源 权威"),
    ("员工人数", "类型 整数\n 单位 人\n 提供 区人社局\n 来源 权威"),
    ("新增员工", "类型 逐年 整数\n 单位 人\n 提供 区人社局\n 来源 权威"),
    ("认定年度", "类型 整数\n 提供 区工信局\n 来源 权威"),
    ("投资额", "类型 元\n 单位 万元\n 提供 区工信局\n 来源 自报"),
    ("补助基数", "类型 元\n 提供 区财政局\n 来源 权威\n 可为负"),
    ("营业收入", "类型 逐年 元\n 单位 万元\n 提供 区税务局\n 来源 权威"),
    ("出口额", "类型 逐年 美元\n 单位 万美元\n 提供 区商务局\n 来源 权威"),
    ("美元汇率", "类型 汇率\n 提供 区商务局\n 来源 权威"),
    ("欧元收入", "类型 逐年 欧元\n 单位 万欧元\n 提供 区商务局\n 来源 权威"),
    ("欧元折算率", "类型 欧元汇率\n 提供 区商务局\n 来源 权威"),
    ("日元存款", "类型 日元\n 单位 亿日元\n 提供 区商务局\n 来源 权威\n 缺省 0日元"),
    ("日元折算率", "类型 逐年 日元汇率\n 提供 区商务局\n 来源 权威"),
    ("季度产值", "类型 逐季 元\n 单位 万元\n 提供 区统计局\n 来源 权威"),
    ("季度达标", "类型 逐季 布尔\n 提供 区统计局\n 来源 权威\n 缺省 假"),
    ("增长率", "类型 百分比\n 提供 区统计局\n 来源 权威\n 可为负"),
    (
        "企业等级",
        "类型 枚举(\"国家级\", \"省级\", \"市级\", \"无\")\n 提供 区工信局\n 来源 权威\n 缺省 \"无\"",
    ),
    ("认定日期", "类型 日期\n 提供 区工信局\n 来源 权威"),
    ("注册区县", "类型 文本\n 提供 区市场监督管理局\n 来源 权威"),
    ("标的编号", "类型 文本\n 提供 区工信局\n 来源 自报"),
    ("面积", "类型 小数\n 单位 ㎡\n 提供 区住建局\n 来源 自报"),
    ("缺省金额", "类型 元\n 单位 万元\n 提供 区财政局\n 来源 权威\n 缺省 10万元"),
];

pub fn schema() -> String {
    FACTS.iter().map(|(name, body)| format!("事实 {name} {{\n {body}\n}}\n")).collect()
}

fn values(items: &[Value]) -> BoxedStrategy<Option<Value>> {
    prop_oneof![1 => Just(None), 1 => Just(Some(Value::Null)), 12 => select(items.to_vec()).prop_map(Some)]
        .boxed()
}

/// A series: absent, null, or some of the four years up to the evaluation year (offsets 0..=3
/// back; the test turns them into years), each a value or null.
fn series(items: &[Value]) -> BoxedStrategy<Option<Value>> {
    let years = proptest::collection::vec(values(items), 4).prop_map(|vs| {
        let mut years = Map::new();
        for (back, v) in vs.into_iter().enumerate() {
            if let Some(v) = v {
                years.insert(format!("-{back}"), v);
            }
        }
        Some(Value::Object(years))
    });
    prop_oneof![1 => Just(None), 1 => Just(Some(Value::Null)), 10 => years].boxed()
}

/// Values of each fact, in its unit; many sit on the thresholds the literals above use.
pub fn facts() -> impl Strategy<Value = Map<String, Value>> {
    let bools = [json!(true), json!(false)];
    let counts = [json!(0), json!(1), json!(10), json!(49), json!(50), json!(51), json!(100)];
    let wan = [
        json!(0),
        json!("0.0001"),
        json!(1),
        json!(5),
        json!(10),
        json!("99.9999"),
        json!(100),
        json!(500),
        json!(1000),
        json!("1234.5678"),
        json!(5000),
        json!(20000),
        json!("10000000000000000"),
    ];
    let yuan = [
        json!(0),
        json!("0.005"),
        json!("99.995"),
        json!("12345.675"),
        json!("-12345.675"),
        json!(50000),
        json!(100000),
        json!(-100000),
        json!(-1000000),
        json!("100000000000000000000"),
    ];
    let usd = [json!(0), json!(1), json!(100), json!(1000)];
    let rate = [json!("7.1"), json!("7.1234"), json!(0)];
    let growth =
        [json!(0), json!(5), json!("5.5"), json!(10), json!(20), json!(-5), json!("20%"), json!(300)];
    let grade = [json!("国家级"), json!("省级"), json!("市级"), json!("无")];
    let dates = [
        json!("2023-12-31"),
        json!("2024-01-01"),
        json!("2025-06-30"),
        json!("2025-07-20"),
        json!("2026-11-26"),
    ];
    let years = [json!(2020), json!(2022), json!(2023), json!(2024), json!(2025), json!(2026)];
    let strategies: Vec<(&'static str, BoxedStrategy<Option<Value>>)> = vec![
        ("认定标志", values(&bools)),
        ("名单内", series(&bools)),
        ("核查通过", values(&bools)),
        ("位于园区", values(&bools)),
        ("失信记录", prop_oneof![6 => Just(Some(json!(false))), 1 => values(&bools)].boxed()),
        ("员工人数", values(&counts)),
        ("新增员工", series(&counts)),
        ("认定年度", values(&years)),
        ("投资额", values(&wan)),
        ("补助基数", values(&yuan)),
        ("营业收入", series(&wan)),
        ("出口额", series(&usd)),
        ("美元汇率", values(&rate)),
        ("欧元收入", series(&usd)),
        ("欧元折算率", values(&[json!("7.8"), json!("7.81234"), json!(0)])),
        ("日元存款", values(&[json!(0), json!("0.5"), json!(3)])),
        ("日元折算率", series(&[json!("0.048"), json!("0.04812"), json!(0)])),
        ("季度产值", quarters(&wan)),
        ("季度达标", quarters(&bools)),
        ("增长率", values(&growth)),
        ("企业等级", values(&grade)),
        ("认定日期", values(&dates)),
        ("注册区县", values(&[json!("章贡区"), json!("南康区")])),
        ("面积", values(&[json!(0), json!(100), json!("1000.5"), json!(1000)])),
        ("缺省金额", values(&[json!(0), json!(10), json!(20)])),
    ];
    let (names, strategies): (Vec<_>, Vec<_>) = strategies.into_iter().unzip();
    strategies.prop_map(move |vs| {
        names
            .iter()
            .zip(vs)
            .filter_map(|(n, v)| v.map(|v| (n.to_string(), v)))
            .collect::<Map<String, Value>>()
    })
}

/// Series years were generated as offsets back from the evaluation year (`"-1"`), quarters as
/// offsets back from its quarter (`"q-1"`); make them years and quarters (`"2025Q3"`).
pub fn dated(mut facts: Map<String, Value>, as_of: NaiveDate) -> Value {
    let year = chrono::Datelike::year(&as_of);
    // Counted here apart from the engine: quarters since year 0.
    let quarter = year * 4 + i32::try_from(chrono::Datelike::month0(&as_of) / 3).unwrap_or(0);
    for value in facts.values_mut() {
        if let Value::Object(years) = value {
            *years = std::mem::take(years)
                .into_iter()
                .map(|(back, v)| match back.strip_prefix('q') {
                    Some(q) => {
                        let n = quarter + q.parse::<i32>().unwrap_or(0);
                        (format!("{}Q{}", n.div_euclid(4), n.rem_euclid(4) + 1), v)
                    }
                    None => (format!("{}", year + back.parse::<i32>().unwrap_or(0)), v),
                })
                .collect();
        }
    }
    Value::Object(facts)
}

/// The item an evaluation names: none (every award counts), or `甲`.
pub fn item() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), Just(Some("甲".to_string()))]
}

/// A quarterly series: absent, null, or some of the six quarters up to the evaluation date's.
fn quarters(items: &[Value]) -> BoxedStrategy<Option<Value>> {
    let quarters = proptest::collection::vec(values(items), 6).prop_map(|vs| {
        let mut out = Map::new();
        for (back, v) in vs.into_iter().enumerate() {
            if let Some(v) = v {
                out.insert(format!("q-{back}"), v);
            }
        }
        Some(Value::Object(out))
    });
    prop_oneof![1 => Just(None), 1 => Just(Some(Value::Null)), 10 => quarters].boxed()
}

pub fn as_of() -> impl Strategy<Value = NaiveDate> {
    // Inside the calendar, with room for the payout's working day.
    (0u64..1430)
        .prop_map(|days| NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default() + chrono::Days::new(days))
}

/// Awards paid before: of this policy or its peer, this year or last, now and then extreme.
pub fn priors(as_of: NaiveDate) -> impl Strategy<Value = Vec<PriorAward>> {
    let amount = prop_oneof![
        20 => select(vec![Decimal::ZERO, Decimal::new(1, 2), Decimal::from(10_000), Decimal::from(50_000), Decimal::from(1_000_000), Decimal::new(1234567, 3)]),
        1 => Just(Decimal::MAX),
        1 => Just(Decimal::MIN),
    ];
    // Paid per enterprise (""), or for one of two items (标的).
    let item = pick(&["", "甲", "甲", "乙"]);
    let one = (pick(&[ID, ID, PEER]), 0i32..2, amount, item).prop_map(move |(policy, back, amount, item)| {
        let date =
            chrono::Datelike::with_year(&as_of, chrono::Datelike::year(&as_of) - back).unwrap_or(as_of);
        PriorAward { policy, date, amount, item }
    });
    prop_oneof![2 => Just(Vec::new()), 1 => proptest::collection::vec(one, 1..3)]
}
