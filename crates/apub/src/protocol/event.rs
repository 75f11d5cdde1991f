//! `Event` on the wire, read tolerantly from Mobilizon, Gancio, FEP-8a8e and our own
//! servers into one shape.

use super::helpers::{addresses_of, id_of, page_url_of, string_of, type_of};
use chrono::{DateTime, Utc};
use puentes_core::{CallStatus, JoinMode, content::Tag, sanitize};
use serde_json::Value;
use std::collections::BTreeMap;
use url::Url;

#[derive(Debug, Clone)]
pub struct RemoteEvent {
    pub id: Url,
    /// The organizer: `attributedTo` (a Mobilizon group, a Gancio relay actor, us).
    pub attributed_to: Url,
    /// Mobilizon's `actor`: the person who created a group's event.
    pub actor: Option<Url>,
    pub name: String,
    /// Plain text.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: String,
    pub content_map: Option<BTreeMap<String, String>>,
    pub language: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub previous_start_time: Option<DateTime<Utc>>,
    pub timezone: Option<String>,
    pub location_name: Option<String>,
    pub location_address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub status: CallStatus,
    pub capacity: Option<i64>,
    pub join_mode: JoinMode,
    pub external_participation_url: Option<String>,
    pub participant_count: i64,
    pub tags: Vec<Tag>,
    pub url: Option<Url>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

fn time_of(doc: &Value, key: &str) -> Option<DateTime<Utc>> {
    string_of(doc, key)
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn number_of(doc: &Value, key: &str) -> Option<i64> {
    match doc.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float_of(doc: &Value, key: &str) -> Option<f64> {
    match doc.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

fn text_of(doc: &Value, key: &str) -> Option<String> {
    string_of(doc, key)
        .map(|s| sanitize::strip_html(&s))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// TENTATIVE / CONFIRMED / CANCELLED (Mobilizon, iCal) or schema.org's eventStatus.
fn status_of(doc: &Value) -> CallStatus {
    let raw = string_of(doc, "eventStatus")
        .or_else(|| string_of(doc, "ical:status"))
        .or_else(|| string_of(doc, "status"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if raw.contains("cancel") {
        CallStatus::Cancelled
    } else if raw.contains("tentative") || raw.contains("postponed") {
        CallStatus::Tentative
    } else {
        CallStatus::Confirmed
    }
}

/// A PostalAddress object or a plain string, as one line.
fn address_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(sanitize::strip_html(s)).filter(|s| !s.trim().is_empty()),
        Value::Object(_) => {
            let parts: Vec<String> = [
                "streetAddress",
                "postalCode",
                "addressLocality",
                "addressRegion",
                "addressCountry",
            ]
            .iter()
            .filter_map(|k| text_of(value, k))
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

struct Location {
    name: Option<String>,
    address: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    online: Option<String>,
}

/// `location` may be one Place, one VirtualLocation, or an array of both (hybrid).
fn location_of(doc: &Value) -> Location {
    let mut found = Location {
        name: None,
        address: None,
        latitude: None,
        longitude: None,
        online: None,
    };
    let items: Vec<&Value> = match doc.get("location") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item) => vec![item],
        None => Vec::new(),
    };
    for item in items {
        match type_of(item) {
            Some("VirtualLocation") => {
                found.online = found
                    .online
                    .or_else(|| item.get("url").and_then(id_of).map(String::from));
            }
            _ if found.name.is_none() && found.address.is_none() => {
                found.name = text_of(item, "name");
                found.address = item.get("address").and_then(address_of);
                found.latitude = float_of(item, "latitude");
                found.longitude = float_of(item, "longitude");
            }
            _ => {}
        }
    }
    if found.online.is_none() {
        // Gancio and Mobilizon give online addresses as Link attachments.
        let attachments = match doc.get("attachment") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(item) => vec![item],
            None => Vec::new(),
        };
        found.online = attachments
            .into_iter()
            .filter(|a| type_of(a) == Some("Link"))
            .find_map(|a| a.get("href").and_then(id_of))
            .map(String::from);
    }
    found
}

fn http_only(url: Option<String>) -> Option<String> {
    url.filter(|u| Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
}

pub fn parse_remote_event(doc: &Value) -> Result<RemoteEvent, String> {
    if type_of(doc) != Some("Event") {
        return Err("not an Event".into());
    }
    let id = doc.get("id").and_then(id_of).ok_or("Event has no id")?;
    let attributed_to = doc
        .get("attributedTo")
        .and_then(id_of)
        .or_else(|| doc.get("actor").and_then(id_of))
        .ok_or("Event has no attributedTo")?;
    let start_time = time_of(doc, "startTime").ok_or("Event has no valid startTime")?;
    let end_time = time_of(doc, "endTime").filter(|end| *end > start_time);
    let (content, language) = match (string_of(doc, "content"), doc.get("contentMap")) {
        (content, Some(Value::Object(map))) => {
            let first = map.iter().next();
            let text = content.or_else(|| first.and_then(|(_, v)| v.as_str().map(str::to_string)));
            (text.unwrap_or_default(), first.map(|(k, _)| k.clone()))
        }
        (content, _) => (
            content.unwrap_or_default(),
            string_of(doc, "inLanguage").filter(|l| l.len() <= 16),
        ),
    };
    let content_map = match doc.get("contentMap") {
        Some(Value::Object(map)) if map.len() > 1 => Some(
            map.iter()
                .filter_map(|(lang, html)| {
                    Some((lang.clone(), sanitize::clean_html(html.as_str()?)))
                })
                .collect(),
        ),
        _ => None,
    };
    let tags = match doc.get("tag") {
        Some(Value::Array(items)) => items.clone(),
        Some(item) => vec![item.clone()],
        None => Vec::new(),
    }
    .into_iter()
    .filter(|t| type_of(t) == Some("Hashtag"))
    .filter_map(|t| {
        let name = text_of(&t, "name")?;
        let href = t
            .get("href")
            .and_then(id_of)
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(String::from);
        Some(Tag::Hashtag { name, href })
    })
    .collect();
    let location = location_of(doc);
    let join_mode = string_of(doc, "joinMode")
        .and_then(|m| JoinMode::parse(&m).ok())
        .unwrap_or(JoinMode::Free);
    // Mobilizon writes 0 for "no limit".
    let capacity = number_of(doc, "maximumAttendeeCapacity").filter(|n| *n > 0);
    let participant_count = number_of(doc, "participantCount")
        .or_else(|| {
            doc.get("attendees")
                .filter(|a| a.is_object())
                .and_then(|a| number_of(a, "totalItems"))
        })
        .unwrap_or(0)
        .max(0);
    Ok(RemoteEvent {
        actor: doc.get("actor").and_then(id_of),
        name: text_of(doc, "name").unwrap_or_else(|| "Event".into()),
        summary: text_of(doc, "summary"),
        content: sanitize::clean_html(&content),
        content_map,
        language,
        start_time,
        end_time,
        previous_start_time: time_of(doc, "previousStartTime"),
        timezone: string_of(doc, "timezone").filter(|z| z.parse::<chrono_tz::Tz>().is_ok()),
        location_name: location.name,
        location_address: location.address,
        latitude: location.latitude,
        longitude: location.longitude,
        online_url: http_only(location.online),
        status: status_of(doc),
        capacity,
        join_mode,
        external_participation_url: http_only(string_of(doc, "externalParticipationUrl")),
        participant_count,
        tags,
        url: page_url_of(doc.get("url")),
        to: addresses_of(doc.get("to")),
        cc: addresses_of(doc.get("cc")),
        published: time_of(doc, "published"),
        updated: time_of(doc, "updated"),
        attributed_to,
        id,
    })
}

/// JSON-LD terms of Events: Mobilizon's (`mz:`), schema.org's and ours, so every server
/// reads `joinMode`, `participantCount`, `timezone` and friends as Mobilizon means them.
pub fn context_terms() -> serde_json::Map<String, Value> {
    let terms = serde_json::json!({
        "mz": "https://joinmobilizon.org/ns#",
        "ical": "http://www.w3.org/2002/12/cal/ical#",
        "timezone": { "@id": "mz:timezone", "@type": "schema:Text" },
        "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
        "participantCount": { "@id": "mz:participantCount", "@type": "schema:Integer" },
        "participationMessage": { "@id": "mz:participationMessage", "@type": "schema:Text" },
        "isOnline": { "@id": "mz:isOnline", "@type": "schema:Boolean" },
        "externalParticipationUrl": { "@id": "mz:externalParticipationUrl", "@type": "schema:URL" },
        "maximumAttendeeCapacity": "schema:maximumAttendeeCapacity",
        "remainingAttendeeCapacity": "schema:remainingAttendeeCapacity",
        "eventStatus": { "@id": "schema:eventStatus", "@type": "@id" },
        "previousStartTime": "schema:previousStartDate",
        "PostalAddress": "schema:PostalAddress",
        "VirtualLocation": "schema:VirtualLocation",
        "address": { "@id": "schema:address", "@type": "schema:PostalAddress" },
        "streetAddress": "schema:streetAddress",
        "addressLocality": "schema:addressLocality",
        "addressCountry": "schema:addressCountry",
        "inLanguage": "schema:inLanguage",
        "organizers": { "@id": "puentes:organizers", "@type": "@id" },
        "attendees": { "@id": "puentes:attendees", "@type": "@id" },
        "upcomingEvents": { "@id": "puentes:upcomingEvents", "@type": "@id" }
    });
    match terms {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gancio_shape_is_read() {
        // The shape of Gancio's Event.toAP (server/api/models/event.js): a Place whose
        // address is a string, luxon ISO times with milliseconds, Link attachments.
        let doc = json!({
            "id": "https://g.example/federation/m/7", "type": "Event", "name": "Assemblea",
            "url": "https://g.example/event/assemblea",
            "startTime": "2026-10-03T18:30:00.000+02:00", "endTime": "2026-10-03T20:00:00.000+02:00",
            "location": { "type": "Place", "name": "Piazza", "address": "Via Roma 1, Bologna",
                          "latitude": 44.49, "longitude": 11.34 },
            "attachment": [{ "type": "Link", "mediaType": "text/html", "name": "https://stream.example/a", "href": "https://stream.example/a" }],
            "attributedTo": "https://g.example/federation/u/relay",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "content": "<p>ciao</p>",
            "summary": "Piazza, sabato 3 ottobre 18:30 CEST"
        });
        let event = parse_remote_event(&doc).unwrap();
        assert_eq!(event.start_time.to_rfc3339(), "2026-10-03T16:30:00+00:00");
        assert_eq!(
            event.location_address.as_deref(),
            Some("Via Roma 1, Bologna")
        );
        assert_eq!(
            event.online_url.as_deref(),
            Some("https://stream.example/a")
        );
        assert_eq!(event.status, CallStatus::Confirmed);
        assert!(
            parse_remote_event(&json!({"type": "Event", "id": "https://g.example/e"})).is_err()
        );
    }
}
