//! Interop with bovine-herd (PyPI), a complete ActivityPub server whose actors answer only
//! signed GETs and which verifies every request with bovine: it follows us and is
//! followed by us, and posts go both ways. Before: our signed fetches did not sign `date`,
//! bovine answered 401 ("Required field not present in signature"), and neither follow
//! could complete.

use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{
    Backend, OP, TestNetwork,
    peers::{PeerProcess, available_or_skip, free_port, peers_dir, runs},
};
use serde_json::json;

fn python() -> String {
    std::env::var("PUENTES_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn herd_available() -> bool {
    available_or_skip(
        runs(&python(), &["-c", "import bovine_herd, hypercorn"], None),
        "bovine-herd (pip install -r tests/peers/requirements.txt)",
    )
}

async fn start_herd() -> PeerProcess {
    let port = free_port();
    let mut args = vec![
        "herd.py".to_string(),
        "--port".to_string(),
        port.to_string(),
    ];
    if std::env::var_os("PEER_LOG").is_some() {
        args.push("--verbose".into());
    }
    PeerProcess::start(&python(), &args, &peers_dir(), port, "bovine-herd").await
}

async fn herd_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let alpha = a.actor_url("alpha");
    let herd = start_herd().await;
    let herdy = herd.control("/control/health", None).await["actor"]
        .as_str()
        .unwrap()
        .to_string();
    let unsigned = reqwest::Client::new()
        .get(&herdy)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(unsigned, 401, "bovine-herd actors need a signed fetch");

    // The herd follows us: we read herdy (signed) to verify, our Accept reaches it.
    herd.control("/control/follow", Some(json!({ "actor": alpha })))
        .await;
    net.settle().await;
    assert_eq!(a.followers("alpha").await, vec![herdy.clone()]);
    assert_eq!(
        herd.control("/control/following", None).await,
        json!([alpha])
    );

    // We follow the herd; it accepts.
    a.app()
        .follow(&OP, "alpha", &format!("herdy@{}", herd.authority()))
        .await
        .expect("follow a bovine-herd actor");
    net.settle().await;
    let accepted = herd
        .control("/control/accept-follows", Some(json!({})))
        .await;
    assert_eq!(
        accepted["accepted"].as_array().unwrap().len(),
        1,
        "{accepted}"
    );
    net.settle().await;
    let herd_row = query::actor::by_ap_id(a.db(), &herdy)
        .await
        .unwrap()
        .expect("herdy stored");
    let alpha_row = a.actor("alpha").await;
    let follow = query::follow::between(a.db(), alpha_row.id, herd_row.id)
        .await
        .unwrap()
        .expect("follow row");
    assert_eq!(follow.state, puentes_core::FollowState::Accepted);
    assert_eq!(
        herd.control("/control/followers", None).await,
        json!([alpha])
    );

    // The herd posts to its followers; we store it.
    let note = herd
        .control(
            "/control/note",
            Some(json!({ "content": "<p>Muu desde bovine</p>" })),
        )
        .await;
    let stored = a
        .post_by_id(note["note_id"].as_str().unwrap())
        .await
        .expect("the herd's note stored");
    assert!(stored.content.contains("Muu desde bovine"));

    // We post; the herd verifies and keeps it.
    let post = a.post("alpha", "Hola, rebaño", "public").await.unwrap();
    net.settle().await;
    let received = herd.control("/control/received", None).await;
    let create = received
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["activity"]["type"] == "Create" && r["activity"]["object"]["id"] == json!(post.ap_id)
        })
        .unwrap_or_else(|| panic!("our Create reached the herd: {received}"));
    assert_eq!(create["signer"], json!(alpha));
}

#[tokio::test]
async fn bovine_herd_follows_and_is_followed() {
    if !herd_available() {
        return;
    }
    on_every_backend!(herd_scenario);
}
