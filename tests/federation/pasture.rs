//! fediverse-pasture's `verify_actor` (PyPI): six actors of its own read our actor and
//! post to its inbox. alice and dean post unsigned and must be refused; bob and emily sign;
//! claire and frank serve their keys only to signed fetches (as GoToSocial and Mastodon's
//! secure mode do), so their posts are accepted only if our key fetch is signed the way
//! bovine checks it (`(request-target)`, `host`, `date`). dean, emily and frank have no
//! `preferredUsername`. And WebFinger must lead back to the same actor.

use crate::on_every_backend;
use puentes_tests::{
    Backend, TestNetwork,
    peers::{PeerProcess, available_or_skip, free_port, peers_dir, runs},
};
use serde_json::{Value, json};

fn python() -> String {
    std::env::var("PUENTES_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

async fn pasture_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let port = free_port();
    let pasture = PeerProcess::start(
        &python(),
        &["pasture.py".into(), "--port".into(), port.to_string()],
        &peers_dir(),
        port,
        "fediverse-pasture verify_actor",
    )
    .await;
    let mut url = url::Url::parse(&pasture.base).unwrap();
    url.query_pairs_mut()
        .append_pair("actor_uri", &a.actor_url("alpha"));
    let response: Value = reqwest::Client::new()
        .get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result = &response["result"];
    let expected = json!({
        "alice": { "get_actor": true, "post_inbox": false },
        "bob": { "get_actor": true, "post_inbox": true },
        "claire": { "get_actor": true, "post_inbox": true },
        "dean": { "get_actor": true, "post_inbox": false },
        "emily": { "get_actor": true, "post_inbox": true },
        "frank": { "get_actor": true, "post_inbox": true },
        "webfinger": true,
    });
    assert_eq!(
        result,
        &expected,
        "verify_actor's matrix; its log:\n{}",
        response["messages"].as_str().unwrap_or_default()
    );
}

#[tokio::test]
async fn fediverse_pasture_verify_actor_matrix() {
    if !available_or_skip(
        runs(
            &python(),
            &["-c", "import fediverse_pasture, hypercorn"],
            None,
        ),
        "fediverse-pasture (pip install -r tests/peers/requirements.txt)",
    ) {
        return;
    }
    on_every_backend!(pasture_scenario);
}
