//! `Like`, `Announce` and their `Undo` for our posts, statements and calls: parsed here, counted
//! by the application as boosts of posts are.

use crate::{
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        helpers::{id_of, type_of},
    },
};
use puentes_app::{App, Caller, posts::Received};
use puentes_core::Result;
use puentes_db::actor;

/// A `Like` of one of our statements (an unverified supporter) or calls.
pub async fn receive_like(
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let outcome = super::statements::receive_like(app, signer, activity).await?;
    if !matches!(outcome, Outcome::Ignored(_)) {
        return Ok(outcome);
    }
    let Some(object) = id_of(&activity.object) else {
        return Ok(outcome);
    };
    let caller = Caller::remote_actor(signer);
    Ok(
        if app
            .receive_call_like(&caller, object.as_str(), activity.id.as_str())
            .await?
            || app
                .receive_post_like(&caller, object.as_str(), activity.id.as_str())
                .await?
        {
            Outcome::Applied
        } else {
            Outcome::Ignored("Like of something other than our posts, statements and calls".into())
        },
    )
}

/// An `Announce` (boost) of one of our statements or calls.
pub async fn receive_boost(
    app: &App,
    announcer: &actor::Model,
    object: &url::Url,
    activity: &Envelope,
) -> Result<Outcome> {
    Ok(
        match app
            .receive_boost(
                &Caller::remote_actor(announcer),
                object.as_str(),
                activity.id.as_str(),
            )
            .await?
        {
            Received::Stored => Outcome::Applied,
            Received::Ignored(why) => Outcome::Ignored(why.into()),
        },
    )
}

/// `Undo` of a boost, or of a like of one of our calls; None when it undoes something else.
pub async fn receive_undo(
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(undone) = id_of(&activity.object) else {
        return Ok(None);
    };
    let caller = Caller::remote_actor(signer);
    let kind = type_of(&activity.object);
    // Only the id may be given: then either kind is tried.
    if matches!(kind, None | Some("Announce"))
        && app.receive_unboost(&caller, undone.as_str()).await?
    {
        return Ok(Some(Outcome::Applied));
    }
    if matches!(kind, None | Some("Like"))
        && (app.receive_call_unlike(&caller, undone.as_str()).await?
            || app.receive_post_unlike(&caller, undone.as_str()).await?)
    {
        return Ok(Some(Outcome::Applied));
    }
    Ok(None)
}
