//! Calls to action over HTTP: the Event (JSON, or a redirect to its page for browsers),
//! its `.ics`, its attendees, and each actor's upcoming collection and calendar feed.

use crate::{
    context::FedContext,
    objects::call::event_document,
    objects::call::{attendees_url, ics},
    respond::{Fed, activity_json, local_actor, wants_html},
};
use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use chrono::{Duration, Utc};
use puentes_core::{Error, Result};
use puentes_db::{actor, call, query, query::call as q};
use serde_json::json;

pub fn router() -> Router<Fed> {
    Router::new()
        .route("/calls/{id}", get(get_call))
        .route("/calls/{id}/attendees", get(get_attendees))
        .route("/actors/{name}/upcoming", get(get_upcoming))
        .route("/actors/{name}/calendar.ics", get(get_calendar))
}

async fn local_call(ctx: &FedContext, id: &str) -> Result<call::Model> {
    let uuid = uuid::Uuid::parse_str(id).map_err(|_| Error::not_found("call to action"))?;
    q::by_ap_id(&ctx.db, ctx.urls.call(uuid).as_str())
        .await?
        .filter(|c| c.local)
        .ok_or_else(|| Error::not_found("call to action"))
}

fn calendar_response(name: &str, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.ics\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `/calls/{uuid}` is the Event; `/calls/{uuid}.ics` its calendar file.
async fn get_call(
    State(fed): State<Fed>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    if let Some(uuid) = id.strip_suffix(".ics") {
        let row = local_call(ctx, uuid).await?;
        let body = ics(
            &row.name,
            std::slice::from_ref(&row),
            row.timezone.as_deref(),
        );
        return Ok(calendar_response(uuid, body));
    }
    let row = local_call(ctx, &id).await?;
    if row.deleted_at.is_some() {
        return Err(Error::gone("the call to action was deleted"));
    }
    if wants_html(&headers)
        && let Some(page) = &row.url
    {
        return Ok(Redirect::to(page).into_response());
    }
    let organizer = query::actor::get(&ctx.db, row.organizer_id).await?;
    Ok(activity_json(event_document(ctx, &row, &organizer).await?))
}

/// Who pledged: public, as Mobilizon and FEP-8a8e show participants.
async fn get_attendees(State(fed): State<Fed>, Path(id): Path<String>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let row = local_call(ctx, &id).await?;
    let items: Vec<String> = q::pledges(&ctx.db, row.id, &[puentes_core::PledgeStatus::Accepted])
        .await?
        .into_iter()
        .map(|(_, a)| a.ap_id)
        .collect();
    Ok(activity_json(json!({
        "id": attendees_url(&row), "type": "OrderedCollection",
        "totalItems": items.len(), "orderedItems": items,
    })))
}

/// Calls an actor organizes or takes part in; for an alliance also those of its members
/// known here. `since` keeps recently ended calls in feeds.
async fn calls_of(
    ctx: &FedContext,
    actor: &actor::Model,
    since: chrono::DateTime<Utc>,
) -> Result<Vec<call::Model>> {
    let mut organizers = vec![actor.id];
    if actor.is_alliance() {
        organizers.extend(
            query::membership::members(&ctx.db, actor.id, puentes_core::MembershipStatus::Active)
                .await?
                .into_iter()
                .map(|(_, a)| a.id),
        );
    }
    let mut rows = q::by_organizers(&ctx.db, &organizers, since, 500).await?;
    for row in q::taken_part_by(&ctx.db, actor.id, since).await? {
        if !rows.iter().any(|r| r.id == row.id) {
            rows.push(row);
        }
    }
    rows.sort_by_key(|r| (r.start_time, r.id));
    Ok(rows)
}

async fn get_upcoming(State(fed): State<Fed>, Path(name): Path<String>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let actor = local_actor(ctx, &name).await?;
    let items: Vec<String> = calls_of(ctx, &actor, Utc::now())
        .await?
        .into_iter()
        .map(|c| c.ap_id)
        .collect();
    Ok(activity_json(json!({
        "id": ctx.urls.actor_collection(&name, "upcoming"), "type": "OrderedCollection",
        "totalItems": items.len(), "orderedItems": items,
    })))
}

async fn get_calendar(State(fed): State<Fed>, Path(name): Path<String>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let actor = local_actor(ctx, &name).await?;
    let rows = calls_of(ctx, &actor, Utc::now() - Duration::days(30)).await?;
    let title = actor.display_name.clone().unwrap_or(actor.username.clone());
    let response = calendar_response(&name, ics(&title, &rows, None));
    Ok((StatusCode::OK, response).into_response())
}
