//! Enterprises: who is paid, where, and whether inside the park (which decides the payer).

use crate::db::Param;
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

impl Ledger {
    /// Records an enterprise, or updates its name, bank, account and place.
    pub fn record_enterprise(&self, e: &Enterprise) -> Result<(), LedgerError> {
        check_code(&e.uscc)?;
        let now = crate::clock::now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enterprises (uscc, name, bank, account, in_park, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, bank = excluded.bank, \
                 account = excluded.account, in_park = excluded.in_park, updated_at = excluded.updated_at",
                &[
                    Param::Text(&e.uscc),
                    Param::Text(&e.name),
                    Param::Text(&e.bank),
                    Param::Text(&e.account),
                    Param::Int(i64::from(e.in_park)),
                    Param::Text(&now),
                ],
            )?;
            Ok(())
        })
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
