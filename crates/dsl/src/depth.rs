//! Bounds nesting before the parser sees the text, so no input can exhaust the stack.
//!
//! Brackets of every kind and `如果`/`if` (closed by `否则`/`else`) count as one level each. An
//! opener past [`MAX_DEPTH`] is blanked out (its bytes become spaces, so every offset stays put)
//! and reported once per run of too-deep text.

use crate::ast::{ClauseKind, Expr, ExprKind, Item, PlatformPropKind, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::message::SyntaxMsg;
use crate::span::Span;

/// Deeper than any real policy needs; shallow enough for pest's recursion on a 2 MiB stack.
pub const MAX_DEPTH: usize = 32;

pub struct Cut {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// `None` when the text nests no deeper than [`MAX_DEPTH`].
pub fn limit(text: &str) -> Option<Cut> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut reported_until = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        debug_assert!(text.is_char_boundary(i), "depth scan stepped into a character at {i}");
        // PANIC SAFETY: `i < text.len()` (a byte is there) and every step below moves `i` by whole
        // characters or by whole matched words, so it is a char boundary.
        #[allow(clippy::indexing_slicing)]
        let rest = &text[i..];
        if b == b'"' || rest.starts_with('“') {
            // Strings end at their quote or the end of the line.
            let close = if b == b'"' { '"' } else { '”' };
            // PANIC SAFETY: `rest` starts with the opening quote, `close_len(b)` bytes long.
            #[allow(clippy::indexing_slicing)]
            let body = &rest[close_len(b)..];
            // Past the closing quote or the line break, whole, so `i` stays on a char boundary.
            let end = body
                .char_indices()
                .find(|&(_, c)| c == close || c == '\n')
                .map_or(body.len(), |(e, c)| e + c.len_utf8());
            i += close_len(b) + end.max(1);
            continue;
        }
        if b == b'#' {
            i += rest.find('\n').unwrap_or(rest.len()).max(1);
            continue;
        }
        // Only a few first bytes can begin a bracket or `如果`/`否则`/`if`/`else`; skip the rest fast.
        if !matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'i' | b'e' | 0xEF | 0xE5 | 0xE3) {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        // Full-width brackets are read as brackets too (an input-method slip, E008).
        let opener = ["(", "（", "[", "［", "【", "{", "｛", "如果", "if"]
            .iter()
            .find(|o| starts_word(rest, o, text, i));
        let closer = [")", "）", "]", "］", "】", "}", "｝", "否则", "else"]
            .iter()
            .find(|o| starts_word(rest, o, text, i));
        if let Some(o) = opener {
            if depth >= MAX_DEPTH {
                blank.push((i, i + o.len()));
                if i >= reported_until {
                    diagnostics.push(Diagnostic::new(
                        Span::new(i, i + o.len()),
                        SyntaxMsg::NestedTooDeep { max: MAX_DEPTH },
                    ));
                    // One report per line: finding the line's end once keeps this linear.
                    reported_until = text.get(i..).and_then(|r| r.find('\n')).map_or(text.len(), |e| i + e);
                }
            } else {
                depth += 1;
            }
            i += o.len();
            continue;
        }
        if let Some(c) = closer {
            depth = depth.saturating_sub(1);
            i += c.len();
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if blank.is_empty() {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    for (s, e) in blank {
        if let Some(region) = out.get_mut(s..e) {
            region.fill(b' ');
        }
    }
    // Only whole characters were replaced by ASCII spaces, so the text is still UTF-8; if not,
    // say so rather than parse an empty file.
    let text = match String::from_utf8(out) {
        Ok(text) => text,
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            diagnostics.push(Diagnostic::internal(Span::new(at, at), "截断过深嵌套后文本不再是 UTF-8"));
            String::from_utf8_lossy(error.as_bytes()).into_owned()
        }
    };
    Some(Cut { text, diagnostics })
}

fn close_len(b: u8) -> usize {
    if b == b'"' {
        1
    } else {
        '“'.len_utf8()
    }
}

/// Whether `rest` starts with `word`; a keyword must not run into a longer name.
fn starts_word(rest: &str, word: &str, text: &str, at: usize) -> bool {
    if !rest.starts_with(word) {
        return false;
    }
    if word.chars().all(|c| !c.is_alphanumeric()) {
        return true;
    }
    let before_ok = text.get(..at).and_then(|b| b.chars().last()).is_none_or(|c| !is_ident_char(c));
    let after_ok = rest.get(word.len()..).and_then(|a| a.chars().next()).is_none_or(|c| !is_ident_char(c));
    before_ok && after_ok
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '·'
}

/// How deep an expression tree may be. A chain `a + b + … ` nests one level per operator, so
/// text-level bracket counting does not bound it; this does, for every pass after parsing.
pub const MAX_TREE_DEPTH: usize = 160;

/// Replaces every expression deeper than [`MAX_TREE_DEPTH`] with a placeholder, with a diagnostic.
pub fn limit_tree(file: &mut SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for root in roots_mut(file) {
        if tree_depth(root) > MAX_TREE_DEPTH {
            let span = root.span;
            out.push(Diagnostic::new(span, SyntaxMsg::TreeTooDeep { max: MAX_TREE_DEPTH }));
            let old = std::mem::replace(root, Expr { kind: ExprKind::Bool(false), span });
            drop_expr(old);
        }
    }
    out
}

fn roots_mut(file: &mut SourceFile) -> Vec<&mut Expr> {
    let mut roots = Vec::new();
    for item in &mut file.items {
        match item {
            Item::Policy(p) => {
                for clause in &mut p.clauses {
                    match &mut clause.kind {
                        ClauseKind::Let { value, .. }
                        | ClauseKind::Award(value)
                        | ClauseKind::Cap { value, .. } => roots.push(value),
                        ClauseKind::Conditions(cs) => roots.extend(cs.iter_mut().map(|c| &mut c.expr)),
                        _ => {}
                    }
                }
            }
            Item::Platform(p) => {
                for prop in &mut p.props {
                    match &mut prop.kind {
                        PlatformPropKind::Payers(rules) => {
                            roots.extend(rules.iter_mut().filter_map(|r| r.when.as_mut()))
                        }
                        PlatformPropKind::Vetoes(vs) => roots.extend(vs.iter_mut().map(|v| &mut v.expr)),
                        _ => {}
                    }
                }
            }
            Item::Fact(_) => {}
        }
    }
    roots
}

fn children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Neg(x) | ExprKind::Not(x) => vec![x],
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Compare { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::In { value, options } => std::iter::once(&**value).chain(options).collect(),
        ExprKind::If { cond, then, otherwise } => vec![cond, then, otherwise],
        ExprKind::Tiers(t) => std::iter::once(&*t.base).chain(t.rows.iter().map(|r| &r.value)).collect(),
        _ => Vec::new(),
    }
}

/// The depth of a tree, without recursion.
pub fn tree_depth(expr: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(expr, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

/// Drops a tree without recursion: each node goes only once its children are on the stack.
pub fn drop_expr(expr: Expr) {
    let mut stack = vec![expr];
    while let Some(mut e) = stack.pop() {
        match std::mem::replace(&mut e.kind, ExprKind::Bool(false)) {
            ExprKind::Call { args, .. } => stack.extend(args),
            ExprKind::Neg(x) | ExprKind::Not(x) => stack.push(*x),
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Compare { lhs, rhs, .. } => {
                stack.extend([*lhs, *rhs])
            }
            ExprKind::In { value, options } => {
                stack.push(*value);
                stack.extend(options);
            }
            ExprKind::If { cond, then, otherwise } => stack.extend([*cond, *then, *otherwise]),
            ExprKind::Tiers(t) => {
                stack.push(*t.base);
                stack.extend(t.rows.into_iter().map(|r| r.value));
            }
            _ => {}
        }
    }
}
