//! Where each name of a file is written: every fact, definition, condition label, department and
//! funder, at each place it is declared or read. Editors use it to go to a definition, find
//! references and rename; it reads the tree only, so a file with mistakes is indexed as far as
//! it parsed.
//!
//! ```
//! use huiqi_dsl::index::{occurrences, SymbolKind};
//! let text = "政策 a-1 \"示例\" {\n  设 额 = 营业收入[上年]\n  奖励 额\n}\n";
//! let parsed = huiqi_dsl::parse(text);
//! let found = occurrences(text, &parsed.file);
//! let fact = found.iter().find(|o| o.kind == SymbolKind::Fact).unwrap();
//! assert_eq!(&text[fact.span.start..fact.span.end], "营业收入");
//! let reads: Vec<_> = found.iter().filter(|o| o.kind == SymbolKind::Definition && !o.declaration).collect();
//! assert_eq!(reads.len(), 1);
//! ```

use std::collections::HashMap;

use crate::ast::{
    ClauseKind, Expr, ExprKind, FactPropKind, Item, Platform, PlatformPropKind, Policy, SourceFile,
};
use crate::check::BUILTINS;
use crate::span::Span;

/// What a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A fact of the schema (`事实`), declared in one file and read anywhere in the library.
    Fact,
    /// A policy's `设` definition, seen only inside its policy.
    Definition,
    /// A condition label (or a platform's joint-review veto), seen only inside its block.
    Label,
    /// A department the platform lists (`部门`), named by policies, facts and payer rules.
    Department,
    /// A funder the platform lists (`出资方`), named by policies' `分担`.
    Funder,
    /// A built-in name (`评估年度`).
    Builtin,
    /// A built-in function (`最大`).
    Function,
}

/// One place a name is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// What the name stands for.
    pub kind: SymbolKind,
    /// The name as written.
    pub name: String,
    /// The name itself (for a read of `出口额[上年]`, only `出口额`).
    pub span: Span,
    /// Whether this is where the name is declared rather than read.
    pub declaration: bool,
    /// For a definition or label: the block it is visible in (the policy's or platform's span);
    /// other names are seen library-wide.
    pub scope: Option<Span>,
}

impl Occurrence {
    /// Whether `offset` falls on the name (its end included, where a cursor stands after typing).
    pub fn contains(&self, offset: usize) -> bool {
        self.span.start <= offset && offset <= self.span.end
    }

    /// Whether `other` names the same thing: same kind and name, and for block-local names the
    /// same block.
    pub fn same_symbol(&self, other: &Occurrence) -> bool {
        self.kind == other.kind && self.name == other.name && self.scope == other.scope
    }
}

/// Every name written in `file` (parsed from `text`), in text order.
pub fn occurrences(text: &str, file: &SourceFile) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            Item::Policy(policy) => policy_names(text, policy, &mut out),
            Item::Fact(decl) => {
                out.push(global(SymbolKind::Fact, &decl.name.text, decl.name.span, true));
                for prop in &decl.props {
                    match &prop.kind {
                        FactPropKind::Provider(w) => {
                            out.push(global(SymbolKind::Department, &w.text, w.span, false));
                        }
                        FactPropKind::Default(e) => {
                            Walker { text, locals: &HashMap::new(), scope: None, out: &mut out }.expr(e);
                        }
                        _ => {}
                    }
                }
            }
            Item::Platform(platform) => platform_names(text, platform, &mut out),
        }
    }
    out.sort_by_key(|o| (o.span.start, o.span.end));
    out
}

fn global(kind: SymbolKind, name: &str, span: Span, declaration: bool) -> Occurrence {
    Occurrence { kind, name: name.to_string(), span, declaration, scope: None }
}

fn policy_names(text: &str, policy: &Policy, out: &mut Vec<Occurrence>) {
    let scope = Some(policy.span);
    // The checker sees a policy's definitions and labels wherever they are written (reading one
    // too early is its own mistake), so every read resolves against all of them.
    let mut locals: HashMap<&str, SymbolKind> = HashMap::new();
    for clause in &policy.clauses {
        match &clause.kind {
            ClauseKind::Let { name, .. } => {
                locals.entry(name.text.as_str()).or_insert(SymbolKind::Definition);
            }
            ClauseKind::Conditions(conditions) => {
                for c in conditions {
                    locals.entry(c.label.text.as_str()).or_insert(SymbolKind::Label);
                }
            }
            _ => {}
        }
    }
    let mut walker = Walker { text, locals: &locals, scope, out };
    for clause in &policy.clauses {
        match &clause.kind {
            ClauseKind::Department(w) => {
                walker.out.push(global(SymbolKind::Department, &w.text, w.span, false));
            }
            ClauseKind::Shares(shares) => {
                for s in shares {
                    walker.out.push(global(SymbolKind::Funder, &s.funder.text, s.funder.span, false));
                }
            }
            ClauseKind::Let { name, value } => {
                walker.declare(SymbolKind::Definition, &name.text, name.span);
                walker.expr(value);
            }
            ClauseKind::Conditions(conditions) => {
                for c in conditions {
                    walker.declare(SymbolKind::Label, &c.label.text, c.label.span);
                    walker.expr(&c.expr);
                }
            }
            ClauseKind::Award(e) | ClauseKind::Cap { value: e, .. } => walker.expr(e),
            // `标的` names a fact: a rename of the fact renames it here too.
            ClauseKind::Item { fact, .. } => {
                walker.out.push(global(SymbolKind::Fact, &fact.text, fact.span, false))
            }
            ClauseKind::Installments { when, later, .. } => {
                when.iter().for_each(|e| walker.expr(e));
                // A later installment's lines are read only when it falls due: their labels are
                // not names other lines read, so only what they read is indexed.
                later.iter().for_each(|c| walker.expr(&c.expr));
            }
            _ => {}
        }
    }
}

fn platform_names(text: &str, platform: &Platform, out: &mut Vec<Occurrence>) {
    let locals = HashMap::new();
    let mut walker = Walker { text, locals: &locals, scope: Some(platform.span), out };
    for prop in &platform.props {
        match &prop.kind {
            PlatformPropKind::Departments(words) => {
                for w in words {
                    walker.out.push(global(SymbolKind::Department, &w.text, w.span, true));
                }
            }
            PlatformPropKind::Funders(words) => {
                for w in words {
                    walker.out.push(global(SymbolKind::Funder, &w.text, w.span, true));
                }
            }
            PlatformPropKind::Payers(rules) => {
                for rule in rules {
                    walker.out.push(global(SymbolKind::Department, &rule.payer.text, rule.payer.span, false));
                    if let Some(when) = &rule.when {
                        walker.expr(when);
                    }
                }
            }
            PlatformPropKind::Vetoes(vetoes) => {
                for veto in vetoes {
                    walker.declare(SymbolKind::Label, &veto.label.text, veto.label.span);
                    walker.expr(&veto.expr);
                }
            }
            PlatformPropKind::PayoutLimit(_) => {}
        }
    }
}

struct Walker<'a, 'o> {
    text: &'a str,
    locals: &'a HashMap<&'a str, SymbolKind>,
    scope: Option<Span>,
    out: &'o mut Vec<Occurrence>,
}

impl Walker<'_, '_> {
    fn declare(&mut self, kind: SymbolKind, name: &str, span: Span) {
        self.out.push(Occurrence {
            kind,
            name: name.to_string(),
            span,
            declaration: true,
            scope: self.scope,
        });
    }

    /// Trees are at most `depth::MAX_TREE_DEPTH` deep after parsing, so this recursion is bounded.
    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name { name, .. } => {
                let span = name_span(self.text, expr.span, name);
                let (kind, scope) = match self.locals.get(name.as_str()) {
                    Some(kind) => (*kind, self.scope),
                    None if BUILTINS.iter().any(|(zh, en)| zh == name || en == name) => {
                        (SymbolKind::Builtin, None)
                    }
                    None => (SymbolKind::Fact, None),
                };
                self.out.push(Occurrence { kind, name: name.clone(), span, declaration: false, scope });
            }
            ExprKind::Call { func, args } => {
                self.out.push(global(SymbolKind::Function, &func.text, func.span, false));
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Neg(inner) | ExprKind::Not(inner) => self.expr(inner),
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Compare { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::In { value, options } => {
                self.expr(value);
                options.iter().for_each(|o| self.expr(o));
            }
            ExprKind::If { cond, then, otherwise } => {
                self.expr(cond);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::Tiers(tiers) => {
                self.expr(&tiers.base);
                tiers.rows.iter().for_each(|r| self.expr(&r.value));
            }
            ExprKind::Number(_)
            | ExprKind::Text(_)
            | ExprKind::Date(_)
            | ExprKind::Bool(_)
            | ExprKind::Duration(_) => {}
        }
    }
}

/// The name alone inside a name expression's span, which may also hold the brackets around it
/// (`(营业收入)`), comments inside them, and a year after it (`[上年]`).
fn name_span(text: &str, span: Span, name: &str) -> Span {
    let Some(written) = text.get(span.start..span.end) else { return span };
    let mut rest = written;
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(' || c == '（');
        if let Some(comment) = trimmed.strip_prefix('#') {
            rest = comment.split_once('\n').map_or("", |(_, after)| after);
        } else {
            rest = trimmed;
            break;
        }
    }
    if rest.starts_with(name) {
        let start = span.start + (written.len() - rest.len());
        return Span::new(start, start + name.len());
    }
    // Not reached for a tree parsed from `text`; the whole span is the best place left.
    span
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]

    use super::*;

    fn written<'a>(text: &'a str, o: &Occurrence) -> &'a str {
        &text[o.span.start..o.span.end]
    }

    #[test]
    fn names_in_a_policy_resolve_to_their_kind() {
        let text = "政策 a-1 \"示例\" {\n  部门 区商务局\n  分担 市 50%, 区 50%\n  设 额 = (  # 注\n 营业收入[上年]) × 1%\n  条件 {\n    达标: 额 超过 评估年度\n    再看: 达标 且 最大(额, 1元) > 0元\n  }\n  奖励 额\n}\n";
        let parsed = crate::parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let found = occurrences(text, &parsed.file);
        let seen: Vec<(SymbolKind, &str, bool)> =
            found.iter().map(|o| (o.kind, written(text, o), o.declaration)).collect();
        assert_eq!(
            seen,
            vec![
                (SymbolKind::Department, "区商务局", false),
                (SymbolKind::Funder, "市", false),
                (SymbolKind::Funder, "区", false),
                (SymbolKind::Definition, "额", true),
                (SymbolKind::Fact, "营业收入", false),
                (SymbolKind::Label, "达标", true),
                (SymbolKind::Definition, "额", false),
                (SymbolKind::Builtin, "评估年度", false),
                (SymbolKind::Label, "再看", true),
                (SymbolKind::Label, "达标", false),
                (SymbolKind::Function, "最大", false),
                (SymbolKind::Definition, "额", false),
                (SymbolKind::Definition, "额", false),
            ]
        );
        // Locals are scoped to their policy; the rest are library-wide.
        assert!(found.iter().filter(|o| o.kind == SymbolKind::Definition).all(|o| o.scope.is_some()));
        assert!(found.iter().filter(|o| o.kind == SymbolKind::Fact).all(|o| o.scope.is_none()));
    }

    #[test]
    fn schema_and_platform_declare_what_policies_read() {
        let text = "事实 营业收入 {\n  类型 逐年 元\n  提供 区统计局\n  来源 权威\n}\n平台 p {\n  部门 区统计局, 区商务局\n  出资方 市, 区\n  付款方 {\n    区商务局 当 营业收入[上年] > 0元\n    区统计局 否则\n  }\n  联审 {\n    失信: 失信记录\n  }\n}\n";
        let parsed = crate::parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let found = occurrences(text, &parsed.file);
        let declared: Vec<(SymbolKind, &str)> =
            found.iter().filter(|o| o.declaration).map(|o| (o.kind, written(text, o))).collect();
        assert_eq!(
            declared,
            vec![
                (SymbolKind::Fact, "营业收入"),
                (SymbolKind::Department, "区统计局"),
                (SymbolKind::Department, "区商务局"),
                (SymbolKind::Funder, "市"),
                (SymbolKind::Funder, "区"),
                (SymbolKind::Label, "失信"),
            ]
        );
        let read: Vec<(SymbolKind, &str)> =
            found.iter().filter(|o| !o.declaration).map(|o| (o.kind, written(text, o))).collect();
        assert_eq!(
            read,
            vec![
                (SymbolKind::Department, "区统计局"),
                (SymbolKind::Department, "区商务局"),
                (SymbolKind::Fact, "营业收入"),
                (SymbolKind::Department, "区统计局"),
                (SymbolKind::Fact, "失信记录"),
            ]
        );
    }

    #[test]
    fn a_file_with_mistakes_is_indexed_as_far_as_it_parsed() {
        let text = "政策 a-1 \"示例\" {\n  奖金 5万元\n  奖励 营业收入[上年] × 1%\n}\n";
        let parsed = crate::parse(text);
        assert!(!parsed.diagnostics.is_empty());
        let found = occurrences(text, &parsed.file);
        assert_eq!(found.len(), 1);
        assert_eq!(written(text, &found[0]), "营业收入");
        assert!(found[0].contains(found[0].span.end) && !found[0].contains(found[0].span.end + 1));
    }
}
