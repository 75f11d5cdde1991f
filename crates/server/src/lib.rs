//! The `puentes` server: wiring of the application, federation and web sides, and the
//! background workers. Commands live in `puentes_app`; the command line only parses.

pub mod demo;
pub mod jobs;

use activitypub_federation::config::FederationConfig;
use axum::{Router, extract::Request};
use puentes_app::App;
use puentes_apub::{FedContext, federation_config};
use puentes_core::{Config, Error, Result, urls::RequestTarget};
use puentes_db::DatabaseConnection;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::normalize_path::NormalizePathLayer;

/// Applies the schema migrations (forward only).
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    use puentes_migrations::MigratorTrait;
    puentes_migrations::Migrator::up(db, None)
        .await
        .map_err(|e| Error::internal(format!("migration failed: {e}")).with_source(e))
}

/// One instance: its application layer, federation configuration and routes.
#[derive(Clone)]
pub struct Instance {
    pub ctx: FedContext,
    pub fed: FederationConfig<FedContext>,
    /// Every command, for the command line and the tests.
    pub app: App,
}

impl Instance {
    /// Connects, migrates and prepares the federation configuration.
    pub async fn open(config: Config) -> Result<Instance> {
        install_crypto_provider();
        let db = puentes_db::connect(&config).await?;
        migrate(&db).await?;
        Instance::with_db(config, db).await
    }

    pub async fn with_db(config: Config, db: DatabaseConnection) -> Result<Instance> {
        install_crypto_provider();
        let ctx = FedContext::new(db, Arc::new(config))?;
        let fed = federation_config(ctx.clone()).await?;
        let app = puentes_apub::network::app_for(&fed);
        Ok(Instance { ctx, fed, app })
    }

    pub fn data(&self) -> puentes_apub::Data {
        self.fed.to_request_data()
    }

    pub fn router(&self) -> Router {
        let web = puentes_http::HttpState::new(self.app.clone());
        puentes_apub::routes::router(self.fed.clone())
            .merge(puentes_http::router(web))
            .layer(axum::middleware::from_fn(puentes_http::api::cors))
    }

    /// Serves until `shutdown` is cancelled. Routes tolerate a trailing slash.
    pub async fn serve(&self, listener: TcpListener, shutdown: CancellationToken) -> Result<()> {
        let app = tower::ServiceBuilder::new()
            .map_request(|mut request: Request| {
                let target = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                request.extensions_mut().insert(RequestTarget(target));
                request
            })
            .layer(NormalizePathLayer::trim_trailing_slash())
            .service(self.router());
        // The peer's address: the staff login's rate limit counts per client.
        let service = axum::ServiceExt::<Request>::into_make_service_with_connect_info::<
            std::net::SocketAddr,
        >(app);
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
            .map_err(|e| Error::internal("server stopped").with_source(e))
    }
}

/// reqwest is built without a default TLS provider; use ring's. Installing twice is harmless.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
