//! The huiqi policy language: parse policy, fact-schema and platform files into a syntax tree
//! with spans, and report every mistake with a stable code, a location and a help line.
//!
//! ```
//! let text = "政策 gx-01 \"入规上户奖励\" {\n  奖励 5万元\n}\n";
//! let parsed = huiqi_dsl::parse(text);
//! assert!(parsed.diagnostics.is_empty());
//! let huiqi_dsl::ast::Item::Policy(policy) = &parsed.file.items[0] else { unreachable!() };
//! assert_eq!(policy.id.text, "gx-01");
//! ```

#![warn(missing_docs)]

pub mod ast;
pub mod check;
mod depth;
pub mod diagnostic;
pub mod format;
pub mod index;
pub mod message;
mod parse;
mod slips;
pub mod source;
pub mod span;
pub mod suggest;

pub use diagnostic::{Code, Diagnostic, Severity, Style};
pub use format::{format_source, print};
pub use message::{Locale, Message};
pub use parse::{parse, Parsed};
pub use span::{LineIndex, Span};
