//! Every suite runs on SQLite, and on PostgreSQL when PUENTES_TEST_DATABASE_URL is set.

use puentes_db::DatabaseConnection;
use sea_orm::ConnectionTrait;

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    pub fn all() -> Vec<Backend> {
        let mut backends = vec![Backend::Sqlite];
        if let Ok(url) = std::env::var("PUENTES_TEST_DATABASE_URL")
            && !url.is_empty()
        {
            backends.push(Backend::Postgres(url));
        }
        backends
    }

    /// A new, empty, migrated database, and the URL a second process could use.
    pub async fn fresh(&self, dir: &std::path::Path) -> (DatabaseConnection, String) {
        let url = match self {
            Backend::Sqlite => format!("sqlite://{}/puentes.db?mode=rwc", dir.display()),
            Backend::Postgres(server) => {
                let admin = puentes_db::connect_url(server, None)
                    .await
                    .expect("connect to PostgreSQL");
                let name = format!("puentes_test_{}", uuid::Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                let base = match server.rfind('/') {
                    Some(i)
                        if server[..i].contains("://")
                            && i > server.find("://").unwrap_or(0) + 2 =>
                    {
                        &server[..i]
                    }
                    _ => server.as_str(),
                };
                format!("{base}/{name}")
            }
        };
        let db = puentes_db::connect_url(&url, Some(dir))
            .await
            .expect("connect");
        puentes_server::migrate(&db).await.expect("migrate");
        (db, url)
    }
}
