//! Calls to action: the rules for times, time zones and the self-contained summary that
//! Mastodon shows in place of an Event.

use crate::{CallStatus, Error, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A time as given on the command line: RFC 3339 with an offset.
pub fn parse_time(what: &str, value: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::bad_request(format!(
                "{what} {value:?} is not an RFC 3339 time: write it like 2026-09-12T14:00:00+02:00"
            ))
        })
}

/// A time as a form gives it: RFC 3339, or a wall-clock time (`2026-09-12T14:00`, as a
/// `datetime-local` field sends it) in `zone`. A time skipped by a daylight-saving change is
/// refused; a repeated one is the earlier.
pub fn parse_local_time(what: &str, value: &str, zone: Tz) -> Result<DateTime<Utc>> {
    use chrono::TimeZone;
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            Error::bad_request(format!(
                "{what} {value:?} is not a date and time: write it like 2026-09-12T14:00"
            ))
        })?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            Error::bad_request(format!(
                "{what} {value:?} does not exist in {}",
                zone.name()
            ))
        })
}

pub fn parse_timezone(value: &str) -> Result<Tz> {
    value.trim().parse::<Tz>().map_err(|_| {
        Error::bad_request(format!(
            "unknown time zone {value:?}: use an IANA name like Europe/Berlin or America/Bogota"
        ))
    })
}

/// The time zone a stored call is shown in; unknown names (from remote servers) fall back
/// to UTC rather than failing a page.
pub fn zone_or_utc(value: Option<&str>) -> Tz {
    value.and_then(|v| v.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod local_time_tests {
    use super::*;

    #[test]
    fn wall_clock_times_are_read_in_their_zone() {
        let bogota = parse_timezone("America/Bogota").unwrap();
        let t = parse_local_time("start", "2027-03-14T19:00", bogota).unwrap();
        assert_eq!(t.to_rfc3339(), "2027-03-15T00:00:00+00:00");
        let t = parse_local_time("start", "2027-03-14T19:00:00+01:00", bogota).unwrap();
        assert_eq!(t.to_rfc3339(), "2027-03-14T18:00:00+00:00");
        assert!(parse_local_time("start", "tomorrow", bogota).is_err());
        let berlin = parse_timezone("Europe/Berlin").unwrap();
        assert!(parse_local_time("start", "2027-03-28T02:30", berlin).is_err());
    }
}

pub fn check_span(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Result<()> {
    match end {
        Some(end) if end <= start => Err(Error::bad_request(format!(
            "the end ({}) is not after the start ({})",
            end.to_rfc3339(),
            start.to_rfc3339()
        ))),
        _ => Ok(()),
    }
}

pub fn check_capacity(capacity: Option<i64>) -> Result<()> {
    match capacity {
        Some(n) if n < 1 => Err(Error::bad_request(
            "the capacity must be at least 1 (leave it out for no limit)",
        )),
        _ => Ok(()),
    }
}

/// "Sat 12 Sep 2026, 14:00–17:00 CEST", in the organizer's time zone; an end on another
/// day is written in full.
pub fn when(start: DateTime<Utc>, end: Option<DateTime<Utc>>, zone: Tz) -> String {
    let s = start.with_timezone(&zone);
    let day = s.format("%a %-d %b %Y, %H:%M");
    match end.map(|e| e.with_timezone(&zone)) {
        Some(e) if e.date_naive() == s.date_naive() => {
            format!("{day}–{} {}", e.format("%H:%M"), e.format("%Z"))
        }
        Some(e) => format!(
            "{day} {} – {}",
            s.format("%Z"),
            e.format("%a %-d %b %Y, %H:%M %Z")
        ),
        None => format!("{day} {}", s.format("%Z")),
    }
}

/// What Mastodon and other Event-unaware software show: status, time, place, what to do
/// and where to pledge, in plain words.
pub struct SummaryParts<'a> {
    pub status: CallStatus,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub zone: Tz,
    pub previous_start: Option<DateTime<Utc>>,
    pub place: Option<&'a str>,
    pub online: Option<&'a str>,
    pub what: Option<&'a str>,
    pub link: &'a str,
}

pub fn summary(parts: &SummaryParts<'_>) -> String {
    let mut out = Vec::new();
    if parts.status == CallStatus::Cancelled {
        out.push("CANCELLED".to_string());
    } else if parts.status == CallStatus::Tentative {
        out.push("To be confirmed".to_string());
    }
    let when = when(parts.start, parts.end, parts.zone);
    match parts.previous_start {
        Some(before) if before != parts.start && parts.status != CallStatus::Cancelled => {
            let was = before
                .with_timezone(&parts.zone)
                .format("%a %-d %b %H:%M")
                .to_string();
            out.push(format!("Moved to {when} (was {was})"));
        }
        _ => out.push(when),
    }
    match (parts.place, parts.online) {
        (Some(place), Some(online)) => out.push(format!("{place} + online: {online}")),
        (Some(place), None) => out.push(place.to_string()),
        (None, Some(online)) => out.push(format!("Online: {online}")),
        (None, None) => {}
    }
    if let Some(what) = parts.what.map(str::trim).filter(|w| !w.is_empty()) {
        out.push(what.to_string());
    }
    if parts.status != CallStatus::Cancelled {
        out.push(format!("Pledge: {}", parts.link));
    }
    out.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_zones_are_checked() {
        let start = parse_time("--start", "2026-09-12T14:00:00+02:00").unwrap();
        assert_eq!(start.to_rfc3339(), "2026-09-12T12:00:00+00:00");
        assert!(parse_time("--start", "12/09/2026 14:00").is_err());
        assert!(parse_timezone("Europe/Berlin").is_ok());
        assert!(parse_timezone("Mars/Olympus").is_err());
        let end = parse_time("--end", "2026-09-12T13:00:00+02:00").unwrap();
        assert!(check_span(start, Some(end)).is_err());
        assert!(check_capacity(Some(0)).is_err());
        assert!(check_capacity(Some(1)).is_ok());
    }

    #[test]
    fn summary_reads_in_the_organizers_zone() {
        let start = parse_time("s", "2026-09-12T12:00:00Z").unwrap();
        let end = parse_time("e", "2026-09-12T15:00:00Z").unwrap();
        let zone = parse_timezone("Europe/Berlin").unwrap();
        let text = summary(&SummaryParts {
            status: CallStatus::Confirmed,
            start,
            end: Some(end),
            zone,
            previous_start: None,
            place: Some("Marktplatz, Leipzig"),
            online: None,
            what: Some("Bring banners"),
            link: "https://x.example/c/1",
        });
        assert_eq!(
            text,
            "Sat 12 Sep 2026, 14:00–17:00 CEST · Marktplatz, Leipzig · Bring banners · Pledge: https://x.example/c/1"
        );
        // Overnight, online, in another zone; cancelled calls say so first and ask nothing.
        let bogota = parse_timezone("America/Bogota").unwrap();
        let night = parse_time("e", "2026-09-13T09:00:00Z").unwrap();
        assert_eq!(
            when(start, Some(night), bogota),
            "Sat 12 Sep 2026, 07:00 -05 – Sun 13 Sep 2026, 04:00 -05"
        );
        let cancelled = summary(&SummaryParts {
            status: CallStatus::Cancelled,
            start,
            end: None,
            zone,
            previous_start: None,
            place: None,
            online: Some("https://meet.example/x"),
            what: None,
            link: "https://x.example/c/1",
        });
        assert_eq!(
            cancelled,
            "CANCELLED · Sat 12 Sep 2026, 14:00 CEST · Online: https://meet.example/x"
        );
    }
}
