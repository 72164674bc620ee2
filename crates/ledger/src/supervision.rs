//! 督办 and 考核问效: which steps are late, and how each department and payer keeps its time
//! limits, counted in working days on the calendar of the policy set that decided each claim.
//!
//! **Dates.** Every step is dated on its business day: the `business_date` its event was written
//! with (the ledger's [`Ledger::today`]: the service's `--today`, else the clock's date in China).
//! An event without one (written before migration 5, or a line of a bulk screening) is dated on
//! its claim's decision date for a screening claim, else on the day of its `at` in China Standard
//! Time.
//!
//! **The steps measured**, from a claim's events in chain order:
//! - the *decision* is its first event into `approved`, `awaiting_budget` (approved on the merits,
//!   waiting for money) or `rejected`; a decision into `rejected` is a rejection, the others an
//!   approval;
//! - its *acceptance* is the last event into `accepted` before the decision. A correction asked
//!   after acceptance sends the claim back to the enterprise; once it is resubmitted and accepted
//!   again, the time limit runs afresh from the new acceptance (the enterprise's time is not the
//!   department's). A claim rejected before any acceptance (不予受理) is counted apart
//!   (`not_accepted`) and not in the figures below;
//! - the *approval* (for payers) is the event into `approved`; payment is the payout's `paid_on`.
//!
//! **Time limits.** A policy's `时限` (N working days) counts from acceptance: the decision is
//! due on `Calendar::due_date(acceptance, N)`, the N-th working day after it, and is *within the
//! time limit* when the decision date is on or before that day. Acceptance is held to the same
//! `时限` from the (last) submission. A payer's limit is the platform's `兑付时限` (1 working
//! day) from approval: paid within it when `paid_on` is on or before
//! `Calendar::due_date(approval, 兑付时限)`. A policy without `时限` has no due dates: its
//! claims are never overdue for acceptance or decision and are left out of the share within the
//! limit (but not out of the counts and working days).
//!
//! **Overdue** (as of `today`): a step is overdue when `today` is after its due date — on the due
//! date itself it is not yet. Open steps: a claim `submitted` awaits acceptance; one `accepted` or
//! `under_review` awaits its decision; an unpaid payout (claim `approved` or `payout_pushed`) is
//! overdue after its `due_on`. A claim waiting for the enterprise (`correction_requested`) or for
//! budget (`awaiting_budget`) is not overdue for the department (the latter are counted).
//!
//! **Working days** from acceptance to decision are those in `(acceptance, decision]`: a decision
//! on the day of acceptance took 0, on the next working day 1; a payer's, from approval to
//! `paid_on` alike. The median and the 90th percentile are *nearest-rank*: of the N values sorted ascending, the P-th percentile is the value of rank
//! ⌈P·N/100⌉ (the median of 4 values is the 2nd). Past the calendar's last year, days are counted
//! by weekends alone and the figures flagged `provisional`.
//!
//! **Screening claims** (channel `screening`: 免申即享 with no application and no acceptance)
//! count for payers only.
//!
//! **Payouts by month**: the payouts paid, counted and summed by the month of `paid_on`, for
//! the claims the filter selects (screening lines included), months without a payment left out.
//!
//! **Period.** With `from`/`to`, a department's decisions count when the decision date is in the
//! period, a payer's payments (and the months') when `paid_on` is; overdue steps are always those
//! open as of `today`.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::claim::{parse_date, parse_state, Channel};
use crate::db::Param;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::state::State;
use crate::working_days::{event_date, Sets};

/// Which claims a report covers: all by default; one department's or one payer's for a role
/// scoped to it; decisions and payments within a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
pub struct SupervisionFilter {
    /// Only this department's claims.
    pub department: Option<String>,
    /// Only claims whose payout this payer makes (claims not yet approved have none).
    pub payer: Option<String>,
    /// Decisions and payments on or after this day.
    pub from: Option<NaiveDate>,
    /// Decisions and payments on or before this day.
    pub to: Option<NaiveDate>,
}

/// The step a claim is late in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 受理: a submitted claim not accepted within the policy's 时限.
    Acceptance,
    /// 审批: an accepted claim not decided within the policy's 时限.
    Decision,
    /// 兑付: an approved payout not paid by its due date.
    Payment,
}

impl Step {
    /// The step in Chinese (`受理`).
    pub fn word(self) -> &'static str {
        match self {
            Step::Acceptance => "受理",
            Step::Decision => "审批",
            Step::Payment => "兑付",
        }
    }
}

/// One step not taken by its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueStep {
    /// The claim.
    pub claim: i64,
    /// The enterprise's code.
    pub enterprise: String,
    /// The policy id.
    pub policy: String,
    /// The department whose policy it is.
    pub department: String,
    /// Who pays (a payment step, or any approved claim).
    pub payer: Option<String>,
    /// The step that is late.
    pub step: Step,
    /// The day its time started: submission, acceptance, or approval.
    pub since: NaiveDate,
    /// The last day it could be taken on time.
    pub due: NaiveDate,
    /// Working days in `(due, today]`: 0 on a weekend right after a Friday due date.
    pub working_days_late: i64,
    /// Counted partly past the calendar's last year (weekends only).
    pub provisional: bool,
}

/// One department's figures (applications only; screening claims count for payers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentFigures {
    /// The department.
    pub department: String,
    /// Claims accepted and then decided (in the period).
    pub decided: u64,
    /// Of those, approved (or approved and waiting for budget).
    pub approved: u64,
    /// Of those, rejected.
    pub rejected: u64,
    /// `rejected / decided`, to four places; `None` when nothing was decided.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.2500"))]
    pub rejection_rate: Option<Decimal>,
    /// Rejected before any acceptance (不予受理), not in the figures above.
    pub not_accepted: u64,
    /// The median of the working days from acceptance to decision (nearest rank).
    pub median_working_days: Option<i64>,
    /// The 90th percentile of the same (nearest rank).
    pub p90_working_days: Option<i64>,
    /// Decided claims whose policy has a 时限.
    pub with_time_limit: u64,
    /// Of those, decided on or before the due date.
    pub within_time_limit: u64,
    /// `within_time_limit / with_time_limit`, to four places.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.7500"))]
    pub share_within_time_limit: Option<Decimal>,
    /// Claims now waiting for budget.
    pub awaiting_budget: u64,
    /// Claims now overdue for acceptance.
    pub overdue_acceptance: u64,
    /// Claims now overdue for decision.
    pub overdue_decision: u64,
    /// Payouts of its claims now overdue.
    pub overdue_payouts: u64,
}

/// One payer's figures (applications and screening lines alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayerFigures {
    /// The payer.
    pub payer: String,
    /// Payouts paid (in the period).
    pub paid: u64,
    /// Of those, paid within the platform's 兑付时限 (1 working day) of approval.
    pub paid_within_limit: u64,
    /// `paid_within_limit / paid`, to four places.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.9500"))]
    pub share_paid_within_limit: Option<Decimal>,
    /// The median of the working days from approval to payment (nearest rank).
    pub median_working_days: Option<i64>,
    /// The 90th percentile of the same (nearest rank).
    pub p90_working_days: Option<i64>,
    /// Payouts not paid yet.
    pub unpaid: u64,
    /// Of those, past their due date.
    pub overdue_payouts: u64,
}

/// The payouts paid in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Payouts paid in it.
    pub paid: u64,
    /// Their total, in 元.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "120000.00"))]
    pub amount: Decimal,
}

/// The supervision report (`GET /v1/supervision`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Supervision {
    /// The day it was made for.
    pub today: NaiveDate,
    /// The period's first day, if any.
    pub from: Option<NaiveDate>,
    /// The period's last day, if any.
    pub to: Option<NaiveDate>,
    /// Every step now late, by due date then claim.
    pub overdue: Vec<OverdueStep>,
    /// By department.
    pub departments: Vec<DepartmentFigures>,
    /// By payer.
    pub payers: Vec<PayerFigures>,
    /// Payouts paid, by month of payment, oldest first.
    pub months: Vec<MonthFigures>,
    /// Some figure was counted past the calendar's last year (weekends only) and may change
    /// when the year's holidays are added.
    pub provisional: bool,
}

/// A claim with its payout, as the report reads it.
struct Row {
    id: i64,
    enterprise: String,
    policy: String,
    department: String,
    screening: bool,
    state: State,
    policy_set: String,
    calendar: String,
    /// Payer, due date, payment date, amount in 分.
    payout: Option<(String, NaiveDate, Option<NaiveDate>, i64)>,
}

/// The nearest-rank P-th percentile of ascending values: the value of rank ⌈P·N/100⌉.
fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    let rank = percent.saturating_mul(sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// `part / whole` to four places; `None` for an empty whole.
fn share(part: u64, whole: u64) -> Option<Decimal> {
    Decimal::from(part)
        .checked_div(Decimal::from(whole))
        .map(|r| r.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero))
}

/// Whether a day lies in the period.
fn in_period(filter: &SupervisionFilter, day: NaiveDate) -> bool {
    filter.from.is_none_or(|f| day >= f) && filter.to.is_none_or(|t| day <= t)
}

/// The date of the last of these events into `state`.
fn last_into(events: &[(State, NaiveDate)], state: State) -> Option<NaiveDate> {
    events.iter().rev().find(|(s, _)| *s == state).map(|(_, d)| *d)
}

/// A department's working days, before they become its figures.
#[derive(Default)]
struct Tally {
    figures: DepartmentFigures,
    days: Vec<i64>,
}

/// A payer's working days, before they become its figures.
#[derive(Default)]
struct PayerTally {
    figures: PayerFigures,
    days: Vec<i64>,
}

impl Ledger {
    /// The supervision report as of `today` for the claims `filter` selects; see the module
    /// documentation for what each figure counts.
    pub fn supervision(
        &self,
        today: NaiveDate,
        filter: &SupervisionFilter,
    ) -> Result<Supervision, LedgerError> {
        let department = filter.department.as_deref().unwrap_or("");
        let payer = filter.payer.as_deref().unwrap_or("");
        let (rows, events) = self.read(|tx| {
            let rows = tx
                .query(
                    "SELECT c.id, c.enterprise, c.policy, c.department, c.channel, c.state, c.decided_on, \
                     c.policy_set, c.calendar, p.payer, p.due_on, p.paid_on, p.amount_fen \
                     FROM claims c LEFT JOIN payouts p ON p.claim = c.id \
                     WHERE ($1 = '' OR c.department = $1) AND ($2 = '' OR p.payer = $2) ORDER BY c.id",
                    &[Param::Text(department), Param::Text(payer)],
                )?
                .iter()
                .map(|r| {
                    let payout = match r.opt_text(9)? {
                        Some(payer) => Some((
                            payer.to_owned(),
                            parse_date(r.text(10)?)?,
                            r.opt_text(11)?.map(parse_date).transpose()?,
                            r.int(12)?,
                        )),
                        None => None,
                    };
                    Ok((
                        Row {
                            id: r.int(0)?,
                            enterprise: r.text(1)?.to_owned(),
                            policy: r.text(2)?.to_owned(),
                            department: r.text(3)?.to_owned(),
                            screening: r.text(4)? == Channel::Screening.as_str(),
                            state: parse_state(r.text(5)?)?,
                            policy_set: r.text(7)?.to_owned(),
                            calendar: r.text(8)?.to_owned(),
                            payout,
                        },
                        parse_date(r.text(6)?)?,
                    ))
                })
                .collect::<Result<Vec<_>, LedgerError>>()?;
            let events = tx.query(
                "SELECT e.claim, e.to_state, e.at, e.business_date FROM events e JOIN claims c ON c.id = e.claim \
                 WHERE e.to_state IN ('submitted', 'accepted', 'approved', 'awaiting_budget', 'rejected') \
                 AND ($1 = '' OR c.department = $1) ORDER BY e.seq",
                &[Param::Text(department)],
            )?;
            Ok((rows, events))
        })?;
        let mut claims: HashMap<i64, (bool, NaiveDate)> = HashMap::with_capacity(rows.len());
        for (row, decided_on) in &rows {
            claims.insert(row.id, (row.screening, *decided_on));
        }
        let mut timeline: HashMap<i64, Vec<(State, NaiveDate)>> = HashMap::with_capacity(rows.len());
        for e in &events {
            let claim = e.int(0)?;
            // Events of claims the payer filter left out.
            let Some((screening, decided_on)) = claims.get(&claim) else { continue };
            let date = event_date(e.opt_text(3)?, e.text(2)?, *screening, *decided_on)?;
            timeline.entry(claim).or_default().push((parse_state(e.text(1)?)?, date));
        }

        let mut sets = Sets::new(self);
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        let mut payers: BTreeMap<String, PayerTally> = BTreeMap::new();
        // Month → (payouts paid, 分).
        let mut months: BTreeMap<String, (u64, i64)> = BTreeMap::new();
        let mut overdue = Vec::new();
        let mut provisional = false;
        for (c, _) in &rows {
            let set = sets.get(&c.policy_set, &c.calendar)?;
            let events = timeline.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            let late = |step, since, due: huiqi_engine::DueDate| -> Result<OverdueStep, LedgerError> {
                let count = set.count(c.id, due.date, today)?;
                Ok(OverdueStep {
                    claim: c.id,
                    enterprise: c.enterprise.clone(),
                    policy: c.policy.clone(),
                    department: c.department.clone(),
                    payer: c.payout.as_ref().map(|p| p.0.clone()),
                    step,
                    since,
                    due: due.date,
                    working_days_late: count.days,
                    provisional: due.provisional || count.provisional,
                })
            };
            if !c.screening {
                let tally = tallies.entry(c.department.clone()).or_default();
                let limit = set.time_limit(&c.policy)?;
                let decision = events.iter().position(|(s, _)| {
                    matches!(s, State::Approved | State::AwaitingBudget | State::Rejected)
                });
                if let Some((i, (to, decided))) = decision.and_then(|i| Some((i, *events.get(i)?))) {
                    let accepted = last_into(events.get(..i).unwrap_or_default(), State::Accepted);
                    if in_period(filter, decided) {
                        let f = &mut tally.figures;
                        match accepted {
                            None => f.not_accepted += u64::from(to == State::Rejected),
                            Some(accepted) => {
                                f.decided += 1;
                                if to == State::Rejected {
                                    f.rejected += 1;
                                } else {
                                    f.approved += 1;
                                }
                                let took = set.count(c.id, accepted, decided)?;
                                provisional |= took.provisional;
                                tally.days.push(took.days);
                                if let Some(n) = limit {
                                    let due = set.due(c.id, accepted, n)?;
                                    provisional |= due.provisional;
                                    f.with_time_limit += 1;
                                    f.within_time_limit += u64::from(decided <= due.date);
                                }
                            }
                        }
                    }
                }
                let f = &mut tally.figures;
                f.awaiting_budget += u64::from(c.state == State::AwaitingBudget);
                let open = match c.state {
                    State::Submitted => Some((Step::Acceptance, State::Submitted)),
                    State::Accepted | State::UnderReview => Some((Step::Decision, State::Accepted)),
                    _ => None,
                };
                if let (Some((step, from)), Some(n)) = (open, limit) {
                    if let Some(since) = last_into(events, from) {
                        let due = set.due(c.id, since, n)?;
                        if today > due.date {
                            let item = late(step, since, due)?;
                            provisional |= item.provisional;
                            overdue.push(item);
                            match step {
                                Step::Acceptance => f.overdue_acceptance += 1,
                                _ => f.overdue_decision += 1,
                            }
                        }
                    }
                }
            }
            let Some((payer, due_on, paid_on, fen)) = &c.payout else { continue };
            let tally = payers.entry(payer.clone()).or_insert_with(|| PayerTally {
                figures: PayerFigures { payer: payer.clone(), ..Default::default() },
                days: Vec::new(),
            });
            let p = &mut tally.figures;
            let approved = last_into(events, State::Approved)
                .ok_or_else(|| LedgerError::Corrupt(format!("申报 {} 有兑付记录，却没有批准的事件", c.id)))?;
            match paid_on {
                Some(paid) if in_period(filter, *paid) => {
                    p.paid += 1;
                    let due = set.due(c.id, approved, set.payout_days())?;
                    provisional |= due.provisional;
                    p.paid_within_limit += u64::from(*paid <= due.date);
                    let took = set.count(c.id, approved, *paid)?;
                    provisional |= took.provisional;
                    tally.days.push(took.days);
                    let month = months.entry(paid.format("%Y-%m").to_string()).or_default();
                    month.0 += 1;
                    month.1 = month.1.checked_add(*fen).ok_or_else(|| {
                        LedgerError::Corrupt(format!("{} 月兑付金额之和超出可记范围", paid.format("%Y-%m")))
                    })?;
                }
                Some(_) => {}
                None => {
                    p.unpaid += 1;
                    if today > *due_on {
                        let item = late(
                            Step::Payment,
                            approved,
                            huiqi_engine::DueDate { date: *due_on, provisional: false },
                        )?;
                        provisional |= item.provisional;
                        overdue.push(item);
                        p.overdue_payouts += 1;
                        if !c.screening {
                            if let Some(t) = tallies.get_mut(&c.department) {
                                t.figures.overdue_payouts += 1;
                            }
                        }
                    }
                }
            }
        }
        overdue.sort_by_key(|o| (o.due, o.claim, o.step));
        let departments = tallies
            .into_iter()
            .map(|(department, mut t)| {
                t.days.sort_unstable();
                let f = t.figures;
                DepartmentFigures {
                    department,
                    rejection_rate: share(f.rejected, f.decided),
                    median_working_days: nearest_rank(&t.days, 50),
                    p90_working_days: nearest_rank(&t.days, 90),
                    share_within_time_limit: share(f.within_time_limit, f.with_time_limit),
                    ..f
                }
            })
            .collect();
        let payers = payers
            .into_values()
            .map(|mut t| {
                t.days.sort_unstable();
                let p = t.figures;
                PayerFigures {
                    share_paid_within_limit: share(p.paid_within_limit, p.paid),
                    median_working_days: nearest_rank(&t.days, 50),
                    p90_working_days: nearest_rank(&t.days, 90),
                    ..p
                }
            })
            .collect();
        let months = months
            .into_iter()
            .map(|(month, (paid, fen))| MonthFigures { month, paid, amount: crate::money::from_fen(fen) })
            .collect();
        Ok(Supervision {
            today,
            from: filter.from,
            to: filter.to,
            overdue,
            departments,
            payers,
            months,
            provisional,
        })
    }
}

/// `part / whole` as a percentage to one place (`83.3%`), computed once from the counts; empty
/// for an empty whole.
fn percent(part: u64, whole: u64) -> String {
    Decimal::from(part)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(Decimal::from(whole)))
        .map(|p| {
            let mut p = p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
            // Always one place, `100.0%` as `66.7%`.
            p.rescale(1);
            format!("{p}%")
        })
        .unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Records as CSV (a heading line is a record of one field).
fn csv_text(records: &[Vec<String>]) -> Result<String, LedgerError> {
    let fail = |e: &dyn std::fmt::Display| LedgerError::Corrupt(format!("督办报表无法写出：{e}"));
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for r in records {
        w.write_record(r).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

fn texts<const N: usize>(fields: [&str; N]) -> Vec<String> {
    fields.iter().map(|f| (*f).to_owned()).collect()
}

impl Supervision {
    /// The report for the leading group as CSV (UTF-8 with a BOM, so Excel reads it): a title
    /// line (and a note when dates are provisional), then four tables under their headings —
    /// 一、各部门办理情况, 二、各付款单位兑付情况, 三、逾期事项, 四、各月兑付情况 — each with its Chinese header row,
    /// separated by empty lines. Shares are percentages to one place, from the counts.
    pub fn to_csv(&self) -> Result<String, LedgerError> {
        let mut title = format!("惠企政策兑现督办报表（截至 {}", self.today);
        if self.from.is_some() || self.to.is_some() {
            title = format!("{title}；统计期 {} 至 {}", opt(self.from), opt(self.to));
        }
        title.push('）');
        let mut head = vec![vec![title]];
        if self.provisional {
            head.push(texts(["注：部分日期超出日历所含年份，暂按周末推算，待该年节假日安排加入后可能变化"]));
        }
        let mut departments = vec![
            texts(["一、各部门办理情况"]),
            texts([
                "部门",
                "已办结",
                "批准",
                "驳回",
                "驳回率",
                "不予受理",
                "办理用时中位数（工作日）",
                "办理用时第90百分位（工作日）",
                "有时限的办结数",
                "按时办结数",
                "按时办结率",
                "待预算",
                "逾期未受理",
                "逾期未审批",
                "逾期未兑付",
            ]),
        ];
        departments.extend(self.departments.iter().map(|d| {
            vec![
                d.department.clone(),
                d.decided.to_string(),
                d.approved.to_string(),
                d.rejected.to_string(),
                percent(d.rejected, d.decided),
                d.not_accepted.to_string(),
                opt(d.median_working_days),
                opt(d.p90_working_days),
                d.with_time_limit.to_string(),
                d.within_time_limit.to_string(),
                percent(d.within_time_limit, d.with_time_limit),
                d.awaiting_budget.to_string(),
                d.overdue_acceptance.to_string(),
                d.overdue_decision.to_string(),
                d.overdue_payouts.to_string(),
            ]
        }));
        let mut payers = vec![
            texts(["二、各付款单位兑付情况"]),
            texts([
                "付款单位",
                "已兑付",
                "兑付时限内兑付",
                "按时兑付率",
                "兑付用时中位数（工作日）",
                "兑付用时第90百分位（工作日）",
                "未兑付",
                "逾期未兑付",
            ]),
        ];
        payers.extend(self.payers.iter().map(|p| {
            vec![
                p.payer.clone(),
                p.paid.to_string(),
                p.paid_within_limit.to_string(),
                percent(p.paid_within_limit, p.paid),
                opt(p.median_working_days),
                opt(p.p90_working_days),
                p.unpaid.to_string(),
                p.overdue_payouts.to_string(),
            ]
        }));
        let mut overdue = vec![
            texts(["三、逾期事项"]),
            texts([
                "申报编号",
                "统一社会信用代码",
                "政策",
                "部门",
                "付款单位",
                "逾期环节",
                "起算日",
                "应办结日",
                "逾期工作日",
                "日期待定",
            ]),
        ];
        overdue.extend(self.overdue.iter().map(|o| {
            vec![
                o.claim.to_string(),
                o.enterprise.clone(),
                o.policy.clone(),
                o.department.clone(),
                o.payer.clone().unwrap_or_default(),
                o.step.word().to_owned(),
                o.since.to_string(),
                o.due.to_string(),
                o.working_days_late.to_string(),
                if o.provisional { "是".to_owned() } else { String::new() },
            ]
        }));
        let mut months = vec![texts(["四、各月兑付情况"]), texts(["月份", "兑付笔数", "兑付金额（元）"])];
        months.extend(
            self.months.iter().map(|m| vec![m.month.clone(), m.paid.to_string(), m.amount.to_string()]),
        );
        let tables = [head, departments, payers, overdue, months]
            .iter()
            .map(|t| csv_text(t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("\u{feff}{}", tables.join("\n")))
    }
}
