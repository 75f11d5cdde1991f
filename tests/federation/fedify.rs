//! Interop with Fedify (npm @fedify/fedify), the framework under Hollo, Hackers' Pub and
//! Ghost's ActivityPub: tests/peers/fedify/peer.mjs is a Fedify server whose actor answers
//! only signed fetches, signs with RFC 9421 first and double-knocks, and verifies FEP-8b32
//! proofs with Fedify's own code.

use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{
    Backend, OP, TestInstance, TestNetwork,
    peers::{PeerProcess, available_or_skip, free_port, peers_dir, runs},
};
use serde_json::{Value, json};

fn fedify_dir() -> std::path::PathBuf {
    peers_dir().join("fedify")
}

fn fedify_available() -> bool {
    let dir = fedify_dir();
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
    let mut args = vec![
        "peer.mjs".to_string(),
        "--port".to_string(),
        port.to_string(),
    ];
    if std::env::var_os("PEER_LOG").is_some() {
        args.push("--verbose".into());
    }
    PeerProcess::start("node", &args, &fedify_dir(), port, "the Fedify peer").await
}

/// With authorized fetch on: Fedify reads our actor and sees its Ed25519 key, follows us
/// and is followed by us, and Notes go both ways. Before: Fedify found 0 assertionMethod
/// keys in our actor.
async fn fedify_scenario(backend: &Backend) {
    let a = TestInstance::start_with(backend, |c| c.require_signed_fetch = true).await;
    let net = TestNetwork { instances: vec![a] };
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let fed = start_fedify().await;
    let fed_actor = format!("{}/users/fed", fed.base);

    let seen = fed
        .control(
            "/control/lookup",
            Some(json!({ "id": a.actor_url("alpha") })),
        )
        .await;
    assert_eq!(seen["type"], "Organization", "{seen}");
    assert_eq!(seen["preferredUsername"], "alpha");
    assert_eq!(
        seen["assertionMethods"],
        json!([{ "id": format!("{}#ed25519-key", a.actor_url("alpha")), "controller": a.actor_url("alpha") }]),
        "Fedify sees our FEP-521a Multikey"
    );
    assert_eq!(
        seen["publicKey"],
        json!(format!("{}#main-key", a.actor_url("alpha")))
    );
    let instance_actor = fed
        .control(
            "/control/lookup",
            Some(json!({ "id": format!("{}/actor", a.base()) })),
        )
        .await;
    assert_eq!(instance_actor["type"], "Application");
    assert_eq!(instance_actor["preferredUsername"], "localhost");

    // Fedify follows us; our Accept reaches it.
    fed.control(
        "/control/follow",
        Some(json!({ "actor": a.actor_url("alpha") })),
    )
    .await;
    net.settle().await;
    assert_eq!(a.followers("alpha").await, vec![fed_actor.clone()]);
    let following = fed.control("/control/following", None).await;
    assert_eq!(following, json!([a.actor_url("alpha")]));

    // We follow Fedify, whose actor answers only signed fetches.
    let unsigned = reqwest::Client::new()
        .get(&fed_actor)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(unsigned, 401, "the peer's actor needs a signature");
    a.app()
        .follow(&OP, "alpha", &format!("fed@{}", fed.authority()))
        .await
        .expect("follow the Fedify actor");
    net.settle().await;
    let fed_row = query::actor::by_ap_id(a.db(), &fed_actor)
        .await
        .unwrap()
        .expect("Fedify actor stored");
    assert!(
        fed_row.ed25519_public.is_some(),
        "we read Fedify's Multikey too"
    );
    let alpha = a.actor("alpha").await;
    let follow = query::follow::between(a.db(), alpha.id, fed_row.id)
        .await
        .unwrap()
        .expect("follow row");
    assert_eq!(follow.state, puentes_core::FollowState::Accepted);
    assert_eq!(
        fed.control("/control/followers", None).await,
        json!([a.actor_url("alpha")])
    );

    // Fedify → us: it signs with RFC 9421 first; we verify it and answer in kind from now on.
    let note = fed
        .control(
            "/control/note",
            Some(json!({ "content": "<p>Hola desde Fedify</p>" })),
        )
        .await;
    let stored = a
        .post_by_id(note["note_id"].as_str().unwrap())
        .await
        .expect("Fedify's note stored");
    assert!(stored.content.contains("Hola desde Fedify"));
    let host = query::instance::get(a.db(), &fed.authority())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(host.signature_scheme.as_deref(), Some("rfc9421"));

    // Us → Fedify, signed with RFC 9421, verified by Fedify.
    let post = a
        .post("alpha", "Respuesta desde Puentes", "public")
        .await
        .unwrap();
    net.settle().await;
    let received = fed.control("/control/received", None).await;
    let create = received
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "Create" && r["json"]["object"]["id"] == json!(post.ap_id))
        .unwrap_or_else(|| panic!("our Create reached Fedify: {received}"));
    assert_eq!(create["actor"], json!(a.actor_url("alpha")));
    let requests = fed.control("/control/requests", None).await;
    let deliveries: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert!(
        deliveries
            .iter()
            .any(|r| r["scheme"] == "rfc9421" && r["status"] == 202),
        "{requests}"
    );
    assert!(deliveries.iter().all(|r| r["status"] == 202), "{requests}");

    // Fedify reads our post with a signed fetch; an unsigned one is refused.
    let read = fed
        .control("/control/lookup", Some(json!({ "id": post.ap_id })))
        .await;
    assert_eq!(read["type"], "Note", "{read}");
    assert!(
        read["content"]
            .as_str()
            .unwrap()
            .contains("Respuesta desde Puentes")
    );
    let status = reqwest::Client::new()
        .get(&post.ap_id)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
}

#[tokio::test]
async fn fedify_follows_reads_and_exchanges_notes_under_authorized_fetch() {
    if !fedify_available() {
        return;
    }
    on_every_backend!(fedify_scenario);
}

/// Fedify's own FEP-8b32 verifier accepts a statement's proof (and refuses it once the
/// text is changed).
async fn fedify_proof_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("red", "alliance").await;
    let row = a
        .app()
        .create_statement(
            &OP,
            "red",
            puentes_app::statements::Draft {
                title: "Declaración conjunta".into(),
                text: "Exigimos vías seguras y legales. https://example.org/informe".into(),
                ask: Some("Firmen antes del viernes".into()),
                language: Some("es".into()),
                translations: vec![],
                policy: Some(puentes_core::EndorsementPolicy::Anyone),
                deadline: None,
            },
        )
        .await
        .unwrap();
    let version = a.app().open_statement(&OP, &row.uuid).await.unwrap();
    net.settle().await;
    let fed = start_fedify().await;
    let verified = fed
        .control(
            "/control/verify-proof",
            Some(json!({ "url": version.ap_id })),
        )
        .await;
    assert_eq!(verified["verified"], true, "{verified}");
    assert_eq!(verified["proofs"], 1);
    let tampered = fed
        .control(
            "/control/verify-proof",
            Some(json!({ "url": version.ap_id, "tamper": true })),
        )
        .await;
    assert_eq!(tampered["verified"], false, "{tampered}");
}

#[tokio::test]
async fn fedify_verifies_a_statements_proof() {
    if !fedify_available() {
        return;
    }
    on_every_backend!(fedify_proof_scenario);
}
