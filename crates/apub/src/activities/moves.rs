//! An actor we know moved (Mastodon's `Move`: `actor` = `object` = the old id, `target` =
//! the new one). Only from an actor someone here follows or that belongs to one of our
//! alliances, and only when the target, read fresh from its origin, lists the old id in
//! `alsoKnownAs`; otherwise nothing is stored, not even the target.

use crate::{
    context::Data,
    fetch,
    objects::actor::store_remote_actor,
    outcome::Outcome,
    protocol::{activities::Envelope, actor::parse_remote_actor, helpers::id_of},
};
use puentes_app::{App, Caller};
use puentes_core::{Error, Result};
use puentes_db::{actor, query};

pub async fn receive_move(
    data: &Data,
    app: &App,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(object) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Move without object".into()));
    };
    if object.as_str() != signer.ap_id {
        return Ok(Outcome::Ignored(
            "Move of an actor other than its sender".into(),
        ));
    }
    let Some(target) = activity.raw.get("target").and_then(id_of) else {
        return Ok(Outcome::Ignored("Move without target".into()));
    };
    if target.as_str() == signer.ap_id {
        return Ok(Outcome::Ignored("Move to itself".into()));
    }
    let followed = query::follow::has_local_follower(&data.db, signer.id).await?;
    let member = !query::membership::local_alliances_of(&data.db, signer.id)
        .await?
        .is_empty();
    if !followed && !member {
        return Ok(Outcome::Ignored(
            "Move of an actor nobody here follows".into(),
        ));
    }
    // The target as its origin serves it now, checked before anything is stored.
    let target_actor = if data.urls.is_local(&target) {
        query::actor::by_ap_id(&data.db, target.as_str())
            .await?
            .ok_or_else(|| Error::not_found("the Move's target"))?
    } else {
        let document = fetch::object(data, &target, crate::client::Signer::Instance).await?;
        let parsed = parse_remote_actor(&document).map_err(Error::bad_request)?;
        if parsed.id != target {
            return Ok(Outcome::Ignored(
                "the Move's target answered for another id".into(),
            ));
        }
        if !parsed
            .also_known_as
            .iter()
            .any(|alias| alias.as_str() == signer.ap_id)
        {
            return Ok(Outcome::Ignored(
                "the Move's target does not list its origin in alsoKnownAs".into(),
            ));
        }
        store_remote_actor(data, &document).await?
    };
    if !target_actor.also_known_as().contains(&signer.ap_id) {
        return Ok(Outcome::Ignored(
            "the Move's target does not list its origin in alsoKnownAs".into(),
        ));
    }
    app.receive_move(&Caller::remote_actor(signer), &target_actor)
        .await?;
    Ok(Outcome::Applied)
}
