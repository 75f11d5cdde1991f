//! Pinned posts of the client API: an actor's own posts, each once.

use crate::{now, pin};
use puentes_core::Result;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// Pins `post_id` for `actor_id`; nothing happens when it is pinned already.
pub async fn add(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<()> {
    let row = pin::ActiveModel {
        actor_id: Set(actor_id),
        post_id: Set(post_id),
        created_at: Set(now()),
        ..Default::default()
    };
    pin::Entity::insert(row)
        .on_conflict_do_nothing_on([pin::Column::ActorId, pin::Column::PostId])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn remove(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<()> {
    pin::Entity::delete_many()
        .filter(pin::Column::ActorId.eq(actor_id))
        .filter(pin::Column::PostId.eq(post_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn between(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<bool> {
    Ok(pin::Entity::find()
        .filter(pin::Column::ActorId.eq(actor_id))
        .filter(pin::Column::PostId.eq(post_id))
        .one(db)
        .await?
        .is_some())
}

pub async fn count(db: &impl ConnectionTrait, actor_id: i64) -> Result<u64> {
    Ok(pin::Entity::find()
        .filter(pin::Column::ActorId.eq(actor_id))
        .count(db)
        .await?)
}

/// An actor's pins, the newest pinned first (there are at most a few).
pub async fn of(db: &impl ConnectionTrait, actor_id: i64) -> Result<Vec<pin::Model>> {
    Ok(pin::Entity::find()
        .filter(pin::Column::ActorId.eq(actor_id))
        .order_by_desc(pin::Column::Id)
        .all(db)
        .await?)
}
