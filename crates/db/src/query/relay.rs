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
        Ok(_) => Ok(true),
        Err(e) if crate::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
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
