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
use std::sync::Arc;

pub mod api;
pub mod i18n;
pub mod media;
pub mod oauth;
pub mod pages;
pub mod peer;
pub mod render;
pub mod staff;
mod statics;
pub mod web_files;

pub use render::Reader;
pub use web_files::WebFiles;

/// What every page and client API handler reads. axum clones the state for each request
/// and each middleware, so it is one `Arc`: cloned by value it was an application layer, a
/// pool handle, strings and header values, several times per request.
#[derive(Clone)]
pub struct HttpState(Arc<HttpShared>);

impl std::ops::Deref for HttpState {
    type Target = HttpShared;

    fn deref(&self) -> &HttpShared {
        &self.0
    }
}

pub struct HttpShared {
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

impl HttpState {
    /// Loads templates, translations and static files (built in, or from `web_dir`).
    pub fn try_new(app: puentes_app::App) -> puentes_core::Result<Self> {
        let (db, config) = (app.db.clone(), app.config.clone());
        let web = WebFiles::from_config(&config);
        let i18n = Arc::new(i18n::I18n::load_from(&web)?);
        let templates = render::environment(web.clone(), i18n.clone());
        let statics = statics::Statics::load(&web)?;
        let urls = Urls::new(&config);
        Ok(HttpState(Arc::new(HttpShared {
            app,
            db,
            csp: render::content_security_policy(&config),
            config,
            urls,
            i18n,
            templates: Arc::new(templates),
            statics: Arc::new(statics),
        })))
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
                let web = WebFiles::from_config(&config);
                HttpState(Arc::new(HttpShared {
                    app,
                    db,
                    csp: render::content_security_policy(&config),
                    urls: Urls::new(&config),
                    templates: Arc::new(render::environment(web, i18n.clone())),
                    i18n,
                    config,
                    statics: Arc::new(statics::Statics::default()),
                }))
            }
        }
    }
}

/// For load balancers and monitors: 200 only when the database is there and takes writes.
async fn healthz(
    axum::extract::State(state): axum::extract::State<HttpState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match puentes_db::check_storage(&state.db, &state.config.database_url()).await {
        Ok(()) => "ok".into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the database cannot be written",
            )
                .into_response()
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
        .route("/healthz", get(healthz))
        .layer(from_fn_with_state(state.clone(), render::security_headers))
        .with_state(state)
}
