//! Names and types in expressions.

use super::{did_you_mean, listed, say, Locale, Texts};
use crate::check::types::Ty;
use crate::diagnostic::Code;

/// Why a value must be a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The operand of `非`.
    Not,
    /// An operand of `且`.
    And,
    /// An operand of `或`.
    Or,
    /// The test of `如果`.
    If,
    /// A line of `条件`.
    ConditionLine,
    /// A rule of `付款方`.
    PayerRule,
    /// A line of `联审`.
    Veto,
}

impl Why {
    fn text(self, l: Locale) -> &'static str {
        use Why::*;
        match (self, l) {
            (Not, Locale::Zh) => "`非` 后面须是条件",
            (Not, Locale::En) => "`非` needs a condition",
            (And, Locale::Zh) => "`且` 连接的是条件",
            (And, Locale::En) => "`且` joins conditions",
            (Or, Locale::Zh) => "`或` 连接的是条件",
            (Or, Locale::En) => "`或` joins conditions",
            (If, Locale::Zh) => "`如果` 后面须是条件",
            (If, Locale::En) => "`如果` needs a condition",
            (ConditionLine, Locale::Zh) => "`条件` 的每一行都须是真或假",
            (ConditionLine, Locale::En) => "each line of `条件` must be true or false",
            (PayerRule, Locale::Zh) => "付款规则须有条件",
            (PayerRule, Locale::En) => "a payer rule needs a condition",
            (Veto, Locale::Zh) => "联审项须是真或假的记录",
            (Veto, Locale::En) => "a veto needs a record that is true or false",
        }
    }
}

/// An arithmetic operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `×`
    Mul,
    /// `÷`
    Div,
}

impl Op {
    pub(super) fn verb(self, l: Locale) -> &'static str {
        match (self, l) {
            (Op::Add, Locale::Zh) => "相加",
            (Op::Sub, Locale::Zh) => "相减",
            (Op::Mul, Locale::Zh) => "相乘",
            (Op::Div, Locale::Zh) => "相除",
            (Op::Add, Locale::En) => "add",
            (Op::Sub, Locale::En) => "subtract",
            (Op::Mul, Locale::En) => "multiply",
            (Op::Div, Locale::En) => "divide",
        }
    }
}

/// How a function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// The value and the decimal places.
    ValueAndPlaces,
    /// One value.
    One,
    /// Two dates (`月数(起租日期, 评估日期)`).
    TwoDates,
    /// A year, a month and a day (`日期(2025, 12, 31)`).
    YearMonthDay,
    /// Two or more values.
    TwoOrMore,
}

/// What an unknown name might have been meant as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameHint {
    /// Nothing close.
    None,
    /// A fact, definition, label or built-in of this name.
    Name(String),
    /// A unit of this name (`20元/平米`: `平米` read as a name).
    Unit(&'static str),
}

/// Mistakes in names and types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprMsg {
    /// A minus sign before something that is not a number.
    CannotNegate {
        /// The operand's type.
        ty: Ty,
    },
    /// A value where a condition belongs.
    NotCondition {
        /// The value's type.
        found: Ty,
        /// Why a condition belongs there.
        why: Why,
    },
    /// A definition or label read above where it is defined.
    UseBeforeDefinition {
        /// The name.
        name: String,
    },
    /// A name that is nothing known.
    UnknownName {
        /// The name.
        name: String,
        /// What it might have been meant as.
        hint: NameHint,
    },
    /// A function that does not exist.
    UnknownFunction {
        /// As written.
        name: String,
        /// The function meant, if one is close.
        suggestion: Option<String>,
    },
    /// A function called with the wrong number of arguments.
    WrongArity {
        /// As written.
        func: String,
        /// The fewest it takes.
        min: usize,
        /// The most it takes.
        max: usize,
        /// How many were given.
        got: usize,
        /// How it is called.
        usage: Arity,
    },
    /// `最小`/`最大` of values of different kinds.
    ArgsDiffer {
        /// As written.
        func: String,
        /// The arguments so far.
        first: Ty,
        /// This argument.
        this: Ty,
    },
    /// Decimal places that are not a whole number.
    DecimalPlaces,
    /// `年份` of something other than a date.
    YearNeedsDate,
    /// 元 and 美元 in one operation.
    CurrencyMix {
        /// The operation.
        op: Op,
        /// Its left side.
        lhs: Ty,
        /// Its right side.
        rhs: Ty,
    },
    /// Two currencies (other than 元 with 美元, which is [`ExprMsg::CurrencyMix`]) in one
    /// operation, or an amount times the rate of another currency.
    ForeignCurrencyMix {
        /// The operation.
        op: Op,
        /// Its left side.
        lhs: Ty,
        /// Its right side.
        rhs: Ty,
    },
    /// Two currencies (other than 元 with 美元) compared.
    ForeignCurrencyCompare {
        /// The left side.
        lhs: Ty,
        /// The right side.
        rhs: Ty,
    },
    /// Quantities in different units added or subtracted.
    UnitMix {
        /// The operation.
        op: Op,
        /// Its left side.
        lhs: Ty,
        /// Its right side.
        rhs: Ty,
    },
    /// Values that cannot be combined at all.
    Incompatible {
        /// The operation.
        op: Op,
        /// Its left side.
        lhs: Ty,
        /// Its right side.
        rhs: Ty,
    },
    /// A text compared with an enum that does not list it.
    UnknownVariant {
        /// The text.
        text: String,
        /// The enum's values.
        variants: Vec<String>,
        /// The value meant, if one is close.
        suggestion: Option<String>,
    },
    /// An order comparison of values that have none.
    Unordered {
        /// Their type.
        ty: Ty,
    },
    /// 元 compared with 美元.
    CompareCurrency {
        /// The left side.
        lhs: Ty,
        /// The right side.
        rhs: Ty,
    },
    /// Quantities in different units compared.
    CompareUnits {
        /// The left side.
        lhs: Ty,
        /// The right side.
        rhs: Ty,
    },
    /// Values of different kinds compared.
    CompareKinds {
        /// The left side.
        lhs: Ty,
        /// The right side.
        rhs: Ty,
    },
    /// A tier band of another kind than the base.
    BandKind {
        /// The band's type.
        bound: Ty,
        /// The base's type.
        base: Ty,
    },
    /// A tier row giving another kind than the rows above.
    RowKind {
        /// This row's.
        this: Ty,
        /// The rows above.
        above: Ty,
    },
    /// The two branches of `如果` give different kinds.
    BranchKinds {
        /// `那么`'s.
        then: Ty,
        /// `否则`'s.
        otherwise: Ty,
    },
    /// A tier table without rows.
    NoRows,
    /// A yearly series read without a year.
    SeriesNeedsYear {
        /// The fact.
        name: String,
    },
    /// A quarterly series read without a quarter, or with a year.
    SeriesNeedsQuarter {
        /// The fact.
        name: String,
    },
    /// Something other than a quarterly series read with a quarter.
    NotQuarterly {
        /// The name.
        name: String,
        /// It is a yearly series (read with a year).
        yearly: bool,
    },
    /// A plain value read with a year.
    NotSeries {
        /// The fact or definition.
        name: String,
    },
}

impl ExprMsg {
    pub(super) fn code(&self) -> Code {
        use ExprMsg::*;
        match self {
            CannotNegate { .. } | ArgsDiffer { .. } | DecimalPlaces | YearNeedsDate | Incompatible { .. } => {
                Code::TypeMismatch
            }
            NotCondition { .. } => Code::NotBoolean,
            UseBeforeDefinition { .. } => Code::UseBeforeDefinition,
            UnknownName { .. } => Code::UnknownName,
            UnknownFunction { .. } => Code::UnknownFunction,
            WrongArity { .. } => Code::WrongArity,
            CurrencyMix { .. } | CompareCurrency { .. } => Code::CurrencyMismatch,
            ForeignCurrencyMix { .. } | ForeignCurrencyCompare { .. } => Code::ForeignCurrencyMismatch,
            UnitMix { .. } | CompareUnits { .. } => Code::UnitMismatch,
            UnknownVariant { .. } => Code::UnknownVariant,
            Unordered { .. } | CompareKinds { .. } => Code::CompareMismatch,
            BandKind { bound, base } => match (base, bound) {
                (Ty::Money(c, _), Ty::Money(d, _)) if crate::check::types::usd_and_cny(*c, *d) => {
                    Code::CurrencyMismatch
                }
                (Ty::Money(c, _), Ty::Money(d, _)) if c != d => Code::ForeignCurrencyMismatch,
                (Ty::Num(_), Ty::Num(_)) => Code::UnitMismatch,
                _ => Code::CompareMismatch,
            },
            RowKind { .. } | BranchKinds { .. } => Code::BranchMismatch,
            NoRows => Code::TierBound,
            SeriesNeedsYear { .. } | NotSeries { .. } => Code::SeriesIndex,
            SeriesNeedsQuarter { .. } | NotQuarterly { .. } => Code::QuarterIndex,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use ExprMsg::*;
        use Locale::{En, Zh};
        match (self, l) {
            (CannotNegate { ty }, Zh) => {
                say(format!("不能给{}加负号", ty.name(l)), "不是数", "只有数值和金额可以加负号")
            }
            (CannotNegate { ty }, En) => {
                say(format!("cannot negate {}", ty.name(l)), "not a number", "only numbers and amounts have a minus sign")
            }
            (NotCondition { found, why }, Zh) => say(
                format!("这里应是条件，却是{}", found.name(l)),
                "不是真或假",
                format!("{}；请把这个值和门槛比较，例如 `… 不低于 100万元`", why.text(l)),
            ),
            (NotCondition { found, why }, En) => say(
                format!("expected a condition, found {}", found.name(l)),
                "not true or false",
                format!("{}; compare the value, e.g. `… 不低于 100万元`", why.text(l)),
            ),
            (UseBeforeDefinition { name }, Zh) => say(
                format!("`{name}` 在定义之前就被读取"),
                "定义在下面",
                "把定义或条件移到读取它的地方之前",
            ),
            (UseBeforeDefinition { name }, En) => say(
                format!("`{name}` is read before it is defined"),
                "defined further down",
                "move the definition or condition above the place that reads it",
            ),
            (UnknownName { name, hint }, Zh) => match hint {
                NameHint::Unit(unit) => say(
                    format!("`{name}` 既不是事实，也不是单位"),
                    "不是单位",
                    format!("您是否想写单位 `{unit}`？"),
                ),
                NameHint::Name(close) => say(format!("未知的事实 `{name}`"), "事实表里没有", did_you_mean(l, close)),
                NameHint::None => say(
                    format!("未知的事实 `{name}`"),
                    "事实表里没有",
                    "在事实表里用 `事实` 声明它，或在这一行之前用 `设` 定义它",
                ),
            },
            (UnknownName { name, hint }, En) => match hint {
                NameHint::Unit(unit) => say(
                    format!("`{name}` is neither a fact nor a unit"),
                    "not a unit",
                    format!("did you mean the unit `{unit}`?"),
                ),
                NameHint::Name(close) => {
                    say(format!("unknown fact `{name}`"), "not in the fact schema", did_you_mean(l, close))
                }
                NameHint::None => say(
                    format!("unknown fact `{name}`"),
                    "not in the fact schema",
                    "declare it as a `事实` in the schema, or define it with `设` before this line",
                ),
            },
            (UnknownFunction { name, suggestion }, Zh) => say(
                format!("未知的函数 `{name}`"),
                "没有这个函数",
                suggestion.as_deref().map_or_else(
                    || "函数有 最小、最大、四舍五入、向下取整、年份 和 绝对值（min、max、round、floor、year、abs）".into(),
                    |s| did_you_mean(l, s),
                ),
            ),
            (UnknownFunction { name, suggestion }, En) => say(
                format!("unknown function `{name}`"),
                "no such function",
                suggestion.as_deref().map_or_else(
                    || "the functions are 最小, 最大, 四舍五入, 向下取整, 年份 and 绝对值 (min, max, round, floor, year, abs)".into(),
                    |s| did_you_mean(l, s),
                ),
            ),
            (WrongArity { func, min, max, got, usage }, _) => {
                let wanted = match (l, min == max) {
                    (Zh, true) => format!("{min} 个"),
                    (Zh, false) => format!("至少 {min} 个"),
                    (En, true) => format!("{min}"),
                    (En, false) => format!("at least {min}"),
                };
                let help = match (usage, l) {
                    (Arity::ValueAndPlaces, Zh) => "写作 `四舍五入(金额, 2)`：值和要保留的小数位数",
                    (Arity::ValueAndPlaces, En) => "write `四舍五入(金额, 2)`: the value and the decimal places to keep",
                    (Arity::One, Zh) => "只传一个值",
                    (Arity::One, En) => "pass exactly one value",
                    (Arity::TwoOrMore, Zh) => "传两个或更多同类的值",
                    (Arity::TwoOrMore, En) => "pass two or more values of the same kind",
                    (Arity::TwoDates, Zh) => "传两个日期：起始日期和结束日期",
                    (Arity::TwoDates, En) => "pass two dates: from and to",
                    (Arity::YearMonthDay, Zh) => "传年、月、日三个数，例如 `日期(2025, 12, 31)`",
                    (Arity::YearMonthDay, En) => "pass a year, a month and a day, e.g. `日期(2025, 12, 31)`",
                };
                match l {
                    Zh => say(format!("`{func}` 要 {wanted}参数，这里有 {got} 个"), "参数个数不对", help),
                    En => say(
                        format!("`{func}` takes {wanted} arguments, not {got}"),
                        "wrong number of arguments",
                        help,
                    ),
                }
            }
            (ArgsDiffer { func, first, this }, Zh) => say(
                format!("`{func}` 比较的是{}和{}", first.name(l), this.name(l)),
                format!("这是{}", this.name(l)),
                "每个参数都须是同一类的数或金额",
            ),
            (ArgsDiffer { func, first, this }, En) => say(
                format!("`{func}` compares {} with {}", first.name(l), this.name(l)),
                format!("this is {}", this.name(l)),
                "every argument must be the same kind of number or amount",
            ),
            (DecimalPlaces, Zh) => say(
                "小数位数须是整数",
                "不是整数",
                "保留到分写 `四舍五入(金额, 2)`，保留到元写 `四舍五入(金额, 0)`",
            ),
            (DecimalPlaces, En) => say(
                "decimal places must be a whole number",
                "not a whole number",
                "write `四舍五入(金额, 2)` for 分, `四舍五入(金额, 0)` for 元",
            ),
            (YearNeedsDate, Zh) => say("`年份` 的参数须是日期", "不是日期", "写作 `年份(认定日期)`"),
            (YearNeedsDate, En) => say("`年份` needs a date", "not a date", "write `年份(认定日期)`"),
            (CurrencyMix { op, lhs, rhs }, Zh) => say(
                format!("{}和{}不能{}", lhs.name(l), rhs.name(l), op.verb(l)),
                "元和美元混用",
                "先用汇率事实（`类型 汇率`，元/美元）换算，例如 `出口额[上年] × 美元汇率`",
            ),
            (CurrencyMix { op, lhs, rhs }, En) => say(
                format!("cannot {} {} and {}", op.verb(l), lhs.name(l), rhs.name(l)),
                "元 and 美元 mixed",
                "convert with an exchange-rate fact (`类型 汇率`, 元 per 美元) first, e.g. `出口额[上年] × 美元汇率`",
            ),
            (ForeignCurrencyMix { op, lhs, rhs }, Zh) => say(
                format!("{}和{}不能{}", lhs.name(l), rhs.name(l), op.verb(l)),
                "币种不同，未经换算",
                "外币金额先乘以本币种的汇率事实换算成元（`类型 汇率` 为美元，`类型 欧元汇率`、`英镑汇率`、`日元汇率`、`港元汇率` 为其他币种，元/外币），例如 `欧元利息[上年] × 欧元折算汇率`",
            ),
            (ForeignCurrencyMix { op, lhs, rhs }, En) => say(
                format!("cannot {} {} and {}", op.verb(l), lhs.name(l), rhs.name(l)),
                "different currencies, not converted",
                "multiply a foreign amount by its own currency's rate fact to get 元 (`类型 汇率` for 美元; `类型 欧元汇率`, `英镑汇率`, `日元汇率`, `港元汇率` for the others, 元 per unit), e.g. `欧元利息[上年] × 欧元折算汇率`",
            ),
            (ForeignCurrencyCompare { lhs, rhs }, Zh) => say(
                format!("{}不能和{}比较", lhs.name(l), rhs.name(l)),
                "币种不同",
                "按事实的币种写门槛（例如 `100万欧元`），或先乘以汇率换算成元",
            ),
            (ForeignCurrencyCompare { lhs, rhs }, En) => say(
                format!("cannot compare {} with {}", lhs.name(l), rhs.name(l)),
                "different currencies",
                "write the threshold in the fact's currency (e.g. `100万欧元`), or convert to 元 with a rate first",
            ),
            (UnitMix { op, lhs, rhs }, Zh) => {
                say(format!("{}和{}不能{}", lhs.name(l), rhs.name(l), op.verb(l)), "单位不同", "两边须是同一单位")
            }
            (UnitMix { op, lhs, rhs }, En) => say(
                format!("cannot {} {} and {}", op.verb(l), lhs.name(l), rhs.name(l)),
                "different units",
                "both sides must be in the same unit",
            ),
            (Incompatible { op, lhs, rhs }, Zh) => say(
                format!("{}和{}不能{}", lhs.name(l), rhs.name(l), op.verb(l)),
                "这两个值不能这样运算",
                match op {
                    Op::Add | Op::Sub => "只有同类的值能相加减：金额与金额、比例与比例",
                    Op::Mul | Op::Div => "金额可以乘以比例或数量；两个金额不能相乘",
                },
            ),
            (Incompatible { op, lhs, rhs }, En) => say(
                format!("cannot {} {} and {}", op.verb(l), lhs.name(l), rhs.name(l)),
                "incompatible operands",
                match op {
                    Op::Add | Op::Sub => "add or subtract values of the same kind: amounts with amounts, rates with rates",
                    Op::Mul | Op::Div => "multiply an amount by a rate or a quantity; two amounts cannot be multiplied",
                },
            ),
            (UnknownVariant { text, variants, suggestion }, Zh) => say(
                format!("`{text}` 不是这个事实的取值"),
                "没有这个取值",
                suggestion
                    .as_deref()
                    .map_or_else(|| format!("可取的值有 {}", listed(l, variants)), |s| did_you_mean(l, s)),
            ),
            (UnknownVariant { text, variants, suggestion }, En) => say(
                format!("`{text}` is not a value of this fact"),
                "no such value",
                suggestion
                    .as_deref()
                    .map_or_else(|| format!("the values are {}", listed(l, variants)), |s| did_you_mean(l, s)),
            ),
            (Unordered { ty }, Zh) => {
                say(format!("{}没有大小之分", ty.name(l)), "不能比大小", "改用 `为` 或 `不为` 比较")
            }
            (Unordered { ty }, En) => say(
                format!("{} has no order", ty.name(l)),
                "cannot be ordered",
                "compare it with `为` or `不为` instead",
            ),
            (CompareCurrency { lhs, rhs }, Zh) => say(
                format!("{}不能和{}比较", lhs.name(l), rhs.name(l)),
                "元和美元比较",
                "按事实的币种写门槛，例如 `2000万美元`",
            ),
            (CompareCurrency { lhs, rhs }, En) => say(
                format!("cannot compare {} with {}", lhs.name(l), rhs.name(l)),
                "元 compared with 美元",
                "write the threshold in the fact's currency, e.g. `2000万美元`",
            ),
            (CompareUnits { lhs, rhs }, Zh) => say(
                format!("{}不能和{}比较", lhs.name(l), rhs.name(l)),
                "单位不同",
                "门槛的单位须和被比较的值相同",
            ),
            (CompareUnits { lhs, rhs }, En) => say(
                format!("cannot compare {} with {}", lhs.name(l), rhs.name(l)),
                "different units",
                "write the threshold in the same unit as the value",
            ),
            (CompareKinds { lhs, rhs }, Zh) => say(
                format!("{}不能和{}比较", lhs.name(l), rhs.name(l)),
                "值的种类不同",
                "只能和同类的门槛比较：日期和日期、金额和金额",
            ),
            (CompareKinds { lhs, rhs }, En) => say(
                format!("cannot compare {} with {}", lhs.name(l), rhs.name(l)),
                "different kinds of value",
                "compare a value with a threshold of the same kind: dates with dates, amounts with amounts",
            ),
            (BandKind { bound, base }, Zh) => say(
                format!("分档依据是{}，档位却是{}", base.name(l), bound.name(l)),
                format!("这是{}", bound.name(l)),
                "每个档位都按分档依据的种类和单位写",
            ),
            (BandKind { bound, base }, En) => say(
                format!("a band of {} for a base of {}", bound.name(l), base.name(l)),
                format!("this is {}", bound.name(l)),
                "write every band in the base's kind and unit",
            ),
            (RowKind { this, above }, Zh) => say(
                format!("这一档得出{}，上面各档得出{}", this.name(l), above.name(l)),
                format!("这是{}", this.name(l)),
                "分档表每一行得出的值须是同一类",
            ),
            (RowKind { this, above }, En) => say(
                format!("this row gives {}, the rows above give {}", this.name(l), above.name(l)),
                format!("this is {}", this.name(l)),
                "every row of a tier table must give the same kind of value",
            ),
            (BranchKinds { then, otherwise }, Zh) => say(
                format!("两个分支分别得出{}和{}", then.name(l), otherwise.name(l)),
                format!("这是{}", otherwise.name(l)),
                "`如果 … 那么 … 否则 …` 的两个分支须得出同一类的值",
            ),
            (BranchKinds { then, otherwise }, En) => say(
                format!("the branches give {} and {}", then.name(l), otherwise.name(l)),
                format!("this is {}", otherwise.name(l)),
                "both branches of `如果 … 那么 … 否则 …` must give the same kind of value",
            ),
            (NoRows, Zh) => say("分档表没有任何一档", "没有档位", "加上档位，例如 `不低于 100万元, 低于 500万元: 5万元`"),
            (NoRows, En) => say(
                "a tier table without rows",
                "no rows",
                "add rows such as `不低于 100万元, 低于 500万元: 5万元`",
            ),
            (SeriesNeedsYear { name }, Zh) => say(
                format!("`{name}` 是逐年数据，须写明哪一年"),
                "哪一年？",
                format!("上年写 `{name}[上年]`，本年写 `{name}[本年]`"),
            ),
            (SeriesNeedsYear { name }, En) => say(
                format!("`{name}` is a yearly series; say which year"),
                "which year?",
                format!("write `{name}[上年]` for last year, `{name}[本年]` for this year"),
            ),
            (SeriesNeedsQuarter { name }, Zh) => say(
                format!("`{name}` 是逐季数据，须写明哪个季度"),
                "哪个季度？",
                format!("上季度写 `{name}[上季]`，上季度的上年同季写 `{name}[本季-5]`"),
            ),
            (SeriesNeedsQuarter { name }, En) => say(
                format!("`{name}` is a quarterly series; say which quarter"),
                "which quarter?",
                format!("write `{name}[上季]` for last quarter, `{name}[本季-5]` for the same quarter a year before it"),
            ),
            (NotQuarterly { name, yearly: true }, Zh) => say(
                format!("`{name}` 是逐年数据，不能按季度读取"),
                "不是逐季数据",
                format!("写 `{name}[上年]` 这样的年份，或在事实表中声明为 `类型 逐季 …`"),
            ),
            (NotQuarterly { name, yearly: true }, En) => say(
                format!("`{name}` is a yearly series, not read by quarter"),
                "not a quarterly series",
                format!("write a year such as `{name}[上年]`, or declare it `类型 逐季 …` in the schema"),
            ),
            (NotQuarterly { name, yearly: false }, Zh) => say(
                format!("`{name}` 只有一个值，不是逐季数据"),
                "不是逐季数据",
                format!("去掉 `[...]` 写 `{name}`，或在事实表中声明为 `类型 逐季 …`"),
            ),
            (NotQuarterly { name, yearly: false }, En) => say(
                format!("`{name}` has one value, not one per quarter"),
                "not a quarterly series",
                format!("write `{name}` without `[...]`, or declare it `类型 逐季 …` in the schema"),
            ),
            (NotSeries { name }, Zh) => say(
                format!("`{name}` 只有一个值，不是逐年数据"),
                "不是逐年数据",
                format!("去掉 `[...]` 写 `{name}`，或在事实表中声明为 `类型 逐年 …`"),
            ),
            (NotSeries { name }, En) => say(
                format!("`{name}` has one value, not one per year"),
                "not a yearly series",
                format!("write `{name}` without `[...]`, or declare it `类型 逐年 …` in the schema"),
            ),
        }
    }
}
