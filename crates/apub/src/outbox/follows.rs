//! Follows: ours asked and undone, and our answers to followers.

use super::{actor_inbox, enqueue_activity, url_of};
use crate::context::FedContext;
use crate::protocol::activities as build;
use puentes_core::Result;
use puentes_db::{OutboxEvent, query};

pub(super) async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    let db = &ctx.db;
    match event {
        OutboxEvent::FollowRequested { follow_id } => {
            let Some(row) = query::follow::by_id(db, *follow_id).await? else {
                return Ok(());
            };
            let follower = query::actor::get(db, row.follower_id).await?;
            let followed = query::actor::get(db, row.followed_id).await?;
            let doc = build::follow(
                &url_of(&row.ap_id)?,
                &url_of(&follower.ap_id)?,
                &url_of(&followed.ap_id)?,
            );
            let inboxes = actor_inbox(ctx, &followed).await?;
            enqueue_activity(ctx, &follower, doc, Some(&followed.ap_id), false, inboxes).await
        }
        OutboxEvent::FollowUndone {
            follower_id,
            followed_id,
            follow_ap_id,
        } => {
            let follower = query::actor::get(db, *follower_id).await?;
            let followed = query::actor::get(db, *followed_id).await?;
            let inner = build::follow(
                &url_of(follow_ap_id)?,
                &url_of(&follower.ap_id)?,
                &url_of(&followed.ap_id)?,
            );
            let doc = build::undo(&ctx.urls.new_activity(), &url_of(&follower.ap_id)?, inner);
            let inboxes = actor_inbox(ctx, &followed).await?;
            enqueue_activity(ctx, &follower, doc, Some(follow_ap_id), false, inboxes).await
        }
        OutboxEvent::FollowAccepted { follow_id } => {
            let Some(row) = query::follow::by_id(db, *follow_id).await? else {
                return Ok(());
            };
            answer_follow(ctx, "Accept", row.follower_id, row.followed_id, &row.ap_id).await
        }
        OutboxEvent::FollowRejected {
            follower_id,
            followed_id,
            follow_ap_id,
        } => answer_follow(ctx, "Reject", *follower_id, *followed_id, follow_ap_id).await,
        _ => Ok(()),
    }
}

/// Accept or Reject of a follower's Follow, which is embedded as Mastodon expects.
async fn answer_follow(
    ctx: &FedContext,
    kind: &str,
    follower_id: i64,
    followed_id: i64,
    follow_ap_id: &str,
) -> Result<()> {
    let follower = query::actor::get(&ctx.db, follower_id).await?;
    let followed = query::actor::get(&ctx.db, followed_id).await?;
    let follower_url = url_of(&follower.ap_id)?;
    let followed_url = url_of(&followed.ap_id)?;
    let inner = build::follow(&url_of(follow_ap_id)?, &follower_url, &followed_url);
    let doc = build::answer_follow(
        kind,
        &ctx.urls.new_activity(),
        &followed_url,
        inner,
        &follower_url,
    );
    let inboxes = actor_inbox(ctx, &follower).await?;
    enqueue_activity(ctx, &followed, doc, Some(follow_ap_id), false, inboxes).await
}
