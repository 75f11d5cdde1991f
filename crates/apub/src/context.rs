//! The federation context: database, configuration and HTTP client of one instance.

use activitypub_federation::resolver::ValidatingDnsResolver;
use puentes_core::{Config, Error, Result, urls::Urls};
use puentes_db::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct FedContext {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub urls: Urls,
    /// Shared by fetches and deliveries; refuses private addresses unless federation is in
    /// debug mode.
    pub client: reqwest::Client,
    /// Parsed signing keys of local actors.
    pub keys: Arc<crate::signing::KeyCache>,
    /// Local actors, their documents and NodeInfo counts.
    pub cache: Arc<crate::cache::Caches>,
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
            .dns_resolver(ValidatingDnsResolver::new(
                vec![],
                !config.insecure_federation(),
            ))
            .build()
            .map_err(|e| Error::internal("cannot build the HTTP client").with_source(e))?;
        Ok(FedContext {
            db,
            config,
            urls,
            client,
            keys: Arc::default(),
            cache: Arc::default(),
        })
    }
}
