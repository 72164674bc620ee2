//! The lines the writer gives the sink, made from a full decision: a payout, or an undetermined
//! enterprise × policy. Their texts go into the buffers of the line before (see [`Spare`]).

use std::sync::Arc;

use huiqi_engine::{Decision, EvalErrorReport, Payment};
use rust_decimal::Decimal;

use crate::output::{Basis, Payout, Undetermined};
use crate::row::Identity;

/// The texts of the last line given to the sink, whose buffers the next line's copies of the
/// enterprise's code, name, bank and account take over: no allocation and free for each.
#[derive(Default)]
pub(crate) struct Spare {
    uscc: String,
    name: String,
    bank: String,
    account: String,
}

impl Spare {
    /// The payout line of `e` for `d`, which pays `payment`, `due_now` of it now.
    pub fn payout(
        &mut self,
        e: &Identity,
        d: Decision,
        payment: Payment,
        due_now: Decimal,
        basis: Option<Arc<Basis>>,
    ) -> Payout {
        Payout {
            line: e.line,
            uscc: refill(&mut self.uscc, &e.uscc),
            name: refill(&mut self.name, &e.name),
            bank: refill(&mut self.bank, &e.bank),
            account: refill(&mut self.account, &e.account),
            policy: d.policy,
            title: d.title,
            payer: payment.payer,
            amount: payment.amount,
            shares: payment.shares,
            due_now,
            due_date: payment.due_date,
            installments: payment.installments,
            basis,
        }
    }

    /// The undetermined line of `e` for `d`; `error` says why, when it is not missing facts.
    pub fn undetermined(&mut self, e: &Identity, d: Decision, error: Option<String>) -> Undetermined {
        Undetermined {
            line: e.line,
            uscc: refill(&mut self.uscc, &e.uscc),
            name: refill(&mut self.name, &e.name),
            policy: d.policy,
            title: d.title,
            missing: d.missing,
            error,
        }
    }

    /// A payout line's buffers back, once the sink has it.
    pub fn keep_payout(&mut self, p: Payout) {
        let Payout { uscc, name, bank, account, .. } = p;
        (self.uscc, self.name, self.bank, self.account) = (uscc, name, bank, account);
    }

    /// An undetermined line's buffers back, once the sink has it.
    pub fn keep_undetermined(&mut self, u: Undetermined) {
        (self.uscc, self.name) = (u.uscc, u.name);
    }
}

/// `text` in `spare`'s buffer, which the result takes.
fn refill(spare: &mut String, text: &str) -> String {
    let mut s = std::mem::take(spare);
    s.clear();
    s.push_str(text);
    s
}

/// Why a decision that could not be computed is undetermined: the message, and its place in the
/// policy's file when it has one (line 0: the platform's rules or the calendar).
pub(crate) fn error_text(x: &EvalErrorReport) -> String {
    if x.line == 0 {
        format!("计算错误：{}", x.message)
    } else {
        format!("计算错误：{}（第{}行第{}列 {}）", x.message, x.line, x.column, x.text)
    }
}
