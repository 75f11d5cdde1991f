//! GoToSocial beside Puentes in the same run: when `PUENTES_BENCH_GOTOSOCIAL` names a
//! GoToSocial binary built from source (`tests/peers/gotosocial.sh` builds one), the read
//! scenarios run against both servers, one after the other, pinned to the same core and
//! driven by the same load generator.

use crate::{Server, free_port};
use std::{path::Path, process::Command};

/// The account both servers serve in the read scenarios.
pub const ACCOUNT: &str = "alpha";

/// The GoToSocial binary to compare with, if one is named.
pub fn binary() -> Option<String> {
    std::env::var("PUENTES_BENCH_GOTOSOCIAL")
        .ok()
        .filter(|b| !b.is_empty())
}

/// GoToSocial's configuration as environment variables: SQLite in `dir`, or the PostgreSQL
/// database `postgres` (host, port, user, database); no rate limits or throttling, as the
/// Puentes server under test has none.
fn configure(command: &mut Command, binary: &str, dir: &Path, port: u16, postgres: Option<&Pg>) {
    // The web templates sit beside the binary in its source tree.
    let web = Path::new(binary)
        .parent()
        .unwrap_or(Path::new("."))
        .join("web");
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GTS_HOST", format!("localhost:{port}"))
        .env("GTS_PROTOCOL", "http")
        .env("GTS_BIND_ADDRESS", "127.0.0.1")
        .env("GTS_PORT", port.to_string())
        .env("GTS_LOG_LEVEL", "warn")
        .env("GTS_LETSENCRYPT_ENABLED", "false")
        .env("GTS_STORAGE_LOCAL_BASE_PATH", dir.join("storage"))
        .env("GTS_WEB_TEMPLATE_BASE_DIR", web.join("template"))
        .env("GTS_WEB_ASSET_BASE_DIR", web.join("assets"))
        .env("GTS_ADVANCED_RATE_LIMIT_REQUESTS", "0")
        .env("GTS_ADVANCED_THROTTLING_MULTIPLIER", "0")
        .env("GTS_METRICS_ENABLED", "false")
        // The benchmark build carries no ffmpeg WebAssembly (see tests/peers/gotosocial.sh).
        .env("GTS_BENCH_NO_FFMPEG", "1");
    match postgres {
        None => {
            command
                .env("GTS_DB_TYPE", "sqlite")
                .env("GTS_DB_ADDRESS", dir.join("gotosocial.db"));
        }
        Some(pg) => {
            command
                .env("GTS_DB_TYPE", "postgres")
                .env("GTS_DB_ADDRESS", &pg.host)
                .env("GTS_DB_PORT", pg.port.to_string())
                .env("GTS_DB_USER", &pg.user)
                .env("GTS_DB_PASSWORD", "")
                .env("GTS_DB_DATABASE", &pg.database)
                .env("GTS_DB_TLS_MODE", "disable");
        }
    }
}

/// Where GoToSocial's PostgreSQL database is.
pub struct Pg {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: String,
}

impl Pg {
    /// From a `postgres://user@host:port/` URL and a database name.
    pub fn from_url(url: &str, database: String) -> Pg {
        let parsed = url::Url::parse(url).expect("PostgreSQL URL");
        Pg {
            host: parsed.host_str().unwrap_or("127.0.0.1").to_string(),
            port: parsed.port().unwrap_or(5432),
            user: match parsed.username() {
                "" => "postgres".to_string(),
                user => user.to_string(),
            },
            database,
        }
    }
}

/// Starts GoToSocial and creates the account (GoToSocial creates its instance application on
/// first start, before which it refuses to create users); returns the running server.
pub async fn start(binary: &str, dir: &Path, postgres: Option<&Pg>) -> Server {
    let dir = dir.join("gotosocial");
    std::fs::create_dir_all(dir.join("storage")).expect("GoToSocial dir");
    let port = free_port().await;
    let mut serve = Command::new(binary);
    configure(&mut serve, binary, &dir, port, postgres);
    serve.args(["server", "start"]);
    let server = Server::spawn(serve, port).await.0;
    let mut create = Command::new(binary);
    configure(&mut create, binary, &dir, port, postgres);
    let created = create
        .args([
            "admin",
            "account",
            "create",
            "--username",
            ACCOUNT,
            "--email",
            "alpha@example.org",
            "--password",
            "Benchmark-password-2026!",
        ])
        .output()
        .expect("run GoToSocial");
    assert!(
        created.status.success(),
        "GoToSocial could not create its account: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    server
}
