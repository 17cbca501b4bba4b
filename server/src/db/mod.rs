//! The database: one sqlx `Any` pool over SQLite (a file, the default) or
//! PostgreSQL, one portable schema (`server/migrations/`), and write
//! transactions that serialize every change to a project's balance.
//!
//! Dialect differences are confined to [`Dialect`]: how a write transaction
//! begins (SQLite: `BEGIN IMMEDIATE`, taking the database's single write
//! lock up front, behind an in-process gate so writers queue instead of
//! spinning on `SQLITE_BUSY`) and how a project row is locked (PostgreSQL:
//! `SELECT ... FOR UPDATE`, so several server instances on one database
//! serialize on the row).

mod decimal;

pub use decimal::Dec;

use crate::error::{AppError, AppResult};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{Any, AnyPool, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// An embedded SQLite file: one server process.
    Sqlite,
    /// PostgreSQL: any number of server instances.
    Postgres,
}

impl Dialect {
    /// The dialect of a `sqlite:` or `postgres:` URL.
    pub fn of_url(url: &str) -> AppResult<Dialect> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Dialect::Postgres)
        } else {
            Err(AppError::invalid(format!(
                "--db must be a sqlite://FILE or postgres://... URL, got {url:?}"
            )))
        }
    }

    /// The bind placeholder of the `n`th value (from 1). SQLite gets
    /// anonymous `?`: looking up `$n` names is linear in the number of
    /// parameters in SQLite, so quadratic for a multi-row insert (measured:
    /// two thirds of the time of a 500-event batch went to it).
    fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The placeholders of a multi-row `VALUES` list: `($1, $2), ($3, $4)`
    /// for 2 rows of 2 columns on PostgreSQL (`(?, ?), (?, ?)` on SQLite).
    pub fn values_list(self, rows: usize, columns: usize) -> String {
        (0..rows)
            .map(|row| {
                let cells: Vec<String> = (1..=columns)
                    .map(|column| self.placeholder(row * columns + column))
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The placeholders of an `IN` list of `count` values: `$1, $2, $3`
    /// on PostgreSQL (`?, ?, ?` on SQLite).
    pub fn in_list(self, count: usize) -> String {
        (1..=count)
            .map(|n| self.placeholder(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What follows a `SELECT` of rows the transaction will change.
    fn row_lock(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

/// Set on every SQLite connection (measured in `bench/RESULTS.md`, "Profile
/// and fixes"):
/// - `synchronous = FULL` (SQLite's default, made explicit): in WAL mode
///   every commit is synced to disk before it returns, so an acknowledged
///   usage batch survives a power loss, not just a process crash (`NORMAL`
///   would be faster and could lose the last commits);
/// - a 64 MiB page cache (default 2 MiB), so the usage and ledger indexes
///   stay in memory instead of being re-read from the file;
/// - a checkpoint every 16,384 WAL pages (64 MiB; default 1,000): a page
///   written by many batches is copied into the database once rather than
///   once per couple of batches. The WAL is synced either way;
/// - temporary files (the statement journal of a multi-row insert) in
///   memory instead of a file created and deleted per statement.
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA synchronous = FULL",
    "PRAGMA cache_size = -65536",
    "PRAGMA wal_autocheckpoint = 16384",
    "PRAGMA temp_store = MEMORY",
];

/// A pool of connections to the Cloud Credits database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    /// SQLite only: one writer at a time in this process.
    writer: Option<Arc<Mutex<()>>>,
}

impl Store {
    /// Connects to `url` (`sqlite://FILE`, created if missing, or
    /// `postgres://...`) and runs the migrations. The work they leave for
    /// Rust (`pending_backfills`) is the opener's: `crate::open_store`.
    pub async fn open(url: &str) -> AppResult<Store> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url)?;
        let (url, max_connections) = match dialect {
            Dialect::Sqlite => (sqlite_url(url)?, 4),
            Dialect::Postgres => (url.to_owned(), 10),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| AppError::internal(format_args!("cannot open {url}: {e}")))?;
        if dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            dialect,
            writer: (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(()))),
        })
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction. Dropping it without [`WriteTx::commit`]
    /// rolls everything back: nothing is half-written.
    pub async fn write(&self) -> AppResult<WriteTx> {
        let gate = match &self.writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            dialect: self.dialect,
            _gate: gate,
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A write transaction; derefs to the connection for queries.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    dialect: Dialect,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// `sql` (a `SELECT`) with the row lock its dialect needs appended.
    pub fn locking(&self, sql: &str) -> String {
        format!("{sql}{}", self.dialect.row_lock())
    }

    /// The database's dialect (for statements built at run time).
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Commits the transaction.
    pub async fn commit(self) -> AppResult<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// A SQLite URL that creates the file if missing; in-memory databases are
/// refused (every pooled connection would see a different one).
fn sqlite_url(url: &str) -> AppResult<String> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(AppError::invalid(
            "--db sqlite::memory: is not supported: give a file, e.g. sqlite://cloud-credits.db",
        ));
    }
    if url.contains("mode=") {
        return Ok(url.to_owned());
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}mode=rwc"))
}

/// The most rows one multi-row `INSERT` writes: a usage batch (500 events)
/// in one statement, well under the bind-parameter limits (SQLite 32,766,
/// PostgreSQL 65,535) at 14 columns a row.
pub const ROWS_PER_INSERT: usize = 500;

/// A boolean as the schema stores it (BIGINT 0/1).
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// A stored token or unit count as a `u64`. Counts are stored from `u64`s
/// of at most 2^53 - 1, so they are never negative.
pub(crate) fn stored_count(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

/// An enum's wire name (its serde string, e.g. `"top_up"`), as TEXT columns store it.
pub fn enum_text<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => unreachable_enum(other),
    }
}

/// The enum stored as `text` by [`enum_text`].
pub fn enum_from_text<T: DeserializeOwned>(text: &str) -> AppResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| AppError::internal(format_args!("stored value {text:?}: {e}")))
}

/// Every enum given to [`enum_text`] is a unit-variant enum of `wire`, so
/// it always serializes to a string; anything else is a programming error
/// that is logged and stored as an empty string (which reads back as an error).
fn unreachable_enum(other: Result<serde_json::Value, serde_json::Error>) -> String {
    tracing::error!(?other, "enum_text of a value that is not a unit variant");
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_dialect_and_sqlite_files_are_created() {
        assert_eq!(Dialect::of_url("sqlite://x.db").unwrap(), Dialect::Sqlite);
        assert_eq!(
            Dialect::of_url("postgres://u@h/db").unwrap(),
            Dialect::Postgres
        );
        assert!(Dialect::of_url("mysql://h/db").is_err());
        assert_eq!(
            sqlite_url("sqlite://x.db").unwrap(),
            "sqlite://x.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite://x.db?mode=ro").unwrap(),
            "sqlite://x.db?mode=ro"
        );
        assert!(sqlite_url("sqlite::memory:").is_err());
    }

    #[test]
    fn placeholders_number_every_cell_in_order() {
        let pg = Dialect::Postgres;
        assert_eq!(pg.values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(pg.values_list(1, 1), "($1)");
        assert_eq!(pg.in_list(3), "$1, $2, $3");
        assert_eq!(Dialect::Sqlite.values_list(2, 2), "(?, ?), (?, ?)");
        assert_eq!(Dialect::Sqlite.in_list(2), "?, ?");
    }
}
