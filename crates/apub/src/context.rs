//! The federation context: database, configuration and HTTP client of one instance.

use crate::objects::actor::ApubActor;
use activitypub_federation::{
    config::{FederationConfig, UrlVerifier},
    resolver::ValidatingDnsResolver,
};
use puentes_core::{Config, Error, Result, urls::Urls};
use puentes_db::{DatabaseConnection, query};
use std::sync::Arc;
use url::Url;

#[derive(Clone)]
pub struct FedContext {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub urls: Urls,
    /// Shared by fetches and deliveries; refuses private addresses unless federation is in
    /// debug mode.
    pub client: reqwest::Client,
}

pub type Data = activitypub_federation::config::Data<FedContext>;

impl FedContext {
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Result<Self> {
        let urls = Urls::new(&config);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.http_timeout())
            .connect_timeout(config.http_timeout())
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
        })
    }
}

/// Refuses fetches from and deliveries to blocked domains, everywhere the library checks URLs.
#[derive(Clone)]
struct BlockedDomainVerifier {
    db: DatabaseConnection,
}

#[async_trait::async_trait]
impl UrlVerifier for BlockedDomainVerifier {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        let domain = puentes_core::urls::authority(url);
        match query::instance::is_blocked(&self.db, &domain).await {
            Ok(false) => Ok(()),
            Ok(true) => Err(activitypub_federation::error::Error::UrlVerificationError(
                "domain is blocked",
            )),
            Err(e) => Err(activitypub_federation::error::Error::Other(e.to_string())),
        }
    }
}

/// Builds the library configuration; outgoing fetches are signed by the instance actor so
/// servers that require signed fetches (GoToSocial, Mastodon secure mode) answer.
pub async fn federation_config(ctx: FedContext) -> Result<FederationConfig<FedContext>> {
    let instance_actor = crate::local_actors::ensure_instance_actor(&ctx).await?;
    let config = FederationConfig::builder()
        .domain(ctx.config.domain.clone())
        .client(ctx.client.clone().into())
        .debug(ctx.config.insecure_federation())
        .allow_http_urls(ctx.config.insecure_federation())
        .request_timeout(ctx.config.http_timeout())
        .http_fetch_limit(50)
        .url_verifier(Box::new(BlockedDomainVerifier { db: ctx.db.clone() }))
        .signed_fetch_actor(&ApubActor::try_from(instance_actor)?)
        .app_data(ctx)
        .build()
        .await
        .map_err(|e| Error::internal("invalid federation configuration").with_source(e))?;
    Ok(config)
}
