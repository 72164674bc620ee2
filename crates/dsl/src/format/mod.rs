//! The formatter: one canonical layout for policy, fact-schema and platform files.
//!
//! Two-space indentation; one clause, condition, tier row or property per line (an `if` at the
//! top of a line breaks before each `否则` when it is an else-if chain, and before `那么` and
//! `否则` when it would run past 100 columns); a blank line between top-level items and at most
//! one between the lines of a block where the source had any; keywords in the file's language;
//! ASCII punctuation and quotes; parentheses only where the grammar needs them (and around an
//! `if` that is the condition or `那么` branch of another, or a tier row's amount); every `#`
//! comment kept, on its own line or at the end of the line it ended in the source. A file with
//! errors is never formatted.
//!
//! ```
//! let text = "政策 gx-01 “入规” {奖励 5万元   # 一次性\r\n}";
//! let formatted = huiqi_dsl::format_source(text).unwrap_or_default();
//! assert_eq!(formatted, "政策 gx-01 \"入规\" {\n  奖励 5万元  # 一次性\n}\n");
//! ```

mod comments;
mod expr;
mod items;
mod printer;
mod words;

use crate::ast::SourceFile;
use crate::diagnostic::Diagnostic;
use printer::Printer;

/// The canonical text of a tree. A tree has no comments, so the text has none either.
pub fn print(file: &SourceFile) -> String {
    let mut printer = Printer::new(file.lang, None);
    printer.file(file);
    printer.finish()
}

/// Formats a file, keeping its comments. A file that does not parse cleanly is returned as its
/// diagnostics, untouched: formatting what the parser had to skip would drop the author's text.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    // Trees are at most `depth::MAX_TREE_DEPTH` deep after parsing, so printing and dropping
    // them recurses only that far.
    let crate::Parsed { file, diagnostics } = crate::parse(text);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let mut printer = Printer::new(file.lang, Some(text));
    printer.file(&file);
    let formatted = printer.finish();
    debug_assert_eq!(comments::texts(text), comments::texts(&formatted), "a comment was lost or duplicated");
    Ok(formatted)
}

/// The comment texts of a file, sorted: formatting keeps this multiset unchanged.
pub fn comment_texts(text: &str) -> Vec<String> {
    comments::texts(text)
}
