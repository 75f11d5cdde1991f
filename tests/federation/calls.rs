//! Calls to action: an alliance calls, organizations on other instances pledge and
//! withdraw, the call moves and is cancelled, and every server agrees on counts and times;
//! calendars (.ics) in the organizer's zone; Mobilizon- and Gancio-shaped Events and a
//! Mobilizon Join from outside; co-organizers; bad input on the command line.

use crate::on_every_backend;
use puentes_app::calls::CallInput;
use puentes_core::ErrorKind;
use puentes_db::{call, query, query::call as q};
use puentes_tests::{Backend, FakeRemote, OP, TestInstance, TestNetwork, fixture, shared_fixtures};
use serde_json::{Value, json};
use url::Url;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn rally() -> CallInput {
    CallInput {
        title: Some("Rally for the right to asylum".into()),
        start: Some("2027-09-11T14:00:00+02:00".into()),
        end: Some("2027-09-11T17:00:00+02:00".into()),
        timezone: Some("Europe/Berlin".into()),
        place: Some("Marktplatz, Leipzig".into()),
        geo: Some("51.3406,12.3747".into()),
        summary: Some("Bring banners and your neighbours".into()),
        description: Some("We gather in front of the town hall. #asylum".into()),
        ..Default::default()
    }
}

async fn stored(instance: &TestInstance, ap_id: &str) -> Option<call::Model> {
    q::by_ap_id(instance.db(), ap_id).await.unwrap()
}

async fn pledge_status(instance: &TestInstance, ap_id: &str, name: &str) -> Option<String> {
    let row = stored(instance, ap_id).await?;
    let actor = instance.actor(name).await;
    q::pledge(instance.db(), row.id, actor.id)
        .await
        .unwrap()
        .map(|p| p.status)
}

async fn get_text(instance: &TestInstance, path: &str) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", instance.base()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, response.text().await.unwrap())
}

fn path_of(id: &str) -> String {
    Url::parse(id).unwrap().path().to_string()
}

/// Reads an .ics with the iCalendar library and returns its events' DTSTART lines
/// (unfolded); every TZID used is defined by a VTIMEZONE.
fn dtstarts(ics: &str) -> Vec<String> {
    let parsed: icalendar::Calendar = ics.parse().expect("a valid iCalendar file");
    assert!(parsed.components.iter().any(|c| c.as_event().is_some()));
    let unfolded = ics.replace("\r\n ", "");
    let mut in_event = false;
    let mut found = Vec::new();
    for line in unfolded.lines() {
        match line {
            "BEGIN:VEVENT" => in_event = true,
            "END:VEVENT" => in_event = false,
            _ if in_event && line.starts_with("DTSTART") => {
                if let Some(zone) = line
                    .strip_prefix("DTSTART;TZID=")
                    .and_then(|rest| rest.split(':').next())
                {
                    assert!(
                        unfolded.contains(&format!("BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n")),
                        "no VTIMEZONE for {zone}: {ics}"
                    );
                }
                found.push(line.to_string());
            }
            _ => {}
        }
    }
    found
}

async fn send(instance: &TestInstance, remote: &FakeRemote, actor_id: &str, activity: &Value) {
    let (status, text) = remote
        .post(&format!("{}/inbox", instance.base()), actor_id, activity)
        .await;
    assert_eq!(status, 202, "{} refused: {text}", activity["type"]);
}

/// An alliance calls to action; organizations on two other instances pledge, one withdraws;
/// the call moves by two hours and is cancelled. Counts, times and status agree everywhere;
/// a Mastodon follower gets the summary and link.
async fn pledges_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_actor("red", "alliance").await;
    i2.create_actor("ong2", "organization").await;
    i3.create_actor("ong3", "organization").await;
    i3.instance
        .app
        .follow(&OP, "ong3", &i1.handle("red"))
        .await
        .unwrap();
    let remote = FakeRemote::start().await;
    let reader = remote.add_actor("/users/lectora", &fixture("mastodon/objects/person.json"));
    let follow = json!({ "id": format!("{}/follows/1", remote.base), "type": "Follow",
                         "actor": reader, "object": i1.actor_url("red") });
    send(i1, &remote, &reader, &follow).await;
    net.settle().await;

    let created = i1
        .instance
        .app
        .create_call(&OP, "red", rally())
        .await
        .unwrap();
    let id = created.ap_id.clone();
    let uuid = id.rsplit('/').next().unwrap().to_string();
    net.settle().await;

    // The follower instance stored it; Mastodon gets a self-contained summary and the link.
    let copy = stored(i3, &id).await.expect("followers receive the call");
    assert_eq!(copy.start_time.to_rfc3339(), "2027-09-11T12:00:00+00:00");
    assert_eq!(copy.timezone.as_deref(), Some("Europe/Berlin"));
    let create = remote
        .received()
        .into_iter()
        .map(|(_, a)| a)
        .find(|a| a["type"] == "Create" && a["object"]["type"] == "Event")
        .expect("the Mastodon follower got Create{Event}");
    let event = &create["object"];
    let summary = event["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Sat 11 Sep 2027, 14:00–17:00 CEST · Marktplatz, Leipzig"),
        "{summary}"
    );
    assert!(summary.contains("Bring banners"), "{summary}");
    let page = format!("{}/@red/calls/{uuid}", i1.base());
    assert!(summary.ends_with(&format!("Pledge: {page}")), "{summary}");
    assert_eq!(event["url"], page);
    let profile = i1.get_page("/@red").await;
    assert!(
        profile.contains("Rally for the right to asylum") && profile.contains(&uuid.to_string()),
        "the profile lists the call"
    );
    assert_eq!(event["timezone"], "Europe/Berlin");
    assert_eq!(event["startTime"], "2027-09-11T14:00:00+02:00");
    assert_eq!(event["location"]["type"], "Place");
    assert_eq!(event["joinMode"], "free");
    assert!(create["to"].as_array().unwrap().contains(&json!(PUBLIC)));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&id)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(browser.status().is_redirection(), "browsers go to the page");
    assert_eq!(browser.headers()["location"], page.as_str());
    let (status, kind, html) = get_text(i1, &path_of(&page)).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"));
    assert!(html.contains("Rally for the right to asylum"));

    // Two organizations on two other instances pledge, by the call's URL.
    i2.instance.app.pledge(&OP, "ong2", &id).await.unwrap();
    // The page address a browser shows works as well as the id.
    i3.instance.app.pledge(&OP, "ong3", &page).await.unwrap();
    net.settle().await;
    for (instance, name) in [(i2, "ong2"), (i3, "ong3")] {
        assert_eq!(
            pledge_status(instance, &id, name).await.as_deref(),
            Some("accepted"),
            "{name} sees its pledge accepted"
        );
    }
    for instance in [i1, i2, i3] {
        assert_eq!(stored(instance, &id).await.unwrap().participant_count, 2);
    }
    let (_, attendees) = i1.get_json(&format!("/calls/{uuid}/attendees")).await;
    assert_eq!(attendees["totalItems"], 2);
    assert!(
        attendees["orderedItems"]
            .as_array()
            .unwrap()
            .contains(&json!(i2.actor_url("ong2")))
    );

    // One withdraws: the count drops everywhere.
    i3.instance
        .app
        .withdraw_pledge(&OP, "ong3", &id)
        .await
        .unwrap();
    net.settle().await;
    let ong3 = query::actor::by_ap_id(i1.db(), &i3.actor_url("ong3"))
        .await
        .unwrap()
        .unwrap();
    let row = stored(i1, &id).await.unwrap();
    assert_eq!(
        q::pledge(i1.db(), row.id, ong3.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        "withdrawn"
    );
    for instance in [i1, i2, i3] {
        assert_eq!(stored(instance, &id).await.unwrap().participant_count, 1);
    }
    let (_, listed) = i1.instance.app.call_pledges(&uuid).await.unwrap();
    assert_eq!(listed.len(), 2);

    // Moved by two hours: the pledged organization and the follower get the new time.
    i1.instance
        .app
        .update_call(
            &OP,
            &id,
            CallInput {
                start: Some("2027-09-11T16:00:00+02:00".into()),
                end: Some("2027-09-11T19:00:00+02:00".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    for instance in [i2, i3] {
        let copy = stored(instance, &id).await.unwrap();
        assert_eq!(copy.start_time.to_rfc3339(), "2027-09-11T14:00:00+00:00");
        assert_eq!(
            copy.end_time.unwrap().to_rfc3339(),
            "2027-09-11T17:00:00+00:00"
        );
        assert!(
            copy.summary
                .starts_with("Moved to Sat 11 Sep 2027, 16:00–19:00 CEST (was Sat 11 Sep 14:00)"),
            "{}",
            copy.summary
        );
        assert_eq!(copy.participant_count, 1);
    }
    // The .ics and the calendar feeds show the new time in the organizer's zone.
    let (status, kind, ics) = get_text(i1, &format!("/calls/{uuid}.ics")).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert_eq!(
        dtstarts(&ics),
        vec!["DTSTART;TZID=Europe/Berlin:20270911T160000"]
    );
    assert!(ics.contains("SEQUENCE:1"), "{ics}");
    for (instance, name) in [(i1, "red"), (i2, "ong2")] {
        let (status, _, feed) = get_text(instance, &format!("/actors/{name}/calendar.ics")).await;
        assert_eq!(status, 200);
        assert_eq!(
            dtstarts(&feed),
            vec!["DTSTART;TZID=Europe/Berlin:20270911T160000"],
            "{name}'s feed"
        );
    }
    let (_, actor) = i1.get_json("/actors/red").await;
    assert_eq!(
        actor["upcomingEvents"],
        format!("{}/upcoming", i1.actor_url("red"))
    );
    let (_, upcoming) = i1.get_json("/actors/red/upcoming").await;
    assert_eq!(upcoming["orderedItems"], json!([id]));
    let (_, upcoming) = i2.get_json("/actors/ong2/upcoming").await;
    assert_eq!(upcoming["orderedItems"], json!([id]), "pledged calls too");

    // Cancelled: everyone concerned sees it.
    i1.instance.app.cancel_call(&OP, &uuid).await.unwrap();
    net.settle().await;
    for instance in [i2, i3] {
        let copy = stored(instance, &id).await.unwrap();
        assert_eq!(copy.status, "cancelled");
        assert!(copy.summary.starts_with("CANCELLED"), "{}", copy.summary);
    }
    let (_, _, ics) = get_text(i2, "/actors/ong2/calendar.ics").await;
    assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    let refused = i3.instance.app.pledge(&OP, "ong3", &id).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn pledges_counts_and_moves_agree_everywhere() {
    if shared_fixtures().is_none() {
        eprintln!("skipping: ../shared/fixtures/ap is not beside the project");
        return;
    }
    on_every_backend!(pledges_scenario);
}

/// A full call refuses the next pledge with a reason; manual approval holds pledges until
/// the organizer decides.
async fn approval_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_actor("convoca", "organization").await;
    i2.create_actor("ong2", "organization").await;
    i3.create_actor("ong3", "organization").await;
    let small = i1
        .instance
        .app
        .create_call(
            &OP,
            "convoca",
            CallInput {
                capacity: Some(1),
                online: Some("https://meet.example/hearing".into()),
                place: None,
                geo: None,
                ..rally()
            },
        )
        .await
        .unwrap();
    i2.instance
        .app
        .pledge(&OP, "ong2", &small.ap_id)
        .await
        .unwrap();
    net.settle().await;
    i3.instance
        .app
        .pledge(&OP, "ong3", &small.ap_id)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        pledge_status(i2, &small.ap_id, "ong2").await.as_deref(),
        Some("accepted")
    );
    assert_eq!(
        pledge_status(i3, &small.ap_id, "ong3").await.as_deref(),
        Some("rejected")
    );
    let row = stored(i3, &small.ap_id).await.unwrap();
    let me = i3.actor("ong3").await;
    let pledge = q::pledge(i3.db(), row.id, me.id).await.unwrap().unwrap();
    assert_eq!(pledge.reason.as_deref(), Some("no places left"));
    assert_eq!(row.participant_count, 1);
    assert_eq!(
        row.online_url.as_deref(),
        Some("https://meet.example/hearing")
    );

    let manual = i1
        .instance
        .app
        .create_call(
            &OP,
            "convoca",
            CallInput {
                approval: Some(puentes_core::JoinMode::Restricted),
                ..rally()
            },
        )
        .await
        .unwrap();
    i2.instance
        .app
        .pledge(&OP, "ong2", &manual.ap_id)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        pledge_status(i2, &manual.ap_id, "ong2").await.as_deref(),
        Some("pending")
    );
    assert_eq!(
        stored(i1, &manual.ap_id).await.unwrap().participant_count,
        0
    );
    i1.instance
        .app
        .decide_pledge(&OP, &manual.ap_id, &i2.handle("ong2"), true)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        pledge_status(i2, &manual.ap_id, "ong2").await.as_deref(),
        Some("accepted")
    );
    assert_eq!(
        stored(i2, &manual.ap_id).await.unwrap().participant_count,
        1
    );

    // A blocked organization's pledge is refused, whatever the approval mode.
    i1.instance
        .app
        .block(&OP, "convoca", &i3.handle("ong3"))
        .await
        .unwrap();
    net.settle().await;
    let open = i1
        .instance
        .app
        .create_call(&OP, "convoca", rally())
        .await
        .unwrap();
    i3.instance
        .app
        .pledge(&OP, "ong3", &open.ap_id)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        pledge_status(i3, &open.ap_id, "ong3").await.as_deref(),
        Some("rejected")
    );
    assert_eq!(stored(i1, &open.ap_id).await.unwrap().participant_count, 0);
}

#[tokio::test]
async fn full_calls_refuse_and_manual_calls_wait() {
    on_every_backend!(approval_scenario);
}

/// A co-organizer on another instance is invited, confirms, and shows in `organizers`.
async fn co_organizer_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 2).await;
    let (i1, i2) = (net.get(0), net.get(1));
    i1.create_actor("red", "alliance").await;
    i2.create_actor("ong2", "organization").await;
    let created = i1
        .instance
        .app
        .create_call(
            &OP,
            "red",
            CallInput {
                co_organizers: vec![i2.handle("ong2")],
                ..rally()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    assert!(
        stored(i2, &created.ap_id).await.is_some(),
        "the invitation carries the Event"
    );
    i2.instance
        .app
        .confirm_co_organizer(&OP, "ong2", &created.ap_id)
        .await
        .unwrap();
    net.settle().await;
    let uuid = created.ap_id.rsplit('/').next().unwrap();
    let (_, doc) = i1.get_json(&format!("/calls/{uuid}")).await;
    assert_eq!(
        doc["organizers"]["items"],
        json!([i1.actor_url("red"), i2.actor_url("ong2")])
    );
    let (_, upcoming) = i2.get_json("/actors/ong2/upcoming").await;
    assert_eq!(upcoming["orderedItems"], json!([created.ap_id]));

    // An alliance's calendar feed also carries its member organizations' calls.
    i1.instance
        .app
        .set_alliance_policies(
            &OP,
            "red",
            puentes_db::query::actor::AlliancePolicies {
                join: Some(puentes_core::JoinPolicy::Auto),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    i1.create_actor("ong1", "organization").await;
    i1.instance
        .app
        .join_alliance(&OP, "ong1", &i1.handle("red"))
        .await
        .unwrap();
    let member_call = i1
        .instance
        .app
        .create_call(
            &OP,
            "ong1",
            CallInput {
                title: Some("Hearing at the regional parliament".into()),
                start: Some("2027-10-05T09:30:00-05:00".into()),
                timezone: Some("America/Bogota".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (_, _, feed) = get_text(i1, "/actors/red/calendar.ics").await;
    assert!(
        feed.replace("\r\n ", "")
            .contains(&format!("UID:{}", member_call.ap_id))
    );
    assert!(
        dtstarts(&feed).contains(&"DTSTART;TZID=America/Bogota:20271005T093000".to_string()),
        "{feed}"
    );
}

#[tokio::test]
async fn co_organizers_confirm_and_are_shown() {
    on_every_backend!(co_organizer_scenario);
}

/// Mobilizon: a Person's Join (with its participationMessage) is accepted and the count
/// goes out; a Mobilizon group's Event (sent by the person who made it) and a Gancio
/// Event are stored with their time and place.
async fn mobilizon_gancio_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("convoca", "organization").await;
    let created = a
        .instance
        .app
        .create_call(&OP, "convoca", rally())
        .await
        .unwrap();
    net.settle().await;

    let remote = FakeRemote::start().await;
    let person = remote.add_actor("/@sanof44", &fixture("mobilizon/objects/person.json"));
    let join_id = format!("{}/join/event/1", remote.base);
    let join = json!({ "id": join_id, "type": "Join", "actor": person, "object": created.ap_id,
                       "participationMessage": "Vendremos unas veinte personas" });
    send(a, &remote, &person, &join).await;
    net.settle().await;
    let received: Vec<Value> = remote.received().into_iter().map(|(_, v)| v).collect();
    let accept = received
        .iter()
        .find(|v| v["type"] == "Accept")
        .expect("the Join is accepted");
    assert_eq!(accept["object"]["id"], join_id);
    assert_eq!(accept["object"]["type"], "Join");
    let update = received
        .iter()
        .find(|v| v["type"] == "Update")
        .expect("the participant gets the new count");
    assert_eq!(update["object"]["participantCount"], 1);
    let (_, all) = a.instance.app.call_pledges(&created.ap_id).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].0.message.as_deref(),
        Some("Vendremos unas veinte personas")
    );
    // Leave withdraws.
    let leave = json!({ "id": format!("{}/leave/1", remote.base), "type": "Leave",
                        "actor": person, "object": created.ap_id });
    send(a, &remote, &person, &leave).await;
    assert_eq!(
        stored(a, &created.ap_id).await.unwrap().participant_count,
        0
    );

    // Mobilizon's Event fixture: attributed to a group, created by one of its people.
    let hosts = [
        ("https://rendezvous.nomagic.uk", remote.base.as_str()),
        ("http://rendezvous.nomagic.uk", remote.base.as_str()),
    ];
    let event = remote.rewrite(&fixture("mobilizon/objects/event.json"), &hosts);
    let group = remote.add_actor(
        &path_of(event["attributedTo"].as_str().unwrap()),
        &fixture("mobilizon/objects/group.json"),
    );
    let maker = remote.add_actor(
        &path_of(event["actor"].as_str().unwrap()),
        &fixture("mobilizon/objects/person.json"),
    );
    let group_row =
        puentes_apub::fetch::actor_by_id(&a.instance.data(), &Url::parse(&group).unwrap())
            .await
            .unwrap();
    let me = a.actor("convoca").await;
    query::follow::insert(
        a.db(),
        &format!("{}/follows/mobilizon", a.base()),
        me.id,
        group_row.id,
        puentes_core::FollowState::Accepted,
    )
    .await
    .unwrap();
    let create = json!({ "id": format!("{}/create/1", remote.base), "type": "Create", "actor": maker,
                         "object": event, "to": event["to"], "cc": event["cc"] });
    send(a, &remote, &maker, &create).await;
    let copy = stored(a, event["id"].as_str().unwrap())
        .await
        .expect("the Mobilizon event is stored");
    assert_eq!(copy.organizer_id, group_row.id);
    assert_eq!(copy.start_time.to_rfc3339(), "2022-12-11T19:00:00+00:00");
    assert_eq!(
        copy.end_time.unwrap().to_rfc3339(),
        "2022-12-11T21:00:00+00:00"
    );
    assert_eq!(copy.timezone.as_deref(), Some("Europe/London"));
    assert_eq!(copy.location_name.as_deref(), Some("The Kenn Centre"));
    assert!(
        copy.location_address
            .as_deref()
            .unwrap()
            .contains("Devon Expressway")
    );
    assert_eq!(copy.latitude, Some(50.66881615));
    assert_eq!(copy.status, "confirmed");
    assert_eq!(copy.join_mode, "free");
    assert_eq!(copy.capacity, None, "Mobilizon's 0 means no limit");
    assert!(!copy.content.contains("<script"));
    // Mobilizon sends no summary: one is written in the event's own time zone.
    assert!(
        copy.summary
            .starts_with("Sun 11 Dec 2022, 19:00–21:00 GMT · The Kenn Centre, Devon Expressway"),
        "{}",
        copy.summary
    );
    let delete = json!({ "id": format!("{}/delete/1", remote.base), "type": "Delete", "actor": maker,
                         "object": event["id"], "to": [PUBLIC] });
    send(a, &remote, &maker, &delete).await;
    let deleted = stored(a, event["id"].as_str().unwrap()).await.unwrap();
    assert!(
        deleted.deleted_at.is_some(),
        "a deleted event leaves calendars"
    );

    // Gancio: one Application actor per instance; a Place whose address is a string.
    let mut relay_doc = fixture("mastodon/objects/person.json");
    relay_doc["type"] = json!("Application");
    relay_doc["preferredUsername"] = json!("relay");
    let relay = remote.add_actor("/federation/u/relay", &relay_doc);
    let relay_row =
        puentes_apub::fetch::actor_by_id(&a.instance.data(), &Url::parse(&relay).unwrap())
            .await
            .unwrap();
    query::follow::insert(
        a.db(),
        &format!("{}/follows/gancio", a.base()),
        me.id,
        relay_row.id,
        puentes_core::FollowState::Accepted,
    )
    .await
    .unwrap();
    // Shaped like Gancio's Event.toAP (lesion/gancio server/api/models/event.js).
    let gancio = json!({
        "id": format!("{}/federation/m/12", remote.base), "type": "Event",
        "name": "Assemblea pubblica", "url": format!("{}/event/assemblea-pubblica", remote.base),
        "startTime": "2027-10-02T18:30:00.000+02:00", "endTime": "2027-10-02T20:00:00.000+02:00",
        "location": { "type": "Place", "name": "Piazza Maggiore", "address": "Piazza Maggiore, Bologna",
                      "latitude": 44.4938, "longitude": 11.3426 },
        "attachment": [{ "type": "Link", "mediaType": "text/html", "name": "https://stream.example/live",
                         "href": "https://stream.example/live" }],
        "tag": [{ "type": "Hashtag", "name": "#assemblea", "href": format!("{}/tag/assemblea", remote.base) }],
        "published": "2027-09-01T10:00:00.000Z",
        "attributedTo": relay, "to": [PUBLIC], "cc": [format!("{relay}/followers")],
        "content": "<p>Tutte e tutti invitati</p>",
        "summary": "Piazza Maggiore, sabato 2 ottobre 18:30 CEST"
    });
    let create = json!({ "id": format!("{}/federation/m/12#create", remote.base), "type": "Create",
                         "actor": relay, "object": gancio, "to": [PUBLIC] });
    send(a, &remote, &relay, &create).await;
    let copy = stored(a, gancio["id"].as_str().unwrap())
        .await
        .expect("the Gancio event is stored");
    assert_eq!(copy.start_time.to_rfc3339(), "2027-10-02T16:30:00+00:00");
    assert_eq!(copy.location_name.as_deref(), Some("Piazza Maggiore"));
    assert_eq!(
        copy.location_address.as_deref(),
        Some("Piazza Maggiore, Bologna")
    );
    assert_eq!(
        copy.online_url.as_deref(),
        Some("https://stream.example/live")
    );
    assert_eq!(copy.summary, "Piazza Maggiore, sabato 2 ottobre 18:30 CEST");

    // Gancio takes no pledges: it answers a Join with Ignore (FEP-8a8e).
    let pledge = a
        .instance
        .app
        .pledge(&OP, "convoca", gancio["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(pledge.status, "pending");
    net.settle().await;
    let sent = remote
        .received()
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| v["type"] == "Join" && v["object"] == gancio["id"])
        .expect("the Join reached Gancio");
    let ignore = json!({ "id": format!("{}/ignore/1", remote.base), "type": "Ignore",
                         "actor": relay, "object": sent["id"] });
    send(a, &remote, &relay, &ignore).await;
    assert_eq!(
        pledge_status(a, gancio["id"].as_str().unwrap(), "convoca")
            .await
            .as_deref(),
        Some("rejected")
    );
}

#[tokio::test]
async fn mobilizon_and_gancio_events_and_joins() {
    if shared_fixtures().is_none() {
        eprintln!("skipping: ../shared/fixtures/ap is not beside the project");
        return;
    }
    on_every_backend!(mobilizon_gancio_scenario);
}

/// The command line refuses bad input with a clear message.
#[tokio::test]
async fn call_input_is_checked() {
    let instance = TestInstance::start(&Backend::Sqlite).await;
    instance.create_actor("convoca", "organization").await;
    let cases = [
        (
            CallInput {
                timezone: Some("Mars/Olympus".into()),
                ..rally()
            },
            "unknown time zone",
        ),
        (
            CallInput {
                end: Some("2027-09-11T13:00:00+02:00".into()),
                ..rally()
            },
            "is not after the start",
        ),
        (
            CallInput {
                start: Some("11/09/2027 14:00".into()),
                ..rally()
            },
            "not an RFC 3339 time",
        ),
        (
            CallInput {
                capacity: Some(0),
                ..rally()
            },
            "at least 1",
        ),
        (
            CallInput {
                approval: Some(puentes_core::JoinMode::External),
                ..rally()
            },
            "approval is auto (free) or manual (restricted)",
        ),
        (
            CallInput {
                online: Some("javascript:alert(1)".into()),
                ..rally()
            },
            "not an http(s) URL",
        ),
        (
            CallInput {
                title: None,
                ..rally()
            },
            "needs a title",
        ),
    ];
    for (input, expected) in cases {
        let err = instance
            .instance
            .app
            .create_call(&OP, "convoca", input)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{}", err.message());
        assert!(err.message().contains(expected), "{}", err.message());
    }
    let created = instance
        .instance
        .app
        .create_call(&OP, "convoca", rally())
        .await
        .unwrap();
    let err = instance
        .instance
        .app
        .update_call(
            &OP,
            &created.ap_id,
            CallInput {
                end: Some("2027-09-11T12:00:00+02:00".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.message().contains("is not after the start"));

    // A campaign without a date: an Article with its hashtag.
    let post = instance
        .instance
        .app
        .campaign(
            &OP,
            "convoca",
            "Regularización ya",
            "#RegularizacionYa",
            "Firma la iniciativa y compártela.",
            Some("Sign the citizens' initiative".into()),
        )
        .await
        .unwrap();
    assert_eq!(post.kind, "Article");
    assert_eq!(post.name.as_deref(), Some("Regularización ya"));
    assert!(
        post.tags_json.to_lowercase().contains("#regularizacionya"),
        "{}",
        post.tags_json
    );
    let err = instance
        .instance
        .app
        .campaign(&OP, "convoca", "x", "no spaces", "y", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
}
