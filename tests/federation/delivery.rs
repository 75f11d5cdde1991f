use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{Backend, FakeRemote, OP, TestNetwork};
use serde_json::json;

async fn peer_down_and_back_scenario(backend: &Backend) {
    let mut net = TestNetwork::start(backend, 2).await;
    net.instances[0].create_actor("alpha", "organization").await;
    net.instances[1].create_actor("beta", "organization").await;
    let alpha_handle = net.get(0).handle("alpha");
    net.get(1)
        .instance
        .app
        .follow(&OP, "beta", &alpha_handle)
        .await
        .unwrap();
    net.settle().await;

    net.instances[1].stop().await;
    let post = net
        .get(0)
        .post("alpha", "while you were away", "public")
        .await
        .unwrap();
    net.settle().await;
    let pending = query::delivery::list(
        net.get(0).db(),
        Some(puentes_core::DeliveryState::Pending),
        10,
    )
    .await
    .unwrap();
    assert_eq!(pending.len(), 1, "the failed delivery waits for a retry");
    assert_eq!(pending[0].attempts, 1);
    assert!(
        pending[0].next_attempt_at > chrono::Utc::now(),
        "retried later, with backoff"
    );
    assert!(
        pending[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("cannot reach")
    );

    net.instances[1].restart().await;
    // Time passes: make the retry due now, as `puentes delivery retry` does.
    query::delivery::retry_now(net.get(0).db(), None)
        .await
        .unwrap();
    net.settle().await;
    assert!(
        net.get(1).post_by_id(&post.ap_id).await.is_some(),
        "delivered once the peer came back"
    );
    assert_eq!(
        query::delivery::count_in_state(net.get(0).db(), puentes_core::DeliveryState::Pending)
            .await
            .unwrap(),
        0
    );
    let host = query::instance::get(net.get(0).db(), &net.get(1).domain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(host.failure_count, 0, "success resets the host's health");
}

#[tokio::test]
async fn peer_down_and_back() {
    on_every_backend!(peer_down_and_back_scenario);
}

async fn restart_mid_fan_out_scenario(backend: &Backend) {
    let mut net = TestNetwork::start(backend, 3).await;
    net.instances[0].create_actor("alpha", "organization").await;
    net.instances[1].create_actor("beta", "organization").await;
    net.instances[2].create_actor("gamma", "organization").await;
    let alpha_handle = net.get(0).handle("alpha");
    net.get(1)
        .instance
        .app
        .follow(&OP, "beta", &alpha_handle)
        .await
        .unwrap();
    net.get(2)
        .instance
        .app
        .follow(&OP, "gamma", &alpha_handle)
        .await
        .unwrap();
    net.settle().await;

    let post = net
        .get(0)
        .post("alpha", "fan-out interrupted", "public")
        .await
        .unwrap();
    let ctx = net.get(0).instance.ctx.clone();
    puentes_apub::outbox::run_outbox_once(&ctx, 10)
        .await
        .unwrap();
    assert_eq!(
        puentes_apub::delivery::run_deliveries_once(&ctx, 1)
            .await
            .unwrap(),
        1,
        "one of two sent"
    );
    net.instances[0].restart().await;
    net.settle().await;

    for i in [1, 2] {
        assert!(
            net.get(i).post_by_id(&post.ap_id).await.is_some(),
            "instance {i} got the post"
        );
    }
    let delivered = query::delivery::list(
        net.get(0).db(),
        Some(puentes_core::DeliveryState::Delivered),
        100,
    )
    .await
    .unwrap();
    let for_post = delivered.iter().filter(|d| d.attempts == 1).count();
    assert!(for_post >= 2);
    assert_eq!(
        query::delivery::count_in_state(net.get(0).db(), puentes_core::DeliveryState::Pending)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn restart_in_the_middle_of_a_fan_out() {
    on_every_backend!(restart_mid_fan_out_scenario);
}

/// A 4xx other than 401/408/429 is final; a 5xx is retried, and a host that keeps failing
/// is parked.
async fn status_handling_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let follower = remote.add_actor(
        "/users/reader",
        &json!({ "type": "Person", "preferredUsername": "reader" }),
    );
    let follow = json!({ "id": format!("{}/follows/1", remote.base), "type": "Follow", "actor": follower, "object": a.actor_url("alpha") });
    let (status, _) = remote
        .post(&format!("{}/inbox", a.base()), &follower, &follow)
        .await;
    assert_eq!(status, 202);
    net.settle().await;
    assert!(
        remote
            .received()
            .iter()
            .any(|(_, body)| body["type"] == "Accept")
    );

    remote.set_inbox_status(410);
    let post = a.post("alpha", "gone peer", "public").await.unwrap();
    net.settle().await;
    let failed = query::delivery::list(a.db(), Some(puentes_core::DeliveryState::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "410 is permanent");
    assert_eq!(failed[0].last_status, Some(410));

    remote.set_inbox_status(503);
    for _ in 0..5 {
        a.post("alpha", "busy peer", "public").await.unwrap();
        net.settle().await;
        query::delivery::retry_now(a.db(), None).await.unwrap();
    }
    let host = query::instance::get(a.db(), &remote.base.replace("http://", ""))
        .await
        .unwrap()
        .unwrap();
    assert!(
        host.parked_until.is_some(),
        "a host failing again and again is parked"
    );
    assert_eq!(
        query::delivery::due_count(a.db()).await.unwrap(),
        0,
        "parked hosts get no deliveries"
    );
    let _ = post;
}

#[tokio::test]
async fn delivery_status_handling() {
    on_every_backend!(status_handling_scenario);
}
