//! Puentes storage: sea-orm entities, every query, the outbox and the delivery queue.
//! Query functions take `&impl ConnectionTrait` so they work on a pool or in a transaction.

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
        .max_connections(if is_sqlite { 4 } else { 10 })
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options).await.map_err(|e| {
        Error::internal(format!("cannot connect to the database: {e}")).with_source(e)
    })?;
    if is_sqlite {
        // WAL lets CLI commands write while a server runs on the same file.
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        db.execute_unprepared("PRAGMA busy_timeout=10000").await?;
        db.execute_unprepared("PRAGMA foreign_keys=ON").await?;
    }
    Ok(db)
}

/// Starts a transaction that writes. Every command's writes go through here, so how a
/// write transaction starts (and locks, on SQLite) is decided in one place.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    Ok(db.begin().await?)
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
