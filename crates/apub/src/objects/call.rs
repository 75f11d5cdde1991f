//! Calls to action as `Event` documents (FEP-8a8e and Mobilizon terms) and as iCalendar.

use crate::protocol::PUBLIC;
use chrono::{DateTime, SecondsFormat, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};
use puentes_core::{CallStatus, calls, sanitize, urls::Urls};
use puentes_db::{actor, call, query};
use serde_json::{Value, json};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A time in the organizer's zone with its offset, as Mobilizon writes them.
fn local_time(t: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The place as one line: "Marktplatz, Leipzig" or "Name, address".
pub fn place_line(row: &call::Model) -> Option<String> {
    puentes_app::calls::place_of(
        row.location_name.as_deref(),
        row.location_address.as_deref(),
    )
}

/// Our calls' summary is written from their fields, so it is never stale.
pub fn local_summary(row: &call::Model) -> String {
    puentes_app::calls::summary_of(&query::call::CallData::of(row))
}

/// What software that shows `content` (GoToSocial, Misskey, Lemmy) shows of a call, whole:
/// its title, the summary line (when, where, what to do, where to pledge) with its links,
/// then the organizers' description. Mastodon shows `name` and `summary` instead.
pub fn readable_content(row: &call::Model, description: &str) -> String {
    let mut html = format!(
        "<p><strong>{}</strong></p><p>{}</p>",
        sanitize::escape(&row.name),
        puentes_core::text::linkify_text(&local_summary(row))
    );
    if !sanitize::strip_html(description).trim().is_empty() {
        html.push_str(description);
    }
    html
}

pub fn attendees_url(row: &call::Model) -> String {
    format!("{}/attendees", row.ap_id)
}

/// Likes and boosts of a call, as counted (once per actor).
#[derive(Debug, Clone, Copy, Default)]
pub struct Reactions {
    pub likes: u64,
    pub shares: u64,
}

/// The `Event` of one of our calls. `co_organizers` are the confirmed ones.
pub fn call_document(
    row: &call::Model,
    organizer: &actor::Model,
    co_organizers: &[actor::Model],
    reactions: Reactions,
    urls: &Urls,
) -> Value {
    let zone = calls::zone_or_utc(row.timezone.as_deref());
    let followers = urls.actor_collection(&organizer.username, "followers");
    let status = row.status.to_ascii_uppercase();
    let event_status = match row.status() {
        CallStatus::Cancelled => "https://schema.org/EventCancelled",
        CallStatus::Tentative => "https://schema.org/EventPostponed",
        _ if row.previous_start_time.is_some() => "https://schema.org/EventRescheduled",
        _ => "https://schema.org/EventScheduled",
    };
    let mut organizers = vec![json!(organizer.ap_id)];
    organizers.extend(co_organizers.iter().map(|a| json!(a.ap_id)));
    let uuid = row.ap_id.rsplit('/').next().unwrap_or_default();
    let mut doc = json!({
        "id": row.ap_id,
        "type": "Event",
        "attributedTo": organizer.ap_id,
        "name": row.name,
        // `summary` is HTML in ActivityStreams; ours is plain text typed by staff.
        "summary": sanitize::escape_markup(&local_summary(row)),
        "content": readable_content(row, &row.content),
        "mediaType": "text/html",
        "url": row.url.clone().unwrap_or_else(|| row.ap_id.clone()),
        "uuid": uuid,
        "startTime": local_time(row.start_time, zone),
        "timezone": zone.name(),
        "status": status,
        "ical:status": status,
        "eventStatus": event_status,
        "joinMode": row.join_mode,
        "participantCount": row.participant_count,
        "maximumAttendeeCapacity": row.capacity.unwrap_or(0),
        "attendees": { "id": attendees_url(row), "type": "OrderedCollection", "totalItems": row.participant_count },
        "organizers": { "type": "Collection", "totalItems": organizers.len(), "items": organizers },
        "isOnline": row.online_url.is_some() && row.location_name.is_none() && row.location_address.is_none(),
        "published": rfc3339(row.published),
        "to": [PUBLIC],
        "cc": [followers],
        "commentsEnabled": false,
        "likes": { "type": "Collection", "totalItems": reactions.likes },
        "shares": { "type": "Collection", "totalItems": reactions.shares },
    });
    if let Some(end) = row.end_time {
        doc["endTime"] = json!(local_time(end, zone));
    }
    if let Some(before) = row.previous_start_time {
        doc["previousStartTime"] = json!(local_time(before, zone));
    }
    if let Some(capacity) = row.capacity {
        doc["remainingAttendeeCapacity"] = json!((capacity - row.participant_count).max(0));
    }
    if let Some(external) = &row.external_participation_url {
        doc["externalParticipationUrl"] = json!(external);
    }
    if let Some(updated) = row.updated_at {
        doc["updated"] = json!(rfc3339(updated));
    }
    // Every language reads whole; the first language's entry equals `content`, which is how
    // GoToSocial tells the language.
    match (query::call::content_map(row), &row.language) {
        (Some(map), _) => {
            let map: serde_json::Map<String, Value> = map
                .iter()
                .map(|(lang, text)| (lang.clone(), json!(readable_content(row, text))))
                .collect();
            doc["contentMap"] = Value::Object(map);
        }
        (None, Some(lang)) => {
            doc["contentMap"] = json!({ lang: readable_content(row, &row.content) })
        }
        (None, None) => {}
    }
    if let Some(lang) = &row.language {
        doc["inLanguage"] = json!(lang);
    }
    let mut locations = Vec::new();
    if row.location_name.is_some() || row.location_address.is_some() {
        let mut place = json!({ "type": "Place", "name": row.location_name.clone().or(row.location_address.clone()) });
        if let Some(address) = &row.location_address {
            place["address"] = json!({ "type": "PostalAddress", "streetAddress": address });
        }
        if let (Some(lat), Some(lon)) = (row.latitude, row.longitude) {
            place["latitude"] = json!(lat);
            place["longitude"] = json!(lon);
        }
        locations.push(place);
    }
    if let Some(online) = &row.online_url {
        locations.push(json!({ "type": "VirtualLocation", "url": online }));
        // Mobilizon reads the online address from a Link attachment.
        doc["attachment"] =
            json!([{ "type": "Link", "mediaType": "text/html", "name": "Online", "href": online }]);
    }
    match locations.len() {
        0 => {}
        1 => doc["location"] = locations.remove(0),
        _ => doc["location"] = json!(locations),
    }
    let tags = row.tags();
    if !tags.is_empty() {
        doc["tag"] = json!(tags);
    }
    doc
}

fn ics_time(t: DateTime<Utc>, zone: chrono_tz::Tz) -> CalendarDateTime {
    if zone == chrono_tz::Tz::UTC {
        CalendarDateTime::Utc(t)
    } else {
        CalendarDateTime::WithTimezone {
            date_time: t.with_timezone(&zone).naive_local(),
            tzid: zone.name().to_string(),
        }
    }
}

/// One VEVENT. Times carry the organizer's IANA zone as TZID, defined by a VTIMEZONE
/// block in the same file.
fn vevent(row: &call::Model) -> icalendar::Event {
    let zone = calls::zone_or_utc(row.timezone.as_deref());
    let summary = if row.local {
        local_summary(row)
    } else {
        row.summary.clone()
    };
    let text = sanitize::strip_html(&row.content);
    let description = if text.trim().is_empty() {
        summary
    } else {
        format!("{summary}\n\n{}", text.trim())
    };
    // The library escapes `\n` but not a lone CR: single-line fields lose every line break,
    // the description keeps its lines as LF only.
    let one_line = sanitize::one_line;
    let mut event = icalendar::Event::new();
    event
        .uid(&one_line(&row.ap_id))
        .summary(&one_line(&row.name))
        .description(&sanitize::plain_lines(&description))
        .starts(ics_time(row.start_time, zone))
        .sequence(u32::try_from(row.sequence).unwrap_or(0))
        .timestamp(row.updated_at.unwrap_or(row.published))
        .url(&one_line(row.url.as_deref().unwrap_or(&row.ap_id)))
        .status(match row.status() {
            CallStatus::Cancelled => EventStatus::Cancelled,
            CallStatus::Tentative => EventStatus::Tentative,
            _ => EventStatus::Confirmed,
        });
    if let Some(end) = row.end_time {
        event.ends(ics_time(end, zone));
    }
    if let Some(updated) = row.updated_at {
        event.last_modified(updated);
    }
    match (place_line(row), &row.online_url) {
        (Some(place), _) => {
            event.location(&one_line(&place));
        }
        (None, Some(online)) => {
            event.location(&one_line(online));
        }
        (None, None) => {}
    }
    if let (Some(lat), Some(lon)) = (row.latitude, row.longitude) {
        event.append_property(Property::new("GEO", format!("{lat};{lon}")));
    }
    event.done()
}

/// An iCalendar file of calls, for one call or a subscribable feed.
pub fn ics(name: &str, rows: &[call::Model], zone: Option<&str>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&sanitize::one_line(name));
    if let Some(zone) = zone {
        calendar.timezone(sanitize::one_line(zone).as_str());
    }
    // Subscribed feeds are polled; once an hour is enough for calls to action.
    calendar.ttl(&chrono::Duration::hours(1));
    let mut zones: Vec<(chrono_tz::Tz, std::collections::BTreeSet<i32>)> = Vec::new();
    for row in rows.iter().filter(|r| r.deleted_at.is_none()) {
        calendar.push(vevent(row));
        let zone = calls::zone_or_utc(row.timezone.as_deref());
        if zone == chrono_tz::Tz::UTC {
            continue;
        }
        let years = std::iter::once(row.start_time)
            .chain(row.end_time)
            .map(|t| crate::calls::vtimezone::year_of(t, zone));
        match zones.iter_mut().find(|(z, _)| *z == zone) {
            Some((_, known)) => known.extend(years),
            None => zones.push((zone, years.collect())),
        }
    }
    crate::calls::vtimezone::with_zones(calendar.done().to_string(), &zones)
}

/// The Event of one of our calls, with its confirmed co-organizers.
pub async fn event_document(
    ctx: &crate::FedContext,
    row: &call::Model,
    organizer: &actor::Model,
) -> puentes_core::Result<Value> {
    let co: Vec<actor::Model> =
        query::call::organizers(&ctx.db, row.id, puentes_core::InvitationStatus::Confirmed)
            .await?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
    let reactions = Reactions {
        likes: query::call::count_likes(&ctx.db, row.id).await?,
        shares: query::relay::count_announcers(&ctx.db, &row.ap_id).await?,
    };
    Ok(call_document(row, organizer, &co, reactions, &ctx.urls))
}
