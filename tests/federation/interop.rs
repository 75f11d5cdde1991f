//! Federating with the fediverse as it is: signed fetches that Mastodon's rules accept,
//! RFC 9421 double-knocking, an instance actor named without its port, authorized fetch
//! and allow-list modes, inbox forwarding that never trusts the forwarder, NodeInfo 2.0,
//! and `published` on every activity.

use crate::on_every_backend;
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use puentes_apub::signing::{Scheme, SigningKey, sign};
use puentes_core::FederationMode;
use puentes_db::query;
use puentes_tests::{Backend, FakeRemote, MastodonRules, OP, TestInstance, TestNetwork};
use sea_orm::ConnectionTrait;
use sea_orm_migration::MigratorTrait;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Signed fetches and deliveries, checked by a server enforcing Mastodon's documented
/// rules. Before: the federation library signed fetches without `host` and `date`, and
/// this follow failed at the actor fetch.
async fn mastodon_rules_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let max = MastodonRules::start().await;
    a.app()
        .follow(&OP, "alpha", &max.handle())
        .await
        .expect("following an actor on a server that applies Mastodon's rules");
    net.settle().await;
    // A key refresh is another signed fetch of the same kind.
    puentes_apub::fetch::refresh_actor(&a.instance.ctx, &url::Url::parse(&max.actor_id()).unwrap())
        .await
        .expect("refresh");
    let verdicts = max.verdicts();
    let gets = verdicts.iter().filter(|v| v.method == "GET").count();
    let posts = verdicts.iter().filter(|v| v.method == "POST").count();
    assert!(gets >= 2 && posts >= 1, "{verdicts:#?}");
    for verdict in &verdicts {
        assert!(
            verdict.result.is_ok(),
            "Mastodon would refuse: {verdict:#?}"
        );
        for header in ["(request-target)", "host", "date"] {
            assert!(
                verdict.signed_headers.iter().any(|h| h == header),
                "{verdict:#?}"
            );
        }
    }
    let follow = max
        .received()
        .into_iter()
        .find(|a| a["type"] == "Follow")
        .expect("the Follow arrived");
    assert_eq!(follow["actor"], json!(a.actor_url("alpha")));
}

#[tokio::test]
async fn signed_requests_meet_mastodons_rules() {
    on_every_backend!(mastodon_rules_scenario);
}

/// A remote that verifies only RFC 9421 (it answers 401 to anything else), recording the
/// scheme of each request it got.
#[derive(Clone, Default)]
struct Rfc9421Only {
    seen: Arc<Mutex<Vec<&'static str>>>,
}

async fn rfc9421_only_actor(
    State(state): State<(Rfc9421Only, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (server, base, pem) = state;
    let scheme = if headers.contains_key("signature-input") {
        "rfc9421"
    } else {
        "cavage"
    };
    server.seen.lock().unwrap().push(scheme);
    if scheme != "rfc9421" {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let id = format!("{base}/users/nine");
    axum::Json(json!({
        "id": id, "type": "Person", "preferredUsername": "nine", "inbox": format!("{id}/inbox"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem },
    }))
    .into_response()
}

/// Double-knock: a host that refuses draft-cavage gets RFC 9421 at once, and from then on
/// first.
async fn double_knock_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let keys = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
    let server = Rfc9421Only::default();
    let app = Router::new()
        .route("/users/nine", get(rfc9421_only_actor))
        .with_state((server.clone(), base.clone(), keys.public_key));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let id = url::Url::parse(&format!("{base}/users/nine")).unwrap();
    let actor = puentes_apub::fetch::refresh_actor(&a.instance.ctx, &id)
        .await
        .expect("read after a second knock");
    assert_eq!(actor.username, "nine");
    assert_eq!(*server.seen.lock().unwrap(), vec!["cavage", "rfc9421"]);
    let host = base.trim_start_matches("http://");
    let row = query::instance::get(a.db(), host).await.unwrap().unwrap();
    assert_eq!(row.signature_scheme.as_deref(), Some("rfc9421"));
    puentes_apub::fetch::refresh_actor(&a.instance.ctx, &id)
        .await
        .expect("read again");
    assert_eq!(
        *server.seen.lock().unwrap(),
        vec!["cavage", "rfc9421", "rfc9421"],
        "remembered per host"
    );
}

#[tokio::test]
async fn rfc9421_is_sent_to_hosts_that_answer_it() {
    on_every_backend!(double_knock_scenario);
}

/// The instance actor is `localhost`, not `localhost:PORT`, and WebFinger finds it under
/// that name; a database written by earlier versions is migrated. Before: GoToSocial read
/// the colon as a link and answered 500 to our signed requests.
async fn instance_actor_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    let (status, doc) = a.get_json("/actor").await;
    assert_eq!(status, 200);
    let name = doc["preferredUsername"].as_str().unwrap().to_string();
    assert_eq!(name, "localhost");
    assert!(!name.contains(':'));
    let (status, jrd) = a
        .get_json(&format!(
            "/.well-known/webfinger?resource=acct:{name}@{}",
            a.domain
        ))
        .await;
    assert_eq!(status, 200, "{jrd}");
    assert_eq!(jrd["subject"], json!(format!("acct:{name}@{}", a.domain)));
    let href = jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap()["href"]
        .clone();
    assert_eq!(href, json!(format!("{}/actor", a.base())));
    assert_eq!(doc["id"], href);

    // A database from before: the name with its port, migrated on the next start (the
    // migrations after that one are undone too, and redone).
    let steps = puentes_migrations::Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261201_000001_interop")
        .expect("the interop migration")
        + 1;
    puentes_migrations::Migrator::down(a.db(), Some(steps as u32))
        .await
        .expect("down");
    a.db()
        .execute_unprepared(&format!(
            "UPDATE actor SET username = '{}' WHERE kind = 'Application'",
            a.domain
        ))
        .await
        .unwrap();
    puentes_migrations::Migrator::up(a.db(), None)
        .await
        .expect("up");
    let row = query::actor::instance_actor(a.db()).await.unwrap().unwrap();
    assert_eq!(row.username, "localhost");
}

#[tokio::test]
async fn instance_actor_is_named_without_its_port() {
    on_every_backend!(instance_actor_scenario);
}

/// GET with a signature made by `remote`'s key as `actor`.
async fn signed_get(remote: &FakeRemote, actor: &str, url: &str, scheme: Scheme) -> (u16, Value) {
    let key = SigningKey::rsa(&format!("{actor}#main-key"), &remote.private_key_pem).unwrap();
    let target = url::Url::parse(url).unwrap();
    let mut request = reqwest::Client::new()
        .get(url)
        .header("Accept", "application/activity+json");
    for (name, value) in sign(&key, scheme, "GET", &target, None).unwrap() {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn unsigned(url: &str, accept: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Authorized fetch: actors, posts and collections answer only signed GETs; what peers
/// need to verify us stays open; federation goes on.
async fn authorized_fetch_scenario(backend: &Backend) {
    let a = TestInstance::start_with(backend, |c| c.require_signed_fetch = true).await;
    let b = TestInstance::start(backend).await;
    let net = TestNetwork {
        instances: vec![a, b],
    };
    let (a, b) = (net.get(0), net.get(1));
    a.create_actor("alpha", "organization").await;
    b.create_actor("beta", "organization").await;
    let post = a.post("alpha", "Solo con firma", "public").await.unwrap();
    let json = "application/activity+json";
    for path in [
        "/actors/alpha".to_string(),
        "/actors/alpha/outbox".into(),
        "/actors/alpha/followers".into(),
        post.ap_id.trim_start_matches(&a.base()).to_string(),
    ] {
        assert_eq!(
            unsigned(&format!("{}{path}", a.base()), json).await,
            401,
            "{path}"
        );
    }
    for path in [
        "/actor".to_string(),
        format!("/.well-known/webfinger?resource=acct:alpha@{}", a.domain),
        "/.well-known/nodeinfo".into(),
        "/nodeinfo/2.1".into(),
    ] {
        assert_eq!(
            unsigned(&format!("{}{path}", a.base()), json).await,
            200,
            "{path}"
        );
    }
    // Browsers still reach the page.
    let page = unsigned(&format!("{}/actors/alpha", a.base()), "text/html").await;
    assert!((300..400).contains(&page), "{page}");

    let remote = FakeRemote::start().await;
    let reader = remote.add_actor(
        "/users/reader",
        &json!({ "type": "Person", "preferredUsername": "reader" }),
    );
    for scheme in [Scheme::Cavage, Scheme::Rfc9421] {
        let (status, doc) = signed_get(&remote, &reader, &a.actor_url("alpha"), scheme).await;
        assert_eq!(status, 200, "{scheme:?}");
        assert_eq!(doc["id"], json!(a.actor_url("alpha")));
    }
    // Signed with a key that is not the reader's.
    let forger = FakeRemote::start().await;
    let (status, _) = signed_get(&forger, &reader, &a.actor_url("alpha"), Scheme::Cavage).await;
    assert_eq!(status, 401);

    // Another instance still follows and reads it, and receives its posts.
    b.app()
        .follow(&OP, "beta", &a.handle("alpha"))
        .await
        .expect("follow an instance in authorized-fetch mode");
    net.settle().await;
    assert_eq!(a.followers("alpha").await, vec![b.actor_url("beta")]);
    let second = a.post("alpha", "Para quien sigue", "public").await.unwrap();
    net.settle().await;
    assert!(b.post_by_id(&second.ap_id).await.is_some());
}

#[tokio::test]
async fn authorized_fetch_answers_only_signed_gets() {
    on_every_backend!(authorized_fetch_scenario);
}

/// An alliance that talks only with its members' instances.
async fn allowlist_scenario(backend: &Backend) {
    let member = TestInstance::start(backend).await;
    let member_domain = member.domain.clone();
    let alliance = TestInstance::start_with(backend, move |c| {
        c.federation_mode = FederationMode::Allowlist;
        c.allowed_domains = vec![member_domain];
    })
    .await;
    let net = TestNetwork {
        instances: vec![alliance, member],
    };
    let (a, m) = (net.get(0), net.get(1));
    a.create_actor("red", "alliance").await;
    m.create_actor("ong", "organization").await;
    m.app()
        .follow(&OP, "ong", &a.handle("red"))
        .await
        .expect("an allowed instance follows");
    net.settle().await;
    assert_eq!(a.followers("red").await, vec![m.actor_url("ong")]);

    let stranger = FakeRemote::start().await;
    let outsider = stranger.add_actor(
        "/users/x",
        &json!({ "type": "Person", "preferredUsername": "x" }),
    );
    let follow = json!({ "id": format!("{outsider}/follow/1"), "type": "Follow", "actor": outsider, "object": a.actor_url("red") });
    let (status, _) = stranger
        .post(&format!("{}/inbox", a.base()), &outsider, &follow)
        .await;
    assert_eq!(status, 403);
    let (status, _) = signed_get(&stranger, &outsider, &a.actor_url("red"), Scheme::Cavage).await;
    assert_eq!(status, 403);
    assert_eq!(
        unsigned(&a.actor_url("red"), "application/activity+json").await,
        401
    );
    let err = a
        .app()
        .follow(
            &OP,
            "red",
            &format!("x@{}", stranger.base.trim_start_matches("http://")),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), puentes_core::ErrorKind::Forbidden, "{err:?}");
    assert_eq!(a.followers("red").await, vec![m.actor_url("ong")]);
}

#[tokio::test]
async fn allowlist_mode_talks_only_with_listed_domains() {
    on_every_backend!(allowlist_scenario);
}

/// A reply to our post arrives forwarded by a third server (as Mastodon forwards replies
/// to the author's followers): it is read again from its origin and stored once, as its
/// author's; forged forwards are refused.
async fn forwarding_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let ours = a
        .post("alpha", "¿Quién viene el sábado?", "public")
        .await
        .unwrap();
    let origin = FakeRemote::start().await;
    let rosa = origin.add_actor(
        "/users/rosa",
        &json!({ "type": "Person", "preferredUsername": "rosa" }),
    );
    let other = origin.add_actor(
        "/users/otro",
        &json!({ "type": "Person", "preferredUsername": "otro" }),
    );
    let forwarder = FakeRemote::start().await;
    let fwd = forwarder.add_actor(
        "/users/relay",
        &json!({ "type": "Person", "preferredUsername": "relay" }),
    );
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let note = |n: u32, author: &str, content: &str| {
        json!({ "id": format!("{}/notes/{n}", origin.base), "type": "Note", "attributedTo": author,
                "inReplyTo": ours.ap_id, "content": content, "to": [public], "cc": [format!("{author}/followers")],
                "published": "2026-11-30T10:00:00Z" })
    };
    let create = |n: u32, object: Value| {
        json!({ "id": format!("{}/notes/{n}/activity", origin.base), "type": "Create", "actor": rosa,
                "to": [public], "object": object })
    };
    origin.add_document("/notes/1", note(1, &rosa, "<p>Nosotras, seguro.</p>"));
    let inbox = format!("{}/inbox", a.base());

    // Forwarded with altered text: the origin's text is what is stored.
    let forwarded = create(1, note(1, &rosa, "<p>Texto alterado por el reenvío</p>"));
    let (status, body) = forwarder.post(&inbox, &fwd, &forwarded).await;
    assert_eq!(status, 202, "{body}");
    let reply_id = format!("{}/notes/1", origin.base);
    let stored = a
        .post_by_id(&reply_id)
        .await
        .expect("the forwarded reply is stored");
    assert!(
        stored.content.contains("Nosotras, seguro."),
        "{}",
        stored.content
    );
    let author = query::actor::get(a.db(), stored.author_id).await.unwrap();
    assert_eq!(author.ap_id, rosa);
    assert_eq!(stored.in_reply_to.as_deref(), Some(ours.ap_id.as_str()));
    // Forwarded again, and sent by its author directly: still one post.
    let (status, _) = forwarder.post(&inbox, &fwd, &forwarded).await;
    assert_eq!(status, 202);
    let (status, _) = origin.post(&inbox, &rosa, &forwarded).await;
    assert_eq!(status, 202);
    let replies: Vec<_> = a
        .db()
        .query_all_raw(sea_orm::Statement::from_string(
            a.db().get_database_backend(),
            format!("SELECT id FROM post WHERE ap_id = '{reply_id}'"),
        ))
        .await
        .unwrap();
    assert_eq!(replies.len(), 1);

    // Forged: an object its origin does not have.
    let (status, _) = forwarder
        .post(
            &inbox,
            &fwd,
            &create(2, note(2, &rosa, "<p>Nunca escrito</p>")),
        )
        .await;
    assert_eq!(status, 401);
    assert!(
        a.post_by_id(&format!("{}/notes/2", origin.base))
            .await
            .is_none()
    );
    // Forged: the origin attributes the object to someone else.
    origin.add_document("/notes/3", note(3, &other, "<p>De otra persona</p>"));
    let (status, _) = forwarder
        .post(
            &inbox,
            &fwd,
            &create(3, note(3, &rosa, "<p>De otra persona</p>")),
        )
        .await;
    assert_eq!(status, 401);
    assert!(
        a.post_by_id(&format!("{}/notes/3", origin.base))
            .await
            .is_none()
    );
    // Forged: a Delete of an object that still exists.
    let delete = json!({ "id": format!("{}/notes/1#delete", origin.base), "type": "Delete", "actor": rosa,
                         "object": { "id": reply_id, "type": "Tombstone" } });
    let (status, _) = forwarder.post(&inbox, &fwd, &delete).await;
    assert_eq!(status, 401);
    assert!(a.post_by_id(&reply_id).await.unwrap().deleted_at.is_none());
    // Once the origin deleted it, the forwarded Delete holds.
    origin.remove_document("/notes/1");
    let (status, _) = forwarder.post(&inbox, &fwd, &delete).await;
    assert_eq!(status, 202);
    assert!(a.post_by_id(&reply_id).await.unwrap().deleted_at.is_some());
}

#[tokio::test]
async fn forwarded_replies_are_checked_at_their_origin() {
    on_every_backend!(forwarding_scenario);
}

/// NodeInfo 2.0 beside 2.1 (GoToSocial records the software name from 2.0), and
/// `published` on every activity we send.
async fn nodeinfo_and_published_scenario(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));
    let (_, links) = a.get_json("/.well-known/nodeinfo").await;
    let rels: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert!(rels.contains(&"http://nodeinfo.diaspora.software/ns/schema/2.0"));
    assert!(rels.contains(&"http://nodeinfo.diaspora.software/ns/schema/2.1"));
    let (status, v20) = a.get_json("/nodeinfo/2.0").await;
    assert_eq!(status, 200);
    assert_eq!(v20["version"], "2.0");
    assert_eq!(v20["software"]["name"], "puentes");
    assert!(
        v20["software"].get("repository").is_none(),
        "not in the 2.0 schema"
    );
    assert_eq!(v20["protocols"], json!(["activitypub"]));
    let (_, v21) = a.get_json("/nodeinfo/2.1").await;
    assert_eq!(v21["version"], "2.1");
    assert!(v21["software"]["repository"].is_string());

    // A post relayed by an alliance: Follow, Accept, Join, Create, Announce…
    b.create_open_alliance("red").await;
    a.app()
        .join_alliance(&OP, "alpha", &b.handle("red"))
        .await
        .unwrap();
    net.settle().await;
    let post = a
        .app()
        .publish(
            &OP,
            "alpha",
            puentes_app::posts::NewPost {
                to_alliance: Some(b.handle("red")),
                ..puentes_app::posts::NewPost::text("Hola")
            },
        )
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(b.announcers(&post.ap_id).await, vec![b.actor_url("red")]);
    for instance in [a, b] {
        let rows = instance
            .db()
            .query_all_raw(sea_orm::Statement::from_string(
                instance.db().get_database_backend(),
                "SELECT json FROM activity".to_string(),
            ))
            .await
            .unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            let text: String = row.try_get("", "json").unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            assert!(doc["published"].is_string(), "no published: {doc}");
        }
    }
}

#[tokio::test]
async fn nodeinfo_20_and_published_on_every_activity() {
    on_every_backend!(nodeinfo_and_published_scenario);
}

/// RFC 9421 on our inbox, with RSA (`rsa-v1_5-sha256`, as Mastodon 4.5 and Fedify send it)
/// and with the actor's Ed25519 Multikey (`ed25519`); a signature over another body is
/// refused.
async fn rfc9421_inbox_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let sender = remote.add_signing_actor(
        "/users/mitra",
        &json!({ "type": "Person", "preferredUsername": "mitra" }),
    );
    let inbox = format!("{}/actors/alpha/inbox", a.base());
    let target = url::Url::parse(&inbox).unwrap();
    let keys = [
        SigningKey::rsa(&format!("{sender}#main-key"), &remote.private_key_pem).unwrap(),
        SigningKey::ed25519(&format!("{sender}#ed25519-key"), &remote.ed25519_private).unwrap(),
    ];
    for (n, key) in keys.iter().enumerate() {
        let follow = json!({ "id": format!("{sender}/follows/{n}"), "type": "Follow",
                             "actor": sender, "object": a.actor_url("alpha") });
        let body = follow.to_string().into_bytes();
        let headers = sign(key, Scheme::Rfc9421, "POST", &target, Some(&body)).unwrap();
        let (status, text) = remote.post_raw(&inbox, headers.clone(), body).await;
        assert_eq!(status, 202, "{:?}: {text}", key.algorithm());
        let other = json!({ "id": format!("{sender}/follows/x{n}"), "type": "Follow",
                            "actor": sender, "object": a.actor_url("alpha") });
        let (status, _) = remote
            .post_raw(&inbox, headers, other.to_string().into_bytes())
            .await;
        assert_eq!(status, 401, "{:?}", key.algorithm());
    }
    assert_eq!(a.followers("alpha").await, vec![sender.clone()]);
    // It signs with RFC 9421, so it gets RFC 9421 from us first.
    let host = remote.base.trim_start_matches("http://");
    let row = query::instance::get(a.db(), host).await.unwrap().unwrap();
    assert_eq!(row.signature_scheme.as_deref(), Some("rfc9421"));
}

#[tokio::test]
async fn rfc9421_signatures_are_verified_on_the_inbox() {
    on_every_backend!(rfc9421_inbox_scenario);
}
