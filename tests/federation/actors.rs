//! An actor's life: its profile edited (followers elsewhere get the `Update`, images
//! re-encoded and served) and its deletion (followers elsewhere get the `Delete` of the
//! actor; its id answers 410 with a Tombstone; its posts and memberships end there too).

use crate::on_every_backend;
use puentes_app::{actors::ProfileEdit, posts::NewPost};
use puentes_core::{ErrorKind, MembershipStatus};
use puentes_db::query;
use puentes_tests::{Backend, OP, TestNetwork};

fn png(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 5) as u8, 200])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn profile_edits_and_deletion_reach_followers_elsewhere() {
    on_every_backend!(profile_edits_and_deletion);
}

async fn profile_edits_and_deletion(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));
    // alpha also belongs to an alliance on b's instance.
    b.create_open_alliance("red").await;
    a.app()
        .join_alliance(&OP, "alpha", &b.handle("red"))
        .await
        .unwrap();
    let post = a
        .app()
        .publish(&OP, "alpha", NewPost::text("Hola desde alpha"))
        .await
        .unwrap();
    net.settle().await;
    assert!(b.post_by_id(&post.ap_id).await.is_some());

    // Edit: name, summary, avatar and header; beta's instance receives the Update.
    let edit = ProfileEdit {
        display_name: Some("Alpha Renombrada".into()),
        summary: Some("Defendemos a las personas migrantes.".into()),
        avatar: Some(png(40, 40)),
        header: Some(png(120, 40)),
    };
    let edited = a.app().edit_actor(&OP, "alpha", edit).await.unwrap();
    net.settle().await;
    let seen = query::actor::by_ap_id(b.db(), &edited.ap_id)
        .await
        .unwrap()
        .expect("alpha known on b");
    assert_eq!(seen.display_name.as_deref(), Some("Alpha Renombrada"));
    assert!(
        seen.summary
            .as_deref()
            .is_some_and(|s| s.contains("Defendemos")),
        "{:?}",
        seen.summary
    );
    let avatar = seen.icon_url.clone().expect("avatar travelled");
    let header = seen.header_url.clone().expect("header travelled");
    assert_ne!(avatar, header);
    for url in [&avatar, &header] {
        let response = reqwest::get(url.as_str()).await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.headers()["content-type"], "image/png");
    }
    let nothing = a
        .app()
        .edit_actor(&OP, "alpha", ProfileEdit::default())
        .await;
    assert_eq!(nothing.unwrap_err().kind(), ErrorKind::BadRequest);

    // Delete: beta's instance receives the Delete of the actor.
    a.app().delete_actor(&OP, "alpha").await.unwrap();
    net.settle().await;
    let seen = query::actor::by_ap_id(b.db(), &edited.ap_id)
        .await
        .unwrap()
        .expect("alpha still known on b");
    assert!(seen.deleted_at.is_some(), "b knows alpha is gone");
    let beta = b.actor("beta").await;
    assert!(
        query::follow::between(b.db(), beta.id, seen.id)
            .await
            .unwrap()
            .is_none(),
        "beta no longer follows a deleted actor"
    );
    let stored = b.post_by_id(&post.ap_id).await.unwrap();
    assert!(stored.deleted_at.is_some(), "its post is a Tombstone on b");
    let red = b.actor("red").await;
    let membership = query::membership::get(b.db(), red.id, seen.id)
        .await
        .unwrap()
        .expect("alpha had joined red");
    assert_eq!(
        membership.status(),
        MembershipStatus::Left,
        "its membership in red ended"
    );

    // Its id answers 410 with a Tombstone, its WebFinger 410, its posts are Tombstones.
    let (status, doc) = a.get_json("/actors/alpha").await;
    assert_eq!(status, 410);
    assert_eq!(doc["type"], "Tombstone");
    assert_eq!(doc["formerType"], "Organization");
    assert!(doc.get("publicKey").is_none(), "{doc}");
    let finger = reqwest::get(format!(
        "{}/.well-known/webfinger?resource=acct:alpha@{}",
        a.base(),
        a.domain
    ))
    .await
    .unwrap();
    assert_eq!(finger.status(), 410);
    let (_, post_doc) = a.get_json(post.ap_id.trim_start_matches(&a.base())).await;
    assert_eq!(post_doc["type"], "Tombstone");

    // Nothing more can be done as alpha, and nobody can take its name.
    let gone = a
        .app()
        .publish(&OP, "alpha", NewPost::text("¿sigue aquí?"))
        .await;
    assert_eq!(gone.unwrap_err().kind(), ErrorKind::Gone);
    let again = a
        .app()
        .create_actor(
            &OP,
            puentes_app::actors::NewActor {
                name: "alpha".into(),
                kind: puentes_core::ActorKind::Organization,
                display_name: None,
                summary: None,
                manually_approves_followers: false,
            },
        )
        .await;
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Conflict);
}
