//! Join, Invite, Leave and Remove of alliance memberships, and the Accept or Reject of a
//! Join or Invite: parsed here, decided by the app.

use crate::{
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
    },
};
use puentes_app::{App, Caller};
use puentes_core::{ActorKind, Error, Result};
use puentes_db::{actor, query};

/// One of our actors, named by `id`.
async fn local_actor(app: &App, id: Option<url::Url>) -> Result<Option<actor::Model>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(query::actor::by_ap_id(&app.db, id.as_str())
        .await?
        .filter(|a| a.local && a.deleted_at.is_none()))
}

/// An alliance here receives a Join from `member`.
pub async fn receive_join(
    app: &App,
    member: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let target = id_of(&activity.object).ok_or_else(|| Error::bad_request("Join has no object"))?;
    let Some(alliance) = local_actor(app, Some(target))
        .await?
        .filter(|a| a.kind() == ActorKind::Alliance)
    else {
        return Ok(Outcome::Ignored(
            "Join of something that is not one of our alliances".into(),
        ));
    };
    app.receive_join(
        &Caller::remote_actor(member),
        &alliance,
        activity.id.as_str(),
    )
    .await?;
    Ok(Outcome::Applied)
}

pub async fn receive_invite(
    app: &App,
    alliance: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let invitee = activity
        .raw
        .get("target")
        .and_then(id_of)
        .or_else(|| activity.raw.get("to").and_then(id_of));
    if invitee.is_none() {
        return Ok(Outcome::Ignored("Invite without target".into()));
    }
    let Some(member) = local_actor(app, invitee).await? else {
        return Ok(Outcome::Ignored(
            "Invite of an actor that is not ours".into(),
        ));
    };
    if alliance.kind() != ActorKind::Alliance {
        return Ok(Outcome::Ignored(
            "only alliances (Groups) invite members".into(),
        ));
    }
    let recorded = app
        .receive_membership_invite(
            &Caller::remote_actor(alliance),
            &member,
            activity.id.as_str(),
        )
        .await?;
    Ok(if recorded {
        Outcome::Applied
    } else {
        Outcome::Ignored("invitation from a blocked actor, or already a member".into())
    })
}

pub async fn receive_leave(
    app: &App,
    member: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(alliance) = local_actor(app, id_of(&activity.object)).await? else {
        return Ok(Outcome::Ignored(
            "Leave of an alliance that is not ours".into(),
        ));
    };
    Ok(
        if app
            .receive_leave(&Caller::remote_actor(member), &alliance)
            .await?
        {
            Outcome::Applied
        } else {
            Outcome::Ignored("Leave without membership".into())
        },
    )
}

pub async fn receive_remove(
    app: &App,
    alliance: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    if type_of(&activity.object).is_some_and(|t| !crate::protocol::actor::ACTOR_TYPES.contains(&t))
    {
        return Ok(Outcome::Ignored(
            "Remove of something other than a member".into(),
        ));
    }
    let Some(member) = local_actor(app, id_of(&activity.object)).await? else {
        return Ok(Outcome::Ignored(
            "Remove of an actor that is not ours".into(),
        ));
    };
    Ok(
        if app
            .receive_removal(&Caller::remote_actor(alliance), &member)
            .await?
        {
            Outcome::Applied
        } else {
            Outcome::Ignored("Remove without membership".into())
        },
    )
}
