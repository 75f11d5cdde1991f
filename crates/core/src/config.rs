//! Instance configuration: defaults, then an optional TOML file, then environment variables.
//! The value is passed into everything that needs it; nothing reads it from a global.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::{path::PathBuf, time::Duration};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Public authority of this instance, `host[:port]`. Actor ids are built from it.
    pub domain: String,
    /// Socket address `puentes serve` listens on.
    pub bind: String,
    /// `sqlite://…` or `postgres://…`; default: a SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Where the SQLite database and uploaded media live.
    pub data_dir: PathBuf,
    /// Directory holding `templates/` and `static/`; default: `web/` of the source tree or
    /// of the working directory.
    pub web_dir: Option<PathBuf>,
    /// Name shown in NodeInfo and on pages.
    pub instance_name: String,
    pub instance_description: String,
    /// Allow plain http and loopback/private peers. Always on for a `localhost` domain;
    /// never turn it on for a public instance.
    pub federation_debug: bool,
    /// Run the delivery workers inside `puentes serve` (tests drive the queues themselves).
    pub workers: bool,
    pub delivery: DeliveryConfig,
    /// Largest accepted inbox body, bytes.
    pub max_body_bytes: usize,
    /// Timeout of outgoing HTTP requests, seconds.
    pub http_timeout_secs: u64,
    /// Let new organizations be created with `manuallyApprovesFollowers` on.
    pub default_manual_approval: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// How often idle workers look for due work, milliseconds.
    pub poll_interval_ms: u64,
    /// Deliveries claimed per round.
    pub batch_size: u64,
    /// First retry delay, seconds; doubles per attempt, with jitter.
    pub backoff_base_secs: u64,
    /// Longest delay between two attempts, seconds.
    pub backoff_max_secs: u64,
    /// A delivery failing for longer than this is dropped, seconds.
    pub give_up_after_secs: u64,
    /// How long a claimed delivery stays reserved for its worker, seconds.
    pub lease_secs: u64,
    /// Consecutive failures after which a host is parked.
    pub park_after_failures: i32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            poll_interval_ms: 1000,
            batch_size: 32,
            backoff_base_secs: 60,
            backoff_max_secs: 24 * 3600,
            give_up_after_secs: 7 * 24 * 3600,
            lease_secs: 300,
            park_after_failures: 5,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: "localhost:8080".into(),
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from("data"),
            web_dir: None,
            instance_name: "Puentes".into(),
            instance_description: "A Puentes instance for civil-society alliances".into(),
            federation_debug: false,
            workers: true,
            delivery: DeliveryConfig::default(),
            max_body_bytes: 1024 * 1024,
            http_timeout_secs: 10,
            default_manual_approval: false,
        }
    }
}

/// Reads environment variables through a function so tests can pass their own.
pub fn load(
    file: Option<&std::path::Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Config> {
    let mut config = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::bad_request(format!("cannot read config file {}: {e}", path.display()))
            })?;
            toml::from_str::<Config>(&text).map_err(|e| {
                Error::bad_request(format!("invalid config file {}: {e}", path.display()))
            })?
        }
        None => Config::default(),
    };
    if let Some(v) = env("PUENTES_DOMAIN") {
        config.domain = v;
    }
    if let Some(v) = env("PUENTES_BIND") {
        config.bind = v;
    }
    if let Some(v) = env("PUENTES_DATABASE_URL") {
        config.database_url = Some(v);
    }
    if let Some(v) = env("PUENTES_DATA_DIR") {
        config.data_dir = PathBuf::from(v);
    }
    if let Some(v) = env("PUENTES_WEB_DIR") {
        config.web_dir = Some(PathBuf::from(v));
    }
    if let Some(v) = env("PUENTES_FEDERATION_DEBUG") {
        config.federation_debug = matches!(v.as_str(), "1" | "true" | "yes");
    }
    if let Some(v) = env("PUENTES_WORKERS") {
        config.workers = !matches!(v.as_str(), "0" | "false" | "no");
    }
    config.validate()?;
    Ok(config)
}

impl Config {
    pub fn validate(&self) -> Result<()> {
        let probe = format!("http://{}/", self.domain);
        let parsed = url::Url::parse(&probe)
            .map_err(|_| Error::bad_request(format!("invalid domain {:?}", self.domain)))?;
        if parsed.path() != "/" || parsed.host_str().is_none() || self.domain.contains('/') {
            return Err(Error::bad_request(format!(
                "domain must be host[:port], got {:?}",
                self.domain
            )));
        }
        if parsed.domain().is_none() {
            return Err(Error::bad_request(
                "domain must be a host name (use localhost:PORT for local testing, not an IP address)",
            ));
        }
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(Error::bad_request(format!(
                "bind must be an address like 127.0.0.1:8080, got {:?}",
                self.bind
            )));
        }
        Ok(())
    }

    /// `localhost` instances are for development and tests.
    pub fn is_localhost(&self) -> bool {
        self.host() == "localhost"
    }

    pub fn host(&self) -> &str {
        self.domain.split(':').next().unwrap_or(&self.domain)
    }

    /// Plain http and loopback peers are allowed only here.
    pub fn insecure_federation(&self) -> bool {
        self.federation_debug || self.is_localhost()
    }

    pub fn scheme(&self) -> &'static str {
        if self.insecure_federation() {
            "http"
        } else {
            "https"
        }
    }

    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.domain)
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/puentes.db?mode=rwc", self.data_dir.display()),
        }
    }

    pub fn http_timeout(&self) -> Duration {
        Duration::from_secs(self.http_timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_work_without_any_configuration() {
        let config = load(None, env_of(&[])).unwrap();
        assert_eq!(config.domain, "localhost:8080");
        assert!(config.insecure_federation());
        assert!(config.database_url().starts_with("sqlite://data/"));
    }

    #[test]
    fn environment_overrides_file_and_public_domains_are_https() {
        let config = load(None, env_of(&[("PUENTES_DOMAIN", "puentes.example.org")])).unwrap();
        assert!(!config.insecure_federation());
        assert_eq!(config.base_url(), "https://puentes.example.org");
    }

    #[test]
    fn ip_domains_and_paths_are_refused() {
        assert!(load(None, env_of(&[("PUENTES_DOMAIN", "127.0.0.1:8080")])).is_err());
        assert!(load(None, env_of(&[("PUENTES_DOMAIN", "example.org/x")])).is_err());
    }
}
