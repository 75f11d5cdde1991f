//! `/authorize_interaction?uri=…`: where other servers send people who want to follow or
//! answer something from an account here (our WebFinger advertises it as the subscribe
//! template). Staff act after logging in; until the staff pages answer it, it explains.

use crate::{HttpState, Reader};
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;
use puentes_core::Result;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Target {
    uri: Option<String>,
}

fn encoded(uri: &str) -> String {
    url::form_urlencoded::byte_serialize(uri.as_bytes()).collect()
}

/// The subscribe template's address: sends the visitor on to the page that handles it.
pub async fn authorize_interaction(Query(q): Query<Target>) -> Response {
    let target = q.uri.as_deref().unwrap_or_default();
    Redirect::to(&format!("/interact?uri={}", encoded(target))).into_response()
}

pub async fn interact(
    State(state): State<HttpState>,
    reader: Reader,
    Query(q): Query<Target>,
) -> Result<Response> {
    // `acct:name@host` and bare handles are shown as text; only web links are linked.
    let target = q
        .uri
        .as_deref()
        .and_then(puentes_core::sanitize::safe_link)
        .filter(|u| u.starts_with("http"));
    state.page(&reader, "interact.html", context! { target => target })
}
