//! Relays: who announced what (each actor an object at most once), and held relays.

use crate::{announce, held_relay, now, post};
use puentes_core::{HeldRelayState, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// Records that `actor_id` announces `object`; false when it already had.
pub async fn record_announce(
    db: &impl ConnectionTrait,
    actor_id: i64,
    object: &str,
    activity: Option<&str>,
) -> Result<bool> {
    let exists = announce::Entity::find()
        .filter(announce::Column::ActorId.eq(actor_id))
        .filter(announce::Column::ObjectApId.eq(object))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    let inserted = announce::ActiveModel {
        actor_id: Set(actor_id),
        object_ap_id: Set(object.to_string()),
        activity_ap_id: Set(activity.map(str::to_string)),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => {
            super::api_status::add(db, super::api_status::StatusKind::Reblog, row.id, actor_id)
                .await?;
            Ok(true)
        }
        Err(e) if crate::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Forgets the announce `activity` by `actor_id` (an `Undo{Announce}`); the object it
/// announced, when there was one.
pub async fn remove_announce(
    db: &impl ConnectionTrait,
    actor_id: i64,
    activity: &str,
) -> Result<Option<String>> {
    let Some(row) = announce::Entity::find()
        .filter(announce::Column::ActorId.eq(actor_id))
        .filter(announce::Column::ActivityApId.eq(activity))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let object = row.object_ap_id.clone();
    announce::Entity::delete_by_id(row.id).exec(db).await?;
    super::api_status::remove(db, super::api_status::StatusKind::Reblog, row.id).await?;
    Ok(Some(object))
}

/// How many actors announced `object`.
pub async fn count_announcers(db: &impl ConnectionTrait, object: &str) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(announce::Entity::find()
        .filter(announce::Column::ObjectApId.eq(object))
        .count(db)
        .await?)
}

pub async fn has_announced(db: &impl ConnectionTrait, actor_id: i64, object: &str) -> Result<bool> {
    Ok(announce::Entity::find()
        .filter(announce::Column::ActorId.eq(actor_id))
        .filter(announce::Column::ObjectApId.eq(object))
        .one(db)
        .await?
        .is_some())
}

/// Everyone known to have announced an object, in order.
pub async fn announcers(db: &impl ConnectionTrait, object: &str) -> Result<Vec<i64>> {
    Ok(announce::Entity::find()
        .filter(announce::Column::ObjectApId.eq(object))
        .order_by_asc(announce::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.actor_id)
        .collect())
}

pub async fn hold(db: &impl ConnectionTrait, actor_id: i64, post_id: i64) -> Result<()> {
    let exists = held_relay::Entity::find()
        .filter(held_relay::Column::ActorId.eq(actor_id))
        .filter(held_relay::Column::PostId.eq(post_id))
        .one(db)
        .await?
        .is_some();
    if !exists {
        held_relay::ActiveModel {
            actor_id: Set(actor_id),
            post_id: Set(post_id),
            state: Set(HeldRelayState::Held.as_str().into()),
            created_at: Set(now()),
            decided_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn held_for(db: &impl ConnectionTrait, actor_id: i64) -> Result<Vec<held_relay::Model>> {
    Ok(held_relay::Entity::find()
        .filter(held_relay::Column::ActorId.eq(actor_id))
        .filter(held_relay::Column::State.eq(HeldRelayState::Held.as_str()))
        .order_by_asc(held_relay::Column::Id)
        .all(db)
        .await?)
}

pub async fn decide(
    db: &impl ConnectionTrait,
    row: held_relay::Model,
    state: HeldRelayState,
) -> Result<held_relay::Model> {
    let mut model: held_relay::ActiveModel = row.into();
    model.state = Set(state.as_str().to_string());
    model.decided_at = Set(Some(now()));
    Ok(model.update(db).await?)
}

pub async fn held_by_post(
    db: &impl ConnectionTrait,
    actor_id: i64,
    post_id: i64,
) -> Result<Option<held_relay::Model>> {
    Ok(held_relay::Entity::find()
        .filter(held_relay::Column::ActorId.eq(actor_id))
        .filter(held_relay::Column::PostId.eq(post_id))
        .one(db)
        .await?)
}

/// Posts held for an actor's approval, oldest first.
pub async fn held_posts(db: &impl ConnectionTrait, actor_id: i64) -> Result<Vec<post::Model>> {
    let mut posts = Vec::new();
    for row in held_for(db, actor_id).await? {
        if let Some(post) = post::Entity::find_by_id(row.post_id).one(db).await? {
            posts.push(post);
        }
    }
    Ok(posts)
}

pub async fn announce_by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<announce::Model>> {
    Ok(announce::Entity::find_by_id(id).one(db).await?)
}

/// The relay of `object` by `actor_id`, if it made one.
pub async fn announce_of(
    db: &impl ConnectionTrait,
    actor_id: i64,
    object: &str,
) -> Result<Option<announce::Model>> {
    Ok(announce::Entity::find()
        .filter(announce::Column::ActorId.eq(actor_id))
        .filter(announce::Column::ObjectApId.eq(object))
        .one(db)
        .await?)
}

/// Forgets the relay row `id` (and its status).
pub async fn delete_announce(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    announce::Entity::delete_by_id(id).exec(db).await?;
    super::api_status::remove(db, super::api_status::StatusKind::Reblog, id).await
}
