//! Which database a command opens, and the guard on the instance's identity: a database is
//! created only by `serve`, `migrate` and `demo`, and is never used under another domain
//! than the one it was created for.

use puentes_core::{Config, Error, Result};
use puentes_db::{DatabaseConnection, query};
use std::path::PathBuf;

/// What a command may do when the SQLite database does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// `serve`, `migrate`, `demo`: create the data directory and the file.
    Create,
    /// Every other command: refuse, so a typo in the directory never starts a new instance.
    Refuse,
}

/// Where the configured database is, described for people (no password).
#[derive(Debug, Clone)]
pub struct Location {
    pub url: String,
    /// The SQLite file, when the database is one.
    pub sqlite_file: Option<PathBuf>,
    pub description: String,
}

impl Location {
    pub fn of(config: &Config) -> Location {
        let url = config.database_url();
        let sqlite_file = sqlite_path(&url);
        let description = match &sqlite_file {
            Some(file) => format!("SQLite {}", absolute(file).display()),
            None if url.starts_with("sqlite:") => "SQLite in memory".to_string(),
            None => redact(&url),
        };
        Location {
            url,
            sqlite_file,
            description,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    pub fn exists(&self) -> bool {
        self.sqlite_file.as_ref().is_none_or(|f| f.is_file())
    }
}

/// The file of a `sqlite://path?query` or `sqlite:path` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(path))
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A database URL without its password.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(unparsable database URL)".to_string(),
    }
}

/// Connects to the configured database; with [`IfMissing::Refuse`], a missing SQLite file is
/// an error that says where it was looked for and how to fix it.
pub async fn connect(config: &Config, if_missing: IfMissing) -> Result<DatabaseConnection> {
    let location = Location::of(config);
    match (if_missing, &location.sqlite_file) {
        (IfMissing::Create, _) => puentes_db::connect(config).await,
        (IfMissing::Refuse, Some(file)) => {
            if !file.is_file() {
                return Err(Error::bad_request(format!(
                    "no Puentes database at {} (data_dir is {:?}). Run this command where the \
                     instance runs, or set PUENTES_DATA_DIR, PUENTES_DATABASE_URL or \
                     PUENTES_CONFIG; `puentes migrate` creates a new instance.",
                    absolute(file).display(),
                    config.data_dir
                )));
            }
            // `rw`: never let SQLite create the file behind our back.
            let url = match location.url.split_once('?') {
                Some((base, query)) => {
                    let query: Vec<&str> = query
                        .split('&')
                        .filter(|p| !p.starts_with("mode="))
                        .collect();
                    if query.is_empty() {
                        format!("{base}?mode=rw")
                    } else {
                        format!("{base}?{}&mode=rw", query.join("&"))
                    }
                }
                None => format!("{}?mode=rw", location.url),
            };
            puentes_db::connect_url(&url, None).await
        }
        (IfMissing::Refuse, None) => puentes_db::connect_url(&location.url, None).await,
    }
}

/// The domain recorded for this database, if any. A database from before domains were
/// recorded is recognised by its instance actor's id.
pub async fn recorded_domain(db: &DatabaseConnection) -> Result<Option<String>> {
    if let Some(domain) = query::setting::get(db, query::setting::DOMAIN).await? {
        return Ok(Some(domain));
    }
    Ok(query::actor::instance_actor(db)
        .await?
        .and_then(|actor| url::Url::parse(&actor.ap_id).ok())
        .and_then(|url| {
            let host = url.host_str()?.to_string();
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        }))
}

/// Records the configured domain on a new database; refuses one recorded for another.
pub async fn check_domain(db: &DatabaseConnection, config: &Config) -> Result<()> {
    let expected = recorded_domain(db)
        .await?
        .unwrap_or_else(|| config.domain.clone());
    let recorded = query::setting::get_or_insert(db, query::setting::DOMAIN, &expected).await?;
    if !recorded.eq_ignore_ascii_case(&config.domain) {
        return Err(Error::bad_request(format!(
            "this database ({}) belongs to the instance {recorded}, but the configuration \
             says domain = {:?}. Actor ids are built from the domain and cannot change: run \
             with PUENTES_DOMAIN={recorded} (or its config file), or point PUENTES_DATA_DIR / \
             PUENTES_DATABASE_URL at the database of {}.",
            Location::of(config).description,
            config.domain,
            config.domain
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_and_redacted_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/puentes.db?mode=rwc"),
            Some(PathBuf::from("data/puentes.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/p.db"),
            Some(PathBuf::from("/var/lib/p.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
        let shown = redact("postgres://puentes:secret@db.example:5432/puentes");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("db.example:5432/puentes"));
    }
}
