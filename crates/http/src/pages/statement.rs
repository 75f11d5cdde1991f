//! A joint statement's page: its text and translations, who started it, who endorses each
//! version (verified signatures named, anonymous ones only counted, withdrawals counted),
//! and how anyone can check the list without trusting this server.

use crate::{
    HttpState, Reader,
    staff::{self, PublicActions},
};
use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use minijinja::context;
use puentes_app::caller::endorsing_needs;
use puentes_core::Result;
use puentes_core::StatementStatus;
use puentes_db::read;

pub async fn statement_page(
    State(state): State<HttpState>,
    reader: Reader,
    headers: HeaderMap,
    Path((name, uuid)): Path<(String, String)>,
) -> Result<Response> {
    let view = read::pages::statement_page(&state.db, &name, &uuid, reader.lang.code()).await?;
    // A logged-in staff member may endorse it from here, as an actor they may endorse for.
    let staff = match view.status == StatementStatus::Open.as_str() {
        true => PublicActions::of(&state, &headers, endorsing_needs, &name).await,
        false => None,
    };
    let statement_id = state.urls.statement(&view.uuid).to_string();
    let description = view.ask.clone().unwrap_or_else(|| {
        puentes_core::text::excerpt(
            view.texts.first().map(|t| t.html.as_str()).unwrap_or(""),
            200,
        )
    });
    let image = view.owner.avatar.clone();
    let personal = staff.is_some();
    let page = state.page(
        &reader,
        "statement.html",
        context! {
            staff_actions => staff,
            statement => view,
            statement_id => statement_id,
            feeds => super::feed_links("/feeds/statements", &state.config.instance_name),
            og_type => "article",
            og_title => view.title,
            og_description => description,
            og_image => image,
            activity_id => statement_id,
        },
    )?;
    Ok(if personal {
        staff::personal(page)
    } else {
        page
    })
}
