//! What the network maps need to know of alliances on other servers: who their members
//! are, read from their public `members` collection (never from a signed fetch, so a list
//! an alliance shows only to its members is never recorded). Used for drawing only: no
//! decision rests on it.

use crate::{FedContext, fetch, protocol::helpers::id_of};
use puentes_core::{Result, urls::authority};
use puentes_db::{actor, query};

/// Most members read from one alliance's list.
pub const MAX_MEMBERS: usize = 200;
/// Most collection pages followed.
const MAX_PAGES: usize = 5;

/// Reads a remote alliance's public member list and records it (replacing what we knew).
/// Returns how many members it lists publicly; `Ok(0)` when the list is private.
pub async fn refresh_members(ctx: &FedContext, alliance: &actor::Model) -> Result<usize> {
    if alliance.local || !alliance.is_alliance() {
        return Ok(0);
    }
    let id = url::Url::parse(&alliance.ap_id)?;
    // The collection's address comes from the alliance's own document (unsigned: public).
    let (_, doc) = fetch::signed_get_status(ctx, &id).await?;
    let Some(members) = doc.as_ref().and_then(|d| d.get("members")).and_then(id_of) else {
        return Ok(0);
    };
    if authority(&members) != authority(&id) {
        return Ok(0);
    }
    let (_, items) = fetch::collection_documents(ctx, &members, None, MAX_PAGES).await?;
    let mut ids = Vec::new();
    for item in items.iter().take(MAX_MEMBERS) {
        let Some(member) = id_of(item) else { continue };
        match fetch::actor_from_worker(ctx, &member).await {
            Ok(actor) if actor.id != alliance.id => ids.push(actor.id),
            Ok(_) => {}
            Err(e) => tracing::debug!(member = %member, error = ?e, "member not readable"),
        }
    }
    query::known_membership::record_known_members(&ctx.db, alliance.id, &ids).await?;
    Ok(ids.len())
}

/// How long a member list is trusted before it is read again.
pub const MAX_AGE_HOURS: i64 = 12;

/// Reads the member lists that are due (new neighbours in the network, changed memberships,
/// or lists older than [`MAX_AGE_HOURS`]), at most `limit` per call; returns how many were
/// read. A list that cannot be read is tried again when it is next due, not before.
pub async fn refresh_due(ctx: &FedContext, limit: usize) -> Result<usize> {
    let due = query::known_membership::due_for_reading(
        &ctx.db,
        chrono::Duration::hours(MAX_AGE_HOURS),
        limit,
    )
    .await?;
    for alliance in &due {
        let listed = match refresh_members(ctx, alliance).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::info!(alliance = %alliance.ap_id, error = ?e, "member list not read");
                false
            }
        };
        query::known_membership::mark_read(&ctx.db, alliance.id, listed).await?;
    }
    Ok(due.len())
}
