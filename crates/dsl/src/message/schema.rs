//! The fact schema: each fact's type, unit, provider and provenance.

use super::{did_you_mean, one_of, say, Locale, Texts};
use crate::check::types::Ty;
use crate::diagnostic::Code;

/// Why a unit does not fit its fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitWhy {
    /// An amount in 元 is given in 元, 万元 or 亿元.
    Cny,
    /// An amount in 美元 is given in 美元, 万美元 or 亿美元.
    Usd,
    /// An amount in 欧元, 英镑, 日元 or 港元 is given in that currency, 万 or 亿 of it.
    Foreign,
    /// A money unit on a number.
    MoneyOnNumber,
    /// A unit on something that has none.
    NoUnit,
}

/// Mistakes in a fact's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaMsg {
    /// An enum value listed twice.
    DuplicateVariant {
        /// The value.
        value: String,
    },
    /// A type that does not exist.
    UnknownType {
        /// As written.
        word: String,
        /// The type meant, if one is close.
        suggestion: Option<String>,
        /// The types.
        types: Vec<&'static str>,
    },
    /// A provenance that does not exist.
    UnknownProvenance {
        /// As written.
        word: String,
        /// The provenance meant, if one is close.
        suggestion: Option<String>,
    },
    /// A fact without a required property.
    MissingProp {
        /// The fact.
        name: String,
        /// The property's keyword.
        key: &'static str,
        /// An example line.
        example: &'static str,
    },
    /// A unit that does not fit the type.
    UnitForType {
        /// The unit.
        unit: String,
        /// The type's keyword.
        base: &'static str,
        /// Why not.
        why: UnitWhy,
    },
    /// A default that the fact could not hold.
    DefaultMismatch {
        /// The fact.
        name: String,
        /// The fact's type.
        want: Ty,
    },
}

impl SchemaMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            SchemaMsg::DuplicateVariant { .. } => Code::DuplicateVariant,
            SchemaMsg::UnknownType { .. } => Code::UnknownType,
            SchemaMsg::UnknownProvenance { .. } => Code::UnknownProvenance,
            SchemaMsg::MissingProp { .. } => Code::MissingFactProp,
            SchemaMsg::UnitForType { .. } => Code::UnitForType,
            SchemaMsg::DefaultMismatch { .. } => Code::DefaultMismatch,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use Locale::{En, Zh};
        use SchemaMsg::*;
        match (self, l) {
            (DuplicateVariant { value }, Zh) => say(format!("`{value}` 列了两次"), "又列了一次", "每个取值只列一次"),
            (DuplicateVariant { value }, En) => {
                say(format!("`{value}` listed twice"), "listed again", "list each value once")
            }
            (UnknownType { word, suggestion, types }, Zh) => say(
                format!("未知的类型 `{word}`"),
                "没有这个类型",
                suggestion.as_deref().map_or_else(
                    || format!("类型是 {} 或 枚举(\"…\", \"…\")", one_of(l, types)),
                    |s| did_you_mean(l, s),
                ),
            ),
            (UnknownType { word, suggestion, types }, En) => say(
                format!("unknown type `{word}`"),
                "no such type",
                suggestion.as_deref().map_or_else(
                    || format!("a type is {} or 枚举(\"…\", \"…\")", one_of(l, types)),
                    |s| did_you_mean(l, s),
                ),
            ),
            (UnknownProvenance { word, suggestion }, Zh) => say(
                format!("未知的来源 `{word}`"),
                "没有这种来源",
                suggestion.as_deref().map_or_else(
                    || "来源是 `权威`（政府数据）、`自报`（企业自报）或 `审核`（审核或核查结果）".into(),
                    |s| did_you_mean(l, s),
                ),
            ),
            (UnknownProvenance { word, suggestion }, En) => say(
                format!("unknown provenance `{word}`"),
                "no such provenance",
                suggestion.as_deref().map_or_else(
                    || "provenance is `权威` (government data), `自报` (declared by the enterprise) or `审核` (a review or inspection result)".into(),
                    |s| did_you_mean(l, s),
                ),
            ),
            (MissingProp { name, key, example }, Zh) => say(
                format!("事实 `{name}` 没有 `{key}`"),
                format!("缺少 `{key}`"),
                format!("给这个事实加一行，例如 `{example}`"),
            ),
            (MissingProp { name, key, example }, En) => say(
                format!("fact `{name}` has no `{key}`"),
                format!("`{key}` missing"),
                format!("add a line such as `{example}` to the fact"),
            ),
            (UnitForType { unit, base, why }, Zh) => say(
                format!("单位 `{unit}` 不适用于 {base} 类型的事实"),
                "单位与类型不符",
                match why {
                    UnitWhy::Cny => "以元计的金额，单位是 `元`、`万元` 或 `亿元`",
                    UnitWhy::Usd => "以美元计的金额，单位是 `美元`、`万美元` 或 `亿美元`",
                    UnitWhy::Foreign => "外币金额的单位是其币种本身或其万、亿，例如 `欧元`、`万欧元`、`亿欧元`",
                    UnitWhy::MoneyOnNumber => "金额的类型是 `元` 或 `美元`，不是数",
                    UnitWhy::NoUnit => "只有金额和数量有单位；删去 `单位`",
                },
            ),
            (UnitForType { unit, base, why }, En) => say(
                format!("unit `{unit}` does not fit a {base} fact"),
                "wrong unit for this type",
                match why {
                    UnitWhy::Cny => "an amount in 元 is given in `元`, `万元` or `亿元`",
                    UnitWhy::Usd => "an amount in 美元 is given in `美元`, `万美元` or `亿美元`",
                    UnitWhy::Foreign => "a foreign amount is given in its currency, or 万 or 亿 of it, e.g. `欧元`, `万欧元`, `亿欧元`",
                    UnitWhy::MoneyOnNumber => "an amount of money has type `元` or `美元`, not a number",
                    UnitWhy::NoUnit => "only amounts and quantities have a unit; remove `单位`",
                },
            ),
            (DefaultMismatch { name, want }, Zh) => say(
                format!("`{name}` 的缺省值须是{}的字面值", want.name(l)),
                "与事实的类型不符",
                "写一个这个事实可能取的值，例如 `缺省 假`、`缺省 0元` 或 `缺省 \"无\"`",
            ),
            (DefaultMismatch { name, want }, En) => say(
                format!("the default of `{name}` must be a literal {}", want.name(l)),
                "does not fit the fact's type",
                "write a value such as `缺省 假`, `缺省 0元` or `缺省 \"无\"` that the fact could hold",
            ),
        }
    }
}
