//! PostgreSQL through the sync client. Transactions are READ COMMITTED; what must not race is
//! serialised by row locks taken first (the claim, then the chain head) and by unique constraints.
//! Reads are `REPEATABLE READ READ ONLY`: one snapshot for all their statements. Each connection
//! keeps the statements it prepared, so a statement costs one round trip, not two.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, IsolationLevel, NoTls, Statement, Transaction};

use super::{Cell, DbError, Dialect, Param, Row, Tx};
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

fn cells(row: &postgres::Row) -> Result<Row, DbError> {
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

impl Tx for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Transaction::execute(self, sql, &params).map_err(map)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, DbError> {
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Transaction::query(self, sql, &params).map_err(map)?.iter().map(cells).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.batch_execute(sql).map_err(map)
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
}
