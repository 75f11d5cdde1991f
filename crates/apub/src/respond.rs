//! How federation routes answer: JSON-LD with its media type, browsers sent to pages,
//! collections paged. Shared by every route module, importing none of them.

use crate::{
    context::FedContext,
    protocol::{
        collection::{PAGE_SIZE, ordered_collection, ordered_collection_page},
        to_wire_json,
    },
};
use activitypub_federation::config::FederationConfig;
use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use puentes_core::{Error, Result};
use puentes_db::{actor, query};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// The state of the federation routes: the library's configuration (which holds our
/// context) and the instance's one application layer, behind one `Arc`. axum clones the
/// state for each request and each middleware; cloned by value, the configuration's strings,
/// key cache and dozen reference counts were half the CPU of a WebFinger or actor answer.
#[derive(Clone)]
pub struct Fed(Arc<FedState>);

struct FedState {
    config: FederationConfig<FedContext>,
    app: puentes_app::App,
}

impl Fed {
    pub(crate) fn new(config: FederationConfig<FedContext>, app: puentes_app::App) -> Fed {
        Fed(Arc::new(FedState { config, app }))
    }

    pub(crate) fn app(&self) -> &puentes_app::App {
        &self.0.app
    }
}

impl std::ops::Deref for Fed {
    type Target = FederationConfig<FedContext>;

    fn deref(&self) -> &Self::Target {
        &self.0.config
    }
}

/// JSON-LD answers carry the ActivityStreams media type.
pub(crate) fn activity_json(doc: Value) -> Response {
    let mut response = to_wire_json(&doc).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/activity+json; charset=utf-8"),
    );
    response
}

/// Browsers (asking for HTML) go to the page; everyone else, curl included, gets JSON.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html")
        && !accept.contains("application/activity+json")
        && !accept.contains("application/ld+json")
}

pub(crate) async fn local_actor(ctx: &FedContext, name: &str) -> Result<actor::Model> {
    match ctx.cache.local_by_name(ctx, name).await? {
        Some(actor) if actor.deleted_at.is_none() => Ok(actor.as_ref().clone()),
        // Gone or unknown: the query says which, in its words.
        _ => query::actor::local_by_name_required(&ctx.db, name).await,
    }
}

/// Bytes already serialized as JSON-LD, with the ActivityStreams media type.
pub(crate) fn activity_json_bytes(body: axum::body::Bytes) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/activity+json; charset=utf-8"),
    );
    response
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    pub(crate) page: Option<u64>,
}

/// Collection head without `?page`, a page with it.
pub(crate) async fn collection(
    id: url::Url,
    page: Option<u64>,
    total: u64,
    items: impl AsyncFnOnce(u64) -> Result<Vec<Value>>,
) -> Result<Response> {
    Ok(match page {
        None => activity_json(ordered_collection(&id, total)),
        Some(page) => {
            // A page past the last is refused before any arithmetic or query with it.
            let last = total.div_ceil(PAGE_SIZE).max(1);
            if page == 0 || page > last {
                return Err(Error::not_found(format!(
                    "page {page} (pages are 1 to {last})"
                )));
            }
            activity_json(ordered_collection_page(
                &id,
                page,
                total,
                items(page).await?,
            ))
        }
    })
}
