//! `reconcile`: a bank's (or 预算一体化's) payment confirmation file marks payouts paid.
//!
//! Each line is matched to one payout — by its 兑付编号, or by 统一社会信用代码 and 政策编码 (and
//! 事项 when given) — and, when its amount is the payout's, paid through [`Ledger::mark_paid`], so
//! the claim's step, its event and the budget's paid amount move in one transaction. A line that
//! cannot be matched, whose amount differs, or that the ledger refuses changes nothing. Every line
//! is reported with what became of it.

use std::collections::HashMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::chain::Actor;
use crate::confirmation::{read_confirmations, Confirmation, ConfirmationLine, FileKind};
use crate::db::Param;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::state::State;

/// What became of one line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReconcileOutcome))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Matched, and recorded as paid now.
    PaidNow {
        /// The payout.
        payout: i64,
        /// Its claim.
        claim: i64,
        /// The amount paid, in 元.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        amount: Decimal,
    },
    /// Matched to a payout recorded as paid under this same reference: nothing changed.
    AlreadyPaid {
        /// The payout.
        payout: i64,
        /// Its claim.
        claim: i64,
    },
    /// A line with neither 付款日期 nor 银行流水号 (a payout list sent back with some lines not
    /// paid yet): skipped, nothing changed.
    NotPaid,
    /// No payout, or more than one, fits the line: nothing changed.
    Unmatched {
        /// Why, in Chinese.
        why: String,
    },
    /// The one payout the line names has another amount: nothing changed.
    AmountMismatch {
        /// The payout.
        payout: i64,
        /// Its claim.
        claim: i64,
        /// The payout's amount, in 元.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        expected: Decimal,
        /// The line's.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        given: Decimal,
    },
    /// Matched, but the ledger refuses to record it (not pushed to the payer yet, paid under
    /// another reference, the reference already used for another payout): nothing changed.
    Refused {
        /// The payout.
        payout: i64,
        /// Its claim.
        claim: i64,
        /// Why, in Chinese.
        why: String,
    },
    /// A line that cannot be read (a column empty or not a number, a date or a code invalid).
    Bad {
        /// Why, in Chinese, naming the column.
        why: String,
    },
}

impl Outcome {
    /// The outcome in Chinese (`已登记兑付`).
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::PaidNow { .. } => "已登记兑付",
            Outcome::AlreadyPaid { .. } => "此前已登记（同一流水号）",
            Outcome::NotPaid => "未填付款信息，跳过",
            Outcome::Unmatched { .. } => "未匹配",
            Outcome::AmountMismatch { .. } => "金额不符",
            Outcome::Refused { .. } => "账本拒绝",
            Outcome::Bad { .. } => "无法读取",
        }
    }

    /// Whether the line needs an operator's attention (all but paid, already paid and not paid).
    pub fn is_problem(&self) -> bool {
        !matches!(self, Outcome::PaidNow { .. } | Outcome::AlreadyPaid { .. } | Outcome::NotPaid)
    }

    /// What the line came to, in a sentence.
    pub fn describe(&self) -> String {
        match self {
            Outcome::PaidNow { payout, claim, amount } => {
                format!("兑付 {payout}（申报 {claim}）登记为已付 {amount} 元")
            }
            Outcome::AlreadyPaid { payout, claim } => {
                format!("兑付 {payout}（申报 {claim}）此前已按同一流水号登记，未作改动")
            }
            Outcome::NotPaid => "付款日期与银行流水号均未填写，视为未付，未作改动".to_owned(),
            Outcome::Unmatched { why } => format!("{why}，未作改动"),
            Outcome::AmountMismatch { payout, claim, expected, given } => {
                format!("兑付 {payout}（申报 {claim}）应付 {expected} 元，本行金额为 {given} 元，未作改动")
            }
            Outcome::Refused { payout, claim, why } => {
                format!("兑付 {payout}（申报 {claim}）{why}，未作改动")
            }
            Outcome::Bad { why } => format!("{why}，未作改动"),
        }
    }
}

/// One line's report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineReport {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The line's 银行流水号, when it has one.
    pub bank_ref: Option<String>,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How many lines came to each outcome.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Paid now.
    pub paid_now: u64,
    /// Paid before under the same reference.
    pub already_paid: u64,
    /// Lines with no payment filled in.
    pub not_paid: u64,
    /// Unmatched.
    pub unmatched: u64,
    /// Amount mismatches.
    pub amount_mismatch: u64,
    /// Refused by the ledger.
    pub refused: u64,
    /// Unreadable lines.
    pub bad: u64,
}

/// What a reconciliation came to, line by line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    /// Every line read (blank lines aside), in file order.
    pub lines: Vec<LineReport>,
}

impl ReconcileReport {
    /// The lines per outcome.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for l in &self.lines {
            let n = match l.outcome {
                Outcome::PaidNow { .. } => &mut c.paid_now,
                Outcome::AlreadyPaid { .. } => &mut c.already_paid,
                Outcome::NotPaid => &mut c.not_paid,
                Outcome::Unmatched { .. } => &mut c.unmatched,
                Outcome::AmountMismatch { .. } => &mut c.amount_mismatch,
                Outcome::Refused { .. } => &mut c.refused,
                Outcome::Bad { .. } => &mut c.bad,
            };
            *n += 1;
        }
        c
    }

    /// The total recorded as paid now, in 元.
    pub fn paid_amount(&self) -> Decimal {
        self.lines
            .iter()
            .map(|l| match l.outcome {
                Outcome::PaidNow { amount, .. } => amount,
                _ => Decimal::ZERO,
            })
            .sum()
    }

    /// Whether every line was paid now, paid before, or left unpaid on purpose.
    pub fn clean(&self) -> bool {
        !self.lines.iter().any(|l| l.outcome.is_problem())
    }

    /// The counts in one Chinese sentence.
    pub fn summary(&self) -> String {
        let c = self.counts();
        let mut s = format!(
            "共 {} 行：登记兑付 {} 笔（{} 元），此前已登记 {} 笔",
            self.lines.len(),
            c.paid_now,
            self.paid_amount(),
            c.already_paid
        );
        for (n, word) in [
            (c.not_paid, "未填付款信息"),
            (c.unmatched, "未匹配"),
            (c.amount_mismatch, "金额不符"),
            (c.refused, "账本拒绝"),
            (c.bad, "无法读取"),
        ] {
            if n > 0 {
                let _ = write!(s, "，{word} {n} 行");
            }
        }
        s
    }
}

/// A payout a line could be for.
struct Candidate {
    payout: i64,
    claim: i64,
    enterprise: String,
    policy: String,
    amount: i64,
    paid: bool,
    bank_ref: Option<String>,
    payer: String,
}

const CANDIDATE: &str =
    "SELECT p.id, p.claim, p.enterprise, p.policy, p.amount_fen, p.paid_on, p.bank_ref, p.payer FROM payouts p";

fn candidates(rows: Vec<crate::db::Row>) -> Result<Vec<Candidate>, LedgerError> {
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                payout: r.int(0)?,
                claim: r.int(1)?,
                enterprise: r.text(2)?.to_owned(),
                policy: r.text(3)?.to_owned(),
                amount: r.int(4)?,
                paid: r.opt_text(5)?.is_some(),
                bank_ref: r.opt_text(6)?.map(str::to_owned),
                payer: r.text(7)?.to_owned(),
            })
        })
        .collect()
}

/// The one payout a line is for, or what it came to without one.
enum Found {
    Pay(Candidate),
    Done(Outcome),
}

/// Chooses among the payouts a line could be for (see the module's rules).
fn choose(c: &Confirmation, amount: i64, mut found: Vec<Candidate>, by_id: bool) -> Found {
    if let Some(i) = found.iter().position(|p| p.bank_ref.as_deref() == Some(c.bank_ref.as_str())) {
        let p = found.swap_remove(i);
        return Found::Done(if p.amount == amount {
            Outcome::AlreadyPaid { payout: p.payout, claim: p.claim }
        } else {
            Outcome::AmountMismatch {
                payout: p.payout,
                claim: p.claim,
                expected: from_fen(p.amount),
                given: c.amount,
            }
        });
    }
    let what = if by_id {
        format!("兑付编号 {}", c.payout.unwrap_or_default())
    } else {
        format!(
            "企业 {} 政策 {}{}",
            c.enterprise.as_deref().unwrap_or(""),
            c.policy.as_deref().unwrap_or(""),
            c.item.as_deref().map(|i| format!(" 事项「{i}」")).unwrap_or_default()
        )
    };
    if found.is_empty() {
        return Found::Done(Outcome::Unmatched { why: format!("账本中没有{what}的兑付") });
    }
    let (mut found, paid): (Vec<Candidate>, Vec<Candidate>) = found.into_iter().partition(|p| !p.paid);
    if found.is_empty() {
        return Found::Done(match paid.as_slice() {
            [p] => other_reference(p),
            _ => Outcome::Unmatched {
                why: format!("{what}的 {} 笔兑付都已按其他银行流水号付讫", paid.len()),
            },
        });
    }
    let same: Vec<usize> =
        (0..found.len()).filter(|&i| found.get(i).is_some_and(|p| p.amount == amount)).collect();
    match (same.as_slice(), found.len()) {
        ([i], _) => Found::Pay(found.swap_remove(*i)),
        ([], 1) => match found.pop() {
            Some(p) => Found::Done(Outcome::AmountMismatch {
                payout: p.payout,
                claim: p.claim,
                expected: from_fen(p.amount),
                given: c.amount,
            }),
            None => Found::Done(Outcome::Unmatched { why: format!("账本中没有{what}的待付兑付") }),
        },
        ([], n) => Found::Done(Outcome::Unmatched {
            why: format!("{what}有 {n} 笔待付兑付，金额都不是 {} 元", c.amount),
        }),
        (many, _) => Found::Done(Outcome::Unmatched {
            why: format!(
                "{what}有 {} 笔金额同为 {} 元的待付兑付，无法确定是哪一笔：请填写兑付编号",
                many.len(),
                c.amount
            ),
        }),
    }
}

fn other_reference(p: &Candidate) -> Outcome {
    Outcome::Refused {
        payout: p.payout,
        claim: p.claim,
        why: format!(
            "已按银行流水号 {} 登记兑付，同一笔兑付只能有一个流水号",
            p.bank_ref.as_deref().unwrap_or("")
        ),
    }
}

impl Ledger {
    /// Reads a payment confirmation file (CSV or XLSX bytes) and reconciles it: see
    /// [`Ledger::reconcile`]. A file that cannot be read as a whole changes nothing.
    pub fn reconcile_file(
        &self,
        bytes: &[u8],
        kind: FileKind,
        actor: &Actor,
    ) -> Result<ReconcileReport, LedgerError> {
        let lines = read_confirmations(bytes, kind)?;
        self.reconcile(&lines, actor)
    }

    /// Reconciles confirmation lines in order: each matched line whose amount is its payout's is
    /// recorded paid through [`Ledger::mark_paid`] (its own transaction: the claim's step, event
    /// and budget together); every other line changes nothing. A reference the ledger holds for
    /// another payout, or that an earlier line of the file paid another payout with, is refused.
    ///
    /// An error of the database stops the run with that error: the lines recorded before it stay
    /// recorded, and running the same file again reports them as already paid.
    pub fn reconcile(
        &self,
        lines: &[ConfirmationLine],
        actor: &Actor,
    ) -> Result<ReconcileReport, LedgerError> {
        self.reconcile_for(lines, actor, None)
    }

    /// [`Ledger::reconcile`] within one payer's payouts: a line for another payer's payout is
    /// unmatched, as if that payout did not exist.
    pub(crate) fn reconcile_for(
        &self,
        lines: &[ConfirmationLine],
        actor: &Actor,
        payer: Option<&str>,
    ) -> Result<ReconcileReport, LedgerError> {
        let mut used = self.references(lines)?;
        let mut report = ReconcileReport { lines: Vec::with_capacity(lines.len()) };
        for l in lines {
            let (line, bank_ref, outcome) = match l {
                ConfirmationLine::Bad { line, why } => (*line, None, Outcome::Bad { why: why.clone() }),
                ConfirmationLine::NotPaid { line } => (*line, None, Outcome::NotPaid),
                ConfirmationLine::Line(c) => {
                    (c.line, Some(c.bank_ref.clone()), self.reconcile_line(c, actor, &mut used, payer)?)
                }
            };
            report.lines.push(LineReport { line, bank_ref, outcome });
        }
        Ok(report)
    }

    /// The payouts that each of the file's references is recorded on already, in one pass over
    /// the payouts per few thousand references (the column has no index of its own).
    fn references(&self, lines: &[ConfirmationLine]) -> Result<HashMap<String, i64>, LedgerError> {
        let mut refs: Vec<&str> = lines
            .iter()
            .filter_map(|l| match l {
                ConfirmationLine::Line(c) => Some(c.bank_ref.as_str()),
                _ => None,
            })
            .collect();
        refs.sort_unstable();
        refs.dedup();
        let mut used = HashMap::new();
        self.read(|tx| {
            for chunk in refs.chunks(5000) {
                let mut sql = String::from("SELECT bank_ref, id FROM payouts WHERE bank_ref IN (");
                for i in 1..=chunk.len() {
                    let _ = write!(sql, "{}${i}", if i == 1 { "" } else { "," });
                }
                sql.push(')');
                let params: Vec<Param<'_>> = chunk.iter().map(|r| Param::Text(r)).collect();
                for r in tx.query(&sql, &params)? {
                    used.insert(r.text(0)?.to_owned(), r.int(1)?);
                }
            }
            Ok(())
        })?;
        Ok(used)
    }

    fn reconcile_line(
        &self,
        c: &Confirmation,
        actor: &Actor,
        used: &mut HashMap<String, i64>,
        payer: Option<&str>,
    ) -> Result<Outcome, LedgerError> {
        let amount = match to_fen(c.amount) {
            Ok(fen) => fen,
            Err(e) => return Ok(Outcome::Bad { why: format!("金额(元)：{e}") }),
        };
        let by_id = c.payout.is_some();
        if !by_id && (c.enterprise.is_none() || c.policy.is_none()) {
            return Ok(Outcome::Bad {
                why: "既无兑付编号，也无统一社会信用代码与政策编码".to_owned()
            });
        }
        let found = self.read(|tx| {
            let rows = match (c.payout, &c.enterprise, &c.policy, &c.item) {
                (Some(id), ..) => tx.query(&format!("{CANDIDATE} WHERE p.id = $1"), &[Param::Int(id)])?,
                (None, Some(enterprise), Some(policy), Some(item)) => tx.query(
                    &format!(
                        "{CANDIDATE} WHERE p.enterprise = $1 AND p.policy = $2 AND p.item = $3 ORDER BY p.id"
                    ),
                    &[Param::Text(enterprise), Param::Text(policy), Param::Text(item)],
                )?,
                (None, Some(enterprise), Some(policy), None) => tx.query(
                    &format!("{CANDIDATE} WHERE p.enterprise = $1 AND p.policy = $2 ORDER BY p.id"),
                    &[Param::Text(enterprise), Param::Text(policy)],
                )?,
                _ => Vec::new(),
            };
            let mut found = candidates(rows)?;
            // A staged award's payout is paid less its installments held back for conditions.
            for p in &mut found {
                p.amount -= crate::installment_pay::held_back(tx, p.payout)?.iter().map(|h| h.1).sum::<i64>();
            }
            Ok(found)
        })?;
        let found: Vec<Candidate> =
            found.into_iter().filter(|p| payer.is_none_or(|own| p.payer == own)).collect();
        // A line naming both its 兑付编号 and its enterprise or policy must name the same payout.
        if let (true, Some(p)) = (by_id, found.first()) {
            for (given, stored, column) in
                [(&c.enterprise, &p.enterprise, "统一社会信用代码"), (&c.policy, &p.policy, "政策编码")]
            {
                if let Some(given) = given.as_deref().filter(|g| *g != stored.as_str()) {
                    return Ok(Outcome::Unmatched {
                        why: format!("兑付编号 {} 的{column}为 {stored}，与本行的 {given} 不符", p.payout),
                    });
                }
            }
        }
        let p = match choose(c, amount, found, by_id) {
            Found::Pay(p) => p,
            Found::Done(outcome) => return Ok(outcome),
        };
        if let Some(other) = used.get(&c.bank_ref).filter(|&&o| o != p.payout) {
            return Ok(Outcome::Refused {
                payout: p.payout,
                claim: p.claim,
                why: format!("的银行流水号 {} 已登记于兑付 {other}，一个流水号只能对应一笔兑付", c.bank_ref),
            });
        }
        Ok(match self.mark_paid(p.claim, c.paid_on, &c.bank_ref, actor) {
            Ok(true) => {
                used.insert(c.bank_ref.clone(), p.payout);
                Outcome::PaidNow { payout: p.payout, claim: p.claim, amount: from_fen(p.amount) }
            }
            Ok(false) => Outcome::AlreadyPaid { payout: p.payout, claim: p.claim },
            Err(LedgerError::PaidUnderOtherReference { stored, .. }) => Outcome::Refused {
                payout: p.payout,
                claim: p.claim,
                why: format!("已按银行流水号 {stored} 登记兑付，同一笔兑付只能有一个流水号"),
            },
            Err(LedgerError::Transition { from, .. }) => Outcome::Refused {
                payout: p.payout,
                claim: p.claim,
                why: if from == State::Approved {
                    "尚未推送给付款方（申报为「已批准」）：先推送付款清单（huiqi ledger payouts --push），再登记兑付".to_owned()
                } else {
                    format!("的申报状态为「{}」，不能登记兑付", from.word())
                },
            },
            Err(e) => return Err(e),
        })
    }
}
