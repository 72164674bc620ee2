//! Diagnostics: a stable code, a typed message (put into Chinese or English words when shown), a
//! labelled span, a help line and the other places that explain it.
//!
//! Rendered like rustc by annotate-snippets ([`Diagnostic::render`]) or as JSON
//! ([`Diagnostic::to_json`]). annotate-snippets is rustc's own renderer, kept by the Rust project:
//! it orders the places by line, draws spans over several lines, measures CJK width, and colours
//! only when asked, in a few small dependencies (codespan-reporting brings termcolor's writers,
//! miette a whole error-reporting framework).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::message::{Locale, Message, NoteLabel, Texts};
use crate::span::{floor_char_boundary, LineIndex, Span};

/// Whether a diagnostic fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The library cannot be used until it is fixed.
    Error,
    /// Probably a mistake; does not fail a check.
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $code:literal : $zh:literal / $title:literal,)*) => {
        /// Every diagnostic the language can report. Codes are stable: never reuse one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Code { $(#[doc = $title] $variant,)* }

        impl Code {
            /// Every code, in the order of docs/language.md's table.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code as printed (`E101`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// What the code means, in English, for docs and `--explain`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// What the code means, in Chinese.
            pub fn title_zh(self) -> &'static str {
                match self { $(Code::$variant => $zh,)* }
            }
        }
    };
}

codes! {
    Syntax = "E001": "文本不合语法" / "the text does not follow the grammar",
    UnterminatedString = "E002": "字符串在行内没有结束" / "a string is not closed on its line",
    InvalidUtf8 = "E003": "文件不是有效的 UTF-8" / "the file is not valid UTF-8",
    TooDeep = "E004": "表达式嵌套太深" / "an expression is nested too deeply",
    InvalidDate = "E005": "不存在的日期" / "a date that does not exist",
    NumberTooLarge = "E006": "数太大，无法精确表示" / "a number too large to hold exactly",
    EmptyFile = "E007": "文件里没有任何 政策、事实 或 平台 块" / "a file without any 政策, 事实 or 平台 block",
    InputSlip = "E008": "输入法打出的全角字符或同音错字" /
        "a full-width character or a wrong character of the same sound typed by an input method",
    UnknownName = "E101": "既不是事实、定义、条件，也不是内置名称的名字" / "a name that is neither a fact, a definition, a condition nor a built-in",
    UnknownFunction = "E102": "不存在的函数" / "a function that does not exist",
    WrongArity = "E103": "函数的参数个数不对" / "a function called with the wrong number of arguments",
    UnknownVariant = "E104": "不是枚举取值之一的值" / "a value that is not one of the enum's variants",
    SeriesIndex = "E105": "逐年数据没写年份，或非逐年数据写了年份" / "a yearly series read without a year, or a plain fact read with one",
    DuplicateFact = "E106": "事实声明了两次" / "a fact declared twice",
    DuplicatePolicy = "E107": "两个政策编号相同" / "two policies with the same id",
    DuplicateLabel = "E108": "同一政策里条件标签用了两次" / "a condition label used twice in one policy",
    DuplicateDefinition = "E109": "定义重用了已有的名称" / "a definition that reuses a name",
    UseBeforeDefinition = "E110": "定义在写出之前就被读取" / "a definition read before it is defined",
    ItemUnknownFact = "E111": "标的 写的不是事实表里的事实" / "a 标的 that names no fact of the schema",
    QuarterIndex = "E112": "逐季数据没写季度，或非逐季数据写了季度" / "a quarterly series read without a quarter, or another fact read with one",
    ForeignCurrencyMismatch = "E113": "不同币种未经汇率换算混用" / "currencies other than 元 with 美元 mixed without an exchange rate",
    TypeMismatch = "E201": "不能运算在一起的两类值" / "operands of types that cannot be combined",
    CurrencyMismatch = "E202": "元与美元未经换算混用" / "元 and 美元 mixed without conversion",
    CompareMismatch = "E203": "不同种类的值相比较" / "a comparison between values of different kinds",
    UnitMismatch = "E204": "不同单位的数量混用" / "quantities in different units combined",
    NotBoolean = "E205": "条件不是真或假" / "a condition that is not true or false",
    AwardNotMoney = "E206": "奖励或上限不是以元计的金额" / "an award or cap that is not an amount in 元",
    BranchMismatch = "E207": "如果 的两个分支得出不同种类的值" / "the branches of an if give different types",
    DatePeriod = "E208": "日期加减的不是以年、月、日计的期限" / "a date plus or minus something that is not a period in 年, 月 or 日",
    DateArguments = "E209": "日期函数的参数种类不对" / "a date function given arguments of the wrong kind",
    WholePeriod = "E210": "期限或年、月、日不是整数，或组不成日期" / "a period, year, month or day that is not whole, or that makes no date",
    UnknownMode = "E301": "不存在的兑现方式" / "a fulfilment mode that does not exist",
    UnknownChannel = "E302": "不存在的办理渠道" / "a channel that does not exist",
    UnknownDepartment = "E303": "平台没有列出的部门" / "a department the platform does not list",
    MissingClause = "E304": "政策缺少必需的条款" / "a policy without a required clause",
    DuplicateClause = "E305": "同一政策里某条款写了两次" / "a clause given twice in one policy",
    ValidityReversed = "E306": "有效期结束早于开始" / "a validity window that ends before it starts",
    SharesTotal = "E307": "分担比例合计不是 100%" / "funding shares that do not add up to 100%",
    UnknownFunder = "E308": "平台没有列出的出资方" / "a funder the platform does not list",
    NoApplicationReadsDeclared = "E309": "免申即享政策读取了权威政府数据以外的数据" / "a 免申即享 policy that reads data other than authoritative government data",
    UnknownFrequency = "E310": "不存在的兑现频次" / "an award frequency that does not exist",
    UnknownStatus = "E311": "不存在的目录状态" / "a catalog status that does not exist",
    UnknownRounding = "E312": "不存在的取整单位" / "a rounding unit that does not exist",
    BadInstallments = "E313": "无法兑付的分期比例" / "installment ratios that cannot be paid",
    ZeroTimeLimit = "E314": "时限为 0 个工作日" / "a time limit of zero working days",
    GroupDisagrees = "E315": "同一 就高不重复 组的政策对 升级补差 的规定不一致" / "policies of one 就高不重复 group that disagree on 升级补差",
    SharesForm = "E316": "分担的写法无法结算：两个 其余、固定金额没有 其余、固定金额与百分比混用、其余 没有剩余" / "funding shares in a form that cannot be settled: two 其余, fixed amounts without 其余, fixed amounts with percentages, 其余 with nothing left",
    ItemMisuse = "E317": "标的 不是文本事实，或同一 就高不重复 组的政策标的不同" / "a 标的 that is not a text fact, or policies of one 就高不重复 group with different 标的",
    InstallmentConditions = "E318": "分期条件无法核验" / "installment conditions that cannot be checked",
    ItemLimit = "E320": "按企业 列出的不是政策所有的 频次、就高不重复、年度上限 或 累计上限" / "a limit after 按企业 that is not a 频次, 就高不重复, 年度上限 or 累计上限 of the policy",
    FixedShareAmount = "E321": "固定分担金额不是大于 0、精确到分的人民币金额" / "a fixed share that is not a positive amount in 元 to the 分",
    TiersOrder = "E401": "各档顺序颠倒" / "tiers out of order",
    TiersOverlap = "E402": "各档范围重叠" / "tiers whose bands overlap",
    TiersGap = "E403": "各档之间有空隙" / "tiers with a gap between bands",
    TierBound = "E404": "该有界限的一档没有界限" / "a tier band that is open where it must be bounded",
    UnknownType = "E501": "不存在的事实类型" / "a fact type that does not exist",
    MissingFactProp = "E502": "事实缺少类型、提供部门或来源" / "a fact without its type, provider or provenance",
    UnknownProvenance = "E503": "不存在的来源" / "a provenance that does not exist",
    UnitForType = "E504": "单位与事实的类型不符" / "a unit that does not fit the fact's type",
    DuplicateProp = "E505": "属性写了两次" / "a property given twice",
    DuplicateVariant = "E506": "枚举取值列了两次" / "an enum variant listed twice",
    DefaultMismatch = "E507": "缺省值不是该事实类型的字面值" / "a default that is not a literal of the fact's type",
    PayerNotDepartment = "E601": "付款方不是列出的部门" / "a payer that is not a listed department",
    PayerFallback = "E602": "付款规则最后没有 否则 规则" / "payer rules without a final `否则` rule",
    PlatformMissing = "E603": "没有平台文件，或不止一个" / "no platform file, or more than one",
    PlatformIncomplete = "E604": "平台缺少必需的部分" / "a platform without a required part",
    Internal = "E900": "内部错误：huiqi 违反了自身的规则，不是文本的错误" / "an internal error: huiqi broke one of its own rules, not a mistake in the text",
    CommitmentWithoutReview = "W001": "承诺兑现政策没有读取任何审核或核查结果" / "a 承诺兑现 policy that reads no review or inspection result",
    UnusedDefinition = "W002": "没有被读取的定义" / "a definition that nothing reads",
    NoApplicationNeedsNoReview = "W003": "非承诺兑现政策读取了审核结果" / "a review result read by a policy that is not 承诺兑现",
    MaterialsWithoutApplication = "W004": "免申即享政策列出了申报材料" / "application materials listed for a 免申即享 policy",
}

impl Code {
    /// `W…` codes are warnings, the rest errors.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary place that helps explain the primary one (e.g. the first of two duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The place.
    pub span: Span,
    /// What to say about it, printed under the place.
    pub label: NoteLabel,
}

/// One mistake in a file: what is wrong, where, and how to fix it. It holds the typed message, not
/// words: [`Diagnostic::texts`] says it in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`E101`): the message's.
    pub code: Code,
    /// What is wrong.
    pub message: Message,
    /// The place the mistake is.
    pub span: Span,
    /// Other places that explain the first (e.g. the first of two duplicates).
    pub notes: Vec<Note>,
}

/// How to show diagnostics: in which language, and whether in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// The language of the words.
    pub locale: Locale,
    /// ANSI colours, for a terminal.
    pub color: bool,
}

impl Style {
    /// Plain text in a language.
    pub fn plain(locale: Locale) -> Style {
        Style { locale, color: false }
    }
}

impl Diagnostic {
    /// A diagnostic of `message` at `span`; its code is the message's.
    pub fn new(span: Span, message: impl Into<Message>) -> Self {
        let message = message.into();
        Diagnostic { code: message.code(), message, span, notes: Vec::new() }
    }

    /// A broken invariant of the parser or checker, reported rather than masked by a default:
    /// `what` names the rule that broke. The text may be fine; the bug is huiqi's.
    pub(crate) fn internal(span: Span, what: &str) -> Self {
        Diagnostic::new(span, Message::Internal(what.to_string()))
    }

    /// With one more place that explains the first.
    pub fn note(mut self, span: Span, label: NoteLabel) -> Self {
        self.notes.push(Note { span, label });
        self
    }

    /// Its code's severity.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Whether it fails a check.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// The headline, label and help in a language.
    pub fn texts(&self, locale: Locale) -> Texts {
        self.message.texts(locale)
    }

    /// Renders like rustc: header, `--> file:line:col`, the lines with their marks in line order
    /// (spans over several lines drawn as such), then the help on a line of its own.
    pub fn render(&self, file: &str, text: &str, index: &LineIndex, style: Style) -> String {
        let texts = self.texts(style.locale);
        let zh = style.locale == Locale::Zh;
        let level = match (self.severity(), zh) {
            (Severity::Error, true) => Level::ERROR.with_name("错误"),
            (Severity::Warning, true) => Level::WARNING.with_name("警告"),
            (Severity::Error, false) => Level::ERROR,
            (Severity::Warning, false) => Level::WARNING,
        };
        let help = if zh { Level::HELP.with_name("帮助") } else { Level::HELP };
        // Only the lines the marks are on (and those between) are handed over, so a long file
        // with many diagnostics is not scanned once per diagnostic.
        let spans = std::iter::once(self.span).chain(self.notes.iter().map(|n| n.span));
        let first_line = spans.clone().map(|s| index.line_of(s.start)).min().unwrap_or(0);
        let last_line = spans.map(|s| index.line_of(s.end.max(s.start))).max().unwrap_or(0);
        let from = index.line_start(first_line).min(text.len());
        let to = index.line_start(last_line) + index.line_text(text, last_line).len();
        let to = floor_char_boundary(text, to.min(text.len())).max(from);
        let excerpt = text.get(from..to).unwrap_or_default();
        // A span may end inside a character (an invalid UTF-8 byte became a 3-byte `�`), or past
        // the excerpt: clamp it onto the excerpt's characters.
        let local = |span: Span| {
            let start = floor_char_boundary(excerpt, span.start.saturating_sub(from).min(excerpt.len()));
            let end =
                floor_char_boundary(excerpt, span.end.saturating_sub(from).min(excerpt.len())).max(start);
            start..end
        };
        let mut snippet = Snippet::source(excerpt)
            .line_start(first_line + 1)
            .path(file)
            .fold(true)
            .annotation(AnnotationKind::Primary.span(local(self.span)).label(texts.label));
        for note in &self.notes {
            snippet = snippet.annotation(
                AnnotationKind::Context.span(local(note.span)).label(note.label.text(style.locale)),
            );
        }
        let mut group = level.primary_title(texts.message).id(self.code.as_str()).element(snippet);
        if let Some(text) = texts.help {
            group = group.element(help.message(text));
        }
        let report: [Group<'_>; 1] = [group];
        let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
        let mut out = renderer.render(&report);
        out.push('\n');
        out
    }

    /// One JSON object with the file, the position as line and column, the code and its words in
    /// a language.
    pub fn to_json(&self, file: &str, text: &str, index: &LineIndex, locale: Locale) -> serde_json::Value {
        let texts = self.texts(locale);
        let start = index.line_col(text, self.span.start);
        let end = index.line_col(text, self.span.end);
        serde_json::json!({
            "file": file,
            "code": self.code.as_str(),
            "severity": self.severity(),
            "message": texts.message,
            "line": start.line,
            "column": start.column,
            "end_line": end.line,
            "end_column": end.column,
            "label": texts.label,
            "help": texts.help,
            "notes": self.notes.iter().map(|n| {
                let at = index.line_col(text, n.span.start);
                serde_json::json!({"line": at.line, "column": at.column, "label": n.label.text(locale)})
            }).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{LibraryMsg, PolicyMsg};

    const TEXT: &str = "政策 x \"示例\" {\n  方式 即申即享\n  方式 免申即享\n  奖励 5万元\n}\n";

    fn at(word: &str) -> Span {
        let start = TEXT.find(word).unwrap_or_default();
        Span::new(start, start + word.len())
    }

    #[test]
    fn places_are_shown_in_the_order_of_the_text() {
        // The note (line 2) is above the primary place (line 3), whatever order they were added in.
        let d = Diagnostic::new(
            at("方式 免申即享"),
            LibraryMsg::GivenTwice { code: Code::DuplicateClause, key: "方式", merge: false },
        )
        .note(at("方式 即申即享"), NoteLabel::FirstGiven);
        let out = d.render("a.hq", TEXT, &LineIndex::new(TEXT), Style::plain(Locale::Zh));
        let first = out.find("第一次写在这里").unwrap_or(usize::MAX);
        let again = out.find("在这里又写了一次").unwrap_or(0);
        assert!(first < again, "{out}");
        assert!(out.starts_with("错误[E305]: `方式` 写了两次\n"), "{out}");
        assert!(out.contains("= 帮助: "), "{out}");
        let en = d.render("a.hq", TEXT, &LineIndex::new(TEXT), Style::plain(Locale::En));
        assert!(en.starts_with("error[E305]: `方式` given twice\n") && en.contains("= help: "), "{en}");
    }

    #[test]
    fn a_span_over_several_lines_is_drawn_over_them() {
        let start = TEXT.find("方式 即申即享").unwrap_or_default();
        let end = TEXT.find("奖励").unwrap_or_default();
        let d = Diagnostic::new(Span::new(start, end + "奖励".len()), PolicyMsg::BadInstallments);
        let out = d.render("a.hq", TEXT, &LineIndex::new(TEXT), Style::plain(Locale::Zh));
        // Each line of the span is shown, and the span's start and end are joined in the margin.
        for line in ["2 |", "3 |", "4 |", "|__"] {
            assert!(out.contains(line), "missing {line:?} in\n{out}");
        }
    }

    #[test]
    fn colour_only_when_asked() {
        let d = Diagnostic::new(at("即申即享"), PolicyMsg::ZeroTimeLimit);
        let index = LineIndex::new(TEXT);
        assert!(!d.render("a.hq", TEXT, &index, Style::plain(Locale::Zh)).contains('\x1b'));
        let coloured = d.render("a.hq", TEXT, &index, Style { locale: Locale::Zh, color: true });
        assert!(coloured.contains('\x1b'), "{coloured}");
    }

    #[test]
    fn json_has_the_same_code_in_both_languages() {
        let d = Diagnostic::new(at("即申即享"), PolicyMsg::ZeroTimeLimit);
        let index = LineIndex::new(TEXT);
        let zh = d.to_json("a.hq", TEXT, &index, Locale::Zh);
        let en = d.to_json("a.hq", TEXT, &index, Locale::En);
        assert_eq!((zh["code"].as_str(), en["code"].as_str()), (Some("E314"), Some("E314")));
        assert_eq!(zh["message"], "时限为 0 个工作日");
        assert_eq!(en["message"], "a time limit of zero working days");
        assert_eq!((zh["line"].as_u64(), zh["column"].as_u64()), (Some(2), Some(6)));
    }
}
