//! The federation context: database, configuration and HTTP client of one instance.

use puentes_core::{
    Config, Error, ErrorKind, Result,
    limits::{FailureCache, RateLimiter, RecentMap},
    urls::Urls,
};
use puentes_db::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct FedContext {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub urls: Urls,
    /// Shared by fetches and deliveries; refuses private addresses unless federation is in
    /// debug mode. Only `client.rs` sends with it: that is where the policy is checked.
    pub(crate) client: reqwest::Client,
    /// Counters of this instance, read at `/metrics`.
    pub metrics: Arc<puentes_core::metrics::Metrics>,
    /// Remembered failures and per-host budgets that keep us from being an amplifier.
    pub guards: Arc<Guards>,
    /// Parsed signing keys of local actors.
    pub keys: Arc<crate::signing::KeyCache>,
    /// Local actors, their documents and NodeInfo counts.
    pub cache: Arc<crate::cache::Caches>,
    /// Where uploaded media bytes are kept (local files unless the server injects a bucket).
    pub media: Arc<dyn puentes_app::ports::MediaStore>,
    /// What the application commits, heard by live readers: one channel for every `App`
    /// made for this instance (the server's, and those of tests and CLI commands).
    pub changes: puentes_app::Changes,
    /// Told when deliveries are queued, so a waiting delivery worker of this process claims
    /// them at once instead of at its next poll.
    pub(crate) deliveries_queued: Arc<tokio::sync::Notify>,
}

/// In-memory limits on what unverified requests can make us do.
pub struct Guards {
    /// keyIds fetched recently whose request did not verify: what was learned (the key, or
    /// why it could not be had), so a flood naming them costs no further fetch while the
    /// real owner's requests still verify against the remembered key.
    pub recent_keys: RecentMap<RecentKey>,
    /// Hosts whose key documents could not be reached.
    pub failed_hosts: FailureCache,
    /// Key (actor document) fetches per remote host.
    pub key_fetches: RateLimiter,
    /// Inbox deliveries per claimed sending host.
    pub inbox_per_host: RateLimiter,
}

/// What a recent fetch of a keyId gave.
#[derive(Clone)]
pub enum RecentKey {
    /// No key: the fetch failed this way.
    Unavailable(ErrorKind),
    /// The key published under that keyId (RSA, and Ed25519 when there is one).
    Published {
        rsa_key_id: String,
        rsa_pem: String,
        ed25519_multibase: Option<String>,
    },
}

impl Guards {
    pub fn new(config: &Config) -> Guards {
        let limits = &config.limits;
        Guards {
            recent_keys: RecentMap::new(std::time::Duration::from_secs(limits.failed_key_ttl_secs)),
            failed_hosts: FailureCache::new(std::time::Duration::from_secs(
                limits.failed_key_ttl_secs.min(60),
            )),
            key_fetches: RateLimiter::new(limits.key_fetches_per_host_per_minute),
            inbox_per_host: RateLimiter::new(limits.inbox_per_host_per_minute),
        }
    }
}

pub type Data = activitypub_federation::config::Data<FedContext>;

impl FedContext {
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Result<Self> {
        let urls = Urls::new(&config);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.http_timeout())
            .connect_timeout(config.http_timeout().min(std::time::Duration::from_secs(
                config.delivery.connect_timeout_secs.max(1),
            )))
            .user_agent(format!(
                "Puentes/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                urls.base()
            ))
            // One idle connection per host, kept briefly. With several in flight per host,
            // about half the deliveries of a fan-out open a new connection (5,396 connects
            // for 11,400 deliveries); three idle per host halved that but raised peak memory
            // past 60 MB in the full benchmark (puentes-bench: 53 MB fan-out peak with one,
            // 57 MB with three, 73 MB with eight), for no rate the noise would show.
            .pool_max_idle_per_host(1)
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .dns_resolver(std::sync::Arc::new(crate::resolver::PublicResolver {
                public_only: !config.insecure_federation(),
            }))
            .build()
            .map_err(|e| Error::internal("cannot build the HTTP client").with_source(e))?;
        Ok(FedContext {
            media: Arc::new(puentes_app::media::LocalMedia::new(&config)),
            db,
            guards: Arc::new(Guards::new(&config)),
            config,
            urls,
            client,
            metrics: Arc::new(puentes_core::metrics::Metrics::new()),
            keys: Arc::default(),
            changes: puentes_app::Changes::default(),
            cache: Arc::default(),
            deliveries_queued: Arc::default(),
        })
    }
}
