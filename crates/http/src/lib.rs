//! Web pages and the Mastodon client API (`api`, `oauth`). Never depends on the federation crate: state
//! changes go through the database and its outbox.
//!
//! `i18n` and `render` are shared by every page: the public pages live in `pages`; staff
//! pages and the APIs get their own modules beside it and reuse the layout, the reader's
//! language, the error pages and the security headers.

use axum::{Router, middleware::from_fn_with_state, routing::get};
use minijinja::Environment;
use puentes_core::{Config, urls::Urls};
use puentes_db::DatabaseConnection;
use std::{path::PathBuf, sync::Arc};

pub mod api;
pub mod i18n;
pub mod media;
pub mod oauth;
pub mod pages;
pub mod render;
pub mod staff;
mod statics;

pub use render::Reader;

#[derive(Clone)]
pub struct HttpState {
    /// Every command (the pages that change something call it; reading goes to `db`).
    pub app: puentes_app::App,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub urls: Urls,
    pub i18n: Arc<i18n::I18n>,
    templates: Arc<Environment<'static>>,
    csp: axum::http::HeaderValue,
    statics: Arc<statics::Statics>,
}

/// `web/` from the configuration, else beside the sources, else in the working directory.
pub fn web_dir(config: &Config) -> PathBuf {
    if let Some(dir) = &config.web_dir {
        return dir.clone();
    }
    let source_tree = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"));
    if source_tree.join("templates").is_dir() {
        source_tree
    } else {
        PathBuf::from("web")
    }
}

impl HttpState {
    /// Loads templates, translations and static files from `web/`.
    pub fn try_new(app: puentes_app::App) -> puentes_core::Result<Self> {
        let (db, config) = (app.db.clone(), app.config.clone());
        let web = web_dir(&config);
        let i18n = Arc::new(i18n::I18n::load(&web.join("locales"))?);
        let templates = render::environment(&web.join("templates"), i18n.clone());
        let statics = statics::Statics::load(&web.join("static"))?;
        let urls = Urls::new(&config);
        Ok(HttpState {
            app,
            db,
            csp: render::content_security_policy(&config),
            config,
            urls,
            i18n,
            templates: Arc::new(templates),
            statics: Arc::new(statics),
        })
    }

    /// Like [`HttpState::try_new`]; a broken `web/` folder is logged, and pages then show
    /// message keys and no stylesheet rather than the server refusing to start.
    pub fn new(app: puentes_app::App) -> Self {
        match Self::try_new(app.clone()) {
            Ok(state) => state,
            Err(e) => {
                tracing::error!(error = ?e, "web files could not be loaded");
                let (db, config) = (app.db.clone(), app.config.clone());
                let i18n = Arc::new(i18n::I18n::empty());
                let web = web_dir(&config);
                HttpState {
                    app,
                    db,
                    csp: render::content_security_policy(&config),
                    urls: Urls::new(&config),
                    templates: Arc::new(render::environment(&web.join("templates"), i18n.clone())),
                    i18n,
                    config,
                    statics: Arc::new(statics::Statics::default()),
                }
            }
        }
    }
}

pub fn router(state: HttpState) -> Router {
    let pages = pages::router()
        .merge(staff::router(&state))
        .route("/media/{file}", get(media::serve))
        .fallback(pages::not_found)
        .layer(from_fn_with_state(state.clone(), render::html_errors));
    Router::new()
        .merge(pages)
        .nest("/api", api::router())
        .merge(oauth::router())
        .route("/static/{file}", get(statics::serve))
        .route("/healthz", get(|| async { "ok" }))
        .layer(from_fn_with_state(state.clone(), render::security_headers))
        .with_state(state)
}
