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
    /// Where Prometheus reads `/metrics` (a separate listener, e.g. `127.0.0.1:9090`); off
    /// when unset, so metrics are never public by accident.
    pub metrics_bind: Option<String>,
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
    /// Authorized fetch: actors, posts, statements, calls and collections answer only
    /// signed GETs (401 otherwise), as Mastodon's secure mode and GoToSocial do. The
    /// instance actor, WebFinger and NodeInfo stay open so peers can verify us.
    pub require_signed_fetch: bool,
    /// `open` federates with every domain not blocked; `allowlist` only with
    /// `allowed_domains` (and implies `require_signed_fetch`).
    pub federation_mode: FederationMode,
    /// Domains (`host[:port]`) an `allowlist` instance talks with.
    pub allowed_domains: Vec<String>,
    /// What one client or remote host may cost the instance.
    pub limits: LimitsConfig,
    /// Where uploaded media are kept: the data directory (default) or an S3-compatible bucket.
    pub media: MediaConfig,
}

/// `[media]`: where uploaded images are kept. Local files in `{data_dir}/media` unless an
/// S3-compatible bucket is configured.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    pub storage: MediaStorage,
    pub s3: Option<S3Config>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaStorage {
    #[default]
    Local,
    S3,
}

/// `[media.s3]`: an S3-compatible bucket (AWS, MinIO, Garage, Ceph, Scaleway…). The bucket
/// must exist; objects are written private and served through `/media/`, so their
/// addresses never change when storage moves.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    /// e.g. `https://s3.eu-west-3.amazonaws.com` or `http://127.0.0.1:9000` for MinIO.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    /// Better given as `PUENTES_S3_SECRET_KEY` than written in a file.
    pub secret_key: String,
    /// `https://endpoint/bucket/key` (MinIO and most self-hosted stores) rather than
    /// `https://bucket.endpoint/key`.
    pub path_style: bool,
    /// Prefix of every object's key, e.g. `puentes/`.
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    /// Never prints the secret key (configurations are logged and printed by check-config).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Timeouts and rates under hostile load. A rate of 0 means unlimited.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// A connection that has not sent its request headers by then is closed (slowloris).
    pub header_read_timeout_secs: u64,
    /// A request not answered by then gets 408 (503 for handlers still waiting on peers).
    pub request_timeout_secs: u64,
    /// Open connections from one IP address; more are closed at once.
    pub connections_per_ip: usize,
    /// Inbox POSTs per client IP per minute.
    pub inbox_per_ip_per_minute: u32,
    /// Inbox POSTs per claimed sending host per minute.
    pub inbox_per_host_per_minute: u32,
    /// Web pages and feeds (the expensive reads) per client IP per minute.
    pub pages_per_ip_per_minute: u32,
    /// Key fetches (actor documents for signature checks) per remote host per minute.
    pub key_fetches_per_host_per_minute: u32,
    /// How long a keyId that failed to fetch or verify is answered from memory, seconds.
    pub failed_key_ttl_secs: u64,
    /// A reverse proxy on this machine forwards the requests (deploy/nginx.conf): for
    /// connections from loopback the client is the last `X-Forwarded-For` address, and
    /// their number is the proxy's to cap.
    pub behind_proxy: bool,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            header_read_timeout_secs: 10,
            request_timeout_secs: 60,
            connections_per_ip: 64,
            inbox_per_ip_per_minute: 1200,
            inbox_per_host_per_minute: 1200,
            pages_per_ip_per_minute: 600,
            key_fetches_per_host_per_minute: 30,
            failed_key_ttl_secs: 600,
            behind_proxy: false,
        }
    }
}

/// Whom an instance federates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationMode {
    /// Everyone but blocked domains.
    #[default]
    Open,
    /// Only the allowed domains: an alliance that talks only with its members' instances.
    Allowlist,
}

impl FederationMode {
    fn parse(value: &str) -> Result<FederationMode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(FederationMode::Open),
            "allowlist" | "allow-list" | "allow_list" => Ok(FederationMode::Allowlist),
            other => Err(Error::bad_request(format!(
                "federation_mode must be open or allowlist, got {other:?}"
            ))),
        }
    }
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
    /// Deliveries in flight at once, all hosts together. Real fan-outs wait on the network
    /// far more than on the CPU (one in flight costs a socket and a shared body), so this
    /// bounds their speed: 128 in flight reach 640 inboxes/s at 200 ms per answer.
    pub max_in_flight: usize,
    /// Deliveries in flight at once to one host (a host not yet heard from in this run
    /// gets one, so a dead host costs one timeout, not one per queued delivery).
    pub max_per_host: usize,
    /// How long a delivery waits for a TCP/TLS connection, seconds; the whole request is
    /// bounded by `http_timeout_secs`.
    pub connect_timeout_secs: u64,
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
            max_in_flight: 128,
            max_per_host: 8,
            connect_timeout_secs: 5,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            domain: "localhost:8080".into(),
            bind: "127.0.0.1:8080".into(),
            metrics_bind: None,
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
            require_signed_fetch: false,
            federation_mode: FederationMode::Open,
            allowed_domains: Vec::new(),
            limits: LimitsConfig::default(),
            media: MediaConfig::default(),
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
    if let Some(v) = env("PUENTES_METRICS_BIND") {
        config.metrics_bind = Some(v).filter(|v| !v.is_empty());
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
    if let Some(v) = env("PUENTES_REQUIRE_SIGNED_FETCH") {
        config.require_signed_fetch = matches!(v.as_str(), "1" | "true" | "yes");
    }
    if let Some(v) = env("PUENTES_FEDERATION_MODE") {
        config.federation_mode = FederationMode::parse(&v)?;
    }
    if let Some(v) = env("PUENTES_ALLOWED_DOMAINS") {
        config.allowed_domains = v
            .split([',', ' '])
            .filter(|d| !d.trim().is_empty())
            .map(str::to_string)
            .collect();
    }
    if let Some(v) = env("PUENTES_MEDIA_STORAGE") {
        config.media.storage = match v.trim().to_ascii_lowercase().as_str() {
            "local" => MediaStorage::Local,
            "s3" => MediaStorage::S3,
            other => {
                return Err(Error::bad_request(format!(
                    "PUENTES_MEDIA_STORAGE must be local or s3, got {other:?}"
                )));
            }
        };
    }
    let s3_env = [
        "PUENTES_S3_ENDPOINT",
        "PUENTES_S3_BUCKET",
        "PUENTES_S3_REGION",
        "PUENTES_S3_ACCESS_KEY",
        "PUENTES_S3_SECRET_KEY",
        "PUENTES_S3_PATH_STYLE",
        "PUENTES_S3_PREFIX",
    ];
    if s3_env.iter().any(|name| env(name).is_some()) {
        let s3 = config.media.s3.get_or_insert_with(S3Config::default);
        let fields: [&mut String; 6] = [
            &mut s3.endpoint,
            &mut s3.bucket,
            &mut s3.region,
            &mut s3.access_key,
            &mut s3.secret_key,
            &mut s3.prefix,
        ];
        for (name, field) in [
            "ENDPOINT",
            "BUCKET",
            "REGION",
            "ACCESS_KEY",
            "SECRET_KEY",
            "PREFIX",
        ]
        .into_iter()
        .zip(fields)
        {
            if let Some(v) = env(&format!("PUENTES_S3_{name}")) {
                *field = v;
            }
        }
        if let Some(v) = env("PUENTES_S3_PATH_STYLE") {
            s3.path_style = matches!(v.as_str(), "1" | "true" | "yes");
        }
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
        for domain in &self.allowed_domains {
            crate::handle::normalize_domain(domain)?;
        }
        if self.federation_mode == FederationMode::Allowlist && self.allowed_domains.is_empty() {
            return Err(Error::bad_request(
                "federation_mode = \"allowlist\" needs at least one entry in allowed_domains",
            ));
        }
        if let Some(bind) = &self.metrics_bind
            && bind.parse::<std::net::SocketAddr>().is_err()
        {
            return Err(Error::bad_request(format!(
                "metrics_bind must be an address like 127.0.0.1:9090, got {bind:?}"
            )));
        }
        if self.media.storage == MediaStorage::S3 {
            let s3 = self.media.s3.as_ref().ok_or_else(|| {
                Error::bad_request("media storage is s3 but [media.s3] is not configured")
            })?;
            for (name, value) in [
                ("endpoint", &s3.endpoint),
                ("bucket", &s3.bucket),
                ("region", &s3.region),
                ("access_key", &s3.access_key),
                ("secret_key", &s3.secret_key),
            ] {
                if value.trim().is_empty() {
                    return Err(Error::bad_request(format!(
                        "media storage is s3 but [media.s3] {name} is empty"
                    )));
                }
            }
            let endpoint = url::Url::parse(&s3.endpoint).map_err(|_| {
                Error::bad_request(format!(
                    "[media.s3] endpoint must be a URL like https://s3.example, got {:?}",
                    s3.endpoint
                ))
            })?;
            if !matches!(endpoint.scheme(), "http" | "https") {
                return Err(Error::bad_request(
                    "[media.s3] endpoint must be an http or https URL",
                ));
            }
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

    /// Do actors, objects and collections answer only signed GETs?
    pub fn requires_signed_fetch(&self) -> bool {
        self.require_signed_fetch || self.federation_mode == FederationMode::Allowlist
    }

    /// May this instance exchange activities with `domain` (`host[:port]`)? Blocks are
    /// checked separately, against the database.
    pub fn federates_with(&self, domain: &str) -> bool {
        match self.federation_mode {
            FederationMode::Open => true,
            FederationMode::Allowlist => {
                let domain = domain.to_ascii_lowercase();
                self.allowed_domains.iter().any(|allowed| {
                    crate::handle::normalize_domain(allowed).is_ok_and(|a| a == domain)
                })
            }
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
    fn s3_media_storage_is_read_checked_and_never_prints_its_secret() {
        let dir = std::env::temp_dir().join(format!("puentes-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.toml");
        std::fs::write(
            &file,
            "[media]\nstorage = \"s3\"\n[media.s3]\nendpoint = \"http://127.0.0.1:9000\"\n\
             bucket = \"media\"\nregion = \"local\"\naccess_key = \"minio\"\npath_style = true\n",
        )
        .unwrap();
        let err = load(Some(&file), env_of(&[])).unwrap_err();
        assert!(err.message().contains("secret_key is empty"), "{err:?}");
        let config = load(
            Some(&file),
            env_of(&[("PUENTES_S3_SECRET_KEY", "very-secret-key")]),
        )
        .unwrap();
        assert_eq!(config.media.storage, MediaStorage::S3);
        let s3 = config.media.s3.as_ref().unwrap();
        assert!(s3.path_style);
        assert_eq!(s3.secret_key, "very-secret-key");
        assert!(!format!("{config:?}").contains("very-secret-key"));
        let err = load(None, env_of(&[("PUENTES_MEDIA_STORAGE", "s3")])).unwrap_err();
        assert!(
            err.message().contains("[media.s3] is not configured"),
            "{err:?}"
        );
        let err = load(None, env_of(&[("PUENTES_MEDIA_STORAGE", "ftp")])).unwrap_err();
        assert!(err.message().contains("local or s3"), "{err:?}");
        std::fs::remove_dir_all(dir).unwrap();
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
    fn allowlist_mode_names_its_domains_and_requires_signed_fetch() {
        let config = load(
            None,
            env_of(&[
                ("PUENTES_FEDERATION_MODE", "allowlist"),
                ("PUENTES_ALLOWED_DOMAINS", "Red.Example, localhost:9000"),
            ]),
        )
        .unwrap();
        assert!(config.requires_signed_fetch());
        assert!(config.federates_with("red.example"));
        assert!(config.federates_with("localhost:9000"));
        assert!(!config.federates_with("other.example"));
        assert!(!config.federates_with("localhost:9001"));
        // An allow-list that allows nobody is a mistake, not a policy.
        assert!(load(None, env_of(&[("PUENTES_FEDERATION_MODE", "allowlist")])).is_err());
        assert!(load(None, env_of(&[("PUENTES_FEDERATION_MODE", "closed")])).is_err());
        let open = load(None, env_of(&[("PUENTES_REQUIRE_SIGNED_FETCH", "true")])).unwrap();
        assert!(open.requires_signed_fetch() && open.federates_with("anyone.example"));
        let from_file: Config = toml::from_str(
            "require_signed_fetch = true\nfederation_mode = \"allowlist\"\nallowed_domains = [\"a.example\"]",
        )
        .unwrap();
        assert_eq!(from_file.federation_mode, FederationMode::Allowlist);
    }

    #[test]
    fn the_documented_example_is_valid() {
        let example: Config = toml::from_str(include_str!("../../../deploy/config.example.toml"))
            .expect("deploy/config.example.toml parses");
        example.validate().unwrap();
        assert!(!example.requires_signed_fetch());
    }

    #[test]
    fn ip_domains_and_paths_are_refused() {
        assert!(load(None, env_of(&[("PUENTES_DOMAIN", "127.0.0.1:8080")])).is_err());
        assert!(load(None, env_of(&[("PUENTES_DOMAIN", "example.org/x")])).is_err());
    }
}
