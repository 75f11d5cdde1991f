use crate::on_every_backend;
use puentes_app::posts::NewPost;
use puentes_core::{MemberRole, RelayPolicy};
use puentes_db::query;
use puentes_tests::{Backend, OP, TestInstance, TestNetwork};

async fn to_alliance(
    instance: &TestInstance,
    author: &str,
    alliance: String,
    text: &str,
) -> puentes_db::post::Model {
    instance
        .instance
        .app
        .publish(
            &OP,
            author,
            NewPost {
                to_alliance: Some(alliance),
                ..NewPost::text(text)
            },
        )
        .await
        .unwrap()
}

/// An organization's post bubbles up through its alliance and the alliance of alliances to
/// a follower of the top alliance only, once, attributed to its author.
async fn alliance_of_alliances_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 4).await;
    let (i1, i2, i3, i4) = (net.get(0), net.get(1), net.get(2), net.get(3));
    i1.create_actor("ong", "organization").await;
    i2.create_open_alliance("red").await;
    i3.create_open_alliance("federacion").await;
    i4.create_actor("lectora", "organization").await;

    i2.instance
        .app
        .join_alliance(&OP, "red", &i3.handle("federacion"))
        .await
        .unwrap();
    i1.instance
        .app
        .join_alliance(&OP, "ong", &i2.handle("red"))
        .await
        .unwrap();
    i4.instance
        .app
        .follow(&OP, "lectora", &i3.handle("federacion"))
        .await
        .unwrap();
    net.settle().await;

    let members: Vec<String> = i3
        .instance
        .app
        .alliance_members(&OP, "federacion")
        .await
        .unwrap()
        .into_iter()
        .map(|(m, a)| format!("{}:{}", a.ap_id, m.status))
        .collect();
    assert_eq!(members, vec![format!("{}:active", i2.actor_url("red"))]);
    // Each side knows the membership; the parent follows the child, members follow alliances.
    assert_eq!(
        i1.membership_status(&i2.actor_url("red"), "ong")
            .await
            .as_deref(),
        Some("active")
    );
    assert!(
        i2.followers("red")
            .await
            .contains(&i3.actor_url("federacion"))
    );
    assert!(i2.followers("red").await.contains(&i1.actor_url("ong")));

    let post = to_alliance(
        i1,
        "ong",
        i2.handle("red"),
        "Informe: situación en la frontera",
    )
    .await;
    net.settle().await;

    let seen = i4
        .post_by_id(&post.ap_id)
        .await
        .expect("the follower of the top alliance got it");
    let author = query::actor::get(i4.db(), seen.author_id).await.unwrap();
    assert_eq!(
        author.ap_id,
        i1.actor_url("ong"),
        "attributed to its author"
    );
    assert_eq!(
        seen.audience.as_deref(),
        Some(i2.actor_url("red").as_str()),
        "the original audience travels unchanged"
    );
    assert_eq!(
        i4.announcers(&post.ap_id).await,
        vec![i3.actor_url("federacion")],
        "exactly once, relayed by the top alliance"
    );
    assert_eq!(
        i3.announcers(&post.ap_id).await,
        vec![i2.actor_url("red"), i3.actor_url("federacion")],
        "both relays"
    );
}

#[tokio::test]
async fn alliance_of_alliances_relays_to_the_top() {
    on_every_backend!(alliance_of_alliances_scenario);
}

/// Observers and removed members are not relayed; held posts wait for the secretariat.
async fn moderation_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    for name in ["miembro", "observa", "expulsada"] {
        i1.create_actor(name, "organization").await;
    }
    i2.create_actor("red", "alliance").await;
    i3.create_actor("lectora", "organization").await;
    i3.instance
        .app
        .follow(&OP, "lectora", &i2.handle("red"))
        .await
        .unwrap();
    for name in ["miembro", "observa", "expulsada"] {
        i1.instance
            .app
            .join_alliance(&OP, name, &i2.handle("red"))
            .await
            .unwrap();
    }
    net.settle().await;
    let pending = i2.instance.app.alliance_members(&OP, "red").await.unwrap();
    assert!(
        pending.iter().all(|(m, _)| m.status == "pending"),
        "manual join policy: requests wait"
    );
    i2.instance
        .app
        .accept_member(&OP, "red", &i1.handle("miembro"), MemberRole::Member)
        .await
        .unwrap();
    i2.instance
        .app
        .accept_member(&OP, "red", &i1.handle("observa"), MemberRole::Observer)
        .await
        .unwrap();
    i2.instance
        .app
        .accept_member(&OP, "red", &i1.handle("expulsada"), MemberRole::Member)
        .await
        .unwrap();
    net.settle().await;
    i2.instance
        .app
        .remove_member(&OP, "red", &i1.handle("expulsada"))
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        i1.membership_status(&i2.actor_url("red"), "expulsada")
            .await
            .as_deref(),
        Some("removed")
    );

    let observed = to_alliance(i1, "observa", i2.handle("red"), "observación").await;
    let removed = to_alliance(i1, "expulsada", i2.handle("red"), "ya no soy miembro").await;
    net.settle().await;
    for post in [&observed, &removed] {
        assert!(
            i2.announcers(&post.ap_id).await.is_empty(),
            "not relayed: {}",
            post.ap_id
        );
        assert!(i3.post_by_id(&post.ap_id).await.is_none());
    }

    i2.instance
        .app
        .set_alliance_policies(
            &OP,
            "red",
            puentes_db::query::actor::AlliancePolicies {
                moderation: Some(puentes_core::Moderation::Held),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let held = to_alliance(i1, "miembro", i2.handle("red"), "para aprobar").await;
    net.settle().await;
    assert!(
        i3.post_by_id(&held.ap_id).await.is_none(),
        "held until approved"
    );
    let waiting: Vec<String> = i2
        .instance
        .app
        .held_posts(&OP, "red")
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.ap_id)
        .collect();
    assert_eq!(waiting, vec![held.ap_id.clone()]);
    i2.instance
        .app
        .decide_held_post(&OP, "red", &held.ap_id, true)
        .await
        .unwrap();
    net.settle().await;
    assert!(
        i3.post_by_id(&held.ap_id).await.is_some(),
        "relayed after approval"
    );
    assert_eq!(i3.announcers(&held.ap_id).await, vec![i2.actor_url("red")]);
}

#[tokio::test]
async fn observers_removed_members_and_held_posts() {
    on_every_backend!(moderation_scenario);
}

/// A member of B and B member of A: a post is relayed once per alliance, then it stops.
async fn cycle_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_open_alliance("norte").await;
    i2.create_open_alliance("sur").await;
    i3.create_actor("ong", "organization").await;
    i1.instance
        .app
        .join_alliance(&OP, "norte", &i2.handle("sur"))
        .await
        .unwrap();
    i2.instance
        .app
        .join_alliance(&OP, "sur", &i1.handle("norte"))
        .await
        .unwrap();
    i3.instance
        .app
        .join_alliance(&OP, "ong", &i1.handle("norte"))
        .await
        .unwrap();
    net.settle().await;

    let post = to_alliance(i3, "ong", i1.handle("norte"), "ciclo").await;
    net.settle().await;
    assert_eq!(
        i1.announcers(&post.ap_id).await,
        vec![i1.actor_url("norte"), i2.actor_url("sur")]
    );
    assert_eq!(
        i2.announcers(&post.ap_id).await,
        vec![i1.actor_url("norte"), i2.actor_url("sur")]
    );
    for instance in [i1, i2] {
        let sent = query::delivery::list(instance.db(), None, 500)
            .await
            .unwrap();
        let announces = {
            let mut n = 0;
            for d in &sent {
                let activity = query::activity::by_id(instance.db(), d.activity_id)
                    .await
                    .unwrap()
                    .unwrap();
                if activity.kind == "Announce"
                    && activity.object_ap_id.as_deref() == Some(post.ap_id.as_str())
                {
                    n += 1;
                }
            }
            n
        };
        assert!(
            announces <= 2,
            "each alliance announced once (one delivery per follower host): {announces}"
        );
    }
}

#[tokio::test]
async fn a_cycle_of_alliances_terminates() {
    on_every_backend!(cycle_scenario);
}

/// Trickle-down: a member with automatic relay boosts the alliance's statement; with relay
/// off it does not.
async fn trickle_down_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_open_alliance("red").await;
    i2.create_actor("difunde", "organization").await;
    i2.create_actor("calla", "organization").await;
    i3.create_actor("publico", "organization").await;
    i2.instance
        .app
        .join_alliance(&OP, "difunde", &i1.handle("red"))
        .await
        .unwrap();
    i2.instance
        .app
        .join_alliance(&OP, "calla", &i1.handle("red"))
        .await
        .unwrap();
    i3.instance
        .app
        .follow(&OP, "publico", &i2.handle("difunde"))
        .await
        .unwrap();
    i3.instance
        .app
        .follow(&OP, "publico", &i2.handle("calla"))
        .await
        .unwrap();
    net.settle().await;
    i2.instance
        .app
        .set_relay_policy(&OP, "difunde", &i1.handle("red"), RelayPolicy::Auto)
        .await
        .unwrap();

    let statement = i1
        .post("red", "Declaración de la red", "public")
        .await
        .unwrap();
    net.settle().await;
    assert!(
        i2.post_by_id(&statement.ap_id).await.is_some(),
        "members receive the alliance's posts as followers"
    );
    assert!(
        i3.post_by_id(&statement.ap_id).await.is_some(),
        "the automatic member relayed it"
    );
    assert_eq!(
        i3.announcers(&statement.ap_id).await,
        vec![i2.actor_url("difunde")],
        "relay off: calla did not"
    );
}

#[tokio::test]
async fn trickle_down_follows_each_members_choice() {
    on_every_backend!(trickle_down_scenario);
}

/// Members-only posts reach the alliance's members and nobody else; the member list is
/// public, shown to members only (signed fetch), or private.
async fn members_only_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 4).await;
    let (i1, i2, i3, i4) = (net.get(0), net.get(1), net.get(2), net.get(3));
    i1.create_actor("ong", "organization").await;
    i2.create_open_alliance("red").await;
    i3.create_actor("otra", "organization").await;
    i4.create_actor("lectora", "organization").await;
    i1.instance
        .app
        .join_alliance(&OP, "ong", &i2.handle("red"))
        .await
        .unwrap();
    i3.instance
        .app
        .join_alliance(&OP, "otra", &i2.handle("red"))
        .await
        .unwrap();
    i4.instance
        .app
        .follow(&OP, "lectora", &i1.handle("ong"))
        .await
        .unwrap();
    net.settle().await;

    let (_, public_list) = i2.get_json("/actors/red/members?page=1").await;
    assert_eq!(public_list["orderedItems"].as_array().unwrap().len(), 2);
    let page = i2.get_page("/@red").await;
    assert!(
        page.contains("Members (2)") && page.contains(&format!("@otra@{}", i3.domain)),
        "{page}"
    );
    i2.instance
        .app
        .set_alliance_policies(
            &OP,
            "red",
            puentes_db::query::actor::AlliancePolicies {
                members: Some(puentes_core::MemberListVisibility::Members),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (_, hidden) = i2.get_json("/actors/red/members?page=1").await;
    assert_eq!(hidden["totalItems"], 2, "the count stays visible");
    assert!(
        hidden.get("orderedItems").is_none(),
        "names are for members only: {hidden}"
    );
    let page = i2.get_page("/@red").await;
    assert!(
        page.contains("Members (2)") && !page.contains("@otra@"),
        "{page}"
    );

    let post = i1
        .instance
        .app
        .publish(
            &OP,
            "ong",
            NewPost {
                visibility: puentes_core::Visibility::Members,
                to_alliance: Some(i2.handle("red")),
                ..NewPost::text("Sólo para la red")
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let received = i3
        .post_by_id(&post.ap_id)
        .await
        .expect("the other member got it (its fetch of the list was signed)");
    assert_eq!(received.visibility, "members");
    assert!(
        i4.post_by_id(&post.ap_id).await.is_none(),
        "a follower who is not a member did not"
    );
    assert!(i2.post_by_id(&post.ap_id).await.is_some());
    assert!(
        i2.announcers(&post.ap_id).await.is_empty(),
        "members-only posts are not relayed"
    );
    let path = post.ap_id.trim_start_matches(&i1.base()).to_string();
    assert_eq!(
        i1.get_json(&path).await.0,
        404,
        "not served to anonymous readers"
    );

    i2.instance
        .app
        .set_alliance_policies(
            &OP,
            "red",
            puentes_db::query::actor::AlliancePolicies {
                members: Some(puentes_core::MemberListVisibility::Private),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let second = i1
        .instance
        .app
        .publish(
            &OP,
            "ong",
            NewPost {
                visibility: puentes_core::Visibility::Members,
                to_alliance: Some(i2.handle("red")),
                ..NewPost::text("lista privada")
            },
        )
        .await
        .unwrap();
    net.settle().await;
    assert!(
        i2.post_by_id(&second.ap_id).await.is_some(),
        "the alliance still gets it"
    );
    assert!(
        i3.post_by_id(&second.ap_id).await.is_none(),
        "a private list names nobody, even to members"
    );
}

#[tokio::test]
async fn members_only_posts_and_member_list_visibility() {
    on_every_backend!(members_only_scenario);
}

/// An invitation is accepted by joining; a member that leaves is no longer relayed; a
/// member holding its alliance's posts relays them once it approves.
async fn invite_leave_and_held_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_actor("red", "alliance").await;
    i2.create_actor("invitada", "organization").await;
    i3.create_actor("publico", "organization").await;
    i3.instance
        .app
        .follow(&OP, "publico", &i2.handle("invitada"))
        .await
        .unwrap();
    i3.instance
        .app
        .follow(&OP, "publico", &i1.handle("red"))
        .await
        .unwrap();

    i1.instance
        .app
        .invite_member(&OP, "red", &i2.handle("invitada"), MemberRole::Member)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        i2.membership_status(&i1.actor_url("red"), "invitada")
            .await
            .as_deref(),
        Some("invited")
    );
    let row = i2
        .instance
        .app
        .join_alliance(&OP, "invitada", &i1.handle("red"))
        .await
        .unwrap();
    assert_eq!(row.status, "pending");
    net.settle().await;
    let members = i1.instance.app.alliance_members(&OP, "red").await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(
        members[0].0.status, "active",
        "an invited actor's Join is accepted without waiting"
    );
    assert!(members[0].0.joined_at.is_some());
    assert_eq!(
        i2.membership_status(&i1.actor_url("red"), "invitada")
            .await
            .as_deref(),
        Some("active")
    );

    // Held: the member approves before relaying the alliance's statement.
    i2.instance
        .app
        .set_relay_policy(&OP, "invitada", &i1.handle("red"), RelayPolicy::Held)
        .await
        .unwrap();
    let statement = i1.post("red", "Comunicado", "public").await.unwrap();
    net.settle().await;
    assert_eq!(i3.announcers(&statement.ap_id).await, Vec::<String>::new());
    let held: Vec<String> = i2
        .instance
        .app
        .held_posts(&OP, "invitada")
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.ap_id)
        .collect();
    assert_eq!(held, vec![statement.ap_id.clone()]);
    i2.instance
        .app
        .decide_held_post(&OP, "invitada", &statement.ap_id, true)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        i3.announcers(&statement.ap_id).await,
        vec![i2.actor_url("invitada")]
    );

    // After leaving, the member's posts to the alliance are not relayed.
    i2.instance
        .app
        .leave_alliance(&OP, "invitada", &i1.handle("red"))
        .await
        .unwrap();
    net.settle().await;
    let members = i1.instance.app.alliance_members(&OP, "red").await.unwrap();
    assert!(members.is_empty(), "left members are not listed as members");
    let after = to_alliance(i2, "invitada", i1.handle("red"), "ya me fui").await;
    net.settle().await;
    assert!(i1.announcers(&after.ap_id).await.is_empty());
    let err = i2
        .instance
        .app
        .leave_alliance(&OP, "invitada", &i1.handle("red"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), puentes_core::ErrorKind::NotFound);
}

#[tokio::test]
async fn invitations_leaving_and_held_trickle_down() {
    on_every_backend!(invite_leave_and_held_scenario);
}
