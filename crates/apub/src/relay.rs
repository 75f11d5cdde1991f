//! Bubble-up and trickle-down. A member's post addressed to an alliance is relayed by the
//! alliance; an alliance relays what its member alliances relay; a member relays its
//! alliance's own posts if it chose to. Each actor announces an object at most once and
//! always the original object, so chains through alliances of alliances end, cycles too.

use crate::context::FedContext;
use puentes_core::Result;
use puentes_db::{OutboxEvent, actor, post, query, query::membership as m};

/// Public or unlisted, not deleted. Replies are relayed too, but delivery sends them only
/// to group-aware software (see `delivery::announce`).
fn relayable(post: &post::Model) -> bool {
    post.deleted_at.is_none()
        && matches!(
            post.visibility.as_str(),
            query::post::PUBLIC | query::post::UNLISTED
        )
}

/// Is `actor` a member whose voice this alliance carries (not an observer)?
async fn speaking_member(ctx: &FedContext, alliance: &actor::Model, actor_id: i64) -> Result<bool> {
    Ok(m::get(&ctx.db, alliance.id, actor_id)
        .await?
        .is_some_and(|row| row.status == m::ACTIVE && row.role != m::OBSERVER))
}

async fn relay_or_hold(
    ctx: &FedContext,
    relayer: &actor::Model,
    post: &post::Model,
    held: bool,
) -> Result<()> {
    if query::relay::has_announced(&ctx.db, relayer.id, &post.ap_id).await?
        || post.author_id == relayer.id
    {
        return Ok(());
    }
    if held {
        query::relay::hold(&ctx.db, relayer.id, post.id).await
    } else {
        query::outbox::enqueue(
            &ctx.db,
            &OutboxEvent::Announce {
                actor_id: relayer.id,
                post_id: post.id,
            },
        )
        .await?;
        Ok(())
    }
}

/// Decides the relays of our actors for a post that just arrived, directly (`via` None)
/// or announced by `via`.
pub async fn consider(
    ctx: &FedContext,
    post: &post::Model,
    via: Option<&actor::Model>,
) -> Result<()> {
    if !relayable(post) {
        return Ok(());
    }
    let (to, cc) = query::post::addressees(post);
    for alliance in query::actor::list_local(&ctx.db)
        .await?
        .into_iter()
        .filter(|a| a.kind == "Group")
    {
        let held = alliance.moderation == "held";
        // Bubble-up: the author addressed the alliance.
        let addressed = post.audience.as_deref() == Some(alliance.ap_id.as_str())
            || to.iter().chain(&cc).any(|a| a == &alliance.ap_id);
        if via.is_none() && addressed && speaking_member(ctx, &alliance, post.author_id).await? {
            relay_or_hold(ctx, &alliance, post, held).await?;
            continue;
        }
        // Nesting: a member alliance relayed it.
        if let Some(via) = via
            && via.id != alliance.id
            && speaking_member(ctx, &alliance, via.id).await?
        {
            relay_or_hold(ctx, &alliance, post, held).await?;
        }
    }
    // Trickle-down: our members relay their alliance's own posts by their own choice.
    if via.is_none() && post.in_reply_to.is_none() {
        let author = query::actor::get(&ctx.db, post.author_id).await?;
        if author.kind == "Group" {
            for (membership, member) in m::members(&ctx.db, author.id, m::ACTIVE).await? {
                if !member.local || membership.relay_policy == "off" {
                    continue;
                }
                relay_or_hold(ctx, &member, post, membership.relay_policy == "held").await?;
            }
        }
    }
    Ok(())
}
