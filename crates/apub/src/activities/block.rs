//! A remote actor blocks one of ours: the follows between them end.

use crate::{
    outcome::Outcome,
    protocol::{activities::Envelope, helpers::id_of},
};
use puentes_app::{App, Caller};
use puentes_core::Result;
use puentes_db::{actor, query};

pub async fn receive_block(
    app: &App,
    blocker: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(target) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Block without object".into()));
    };
    let Some(target) = query::actor::by_ap_id(&app.db, target.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored(
            "Block of an actor that is not ours".into(),
        ));
    };
    app.receive_block(&Caller::remote_actor(blocker), &target)
        .await?;
    Ok(Outcome::Applied)
}
