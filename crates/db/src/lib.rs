//! Puentes storage: sea-orm entities, every query, the outbox and the delivery queue.
//! Query functions take `&impl ConnectionTrait` so they work on a pool or in a transaction.

pub mod changes;
pub mod entity;
pub mod events;
pub mod query;
pub mod read;

pub use entity::*;
pub use events::OutboxEvent;
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, TransactionSession,
    TransactionTrait,
};

use puentes_core::{Config, Error, Result};
use sea_orm::{ConnectOptions, Database};
use std::time::Duration;

/// Connects to the configured database, creating the SQLite file and its folder if needed.
pub async fn connect(config: &Config) -> Result<DatabaseConnection> {
    connect_url(&config.database_url(), Some(&config.data_dir)).await
}

pub async fn connect_url(
    url: &str,
    data_dir: Option<&std::path::Path>,
) -> Result<DatabaseConnection> {
    let is_sqlite = url.starts_with("sqlite:");
    if let (true, Some(dir)) = (is_sqlite, data_dir) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::internal(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(if is_sqlite { SQLITE_CONNECTIONS } else { 10 })
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    // The driver pings a pooled connection before handing it out: a round trip on every
    // checkout (on SQLite, to the connection's thread and back), for each statement run
    // outside a transaction. A SQLite file has no server to drop the connection, so it is
    // never pinged; a PostgreSQL connection is pinged only after it has been idle long
    // enough for a restart or a firewall to have dropped it.
    if is_sqlite {
        options.test_before_acquire(false);
    } else {
        options.test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    if is_sqlite {
        // Set on every connection the pool opens, not once on whichever connection runs a
        // statement first. WAL lets readers, the workers and CLI commands run beside a
        // writer; NORMAL is durable across crashes in WAL mode (only power loss may drop the
        // last commits); a writer waits for the lock instead of failing.
        options.map_sqlx_sqlite_opts(|opts| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
        // When a disk fills (or an I/O error strikes) SQLite may roll a transaction back by
        // itself; the driver's ROLLBACK then fails and the connection believes it is still
        // inside a transaction, so its next BEGIN becomes a deferred SAVEPOINT and every
        // later write on it fails with "database is locked". Such a connection is closed
        // instead of reused, and the pool opens a fresh one: the instance recovers by itself
        // once space is back.
        options.map_sqlx_sqlite_before_acquire(|conn, _| {
            Box::pin(async move {
                use sea_orm::sqlx::Connection;
                let healthy = !conn.is_in_transaction();
                if !healthy {
                    tracing::warn!(
                        "closing a database connection left inside a failed transaction"
                    );
                }
                Ok(healthy)
            })
        });
    }
    let db = Database::connect(options).await.map_err(|e| {
        Error::internal(format!("cannot connect to the database: {e}")).with_source(e)
    })?;
    Ok(db)
}

/// SQLite connections: one writes while the other reads. Each runs on its own thread and
/// keeps its own page cache, which every commit on another connection empties; measured on
/// the signed-inbox benchmark, two cost 15–25 % less CPU per activity than four. (Memory-mapped
/// reads cost more still: the file grows under load and every remap interrupts each core.)
const SQLITE_CONNECTIONS: u32 = 2;

/// How long a SQLite writer waits for another to commit before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Transactions that will write. On SQLite they start IMMEDIATE: they take the write lock
/// at BEGIN (waiting through `busy_timeout`), so a read-then-write transaction can never
/// fail half-way with "database is locked" because another writer committed after its
/// read. PostgreSQL ignores the option.
pub fn write_options() -> sea_orm::TransactionOptions {
    sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}

/// Starts a transaction that writes. Every command's writes go through here, so how a
/// write transaction starts (and locks, on SQLite) is decided in one place.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    Ok(db.begin_with_options(write_options()).await?)
}

/// Is this error a unique-constraint violation (a row that already exists)?
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// The SQLite file a `sqlite:` URL names (None for other databases and in-memory ones).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Fails (and closes the pool, once) when the SQLite file the server opened is gone.
pub async fn check_file_present(db: &DatabaseConnection, url: &str) -> Result<()> {
    if let Some(file) = sqlite_file(url)
        && !file.exists()
    {
        tracing::error!(
            file = %file.display(),
            "the database file is gone: no more writes are accepted; restore it and restart"
        );
        let _ = db.close_by_ref().await;
        return Err(Error::internal("the database file is gone"));
    }
    Ok(())
}

/// Is the database there and writable? A SQLite file that vanished while we serve (deleted
/// or moved) would take every later write into an unlinked file: the pool is closed instead,
/// so writes fail loudly until a restart. A write that cannot be made (disk full, read-only)
/// is an error here too.
pub async fn check_storage(db: &DatabaseConnection, url: &str) -> Result<()> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("SELECT 1").await?;
        return Ok(());
    }
    check_file_present(db, url).await?;
    // Rewriting the schema cookie's neighbour (user_version) with its own value is a real
    // write transaction on the file, and changes nothing.
    let version = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA user_version",
        ))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    db.execute_unprepared(&format!("PRAGMA user_version = {version}"))
        .await?;
    Ok(())
}
