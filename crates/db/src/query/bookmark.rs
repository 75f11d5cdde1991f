//! Bookmarks of the client API, each actor once per post.

use super::IdRange;
use crate::{bookmark, now};
use puentes_core::Result;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Keeps `post_id` for `actor_id`; nothing happens when it is kept already.
pub async fn add(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<()> {
    let row = bookmark::ActiveModel {
        actor_id: Set(actor_id),
        post_id: Set(post_id),
        created_at: Set(now()),
        ..Default::default()
    };
    bookmark::Entity::insert(row)
        .on_conflict_do_nothing_on([bookmark::Column::ActorId, bookmark::Column::PostId])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn remove(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<()> {
    bookmark::Entity::delete_many()
        .filter(bookmark::Column::ActorId.eq(actor_id))
        .filter(bookmark::Column::PostId.eq(post_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn between(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<bool> {
    Ok(bookmark::Entity::find()
        .filter(bookmark::Column::ActorId.eq(actor_id))
        .filter(bookmark::Column::PostId.eq(post_id))
        .one(db)
        .await?
        .is_some())
}

/// An actor's bookmarks, newest kept first, paged by the bookmark's id.
pub async fn of(
    db: &impl ConnectionTrait,
    actor_id: i64,
    range: IdRange,
) -> Result<Vec<bookmark::Model>> {
    let select = bookmark::Entity::find().filter(bookmark::Column::ActorId.eq(actor_id));
    let rows = range.apply(select, bookmark::Column::Id).all(db).await?;
    Ok(range.finish(rows))
}
