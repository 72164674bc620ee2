//! The three modes as a workflow: an application decided at once, then accepted, corrected,
//! reviewed, approved or rejected, paid, and (承诺兑现) verified — each step one transaction with
//! its event, checked against the caller's role, with the date the next step is due.
//!
//! Due dates, in working days on the claim's calendar: acceptance within [`ACCEPT_DAYS`] of
//! submission; the decision within the policy's `时限` of acceptance; payment within the
//! platform's `兑付时限` of approval (the payout's due date). The service's date is the caller's
//! `today`: the engine never reads the clock, and neither do these steps (events keep the clock's
//! time of writing, as every event does).

use chrono::{Datelike, NaiveDate};
use huiqi_engine::{Decision, EvalOptions, Outcome, PolicyId, PriorAward};
use sha2::{Digest, Sha256};

use crate::claim::{insert_row, lock, parse_date, set_state, Applied, Channel, Locked, NewClaim};
use crate::db::{DbError, Param, Tx};
use crate::enterprise::Enterprise;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::from_fen;
use crate::payout::{approve_locked, Approval};
use crate::policy_set::PolicySet;
use crate::role::{Action, Principal, Role, Scope};
use crate::state::{allowed, State};
use crate::view::{ClaimView, Fresh};

/// Working days the 惠企专窗 (or the department) has to accept an application: the platform's
/// rule (the reform plan sets none; 受理 is at once at the window, a day online).
pub const ACCEPT_DAYS: u32 = 1;

/// The enterprise an application is for, with what the payer needs (required the first time).
#[derive(Debug, Clone, Default)]
pub struct Applicant {
    /// 统一社会信用代码; taken from the token for an enterprise.
    pub uscc: Option<String>,
    /// 名称, 开户行, 账号: recorded or updated when given.
    pub name: Option<String>,
    /// 开户行.
    pub bank: Option<String>,
    /// 账号.
    pub account: Option<String>,
}

/// An application: what the enterprise (or the window for it) submits.
#[derive(Debug, Clone)]
pub struct Application<'a> {
    /// The policy applied for.
    pub policy: &'a str,
    /// What the policy pays per (a drama, a contract), `""` when per enterprise.
    pub item: &'a str,
    /// The facts, as given (JSON object).
    pub facts: &'a serde_json::Value,
    /// The written commitment of a 承诺兑现 application.
    pub commitment: Option<&'a str>,
    /// Online or at the window.
    pub channel: Channel,
    /// The enterprise.
    pub applicant: &'a Applicant,
}

/// What a submission came to: a new claim, or the one an earlier try with the same key made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// A new claim.
    New(i64),
    /// The claim the same `Idempotency-Key` made before.
    Again(i64),
}

impl Submitted {
    /// The claim's id either way.
    pub fn claim(self) -> i64 {
        match self {
            Submitted::New(id) | Submitted::Again(id) => id,
        }
    }
}

/// What a review came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    /// Approved: its payout recorded and pushed to the payer.
    Approved {
        /// The payout.
        payout: i64,
    },
    /// Approved on the merits, waiting for budget.
    AwaitingBudget,
    /// Rejected with the engine's reasons.
    Rejected,
}

fn scope_of<'a>(c: &'a Locked, payer: Option<&'a str>) -> Scope<'a> {
    Scope { enterprise: &c.enterprise, department: &c.department, payer }
}

fn payer_of(tx: &mut dyn Tx, claim: i64) -> Result<Option<String>, LedgerError> {
    tx.query_opt("SELECT payer FROM payouts WHERE claim = $1", &[Param::Int(claim)])?
        .map(|r| r.text(0).map(str::to_owned))
        .transpose()
}

/// Locks the claim and checks the caller may take `action` on it.
pub(crate) fn lock_for(
    tx: &mut dyn Tx,
    who: &Principal,
    claim: i64,
    action: Action,
) -> Result<Locked, LedgerError> {
    let c = match lock(tx, claim) {
        Err(LedgerError::UnknownClaim(id)) => return Err(LedgerError::Hidden(id)),
        other => other?,
    };
    let payer = payer_of(tx, claim)?;
    who.may(action, claim, &scope_of(&c, payer.as_deref()))?;
    Ok(c)
}

fn step(
    tx: &mut dyn Tx,
    who: &Principal,
    claim: i64,
    to: State,
    reason: &str,
) -> Result<Locked, LedgerError> {
    let c = lock(tx, claim)?;
    if !allowed(Some(c.state), to) {
        return Err(LedgerError::Transition { claim, from: c.state, to });
    }
    if to.needs_reason() && reason.trim().is_empty() {
        return Err(LedgerError::ReasonRequired { claim, to });
    }
    set_state(tx, &c, to, &who.actor(), reason)?;
    lock(tx, claim)
}

/// Sets by when the claim's next step is due (`None`: nothing waits on the platform).
fn set_due(tx: &mut dyn Tx, claim: i64, due: Option<(NaiveDate, bool)>) -> Result<(), LedgerError> {
    let (date, provisional) = match due {
        Some((d, p)) => (Some(d.to_string()), i64::from(p)),
        None => (None, 0),
    };
    tx.execute(
        "UPDATE claims SET due_on = $1, due_provisional = $2 WHERE id = $3",
        &[date.as_deref().into(), Param::Int(provisional), Param::Int(claim)],
    )?;
    Ok(())
}

/// `from` plus `days` working days on the set's calendar.
fn due(set: &PolicySet, from: NaiveDate, days: u32) -> Result<(NaiveDate, bool), LedgerError> {
    let d = set.engine().calendar().due_date(from, days).map_err(|e| LedgerError::DueDate(e.to_string()))?;
    Ok((d.date, d.provisional))
}

/// The decision's due date for a claim accepted on `on`: the policy's `时限`; none without one.
fn decision_due(
    set: &PolicySet,
    policy: &str,
    on: NaiveDate,
) -> Result<Option<(NaiveDate, bool)>, LedgerError> {
    match set.engine().policy(policy).and_then(|p| p.info().time_limit_days) {
        Some(days) => due(set, on, days).map(Some),
        None => Ok(None),
    }
}

/// What the enterprise has been awarded, from the ledger's payouts (the engine's history).
fn priors(tx: &mut dyn Tx, uscc: &str) -> Result<Vec<PriorAward>, LedgerError> {
    tx.query(
        "SELECT policy, COALESCE(paid_on, due_on), amount_fen, item FROM payouts WHERE enterprise = $1 ORDER BY id",
        &[Param::Text(uscc)],
    )?
    .iter()
    .map(|r| {
        Ok(PriorAward {
            policy: r.text(0)?.to_owned(),
            date: parse_date(r.text(1)?)?,
            amount: from_fen(r.int(2)?),
            item: r.text(3)?.to_owned(),
        })
    })
    .collect()
}

/// Decides one policy for the facts on `as_of`, explained, with the enterprise's history.
fn decide(
    set: &PolicySet,
    policy: &str,
    item: &str,
    facts: &serde_json::Value,
    as_of: NaiveDate,
    priors: &[PriorAward],
) -> Result<Decision, LedgerError> {
    let engine = set.engine();
    if engine.policy(policy).is_none() {
        return Err(LedgerError::NoSuchPolicy(policy.to_owned()));
    }
    let parsed = engine.schema().parse_json(facts).map_err(LedgerError::Facts)?;
    let only = [PolicyId::from(policy)];
    let item = Some(item).filter(|i| !i.is_empty());
    let options = EvalOptions { priors, only: Some(&only), explain: true, item };
    engine
        .evaluate(&parsed, as_of, &options)
        .decisions
        .into_iter()
        .next()
        .ok_or_else(|| LedgerError::Corrupt(format!("引擎没有给出政策 {policy} 的决定")))
}

/// What a decision was made on: the facts as given and the enterprise's prior awards then.
struct Basis<'a> {
    facts: &'a serde_json::Value,
    priors: &'a [PriorAward],
}

/// The prior awards as `claims.priors` keeps them: the JSON list the engine takes, so a replay
/// decides with the same history.
fn priors_text(priors: &[PriorAward]) -> Result<String, LedgerError> {
    serde_json::to_string(priors).map_err(|e| LedgerError::Corrupt(e.to_string()))
}

/// Records a claim's (new) decision: the claim's row, and its place in `claim_decisions`.
fn record_decision(
    tx: &mut dyn Tx,
    set: &PolicySet,
    claim: i64,
    decision: &Decision,
    basis: &Basis<'_>,
    decided_on: NaiveDate,
    why: &str,
) -> Result<(), LedgerError> {
    let text = serde_json::to_string(decision).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
    let outcome = crate::claim::outcome_name(decision)?;
    let amount = decision.amount().map(crate::money::to_fen).transpose()?;
    let facts = basis.facts.to_string();
    let priors = priors_text(basis.priors)?;
    let on = decided_on.to_string();
    tx.execute(
        "UPDATE claims SET facts = $1, decision = $2, outcome = $3, amount_fen = $4, decided_on = $5, \
         policy_set = $6, calendar = $7, priors = $9 WHERE id = $8",
        &[
            Param::Text(&facts),
            Param::Text(&text),
            Param::Text(&outcome),
            amount.into(),
            Param::Text(&on),
            Param::Text(set.hash()),
            Param::Text(set.calendar_hash()),
            Param::Int(claim),
            Param::Text(&priors),
        ],
    )?;
    let seq = tx
        .query_opt(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM claim_decisions WHERE claim = $1",
            &[Param::Int(claim)],
        )?
        .map_or(Ok(0), |r| r.int(0))?
        + 1;
    decision_history(
        tx,
        set,
        claim,
        seq,
        &Decided { on: &on, facts: &facts, decision: &text, priors: &priors },
        why,
    )
}

/// A decision as `claims` and `claim_decisions` store it.
struct Decided<'a> {
    on: &'a str,
    facts: &'a str,
    decision: &'a str,
    priors: &'a str,
}

/// The decision's row in `claim_decisions`, the `seq`th of the claim.
fn decision_history(
    tx: &mut dyn Tx,
    set: &PolicySet,
    claim: i64,
    seq: i64,
    d: &Decided<'_>,
    why: &str,
) -> Result<(), LedgerError> {
    let now = crate::clock::now();
    tx.execute(
        "INSERT INTO claim_decisions (claim, seq, decided_on, facts, decision, policy_set, calendar, why, at, priors) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            Param::Int(claim),
            Param::Int(seq),
            Param::Text(d.on),
            Param::Text(d.facts),
            Param::Text(d.decision),
            Param::Text(set.hash()),
            Param::Text(set.calendar_hash()),
            Param::Text(why),
            Param::Text(&now),
            Param::Text(d.priors),
        ],
    )?;
    Ok(())
}

/// The facts a request names, as one canonical text for the idempotency check.
fn request_hash(app: &Application<'_>, uscc: &str) -> String {
    let mut h = Sha256::new();
    for part in [app.policy, app.item, uscc, app.commitment.unwrap_or(""), app.channel.as_str()] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update(app.facts.to_string().as_bytes());
    crate::chain::hex(&h.finalize())
}

/// The applicant's record: updated from what was given, or the one the ledger holds.
fn applicant(tx: &mut dyn Tx, uscc: &str, a: &Applicant) -> Result<(), LedgerError> {
    crate::enterprise::check_code(uscc)?;
    let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    // What the ledger holds is only needed for what was not given.
    let known = if given(&a.name) && given(&a.bank) && given(&a.account) {
        None
    } else {
        tx.query_opt("SELECT name, bank, account FROM enterprises WHERE uscc = $1", &[Param::Text(uscc)])?
    };
    let pick = |given: &Option<String>, i: usize| -> Result<Option<String>, LedgerError> {
        match (given.as_deref().map(str::trim).filter(|s| !s.is_empty()), &known) {
            (Some(v), _) => Ok(Some(v.to_owned())),
            (None, Some(r)) => Ok(Some(r.text(i)?.to_owned())),
            (None, None) => Ok(None),
        }
    };
    let (Some(name), Some(bank), Some(account)) =
        (pick(&a.name, 0)?, pick(&a.bank, 1)?, pick(&a.account, 2)?)
    else {
        return Err(LedgerError::UnknownEnterprise(uscc.to_owned()));
    };
    // Whether it is in the park is not asked of an applicant: the payer follows from the facts;
    // a new record says no until a screening or an operator says otherwise.
    let in_park = None;
    crate::enterprise::upsert(
        tx,
        &Enterprise { uscc: uscc.to_owned(), name, bank, account, in_park: false },
        in_park,
    )
}

impl Ledger {
    /// Submits an application: the engine decides at once (with the enterprise's history from
    /// the ledger), and the claim is recorded `submitted`, due for acceptance. With a key, a
    /// retried submission by the same submitter returns the first claim, however many race.
    pub fn submit(
        &self,
        set: &PolicySet,
        who: &Principal,
        app: &Application<'_>,
        key: Option<&str>,
        today: NaiveDate,
    ) -> Result<Submitted, LedgerError> {
        self.submitting(set, who, app, key, today, false).map(|(s, _)| s)
    }

    /// [`Ledger::submit`], and the claim as the submitter sees it ([`Ledger::claim_view`]): a new
    /// claim's read in the submission's own transaction (a separate one was a third of a
    /// submission's round trips to PostgreSQL), a repeated one's afresh.
    pub fn submit_and_view(
        &self,
        set: &PolicySet,
        who: &Principal,
        app: &Application<'_>,
        key: Option<&str>,
        today: NaiveDate,
    ) -> Result<(Submitted, ClaimView), LedgerError> {
        match self.submitting(set, who, app, key, today, true)? {
            (submitted, Some(view)) => Ok((submitted, view)),
            (submitted, None) => Ok((submitted, self.claim_view(who, submitted.claim(), today)?)),
        }
    }

    fn submitting(
        &self,
        set: &PolicySet,
        who: &Principal,
        app: &Application<'_>,
        key: Option<&str>,
        today: NaiveDate,
        with_view: bool,
    ) -> Result<(Submitted, Option<ClaimView>), LedgerError> {
        who.require(&[Role::Enterprise, Role::Window, Role::Admin], "提交申报")?;
        let uscc = match (who.uscc(), app.applicant.uscc.as_deref()) {
            (Some(own), Some(given)) if own != given => {
                return Err(LedgerError::Forbidden {
                    role: who.role().word(),
                    action: "为其他企业申报".into(),
                })
            }
            (Some(own), _) => own.to_owned(),
            (None, Some(given)) => given.trim().to_owned(),
            (None, None) => return Err(LedgerError::EnterpriseRequired),
        };
        let hash = request_hash(app, &uscc);
        let scope = who.idempotency_scope();
        // A lost race (another try with the key committed first) is answered with the winner's claim.
        for _ in 0..2 {
            let attempt = self.write(|tx| {
                if let Some(key) = key {
                    if let Some(found) = known_key(tx, &scope, key, &hash)? {
                        return Ok((Submitted::Again(found), None));
                    }
                }
                let id = submit_new(tx, set, app, &uscc, today)?;
                if let Some(key) = key {
                    let now = crate::clock::now();
                    let inserted = tx.execute(
                        "INSERT INTO idempotency_keys (scope, key, request_hash, claim, created_at) VALUES ($1, $2, $3, $4, $5)",
                        &[Param::Text(&scope), Param::Text(key), Param::Text(&hash), Param::Int(id), Param::Text(&now)],
                    );
                    match inserted {
                        // Another try with this key committed first: this one is rolled back.
                        Err(DbError::Unique(_)) => return Err(LedgerError::Conflict(key.to_owned())),
                        other => {
                            other?;
                        }
                    }
                }
                // The view is read before the event, which comes last as it takes the chain's
                // head (see `first_event`), and is completed with it: a submission notifies
                // nobody, so nothing else the event writes shows in the view.
                let quiet = crate::outbox::notifies(app.channel, State::Submitted).is_none();
                let seen = match with_view && quiet {
                    true => Some(crate::view::seen_as(tx, who, id, today, Fresh::BeforeItsEvent)?),
                    false => None,
                };
                let event = crate::claim::first_event(tx, id, State::Submitted, &who.actor())?;
                let seen = match seen {
                    Some(mut v) => {
                        v.timeline.push(crate::view::timeline_step(&event));
                        Some(v)
                    }
                    None if with_view => Some(crate::view::seen(tx, who, id, today)?),
                    None => None,
                };
                Ok((Submitted::New(id), seen))
            });
            match attempt {
                Err(LedgerError::Conflict(_)) => continue,
                other => return other,
            }
        }
        let key = key.unwrap_or_default();
        self.write(|tx| known_key(tx, &scope, key, &hash))?
            .map(|id| (Submitted::Again(id), None))
            .ok_or_else(|| LedgerError::Corrupt(format!("幂等键 `{key}` 的申报找不到")))
    }
}

/// The claim an earlier submission with this key made, if the request is the same one.
fn known_key(tx: &mut dyn Tx, scope: &str, key: &str, hash: &str) -> Result<Option<i64>, LedgerError> {
    let Some(r) = tx.query_opt(
        "SELECT claim, request_hash FROM idempotency_keys WHERE scope = $1 AND key = $2",
        &[Param::Text(scope), Param::Text(key)],
    )?
    else {
        return Ok(None);
    };
    let claim = r.int(0)?;
    if r.text(1)? != hash {
        return Err(LedgerError::IdempotencyMismatch { key: key.to_owned(), claim });
    }
    Ok(Some(claim))
}

/// A submission's claim, decided, without its first event (the caller appends it).
fn submit_new(
    tx: &mut dyn Tx,
    set: &PolicySet,
    app: &Application<'_>,
    uscc: &str,
    today: NaiveDate,
) -> Result<i64, LedgerError> {
    applicant(tx, uscc, app.applicant)?;
    // A policy that pays per item decides and records per item: which one must be said.
    let item_fact =
        set.engine().policy(app.policy).and_then(|p| p.info().item.as_ref().map(|i| i.fact.clone()));
    if let Some(fact) = item_fact.filter(|_| app.item.trim().is_empty()) {
        return Err(LedgerError::ItemRequired { policy: app.policy.to_owned(), fact });
    }
    let history = priors(tx, uscc)?;
    let decision = decide(set, app.policy, app.item, app.facts, today, &history)?;
    let commitment = app.commitment.map(str::trim).unwrap_or("");
    if decision.mode == Some(huiqi_dsl::check::Mode::Commitment) && commitment.is_empty() {
        return Err(LedgerError::CommitmentRequired { policy: app.policy.to_owned() });
    }
    let claim = NewClaim {
        enterprise: uscc,
        decision: &decision,
        facts: app.facts,
        decided_on: today,
        channel: app.channel,
        item: app.item,
        period: None,
    };
    let applied = today.to_string();
    let (due_on, provisional) = due(set, today, ACCEPT_DAYS)?;
    let due_on = due_on.to_string();
    let with = Applied { commitment, applied_on: &applied, due: Some((&due_on, provisional)) };
    let id = insert_row(tx, set, &claim, State::Submitted, &with)?;
    // The claim's row holds the decision already: only the history it was made with, and its
    // first history row, are written, with the texts as `insert_row` wrote them.
    let priors = priors_text(&history)?;
    tx.execute("UPDATE claims SET priors = $1 WHERE id = $2", &[Param::Text(&priors), Param::Int(id)])?;
    let text = serde_json::to_string(&decision).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
    let facts = app.facts.to_string();
    let decided = Decided { on: &applied, facts: &facts, decision: &text, priors: &priors };
    decision_history(tx, set, id, 1, &decided, "申报")?;
    Ok(id)
}

impl Ledger {
    /// 受理: a submitted application accepted; its decision is due within the policy's 时限.
    pub fn accept(
        &self,
        set: &PolicySet,
        who: &Principal,
        claim: i64,
        today: NaiveDate,
    ) -> Result<(), LedgerError> {
        self.write(|tx| {
            lock_for(tx, who, claim, Action::Accept)?;
            let c = step(tx, who, claim, State::Accepted, "")?;
            set_due(tx, claim, decision_due(set, &c.policy, today)?)
        })
    }

    /// 补正: sent back to the enterprise with the reason; nothing is due from the platform until
    /// it is resubmitted.
    pub fn request_correction(&self, who: &Principal, claim: i64, reason: &str) -> Result<(), LedgerError> {
        self.write(|tx| {
            lock_for(tx, who, claim, Action::RequestCorrection)?;
            step(tx, who, claim, State::CorrectionRequested, reason)?;
            set_due(tx, claim, None)
        })
    }

    /// The corrected application: its facts replaced, decided again on the date it was first
    /// made, and due for acceptance again.
    pub fn resubmit(
        &self,
        set: &PolicySet,
        who: &Principal,
        claim: i64,
        facts: &serde_json::Value,
        today: NaiveDate,
    ) -> Result<(), LedgerError> {
        self.write(|tx| {
            let c = lock_for(tx, who, claim, Action::Submit)?;
            if !allowed(Some(c.state), State::Submitted) {
                return Err(LedgerError::Transition { claim, from: c.state, to: State::Submitted });
            }
            let applied = applied_on(tx, &c)?;
            let history = priors(tx, &c.enterprise)?;
            let decision = decide(set, &c.policy, &c.item, facts, applied, &history)?;
            let basis = Basis { facts, priors: &history };
            record_decision(tx, set, claim, &decision, &basis, applied, "补正后重新提交")?;
            step(tx, who, claim, State::Submitted, "补正后重新提交")?;
            set_due(tx, claim, Some(due(set, today, ACCEPT_DAYS)?))
        })
    }

    /// 审核: the reviewer's facts (the policy's 审核 items, or any correction) added to the
    /// claim's, decided again on the application's date. Eligible: approved with its payout,
    /// pushed to the payer, due within the platform's 兑付时限 (or waiting for budget).
    /// Ineligible: rejected with the engine's reasons. Still undetermined: refused, unchanged.
    pub fn review(
        &self,
        set: &PolicySet,
        who: &Principal,
        claim: i64,
        review_facts: &serde_json::Value,
        note: &str,
        today: NaiveDate,
    ) -> Result<Reviewed, LedgerError> {
        self.write(|tx| {
            let c = lock_for(tx, who, claim, Action::Decide)?;
            if !matches!(c.state, State::Accepted | State::UnderReview) {
                return Err(LedgerError::Transition { claim, from: c.state, to: State::Approved });
            }
            let facts = merged_facts(tx, claim, review_facts)?;
            let applied = applied_on(tx, &c)?;
            let history = priors(tx, &c.enterprise)?;
            let decision = decide(set, &c.policy, &c.item, &facts, applied, &history)?;
            if let huiqi_engine::Verdict::Eligible(payment) = &decision.verdict {
                lock_budgets(tx, &c, applied, payment)?;
            }
            if c.state == State::Accepted {
                step(tx, who, claim, State::UnderReview, note)?;
            }
            let why = if note.trim().is_empty() {
                "审核".to_owned()
            } else {
                format!("审核：{}", note.trim())
            };
            record_decision(
                tx,
                set,
                claim,
                &decision,
                &Basis { facts: &facts, priors: &history },
                applied,
                &why,
            )?;
            match decision.outcome() {
                Outcome::Eligible => {
                    let c = lock(tx, claim)?;
                    let days = set
                        .engine()
                        .payout_days()
                        .ok_or_else(|| LedgerError::Corrupt("政策库没有平台，无从得知兑付时限".into()))?;
                    let pay_by = due(set, today, days)?;
                    let approval = approve_locked(tx, &c, &who.actor(), Some(pay_by.0))?;
                    match approval {
                        Approval::Approved { payout, .. } => {
                            step(tx, who, claim, State::PayoutPushed, "推送付款方兑付")?;
                            set_due(tx, claim, Some(pay_by))?;
                            Ok(Reviewed::Approved { payout })
                        }
                        Approval::AwaitingBudget { .. } => {
                            set_due(tx, claim, None)?;
                            Ok(Reviewed::AwaitingBudget)
                        }
                    }
                }
                Outcome::Ineligible => {
                    let reason = rejection(&decision, note);
                    step(tx, who, claim, State::Rejected, &reason)?;
                    set_due(tx, claim, None)?;
                    Ok(Reviewed::Rejected)
                }
                _ => Err(LedgerError::ReviewIncomplete { claim, missing: missing(&decision) }),
            }
        })
    }

    /// 驳回: refused with the reason (required), whatever the decision said.
    pub fn reject(&self, who: &Principal, claim: i64, reason: &str) -> Result<(), LedgerError> {
        self.write(|tx| {
            lock_for(tx, who, claim, Action::Decide)?;
            step(tx, who, claim, State::Rejected, reason)?;
            set_due(tx, claim, None)
        })
    }

    /// 承诺核验: a paid 承诺兑现 award's commitment kept, or broken — then the award is recorded
    /// for clawback and the enterprise flagged, with the reason (required).
    pub fn verify_commitment(
        &self,
        who: &Principal,
        claim: i64,
        kept: bool,
        note: &str,
        today: NaiveDate,
    ) -> Result<(), LedgerError> {
        self.write(|tx| {
            let c = lock_for(tx, who, claim, Action::Decide)?;
            let to = if kept { State::CommitmentVerified } else { State::CommitmentBroken };
            if c.mode != "承诺兑现" {
                return Err(LedgerError::NotCommitment { claim, to, mode: c.mode });
            }
            step(tx, who, claim, to, note)?;
            if !kept {
                let p = tx
                    .query_opt("SELECT id, amount_fen FROM payouts WHERE claim = $1", &[Param::Int(claim)])?
                    .ok_or_else(|| LedgerError::Corrupt(format!("申报 {claim} 已兑付，却没有兑付记录")))?;
                let (on, now) = (today.to_string(), crate::clock::now());
                tx.execute(
                    "INSERT INTO clawbacks (claim, payout, enterprise, amount_fen, reason, recorded_on, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        Param::Int(claim),
                        Param::Int(p.int(0)?),
                        Param::Text(&c.enterprise),
                        Param::Int(p.int(1)?),
                        Param::Text(note.trim()),
                        Param::Text(&on),
                        Param::Text(&now),
                    ],
                )?;
            }
            set_due(tx, claim, None)
        })
    }

    /// 兑付: the payer records a payout paid (idempotent for the same reference; `Ok(false)`).
    pub fn pay(
        &self,
        who: &Principal,
        payout: i64,
        paid_on: NaiveDate,
        reference: &str,
    ) -> Result<bool, LedgerError> {
        who.require(&[Role::Payer, Role::Admin], "登记兑付")?;
        let claim = self.read(|tx| {
            let r = tx
                .query_opt("SELECT claim, payer FROM payouts WHERE id = $1", &[Param::Int(payout)])?
                .ok_or(LedgerError::UnknownPayout(payout))?;
            if who.payer().is_some_and(|p| p != r.text(1).unwrap_or_default()) {
                return Err(LedgerError::UnknownPayout(payout));
            }
            r.int(0)
        })?;
        if reference.trim().is_empty() {
            return Err(LedgerError::ReasonRequired { claim, to: State::Paid });
        }
        let done = self.mark_paid(claim, paid_on, reference.trim(), &who.actor())?;
        self.write(|tx| set_due(tx, claim, None))?;
        Ok(done)
    }
}

/// Locks the budget lines an approval of this payment will charge, as approval locks them (by
/// funder; the policy's line, else its department's), before the review's first event. Every
/// other writer (a payment, an approval, a budget's release) takes the budget lines before the
/// audit chain's head; a review that stepped to `under_review` first took them the other way
/// round, and on PostgreSQL a review and a payment of one budget deadlocked (one answered 500).
fn lock_budgets(
    tx: &mut dyn Tx,
    c: &Locked,
    applied: NaiveDate,
    payment: &huiqi_engine::Payment,
) -> Result<(), LedgerError> {
    let year = i64::from(applied.year());
    let mut funders: Vec<&str> = payment.shares.iter().map(|s| &*s.funder).collect();
    funders.sort_unstable();
    funders.dedup();
    for funder in funders {
        for scope in [&c.policy, &c.department] {
            let found = tx.query_opt(
                "UPDATE budgets SET allocated_fen = allocated_fen WHERE year = $1 AND scope = $2 AND funder = $3 \
                 RETURNING allocated_fen",
                &[Param::Int(year), Param::Text(scope), Param::Text(funder)],
            )?;
            if found.is_some() {
                break;
            }
        }
    }
    Ok(())
}

/// The date eligibility is decided on: the application's (the decision's for older rows).
fn applied_on(tx: &mut dyn Tx, c: &Locked) -> Result<NaiveDate, LedgerError> {
    let r = tx
        .query_opt("SELECT applied_on FROM claims WHERE id = $1", &[Param::Int(c.id)])?
        .ok_or(LedgerError::UnknownClaim(c.id))?;
    match r.text(0)? {
        "" => Ok(c.decided_on),
        text => parse_date(text),
    }
}

/// The claim's facts with the reviewer's added (a reviewer's value wins).
fn merged_facts(
    tx: &mut dyn Tx,
    claim: i64,
    review: &serde_json::Value,
) -> Result<serde_json::Value, LedgerError> {
    let r = tx
        .query_opt("SELECT facts FROM claims WHERE id = $1", &[Param::Int(claim)])?
        .ok_or(LedgerError::UnknownClaim(claim))?;
    let mut facts: serde_json::Value = serde_json::from_str(r.text(0)?)
        .map_err(|e| LedgerError::Corrupt(format!("申报 {claim} 的事实无法读取：{e}")))?;
    if let (Some(base), Some(added)) = (facts.as_object_mut(), review.as_object()) {
        for (k, v) in added {
            base.insert(k.clone(), v.clone());
        }
    }
    Ok(facts)
}

/// A rejection's reason: the engine's (what failed), and the reviewer's note.
fn rejection(d: &Decision, note: &str) -> String {
    let mut reason = d.reasons.summary.clone();
    if reason.trim().is_empty() {
        reason = "不符合政策条件".into();
    }
    if !note.trim().is_empty() {
        reason = format!("{reason}（审核意见：{}）", note.trim());
    }
    reason
}

/// What a decision still lacks, in words.
fn missing(d: &Decision) -> Vec<String> {
    let mut out: Vec<String> = d.missing.iter().chain(&d.reviews).map(|m| m.fact.to_string()).collect();
    if out.is_empty() {
        out.push(d.reasons.summary.clone());
    }
    out
}
