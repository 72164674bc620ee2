//! What the checker hands on: the library with every name resolved and every choice validated.
//! The engine lowers this; it never needs to look at clause lists again.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::ast::{CapScope, Condition, Currency, Expr, PayerRule};
use crate::span::Span;

/// Which input file a span belongs to: an index into the checker's input list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub usize);

/// A place in one of the library's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    pub file: FileId,
    pub span: Span,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Library {
    pub facts: BTreeMap<String, FactInfo>,
    pub platform: Option<PlatformInfo>,
    pub policies: Vec<PolicyInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactInfo {
    pub name: String,
    pub series: bool,
    pub base: BaseType,
    /// The unit input values are given in (`万元`, `人`), if any.
    pub unit: Option<String>,
    /// Multiply an input value by this to get base units (元, 美元): 10000 for `万元`.
    pub scale: Decimal,
    pub provider: String,
    pub provenance: Provenance,
    pub description: Option<String>,
    pub non_negative: bool,
    /// `缺省`: the value when the data does not mention the fact.
    pub default: Option<Expr>,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BaseType {
    Bool,
    Integer,
    Decimal,
    Money(Currency),
    Percent,
    Date,
    Text,
    Enum(Vec<String>),
    /// 汇率: 元 per 美元.
    FxRate,
}

impl BaseType {
    pub fn name(&self) -> &'static str {
        match self {
            BaseType::Bool => "布尔",
            BaseType::Integer => "整数",
            BaseType::Decimal => "小数",
            BaseType::Money(Currency::Cny) => "元",
            BaseType::Money(Currency::Usd) => "美元",
            BaseType::Percent => "百分比",
            BaseType::Date => "日期",
            BaseType::Text => "文本",
            BaseType::Enum(_) => "枚举",
            BaseType::FxRate => "汇率",
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
    pub fn word(self) -> &'static str {
        match self {
            Provenance::Authoritative => "权威",
            Provenance::Declared => "自报",
            Provenance::Review => "审核",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformInfo {
    pub name: String,
    pub departments: Vec<String>,
    pub funders: Vec<String>,
    /// In order; the last has no condition (`否则`).
    pub payers: Vec<PayerRule>,
    pub payout_days: u32,
    pub vetoes: Vec<Condition>,
    pub file: FileId,
}

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
    pub fn word(self) -> &'static str {
        match self {
            Mode::NoApplication => "免申即享",
            Mode::Instant => "即申即享",
            Mode::Commitment => "承诺兑现",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Channel {
    /// 全程网办
    Online,
    /// 窗口受理、线上兑付
    WindowThenOnline,
}

impl Channel {
    pub fn word(self) -> &'static str {
        match self {
            Channel::Online => "全程网办",
            Channel::WindowThenOnline => "窗口受理、线上兑付",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Frequency {
    /// 每企业一次
    OncePerEnterprise,
    /// 每企业每年一次
    OncePerEnterprisePerYear,
    /// 不限
    Unlimited,
}

impl Frequency {
    pub fn word(self) -> &'static str {
        match self {
            Frequency::OncePerEnterprise => "每企业一次",
            Frequency::OncePerEnterprisePerYear => "每企业每年一次",
            Frequency::Unlimited => "不限",
        }
    }
}

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
    pub word: &'static str,
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding { places: 2, word: "分" }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Validity {
    pub from: NaiveDate,
    /// `None`: open-ended (`长期`).
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareInfo {
    pub funder: String,
    /// A fraction: 0.5 for 50%.
    pub fraction: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupInfo {
    pub name: String,
    pub upgrade_pays_difference: bool,
    /// The `就高不重复` clause.
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct LetInfo {
    pub name: String,
    pub expr: Expr,
    /// The unit its value is shown with in explanations (`元`, `千瓦时`), from its type.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CapInfo {
    pub scope: CapScope,
    pub expr: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub title: String,
    pub department: String,
    pub mode: Mode,
    pub channel: Channel,
    pub basis: String,
    pub validity: Validity,
    pub shares: Vec<ShareInfo>,
    pub materials: Vec<String>,
    pub time_limit_days: Option<u32>,
    pub frequency: Frequency,
    pub group: Option<GroupInfo>,
    pub status: Status,
    /// In definition order; each reads only facts and earlier definitions.
    pub lets: Vec<LetInfo>,
    pub conditions: Vec<Condition>,
    pub award: Option<Expr>,
    pub caps: Vec<CapInfo>,
    pub installments: Option<Vec<u32>>,
    pub rounding: Rounding,
    /// Every fact the policy reads, sorted.
    pub facts_read: Vec<String>,
    /// The review and inspection results (审核 facts) it waits for.
    pub reviews: Vec<String>,
    pub place: Place,
}
