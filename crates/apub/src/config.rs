//! The federation library's configuration for one instance: our client, our URL checks
//! (blocked domains) and the instance actor that signs fetches.

use crate::{context::FedContext, objects::actor::ApubActor};
use activitypub_federation::config::{FederationConfig, UrlVerifier};
use puentes_core::{Error, Result};
use puentes_db::{DatabaseConnection, query};
use url::Url;

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
