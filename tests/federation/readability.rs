//! How our objects read in software that shows `content` (GoToSocial, Misskey, Lemmy)
//! as well as in Mastodon (which shows `name`, `summary` and the address). Before: a call
//! with no description went out with empty `content` and `contentMap {"en": ""}`, so
//! GoToSocial showed nothing but a content warning; statements had no title in `content`.

use crate::on_every_backend;
use puentes_app::calls::CallInput;
use puentes_apub::objects::statement::digest_of;
use puentes_db::query::call as q;
use puentes_tests::{Backend, FakeRemote, OP, TestNetwork};
use sea_orm::ConnectionTrait;
use serde_json::json;

fn path(url: &str) -> String {
    url::Url::parse(url).unwrap().path().to_string()
}

async fn call_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 2).await;
    let (a, b) = (net.get(0), net.get(1));
    a.create_actor("red", "alliance").await;
    b.create_actor("ong", "organization").await;
    b.app().follow(&OP, "ong", &a.handle("red")).await.unwrap();
    net.settle().await;
    let input = CallInput {
        title: Some("Rally for the right to asylum".into()),
        start: Some("2027-09-11T14:00:00+02:00".into()),
        end: Some("2027-09-11T17:00:00+02:00".into()),
        timezone: Some("Europe/Berlin".into()),
        place: Some("Marktplatz, Leipzig".into()),
        summary: Some("Bring banners".into()),
        language: Some("en".into()),
        ..Default::default()
    };
    // Only an ask, no description.
    let bare = a
        .app()
        .create_call(&OP, "red", input.clone())
        .await
        .unwrap();
    let (_, event) = a.get_json(&path(&bare.ap_id)).await;
    let page = event["url"].as_str().unwrap().to_string();
    let content = event["content"].as_str().unwrap();
    assert!(
        content.starts_with("<p><strong>Rally for the right to asylum</strong></p><p>Sat 11 Sep 2027, 14:00–17:00 CEST · Marktplatz, Leipzig · Bring banners · Pledge: "),
        "{content}"
    );
    assert!(
        content.contains(&format!("<a href=\"{page}\">{page}</a>")),
        "{content}"
    );
    assert_eq!(event["contentMap"], json!({ "en": content }));
    assert_eq!(event["name"], "Rally for the right to asylum");
    assert!(
        !event["summary"].as_str().unwrap().contains('<'),
        "summary stays plain"
    );

    // With a description in two languages: each entry reads whole.
    let described = a
        .app()
        .create_call(
            &OP,
            "red",
            CallInput {
                description: Some("We gather in front of the **town hall**.".into()),
                translations: vec![("es".into(), "Nos reunimos ante el ayuntamiento.".into())],
                ..input
            },
        )
        .await
        .unwrap();
    let (_, event) = a.get_json(&path(&described.ap_id)).await;
    let map = event["contentMap"].as_object().unwrap();
    assert_eq!(map.len(), 2, "{map:?}");
    for (lang, text) in map {
        let text = text.as_str().unwrap();
        assert!(text.starts_with("<p><strong>Rally"), "{lang}: {text}");
        assert!(!text.trim().is_empty());
    }
    assert!(
        map["en"]
            .as_str()
            .unwrap()
            .contains("<strong>town hall</strong>")
    );
    assert!(map["es"].as_str().unwrap().contains("ayuntamiento"));
    assert_eq!(event["content"], map["en"]);

    // Another Puentes instance keeps the description for its pages, not title and
    // summary twice.
    net.settle().await;
    let bare_copy = q::by_ap_id(b.db(), &bare.ap_id).await.unwrap().unwrap();
    assert_eq!(bare_copy.content, "", "{}", bare_copy.content);
    let copy = q::by_ap_id(b.db(), &described.ap_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!copy.content.contains("Rally"), "{}", copy.content);
    assert!(copy.content.contains("town hall"), "{}", copy.content);
}

#[tokio::test]
async fn calls_read_whole_where_only_content_is_shown() {
    on_every_backend!(call_scenario);
}

/// A version endorsed before `content` carried title and address keeps the core its
/// digest was made over, so its endorsements still match.
async fn legacy_statement_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("red", "alliance").await;
    let row = a
        .app()
        .create_statement(
            &OP,
            "red",
            puentes_app::statements::Draft {
                title: "Declaración".into(),
                text: "Vías seguras ya. Informe: https://ngo.example/informe".into(),
                ask: None,
                language: Some("es".into()),
                translations: vec![],
                policy: Some(puentes_core::EndorsementPolicy::Anyone),
                deadline: None,
            },
        )
        .await
        .unwrap();
    let version = a.app().open_statement(&OP, &row.uuid).await.unwrap();
    let path = path(&version.ap_id);
    let (_, doc) = a.get_json(&path).await;
    assert_eq!(digest_of(&doc).unwrap(), version.digest);
    let text = doc["content"].as_str().unwrap();
    assert!(
        text.starts_with("<p><strong>Declaración</strong></p>"),
        "{text}"
    );
    assert!(
        text.contains("<a href=\"https://ngo.example/informe\""),
        "bare addresses in the Markdown are links: {text}"
    );

    // As an earlier version digested it: the stored text alone.
    let stored: String = {
        let row = a
            .db()
            .query_one_raw(sea_orm::Statement::from_string(
                a.db().get_database_backend(),
                format!(
                    "SELECT content FROM statement_version WHERE id = {}",
                    version.id
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "content").unwrap()
    };
    let mut legacy = doc.clone();
    legacy["content"] = json!(stored);
    legacy["contentMap"] = json!({ "es": stored });
    let legacy_digest = digest_of(&legacy).unwrap();
    a.db()
        .execute_unprepared(&format!(
            "UPDATE statement_version SET digest = '{legacy_digest}' WHERE id = {}",
            version.id
        ))
        .await
        .unwrap();
    let (_, served) = a.get_json(&path).await;
    assert_eq!(served["content"], json!(stored));
    assert_eq!(digest_of(&served).unwrap(), legacy_digest);
    let report = puentes_apub::statements::verify::verify(&a.instance.ctx, &version.ap_id)
        .await
        .unwrap();
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn statements_endorsed_before_keep_their_digest() {
    on_every_backend!(legacy_statement_scenario);
}

/// Boosts of our statements and calls and likes of our calls, counted once per actor as
/// boosts of posts are, and undone by `Undo`. Before: all of them were ignored.
async fn reactions_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("red", "alliance").await;
    let row = a
        .app()
        .create_statement(
            &OP,
            "red",
            puentes_app::statements::Draft {
                title: "Vías seguras".into(),
                text: "Exigimos vías seguras.".into(),
                ask: None,
                language: Some("es".into()),
                translations: vec![],
                policy: Some(puentes_core::EndorsementPolicy::Anyone),
                deadline: None,
            },
        )
        .await
        .unwrap();
    let version = a.app().open_statement(&OP, &row.uuid).await.unwrap();
    let call = a
        .app()
        .create_call(
            &OP,
            "red",
            CallInput {
                title: Some("Concentración".into()),
                start: Some("2027-09-11T14:00:00+02:00".into()),
                timezone: Some("Europe/Madrid".into()),
                place: Some("Plaza Mayor".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let remote = FakeRemote::start().await;
    let fan = remote.add_actor(
        "/users/fan",
        &json!({ "type": "Person", "preferredUsername": "fan" }),
    );
    let otro = remote.add_actor(
        "/users/otro",
        &json!({ "type": "Person", "preferredUsername": "otro" }),
    );
    let inbox = format!("{}/inbox", a.base());
    let send = |actor: &str, kind: &str, n: &str, object: &str| {
        json!({ "id": format!("{actor}/{kind}/{n}"), "type": kind, "actor": actor, "object": object,
                "to": ["https://www.w3.org/ns/activitystreams#Public"] })
    };
    let counts = |doc: &serde_json::Value| {
        (
            doc["shares"]["totalItems"].as_u64(),
            doc["likes"]["totalItems"].as_u64(),
        )
    };

    // Boosts of the statement: by its version id and by its address, once per actor.
    for (actor, n, object) in [
        (&fan, "1", version.ap_id.as_str()),
        (&fan, "2", row.ap_url.as_str()),
        (&otro, "3", row.ap_url.as_str()),
    ] {
        let (status, body) = remote
            .post(&inbox, actor, &send(actor, "Announce", n, object))
            .await;
        assert_eq!(status, 202, "{body}");
    }
    let (_, doc) = a.get_json(&path(&version.ap_id)).await;
    assert_eq!(counts(&doc).0, Some(2), "{doc}");

    // The call: boosted, liked (twice by one actor, once by another), one like undone.
    let boost = send(&fan, "Announce", "4", &call.ap_id);
    assert_eq!(remote.post(&inbox, &fan, &boost).await.0, 202);
    for (actor, n) in [(&fan, "5"), (&fan, "6"), (&otro, "7")] {
        let like = send(actor, "Like", n, &call.ap_id);
        assert_eq!(remote.post(&inbox, actor, &like).await.0, 202);
    }
    let (_, event) = a.get_json(&path(&call.ap_id)).await;
    assert_eq!(counts(&event), (Some(1), Some(2)), "{event}");
    let undo_like = json!({ "id": format!("{otro}/undo/1"), "type": "Undo", "actor": otro,
                            "object": send(&otro, "Like", "7", &call.ap_id) });
    assert_eq!(remote.post(&inbox, &otro, &undo_like).await.0, 202);
    let undo_boost = json!({ "id": format!("{fan}/undo/2"), "type": "Undo", "actor": fan,
                             "object": format!("{fan}/Announce/1") });
    assert_eq!(remote.post(&inbox, &fan, &undo_boost).await.0, 202);
    let (_, event) = a.get_json(&path(&call.ap_id)).await;
    assert_eq!(counts(&event), (Some(1), Some(1)), "{event}");
    let (_, doc) = a.get_json(&path(&version.ap_id)).await;
    assert_eq!(counts(&doc).0, Some(1), "{doc}");
}

#[tokio::test]
async fn boosts_and_likes_of_statements_and_calls_are_counted() {
    on_every_backend!(reactions_scenario);
}
