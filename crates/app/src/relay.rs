//! Bubble-up and trickle-down. A member's post addressed to an alliance is relayed by the
//! alliance; an alliance relays what its member alliances relay; a member relays its
//! alliance's own posts if it chose to. Each actor announces an object at most once and
//! always the original object, so chains through alliances of alliances end, cycles too.
//!
//! Deciding a relay records it (with its outbox event) in the caller's transaction, so a
//! relay decided here is at once visible to the next decision: a relay by one of our
//! alliances is considered in turn for the alliances it belongs to, here and now.

use crate::App;
use puentes_core::{
    ActorKind, Error, HeldRelayState, MembershipStatus, Moderation, RelayPolicy, Result, urls::Urls,
};
use puentes_db::{ConnectionTrait, OutboxEvent, actor, post, query};

/// Whether `relayer` relays `post` now, holds it for approval, or already did.
async fn relay_or_hold(
    db: &impl ConnectionTrait,
    urls: &Urls,
    relayer: &actor::Model,
    post: &post::Model,
    held: bool,
) -> Result<bool> {
    if post.author_id == relayer.id
        || query::relay::has_announced(db, relayer.id, &post.ap_id).await?
    {
        return Ok(false);
    }
    if held {
        query::relay::hold(db, relayer.id, post.id).await?;
        return Ok(false);
    }
    announce(db, urls, relayer, post).await
}

/// Records that `relayer` relays `post` and queues the Announce; false when it already had.
pub(crate) async fn announce(
    db: &impl ConnectionTrait,
    urls: &Urls,
    relayer: &actor::Model,
    post: &post::Model,
) -> Result<bool> {
    // The Announce's id is chosen now and kept, so that undoing the relay can name it.
    let id = urls.new_activity();
    if !query::relay::record_announce(db, relayer.id, &post.ap_id, Some(id.as_str())).await? {
        return Ok(false);
    }
    query::outbox::enqueue(
        db,
        &OutboxEvent::Announce {
            actor_id: relayer.id,
            post_id: post.id,
        },
    )
    .await?;
    Ok(true)
}

/// [`relay_or_hold`] for one of our alliances: held when the alliance moderates its relays.
async fn alliance_relays(
    db: &impl ConnectionTrait,
    urls: &Urls,
    alliance: &actor::Model,
    post: &post::Model,
) -> Result<bool> {
    relay_or_hold(
        db,
        urls,
        alliance,
        post,
        alliance.moderation() == Moderation::Held,
    )
    .await
}

/// How a post came to be considered for relaying.
#[derive(Clone, Copy)]
pub(crate) enum Reached<'a> {
    /// Just published here, or arrived from this author.
    FromAuthor(&'a actor::Model),
    /// Just relayed by this actor.
    RelayedBy(&'a actor::Model),
}

/// Decides our actors' relays for a post that was just published or arrived, or that an
/// actor just relayed.
pub(crate) async fn consider(
    db: &impl ConnectionTrait,
    urls: &Urls,
    post: &post::Model,
    reached: Reached<'_>,
) -> Result<()> {
    // Public or unlisted posts only, and never a deleted one. Replies are relayed too, but
    // delivery sends them only to group-aware software.
    if !post.is_publicly_readable() || post.deleted_at.is_some() {
        return Ok(());
    }
    // Relayers whose relay our alliances may carry further.
    let mut relayed: Vec<actor::Model> = Vec::new();

    match reached {
        Reached::RelayedBy(relayer) => relayed.push(relayer.clone()),
        Reached::FromAuthor(author) => {
            // Bubble-up: the author addressed one of our alliances, of which it is a member.
            let (to, cc) = post.addressees();
            let mut addressed: Vec<&str> = to.iter().chain(&cc).map(String::as_str).collect();
            addressed.extend(post.audience.as_deref());
            addressed.sort_unstable();
            addressed.dedup();
            for address in addressed {
                let Ok(url) = url::Url::parse(address) else {
                    continue;
                };
                if !urls.is_local(&url) {
                    continue;
                }
                let Some(alliance) = query::actor::by_ap_id(db, address).await? else {
                    continue;
                };
                if alliance.kind() != ActorKind::Alliance || !alliance.local {
                    continue;
                }
                let speaks = query::membership::get(db, alliance.id, author.id)
                    .await?
                    .is_some_and(|m| m.speaks());
                if speaks && alliance_relays(db, urls, &alliance, post).await? {
                    relayed.push(alliance);
                }
            }
            // Trickle-down: our members relay their alliance's own top-level posts by choice.
            if author.kind() == ActorKind::Alliance && post.in_reply_to.is_none() {
                for (membership, member) in
                    query::membership::members(db, author.id, MembershipStatus::Active).await?
                {
                    let policy = membership.relay_policy();
                    if !member.local || policy == RelayPolicy::Off {
                        continue;
                    }
                    if relay_or_hold(db, urls, &member, post, policy == RelayPolicy::Held).await? {
                        relayed.push(member);
                    }
                }
            }
        }
    }

    // Nesting: an alliance here relays what its speaking member alliances relay.
    while let Some(relayer) = relayed.pop() {
        for (membership, alliance) in query::membership::local_alliances_of(db, relayer.id).await? {
            if !membership.speaks() || alliance.id == relayer.id {
                continue;
            }
            if alliance_relays(db, urls, &alliance, post).await? {
                relayed.push(alliance);
            }
        }
    }
    Ok(())
}

impl App {
    /// Posts held for `as_name`'s approval before it relays them.
    pub async fn held_posts(
        &self,
        caller: &crate::Caller,
        as_name: &str,
    ) -> Result<Vec<post::Model>> {
        let acting = self
            .acting(caller, as_name, crate::Permission::Decide)
            .await?;
        query::relay::held_posts(&self.db, acting.actor.id).await
    }

    /// Approves (relays) or declines a held post.
    pub async fn decide_held_post(
        &self,
        caller: &crate::Caller,
        as_name: &str,
        post_id: &str,
        approve: bool,
    ) -> Result<()> {
        let acting = self
            .acting(caller, as_name, crate::Permission::Decide)
            .await?;
        let id = crate::posts::object_id(post_id);
        let post = query::post::by_ap_id(&self.db, &id)
            .await?
            .ok_or_else(|| Error::not_found(format!("post {post_id}")))?;
        let row = query::relay::held_by_post(&self.db, acting.actor.id, post.id)
            .await?
            .filter(|r| r.state == HeldRelayState::Held)
            .ok_or_else(|| Error::not_found(format!("a held post {post_id}")))?;
        let txn = self.write().await?;
        let state = if approve {
            HeldRelayState::Approved
        } else {
            HeldRelayState::Rejected
        };
        query::relay::decide(&txn, row, state).await?;
        if approve && announce(&txn, &self.urls, &acting.actor, &post).await? {
            consider(&txn, &self.urls, &post, Reached::RelayedBy(&acting.actor)).await?;
        }
        self.commit(txn).await?;
        Ok(())
    }
}
