//! The checked library to IR: names resolved to fact slots or shared nodes, constants folded.

use std::collections::HashMap;
use std::sync::Arc;

use huiqi_dsl::ast::Condition;
use huiqi_dsl::ast::{BinOp, Expr, ExprKind, Suffix, TierKind};
use huiqi_dsl::check::{Library, PeriodUnit, Periods, PlatformInfo, PolicyInfo, Provenance};
use rust_decimal::Decimal;

use crate::eval::{Context, Evaluator};
use crate::facts::{Facts, Schema};
use crate::ir::*;
use crate::value::{Missing, Val, Value};

/// Why a checked library could not be lowered; a checked library should never give one, so each
/// names the invariant of the checker (or of lowering) that broke rather than guessing past it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// A policy reads more facts (years of a series counted apart) than an unknown's mask holds.
    #[error("policy `{policy}` reads more than 128 facts")]
    TooManyFacts {
        /// The policy (or platform) whose fact table is full.
        policy: String,
    },
    /// A name is neither a fact of the schema, nor a definition or label before it, nor the date.
    #[error("`{name}` in `{owner}` is not a known fact or definition")]
    Unresolved {
        /// The policy id, or the platform's name.
        owner: String,
        /// The name as written.
        name: String,
    },
    /// A call to a function the engine does not have.
    #[error("`{name}` in `{owner}` is not a function")]
    UnknownFunction {
        /// The policy id, or the platform's name.
        owner: String,
        /// The function as written.
        name: String,
    },
    /// A call whose arguments are not what the checker lets through (`四舍五入` with no value, or
    /// decimal places that are not a whole number written out).
    #[error("`{name}` in `{owner}` does not have the arguments the checker requires")]
    BadCall {
        /// The policy id, or the platform's name.
        owner: String,
        /// The function as written.
        name: String,
    },
    /// A number literal (or a tier's bound) that is not a decimal: the parser refuses those.
    #[error("`{owner}`: the number at bytes {start}..{end} does not fit a decimal")]
    BadNumber {
        /// The policy id, or the platform's name.
        owner: String,
        /// Where the literal starts in its file.
        start: usize,
        /// Where it ends.
        end: usize,
    },
    /// A fact's `缺省` that is not a literal value: the checker lets only literals through.
    #[error("the default (缺省) of fact `{fact}` is not a literal value")]
    BadDefault {
        /// The fact's name.
        fact: String,
    },
    /// More expression nodes than a node id numbers.
    #[error("`{owner}` has more expression nodes than the IR can number")]
    TooManyNodes {
        /// The policy id, or the platform's name.
        owner: String,
    },
    /// The library names a source file whose text was not handed to lowering.
    #[error("`{owner}` is in file {file}, whose text was not given")]
    NoSource {
        /// The policy id, or the platform's name.
        owner: String,
        /// The file's index in the library.
        file: usize,
    },
    /// An expression's span lies outside its file's text (or splits a character).
    #[error("`{owner}`: bytes {start}..{end} are outside its source text")]
    SpanOutsideSource {
        /// The policy id, or the platform's name.
        owner: String,
        /// Where the span starts.
        start: usize,
        /// Where it ends.
        end: usize,
    },
}

/// The most decimal places a `rust_decimal::Decimal` holds.
const MAX_PLACES: i32 = 28;

struct Lowerer<'a> {
    schema: &'a Schema,
    owner: String,
    text: &'a str,
    program: Program,
    /// Definitions and labels: the node and the facts it reads.
    env: HashMap<String, (NodeId, Missing)>,
    /// What each `日期 ± 期限` counts, as the checker found.
    periods: &'a Periods,
}

/// One checked policy to IR, against the schema's slots; `text` is its file's source.
pub(crate) fn policy(schema: &Schema, info: &PolicyInfo, text: &str) -> Result<CompiledPolicy, LowerError> {
    let mut l = Lowerer {
        schema,
        owner: info.id.clone(),
        text,
        program: Program::default(),
        env: HashMap::new(),
        periods: &info.periods,
    };
    // Definitions and conditions in the order written: a definition below a condition may read
    // its label, and a condition below a definition the definition.
    let mut written: Vec<(usize, Result<&huiqi_dsl::check::LetInfo, &Condition>)> = info
        .lets
        .iter()
        .map(|d| (d.expr.span.start, Ok(d)))
        .chain(info.conditions.iter().map(|c| (c.span.start, Err(c))))
        .collect();
    written.sort_by_key(|(start, _)| *start);
    let mut lets = Vec::new();
    let mut conditions = Vec::with_capacity(info.conditions.len());
    for (_, item) in written {
        match item {
            Ok(def) => {
                let (node, reads) = l.expr(&def.expr)?;
                l.env.insert(def.name.clone(), (node, reads));
                lets.push(CompiledLet {
                    name: def.name.clone(),
                    node,
                    text: l.source(&def.expr)?,
                    unit: def.unit.clone(),
                });
            }
            Err(c) => conditions.push(l.condition(c)?),
        }
    }
    let award = match &info.award {
        Some(expr) => Some((l.expr(expr)?.0, l.source(expr)?)),
        None => None,
    };
    let mut caps = Vec::new();
    for cap in &info.caps {
        let (node, _) = l.expr(&cap.expr)?;
        caps.push(CompiledCap { scope: cap.scope, node, text: l.source(&cap.expr)? });
    }
    // Lowered after everything they may read; their facts are the policy's too (asked for
    // when an installment falls due), but no condition of the decision reads them.
    let installment_when = match &info.installment_when {
        Some(expr) => Some((l.expr(expr)?.0, l.source(expr)?)),
        None => None,
    };
    let later_installments = l.conditions(&info.later_installments)?;
    let reviews = l
        .program
        .facts
        .iter()
        .enumerate()
        .filter(|(_, f)| schema.meta(f.slot).is_some_and(|m| m.provenance == Provenance::Review))
        .fold(0, |mask: Missing, (i, _)| mask | (1 << i));
    Ok(CompiledPolicy {
        info: info.clone(),
        id: crate::policy::PolicyId::from(info.id.as_str()),
        title: Arc::from(info.title.as_str()),
        department: Arc::from(info.department.as_str()),
        shares: info.shares.iter().map(|s| (Arc::from(s.funder.as_str()), s.part)).collect(),
        program: l.program,
        lets,
        conditions,
        award,
        caps,
        installment_when,
        later_installments,
        reviews,
    })
}

/// The platform's vetoes and payer rules to IR; `text` is its file's source.
pub(crate) fn platform(
    schema: &Schema,
    info: &PlatformInfo,
    text: &str,
) -> Result<CompiledPlatform, LowerError> {
    let mut l = Lowerer {
        schema,
        owner: info.name.clone(),
        text,
        program: Program::default(),
        env: HashMap::new(),
        periods: &info.periods,
    };
    let vetoes = l.conditions(&info.vetoes)?;
    let mut payers = Vec::new();
    let mut payer_rules = Vec::new();
    for rule in &info.payers {
        let node = match &rule.when {
            Some(expr) => Some(l.expr(expr)?.0),
            None => None,
        };
        payers.push((Arc::from(rule.payer.text.as_str()), node));
        payer_rules.push((rule.payer.text.clone(), rule.when.as_ref().map(|e| l.source(e)).transpose()?));
    }
    Ok(CompiledPlatform { program: l.program, vetoes, payers, payer_rules, payout_days: info.payout_days })
}

/// The slot of every fact a library declares, and the lowered policies and platform.
pub(crate) fn library(
    library: &Library,
    texts: &[&str],
) -> Result<(Schema, Vec<CompiledPolicy>, Option<CompiledPlatform>), LowerError> {
    let schema = Schema::new(&library.facts)?;
    // Every file of the library has its text: a missing one would make every explanation's
    // rule text empty, so it is an error, not "".
    let text = |owner: &str, file: usize| {
        texts.get(file).copied().ok_or_else(|| LowerError::NoSource { owner: owner.to_owned(), file })
    };
    let policies = library
        .policies
        .iter()
        .map(|p| policy(&schema, p, text(&p.id, p.place.file.0)?))
        .collect::<Result<Vec<_>, _>>()?;
    let platform = match &library.platform {
        Some(p) => Some(platform(&schema, p, text(&p.name, p.file.0)?)?),
        None => None,
    };
    Ok((schema, policies, platform))
}

impl Lowerer<'_> {
    /// An expression's source text on one line, for guides and explanations.
    fn source(&self, expr: &Expr) -> Result<String, LowerError> {
        let (start, end) = (expr.span.start, expr.span.end);
        let text = self.text.get(start..end).ok_or_else(|| LowerError::SpanOutsideSource {
            owner: self.owner.clone(),
            start,
            end,
        })?;
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// A number literal's value; the parser refuses one that does not fit a decimal.
    fn number(&self, n: &huiqi_dsl::ast::Number) -> Result<Decimal, LowerError> {
        n.value().ok_or_else(|| LowerError::BadNumber {
            owner: self.owner.clone(),
            start: n.span.start,
            end: n.span.end,
        })
    }

    fn conditions(&mut self, conditions: &[Condition]) -> Result<Vec<CompiledCondition>, LowerError> {
        conditions.iter().map(|c| self.condition(c)).collect()
    }

    /// A condition; later expressions may read it by its label.
    fn condition(&mut self, c: &Condition) -> Result<CompiledCondition, LowerError> {
        let (node, reads) = self.expr(&c.expr)?;
        self.env.insert(c.label.text.clone(), (node, reads));
        Ok(CompiledCondition {
            label: Arc::from(c.label.text.as_str()),
            node,
            reads,
            text: Arc::from(self.source(&c.expr)?),
            shared: None,
            shape: self.program.shape(node),
        })
    }

    fn push(&mut self, node: Node, span: (usize, usize), reads: Missing) -> Result<NodeId, LowerError> {
        let id = NodeId::try_from(self.program.nodes.len())
            .map_err(|_| LowerError::TooManyNodes { owner: self.owner.clone() })?;
        self.program.nodes.push(node);
        self.program.spans.push(span);
        // Fold a node that reads no fact and not the date: its value is the same every time.
        if reads == 0
            && !matches!(self.program.nodes.last(), Some(Node::Const(_) | Node::AsOfDate | Node::AsOfYear))
        {
            let facts = Facts::default();
            let cx = Context { facts: &facts, as_of: chrono::NaiveDate::MIN, year: 0, quarter: 0 };
            let evaluator = Evaluator { program: &self.program };
            if !self.reads_date(id) {
                if let Ok(Val::Known(v)) = evaluator.eval(id, &cx) {
                    // `id` was pushed just above; were it not there, the node stays unfolded,
                    // which evaluates to the same value.
                    if let Some(slot) = self.program.nodes.get_mut(id as usize) {
                        *slot = Node::Const(v);
                    }
                }
            }
        }
        Ok(id)
    }

    fn reads_date(&self, id: NodeId) -> bool {
        match self.program.node(id) {
            Some(Node::AsOfDate | Node::AsOfYear) => true,
            Some(Node::Fact(i)) => self.program.facts.get(*i as usize).is_some_and(|f| f.offset.is_some()),
            Some(n) => n.children().into_iter().any(|c| self.reads_date(c)),
            None => false,
        }
    }

    /// The index of `fact` in the program's fact table, added if new: at most 128, one bit each
    /// in an unknown's mask.
    fn fact(&mut self, fact: FactRef) -> Result<u8, LowerError> {
        let too_many = || LowerError::TooManyFacts { policy: self.owner.clone() };
        if let Some(i) = self.program.facts.iter().position(|f| *f == fact) {
            return u8::try_from(i).map_err(|_| too_many());
        }
        let i = self.program.facts.len();
        if i >= 128 {
            return Err(too_many());
        }
        let i = u8::try_from(i).map_err(|_| too_many())?;
        self.program.facts.push(fact);
        Ok(i)
    }

    fn expr(&mut self, expr: &Expr) -> Result<(NodeId, Missing), LowerError> {
        let span = (expr.span.start, expr.span.end);
        let (node, reads) = match &expr.kind {
            ExprKind::Number(n) => (Node::Const(Value::Num(self.number(n)?)), 0),
            ExprKind::Text(t) => (Node::Const(Value::Text(t.as_str().into())), 0),
            ExprKind::Date(d) => (Node::Const(Value::Date(*d)), 0),
            ExprKind::Bool(b) => (Node::Const(Value::Bool(*b)), 0),
            ExprKind::Duration(d) => (Node::Const(Value::Num(Decimal::from(*d))), 0),
            ExprKind::Name { name, year, quarterly } => {
                if let Some((node, reads)) = self.env.get(name) {
                    // A definition or label is shared, not copied.
                    return Ok((*node, *reads));
                }
                match (self.schema.slot(name), name.as_str()) {
                    (Some(slot), _) => {
                        let fact = self.fact(FactRef { slot, offset: *year, quarterly: *quarterly })?;
                        (Node::Fact(fact), 1 << fact)
                    }
                    (None, "评估日期" | "as_of") => (Node::AsOfDate, 0),
                    (None, "评估年度" | "as_of_year") => (Node::AsOfYear, 0),
                    (None, _) => {
                        return Err(LowerError::Unresolved { owner: self.owner.clone(), name: name.clone() })
                    }
                }
            }
            ExprKind::Call { func, args } => {
                let mut ids = Vec::with_capacity(args.len());
                let mut reads = 0;
                for a in args {
                    let (id, r) = self.expr(a)?;
                    ids.push(id);
                    reads |= r;
                }
                let node = match func.text.as_str() {
                    "最小" | "min" => Node::Call(Func::Min, ids.into()),
                    "最大" | "max" => Node::Call(Func::Max, ids.into()),
                    "绝对值" | "abs" => Node::Call(Func::Abs, ids.into()),
                    "年份" | "year" => Node::Call(Func::Year, ids.into()),
                    "年数" | "years_between" => Node::Call(Func::Between(PeriodUnit::Years), ids.into()),
                    "月数" | "months_between" => Node::Call(Func::Between(PeriodUnit::Months), ids.into()),
                    "天数" | "days_between" => Node::Call(Func::Between(PeriodUnit::Days), ids.into()),
                    "日期" | "date" => Node::Call(Func::MakeDate, ids.into()),
                    name @ ("四舍五入" | "round" | "向下取整" | "floor") => {
                        let bad_call =
                            || LowerError::BadCall { owner: self.owner.clone(), name: name.into() };
                        // The checker lets through only a whole number written out, no suffix.
                        let places = match args.get(1).map(|a| &a.kind) {
                            // The places as written, scale word and all (`1万` is 10000); a
                            // decimal holds at most 28, so more keep every digit, and fewer than
                            // i32's least round everything away, as i32's least does (an error
                            // when evaluated: the factor does not fit).
                            Some(ExprKind::Number(n)) if n.suffix == Suffix::None => {
                                let places = self
                                    .number(n)?
                                    .trunc()
                                    .clamp(Decimal::from(i32::MIN), Decimal::from(MAX_PLACES));
                                i32::try_from(places).map_err(|_| bad_call())?
                            }
                            _ => return Err(bad_call()),
                        };
                        let value = ids.first().copied().ok_or_else(bad_call)?;
                        Node::Round { value, places, floor: matches!(name, "向下取整" | "floor") }
                    }
                    other => {
                        return Err(LowerError::UnknownFunction {
                            owner: self.owner.clone(),
                            name: other.into(),
                        })
                    }
                };
                (node, reads)
            }
            ExprKind::Neg(inner) => {
                let (a, r) = self.expr(inner)?;
                (Node::Neg(a), r)
            }
            ExprKind::Not(inner) => {
                let (a, r) = self.expr(inner)?;
                (Node::Not(a), r)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, ra) = self.expr(lhs)?;
                let (b, rb) = self.expr(rhs)?;
                // A date moved by a period: the checker recorded what the number counts.
                let node = match (op, self.periods.at(expr.span)) {
                    (BinOp::Add | BinOp::Sub, Some(unit)) => {
                        Node::Call(Func::Shift(unit, *op == BinOp::Sub), [a, b].into())
                    }
                    (BinOp::And, _) => Node::And(a, b),
                    (BinOp::Or, _) => Node::Or(a, b),
                    (BinOp::Add, _) => Node::Arith(Arith::Add, a, b),
                    (BinOp::Sub, _) => Node::Arith(Arith::Sub, a, b),
                    (BinOp::Mul, _) => Node::Arith(Arith::Mul, a, b),
                    (BinOp::Div, _) => Node::Arith(Arith::Div, a, b),
                };
                (node, ra | rb)
            }
            ExprKind::Compare { op, lhs, rhs } => {
                let (a, ra) = self.expr(lhs)?;
                let (b, rb) = self.expr(rhs)?;
                (Node::Cmp(op.relation(), a, b), ra | rb)
            }
            ExprKind::In { value, options } => {
                let (a, mut reads) = self.expr(value)?;
                let mut ids = Vec::with_capacity(options.len());
                for o in options {
                    let (id, r) = self.expr(o)?;
                    ids.push(id);
                    reads |= r;
                }
                (Node::In(a, ids.into()), reads)
            }
            ExprKind::If { cond, then, otherwise } => {
                let (c, rc) = self.expr(cond)?;
                let (t, rt) = self.expr(then)?;
                let (e, re) = self.expr(otherwise)?;
                (Node::If(c, t, e), rc | rt | re)
            }
            ExprKind::Tiers(tiers) => {
                let (base, mut reads) = self.expr(&tiers.base)?;
                let mut bands = Vec::with_capacity(tiers.rows.len());
                let mut values = Vec::with_capacity(tiers.rows.len());
                for row in &tiers.rows {
                    let end = |b: &Option<huiqi_dsl::ast::Bound>| {
                        b.as_ref().map(|b| Ok((self.number(&b.value)?, b.inclusive()))).transpose()
                    };
                    bands.push(Band { lower: end(&row.lower)?, upper: end(&row.upper)? });
                    let (v, r) = self.expr(&row.value)?;
                    values.push(v);
                    reads |= r;
                }
                let node = match tiers.kind {
                    TierKind::Step => Node::Step { base, bands: bands.into(), values: values.into() },
                    TierKind::Marginal => Node::Marginal { base, bands: bands.into(), rates: values.into() },
                };
                (node, reads)
            }
        };
        Ok((self.push(node, span, reads)?, reads))
    }
}
