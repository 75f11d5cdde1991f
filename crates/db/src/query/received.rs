//! Ids of incoming activities already applied: each is applied once.

use crate::{now, received_activity};
use puentes_core::Result;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Records the id; false when it was already there.
pub async fn try_insert(db: &impl ConnectionTrait, ap_id: &str) -> Result<bool> {
    let inserted = received_activity::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        received_at: Set(now()),
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

/// Forgets an id whose handling failed, so the sender's retry is applied.
pub async fn remove(db: &impl ConnectionTrait, ap_id: &str) -> Result<()> {
    received_activity::Entity::delete_many()
        .filter(received_activity::Column::ApId.eq(ap_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets ids received before `before`. A replay older than that carries a Date far
/// outside the signature window, so it is refused anyway.
pub async fn prune(
    db: &impl ConnectionTrait,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    Ok(received_activity::Entity::delete_many()
        .filter(received_activity::Column::ReceivedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
