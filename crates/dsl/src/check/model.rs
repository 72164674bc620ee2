//! What the checker hands on: the library with every name resolved and every choice validated.
//! The engine lowers this; it never needs to look at clause lists again.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::ast::{CapScope, Condition, Currency, Expr, PayerRule};
use crate::check::dates::Periods;
use crate::span::Span;

/// Which input file a span belongs to: an index into the checker's input list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub usize);

/// A place in one of the library's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The file.
    pub file: FileId,
    /// The text within it.
    pub span: Span,
}

/// A checked library: its fact schema, its platform and its policies.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Library {
    /// The fact schema, by fact name.
    pub facts: BTreeMap<String, FactInfo>,
    /// The platform; `None` when the library has none (an error if it has policies).
    pub platform: Option<PlatformInfo>,
    /// The policies, in file order.
    pub policies: Vec<PolicyInfo>,
}

/// One fact of the schema, validated: a value enterprise data gives.
#[derive(Debug, Clone, Serialize)]
pub struct FactInfo {
    /// The name policies read it by.
    pub name: String,
    /// `逐年` (or `逐季`): one value per year (per quarter) rather than one value.
    pub series: bool,
    /// `逐季`: the series is by quarter, read `[上季]`; `series` is true too.
    pub quarterly: bool,
    /// The kind of one value.
    pub base: BaseType,
    /// The unit input values are given in (`万元`, `人`), if any.
    pub unit: Option<String>,
    /// Multiply an input value by this to get base units (元, 美元): 10000 for `万元`.
    pub scale: Decimal,
    /// `提供`: the department that provides the value.
    pub provider: String,
    /// `来源`: where the value comes from.
    pub provenance: Provenance,
    /// `说明`: what the value is, for guides and departments.
    pub description: Option<String>,
    /// Whether a negative value is rejected (`非负`, the default for amounts and counts).
    pub non_negative: bool,
    /// `缺省`: the value when the data does not mention the fact.
    pub default: Option<Expr>,
    /// The declaration.
    pub place: Place,
}

/// The kind of one value of a fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BaseType {
    /// 布尔: true or false.
    Bool,
    /// 整数: a whole number.
    Integer,
    /// 小数: an exact decimal.
    Decimal,
    /// An amount of money in 元 or a foreign currency (美元, 欧元, 英镑, 日元, 港元).
    Money(Currency),
    /// 百分比: a rate.
    Percent,
    /// 日期: a day.
    Date,
    /// 文本: free text.
    Text,
    /// 枚举: one of these texts.
    Enum(Vec<String>),
    /// An exchange rate: 元 per one unit of the currency (`汇率` for 美元, `欧元汇率`, …).
    FxRate(Currency),
}

impl BaseType {
    /// The type's keyword in the schema (`元`, `整数`).
    pub fn name(&self) -> &'static str {
        match self {
            BaseType::Bool => "布尔",
            BaseType::Integer => "整数",
            BaseType::Decimal => "小数",
            BaseType::Money(c) => c.word(),
            BaseType::Percent => "百分比",
            BaseType::Date => "日期",
            BaseType::Text => "文本",
            BaseType::Enum(_) => "枚举",
            BaseType::FxRate(c) => c.rate_type().map_or("汇率", |(zh, _)| zh),
        }
    }
}

/// Where a fact's value comes from; a 免申即享 policy may read only [`Provenance::Authoritative`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    /// 权威: authoritative government data (registration, tax, statistics, certifications).
    Authoritative,
    /// 自报: declared by the enterprise in its application.
    Declared,
    /// 审核: the result of a department's assessment, review or site inspection.
    Review,
}

impl Provenance {
    /// The provenance's keyword in the schema (`权威`).
    pub fn word(self) -> &'static str {
        match self {
            Provenance::Authoritative => "权威",
            Provenance::Declared => "自报",
            Provenance::Review => "审核",
        }
    }
}

/// The platform, validated: who may run, fund and pay for policies.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformInfo {
    /// The platform's name.
    pub name: String,
    /// `部门`: the departments policies may name.
    pub departments: Vec<String>,
    /// `出资方`: the funders policies may give shares to.
    pub funders: Vec<String>,
    /// In order; the last has no condition (`否则`).
    pub payers: Vec<PayerRule>,
    /// `兑付时限`: working days from approval to payment.
    pub payout_days: u32,
    /// `联审`: joint-review vetoes; any that holds stops every award.
    pub vetoes: Vec<Condition>,
    /// The unit of each `日期 ± 期限` in its rules (see [`PolicyInfo::periods`]).
    pub periods: Periods,
    /// The file that declares the platform.
    pub file: FileId,
}

/// How a policy is fulfilled (`方式`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mode {
    /// 免申即享: no application; the department screens its data.
    NoApplication,
    /// 即申即享: the enterprise applies; quantified conditions decide at once.
    Instant,
    /// 承诺兑现: the department assesses, reviews or inspects first.
    Commitment,
}

impl Mode {
    /// The mode's keyword (`免申即享`).
    pub fn word(self) -> &'static str {
        match self {
            Mode::NoApplication => "免申即享",
            Mode::Instant => "即申即享",
            Mode::Commitment => "承诺兑现",
        }
    }
}

/// How an enterprise applies and is paid (`渠道`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Channel {
    /// 全程网办
    Online,
    /// 窗口受理、线上兑付
    WindowThenOnline,
}

impl Channel {
    /// The channel's keyword (`全程网办`).
    pub fn word(self) -> &'static str {
        match self {
            Channel::Online => "全程网办",
            Channel::WindowThenOnline => "窗口受理、线上兑付",
        }
    }
}

/// How often one enterprise may be paid by a policy (`频次`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Frequency {
    /// 每企业一次
    OncePerEnterprise,
    /// 每企业每年一次
    OncePerEnterprisePerYear,
    /// 每企业每季一次: once per calendar quarter, for awards reckoned quarter by quarter.
    OncePerEnterprisePerQuarter,
    /// 不限
    Unlimited,
}

impl Frequency {
    /// The frequency's keyword (`每企业一次`).
    pub fn word(self) -> &'static str {
        match self {
            Frequency::OncePerEnterprise => "每企业一次",
            Frequency::OncePerEnterprisePerYear => "每企业每年一次",
            Frequency::OncePerEnterprisePerQuarter => "每企业每季一次",
            Frequency::Unlimited => "不限",
        }
    }
}

/// A policy's place in the catalog (`状态`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// 在列: in the catalog (惠企政策目录清单).
    Listed,
    /// 暂停: in the catalog but suspended.
    Suspended,
    /// 未列入: not in the catalog; pays nothing.
    Unlisted,
}

impl Status {
    /// The status's keyword (`在列`).
    pub fn word(self) -> &'static str {
        match self {
            Status::Listed => "在列",
            Status::Suspended => "暂停",
            Status::Unlisted => "未列入",
        }
    }
}

/// The unit an award is rounded to, half up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rounding {
    /// Decimal places of 元: 2 for 分, 0 for 元, -4 for 万元.
    pub places: i32,
    /// The unit's word (`分`, `元`, `万元`).
    pub word: &'static str,
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding { places: 2, word: "分" }
    }
}

/// The days a policy applies (`有效期`), both ends included.
#[derive(Debug, Clone, Serialize)]
pub struct Validity {
    /// The first day.
    pub from: NaiveDate,
    /// `None`: open-ended (`长期`).
    pub to: Option<NaiveDate>,
}

/// One funder's share of an award's cost (`分担`).
#[derive(Debug, Clone, Serialize)]
pub struct ShareInfo {
    /// The funder, listed in the platform's `出资方`.
    pub funder: String,
    /// How much of the award it funds.
    pub part: SharePart,
}

/// A funder's part of an award. A policy's shares are either all fractions adding up to 1 (`区
/// 其余` beside percentages is checked into the fraction left), or fixed amounts with exactly one
/// `Rest`: the fixed funders pay their amounts, in the order written, as far as the award goes,
/// and the `Rest` funder what is left, never less than 0 (docs/language.md, Funding shares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SharePart {
    /// A fraction of the award: 0.5 for 50%.
    Fraction(Decimal),
    /// A fixed amount in 元, whole 分: `120万元`.
    Fixed(Decimal),
    /// What the fixed amounts leave of the award (`其余`).
    Rest,
}

impl SharePart {
    /// The share as a guide shows it: `50%`, `120万元`, `1200.5元`, `其余`.
    pub fn words(&self) -> String {
        match self {
            SharePart::Fraction(f) => format!("{}%", (*f * Decimal::ONE_HUNDRED).normalize()),
            SharePart::Fixed(amount) => {
                let wan = *amount / Decimal::from(10_000);
                if wan.fract().is_zero() {
                    format!("{}万元", wan.normalize())
                } else {
                    format!("{}元", amount.normalize())
                }
            }
            SharePart::Rest => "其余".into(),
        }
    }
}

/// A policy's 就高不重复 group: related awards of which only the highest is paid.
#[derive(Debug, Clone, Serialize)]
pub struct GroupInfo {
    /// The group's name, shared by the policies in it.
    pub name: String,
    /// `升级补差`: moving up to a higher award pays the difference.
    pub upgrade_pays_difference: bool,
    /// The `就高不重复` clause.
    pub span: Span,
}

/// A policy's local definition (`设`).
#[derive(Debug, Clone, Serialize)]
pub struct LetInfo {
    /// The name later expressions read.
    pub name: String,
    /// What the name stands for.
    pub expr: Expr,
    /// The unit its value is shown with in explanations (`元`, `千瓦时`), from its type.
    pub unit: Option<String>,
}

/// A ceiling on what a policy pays.
#[derive(Debug, Clone, Serialize)]
pub struct CapInfo {
    /// What the ceiling applies to: one award, a year, or for life.
    pub scope: CapScope,
    /// The ceiling, in 元.
    pub expr: Expr,
}

/// One policy, validated and with every choice resolved: what the engine lowers.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    /// The stable id decisions and reports refer to.
    pub id: String,
    /// The policy's name as published.
    pub title: String,
    /// `部门`: the department that runs it, listed in the platform.
    pub department: String,
    /// `方式`: how it is fulfilled.
    pub mode: Mode,
    /// `渠道`: how the enterprise applies and is paid.
    pub channel: Channel,
    /// `依据`: the document and clause it rests on.
    pub basis: String,
    /// `有效期`: the days it applies.
    pub validity: Validity,
    /// `分担`: who funds which share; `区 100%` when not written.
    pub shares: Vec<ShareInfo>,
    /// `材料`: the documents an application needs.
    pub materials: Vec<String>,
    /// `时限`: the processing time limit in working days; `None` only after an error.
    pub time_limit_days: Option<u32>,
    /// `频次`: how often one enterprise may be paid.
    pub frequency: Frequency,
    /// `就高不重复`: the group it belongs to, if any.
    pub group: Option<GroupInfo>,
    /// `状态`: its place in the catalog.
    pub status: Status,
    /// `标的`: what it pays per, when not per enterprise.
    pub item: Option<crate::check::item::ItemInfo>,
    /// In definition order; each reads only facts and earlier definitions.
    pub lets: Vec<LetInfo>,
    /// `条件`: the labelled conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// `奖励`: the amount paid, in 元; `None` only after an error.
    pub award: Option<Expr>,
    /// `上限`, `年度上限`, `累计上限`: the ceilings on what it pays.
    pub caps: Vec<CapInfo>,
    /// `分期`: the ratios of the award's parts; `None` for one payment.
    pub installments: Option<Vec<u32>>,
    /// `分期 … 当 条件`: the split applies only when this holds; otherwise one payment.
    pub installment_when: Option<Expr>,
    /// `分期 … 后续各期 { … }`: what each installment after the first needs when it falls due.
    pub later_installments: Vec<Condition>,
    /// `取整`: the unit the award is rounded to.
    pub rounding: Rounding,
    /// Every fact the policy reads, sorted.
    pub facts_read: Vec<String>,
    /// The review and inspection results (审核 facts) it waits for.
    pub reviews: Vec<String>,
    /// The unit of each `日期 ± 期限` in it, by the span of the `±` expression: the engine's
    /// values carry no units, so the checker says whether `+ 3` means years, months or days.
    pub periods: Periods,
    /// The policy block.
    pub place: Place,
}
