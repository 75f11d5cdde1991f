//! Interop with software we did not write: a peer built on the Python ActivityPub library
//! bovine (tests/peers/peer.py) follows an organization, receives its post and verifies the
//! signature with bovine's own code, and posts back to it.

use crate::on_every_backend;
use puentes_tests::{Backend, OP, TestNetwork};
use serde_json::{Value, json};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};

struct Peer {
    child: tokio::process::Child,
    base: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn python() -> String {
    std::env::var("PUENTES_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn bovine_available() -> bool {
    std::process::Command::new(python())
        .args(["-c", "import bovine, aiohttp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

async fn start_peer(name: &str) -> Peer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/peer.py");
    let mut child = tokio::process::Command::new(python())
        .args([
            script,
            "--port",
            &port.to_string(),
            "--name",
            name,
            "--auto-accept",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the bovine peer");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    // The peer prints READY once it listens; reading it is how we wait, no sleeping.
    let ready = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.starts_with("READY") {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(ready, "the bovine peer did not start");
    Peer {
        child,
        base: format!("http://localhost:{port}"),
    }
}

async fn control(peer: &Peer, path: &str, body: Option<Value>) -> Value {
    let client = reqwest::Client::new();
    let request = match body {
        Some(body) => client.post(format!("{}{path}", peer.base)).json(&body),
        None => client.get(format!("{}{path}", peer.base)),
    };
    request.send().await.unwrap().json().await.unwrap()
}

async fn bovine_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let alpha = a.actor_url("alpha");
    let peer = start_peer("bovi").await;

    let follow = control(&peer, "/control/follow", Some(json!({ "actor": alpha }))).await;
    assert_eq!(follow["status"], 202, "{follow}");
    net.settle().await;
    let peer_actor = format!("{}/actor", peer.base);
    assert_eq!(a.followers("alpha").await, vec![peer_actor.clone()]);

    let post = a
        .post("alpha", "Llamado a la acción", "public")
        .await
        .unwrap();
    net.settle().await;
    let received = control(&peer, "/control/received", None).await;
    let entries = received.as_array().unwrap();
    let accept = entries
        .iter()
        .find(|e| e["activity"]["type"] == "Accept")
        .expect("Accept received");
    assert_eq!(
        accept["verified"], true,
        "bovine verified our Accept: {accept}"
    );
    let create = entries
        .iter()
        .find(|e| e["activity"]["type"] == "Create")
        .expect("Create received");
    assert_eq!(
        create["verified"], true,
        "bovine verified our signature: {create}"
    );
    assert_eq!(create["activity"]["object"]["id"], post.ap_id);

    let note = control(
        &peer,
        "/control/note",
        Some(json!({ "to_actor": alpha, "content": "<p>solidaridad</p>" })),
    )
    .await;
    assert_eq!(note["status"], 202, "{note}");
    let stored = a
        .post_by_id(note["note_id"].as_str().unwrap())
        .await
        .expect("bovine's note stored");
    assert!(stored.content.contains("solidaridad"));

    let undo = control(
        &peer,
        "/control/undo-follow",
        Some(json!({ "actor": alpha })),
    )
    .await;
    assert_eq!(undo["status"], 202, "{undo}");
    assert!(a.followers("alpha").await.is_empty());
}

#[tokio::test]
async fn bovine_peer_follows_receives_and_posts() {
    if !bovine_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install tests/peers/requirements.txt"
        );
        eprintln!(
            "skipping: python bovine is not installed (pip install -r tests/peers/requirements.txt)"
        );
        return;
    }
    on_every_backend!(bovine_scenario);
}

/// bovine's own FEP-8b32 code signs an endorsement of our statement, over a digest the peer
/// computes with Python's JCS library: we accept it, list it, and `verify` checks it.
async fn bovine_endorsement_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("red", "alliance").await;
    let peer = start_peer("bovi").await;
    let row = a
        .instance
        .app
        .create_statement(
            &OP,
            "red",
            puentes_app::statements::Draft {
                title: "Declaración".into(),
                text: "Texto con acentos: migración, «derechos» y €.".into(),
                ask: None,
                language: Some("es".into()),
                translations: vec![],
                policy: Some(puentes_core::EndorsementPolicy::Anyone),
                deadline: None,
            },
        )
        .await
        .unwrap();
    let version = a.instance.app.open_statement(&OP, &row.uuid).await.unwrap();
    net.settle().await;

    let endorsed = control(
        &peer,
        "/control/endorse",
        Some(json!({ "statement": row.ap_url })),
    )
    .await;
    assert_eq!(
        endorsed["digest"], version.digest,
        "same JCS digest in Python"
    );
    assert_eq!(endorsed["status"], 202, "{endorsed}");
    net.settle().await;
    let (_, page) = a
        .get_json(&format!("/statements/{}/v/1/endorsements?page=1", row.uuid))
        .await;
    assert_eq!(page["orderedItems"][0]["id"], endorsed["endorse_id"]);
    let report = puentes_apub::statements::verify::verify(&a.instance.ctx, &version.ap_id)
        .await
        .unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(report.verified(), 1);
}

#[tokio::test]
async fn bovine_peer_endorses_a_statement() {
    if !bovine_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install tests/peers/requirements.txt"
        );
        eprintln!("skipping: python bovine is not installed");
        return;
    }
    on_every_backend!(bovine_endorsement_scenario);
}
