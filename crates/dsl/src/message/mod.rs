//! What diagnostics say, in Chinese (the default) and in English.
//!
//! Every kind of mistake is one typed variant, and its texts in both languages are written side
//! by side in one `match` on `(variant, locale)`, so the compiler refuses a message missing either
//! language and a code can never say different things in the two. A [`Diagnostic`] keeps the typed
//! message with its code and spans, and is put into words only when shown.
//!
//! [`Diagnostic`]: crate::Diagnostic

mod dates;
mod expr;
mod funding;
mod item;
mod library;
mod platform;
mod policy;
mod schema;
mod syntax;
mod tiers;

pub use dates::DateMsg;
pub use expr::{Arity, ExprMsg, NameHint, Op, Why};
pub use funding::FundingMsg;
pub use item::ItemMsg;
pub use library::LibraryMsg;
pub use platform::PlatformMsg;
pub use policy::{AwardPart, Choice, Clash, PolicyMsg};
pub use schema::{SchemaMsg, UnitWhy};
pub use syntax::{Construct, Expected, SyntaxMsg};
pub use tiers::TierMsg;

use crate::check::types::Ty;
use crate::diagnostic::Code;

/// The language diagnostics are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// 中文: for the department staff who write policies.
    #[default]
    Zh,
    /// English.
    En,
}

impl Locale {
    /// `zh` or `en`, with or without a region (`zh-CN`, `en_US`), any case; `None` otherwise.
    pub fn parse(text: &str) -> Option<Locale> {
        let lang = text.trim().split(['-', '_', '.']).next().unwrap_or_default().to_ascii_lowercase();
        match lang.as_str() {
            "zh" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The locale an HTTP `Accept-Language` header prefers most among Chinese and English
    /// (`en-US,en;q=0.9,zh;q=0.8` is English); `None` when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, usize, Locale)> = None;
        for (i, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::parse) else { continue };
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // Higher quality wins; at equal quality the one written first.
            let better = best.is_none_or(|(bq, _, _)| q > bq);
            if q > 0.0 && better {
                best = Some((q, i, locale));
            }
        }
        best.map(|(_, _, l)| l)
    }

    /// `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }
}

/// A diagnostic put into words: the headline, the label under the place, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    /// The one-line headline.
    pub message: String,
    /// What to say at the place, printed under it.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Texts with a help line.
fn say(message: impl Into<String>, label: impl Into<String>, help: impl Into<String>) -> Texts {
    Texts { message: message.into(), label: label.into(), help: Some(help.into()) }
}

/// What a diagnostic says, by area of the language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Reading the text: grammar, strings, numbers, dates, nesting, input-method slips.
    Syntax(SyntaxMsg),
    /// Names and types in expressions.
    Expr(ExprMsg),
    /// One policy's clauses.
    Policy(PolicyMsg),
    /// The fact schema.
    Schema(SchemaMsg),
    /// The platform file.
    Platform(PlatformMsg),
    /// Tier tables.
    Tiers(TierMsg),
    /// The form of `分担`: fixed amounts and `其余`.
    Funding(FundingMsg),
    /// Dates and periods.
    Dates(DateMsg),
    /// `标的`: per-item awards.
    Item(ItemMsg),
    /// The library as a whole: duplicates across files, the one platform, groups.
    Library(LibraryMsg),
    /// huiqi broke one of its own rules; the text names the rule, for its maintainers.
    Internal(String),
}

impl Message {
    /// The stable code of this kind of mistake: the same in every language.
    pub fn code(&self) -> Code {
        match self {
            Message::Syntax(m) => m.code(),
            Message::Expr(m) => m.code(),
            Message::Policy(m) => m.code(),
            Message::Schema(m) => m.code(),
            Message::Platform(m) => m.code(),
            Message::Tiers(m) => m.code(),
            Message::Funding(m) => m.code(),
            Message::Dates(m) => m.code(),
            Message::Item(m) => m.code(),
            Message::Library(m) => m.code(),
            Message::Internal(_) => Code::Internal,
        }
    }

    /// The message in words.
    pub fn texts(&self, locale: Locale) -> Texts {
        match self {
            Message::Syntax(m) => m.texts(locale),
            Message::Expr(m) => m.texts(locale),
            Message::Policy(m) => m.texts(locale),
            Message::Schema(m) => m.texts(locale),
            Message::Platform(m) => m.texts(locale),
            Message::Tiers(m) => m.texts(locale),
            Message::Funding(m) => m.texts(locale),
            Message::Dates(m) => m.texts(locale),
            Message::Item(m) => m.texts(locale),
            Message::Library(m) => m.texts(locale),
            Message::Internal(what) => match locale {
                Locale::Zh => say(
                    format!("内部错误：{what}"),
                    "处理到这里时出错",
                    "这是 huiqi 自身的缺陷，不一定是文本的错误：请把这个文件报告给维护者",
                ),
                Locale::En => say(
                    format!("internal error: {what}"),
                    "went wrong here",
                    "this is a bug in huiqi, not necessarily a mistake in the text: please report the file to its maintainers",
                ),
            },
        }
    }
}

macro_rules! from_area {
    ($($area:ident($ty:ty)),*) => {$(
        impl From<$ty> for Message {
            fn from(m: $ty) -> Message {
                Message::$area(m)
            }
        }
    )*};
}
from_area!(
    Syntax(SyntaxMsg),
    Expr(ExprMsg),
    Policy(PolicyMsg),
    Schema(SchemaMsg),
    Platform(PlatformMsg),
    Tiers(TierMsg),
    Funding(FundingMsg),
    Dates(DateMsg),
    Item(ItemMsg),
    Library(LibraryMsg)
);

/// What to say at a second place that explains the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteLabel {
    /// The first of two of the same.
    FirstGiven,
    /// The first use of a label.
    FirstUsed,
    /// The first listing of a veto.
    FirstListed,
    /// Where a validity window starts.
    Starts,
    /// Where the policy's mode is set.
    ModeSet,
    /// A value of this type.
    ThisIs(Ty),
    /// The base of a tier table, of this type.
    BaseIs(Ty),
    /// Where the band above starts.
    BandAboveStarts,
    /// Where the band above ends.
    BandAboveEnds,
    /// One more input-method slip of the same line or bracket pair.
    SlipToo,
}

impl NoteLabel {
    /// The label in words.
    pub fn text(&self, locale: Locale) -> String {
        use Locale::{En, Zh};
        use NoteLabel::*;
        match (self, locale) {
            (FirstGiven, Zh) => "第一次写在这里".into(),
            (FirstGiven, En) => "first given here".into(),
            (FirstUsed, Zh) => "第一次用在这里".into(),
            (FirstUsed, En) => "first used here".into(),
            (FirstListed, Zh) => "第一次列在这里".into(),
            (FirstListed, En) => "first listed here".into(),
            (Starts, Zh) => "从这里开始".into(),
            (Starts, En) => "starts here".into(),
            (ModeSet, Zh) => "兑现方式在这里设定".into(),
            (ModeSet, En) => "the mode is set here".into(),
            (ThisIs(ty), Zh) => format!("这是{}", ty.name(Zh)),
            (ThisIs(ty), En) => format!("this is {}", ty.name(En)),
            (BaseIs(ty), Zh) => format!("分档依据是{}", ty.name(Zh)),
            (BaseIs(ty), En) => format!("the base is {}", ty.name(En)),
            (BandAboveStarts, Zh) => "上一档从这里开始".into(),
            (BandAboveStarts, En) => "the band above starts here".into(),
            (BandAboveEnds, Zh) => "上一档到这里结束".into(),
            (BandAboveEnds, En) => "the band above ends here".into(),
            (SlipToo, Zh) => "这里也是".into(),
            (SlipToo, En) => "here too".into(),
        }
    }
}

/// "Did you mean": the help line for a close name found by [`crate::suggest::closest`].
pub(crate) fn did_you_mean(locale: Locale, word: &str) -> String {
    match locale {
        Locale::Zh => format!("您是否想写 `{word}`？"),
        Locale::En => format!("did you mean `{word}`?"),
    }
}

/// A short list for help text: `a`、`b` 或 `c` / `a`, `b` or `c`.
pub(crate) fn one_of(locale: Locale, options: &[impl AsRef<str>]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("`{}`", o.as_ref())).collect();
    let (sep, or) = match locale {
        Locale::Zh => ("、", " 或 "),
        Locale::En => (", ", " or "),
    };
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{}{or}{last}", init.join(sep)),
    }
}

/// A plain list: `a、b、c` / `a, b, c`.
pub(crate) fn listed(locale: Locale, items: &[impl AsRef<str>]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(match locale {
        Locale::Zh => "、",
        Locale::En => ", ",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_read_from_names_and_headers() {
        assert_eq!(Locale::parse("en"), Some(Locale::En));
        assert_eq!(Locale::parse("zh-CN"), Some(Locale::Zh));
        assert_eq!(Locale::parse("EN_us.UTF-8"), Some(Locale::En));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9,zh;q=0.8"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Some(Locale::Zh));
        assert_eq!(Locale::from_accept_language("fr, en;q=0.5, zh;q=0.7"), Some(Locale::Zh));
        assert_eq!(Locale::from_accept_language("en;q=0"), None);
        assert_eq!(Locale::from_accept_language("*"), None);
    }

    #[test]
    fn lists_are_worded_per_language() {
        assert_eq!(one_of(Locale::Zh, &["a", "b", "c"]), "`a`、`b` 或 `c`");
        assert_eq!(one_of(Locale::En, &["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(one_of(Locale::En, &["a"]), "`a`");
        assert_eq!(one_of(Locale::En, &[] as &[&str]), "");
        assert_eq!(did_you_mean(Locale::Zh, "奖励"), "您是否想写 `奖励`？");
    }
}
