//! Outgoing statement activities: invitations and their answers, versions, endorsements,
//! their acceptance, withdrawal and revocation, and the endorsers' boosts.

use crate::{
    context::FedContext,
    objects::statement::version_document,
    outbox::{actor_inbox, enqueue_activity, follower_inboxes},
    protocol::PUBLIC,
};
use puentes_core::Result;
use puentes_db::{OutboxEvent, actor, endorsement, query, query::statement as s, statement};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub(super) async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    let db = &ctx.db;
    match event {
        OutboxEvent::StatementInvited { invitation_id } => {
            let invitation = s::invitation(db, *invitation_id).await?;
            let row = s::get(db, invitation.statement_id).await?;
            let owner = query::actor::get(db, row.owner_id).await?;
            let invitee = query::actor::get(db, invitation.actor_id).await?;
            let version = s::current_version(db, row.id).await?;
            let doc = json!({
                "id": invitation.ap_id, "type": "Invite", "actor": owner.ap_id,
                "object": version_document(ctx, &row, &version).await?,
                "target": invitee.ap_id, "role": invitation.role, "to": [invitee.ap_id],
            });
            let inboxes = actor_inbox(ctx, &invitee).await?;
            enqueue_activity(ctx, &owner, doc, Some(&version.ap_id), false, inboxes).await
        }
        OutboxEvent::StatementInvitationAnswered {
            invitation_id,
            accepted,
        } => {
            let invitation = s::invitation(db, *invitation_id).await?;
            let row = s::get(db, invitation.statement_id).await?;
            let owner = query::actor::get(db, row.owner_id).await?;
            let invitee = query::actor::get(db, invitation.actor_id).await?;
            let doc = json!({
                "id": ctx.urls.new_activity(),
                "type": if *accepted { "Accept" } else { "Reject" },
                "actor": invitee.ap_id,
                "object": { "id": invitation.ap_id, "type": "Invite", "actor": owner.ap_id, "target": invitee.ap_id },
                "to": [owner.ap_id],
            });
            let inboxes = actor_inbox(ctx, &owner).await?;
            enqueue_activity(ctx, &invitee, doc, Some(&invitation.ap_id), false, inboxes).await
        }
        OutboxEvent::StatementPublished { version_id }
        | OutboxEvent::StatementUpdated { version_id } => {
            let version = s::version(db, *version_id).await?;
            let row = s::get(db, version.statement_id).await?;
            let owner = query::actor::get(db, row.owner_id).await?;
            let object = version_document(ctx, &row, &version).await?;
            let kind = if matches!(event, OutboxEvent::StatementPublished { .. }) {
                "Create"
            } else {
                "Update"
            };
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": kind, "actor": owner.ap_id,
                "object": object, "to": [PUBLIC], "cc": [owner.followers_url],
            });
            let inboxes = copy_audience(ctx, &row, &owner).await?;
            enqueue_activity(ctx, &owner, doc, Some(&version.ap_id), true, inboxes).await
        }
        OutboxEvent::EndorsementSent { endorsement_id } => {
            let (endorsement, row, endorser, owner) = parts(ctx, *endorsement_id).await?;
            let doc: Value = serde_json::from_str(&endorsement.activity)?;
            let inboxes = actor_inbox(ctx, &owner).await?;
            let public = !endorsement.anonymous;
            enqueue_activity(ctx, &endorser, doc, Some(&row.ap_url), public, inboxes).await
        }
        OutboxEvent::EndorsementAnswered {
            endorsement_id,
            accepted,
        } => {
            let (endorsement, row, endorser, owner) = parts(ctx, *endorsement_id).await?;
            let version = s::version(db, endorsement.version_id).await?;
            let doc = json!({
                "id": ctx.urls.new_activity(),
                "type": if *accepted { "Accept" } else { "Reject" },
                "actor": owner.ap_id,
                "object": { "id": endorsement.ap_id, "type": "Endorse", "actor": endorser.ap_id, "object": version.ap_id },
                "to": [endorser.ap_id],
            });
            let inboxes = actor_inbox(ctx, &endorser).await?;
            enqueue_activity(ctx, &owner, doc, Some(&row.ap_url), false, inboxes).await
        }
        OutboxEvent::EndorsementAdded { endorsement_id } => {
            let (endorsement, row, _, owner) = parts(ctx, *endorsement_id).await?;
            if endorsement.anonymous {
                return Ok(());
            }
            let version = s::version(db, endorsement.version_id).await?;
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Add", "actor": owner.ap_id,
                "object": serde_json::from_str::<Value>(&endorsement.activity)?,
                "target": ctx.urls.statement_collection(&row.uuid, version.number, "endorsements"),
                "to": [PUBLIC], "cc": [owner.followers_url],
            });
            let inboxes = copy_audience(ctx, &row, &owner).await?;
            enqueue_activity(ctx, &owner, doc, Some(&endorsement.ap_id), true, inboxes).await
        }
        OutboxEvent::EndorsementWithdrawn { endorsement_id } => {
            let (endorsement, _, endorser, owner) = parts(ctx, *endorsement_id).await?;
            let Some(undo) = endorsement.revocation.as_deref() else {
                return Ok(());
            };
            let doc: Value = serde_json::from_str(undo)?;
            let public = !endorsement.anonymous;
            let inboxes = actor_inbox(ctx, &owner).await?;
            enqueue_activity(
                ctx,
                &endorser,
                doc,
                Some(&endorsement.ap_id),
                public,
                inboxes,
            )
            .await?;
            if endorsement.anonymous {
                return Ok(());
            }
            // The boost goes too: followers should not keep seeing an endorsement withdrawn.
            let version = s::version(db, endorsement.version_id).await?;
            let undo_boost = json!({
                "id": ctx.urls.new_activity(), "type": "Undo", "actor": endorser.ap_id,
                "object": boost(&endorsement, &endorser, &owner, &version.ap_id),
                "to": [PUBLIC], "cc": [endorser.followers_url],
            });
            let inboxes = follower_inboxes(ctx, &endorser).await?;
            enqueue_activity(
                ctx,
                &endorser,
                undo_boost,
                Some(&version.ap_id),
                true,
                inboxes,
            )
            .await
        }
        OutboxEvent::EndorsementRevoked { endorsement_id } => {
            let (endorsement, row, _, owner) = parts(ctx, *endorsement_id).await?;
            if endorsement.anonymous {
                return Ok(());
            }
            let version = s::version(db, endorsement.version_id).await?;
            let mut doc = json!({
                "id": ctx.urls.new_activity(), "type": "Remove", "actor": owner.ap_id,
                "object": endorsement.ap_id,
                "target": ctx.urls.statement_collection(&row.uuid, version.number, "endorsements"),
                "to": [PUBLIC], "cc": [owner.followers_url],
            });
            if let Some(revocation) = endorsement
                .revocation
                .as_deref()
                .and_then(|r| serde_json::from_str::<Value>(r).ok())
            {
                doc["instrument"] = revocation;
            }
            let inboxes = copy_audience(ctx, &row, &owner).await?;
            enqueue_activity(ctx, &owner, doc, Some(&endorsement.ap_id), true, inboxes).await
        }
        OutboxEvent::StatementBoosted { endorsement_id } => {
            let (endorsement, _, endorser, owner) = parts(ctx, *endorsement_id).await?;
            if endorsement.anonymous {
                return Ok(());
            }
            let version = s::version(db, endorsement.version_id).await?;
            let doc = boost(&endorsement, &endorser, &owner, &version.ap_id);
            let inboxes = follower_inboxes(ctx, &endorser).await?;
            enqueue_activity(ctx, &endorser, doc, Some(&version.ap_id), true, inboxes).await
        }
        OutboxEvent::TranslationOffered {
            version_id,
            actor_id,
            language,
        } => {
            let version = s::version(db, *version_id).await?;
            let row = s::get(db, version.statement_id).await?;
            let owner = query::actor::get(db, row.owner_id).await?;
            let translator = query::actor::get(db, *actor_id).await?;
            let Some(html) = s::translations(&version).remove(language) else {
                return Ok(());
            };
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Add", "actor": translator.ap_id,
                "object": { "type": "Note", "attributedTo": translator.ap_id,
                            "contentMap": { language.as_str(): html } },
                "target": version.ap_id, "to": [owner.ap_id],
            });
            let inboxes = actor_inbox(ctx, &owner).await?;
            enqueue_activity(ctx, &translator, doc, Some(&version.ap_id), false, inboxes).await
        }
        _ => Ok(()),
    }
}

/// The endorser's boost of the version it endorsed; its id derives from the endorsement
/// so that withdrawing can undo it.
fn boost(
    endorsement: &endorsement::Model,
    endorser: &actor::Model,
    owner: &actor::Model,
    version_ap_id: &str,
) -> Value {
    json!({
        "id": format!("{}#boost", endorsement.ap_id), "type": "Announce", "actor": endorser.ap_id,
        "object": version_ap_id, "to": [PUBLIC], "cc": [endorser.followers_url, owner.ap_id],
    })
}

async fn parts(
    ctx: &FedContext,
    endorsement_id: i64,
) -> Result<(
    endorsement::Model,
    statement::Model,
    actor::Model,
    actor::Model,
)> {
    let endorsement = s::endorsement(&ctx.db, endorsement_id).await?;
    let row = s::get(&ctx.db, endorsement.statement_id).await?;
    let endorser = query::actor::get(&ctx.db, endorsement.endorser_id).await?;
    let owner = query::actor::get(&ctx.db, row.owner_id).await?;
    Ok((endorsement, row, endorser, owner))
}

/// Everyone who keeps a copy of the statement: the owner's followers, the co-initiators and
/// invitees, and every endorser, so that the list outlives its origin.
async fn copy_audience(
    ctx: &FedContext,
    row: &statement::Model,
    owner: &actor::Model,
) -> Result<BTreeSet<String>> {
    let mut inboxes = follower_inboxes(ctx, owner).await?;
    // Co-initiators are among the invitations; the owner itself is local.
    let mut actors: Vec<actor::Model> = s::invitations(&ctx.db, row.id)
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let all = puentes_core::EndorsementStatus::ALL;
    actors.extend(
        s::endorsements_of_statement(&ctx.db, row.id, all)
            .await?
            .into_iter()
            .map(|(_, a)| a),
    );
    let blocked = query::block::blocked_by(&ctx.db, owner.id).await?;
    for actor in actors {
        if blocked.contains(&actor.id) {
            continue;
        }
        if !actor_inbox(ctx, &actor).await?.is_empty() {
            inboxes.insert(actor.shared_inbox.clone().unwrap_or(actor.inbox.clone()));
        }
    }
    Ok(inboxes)
}
