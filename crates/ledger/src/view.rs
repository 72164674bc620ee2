//! 进度查询: a claim as its caller may see it — its decision, its timeline, what is next and by
//! when — and lists of claims scoped to the caller's role. Bank accounts are whole only for the
//! payer (issue 15: everyone else, admins included, sees them masked); every read of a claim by
//! staff is recorded.

use chrono::NaiveDate;
use serde::Serialize;

use crate::claim::parse_state;
use crate::db::{Param, Row, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::from_fen;
use crate::role::{Principal, Role, Scope};
use crate::state::State;

/// A claim with everything 进度查询 shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimView {
    /// Its id.
    pub id: i64,
    /// The enterprise.
    pub enterprise: EnterpriseView,
    /// The policy, its title and department (from its decision).
    pub policy: String,
    /// The policy's title.
    pub title: String,
    /// Its department.
    pub department: String,
    /// 免申即享, 即申即享 or 承诺兑现.
    pub mode: String,
    /// What the policy pays per, `""` when per enterprise.
    pub item: String,
    /// The period claimed for.
    pub period: String,
    /// `online`, `window` or `screening`.
    pub channel: String,
    /// The written commitment of a 承诺兑现 application.
    pub commitment: String,
    /// Where it stands (`under_review`).
    pub state: String,
    /// The same in Chinese (`审核中`).
    pub state_word: String,
    /// The date the enterprise applied (the decision's date for a screening line).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub applied_on: NaiveDate,
    /// The next step, who takes it and by when; `null` when the claim is finished.
    pub next: Option<NextStep>,
    /// The latest decision, as the engine's documented JSON (as stored: parse it to look inside).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub decision: Box<serde_json::value::RawValue>,
    /// The decision's amount, 元 (`"50000.00"`); `null` without one.
    pub amount: Option<String>,
    /// The payout, once approved.
    pub payout: Option<PayoutView>,
    /// Every step so far, in order.
    pub timeline: Vec<TimelineStep>,
    /// A broken commitment's clawback.
    pub clawback: Option<ClawbackView>,
    /// What the enterprise was sent (docs/notifications.md), and whether it arrived.
    pub notifications: Vec<NoticeView>,
}

/// A notification as the claim shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeView {
    /// Its id (the webhook's `Idempotency-Key`).
    pub id: i64,
    /// `accepted`, `correction_requested`, `approved`, `rejected`, `paid`, `commitment_broken`.
    pub kind: String,
    /// The message as sent.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub message: serde_json::Value,
    /// When it was written, with the step (RFC 3339).
    pub created_at: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// When the platform's message centre acknowledged it; `null` while it is still being sent.
    pub delivered_at: Option<String>,
}

/// The enterprise as the caller may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseView {
    /// 统一社会信用代码.
    pub uscc: String,
    /// 名称.
    pub name: String,
    /// 开户行.
    pub bank: String,
    /// 账号: whole for the payer, masked for everyone else (`6222****1234`).
    pub account: String,
}

/// What is next.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextStep {
    /// The step, in Chinese (`受理`, `审核决定`, `兑付`).
    pub step: String,
    /// Who takes it (`区工信局`, `区行政审批局`, `企业`).
    pub by: String,
    /// By when; `null` when no time limit applies (waiting for the enterprise or for budget).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<NaiveDate>,
    /// Counted past the working-day calendar's end (weekends only): to be confirmed.
    pub provisional: bool,
    /// Past its due date on the service's date.
    pub overdue: bool,
}

/// A payout as the claim shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutView {
    /// Its id (for `/v1/payouts/{id}/paid`).
    pub id: i64,
    /// Who pays.
    pub payer: String,
    /// 元.
    pub amount: String,
    /// Each funder's share.
    pub shares: Vec<ShareView>,
    /// By when.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// When paid.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub paid_on: Option<NaiveDate>,
    /// The bank's reference.
    pub reference: Option<String>,
    /// Its installments (`分期`) with where each stands; empty when not split.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub installments: Vec<crate::installment::InstallmentView>,
}

/// One funder's share.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareView {
    /// 市 or 区.
    pub funder: String,
    /// 元.
    pub amount: String,
}

/// One step of the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineStep {
    /// The state it moved to (`accepted`).
    pub state: String,
    /// In Chinese.
    pub word: String,
    /// Who.
    pub who: String,
    /// In which role.
    pub role: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why (a rejection's or a correction's reason, a review's note).
    pub reason: String,
}

/// A clawback of a broken commitment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClawbackView {
    /// 元 to recover.
    pub amount: String,
    /// Why.
    pub reason: String,
    /// When recorded.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub recorded_on: NaiveDate,
}

/// Which claims a list shows (within the caller's scope).
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// In this state.
    pub state: Option<State>,
    /// Of this policy.
    pub policy: Option<String>,
    /// Of this department's policies.
    pub department: Option<String>,
    /// Only those whose next step is past due (`true`) or not (`false`).
    pub overdue: Option<bool>,
    /// After this id (the list is in id order), for the next page.
    pub after: Option<i64>,
    /// At most this many (1–1000; 100 when not given).
    pub limit: Option<u32>,
}

/// One claim in a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimSummary {
    /// Its id.
    pub id: i64,
    /// 统一社会信用代码.
    pub enterprise: String,
    /// 名称.
    pub name: String,
    /// The policy.
    pub policy: String,
    /// Its department.
    pub department: String,
    /// 免申即享, 即申即享 or 承诺兑现.
    pub mode: String,
    /// The item.
    pub item: String,
    /// Where it stands.
    pub state: String,
    /// In Chinese.
    pub state_word: String,
    /// The decision's amount, 元.
    pub amount: Option<String>,
    /// By when the next step is due.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<NaiveDate>,
    /// Past that date.
    pub overdue: bool,
}

/// The last four characters shown, the rest (at least four) as `*`: `6222021234` → `******1234`.
fn mask(account: &str) -> String {
    let chars: Vec<char> = account.chars().collect();
    let tail: String = chars.iter().skip(chars.len().saturating_sub(4)).collect();
    let hidden = chars.len().saturating_sub(4).max(4);
    format!("{}{tail}", "*".repeat(hidden))
}

fn opt_date(r: &Row, i: usize) -> Result<Option<NaiveDate>, LedgerError> {
    r.opt_text(i)?.map(crate::claim::parse_date).transpose()
}

/// What is next for a claim in `state` (the payout's due date once approved).
fn next_step(
    state: State,
    mode: &str,
    department: &str,
    due: Option<NaiveDate>,
    provisional: bool,
    payout: Option<&PayoutView>,
    today: NaiveDate,
) -> Option<NextStep> {
    let (step, by, due_on) = match state {
        State::Submitted => ("受理", "惠企专窗或".to_owned() + department, due),
        State::Accepted | State::UnderReview => ("审核决定", department.to_owned(), due),
        State::CorrectionRequested => ("补正后重新提交", "企业".to_owned(), None),
        State::AwaitingBudget => ("安排预算后批准", "区财政局".to_owned(), None),
        State::Approved | State::PayoutPushed => {
            ("兑付", payout.map_or_else(String::new, |p| p.payer.clone()), payout.map(|p| p.due_on))
        }
        State::Paid if mode == "承诺兑现" => ("告知企业；核验承诺", department.to_owned(), None),
        State::Paid => ("告知企业", "平台".to_owned(), None),
        State::Notified if mode == "承诺兑现" => ("核验承诺", department.to_owned(), None),
        State::Notified | State::Rejected | State::CommitmentVerified | State::CommitmentBroken => {
            return None
        }
    };
    let overdue = due_on.is_some_and(|d| d < today);
    Some(NextStep {
        step: step.to_owned(),
        by,
        due_on,
        provisional: provisional && due_on.is_some(),
        overdue,
    })
}

/// The payout of a claim's row in [`VIEW`] (its columns from 18), with its shares.
fn payout_view(tx: &mut dyn Tx, r: &Row) -> Result<Option<PayoutView>, LedgerError> {
    let Some(id) = r.opt_int(18)? else {
        return Ok(None);
    };
    let shares = tx
        .query(
            "SELECT funder, amount_fen FROM payout_shares WHERE payout = $1 ORDER BY funder",
            &[Param::Int(id)],
        )?
        .iter()
        .map(|s| Ok(ShareView { funder: s.text(0)?.to_owned(), amount: from_fen(s.int(1)?).to_string() }))
        .collect::<Result<Vec<_>, LedgerError>>()?;
    Ok(Some(PayoutView {
        id,
        payer: r.text(19)?.to_owned(),
        amount: from_fen(r.int(20)?).to_string(),
        shares,
        due_on: crate::claim::parse_date(r.text(21)?)?,
        paid_on: opt_date(r, 22)?,
        reference: r.opt_text(23)?.map(str::to_owned),
        installments: crate::installment::installments(tx, id)?,
    }))
}

/// A claim with its enterprise, payout and clawback (at most one each: `payouts.claim` is
/// unique, `clawbacks.claim` the key), in one statement rather than three.
const VIEW: &str = "SELECT c.enterprise, e.name, e.bank, e.account, c.policy, c.department, c.mode, c.item, \
     c.period, c.channel, c.commitment, c.state, c.applied_on, c.decided_on, c.due_on, c.due_provisional, \
     c.decision, c.amount_fen, p.id, p.payer, p.amount_fen, p.due_on, p.paid_on, p.bank_ref, k.amount_fen, \
     k.reason, k.recorded_on FROM claims c JOIN enterprises e ON e.uscc = c.enterprise \
     LEFT JOIN payouts p ON p.claim = c.id LEFT JOIN clawbacks k ON k.claim = c.id WHERE c.id = $1";

/// The one field of a stored decision the view reads; the rest is passed on as written.
#[derive(serde::Deserialize)]
struct Titled<'a> {
    #[serde(borrow, default)]
    title: Option<std::borrow::Cow<'a, str>>,
}

impl Ledger {
    /// The claim as `who` may see it on `today` (the date overdue is judged on). A claim outside
    /// the caller's scope is [`LedgerError::Hidden`]; a staff read is recorded with it.
    pub fn claim_view(
        &self,
        who: &Principal,
        claim: i64,
        today: NaiveDate,
    ) -> Result<ClaimView, LedgerError> {
        if who.role().is_staff() {
            self.write(|tx| seen(tx, who, claim, today))
        } else {
            self.read(|tx| view(tx, who, claim, today, Fresh::No))
        }
    }

    /// Claims within `who`'s scope that pass the filter, in id order.
    pub fn claims(
        &self,
        who: &Principal,
        filter: &ClaimFilter,
        today: NaiveDate,
    ) -> Result<Vec<ClaimSummary>, LedgerError> {
        self.read(|tx| list(tx, who, filter, today))
    }

    /// 审核台's queue: the claims waiting for `who` to act, the soonest due first (those without a
    /// due date last, then by id), at most `limit` (1–1000). Window staff see every department's
    /// claims waiting for acceptance; a reviewer its department's waiting for acceptance or a
    /// decision; an admin all of these. Other roles do not act on claims and are refused.
    pub fn review_queue(
        &self,
        who: &Principal,
        today: NaiveDate,
        limit: u32,
    ) -> Result<Vec<ClaimSummary>, LedgerError> {
        who.require(&[Role::Window, Role::Reviewer, Role::Admin], "查看待办申报")?;
        // Window staff accept (or send back); the decision is the department's.
        let decides = i64::from(who.role() != Role::Window);
        let department = who.department().unwrap_or("");
        let limit = i64::from(limit.clamp(1, 1000));
        self.read(|tx| {
            let rows = tx.query(
                "SELECT c.id, c.enterprise, e.name, c.policy, c.department, c.mode, c.item, c.state, c.amount_fen, \
                 c.due_on FROM claims c JOIN enterprises e ON e.uscc = c.enterprise \
                 WHERE ($1 = '' OR c.department = $1) \
                 AND (c.state = 'submitted' OR ($2 = 1 AND c.state IN ('accepted', 'under_review'))) \
                 ORDER BY CASE WHEN c.due_on IS NULL THEN 1 ELSE 0 END, c.due_on, c.id LIMIT $3",
                &[Param::Text(department), Param::Int(decides), Param::Int(limit)],
            )?;
            rows.iter().map(|r| summary(r, today)).collect()
        })
    }

    /// The facts a claim was last submitted with (JSON, as given), for staff reviewing it and
    /// the enterprise itself; a claim outside `who`'s scope is [`LedgerError::Hidden`].
    pub fn claim_facts(&self, who: &Principal, claim: i64) -> Result<serde_json::Value, LedgerError> {
        self.read(|tx| {
            let r = tx
                .query_opt(
                    "SELECT c.enterprise, c.department, p.payer, c.facts FROM claims c \
                     LEFT JOIN payouts p ON p.claim = c.id WHERE c.id = $1",
                    &[Param::Int(claim)],
                )?
                .ok_or(LedgerError::Hidden(claim))?;
            let scope = Scope { enterprise: r.text(0)?, department: r.text(1)?, payer: r.opt_text(2)? };
            if !who.sees(&scope) {
                return Err(LedgerError::Hidden(claim));
            }
            serde_json::from_str(r.text(3)?)
                .map_err(|e| LedgerError::Corrupt(format!("申报 {claim} 的事实无法读取：{e}")))
        })
    }

    /// The staff who read a claim: `(who, role, at)`, in order.
    pub fn claim_reads(&self, claim: i64) -> Result<Vec<(String, String, String)>, LedgerError> {
        self.read(|tx| {
            tx.query(
                "SELECT who, role, at FROM claim_reads WHERE claim = $1 ORDER BY id",
                &[Param::Int(claim)],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?.to_owned(), r.text(1)?.to_owned(), r.text(2)?.to_owned())))
            .collect()
        })
    }
}

/// The claim as `who` sees it, in the caller's (write) transaction, a staff read recorded.
pub(crate) fn seen(
    tx: &mut dyn Tx,
    who: &Principal,
    claim: i64,
    today: NaiveDate,
) -> Result<ClaimView, LedgerError> {
    seen_as(tx, who, claim, today, Fresh::No)
}

/// Whether the claim was inserted in this transaction and has no event yet: then it has no
/// timeline and no notifications to read either (its id is new), and two statements are saved.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fresh {
    No,
    BeforeItsEvent,
}

/// [`seen`], of a claim that may be [`Fresh`].
pub(crate) fn seen_as(
    tx: &mut dyn Tx,
    who: &Principal,
    claim: i64,
    today: NaiveDate,
    fresh: Fresh,
) -> Result<ClaimView, LedgerError> {
    let v = view(tx, who, claim, today, fresh)?;
    if who.role().is_staff() {
        let now = crate::clock::now();
        let actor = who.actor();
        tx.execute(
            "INSERT INTO claim_reads (claim, who, role, at) VALUES ($1, $2, $3, $4)",
            &[Param::Int(claim), Param::Text(&actor.who), Param::Text(&actor.role), Param::Text(&now)],
        )?;
    }
    Ok(v)
}

/// An event as the timeline shows it.
pub(crate) fn timeline_step(e: &crate::chain::Event) -> TimelineStep {
    TimelineStep {
        state: e.to.as_str().to_owned(),
        word: e.to.word().to_owned(),
        who: e.actor.clone(),
        role: e.role.clone(),
        at: e.at.clone(),
        reason: e.reason.clone(),
    }
}

fn view(
    tx: &mut dyn Tx,
    who: &Principal,
    claim: i64,
    today: NaiveDate,
    fresh: Fresh,
) -> Result<ClaimView, LedgerError> {
    let r = tx.query_opt(VIEW, &[Param::Int(claim)])?.ok_or(LedgerError::Hidden(claim))?;
    let payout = payout_view(tx, &r)?;
    let (enterprise, department) = (r.text(0)?.to_owned(), r.text(5)?.to_owned());
    let scope = Scope {
        enterprise: &enterprise,
        department: &department,
        payer: payout.as_ref().map(|p| p.payer.as_str()),
    };
    if !who.sees(&scope) {
        return Err(LedgerError::Hidden(claim));
    }
    let state = parse_state(r.text(11)?)?;
    let mode = r.text(6)?.to_owned();
    // Passed on as stored, checked to be JSON but not built into a tree and written out again:
    // that was a quarter of a claim view's time (docs/performance.md, "Workflow over HTTP").
    let corrupt = |e: serde_json::Error| LedgerError::Corrupt(format!("申报 {claim} 的决定无法读取：{e}"));
    let decision = serde_json::value::RawValue::from_string(r.text(16)?.to_owned()).map_err(corrupt)?;
    // An old decision without a title shows none.
    let title =
        serde_json::from_str::<Titled<'_>>(decision.get()).map_err(corrupt)?.title.unwrap_or_default();
    let title = title.into_owned();
    let applied_on = match r.text(12)? {
        "" => crate::claim::parse_date(r.text(13)?)?,
        text => crate::claim::parse_date(text)?,
    };
    let account = r.text(3)?;
    let whole = who.role() == Role::Payer;
    let timeline = if fresh == Fresh::BeforeItsEvent { Vec::new() } else { timeline(tx, claim)? };
    let clawback = match r.opt_int(24)? {
        Some(amount) => Some(ClawbackView {
            amount: from_fen(amount).to_string(),
            reason: r.text(25)?.to_owned(),
            recorded_on: crate::claim::parse_date(r.text(26)?)?,
        }),
        None => None,
    };
    let notifications = if fresh == Fresh::BeforeItsEvent { Vec::new() } else { notifications(tx, claim)? };
    let next =
        next_step(state, &mode, &department, opt_date(&r, 14)?, r.int(15)? != 0, payout.as_ref(), today);
    Ok(ClaimView {
        id: claim,
        enterprise: EnterpriseView {
            uscc: enterprise.clone(),
            name: r.text(1)?.to_owned(),
            bank: r.text(2)?.to_owned(),
            account: if whole { account.to_owned() } else { mask(account) },
        },
        policy: r.text(4)?.to_owned(),
        title,
        department,
        mode,
        item: r.text(7)?.to_owned(),
        period: r.text(8)?.to_owned(),
        channel: r.text(9)?.to_owned(),
        commitment: r.text(10)?.to_owned(),
        state: state.as_str().to_owned(),
        state_word: state.word().to_owned(),
        applied_on,
        next,
        decision,
        amount: r.opt_int(17)?.map(|f| from_fen(f).to_string()),
        payout,
        timeline,
        clawback,
        notifications,
    })
}

/// A claim's steps, in order.
fn timeline(tx: &mut dyn Tx, claim: i64) -> Result<Vec<TimelineStep>, LedgerError> {
    tx.query(
        "SELECT to_state, actor, role, at, reason FROM events WHERE claim = $1 ORDER BY seq",
        &[Param::Int(claim)],
    )?
    .iter()
    .map(|e| {
        let to = parse_state(e.text(0)?)?;
        Ok(TimelineStep {
            state: to.as_str().to_owned(),
            word: to.word().to_owned(),
            who: e.text(1)?.to_owned(),
            role: e.text(2)?.to_owned(),
            at: e.text(3)?.to_owned(),
            reason: e.text(4)?.to_owned(),
        })
    })
    .collect::<Result<Vec<_>, LedgerError>>()
}

/// What a claim's enterprise was sent, in order.
fn notifications(tx: &mut dyn Tx, claim: i64) -> Result<Vec<NoticeView>, LedgerError> {
    tx
        .query(
            "SELECT id, kind, payload, created_at, attempts, delivered_at FROM outbox WHERE claim = $1 ORDER BY id",
            &[Param::Int(claim)],
        )?
        .iter()
        .map(|n| {
            let id = n.int(0)?;
            let mut message: serde_json::Value = serde_json::from_str(n.text(2)?)
                .map_err(|e| LedgerError::Corrupt(format!("通知 {id} 的内容无法读取：{e}")))?;
            if let Some(m) = message.as_object_mut() {
                m.insert("id".into(), id.into());
            }
            Ok(NoticeView {
                id,
                kind: n.text(1)?.to_owned(),
                message,
                created_at: n.text(3)?.to_owned(),
                attempts: n.int(4)?,
                delivered_at: n.opt_text(5)?.map(str::to_owned),
            })
        })
        .collect::<Result<Vec<_>, LedgerError>>()
}

/// The states whose next step has a due date on the claim's row (the rest wait on the payout's).
const DUE_ON_CLAIM: &str = "'submitted', 'accepted', 'under_review'";

fn list(
    tx: &mut dyn Tx,
    who: &Principal,
    f: &ClaimFilter,
    today: NaiveDate,
) -> Result<Vec<ClaimSummary>, LedgerError> {
    let limit = i64::from(f.limit.unwrap_or(100).clamp(1, 1000));
    let today_text = today.to_string();
    // One statement for every role: an empty parameter means "no condition".
    let (uscc, department, payer) = (
        who.uscc().unwrap_or(""),
        who.department().or(f.department.as_deref()).unwrap_or(""),
        who.payer().unwrap_or(""),
    );
    // The filter's department within a reviewer's own: a reviewer asking for another's sees none.
    let other_department =
        who.department().is_some() && f.department.as_deref().is_some_and(|d| Some(d) != who.department());
    if other_department {
        return Ok(Vec::new());
    }
    let overdue = match f.overdue {
        None => -1,
        Some(false) => 0,
        Some(true) => 1,
    };
    let state = f.state.map_or("", State::as_str);
    let policy = f.policy.as_deref().unwrap_or("");
    let sql = format!(
        "SELECT c.id, c.enterprise, e.name, c.policy, c.department, c.mode, c.item, c.state, c.amount_fen, \
         CASE WHEN c.state IN ({DUE_ON_CLAIM}) THEN c.due_on ELSE p.due_on END AS due \
         FROM claims c JOIN enterprises e ON e.uscc = c.enterprise LEFT JOIN payouts p ON p.claim = c.id \
         WHERE ($1 = '' OR c.enterprise = $1) AND ($2 = '' OR c.department = $2) AND ($3 = '' OR p.payer = $3) \
         AND ($4 = '' OR c.state = $4) AND ($5 = '' OR c.policy = $5) AND c.id > $6 \
         AND ($7 = -1 OR (CASE WHEN (c.state IN ({DUE_ON_CLAIM}) AND c.due_on < $8) \
              OR (c.state IN ('approved', 'payout_pushed') AND p.due_on < $8) THEN 1 ELSE 0 END) = $7) \
         ORDER BY c.id LIMIT $9"
    );
    let rows = tx.query(
        &sql,
        &[
            Param::Text(uscc),
            Param::Text(department),
            Param::Text(payer),
            Param::Text(state),
            Param::Text(policy),
            Param::Int(f.after.unwrap_or(0)),
            Param::Int(overdue),
            Param::Text(&today_text),
            Param::Int(limit),
        ],
    )?;
    rows.iter().map(|r| summary(r, today)).collect()
}

/// A list's row (id, enterprise, name, policy, department, mode, item, state, amount, due) as
/// the list shows it on `today`.
fn summary(r: &Row, today: NaiveDate) -> Result<ClaimSummary, LedgerError> {
    let state = parse_state(r.text(7)?)?;
    let due_on = opt_date(r, 9)?;
    let waits = matches!(
        state,
        State::Submitted | State::Accepted | State::UnderReview | State::Approved | State::PayoutPushed
    );
    Ok(ClaimSummary {
        id: r.int(0)?,
        enterprise: r.text(1)?.to_owned(),
        name: r.text(2)?.to_owned(),
        policy: r.text(3)?.to_owned(),
        department: r.text(4)?.to_owned(),
        mode: r.text(5)?.to_owned(),
        item: r.text(6)?.to_owned(),
        state: state.as_str().to_owned(),
        state_word: state.word().to_owned(),
        amount: r.opt_int(8)?.map(|f| from_fen(f).to_string()),
        due_on,
        overdue: waits && due_on.is_some_and(|d| d < today),
    })
}
