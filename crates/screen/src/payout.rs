//! The lines the writer gives the sink, made from a full decision: a payout, or an undetermined
//! enterprise × policy. Their texts go into the buffers of the line before (see [`Spare`]).

use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_engine::Decision;
use rust_decimal::Decimal;

use crate::output::{Payout, Undetermined};
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

/// An eligible decision's money, taken out of it by the writer.
pub(crate) struct Paid {
    pub amount: Decimal,
    pub payer: Arc<str>,
    pub due_date: NaiveDate,
    pub due_now: Decimal,
}

impl Spare {
    /// The payout line of `e` for `d`.
    pub fn payout(&mut self, e: &Identity, d: Decision, paid: Paid) -> Payout {
        Payout {
            line: e.line,
            uscc: refill(&mut self.uscc, &e.uscc),
            name: refill(&mut self.name, &e.name),
            bank: refill(&mut self.bank, &e.bank),
            account: refill(&mut self.account, &e.account),
            policy: d.policy,
            title: d.title,
            payer: paid.payer,
            amount: paid.amount,
            shares: d.shares,
            due_now: paid.due_now,
            due_date: paid.due_date,
            installments: d.installments,
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

/// Why an eligible or failed decision is undetermined after all.
pub(crate) fn error_text(d: &Decision) -> String {
    d.error.as_ref().map_or_else(
        || "符合条件但缺少兑付信息（付款方或兑付期限）".to_string(),
        |x| format!("计算错误：{}（第{}行第{}列 {}）", x.message, x.line, x.column, x.text),
    )
}
