//! "Follow from elsewhere": the visitor gives their handle, we find their server's
//! subscribe page (`http://ostatus.org/schema/1.0/subscribe` in WebFinger) and send them
//! there to confirm, as Mastodon users expect.

use crate::{HttpState, Reader};
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;
use puentes_app::follows::RemoteFollow;
use puentes_core::{ErrorKind, Result};
use puentes_db::{query, read::ActorRef};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct FollowForm {
    handle: String,
}

/// Sends the visitor to their server's follow page, or shows the form again saying why not.
pub async fn follow_elsewhere(
    State(state): State<HttpState>,
    reader: Reader,
    Path(name): Path<String>,
    Form(form): Form<FollowForm>,
) -> Result<Response> {
    let actor = query::actor::local_by_name_required(&state.db, &name).await?;
    let handle: String = form.handle.trim().chars().take(300).collect();
    let problem = match state.app.remote_follow(&handle, &name).await {
        Ok(RemoteFollow::Go(url)) => return Ok(Redirect::to(url.as_str()).into_response()),
        Ok(RemoteFollow::NoTemplate) => "no-template",
        Err(e) => match e.kind() {
            ErrorKind::BadRequest => "invalid",
            ErrorKind::NotFound | ErrorKind::Gone => "not-found",
            ErrorKind::Internal => return Err(e),
            _ => "unreachable",
        },
    };
    let mut response = form_page(&state, &reader, &actor, Some(&handle), Some(problem))?;
    // The form is shown again, with what went wrong: not a success.
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

pub async fn follow_page(
    State(state): State<HttpState>,
    reader: Reader,
    Path(name): Path<String>,
) -> Result<Response> {
    let actor = query::actor::local_by_name_required(&state.db, &name).await?;
    form_page(&state, &reader, &actor, None, None)
}

pub(crate) fn form_page(
    state: &HttpState,
    reader: &Reader,
    actor: &puentes_db::actor::Model,
    handle: Option<&str>,
    problem: Option<&str>,
) -> Result<Response> {
    let view = ActorRef::of(actor);
    state.page(
        reader,
        "follow.html",
        context! {
            actor => view,
            username => actor.username,
            handle => handle,
            problem => problem,
            og_title => view.name,
        },
    )
}
