//! `backup FILE`: a consistent copy of the ledger, taken while it is in use, as a SQLite file that
//! `huiqi ledger verify --db sqlite://FILE` checks and any huiqi opens.
//!
//! - SQLite: `VACUUM INTO`, which copies one read transaction's view (writers go on meanwhile in
//!   WAL mode) into a new, compact file.
//! - PostgreSQL: every table read in one `REPEATABLE READ READ ONLY` transaction — one snapshot,
//!   so the copy holds every event of every claim it holds, and the chain's head at its last
//!   event — and written into a new SQLite ledger of the same schema version. The tables and
//!   columns copied are the SQLite schema's own, read from the new file, so a table a later
//!   migration adds is copied without a change here. This is for an operator's copy and for moving
//!   a ledger; production backups of PostgreSQL remain `pg_dump` / `pg_basebackup` (docs/ledger.md).
//!
//! The copy is written next to its path as `FILE.partial`, synced, and renamed into place only
//! when whole; a path that exists is refused, never overwritten.

use std::path::{Path, PathBuf};

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::IsolationLevel;
use rusqlite::types::Value;
use serde::Serialize;

use crate::db::{self, Cell};
use crate::error::LedgerError;
use crate::ledger::{Connection, Ledger};

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backup {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Rows per table, by table name.
    pub rows: Vec<(String, u64)>,
}

impl Backup {
    /// The rows of one table in the copy.
    pub fn rows_of(&self, table: &str) -> u64 {
        self.rows.iter().find(|(t, _)| t == table).map_or(0, |(_, n)| *n)
    }
}

fn failed(path: &Path, reason: impl std::fmt::Display) -> LedgerError {
    LedgerError::Backup { path: path.display().to_string(), reason: reason.to_string() }
}

/// The tables of a SQLite ledger (its own `sqlite_*` aside) with their columns, in name order.
fn tables(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, Vec<String>)>> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|t| {
            let columns = conn
                .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
                .query_map([&t], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok((t, columns))
        })
        .collect()
}

/// Makes the finished copy one self-contained file (rollback journal, no WAL beside it) and
/// counts each table's rows.
fn seal(path: &Path) -> Result<Vec<(String, u64)>, LedgerError> {
    let conn = rusqlite::Connection::open(path).map_err(|e| failed(path, e))?;
    conn.pragma_update(None, "journal_mode", "DELETE").map_err(|e| failed(path, e))?;
    let mut out = Vec::new();
    for (table, _) in tables(&conn).map_err(|e| failed(path, e))? {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| r.get(0))
            .map_err(|e| failed(path, e))?;
        out.push((table, u64::try_from(n).unwrap_or(0)));
    }
    Ok(out)
}

/// Removes a copy that was not finished, and the WAL files SQLite may have left beside it.
fn discard(partial: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = partial.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// The SQLite file at `partial`, as a copy of the ledger on PostgreSQL.
fn from_postgres(client: &mut postgres::Client, partial: &Path) -> Result<(), LedgerError> {
    let fail = |e: &dyn std::fmt::Display| failed(partial, e);
    let mut copy = db::sqlite::connect(partial, &partial.display().to_string())?;
    // The schema first, by the same migrations; the source was brought to this version on open.
    db::sqlite::write(&mut copy, crate::migrate::migrate)?;
    // Rows go in table by table, whose order need not follow the foreign keys: they are checked
    // once all are in.
    copy.pragma_update(None, "foreign_keys", "OFF").map_err(|e| fail(&e))?;
    let tables = tables(&copy).map_err(|e| fail(&e))?;
    let mut source = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| fail(&e))?;
    let target = copy.transaction().map_err(|e| fail(&e))?;
    for (table, columns) in &tables {
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        // What migrating the new file wrote (the versions, the chain's first head) is replaced by
        // the source's. An empty table fires no row trigger (events' are per row).
        target.execute(&format!("DELETE FROM \"{table}\""), []).map_err(|e| fail(&e))?;
        let mut insert = target
            .prepare(&format!("INSERT INTO \"{table}\" ({list}) VALUES ({marks})"))
            .map_err(|e| fail(&e))?;
        let mut rows = source
            .query_raw(&format!("SELECT {list} FROM \"{table}\""), std::iter::empty::<&dyn ToSql>())
            .map_err(|e| fail(&e))?;
        while let Some(row) = rows.next().map_err(|e| fail(&e))? {
            let cells = db::postgres::cells(&row).map_err(|e| fail(&format!("表 {table}：{e:?}")))?;
            let values = cells.0.into_iter().map(|c| match c {
                Cell::Null => Value::Null,
                Cell::Int(i) => Value::Integer(i),
                Cell::Text(t) => Value::Text(t),
            });
            insert
                .execute(rusqlite::params_from_iter(values))
                .map_err(|e| fail(&format!("表 {table}：{e}")))?;
        }
    }
    source.commit().map_err(|e| fail(&e))?;
    let broken: i64 = target
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .map_err(|e| fail(&e))?;
    if broken > 0 {
        return Err(fail(&format!("副本中有 {broken} 行的外键不成立")));
    }
    target.commit().map_err(|e| fail(&e))?;
    Ok(())
}

/// Seals the copy, syncs it (`VACUUM INTO` does not) and puts it at `path` by a hard link, which,
/// unlike a rename, fails rather than replace a file that appeared there meanwhile.
fn place(partial: &Path, path: &Path) -> Result<Vec<(String, u64)>, LedgerError> {
    let rows = seal(partial)?;
    std::fs::File::open(partial).and_then(|f| f.sync_all()).map_err(|e| failed(path, e))?;
    std::fs::hard_link(partial, path).map_err(|e| failed(path, e))?;
    let _ = std::fs::remove_file(partial);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The new name made durable, where the platform lets a directory be synced.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(rows)
}

impl Ledger {
    /// Writes a consistent copy of the ledger to `path` as a SQLite file (see the module); the
    /// ledger stays in use meanwhile. A path that exists is refused.
    pub fn backup(&self, path: &Path) -> Result<Backup, LedgerError> {
        if path.exists() {
            return Err(failed(path, "文件已存在：请换一个文件名，或先移走它；未做任何改动"));
        }
        let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
        name.push(".partial");
        let partial = path.with_file_name(name);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| failed(path, e))?;
        }
        // A `.partial` of ours left by an interrupted backup.
        discard(&partial);
        let made = self.with_connection(|conn| match conn {
            Connection::Sqlite(conn) => {
                let target = partial.to_str().ok_or_else(|| failed(path, "路径不是 UTF-8 文字"))?;
                conn.execute("VACUUM INTO ?1", [target]).map(|_| ()).map_err(|e| failed(path, e))
            }
            Connection::Postgres(client) => from_postgres(client, &partial),
        });
        let rows = match made.and_then(|()| place(&partial, path)) {
            Ok(rows) => rows,
            Err(e) => {
                discard(&partial);
                return Err(e);
            }
        };
        let bytes = std::fs::metadata(path).map_err(|e| failed(path, e))?.len();
        Ok(Backup { path: path.to_owned(), bytes, rows })
    }
}
