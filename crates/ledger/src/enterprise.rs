//! Enterprises: who is paid, where, and whether inside the park (which decides the payer).

use crate::db::{Param, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;

/// An enterprise as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enterprise {
    /// 统一社会信用代码, checked (GB 32100-2015).
    pub uscc: String,
    /// 名称.
    pub name: String,
    /// 开户行.
    pub bank: String,
    /// 账号.
    pub account: String,
    /// Inside 章贡高新区 (paid by its 管委会) or not (区行政审批局).
    pub in_park: bool,
}

/// Refuses a code that is not a valid 统一社会信用代码.
pub(crate) fn check_code(code: &str) -> Result<(), LedgerError> {
    huiqi_uscc::validate(code).map_err(|e| LedgerError::Uscc { code: code.to_owned(), reason: e.to_string() })
}

/// Records or updates an enterprise in the caller's transaction; `in_park: None` keeps what the
/// ledger holds (a new record: not in the park).
pub(crate) fn upsert(tx: &mut dyn Tx, e: &Enterprise, in_park: Option<bool>) -> Result<(), LedgerError> {
    let now = crate::clock::now();
    let keep = i64::from(in_park.is_none());
    tx.execute(
        "INSERT INTO enterprises (uscc, name, bank, account, in_park, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, bank = excluded.bank, account = excluded.account, \
         in_park = CASE WHEN $7 = 1 THEN enterprises.in_park ELSE excluded.in_park END, updated_at = excluded.updated_at",
        &[
            Param::Text(&e.uscc),
            Param::Text(&e.name),
            Param::Text(&e.bank),
            Param::Text(&e.account),
            Param::Int(i64::from(in_park.unwrap_or(false))),
            Param::Text(&now),
            Param::Int(keep),
        ],
    )?;
    Ok(())
}

impl Ledger {
    /// Records an enterprise, or updates its name, bank, account and place.
    pub fn record_enterprise(&self, e: &Enterprise) -> Result<(), LedgerError> {
        check_code(&e.uscc)?;
        self.write(|tx| upsert(tx, e, Some(e.in_park)))
    }

    /// The enterprise with this code, if recorded.
    pub fn enterprise(&self, uscc: &str) -> Result<Option<Enterprise>, LedgerError> {
        self.read(|tx| {
            let Some(r) = tx.query_opt(
                "SELECT uscc, name, bank, account, in_park FROM enterprises WHERE uscc = $1",
                &[Param::Text(uscc)],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(Enterprise {
                uscc: r.text(0)?.to_owned(),
                name: r.text(1)?.to_owned(),
                bank: r.text(2)?.to_owned(),
                account: r.text(3)?.to_owned(),
                in_park: r.int(4)? != 0,
            }))
        })
    }
}
