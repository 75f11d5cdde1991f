use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{Backend, OP, TestNetwork};

async fn actor_block_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (a, b, c) = (net.get(0), net.get(1), net.get(2));
    a.create_actor("alpha", "organization").await;
    b.create_actor("troll", "organization").await;
    c.create_actor("friend", "organization").await;
    b.instance
        .app
        .follow(&OP, "troll", &a.handle("alpha"))
        .await
        .unwrap();
    c.instance
        .app
        .follow(&OP, "friend", &a.handle("alpha"))
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(a.followers("alpha").await.len(), 2);

    a.instance
        .app
        .block(&OP, "alpha", &b.handle("troll"))
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(a.followers("alpha").await, vec![c.actor_url("friend")]);
    // The Block told the troll's instance to drop its follow too.
    let troll = b.actor("troll").await;
    let alpha_on_b = query::actor::by_ap_id(b.db(), &a.actor_url("alpha"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        query::follow::between(b.db(), troll.id, alpha_on_b.id)
            .await
            .unwrap()
            .is_none()
    );

    // Receiving: a new Follow from the blocked actor is rejected.
    b.instance
        .app
        .follow(&OP, "troll", &a.handle("alpha"))
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(a.followers("alpha").await.len(), 1);
    assert!(
        query::follow::between(b.db(), troll.id, alpha_on_b.id)
            .await
            .unwrap()
            .is_none(),
        "Reject arrived"
    );

    // Sending: posts go to the friend only.
    let post = a.post("alpha", "not for trolls", "public").await.unwrap();
    net.settle().await;
    assert!(c.post_by_id(&post.ap_id).await.is_some());
    assert!(b.post_by_id(&post.ap_id).await.is_none());
}

#[tokio::test]
async fn actor_block() {
    on_every_backend!(actor_block_scenario);
}

async fn domain_block_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (a, b, c) = (net.get(0), net.get(1), net.get(2));
    a.create_actor("alpha", "organization").await;
    b.create_actor("spam", "organization").await;
    c.create_actor("friend", "organization").await;
    b.instance
        .app
        .follow(&OP, "spam", &a.handle("alpha"))
        .await
        .unwrap();
    c.instance
        .app
        .follow(&OP, "friend", &a.handle("alpha"))
        .await
        .unwrap();
    a.instance
        .app
        .follow(&OP, "alpha", &b.handle("spam"))
        .await
        .unwrap();
    net.settle().await;

    let ended = a
        .instance
        .app
        .domain_block(&OP, &b.domain, Some("spam".into()))
        .await
        .unwrap();
    assert_eq!(ended, 2, "both follows with the domain ended");
    assert_eq!(a.followers("alpha").await, vec![c.actor_url("friend")]);

    // Receiving: the blocked domain's requests are refused.
    b.instance
        .app
        .unfollow(&OP, "spam", &a.handle("alpha"))
        .await
        .ok();
    b.instance
        .app
        .follow(&OP, "spam", &a.handle("alpha"))
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(a.followers("alpha").await.len(), 1);
    let refused = query::delivery::list(b.db(), Some(puentes_core::DeliveryState::Failed), 10)
        .await
        .unwrap();
    assert!(
        refused.iter().any(|d| d.last_status == Some(403)),
        "{refused:?}"
    );

    // Sending: nothing goes to the blocked domain, and handles there are not resolved.
    let post = a.post("alpha", "hola", "public").await.unwrap();
    net.settle().await;
    assert!(b.post_by_id(&post.ap_id).await.is_none());
    let err = a
        .instance
        .app
        .follow(&OP, "alpha", &b.handle("spam"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), puentes_core::ErrorKind::Forbidden);
}

#[tokio::test]
async fn domain_block() {
    on_every_backend!(domain_block_scenario);
}
