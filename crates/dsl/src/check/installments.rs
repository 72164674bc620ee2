//! `分期 … 当 条件 后续各期 { … }`: the branch a split belongs to, and what each later installment
//! needs when it falls due.

use crate::ast::{Condition, Expr};
use crate::check::expr::Scope;
use crate::diagnostic::Diagnostic;
use crate::message::{NoteLabel, PolicyMsg, Why};
use crate::span::Span;

/// Types `当` and the `后续各期` lines, which read facts, definitions and labels like any
/// condition. Their labels are not names other lines can read: they are judged only when an
/// installment falls due, after the decision.
pub fn check(
    scope: &mut Scope<'_>,
    yearly: bool,
    when: Option<&Expr>,
    later: &[Condition],
    clause: Span,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(when) = when {
        scope.boolean(when, Why::If);
    }
    for (i, c) in later.iter().enumerate() {
        scope.boolean(&c.expr, Why::ConditionLine);
        let label = &c.label.text;
        if let Some(first) = later.iter().take(i).find(|e| &e.label.text == label) {
            out.push(
                Diagnostic::new(c.label.span, PolicyMsg::DuplicateLabel { label: label.clone() })
                    .note(first.label.span, NoteLabel::FirstUsed),
            );
        }
    }
    // Without `按年` every part is paid on approval: nothing falls due later to check.
    if !later.is_empty() && !yearly {
        out.push(Diagnostic::new(clause, PolicyMsg::LaterWithoutYearly));
    }
}
