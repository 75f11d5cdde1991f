//! Notifications of the actor a token speaks as: follows, follow requests, mentions (and
//! replies), boosts and likes, as Mastodon's types; paged with `Link` headers.

use super::{
    ApiError, ApiResult, Params, Token, entities, json_response, link_header, paged, path_id,
};
use crate::HttpState;
use axum::{
    extract::{OriginalUri, Path, State},
    response::Response,
};
use puentes_core::NotificationKind;
use puentes_db::query::notification::KindFilter;
use serde_json::json;

/// The kinds clients can be shown: those with a Mastodon type.
const SHOWN: [NotificationKind; 6] = [
    NotificationKind::Follow,
    NotificationKind::FollowRequest,
    NotificationKind::Mention,
    NotificationKind::Reply,
    NotificationKind::Reblog,
    NotificationKind::Favourite,
];

/// Puentes-only kinds, sent with a `fallback` to clients that send `supported_types`.
const WITH_FALLBACK: [NotificationKind; 3] = [
    NotificationKind::MemberRequest,
    NotificationKind::Endorsement,
    NotificationKind::Pledge,
];

/// Did the client name the types it knows (Mastodon 4.6)? Then it takes fallbacks.
fn fallbacks(params: &Params) -> bool {
    params.0.contains_key("supported_types") || params.0.contains_key("supported_types[]")
}

/// `types[]` and `exclude_types[]` as kinds (only kinds with a Mastodon type, and those
/// with a fallback for clients that take them); None when the types asked are none we send.
fn filter(params: &Params) -> Option<KindFilter> {
    let asked = params.list("types");
    let types: Vec<NotificationKind> = asked
        .iter()
        .flat_map(|t| entities::kinds_of_type(t).iter().copied())
        .collect();
    if !asked.is_empty() && types.is_empty() {
        return None;
    }
    let exclude = params
        .list("exclude_types")
        .iter()
        .flat_map(|t| entities::kinds_of_type(t).iter().copied())
        .collect();
    let types = match (types.is_empty(), fallbacks(params)) {
        (false, _) => types,
        (true, false) => SHOWN.to_vec(),
        (true, true) => SHOWN.iter().chain(&WITH_FALLBACK).copied().collect(),
    };
    Some(KindFilter { types, exclude })
}

/// `GET /api/v1/notifications`
pub async fn list(
    State(state): State<HttpState>,
    token: Token,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:notifications")?;
    let Some(filter) = filter(&params) else {
        return Ok(paged(Vec::new(), None));
    };
    let told = state
        .app
        .notifications(caller, &me.username, &filter, params.range())
        .await?;
    let ids: Vec<i64> = told.iter().map(|t| t.row.id).collect();
    let mut out = Vec::with_capacity(told.len());
    for t in &told {
        if let Some(value) = entities::notification(&state, me, t, fallbacks(&params)).await? {
            out.push(value);
        }
    }
    Ok(paged(out, link_header(&state, &uri, &ids)))
}

/// `GET /api/v1/notifications/:id`
pub async fn show(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:notifications")?;
    let told = state
        .app
        .notification(caller, &me.username, path_id(&id)?)
        .await?;
    let value = entities::notification(&state, me, &told, fallbacks(&params))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(json_response(value))
}

/// `GET /api/v1/notifications/unread_count`: how many newer than the last one read (no
/// read markers are kept, so all of them).
pub async fn unread_count(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:notifications")?;
    let count = match filter(&params) {
        Some(filter) => {
            state
                .app
                .unread_notifications(caller, &me.username, &filter, params.id("since_id"))
                .await?
        }
        None => 0,
    };
    Ok(json_response(json!({ "count": count.min(1000) })))
}

/// `POST /api/v1/notifications/:id/dismiss`
pub async fn dismiss(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:notifications")?;
    state
        .app
        .dismiss_notification(caller, &me.username, path_id(&id)?)
        .await?;
    Ok(json_response(json!({})))
}

/// `POST /api/v1/notifications/clear`
pub async fn clear(State(state): State<HttpState>, token: Token) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:notifications")?;
    state.app.clear_notifications(caller, &me.username).await?;
    Ok(json_response(json!({})))
}
