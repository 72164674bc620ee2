//! The ledger handle: a pool of connections to one database, opened from its address.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};

use chrono::NaiveDate;

use crate::db::{self, Dated, Param, Pool, Tx};
use crate::error::LedgerError;

/// The default address: a SQLite file under the working directory.
pub const DEFAULT_URL: &str = "sqlite://huiqi-data/huiqi.db";

/// How many SQLite connections one process holds at most. SQLite has one writer at a time
/// anyway; more let readers go on beside it (WAL: readers neither wait for the writer nor block
/// it): claim views served 20,000/s with 8, 15,000–20,000/s with 4 (docs/performance.md).
const SQLITE_CONNECTIONS: usize = 8;

/// How many PostgreSQL connections one process holds at most. Each is a server process; more
/// than the database's cores only queue there, less fairly than here: with 8 on 2 cores a claim
/// view's p99 was 170–250 ms, with 4 20–25 ms, at the same 5,200/s (docs/performance.md). Several
/// `huiqi serve` processes each hold this many (docs/deployment.md sizes them).
const POSTGRES_CONNECTIONS: usize = 4;

/// The record of 兑现. `Send + Sync`: share one behind an `Arc` between threads; every operation
/// runs in its own transaction.
pub struct Ledger {
    backend: Backend,
    url: String,
    /// The business date every step is recorded on: fixed (`--today`), or the clock's.
    today: RwLock<Option<NaiveDate>>,
    /// SQLite's writers queue here rather than in SQLite's busy handler, which sleeps 1, 2, 5,
    /// 10… ms between tries: under load most of a write's time went to those sleeps (p99 0.8 s
    /// at 600 submissions/s). Writers in other processes still meet the busy timeout.
    writer: Mutex<()>,
    /// SQLite writes since the ledger opened: every [`CHECKPOINT_EVERY`]th asks for a checkpoint.
    writes: AtomicU64,
    /// SQLite's checkpoints, run beside the writers.
    checkpointer: Option<db::sqlite::Checkpointer>,
    /// Stored policy sets rebuilt for reports (`(policy set, calendar)` hashes → set), kept: a
    /// hash names its texts for good, and rebuilding parses the whole library (督办 read it on
    /// every page view).
    pub(crate) built_sets:
        Mutex<std::collections::HashMap<(String, String), std::sync::Arc<crate::PolicySet>>>,
}

/// SQLite writes between checkpoints: a submission adds about 15 pages to the log, so about as
/// often as SQLite's own (1000 pages), but outside the writers' queue.
const CHECKPOINT_EVERY: u64 = 64;

enum Backend {
    Sqlite(Pool<rusqlite::Connection>),
    Postgres(Pool<db::postgres::Conn>),
}

/// A connection of either backend, lent by [`Ledger::with_connection`].
pub(crate) enum Connection<'a> {
    Sqlite(&'a mut rusqlite::Connection),
    Postgres(&'a mut postgres::Client),
}

impl Ledger {
    /// Opens (creating a SQLite file and its directory on first use) and migrates the ledger at
    /// `url`: `sqlite://path` (relative to the working directory, or `sqlite:///abs/path`) or
    /// `postgres://…` / `postgresql://…`.
    pub fn open(url: &str) -> Result<Ledger, LedgerError> {
        let mut sqlite_path = None;
        let backend = if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(LedgerError::Url(url.to_owned()));
            }
            let path = PathBuf::from(path);
            sqlite_path = Some(path.clone());
            let shown = url.to_owned();
            Backend::Sqlite(Pool::new(
                SQLITE_CONNECTIONS,
                Box::new(move || db::sqlite::connect(&path, &shown)),
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let url = url.to_owned();
            Backend::Postgres(Pool::new(
                POSTGRES_CONNECTIONS,
                Box::new(move || db::postgres::Conn::connect(&url)),
            ))
        } else {
            return Err(LedgerError::Url(url.to_owned()));
        };
        let mut ledger = Ledger {
            backend,
            url: db::postgres::redact(url),
            today: RwLock::new(None),
            writer: Mutex::new(()),
            writes: AtomicU64::new(0),
            checkpointer: None,
            built_sets: Mutex::new(std::collections::HashMap::new()),
        };
        ledger.write(crate::migrate::migrate)?;
        if let Some(path) = sqlite_path {
            ledger.checkpointer = Some(db::sqlite::Checkpointer::spawn(&path, url)?);
        }
        Ok(ledger)
    }

    /// How many operations run at once: the connections the ledger holds at most. A caller that
    /// queues its own operations (the service, fairly, first come first served) lets no more
    /// than this many wait on the ledger itself.
    pub fn max_connections(&self) -> usize {
        match self.backend {
            Backend::Sqlite(_) => SQLITE_CONNECTIONS,
            Backend::Postgres(_) => POSTGRES_CONNECTIONS,
        }
    }

    /// The address, without a password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend's name (`sqlite`, `postgres`).
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Fixes the business date the ledger records steps on (the service's `--today` /
    /// `HUIQI_TODAY`, a rehearsal's or a test's day), or with `None` goes back to the clock's
    /// date in China Standard Time. Each event carries the date of the transaction that wrote it;
    /// supervision counts working days between those dates.
    pub fn set_today(&self, today: Option<NaiveDate>) {
        // A poisoned lock only means a thread panicked while holding it; an `Option` of a date
        // is written in one step, so it is still whole.
        *self.today.write().unwrap_or_else(PoisonError::into_inner) = today;
    }

    /// The business date steps are recorded on now: the fixed one, else the clock's in China.
    pub fn today(&self) -> NaiveDate {
        self.today.read().unwrap_or_else(PoisonError::into_inner).unwrap_or_else(crate::clock::today)
    }

    /// Runs `f` in one write transaction, committed when it returns `Ok`, rolled back otherwise.
    /// The transaction knows the business date it runs on ([`Tx::today`]).
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let today = self.today();
        let f = move |tx: &mut dyn Tx| f(&mut Dated { tx, today });
        match &self.backend {
            Backend::Sqlite(pool) => {
                let value = {
                    // The guard only orders writers; a panic while it was held left nothing to
                    // repair.
                    let _queued = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
                    pool.with(|_| false, |conn| db::sqlite::write(conn, f))?
                };
                if self.writes.fetch_add(1, Ordering::Relaxed) % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1 {
                    if let Some(checkpointer) = &self.checkpointer {
                        checkpointer.ask();
                    }
                }
                Ok(value)
            }
            Backend::Postgres(pool) => {
                pool.with(db::postgres::Conn::is_closed, |conn| db::postgres::write(conn, f))
            }
        }
    }

    /// Runs `f` with one of the pool's connections, outside any transaction: for what the shared
    /// transaction cannot do (a backup: `VACUUM INTO`, a `REPEATABLE READ` snapshot).
    pub(crate) fn with_connection<T>(
        &self,
        f: impl FnOnce(Connection<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        match &self.backend {
            Backend::Sqlite(pool) => pool.with(|_| false, |conn| f(Connection::Sqlite(conn))),
            Backend::Postgres(pool) => {
                pool.with(db::postgres::Conn::is_closed, |conn| f(Connection::Postgres(conn.client())))
            }
        }
    }

    /// Runs one statement that only reads. On PostgreSQL it goes alone, outside a transaction (one
    /// round trip instead of three); on SQLite, where a transaction costs no round trip, as
    /// [`Ledger::read`].
    pub(crate) fn query_alone(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<db::Row>, LedgerError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                pool.with(|_| false, |conn| db::sqlite::read(conn, |tx| Ok(tx.query(sql, params)?)))
            }
            Backend::Postgres(pool) => {
                pool.with(db::postgres::Conn::is_closed, |conn| db::postgres::query_alone(conn, sql, params))
            }
        }
    }

    /// Runs `f` in a transaction that only reads, on one consistent view of the ledger: SQLite's
    /// deferred transaction (in WAL, a snapshot that neither waits for the writer nor holds it
    /// up), PostgreSQL's `REPEATABLE READ READ ONLY` (one snapshot for all its statements; a
    /// write in it is refused). It does not queue behind writers: before, every read took the
    /// write lock (docs/performance.md, "Workflow over HTTP").
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let today = self.today();
        let f = move |tx: &mut dyn Tx| f(&mut Dated { tx, today });
        match &self.backend {
            Backend::Sqlite(pool) => pool.with(|_| false, |conn| db::sqlite::read(conn, f)),
            Backend::Postgres(pool) => {
                pool.with(db::postgres::Conn::is_closed, |conn| db::postgres::read(conn, f))
            }
        }
    }
}
