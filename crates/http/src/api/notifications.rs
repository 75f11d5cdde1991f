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
use serde_json::{Value, json};

/// The kinds clients can be shown: those with a Mastodon type.
const SHOWN: [NotificationKind; 6] = [
    NotificationKind::Follow,
    NotificationKind::FollowRequest,
    NotificationKind::Mention,
    NotificationKind::Reply,
    NotificationKind::Reblog,
    NotificationKind::Favourite,
];

/// Every kind clients can be shown, and only those.
pub(super) fn shown() -> KindFilter {
    KindFilter {
        types: SHOWN.to_vec(),
        exclude: Vec::new(),
    }
}

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

/// `GET /api/v1/notifications/unread_count` and `/api/v2/notifications/unread_count`: how
/// many are newer than `since_id`, or else than the `notifications` marker the client saved.
/// (v2 counts groups in Mastodon; counting notifications never shows fewer than there are.)
pub async fn unread_count(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:notifications")?;
    let after = match params.id("since_id") {
        Some(id) => Some(id),
        None => state
            .app
            .markers(caller, &me.username)
            .await?
            .into_iter()
            .find(|m| m.timeline == "notifications")
            .and_then(|m| m.last_read_id.parse().ok()),
    };
    let count = match filter(&params) {
        Some(filter) => {
            state
                .app
                .unread_notifications(caller, &me.username, &filter, after)
                .await?
        }
        None => 0,
    };
    Ok(json_response(json!({ "count": count.min(1000) })))
}

/// The types Mastodon groups (4.3): by type and status; a client narrows them with
/// `grouped_types[]`.
const GROUPED: [&str; 3] = ["favourite", "follow", "reblog"];

/// The group of one notification entity: same type and same status share one.
fn group_key(value: &Value, params: &Params) -> String {
    let kind = value["type"].as_str().unwrap_or_default();
    let asked = params.list("grouped_types");
    let grouped = GROUPED.contains(&kind) && (asked.is_empty() || asked.iter().any(|t| t == kind));
    match (grouped, value["status"]["id"].as_str()) {
        (true, Some(status)) => format!("{kind}-{status}"),
        (true, None) => kind.to_string(),
        (false, _) => format!("ungrouped-{}", value["id"].as_str().unwrap_or_default()),
    }
}

/// `GET /api/v2/notifications`: the page of v1 notifications folded into groups, with the
/// accounts and statuses they name listed once. Counts are of the page (the page is what
/// `page_min_id`/`page_max_id` describe); `Link` pages by notification id as v1 does.
pub async fn grouped(
    State(state): State<HttpState>,
    token: Token,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:notifications")?;
    let empty = || json!({ "accounts": [], "statuses": [], "notification_groups": [] });
    let Some(filter) = filter(&params) else {
        return Ok(json_response(empty()));
    };
    let told = state
        .app
        .notifications(caller, &me.username, &filter, params.range())
        .await?;
    let ids: Vec<i64> = told.iter().map(|t| t.row.id).collect();
    let mut accounts: Vec<Value> = Vec::new();
    let mut statuses: Vec<Value> = Vec::new();
    let mut groups: Vec<Value> = Vec::new();
    // Newest first, so the first of a group is its most recent.
    for t in &told {
        let Some(value) = entities::notification(&state, me, t, fallbacks(&params)).await? else {
            continue;
        };
        let account_id = value["account"]["id"].clone();
        if !accounts.iter().any(|a| a["id"] == account_id) {
            accounts.push(value["account"].clone());
        }
        if let Some(status) = value.get("status")
            && !statuses.iter().any(|s| s["id"] == status["id"])
        {
            statuses.push(status.clone());
        }
        let key = group_key(&value, &params);
        if let Some(group) = groups.iter_mut().find(|g| g["group_key"] == key.as_str()) {
            group["notifications_count"] =
                json!(group["notifications_count"].as_u64().unwrap_or(0) + 1);
            group["page_min_id"] = value["id"].clone();
            if let Some(samples) = group["sample_account_ids"].as_array_mut()
                && samples.len() < 8
                && !samples.contains(&account_id)
            {
                samples.push(account_id);
            }
            continue;
        }
        let mut group = json!({
            "group_key": key,
            "notifications_count": 1,
            "type": value["type"],
            "most_recent_notification_id": value["id"],
            "page_min_id": value["id"],
            "page_max_id": value["id"],
            "latest_page_notification_at": value["created_at"],
            "sample_account_ids": [account_id],
        });
        if let Some(status) = value.get("status") {
            group["status_id"] = status["id"].clone();
        }
        if let Some(fallback) = value.get("fallback") {
            group["fallback"] = fallback.clone();
        }
        groups.push(group);
    }
    let mut response = json_response(json!({
        "accounts": accounts,
        "statuses": statuses,
        "notification_groups": groups,
    }));
    if let Some(link) =
        link_header(&state, &uri, &ids).and_then(|l| axum::http::HeaderValue::from_str(&l).ok())
    {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, link);
    }
    Ok(response)
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
