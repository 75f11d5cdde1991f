//! The page of a call to action: when, where, what to do, who pledged, calendar links.

use crate::HttpState;
use axum::{
    extract::{Path, State},
    response::Response,
};
use minijinja::context;
use puentes_core::{Error, Result, calls};
use puentes_db::query::{self, call as q};

pub async fn call_page(
    State(state): State<HttpState>,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response> {
    let actor = query::actor::local_by_name_required(&state.db, &name).await?;
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| Error::not_found("call to action"))?;
    let row = q::by_ap_id(&state.db, state.urls.call(uuid).as_str())
        .await?
        .filter(|c| c.organizer_id == actor.id && c.deleted_at.is_none())
        .ok_or_else(|| Error::not_found("call to action"))?;
    let zone = calls::zone_or_utc(row.timezone.as_deref());
    let person = |a: &puentes_db::actor::Model| {
        context! {
            name => a.display_name.clone().unwrap_or(a.username.clone()),
            handle => format!("@{}@{}", a.username, a.domain),
            link => a.url.clone().unwrap_or(a.ap_id.clone()),
        }
    };
    let pledged: Vec<_> = q::pledges(&state.db, row.id, &[puentes_core::PledgeStatus::Accepted])
        .await?
        .iter()
        .map(|(_, a)| person(a))
        .collect();
    let organizers: Vec<_> =
        q::organizers(&state.db, row.id, puentes_core::InvitationStatus::Confirmed)
            .await?
            .iter()
            .map(|(_, a)| person(a))
            .collect();
    let place = match (&row.location_name, &row.location_address) {
        (Some(n), Some(a)) => Some(format!("{n}, {a}")),
        (n, a) => n.clone().or(a.clone()),
    };
    let map = match (row.latitude, row.longitude) {
        (Some(lat), Some(lon)) => Some(format!(
            "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        )),
        _ => None,
    };
    let translations: Option<Vec<_>> = q::content_map(&row).map(|languages| {
        languages
            .into_iter()
            .map(|(lang, html)| context! { lang => lang, content => minijinja::Value::from_safe_string(html) })
            .collect()
    });
    state.render(
        "call.html",
        context! {
            instance_name => state.config.instance_name,
            name => actor.username,
            display_name => actor.display_name.clone().unwrap_or(actor.username.clone()),
            title => row.name,
            when => calls::when(row.start_time, row.end_time, zone),
            cancelled => row.status() == puentes_core::CallStatus::Cancelled,
            place => place,
            map => map,
            online => row.online_url,
            what => row.what,
            language => row.language,
            content => minijinja::Value::from_safe_string(row.content.clone()),
            translations => translations,
            organizers => organizers,
            count => row.participant_count,
            capacity => row.capacity,
            pledged => pledged,
            external => row.external_participation_url,
            call_id => row.ap_id,
        },
    )
}
