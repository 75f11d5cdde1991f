//! A call to action's page: when (in the organizer's time zone and the reader's), where
//! (with a map link), what to do, who pledged, and the calendar file.

use crate::{
    HttpState, Reader,
    i18n::{I18n, Lang},
    render::{format_date, format_datetime},
    staff::{self, PublicActions},
};
use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::context;
use puentes_app::Permission;
use puentes_core::{Error, Result, calls};
use puentes_db::read;

/// Zones offered to readers who want the time in theirs (the people this serves live and
/// work mostly in these); any IANA name also works in the address.
pub const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Tripoli",
    "Africa/Cairo",
    "Africa/Dakar",
    "Africa/Bamako",
    "Africa/Abidjan",
    "Africa/Lagos",
    "Africa/Niamey",
    "Africa/Khartoum",
    "Africa/Addis_Ababa",
    "Africa/Nairobi",
    "Asia/Beirut",
    "Asia/Damascus",
    "Asia/Amman",
    "Asia/Baghdad",
    "Asia/Tehran",
    "Asia/Kabul",
    "Asia/Karachi",
    "Asia/Dhaka",
    "America/Mexico_City",
    "America/Guatemala",
    "America/Tegucigalpa",
    "America/Bogota",
    "America/Caracas",
    "America/Lima",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
];

/// "Saturday 12 September 2026, 14:00–17:00 CEST" in the reader's language.
pub fn span(
    i18n: &I18n,
    lang: Lang,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    zone: Tz,
) -> String {
    let s = start.with_timezone(&zone);
    match end.map(|e| e.with_timezone(&zone)) {
        Some(e) if e.date_naive() == s.date_naive() => format!(
            "{}, {}–{}",
            format_date(i18n, lang, s.fixed_offset()),
            s.format("%H:%M"),
            e.format("%H:%M %Z")
        ),
        Some(e) => format!(
            "{} – {}",
            format_datetime(i18n, lang, start, zone),
            format_datetime(i18n, lang, e.with_timezone(&Utc), zone)
        ),
        None => format_datetime(i18n, lang, start, zone),
    }
}

pub async fn call_page(
    State(state): State<HttpState>,
    reader: Reader,
    headers: HeaderMap,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response> {
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| Error::not_found("call to action"))?;
    let ap_id = state.urls.call(uuid);
    let view = read::pages::call_page(&state.db, &name, ap_id.as_str(), reader.lang.code()).await?;
    // A logged-in staff member may pledge from here, as an actor they may publish for.
    let staff = match view.status != puentes_core::CallStatus::Cancelled.as_str() {
        true => PublicActions::of(&state, &headers, |_| Permission::Publish, &name).await,
        false => None,
    };
    let personal = staff.is_some();
    let zone = calls::zone_or_utc(view.zone.as_deref());
    let lang = reader.lang;
    let organizer_time = span(&state.i18n, lang, view.start, view.end, zone);
    let reader_time = reader
        .tz
        .filter(|tz| tz.name() != zone.name())
        .map(|tz| span(&state.i18n, lang, view.start, view.end, tz));
    let moved_from = view
        .previous_start
        .filter(|p| *p != view.start)
        .map(|p| format_datetime(&state.i18n, lang, p, zone));
    let zones: Vec<_> = ZONES
        .iter()
        .map(|z| context! { name => z, selected => reader.tz.is_some_and(|tz| tz.name() == *z) })
        .collect();
    let description = format!(
        "{organizer_time}{}",
        view.place
            .as_deref()
            .map(|p| format!(" · {p}"))
            .unwrap_or_default()
    );
    let image = view.organizer.avatar.clone();
    let page = state.page(
        &reader,
        "call.html",
        context! {
            staff_actions => staff,
            call => view,
            organizer_time => organizer_time,
            organizer_zone => zone.name(),
            reader_time => reader_time,
            reader_zone => reader.tz.map(|tz| tz.name()),
            moved_from => moved_from,
            cancelled => view.status == puentes_core::CallStatus::Cancelled.as_str(),
            tentative => view.status == puentes_core::CallStatus::Tentative.as_str(),
            zones => zones,
            ics => format!("{}.ics", view.ap_id),
            calendar => format!("/actors/{}/calendar.ics", view.organizer_username),
            og_type => "article",
            og_title => view.title,
            og_description => description,
            og_image => image,
            activity_id => view.ap_id,
        },
    )?;
    Ok(if personal {
        staff::personal(page)
    } else {
        page
    })
}
