//! A reference interpreter for the differential test: one policy's decision worked out from the
//! checked AST (`PolicyInfo`) and facts looked up by name, following docs/engine.md step by step.
//! It is slow and simple on purpose; it shares nothing with the engine but the checker's output.

pub mod dates;
pub mod expr;
pub mod facts;
pub mod installments;
pub mod shares;

use std::collections::{BTreeSet, HashMap};

use crate::{Outcome, PriorAward};
use chrono::{Datelike, NaiveDate};
use huiqi_dsl::ast::CapScope;
use huiqi_dsl::check::{Frequency, Library, Limit, Mode, PolicyInfo, Provenance, Status};
use rust_decimal::Decimal;

use expr::{round_half_up, Env, R, V};
use facts::RefFacts;

/// What the reference decides; the engine's decision must say the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefDecision {
    pub outcome: Outcome,
    pub amount: Option<Decimal>,
    /// Facts to supply (review results apart), with the joint review's and the payer's.
    pub missing: BTreeSet<String>,
    /// Review and inspection results still to come.
    pub reviews: BTreeSet<String>,
    pub payer: Option<String>,
    /// Each funder's part of an eligible amount.
    pub shares: Vec<(String, Decimal)>,
    /// How many installments an eligible award is paid in (0: at once).
    pub parts: usize,
}

impl RefDecision {
    fn new(outcome: Outcome) -> RefDecision {
        RefDecision {
            outcome,
            amount: None,
            missing: BTreeSet::new(),
            reviews: BTreeSet::new(),
            payer: None,
            shares: Vec::new(),
            parts: 0,
        }
    }

    fn error() -> RefDecision {
        RefDecision::new(Outcome::Error)
    }
}

/// Rounding units (docs/language.md, `取整`) as decimal places of 元.
fn places(word: &str) -> i64 {
    match word {
        "角" => 1,
        "元" => 0,
        "十元" => -1,
        "百元" => -2,
        "千元" => -3,
        "万元" => -4,
        _ => 2,
    }
}

/// The environment of one policy: its definitions and condition labels by name.
pub fn env<'a>(p: &'a PolicyInfo, facts: &'a RefFacts, as_of: NaiveDate) -> Env<'a> {
    let mut defs = HashMap::new();
    for l in &p.lets {
        defs.insert(l.name.clone(), &l.expr);
    }
    for c in &p.conditions {
        defs.insert(c.label.text.clone(), &c.expr);
    }
    Env { facts, as_of, defs, periods: &p.periods }
}

fn checked_sum<'a>(mut amounts: impl Iterator<Item = &'a Decimal>) -> Option<Decimal> {
    amounts.try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
}

/// One policy, decided alone (no other policy of its group decided with it).
pub fn decide(
    library: &Library,
    p: &PolicyInfo,
    facts: &RefFacts,
    as_of: NaiveDate,
    priors: &[PriorAward],
    item: Option<&str>,
) -> RefDecision {
    // Not in the catalog, suspended or out of its window: nothing, whatever the facts.
    let open_ended = p.validity.to.is_none_or(|to| as_of <= to);
    if p.status != Status::Listed || as_of < p.validity.from || !open_ended {
        return RefDecision::new(Outcome::NotPayable);
    }
    // A prior award that cannot have been paid (negative, or finer than the 分) is an error.
    if priors
        .iter()
        .any(|a| a.amount.is_sign_negative() && !a.amount.is_zero() || a.amount.normalize().scale() > 2)
    {
        return RefDecision::error();
    }
    let env = env(p, facts, as_of);
    let mut unknown = BTreeSet::new();
    let mut failed = false;
    // The lines of 条件 are joined by 且 and read in order: the first false one decides, the
    // lines after it are never read (their errors do not count).
    for c in &p.conditions {
        match env.eval(&c.expr) {
            Err(_) => return RefDecision::error(),
            Ok(R::Known(V::Bool(false))) => {
                failed = true;
                break;
            }
            Ok(R::Known(V::Bool(true))) => {}
            Ok(R::Known(_)) => return RefDecision::error(),
            Ok(R::Unknown(m)) => unknown.extend(m),
        }
    }
    // The joint review applies to every award.
    let platform = library.platform.as_ref();
    let no_periods = huiqi_dsl::check::Periods::default();
    let periods = platform.map_or(&no_periods, |pl| &pl.periods);
    let no_defs = Env { facts, as_of, defs: HashMap::new(), periods };
    let (mut vetoed, mut veto_unknown) = (false, BTreeSet::new());
    for veto in platform.map(|pl| pl.vetoes.as_slice()).unwrap_or_default() {
        match no_defs.eval(&veto.expr) {
            Err(_) => return RefDecision::error(),
            Ok(R::Known(V::Bool(true))) => vetoed = true,
            Ok(R::Unknown(m)) => veto_unknown.extend(m),
            Ok(R::Known(_)) => {}
        }
    }
    // 标的 with an item named: a limit counts the awards of that item, unless kept 按企业.
    let counts = |limit: Limit, a: &PriorAward| match (&p.item, item) {
        (Some(rule), Some(x)) if !rule.per_enterprise.iter().any(|(l, _)| *l == limit) => a.item == x,
        _ => true,
    };
    let mine = |a: &&PriorAward| a.policy == p.id;
    let this_year = |a: &&PriorAward| a.date.year() == as_of.year();
    let once = |a: &&PriorAward| mine(a) && counts(Limit::Frequency, a);
    let paid_before = match p.frequency {
        Frequency::OncePerEnterprise => priors.iter().any(|a| once(&a)),
        Frequency::OncePerEnterprisePerYear => priors.iter().filter(once).any(|a| this_year(&a)),
        Frequency::OncePerEnterprisePerQuarter => {
            let q = |d: NaiveDate| (d.year(), d.month0() / 3);
            priors.iter().filter(once).any(|a| q(a.date) == q(as_of))
        }
        Frequency::Unlimited => false,
    };
    if failed || vetoed || paid_before {
        return RefDecision::new(Outcome::Ineligible);
    }
    if !unknown.is_empty() || !veto_unknown.is_empty() {
        // Everything the amount needs is asked for in the same round.
        for e in p.award.iter().chain(p.caps.iter().map(|c| &c.expr)) {
            if let Ok(R::Unknown(m)) = env.eval(e) {
                unknown.extend(m);
            }
        }
        return open(library, p, unknown, veto_unknown);
    }

    let Some(award) = &p.award else { return RefDecision::error() };
    let raw = match env.eval(award) {
        Ok(R::Known(V::Num(n))) => n,
        Ok(R::Unknown(m)) => return open(library, p, m, BTreeSet::new()),
        _ => return RefDecision::error(),
    };
    // Rounded half up to the unit, a negative result counts as 0.
    let Some(rounded) = round_half_up(raw, places(p.rounding.word)) else { return RefDecision::error() };
    let mut amount = rounded.max(Decimal::ZERO);
    // What the group paid before, when this award is an upgrade's difference (for the shares).
    let mut before = Decimal::ZERO;
    // 就高不重复 against what the group paid before.
    let group_of = |id: &str| library.policies.iter().find(|q| q.id == id).and_then(|q| q.group.as_ref());
    let in_group = |a: &&PriorAward| match (&p.group, group_of(&a.policy)) {
        (Some(g), Some(h)) => g.name == h.name && counts(Limit::Group, a),
        _ => false,
    };
    if let Some(group) = &p.group {
        if priors.iter().any(|a| in_group(&a)) {
            if !group.upgrade_pays_difference {
                return RefDecision::new(Outcome::Ineligible);
            }
            let Some(paid) = checked_sum(priors.iter().filter(in_group).map(|a| &a.amount)) else {
                return RefDecision::error();
            };
            let Some(difference) = amount.checked_sub(paid) else { return RefDecision::error() };
            amount = difference.max(Decimal::ZERO);
            before = paid;
        }
    }
    for cap in &p.caps {
        let limit = match env.eval(&cap.expr) {
            Ok(R::Known(V::Num(n))) => n,
            Ok(R::Unknown(m)) => return open(library, p, m, BTreeSet::new()),
            _ => return RefDecision::error(),
        };
        let already = match cap.scope {
            CapScope::Item => Some(Decimal::ZERO),
            CapScope::Yearly => checked_sum(
                priors
                    .iter()
                    .filter(|a| mine(a) && this_year(a) && counts(Limit::YearlyCap, a))
                    .map(|a| &a.amount),
            ),
            CapScope::Lifetime => checked_sum(
                priors
                    .iter()
                    .filter(|a| (mine(a) || in_group(a)) && counts(Limit::LifetimeCap, a))
                    .map(|a| &a.amount),
            ),
        };
        let Some(room) = already.and_then(|a| limit.checked_sub(a)) else { return RefDecision::error() };
        // Never more than the room left, and never less than nothing.
        amount = amount.min(room.max(Decimal::ZERO));
    }
    // Paid in whole 分, never more than a cap allows.
    let Some(amount) = expr::round_down(amount, 2) else { return RefDecision::error() };
    if amount.is_zero() {
        let mut d = RefDecision::new(Outcome::Ineligible);
        d.amount = Some(Decimal::ZERO);
        return d;
    }
    let mut d = RefDecision::new(Outcome::Eligible);
    d.amount = Some(amount);
    d.shares = shares::shares(p, amount, before);
    // The payer: the first rule that holds; an unknown rule before it leaves the payer open.
    for rule in platform.map(|pl| pl.payers.as_slice()).unwrap_or_default() {
        let holds = match &rule.when {
            None => R::Known(V::Bool(true)),
            Some(e) => no_defs.eval(e).unwrap_or(R::Known(V::Bool(false))),
        };
        match holds {
            R::Known(V::Bool(true)) => {
                d.payer = Some(rule.payer.text.clone());
                break;
            }
            R::Unknown(m) => {
                d.outcome = Outcome::Undetermined;
                d.missing = m;
                return d;
            }
            R::Known(_) => {}
        }
    }
    // `分期 … 当`: split only on its branch; unknown, the schedule is not known either.
    match installments::staged(p, facts, as_of) {
        Ok(Ok(true)) => d.parts = p.installments.as_ref().map_or(0, Vec::len),
        Ok(Ok(false)) => {}
        Ok(Err(m)) => {
            d.outcome = Outcome::Undetermined;
            d.missing = m;
        }
        Err(()) => return RefDecision::error(),
    }
    d
}

/// Undetermined, or pending review when a 承诺兑现 policy waits only for review results.
fn open(
    library: &Library,
    p: &PolicyInfo,
    unknown: BTreeSet<String>,
    vetoes: BTreeSet<String>,
) -> RefDecision {
    let is_review = |name: &String| {
        let fact = name.split('[').next().unwrap_or(name);
        library.facts.get(fact).is_some_and(|f| f.provenance == Provenance::Review)
    };
    let (reviews, mut missing): (BTreeSet<String>, BTreeSet<String>) =
        unknown.into_iter().partition(is_review);
    missing.extend(vetoes);
    let outcome = if missing.is_empty() && p.mode == Mode::Commitment {
        Outcome::PendingReview
    } else {
        Outcome::Undetermined
    };
    RefDecision { outcome, amount: None, missing, reviews, payer: None, shares: Vec::new(), parts: 0 }
}
