//! The outbox: events recorded with each state change become stored activities with one
//! delivery row per inbox, one file per family of events. Sending is `delivery`'s job.

mod actors;
mod calls;
mod follows;
mod memberships;
mod posts;
mod statements;

use crate::context::FedContext;
use chrono::{Duration, Utc};
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{OutboxEvent, actor, query, query::activity::NewActivity};
use serde_json::Value;
use std::collections::BTreeSet;
use url::Url;

/// Processes up to `limit` due outbox events; returns how many were handled.
pub async fn run_outbox_once(ctx: &FedContext, limit: u64) -> Result<usize> {
    let lease = Duration::seconds(ctx.config.delivery.lease_secs as i64);
    let claimed = query::outbox::claim(&ctx.db, limit, lease).await?;
    let count = claimed.len();
    for (row, event) in claimed {
        let result = match event {
            Some(event) => materialize(ctx, &event).await,
            None => Err(Error::internal(format!(
                "unreadable outbox event {}",
                row.id
            ))),
        };
        match result {
            Ok(()) => query::outbox::complete(&ctx.db, row.id).await?,
            Err(e) => {
                tracing::warn!(event = row.id, error = ?e, "outbox event failed");
                let retry = Utc::now() + crate::delivery::backoff(ctx, row.attempts);
                query::outbox::fail(&ctx.db, row, e.message(), retry, 10).await?;
            }
        }
    }
    Ok(count)
}

/// Turns one event into its activities and deliveries, by family.
pub async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    use OutboxEvent::*;
    match event {
        PostPublished { .. }
        | PostUpdated { .. }
        | PostDeleted { .. }
        | Announce { .. }
        | Unannounce { .. }
        | PostLiked { .. }
        | PostUnliked { .. } => posts::materialize(ctx, event).await,
        FollowRequested { .. }
        | FollowUndone { .. }
        | FollowAccepted { .. }
        | FollowRejected { .. } => follows::materialize(ctx, event).await,
        ActorBlocked { .. } | ActorUpdated { .. } | ActorDeleted { .. } | ActorMoved { .. } => {
            actors::materialize(ctx, event).await
        }
        JoinRequested { .. }
        | InviteSent { .. }
        | JoinAnswered { .. }
        | LeftAlliance { .. }
        | MemberRemoved { .. } => memberships::materialize(ctx, event).await,
        StatementInvited { .. }
        | StatementInvitationAnswered { .. }
        | StatementPublished { .. }
        | StatementUpdated { .. }
        | EndorsementSent { .. }
        | EndorsementAnswered { .. }
        | EndorsementAdded { .. }
        | EndorsementWithdrawn { .. }
        | EndorsementRevoked { .. }
        | StatementBoosted { .. }
        | TranslationOffered { .. } => statements::materialize(ctx, event).await,
        CallPublished { .. }
        | CallUpdated { .. }
        | PledgeSent { .. }
        | PledgeAnswered { .. }
        | PledgeWithdrawn { .. }
        | CoOrganizerInvited { .. }
        | CoOrganizerConfirmed { .. } => calls::materialize(ctx, event).await,
    }
}

/// Stores the activity and a delivery row per distinct inbox, in one transaction.
pub(crate) async fn enqueue_activity(
    ctx: &FedContext,
    sender: &actor::Model,
    doc: Value,
    object_ap_id: Option<&str>,
    public: bool,
    inboxes: BTreeSet<String>,
) -> Result<()> {
    let mut doc = crate::protocol::for_storage(doc);
    crate::protocol::activities::stamp_published(&mut doc);
    let ap_id = doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = doc
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let deliveries: Vec<(String, String)> = inboxes
        .into_iter()
        .filter_map(|inbox| {
            let url = Url::parse(&inbox).ok()?;
            (!ctx.urls.is_local(&url)).then(|| (inbox, authority(&url)))
        })
        .collect();
    query::activity::insert_with_deliveries(
        &ctx.db,
        NewActivity {
            ap_id: &ap_id,
            actor_id: sender.id,
            kind: &kind,
            object_ap_id,
            json: &doc,
            public,
        },
        &deliveries,
    )
    .await?;
    if !deliveries.is_empty() {
        ctx.deliveries_queued.notify_one();
    }
    Ok(())
}

/// Inboxes of an actor's accepted remote followers, one per shared inbox, leaving out
/// blocked actors and blocked domains.
pub(crate) async fn follower_inboxes(
    ctx: &FedContext,
    sender: &actor::Model,
) -> Result<BTreeSet<String>> {
    Ok(query::follow::remote_follower_inboxes(&ctx.db, sender.id)
        .await?
        .into_iter()
        .map(|(shared, own)| shared.unwrap_or(own))
        .collect())
}

pub(crate) async fn actor_inbox(
    ctx: &FedContext,
    target: &actor::Model,
) -> Result<BTreeSet<String>> {
    if target.local || query::instance::is_blocked(&ctx.db, &target.domain).await? {
        return Ok(BTreeSet::new());
    }
    Ok(BTreeSet::from([target.inbox.clone()]))
}

pub(crate) fn url_of(s: &str) -> Result<Url> {
    Url::parse(s).map_err(|e| Error::internal("stored id is not a URL").with_source(e))
}
