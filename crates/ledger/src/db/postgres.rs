//! PostgreSQL through the sync client. Transactions are READ COMMITTED; what must not race is
//! serialised by row locks taken first (the claim, then the chain head) and by unique constraints.
//! Reads are `REPEATABLE READ READ ONLY`: one snapshot for all their statements. Each connection
//! keeps the statements it prepared, so a statement costs one round trip, not two.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, IsolationLevel, NoTls, Statement, Transaction};

use super::{rows_of, Cell, Columns, DbError, Dialect, Kind, Param, Row, Tx};
use crate::error::LedgerError;

pub(crate) fn connect(url: &str) -> Result<Client, LedgerError> {
    Client::connect(url, NoTls).map_err(|e| LedgerError::Open { url: redact(url), reason: e.to_string() })
}

/// The address without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = url.get(scheme + 3..at).unwrap_or("");
            match user_info.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..scheme + 3).unwrap_or(""),
                    url.get(at..).unwrap_or("")
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Statements a connection keeps prepared at most. The ledger's SQL is a few dozen fixed texts;
/// the bound only matters for texts built per call, which then start the cache afresh.
const MAX_STATEMENTS: usize = 256;

/// A connection with the statements it has prepared, by SQL text. Unprepared, every query was a
/// Parse round trip and a plan before its Bind/Execute one: half of a `GET /v1/claims/{id}`'s
/// time on PostgreSQL (docs/performance.md, "Workflow over HTTP"). A prepared statement lives
/// as long as its session; a rolled-back transaction does not drop it.
pub(crate) struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Where it connects again when its connection was closed under it (see [`Conn::begin`]).
    url: String,
}

impl Conn {
    pub(crate) fn connect(url: &str) -> Result<Conn, LedgerError> {
        Ok(Conn { client: connect(url)?, statements: HashMap::new(), url: url.to_owned() })
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// The client itself, for what runs outside the shared transactions (a backup's snapshot).
    pub(crate) fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

// Code written for the pool's bare `Client` keeps working on the connection it is lent.
impl Deref for Conn {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// A transaction that prepares each SQL text once on its connection.
struct Cached<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

impl Cached<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(map)?;
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

pub(crate) fn write<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    transact(conn, false, f)
}

/// Runs `f` in a read-only transaction on one snapshot: `REPEATABLE READ` (READ COMMITTED would
/// take a new snapshot per statement, so a view could mix two states of a claim) and
/// `READ ONLY` (a write in it is refused). Such a transaction never fails to serialise.
pub(crate) fn read<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    transact(conn, true, f)
}

fn start(client: &mut Client, read_only: bool) -> Result<Transaction<'_>, postgres::Error> {
    if read_only {
        client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()
    } else {
        client.transaction()
    }
}

/// Runs `f` in a transaction, on a new connection when the pooled one turns out closed: the
/// database restarted, or ended the session, while it sat in the pool. Nothing has run then (the
/// `BEGIN` never arrived), so starting again is safe; without this each pooled connection failed
/// one request with 500 after a restart of PostgreSQL.
fn transact<T>(
    conn: &mut Conn,
    read_only: bool,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let e = match start(&mut conn.client, read_only) {
        Ok(tx) => return run(Cached { tx, statements: &mut conn.statements }, f),
        Err(e) => e,
    };
    if !conn.client.is_closed() {
        return Err(map(e).into());
    }
    conn.client = connect(&conn.url)?;
    conn.statements.clear();
    let tx = start(&mut conn.client, read_only).map_err(|e| LedgerError::from(map(e)))?;
    run(Cached { tx, statements: &mut conn.statements }, f)
}

/// One statement alone, outside an explicit transaction: a statement always reads one snapshot
/// by itself, so it needs no `REPEATABLE READ` around it, and it costs one round trip instead of
/// three (`BEGIN`, it, `COMMIT`): an enterprise's history took 110 µs that way on loopback, 2.4×
/// an explained decision's time (docs/performance.md, "History from the ledger"). Reads only: a
/// connection found closed is replaced and the statement sent again, which a read may be.
pub(crate) fn query_alone(conn: &mut Conn, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, LedgerError> {
    match query_prepared(conn, sql, params) {
        Err(e) if conn.client.is_closed() => {
            drop(e);
            conn.client = connect(&conn.url)?;
            conn.statements.clear();
            query_prepared(conn, sql, params).map_err(LedgerError::from)
        }
        done => done.map_err(LedgerError::from),
    }
}

fn query_prepared(conn: &mut Conn, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
    let statement = match conn.statements.get(sql) {
        Some(s) => s.clone(),
        None => {
            let s = conn.client.prepare(sql).map_err(map)?;
            if conn.statements.len() >= MAX_STATEMENTS {
                conn.statements.clear();
            }
            conn.statements.insert(sql.to_owned(), s.clone());
            s
        }
    };
    let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    conn.client.query(&statement, &params).map_err(map)?.iter().map(cells).collect()
}

fn run<T>(
    mut tx: Cached<'_>,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let value = f(&mut tx)?;
    tx.tx.commit().map_err(|e| LedgerError::from(map(e)))?;
    Ok(value)
}

fn map(e: postgres::Error) -> DbError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        DbError::Unique(e.to_string())
    } else {
        DbError::Other(match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => e.to_string(),
        })
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Param::Int(v) if *ty == Type::INT8 => v.to_sql(ty, out),
            Param::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Param::Text(t) if <&str as ToSql>::accepts(ty) => t.to_sql(ty, out),
            Param::Null => Ok(IsNull::Yes),
            _ => Err(format!("参数 {self:?} 与列类型 {ty} 不符").into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INT8 || *ty == Type::INT4 || <&str as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

pub(crate) fn cells(row: &postgres::Row) -> Result<Row, DbError> {
    let mut out = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let cell = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i).map(|v| v.map_or(Cell::Null, Cell::Int))
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i).map(|v| v.map_or(Cell::Null, |v| Cell::Int(i64::from(v))))
        } else {
            row.try_get::<_, Option<String>>(i).map(|v| v.map_or(Cell::Null, Cell::Text))
        };
        out.push(cell.map_err(map)?);
    }
    Ok(Row(out))
}

/// The parameters with their types, when none is a NULL (whose type only the statement knows):
/// a statement so given is parsed, bound and run in one round trip, where one given untyped is
/// prepared first (a round trip of its own, and one more to close it). Every column is a BIGINT
/// or a TEXT, so these are the types the server would find.
fn typed<'p>(params: &'p [Param<'_>]) -> Option<Vec<(&'p (dyn ToSql + Sync), Type)>> {
    params
        .iter()
        .map(|p| match p {
            Param::Int(_) => Some((p as &(dyn ToSql + Sync), Type::INT8)),
            Param::Text(_) => Some((p as &(dyn ToSql + Sync), Type::TEXT)),
            Param::Null => None,
        })
        .collect()
}

fn untyped<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Tx for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        match typed(params) {
            Some(typed) => self.execute_typed(sql, &typed).map_err(map),
            None => Transaction::execute(self, sql, &untyped(params)).map_err(map),
        }
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        let rows = match typed(params) {
            Some(typed) => self.query_typed(sql, &typed).map_err(map)?,
            None => Transaction::query(self, sql, &untyped(params)).map_err(map)?,
        };
        rows.iter().map(cells).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.batch_execute(sql).map_err(map)
    }

    fn copy_rows(
        &mut self,
        table: &str,
        columns: Columns<'_>,
        rows: &[Param<'_>],
        conflict: &str,
    ) -> Result<u64, DbError> {
        let names = columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ");
        let types: Vec<Type> = columns
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Int => Type::INT8,
                Kind::Text => Type::TEXT,
            })
            .collect();
        let rows = rows_of(rows, columns.len())?;
        // `COPY` cannot resolve a conflict: such rows go to a staging table of this session
        // (made once, emptied at each commit), then in with the one `INSERT … ON CONFLICT`.
        let staging = format!("staging_{table}");
        let target = if conflict.is_empty() {
            table
        } else {
            self.batch_execute(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DELETE ROWS; DELETE FROM {staging}"
            ))
            .map_err(map)?;
            &staging
        };
        let writer =
            self.copy_in(&format!("COPY {target} ({names}) FROM STDIN (FORMAT binary)")).map_err(map)?;
        let mut writer = BinaryCopyInWriter::new(writer, &types);
        for row in rows {
            let values: Vec<&(dyn ToSql + Sync)> = row.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            writer.write(&values).map_err(map)?;
        }
        let copied = writer.finish().map_err(map)?;
        if conflict.is_empty() {
            return Ok(copied);
        }
        Transaction::execute(
            self,
            &format!("INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {conflict}"),
            &[],
        )
        .map_err(map)
    }

    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>, DbError> {
        let n = i64::try_from(n).map_err(|_| DbError::Other(format!("一次要 {n} 个编号，太多")))?;
        // The identity's own sequence: ids taken are never given out again, by any session. Its
        // name is looked up once (per row it cost ten times the `nextval`s).
        let mut ids = Transaction::query(
            self,
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq) \
             SELECT nextval(s.seq) FROM s, generate_series(1, $2::BIGINT)",
            &[&table, &n],
        )
        .map_err(map)?
        .iter()
        .map(|r| r.try_get::<_, i64>(0))
        .collect::<Result<Vec<i64>, _>>()
        .map_err(map)?;
        ids.sort_unstable();
        Ok(ids)
    }
}

impl Tx for Cached<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.tx.execute(&statement, &params).map_err(map)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.tx.query(&statement, &params).map_err(map)?.iter().map(cells).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Tx::batch(&mut self.tx, sql)
    }

    fn copy_rows(
        &mut self,
        table: &str,
        columns: Columns<'_>,
        rows: &[Param<'_>],
        conflict: &str,
    ) -> Result<u64, DbError> {
        Tx::copy_rows(&mut self.tx, table, columns, rows, conflict)
    }

    fn reserve_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>, DbError> {
        Tx::reserve_ids(&mut self.tx, table, n)
    }
}
