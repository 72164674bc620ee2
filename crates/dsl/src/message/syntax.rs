//! Reading the text: grammar, strings, numbers, dates, nesting and input-method slips.

use super::{did_you_mean, say, Locale, Texts};
use crate::diagnostic::Code;

/// What a line that could not be read was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Construct {
    /// A top-level block.
    Item,
    /// A clause of a policy.
    Clause,
    /// A line of `条件`.
    Condition,
    /// A property of a fact.
    FactProp,
    /// A property of the platform.
    PlatformProp,
    /// A rule of `付款方`.
    PayerRule,
    /// A line of `联审`.
    Veto,
    /// A row of a tier table.
    TierRow,
}

impl Construct {
    fn noun(self, locale: Locale) -> &'static str {
        use Construct::*;
        match (self, locale) {
            (Item, Locale::Zh) => "`政策`、`事实` 或 `平台` 块",
            (Item, Locale::En) => "a `政策`, `事实` or `平台` block",
            (Clause, Locale::Zh) => "政策条款",
            (Clause, Locale::En) => "a policy clause",
            (Condition, Locale::Zh) => "条件 `标签: 表达式`",
            (Condition, Locale::En) => "a condition `标签: 表达式`",
            (FactProp, Locale::Zh) => "事实的属性",
            (FactProp, Locale::En) => "a fact property",
            (PlatformProp, Locale::Zh) => "平台的属性",
            (PlatformProp, Locale::En) => "a platform property",
            (PayerRule, Locale::Zh) => "付款规则 `付款部门 当 条件`",
            (PayerRule, Locale::En) => "a payer rule `付款部门 当 条件`",
            (Veto, Locale::Zh) => "联审项 `名称: 事实`",
            (Veto, Locale::En) => "a veto `名称: 事实`",
            (TierRow, Locale::Zh) => "分档行 `不低于 X, 低于 Y: 金额`",
            (TierRow, Locale::En) => "a tier row `不低于 X, 低于 Y: 金额`",
        }
    }

    /// What a keyword at the start of this construct is called: `未知的条款 …`.
    fn keyword_noun(self, locale: Locale) -> &'static str {
        use Construct::*;
        match (self, locale) {
            (Item, Locale::Zh) => "块",
            (Item, Locale::En) => "block",
            (FactProp, Locale::Zh) => "事实属性",
            (FactProp, Locale::En) => "fact property",
            (PlatformProp, Locale::Zh) => "平台属性",
            (PlatformProp, Locale::En) => "platform property",
            (_, Locale::Zh) => "条款",
            (_, Locale::En) => "clause",
        }
    }

    fn help(self, locale: Locale) -> &'static str {
        use Construct::*;
        match (self, locale) {
            (Item, Locale::Zh) => "文件由 `政策 ID \"标题\" { ... }`、`事实 名称 { ... }` 或 `平台 名称 { ... }` 块组成",
            (Item, Locale::En) => "a file holds `政策 ID \"标题\" { ... }`, `事实 名称 { ... }` or `平台 名称 { ... }` blocks",
            (Clause, Locale::Zh) => "条款以 部门、方式、渠道、依据、有效期、分担、材料、时限、频次、就高不重复、状态、设、条件、奖励、上限、年度上限、累计上限、分期 或 取整 开头",
            (Clause, Locale::En) => "a clause starts with 部门, 方式, 渠道, 依据, 有效期, 分担, 材料, 时限, 频次, 就高不重复, 状态, 设, 条件, 奖励, 上限, 年度上限, 累计上限, 分期 or 取整",
            (Condition, Locale::Zh) => "每个条件单独一行，写作 `标签: 表达式`，例如 `注册地在章贡区: 注册区县 为 \"章贡区\"`",
            (Condition, Locale::En) => "write each condition on its own line as `标签: 表达式`, e.g. `注册地在章贡区: 注册区县 为 \"章贡区\"`",
            (FactProp, Locale::Zh) => "事实的属性有 类型、单位、提供、来源、说明、缺省、非负 和 可为负",
            (FactProp, Locale::En) => "a fact has 类型, 单位, 提供, 来源, 说明, 缺省, 非负 or 可为负",
            (PlatformProp, Locale::Zh) => "平台的属性有 部门、出资方、付款方、兑付时限 和 联审",
            (PlatformProp, Locale::En) => "a platform has 部门, 出资方, 付款方, 兑付时限 and 联审",
            (PayerRule, Locale::Zh) => "写作 `章贡高新区管委会 当 位于章贡高新区`，最后一条写 `区行政审批局 否则`",
            (PayerRule, Locale::En) => "write `章贡高新区管委会 当 位于章贡高新区`, and last `区行政审批局 否则`",
            (Veto, Locale::Zh) => "写作 `失信: 失信记录`：名称、冒号，再写记录它的事实",
            (Veto, Locale::En) => "write `失信: 失信记录`: a label, a colon, and the fact that records it",
            (TierRow, Locale::Zh) => "一档的下限写 `不低于 X`、`超过 X` 或 `X 以上`，其后可接上限 `, 低于 Y`、`不满 Y`、`不超过 Y`、`Y 以下` 或 `Y 以内`",
            (TierRow, Locale::En) => "a band is `不低于 X`, `超过 X` or `X 以上`, optionally followed by `, 低于 Y`, `不满 Y`, `不超过 Y`, `Y 以下` or `Y 以内`",
        }
    }
}

/// What the grammar expected at a place, named for a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expected {
    /// An expression.
    Expression,
    /// A number.
    Number,
    /// A whole number.
    WholeNumber,
    /// A quoted string.
    String,
    /// A date.
    Date,
    /// A name.
    Name,
    /// A condition label.
    Label,
    /// A policy id.
    PolicyId,
    /// A number of working days.
    WorkingDays,
    /// A year of a series.
    Year,
    /// A comparison word.
    Comparison,
    /// A tier band.
    Band,
    /// A unit.
    Unit,
    /// `枚举(...)`.
    EnumType,
    /// A tier row.
    TierRow,
    /// A condition.
    Condition,
    /// A funder's share.
    Share,
    /// `且` or `或`.
    AndOr,
    /// An operator.
    Operator,
    /// This punctuation or keyword, as written.
    Token(&'static str),
}

impl Expected {
    fn name(self, locale: Locale) -> String {
        use Expected::*;
        let zh = locale == Locale::Zh;
        let pick = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
        match self {
            Expression => pick("表达式", "an expression"),
            Number => pick("数", "a number"),
            WholeNumber => pick("整数", "a whole number"),
            String => pick("带引号的字符串", "a quoted string"),
            Date => pick("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
            Name => pick("名称", "a name"),
            Label => pick("条件标签", "a condition label"),
            PolicyId => pick("政策编号（字母、数字、`-`）", "a policy id (letters, digits, `-`)"),
            WorkingDays => pick("工作日数（`5个工作日`）", "a number of working days (`5个工作日`)"),
            Year => pick(
                "年份（`本年`、`上年`、`前年` 或 `本年-3`）",
                "a year (`本年`, `上年`, `前年` or `本年-3`)",
            ),
            Comparison => pick("比较词", "a comparison"),
            Band => pick("档位", "a tier band"),
            Unit => pick("单位", "a unit"),
            EnumType => "`枚举(...)`".to_string(),
            TierRow => pick("分档行", "a tier row"),
            Condition => pick("条件", "a condition"),
            Share => pick("分担比例（`市 50%`）", "a share (`市 50%`)"),
            AndOr => pick("`且` 或 `或`", "`且` or `或`"),
            Operator => pick("运算符", "an operator"),
            Token(t) => format!("`{t}`"),
        }
    }
}

/// `a、b 或 c` / `a, b or c`, each as [`Expected::name`] gives it.
fn alternatives(l: Locale, expected: &[Expected]) -> String {
    let names: Vec<String> = expected.iter().map(|e| e.name(l)).collect();
    let (sep, or) = match l {
        Locale::Zh => ("、", " 或 "),
        Locale::En => (", ", " or "),
    };
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{}{or}{last}", init.join(sep)),
    }
}

/// What was found where something else was expected: a token, or the end of the line.
fn shown(found: &str, locale: Locale) -> String {
    match (found.is_empty(), locale) {
        (true, Locale::Zh) => "行尾".into(),
        (true, Locale::En) => "the end of the line".into(),
        (false, _) => format!("`{found}`"),
    }
}

/// `` `＝`、`５` `` and `` `=`、`5` ``: the slips as written and as they should be.
fn slip_lists(slips: &[(String, String)], l: Locale) -> (String, String) {
    let quoted = |pick: fn(&(String, String)) -> &String| {
        let all: Vec<&String> = slips.iter().map(pick).collect();
        super::listed(l, &all.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>())
    };
    (quoted(|s| &s.0), quoted(|s| &s.1))
}

/// Mistakes in reading the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxMsg {
    /// Brackets or `如果` nested past the limit.
    NestedTooDeep {
        /// The limit.
        max: usize,
    },
    /// An expression tree deeper than the limit.
    TreeTooDeep {
        /// The limit.
        max: usize,
    },
    /// pest's own stack guard tripped.
    FileTooDeep,
    /// No block at all.
    EmptyFile,
    /// A `{` never closed.
    Unclosed,
    /// A string not closed on its line.
    UnterminatedString,
    /// A colon after a clause keyword.
    ClauseColon {
        /// What was found.
        found: String,
    },
    /// Text left over after a complete clause.
    LeftOver {
        /// What was found.
        found: String,
    },
    /// Not the start of what belongs here.
    NotA {
        /// What belongs here.
        construct: Construct,
        /// What was found.
        found: String,
    },
    /// A keyword misspelt at the start of a line: `奖金` for `奖励`.
    UnknownKeyword {
        /// What belongs here.
        construct: Construct,
        /// The word written.
        found: String,
        /// The keyword meant.
        keyword: &'static str,
    },
    /// A unit misspelt where a unit belongs: `单位 平米`.
    UnknownUnit {
        /// The word written.
        found: String,
        /// The unit meant, if one is close.
        unit: Option<&'static str>,
    },
    /// Something else was expected here.
    Expected {
        /// What the grammar expected, in order, each once.
        expected: Vec<Expected>,
        /// What the line was meant to be.
        construct: Construct,
        /// What was found.
        found: String,
    },
    /// A date that does not exist.
    InvalidDate {
        /// As written.
        text: String,
    },
    /// A number past 28 significant digits.
    NumberTooLarge,
    /// A byte that is not UTF-8.
    InvalidUtf8 {
        /// Its offset.
        at: usize,
    },
    /// A full-width character typed by a Chinese input method where the ASCII one belongs
    /// (`＝`, `５`, `【`): read as the ASCII one, so nothing else is reported.
    FullWidth {
        /// Each slip on the line (or bracket pair): as written, and what to write instead.
        slips: Vec<(String, String)>,
    },
    /// A word typed with the wrong character of the same sound (`已上` for `以上`): read as meant.
    Homophone {
        /// As written.
        found: &'static str,
        /// What was meant.
        meant: &'static str,
    },
}

impl SyntaxMsg {
    pub(super) fn code(&self) -> Code {
        use SyntaxMsg::*;
        match self {
            NestedTooDeep { .. } | TreeTooDeep { .. } | FileTooDeep => Code::TooDeep,
            EmptyFile => Code::EmptyFile,
            UnterminatedString => Code::UnterminatedString,
            Unclosed | ClauseColon { .. } | LeftOver { .. } | NotA { .. } | Expected { .. } => Code::Syntax,
            UnknownKeyword { .. } | UnknownUnit { .. } => Code::Syntax,
            InvalidDate { .. } => Code::InvalidDate,
            NumberTooLarge => Code::NumberTooLarge,
            InvalidUtf8 { .. } => Code::InvalidUtf8,
            FullWidth { .. } | Homophone { .. } => Code::InputSlip,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use Locale::{En, Zh};
        use SyntaxMsg::*;
        match (self, l) {
            (NestedTooDeep { max }, Zh) => say(
                format!("表达式嵌套超过 {max} 层"),
                "从这里起嵌套过深",
                "把表达式拆成几个 `设` 定义，再组合起来",
            ),
            (NestedTooDeep { max }, En) => say(
                format!("expression nested more than {max} levels deep"),
                "too deep from here",
                "split the expression into `设` definitions and combine those",
            ),
            (TreeTooDeep { max }, Zh) => say(
                format!("表达式嵌套超过 {max} 层"),
                "一个表达式里的运算太多",
                "把表达式拆成几个 `设` 定义，再组合起来",
            ),
            (TreeTooDeep { max }, En) => say(
                format!("expression nested more than {max} levels deep"),
                "too many operators in one expression",
                "split the expression into `设` definitions and combine those",
            ),
            (FileTooDeep, Zh) => say("文件嵌套太深，无法读取", "这里", "把嵌套很深的表达式拆成 `设` 定义"),
            (FileTooDeep, En) => say(
                "the file is nested too deeply to read",
                "here",
                "split deeply nested expressions into `设` definitions",
            ),
            (EmptyFile, Zh) => say(
                "文件里没有政策",
                "这里什么也没有",
                "写一个 `政策 ID \"标题\" { ... }`、`事实 名称 { ... }` 或 `平台 名称 { ... }` 块，或删除这个文件",
            ),
            (EmptyFile, En) => say(
                "the file holds no policy",
                "nothing here",
                "write a `政策 ID \"标题\" { ... }`, `事实 名称 { ... }` or `平台 名称 { ... }` block, or delete the file",
            ),
            (Unclosed, Zh) => say("这个 `{` 没有闭合", "在这里打开", "在块的末尾补上缺少的 `}`"),
            (Unclosed, En) => {
                say("this `{` is never closed", "opened here", "add the missing `}` at the end of the block")
            }
            (UnterminatedString, Zh) => {
                say("字符串没有结束", "字符串到这里为止", "在行末之前用 `\"` 结束字符串")
            }
            (UnterminatedString, En) => say(
                "unterminated string",
                "the string ends here",
                "close the string with `\"` before the end of the line",
            ),
            (ClauseColon { found }, Zh) => say(
                format!("条款关键字后不用冒号，却写了 {}", shown(found, l)),
                "这里不用冒号",
                "条款不带冒号：写关键字、空格和值，例如 `方式 即申即享`",
            ),
            (ClauseColon { found }, En) => say(
                format!("unexpected {}", shown(found, l)),
                "no colon here",
                "a clause takes no colon: write the keyword, a space and the value, e.g. `方式 即申即享`",
            ),
            (LeftOver { found }, Zh) => say(
                format!("条款后多出了 {}", shown(found, l)),
                "不属于这个条款",
                "运算符两边都要有值：把表达式写完整，或删去多余的部分",
            ),
            (LeftOver { found }, En) => say(
                format!("unexpected {} after the clause", shown(found, l)),
                "not part of the clause",
                "an operator needs a value on each side: finish the expression or remove what is left over",
            ),
            (NotA { construct, found }, Zh) => say(
                format!("这里应是{}，却是 {}", construct.noun(l), shown(found, l)),
                format!("不是{}", construct.noun(l)),
                construct.help(l),
            ),
            (NotA { construct, found }, En) => say(
                format!("expected {}, found {}", construct.noun(l), shown(found, l)),
                format!("not {}", construct.noun(l)),
                construct.help(l),
            ),
            (UnknownKeyword { construct, found, keyword }, Zh) => say(
                format!("未知的{} `{found}`", construct.keyword_noun(l)),
                format!("不是{}关键字", construct.keyword_noun(l)),
                did_you_mean(l, keyword),
            ),
            (UnknownKeyword { construct, found, keyword }, En) => say(
                format!("unknown {} `{found}`", construct.keyword_noun(l)),
                format!("not a {} keyword", construct.keyword_noun(l)),
                did_you_mean(l, keyword),
            ),
            (UnknownUnit { found, unit }, Zh) => say(
                format!("未知的单位 `{found}`"),
                "不是单位",
                unit.map_or_else(
                    || "单位有 元、万元、亿元、美元、万美元、亿美元，以及 人、㎡、千瓦时、月、年 等数量单位".into(),
                    |u| did_you_mean(l, u),
                ),
            ),
            (UnknownUnit { found, unit }, En) => say(
                format!("unknown unit `{found}`"),
                "not a unit",
                unit.map_or_else(
                    || "the units are 元, 万元, 亿元, 美元, 万美元, 亿美元 and quantities such as 人, ㎡, 千瓦时, 月, 年".into(),
                    |u| did_you_mean(l, u),
                ),
            ),
            (Expected { expected, construct, found }, Zh) => {
                let list = alternatives(l, expected);
                say(
                    format!("这里应是{list}，却是 {}", shown(found, l)),
                    format!("应是{list}"),
                    construct.help(l),
                )
            }
            (Expected { expected, construct, found }, En) => {
                let list = alternatives(l, expected);
                say(format!("expected {list}, found {}", shown(found, l)), format!("expected {list}"), construct.help(l))
            }
            (InvalidDate { text }, Zh) => {
                say(format!("`{text}` 不是有效的日期"), "没有这一天", "写一个存在的日期，格式为 YYYY-MM-DD")
            }
            (InvalidDate { text }, En) => {
                say(format!("`{text}` is not a date"), "no such day", "write a date that exists, as YYYY-MM-DD")
            }
            (NumberTooLarge, Zh) => say(
                "数太大",
                "无法精确表示",
                "数最多有 28 位有效数字；大金额请用 万 或 亿",
            ),
            (NumberTooLarge, En) => say(
                "number too large",
                "cannot be held exactly",
                "numbers may have at most 28 significant digits; use 万 or 亿 for large amounts",
            ),
            (InvalidUtf8 { at }, Zh) => say(
                format!("文件不是有效的 UTF-8（第 {at} 字节）"),
                "这个字节不是 UTF-8",
                "把文件另存为 UTF-8（GBK 或 GB18030 编码的文本须先转换）",
            ),
            (InvalidUtf8 { at }, En) => say(
                format!("the file is not valid UTF-8 (byte {at})"),
                "this byte is not UTF-8",
                "save the file as UTF-8 (GBK or GB18030 text must be converted first)",
            ),
            (FullWidth { slips }, Zh) => {
                let (found, fix) = slip_lists(slips, l);
                say(
                    format!("{found} 是全角字符，请改为 {fix}"),
                    "全角字符",
                    "这是中文输入法打出的全角字符：切换到半角（英文）输入后重新输入",
                )
            }
            (FullWidth { slips }, En) => {
                let (found, fix) = slip_lists(slips, l);
                say(
                    format!("{found}: full-width, write {fix}"),
                    "full-width",
                    "a Chinese input method typed the full-width form: switch to half-width input and type it again",
                )
            }
            (Homophone { found, meant }, Zh) => say(
                format!("`{found}` 应为 `{meant}`"),
                "错别字",
                format!("比较词是 `{meant}`（同音字输错了）"),
            ),
            (Homophone { found, meant }, En) => say(
                format!("`{found}` should be `{meant}`"),
                "misspelt",
                format!("the comparison word is `{meant}` (a character of the same sound was typed)"),
            ),
        }
    }
}
