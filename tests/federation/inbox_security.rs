use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{Backend, FakeRemote, TestNetwork};
use serde_json::{Value, json};

fn note_create(remote: &FakeRemote, actor: &str, n: u32, to: &str) -> Value {
    let note = format!("{}/notes/{n}", remote.base);
    json!({
        "id": format!("{note}/activity"), "type": "Create", "actor": actor,
        "to": [to], "object": { "id": note, "type": "Note", "attributedTo": actor,
        "content": format!("<p>note {n}</p>"), "to": [to] }
    })
}

async fn refused_requests_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let inbox = format!("{}/actors/alpha/inbox", a.base());
    let remote = FakeRemote::start().await;
    let actor = remote.add_actor(
        "/users/mallory",
        &json!({ "type": "Person", "preferredUsername": "mallory" }),
    );
    let alpha = a.actor_url("alpha");

    // Unsigned.
    let body = note_create(&remote, &actor, 1, &alpha)
        .to_string()
        .into_bytes();
    let digest = vec![("Digest", puentes_apub::signing::digest_header(&body))];
    let (status, text) = remote.post_raw(&inbox, digest, body.clone()).await;
    assert_eq!(status, 401, "{text}");

    // Signed with another key than the actor's (a forgery).
    let forger = FakeRemote::start().await;
    let headers = forger.sign_headers(&inbox, &format!("{actor}#main-key"), &body);
    let (status, _) = remote.post_raw(&inbox, headers, body.clone()).await;
    assert_eq!(status, 401);

    // Body changed after signing.
    let headers = remote.sign_headers(&inbox, &format!("{actor}#main-key"), &body);
    let tampered = note_create(&remote, &actor, 2, &alpha)
        .to_string()
        .into_bytes();
    let (status, _) = remote.post_raw(&inbox, headers, tampered).await;
    assert_eq!(status, 401);

    // Signed for another path.
    let headers = remote.sign_headers(
        &format!("{}/inbox", a.base()),
        &format!("{actor}#main-key"),
        &body,
    );
    let (status, _) = remote.post_raw(&inbox, headers, body.clone()).await;
    assert_eq!(status, 401);

    // A Date a day old.
    let mut headers = remote.sign_headers(&inbox, &format!("{actor}#main-key"), &body);
    for (name, value) in headers.iter_mut() {
        if *name == "Date" {
            *value = httpdate_days_ago(1);
        }
    }
    let (status, _) = remote.post_raw(&inbox, headers, body.clone()).await;
    assert_eq!(status, 401);

    // Malformed JSON gets a 400 with a reason.
    let junk = b"{not json".to_vec();
    let headers = remote.sign_headers(&inbox, &format!("{actor}#main-key"), &junk);
    let (status, text) = remote.post_raw(&inbox, headers, junk).await;
    assert_eq!(status, 400);
    assert!(text.contains("not valid JSON"), "{text}");

    // Too large.
    let huge = vec![b' '; 2 * 1024 * 1024];
    let (status, _) = remote.post_raw(&inbox, vec![], huge).await;
    assert_eq!(status, 413);

    // Nothing of it was stored.
    assert!(
        query::post::by_ap_id(a.db(), &format!("{}/notes/1", remote.base))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        query::post::by_ap_id(a.db(), &format!("{}/notes/2", remote.base))
            .await
            .unwrap()
            .is_none()
    );
}

fn httpdate_days_ago(days: u64) -> String {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 24 * 3600);
    let date = chrono::DateTime::<chrono::Utc>::from(then);
    date.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[tokio::test]
async fn forged_unsigned_and_stale_requests_are_refused() {
    on_every_backend!(refused_requests_scenario);
}

async fn replay_and_tolerance_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let actor = remote.add_actor(
        "/users/ana",
        &json!({ "type": "Person", "preferredUsername": "ana" }),
    );
    let alpha = a.actor_url("alpha");
    // A trailing slash, signed as sent. (bovine's lower-case `sha-256=` digest is exercised
    // by the bovine peer test, which sends it that way.)
    let inbox = format!("{}/actors/alpha/inbox/", a.base());
    let activity = note_create(&remote, &actor, 7, &alpha);
    let body = activity.to_string().into_bytes();
    let headers = remote.sign_headers(&inbox, &format!("{actor}#main-key"), &body);
    let (status, text) = remote.post_raw(&inbox, headers.clone(), body.clone()).await;
    assert_eq!(status, 202, "{text}");
    // The very same request again: accepted, applied once.
    let (status, _) = remote.post_raw(&inbox, headers, body).await;
    assert_eq!(status, 202);
    let stored = query::post::by_ap_id(a.db(), &format!("{}/notes/7", remote.base))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.content, "<p>note 7</p>");
    assert_eq!(stored.visibility, "direct");

    // The same post in another Create (another activity id, as when a relay and the author
    // both deliver it): accepted, and the post is stored once, unchanged.
    let mut again = activity.clone();
    again["id"] = json!(format!("{}/notes/7/activity-again", remote.base));
    again["object"]["content"] = json!("<p>not an edit</p>");
    let body = again.to_string().into_bytes();
    let headers = remote.sign_headers(&inbox, &format!("{actor}#main-key"), &body);
    let (status, text) = remote.post_raw(&inbox, headers, body).await;
    assert_eq!(status, 202, "{text}");
    let kept = query::post::by_ap_id(a.db(), &stored.ap_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.id, kept.content.as_str()),
        (stored.id, "<p>note 7</p>")
    );

    // A key that cannot be fetched right now: 503, so the sender retries.
    let ghost_actor = "http://localhost:9/users/ghost".to_string();
    let ghost = json!({ "id": "http://localhost:9/a/1", "type": "Follow", "actor": ghost_actor, "object": alpha });
    let (status, _) = remote
        .post(&format!("{}/inbox", a.base()), &ghost_actor, &ghost)
        .await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn replayed_requests_apply_once_and_peers_quirks_are_tolerated() {
    on_every_backend!(replay_and_tolerance_scenario);
}
