//! `huiqi screen` (免申即享 over a registry: payout lists per payer) and `huiqi gen-registry`
//! (synthetic registries for tests and benchmarks).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

use chrono::NaiveDate;
use huiqi_ledger::{LedgerSink, ScreeningRun};
use huiqi_screen::generate::{self, GenOptions};
use huiqi_screen::{FileSink, Ledger, Options, Progress, Registry, Screening};
use indicatif::{ProgressBar, ProgressStyle};

use crate::library;

#[derive(clap::Args, Debug)]
pub struct ScreenArgs {
    /// The registry: `.csv` (UTF-8 or GB18030) or `.xlsx`; a header row, then one enterprise a row.
    registry: PathBuf,
    /// The evaluation date (YYYY-MM-DD); today if not given.
    #[arg(long)]
    date: Option<NaiveDate>,
    /// Only these 免申即享 policies (repeatable); default: all of them.
    #[arg(long = "policy")]
    policies: Vec<String>,
    /// Where the lists and the summary go.
    #[arg(long, default_value = "screen-out")]
    out: PathBuf,
    /// The payment ledger (统一社会信用代码, 政策编码, 兑付日期, 金额), CSV or XLSX.
    #[arg(long)]
    priors: Option<PathBuf>,
    /// Record each payout line into the 兑现 ledger (`sqlite://…` or `postgres://…`) as an
    /// approved claim with its payout, idempotently; its prior awards are screened against.
    #[arg(long = "db", env = "HUIQI_DB")]
    db: Option<String>,
    /// Stop at the first bad row (exit 1) instead of listing it in rejects.csv.
    #[arg(long)]
    strict: bool,
    /// The policy library.
    #[arg(long, default_value = library::DEFAULT_DIR)]
    library: PathBuf,
    /// Evaluation threads; default one per core.
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(clap::Args, Debug)]
pub struct GenArgs {
    /// Enterprises (rows) to make.
    #[arg(long)]
    rows: u64,
    /// The same seed (and date) makes the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The CSV to write.
    #[arg(long)]
    out: PathBuf,
    /// The evaluation date the registry is made for; today if not given.
    #[arg(long)]
    date: Option<NaiveDate>,
    /// The policy library whose 免申即享 policies decide the columns.
    #[arg(long, default_value = library::DEFAULT_DIR)]
    library: PathBuf,
}

pub fn run_screen(args: &ScreenArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let as_of = args.date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let library = library::load(&args.library)?;
    let db = args.db.as_deref().map(huiqi_ledger::Ledger::open).transpose()?;
    // With a ledger, the engine is the one built from the texts the ledger stores, so every
    // claim recorded names a policy set it can be replayed with.
    let set = match &db {
        Some(_) => Some(library::policy_set(&args.library, &library)?),
        None => None,
    };
    let engine = set.as_ref().map_or(&library.engine, |s| s.engine());
    let mut ledger = match &args.priors {
        Some(path) => Ledger::read(path)?,
        None => Ledger::default(),
    };
    if let Some(db) = &db {
        // Every prior award in one query, held by code as `--priors` holds a file's: 频次 and
        // 累计上限 hold across runs without a query per row.
        for (code, award) in db.all_prior_awards(Some(as_of))? {
            ledger.add(code, award);
        }
        ledger.file = Some(match ledger.file.take() {
            Some(file) => format!("{file} + {}", db.url()),
            None => db.url().to_owned(),
        });
    }
    let registry = Registry::open(&args.registry)?;
    let registry_name = registry.name.clone();
    let mut options = Options::new(as_of);
    options.policies = args.policies.clone();
    options.strict = args.strict;
    options.threads = args.threads;
    // Each line recorded keeps what it was decided on, so the ledger can replay it.
    options.keep_basis = db.is_some();
    let screening = Screening::new(engine, registry, &ledger, options)?;
    for warning in screening.warnings() {
        eprintln!("warning: {warning}");
    }
    let files = FileSink::create(&args.out, &screening.payers(), &screening.funders())?;
    let bar: OnceLock<ProgressBar> = OnceLock::new();
    let terminal = std::io::stderr().is_terminal();
    let progress = |p: Progress| {
        if !terminal {
            return;
        }
        let bar = bar.get_or_init(|| new_bar(&p));
        if p.bytes_total.is_some() {
            bar.set_position(p.bytes);
        } else {
            bar.set_position(p.rows);
        }
        bar.set_message(format!("{} rows", p.rows));
    };
    let summary = match (&db, &set) {
        (Some(db), Some(set)) => {
            let run = ScreeningRun::new(set, as_of, registry_name);
            LedgerSink::record(db, run, files, |sink| screening.run(sink, &progress))?.value?
        }
        _ => screening.run(&mut { files }, &progress)?,
    };
    if let Some(bar) = bar.get() {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    for p in &summary.payers {
        say!(
            "{}: {} lines, {} 元 ({} due by the due date) -> {}",
            p.payer,
            p.count,
            huiqi_screen::summary::money(p.amount),
            huiqi_screen::summary::money(p.due_now),
            p.files.join(", ")
        );
    }
    say!("{}", summary.rows.line());
    if let Some(recorded) = &summary.ledger {
        say!("{}", recorded.line());
    }
    say!("written to {}", args.out.display());
    eprintln!(
        "screened {} rows against {} policies in {seconds:.2} s ({:.0} rows/s)",
        summary.rows.rows,
        summary.policies.len(),
        summary.rows.rows as f64 / seconds.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

/// A bar by bytes for a file of known size, by rows for a workbook, else a counter (also `huiqi diff`'s).
pub(crate) fn new_bar(p: &Progress) -> ProgressBar {
    let (bar, template) = match (p.bytes_total, p.rows_total) {
        (Some(total), _) => (ProgressBar::new(total), "{bar:40} {bytes}/{total_bytes} {msg} ({eta})"),
        (None, Some(total)) => (ProgressBar::new(total), "{bar:40} {pos}/{len} 行 ({eta})"),
        (None, None) => (ProgressBar::new_spinner(), "{spinner} {msg}"),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

pub fn run_gen(args: &GenArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let engine = library::load(&args.library)?.engine;
    let as_of = args.date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let file = std::fs::File::create(&args.out)
        .map_err(|e| format!("cannot write `{}`: {e}", args.out.display()))?;
    let out = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = generate::write(&engine, &GenOptions { rows: args.rows, seed: args.seed, as_of }, out)?;
    say!(
        "wrote {} rows × {} columns to {} (seed {}, for {as_of}; {} rows bad on purpose, {} cells empty)",
        stats.rows,
        stats.columns,
        args.out.display(),
        args.seed,
        stats.bad_rows,
        stats.empty_cells
    );
    Ok(ExitCode::SUCCESS)
}
