//! Alliance memberships: Join, Invite, their answers, Leave and Remove.

use super::{actor_inbox, enqueue_activity, url_of};
use crate::context::FedContext;
use puentes_core::Result;
use puentes_db::{OutboxEvent, actor, query};
use serde_json::json;

pub(super) async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    match event {
        OutboxEvent::JoinRequested { membership_id } => {
            let (row, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let id = url_of(row.request_ap_id.as_deref().unwrap_or_default())?;
            let doc = json!({ "id": id, "type": "Join", "actor": member.ap_id, "object": alliance.ap_id, "to": [alliance.ap_id] });
            let inboxes = actor_inbox(ctx, &alliance).await?;
            enqueue_activity(ctx, &member, doc, Some(&alliance.ap_id), false, inboxes).await
        }
        OutboxEvent::InviteSent { membership_id } => {
            let (row, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let id = url_of(row.request_ap_id.as_deref().unwrap_or_default())?;
            let doc = json!({ "id": id, "type": "Invite", "actor": alliance.ap_id, "object": alliance.ap_id,
                              "target": member.ap_id, "to": [member.ap_id] });
            let inboxes = actor_inbox(ctx, &member).await?;
            enqueue_activity(ctx, &alliance, doc, Some(&member.ap_id), false, inboxes).await
        }
        OutboxEvent::JoinAnswered {
            membership_id,
            accepted,
        } => {
            let (row, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let join = json!({ "id": row.request_ap_id, "type": "Join", "actor": member.ap_id, "object": alliance.ap_id });
            let kind = if *accepted { "Accept" } else { "Reject" };
            let doc = json!({ "id": ctx.urls.new_activity(), "type": kind, "actor": alliance.ap_id, "object": join, "to": [member.ap_id] });
            let inboxes = actor_inbox(ctx, &member).await?;
            enqueue_activity(
                ctx,
                &alliance,
                doc,
                row.request_ap_id.as_deref(),
                false,
                inboxes,
            )
            .await
        }
        OutboxEvent::LeftAlliance { membership_id } => {
            let (_, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let doc = json!({ "id": ctx.urls.new_activity(), "type": "Leave", "actor": member.ap_id, "object": alliance.ap_id, "to": [alliance.ap_id] });
            let inboxes = actor_inbox(ctx, &alliance).await?;
            enqueue_activity(ctx, &member, doc, Some(&alliance.ap_id), false, inboxes).await
        }
        OutboxEvent::MemberRemoved { membership_id } => {
            let (_, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let members = ctx.urls.actor_collection(&alliance.username, "members");
            let doc = json!({ "id": ctx.urls.new_activity(), "type": "Remove", "actor": alliance.ap_id, "object": member.ap_id,
                              "target": members, "to": [member.ap_id] });
            let inboxes = actor_inbox(ctx, &member).await?;
            enqueue_activity(ctx, &alliance, doc, Some(&member.ap_id), false, inboxes).await
        }
        _ => Ok(()),
    }
}

async fn membership_parts(
    ctx: &FedContext,
    membership_id: i64,
) -> Result<(puentes_db::membership::Model, actor::Model, actor::Model)> {
    let row = query::membership::by_id(&ctx.db, membership_id).await?;
    let alliance = query::actor::get(&ctx.db, row.alliance_id).await?;
    let member = query::actor::get(&ctx.db, row.member_id).await?;
    Ok((row, alliance, member))
}
