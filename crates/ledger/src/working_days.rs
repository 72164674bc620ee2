//! Working days for supervision: each claim counted on the calendar and time limits of the
//! policy set that decided it (stored by hash), and each step dated on its business day.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::{DateTime, NaiveDate, Utc};
use huiqi_engine::{Calendar, CalendarError, DueDate, WorkingDays};

use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::policy_set::PolicySet;

/// The reform plan's payout limit (1个工作日), for a policy set whose platform states none;
/// such a set could not have decided a payout, so this only keeps a report from failing.
const PLATFORM_PAYOUT_DAYS: u32 = 1;

/// The stored policy sets one report reads, each looked up once (and built once per ledger:
/// building an engine parses the whole library).
pub(crate) struct Sets<'l> {
    ledger: &'l Ledger,
    built: HashMap<(String, String), Rc<Set>>,
}

/// A stored policy set with what supervision asks of it, looked up once per policy.
pub(crate) struct Set {
    set: std::sync::Arc<PolicySet>,
    payout_days: u32,
}

impl<'l> Sets<'l> {
    pub(crate) fn new(ledger: &'l Ledger) -> Self {
        Sets { ledger, built: HashMap::new() }
    }

    /// The set a claim was decided by, with its calendar.
    pub(crate) fn get(&mut self, hash: &str, calendar: &str) -> Result<Rc<Set>, LedgerError> {
        let key = (hash.to_owned(), calendar.to_owned());
        if let Some(set) = self.built.get(&key) {
            return Ok(Rc::clone(set));
        }
        let set = self.ledger.built_policy_set(hash, calendar)?.ok_or_else(|| {
            LedgerError::Corrupt(format!("政策库版本 {hash}（日历 {calendar}）未存档，无法计算工作日"))
        })?;
        // The platform's 兑付时限 is one for the whole set: any policy's guide states it.
        let payout_days = set
            .engine()
            .policies()
            .next()
            .and_then(|p| p.guide().payout_working_days)
            .unwrap_or(PLATFORM_PAYOUT_DAYS);
        let set = Rc::new(Set { set, payout_days });
        self.built.insert(key, Rc::clone(&set));
        Ok(set)
    }
}

impl Set {
    /// The calendar the set's due dates are counted on.
    pub(crate) fn calendar(&self) -> &Calendar {
        self.set.engine().calendar()
    }

    /// The policy's `时限` in working days; `None` when it states none.
    pub(crate) fn time_limit(&self, policy: &str) -> Result<Option<u32>, LedgerError> {
        let p = self.set.engine().policy(policy).ok_or_else(|| LedgerError::UnknownPolicy {
            policy: policy.to_owned(),
            policy_set: self.set.hash().to_owned(),
        })?;
        Ok(p.info().time_limit_days)
    }

    /// The platform's `兑付时限` in working days.
    pub(crate) fn payout_days(&self) -> u32 {
        self.payout_days
    }

    /// Working days in `(start, end]` on the set's calendar (see [`Calendar::working_days`]).
    pub(crate) fn count(
        &self,
        claim: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<WorkingDays, LedgerError> {
        self.calendar().working_days(start, end).map_err(|e| calendar_error(claim, &e))
    }

    /// The `n`-th working day after `date` on the set's calendar (see [`Calendar::due_date`]).
    pub(crate) fn due(&self, claim: i64, date: NaiveDate, n: u32) -> Result<DueDate, LedgerError> {
        self.calendar().due_date(date, n).map_err(|e| calendar_error(claim, &e))
    }
}

fn calendar_error(claim: i64, e: &CalendarError) -> LedgerError {
    LedgerError::Calendar { claim, reason: e.to_string() }
}

/// The business day an event was written on: its `business_date`; for an event without one
/// (written before migration 5, or a line of a bulk screening) a screening claim's decision date
/// (the screening's date, which is the day its line was approved), else the day of its `at` in
/// China Standard Time.
pub(crate) fn event_date(
    business_date: Option<&str>,
    at: &str,
    screening: bool,
    decided_on: NaiveDate,
) -> Result<NaiveDate, LedgerError> {
    if let Some(d) = business_date {
        return crate::claim::parse_date(d);
    }
    if screening {
        return Ok(decided_on);
    }
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|_| LedgerError::Corrupt(format!("事件时间 `{at}` 无法读取")))?
        .with_timezone(&Utc);
    Ok(crate::clock::china_date(at))
}
