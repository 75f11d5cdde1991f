//! A remote actor blocks one of ours: the follows between them end.

use crate::{
    context::Data,
    inbox::Outcome,
    protocol::{activities::Envelope, helpers::id_of},
};
use puentes_core::Result;
use puentes_db::{actor, query};

pub async fn receive_block(
    data: &Data,
    blocker: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let Some(target) = id_of(&activity.object) else {
        return Ok(Outcome::Ignored("Block without object".into()));
    };
    let Some(target) = query::actor::by_ap_id(&data.db, target.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Outcome::Ignored(
            "Block of an actor that is not ours".into(),
        ));
    };
    query::follow::delete_between_either_way(&data.db, blocker.id, target.id).await?;
    Ok(Outcome::Applied)
}
