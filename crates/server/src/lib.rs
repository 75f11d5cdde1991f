//! The `puentes` server: wiring of the application, federation and web sides, and the
//! background workers. Commands live in `puentes_app`; the command line only parses.

pub mod backup;
pub mod database;
pub mod demo;
pub mod jobs;
pub mod listen;
pub mod media_store;
pub mod metrics;

use activitypub_federation::config::FederationConfig;
use axum::Router;
use puentes_app::App;
use puentes_apub::{FedContext, federation_config};
use puentes_core::{Config, Error, Result};
use puentes_db::DatabaseConnection;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

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
    pub async fn open(config: Config, if_missing: database::IfMissing) -> Result<Instance> {
        install_crypto_provider();
        let db = database::connect(&config, if_missing).await?;
        migrate(&db).await?;
        Instance::with_db(config, db).await
    }

    /// An instance on a migrated database, which must be the one of `config.domain`.
    pub async fn with_db(config: Config, db: DatabaseConnection) -> Result<Instance> {
        install_crypto_provider();
        database::check_domain(&db, &config).await?;
        let mut ctx = FedContext::new(db, Arc::new(config))?;
        if ctx.config.media.storage == puentes_core::MediaStorage::S3
            && let Some(s3) = &ctx.config.media.s3
        {
            ctx.media = Arc::new(media_store::S3Media::new(
                s3,
                ctx.config
                    .http_timeout()
                    .max(std::time::Duration::from_secs(30)),
            )?);
        }
        let fed = federation_config(ctx.clone()).await?;
        let app = puentes_apub::network::app_for(&fed);
        Ok(Instance { ctx, fed, app })
    }

    pub fn data(&self) -> puentes_apub::Data {
        self.fed.to_request_data()
    }

    pub fn router(&self) -> Router {
        let web = puentes_http::HttpState::new(self.app.clone());
        puentes_apub::routes::router(self.fed.clone(), self.app.clone())
            .merge(puentes_http::router(web))
            .layer(axum::middleware::from_fn(puentes_http::api::cors))
            .layer(axum::middleware::from_fn_with_state(
                self.ctx.metrics.clone(),
                metrics::count_requests,
            ))
    }

    /// Serves until `shutdown` is cancelled. Routes tolerate a trailing slash; see `listen`
    /// for the timeouts, caps and headers around them.
    pub async fn serve(&self, listener: TcpListener, shutdown: CancellationToken) -> Result<()> {
        // A SQLite file deleted under a running server would swallow every later write.
        let (db, url, stop) = (
            self.ctx.db.clone(),
            self.ctx.config.database_url(),
            shutdown.clone(),
        );
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = every.tick() => {
                        if puentes_db::check_file_present(&db, &url).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
        listen::serve(self.router(), &self.ctx.config, listener, shutdown).await
    }
}

/// reqwest is built without a default TLS provider; use ring's. Installing twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The runtime `puentes` runs on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Federation handlers nest deep async calls; debug builds need room for them.
        .thread_stack_size(8 * 1024 * 1024)
        .build()
}
