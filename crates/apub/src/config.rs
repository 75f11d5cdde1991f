//! The federation library's configuration for one instance. Its `Data` carries our context
//! into handlers; its fetching and signing are not used: every request goes through
//! `client`, signed the way Mastodon requires.

use crate::context::FedContext;
use activitypub_federation::config::FederationConfig;
use puentes_core::{Error, Result};

pub async fn federation_config(ctx: FedContext) -> Result<FederationConfig<FedContext>> {
    crate::local_actors::ensure_instance_actor(&ctx).await?;
    let config = FederationConfig::builder()
        .domain(ctx.config.domain.clone())
        .client(ctx.client.clone().into())
        .debug(ctx.config.insecure_federation())
        .allow_http_urls(ctx.config.insecure_federation())
        .request_timeout(ctx.config.http_timeout())
        .http_fetch_limit(50)
        .app_data(ctx)
        .build()
        .await
        .map_err(|e| Error::internal("invalid federation configuration").with_source(e))?;
    Ok(config)
}
