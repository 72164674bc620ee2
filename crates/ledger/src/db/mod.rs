//! The two backends behind one small interface: a transaction that runs SQL with `$1, $2…`
//! parameters and gives rows of integers and texts. Both take the same SQL text (SQLite numbers
//! `$N` parameters by first appearance, so each first appears in ascending order).

mod pool;
pub(crate) mod postgres;
pub(crate) mod sqlite;

pub(crate) use pool::Pool;

use chrono::NaiveDate;

use crate::error::LedgerError;

/// The rows of a flat list of values, `width` a row; an error rather than a row cut short.
pub(crate) fn rows_of<'p, 'a>(
    rows: &'p [Param<'a>],
    width: usize,
) -> Result<std::slice::ChunksExact<'p, Param<'a>>, DbError> {
    if width == 0 || !rows.len().is_multiple_of(width) {
        return Err(DbError::Other(format!("{} 个值不能分成每行 {width} 列", rows.len())));
    }
    Ok(rows.chunks_exact(width))
}

/// A parameter: every column is a BIGINT or a TEXT (money in 分, booleans as 0/1, dates as ISO
/// text, JSON as text), so these three cover the schema on both backends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Param::Null, Param::Text)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Param::Null, Param::Int)
    }
}

/// One value read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// One row read back, its cells in the query's column order.
#[derive(Debug, Clone)]
pub(crate) struct Row(pub(crate) Vec<Cell>);

impl Row {
    fn cell(&self, i: usize) -> Result<&Cell, LedgerError> {
        self.0.get(i).ok_or_else(|| LedgerError::Corrupt(format!("查询结果缺少第 {} 列", i + 1)))
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64, LedgerError> {
        self.opt_int(i)?.ok_or_else(|| LedgerError::Corrupt(format!("第 {} 列应为整数，却为空", i + 1)))
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, LedgerError> {
        match self.cell(i)? {
            Cell::Int(v) => Ok(Some(*v)),
            Cell::Null => Ok(None),
            Cell::Text(t) => Err(LedgerError::Corrupt(format!("第 {} 列应为整数，却为文字 `{t}`", i + 1))),
        }
    }

    pub(crate) fn text(&self, i: usize) -> Result<&str, LedgerError> {
        self.opt_text(i)?.ok_or_else(|| LedgerError::Corrupt(format!("第 {} 列应为文字，却为空", i + 1)))
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<&str>, LedgerError> {
        match self.cell(i)? {
            Cell::Text(t) => Ok(Some(t)),
            Cell::Null => Ok(None),
            Cell::Int(v) => Err(LedgerError::Corrupt(format!("第 {} 列应为文字，却为整数 {v}", i + 1))),
        }
    }
}

/// Why a statement failed, as far as the ledger needs to tell: a unique constraint (a second
/// payout for the same key) or anything else.
#[derive(Debug)]
pub(crate) enum DbError {
    Unique(String),
    Other(String),
}

impl From<DbError> for LedgerError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unique(m) | DbError::Other(m) => LedgerError::Db(m),
        }
    }
}

/// The SQL dialect differences the shared text cannot hide (only in migrations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A column's type, for loading rows in bulk (PostgreSQL's binary `COPY` names each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
}

/// A table's columns for [`Tx::copy_rows`]: names and types.
pub(crate) type Columns<'a> = &'a [(&'a str, Kind)];

/// A transaction in progress on either backend.
pub(crate) trait Tx {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError>;
    /// Runs a query; every row.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError>;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;

    /// The business date the transaction runs on: what the ledger was told (`--today`), else
    /// the clock's date in China. Every backend transaction is wrapped in [`Dated`], which says.
    fn today(&self) -> NaiveDate {
        crate::clock::today()
    }
    /// Inserts many rows into `table`: `rows` holds each row's values in `columns`' order, one
    /// row after another. `conflict` is the `ON CONFLICT …` clause, one text for both backends,
    /// or empty. Each backend's fastest way: SQLite runs cached multi-row `INSERT`s of a few fixed
    /// sizes (no statement text to build or parse per batch); PostgreSQL streams the rows in one
    /// binary `COPY`, into a staging table first when there is a conflict clause (`COPY` has
    /// none). The number of rows inserted (or updated).
    fn copy_rows(
        &mut self,
        table: &str,
        columns: Columns<'_>,
        rows: &[Param<'_>],
        conflict: &str,
    ) -> Result<u64, DbError>;

    /// `n` fresh values of `table`'s auto-numbered `id`, ascending, so that rows loaded by
    /// [`Tx::copy_rows`] (which returns none) can be given theirs and referred to at once.
    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>, DbError>;

    /// The one row a query must give, or `None`.
    fn query_opt(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// A backend's transaction with the business date it runs on: the ledger's one place where
/// "today" enters a transaction, so each step's event is dated without every operation taking
/// the date as an argument.
pub(crate) struct Dated<'a> {
    pub(crate) tx: &'a mut dyn Tx,
    pub(crate) today: NaiveDate,
}

impl Tx for Dated<'_> {
    fn dialect(&self) -> Dialect {
        self.tx.dialect()
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        self.tx.execute(sql, params)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        self.tx.query(sql, params)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.tx.batch(sql)
    }

    fn copy_rows(
        &mut self,
        table: &str,
        columns: Columns<'_>,
        rows: &[Param<'_>],
        conflict: &str,
    ) -> Result<u64, DbError> {
        self.tx.copy_rows(table, columns, rows, conflict)
    }

    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>, DbError> {
        self.tx.reserve_ids(table, n)
    }

    fn today(&self) -> NaiveDate {
        self.today
    }
}
