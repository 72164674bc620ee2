//! The syntax tree. Every node carries the [`Span`] of the text it came from.
//!
//! The tree keeps what the author wrote where it matters to a reader (`5万元` stays `5万元`, `以上`
//! stays `以上`) so the formatter can print it back; meaning is computed by methods such as
//! [`Number::value`] and [`CmpOp::relation`].

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::span::Span;

/// Which spelling of the keywords a file uses; the formatter prints every keyword in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SourceFile {
    pub lang: Lang,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    Policy(Policy),
    Fact(FactDecl),
    Platform(Platform),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(p) => p.span,
            Item::Fact(f) => f.span,
            Item::Platform(p) => p.span,
        }
    }
}

/// A word with where it was written: a name, a label, a string's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

// ------------------------------------------------------------------------------------ policy

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub id: Word,
    pub title: Word,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ClauseKind {
    Department(Word),
    Mode(Word),
    Channel(Word),
    Basis(Word),
    Validity {
        from: Dated,
        /// `None` for an open-ended window (`长期`).
        to: Option<Dated>,
    },
    Shares(Vec<Share>),
    Materials(Vec<Word>),
    TimeLimit(Days),
    Frequency(Word),
    Group {
        name: Word,
        upgrade_pays_difference: bool,
    },
    Status(Word),
    Let {
        name: Word,
        value: Expr,
    },
    Conditions(Vec<Condition>),
    Award(Expr),
    Cap {
        scope: CapScope,
        value: Expr,
    },
    Installments {
        ratios: Vec<Counted>,
        yearly: bool,
    },
    Rounding(Word),
}

impl ClauseKind {
    /// The Chinese keyword that opens the clause, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Department(_) => "部门",
            ClauseKind::Mode(_) => "方式",
            ClauseKind::Channel(_) => "渠道",
            ClauseKind::Basis(_) => "依据",
            ClauseKind::Validity { .. } => "有效期",
            ClauseKind::Shares(_) => "分担",
            ClauseKind::Materials(_) => "材料",
            ClauseKind::TimeLimit(_) => "时限",
            ClauseKind::Frequency(_) => "频次",
            ClauseKind::Group { .. } => "就高不重复",
            ClauseKind::Status(_) => "状态",
            ClauseKind::Let { .. } => "设",
            ClauseKind::Conditions(_) => "条件",
            ClauseKind::Award(_) => "奖励",
            ClauseKind::Cap { scope, .. } => scope.keyword(),
            ClauseKind::Installments { .. } => "分期",
            ClauseKind::Rounding(_) => "取整",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CapScope {
    /// `上限`: this award, this time.
    Item,
    /// `年度上限`: everything this policy pays one enterprise in one calendar year.
    Yearly,
    /// `累计上限`: everything this policy (or its 就高不重复 group) ever pays one enterprise.
    Lifetime,
}

impl CapScope {
    pub fn keyword(self) -> &'static str {
        match self {
            CapScope::Item => "上限",
            CapScope::Yearly => "年度上限",
            CapScope::Lifetime => "累计上限",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated {
    pub date: NaiveDate,
    pub span: Span,
}

/// A count of working days (`5个工作日`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Days {
    pub days: u32,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub value: u32,
    pub span: Span,
}

/// One funder's share of the cost: `市 50%`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub funder: Word,
    pub percent: Number,
    pub span: Span,
}

/// A named condition; its label is what explanations show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub label: Word,
    pub expr: Expr,
    pub span: Span,
}

// ------------------------------------------------------------------------------------ facts

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactDecl {
    pub name: Word,
    pub props: Vec<FactProp>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactProp {
    pub kind: FactPropKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FactPropKind {
    Type(TypeExpr),
    Unit(Word),
    Provider(Word),
    Provenance(Word),
    Description(Word),
    NonNegative,
    Signed,
    /// `缺省 假`: the value when the enterprise's data does not mention the fact. A literal.
    Default(Expr),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeExpr {
    /// `逐年 T`: one value per year, read as `出口额[上年]`.
    pub series: bool,
    pub base: TypeName,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TypeName {
    /// `布尔`, `整数`, `元`, ... checked by the checker so a typo gets a suggestion.
    Named(Word),
    Enum(Vec<Word>),
}

// ------------------------------------------------------------------------------------ platform

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Platform {
    pub name: Word,
    pub props: Vec<PlatformProp>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformProp {
    pub kind: PlatformPropKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PlatformPropKind {
    Departments(Vec<Word>),
    Funders(Vec<Word>),
    Payers(Vec<PayerRule>),
    PayoutLimit(Days),
    Vetoes(Vec<Condition>),
}

/// `章贡高新区管委会 当 位于章贡高新区`, or `区行政审批局 否则`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayerRule {
    pub payer: Word,
    /// `None` for the `否则` rule.
    pub when: Option<Expr>,
    pub span: Span,
}

// ------------------------------------------------------------------------------------ expressions

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    Number(Number),
    Text(String),
    Date(NaiveDate),
    Bool(bool),
    Duration(u32),
    /// A fact, a local definition, a condition label or a built-in such as `评估年度`.
    Name {
        name: String,
        /// For a yearly series: 0 is the evaluation year, -1 the year before (`上年`).
        year: Option<i32>,
    },
    Call {
        func: Word,
        args: Vec<Expr>,
    },
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Compare {
        op: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        value: Box<Expr>,
        options: Vec<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Tiers(Tiers),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
}

impl BinOp {
    /// Binding strength: a higher number binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }
}

/// The comparison relation underneath a spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Relation {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A comparison as written. The words keep their meaning from Chinese legal text:
/// 以上, 以下, 以内, 不超过, 不低于 include the number; 超过, 不满, 低于 exclude it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    /// `==` or `=`
    Eq,
    /// `!=` or `≠`
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `为`
    Is,
    /// `不为`
    IsNot,
    /// `A 在 B 以上`: A ≥ B
    AtOrAbove,
    /// `A 在 B 以下`: A ≤ B
    AtOrBelow,
    /// `A 在 B 以内`: A ≤ B
    Within,
    /// `不超过`: ≤
    NotAbove,
    /// `不低于`: ≥
    NotBelow,
    /// `超过`: >
    Exceeds,
    /// `不满`: <
    Under,
    /// `低于`: <
    Below,
}

impl CmpOp {
    pub fn relation(self) -> Relation {
        match self {
            CmpOp::Eq | CmpOp::Is => Relation::Eq,
            CmpOp::Ne | CmpOp::IsNot => Relation::Ne,
            CmpOp::Lt | CmpOp::Under | CmpOp::Below => Relation::Lt,
            CmpOp::Le | CmpOp::AtOrBelow | CmpOp::Within | CmpOp::NotAbove => Relation::Le,
            CmpOp::Gt | CmpOp::Exceeds => Relation::Gt,
            CmpOp::Ge | CmpOp::AtOrAbove | CmpOp::NotBelow => Relation::Ge,
        }
    }

    /// Written after its right operand (`A 在 B 以上`).
    pub fn is_postfix(self) -> bool {
        matches!(self, CmpOp::AtOrAbove | CmpOp::AtOrBelow | CmpOp::Within)
    }

    /// The spelling in each language.
    pub fn spelling(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            CmpOp::Eq => ("==", "=="),
            CmpOp::Ne => ("!=", "!="),
            CmpOp::Lt => ("<", "<"),
            CmpOp::Le => ("<=", "<="),
            CmpOp::Gt => (">", ">"),
            CmpOp::Ge => (">=", ">="),
            CmpOp::Is => ("为", "is"),
            CmpOp::IsNot => ("不为", "is not"),
            CmpOp::AtOrAbove => ("以上", "or more"),
            CmpOp::AtOrBelow => ("以下", "or less"),
            CmpOp::Within => ("以内", "or within"),
            CmpOp::NotAbove => ("不超过", "at most"),
            CmpOp::NotBelow => ("不低于", "at least"),
            CmpOp::Exceeds => ("超过", "more than"),
            CmpOp::Under => ("不满", "under"),
            CmpOp::Below => ("低于", "less than"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// `分档 base { rows }` (step: the row the base falls in gives the whole amount) or
/// `累进 base { rows }` (marginal: each slice of the base is paid at its own row's rate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tiers {
    pub kind: TierKind,
    pub base: Box<Expr>,
    pub rows: Vec<TierRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TierKind {
    Step,
    Marginal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    pub value: Expr,
    pub span: Span,
}

/// One end of a tier's band, as written: `不低于 X`, `超过 X`, `X 以上` for a lower end;
/// `不超过 X`, `不满 X`, `低于 X`, `X 以下`, `X 以内` for an upper end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    pub op: CmpOp,
    pub value: Number,
    pub span: Span,
}

impl Bound {
    /// Whether the band contains the bound's own value.
    pub fn inclusive(&self) -> bool {
        matches!(self.op.relation(), Relation::Ge | Relation::Le)
    }
}

/// A numeric literal as written: digits, an optional 万/亿, and what follows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Number {
    /// The digits as written, before the scale word (`5` in `5万元`); negative for `-3%`.
    pub digits: Decimal,
    pub scale: Scale,
    pub suffix: Suffix,
    pub span: Span,
}

impl Number {
    /// The plain value: `5万元` is 50000, `20%` is 0.2, `3‰` is 0.003.
    pub fn value(&self) -> Option<Decimal> {
        let scaled = self.digits.checked_mul(self.scale.factor())?;
        match self.suffix {
            Suffix::Percent => scaled.checked_div(Decimal::ONE_HUNDRED),
            Suffix::Permille => scaled.checked_div(Decimal::ONE_THOUSAND),
            _ => Some(scaled),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scale {
    One,
    /// 万: ten thousand
    Wan,
    /// 亿: a hundred million
    Yi,
}

impl Scale {
    pub fn factor(self) -> Decimal {
        match self {
            Scale::One => Decimal::ONE,
            Scale::Wan => Decimal::from(10_000),
            Scale::Yi => Decimal::from(100_000_000),
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Scale::One => "",
            Scale::Wan => "万",
            Scale::Yi => "亿",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Suffix {
    None,
    Percent,
    Permille,
    /// A quantity: `50人`, `1000㎡`.
    Unit(String),
    /// Money, possibly per unit: `5万元`, `500元/人`, `20元/㎡/月`.
    Money {
        currency: Currency,
        per: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Currency {
    /// 元 (人民币)
    Cny,
    /// 美元
    Usd,
}

impl Currency {
    pub fn word(self) -> &'static str {
        match self {
            Currency::Cny => "元",
            Currency::Usd => "美元",
        }
    }
}

/// Prints a number as written: `5万元`, `500元/人`, `20%`, `-3.5%`.
impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.digits, self.scale.word())?;
        match &self.suffix {
            Suffix::None => Ok(()),
            Suffix::Percent => f.write_str("%"),
            Suffix::Permille => f.write_str("‰"),
            Suffix::Unit(u) => f.write_str(u),
            Suffix::Money { currency, per } => {
                f.write_str(currency.word())?;
                per.iter().try_for_each(|u| write!(f, "/{u}"))
            }
        }
    }
}
