use crate::on_every_backend;
use puentes_db::query;
use puentes_tests::{Backend, OP, TestNetwork};

async fn fan_out_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (a, b, c) = (net.get(0), net.get(1), net.get(2));
    a.create_actor("alpha", "organization").await;
    b.create_actor("b1", "organization").await;
    b.create_actor("b2", "organization").await;
    c.create_actor("c1", "alliance").await;
    for (instance, name) in [(b, "b1"), (b, "b2"), (c, "c1")] {
        instance
            .instance
            .app
            .follow(&OP, name, &a.handle("alpha"))
            .await
            .unwrap();
    }
    net.settle().await;
    assert_eq!(a.followers("alpha").await.len(), 3);

    let post = a
        .post("alpha", "Comunicado: la red se reúne el lunes.", "public")
        .await
        .unwrap();
    puentes_apub::outbox::run_outbox_once(&a.instance.ctx, 10)
        .await
        .unwrap();
    let rows = query::delivery::list(a.db(), None, 100).await.unwrap();
    let for_post: Vec<_> = rows
        .iter()
        .filter(|r| r.inbox.ends_with("/inbox") && !r.inbox.contains("/actors/"))
        .collect();
    assert_eq!(
        for_post.len(),
        2,
        "one delivery per shared inbox, not per follower: {rows:?}"
    );
    net.settle().await;

    for instance in [b, c] {
        let stored = instance
            .post_by_id(&post.ap_id)
            .await
            .expect("post arrived");
        assert!(stored.content.contains("la red se reúne"));
        assert_eq!(stored.visibility, "public");
        assert!(!stored.local);
    }
    assert_eq!(
        query::delivery::count_in_state(a.db(), puentes_core::DeliveryState::Pending)
            .await
            .unwrap(),
        0
    );

    // The note is served at its id, to unsigned GETs too, and listed in the outbox.
    let path = post.ap_id.trim_start_matches(&a.base()).to_string();
    let (status, note) = a.get_json(&path).await;
    assert_eq!(status, 200);
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], a.actor_url("alpha"));
    let (_, outbox) = a.get_json("/actors/alpha/outbox?page=1").await;
    assert_eq!(outbox["orderedItems"][0]["object"]["id"], post.ap_id);
}

#[tokio::test]
async fn post_fan_out_with_shared_inbox_dedupe() {
    on_every_backend!(fan_out_scenario);
}

async fn update_and_delete_scenario(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));

    let post = a.post("alpha", "first text", "public").await.unwrap();
    net.settle().await;
    a.instance
        .app
        .edit_post(&OP, &post.ap_id, "corrected text")
        .await
        .unwrap();
    net.settle().await;
    let stored = b.post_by_id(&post.ap_id).await.unwrap();
    assert!(
        stored.content.contains("corrected text"),
        "{}",
        stored.content
    );
    assert!(stored.updated_at.is_some());

    a.instance.app.delete_post(&OP, &post.ap_id).await.unwrap();
    net.settle().await;
    let stored = b.post_by_id(&post.ap_id).await.unwrap();
    assert!(stored.deleted_at.is_some(), "a tombstone stays");
    assert!(stored.content.is_empty());

    let path = post.ap_id.trim_start_matches(&a.base()).to_string();
    let (status, doc) = a.get_json(&path).await;
    assert_eq!(status, 410);
    assert_eq!(doc["type"], "Tombstone");
}

#[tokio::test]
async fn update_and_delete() {
    on_every_backend!(update_and_delete_scenario);
}

async fn followers_only_scenario(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));
    let post = a
        .post("alpha", "only for followers", "followers")
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        b.post_by_id(&post.ap_id).await.unwrap().visibility,
        "followers"
    );
    let path = post.ap_id.trim_start_matches(&a.base()).to_string();
    let (status, _) = a.get_json(&path).await;
    assert_eq!(
        status, 404,
        "followers-only posts are not served to anonymous readers"
    );
}

#[tokio::test]
async fn followers_only_posts() {
    on_every_backend!(followers_only_scenario);
}
