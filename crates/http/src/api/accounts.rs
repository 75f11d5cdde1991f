//! Accounts: the token's own, others by id or address (remote ones resolved through
//! WebFinger), their posts and follow lists, following, relationships and search.

use super::{
    ApiError, ApiResult, MaybeToken, Params, Token, entities, json_response, link_header, paged,
    path_id,
};
use crate::HttpState;
use axum::{
    extract::{OriginalUri, Path, State},
    http::Uri,
    response::Response,
};
use puentes_core::FollowState;
use puentes_db::{actor, query, read::api as reads};
use serde_json::{Value, json};

/// `GET /api/v1/accounts/verify_credentials`: the actor the token speaks as.
pub async fn verify_credentials(
    State(state): State<HttpState>,
    token: Token,
) -> ApiResult<Response> {
    if !token.0.scopes.allows("profile") {
        token.scope("read:accounts")?;
    }
    let (_, actor) = token.user()?;
    Ok(json_response(
        entities::credential_account(&state, actor).await?,
    ))
}

/// A known account by id (not the instance actor, not a deleted one).
pub async fn known(state: &HttpState, id: &str) -> ApiResult<actor::Model> {
    let id = path_id(id)?;
    query::actor::by_id(&state.db, id)
        .await?
        .filter(|a| a.deleted_at.is_none() && a.kind() != puentes_core::ActorKind::Application)
        .ok_or_else(ApiError::not_found)
}

/// `GET /api/v1/accounts/:id`
pub async fn account(
    State(state): State<HttpState>,
    token: MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    token.viewer("read:accounts")?;
    let a = known(&state, &id).await?;
    Ok(json_response(entities::account(&state, &a).await?))
}

/// `GET /api/v1/accounts/lookup?acct=`: ours by name, others by WebFinger.
pub async fn lookup(
    State(state): State<HttpState>,
    token: MaybeToken,
    params: Params,
) -> ApiResult<Response> {
    token.viewer("read:accounts")?;
    let acct = params
        .text("acct")
        .ok_or_else(|| ApiError::invalid("acct is missing"))?;
    let a = resolve(&state, &acct)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(json_response(entities::account(&state, &a).await?))
}

/// `name`, `@name`, `name@domain` or `@name@domain` to an actor (None when unknown).
async fn resolve(state: &HttpState, acct: &str) -> ApiResult<Option<actor::Model>> {
    let acct = acct.trim().trim_start_matches('@');
    let handle = if acct.contains('@') {
        acct.to_string()
    } else {
        format!("{acct}@{}", state.config.domain)
    };
    match state.app.resolve(&handle).await {
        Ok(a) if a.deleted_at.is_none() => Ok(Some(a)),
        Ok(_) => Ok(None),
        Err(e) => match e.kind() {
            puentes_core::ErrorKind::NotFound
            | puentes_core::ErrorKind::BadRequest
            | puentes_core::ErrorKind::Gone
            | puentes_core::ErrorKind::RemoteFailure => Ok(None),
            _ => Err(e.into()),
        },
    }
}

/// `GET /api/v1/accounts/:id/statuses`
pub async fn account_statuses(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    let a = known(&state, &id).await?;
    if params.bool("pinned") == Some(true) {
        // A few at most, on one page.
        let mut list = Vec::new();
        for post in state.app.pinned_posts(viewer, a.id).await? {
            list.push(entities::status(&state, viewer, &post).await?);
        }
        return Ok(json_response(serde_json::Value::Array(list)));
    }
    let own = viewer.is_some_and(|v| v.id == a.id);
    let posts = reads::by_author(
        &state.db,
        a.id,
        own,
        params.bool("exclude_replies").unwrap_or(false),
        params.bool("only_media").unwrap_or(false),
        params.range(),
    )
    .await?;
    // Statements, calls and relays are neither media nor replies.
    let others = if params.bool("only_media") == Some(true) || params.text("tagged").is_some() {
        Vec::new()
    } else {
        let mut rows = reads::other_statuses(
            &state.db,
            reads::OtherStatuses::Author(a.id),
            params.range(),
        )
        .await?;
        if params.bool("exclude_reblogs") == Some(true) {
            rows.retain(|r| r.kind != "reblog");
        }
        rows
    };
    let (list, ids) =
        super::objects::timeline(&state, viewer, posts, others, params.range()).await?;
    Ok(paged(list, link_header(&state, &uri, &ids)))
}

async fn follows_list(
    state: &HttpState,
    token: &MaybeToken,
    uri: &Uri,
    id: &str,
    params: &Params,
    followers: bool,
) -> ApiResult<Response> {
    token.viewer("read:accounts")?;
    let a = known(state, id).await?;
    let rows = reads::follows_page(&state.db, a.id, followers, params.range()).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let mut list = Vec::with_capacity(rows.len());
    for (_, other) in &rows {
        list.push(entities::account(state, other).await?);
    }
    Ok(paged(list, link_header(state, uri, &ids)))
}

/// `GET /api/v1/accounts/:id/followers`
pub async fn followers(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    follows_list(&state, &token, &uri, &id, &params, true).await
}

/// `GET /api/v1/accounts/:id/following`
pub async fn following(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    follows_list(&state, &token, &uri, &id, &params, false).await
}

/// A Relationship between the token's actor and `other`.
pub async fn relationship(
    state: &HttpState,
    me: &actor::Model,
    other: &actor::Model,
) -> ApiResult<Value> {
    let out = query::follow::between(&state.db, me.id, other.id).await?;
    let back = query::follow::between(&state.db, other.id, me.id).await?;
    let blocking = query::block::exists(&state.db, me.id, other.id).await?;
    let accepted = |f: &Option<puentes_db::follow::Model>| {
        f.as_ref()
            .is_some_and(|f| f.state() == FollowState::Accepted)
    };
    Ok(json!({
        "id": other.id.to_string(),
        "following": accepted(&out),
        "showing_reblogs": accepted(&out),
        "notifying": false,
        "languages": Value::Null,
        "followed_by": accepted(&back),
        "blocking": blocking,
        "blocked_by": false,
        "muting": false,
        "muting_notifications": false,
        "requested": out.as_ref().is_some_and(|f| f.state() == FollowState::Pending),
        "requested_by": back.as_ref().is_some_and(|f| f.state() == FollowState::Pending),
        "domain_blocking": false,
        "endorsed": false,
        "note": "",
    }))
}

/// `GET /api/v1/accounts/relationships?id[]=`
pub async fn relationships(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (_, me) = token.acting("read:follows")?;
    let mut out = Vec::new();
    for id in params.list("id").iter().take(40) {
        if let Ok(other) = known(&state, id).await {
            out.push(relationship(&state, me, &other).await?);
        }
    }
    Ok(json_response(Value::Array(out)))
}

/// `POST /api/v1/accounts/:id/follow`
pub async fn follow(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:follows")?;
    let other = known(&state, &id).await?;
    state
        .app
        .follow(caller, &me.username, &other.handle().acct())
        .await?;
    Ok(json_response(relationship(&state, me, &other).await?))
}

/// `POST /api/v1/accounts/:id/unfollow`
pub async fn unfollow(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:follows")?;
    let other = known(&state, &id).await?;
    if query::follow::between(&state.db, me.id, other.id)
        .await?
        .is_some()
    {
        state
            .app
            .unfollow(caller, &me.username, &other.handle().acct())
            .await?;
    }
    Ok(json_response(relationship(&state, me, &other).await?))
}

/// `GET /api/v1/follow_requests`: who waits for the actor's approval.
pub async fn follow_requests(State(state): State<HttpState>, token: Token) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:follows")?;
    let waiting = match state.app.pending_followers(caller, &me.username).await {
        Ok(list) => list,
        // An editor does not decide followers: nothing to show.
        Err(e) if e.kind() == puentes_core::ErrorKind::Forbidden => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for a in &waiting {
        out.push(entities::account(&state, a).await?);
    }
    Ok(json_response(Value::Array(out)))
}

/// `GET /api/v1/accounts/search?q=`
pub async fn search_accounts(
    State(state): State<HttpState>,
    token: MaybeToken,
    params: Params,
) -> ApiResult<Response> {
    token.viewer("read:accounts")?;
    let q = params.text("q").unwrap_or_default();
    let resolve_remote = params.bool("resolve").unwrap_or(false) && token.0.is_some();
    let found = find_accounts(&state, &q, resolve_remote, params.range().limit).await?;
    let mut out = Vec::new();
    for a in &found {
        out.push(entities::account(&state, a).await?);
    }
    Ok(json_response(Value::Array(out)))
}

async fn find_accounts(
    state: &HttpState,
    q: &str,
    resolve_remote: bool,
    limit: u64,
) -> ApiResult<Vec<actor::Model>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let looks_like_handle = q.trim_start_matches('@').contains('@');
    if looks_like_handle && (resolve_remote || q.ends_with(&state.config.domain)) {
        return Ok(resolve(state, q).await?.into_iter().collect());
    }
    Ok(reads::search_actors(&state.db, q.trim_start_matches('@'), limit).await?)
}

/// `GET /api/v2/search?q=&resolve=true&type=accounts`: accounts by address or name, and a
/// post by its address.
pub async fn search(
    State(state): State<HttpState>,
    token: MaybeToken,
    params: Params,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:search")?;
    let q = params.text("q").unwrap_or_default();
    let kind = params.text("type");
    let resolve_remote = params.bool("resolve").unwrap_or(false) && token.0.is_some();
    let limit = params.range().limit;
    let mut accounts = Vec::new();
    if kind.as_deref().is_none_or(|k| k == "accounts") {
        for a in find_accounts(&state, &q, resolve_remote, limit).await? {
            accounts.push(entities::account(&state, &a).await?);
        }
    }
    let mut statuses = Vec::new();
    if kind.as_deref().is_none_or(|k| k == "statuses")
        && q.starts_with("http")
        && let Some(post) = query::post::by_ap_id(&state.db, &q).await?
        && state.app.may_read(viewer, &post).await?
    {
        statuses.push(entities::status(&state, viewer, &post).await?);
    }
    Ok(json_response(json!({
        "accounts": accounts,
        "statuses": statuses,
        "hashtags": [],
    })))
}

/// `POST /api/v1/follow_requests/:id/authorize` (a decision: owners and secretariats).
pub async fn authorize_follow_request(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:follows")?;
    let other = known(&state, &id).await?;
    state
        .app
        .approve_follower(caller, &me.username, &other.handle().acct())
        .await?;
    Ok(json_response(relationship(&state, me, &other).await?))
}

/// `POST /api/v1/follow_requests/:id/reject`
pub async fn reject_follow_request(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:follows")?;
    let other = known(&state, &id).await?;
    state
        .app
        .reject_follower(caller, &me.username, &other.handle().acct())
        .await?;
    Ok(json_response(relationship(&state, me, &other).await?))
}

/// `PATCH /api/v1/accounts/update_credentials`: name, note, avatar, header and `locked`,
/// through the same commands as the staff settings page (owners and secretariats only).
pub async fn update_credentials(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:accounts")?;
    let mut edit = puentes_app::actors::ProfileEdit {
        display_name: params.str("display_name").map(str::to_string),
        summary: params.str("note").map(str::to_string),
        ..Default::default()
    };
    for (name, bytes) in &params.2 {
        puentes_app::media::check_upload_size(bytes.len())?;
        if name == "avatar" {
            edit.avatar = Some(bytes.clone());
        } else {
            edit.header = Some(bytes.clone());
        }
    }
    let mut actor = me.clone();
    let changes = edit.display_name.is_some()
        || edit.summary.is_some()
        || edit.avatar.is_some()
        || edit.header.is_some();
    if changes {
        actor = state.app.edit_actor(caller, &me.username, edit).await?;
    }
    if let Some(locked) = params.bool("locked") {
        actor = state
            .app
            .set_manual_approval(caller, &me.username, locked)
            .await?;
    }
    Ok(json_response(
        entities::credential_account(&state, &actor).await?,
    ))
}
