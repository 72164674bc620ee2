//! What a run will screen, worked out before the first row: the policies chosen, and what the
//! registry's header lacks or does not understand (said once, as warnings, and in the summary).

use std::sync::Arc;

use chrono::Datelike;
use huiqi_dsl::check::Mode;
use huiqi_engine::{Engine, Facts, OnDate, Policy, PolicyIndex};

use crate::columns::Columns;
use crate::evaluate::Evaluator;
use crate::priors::Ledger;
use crate::registry::{Format, Registry};
use crate::screen::{Options, ScreenError};
use crate::summary::{IgnoredColumn, MissingColumn, PriorsInfo};
use crate::tally::About;

/// One library's part of a run, worked out from the registry's header before the first row: the
/// policies, the header mapped to its schema, what the header lacks. A screening has one; 政策沙盘
/// (`crate::diff`) one per library, over the same registry.
pub(crate) struct Plan<'a> {
    pub engine: &'a Engine,
    pub columns: Option<Columns>,
    pub policies: Vec<PolicyIndex>,
    pub policy_ids: Vec<String>,
    pub funders: Vec<Arc<str>>,
    /// The schema's defaults, each evaluation thread's starting facts.
    pub template: Facts,
    pub header: HeaderReport,
}

impl<'a> Plan<'a> {
    /// Maps `registry`'s header for `policies` of `engine`.
    pub fn new(
        engine: &'a Engine,
        registry: &Registry,
        options: &Options,
        policies: Vec<PolicyIndex>,
    ) -> Result<Plan<'a>, ScreenError> {
        let columns = match registry.format {
            Format::Ndjson => None,
            Format::Csv | Format::Xlsx => {
                Some(Columns::new(&registry.header, engine.schema(), options.as_of.year())?)
            }
        };
        let header = header_report(engine, columns.as_ref(), &policies, options)?;
        Ok(Plan {
            engine,
            template: engine.schema().defaults(),
            policy_ids: policy_ids(engine, &policies)?,
            funders: funders(engine, &policies)?,
            columns,
            policies,
            header,
        })
    }

    /// What the summary says of the run besides its counts.
    pub fn about(&self, registry: &Registry, options: &Options, ledger: &Ledger) -> About {
        About {
            registry: registry.name.clone(),
            format: registry.format,
            encoding: registry.encoding.map(|e| e.name().to_string()),
            as_of: options.as_of,
            policy_set: self.engine.policy_set().into(),
            priors: PriorsInfo { file: ledger.file.clone(), awards: ledger.awards },
            missing_columns: self.header.missing.clone(),
            ignored_columns: self.header.ignored.clone(),
            warnings: self.header.warnings.clone(),
        }
    }

    /// The evaluation of rows against this plan, with the library folded for the run's date.
    pub fn evaluator<'s>(
        &'s self,
        dated: &'s OnDate,
        ledger: &'s Ledger,
        basis_slots: Option<&'s [Vec<usize>]>,
    ) -> Evaluator<'s> {
        Evaluator {
            engine: self.engine,
            dated,
            columns: self.columns.as_ref(),
            ledger,
            policies: &self.policies,
            basis_slots,
            template: &self.template,
        }
    }
}

/// The policies to screen: the ids given, each a 免申即享 policy; or all of those.
pub(crate) fn choose(engine: &Engine, ids: &[String]) -> Result<Vec<PolicyIndex>, ScreenError> {
    if ids.is_empty() {
        let all: Vec<PolicyIndex> =
            engine.policies().filter(|p| p.info().mode == Mode::NoApplication).map(|p| p.index()).collect();
        return if all.is_empty() { Err(ScreenError::NoPolicies) } else { Ok(all) };
    }
    let mut chosen = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(policy) = engine.policy(id) else {
            let known = engine.policies().map(|p| p.id().as_str());
            let hint = huiqi_dsl::suggest::closest(id, known)
                .map(|c| format!("; did you mean `{c}`?"))
                // No policy id is near: the message says only that there is none.
                .unwrap_or_default();
            return Err(ScreenError::UnknownPolicy { id: id.clone(), hint });
        };
        let mode = policy.info().mode;
        if mode != Mode::NoApplication {
            return Err(ScreenError::NotNoApplication { id: id.clone(), mode: mode.word() });
        }
        if !chosen.contains(&policy.index()) {
            chosen.push(policy.index());
        }
    }
    Ok(chosen)
}

/// The ids of `policies`, in order.
pub(crate) fn policy_ids(engine: &Engine, policies: &[PolicyIndex]) -> Result<Vec<String>, ScreenError> {
    policies.iter().map(|i| Ok(policy(engine, *i)?.id().to_string())).collect()
}

/// The policy `choose` chose; one the library does not have is a bug, said as one.
pub(crate) fn policy(engine: &Engine, index: PolicyIndex) -> Result<Policy<'_>, ScreenError> {
    engine
        .policy_at(index)
        .ok_or_else(|| ScreenError::Internal(format!("policy index {index:?} is past the library's end")))
}

/// Funders of `policies`, the higher level first: the payout lists' columns.
pub(crate) fn funders(engine: &Engine, policies: &[PolicyIndex]) -> Result<Vec<Arc<str>>, ScreenError> {
    let mut funders: Vec<Arc<str>> = Vec::new();
    for i in policies {
        for share in &policy(engine, *i)?.info().shares {
            if !funders.iter().any(|f| **f == *share.funder) {
                funders.push(share.funder.as_str().into());
            }
        }
    }
    funders.sort_by_key(|f| crate::summary::funder_rank(f));
    Ok(funders)
}

/// The payers of the platform, in its order.
pub(crate) fn payers(engine: &Engine) -> Vec<Arc<str>> {
    // A library without a platform names no payer: there is none to list.
    engine.payers().map(Arc::from).collect()
}

/// What the header lacks and does not understand, with the warnings that say so.
#[derive(Debug, Default)]
pub(crate) struct HeaderReport {
    pub missing: Vec<MissingColumn>,
    pub ignored: Vec<IgnoredColumn>,
    pub warnings: Vec<String>,
}

/// Columns the chosen policies (and the platform's rules) read that the header lacks, and
/// columns it has that are not facts. NDJSON has no header: nothing to say.
pub(crate) fn header_report(
    engine: &Engine,
    columns: Option<&Columns>,
    policies: &[PolicyIndex],
    options: &Options,
) -> Result<HeaderReport, ScreenError> {
    let mut report = HeaderReport::default();
    let Some(columns) = columns else { return Ok(report) };
    let schema = engine.schema();
    // Each column missing, in the order first met, with the readers of it.
    let mut missing: Vec<MissingColumn> = Vec::new();
    let mut note = |fact: huiqi_engine::FactRef, reader: &str| -> Result<(), ScreenError> {
        let slot = fact.slot;
        let Some(meta) = schema.meta(slot) else {
            return Err(ScreenError::Internal(format!(
                "a program reads fact slot {slot}, not in the schema"
            )));
        };
        // A year, or a quarter's number for a quarterly series (`季度工业总产值[2025Q3]`).
        if columns.has(slot, fact.period(options.as_of)) {
            return Ok(());
        }
        let column = match fact.period_key(options.as_of) {
            Some(key) => format!("{}[{key}]", meta.name),
            None => meta.name.to_string(),
        };
        match missing.iter_mut().find(|m| m.column == column) {
            Some(m) if !m.read_by.iter().any(|r| r == reader) => m.read_by.push(reader.into()),
            Some(_) => {}
            None => missing.push(MissingColumn {
                column,
                department: meta.provider.to_string(),
                read_by: vec![reader.into()],
                default: meta.default.as_ref().map(|d| d.to_string()),
            }),
        }
        Ok(())
    };
    for read in engine.platform_reads() {
        note(read.fact, if read.veto { "联审" } else { "付款方" })?;
    }
    for i in policies {
        let p = policy(engine, *i)?;
        for f in p.reads() {
            note(*f, p.id())?;
        }
    }
    for m in &missing {
        let effect = match &m.default {
            Some(d) => format!("每一行都按缺省值 `{d}` 判定"),
            None => "凡用到它的企业都无法判定".into(),
        };
        report.warnings.push(format!(
            "登记表没有 `{}` 列（由{}提供），{} 要读取它：{effect}",
            m.column,
            m.department,
            m.read_by.join("、")
        ));
    }
    report.missing = missing;
    for (column, hint) in &columns.ignored {
        let hint_text = match hint {
            Some(h) => format!("；您是否想写 `{h}`？"),
            None => String::new(),
        };
        report.warnings.push(format!("`{column}` 列不是事实表里的事实，已忽略{hint_text}"));
        report.ignored.push(IgnoredColumn { column: column.clone(), did_you_mean: hint.clone() });
    }
    Ok(report)
}
