//! Follow, Accept, Reject and Undo(Follow).

use crate::{
    context::Data,
    inbox::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
    },
};
use puentes_core::{Error, Result};
use puentes_db::{OutboxEvent, TransactionTrait, actor, follow, query};

pub async fn receive_follow(
    data: &Data,
    follower: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let target_id =
        id_of(&activity.object).ok_or_else(|| Error::bad_request("Follow has no object"))?;
    let Some(target) = query::actor::by_ap_id(&data.db, target_id.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored(
            "Follow of an actor that is not ours".into(),
        ));
    };
    let txn = data.db.begin().await?;
    if query::block::exists(&txn, target.id, follower.id).await? {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::FollowRejected {
                follower_id: follower.id,
                followed_id: target.id,
                follow_ap_id: activity.id.to_string(),
            },
        )
        .await?;
        txn.commit().await?;
        return Ok(Outcome::Applied);
    }
    let row = match query::follow::between(&txn, follower.id, target.id).await? {
        // A repeated Follow (Mastodon re-sends them) refreshes the id and is answered again.
        Some(existing) => query::follow::set_ap_id(&txn, existing, activity.id.as_str()).await?,
        None => {
            let state = if target.manually_approves_followers {
                query::follow::PENDING
            } else {
                query::follow::ACCEPTED
            };
            query::follow::insert(&txn, activity.id.as_str(), follower.id, target.id, state).await?
        }
    };
    if row.state == query::follow::ACCEPTED {
        query::outbox::enqueue(&txn, &OutboxEvent::FollowAccepted { follow_id: row.id }).await?;
    }
    txn.commit().await?;
    Ok(Outcome::Applied)
}

/// The follow an Accept or Reject answers: by the Follow's id, else by the pair.
async fn answered_follow(
    data: &Data,
    followed: &actor::Model,
    activity: &Envelope,
) -> Result<Option<follow::Model>> {
    if let Some(follow_id) = id_of(&activity.object)
        && let Some(row) = query::follow::by_ap_id(&data.db, follow_id.as_str()).await?
    {
        return Ok((row.followed_id == followed.id).then_some(row));
    }
    let follower_id = activity.object.get("actor").and_then(id_of);
    let Some(follower_id) = follower_id else {
        return Ok(None);
    };
    let Some(follower) = query::actor::by_ap_id(&data.db, follower_id.as_str()).await? else {
        return Ok(None);
    };
    query::follow::between(&data.db, follower.id, followed.id).await
}

pub async fn receive_accept(
    data: &Data,
    followed: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    if activity.object.is_object() && type_of(&activity.object).is_some_and(|t| t != "Follow") {
        return Ok(Outcome::Ignored(
            "Accept of something other than a Follow".into(),
        ));
    }
    let Some(row) = answered_follow(data, followed, activity).await? else {
        return Ok(Outcome::Ignored("Accept of an unknown follow".into()));
    };
    query::follow::set_state(&data.db, row, query::follow::ACCEPTED).await?;
    Ok(Outcome::Applied)
}

pub async fn receive_reject(
    data: &Data,
    followed: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(row) = answered_follow(data, followed, activity).await? else {
        return Ok(Outcome::Ignored("Reject of an unknown follow".into()));
    };
    query::follow::delete(&data.db, row.id).await?;
    Ok(Outcome::Applied)
}

pub async fn receive_undo(
    data: &Data,
    follower: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let inner_type = type_of(&activity.object);
    if inner_type.is_some_and(|t| t != "Follow") {
        return Ok(Outcome::Ignored(format!(
            "Undo of {} is not handled yet",
            inner_type.unwrap_or("?")
        )));
    }
    let by_id = match id_of(&activity.object) {
        Some(id) => query::follow::by_ap_id(&data.db, id.as_str()).await?,
        None => None,
    };
    let row = match by_id {
        Some(row) => Some(row),
        None => match activity.object.get("object").and_then(id_of) {
            Some(target) => match query::actor::by_ap_id(&data.db, target.as_str()).await? {
                Some(target) => query::follow::between(&data.db, follower.id, target.id).await?,
                None => None,
            },
            None => None,
        },
    };
    match row {
        Some(row) if row.follower_id == follower.id => {
            query::follow::delete(&data.db, row.id).await?;
            Ok(Outcome::Applied)
        }
        Some(_) => Err(Error::forbidden("only the follower can undo a follow")),
        None => Ok(Outcome::Ignored("Undo of an unknown follow".into())),
    }
}
