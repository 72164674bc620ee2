//! Policy sets: the texts that decided, kept by hash so a stored decision can be replayed with
//! exactly the engine that made it (the policy files and the calendar's year files).

use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine};
use sha2::{Digest, Sha256};

use crate::db::Param;
use crate::error::LedgerError;
use crate::ledger::Ledger;

/// A policy library's files and the calendar's, with the engine they make.
#[derive(Clone)]
pub struct PolicySet {
    files: Vec<(String, String)>,
    calendar: Vec<(String, String)>,
    calendar_hash: String,
    engine: Engine,
}

impl PolicySet {
    /// Builds the engine from the texts (`(name, text)` each); a library with errors is refused.
    pub fn new(
        files: Vec<(String, String)>,
        calendar: Vec<(String, String)>,
    ) -> Result<PolicySet, LedgerError> {
        let sources = SourceSet::from_texts(files.iter().map(|(n, t)| (n.as_str(), t.as_bytes())));
        let cal = Calendar::from_sources(calendar.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| LedgerError::PolicySet(format!("日历无法读取：{e}")))?;
        let engine =
            Engine::from_sources(&sources, cal).map_err(|e| LedgerError::PolicySet(e.to_string()))?;
        let calendar_hash = calendar_hash(&calendar);
        Ok(PolicySet { files, calendar, calendar_hash, engine })
    }

    /// The engine's policy-set hash, which every decision names.
    pub fn hash(&self) -> &str {
        self.engine.policy_set()
    }

    /// The calendar files' hash.
    pub fn calendar_hash(&self) -> &str {
        &self.calendar_hash
    }

    /// The engine these texts make.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The policy files, `(name, text)`.
    pub fn files(&self) -> &[(String, String)] {
        &self.files
    }

    /// The calendar's year files, `(name, text)`.
    pub fn calendar(&self) -> &[(String, String)] {
        &self.calendar
    }
}

/// Named by content alone, as the engine names a policy set.
fn calendar_hash(files: &[(String, String)]) -> String {
    let mut texts: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
    texts.sort_unstable();
    let mut h = Sha256::new();
    for t in texts {
        h.update(t.as_bytes());
        h.update([0]);
    }
    crate::chain::hex(h.finalize().get(..8).unwrap_or_default())
}

fn to_json(files: &[(String, String)]) -> Result<String, LedgerError> {
    serde_json::to_string(files).map_err(|e| LedgerError::Corrupt(e.to_string()))
}

fn from_json(text: &str) -> Result<Vec<(String, String)>, LedgerError> {
    serde_json::from_str(text).map_err(|e| LedgerError::Corrupt(format!("保存的政策集文件无法读取：{e}")))
}

impl Ledger {
    /// Stores a policy set and its calendar (once each: the same hash is the same texts). The
    /// set is kept built for the reports that count working days on it.
    pub fn store_policy_set(&self, set: &PolicySet) -> Result<(), LedgerError> {
        let files = to_json(&set.files)?;
        let calendar = to_json(&set.calendar)?;
        let now = crate::clock::now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO policy_sets (hash, files, stored_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
                &[Param::Text(set.hash()), Param::Text(&files), Param::Text(&now)],
            )?;
            tx.execute(
                "INSERT INTO calendars (hash, files, stored_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
                &[Param::Text(&set.calendar_hash), Param::Text(&calendar), Param::Text(&now)],
            )?;
            Ok(())
        })?;
        self.built_sets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry((set.hash().to_owned(), set.calendar_hash.clone()))
            .or_insert_with(|| std::sync::Arc::new(set.clone()));
        Ok(())
    }

    /// [`Ledger::policy_set`], built once per ledger and then kept (for reports; a replay
    /// rebuilds from the stored texts every time, to check them).
    pub(crate) fn built_policy_set(
        &self,
        hash: &str,
        calendar_hash: &str,
    ) -> Result<Option<std::sync::Arc<PolicySet>>, LedgerError> {
        let key = (hash.to_owned(), calendar_hash.to_owned());
        let kept = |ledger: &Ledger| {
            ledger.built_sets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned()
        };
        if let Some(set) = kept(self) {
            return Ok(Some(set));
        }
        // Built outside the lock: two reports at once may both build it; the first kept wins.
        let Some(set) = self.policy_set(hash, calendar_hash)? else { return Ok(None) };
        let mut sets = self.built_sets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Some(sets.entry(key).or_insert_with(|| std::sync::Arc::new(set)).clone()))
    }

    /// The stored policy set and calendar, rebuilt into their engine.
    pub fn policy_set(&self, hash: &str, calendar_hash: &str) -> Result<Option<PolicySet>, LedgerError> {
        let texts = self.read(|tx| {
            let files =
                tx.query_opt("SELECT files FROM policy_sets WHERE hash = $1", &[Param::Text(hash)])?;
            let cal =
                tx.query_opt("SELECT files FROM calendars WHERE hash = $1", &[Param::Text(calendar_hash)])?;
            match (files, cal) {
                (Some(f), Some(c)) => Ok(Some((from_json(f.text(0)?)?, from_json(c.text(0)?)?))),
                _ => Ok(None),
            }
        })?;
        texts.map(|(files, calendar)| PolicySet::new(files, calendar)).transpose()
    }
}
