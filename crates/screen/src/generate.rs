//! Synthetic registries for tests and benchmarks: the columns are the facts the library's 免申即享
//! policies and the platform's rules read; the values follow the policies' own conditions often
//! enough that each policy finds enterprises to pay.
//!
//! How values are chosen: every comparison in a policy's IR between a fact (or the year of a
//! date fact) and a constant, possibly relative to the evaluation year (`首次纳入规上统计年度 ==
//! 评估年度 - 1`), is a target; so are the lower bounds of tier bands, the values of `属于`, and
//! `真` for a boolean fact. A cell hits one of its targets with a probability that grows with the
//! share of policies reading the fact (注册区县 is read by all, so nearly every firm is in
//! 章贡区; a fact one policy in seventeen reads, about 0.5%), and otherwise is drawn from a background: log-normal amounts and counts, recent years
//! and dates, uniform enums. About 30% of firms are in the park, about 1% vetoed, about 3% of cells
//! are empty and about 0.1% of rows are bad (a broken code, a non-number, a bad date, a
//! duplicate code).
//!
//! Deterministic for a seed and a date: one xoshiro256** stream, seeded by splitmix64, drawn
//! row by row on one thread. Probabilities and log-normal draws use `f64` (this is made-up input
//! data, not money arithmetic); amounts are rounded to the 分 in decimal before they are written.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{Datelike, Days, NaiveDate};
use huiqi_dsl::ast::Relation;
use huiqi_dsl::check::{BaseType, Mode};
use huiqi_engine::{Engine, FactRef, Value};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use crate::columns::{ACCOUNT, BANK, NAME, USCC};
use crate::uscc::{check_char, ALPHABET};

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub rows: u64,
    pub seed: u64,
    /// The evaluation date the registry is made for: "上年" is the year before it.
    pub as_of: NaiveDate,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GenStats {
    pub rows: u64,
    pub columns: usize,
    /// Rows made bad on purpose (broken code, non-number, bad date, duplicate code).
    pub bad_rows: u64,
    pub empty_cells: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("the library has no 免申即享 policy, so there are no columns to generate")]
    NoPolicies,
    #[error("cannot write the registry: {0}")]
    Write(String),
}

/// xoshiro256** (Blackman and Vigna), seeded by splitmix64: small, fast, and the same sequence on
/// every machine for a seed.
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng { s: [next(), next(), next(), next()] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2^-40 for our n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// One of `items`; `None` only if there are none.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let len = u64::try_from(items.len()).ok()?;
        items.get(usize::try_from(self.below(len)).ok()?)
    }

    /// Uniform in [0, n), for offsets of years.
    pub fn below_i32(&mut self, n: u16) -> i32 {
        // Below `n`, itself a `u16`: the conversions cannot fail.
        u16::try_from(self.below(u64::from(n))).map_or(0, i32::from)
    }
}

/// A value a fact is compared with, the fact on the left.
#[derive(Debug, Clone)]
struct Target {
    rel: Relation,
    value: Value,
    /// The comparison is on the year of a date fact.
    via_year: bool,
}

/// One generated column: a fact, or one year of a series.
#[derive(Debug, Clone)]
struct Plan {
    slot: usize,
    header: String,
    targets: Vec<Target>,
    /// Chance that a cell hits a target.
    hit: f64,
    /// Read by the platform's joint review: true rarely, empty rarely.
    veto: bool,
    /// Read by the platform's payer rule (位于章贡高新区): true for about 30%.
    payer_rule: bool,
}

/// What the policies and the platform say about one column.
#[derive(Default)]
struct Found {
    targets: Vec<Target>,
    /// Policies with a target on it.
    readers: usize,
    veto: bool,
    payer_rule: bool,
}

/// The registry's columns for the library's 免申即享 policies and platform, with their targets:
/// what each policy compares its facts with on the date, as the engine folds it for that date.
fn plans(engine: &Engine, as_of: NaiveDate) -> Result<Vec<Plan>, GenError> {
    let dated = engine.on_date(as_of);
    let policies: Vec<_> = engine.policies().filter(|p| p.info().mode == Mode::NoApplication).collect();
    if policies.is_empty() {
        return Err(GenError::NoPolicies);
    }
    // A year, or a quarter's number for a quarterly series.
    let key = |f: FactRef| (f.slot, f.period(as_of));
    // (slot, year) → (targets, how many policies have a target on it), in the order first read.
    let mut order: Vec<(usize, Option<i32>)> = Vec::new();
    let mut found: BTreeMap<(usize, Option<i32>), Found> = BTreeMap::new();
    for read in engine.platform_reads() {
        let key = key(read.fact);
        if !found.contains_key(&key) {
            order.push(key);
        }
        let entry = found.entry(key).or_default();
        entry.veto |= read.veto;
        entry.payer_rule |= !read.veto;
    }
    for p in &policies {
        let mut targets: BTreeMap<(usize, Option<i32>), Vec<Target>> = BTreeMap::new();
        for c in dated.comparisons(p.index()) {
            let target = Target { rel: c.rel, value: c.value, via_year: c.via_year };
            targets.entry(key(c.fact)).or_default().push(target);
        }
        for f in p.reads() {
            let key = key(*f);
            let is_bool = engine.schema().meta(f.slot).is_some_and(|m| m.base == BaseType::Bool);
            if is_bool {
                targets.entry(key).or_default().push(Target {
                    rel: Relation::Eq,
                    value: Value::Bool(true),
                    via_year: false,
                });
            }
            if !found.contains_key(&key) {
                order.push(key);
            }
            let entry = found.entry(key).or_default();
            if let Some(t) = targets.remove(&key) {
                entry.targets.extend(t);
                entry.readers += 1;
            }
        }
    }
    let n = policies.len() as f64;
    let mut plans = Vec::with_capacity(order.len());
    for key in order {
        let Some(Found { targets, readers, veto, payer_rule }) = found.remove(&key) else { continue };
        let Some(meta) = engine.schema().meta(key.0) else { continue };
        let header = match key.1 {
            Some(q) if meta.quarterly => format!("{}[{}]", meta.name, huiqi_engine::quarter_key(q)),
            Some(y) => format!("{}[{y}]", meta.name),
            None => meta.name.to_string(),
        };
        // A fact most policies test (注册区县) is one most firms meet; a niche one (an award
        // list one policy reads), few: a district has tens of such firms a year among tens of
        // thousands, so one reader in seventeen gives about 0.5%.
        let hit = 0.002 + 0.948 * (readers as f64 / n).min(1.0).powi(2);
        plans.push(Plan { slot: key.0, header, targets, hit, veto, payer_rule });
    }
    Ok(plans)
}

const SYLLABLES: &[&str] = &[
    "恒达", "稀金", "赣发", "章江", "贡水", "宏图", "瑞丰", "鑫源", "华坤", "嘉禾", "博远", "天益", "永晟",
    "金磊", "智源", "盛世", "通达", "钨都", "虔城", "郁孤", "福寿", "八境", "宋城", "诚信",
];
const TRADES: &[&str] = &[
    "机械制造",
    "新材料科技",
    "电子科技",
    "进出口贸易",
    "软件信息",
    "物流",
    "食品",
    "医药",
    "家具",
    "稀土材料",
    "建筑工程",
    "文化传媒",
    "餐饮管理",
    "电子商务",
    "检测技术",
    "环保科技",
];
const BANKS: &[&str] = &[
    "中国工商银行赣州章贡支行",
    "中国农业银行赣州章贡支行",
    "中国银行赣州分行营业部",
    "中国建设银行赣州分行",
    "交通银行赣州分行",
    "赣州银行章贡支行",
    "江西银行赣州分行",
    "中国邮政储蓄银行赣州分行",
    "赣州农村商业银行",
];
const OTHER_PLACES: &[&str] = &["南康区", "赣县区", "于都县", "信丰县", "瑞金市"];

/// 31^9: the 9-character organisation codes.
const ORG_SPACE: u64 = 26_439_622_160_671;

/// The code of the `index`-th enterprise: 91 (enterprise) + 360702 (章贡区) + a 9-character
/// organisation code + the check character. `index → code` is one-to-one for a seed (an affine
/// map modulo 31^9 with a multiplier coprime to 31), so codes never collide.
pub fn code(index: u64, seed: u64) -> String {
    let offset = seed % ORG_SPACE;
    #[allow(clippy::cast_possible_truncation, reason = "below ORG_SPACE (31^9 < 2^45)")]
    let mut n = ((u128::from(index) * 1_000_000_007 + u128::from(offset)) % u128::from(ORG_SPACE)) as u64;
    let mut org = [b'0'; 9];
    for place in org.iter_mut().rev() {
        *place = ALPHABET.get((n % 31) as usize).copied().unwrap_or(b'0');
        n /= 31;
    }
    let body = format!("91360702{}", String::from_utf8_lossy(&org));
    let check = check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// Writes a registry of `options.rows` enterprises as CSV (UTF-8, no BOM) to `out`.
pub fn write(engine: &Engine, options: &GenOptions, out: impl Write) -> Result<GenStats, GenError> {
    let plans = plans(engine, options.as_of)?;
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [USCC, NAME, BANK, ACCOUNT].iter().map(|s| s.to_string()).collect();
    header.extend(plans.iter().map(|p| p.header.clone()));
    let fail = |e: csv::Error| GenError::Write(e.to_string());
    writer.write_record(&header).map_err(fail)?;
    let mut rng = Rng::new(options.seed);
    let mut stats = GenStats { columns: header.len(), ..GenStats::default() };
    let mut cells: Vec<String> = vec![String::new(); header.len()];
    for index in 0..options.rows {
        enterprise(engine, &plans, options, index, &mut rng, &mut cells, &mut stats);
        writer.write_record(&cells).map_err(fail)?;
        stats.rows += 1;
    }
    writer.flush().map_err(|e| GenError::Write(e.to_string()))?;
    Ok(stats)
}

/// One row's cells.
fn enterprise(
    engine: &Engine,
    plans: &[Plan],
    options: &GenOptions,
    index: u64,
    rng: &mut Rng,
    cells: &mut [String],
    stats: &mut GenStats,
) {
    // The tables picked from are constants, never empty.
    let pick = |rng: &mut Rng, items: &[&str]| rng.pick(items).copied().unwrap_or("").to_string();
    let duplicate = index > 0 && rng.chance(0.0003);
    let set = |cells: &mut [String], i: usize, v: String| {
        if let Some(c) = cells.get_mut(i) {
            *c = v;
        }
    };
    set(cells, 0, code(if duplicate { index / 2 } else { index }, options.seed));
    let suffix = if rng.chance(0.15) { "股份有限公司" } else { "有限公司" };
    let name = format!("赣州{}{}{suffix}", pick(rng, SYLLABLES), pick(rng, TRADES));
    set(cells, 1, name);
    set(cells, 2, pick(rng, BANKS));
    let digits = 16 + rng.below(4);
    #[allow(clippy::cast_possible_truncation, reason = "a digit, below 10")]
    let account: String =
        (0..digits).map(|i| char::from(b'0' + if i == 0 { 6 } else { rng.below(10) as u8 })).collect();
    set(cells, 3, account);
    // A firm's size drives its amounts, so revenue, tax and exports go together.
    let size = rng.normal();
    for (i, plan) in plans.iter().enumerate() {
        let missing = if plan.veto || plan.payer_rule { 0.005 } else { 0.03 };
        let text = if rng.chance(missing) {
            stats.empty_cells += 1;
            String::new()
        } else {
            cell(engine, plan, options.as_of, size, rng)
        };
        set(cells, 4 + i, text);
    }
    if duplicate {
        stats.bad_rows += 1;
    } else if rng.chance(0.001) {
        stats.bad_rows += 1;
        spoil(engine, plans, cells, rng);
    }
}

/// Makes a row bad in one of the ways real exports are: a mistyped code, a number with a unit
/// word, a date in words.
fn spoil(engine: &Engine, plans: &[Plan], cells: &mut [String], rng: &mut Rng) {
    let numeric = |p: &&Plan| {
        engine.schema().meta(p.slot).is_some_and(|m| {
            matches!(m.base, BaseType::Integer | BaseType::Decimal | BaseType::Money(_) | BaseType::Percent)
        })
    };
    let dated = |p: &&Plan| engine.schema().meta(p.slot).is_some_and(|m| m.base == BaseType::Date);
    let column_of = |target: &Plan| plans.iter().position(|p| std::ptr::eq(p, target)).map(|i| i + 4);
    match rng.below(3) {
        0 => {
            if let Some(code) = cells.first_mut() {
                // Swap the check character for the next one: always wrong.
                let last = code.pop().unwrap_or('0');
                let at = ALPHABET.iter().position(|c| char::from(*c) == last).unwrap_or(0);
                code.push(char::from(ALPHABET.get((at + 1) % 31).copied().unwrap_or(b'0')));
            }
        }
        1 => {
            let candidates: Vec<&Plan> = plans.iter().filter(numeric).collect();
            if let Some(col) = rng.pick(&candidates).and_then(|p| column_of(p)) {
                if let Some(c) = cells.get_mut(col) {
                    *c = "约12万".into();
                }
            }
        }
        _ => {
            let candidates: Vec<&Plan> = plans.iter().filter(dated).collect();
            let col = rng.pick(&candidates).and_then(|p| column_of(p));
            match col.and_then(|col| cells.get_mut(col)) {
                Some(c) => *c = "2024年3月".into(),
                None => {
                    if let Some(code) = cells.first_mut() {
                        code.truncate(17);
                    }
                }
            }
        }
    }
}

/// One cell of a plan, as a department's export writes it.
fn cell(engine: &Engine, plan: &Plan, as_of: NaiveDate, size: f64, rng: &mut Rng) -> String {
    let Some(meta) = engine.schema().meta(plan.slot) else { return String::new() };
    if plan.veto {
        // Four vetoes at 0.25% each: about 1% of firms vetoed.
        let yes = rng.chance(0.0025);
        return yes_no(rng, yes);
    }
    if plan.payer_rule && meta.base == BaseType::Bool {
        let yes = rng.chance(0.30);
        return yes_no(rng, yes);
    }
    let hit = !plan.targets.is_empty() && rng.chance(plan.hit);
    let target = if hit { rng.pick(&plan.targets).cloned() } else { None };
    let year = as_of.year();
    match &meta.base {
        BaseType::Bool => {
            let yes = match &target {
                Some(t) => t.value == Value::Bool(true),
                None => rng.chance(0.01),
            };
            yes_no(rng, yes)
        }
        BaseType::Enum(variants) => match target.map(|t| t.value) {
            Some(Value::Text(t)) if variants.iter().any(|v| v.as_str() == &*t) => t.to_string(),
            _ => {
                // Off target, a value the policies do not ask for, where there is one.
                let asked =
                    |v: &String| plan.targets.iter().any(|t| t.value == Value::Text(v.as_str().into()));
                let others: Vec<&String> = variants.iter().filter(|v| !asked(v)).collect();
                let pool: Vec<&String> = if others.is_empty() { variants.iter().collect() } else { others };
                // An enum without variants (none in a checked schema): an empty cell, unknown.
                rng.pick(&pool).map(|v| v.to_string()).unwrap_or_default()
            }
        },
        BaseType::Text => match target.map(|t| t.value) {
            Some(Value::Text(t)) => t.to_string(),
            // A constant list, never empty.
            _ if !plan.targets.is_empty() => {
                rng.pick(OTHER_PLACES).map(|s| s.to_string()).unwrap_or_default()
            }
            _ => format!("文本{}", rng.below(100)),
        },
        BaseType::Date => {
            let date = match target {
                Some(Target { value: Value::Num(y), via_year: true, rel }) => {
                    let y = i32::try_from(y.trunc().mantissa()).unwrap_or(year);
                    let y = match rel {
                        Relation::Gt => y + 1,
                        Relation::Lt => y - 1 - rng.below_i32(3),
                        Relation::Le => y - rng.below_i32(3),
                        _ => y,
                    };
                    NaiveDate::from_ymd_opt(y, 1, 1)
                        .and_then(|d| d.checked_add_days(Days::new(rng.below(365))))
                }
                Some(Target { value: Value::Date(d), rel, .. }) => match rel {
                    Relation::Lt | Relation::Le => d.checked_sub_days(Days::new(1 + rng.below(700))),
                    _ => d.checked_add_days(Days::new(rng.below(60))).filter(|x| *x < as_of),
                },
                _ => None,
            };
            // Off target, a date two to fifteen years back: old certificates, past listings.
            let date = date.or_else(|| as_of.checked_sub_days(Days::new(2 * 365 + rng.below(13 * 365))));
            let date = date.unwrap_or(as_of);
            if rng.chance(0.3) {
                date.format("%Y/%m/%d").to_string()
            } else {
                date.format("%Y-%m-%d").to_string()
            }
        }
        BaseType::Integer => {
            let year_like = plan.targets.iter().any(|t| {
                t.value.as_num().is_some_and(|v| v >= Decimal::from(1900) && v <= Decimal::from(2200))
            }) || meta.name.ends_with("年度")
                || meta.name.ends_with("年份");
            match target {
                // A target no whole number meets: an empty cell (unknown) in a synthetic registry.
                Some(t) if year_like => near_year(&t, rng).map(|v| v.to_string()).unwrap_or_default(),
                Some(t) => satisfy(&t, rng, true).map(|v| v.trunc().to_string()).unwrap_or_default(),
                None if year_like => (year - 12 + rng.below_i32(10)).to_string(),
                // Counts (people, projects): most firms have none.
                None if rng.chance(0.92) => "0".into(),
                #[allow(clippy::cast_possible_truncation, reason = "a count near 5; `as` saturates")]
                None => ((5.0 * (1.0 * rng.normal()).exp()).round() as i64).to_string(),
            }
        }
        BaseType::Decimal | BaseType::Money(_) | BaseType::Percent | BaseType::FxRate(_) => {
            let base = match target {
                Some(t) => satisfy(&t, rng, false),
                None => background(plan, meta.base == BaseType::Percent, size, rng),
            };
            let Some(base) = base else { return String::new() };
            // To the fact's unit: amounts divided by the unit's scale, percentages in points.
            let shown = match meta.base {
                BaseType::Percent => base * Decimal::ONE_HUNDRED,
                _ => base.checked_div(meta.scale).unwrap_or(base),
            };
            let shown = shown.round_dp(2).normalize();
            if shown >= Decimal::from(1000) && rng.chance(0.1) {
                crate::summary::money(shown)
            } else {
                shown.to_string()
            }
        }
    }
}

fn yes_no(rng: &mut Rng, yes: bool) -> String {
    let words: (&str, &str) = match rng.below(10) {
        0 => ("Y", "N"),
        1 => ("1", "0"),
        _ => ("是", "否"),
    };
    (if yes { words.0 } else { words.1 }).to_string()
}

/// A year meeting a target on a year: a few years either side, not a multiple of it.
fn near_year(t: &Target, rng: &mut Rng) -> Option<i64> {
    let v = i64::try_from(t.value.as_num()?.trunc().mantissa()).ok()?;
    let k = rng.below(3) as i64;
    Some(match t.rel {
        Relation::Eq => v,
        Relation::Ne => v - 1 - k,
        Relation::Ge => v + k,
        Relation::Gt => v + 1 + k,
        Relation::Le => v - k,
        Relation::Lt => v - 1 - k,
    })
}

/// A value meeting a target, in base units.
fn satisfy(t: &Target, rng: &mut Rng, whole: bool) -> Option<Decimal> {
    let v = t.value.as_num()?;
    let step = if whole { Decimal::ONE } else { Decimal::new(1, 2) };
    let above = |rng: &mut Rng| {
        let factor = Decimal::from_f64(1.0 + 1.5 * rng.unit()).unwrap_or(Decimal::ONE);
        if v.is_zero() {
            Decimal::from_f64(5e6 * (rng.normal()).exp()).unwrap_or(Decimal::ONE)
        } else {
            v.abs() * factor + v.min(Decimal::ZERO)
        }
    };
    let x = match t.rel {
        Relation::Eq => v,
        Relation::Ne => v + step,
        Relation::Ge => above(rng).max(v),
        Relation::Gt => above(rng).max(v + step),
        Relation::Le => v * Decimal::from_f64(rng.unit()).unwrap_or(Decimal::ZERO),
        Relation::Lt => (v * Decimal::from_f64(rng.unit()).unwrap_or(Decimal::ZERO)).min(v - step),
    };
    Some(if whole { x.ceil() } else { x.round_dp(2) })
}

/// A log-normal amount around a tenth of the policy thresholds, scaled by the firm's size.
fn background(plan: &Plan, percent: bool, size: f64, rng: &mut Rng) -> Option<Decimal> {
    if percent {
        return Decimal::from_f64(0.3 * rng.unit());
    }
    let threshold = plan
        .targets
        .iter()
        .filter_map(|t| t.value.as_num())
        .filter(|v| v.is_sign_positive() && !v.is_zero())
        .min()
        .and_then(|v| rust_decimal::prelude::ToPrimitive::to_f64(&v));
    let median = threshold.map_or(5e6, |t| t / 10.0);
    Decimal::from_f64(median * (1.2 * size + 0.6 * rng.normal()).exp())
}
