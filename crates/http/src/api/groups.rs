//! Alliances from a client, after Mitra's groups extension: the alliances the token's actor
//! belongs to or follows, an alliance's members, its timeline, and posting into it with
//! `group_id` on `POST /api/v1/statuses` (relayed as `puentes post --to` relays). An
//! alliance is an Account with `group: true`, which every client can show.

use super::{
    ApiError, ApiResult, MaybeToken, Params, Token, entities, json_response, link_header, objects,
    paged,
};
use crate::HttpState;
use axum::{
    extract::{OriginalUri, Path, State},
    response::Response,
};
use puentes_core::{FollowState, MembershipStatus};
use puentes_db::{actor, query, read::api as reads};
use serde_json::Value;

async fn accounts(state: &HttpState, list: &[actor::Model]) -> ApiResult<Vec<Value>> {
    let mut out = Vec::with_capacity(list.len());
    for a in list {
        out.push(entities::account(state, a).await?);
    }
    Ok(out)
}

/// An alliance by account id.
async fn alliance(state: &HttpState, id: &str) -> ApiResult<actor::Model> {
    let a = super::accounts::known(state, id).await?;
    if a.is_alliance() {
        Ok(a)
    } else {
        Err(ApiError::not_found())
    }
}

/// `GET /api/v1/groups`: the alliances the actor is an active member of.
pub async fn list(State(state): State<HttpState>, token: Token) -> ApiResult<Response> {
    let (_, me) = token.acting("read:accounts")?;
    let alliances: Vec<actor::Model> = query::membership::alliances_of(&state.db, me.id)
        .await?
        .into_iter()
        .filter(|(m, a)| m.status() == MembershipStatus::Active && a.deleted_at.is_none())
        .map(|(_, a)| a)
        .collect();
    Ok(json_response(Value::Array(
        accounts(&state, &alliances).await?,
    )))
}

/// `GET /api/v1/groups/followed`: the alliances the actor follows.
pub async fn followed(State(state): State<HttpState>, token: Token) -> ApiResult<Response> {
    let (_, me) = token.acting("read:follows")?;
    let mut alliances = Vec::new();
    for a in query::follow::following(&state.db, me.id, FollowState::Accepted).await? {
        if a.is_alliance() && a.deleted_at.is_none() {
            alliances.push(a);
        }
    }
    Ok(json_response(Value::Array(
        accounts(&state, &alliances).await?,
    )))
}

/// `GET /api/v1/groups/:id`
pub async fn show(
    State(state): State<HttpState>,
    token: MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    token.viewer("read:accounts")?;
    let a = alliance(&state, &id).await?;
    Ok(json_response(entities::account(&state, &a).await?))
}

/// `GET /api/v1/groups/:id/members`: active members, when the alliance's member list is
/// visible to the token's actor (the same rule as its pages).
pub async fn members(
    State(state): State<HttpState>,
    token: MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:accounts")?;
    let a = alliance(&state, &id).await?;
    let all = query::membership::members(&state.db, a.id, MembershipStatus::Active).await?;
    let itself = viewer.is_some_and(|v| v.id == a.id);
    if !itself && !puentes_app::alliances::member_list_visible_to(&a, &all, viewer) {
        return Err(ApiError::forbidden(
            "this alliance does not show its members",
        ));
    }
    let list: Vec<actor::Model> = all.into_iter().map(|(_, m)| m).collect();
    Ok(json_response(Value::Array(accounts(&state, &list).await?)))
}

/// `GET /api/v1/timelines/group/:id`: what the alliance says and relays.
pub async fn timeline(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    let a = alliance(&state, &id).await?;
    let own = viewer.is_some_and(|v| v.id == a.id);
    let posts = reads::by_author(&state.db, a.id, own, false, false, params.range()).await?;
    let others = reads::other_statuses(
        &state.db,
        reads::OtherStatuses::Author(a.id),
        params.range(),
    )
    .await?;
    let (list, ids) = objects::timeline(&state, viewer, posts, others, params.range()).await?;
    Ok(paged(list, link_header(&state, &uri, &ids)))
}
