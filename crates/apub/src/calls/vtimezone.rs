//! VTIMEZONE blocks for the zones an .ics uses. RFC 5545 wants every TZID defined in the
//! file (Outlook insists); the iCalendar library writes none, so they are computed here from
//! the IANA tables: the offset in force before the first year used, then each transition
//! of the years the calls fall in.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use std::collections::BTreeSet;

fn offset_at(zone: Tz, at: DateTime<Utc>) -> (i32, bool, String) {
    let offset = zone.offset_from_utc_datetime(&at.naive_utc());
    let seconds = offset.fix().local_minus_utc();
    let dst = offset.dst_offset() != Duration::zero();
    let name = offset.abbreviation().unwrap_or_default().to_string();
    (seconds, dst, name)
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn start_of_year(year: i32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The instants in `year` where the zone's offset changes, found day by day and then to
/// the second.
fn transitions(zone: Tz, year: i32) -> Vec<DateTime<Utc>> {
    let (Some(mut day), Some(end)) = (start_of_year(year), start_of_year(year + 1)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    while day < end {
        let next = day + Duration::days(1);
        if offset_at(zone, day).0 != offset_at(zone, next).0 {
            let (mut before, mut after) = (day, next);
            while after - before > Duration::seconds(1) {
                let middle = before + (after - before) / 2;
                if offset_at(zone, middle).0 == offset_at(zone, day).0 {
                    before = middle;
                } else {
                    after = middle;
                }
            }
            found.push(after);
        }
        day = next;
    }
    found
}

fn component(out: &mut String, dst: bool, start_local: &str, from: i32, to: i32, name: &str) {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    out.push_str(&format!("BEGIN:{kind}\r\nDTSTART:{start_local}\r\n"));
    out.push_str(&format!(
        "TZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
        offset_text(from),
        offset_text(to)
    ));
    if !name.is_empty() {
        out.push_str(&format!("TZNAME:{name}\r\n"));
    }
    out.push_str(&format!("END:{kind}\r\n"));
}

/// One VTIMEZONE for `zone`, covering the `years` given.
pub fn vtimezone(zone: Tz, years: &BTreeSet<i32>) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", zone.name());
    let first = years.iter().next().copied().unwrap_or(1970);
    if let Some(start) = start_of_year(first) {
        let (seconds, dst, name) = offset_at(zone, start);
        component(&mut out, dst, "19700101T000000", seconds, seconds, &name);
    }
    for year in years {
        for at in transitions(zone, *year) {
            let (from, _, _) = offset_at(zone, at - Duration::minutes(1));
            let (to, dst, name) = offset_at(zone, at);
            let local = (at + Duration::seconds(i64::from(from)))
                .naive_utc()
                .format("%Y%m%dT%H%M%S")
                .to_string();
            component(&mut out, dst, &local, from, to, &name);
        }
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

/// Inserts the VTIMEZONE blocks right after the calendar's own properties.
pub fn with_zones(ics: String, zones: &[(Tz, BTreeSet<i32>)]) -> String {
    if zones.is_empty() {
        return ics;
    }
    let blocks: String = zones
        .iter()
        .map(|(zone, years)| vtimezone(*zone, years))
        .collect();
    let at = ics
        .find("BEGIN:VEVENT")
        .or_else(|| ics.find("END:VCALENDAR"))
        .unwrap_or(ics.len());
    let mut out = ics;
    out.insert_str(at, &blocks);
    out
}

/// The years a time falls in, for `vtimezone`.
pub fn year_of(t: DateTime<Utc>, zone: Tz) -> i32 {
    t.with_timezone(&zone).year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_has_both_transitions_of_2027() {
        let text = vtimezone(chrono_tz::Europe::Berlin, &BTreeSet::from([2027]));
        // Last Sunday of March 2027 is the 28th: 02:00 CET becomes 03:00 CEST.
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST"
        ), "{text}");
        // Last Sunday of October 2027 is the 31st: 03:00 CEST becomes 02:00 CET.
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"
        ), "{text}");
        let bogota = vtimezone(chrono_tz::America::Bogota, &BTreeSet::from([2027]));
        assert_eq!(bogota.matches("BEGIN:STANDARD").count(), 1);
        assert!(bogota.contains("TZOFFSETTO:-0500"));
    }
}
