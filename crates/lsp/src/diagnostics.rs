//! The dsl's diagnostics as LSP diagnostics: the same code, message and help, the notes as
//! related places, and the "did you mean" replacements in `data` for the quick fixes.

use std::sync::OnceLock;

use huiqi_dsl::suggest::closest;
use huiqi_dsl::{Diagnostic, Locale, Severity};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString, Url,
};
use serde::{Deserialize, Serialize};

use crate::position::Lines;

/// What a published diagnostic carries for its quick fixes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    /// Texts that may replace the diagnostic's range, best first.
    pub replacements: Vec<String>,
}

/// The language of the diagnostics: set once when the client starts the session.
static LOCALE: OnceLock<Locale> = OnceLock::new();

/// Speaks `locale` for the rest of the process (a later call changes nothing: one client per
/// `huiqi lsp`).
pub fn set_locale(locale: Locale) {
    let _ = LOCALE.set(locale);
}

/// The session's language: Chinese unless the client or `HUIQI_LANG` asked for English.
pub fn locale() -> Locale {
    LOCALE.get().copied().unwrap_or_default()
}

/// One diagnostic of the file at `uri`, whose text is `text`.
pub fn to_lsp(d: &Diagnostic, uri: &Url, text: &str, lines: &Lines) -> lsp_types::Diagnostic {
    let texts = d.texts(locale());
    let mut message = texts.message.clone();
    // The label says what is wrong at the place; the help how to fix it. Both are worth reading
    // in an editor, which shows the message alone.
    for extra in [Some(&texts.label), texts.help.as_ref()].into_iter().flatten() {
        if !extra.is_empty() && *extra != texts.message {
            message.push('\n');
            message.push_str(extra);
        }
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .notes
        .iter()
        .map(|n| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), lines.range(text, n.span)),
            message: n.label.text(locale()),
        })
        .collect();
    let replacements = replacements(d, text);
    lsp_types::Diagnostic {
        range: lines.range(text, d.span),
        severity: Some(match d.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("huiqi".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // An unused definition is greyed out, as editors do for unused code.
        tags: (d.code == huiqi_dsl::Code::UnusedDefinition).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: (!replacements.is_empty())
            .then(|| serde_json::to_value(FixData { replacements }).ok())
            .flatten(),
    }
}

/// The texts that could replace what a diagnostic points at: each name its help quotes in
/// backticks that the one suggestion rule (`suggest::closest`) finds close to the written text.
/// Read from the help rather than matched on its wording, so it holds in either language and
/// for every check that suggests; a list of allowed values gives a fix only for a near one.
pub fn replacements(d: &Diagnostic, text: &str) -> Vec<String> {
    let Some(help) = d.texts(locale()).help else { return Vec::new() };
    let Some(written) = text.get(d.span.start..d.span.end) else { return Vec::new() };
    // A text literal is written with its quotes; its suggestion is the text inside them.
    let (inner, quotes) = unquote(written);
    let mut out: Vec<String> = Vec::new();
    for candidate in help.split('`').skip(1).step_by(2) {
        if candidate.is_empty() || closest(inner, [candidate]) != Some(candidate) {
            continue;
        }
        let replacement = match quotes {
            Some((open, close)) => format!("{open}{candidate}{close}"),
            None => candidate.to_string(),
        };
        if !out.contains(&replacement) {
            out.push(replacement);
        }
    }
    out
}

fn unquote(written: &str) -> (&str, Option<(char, char)>) {
    for (open, close) in [('"', '"'), ('“', '”')] {
        if let Some(inner) = written.strip_prefix(open).and_then(|s| s.strip_suffix(close)) {
            return (inner, Some((open, close)));
        }
    }
    (written, None)
}

#[cfg(test)]
mod tests {
    use huiqi_dsl::message::{ExprMsg, NameHint, NoteLabel};
    use huiqi_dsl::Span;

    use super::*;

    fn unknown(name: &str, close: &str, span: Span) -> Diagnostic {
        Diagnostic::new(span, ExprMsg::UnknownName { name: name.into(), hint: NameHint::Name(close.into()) })
    }

    #[test]
    fn a_suggestion_in_the_help_is_a_replacement() {
        let text = "奖励 营业收 + 1";
        assert_eq!(
            replacements(&unknown("营业收", "营业收入", Span::new(7, 16)), text),
            vec!["营业收入".to_string()]
        );
        // A far name in the help is no fix.
        assert!(replacements(&unknown("营业收", "从业人数", Span::new(7, 16)), text).is_empty());
    }

    #[test]
    fn a_text_keeps_its_quotes() {
        let text = "注册区县 为 \"章贡\"";
        let start = text.find('"').unwrap_or(0);
        let d = Diagnostic::new(
            Span::new(start, text.len()),
            ExprMsg::UnknownVariant {
                text: "章贡".into(),
                variants: vec!["章贡区".into()],
                suggestion: Some("章贡区".into()),
            },
        );
        assert_eq!(replacements(&d, text), vec!["\"章贡区\"".to_string()]);
    }

    #[test]
    fn the_message_carries_label_help_and_code() {
        let text = "奖励 营业收 + 1";
        let uri = Url::parse("file:///a.hq").unwrap_or_else(|_| unreachable!());
        let lines = Lines::new(text, crate::position::Encoding::Utf16);
        let d = unknown("营业收", "营业收入", Span::new(7, 16)).note(Span::new(0, 6), NoteLabel::FirstUsed);
        let l = to_lsp(&d, &uri, text, &lines);
        let texts = d.texts(locale());
        let help = texts.help.clone().unwrap_or_default();
        assert_eq!(l.message, format!("{}\n{}\n{help}", texts.message, texts.label));
        assert!(help.contains("`营业收入`"), "{help}");
        assert_eq!(l.code, Some(NumberOrString::String("E101".into())));
        assert_eq!(
            l.range,
            lsp_types::Range::new(lsp_types::Position::new(0, 3), lsp_types::Position::new(0, 6))
        );
        assert_eq!(l.related_information.map(|r| r.len()), Some(1));
        let data: Option<FixData> = l.data.and_then(|d| serde_json::from_value(d).ok());
        assert_eq!(data.map(|d| d.replacements), Some(vec!["营业收入".to_string()]));
    }
}
