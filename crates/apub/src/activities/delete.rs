//! Delete of a post or a call (a Tombstone stays), or of the actor itself.

use crate::{
    outcome::Outcome,
    protocol::{activities::Envelope, helpers::id_of},
};
use puentes_app::{App, Caller, posts::Received};
use puentes_core::{Error, Result};
use puentes_db::actor;

pub async fn receive_delete(
    app: &App,
    actor: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let object =
        id_of(&activity.object).ok_or_else(|| Error::bad_request("Delete has no object"))?;
    Ok(
        match app
            .receive_delete(&Caller::remote_actor(actor), object.as_str())
            .await?
        {
            Received::Stored => Outcome::Applied,
            Received::Ignored(why) => Outcome::Ignored(why.into()),
        },
    )
}
