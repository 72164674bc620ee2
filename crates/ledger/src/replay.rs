//! Replaying a stored decision: the claim's facts (and the prior awards it was given, when its
//! facts are the `{"facts", "prior_awards"}` envelope `huiqi eval` takes) decided again on its
//! date by the engine its stored policy set and calendar make, compared with what was stored.
//! A screening line keeps the values of the facts its decision read and its prior awards
//! (`crate::basis`), and the payment part of its decision; it is compared on that part.

use huiqi_engine::{EvalOptions, PolicyId, PriorAward};

use crate::db::Param;
use crate::error::LedgerError;
use crate::ledger::Ledger;

/// What a claim keeps besides its facts for a replay: the prior awards its decision was made
/// with (`NULL` before migration 6, or for a decision made outside the workflow) and its item.
struct Kept {
    priors: Option<String>,
    item: String,
}

/// What a replay found.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The claim replayed.
    pub claim: i64,
    /// The decision as stored (its documented JSON).
    pub stored: serde_json::Value,
    /// The decision made again.
    pub replayed: serde_json::Value,
}

impl Replay {
    /// Whether the decision made again is the stored one, field for field.
    pub fn same(&self) -> bool {
        self.stored == self.replayed
    }

    /// The top-level fields that differ, for a report.
    pub fn differences(&self) -> Vec<String> {
        let (Some(a), Some(b)) = (self.stored.as_object(), self.replayed.as_object()) else {
            return vec!["（整个决定）".into()];
        };
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
    }
}

impl Ledger {
    /// Decides the claim again exactly as it was decided and compares (see [`Replay`]). An
    /// explained decision is replayed explained; one without explanation, without. A screening
    /// line (`huiqi screen --db`) is decided again from the fact values and prior awards it keeps,
    /// and compared on the part of the decision it stores (outcome, amount, payer, due date,
    /// shares, installments).
    pub fn replay(&self, claim: i64) -> Result<Replay, LedgerError> {
        let (policy, decided_on, facts, decision, set, calendar, kept) = self.read(|tx| {
            let r = tx
                .query_opt(
                    "SELECT policy, decided_on, facts, decision, policy_set, calendar, priors, item FROM claims WHERE id = $1",
                    &[Param::Int(claim)],
                )?
                .ok_or(LedgerError::UnknownClaim(claim))?;
            Ok((
                r.text(0)?.to_owned(),
                crate::claim::parse_date(r.text(1)?)?,
                r.text(2)?.to_owned(),
                r.text(3)?.to_owned(),
                r.text(4)?.to_owned(),
                r.text(5)?.to_owned(),
                Kept { priors: r.opt_text(6)?.map(str::to_owned), item: r.text(7)?.to_owned() },
            ))
        })?;
        let corrupt = |what: &str, e: serde_json::Error| {
            LedgerError::Corrupt(format!("申报 {claim} 的{what}无法读取：{e}"))
        };
        let stored: serde_json::Value = serde_json::from_str(&decision).map_err(|e| corrupt("决定", e))?;
        let given: serde_json::Value = serde_json::from_str(&facts).map_err(|e| corrupt("事实", e))?;
        let set = self.policy_set(&set, &calendar)?.ok_or_else(|| {
            LedgerError::Corrupt(format!(
                "申报 {claim} 的政策库版本 {set}（日历 {calendar}）未存档，无法重放"
            ))
        })?;
        let engine = set.engine();
        let only = [PolicyId::from(policy.as_str())];
        let priors = |given: &serde_json::Value| -> Result<Vec<PriorAward>, LedgerError> {
            match given.get("prior_awards") {
                Some(p) => serde_json::from_value(p.clone()).map_err(|e| corrupt("已兑付记录", e)),
                None => Ok(Vec::new()),
            }
        };
        if given.get("source").and_then(|s| s.as_str()) == Some("screening") {
            let Some(values) = given.get("values") else {
                let registry = given.get("registry").and_then(|r| r.as_str()).unwrap_or("（未记录）");
                let line = given.get("line").map_or_else(|| "?".to_string(), ToString::to_string);
                return Err(LedgerError::NotReplayable {
                    claim,
                    why: format!(
                        "它是免申即享筛查批量登记的一行，登记时尚未保存所依据的事实（在名册 {registry} 第 {line} 行）"
                    ),
                });
            };
            let facts = crate::basis::read(engine.schema(), values)?;
            let priors = priors(&given)?;
            // Decided alone, as an application is: a paying line of a 就高不重复 group is the
            // group's highest, which the others decided beside it did not change.
            let options = EvalOptions { priors: &priors, only: Some(&only), explain: false, item: None };
            let answer = engine.evaluate(&facts, decided_on, &options);
            let replayed = match answer.decisions.first() {
                Some(d) => crate::screening::stored_decision(d, set.hash(), decided_on)?,
                None => serde_json::Value::Null,
            };
            return Ok(Replay { claim, stored, replayed });
        }
        let (facts, mut priors): (&serde_json::Value, Vec<PriorAward>) = match given.get("facts") {
            Some(facts) => (facts, priors(&given)?),
            None => (&given, Vec::new()),
        };
        // A claim the workflow decided keeps the history it was decided with (migration 6).
        if let Some(text) = &kept.priors {
            priors = serde_json::from_str(text).map_err(|e| corrupt("已兑付记录", e))?;
        }
        let item = Some(kept.item.as_str()).filter(|i| !i.is_empty());
        let facts = engine.schema().parse_json(facts).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            LedgerError::Corrupt(format!("申报 {claim} 的事实不符合其政策库：{}", list.join("；")))
        })?;
        let explained =
            stored.pointer("/reasons/summary").and_then(|s| s.as_str()).is_some_and(|s| !s.is_empty());
        let options = EvalOptions { priors: &priors, only: Some(&only), explain: explained, item };
        let answer = engine.evaluate(&facts, decided_on, &options);
        let replayed = match answer.decisions.first() {
            Some(d) => serde_json::to_value(d).map_err(|e| corrupt("重放的决定", e))?,
            None => serde_json::Value::Null,
        };
        Ok(Replay { claim, stored, replayed })
    }
}
