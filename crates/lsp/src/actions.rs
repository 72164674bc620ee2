//! Edits the server proposes: quick fixes from the checker's suggestions, and formatting.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};

use crate::diagnostics::{replacements, to_lsp};
use crate::workspace::Doc;

/// A quick fix for each suggestion of a diagnostic of this file that touches `range`: the
/// current diagnostics, so a fix is never built on a stale one the client still holds.
pub fn quick_fixes(doc: &Doc<'_>, range: Range) -> Vec<CodeActionOrCommand> {
    let wanted = doc.lines.span(doc.text, range);
    let mut out = Vec::new();
    let mine =
        doc.library.sources.diagnostics(&doc.library.checked).into_iter().filter(|d| d.file.0 == doc.file);
    for d in mine {
        let d = &d.diagnostic;
        if d.span.end < wanted.start || wanted.end < d.span.start {
            continue;
        }
        let fixes = replacements(d, doc.text);
        let preferred = fixes.len() == 1;
        for replacement in fixes {
            let edit = TextEdit::new(doc.lines.range(doc.text, d.span), replacement.clone());
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("改为 `{replacement}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(d, doc.uri, doc.text, doc.lines)]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(doc.uri.clone(), vec![edit])]))),
                is_preferred: Some(preferred),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// The edits that format the file; `None` when it has syntax errors (the formatter never
/// formats what it could not read; the diagnostics already say why).
pub fn format(doc: &Doc<'_>) -> Option<Vec<TextEdit>> {
    let formatted = huiqi_dsl::format_source(doc.text).ok()?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let whole = Range::new(doc.lines.position(doc.text, 0), doc.lines.position(doc.text, doc.text.len()));
    Some(vec![TextEdit::new(whole, formatted)])
}
