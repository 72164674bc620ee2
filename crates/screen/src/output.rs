//! Where a screening's findings go: payout lists per payer (CSV with a BOM, and XLSX), the
//! undetermined and rejects lists, the summary; or, for the service, into memory.
//!
//! Files are written under `.partial` names and renamed only when the run has finished and its
//! counts reconcile: a run that stops half way never leaves a list that looks complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_engine::decision::{Installment, MissingFact, ShareAmount};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::row::Reject;
use crate::summary::Summary;
use crate::xlsx::{Cell, XlsxWriter, SHEET_ROWS};

/// One line of a payout list: an enterprise, a policy, the money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payout {
    pub line: u64,
    pub uscc: String,
    pub name: String,
    pub bank: String,
    pub account: String,
    pub policy: Arc<str>,
    pub title: Arc<str>,
    pub payer: Arc<str>,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub shares: Vec<ShareAmount>,
    /// What falls due by `due_date`: the first installment of a staged award, else the amount.
    #[serde(with = "rust_decimal::serde::str")]
    pub due_now: Decimal,
    pub due_date: NaiveDate,
    pub installments: Vec<Installment>,
}

/// An enterprise × policy not decided: the facts it lacks and who holds them, or the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undetermined {
    pub line: u64,
    pub uscc: String,
    pub name: String,
    pub policy: Arc<str>,
    pub title: Arc<str>,
    pub missing: Vec<MissingFact>,
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`: {message}")]
    Write { path: String, message: String },
}

/// Receives a run's findings in registry order, then its summary.
pub trait Sink: Send {
    fn payout(&mut self, payout: &Payout) -> Result<(), OutputError>;
    fn undetermined(&mut self, item: &Undetermined) -> Result<(), OutputError>;
    /// `file` is the registry's name.
    fn reject(&mut self, file: &str, reject: &Reject) -> Result<(), OutputError>;
    /// Called once, after the summary has been checked.
    fn finish(&mut self, summary: &mut Summary) -> Result<(), OutputError>;
}

/// Keeps everything, for the service's JSON answer and for tests.
#[derive(Debug, Default)]
pub struct MemorySink {
    pub payouts: Vec<Payout>,
    pub undetermined: Vec<Undetermined>,
    pub rejects: Vec<Reject>,
}

impl Sink for MemorySink {
    fn payout(&mut self, payout: &Payout) -> Result<(), OutputError> {
        self.payouts.push(payout.clone());
        Ok(())
    }

    fn undetermined(&mut self, item: &Undetermined) -> Result<(), OutputError> {
        self.undetermined.push(item.clone());
        Ok(())
    }

    fn reject(&mut self, _file: &str, reject: &Reject) -> Result<(), OutputError> {
        self.rejects.push(reject.clone());
        Ok(())
    }

    fn finish(&mut self, _summary: &mut Summary) -> Result<(), OutputError> {
        Ok(())
    }
}

/// The column of a funder's share: `市` → `市级(元)`.
pub fn funder_column(funder: &str) -> String {
    if funder.ends_with('级') {
        format!("{funder}(元)")
    } else {
        format!("{funder}级(元)")
    }
}

/// An amount as an XLSX number. The one place money becomes a float: Excel stores numbers as
/// doubles. The decimal text is parsed (correctly rounded) to the nearest double, which for any
/// amount below 2^53 分 (about 90 trillion 元) reads back to the same 分; a test checks.
pub fn excel_number(amount: Decimal) -> f64 {
    f64::from_str(&amount.to_string()).unwrap_or(f64::NAN)
}

pub(crate) fn write_error(path: &Path, e: impl std::fmt::Display) -> OutputError {
    OutputError::Write { path: path.display().to_string(), message: e.to_string() }
}

/// A CSV under its `.partial` name, with a UTF-8 BOM so Excel reads it as UTF-8.
struct CsvFile {
    path: PathBuf,
    partial: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
}

impl CsvFile {
    fn create(path: PathBuf, header: &[String]) -> Result<CsvFile, OutputError> {
        let partial = partial(&path);
        let mut file = BufWriter::with_capacity(
            256 * 1024,
            File::create(&partial).map_err(|e| write_error(&partial, e))?,
        );
        file.write_all(b"\xEF\xBB\xBF").map_err(|e| write_error(&partial, e))?;
        let mut writer = csv::Writer::from_writer(file);
        writer.write_record(header).map_err(|e| write_error(&partial, e))?;
        Ok(CsvFile { path, partial, writer })
    }

    fn row<I, T>(&mut self, cells: I) -> Result<(), OutputError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(cells).map_err(|e| write_error(&self.partial, e))
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        self.writer.flush().map_err(|e| write_error(&self.partial, e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| write_error(&self.path, e))
    }
}

pub(crate) fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

struct PayerFiles {
    payer: Arc<str>,
    csv: CsvFile,
    xlsx: XlsxWriter,
}

/// Writes a run into a directory: `付款清单-<payer>.csv` and `.xlsx` for every payer,
/// `undetermined.csv`, `rejects.csv`, `summary.json` and `summary.md`.
pub struct FileSink {
    dir: PathBuf,
    funders: Vec<Arc<str>>,
    payers: Vec<PayerFiles>,
    scratch: Scratch,
    undetermined: CsvFile,
    rejects: CsvFile,
    finished: bool,
}

pub const UNDETERMINED_FILE: &str = "undetermined.csv";
pub const REJECTS_FILE: &str = "rejects.csv";

/// The payout list's columns.
pub fn payout_header(funders: &[Arc<str>]) -> Vec<String> {
    let mut header: Vec<String> =
        ["统一社会信用代码", "企业名称", "开户银行", "银行账号", "政策编码", "政策名称", "金额(元)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    header.extend(funders.iter().map(|f| funder_column(f)));
    header.extend(["本期应付(元)", "兑付期限", "分期", "登记表行号"].iter().map(|s| s.to_string()));
    header
}

pub fn payout_file(payer: &str, ext: &str) -> String {
    format!("付款清单-{payer}.{ext}")
}

/// Text buffers reused for every payout line.
#[derive(Default)]
struct Scratch {
    amount: String,
    due_now: String,
    line: String,
    shares: Vec<String>,
    /// The last due date and its text: every line of a run has the same one.
    due: Option<(NaiveDate, String)>,
}

impl FileSink {
    /// Creates the directory and the files; `payers` and `funders` as the library has them.
    pub fn create(dir: &Path, payers: &[Arc<str>], funders: &[Arc<str>]) -> Result<FileSink, OutputError> {
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
        let header = payout_header(funders);
        let mut files = Vec::with_capacity(payers.len());
        for payer in payers {
            files.push(PayerFiles {
                payer: payer.clone(),
                csv: CsvFile::create(dir.join(payout_file(payer, "csv")), &header)?,
                xlsx: XlsxWriter::create(dir.join(payout_file(payer, "xlsx")), header.clone(), SHEET_ROWS)?,
            });
        }
        let undetermined_header: Vec<String> = [
            "统一社会信用代码",
            "企业名称",
            "登记表行号",
            "政策编码",
            "政策名称",
            "缺少的数据",
            "提供部门",
            "说明",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rejects_header: Vec<String> =
            ["文件", "行号", "列", "值", "原因"].iter().map(|s| s.to_string()).collect();
        Ok(FileSink {
            dir: dir.to_path_buf(),
            funders: funders.to_vec(),
            payers: files,
            scratch: Scratch::default(),
            undetermined: CsvFile::create(dir.join(UNDETERMINED_FILE), &undetermined_header)?,
            rejects: CsvFile::create(dir.join(REJECTS_FILE), &rejects_header)?,
            finished: false,
        })
    }
}

fn staged(installments: &[Installment]) -> String {
    if installments.len() < 2 {
        return String::new();
    }
    let parts: Vec<String> = installments.iter().map(|i| format!("{}年 {}", i.year, i.amount)).collect();
    format!("分{}期：{}", installments.len(), parts.join("；"))
}

impl Sink for FileSink {
    fn payout(&mut self, p: &Payout) -> Result<(), OutputError> {
        use std::fmt::Write as _;
        let FileSink { dir, funders, payers, scratch, .. } = self;
        let Some(files) = payers.iter_mut().find(|f| f.payer == p.payer) else {
            return Err(write_error(dir, format!("the payer `{}` is not in the platform's list", p.payer)));
        };
        // Numbers are written into buffers kept from line to line: lists run to a million lines.
        let share = |funder: &Arc<str>| p.shares.iter().find(|s| s.funder == *funder).map(|s| s.amount);
        let Scratch { amount, due_now, line, shares, due } = scratch;
        amount.clear();
        let _ = write!(amount, "{}", p.amount);
        due_now.clear();
        let _ = write!(due_now, "{}", p.due_now);
        line.clear();
        let _ = write!(line, "{}", p.line);
        shares.resize(funders.len(), String::new());
        for (text, f) in shares.iter_mut().zip(funders.iter()) {
            text.clear();
            if let Some(a) = share(f) {
                let _ = write!(text, "{a}");
            }
        }
        if due.as_ref().is_none_or(|(d, _)| *d != p.due_date) {
            *due = Some((p.due_date, p.due_date.to_string()));
        }
        let due = due.as_ref().map_or("", |(_, t)| t.as_str());
        let staged = staged(&p.installments);
        let text = [p.uscc.as_str(), &p.name, &p.bank, &p.account, &p.policy, &p.title, amount]
            .into_iter()
            .chain(shares.iter().map(String::as_str))
            .chain([due_now.as_str(), due, staged.as_str(), line.as_str()]);
        files.csv.row(text)?;
        let cells = [
            Cell::Text(&p.uscc),
            Cell::Text(&p.name),
            Cell::Text(&p.bank),
            Cell::Text(&p.account),
            Cell::Text(&p.policy),
            Cell::Text(&p.title),
            Cell::Money(p.amount),
        ]
        .into_iter()
        .chain(funders.iter().map(|f| share(f).map_or(Cell::Text(""), Cell::Money)))
        .chain([Cell::Money(p.due_now), Cell::Text(due), Cell::Text(&staged), Cell::Text(line)]);
        files.xlsx.row(cells)
    }

    fn undetermined(&mut self, u: &Undetermined) -> Result<(), OutputError> {
        let line = u.line.to_string();
        if let Some(error) = &u.error {
            return self.undetermined.row([
                &u.uscc,
                &u.name,
                &line,
                &*u.policy,
                &*u.title,
                "",
                "",
                error.as_str(),
            ]);
        }
        for m in &u.missing {
            let about = m.description.as_deref().unwrap_or("");
            self.undetermined.row([
                &u.uscc,
                &u.name,
                &line,
                &*u.policy,
                &*u.title,
                &*m.fact,
                &*m.department,
                about,
            ])?;
        }
        Ok(())
    }

    fn reject(&mut self, file: &str, r: &Reject) -> Result<(), OutputError> {
        self.rejects.row([file, &r.line.to_string(), &r.column, &r.value, &r.reason])
    }

    fn finish(&mut self, summary: &mut Summary) -> Result<(), OutputError> {
        for files in &mut self.payers {
            files.xlsx.finish()?;
            files.csv.finish()?;
            if let Some(totals) = summary.payers.iter_mut().find(|t| *t.payer == *files.payer) {
                totals.files = vec![payout_file(&files.payer, "csv"), payout_file(&files.payer, "xlsx")];
            }
        }
        self.undetermined.finish()?;
        self.rejects.finish()?;
        let json = self.dir.join("summary.json");
        let text = serde_json::to_string_pretty(&summary).map_err(|e| write_error(&json, e))?;
        std::fs::write(&json, text + "\n").map_err(|e| write_error(&json, e))?;
        let md = self.dir.join("summary.md");
        std::fs::write(&md, summary.markdown()).map_err(|e| write_error(&md, e))?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for FileSink {
    /// A run that did not finish leaves no partial lists behind.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut partials: Vec<PathBuf> = vec![partial(&self.undetermined.path), partial(&self.rejects.path)];
        for f in &self.payers {
            partials.push(partial(&f.csv.path));
            partials.push(partial(f.xlsx.path()));
        }
        for p in partials {
            let _ = std::fs::remove_file(p);
        }
    }
}
