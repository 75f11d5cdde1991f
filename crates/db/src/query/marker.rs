//! Read markers of the client API, one per staff member, actor and timeline.

use crate::{marker, now};
use puentes_core::Result;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn of(
    db: &impl ConnectionTrait,
    staff_id: i64,
    actor_id: i64,
) -> Result<Vec<marker::Model>> {
    Ok(marker::Entity::find()
        .filter(marker::Column::StaffId.eq(staff_id))
        .filter(marker::Column::ActorId.eq(actor_id))
        .all(db)
        .await?)
}

/// Moves a marker (its version counts the moves).
pub async fn save(
    db: &impl ConnectionTrait,
    staff_id: i64,
    actor_id: i64,
    timeline: &str,
    last_read_id: &str,
) -> Result<marker::Model> {
    let existing = marker::Entity::find()
        .filter(marker::Column::StaffId.eq(staff_id))
        .filter(marker::Column::ActorId.eq(actor_id))
        .filter(marker::Column::Timeline.eq(timeline))
        .one(db)
        .await?;
    Ok(match existing {
        Some(row) => {
            let version = row.version + 1;
            let mut model: marker::ActiveModel = row.into();
            model.last_read_id = Set(last_read_id.to_string());
            model.version = Set(version);
            model.updated_at = Set(now());
            model.update(db).await?
        }
        None => {
            marker::ActiveModel {
                staff_id: Set(staff_id),
                actor_id: Set(actor_id),
                timeline: Set(timeline.to_string()),
                last_read_id: Set(last_read_id.to_string()),
                version: Set(1),
                updated_at: Set(now()),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    })
}
