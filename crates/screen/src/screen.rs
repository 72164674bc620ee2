//! The pipeline: a reader thread → rayon-parallel evaluation, one chunk at a time → a writer
//! thread, joined by bounded channels, so memory holds a few chunks whatever the registry's
//! size. Chunks are evaluated in order and `collect` keeps order within one, so the output is in
//! registry order and the same whatever the thread count.
//!
//! What grows with the registry: the set of codes seen (for duplicates, about 40 bytes a row)
//! and, for XLSX, calamine's shared-string table. Everything else is per chunk or per policy.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use crossbeam_channel::bounded;
use huiqi_dsl::check::Mode;
use huiqi_engine::{Decision, Engine, Facts, OnDate, Outcome, PriorAward, Screened};
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::columns::{ColumnError, Columns};
use crate::output::{OutputError, Payout, Sink, Undetermined};
use crate::priors::Ledger;
use crate::registry::{Body, Format, RawRow, Registry, RegistryError};
use crate::row::{self, Identity, Reject};
use crate::summary::{
    IgnoredColumn, MissingColumn, PayerTotals, PolicyTotals, PriorsInfo, Reconciliation, Share, Summary,
};

/// Rows evaluated together; with two chunks queued on each side, a few thousand rows are in
/// memory at once.
pub const CHUNK_ROWS: usize = 4096;

/// Chunks in circulation: one being read, two queued, one being evaluated.
const CHUNKS: usize = 4;

/// The most codes the duplicate check makes room for before the first row (a table of about
/// 300 MB, mostly untouched until used); a bigger registry grows it as it goes.
const MAX_PRESIZED: u64 = 10_000_000;

#[derive(Debug, Clone)]
pub struct Options {
    pub as_of: NaiveDate,
    /// Policy ids; empty means every 免申即享 policy of the library.
    pub policies: Vec<String>,
    /// Stop at the first bad row.
    pub strict: bool,
    /// Evaluation threads; `None` uses rayon's global pool (one per core).
    pub threads: Option<usize>,
    pub chunk_rows: usize,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options { as_of, policies: Vec::new(), strict: false, threads: None, chunk_rows: CHUNK_ROWS }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error("no policy `{id}` in the library{hint}")]
    UnknownPolicy { id: String, hint: String },
    #[error("`{id}` is {mode}: only 免申即享 policies are paid without an application, so only they are screened; leave it out")]
    NotNoApplication { id: String, mode: &'static str },
    #[error("the library has no 免申即享 policy to screen")]
    NoPolicies,
    #[error("the registry's header: {0}")]
    Columns(#[from] ColumnError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("`{file}`, row {line}{column}: {reason} (received `{value}`); stopped there (--strict)")]
    Strict { file: String, line: u64, column: String, value: String, reason: String },
    #[error("the screening does not add up, so nothing was written: {0}")]
    Reconciliation(String),
    #[error("cannot start the evaluation threads: {0}")]
    Threads(String),
}

/// Where a run stands, for a progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
    pub bytes_total: Option<u64>,
    pub rows_total: Option<u64>,
}

/// A registry opened against a library, ready to run.
pub struct Screening<'a> {
    engine: &'a Engine,
    registry: Registry,
    ledger: &'a Ledger,
    options: Options,
    columns: Option<Columns>,
    policies: Vec<usize>,
    template: Facts,
    missing_columns: Vec<MissingColumn>,
    ignored_columns: Vec<IgnoredColumn>,
    warnings: Vec<String>,
}

impl<'a> Screening<'a> {
    /// Chooses the policies, maps the header, and finds what the policies read that the
    /// registry does not have.
    pub fn new(
        engine: &'a Engine,
        registry: Registry,
        ledger: &'a Ledger,
        options: Options,
    ) -> Result<Screening<'a>, ScreenError> {
        let policies = choose(engine, &options.policies)?;
        let year = options.as_of.year();
        let columns = match registry.format {
            Format::Ndjson => None,
            Format::Csv | Format::Xlsx => Some(Columns::new(&registry.header, engine.schema(), year)?),
        };
        let mut screening = Screening {
            engine,
            template: engine.schema().defaults(),
            registry,
            ledger,
            options,
            columns,
            policies,
            missing_columns: Vec::new(),
            ignored_columns: Vec::new(),
            warnings: Vec::new(),
        };
        screening.find_missing_columns();
        Ok(screening)
    }

    /// Said once, before the run: columns missing or not understood.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The ids of the policies screened, in order.
    pub fn policy_ids(&self) -> Vec<String> {
        self.policies
            .iter()
            .filter_map(|i| self.engine.policies().get(*i).map(|p| p.info.id.clone()))
            .collect()
    }

    /// Funders of the policies screened, the higher level first: the payout lists' columns.
    pub fn funders(&self) -> Vec<Arc<str>> {
        let mut funders: Vec<Arc<str>> = Vec::new();
        for p in self.policies.iter().filter_map(|i| self.engine.policies().get(*i)) {
            for (f, _) in &p.shares {
                if !funders.contains(f) {
                    funders.push(f.clone());
                }
            }
        }
        let rank = |f: &str| ["中央", "国家", "省", "市", "区", "县"].iter().position(|l| f.starts_with(l));
        funders.sort_by_key(|f| rank(f).unwrap_or(usize::MAX));
        funders
    }

    /// The payers of the platform, in its order.
    pub fn payers(&self) -> Vec<Arc<str>> {
        self.engine
            .platform()
            .map(|p| p.payers.iter().map(|(name, _)| name.clone()).collect())
            .unwrap_or_default()
    }

    fn find_missing_columns(&mut self) {
        let Some(columns) = &self.columns else { return };
        let schema = self.engine.schema();
        let year = self.options.as_of.year();
        // (column) -> (slot, readers), in the order first met.
        let mut missing: Vec<(String, usize, Vec<String>)> = Vec::new();
        let mut note = |slot: usize, offset: Option<i32>, reader: &str| {
            let Some(meta) = schema.meta(slot) else { return };
            let y = offset.map(|o| year + o);
            if columns.has(slot, y) {
                return;
            }
            let column = match y {
                Some(y) => format!("{}[{y}]", meta.name),
                None => meta.name.to_string(),
            };
            match missing.iter_mut().find(|(c, _, _)| *c == column) {
                Some((_, _, readers)) if !readers.iter().any(|r| r == reader) => readers.push(reader.into()),
                Some(_) => {}
                None => missing.push((column, slot, vec![reader.into()])),
            }
        };
        if let Some(platform) = self.engine.platform() {
            for (i, f) in platform.program.facts.iter().enumerate() {
                let veto = platform.vetoes.iter().any(|v| v.reads & (1u128 << i) != 0);
                note(f.slot, f.offset, if veto { "联审" } else { "付款方" });
            }
        }
        for p in self.policies.iter().filter_map(|i| self.engine.policies().get(*i)) {
            for f in &p.program.facts {
                note(f.slot, f.offset, &p.info.id);
            }
        }
        for (column, slot, read_by) in missing {
            let meta = schema.meta(slot);
            let default = meta.and_then(|m| m.default.as_ref()).map(|d| d.to_string());
            let department = meta.map(|m| m.provider.to_string()).unwrap_or_default();
            let effect = match &default {
                Some(d) => format!("its 缺省 `{d}` applies to every row"),
                None => "every enterprise is undetermined where it matters".into(),
            };
            self.warnings.push(format!(
                "no column `{column}` (held by {department}), read by {}: {effect}",
                read_by.join(", ")
            ));
            self.missing_columns.push(MissingColumn { column, department, read_by, default });
        }
        for (column, hint) in &columns.ignored {
            let hint_text = hint.as_ref().map(|h| format!("; did you mean `{h}`?")).unwrap_or_default();
            self.warnings
                .push(format!("column `{column}` is not a fact of the schema and is ignored{hint_text}"));
            self.ignored_columns.push(IgnoredColumn { column: column.clone(), did_you_mean: hint.clone() });
        }
    }

    /// Screens every row into `sink`, reporting progress once per chunk; returns the summary,
    /// checked to add up.
    pub fn run(
        self,
        sink: &mut dyn Sink,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Summary, ScreenError> {
        let Screening {
            engine,
            mut registry,
            ledger,
            options,
            columns,
            policies,
            template,
            missing_columns,
            ignored_columns,
            warnings,
        } = self;
        let pool = match options.threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build()
                    .map_err(|e| ScreenError::Threads(e.to_string()))?,
            ),
            None => None,
        };
        let bytes = registry.bytes_read.clone();
        let (bytes_total, rows_total) = (registry.bytes_total, registry.rows_total);
        let file = registry.name.clone();
        let (format, encoding) = (registry.format, registry.encoding.map(|e| e.name().to_string()));
        let chunk_rows = options.chunk_rows.max(1);
        // Folded once for the run's date: `评估年度 - 1` is not worked out again on every row.
        let dated = engine.on_date(options.as_of);
        let evaluator =
            Evaluator { engine, dated: &dated, columns: columns.as_ref(), ledger, policies: &policies };
        // The duplicate check's table sized for the registry up front (about 500 bytes a row):
        // growing it to a million codes rehashes it over and over, and at the last doubling holds
        // the old table beside the new.
        let expected_rows = rows_total.or(bytes_total.map(|b| b / 512)).unwrap_or(0).min(MAX_PRESIZED);
        let mut tally = Tally::new(engine, &policies, &file, options.strict, sink);
        tally.seen.reserve(usize::try_from(expected_rows).unwrap_or(0));

        let (rows_tx, rows_rx) = bounded::<Vec<RawRow>>(2);
        let (done_tx, done_rx) = bounded::<Vec<Row>>(2);
        // Chunks read and evaluated, back to the reader to be read into again: a fixed set of
        // chunks goes round, so the rows' buffers are made once (fresh pages are costly).
        let (back_tx, back_rx) = bounded::<Vec<RawRow>>(CHUNKS);
        let (read, written) = std::thread::scope(|s| -> Result<_, ScreenError> {
            let reader = spawn(s, "huiqi-read", move || -> Result<u64, RegistryError> {
                let mut made = 0;
                loop {
                    let mut chunk = if made < CHUNKS {
                        made += 1;
                        Vec::with_capacity(chunk_rows)
                    } else {
                        match back_rx.recv() {
                            Ok(chunk) => chunk,
                            // The evaluation stopped early.
                            Err(_) => return Ok(registry.blank),
                        }
                    };
                    let mut n = 0;
                    while n < chunk_rows {
                        let more = match chunk.get_mut(n) {
                            Some(row) => registry.next_row_into(row)?,
                            None => match registry.next_row()? {
                                Some(row) => {
                                    chunk.push(row);
                                    true
                                }
                                None => false,
                            },
                        };
                        if !more {
                            break;
                        }
                        n += 1;
                    }
                    chunk.truncate(n);
                    let last = chunk.len() < chunk_rows;
                    if (!chunk.is_empty() && rows_tx.send(chunk).is_err()) || last {
                        return Ok(registry.blank);
                    }
                }
            })?;
            let tally = &mut tally;
            let writer = spawn(s, "huiqi-write", move || -> Result<(), ScreenError> {
                for chunk in done_rx {
                    for row in chunk {
                        tally.take(row)?;
                    }
                }
                Ok(())
            })?;
            let mut rows = 0u64;
            for chunk in rows_rx.iter() {
                let count = chunk.len() as u64;
                let evaluate = || {
                    chunk
                        .par_iter()
                        // Pieces of at least 256 rows: each starts with a copy of the defaults.
                        .with_min_len(256)
                        .map_init(|| template.clone(), |facts, r| evaluator.row(r, facts))
                        .collect::<Vec<Row>>()
                };
                let done = match &pool {
                    Some(pool) => pool.install(evaluate),
                    None => evaluate(),
                };
                rows += count;
                // Back to the reader; it has room for every chunk there is.
                let _ = back_tx.send(chunk);
                if done_tx.send(done).is_err() {
                    break;
                }
                progress(Progress { rows, bytes: bytes.load(Ordering::Relaxed), bytes_total, rows_total });
            }
            // Stopping early (the writer failed): let the reader see the channels close.
            drop(rows_rx);
            drop(back_tx);
            drop(done_tx);
            let written =
                writer.join().unwrap_or_else(|_| Err(ScreenError::Threads("the writer stopped".into())));
            let read = reader
                .join()
                .unwrap_or_else(|_| Err(RegistryError::Io(std::io::Error::other("the reader stopped"))));
            Ok((read, written))
        })?;
        written?;
        let blank = read?;
        let mut summary = tally.summary(&registry_info(&file, &options, engine), blank);
        summary.priors = PriorsInfo { file: ledger.file.clone(), awards: ledger.awards };
        summary.missing_columns = missing_columns;
        summary.ignored_columns = ignored_columns;
        summary.warnings = warnings;
        summary.format = format;
        summary.encoding = encoding;
        summary.check().map_err(ScreenError::Reconciliation)?;
        tally.sink.finish(&mut summary)?;
        Ok(summary)
    }
}

/// A named scoped thread: names show in profiles.
fn spawn<'scope, 'env, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>, ScreenError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn_scoped(s, f)
        .map_err(|e| ScreenError::Threads(e.to_string()))
}

struct RegistryInfo {
    file: String,
    as_of: NaiveDate,
    policy_set: String,
}

fn registry_info(file: &str, options: &Options, engine: &Engine) -> RegistryInfo {
    RegistryInfo { file: file.into(), as_of: options.as_of, policy_set: engine.policy_set().into() }
}

/// The policies to screen: the ids given, each a 免申即享 policy; or all of those.
fn choose(engine: &Engine, ids: &[String]) -> Result<Vec<usize>, ScreenError> {
    if ids.is_empty() {
        let all: Vec<usize> = engine
            .policies()
            .iter()
            .enumerate()
            .filter(|(_, p)| p.info.mode == Mode::NoApplication)
            .map(|(i, _)| i)
            .collect();
        return if all.is_empty() { Err(ScreenError::NoPolicies) } else { Ok(all) };
    }
    let mut chosen = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(i) = engine.policy_index(id) else {
            let hint = engine
                .policies()
                .iter()
                .map(|p| (strsim::levenshtein(id, &p.info.id), p.info.id.as_str()))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, c)| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(ScreenError::UnknownPolicy { id: id.clone(), hint });
        };
        let mode = engine.policies().get(i).map(|p| p.info.mode).unwrap_or(Mode::NoApplication);
        if mode != Mode::NoApplication {
            return Err(ScreenError::NotNoApplication { id: id.clone(), mode: mode.word() });
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    Ok(chosen)
}

/// What the parallel stage makes of one row.
enum Row {
    Rejected { line: u64, code: Option<String>, rejects: Vec<Reject> },
    Screened { identity: Identity, results: Vec<Screened> },
}

/// Evaluates rows; shared by the evaluation threads.
struct Evaluator<'a> {
    engine: &'a Engine,
    dated: &'a OnDate,
    columns: Option<&'a Columns>,
    ledger: &'a Ledger,
    policies: &'a [usize],
}

impl Evaluator<'_> {
    /// A row of cells: its facts into `facts`, then screened; the name and bank details are read
    /// only for a row some policy decided in full (the lists name it).
    fn cells(
        &self,
        columns: &Columns,
        cells: &(impl row::Cells + ?Sized),
        line: u64,
        facts: &mut Facts,
    ) -> Row {
        match row::cells_into(self.engine.schema(), columns, cells, line, facts) {
            Ok(mut identity) => {
                let priors = self.ledger.of(&identity.uscc);
                let results = self.dated.screen(facts, priors, self.policies);
                if results.iter().any(|r| matches!(r, Screened::Full(_))) {
                    row::identity_texts(columns, cells, &mut identity);
                }
                Row::Screened { identity, results }
            }
            Err(rejects) => {
                let code = row::code(cells.cell(columns.uscc), line).ok();
                Row::Rejected { line, code, rejects }
            }
        }
    }

    /// One row; `facts` is this thread's buffer (see `row::cells_into`).
    fn row(&self, raw: &RawRow, facts: &mut Facts) -> Row {
        let schema = self.engine.schema();
        let text;
        let body = match (&raw.body, self.columns) {
            (Body::Bytes { record, width, encoding }, columns) => {
                // A good row is checked to be UTF-8 once, as a whole; any other goes the slow way.
                if let (Some(cells), Some(columns)) =
                    (crate::registry::fast_cells(record, *width, *encoding), columns)
                {
                    return self.cells(columns, &cells, raw.line, facts);
                }
                text = raw.body.clone().text();
                &text
            }
            (body, _) => body,
        };
        match (body, self.columns) {
            (Body::Cells(cells), Some(columns)) => self.cells(columns, cells, raw.line, facts),
            (Body::Json(text), _) => match row::from_json(schema, text, raw.line) {
                Ok(e) => {
                    let ledger = self.ledger.of(&e.identity.uscc);
                    let priors: Cow<'_, [PriorAward]> = if e.priors.is_empty() {
                        Cow::Borrowed(ledger)
                    } else {
                        Cow::Owned(ledger.iter().chain(&e.priors).cloned().collect())
                    };
                    let results = self.dated.screen(&e.facts, &priors, self.policies);
                    Row::Screened { identity: e.identity, results }
                }
                Err(rejects) => {
                    let code = serde_json::from_str::<serde_json::Value>(text)
                        .ok()
                        .and_then(|v| {
                            v.get(crate::columns::USCC).and_then(|c| c.as_str()).map(str::to_string)
                        })
                        .and_then(|c| row::code(&c, raw.line).ok());
                    Row::Rejected { line: raw.line, code, rejects }
                }
            },
            (Body::Broken { column, value, reason }, _) => Row::Rejected {
                line: raw.line,
                code: None,
                rejects: vec![Reject {
                    line: raw.line,
                    column: column.clone(),
                    value: value.clone(),
                    reason: reason.clone(),
                }],
            },
            (Body::Cells(_) | Body::Bytes { .. }, _) => {
                Row::Rejected { line: raw.line, code: None, rejects: Vec::new() }
            }
        }
    }
}

/// The writer's side: duplicates, counts, totals, and the sink, row by row in registry order.
struct Tally<'s, 'e> {
    engine: &'e Engine,
    file: String,
    strict: bool,
    sink: &'s mut dyn Sink,
    /// Codes met, packed, with their row: the one thing kept per row.
    seen: HashMap<u128, u64, BuildHasherDefault<CodeHasher>>,
    rows: Reconciliation,
    by_policy: Vec<PolicyTotals>,
    /// For each policy screened (in order), its totals in `by_policy`: no search by id per row.
    totals_of: Vec<Option<usize>>,
    by_payer: BTreeMap<Arc<str>, PayerTotals>,
    by_funder: BTreeMap<Arc<str>, Decimal>,
    undetermined_pairs: u64,
    reject_problems: u64,
    /// The texts of the last line given to the sink, whose buffers the next line's copies of the
    /// enterprise's code, name, bank and account take over: no allocation and free for each.
    spare: [String; 4],
}

impl<'s, 'e> Tally<'s, 'e> {
    fn new(
        engine: &'e Engine,
        policies: &'e [usize],
        file: &str,
        strict: bool,
        sink: &'s mut dyn Sink,
    ) -> Self {
        let mut by_policy: Vec<PolicyTotals> = Vec::with_capacity(policies.len());
        let mut totals_of = Vec::with_capacity(policies.len());
        for p in policies.iter().map(|i| engine.policies().get(*i)) {
            let Some(p) = p else {
                totals_of.push(None);
                continue;
            };
            // The first totals of this id, as a search by id would find.
            match by_policy.iter().position(|t| t.policy == p.info.id) {
                Some(at) => totals_of.push(Some(at)),
                None => {
                    totals_of.push(Some(by_policy.len()));
                    by_policy.push(PolicyTotals {
                        policy: p.info.id.clone(),
                        title: p.info.title.clone(),
                        ..PolicyTotals::default()
                    });
                }
            }
        }
        let by_payer = engine
            .platform()
            .map(|p| {
                p.payers
                    .iter()
                    .map(|(name, _)| {
                        (name.clone(), PayerTotals { payer: name.to_string(), ..PayerTotals::default() })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Tally {
            engine,
            file: file.to_string(),
            strict,
            sink,
            seen: HashMap::default(),
            rows: Reconciliation::default(),
            by_policy,
            totals_of,
            by_payer,
            by_funder: BTreeMap::new(),
            undetermined_pairs: 0,
            reject_problems: 0,
            spare: Default::default(),
        }
    }

    /// Whether this code was met before, at which row; remembers it if not.
    fn duplicate(&mut self, code: &str, line: u64) -> Option<u64> {
        let key = packed(code)?;
        match self.seen.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.seen.insert(key, line);
                None
            }
        }
    }

    fn take(&mut self, row: Row) -> Result<(), ScreenError> {
        self.rows.rows += 1;
        let (line, code) = match &row {
            Row::Rejected { line, code, .. } => (*line, code.as_deref()),
            Row::Screened { identity, .. } => (identity.line, Some(identity.uscc.as_str())),
        };
        let first = code.and_then(|c| self.duplicate(c, line));
        // Only a duplicate needs the code again: no copy of it for every row.
        let code = first.and(code).map(str::to_string);
        let dup = |code: &str, first: u64| Reject {
            line,
            column: crate::columns::USCC.into(),
            value: code.into(),
            reason: format!("the same code as row {first}; the later row is rejected"),
        };
        let rejects = match (row, first) {
            (Row::Rejected { mut rejects, .. }, Some(first)) => {
                rejects.insert(0, dup(code.as_deref().unwrap_or(""), first));
                rejects
            }
            (Row::Rejected { rejects, .. }, None) => rejects,
            (Row::Screened { .. }, Some(first)) => vec![dup(code.as_deref().unwrap_or(""), first)],
            (Row::Screened { identity, results }, None) => return self.screened(&identity, results),
        };
        self.rows.rejected += 1;
        for r in &rejects {
            if self.strict {
                return Err(ScreenError::Strict {
                    file: self.file.clone(),
                    line: r.line,
                    column: if r.column.is_empty() {
                        String::new()
                    } else {
                        format!(", column `{}`", r.column)
                    },
                    value: r.value.clone(),
                    reason: r.reason.clone(),
                });
            }
            self.reject_problems += 1;
            self.sink.reject(&self.file, r)?;
        }
        Ok(())
    }

    fn screened(&mut self, e: &Identity, results: Vec<Screened>) -> Result<(), ScreenError> {
        let (mut eligible, mut open) = (false, false);
        for (k, result) in results.into_iter().enumerate() {
            // A plain loop rather than `take(totals_of.len())`, which cost more than the counting.
            let Some(&at) = self.totals_of.get(k) else { break };
            let Some(totals) = at.and_then(|at| self.by_policy.get_mut(at)) else { continue };
            match result {
                Screened::Plain(Outcome::NotPayable) => totals.not_payable += 1,
                Screened::Plain(_) => totals.ineligible += 1,
                // The decision is the writer's now: its parts move into the lines rather than being
                // copied (their shared texts' counts are what the evaluation threads touch too).
                // The payer moves too: a copy of the `Arc` is an atomic count, shared with the
                // evaluation threads' copies.
                Screened::Full(mut d) => match (d.outcome, d.amount, d.payer.take(), d.due_date) {
                    (Outcome::Eligible, Some(amount), Some(payer), Some(due_date)) => {
                        eligible = true;
                        let due_now = d.installments.first().map_or(amount, |i| i.amount);
                        totals.eligible += 1;
                        totals.amount += amount;
                        totals.due_now += due_now;
                        let payout = payout(&mut self.spare, e, *d, amount, payer, due_date, due_now);
                        self.pay(&payout)?;
                        let Payout { uscc, name, bank, account, .. } = payout;
                        self.spare = [uscc, name, bank, account];
                    }
                    (Outcome::Eligible, ..) | (Outcome::Error, ..) => {
                        open = true;
                        totals.undetermined += 1;
                        totals.errors += 1;
                        self.undetermined_pairs += 1;
                        let error = d.error.as_ref().map_or_else(
                            || "符合条件但缺少兑付信息（付款方或兑付期限）".to_string(),
                            |x| {
                                format!(
                                    "计算错误：{}（第{}行第{}列 {}）",
                                    x.message, x.line, x.column, x.text
                                )
                            },
                        );
                        self.undetermined(e, *d, Some(error))?;
                    }
                    (Outcome::Undetermined | Outcome::PendingReview, ..) => {
                        open = true;
                        totals.undetermined += 1;
                        self.undetermined_pairs += 1;
                        self.undetermined(e, *d, None)?;
                    }
                    (Outcome::NotPayable, ..) => totals.not_payable += 1,
                    (Outcome::Ineligible, ..) => totals.ineligible += 1,
                },
            }
        }
        if eligible {
            self.rows.eligible += 1;
        } else if open {
            self.rows.undetermined += 1;
        } else {
            self.rows.ineligible += 1;
        }
        Ok(())
    }

    fn undetermined(&mut self, e: &Identity, d: Decision, error: Option<String>) -> Result<(), ScreenError> {
        let [uscc, name, ..] = &mut self.spare;
        let item = Undetermined {
            line: e.line,
            uscc: refill(uscc, &e.uscc),
            name: refill(name, &e.name),
            policy: d.policy,
            title: d.title,
            missing: d.missing,
            error,
        };
        self.sink.undetermined(&item)?;
        let [uscc, name, ..] = &mut self.spare;
        (*uscc, *name) = (item.uscc, item.name);
        Ok(())
    }

    fn pay(&mut self, p: &Payout) -> Result<(), ScreenError> {
        let totals = self
            .by_payer
            .entry(p.payer.clone())
            .or_insert_with(|| PayerTotals { payer: p.payer.to_string(), ..PayerTotals::default() });
        totals.count += 1;
        totals.amount += p.amount;
        totals.due_now += p.due_now;
        if p.account.is_empty() {
            totals.without_account += 1;
        }
        for s in &p.shares {
            match totals.shares.iter_mut().find(|x| *x.funder == *s.funder) {
                Some(x) => x.amount += s.amount,
                None => totals.shares.push(Share { funder: s.funder.to_string(), amount: s.amount }),
            }
            *self.by_funder.entry(s.funder.clone()).or_default() += s.amount;
        }
        self.sink.payout(p)?;
        Ok(())
    }

    fn summary(&mut self, info: &RegistryInfo, blank: u64) -> Summary {
        let mut rows = self.rows.clone();
        rows.blank = blank;
        let total: Decimal = self.by_policy.iter().map(|p| p.amount).sum();
        let total_due_now: Decimal = self.by_policy.iter().map(|p| p.due_now).sum();
        let rank = |f: &str| ["中央", "国家", "省", "市", "区", "县"].iter().position(|l| f.starts_with(l));
        let mut funders: Vec<Share> =
            self.by_funder.iter().map(|(f, a)| Share { funder: f.to_string(), amount: cents(*a) }).collect();
        funders.sort_by_key(|f| (rank(&f.funder).unwrap_or(usize::MAX), f.funder.clone()));
        let mut payers: Vec<PayerTotals> =
            self.payer_order().into_iter().filter_map(|p| self.by_payer.remove(&p)).collect();
        payers.extend(std::mem::take(&mut self.by_payer).into_values());
        for p in &mut payers {
            p.shares.sort_by_key(|s| (rank(&s.funder).unwrap_or(usize::MAX), s.funder.clone()));
            p.amount = cents(p.amount);
            p.due_now = cents(p.due_now);
        }
        let mut policies = std::mem::take(&mut self.by_policy);
        for p in &mut policies {
            p.amount = cents(p.amount);
            p.due_now = cents(p.due_now);
        }
        Summary {
            registry: info.file.clone(),
            format: Format::Csv,
            encoding: None,
            as_of: info.as_of,
            policy_set: info.policy_set.clone(),
            rows,
            policies,
            payers,
            funders,
            total: cents(total),
            total_due_now: cents(total_due_now),
            undetermined_pairs: self.undetermined_pairs,
            reject_problems: self.reject_problems,
            priors: PriorsInfo { file: None, awards: 0 },
            missing_columns: Vec::new(),
            ignored_columns: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn payer_order(&self) -> Vec<Arc<str>> {
        self.engine.platform().map(|p| p.payers.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default()
    }
}

/// A valid code in 90 bits: 18 characters of 5 bits (values 0..31).
fn packed(code: &str) -> Option<u128> {
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return None;
    }
    bytes.iter().try_fold(0u128, |acc, b| Some(acc << 5 | u128::from(crate::uscc::value(*b)?)))
}

/// Hashes a packed code: its bits are already spread, so a multiply and fold will do (SipHash
/// showed up in profiles at a million rows).
#[derive(Default)]
struct CodeHasher(u64);

impl Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
        }
    }

    fn write_u128(&mut self, n: u128) {
        let folded = (n as u64) ^ ((n >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = folded.wrapping_mul(0x51_7C_C1_B7_27_22_0A_95).rotate_left(29);
    }
}

/// Totals are shown to the 分, nothing paid as `0.00`.
fn cents(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}

/// `text` in `spare`'s buffer, which the result takes.
fn refill(spare: &mut String, text: &str) -> String {
    let mut s = std::mem::take(spare);
    s.clear();
    s.push_str(text);
    s
}

fn payout(
    spare: &mut [String; 4],
    e: &Identity,
    d: Decision,
    amount: Decimal,
    payer: Arc<str>,
    due_date: NaiveDate,
    due_now: Decimal,
) -> Payout {
    let [uscc, name, bank, account] = spare;
    Payout {
        line: e.line,
        uscc: refill(uscc, &e.uscc),
        name: refill(name, &e.name),
        bank: refill(bank, &e.bank),
        account: refill(account, &e.account),
        policy: d.policy,
        title: d.title,
        payer,
        amount,
        shares: d.shares,
        due_now,
        due_date,
        installments: d.installments,
    }
}
