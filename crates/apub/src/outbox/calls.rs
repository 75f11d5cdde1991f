//! Outbox events of calls to action turned into activities and deliveries.

use crate::{
    context::FedContext,
    objects::call::event_document,
    outbox::{actor_inbox, enqueue_activity, follower_inboxes, url_of},
    protocol::activities as build,
};
use puentes_core::Result;
use puentes_core::{InvitationStatus, PledgeStatus};
use puentes_db::{OutboxEvent, actor, call, pledge, query, query::call as q};
use serde_json::json;
use std::collections::BTreeSet;

pub(super) async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    match event {
        OutboxEvent::CallPublished { call_id } => publish(ctx, *call_id, "Create").await,
        OutboxEvent::CallUpdated { call_id } => publish(ctx, *call_id, "Update").await,
        OutboxEvent::PledgeSent { pledge_id } => {
            let (row, target, pledger, organizer) = pledge_parts(ctx, *pledge_id).await?;
            let id = url_of(row.join_ap_id.as_deref().unwrap_or_default())?;
            let doc = json!({ "id": id, "type": "Join", "actor": pledger.ap_id,
                              "object": target.ap_id, "to": [organizer.ap_id] });
            let inboxes = actor_inbox(ctx, &organizer).await?;
            enqueue_activity(ctx, &pledger, doc, Some(&target.ap_id), false, inboxes).await
        }
        OutboxEvent::PledgeAnswered {
            pledge_id,
            accepted,
        } => {
            let (row, target, pledger, organizer) = pledge_parts(ctx, *pledge_id).await?;
            let join = json!({ "id": row.join_ap_id, "type": "Join", "actor": pledger.ap_id,
                               "object": target.ap_id });
            let kind = if *accepted { "Accept" } else { "Reject" };
            let mut doc = json!({ "id": ctx.urls.new_activity(), "type": kind, "actor": organizer.ap_id,
                                  "object": join, "to": [pledger.ap_id] });
            if let Some(reason) = &row.reason {
                doc["summary"] = json!(reason);
            }
            let inboxes = actor_inbox(ctx, &pledger).await?;
            enqueue_activity(
                ctx,
                &organizer,
                doc,
                row.join_ap_id.as_deref(),
                false,
                inboxes,
            )
            .await
        }
        OutboxEvent::PledgeWithdrawn { pledge_id } => {
            let (_, target, pledger, organizer) = pledge_parts(ctx, *pledge_id).await?;
            let doc = json!({ "id": ctx.urls.new_activity(), "type": "Leave", "actor": pledger.ap_id,
                              "object": target.ap_id, "to": [organizer.ap_id] });
            let inboxes = actor_inbox(ctx, &organizer).await?;
            enqueue_activity(ctx, &pledger, doc, Some(&target.ap_id), false, inboxes).await
        }
        OutboxEvent::CoOrganizerInvited { organizer_id } => {
            let row = q::organizer_by_id(&ctx.db, *organizer_id).await?;
            let target = q::get(&ctx.db, row.call_id).await?;
            let organizer = query::actor::get(&ctx.db, target.organizer_id).await?;
            let invitee = query::actor::get(&ctx.db, row.actor_id).await?;
            // The Event travels inside the Invite, so the invitee can store it at once.
            let object = event_document(ctx, &target, &organizer).await?;
            let id = url_of(row.invite_ap_id.as_deref().unwrap_or_default())?;
            let doc = json!({ "id": id, "type": "Invite", "actor": organizer.ap_id, "object": object,
                              "target": invitee.ap_id, "to": [invitee.ap_id] });
            let inboxes = actor_inbox(ctx, &invitee).await?;
            enqueue_activity(ctx, &organizer, doc, Some(&target.ap_id), false, inboxes).await
        }
        OutboxEvent::CoOrganizerConfirmed { organizer_id } => {
            let row = q::organizer_by_id(&ctx.db, *organizer_id).await?;
            let target = q::get(&ctx.db, row.call_id).await?;
            let organizer = query::actor::get(&ctx.db, target.organizer_id).await?;
            let invitee = query::actor::get(&ctx.db, row.actor_id).await?;
            let invite = json!({ "id": row.invite_ap_id, "type": "Invite", "actor": organizer.ap_id,
                                 "object": target.ap_id, "target": invitee.ap_id });
            let doc = json!({ "id": ctx.urls.new_activity(), "type": "Accept", "actor": invitee.ap_id,
                              "object": invite, "to": [organizer.ap_id] });
            let inboxes = actor_inbox(ctx, &organizer).await?;
            enqueue_activity(
                ctx,
                &invitee,
                doc,
                row.invite_ap_id.as_deref(),
                false,
                inboxes,
            )
            .await
        }
        _ => Ok(()),
    }
}

async fn pledge_parts(
    ctx: &FedContext,
    pledge_id: i64,
) -> Result<(pledge::Model, call::Model, actor::Model, actor::Model)> {
    let row = q::pledge_by_id(&ctx.db, pledge_id).await?;
    let target = q::get(&ctx.db, row.call_id).await?;
    let pledger = query::actor::get(&ctx.db, row.actor_id).await?;
    let organizer = query::actor::get(&ctx.db, target.organizer_id).await?;
    Ok((row, target, pledger, organizer))
}

/// Create or Update of a call, to the organizer's followers, every pledged actor and every
/// co-organizer: a new time or a cancellation reaches all who said they would come.
async fn publish(ctx: &FedContext, call_id: i64, kind: &str) -> Result<()> {
    let row = q::get(&ctx.db, call_id).await?;
    if !row.local {
        return Ok(());
    }
    let organizer = query::actor::get(&ctx.db, row.organizer_id).await?;
    let object = event_document(ctx, &row, &organizer).await?;
    let doc = build::create_or_update(
        kind,
        &ctx.urls.new_activity(),
        &url_of(&organizer.ap_id)?,
        object,
    );
    let blocked = query::block::blocked_by(&ctx.db, organizer.id).await?;
    let mut inboxes: BTreeSet<String> = follower_inboxes(ctx, &organizer).await?;
    let mut concerned: Vec<actor::Model> = q::pledges(
        &ctx.db,
        row.id,
        &[PledgeStatus::Accepted, PledgeStatus::Pending],
    )
    .await?
    .into_iter()
    .map(|(_, a)| a)
    .collect();
    for status in [InvitationStatus::Confirmed, InvitationStatus::Invited] {
        concerned.extend(
            q::organizers(&ctx.db, row.id, status)
                .await?
                .into_iter()
                .map(|(_, a)| a),
        );
    }
    for actor in concerned {
        if blocked.contains(&actor.id) || actor_inbox(ctx, &actor).await?.is_empty() {
            continue;
        }
        inboxes.insert(actor.shared_inbox.clone().unwrap_or(actor.inbox.clone()));
    }
    enqueue_activity(ctx, &organizer, doc, Some(&row.ap_id), true, inboxes).await
}
