//! PostgreSQL through the sync client. Transactions are READ COMMITTED; what must not race is
//! serialised by row locks taken first (the claim, then the chain head) and by unique constraints.

use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, NoTls, Transaction};

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

pub(crate) fn write<T>(
    client: &mut Client,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let mut tx = client.transaction().map_err(|e| LedgerError::from(map(e)))?;
    let value = f(&mut tx)?;
    tx.commit().map_err(|e| LedgerError::from(map(e)))?;
    Ok(value)
}

/// Runs `f` in a `REPEATABLE READ READ ONLY` transaction: every query of it sees the one snapshot
/// (a report's or a list's figures are of one moment), and a write in it is refused.
pub(crate) fn read<T>(
    client: &mut Client,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
) -> Result<T, LedgerError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| LedgerError::from(map(e)))?;
    let value = f(&mut tx)?;
    tx.commit().map_err(|e| LedgerError::from(map(e)))?;
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
