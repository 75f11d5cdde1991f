//! Posts: their Create, Update and Delete, and the relays (Announce) our actors decided.

use super::{actor_inbox, enqueue_activity, follower_inboxes, url_of};
use crate::context::FedContext;
use crate::{objects::post::post_document, protocol::activities as build};
use puentes_core::Result;
use puentes_core::{MembershipStatus, Visibility};
use puentes_db::{OutboxEvent, actor, query};
use serde_json::json;
use std::collections::BTreeSet;
use url::Url;

pub(super) async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    let db = &ctx.db;
    match event {
        OutboxEvent::PostPublished { post_id } | OutboxEvent::PostUpdated { post_id } => {
            let post = query::post::get(db, *post_id).await?;
            let author = query::actor::get(db, post.author_id).await?;
            let kind = if matches!(event, OutboxEvent::PostPublished { .. }) {
                "Create"
            } else {
                "Update"
            };
            let object = post_document(&post, &author, &ctx.urls);
            let doc = build::create_or_update(
                kind,
                &ctx.urls.new_activity(),
                &url_of(&author.ap_id)?,
                object,
            );
            let public = post.is_publicly_readable();
            let inboxes = post_inboxes(ctx, &author, &post).await?;
            enqueue_activity(ctx, &author, doc, Some(&post.ap_id), public, inboxes).await
        }
        OutboxEvent::PostDeleted { post_id } => {
            let post = query::post::get(db, *post_id).await?;
            let author = query::actor::get(db, post.author_id).await?;
            let (to, cc) = post.addressees();
            let doc = build::delete(
                &ctx.urls.new_activity(),
                &url_of(&author.ap_id)?,
                &url_of(&post.ap_id)?,
                json!(to),
                json!(cc),
            );
            let inboxes = post_inboxes(ctx, &author, &post).await?;
            enqueue_activity(ctx, &author, doc, Some(&post.ap_id), false, inboxes).await
        }
        OutboxEvent::Announce { actor_id, post_id } => announce(ctx, *actor_id, *post_id).await,
        OutboxEvent::Unannounce {
            actor_id,
            post_id,
            announce_ap_id,
        } => unannounce(ctx, *actor_id, *post_id, announce_ap_id).await,
        OutboxEvent::PostLiked { favourite_id } => {
            let Some(row) = query::favourite::by_id(db, *favourite_id).await? else {
                // Unliked before it went out.
                return Ok(());
            };
            like(ctx, row.actor_id, row.post_id, &row.like_ap_id, false).await
        }
        OutboxEvent::PostUnliked {
            actor_id,
            post_id,
            like_ap_id,
        } => like(ctx, *actor_id, *post_id, like_ap_id, true).await,
        _ => Ok(()),
    }
}

/// Followers' inboxes plus those of actors the post addresses directly (mentions, the
/// author of the post it answers), without blocked actors or domains.
async fn post_inboxes(
    ctx: &FedContext,
    author: &actor::Model,
    post: &puentes_db::post::Model,
) -> Result<BTreeSet<String>> {
    let blocked = query::block::blocked_by(&ctx.db, author.id).await?;
    let (to, cc) = post.addressees();
    let mut inboxes = if post.visibility() == Visibility::Members {
        members_inboxes(ctx, author, post, &blocked).await?
    } else {
        follower_inboxes(ctx, author).await?
    };
    for address in to.iter().chain(&cc) {
        let Some(target) = query::actor::by_ap_id(&ctx.db, address).await? else {
            continue;
        };
        if blocked.contains(&target.id) {
            continue;
        }
        if !actor_inbox(ctx, &target).await?.is_empty() {
            inboxes.insert(target.shared_inbox.clone().unwrap_or(target.inbox.clone()));
        }
    }
    Ok(inboxes)
}

/// A members-only post goes to each member of the alliance it addresses, found in the
/// alliance's member list (which the author, as a member, may read).
async fn members_inboxes(
    ctx: &FedContext,
    author: &actor::Model,
    post: &puentes_db::post::Model,
    blocked: &[i64],
) -> Result<BTreeSet<String>> {
    let mut inboxes = BTreeSet::new();
    let Some(alliance_id) = post.audience.as_deref() else {
        return Ok(inboxes);
    };
    let Some(alliance) = query::actor::by_ap_id(&ctx.db, alliance_id).await? else {
        return Ok(inboxes);
    };
    let members: Vec<actor::Model> = if alliance.local {
        query::membership::members(&ctx.db, alliance.id, MembershipStatus::Active)
            .await?
            .into_iter()
            .map(|(_, a)| a)
            .collect()
    } else {
        let url = url_of(&format!("{}/members", alliance.ap_id))?;
        let mut found = Vec::new();
        for id in crate::fetch::collection_items(ctx, &url, author, 50).await? {
            match crate::fetch::actor_from_worker(ctx, &id).await {
                Ok(member) => found.push(member),
                Err(e) => {
                    tracing::info!(member = %id, error = %e, "member not reachable for a members-only post")
                }
            }
        }
        found
    };
    for member in members {
        if member.id != author.id
            && !blocked.contains(&member.id)
            && !actor_inbox(ctx, &member).await?.is_empty()
        {
            inboxes.insert(member.shared_inbox.clone().unwrap_or(member.inbox.clone()));
        }
    }
    Ok(inboxes)
}

/// Software that understands FEP-1b12 groups gets `Announce{Create}`; Mastodon-like
/// software gets `Announce{id}` (Mastodon ignores an Announce wrapping a Create).
const GROUP_AWARE: [&str; 11] = [
    "puentes",
    "lemmy",
    "mbin",
    "kbin",
    "piefed",
    "nodebb",
    "friendica",
    "mitra",
    "lotide",
    "hubzilla",
    "streams",
];

/// The relay the app decided (and recorded): the Announce each follower's software reads.
async fn announce(ctx: &FedContext, actor_id: i64, post_id: i64) -> Result<()> {
    let relayer = query::actor::get(&ctx.db, actor_id).await?;
    let post = query::post::get(&ctx.db, post_id).await?;
    let author = query::actor::get(&ctx.db, post.author_id).await?;
    let object = post_document(&post, &author, &ctx.urls);
    let to = json!([crate::protocol::PUBLIC]);
    let cc = json!([relayer.followers_url, author.ap_id]);
    // The id recorded with the relay, so an Undo can name it later.
    let plain_id = query::relay::announce_of(&ctx.db, relayer.id, &post.ap_id)
        .await?
        .and_then(|a| a.activity_ap_id)
        .unwrap_or_else(|| ctx.urls.new_activity().to_string());
    let plain = json!({ "id": plain_id, "type": "Announce", "actor": relayer.ap_id,
                        "object": post.ap_id, "to": to, "cc": cc });
    let create = json!({ "id": format!("{}#create", post.ap_id), "type": "Create", "actor": author.ap_id,
                         "object": object, "to": object.get("to"), "cc": object.get("cc") });
    let wrapped = json!({ "id": format!("{plain_id}#wrapped"), "type": "Announce", "actor": relayer.ap_id,
                          "object": create, "to": to, "cc": cc, "audience": post.audience });
    let mut plain_inboxes = BTreeSet::new();
    let mut wrapped_inboxes = BTreeSet::new();
    for inbox in follower_inboxes(ctx, &relayer).await? {
        let Ok(url) = Url::parse(&inbox) else {
            continue;
        };
        let software = crate::fetch::host_software(ctx, &url).await;
        if software
            .as_deref()
            .is_some_and(|s| GROUP_AWARE.contains(&s))
        {
            wrapped_inboxes.insert(inbox);
        } else if post.in_reply_to.is_none() {
            // Replies only go to group-aware software.
            plain_inboxes.insert(inbox);
        }
    }
    enqueue_activity(ctx, &relayer, plain, Some(&post.ap_id), true, plain_inboxes).await?;
    enqueue_activity(
        ctx,
        &relayer,
        wrapped,
        Some(&post.ap_id),
        false,
        wrapped_inboxes,
    )
    .await
}

/// Undo of a relay, both of the plain Announce and of the one wrapping the Create that
/// group-aware software got, to the relayer's followers and the post's author.
async fn unannounce(
    ctx: &FedContext,
    actor_id: i64,
    post_id: i64,
    announce_ap_id: &str,
) -> Result<()> {
    let relayer = query::actor::get(&ctx.db, actor_id).await?;
    let post = query::post::get(&ctx.db, post_id).await?;
    let author = query::actor::get(&ctx.db, post.author_id).await?;
    let to = json!([crate::protocol::PUBLIC]);
    let cc = json!([relayer.followers_url, author.ap_id]);
    let mut inboxes = follower_inboxes(ctx, &relayer).await?;
    inboxes.extend(actor_inbox(ctx, &author).await?);
    for id in [
        announce_ap_id.to_string(),
        format!("{announce_ap_id}#wrapped"),
    ] {
        let announce = json!({ "id": id, "type": "Announce", "actor": relayer.ap_id,
                               "object": post.ap_id, "to": to, "cc": cc });
        let undo = json!({ "id": ctx.urls.new_activity(), "type": "Undo", "actor": relayer.ap_id,
                           "object": announce, "to": to, "cc": cc });
        enqueue_activity(
            ctx,
            &relayer,
            undo,
            Some(&post.ap_id),
            true,
            inboxes.clone(),
        )
        .await?;
    }
    Ok(())
}

/// A like of a remote post by one of ours (or its Undo), to the post's author.
async fn like(
    ctx: &FedContext,
    actor_id: i64,
    post_id: i64,
    like_ap_id: &str,
    undo: bool,
) -> Result<()> {
    let liker = query::actor::get(&ctx.db, actor_id).await?;
    let post = query::post::get(&ctx.db, post_id).await?;
    let author = query::actor::get(&ctx.db, post.author_id).await?;
    let like = json!({ "id": like_ap_id, "type": "Like", "actor": liker.ap_id,
                       "object": post.ap_id, "to": [author.ap_id] });
    let doc = if undo {
        json!({ "id": ctx.urls.new_activity(), "type": "Undo", "actor": liker.ap_id,
                "object": like, "to": [author.ap_id] })
    } else {
        like
    };
    let inboxes = actor_inbox(ctx, &author).await?;
    enqueue_activity(ctx, &liker, doc, Some(&post.ap_id), false, inboxes).await
}
