//! Join, Invite, Leave and Remove, and the Accept or Reject of a Join or Invite.

use crate::{
    context::Data,
    inbox::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
    },
};
use puentes_core::{Error, Result};
use puentes_db::{OutboxEvent, TransactionTrait, actor, membership, query, query::membership as m};

/// An alliance here receives a Join from `member`.
pub async fn receive_join(
    data: &Data,
    member: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let target = id_of(&activity.object).ok_or_else(|| Error::bad_request("Join has no object"))?;
    let Some(alliance) = query::actor::by_ap_id(&data.db, target.as_str())
        .await?
        .filter(|a| a.local && a.kind == "Group")
    else {
        return Ok(Outcome::Ignored(
            "Join of something that is not one of our alliances".into(),
        ));
    };
    let txn = data.db.begin().await?;
    let blocked = query::block::exists(&txn, alliance.id, member.id).await?;
    let existing = m::get(&txn, alliance.id, member.id).await?;
    let (role, status) = match &existing {
        _ if blocked => (m::MEMBER.to_string(), m::REJECTED),
        Some(row) if row.status == m::INVITED || row.status == m::ACTIVE => {
            (row.role.clone(), m::ACTIVE)
        }
        Some(row) if row.status == m::REMOVED => (row.role.clone(), m::PENDING),
        _ if alliance.join_policy == "auto" => (m::MEMBER.to_string(), m::ACTIVE),
        _ => (m::MEMBER.to_string(), m::PENDING),
    };
    let row = m::upsert(
        &txn,
        alliance.id,
        member.id,
        &role,
        status,
        Some(activity.id.as_str()),
    )
    .await?;
    if status != m::PENDING {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::JoinAnswered {
                membership_id: row.id,
                accepted: status == m::ACTIVE,
            },
        )
        .await?;
    }
    txn.commit().await?;
    if status == m::ACTIVE {
        after_admission(data, &alliance, member).await?;
    }
    Ok(Outcome::Applied)
}

/// A new member alliance is followed by its parent, so its relays reach the parent.
pub async fn after_admission(
    data: &Data,
    alliance: &actor::Model,
    member: &actor::Model,
) -> Result<()> {
    if member.kind == "Group" {
        ensure_follow(data, alliance, member).await?;
    }
    Ok(())
}

/// A member follows the alliance it joined, so the alliance's posts trickle down to it.
pub async fn follow_alliance(
    data: &Data,
    member: &actor::Model,
    alliance: &actor::Model,
) -> Result<()> {
    ensure_follow(data, member, alliance).await
}

/// Local follows are accepted at once; remote ones send a Follow.
async fn ensure_follow(
    data: &Data,
    follower: &actor::Model,
    followed: &actor::Model,
) -> Result<()> {
    if query::follow::between(&data.db, follower.id, followed.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let txn = data.db.begin().await?;
    let state = if followed.local {
        query::follow::ACCEPTED
    } else {
        query::follow::PENDING
    };
    let row = query::follow::insert(
        &txn,
        data.urls.new_activity().as_str(),
        follower.id,
        followed.id,
        state,
    )
    .await?;
    if !followed.local {
        query::outbox::enqueue(&txn, &OutboxEvent::FollowRequested { follow_id: row.id }).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The membership an Accept or Reject answers, if it answers one of ours.
pub async fn answered_membership(
    data: &Data,
    activity: &Envelope,
) -> Result<Option<membership::Model>> {
    match id_of(&activity.object) {
        Some(id) => m::by_request(&data.db, id.as_str()).await,
        None => Ok(None),
    }
}

/// The alliance accepted or rejected our member's Join (or we accepted its Invite).
pub async fn receive_answer(
    data: &Data,
    alliance: &actor::Model,
    row: membership::Model,
    accepted: bool,
) -> Result<Outcome> {
    if row.alliance_id != alliance.id {
        return Err(Error::forbidden(
            "only the alliance can answer a request to join it",
        ));
    }
    let member = query::actor::get(&data.db, row.member_id).await?;
    let status = if accepted { m::ACTIVE } else { m::REJECTED };
    m::set_status(&data.db, row, status).await?;
    if accepted {
        follow_alliance(data, &member, alliance).await?;
    }
    Ok(Outcome::Applied)
}

pub async fn receive_invite(
    data: &Data,
    alliance: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let invitee = activity
        .raw
        .get("target")
        .and_then(id_of)
        .or_else(|| activity.raw.get("to").and_then(id_of));
    let Some(invitee) = invitee else {
        return Ok(Outcome::Ignored("Invite without target".into()));
    };
    let Some(member) = query::actor::by_ap_id(&data.db, invitee.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored(
            "Invite of an actor that is not ours".into(),
        ));
    };
    if alliance.kind != "Group" {
        return Ok(Outcome::Ignored(
            "only alliances (Groups) invite members".into(),
        ));
    }
    if query::block::exists(&data.db, member.id, alliance.id).await? {
        return Ok(Outcome::Ignored("invitation from a blocked actor".into()));
    }
    m::upsert(
        &data.db,
        alliance.id,
        member.id,
        m::MEMBER,
        m::INVITED,
        Some(activity.id.as_str()),
    )
    .await?;
    Ok(Outcome::Applied)
}

pub async fn receive_leave(
    data: &Data,
    member: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(target) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Leave without object".into()));
    };
    let Some(alliance) = query::actor::by_ap_id(&data.db, target.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored(
            "Leave of an alliance that is not ours".into(),
        ));
    };
    match m::get(&data.db, alliance.id, member.id).await? {
        Some(row) => {
            m::set_status(&data.db, row, m::LEFT).await?;
            Ok(Outcome::Applied)
        }
        None => Ok(Outcome::Ignored("Leave without membership".into())),
    }
}

pub async fn receive_remove(
    data: &Data,
    alliance: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    if type_of(&activity.object).is_some_and(|t| !crate::protocol::actor::ACTOR_TYPES.contains(&t))
    {
        return Ok(Outcome::Ignored(
            "Remove of something other than a member".into(),
        ));
    }
    let Some(target) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Remove without object".into()));
    };
    let Some(member) = query::actor::by_ap_id(&data.db, target.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored(
            "Remove of an actor that is not ours".into(),
        ));
    };
    match m::get(&data.db, alliance.id, member.id).await? {
        Some(row) => {
            m::set_status(&data.db, row, m::REMOVED).await?;
            Ok(Outcome::Applied)
        }
        None => Ok(Outcome::Ignored("Remove without membership".into())),
    }
}
