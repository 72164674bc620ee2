//! SQLite: a file created on first use (and its directory), WAL, foreign keys on, a busy
//! timeout, every write in a `BEGIN IMMEDIATE` transaction so writers queue rather than fail,
//! and every read in a deferred one beside them.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, ToSql, Transaction};

use super::{rows_of, Cell, Columns, DbError, Dialect, Param, Row, Tx};
use crate::error::LedgerError;

/// How long a writer waits for another to finish before giving up.
const BUSY: Duration = Duration::from_secs(30);

pub(crate) fn connect(path: &Path, url: &str) -> Result<Connection, LedgerError> {
    let open = |reason: String| LedgerError::Open { url: url.to_owned(), reason };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| open(format!("无法创建目录 `{}`：{e}", dir.display())))?;
    }
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open(e.to_string()))?;
    conn.busy_timeout(BUSY).map_err(|e| open(e.to_string()))?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| open(e.to_string()))?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| open(e.to_string()))?;
    // NORMAL in WAL: a commit is not synced to the disk; the WAL is, at each checkpoint. A crash
    // of the process (or of the server) loses nothing; a power cut or a crash of the operating
    // system may lose the transactions committed since the last checkpoint (the database stays
    // whole: they are rolled back, never half kept). FULL synced every commit, behind the one
    // writer: an 8 KiB synced write takes ~2.5 ms on this machine's disk, more when it is busy
    // (docs/performance.md, "Workflow over HTTP"). Where no commit may ever be lost, run on
    // PostgreSQL (docs/deployment.md).
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| open(e.to_string()))?;
    // Checkpoints are the ledger's to run ([`Checkpointer`]), beside the writers:
    // SQLite's own runs inside the commit that takes the log past 1000 pages, copying them and
    // syncing twice while every other writer waits (7% of a server's time under submissions, in
    // one commit of ~70). A connection closing last still checkpoints and removes the log.
    conn.pragma_update(None, "wal_autocheckpoint", 0).map_err(|e| open(e.to_string()))?;
    // Pages read from the file through a map rather than copied by `pread` into each
    // connection's cache (5% of a server's time under submissions went to `pread`).
    conn.pragma_update(None, "mmap_size", MMAP_BYTES).map_err(|e| open(e.to_string()))?;
    // The ledger's SQL is a few dozen fixed texts: all of a submission's and a claim view's stay
    // prepared (rusqlite keeps 16 by default, fewer than one submission runs).
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    // 32 MB of page cache (the default is 2 MB): a screening's batches insert into indexes keyed
    // by code all over, whose pages, read back from the file each time, cost 6% of its recording.
    conn.pragma_update(None, "cache_size", -32768).map_err(|e| open(e.to_string()))?;
    Ok(conn)
}

/// Statements each connection keeps prepared.
const STATEMENTS: usize = 128;

/// How much of the file is read through a map (address space, not memory).
const MMAP_BYTES: i64 = 1 << 30;

/// A thread with a connection of its own that checkpoints the log when asked: copies what the
/// log holds into the database file, as far as no reader still needs it, without waiting for a
/// writer or a reader (`PASSIVE`). No request waits for its writes and syncs, which took a
/// request 100 ms at times on a busy disk. It ends when the ledger drops it.
pub(crate) struct Checkpointer {
    ask: std::sync::mpsc::SyncSender<()>,
}

impl Checkpointer {
    pub(crate) fn spawn(path: &Path, url: &str) -> Result<Checkpointer, LedgerError> {
        let conn = connect(path, url)?;
        // One request waiting is enough: a checkpoint copies whatever the log holds by then.
        let (ask, asked) = std::sync::mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("huiqi-checkpoint".into())
            .spawn(move || {
                while asked.recv().is_ok() {
                    // One that cannot run now (another checkpoint, a reader on old pages) runs
                    // next time; the log only grows meanwhile.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| LedgerError::Open { url: url.to_owned(), reason: e.to_string() })?;
        Ok(Checkpointer { ask })
    }

    /// Asks for a checkpoint; never waits.
    pub(crate) fn ask(&self) {
        let _ = self.ask.try_send(());
    }
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction, committed when it succeeds.
pub(crate) fn write<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let mut tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| LedgerError::from(map(e)))?;
    let value = f(&mut tx)?;
    tx.commit().map_err(|e| LedgerError::from(map(e)))?;
    Ok(value)
}

/// Runs `f` in a deferred transaction, which only reads: in WAL mode it sees one snapshot and
/// neither waits for writers nor holds them up (an `IMMEDIATE` one would queue behind every
/// writer, and SQLite's busy handler does not queue fairly: under steady writes a reader starved
/// for its whole busy timeout). Rolled back at the end: it wrote nothing.
pub(crate) fn read<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let mut tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
        .map_err(|e| LedgerError::from(map(e)))?;
    let value = f(&mut tx)?;
    tx.rollback().map_err(|e| LedgerError::from(map(e)))?;
    Ok(value)
}

fn map(e: rusqlite::Error) -> DbError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            let text = e.to_string();
            if text.contains("UNIQUE") || text.contains("PRIMARY KEY") {
                DbError::Unique(text)
            } else {
                DbError::Other(text)
            }
        }
        _ => DbError::Other(e.to_string()),
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(v) => ToSqlOutput::Owned(Value::Integer(*v)),
            Param::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Param::Null => ToSqlOutput::Owned(Value::Null),
        })
    }
}

fn cell(v: ValueRef<'_>) -> Result<Cell, DbError> {
    match v {
        ValueRef::Null => Ok(Cell::Null),
        ValueRef::Integer(i) => Ok(Cell::Int(i)),
        ValueRef::Text(t) => String::from_utf8(t.to_vec())
            .map(Cell::Text)
            .map_err(|_| DbError::Other("账本中有不是 UTF-8 的文字".into())),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            Err(DbError::Other("账本中有小数或二进制值，它只存整数和文字".into()))
        }
    }
}

/// The one SQL text's `$1, $2, …` as SQLite's numbered parameters `?1, ?2, …`. SQLite reads
/// `$1` as a *named* parameter and finds each name by a linear search of those before it, so a
/// multi-row insert of a few thousand parameters took quadratic time to prepare: 64% of a
/// 1M-row `screen --db` went to `strncmp` in SQLite's parser (perf). `?N` is looked up directly.
/// Only a `$` followed by a digit changes; the SQL text has no `$` inside its string literals.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Rows a bulk `INSERT` statement takes at most (64 × 18 columns: far below SQLite's 32766
/// parameters).
const ROWS_PER_STATEMENT: usize = 64;

/// `INSERT INTO table (columns) VALUES (?1, …), (…) conflict`, `rows` rows.
fn insert_sql(table: &str, columns: Columns<'_>, rows: usize, conflict: &str) -> String {
    use std::fmt::Write as _;
    let mut sql = format!("INSERT INTO {table} (");
    for (i, (name, _)) in columns.iter().enumerate() {
        let _ = write!(sql, "{}{name}", if i == 0 { "" } else { ", " });
    }
    sql.push_str(") VALUES ");
    let mut k = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            k += 1;
            let _ = write!(sql, "{}?{k}", if c == 0 { "" } else { ", " });
        }
        sql.push(')');
    }
    if !conflict.is_empty() {
        sql.push(' ');
        sql.push_str(conflict);
    }
    sql
}

impl Tx for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        let mut stmt = self.prepare_cached(&numbered(sql)).map_err(map)?;
        let n = stmt.execute(rusqlite::params_from_iter(params.iter())).map_err(map)?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.prepare_cached(&numbered(sql)).map_err(map)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(map)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map)? {
            let cells = (0..columns)
                .map(|i| row.get_ref(i).map_err(map).and_then(cell))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Row(cells));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.execute_batch(sql).map_err(map)
    }

    fn copy_rows(
        &mut self,
        table: &str,
        columns: Columns<'_>,
        rows: &[Param<'_>],
        conflict: &str,
    ) -> Result<u64, DbError> {
        let width = columns.len();
        let mut rest = rows_of(rows, width)?.len();
        let mut chunks = rows.chunks_exact(width * ROWS_PER_STATEMENT);
        let mut n = 0u64;
        let mut count =
            |stmt: &mut rusqlite::CachedStatement<'_>, chunk: &[Param<'_>]| -> Result<(), DbError> {
                n += u64::try_from(stmt.execute(rusqlite::params_from_iter(chunk.iter())).map_err(map)?)
                    .unwrap_or(u64::MAX);
                Ok(())
            };
        // Statements of `ROWS_PER_STATEMENT` rows, then the remainder in powers of two: a few
        // statement texts a table, each prepared once a connection and cached, where a
        // statement a row spends a third of its time opening cursors and ending statements.
        if rest >= ROWS_PER_STATEMENT {
            let mut stmt = self
                .prepare_cached(&insert_sql(table, columns, ROWS_PER_STATEMENT, conflict))
                .map_err(map)?;
            for chunk in chunks.by_ref() {
                count(&mut stmt, chunk)?;
                rest -= ROWS_PER_STATEMENT;
            }
        }
        let mut tail = chunks.remainder();
        while rest > 0 {
            let rows = 1 << rest.ilog2();
            let (chunk, after) =
                tail.split_at_checked(rows * width).ok_or_else(|| DbError::Other("行数不对".into()))?;
            let mut stmt = self.prepare_cached(&insert_sql(table, columns, rows, conflict)).map_err(map)?;
            count(&mut stmt, chunk)?;
            tail = after;
            rest -= rows;
        }
        Ok(n)
    }

    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>, DbError> {
        // `BEGIN IMMEDIATE` holds the only write lock until this transaction ends, so the ids
        // after the greatest are this transaction's to take.
        let max: i64 = self
            .query_row(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), [], |r| r.get(0))
            .map_err(map)?;
        let n = i64::try_from(n).map_err(|_| DbError::Other(format!("一次要 {n} 个编号，太多")))?;
        (1..=n)
            .map(|i| max.checked_add(i).ok_or_else(|| DbError::Other(format!("表 {table} 的编号用尽"))))
            .collect()
    }
}
