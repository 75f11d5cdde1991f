//! Statuses: posting (with images uploaded first, a content warning, a reply, an alliance
//! to address), reading one and its thread, deleting, liking and boosting; media uploads.

use super::{
    ApiError, ApiResult, MaybeToken, Params, Token, entities, json_response, link_header, objects,
    paged, path_id,
};
use crate::HttpState;
use axum::{
    extract::{OriginalUri, Path, State},
    http::HeaderMap,
    response::Response,
};
use puentes_app::posts::NewPost;
use puentes_core::Visibility;
use puentes_db::{actor, post, query, query::api_status::StatusKind, read::api as reads};
use serde_json::json;

/// A post the viewer may read, by id; a reblog's id stands for the post it wraps (as in
/// Mastodon, liking or boosting a reblog likes or boosts the original).
async fn readable(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    id: &str,
) -> ApiResult<post::Model> {
    let id = path_id(id)?;
    let post = match query::post::by_id(&state.db, id).await? {
        Some(post) => post,
        None => match query::api_status::by_id(&state.db, id).await? {
            Some(row) if row.kind == StatusKind::Reblog.as_str() => {
                let announce = query::relay::announce_by_id(&state.db, row.object_id)
                    .await?
                    .ok_or_else(ApiError::not_found)?;
                query::post::by_ap_id(&state.db, &announce.object_ap_id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid("statements and calls are answered on their pages")
                    })?
            }
            Some(_) => {
                return Err(ApiError::invalid(
                    "statements and calls are answered on their pages",
                ));
            }
            None => return Err(ApiError::not_found()),
        },
    };
    if !state.app.may_read(viewer, &post).await? {
        return Err(ApiError::not_found());
    }
    Ok(post)
}

/// The AP id of what a status shows (a post, statement or call; a reblog's original).
async fn object_of(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    id: &str,
) -> ApiResult<String> {
    let raw = path_id(id)?;
    if let Some(row) = query::api_status::by_id(&state.db, raw).await? {
        let object = match StatusKind::parse(&row.kind) {
            Some(StatusKind::Statement) => {
                query::statement::get(&state.db, row.object_id)
                    .await
                    .map_err(|_| ApiError::not_found())?
                    .ap_url
            }
            Some(StatusKind::Call) => {
                query::call::get(&state.db, row.object_id)
                    .await
                    .map_err(|_| ApiError::not_found())?
                    .ap_id
            }
            _ => readable(state, viewer, id).await?.ap_id,
        };
        return Ok(object);
    }
    Ok(readable(state, viewer, id).await?.ap_id)
}

fn visibility(params: &Params) -> ApiResult<Visibility> {
    Ok(match params.text("visibility").as_deref() {
        None | Some("public") => Visibility::Public,
        Some("unlisted") => Visibility::Unlisted,
        Some("private") => Visibility::Followers,
        Some("direct") => {
            return Err(ApiError::invalid(
                "direct messages are not sent from Puentes: use public, unlisted or private",
            ));
        }
        Some(other) => return Err(ApiError::invalid(format!("unknown visibility {other:?}"))),
    })
}

/// `POST /api/v1/statuses`
pub async fn create(
    State(state): State<HttpState>,
    token: Token,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:statuses")?;
    let mut new = NewPost::text(&params.text("status").unwrap_or_default());
    new.visibility = visibility(&params)?;
    new.language = params.text("language");
    new.summary = params.text("spoiler_text");
    for id in params.list("media_ids") {
        new.media_ids.push(
            id.parse()
                .map_err(|_| ApiError::invalid("media_ids are numbers"))?,
        );
    }
    if let Some(parent) = params.text("in_reply_to_id") {
        new.reply_to = Some(readable(&state, Some(me), &parent).await?.ap_id);
    }
    // Mitra's groups extension: post into an alliance (it relays the post to its members).
    if let Some(group) = params.text("group_id") {
        let alliance = super::accounts::known(&state, &group).await?;
        new.to_alliance = Some(alliance.handle().acct());
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200);
    let row = state
        .app
        .publish_once(
            caller,
            &me.username,
            new,
            key.map(|k| (token.0.grant.id, k)),
        )
        .await?;
    Ok(json_response(
        entities::status(&state, Some(me), &row).await?,
    ))
}

/// `GET /api/v1/statuses/:id`
pub async fn show(
    State(state): State<HttpState>,
    token: MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    if let Some(row) = query::api_status::by_id(&state.db, path_id(&id)?).await? {
        let value = objects::other(&state, viewer, &row)
            .await?
            .ok_or_else(ApiError::not_found)?;
        return Ok(json_response(value));
    }
    let post = readable(&state, viewer, &id).await?;
    Ok(json_response(
        entities::status(&state, viewer, &post).await?,
    ))
}

/// `DELETE /api/v1/statuses/:id`: the deleted status, with its text to redraft.
pub async fn remove(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:statuses")?;
    let post = readable(&state, Some(me), &id).await?;
    let mut value = entities::status(&state, Some(me), &post).await?;
    state.app.delete_post(caller, &post.ap_id).await?;
    value["text"] = json!(puentes_core::sanitize::strip_html(&post.content));
    Ok(json_response(value))
}

/// `GET /api/v1/statuses/:id/context`: the posts it answers and those answering it.
pub async fn context(
    State(state): State<HttpState>,
    token: MaybeToken,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    let post = readable(&state, viewer, &id).await?;
    let mut ancestors = Vec::new();
    let mut parent = post.in_reply_to.clone();
    while let Some(id) = parent.take() {
        if ancestors.len() >= 40 {
            break;
        }
        let Some(row) = query::post::by_ap_id(&state.db, &id).await? else {
            break;
        };
        if !state.app.may_read(viewer, &row).await? {
            break;
        }
        parent = row.in_reply_to.clone();
        ancestors.push(row);
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut queue = vec![post.ap_id.clone()];
    while let Some(id) = queue.pop() {
        for row in reads::replies(&state.db, &id).await? {
            if descendants.len() >= 60 {
                break;
            }
            if state.app.may_read(viewer, &row).await? {
                queue.push(row.ap_id.clone());
                descendants.push(row);
            }
        }
    }
    descendants.sort_by_key(|p| p.id);
    Ok(json_response(json!({
        "ancestors": entities::statuses(&state, viewer, &ancestors).await?,
        "descendants": entities::statuses(&state, viewer, &descendants).await?,
    })))
}

/// What a token's actor does to a post in one tap; each answers with the post as it now is.
#[derive(Clone, Copy)]
enum Tap {
    Favourite,
    Unfavourite,
    Unboost,
    Bookmark,
    Unbookmark,
    Pin,
    Unpin,
}

impl Tap {
    /// The scope a token needs for it, as Mastodon asks.
    fn scope(self) -> &'static str {
        match self {
            Tap::Favourite | Tap::Unfavourite => "write:favourites",
            Tap::Unboost => "write:statuses",
            Tap::Bookmark | Tap::Unbookmark => "write:bookmarks",
            Tap::Pin | Tap::Unpin => "write:accounts",
        }
    }
}

/// One tap on post `id`: the scope checked, the post readable by the token's actor, the
/// command of the app layer, and the post's status as it now is.
async fn tap(state: &HttpState, token: &Token, id: &str, tap: Tap) -> ApiResult<Response> {
    let (caller, me) = token.acting(tap.scope())?;
    let post = readable(state, Some(me), id).await?;
    let (app, as_name, ap_id) = (&state.app, me.username.as_str(), post.ap_id.as_str());
    let post = match tap {
        Tap::Favourite => app.favourite(caller, as_name, ap_id).await?,
        Tap::Unfavourite => app.unfavourite(caller, as_name, ap_id).await?,
        Tap::Unboost => app.unboost(caller, as_name, ap_id).await?,
        Tap::Bookmark => app.bookmark(caller, as_name, ap_id).await?,
        Tap::Unbookmark => app.unbookmark(caller, as_name, ap_id).await?,
        Tap::Pin => app.pin(caller, as_name, ap_id).await?,
        Tap::Unpin => app.unpin(caller, as_name, ap_id).await?,
    };
    Ok(json_response(
        entities::status(state, Some(me), &post).await?,
    ))
}

/// `POST /api/v1/statuses/:id/favourite`
pub async fn favourite(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Favourite).await
}

/// `POST /api/v1/statuses/:id/pin`: one of the token actor's own posts (422 otherwise).
pub async fn pin(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Pin).await
}

/// `POST /api/v1/statuses/:id/unpin`
pub async fn unpin(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Unpin).await
}

/// `POST /api/v1/statuses/:id/bookmark`
pub async fn bookmark(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Bookmark).await
}

/// `POST /api/v1/statuses/:id/unbookmark`
pub async fn unbookmark(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Unbookmark).await
}

/// `GET /api/v1/bookmarks`: paged by bookmark, as Mastodon does.
pub async fn bookmarks(
    State(state): State<HttpState>,
    token: Token,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:bookmarks")?;
    let rows = state
        .app
        .bookmarks(caller, &me.username, params.range())
        .await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let mut list = Vec::with_capacity(rows.len());
    for (_, post) in &rows {
        list.push(entities::status(&state, Some(me), post).await?);
    }
    Ok(paged(list, link_header(&state, &uri, &ids)))
}

/// `POST /api/v1/statuses/:id/unfavourite`
pub async fn unfavourite(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Unfavourite).await
}

/// `POST /api/v1/statuses/:id/reblog`: the boost, as a status wrapping the post.
pub async fn reblog(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:statuses")?;
    let post = readable(&state, Some(me), &id).await?;
    let post = state.app.boost(caller, &me.username, &post.ap_id).await?;
    // The relay's own status (its id is the reblog's, as in Mastodon).
    let relay = query::relay::announce_of(&state.db, me.id, &post.ap_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let row = query::api_status::of_object(&state.db, StatusKind::Reblog, relay.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let value = objects::other(&state, Some(me), &row)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(json_response(value))
}

/// `POST /api/v1/statuses/:id/unreblog`: the original, no longer boosted.
pub async fn unreblog(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    tap(&state, &token, &id, Tap::Unboost).await
}

/// `GET /api/v1/statuses/:id/reblogged_by`: who relayed it, paged by relay.
pub async fn reblogged_by(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    let object = object_of(&state, viewer, &id).await?;
    let rows = reads::announcers(&state.db, &object, params.range()).await?;
    accounts_page(&state, &uri, rows).await
}

/// `GET /api/v1/statuses/:id/favourited_by`: who liked it (posts; a statement's likes are
/// unverified supporters and a call's are counted only).
pub async fn favourited_by(
    State(state): State<HttpState>,
    token: MaybeToken,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let viewer = token.viewer("read:statuses")?;
    let rows = match readable(&state, viewer, &id).await {
        Ok(post) => reads::favouriters(&state.db, post.id, params.range()).await?,
        Err(_) if object_of(&state, viewer, &id).await.is_ok() => Vec::new(),
        Err(e) => return Err(e),
    };
    accounts_page(&state, &uri, rows).await
}

async fn accounts_page(
    state: &HttpState,
    uri: &axum::http::Uri,
    rows: Vec<(i64, actor::Model)>,
) -> ApiResult<Response> {
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let mut list = Vec::with_capacity(rows.len());
    for (_, a) in &rows {
        list.push(entities::account(state, a).await?);
    }
    Ok(paged(list, link_header(state, uri, &ids)))
}

/// `POST /api/v1/media`, `/api/v2/media`: an image with its description (`file`,
/// `description`). The description may come later with `PUT /api/v1/media/:id`, but a
/// post with an undescribed image is refused.
pub async fn upload(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:media")?;
    let file = params
        .1
        .clone()
        .ok_or_else(|| ApiError::invalid("file is missing"))?;
    let row = state
        .app
        .upload_media(
            caller,
            &me.username,
            file,
            params.text("description").as_deref(),
        )
        .await?;
    Ok(json_response(entities::media_attachment(&state, &row)))
}

/// `GET /api/v1/media/:id`
pub async fn media(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:media")?;
    let row = state
        .app
        .own_media(caller, &me.username, path_id(&id)?)
        .await?;
    Ok(json_response(entities::media_attachment(&state, &row)))
}

/// `PUT /api/v1/media/:id`: the description of an upload not yet posted.
pub async fn describe(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:media")?;
    let id = path_id(&id)?;
    let row = match params.text("description") {
        Some(alt) => {
            state
                .app
                .describe_media(caller, &me.username, id, &alt)
                .await?
        }
        None => state.app.own_media(caller, &me.username, id).await?,
    };
    Ok(json_response(entities::media_attachment(&state, &row)))
}
