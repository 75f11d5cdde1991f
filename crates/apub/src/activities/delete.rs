//! Delete of a post (a Tombstone stays) or of an actor (its follows end).

use crate::{
    context::Data,
    inbox::Outcome,
    protocol::{activities::Envelope, helpers::id_of},
};
use puentes_core::{Error, Result};
use puentes_db::{actor, query};

pub async fn receive_delete(
    data: &Data,
    actor: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    let object =
        id_of(&activity.object).ok_or_else(|| Error::bad_request("Delete has no object"))?;
    if object.as_str() == actor.ap_id {
        for local in query::actor::list_local(&data.db).await? {
            query::follow::delete_between_either_way(&data.db, actor.id, local.id).await?;
        }
        return Ok(Outcome::Applied);
    }
    let Some(post) = query::post::by_ap_id(&data.db, object.as_str()).await? else {
        return super::calls::receive_delete(data, actor, &object).await;
    };
    if post.author_id != actor.id {
        return Err(Error::forbidden("only the author can delete a post"));
    }
    if post.deleted_at.is_none() {
        query::post::mark_deleted(&data.db, post).await?;
    }
    Ok(Outcome::Applied)
}
