//! Documents captured from real servers: the whole corpus reads without a panic, and the
//! Mastodon, Pleroma and Friendica activities go through the real inbox with real
//! signatures (ids moved to a loopback host, shapes untouched).

use crate::on_every_backend;
use puentes_apub::corpus::{Reading, read_document};
use puentes_db::query;
use puentes_tests::{Backend, FakeRemote, TestInstance, TestNetwork, fixture, shared_fixtures};
use serde_json::Value;
use url::Url;

fn corpus_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            corpus_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn whole_corpus_parses_or_is_ignored_with_a_reason() {
    let Some(dir) = shared_fixtures() else {
        if std::env::var_os("CI").is_some() {
            panic!("../shared/fixtures/ap is missing in CI");
        }
        eprintln!("skipping: ../shared/fixtures/ap is not beside the project");
        return;
    };
    let mut files = Vec::new();
    corpus_files(&dir, &mut files);
    assert!(
        files.len() >= 100,
        "expected the whole corpus, found {}",
        files.len()
    );
    let (mut actors, mut posts, mut activities) = (0, 0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let reading = std::panic::catch_unwind(|| read_document(&doc))
            .unwrap_or_else(|_| panic!("{} made the reader panic", file.display()));
        match &reading {
            Reading::Actor(_) => actors += 1,
            Reading::Post(_) => posts += 1,
            Reading::Activity { .. } => activities += 1,
            Reading::Collection(_) => {}
            Reading::Ignored(reason) => {
                assert!(!reason.is_empty());
                eprintln!("ignored {}: {reason}", file.display());
            }
        }
    }
    // Every actor and post fixture of the big servers must be understood, not ignored.
    for must in [
        "mastodon/objects/person.json",
        "pleroma/objects/person.json",
        "friendica/objects/person_1.json",
        "lemmy/objects/group.json",
        "lemmy/objects/person.json",
    ] {
        assert!(
            matches!(read_document(&fixture(must)), Reading::Actor(_)),
            "{must}"
        );
    }
    for must in [
        "mastodon/objects/note_1.json",
        "pleroma/objects/note.json",
        "friendica/objects/note_1.json",
        "lemmy/objects/page.json",
    ] {
        assert!(
            matches!(read_document(&fixture(must)), Reading::Post(_)),
            "{must}"
        );
    }
    assert!(
        actors >= 15 && posts >= 15 && activities >= 40,
        "actors {actors}, posts {posts}, activities {activities}"
    );
}

fn origin_and_path(id: &str) -> (String, String) {
    let url = Url::parse(id).unwrap();
    let origin = format!("{}://{}", url.scheme(), puentes_core::urls::authority(&url));
    (origin, url.path().to_string())
}

/// Moves the activity's actor to the fake remote (serving `actor_template` there) and
/// aims `target` (if any) at alpha. Returns the rewritten activity and the actor's new id.
fn adopt(
    remote: &FakeRemote,
    activity: &Value,
    actor_template: &Value,
    target: Option<&str>,
    alpha: &str,
) -> (Value, String) {
    let actor = activity["actor"].as_str().unwrap().to_string();
    let (origin, path) = origin_and_path(&actor);
    let mut replacements = vec![(origin.as_str(), remote.base.as_str())];
    if let Some(target) = target {
        replacements.insert(0, (target, alpha));
    }
    let rewritten = remote.rewrite(activity, &replacements);
    let actor_id = remote.add_actor(&path, actor_template);
    assert_eq!(rewritten["actor"], actor_id);
    (rewritten, actor_id)
}

/// alpha follows the remote actor, so its posts are kept.
async fn alpha_follows(a: &TestInstance, actor_id: &str) {
    let actor =
        puentes_apub::fetch::actor_by_id(&a.instance.data(), &Url::parse(actor_id).unwrap())
            .await
            .unwrap();
    let alpha = a.actor("alpha").await;
    if query::follow::between(a.db(), alpha.id, actor.id)
        .await
        .unwrap()
        .is_none()
    {
        query::follow::insert(
            a.db(),
            &format!("{}/f/{}", a.base(), actor.id),
            alpha.id,
            actor.id,
            puentes_core::FollowState::Accepted,
        )
        .await
        .unwrap();
    }
}

async fn send(a: &TestInstance, remote: &FakeRemote, actor_id: &str, activity: &Value) {
    let (status, text) = remote
        .post(&format!("{}/inbox", a.base()), actor_id, activity)
        .await;
    assert_eq!(status, 202, "{} refused: {text}", activity["type"]);
}

async fn mastodon_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let alpha = a.actor_url("alpha");
    let remote = FakeRemote::start().await;
    let person = fixture("mastodon/objects/person.json");

    let (follow, follower) = adopt(
        &remote,
        &fixture("mastodon/activities/follow.json"),
        &person,
        Some("https://ds9.lemmy.ml/c/testcom"),
        &alpha,
    );
    send(a, &remote, &follower, &follow).await;
    net.settle().await;
    assert_eq!(a.followers("alpha").await, vec![follower.clone()]);
    let accept = remote
        .received()
        .into_iter()
        .find(|(_, b)| b["type"] == "Accept")
        .expect("Accept sent back");
    assert_eq!(
        accept.1["object"]["id"], follow["id"],
        "the Accept names Mastodon's Follow"
    );
    let stored = query::actor::by_ap_id(a.db(), &follower)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.kind, "Person");
    assert!(stored.shared_inbox.is_some());

    let (undo, _) = adopt(
        &remote,
        &fixture("mastodon/activities/undo_follow.json"),
        &person,
        Some("https://ds9.lemmy.ml/c/testcom"),
        &alpha,
    );
    send(a, &remote, &follower, &undo).await;
    assert!(a.followers("alpha").await.is_empty());

    let (create, author) = adopt(
        &remote,
        &fixture("mastodon/activities/create_note.json"),
        &person,
        None,
        &alpha,
    );
    alpha_follows(a, &author).await;
    send(a, &remote, &author, &create).await;
    let post = a
        .post_by_id(create["object"]["id"].as_str().unwrap())
        .await
        .expect("note stored");
    assert_eq!(
        post.visibility, "unlisted",
        "Mastodon's cc:Public is unlisted"
    );
    assert!(post.in_reply_to.is_some());
    assert!(!post.content.contains("<script"));

    let (delete, deleter) = adopt(
        &remote,
        &fixture("mastodon/activities/delete.json"),
        &person,
        None,
        &alpha,
    );
    send(a, &remote, &deleter, &delete).await;
}

#[tokio::test]
async fn mastodon_documents_are_accepted() {
    if shared_fixtures().is_none() {
        return;
    }
    on_every_backend!(mastodon_scenario);
}

async fn pleroma_and_friendica_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let alpha = a.actor_url("alpha");
    let remote = FakeRemote::start().await;

    let pleroma = fixture("pleroma/objects/person.json");
    let (follow, follower) = adopt(
        &remote,
        &fixture("pleroma/activities/follow.json"),
        &pleroma,
        Some("https://lemmy.ca/u/kinetix"),
        &alpha,
    );
    send(a, &remote, &follower, &follow).await;
    assert_eq!(a.followers("alpha").await, vec![follower]);
    let (create, author) = adopt(
        &remote,
        &fixture("pleroma/activities/create_note.json"),
        &pleroma,
        None,
        &alpha,
    );
    alpha_follows(a, &author).await;
    send(a, &remote, &author, &create).await;
    assert_eq!(
        a.post_by_id(create["object"]["id"].as_str().unwrap())
            .await
            .expect("stored")
            .visibility,
        "public"
    );
    let (delete, deleter) = adopt(
        &remote,
        &fixture("pleroma/activities/delete.json"),
        &pleroma,
        None,
        &alpha,
    );
    send(a, &remote, &deleter, &delete).await;

    let friendica = fixture("friendica/objects/person_1.json");
    let (create, author) = adopt(
        &remote,
        &fixture("friendica/activities/create_note.json"),
        &friendica,
        None,
        &alpha,
    );
    alpha_follows(a, &author).await;
    send(a, &remote, &author, &create).await;
    assert!(
        a.post_by_id(create["object"]["id"].as_str().unwrap())
            .await
            .is_some()
    );

    let (update, editor) = adopt(
        &remote,
        &fixture("friendica/activities/update_note.json"),
        &friendica,
        None,
        &alpha,
    );
    alpha_follows(a, &editor).await;
    send(a, &remote, &editor, &update).await;
    let note_id = update["object"]["id"].as_str().unwrap();
    assert!(
        a.post_by_id(note_id).await.is_some(),
        "an Update of an unseen note from a followed actor is kept"
    );
    let (delete, _) = adopt(
        &remote,
        &fixture("friendica/activities/delete.json"),
        &friendica,
        None,
        &alpha,
    );
    send(a, &remote, &editor, &delete).await;
    assert!(
        a.post_by_id(note_id).await.unwrap().deleted_at.is_some(),
        "Friendica's Delete leaves a tombstone"
    );
}

#[tokio::test]
async fn pleroma_and_friendica_documents_are_accepted() {
    if shared_fixtures().is_none() {
        return;
    }
    on_every_backend!(pleroma_and_friendica_scenario);
}
