//! Statuses: posting (with images uploaded first, a content warning, a reply, an alliance
//! to address), reading one and its thread, deleting, liking and boosting; media uploads.

use super::{ApiError, ApiResult, MaybeToken, Params, Token, entities, json_response, path_id};
use crate::HttpState;
use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use puentes_app::posts::NewPost;
use puentes_core::Visibility;
use puentes_db::{actor, post, query, read::api as reads};
use serde_json::json;

/// A post the viewer may read, by id.
async fn readable(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    id: &str,
) -> ApiResult<post::Model> {
    let post = query::post::by_id(&state.db, path_id(id)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !state.app.may_read(viewer, &post).await? {
        return Err(ApiError::not_found());
    }
    Ok(post)
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

/// `POST /api/v1/statuses/:id/favourite`
pub async fn favourite(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:favourites")?;
    let post = readable(&state, Some(me), &id).await?;
    let post = state
        .app
        .favourite(caller, &me.username, &post.ap_id)
        .await?;
    Ok(json_response(
        entities::status(&state, Some(me), &post).await?,
    ))
}

/// `POST /api/v1/statuses/:id/unfavourite`
pub async fn unfavourite(
    State(state): State<HttpState>,
    token: Token,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:favourites")?;
    let post = readable(&state, Some(me), &id).await?;
    let post = state
        .app
        .unfavourite(caller, &me.username, &post.ap_id)
        .await?;
    Ok(json_response(
        entities::status(&state, Some(me), &post).await?,
    ))
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
    let original = entities::status(&state, Some(me), &post).await?;
    let mut wrapper = original.clone();
    wrapper["account"] = entities::account(&state, me).await?;
    wrapper["reblog"] = original;
    wrapper["content"] = json!("");
    wrapper["media_attachments"] = json!([]);
    wrapper["mentions"] = json!([]);
    wrapper["tags"] = json!([]);
    wrapper["reblogged"] = json!(true);
    Ok(json_response(wrapper))
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
