use crate::{block, now};
use puentes_core::Result;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn insert(
    db: &impl ConnectionTrait,
    actor_id: i64,
    blocked_actor_id: i64,
) -> Result<bool> {
    if exists(db, actor_id, blocked_actor_id).await? {
        return Ok(false);
    }
    block::ActiveModel {
        actor_id: Set(actor_id),
        blocked_actor_id: Set(blocked_actor_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(true)
}

pub async fn exists(
    db: &impl ConnectionTrait,
    actor_id: i64,
    blocked_actor_id: i64,
) -> Result<bool> {
    Ok(block::Entity::find()
        .filter(block::Column::ActorId.eq(actor_id))
        .filter(block::Column::BlockedActorId.eq(blocked_actor_id))
        .one(db)
        .await?
        .is_some())
}

pub async fn delete(
    db: &impl ConnectionTrait,
    actor_id: i64,
    blocked_actor_id: i64,
) -> Result<bool> {
    let result = block::Entity::delete_many()
        .filter(block::Column::ActorId.eq(actor_id))
        .filter(block::Column::BlockedActorId.eq(blocked_actor_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Actors blocked by this local actor.
pub async fn blocked_by(db: &impl ConnectionTrait, actor_id: i64) -> Result<Vec<i64>> {
    Ok(block::Entity::find()
        .filter(block::Column::ActorId.eq(actor_id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.blocked_actor_id)
        .collect())
}
