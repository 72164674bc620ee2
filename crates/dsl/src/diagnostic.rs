//! Diagnostics: a stable code, a one-line message, a labelled span and a help line.
//!
//! Rendered like rustc ([`Diagnostic::render`]) or as JSON ([`Diagnostic::to_json`]).

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

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
    ($($variant:ident = $code:literal : $title:literal,)*) => {
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

            /// What the code means, for docs and `--explain`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    Syntax = "E001": "the text does not follow the grammar",
    UnterminatedString = "E002": "a string is not closed on its line",
    InvalidUtf8 = "E003": "the file is not valid UTF-8",
    TooDeep = "E004": "an expression is nested too deeply",
    InvalidDate = "E005": "a date that does not exist",
    NumberTooLarge = "E006": "a number too large to hold exactly",
    EmptyFile = "E007": "a file without any 政策, 事实 or 平台 block",
    UnknownName = "E101": "a name that is neither a fact, a definition, a condition nor a built-in",
    UnknownFunction = "E102": "a function that does not exist",
    WrongArity = "E103": "a function called with the wrong number of arguments",
    UnknownVariant = "E104": "a value that is not one of the enum's variants",
    SeriesIndex = "E105": "a yearly series read without a year, or a plain fact read with one",
    DuplicateFact = "E106": "a fact declared twice",
    DuplicatePolicy = "E107": "two policies with the same id",
    DuplicateLabel = "E108": "a condition label used twice in one policy",
    DuplicateDefinition = "E109": "a definition that reuses a name",
    UseBeforeDefinition = "E110": "a definition read before it is defined",
    TypeMismatch = "E201": "operands of types that cannot be combined",
    CurrencyMismatch = "E202": "元 and 美元 mixed without conversion",
    CompareMismatch = "E203": "a comparison between values of different kinds",
    UnitMismatch = "E204": "quantities in different units combined",
    NotBoolean = "E205": "a condition that is not true or false",
    AwardNotMoney = "E206": "an award or cap that is not an amount in 元",
    BranchMismatch = "E207": "the branches of an if give different types",
    UnknownMode = "E301": "a fulfilment mode that does not exist",
    UnknownChannel = "E302": "a channel that does not exist",
    UnknownDepartment = "E303": "a department the platform does not list",
    MissingClause = "E304": "a policy without a required clause",
    DuplicateClause = "E305": "a clause given twice in one policy",
    ValidityReversed = "E306": "a validity window that ends before it starts",
    SharesTotal = "E307": "funding shares that do not add up to 100%",
    UnknownFunder = "E308": "a funder the platform does not list",
    NoApplicationReadsDeclared = "E309": "a 免申即享 policy that reads data other than authoritative government data",
    UnknownFrequency = "E310": "an award frequency that does not exist",
    UnknownStatus = "E311": "a catalog status that does not exist",
    UnknownRounding = "E312": "a rounding unit that does not exist",
    BadInstallments = "E313": "installment ratios that cannot be paid",
    ZeroTimeLimit = "E314": "a time limit of zero working days",
    GroupDisagrees = "E315": "policies of one 就高不重复 group that disagree on 升级补差",
    TiersOrder = "E401": "tiers out of order",
    TiersOverlap = "E402": "tiers whose bands overlap",
    TiersGap = "E403": "tiers with a gap between bands",
    TierBound = "E404": "a tier band that is open where it must be bounded",
    UnknownType = "E501": "a fact type that does not exist",
    MissingFactProp = "E502": "a fact without its type, provider or provenance",
    UnknownProvenance = "E503": "a provenance that does not exist",
    UnitForType = "E504": "a unit that does not fit the fact's type",
    DuplicateProp = "E505": "a property given twice",
    DuplicateVariant = "E506": "an enum variant listed twice",
    DefaultMismatch = "E507": "a default that is not a literal of the fact's type",
    PayerNotDepartment = "E601": "a payer that is not a listed department",
    PayerFallback = "E602": "payer rules without a final `否则` rule",
    PlatformMissing = "E603": "no platform file, or more than one",
    PlatformIncomplete = "E604": "a platform without a required part",
    Internal = "E900": "an internal error: huiqi broke one of its own rules, not a mistake in the text",
    CommitmentWithoutReview = "W001": "a 承诺兑现 policy that reads no review or inspection result",
    UnusedDefinition = "W002": "a definition that nothing reads",
    NoApplicationNeedsNoReview = "W003": "a review result read by a policy that is not 承诺兑现",
    MaterialsWithoutApplication = "W004": "application materials listed for a 免申即享 policy",
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The place.
    pub span: Span,
    /// What to say about it, printed under the place.
    pub label: String,
}

/// One mistake in a file: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable code (`E101`).
    pub code: Code,
    /// The one-line headline.
    pub message: String,
    /// The place the mistake is.
    pub span: Span,
    /// What to say at the place, printed under it.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places that explain the first (e.g. the first of two duplicates).
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// A diagnostic without help or notes.
    pub fn new(code: Code, span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), span, label: label.into(), help: None, notes: Vec::new() }
    }

    /// A broken invariant of the parser or checker, reported rather than masked by a default:
    /// `what` names the rule that broke. The text may be fine; the bug is huiqi's.
    pub(crate) fn internal(span: Span, what: &str) -> Self {
        Diagnostic::new(Code::Internal, span, format!("内部错误：{what}"), "处理到这里时出错")
            .help("这是 huiqi 自身的缺陷，不一定是文本的错误：请把这个文件报告给维护者")
    }

    /// With a help line saying how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// With one more place that explains the first.
    pub fn note(mut self, span: Span, label: impl Into<String>) -> Self {
        self.notes.push(Note { span, label: label.into() });
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

    /// Renders like rustc: header, `--> file:line:col`, the source line and carets, then help.
    pub fn render(&self, file: &str, text: &str, index: &LineIndex) -> String {
        let mut out = String::new();
        let severity = match self.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Writing into a String cannot fail.
        let _ = writeln!(out, "{severity}[{}]: {}", self.code, self.message);
        let at = index.line_col(text, self.span.start);
        let mut places = vec![(self.span, self.label.as_str(), '^')];
        places.extend(self.notes.iter().map(|n| (n.span, n.label.as_str(), '-')));
        // A gutter is at least one column wide (`places` is never empty: it holds the primary).
        let gutter =
            places.iter().map(|(s, _, _)| (index.line_of(s.start) + 1).to_string().len()).fold(1, usize::max);
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {file}:{}:{}", at.line, at.column);
        let _ = writeln!(out, "{pad} |");
        // Marks on one line share one printing of that line.
        let mut printed_line = None;
        for (span, label, mark) in places {
            let line = index.line_of(span.start);
            let line_text = index.line_text(text, line);
            let start = index.line_start(line);
            // A span may end inside a character: an invalid UTF-8 byte became a 3-byte `�`.
            let from = floor_char_boundary(line_text, span.start.saturating_sub(start));
            let to = floor_char_boundary(line_text, span.end.saturating_sub(start)).max(from);
            debug_assert!(line_text.is_char_boundary(from) && line_text.is_char_boundary(to));
            // PANIC SAFETY: both offsets are floored onto char boundaries within `line_text`, and
            // `from <= to`.
            #[allow(clippy::indexing_slicing)]
            let (before, marked) = (&line_text[..from], &line_text[from..to]);
            let indent = before.replace('\t', "    ").width();
            let carets = marked.width().max(1);
            if printed_line != Some(line) {
                let _ = writeln!(out, "{:>gutter$} | {}", line + 1, line_text.replace('\t', "    "));
                printed_line = Some(line);
            }
            let _ =
                writeln!(out, "{pad} | {}{} {}", " ".repeat(indent), mark.to_string().repeat(carets), label);
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} |\n{pad} = help: {help}");
        }
        out
    }

    /// One JSON object with the file, the position as line and column, and every field.
    pub fn to_json(&self, file: &str, text: &str, index: &LineIndex) -> serde_json::Value {
        let start = index.line_col(text, self.span.start);
        let end = index.line_col(text, self.span.end);
        serde_json::json!({
            "file": file,
            "code": self.code.as_str(),
            "severity": self.severity(),
            "message": self.message,
            "line": start.line,
            "column": start.column,
            "end_line": end.line,
            "end_column": end.column,
            "label": self.label,
            "help": self.help,
            "notes": self.notes.iter().map(|n| {
                let at = index.line_col(text, n.span.start);
                serde_json::json!({"line": at.line, "column": at.column, "label": n.label})
            }).collect::<Vec<_>>(),
        })
    }
}
