//! Follow, its Accept or Reject, and Undo(Follow): parsed here, decided by the app.

use crate::{
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
    },
};
use puentes_app::{App, Caller, follows::Answered};
use puentes_core::{Error, Result};
use puentes_db::{actor, query};

fn outcome(answered: Answered, unknown: &str) -> Outcome {
    match answered {
        Answered::Applied => Outcome::Applied,
        Answered::Unknown => Outcome::Ignored(unknown.into()),
    }
}

pub async fn receive_follow(
    app: &App,
    follower: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let target_id =
        id_of(&activity.object).ok_or_else(|| Error::bad_request("Follow has no object"))?;
    let Some(target) = query::actor::by_ap_id(&app.db, target_id.as_str())
        .await?
        .filter(|a| a.local && a.deleted_at.is_none())
    else {
        return Ok(Outcome::Ignored(
            "Follow of an actor that is not ours".into(),
        ));
    };
    app.receive_follow(
        &Caller::remote_actor(follower),
        &target,
        activity.id.as_str(),
    )
    .await?;
    Ok(Outcome::Applied)
}

pub async fn receive_undo(
    app: &App,
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
    let follow_id = id_of(&activity.object);
    let followed_id = activity.object.get("object").and_then(id_of);
    let answered = app
        .receive_unfollow(
            &Caller::remote_actor(follower),
            follow_id.as_ref().map(url::Url::as_str),
            followed_id.as_ref().map(url::Url::as_str),
        )
        .await?;
    Ok(outcome(answered, "Undo of an unknown follow"))
}
