//! Moving an organization to another instance: export, import (alsoKnownAs, retired
//! keys), Move to followers on Puentes and on Fedify (a Mastodon-like follower), alliances
//! handing the membership over, and statements that keep verifying when the old server
//! is gone.

use crate::on_every_backend;
use puentes_app::{App, statements::Draft};
use puentes_apub::statements::verify::{Check, verify};
use puentes_core::{ErrorKind, FollowState, MembershipStatus};
use puentes_db::query;
use puentes_tests::{
    Backend, FakeRemote, OP, TestInstance, TestNetwork,
    peers::{PeerProcess, available_or_skip, free_port, peers_dir, runs},
};
use serde_json::{Value, json};

fn fedify_available() -> bool {
    let dir = peers_dir().join("fedify");
    available_or_skip(
        runs("node", &["--version"], None)
            && dir
                .join("node_modules/@fedify/fedify/package.json")
                .is_file(),
        "the Fedify peer (npm ci in tests/peers/fedify)",
    )
}

async fn start_fedify() -> PeerProcess {
    let port = free_port();
    let args = vec!["peer.mjs".to_string(), "--port".into(), port.to_string()];
    PeerProcess::start(
        "node",
        &args,
        &peers_dir().join("fedify"),
        port,
        "the Fedify peer",
    )
    .await
}

fn draft() -> Draft {
    Draft {
        title: "Vías seguras".into(),
        text: "Las personas migrantes tienen derechos.".into(),
        ask: None,
        language: Some("es".into()),
        translations: Vec::new(),
        policy: Some("anyone".parse().expect("policy")),
        deadline: None,
    }
}

/// A (old home of `alpha`, and of its follower `delta`), B (its new home), C (`gamma` follows alpha; alliance `red`
/// has alpha as a member and owns a statement alpha endorsed), and a Fedify follower.
async fn move_scenario(backend: &Backend) {
    let mut net = TestNetwork::start(backend, 3).await;
    let fed = start_fedify().await;
    let fed_actor = format!("{}/users/fed", fed.base);
    let (a, b, c) = (net.get(0), net.get(1), net.get(2));
    a.create_actor("alpha", "organization").await;
    b.create_actor("taken", "organization").await;
    c.create_actor("gamma", "organization").await;
    // A follower on the old instance itself gets no delivery: it moves with the command.
    a.create_actor("delta", "organization").await;
    a.app()
        .follow(&OP, "delta", &a.handle("alpha"))
        .await
        .unwrap();
    let red = c.create_open_alliance("red").await;
    let old_id = a.actor_url("alpha");
    let new_id = b.actor_url("alpha");

    c.app()
        .follow(&OP, "gamma", &a.handle("alpha"))
        .await
        .unwrap();
    a.app()
        .join_alliance(&OP, "alpha", &c.handle("red"))
        .await
        .unwrap();
    fed.control("/control/follow", Some(json!({ "actor": old_id })))
        .await;
    net.settle().await;
    assert_eq!(
        fed.control("/control/following", None).await,
        json!([old_id])
    );
    let statement = c.app().create_statement(&OP, "red", draft()).await.unwrap();
    let version = c.app().open_statement(&OP, &statement.uuid).await.unwrap();
    net.settle().await;
    a.app()
        .endorse(&OP, "alpha", &statement.ap_url, false, None)
        .await
        .unwrap();
    a.post("alpha", "Hola desde la casa vieja", "public")
        .await
        .unwrap();
    net.settle().await;
    let before = verify(&c.instance.ctx, &version.ap_id).await.unwrap();
    assert!(before.passed(), "{before}");
    assert_eq!(before.endorsements.len(), 1);

    // Export: refused for unknown and remote actors; the archive round-trips as a file.
    let unknown = a.app().export_actor(&OP, "nobody").await.unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound, "{unknown}");
    let remote = a
        .app()
        .export_actor(&OP, &c.handle("gamma"))
        .await
        .unwrap_err();
    assert!(
        remote.message().contains("another server"),
        "{}",
        remote.message()
    );
    let archive = a.app().export_actor(&OP, "alpha").await.unwrap();
    let bytes = serde_json::to_vec(&archive).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.contains("@example") && !text.contains("password"));
    assert_eq!(archive.followers.len(), 3, "delta, gamma and Fedify");
    assert_eq!(archive.endorsements.len(), 1);
    assert_eq!(archive.memberships.len(), 1);
    assert_eq!(archive.posts.len(), 1);

    // Import refuses an unknown archive version and an existing name, changing nothing.
    let mut future: Value = serde_json::from_slice(&bytes).unwrap();
    future["version"] = json!(99);
    let refused = App::read_archive(&serde_json::to_vec(&future).unwrap()).unwrap_err();
    assert!(
        refused.message().contains("version 99"),
        "{}",
        refused.message()
    );
    let read = App::read_archive(&bytes).unwrap();
    let taken = b
        .app()
        .import_actor(&OP, read.clone(), Some("taken"))
        .await
        .unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Conflict, "{taken}");
    assert!(b.actor("taken").await.also_known_as().is_empty());

    // Move refuses a target that does not list the old actor in alsoKnownAs.
    let refused = a
        .app()
        .move_actor(&OP, "alpha", &b.handle("taken"))
        .await
        .unwrap_err();
    assert!(
        refused.message().contains("alsoKnownAs"),
        "{}",
        refused.message()
    );
    assert!(a.actor("alpha").await.moved_to.is_none());

    let imported = b.app().import_actor(&OP, read, None).await.unwrap();
    assert_eq!(imported.actor.ap_id, new_id);
    assert_eq!(imported.posts, 1);
    assert!(
        imported.unreachable.is_empty(),
        "{:?}",
        imported.unreachable
    );
    let (_, doc) = b.get_json("/actors/alpha").await;
    assert_eq!(doc["alsoKnownAs"], json!([old_id]), "{doc}");
    let history = query::post::all_by_author(b.db(), imported.actor.id, 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].content.contains("Hola desde la casa vieja"));
    assert_eq!(history[0].published, archive.posts[0].published);
    net.settle().await;

    // The move: Move to every follower and alliance.
    a.app()
        .move_actor(&OP, "alpha", &b.handle("alpha"))
        .await
        .unwrap();
    net.settle().await;
    net.settle().await;

    let mut followers = b.followers("alpha").await;
    followers.sort();
    let mut expected = vec![
        a.actor_url("delta"),
        c.actor_url("gamma"),
        fed_actor.clone(),
    ];
    expected.sort();
    assert_eq!(followers, expected, "both followers follow the new actor");
    let received = fed.control("/control/received", None).await;
    let moved = received
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "Move")
        .unwrap_or_else(|| panic!("the Move reached Fedify: {received}"));
    assert_eq!(moved["json"]["target"], json!(new_id), "{moved}");
    assert_eq!(moved["json"]["object"], json!(old_id), "{moved}");
    assert_eq!(
        fed.control("/control/following", None).await,
        json!([new_id])
    );
    // gamma no longer follows the old actor.
    let old_on_c = query::actor::by_ap_id(c.db(), &old_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old_on_c.moved_to.as_deref(), Some(new_id.as_str()));
    let gamma = c.actor("gamma").await;
    assert!(
        query::follow::between(c.db(), gamma.id, old_on_c.id)
            .await
            .unwrap()
            .is_none()
    );
    // The alliance lists the new actor as its member, with the same role.
    let members: Vec<(String, String)> =
        query::membership::members(c.db(), red.id, MembershipStatus::Active)
            .await
            .unwrap()
            .into_iter()
            .map(|(m, actor)| (actor.ap_id, m.role))
            .collect();
    assert_eq!(members, vec![(new_id.clone(), "member".to_string())]);

    // The old actor is served with movedTo and a notice, and cannot post.
    let (_, old_doc) = a.get_json("/actors/alpha").await;
    assert_eq!(old_doc["movedTo"], json!(new_id), "{old_doc}");
    let page = a.get_page("/@alpha").await;
    assert!(page.contains("This organization has moved to"), "{page}");
    assert!(page.contains(&b.handle("alpha")), "{page}");
    // Mastodon apps see the new account in `moved`.
    let lookup: Value = reqwest::get(format!("{}/api/v1/accounts/lookup?acct=alpha", a.base()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lookup["moved"]["uri"], json!(new_id), "{lookup}");
    assert_eq!(
        lookup["moved"]["acct"],
        json!(b.handle("alpha")),
        "{lookup}"
    );
    let refused = a.post("alpha", "¿Sigo aquí?", "public").await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Conflict, "{refused}");
    assert!(refused.message().contains("moved"), "{}", refused.message());
    let again = a
        .app()
        .move_actor(&OP, "alpha", &b.handle("alpha"))
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);

    // The old server is gone: what alpha endorsed still verifies, on the new instance (with
    // the retired key it keeps) and on the alliance's.
    net.instances[0].stop().await;
    let (b, c) = (net.get(1), net.get(2));
    for instance in [b, c] {
        let report = verify(&instance.instance.ctx, &version.ap_id)
            .await
            .unwrap();
        assert!(report.passed(), "{report}");
        assert_eq!(report.endorsements.len(), 1, "{report}");
        assert_eq!(report.endorsements[0].actor, old_id);
        assert_eq!(
            report.endorsements[0].check,
            Check::VerifiedWithKeptKey,
            "{report}"
        );
    }
    // The new actor follows again what the old one followed.
    let new_alpha = b.actor("alpha").await;
    assert!(!archive.following.is_empty());
    for followed in &archive.following {
        let known = query::actor::by_ap_id(b.db(), followed)
            .await
            .unwrap()
            .expect("known on B");
        let follow = query::follow::between(b.db(), new_alpha.id, known.id)
            .await
            .unwrap()
            .expect("followed again");
        assert_eq!(follow.state(), FollowState::Accepted, "{followed}");
    }
    net.stop_all().await;
}

#[tokio::test]
async fn moves_an_organization_with_its_followers_alliances_and_signatures() {
    if !fedify_available() {
        return;
    }
    on_every_backend!(move_scenario);
}

/// An incoming Move is applied only from an actor someone here follows, and only when the
/// target, read from its origin, lists the origin in `alsoKnownAs`; otherwise nothing is
/// stored, not even the target.
async fn incoming_move_scenario(backend: &Backend) {
    let home = TestInstance::start(backend).await;
    let net = TestNetwork {
        instances: vec![home],
    };
    let home = net.get(0);
    let alpha = home.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let ana = remote.add_actor(
        "/users/ana",
        &json!({ "type": "Person", "preferredUsername": "ana" }),
    );
    let stranger = remote.add_actor(
        "/users/stranger",
        &json!({ "type": "Person", "preferredUsername": "stranger" }),
    );
    let impostor = remote.add_actor(
        "/users/impostor",
        &json!({ "type": "Person", "preferredUsername": "impostor" }),
    );
    let ana2 = remote.add_actor(
        "/users/ana2",
        &json!({ "type": "Person", "preferredUsername": "ana2", "alsoKnownAs": [ana] }),
    );
    let stranger2 = remote.add_actor(
        "/users/stranger2",
        &json!({ "type": "Person", "preferredUsername": "stranger2", "alsoKnownAs": [stranger] }),
    );
    // alpha follows ana (accepted).
    let ana_row = home
        .app()
        .network()
        .actor_by_id(&url::Url::parse(&ana).unwrap())
        .await
        .unwrap();
    query::follow::insert(
        home.db(),
        &format!("{}/follows/1", home.base()),
        alpha.id,
        ana_row.id,
        FollowState::Accepted,
    )
    .await
    .unwrap();
    let inbox = format!("{}/inbox", home.base());
    let movement = |actor: &str, object: &str, target: &str, n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}#moves/{n}"), "type": "Move",
            "actor": actor, "object": object, "target": target,
        })
    };
    let stored = |id: String| async move {
        query::actor::by_ap_id(home.db(), &id)
            .await
            .unwrap()
            .is_some()
    };

    // A target that does not list ana: ignored, the target is not even stored.
    let (status, text) = remote
        .post(&inbox, &ana, &movement(&ana, &ana, &impostor, 1))
        .await;
    assert!(status < 300, "{status} {text}");
    assert!(
        !stored(impostor.clone()).await,
        "an unverified target was stored"
    );
    // Someone else's Move, and a Move of an actor nobody here follows: ignored too.
    remote
        .post(&inbox, &ana, &movement(&ana, &stranger, &stranger2, 2))
        .await;
    remote
        .post(
            &inbox,
            &stranger,
            &movement(&stranger, &stranger, &stranger2, 3),
        )
        .await;
    assert!(!stored(stranger2.clone()).await);
    assert!(
        query::follow::between(home.db(), alpha.id, ana_row.id)
            .await
            .unwrap()
            .is_some(),
        "alpha still follows ana"
    );
    let ana_now = query::actor::by_ap_id(home.db(), &ana)
        .await
        .unwrap()
        .unwrap();
    assert!(ana_now.moved_to.is_none());

    // The real move: alpha follows ana2 instead of ana.
    let (status, text) = remote
        .post(&inbox, &ana, &movement(&ana, &ana, &ana2, 4))
        .await;
    assert!(status < 300, "{status} {text}");
    net.settle().await;
    let ana2_row = query::actor::by_ap_id(home.db(), &ana2)
        .await
        .unwrap()
        .expect("the verified target is stored");
    assert!(
        query::follow::between(home.db(), alpha.id, ana2_row.id)
            .await
            .unwrap()
            .is_some(),
        "alpha follows the target"
    );
    assert!(
        query::follow::between(home.db(), alpha.id, ana_row.id)
            .await
            .unwrap()
            .is_none(),
        "alpha no longer follows the origin"
    );
    let ana_now = query::actor::by_ap_id(home.db(), &ana)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ana_now.moved_to.as_deref(), Some(ana2.as_str()));
    let sent: Vec<String> = remote
        .received()
        .into_iter()
        .filter_map(|(_, doc)| doc["type"].as_str().map(String::from))
        .collect();
    assert!(sent.contains(&"Follow".to_string()), "{sent:?}");
}

#[tokio::test]
async fn incoming_moves_are_checked_against_the_target() {
    on_every_backend!(incoming_move_scenario);
}

fn png() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 9]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Rows and stored files an import could leave behind on `b`.
async fn leftovers(b: &TestInstance) -> (u64, u64, u64, u64, usize) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = b.db();
    let files = std::fs::read_dir(b.dir.join("media"))
        .map(|d| d.count())
        .unwrap_or(0);
    (
        puentes_db::actor::Entity::find().count(db).await.unwrap(),
        puentes_db::retired_key::Entity::find()
            .count(db)
            .await
            .unwrap(),
        puentes_db::post::Entity::find().count(db).await.unwrap(),
        puentes_db::media::Entity::find().count(db).await.unwrap(),
        files,
    )
}

/// An archive refused half-way (its avatar is stored, then a post's image is not an image)
/// leaves no actor, keys, posts, media rows or files: the name stays free for a good import.
async fn failed_import_scenario(backend: &Backend) {
    use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
    let mut net = TestNetwork::start(backend, 2).await;
    let (a, b) = (net.get(0), net.get(1));
    a.create_actor("omega", "organization").await;
    a.post("omega", "Antes de mudarnos", "public")
        .await
        .unwrap();
    let archive = a.app().export_actor(&OP, "omega").await.unwrap();
    assert_eq!(archive.posts.len(), 1);
    let before = leftovers(b).await;

    let mut broken: Value = serde_json::to_value(&archive).unwrap();
    broken["actor"]["avatar"] = json!({
        "url": format!("{}/media/avatar.png", a.base()),
        "alt": null,
        "base64": BASE64.encode(png()),
    });
    broken["posts"][0]["attachments"] = json!([{
        "type": "Image",
        "mediaType": "image/png",
        "url": format!("{}/media/broken.png", a.base()),
        "name": "Una foto",
    }]);
    broken["posts"][0]["images"] = json!([{
        "url": format!("{}/media/broken.png", a.base()),
        "alt": "Una foto",
        "base64": BASE64.encode(b"this is not an image"),
    }]);
    let broken = App::read_archive(&serde_json::to_vec(&broken).unwrap()).unwrap();
    let refused = b.app().import_actor(&OP, broken, None).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::BadRequest, "{refused}");
    let message = refused.message();
    assert!(
        message.contains(&archive.posts[0].id)
            && message.contains("not a supported image")
            && message.contains("nothing was imported"),
        "{message}"
    );
    assert_eq!(
        leftovers(b).await,
        before,
        "rows or files left by the refused import"
    );
    assert!(
        query::actor::local_by_name(b.db(), "omega")
            .await
            .unwrap()
            .is_none()
    );

    // The name is free: the good archive imports under it.
    let imported = b.app().import_actor(&OP, archive, None).await.unwrap();
    assert_eq!(imported.actor.username, "omega");
    assert_eq!(imported.posts, 1);
    let (actors, keys, posts, _, _) = leftovers(b).await;
    assert_eq!(
        (actors, keys, posts),
        (before.0 + 1, before.1 + 1, before.2 + 1)
    );
    net.stop_all().await;
}

#[tokio::test]
async fn a_refused_import_leaves_nothing_behind() {
    on_every_backend!(failed_import_scenario);
}
