//! Groups across software: a Lemmy community's Announce forms arriving here, Mastodon
//! boosts of our posts, the Announce form each receiving software gets from our alliances
//! (chosen from its NodeInfo), and the Group actor documents of other servers.

use crate::on_every_backend;
use puentes_app::posts::NewPost;
use puentes_apub::corpus::{Reading, read_document};
use puentes_db::query;
use puentes_tests::{Backend, FakeRemote, OP, TestInstance, TestNetwork, fixture, shared_fixtures};
use serde_json::{Value, json};
use url::Url;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn fixtures_missing() -> bool {
    if shared_fixtures().is_none() {
        eprintln!("skipping: ../shared/fixtures/ap is not beside the project");
        return true;
    }
    false
}

fn path_of(id: &str) -> String {
    Url::parse(id).unwrap().path().to_string()
}

/// Serves a document at the path of its own id.
fn serve(remote: &FakeRemote, doc: &Value) {
    remote.add_document(&path_of(doc["id"].as_str().unwrap()), doc.clone());
}

/// Lemmy's Person document under another name, for a second user on one host.
fn lemmy_person(name: &str) -> Value {
    let mut person = fixture("lemmy/objects/person.json");
    person["preferredUsername"] = json!(name);
    person
}

/// The ids of everyone this instance knows to have announced `object`, in order.
/// `local` follows the remote actor (stored directly, as if the remote had accepted).
async fn follows(instance: &TestInstance, local: &str, actor_id: &str) {
    let remote =
        puentes_apub::fetch::actor_by_id(&instance.instance.data(), &Url::parse(actor_id).unwrap())
            .await
            .unwrap();
    let me = instance.actor(local).await;
    query::follow::insert(
        instance.db(),
        &format!("{}/follows/{}", instance.base(), remote.id),
        me.id,
        remote.id,
        puentes_core::FollowState::Accepted,
    )
    .await
    .unwrap();
}

async fn send(instance: &TestInstance, remote: &FakeRemote, actor_id: &str, activity: &Value) {
    let (status, text) = remote
        .post(&format!("{}/inbox", instance.base()), actor_id, activity)
        .await;
    assert_eq!(status, 202, "{} refused: {text}", activity["type"]);
}

/// Lemmy's community Announces: `Announce{Create{Page}}` of a post, the same for a comment
/// (a Note replying to it), and the Announce of a vote, which is not a post.
async fn lemmy_announce_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let base = remote.base.as_str();
    let hosts = [
        ("http://enterprise.lemmy.ml", base),
        ("https://enterprise.lemmy.ml", base),
        ("http://ds9.lemmy.ml", base),
        ("https://ds9.lemmy.ml", base),
    ];

    let announce = remote.rewrite(
        &fixture("lemmy/activities/community/announce_create_page.json"),
        &hosts,
    );
    let group = remote.add_actor("/c/main", &fixture("lemmy/objects/group.json"));
    assert_eq!(announce["actor"], group);
    let page = announce["object"]["object"].clone();
    let author = remote.add_actor("/u/lemmy_beta", &lemmy_person("lemmy_beta"));
    assert_eq!(page["attributedTo"], author);
    // Puentes reads the announced object from its origin, not from the relay: the copy
    // inside the Announce is not trusted.
    serve(&remote, &page);
    let page_id = page["id"].as_str().unwrap().to_string();
    let mut announce = announce;
    announce["object"]["object"]["name"] = json!("forged by the relay");

    follows(a, "alpha", &group).await;
    let community = query::actor::by_ap_id(a.db(), &group)
        .await
        .unwrap()
        .expect("the community is stored");
    assert_eq!(community.kind, "Group");
    assert_eq!(community.username, "tenforward");
    assert_eq!(community.display_name.as_deref(), Some("Ten Forward"));

    send(a, &remote, &group, &announce).await;
    let stored = a
        .post_by_id(&page_id)
        .await
        .expect("the announced Page is stored");
    assert_eq!(stored.kind, "Page");
    assert_eq!(stored.name.as_deref(), Some("post 4"));
    assert_eq!(stored.visibility, "public");
    let stored_author = query::actor::get(a.db(), stored.author_id).await.unwrap();
    assert_eq!(stored_author.ap_id, author, "attributed to its author");
    assert_eq!(stored_author.kind, "Person");
    assert_eq!(a.announcers(&page_id).await, vec![group.clone()]);

    // Lemmy redelivers, and announces again under a new id: still one relay.
    send(a, &remote, &group, &announce).await;
    let mut again = announce.clone();
    again["id"] = json!(format!("{base}/activities/announce/again"));
    send(a, &remote, &group, &again).await;
    assert_eq!(a.announcers(&page_id).await, vec![group.clone()]);

    // A comment: Announce{Create{Note}} whose author is another user.
    let commenter = remote.add_actor("/u/lemmy_alpha", &lemmy_person("lemmy_alpha"));
    let create = remote.rewrite(
        &fixture("lemmy/activities/create_or_update/create_comment.json"),
        &[
            ("http://ds9.lemmy.ml/post/1", page_id.as_str()),
            hosts[0],
            hosts[1],
            hosts[2],
            hosts[3],
        ],
    );
    let comment = create["object"].clone();
    assert_eq!(comment["attributedTo"], commenter);
    serve(&remote, &comment);
    let mut wrapped = announce.clone();
    wrapped["id"] = json!(format!("{base}/activities/announce/comment-1"));
    wrapped["object"] = create.clone();
    send(a, &remote, &group, &wrapped).await;
    let comment_id = comment["id"].as_str().unwrap();
    let reply = a
        .post_by_id(comment_id)
        .await
        .expect("the announced comment is stored");
    assert_eq!(reply.kind, "Note");
    assert_eq!(reply.in_reply_to.as_deref(), Some(page_id.as_str()));
    assert_eq!(reply.audience.as_deref(), Some(group.as_str()));
    assert_eq!(
        query::actor::get(a.db(), reply.author_id)
            .await
            .unwrap()
            .ap_id,
        commenter
    );
    assert_eq!(a.announcers(comment_id).await, vec![group.clone()]);

    // A vote forwarded by the community: Announce{Like}. Not a post: accepted, not stored.
    let like = remote.rewrite(
        &fixture("lemmy/activities/voting/like_note.json"),
        &[
            ("http://ds9.lemmy.ml/comment/1", comment_id),
            hosts[0],
            hosts[1],
            hosts[2],
            hosts[3],
        ],
    );
    serve(&remote, &like);
    let mut forwarded = announce.clone();
    forwarded["id"] = json!(format!("{base}/activities/announce/like-1"));
    forwarded["object"] = like.clone();
    send(a, &remote, &group, &forwarded).await;
    let like_id = like["id"].as_str().unwrap();
    assert!(a.post_by_id(like_id).await.is_none());
    assert!(a.announcers(like_id).await.is_empty());
    assert_eq!(
        a.announcers(comment_id).await,
        vec![group.clone()],
        "a vote on the comment is not a second relay of it"
    );

    // The community forwards an edit of the page: the origin is asked, not the relay.
    let mut edited = page.clone();
    edited["name"] = json!("post 4, edited");
    serve(&remote, &edited);
    let mut update = announce.clone();
    update["id"] = json!(format!("{base}/activities/announce/update-1"));
    update["object"] = json!({ "id": format!("{base}/activities/update/1"), "type": "Update",
                               "actor": author, "object": { "id": page_id, "type": "Page", "name": "forged" } });
    send(a, &remote, &group, &update).await;
    assert_eq!(
        a.post_by_id(&page_id).await.unwrap().name.as_deref(),
        Some("post 4, edited")
    );

    // And a deletion: the page is gone at its origin, so a tombstone stays here.
    let page_path = url::Url::parse(&page_id).unwrap().path().to_string();
    remote.remove_document(&page_path);
    let mut delete = announce.clone();
    delete["id"] = json!(format!("{base}/activities/announce/delete-1"));
    delete["object"] = json!({ "id": format!("{base}/activities/delete/1"), "type": "Delete",
                               "actor": author, "object": page_id });
    send(a, &remote, &group, &delete).await;
    assert!(
        a.post_by_id(&page_id).await.unwrap().deleted_at.is_some(),
        "forwarded deletion applied"
    );
}

#[tokio::test]
async fn lemmy_community_announces_are_understood() {
    if fixtures_missing() {
        return;
    }
    on_every_backend!(lemmy_announce_scenario);
}

/// A Mastodon user boosts a post of ours: `Announce{object: "<our post id>"}`.
async fn mastodon_boost_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let booster = remote.add_actor("/users/booster", &fixture("mastodon/objects/person.json"));
    follows(a, "alpha", &booster).await;

    let post = a
        .post("alpha", "Campaña de invierno", "public")
        .await
        .unwrap();
    net.settle().await;
    assert!(a.announcers(&post.ap_id).await.is_empty());

    // Someone nobody here follows boosts it too: a boost of our post always counts.
    let stranger = remote.add_actor("/users/stranger", &fixture("mastodon/objects/person.json"));
    let stranger_boost = json!({
        "id": format!("{stranger}/statuses/7/activity"), "type": "Announce", "actor": stranger,
        "to": [PUBLIC], "cc": [a.actor_url("alpha")], "object": post.ap_id,
    });
    send(a, &remote, &stranger, &stranger_boost).await;
    assert_eq!(a.announcers(&post.ap_id).await, vec![stranger.clone()]);

    // As Mastodon sends it (ActivityPub::ActivitySerializer for a reblog).
    let boost = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{booster}/statuses/113/activity"),
        "type": "Announce",
        "actor": booster,
        "published": "2024-11-02T10:00:00Z",
        "to": [PUBLIC],
        "cc": [a.actor_url("alpha"), format!("{booster}/followers")],
        "object": post.ap_id,
    });
    send(a, &remote, &booster, &boost).await;
    assert_eq!(
        a.announcers(&post.ap_id).await,
        vec![stranger.clone(), booster.clone()],
        "the boost is recorded"
    );
    // The same boost delivered again (to the shared inbox and to alpha's inbox).
    send(a, &remote, &booster, &boost).await;
    let (status, text) = remote
        .post(&format!("{}/inbox", a.actor_url("alpha")), &booster, &boost)
        .await;
    assert_eq!(status, 202, "{text}");
    net.settle().await;
    assert_eq!(
        a.announcers(&post.ap_id).await,
        vec![stranger.clone(), booster.clone()],
        "applied once"
    );
    let unchanged = a.post_by_id(&post.ap_id).await.unwrap();
    assert!(unchanged.local);
    assert_eq!(
        query::actor::get(a.db(), unchanged.author_id)
            .await
            .unwrap()
            .ap_id,
        a.actor_url("alpha"),
        "a boost does not change the author"
    );
}

#[tokio::test]
async fn mastodon_boosts_of_our_posts_are_recorded_once() {
    if fixtures_missing() {
        return;
    }
    on_every_backend!(mastodon_boost_scenario);
}

/// NodeInfo 2.1 as `software` serves it, the links document pointing at the same host.
fn serve_nodeinfo(remote: &FakeRemote, software: &str) {
    remote.add_document(
        "/.well-known/nodeinfo",
        json!({ "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": format!("{}/nodeinfo/2.1", remote.base),
        }]}),
    );
    remote.add_document(
        "/nodeinfo/2.1",
        json!({
            "version": "2.1",
            "software": { "name": software, "version": "1.0.0" },
            "protocols": ["activitypub"],
            "services": { "inbound": [], "outbound": [] },
            "openRegistrations": true,
            "usage": { "users": { "total": 1 } },
            "metadata": {},
        }),
    );
}

/// The remote's actor follows `target` with its software's own Follow.
async fn remote_follows(
    remote: &FakeRemote,
    follow_fixture: &str,
    actor_template: &str,
    target: &str,
) -> String {
    let original = fixture(follow_fixture);
    let actor = original["actor"].as_str().unwrap();
    let old_target = original["object"].as_str().unwrap();
    let origin = {
        let url = Url::parse(actor).unwrap();
        format!("{}://{}", url.scheme(), puentes_core::urls::authority(&url))
    };
    let follow = remote.rewrite(
        &original,
        &[
            (old_target, target),
            (origin.as_str(), remote.base.as_str()),
        ],
    );
    let actor_id = remote.add_actor(&path_of(actor), &fixture(actor_template));
    assert_eq!(follow["actor"], actor_id);
    assert_eq!(follow["object"], target);
    let (status, text) = remote
        .post(&format!("{target}/inbox"), &actor_id, &follow)
        .await;
    assert_eq!(status, 202, "Follow refused: {text}");
    actor_id
}

fn announces(remote: &FakeRemote) -> Vec<Value> {
    remote
        .received()
        .into_iter()
        .map(|(_, body)| body)
        .filter(|body| body["type"] == "Announce")
        .collect()
}

/// A local alliance with two remote followers, one on Mastodon and one on Lemmy (each
/// told apart only by its NodeInfo), a local member, and that member's post to it.
struct AllianceWithFollowers {
    net: TestNetwork,
    mastodon: FakeRemote,
    lemmy: FakeRemote,
    red: String,
    ong: String,
    post: puentes_db::post::Model,
}

async fn alliance_with_followers(backend: &Backend) -> AllianceWithFollowers {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_open_alliance("red").await;
    a.create_actor("ong", "organization").await;
    let red = a.actor_url("red");
    let ong = a.actor_url("ong");

    let mastodon = FakeRemote::start().await;
    serve_nodeinfo(&mastodon, "mastodon");
    let lemmy = FakeRemote::start().await;
    serve_nodeinfo(&lemmy, "lemmy");
    let masto_user = remote_follows(
        &mastodon,
        "mastodon/activities/follow.json",
        "mastodon/objects/person.json",
        &red,
    )
    .await;
    let lemmy_user = remote_follows(
        &lemmy,
        "lemmy/activities/following/follow.json",
        "lemmy/objects/person.json",
        &red,
    )
    .await;
    net.settle().await;
    let mut followers = a.followers("red").await;
    followers.sort();
    let mut expected = vec![masto_user, lemmy_user];
    expected.sort();
    assert_eq!(followers, expected, "the alliance accepted both followers");
    for remote in [&mastodon, &lemmy] {
        assert!(
            remote.received().iter().any(|(_, b)| b["type"] == "Accept"),
            "{} got its Accept",
            remote.base
        );
    }

    a.instance
        .app
        .join_alliance(&OP, "ong", &a.handle("red"))
        .await
        .unwrap();
    let post = a
        .instance
        .app
        .publish(
            &OP,
            "ong",
            NewPost {
                to_alliance: Some(a.handle("red")),
                ..NewPost::text("Informe sobre la frontera")
            },
        )
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(a.announcers(&post.ap_id).await, vec![red.clone()]);
    AllianceWithFollowers {
        net,
        mastodon,
        lemmy,
        red,
        ong,
        post,
    }
}

/// The alliance relays a member's post as `Announce{id}` to Mastodon and as the FEP-1b12
/// `Announce{Create{Note}}` to Lemmy.
async fn announce_forms_scenario(backend: &Backend) {
    let AllianceWithFollowers {
        mastodon,
        lemmy,
        red,
        ong,
        post,
        ..
    } = alliance_with_followers(backend).await;

    // Mastodon: the post's id, never a wrapped Create (Mastodon drops those).
    let to_mastodon = announces(&mastodon);
    assert_eq!(to_mastodon.len(), 1, "{to_mastodon:#?}");
    let plain = &to_mastodon[0];
    assert_eq!(plain["actor"], red);
    assert_eq!(plain["object"], post.ap_id, "object is the post id");
    assert!(plain["object"].is_string());
    assert_eq!(plain["to"], json!([PUBLIC]));
    let cc = plain["cc"].as_array().unwrap();
    assert!(cc.contains(&json!(ong)), "cc names the author: {cc:?}");
    assert!(
        cc.contains(&json!(format!("{red}/followers"))),
        "cc names the alliance's followers: {cc:?}"
    );

    // Lemmy: FEP-1b12, the Create with the whole Note, whose audience is the alliance.
    let to_lemmy = announces(&lemmy);
    assert_eq!(to_lemmy.len(), 1, "{to_lemmy:#?}");
    let wrapped = &to_lemmy[0];
    assert_eq!(wrapped["actor"], red);
    assert_eq!(wrapped["audience"], red);
    let create = &wrapped["object"];
    assert_eq!(create["type"], "Create");
    assert_eq!(create["actor"], ong);
    let note = &create["object"];
    assert_eq!(note["type"], "Note");
    assert_eq!(note["id"], post.ap_id);
    assert_eq!(note["attributedTo"], ong);
    assert_eq!(note["audience"], red);
    assert!(
        note["content"]
            .as_str()
            .unwrap()
            .contains("Informe sobre la frontera")
    );
}

#[tokio::test]
async fn alliances_announce_in_the_form_each_software_reads() {
    if fixtures_missing() {
        return;
    }
    on_every_backend!(announce_forms_scenario);
}

/// A member's reply in the alliance's thread is forwarded to group-aware software only
/// (DESIGN §4, bubble-up step 3).
async fn reply_forwarding_scenario(backend: &Backend) {
    let AllianceWithFollowers {
        net,
        mastodon,
        lemmy,
        red,
        ong,
        post,
    } = alliance_with_followers(backend).await;
    let a = net.get(0);
    let reply = a
        .instance
        .app
        .publish(
            &OP,
            "ong",
            NewPost {
                reply_to: Some(post.ap_id.clone()),
                to_alliance: Some(a.handle("red")),
                ..NewPost::text("Actualización: el paso sigue cerrado")
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let to_mastodon = announces(&mastodon);
    assert!(
        to_mastodon
            .iter()
            .all(|b| b["object"] != json!(reply.ap_id) && b["object"].is_string()),
        "Mastodon never gets the reply, nor any wrapped Create: {to_mastodon:#?}"
    );
    let to_lemmy = announces(&lemmy);
    let forwarded = to_lemmy
        .iter()
        .find(|b| b["object"]["object"]["id"] == json!(reply.ap_id))
        .unwrap_or_else(|| panic!("Lemmy did not get the reply: {to_lemmy:#?}"));
    assert_eq!(forwarded["actor"], red);
    assert_eq!(forwarded["object"]["type"], "Create");
    assert_eq!(forwarded["object"]["actor"], ong);
    assert_eq!(forwarded["object"]["object"]["inReplyTo"], post.ap_id);
    assert_eq!(forwarded["object"]["object"]["audience"], red);
    assert_eq!(a.announcers(&reply.ap_id).await, vec![red.clone()]);
}

#[tokio::test]
async fn alliance_replies_go_only_to_group_aware_software() {
    if fixtures_missing() {
        return;
    }
    on_every_backend!(reply_forwarding_scenario);
}

/// Every Group actor document of the corpus, and Groups embedded in activities.
#[test]
fn group_actors_of_other_software_are_read() {
    let Some(dir) = shared_fixtures() else {
        eprintln!("skipping: ../shared/fixtures/ap is not beside the project");
        return;
    };
    let named = [
        "gnusocial/objects/group.json",
        "lotide/objects/group.json",
        "discourse/objects/group.json",
        "lemmy/objects/group.json",
        "mobilizon/objects/group.json",
        "nodebb/objects/group.json",
        "peertube/objects/group.json",
        "wordpress/objects/group.json",
    ];
    // Any other Group document of the corpus is checked too.
    let mut found = Vec::new();
    for software in std::fs::read_dir(&dir).unwrap().flatten() {
        let objects = software.path().join("objects");
        let Ok(entries) = std::fs::read_dir(&objects) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            if doc["type"] == "Group" {
                found.push(
                    path.strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    for name in named {
        assert!(found.iter().any(|f| f == name), "{name} is a Group");
    }
    let mut failures = Vec::new();
    for name in &found {
        let doc = fixture(name);
        match read_document(&doc) {
            Reading::Actor(id) => assert_eq!(id, doc["id"].as_str().unwrap(), "{name}"),
            other => failures.push(format!("{name}: {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "Groups not read as actors: {failures:#?}"
    );

    // Lemmy's Update of a community carries the Group whole.
    let update = fixture("lemmy/activities/community/update_community.json");
    assert_eq!(update["object"]["type"], "Group");
    assert!(matches!(
        read_document(&update["object"]),
        Reading::Actor(_)
    ));
    assert_eq!(
        read_document(&update),
        Reading::Activity {
            kind: "Update".into(),
            handled: true
        }
    );
}
