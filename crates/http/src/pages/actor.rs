//! A profile: who they are, what they post (for an alliance, also the member posts it
//! relayed), their statements and calls, their alliances, members and network map.

use super::{feed_links, map};
use crate::{HttpState, Reader};
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use minijinja::context;
use puentes_core::Result;
use puentes_db::{query, read};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u64>,
}

pub async fn profile(
    State(state): State<HttpState>,
    reader: Reader,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let page = read::page_number(q.page);
    let view = read::pages::profile(&state.db, &name, page, reader.lang.code()).await?;
    let network = if view.actor.alliance {
        let alliance = query::actor::local_by_name_required(&state.db, &name).await?;
        let graph = read::network::around(&state.db, &alliance).await?;
        Some(map::layout(&graph, reader.lang.dir() == "rtl"))
    } else {
        None
    };
    let feeds = feed_links(&format!("/@{name}/feed"), &view.actor.name);
    let description = puentes_core::text::excerpt(&view.summary_html, 200);
    let image = view.actor.avatar.clone();
    state.page(
        &reader,
        "actor.html",
        context! {
            profile => view,
            network => network,
            feeds => feeds,
            og_type => "profile",
            og_title => view.actor.name,
            og_description => description,
            og_image => image,
            activity_id => view.actor.ap_id,
        },
    )
}
