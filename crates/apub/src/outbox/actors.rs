//! Our actors' blocks, profile updates, moves and deletion.

use super::{actor_inbox, enqueue_activity, follower_inboxes, url_of};
use crate::context::FedContext;
use crate::{objects::actor::local_actor_document, protocol::activities as build};
use puentes_core::Result;
use puentes_core::{FollowState, MembershipStatus};
use puentes_db::{OutboxEvent, actor, query};
use serde_json::json;
use std::collections::BTreeSet;

pub(super) async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    let db = &ctx.db;
    match event {
        OutboxEvent::ActorBlocked {
            actor_id,
            blocked_id,
        } => {
            let blocker = query::actor::get(db, *actor_id).await?;
            let blocked = query::actor::get(db, *blocked_id).await?;
            let doc = build::block(
                &ctx.urls.new_activity(),
                &url_of(&blocker.ap_id)?,
                &url_of(&blocked.ap_id)?,
            );
            let inboxes = actor_inbox(ctx, &blocked).await?;
            enqueue_activity(ctx, &blocker, doc, Some(&blocked.ap_id), false, inboxes).await
        }
        OutboxEvent::ActorUpdated { actor_id } => {
            let actor = query::actor::get(db, *actor_id).await?;
            let object = local_actor_document(&actor, &ctx.urls);
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Update", "actor": actor.ap_id,
                "object": object, "to": [crate::protocol::PUBLIC],
            });
            let inboxes = follower_inboxes(ctx, &actor).await?;
            enqueue_activity(ctx, &actor, doc, Some(&actor.ap_id), true, inboxes).await
        }
        OutboxEvent::ActorDeleted { actor_id } => {
            let actor = query::actor::get(db, *actor_id).await?;
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Delete", "actor": actor.ap_id,
                "object": actor.ap_id, "to": [crate::protocol::PUBLIC],
            });
            let inboxes = everyone_known_to(ctx, &actor).await?;
            enqueue_activity(ctx, &actor, doc, Some(&actor.ap_id), true, inboxes).await
        }
        OutboxEvent::ActorMoved {
            actor_id,
            target_id,
        } => {
            // Mastodon's shape: the actor moves itself (`object` = `actor`) to `target`.
            // Followers re-follow; alliances it belongs to hand the membership over.
            let actor = query::actor::get(db, *actor_id).await?;
            let target = query::actor::get(db, *target_id).await?;
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Move", "actor": actor.ap_id,
                "object": actor.ap_id, "target": target.ap_id,
                "to": [crate::protocol::PUBLIC],
                "cc": [actor.followers_url],
            });
            let inboxes = everyone_known_to(ctx, &actor).await?;
            enqueue_activity(ctx, &actor, doc, Some(&actor.ap_id), true, inboxes).await
        }
        _ => Ok(()),
    }
}

/// Everyone a deleted actor dealt with: its followers, whom it followed, its alliances and
/// members; one inbox per server where they share one.
async fn everyone_known_to(ctx: &FedContext, actor: &actor::Model) -> Result<BTreeSet<String>> {
    let mut inboxes = follower_inboxes(ctx, actor).await?;
    let mut others: Vec<actor::Model> =
        query::follow::following(&ctx.db, actor.id, FollowState::Accepted).await?;
    others.extend(
        query::membership::alliances_of(&ctx.db, actor.id)
            .await?
            .into_iter()
            .map(|(_, a)| a),
    );
    others.extend(
        query::membership::members(&ctx.db, actor.id, MembershipStatus::Active)
            .await?
            .into_iter()
            .map(|(_, a)| a),
    );
    for other in others {
        if !actor_inbox(ctx, &other).await?.is_empty() {
            inboxes.insert(other.delivery_inbox().to_string());
        }
    }
    Ok(inboxes)
}
