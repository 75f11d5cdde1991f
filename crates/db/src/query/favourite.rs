//! Likes of posts, each actor once per post.

use crate::{favourite, now};
use puentes_core::Result;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TryInsertResult,
};

/// Records that `actor_id` likes `post_id`; false when it already did.
pub async fn add(
    db: &impl ConnectionTrait,
    actor_id: i64,
    post_id: i64,
    like_ap_id: &str,
) -> Result<bool> {
    let row = favourite::ActiveModel {
        actor_id: Set(actor_id),
        post_id: Set(post_id),
        like_ap_id: Set(like_ap_id.to_string()),
        created_at: Set(now()),
        ..Default::default()
    };
    let result = favourite::Entity::insert(row)
        .on_conflict_do_nothing_on([favourite::Column::PostId, favourite::Column::ActorId])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(result, TryInsertResult::Inserted(n) if n > 0))
}

pub async fn between(
    db: &impl ConnectionTrait,
    actor_id: i64,
    post_id: i64,
) -> Result<Option<favourite::Model>> {
    Ok(favourite::Entity::find()
        .filter(favourite::Column::ActorId.eq(actor_id))
        .filter(favourite::Column::PostId.eq(post_id))
        .one(db)
        .await?)
}

/// Forgets a like by its activity id and liker; the row it was.
pub async fn remove_by_activity(
    db: &impl ConnectionTrait,
    actor_id: i64,
    like_ap_id: &str,
) -> Result<Option<favourite::Model>> {
    let row = favourite::Entity::find()
        .filter(favourite::Column::ActorId.eq(actor_id))
        .filter(favourite::Column::LikeApId.eq(like_ap_id))
        .one(db)
        .await?;
    if let Some(row) = &row {
        favourite::Entity::delete_by_id(row.id).exec(db).await?;
    }
    Ok(row)
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    favourite::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

pub async fn count(db: &impl ConnectionTrait, post_id: i64) -> Result<u64> {
    Ok(favourite::Entity::find()
        .filter(favourite::Column::PostId.eq(post_id))
        .count(db)
        .await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<favourite::Model>> {
    Ok(favourite::Entity::find_by_id(id).one(db).await?)
}
