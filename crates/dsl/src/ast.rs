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
    /// Chinese keywords (`政策`, `条件`, `以上`).
    #[default]
    Zh,
    /// English keywords (`policy`, `conditions`, `or more`).
    En,
}

/// One parsed file: its policies, fact declarations and platform blocks, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SourceFile {
    /// The keyword language the file is written in.
    pub lang: Lang,
    /// The top-level blocks, in the order written.
    pub items: Vec<Item>,
}

/// A top-level block of a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    /// `政策`: one benefit policy.
    Policy(Policy),
    /// `事实`: one fact of the enterprise-data schema.
    Fact(FactDecl),
    /// `平台`: the platform's departments, funders and payers.
    Platform(Platform),
}

impl Item {
    /// The whole block, keyword to closing brace.
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
    /// The text; for a string, without its quotes and with `\"` and `\\` unescaped.
    pub text: String,
    /// Where it was written; for a string, the quotes included.
    pub span: Span,
}

// ------------------------------------------------------------------------------------ policy

/// `政策 id "title" { clauses }`: one benefit policy as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// The stable id (`gx-01`) decisions and reports refer to.
    pub id: Word,
    /// The policy's name as published (`入规上户奖励`).
    pub title: Word,
    /// The clauses in the order written; the checker finds each kind.
    pub clauses: Vec<Clause>,
    /// The whole block.
    pub span: Span,
}

/// One line (or block) of a policy: `部门 区商务局`, `条件 { … }`, `奖励 …`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clause {
    /// Which clause it is, with its contents.
    pub kind: ClauseKind,
    /// The whole clause, keyword included.
    pub span: Span,
}

/// The clauses a policy may have; docs/language.md lists which are required.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ClauseKind {
    /// `部门`: the department that runs the policy.
    Department(Word),
    /// `方式`: the fulfilment mode (`免申即享`, `即申即享`, `承诺兑现`), checked later.
    Mode(Word),
    /// `渠道`: how the enterprise applies and is paid.
    Channel(Word),
    /// `依据`: the document and clause the policy rests on.
    Basis(Word),
    /// `有效期 from 至 to`: the days the policy applies, both included.
    Validity {
        /// The first day.
        from: Dated,
        /// `None` for an open-ended window (`长期`).
        to: Option<Dated>,
    },
    /// `分担`: who funds which share of the award.
    Shares(Vec<Share>),
    /// `材料`: the documents an application needs.
    Materials(Vec<Word>),
    /// `时限`: the processing time limit in working days.
    TimeLimit(Days),
    /// `频次`: how often one enterprise may be paid.
    Frequency(Word),
    /// `就高不重复 组名 [升级补差]`: related awards of which only the highest is paid.
    Group {
        /// The group's name, shared by the policies in it.
        name: Word,
        /// `升级补差`: moving up to a higher award pays the difference.
        upgrade_pays_difference: bool,
    },
    /// `状态`: the catalog status (`在列`, `暂停`, `未列入`).
    Status(Word),
    /// `标的 事实 [按企业 限制, …]`: the policy pays per item (a drama, a contract), identified by
    /// the text fact named; the limits listed after `按企业` stay per enterprise.
    Item {
        /// The fact that identifies an item (`电视剧备案号`).
        fact: Word,
        /// The limits that stay per enterprise, as written (`累计上限`), checked later.
        per_enterprise: Vec<Word>,
    },
    /// `设 名称 = 表达式`: a local definition.
    Let {
        /// The name later expressions read.
        name: Word,
        /// What the name stands for.
        value: Expr,
    },
    /// `条件 { … }`: labelled conditions, all of which must hold.
    Conditions(Vec<Condition>),
    /// `奖励`: the amount paid, in 元.
    Award(Expr),
    /// `上限`, `年度上限` or `累计上限`: a ceiling on what is paid.
    Cap {
        /// What the ceiling applies to.
        scope: CapScope,
        /// The ceiling, in 元.
        value: Expr,
    },
    /// `分期 4:3:3 [按年] [当 条件] [后续各期 { … }]`: the award paid in parts.
    Installments {
        /// The parts' ratios, in payment order.
        ratios: Vec<Counted>,
        /// `按年`: one part a year rather than all on approval.
        yearly: bool,
        /// `当 条件`: split only when it holds (the branch of the award the split belongs to);
        /// otherwise the award is paid at once.
        when: Option<Expr>,
        /// `后续各期 { … }`: what each installment after the first needs when it falls due.
        later: Vec<Condition>,
    },
    /// `取整`: the unit the award is rounded to, half up.
    Rounding(Word),
}

impl ClauseKind {
    /// The Chinese keyword that opens the clause, for messages.
    pub(crate) fn keyword(&self) -> &'static str {
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
            ClauseKind::Item { .. } => "标的",
            ClauseKind::Let { .. } => "设",
            ClauseKind::Conditions(_) => "条件",
            ClauseKind::Award(_) => "奖励",
            ClauseKind::Cap { scope, .. } => scope.keyword(),
            ClauseKind::Installments { .. } => "分期",
            ClauseKind::Rounding(_) => "取整",
        }
    }
}

/// Which payments a cap limits.
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
    /// The keyword that writes this cap.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            CapScope::Item => "上限",
            CapScope::Yearly => "年度上限",
            CapScope::Lifetime => "累计上限",
        }
    }
}

/// A date as written (`2025-12-31`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated {
    /// The day.
    pub date: NaiveDate,
    /// Where it was written.
    pub span: Span,
}

/// A count of working days (`5个工作日`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Days {
    /// The number of working days.
    pub days: u32,
    /// Where it was written.
    pub span: Span,
}

/// A whole number as written: one ratio of `分期 4:3:3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    /// The number.
    pub value: u32,
    /// Where it was written.
    pub span: Span,
}

/// One funder's share of the cost: `市 50%`, `市 120万元` or `区 其余`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The funder (`市`, `区`), listed in the platform's `出资方`.
    pub funder: Word,
    /// Its share: a percentage (`50%`) or a fixed amount (`120万元`); `None` for `其余`, what
    /// the other shares leave of the award.
    pub part: Option<Number>,
    /// The funder and its share.
    pub span: Span,
}

/// A named condition; its label is what explanations show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The label (`规上企业`), unique within its policy or platform.
    pub label: Word,
    /// The condition; it must be true or false.
    pub expr: Expr,
    /// The label, the colon and the condition.
    pub span: Span,
}

// ------------------------------------------------------------------------------------ facts

/// `事实 名称 { props }`: one fact of the schema, a value the enterprise data gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactDecl {
    /// The name policies read it by (`营业收入`).
    pub name: Word,
    /// The properties in the order written.
    pub props: Vec<FactProp>,
    /// The whole block.
    pub span: Span,
}

/// One property line of a fact declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactProp {
    /// Which property it is, with its value.
    pub kind: FactPropKind,
    /// The whole line.
    pub span: Span,
}

/// The properties a fact declaration may have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FactPropKind {
    /// `类型`: the kind of value (`元`, `整数`, `逐年 元`, an enum).
    Type(TypeExpr),
    /// `单位`: the unit input values are given in (`万元`, `人`).
    Unit(Word),
    /// `提供`: the department that provides the value.
    Provider(Word),
    /// `来源`: where the value comes from (`权威`, `自报`, `审核`).
    Provenance(Word),
    /// `说明`: what the value is, for guides and departments.
    Description(Word),
    /// `非负`: a negative value is rejected.
    NonNegative,
    /// `可为负`: a negative value is allowed.
    Signed,
    /// `缺省 假`: the value when the enterprise's data does not mention the fact. A literal.
    Default(Expr),
}

/// A fact's type as written: `元`, `逐年 元`, `枚举 { … }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeExpr {
    /// `逐年 T` (or `逐季 T`): one value per year (per quarter), read as `出口额[上年]`
    /// (`工业总产值[上季]`).
    pub series: bool,
    /// `逐季 T`: the series is by quarter (`series` is true too).
    pub quarterly: bool,
    /// The kind of one value.
    pub base: TypeName,
    /// Where it was written.
    pub span: Span,
}

/// The kind of one value of a fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TypeName {
    /// `布尔`, `整数`, `元`, ... checked by the checker so a typo gets a suggestion.
    Named(Word),
    /// `枚举 { A, B }`: one of these texts.
    Enum(Vec<Word>),
}

// ------------------------------------------------------------------------------------ platform

/// `平台 名称 { props }`: the platform every policy of a library runs on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Platform {
    /// The platform's name.
    pub name: Word,
    /// The parts in the order written.
    pub props: Vec<PlatformProp>,
    /// The whole block.
    pub span: Span,
}

/// One part of the platform block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformProp {
    /// Which part it is, with its contents.
    pub kind: PlatformPropKind,
    /// The whole part.
    pub span: Span,
}

/// The parts a platform block may have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PlatformPropKind {
    /// `部门`: the departments policies may name.
    Departments(Vec<Word>),
    /// `出资方`: the funders policies may give shares to.
    Funders(Vec<Word>),
    /// `付款方 { … }`: which department pays, by the first rule that holds.
    Payers(Vec<PayerRule>),
    /// `兑付时限`: working days from approval to payment.
    PayoutLimit(Days),
    /// `联审 { … }`: joint-review vetoes; any that holds stops every award.
    Vetoes(Vec<Condition>),
}

/// `章贡高新区管委会 当 位于章贡高新区`, or `区行政审批局 否则`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayerRule {
    /// The department that pays.
    pub payer: Word,
    /// `None` for the `否则` rule.
    pub when: Option<Expr>,
    /// The whole rule.
    pub span: Span,
}

// ------------------------------------------------------------------------------------ expressions

/// An expression: a condition, an amount, a definition's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it was written, brackets included.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// A number, amount, rate or quantity literal (`5万元`, `20%`, `50人`).
    Number(Number),
    /// A string literal, unquoted.
    Text(String),
    /// A date literal (`2024-01-01`).
    Date(NaiveDate),
    /// `真` or `假`.
    Bool(bool),
    /// A number of working days (`5个工作日`).
    Duration(u32),
    /// A fact, a local definition, a condition label or a built-in such as `评估年度`.
    Name {
        /// The name as written.
        name: String,
        /// For a yearly series: 0 is the evaluation year, -1 the year before (`上年`); with
        /// `quarterly`, in quarters: 0 is the evaluation date's quarter, -1 the one before (`上季`).
        year: Option<i32>,
        /// `year` counts quarters (`[上季]`, `[本季-4]`) rather than years.
        quarterly: bool,
    },
    /// A built-in function applied to arguments (`最大(a, b)`).
    Call {
        /// The function's name.
        func: Word,
        /// The arguments in order.
        args: Vec<Expr>,
    },
    /// `-x`.
    Neg(Box<Expr>),
    /// `非 x`: logical negation.
    Not(Box<Expr>),
    /// Arithmetic (`+ - × ÷`) or logic (`且`, `或`).
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// A comparison, in any of its spellings (`>=`, `不低于`, `A 在 B 以上`).
    Compare {
        /// The comparison as written.
        op: CmpOp,
        /// The value compared.
        lhs: Box<Expr>,
        /// What it is compared with.
        rhs: Box<Expr>,
    },
    /// `x 属于 { a, b }`: whether a value is one of the options.
    In {
        /// The value looked for.
        value: Box<Expr>,
        /// The options.
        options: Vec<Expr>,
    },
    /// `如果 c 那么 a 否则 b`.
    If {
        /// The condition.
        cond: Box<Expr>,
        /// The value when it holds.
        then: Box<Expr>,
        /// The value when it does not.
        otherwise: Box<Expr>,
    },
    /// `分档` or `累进`: an amount read from a table of bands.
    Tiers(Tiers),
}

/// A binary operator: arithmetic or logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `×` or `*`
    Mul,
    /// `÷` or `/`
    Div,
    /// `且`: both hold.
    And,
    /// `或`: either holds.
    Or,
}

impl BinOp {
    /// Binding strength: a higher number binds tighter.
    pub(crate) fn precedence(self) -> u8 {
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
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
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
    /// `<`
    Lt,
    /// `<=` or `≤`
    Le,
    /// `>`
    Gt,
    /// `>=` or `≥`
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
    /// What the spelling means: which of the six relations it tests.
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
    /// Step (`分档`) or marginal (`累进`).
    pub kind: TierKind,
    /// The value whose band picks the row.
    pub base: Box<Expr>,
    /// The bands, in the order written.
    pub rows: Vec<TierRow>,
}

/// How a tier table turns its base into an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TierKind {
    /// `分档`: the row the base falls in gives the whole amount.
    Step,
    /// `累进`: each slice of the base is paid at its own row's rate.
    Marginal,
}

/// One band of a tier table and what it pays.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    /// The band's lower end; `None` for open below.
    pub lower: Option<Bound>,
    /// The band's upper end; `None` for open above.
    pub upper: Option<Bound>,
    /// The amount (`分档`) or rate (`累进`) of the band.
    pub value: Expr,
    /// The whole row.
    pub span: Span,
}

/// One end of a tier's band, as written: `不低于 X`, `超过 X`, `X 以上` for a lower end;
/// `不超过 X`, `不满 X`, `低于 X`, `X 以下`, `X 以内` for an upper end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    /// The word that says which end it is and whether it is included.
    pub op: CmpOp,
    /// Where the band ends.
    pub value: Number,
    /// Where it was written.
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
    /// `万` or `亿` as written, or none.
    pub scale: Scale,
    /// What follows the digits: `%`, a unit, a currency.
    pub suffix: Suffix,
    /// Where it was written.
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

/// A Chinese scale word written after the digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scale {
    /// No scale word.
    One,
    /// 万: ten thousand
    Wan,
    /// 亿: a hundred million
    Yi,
}

impl Scale {
    /// What the digits are multiplied by.
    pub(crate) fn factor(self) -> Decimal {
        match self {
            Scale::One => Decimal::ONE,
            Scale::Wan => Decimal::from(10_000),
            Scale::Yi => Decimal::from(100_000_000),
        }
    }

    /// The scale word as written.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Scale::One => "",
            Scale::Wan => "万",
            Scale::Yi => "亿",
        }
    }
}

/// What follows a number's digits, and so what kind of value it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Suffix {
    /// A plain number.
    None,
    /// `%`: a rate, in hundredths.
    Percent,
    /// `‰`: a rate, in thousandths.
    Permille,
    /// A quantity: `50人`, `1000㎡`.
    Unit(String),
    /// Money, possibly per unit: `5万元`, `500元/人`, `20元/㎡/月`.
    Money {
        /// The currency.
        currency: Currency,
        /// The units it is per (`人` in `500元/人`), in order.
        per: Vec<String>,
    },
}

/// The currency of an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Currency {
    /// 元 (人民币)
    Cny,
    /// 美元
    Usd,
    /// 欧元
    Eur,
    /// 英镑
    Gbp,
    /// 日元
    Jpy,
    /// 港元
    Hkd,
}

impl Currency {
    /// Every currency, 元 first; the foreign ones each have a rate type (`汇率`, `欧元汇率`, …).
    pub const ALL: [Currency; 6] =
        [Currency::Cny, Currency::Usd, Currency::Eur, Currency::Gbp, Currency::Jpy, Currency::Hkd];

    /// The currency's word (`元`, `美元`).
    pub fn word(self) -> &'static str {
        match self {
            Currency::Cny => "元",
            Currency::Usd => "美元",
            Currency::Eur => "欧元",
            Currency::Gbp => "英镑",
            Currency::Jpy => "日元",
            Currency::Hkd => "港元",
        }
    }

    /// The currency a word names (`欧元`), if any.
    pub fn from_word(word: &str) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.word() == word)
    }

    /// The schema type of its exchange rate, 元 per one unit of it, in Chinese and English
    /// (`汇率` stays 美元's, as it was before the other currencies); `None` for 元.
    pub fn rate_type(self) -> Option<(&'static str, &'static str)> {
        match self {
            Currency::Cny => None,
            Currency::Usd => Some(("汇率", "fx_rate")),
            Currency::Eur => Some(("欧元汇率", "eur_fx_rate")),
            Currency::Gbp => Some(("英镑汇率", "gbp_fx_rate")),
            Currency::Jpy => Some(("日元汇率", "jpy_fx_rate")),
            Currency::Hkd => Some(("港元汇率", "hkd_fx_rate")),
        }
    }

    /// Its type name in the schema's English spelling (`cny`, `usd`, `eur`).
    pub fn type_en(self) -> &'static str {
        match self {
            Currency::Cny => "cny",
            Currency::Usd => "usd",
            Currency::Eur => "eur",
            Currency::Gbp => "gbp",
            Currency::Jpy => "jpy",
            Currency::Hkd => "hkd",
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
