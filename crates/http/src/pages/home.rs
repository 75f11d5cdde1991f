//! The instance's front page: who is here, what they say, what they ask.

use super::feed_links;
use crate::{HttpState, Reader};
use axum::{extract::State, response::Response};
use minijinja::context;
use puentes_core::Result;
use puentes_db::read;

pub async fn home(State(state): State<HttpState>, reader: Reader) -> Result<Response> {
    let view = read::pages::home(&state.db, reader.lang.code()).await?;
    let feeds = feed_links("/feeds/statements", &state.config.instance_name);
    state.page(
        &reader,
        "home.html",
        context! {
            home => view,
            feeds => feeds,
            og_type => "website",
            og_title => state.config.instance_name,
            og_description => state.config.instance_description,
        },
    )
}
