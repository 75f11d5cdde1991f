use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{Backend, OP, TestNetwork};

async fn follow_both_ways_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 2).await;
    let (a, b) = (net.get(0), net.get(1));
    a.create_actor("alpha", "organization").await;
    b.create_actor("beta", "alliance").await;

    let row = b
        .instance
        .app
        .follow(&OP, "beta", &a.handle("alpha"))
        .await
        .unwrap();
    assert_eq!(
        row.state,
        puentes_core::FollowState::Pending,
        "remote follows wait for Accept"
    );
    net.settle().await;

    assert_eq!(a.followers("alpha").await, vec![b.actor_url("beta")]);
    let beta = b.actor("beta").await;
    let remote_alpha = query::actor::by_ap_id(b.db(), &a.actor_url("alpha"))
        .await
        .unwrap()
        .unwrap();
    let follow = query::follow::between(b.db(), beta.id, remote_alpha.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        follow.state,
        puentes_core::FollowState::Accepted,
        "Accept reached beta"
    );

    // The followers collection says the same over HTTP.
    let (status, page) = a.get_json("/actors/alpha/followers?page=1").await;
    assert_eq!(status, 200);
    assert_eq!(page["orderedItems"][0], b.actor_url("beta"));
    let (_, head) = a.get_json("/actors/alpha/followers").await;
    assert_eq!(head["totalItems"], 1);

    // And the other way round.
    a.instance
        .app
        .follow(&OP, "alpha", &b.handle("beta"))
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(b.followers("beta").await, vec![a.actor_url("alpha")]);
}

#[tokio::test]
async fn follow_both_ways() {
    on_every_backend!(follow_both_ways_scenario);
}

async fn manual_approval_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (a, b, c) = (net.get(0), net.get(1), net.get(2));
    a.create_manual_actor("careful").await;
    b.create_actor("beta", "organization").await;
    c.create_actor("gamma", "organization").await;
    let (_, doc) = a.get_json("/actors/careful").await;
    assert_eq!(doc["manuallyApprovesFollowers"], true);

    b.instance
        .app
        .follow(&OP, "beta", &a.handle("careful"))
        .await
        .unwrap();
    c.instance
        .app
        .follow(&OP, "gamma", &a.handle("careful"))
        .await
        .unwrap();
    net.settle().await;
    assert!(
        a.followers("careful").await.is_empty(),
        "requests wait for the owner"
    );
    let pending: Vec<String> = a
        .instance
        .app
        .pending_followers(&OP, "careful")
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.ap_id)
        .collect();
    assert_eq!(pending.len(), 2);

    a.instance
        .app
        .approve_follower(&OP, "careful", &b.handle("beta"))
        .await
        .unwrap();
    a.instance
        .app
        .reject_follower(&OP, "careful", &c.handle("gamma"))
        .await
        .unwrap();
    net.settle().await;

    assert_eq!(a.followers("careful").await, vec![b.actor_url("beta")]);
    let beta = b.actor("beta").await;
    let careful_on_b = query::actor::by_ap_id(b.db(), &a.actor_url("careful"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        query::follow::between(b.db(), beta.id, careful_on_b.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        "accepted"
    );
    let gamma = c.actor("gamma").await;
    let careful_on_c = query::actor::by_ap_id(c.db(), &a.actor_url("careful"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        query::follow::between(c.db(), gamma.id, careful_on_c.id)
            .await
            .unwrap()
            .is_none(),
        "Reject removed gamma's request"
    );
}

#[tokio::test]
async fn manual_approval() {
    on_every_backend!(manual_approval_scenario);
}

async fn unfollow_scenario(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));
    assert_eq!(a.followers("alpha").await.len(), 1);

    b.instance
        .app
        .unfollow(&OP, "beta", &a.handle("alpha"))
        .await
        .unwrap();
    net.settle().await;
    assert!(
        a.followers("alpha").await.is_empty(),
        "Undo(Follow) removed the follower"
    );
    let err = b
        .instance
        .app
        .unfollow(&OP, "beta", &a.handle("alpha"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), puentes_core::ErrorKind::NotFound);
}

#[tokio::test]
async fn unfollow() {
    on_every_backend!(unfollow_scenario);
}
