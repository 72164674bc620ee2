//! Reading a registry row by row: CSV (UTF-8, or GB18030 as departments' Excel exports often
//! are), XLSX (calamine's streaming cell reader) and NDJSON (one JSON object a line, for the
//! service). Nothing is read whole: rows come one at a time, each with its row number.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use calamine::{DataRef, Reader, Xlsx};
use csv::{ByteRecord, StringRecord};
use serde::Serialize;

use crate::row::Utf8Record;
use crate::split::{Record, Records};

/// How much of the start of a CSV is read to tell UTF-8 from GB18030.
const SNIFF: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Ndjson,
}

/// The text encoding a CSV was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    #[serde(rename = "UTF-8")]
    Utf8,
    #[serde(rename = "UTF-8 (BOM)")]
    Utf8Bom,
    #[serde(rename = "GB18030")]
    Gb18030,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("无法读取 `{path}`：{source}")]
    Open { path: String, source: std::io::Error },
    #[error("无法读取登记表：{0}")]
    Io(#[from] std::io::Error),
    #[error("`{0}` 不是可读取的登记表，请提供 `.csv`、`.xlsx` 或 `.ndjson` 文件")]
    Extension(String),
    #[error("登记表是 UTF-16 编码；请在 Excel 中另存为“CSV UTF-8 (逗号分隔)”或 `.xlsx`")]
    Utf16,
    #[error("登记表没有表头：第一行须写出各列的名称")]
    NoHeader,
    #[error("无法读取工作簿 `{path}`：{message}")]
    Xlsx { path: String, message: String },
    #[error("无法按 CSV 读取登记表：{0}")]
    Csv(String),
}

/// One row as read, before its cells are parsed.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// The row number as a spreadsheet shows it (the header is usually row 1); for a CSV, the
    /// line the record starts on; for NDJSON, the line.
    pub line: u64,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// Cells in header order, as text (XLSX numbers, dates and booleans written out).
    Cells(StringRecord),
    /// A CSV record as read, not yet checked to be text: that is left to the evaluation threads
    /// ([`Body::text`]), so the one reading thread only splits records.
    Bytes { record: Record, width: usize, encoding: Encoding },
    /// One NDJSON line.
    Json(String),
    /// A row that could not be read as text; it is rejected for this reason.
    Broken { column: String, value: String, reason: String },
}

/// Where a registry's rows come from.
trait Source: Send {
    fn next(&mut self) -> Result<Option<RawRow>, RegistryError>;

    /// The next row into `row`, reusing its buffers where the source can; `false` at the end.
    fn next_into(&mut self, row: &mut RawRow) -> Result<bool, RegistryError> {
        match self.next()? {
            Some(next) => {
                *row = next;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// An open registry: its header, and its rows one at a time.
pub struct Registry {
    /// The file name, as rejects name it.
    pub name: String,
    pub format: Format,
    /// For CSV and NDJSON: the encoding the text was read in.
    pub encoding: Option<Encoding>,
    /// Column names; empty for NDJSON.
    pub header: Vec<String>,
    /// Rows whose every cell is empty: skipped, and counted apart.
    pub blank: u64,
    /// Bytes of the file read so far, for progress; with `bytes_total` when the size is known.
    pub bytes_read: Arc<AtomicU64>,
    pub bytes_total: Option<u64>,
    /// For XLSX: the rows the sheet says it has (header included).
    pub rows_total: Option<u64>,
    source: Box<dyn Source>,
}

impl Registry {
    /// Opens a registry file by its extension: `.csv`, `.xlsx`, `.ndjson` or `.jsonl`.
    pub fn open(path: &Path) -> Result<Registry, RegistryError> {
        // The name is for messages; a path without an extension is refused below as one.
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let open = |path: &Path| {
            File::open(path)
                .map_err(|source| RegistryError::Open { path: path.display().to_string(), source })
        };
        match ext.as_str() {
            "csv" => {
                let file = open(path)?;
                let size = file.metadata().ok().map(|m| m.len());
                let mut registry = Registry::csv(&name, file)?;
                registry.bytes_total = size;
                Ok(registry)
            }
            "ndjson" | "jsonl" => {
                let file = open(path)?;
                let size = file.metadata().ok().map(|m| m.len());
                let mut registry = Registry::ndjson(&name, file)?;
                registry.bytes_total = size;
                Ok(registry)
            }
            "xlsx" | "xlsm" => Registry::xlsx(path),
            _ => Err(RegistryError::Extension(path.display().to_string())),
        }
    }

    /// A CSV from any reader (a file, a request body). The encoding is told from the first
    /// 64 KiB: a UTF-8 BOM or valid UTF-8 is UTF-8, anything else GB18030.
    pub fn csv(name: &str, reader: impl Read + Send + 'static) -> Result<Registry, RegistryError> {
        let counted = Counted::new(reader);
        let bytes_read = counted.count.clone();
        let (text, encoding) = decoded(counted)?;
        let mut reader = Records::new(text);
        let mut record = Record::default();
        let mut blank = 0;
        let header = loop {
            if reader.read(&mut record).map_err(csv_error)?.is_none() {
                return Err(RegistryError::NoHeader);
            }
            if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                blank += 1;
                continue;
            }
            break record
                .iter()
                .map(|c| String::from_utf8_lossy(c).trim().trim_start_matches('\u{feff}').trim().to_string())
                .collect::<Vec<_>>();
        };
        let width = header.len();
        Ok(Registry {
            name: name.to_string(),
            format: Format::Csv,
            encoding: Some(encoding),
            header,
            blank,
            bytes_read,
            bytes_total: None,
            rows_total: None,
            source: Box::new(CsvSource { reader, record, width, encoding }),
        })
    }

    /// NDJSON from any reader: one JSON object per line (see `row::from_json`).
    pub fn ndjson(name: &str, reader: impl Read + Send + 'static) -> Result<Registry, RegistryError> {
        let counted = Counted::new(reader);
        let bytes_read = counted.count.clone();
        let (text, encoding) = decoded(counted)?;
        Ok(Registry {
            name: name.to_string(),
            format: Format::Ndjson,
            encoding: Some(encoding),
            header: Vec::new(),
            blank: 0,
            bytes_read,
            bytes_total: None,
            rows_total: None,
            source: Box::new(JsonSource { reader: BufReader::new(text), line: 0, buf: Vec::new() }),
        })
    }

    /// The first worksheet of a workbook, read by calamine's streaming cell reader on a thread of
    /// its own (the reader borrows the workbook, so the two live there together). What stays in
    /// memory is calamine's shared-string table (every distinct text of the workbook) and one
    /// row; Excel itself caps a sheet at 1,048,576 rows.
    pub fn xlsx(path: &Path) -> Result<Registry, RegistryError> {
        // The name is for messages only.
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let shown = path.display().to_string();
        let (tx, rx) = crossbeam_channel::bounded::<Result<XlsxRow, RegistryError>>(256);
        let (meta_tx, meta_rx) = crossbeam_channel::bounded::<Result<u64, RegistryError>>(1);
        let owned = path.to_path_buf();
        std::thread::Builder::new()
            .name("huiqi-xlsx".into())
            .spawn(move || read_xlsx(&owned, &tx, &meta_tx))
            .map_err(RegistryError::Io)?;
        let rows_total = meta_rx.recv().map_err(|_| RegistryError::Xlsx {
            path: shown.clone(),
            message: "the reader stopped".into(),
        })??;
        let mut source = XlsxSource { rx, width: 0 };
        let mut blank = 0;
        let header = loop {
            match source.rx.recv() {
                Ok(Ok(row)) if row.cells.iter().all(|c| c.trim().is_empty()) => blank += 1,
                Ok(Ok(row)) => break row.cells.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>(),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(RegistryError::NoHeader),
            }
        };
        source.width = header.len();
        Ok(Registry {
            name,
            format: Format::Xlsx,
            encoding: None,
            header,
            blank,
            bytes_read: Arc::new(AtomicU64::new(0)),
            bytes_total: None,
            rows_total: Some(rows_total),
            source: Box::new(source),
        })
    }

    /// The next row that is not blank, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, RegistryError> {
        loop {
            let Some(row) = self.source.next()? else { return Ok(None) };
            if row.body.is_blank() {
                self.blank += 1;
                continue;
            }
            return Ok(Some(row));
        }
    }

    /// As [`Registry::next_row`], into a row read before (a CSV record's buffers are reused);
    /// `false` at the end, `row` then left as it was or half written.
    pub fn next_row_into(&mut self, row: &mut RawRow) -> Result<bool, RegistryError> {
        loop {
            if !self.source.next_into(row)? {
                return Ok(false);
            }
            if row.body.is_blank() {
                self.blank += 1;
                continue;
            }
            return Ok(true);
        }
    }
}

/// Counts the bytes read through it, for progress.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> Counted<R> {
    fn new(inner: R) -> Self {
        Counted { inner, count: Arc::new(AtomicU64::new(0)) }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The text of a reader as UTF-8, with the encoding it was in. The start is read to decide: a
/// UTF-8 BOM (dropped) or bytes that are valid UTF-8 mean UTF-8; otherwise GB18030, decoded as
/// the rows stream through (GB18030 is a superset of GBK and GB2312).
fn decoded(
    mut reader: impl Read + Send + 'static,
) -> Result<(Box<dyn Read + Send>, Encoding), RegistryError> {
    let mut start = Vec::with_capacity(SNIFF);
    (&mut reader).take(SNIFF as u64).read_to_end(&mut start)?;
    if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) {
        return Err(RegistryError::Utf16);
    }
    if let Some(rest) = start.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let rest = rest.to_vec();
        return Ok((Box::new(std::io::Cursor::new(rest).chain(reader)), Encoding::Utf8Bom));
    }
    let utf8 = match std::str::from_utf8(&start) {
        Ok(_) => true,
        // A character cut by the 64 KiB boundary is still UTF-8.
        Err(e) => e.error_len().is_none(),
    };
    let whole = std::io::Cursor::new(start).chain(reader);
    if utf8 {
        Ok((Box::new(whole), Encoding::Utf8))
    } else {
        let decoder =
            encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding_rs::GB18030)).build(whole);
        Ok((Box::new(decoder), Encoding::Gb18030))
    }
}

/// A CSV that could not be read: the message `csv::Reader` gives for it.
fn csv_error(e: std::io::Error) -> RegistryError {
    RegistryError::Csv(csv::Error::from(e).to_string())
}

struct CsvSource {
    reader: Records<Box<dyn Read + Send>>,
    record: Record,
    width: usize,
    encoding: Encoding,
}

impl Source for CsvSource {
    fn next(&mut self) -> Result<Option<RawRow>, RegistryError> {
        let Some(line) = self.reader.read(&mut self.record).map_err(csv_error)? else { return Ok(None) };
        // A copy sized to the record; the reader's buffer keeps its capacity (taking it would
        // regrow a fresh one, field by field, on every row).
        let record = self.record.clone();
        Ok(Some(RawRow { line, body: Body::Bytes { record, width: self.width, encoding: self.encoding } }))
    }

    fn next_into(&mut self, row: &mut RawRow) -> Result<bool, RegistryError> {
        let Body::Bytes { record, width, encoding } = &mut row.body else {
            return match self.next()? {
                Some(next) => {
                    *row = next;
                    Ok(true)
                }
                None => Ok(false),
            };
        };
        let Some(line) = self.reader.read(record).map_err(csv_error)? else { return Ok(false) };
        row.line = line;
        (*width, *encoding) = (self.width, self.encoding);
        Ok(true)
    }
}

impl Body {
    /// Whether every cell is empty.
    fn is_blank(&self) -> bool {
        match self {
            Body::Cells(cells) => cells.iter().all(|c| c.trim().is_empty()),
            Body::Bytes { record, .. } => record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)),
            Body::Json(text) => text.trim().is_empty(),
            Body::Broken { .. } => false,
        }
    }

    /// Text cells for a CSV record ([`Body::Bytes`]), or why it cannot be read; other bodies as
    /// they are.
    pub fn text(self) -> Body {
        match self {
            Body::Bytes { record, width, encoding } => cells(&record, width, encoding),
            other => other,
        }
    }
}

/// A CSV record as text in one UTF-8 check, when it is a plain good row: as many cells as the
/// header (or more, all empty), all UTF-8, no replacement character in a GB18030 file. `None`
/// sends it the slow way ([`Body::text`]), which says what is wrong.
pub(crate) fn fast_cells(record: &Record, width: usize, encoding: Encoding) -> Option<Utf8Record<'_>> {
    if record.len() < width || (width..record.len()).any(|i| record.get(i).is_some_and(|c| !c.is_empty())) {
        return None;
    }
    let text = Utf8Record::new(record)?;
    if encoding == Encoding::Gb18030 && text.text().contains('\u{FFFD}') {
        return None;
    }
    Some(text)
}

/// A CSV record as text cells, or why it cannot be read.
fn cells(record: &Record, width: usize, encoding: Encoding) -> Body {
    if record.len() > width {
        // Trailing empty cells (Excel pads rows) are harmless; a value past the header is not.
        if let Some((i, extra)) = record.iter().enumerate().skip(width).find(|(_, c)| !c.is_empty()) {
            return Body::Broken {
                column: format!("column {}", i + 1),
                value: String::from_utf8_lossy(extra).into_owned(),
                reason: format!(
                    "the row has {} cells but the header names {width} columns (an unquoted comma?)",
                    record.len()
                ),
            };
        }
    } else if record.len() < width {
        return Body::Broken {
            column: String::new(),
            value: String::new(),
            reason: format!("the row has {} cells but the header names {width} columns", record.len()),
        };
    }
    match StringRecord::from_byte_record(ByteRecord::from(record)) {
        Ok(mut text) => {
            text.truncate(width);
            let undecoded = (encoding == Encoding::Gb18030)
                .then(|| text.iter().find(|c| c.contains('\u{FFFD}')))
                .flatten();
            if let Some(bad) = undecoded {
                return Body::Broken {
                    column: String::new(),
                    value: bad.to_string(),
                    reason: "bytes that are neither UTF-8 nor GB18030; save the file as CSV UTF-8".into(),
                };
            }
            Body::Cells(text)
        }
        Err(e) => Body::Broken {
            column: String::new(),
            value: String::new(),
            reason: format!(
                "the row is not valid UTF-8 though the file began as UTF-8 ({e}); save it as CSV UTF-8"
            ),
        },
    }
}

struct JsonSource {
    reader: BufReader<Box<dyn Read + Send>>,
    line: u64,
    buf: Vec<u8>,
}

impl Source for JsonSource {
    fn next(&mut self) -> Result<Option<RawRow>, RegistryError> {
        self.buf.clear();
        if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        self.line += 1;
        let body = match std::str::from_utf8(&self.buf) {
            Ok(text) => Body::Json(text.trim_start_matches('\u{feff}').trim().to_string()),
            Err(e) => Body::Broken {
                column: String::new(),
                value: String::new(),
                reason: format!("the line is not valid UTF-8 ({e})"),
            },
        };
        Ok(Some(RawRow { line: self.line, body }))
    }
}

/// One worksheet row: its number (0-based) and its cells as text, in column order.
struct XlsxRow {
    row: u32,
    cells: Vec<String>,
    /// The first cell that cannot be read, as (column, text, why): an Excel error (`#DIV/0!`), or
    /// a number longer than a double keeps (an account number typed as a number).
    error: Option<(u32, String, &'static str)>,
}

struct XlsxSource {
    rx: crossbeam_channel::Receiver<Result<XlsxRow, RegistryError>>,
    width: usize,
}

impl Source for XlsxSource {
    fn next(&mut self) -> Result<Option<RawRow>, RegistryError> {
        let Ok(row) = self.rx.recv() else { return Ok(None) };
        let row = row?;
        let line = u64::from(row.row) + 1;
        if let Some((col, text, why)) = row.error {
            return Ok(Some(RawRow {
                line,
                body: Body::Broken { column: format!("column {}", col + 1), value: text, reason: why.into() },
            }));
        }
        if let Some((i, extra)) = row.cells.iter().enumerate().skip(self.width).find(|(_, c)| !c.is_empty()) {
            return Ok(Some(RawRow {
                line,
                body: Body::Broken {
                    column: format!("column {}", i + 1),
                    value: extra.clone(),
                    reason: format!("a value past the {} columns the header names", self.width),
                },
            }));
        }
        let mut record = StringRecord::with_capacity(row.cells.iter().map(String::len).sum(), self.width);
        for i in 0..self.width {
            record.push_field(row.cells.get(i).map_or("", String::as_str));
        }
        Ok(Some(RawRow { line, body: Body::Cells(record) }))
    }
}

/// Reads the first worksheet cell by cell, sending whole rows; stops when the receiver is gone.
fn read_xlsx(
    path: &Path,
    tx: &crossbeam_channel::Sender<Result<XlsxRow, RegistryError>>,
    meta: &crossbeam_channel::Sender<Result<u64, RegistryError>>,
) {
    let fail = |e: &dyn std::fmt::Display| RegistryError::Xlsx {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut workbook: Xlsx<BufReader<File>> = match calamine::open_workbook(path) {
        Ok(w) => w,
        Err(e) => {
            let _ = meta.send(Err(fail(&e)));
            return;
        }
    };
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        let _ = meta.send(Err(fail(&"the workbook has no worksheet")));
        return;
    };
    let mut cells = match workbook.worksheet_cells_reader(&sheet) {
        Ok(c) => c,
        Err(e) => {
            let _ = meta.send(Err(fail(&e)));
            return;
        }
    };
    let dims = cells.dimensions();
    if meta.send(Ok(u64::from(dims.end.0.saturating_sub(dims.start.0)) + 1)).is_err() {
        return;
    }
    let mut current: Option<XlsxRow> = None;
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(fail(&e)));
                return;
            }
        };
        let (r, c) = cell.get_position();
        if current.as_ref().is_some_and(|row| row.row != r) {
            if let Some(done) = current.take() {
                if tx.send(Ok(done)).is_err() {
                    return;
                }
            }
        }
        let row = current.get_or_insert_with(|| XlsxRow { row: r, cells: Vec::new(), error: None });
        let col = c as usize;
        if row.cells.len() <= col {
            row.cells.resize(col + 1, String::new());
        }
        let text = match cell.get_value() {
            DataRef::Error(e) => {
                let text = e.to_string();
                row.error.get_or_insert((c, text.clone(), "the cell holds an Excel error value"));
                text
            }
            // Beyond 2^53 a double no longer holds every whole number: the digits are already lost.
            DataRef::Float(f) if f.abs() >= 9_007_199_254_740_992.0 => {
                let text = f.to_string();
                row.error.get_or_insert((
                    c,
                    text.clone(),
                    "a number longer than Excel keeps exactly (15 digits); if it is an account number or a code, format the column as text",
                ));
                text
            }
            value => cell_text(value),
        };
        if let Some(place) = row.cells.get_mut(col) {
            *place = text;
        }
    }
    if let Some(done) = current {
        let _ = tx.send(Ok(done));
    }
}

/// An XLSX cell as the text a CSV export would hold: numbers in their shortest exact decimal
/// form, dates as `YYYY-MM-DD`, booleans as true/false.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        // Rust prints the shortest decimal that reads back as the same double: 1234.56, not
        // 1234.5599999999999.
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(d) if dt.is_datetime() => d.date().format("%Y-%m-%d").to_string(),
            _ => dt.as_f64().to_string(),
        },
        DataRef::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}
