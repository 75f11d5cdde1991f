//! Timelines: home (the actor's posts and those it follows) and public (local, remote),
//! with statements, calls and relays shown as statuses among the posts.

use super::{ApiResult, MaybeToken, Params, Token, link_header, objects, paged};
use crate::HttpState;
use axum::{
    extract::{OriginalUri, State},
    response::Response,
};
use puentes_db::read::api as reads;

/// `GET /api/v1/timelines/home`
pub async fn home(
    State(state): State<HttpState>,
    token: Token,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let (_, me) = token.acting("read:statuses")?;
    let posts = reads::home(&state.db, me.id, params.range()).await?;
    let others =
        reads::other_statuses(&state.db, reads::OtherStatuses::Home(me.id), params.range()).await?;
    let (list, ids) = objects::timeline(&state, Some(me), posts, others, params.range()).await?;
    Ok(paged(list, link_header(&state, &uri, &ids)))
}

/// `GET /api/v1/timelines/public` (`local`, `remote`, `only_media`)
pub async fn public(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    let local = if params.bool("local") == Some(true) {
        Some(true)
    } else if params.bool("remote") == Some(true) {
        Some(false)
    } else {
        None
    };
    let posts = reads::public(
        &state.db,
        local,
        params.bool("only_media").unwrap_or(false),
        params.range(),
    )
    .await?;
    let others = if params.bool("only_media") == Some(true) {
        Vec::new()
    } else {
        reads::other_statuses(
            &state.db,
            reads::OtherStatuses::Public(local),
            params.range(),
        )
        .await?
    };
    let (list, ids) = objects::timeline(&state, viewer, posts, others, params.range()).await?;
    Ok(paged(list, link_header(&state, &uri, &ids)))
}
