//! Posts of this instance carrying a hashtag.

use super::{feed_links, hashtag};
use crate::{HttpState, Reader};
use axum::{
    extract::{Path, State},
    response::Response,
};
use minijinja::context;
use puentes_core::Result;
use puentes_db::read;

pub async fn tag_page(
    State(state): State<HttpState>,
    reader: Reader,
    Path(raw): Path<String>,
) -> Result<Response> {
    let tag = hashtag(&raw)?;
    let posts = read::pages::tag(&state.db, &tag, 40, reader.lang.code()).await?;
    let feeds = feed_links(&format!("/tags/{tag}/feed"), &format!("#{tag}"));
    state.page(
        &reader,
        "tag.html",
        context! {
            tag => tag,
            posts => posts,
            feeds => feeds,
            og_title => format!("#{tag}"),
        },
    )
}
