//! "Follow from elsewhere": the visitor gives their handle, we find their server's
//! subscribe page (`http://ostatus.org/schema/1.0/subscribe` in WebFinger) and send them
//! there to confirm, as Mastodon users expect.

use crate::{HttpState, Reader};
use axum::{
    extract::{Path, State},
    response::Response,
};
use minijinja::context;
use puentes_core::Result;
use puentes_db::{query, read::ActorRef};

pub async fn follow_page(
    State(state): State<HttpState>,
    reader: Reader,
    Path(name): Path<String>,
) -> Result<Response> {
    let actor = query::actor::local_by_name_required(&state.db, &name).await?;
    form(&state, &reader, &actor, None, None)
}

pub(crate) fn form(
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
