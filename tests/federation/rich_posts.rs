use crate::on_every_backend;
use puentes_app::posts::NewPost;
use puentes_core::content::Tag;
use puentes_tests::{Backend, OP, TestNetwork};

async fn rich_posts_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (a, b, c) = (net.get(0), net.get(1), net.get(2));
    a.create_actor("alpha", "organization").await;
    b.create_actor("beta", "alliance").await;
    c.create_actor("gamma", "organization").await;
    b.instance
        .app
        .follow(&OP, "beta", &a.handle("alpha"))
        .await
        .unwrap();
    net.settle().await;

    let text = format!(
        "**Urgente**: audiencia pública sobre #Migrantes con @gamma@{}.\n\nVengan todas.",
        c.domain
    );
    let article = a
        .instance
        .app
        .publish(
            &OP,
            "alpha",
            NewPost {
                language: Some("es".into()),
                translations: vec![(
                    "fr".into(),
                    "**Urgent** : audience publique #Migrants".into(),
                )],
                title: Some("Audiencia pública".into()),
                ..NewPost::text(&text)
            },
        )
        .await
        .unwrap();
    net.settle().await;

    // The follower and the mentioned organization (not a follower) both have it.
    for instance in [b, c] {
        let stored = instance
            .post_by_id(&article.ap_id)
            .await
            .expect("article delivered");
        assert_eq!(stored.kind, "Article");
        assert_eq!(stored.name.as_deref(), Some("Audiencia pública"));
        assert!(
            stored
                .summary
                .as_deref()
                .unwrap_or("")
                .starts_with("Urgente: audiencia pública"),
            "{:?}",
            stored.summary
        );
        let languages = stored.content_map().expect("both languages");
        assert!(languages["es"].contains("<strong>Urgente</strong>"));
        assert!(languages["fr"].contains("<strong>Urgent</strong>"));
        let tags = stored.tags();
        assert!(
            tags.iter()
                .any(|t| matches!(t, Tag::Hashtag { name, .. } if name == "#migrantes")),
            "{tags:?}"
        );
        assert!(
            tags.iter()
                .any(|t| matches!(t, Tag::Mention { href: Some(href), .. } if *href == c.actor_url("gamma"))),
            "{tags:?}"
        );
    }

    // What Mastodon reads: name, summary, contentMap, tags.
    let path = article.ap_id.trim_start_matches(&a.base()).to_string();
    let (_, doc) = a.get_json(&path).await;
    assert_eq!(doc["type"], "Article");
    assert_eq!(doc["name"], "Audiencia pública");
    assert!(doc["contentMap"]["fr"].is_string());
    assert!(
        doc["cc"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == &serde_json::json!(c.actor_url("gamma")))
    );

    // A reply reaches the author even though she does not follow the replier.
    let reply = c
        .instance
        .app
        .publish(
            &OP,
            "gamma",
            NewPost {
                reply_to: Some(article.ap_id.clone()),
                ..NewPost::text("Allí estaremos #Migrantes")
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let stored = a
        .post_by_id(&reply.ap_id)
        .await
        .expect("reply delivered to the author");
    assert_eq!(stored.in_reply_to.as_deref(), Some(article.ap_id.as_str()));

    // The hashtag page lists local posts; the post page shows both languages.
    let html = a.get_page("/tags/migrantes").await;
    assert!(html.contains("Audiencia pública"), "{html}");
    let page = reqwest::get(article.url.clone().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"lang="fr""#) && page.contains("Urgent"),
        "{page}"
    );

    // Bad input gets clear errors and stores nothing.
    let err = a
        .instance
        .app
        .publish(&OP, "alpha", NewPost::text("hola @nadie@localhost:9"))
        .await
        .unwrap_err();
    assert!(
        err.message().contains("cannot find @nadie@localhost:9"),
        "{}",
        err.message()
    );
    let err = a
        .instance
        .app
        .publish(
            &OP,
            "alpha",
            NewPost {
                language: Some("not a language".into()),
                ..NewPost::text("x")
            },
        )
        .await
        .unwrap_err();
    assert!(err.message().contains("language tag"));
}

#[tokio::test]
async fn rich_posts_in_several_languages_with_tags_mentions_and_replies() {
    on_every_backend!(rich_posts_scenario);
}
