//! `huiqi diff` (政策沙盘): a registry screened under the adopted library (`--base`) and the
//! current one, and what the change does: who gains, who loses, who newly qualifies or stops,
//! and the totals before and after. The comparison is `huiqi_screen::diff`; this file loads,
//! runs and writes, [`report`] lays the findings out as tables, [`text`] renders them as text or
//! Markdown and [`workbook`] as XLSX.

mod report;
mod text;
mod workbook;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

use chrono::NaiveDate;
use clap::ValueEnum;
use huiqi_screen::{Ledger, Options, Progress, Registry, Sandbox};
use indicatif::ProgressBar;

use crate::library;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum DiffFormat {
    /// Plain text with Chinese headings (the default).
    Text,
    /// Markdown tables.
    Md,
    /// An XLSX workbook (needs `--out`).
    Xlsx,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The library to compare against: the policies in force, e.g. a checkout of the adopted ones.
    #[arg(long)]
    base: PathBuf,
    /// The registry: `.csv` (UTF-8 or GB18030) or `.xlsx`, as `huiqi screen` reads it.
    #[arg(long)]
    registry: PathBuf,
    /// The evaluation date (YYYY-MM-DD).
    #[arg(long)]
    date: NaiveDate,
    /// The library with the change (a draft); the bundled library if not given.
    #[arg(long, default_value = library::DEFAULT_DIR)]
    library: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Where the report goes; standard output if not given (text and Markdown only).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The payment ledger (统一社会信用代码, 政策编码, 兑付日期, 金额), CSV or XLSX, as for `huiqi screen`.
    #[arg(long)]
    priors: Option<PathBuf>,
    /// Evaluation threads; default one per core.
    #[arg(long)]
    threads: Option<usize>,
}

/// Why the command stopped, in Chinese.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("{side} `{dir}` 无法载入：{message}")]
    Library { side: &'static str, dir: String, message: String },
    #[error("登记表 `{path}` 无法读取：{message}")]
    Registry { path: String, message: String },
    #[error("已兑付台账 `{path}` 无法读取：{message}")]
    Priors { path: String, message: String },
    #[error("XLSX 是文件格式，请用 --out 指定要写入的 .xlsx 文件")]
    XlsxNeedsOut,
    #[error("无法写入 `{path}`：{message}")]
    Write { path: String, message: String },
    #[error(transparent)]
    Diff(#[from] huiqi_screen::DiffError),
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    Ok(compare(args)?)
}

fn compare(args: &Args) -> Result<ExitCode, Error> {
    let started = Instant::now();
    if args.format == DiffFormat::Xlsx && args.out.is_none() {
        return Err(Error::XlsxNeedsOut);
    }
    let load = |side: &'static str, dir: &Path| {
        library::load(dir).map(|l| l.engine).map_err(|message| Error::Library {
            side,
            dir: dir.display().to_string(),
            message,
        })
    };
    let [base_name, new_name] = huiqi_screen::diff::SIDES;
    let base = load(base_name, &args.base)?;
    let new = load(new_name, &args.library)?;
    let ledger = match &args.priors {
        Some(path) => Ledger::read(path)
            .map_err(|e| Error::Priors { path: path.display().to_string(), message: e.to_string() })?,
        None => Ledger::default(),
    };
    let registry = Registry::open(&args.registry)
        .map_err(|e| Error::Registry { path: args.registry.display().to_string(), message: e.to_string() })?;
    let mut options = Options::new(args.date);
    options.threads = args.threads;
    let sandbox = Sandbox::new(&base, &new, registry, &ledger, options)?;
    for warning in sandbox.warnings() {
        eprintln!("提示：{warning}");
    }
    let bar: OnceLock<ProgressBar> = OnceLock::new();
    let terminal = std::io::stderr().is_terminal();
    let progress = |p: Progress| {
        if !terminal {
            return;
        }
        let bar = bar.get_or_init(|| crate::screen::new_bar(&p));
        bar.set_position(if p.bytes_total.is_some() { p.bytes } else { p.rows });
        bar.set_message(format!("{} 行", p.rows));
    };
    let impact = sandbox.run(&progress)?;
    if let Some(bar) = bar.get() {
        bar.finish_and_clear();
    }
    let report = report::Report::new(&impact, &args.base, &args.library);
    match (&args.out, args.format) {
        (Some(path), DiffFormat::Xlsx) => {
            workbook::write(&report, path)
                .map_err(|e| Error::Write { path: path.display().to_string(), message: e.to_string() })?;
        }
        (Some(path), format) => write_file(path, |out| text::render(&report, format == DiffFormat::Md, out))?,
        (None, format) => {
            let mut out = std::io::stdout().lock();
            text::render(&report, format == DiffFormat::Md, &mut out)
                .and_then(|()| out.flush())
                .or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })
                .map_err(|e| Error::Write { path: "标准输出".into(), message: e.to_string() })?;
        }
    }
    if let Some(path) = &args.out {
        eprintln!("已写入 {}", path.display());
    }
    eprintln!(
        "按两个政策库筛查 {} 行，{} 笔变化，用时 {:.2} 秒",
        impact.base.rows.rows,
        impact.changes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes a report under `path`'s `.partial` name and renames it when whole, so a report cut
/// short never passes for a finished one.
fn write_file(path: &Path, render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let error = |e: std::io::Error| Error::Write { path: path.display().to_string(), message: e.to_string() };
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    let partial = path.with_file_name(name);
    let file = std::fs::File::create(&partial).map_err(error)?;
    let mut out = std::io::BufWriter::new(file);
    render(&mut out).and_then(|()| out.flush()).map_err(error)?;
    std::fs::rename(&partial, path).map_err(error)
}
