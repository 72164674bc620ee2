//! Expressions, with parentheses exactly where re-parsing needs them to give the same tree.

use unicode_width::UnicodeWidthStr;

use crate::ast::*;

use super::printer::Printer;
use super::words::{self, *};

// The grammar's levels, loosest first: an operand printed where a tighter level is read gets parens.
const IF_LEVEL: u8 = 0;
const NOT_LEVEL: u8 = 3;
const CMP_LEVEL: u8 = 4;
const SUM_LEVEL: u8 = 5;
const NEG_LEVEL: u8 = 7;
const ATOM_LEVEL: u8 = 8;

/// Display columns (a Chinese character is two) past which an `if` at the top of a line is laid
/// out on several lines.
const WIDTH: usize = 100;

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If { .. } => IF_LEVEL,
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Not(_) => NOT_LEVEL,
        ExprKind::Compare { .. } | ExprKind::In { .. } => CMP_LEVEL,
        ExprKind::Neg(_) => NEG_LEVEL,
        _ => ATOM_LEVEL,
    }
}

fn binop(op: BinOp, lang: Lang) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => Kw("×", "*").get(lang),
        BinOp::Div => Kw("÷", "/").get(lang),
        BinOp::And => AND.get(lang),
        BinOp::Or => OR.get(lang),
    }
}

impl Printer<'_> {
    /// Prints `e` where the grammar reads an operand of level `min` or tighter.
    pub(super) fn expr(&mut self, e: &Expr, min: u8) {
        if level(e) < min {
            self.parenthesised(e);
        } else {
            self.bare(e);
        }
    }

    fn parenthesised(&mut self, e: &Expr) {
        self.push("(");
        self.bare(e);
        self.push(")");
    }

    fn bare(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Number(n) => self.push(&words::number(n)),
            ExprKind::Text(text) => self.push(&words::quoted(text)),
            ExprKind::Date(date) => self.push(&words::date(*date)),
            ExprKind::Bool(b) => self.push(self.kw(if *b { TRUE } else { FALSE })),
            ExprKind::Duration(days) => self.push(&words::days(*days, self.lang)),
            ExprKind::Name { name, year, quarterly } => {
                self.push(name);
                if let Some(year) = year {
                    let year = if *quarterly {
                        format!("[{}]", words::quarter(*year, self.lang))
                    } else {
                        format!("[{}]", words::year(*year, self.lang))
                    };
                    self.push(&year);
                }
            }
            ExprKind::Call { func, args } => {
                self.push(&func.text);
                self.push("(");
                self.list(args);
                self.push(")");
            }
            ExprKind::Neg(_) | ExprKind::Not(_) => self.prefixed(e),
            ExprKind::Binary { op, .. } => self.chain(e, op.precedence()),
            ExprKind::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs),
            ExprKind::In { value, options } => {
                self.expr(value, SUM_LEVEL);
                let kw = format!(" {} [", self.kw(IN));
                self.push(&kw);
                self.list(options);
                self.push("]");
            }
            ExprKind::If { .. } => self.if_chain(e, Layout::Flat),
            ExprKind::Tiers(t) => self.tiers(t),
        }
    }

    // Chains (`1 + 2 + ...`, `非 非 ...`, `否则 如果 ...`) can be thousands of nodes deep but need no
    // parentheses, so they are walked with loops: only parenthesised nesting, which the parser
    // bounds, costs recursion.

    /// A left-associative chain of operators of level `p`: `a - b - c` is `(a - b) - c`, so a right
    /// operand of the same level needs parens, `a - (b - c)`.
    fn chain(&mut self, e: &Expr, p: u8) {
        let mut rest = Vec::new();
        let mut first = e;
        while let ExprKind::Binary { op, lhs, rhs } = &first.kind {
            if op.precedence() != p {
                break;
            }
            rest.push((*op, rhs.as_ref()));
            first = lhs;
        }
        self.expr(first, p);
        for (op, rhs) in rest.into_iter().rev() {
            let op = format!(" {} ", binop(op, self.lang));
            self.push(&op);
            self.expr(rhs, p + 1);
        }
    }

    /// `-x` and `非 x`, however many. After a minus only a unary operand may follow unwrapped.
    fn prefixed(&mut self, e: &Expr) {
        let mut operand = e;
        let mut min = NOT_LEVEL;
        loop {
            match &operand.kind {
                ExprKind::Not(x) if min <= NOT_LEVEL => {
                    self.push(self.kw(NOT));
                    self.push(" ");
                    operand = x;
                }
                ExprKind::Neg(x) => {
                    self.push("-");
                    min = NEG_LEVEL;
                    operand = x;
                }
                _ => break,
            }
        }
        self.expr(operand, min);
    }

    /// The expression of a clause, condition or rule. An `if` there gets a line per branch when it
    /// is a chain (`如果 ... 否则 如果 ...`: each `否则` starts a line one level deeper), or when
    /// one line would be wider than [`WIDTH`] (then `那么` and `否则` start lines).
    pub(super) fn top_expr(&mut self, e: &Expr) {
        let ExprKind::If { otherwise, .. } = &e.kind else { return self.expr(e, IF_LEVEL) };
        let chain = matches!(otherwise.kind, ExprKind::If { .. });
        let layout = if chain {
            Layout::Chain
        } else if self.line_width() + self.flat_width(e) > WIDTH {
            Layout::Tall
        } else {
            Layout::Flat
        };
        self.indent += 1;
        self.if_chain(e, layout);
        self.indent -= 1;
    }

    /// The width of `e` printed on one line, or more than [`WIDTH`] if it cannot be (a tier table).
    fn flat_width(&self, e: &Expr) -> usize {
        let mut scratch = Printer::new(self.lang, None);
        scratch.expr(e, IF_LEVEL);
        let text = scratch.finish();
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if text.contains('\n') {
            return WIDTH + 1;
        }
        UnicodeWidthStr::width(text)
    }

    /// `如果 c 那么 a 否则 b`. Every part is a whole `expr` in the grammar, but an `if` as the
    /// condition or the `那么` branch is wrapped all the same: `如果 如果 a ...` is hard to read.
    /// An `if` in the `否则` branch is an else-if and stays bare.
    fn if_chain(&mut self, e: &Expr, layout: Layout) {
        let mut branch = e;
        while let ExprKind::If { cond, then, otherwise } = &branch.kind {
            self.push(self.kw(IF));
            self.push(" ");
            self.expr(cond, IF_LEVEL + 1);
            if layout == Layout::Tall {
                self.break_before(THEN, cond, then);
            } else {
                let then_kw = format!(" {} ", self.kw(THEN));
                self.push(&then_kw);
            }
            self.expr(then, IF_LEVEL + 1);
            if layout == Layout::Flat {
                let else_kw = format!(" {} ", self.kw(ELSE));
                self.push(&else_kw);
            } else {
                self.break_before(ELSE, then, otherwise);
            }
            branch = otherwise;
        }
        self.expr(branch, IF_LEVEL);
    }

    /// Ends the line after `before` and starts the next with `kw`, which the source has between
    /// `before` and `after`; a comment the source has after `before` stays on its line.
    fn break_before(&mut self, kw: Kw, before: &Expr, after: &Expr) {
        let at = self.keyword_before(before.span.start, after.span.start, kw);
        let before_end = self.code_end(before.span.start, at);
        self.end(before_end);
        self.begin_continued(at);
        let kw = format!("{} ", self.kw(kw));
        self.push(&kw);
    }

    fn list(&mut self, items: &[Expr]) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(item, IF_LEVEL);
        }
    }

    fn compare(&mut self, op: CmpOp, lhs: &Expr, rhs: &Expr) {
        let spelling = op.spelling(self.lang);
        if !op.is_postfix() {
            self.expr(lhs, SUM_LEVEL);
            self.push(&format!(" {spelling} "));
            self.expr(rhs, SUM_LEVEL);
            return;
        }
        if self.lang == Lang::Zh {
            self.expr(lhs, SUM_LEVEL);
            self.push(&format!(" {} ", words::AT));
            self.expr(rhs, SUM_LEVEL);
            self.push(&format!(" {spelling}"));
            return;
        }
        // English `A B or more` has nothing between A and B: a B starting with `-` would be read
        // as a subtraction from A, and a B starting with `(` right after a bare name as a call.
        let lead = lead(rhs, SUM_LEVEL);
        let wrap_rhs = lead == Lead::Minus;
        let wrap_lhs = (wrap_rhs || lead == Lead::Paren) && ends_in_name(lhs, SUM_LEVEL);
        if wrap_lhs {
            self.parenthesised(lhs);
        } else {
            self.expr(lhs, SUM_LEVEL);
        }
        self.push(" ");
        if wrap_rhs {
            self.parenthesised(rhs);
        } else {
            self.expr(rhs, SUM_LEVEL);
        }
        self.push(&format!(" {spelling}"));
    }

    fn tiers(&mut self, t: &Tiers) {
        let kw = match t.kind {
            TierKind::Step => TIERS,
            TierKind::Marginal => MARGINAL,
        };
        self.push(self.kw(kw));
        self.push(" ");
        self.expr(&t.base, SUM_LEVEL);
        let brace = (t.base.span.start, t.base.span.end);
        self.block(brace, &t.rows, |r| r.span.start, Self::tier_row);
    }

    fn tier_row(&mut self, r: &TierRow, limit: usize) {
        self.begin(Some(r.span.start));
        let band: Vec<String> = [&r.lower, &r.upper].into_iter().flatten().map(|b| self.bound(b)).collect();
        self.push(&band.join(", "));
        self.push(": ");
        // The grammar also reads a bare `if` here, but its `否则` branch is a whole expression that
        // runs on into the next row (`否则 0\n超过 5: ...`), so an `if` amount is always wrapped.
        self.expr(&r.value, SUM_LEVEL);
        self.end(self.code_end(r.span.start, limit));
    }

    fn bound(&self, b: &Bound) -> String {
        let number = words::number(&b.value);
        let spelling = b.op.spelling(self.lang);
        if b.op.is_postfix() {
            format!("{number} {spelling}")
        } else {
            format!("{spelling} {number}")
        }
    }
}

/// How an `if` at the top of a line is laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// On one line.
    Flat,
    /// A line per `否则`.
    Chain,
    /// A line for the condition, for `那么` and for `否则`.
    Tall,
}

/// What an operand printed at level `min` (at least [`SUM_LEVEL`]) starts with.
#[derive(PartialEq, Eq)]
enum Lead {
    Paren,
    Minus,
    Other,
}

fn lead(mut e: &Expr, mut min: u8) -> Lead {
    loop {
        if level(e) < min {
            return Lead::Paren;
        }
        match &e.kind {
            ExprKind::Binary { op, lhs, .. } => (e, min) = (lhs, op.precedence()),
            ExprKind::Neg(_) => return Lead::Minus,
            _ => return Lead::Other,
        }
    }
}

/// Whether `e`, printed at level `min`, ends with a name that a following `(` would make a call.
fn ends_in_name(mut e: &Expr, mut min: u8) -> bool {
    loop {
        if level(e) < min {
            return false;
        }
        (e, min) = match &e.kind {
            ExprKind::Name { year: None, .. } => return true,
            ExprKind::Binary { op, rhs, .. } => (rhs, op.precedence() + 1),
            ExprKind::Neg(x) => (x, NEG_LEVEL),
            ExprKind::Not(x) => (x, NOT_LEVEL),
            ExprKind::Compare { op, rhs, .. } if !op.is_postfix() => (rhs, SUM_LEVEL),
            ExprKind::If { otherwise, .. } => (otherwise, IF_LEVEL),
            _ => return false,
        };
    }
}
