//! Alliance operations behind `puentes alliance …`: joining, inviting, deciding, leaving,
//! removing, policies and held relays.

use crate::Instance;
use puentes_apub::{activities, fetch};
use puentes_core::{Error, Result};
use puentes_db::{OutboxEvent, TransactionTrait, actor, membership, query, query::membership as m};

async fn local(instance: &Instance, name: &str) -> Result<actor::Model> {
    query::actor::local_by_name_required(&instance.ctx.db, name).await
}

async fn local_alliance(instance: &Instance, name: &str) -> Result<actor::Model> {
    let alliance = local(instance, name).await?;
    if alliance.kind != "Group" {
        return Err(Error::bad_request(format!(
            "{name} is an organization, not an alliance"
        )));
    }
    Ok(alliance)
}

/// `NAME` asks to join the alliance `handle` (or accepts its invitation).
pub async fn join(instance: &Instance, as_name: &str, handle: &str) -> Result<membership::Model> {
    let member = local(instance, as_name).await?;
    let alliance = fetch::actor_by_handle(&instance.data(), handle).await?;
    if alliance.kind != "Group" {
        return Err(Error::bad_request(format!("{handle} is not an alliance")));
    }
    if alliance.id == member.id {
        return Err(Error::bad_request("an alliance cannot join itself"));
    }
    let existing = m::get(&instance.ctx.db, alliance.id, member.id).await?;
    if existing.as_ref().is_some_and(|r| r.status == m::ACTIVE) {
        return Err(Error::conflict(format!(
            "{as_name} is already a member of {handle}"
        )));
    }
    let request = instance.ctx.urls.new_activity();
    let role = existing
        .as_ref()
        .map(|r| r.role.clone())
        .unwrap_or_else(|| m::MEMBER.to_string());
    // Same instance: the alliance's policy applies at once; otherwise ask it.
    let invited = existing.as_ref().is_some_and(|r| r.status == m::INVITED);
    let status = if alliance.local && (invited || alliance.join_policy == "auto") {
        m::ACTIVE
    } else {
        m::PENDING
    };
    let change = Change {
        alliance_id: alliance.id,
        member_id: member.id,
        role: &role,
        status,
        request: Some(request.as_str()),
    };
    let row = save(instance, change, !alliance.local, |membership_id| {
        OutboxEvent::JoinRequested { membership_id }
    })
    .await?;
    if status == m::ACTIVE {
        admitted(instance, &alliance, &member).await?;
    }
    Ok(row)
}

/// One membership change, saved with the event that tells the other side.
struct Change<'a> {
    alliance_id: i64,
    member_id: i64,
    role: &'a str,
    status: &'a str,
    request: Option<&'a str>,
}

/// Saves the change, and in the same transaction the event for a remote counterpart.
async fn save(
    instance: &Instance,
    change: Change<'_>,
    remote: bool,
    event: impl Fn(i64) -> OutboxEvent,
) -> Result<membership::Model> {
    let txn = instance.ctx.db.begin().await?;
    let row = m::upsert(
        &txn,
        change.alliance_id,
        change.member_id,
        change.role,
        change.status,
        change.request,
    )
    .await?;
    if remote {
        query::outbox::enqueue(&txn, &event(row.id)).await?;
    }
    txn.commit().await?;
    Ok(row)
}

async fn admitted(
    instance: &Instance,
    alliance: &actor::Model,
    member: &actor::Model,
) -> Result<()> {
    let data = instance.data();
    activities::after_admission(&data, alliance, member).await?;
    if member.local {
        activities::follow_alliance(&data, member, alliance).await?;
    }
    Ok(())
}

pub async fn invite(
    instance: &Instance,
    as_alliance: &str,
    handle: &str,
    role: &str,
) -> Result<membership::Model> {
    m::validate_role(role)?;
    let alliance = local_alliance(instance, as_alliance).await?;
    let invitee = fetch::actor_by_handle(&instance.data(), handle).await?;
    if invitee.id == alliance.id {
        return Err(Error::bad_request("an alliance cannot invite itself"));
    }
    let request = instance.ctx.urls.new_activity();
    let change = Change {
        alliance_id: alliance.id,
        member_id: invitee.id,
        role,
        status: m::INVITED,
        request: Some(request.as_str()),
    };
    save(instance, change, !invitee.local, |membership_id| {
        OutboxEvent::InviteSent { membership_id }
    })
    .await
}

async fn membership_of(
    instance: &Instance,
    alliance: &actor::Model,
    handle: &str,
) -> Result<(membership::Model, actor::Model)> {
    let member = fetch::actor_by_handle(&instance.data(), handle).await?;
    let row = m::get(&instance.ctx.db, alliance.id, member.id)
        .await?
        .ok_or_else(|| {
            Error::not_found(format!(
                "{handle} has no membership in {}",
                alliance.username
            ))
        })?;
    Ok((row, member))
}

/// The secretariat accepts a pending member (or changes an active member's role).
pub async fn accept(
    instance: &Instance,
    as_alliance: &str,
    handle: &str,
    role: &str,
) -> Result<membership::Model> {
    m::validate_role(role)?;
    let alliance = local_alliance(instance, as_alliance).await?;
    let (row, member) = membership_of(instance, &alliance, handle).await?;
    if !matches!(row.status.as_str(), m::PENDING | m::ACTIVE) {
        return Err(Error::conflict(format!(
            "{handle} has not asked to join ({})",
            row.status
        )));
    }
    let change = Change {
        alliance_id: alliance.id,
        member_id: member.id,
        role,
        status: m::ACTIVE,
        request: None,
    };
    let row = save(instance, change, !member.local, |membership_id| {
        OutboxEvent::JoinAnswered {
            membership_id,
            accepted: true,
        }
    })
    .await?;
    admitted(instance, &alliance, &member).await?;
    Ok(row)
}

pub async fn reject(instance: &Instance, as_alliance: &str, handle: &str) -> Result<()> {
    let refusal = |status: &str| format!("{handle} has no pending request ({status})");
    let event = |membership_id| OutboxEvent::JoinAnswered {
        membership_id,
        accepted: false,
    };
    decide(
        instance,
        as_alliance,
        handle,
        (m::PENDING, m::REJECTED),
        refusal,
        event,
    )
    .await
}

pub async fn remove(instance: &Instance, as_alliance: &str, handle: &str) -> Result<()> {
    let refusal = |status: &str| format!("{handle} is not an active member ({status})");
    let event = |membership_id| OutboxEvent::MemberRemoved { membership_id };
    decide(
        instance,
        as_alliance,
        handle,
        (m::ACTIVE, m::REMOVED),
        refusal,
        event,
    )
    .await
}

/// Moves a membership `from` one status `to` another, telling a remote member.
async fn decide(
    instance: &Instance,
    as_alliance: &str,
    handle: &str,
    (from, to): (&str, &str),
    refusal: impl Fn(&str) -> String,
    event: impl Fn(i64) -> OutboxEvent,
) -> Result<()> {
    let alliance = local_alliance(instance, as_alliance).await?;
    let (row, member) = membership_of(instance, &alliance, handle).await?;
    if row.status != from {
        return Err(Error::conflict(refusal(&row.status)));
    }
    let change = Change {
        alliance_id: row.alliance_id,
        member_id: row.member_id,
        role: &row.role,
        status: to,
        request: None,
    };
    save(instance, change, !member.local, event).await?;
    Ok(())
}

pub async fn leave(instance: &Instance, as_name: &str, handle: &str) -> Result<()> {
    let member = local(instance, as_name).await?;
    let alliance = fetch::actor_by_handle(&instance.data(), handle).await?;
    let row = m::get(&instance.ctx.db, alliance.id, member.id)
        .await?
        .filter(|r| matches!(r.status.as_str(), m::ACTIVE | m::PENDING))
        .ok_or_else(|| Error::not_found(format!("{as_name} is not a member of {handle}")))?;
    let change = Change {
        alliance_id: row.alliance_id,
        member_id: row.member_id,
        role: &row.role,
        status: m::LEFT,
        request: None,
    };
    save(instance, change, !alliance.local, |membership_id| {
        OutboxEvent::LeftAlliance { membership_id }
    })
    .await?;
    Ok(())
}

/// A member's choice for an alliance's own posts: off, auto (relay to my followers) or held.
pub async fn set_relay_policy(
    instance: &Instance,
    as_name: &str,
    handle: &str,
    policy: &str,
) -> Result<()> {
    let member = local(instance, as_name).await?;
    let alliance = fetch::actor_by_handle(&instance.data(), handle).await?;
    let row = m::get(&instance.ctx.db, alliance.id, member.id)
        .await?
        .ok_or_else(|| Error::not_found(format!("{as_name} is not a member of {handle}")))?;
    m::set_relay_policy(&instance.ctx.db, row, policy).await?;
    Ok(())
}

pub async fn set_policies(
    instance: &Instance,
    as_alliance: &str,
    join: Option<&str>,
    members: Option<&str>,
    moderation: Option<&str>,
) -> Result<actor::Model> {
    let alliance = local_alliance(instance, as_alliance).await?;
    for (value, allowed, what) in [
        (join, &["auto", "manual"][..], "join policy"),
        (
            members,
            &["public", "members", "private"][..],
            "member list visibility",
        ),
        (moderation, &["auto", "held"][..], "moderation"),
    ] {
        if let Some(v) = value
            && !allowed.contains(&v)
        {
            return Err(Error::bad_request(format!(
                "unknown {what} {v:?}: use {}",
                allowed.join(", ")
            )));
        }
    }
    query::actor::set_alliance_policies(&instance.ctx.db, alliance, join, members, moderation).await
}

pub async fn members(
    instance: &Instance,
    name: &str,
) -> Result<Vec<(membership::Model, actor::Model)>> {
    let alliance = local_alliance(instance, name).await?;
    let mut all = Vec::new();
    for status in [m::ACTIVE, m::PENDING, m::INVITED] {
        all.extend(m::members(&instance.ctx.db, alliance.id, status).await?);
    }
    Ok(all)
}

/// Posts held for `name`'s approval.
pub async fn held(instance: &Instance, name: &str) -> Result<Vec<puentes_db::post::Model>> {
    let actor = local(instance, name).await?;
    let mut posts = Vec::new();
    for row in query::relay::held_for(&instance.ctx.db, actor.id).await? {
        posts.push(query::post::get(&instance.ctx.db, row.post_id).await?);
    }
    Ok(posts)
}

/// Approves (relays) or rejects a held post.
pub async fn decide_held(
    instance: &Instance,
    name: &str,
    post_id: &str,
    approve: bool,
) -> Result<()> {
    let actor = local(instance, name).await?;
    let post = query::post::by_ap_id(&instance.ctx.db, post_id)
        .await?
        .ok_or_else(|| Error::not_found("post"))?;
    let row = query::relay::held_by_post(&instance.ctx.db, actor.id, post.id)
        .await?
        .filter(|r| r.state == query::relay::HELD)
        .ok_or_else(|| Error::not_found("held post"))?;
    let txn = instance.ctx.db.begin().await?;
    query::relay::decide(
        &txn,
        row,
        if approve {
            query::relay::APPROVED
        } else {
            query::relay::REJECTED
        },
    )
    .await?;
    if approve {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::Announce {
                actor_id: actor.id,
                post_id: post.id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
