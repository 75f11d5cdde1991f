//! A post's page: its text in every language it has, its images with their descriptions,
//! what it answers, the replies, and the alliances that relayed it.

use crate::{HttpState, Reader};
use axum::{
    extract::{Path, State},
    response::Response,
};
use minijinja::context;
use puentes_core::{Error, Result};
use puentes_db::read;

pub async fn post_page(
    State(state): State<HttpState>,
    reader: Reader,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response> {
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| Error::not_found("post"))?;
    let ap_id = state.urls.post(uuid);
    let view = read::pages::post_page(&state.db, &name, ap_id.as_str(), reader.lang.code()).await?;
    let post = &view.post;
    let title = post
        .title
        .clone()
        .unwrap_or_else(|| post.author.name.clone());
    let description = post
        .summary
        .clone()
        .filter(|_| post.sensitive || post.title.is_some())
        .unwrap_or_else(|| {
            puentes_core::text::excerpt(
                post.texts.first().map(|t| t.html.as_str()).unwrap_or(""),
                200,
            )
        });
    // A post behind a content warning does not show its image in link previews.
    let image = post
        .attachments
        .first()
        .filter(|_| !post.sensitive)
        .map(|a| a.url.clone())
        .or(post.author.avatar.clone());
    let image_alt = post
        .attachments
        .first()
        .filter(|_| !post.sensitive)
        .map(|a| a.alt.clone());
    state.page(
        &reader,
        "post.html",
        context! {
            page => view,
            og_type => "article",
            og_title => title,
            og_description => description,
            og_image => image,
            og_image_alt => image_alt,
            activity_id => post.ap_id,
        },
    )
}
