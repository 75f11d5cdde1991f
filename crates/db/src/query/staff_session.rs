//! Staff sessions, keyed by a hash of the cookie's id (the hashing is the caller's).

use crate::{now, staff_session};
use chrono::{DateTime, Utc};
use puentes_core::Result;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// A live session by key (an expired one is as good as absent).
pub async fn load(db: &impl ConnectionTrait, key: &str) -> Result<Option<staff_session::Model>> {
    Ok(staff_session::Entity::find()
        .filter(staff_session::Column::Key.eq(key))
        .filter(staff_session::Column::ExpiresAt.gt(now()))
        .one(db)
        .await?)
}

pub async fn exists(db: &impl ConnectionTrait, key: &str) -> Result<bool> {
    Ok(staff_session::Entity::find()
        .filter(staff_session::Column::Key.eq(key))
        .one(db)
        .await?
        .is_some())
}

/// What a session holds now.
pub struct SessionData<'a> {
    pub key: &'a str,
    pub staff_id: Option<i64>,
    pub data: String,
    pub user_agent: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Creates or replaces a session's values.
pub async fn save(db: &impl ConnectionTrait, session: SessionData<'_>) -> Result<()> {
    let existing = staff_session::Entity::find()
        .filter(staff_session::Column::Key.eq(session.key))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let user_agent = session.user_agent.or_else(|| row.user_agent.clone());
            let mut model: staff_session::ActiveModel = row.into();
            model.staff_id = Set(session.staff_id);
            model.data = Set(session.data);
            model.user_agent = Set(user_agent);
            model.seen_at = Set(now());
            model.expires_at = Set(session.expires_at);
            model.update(db).await?;
        }
        None => {
            staff_session::ActiveModel {
                key: Set(session.key.to_string()),
                staff_id: Set(session.staff_id),
                data: Set(session.data),
                user_agent: Set(session.user_agent),
                created_at: Set(now()),
                seen_at: Set(now()),
                expires_at: Set(session.expires_at),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

pub async fn delete(db: &impl ConnectionTrait, key: &str) -> Result<()> {
    staff_session::Entity::delete_many()
        .filter(staff_session::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// A staff member's live sessions, the most recently used first.
pub async fn of_staff(
    db: &impl ConnectionTrait,
    staff_id: i64,
) -> Result<Vec<staff_session::Model>> {
    Ok(staff_session::Entity::find()
        .filter(staff_session::Column::StaffId.eq(staff_id))
        .filter(staff_session::Column::ExpiresAt.gt(now()))
        .order_by_desc(staff_session::Column::SeenAt)
        .all(db)
        .await?)
}

/// Ends one of a staff member's sessions (by row id; someone else's is left alone).
pub async fn end(db: &impl ConnectionTrait, staff_id: i64, id: i64) -> Result<bool> {
    let done = staff_session::Entity::delete_many()
        .filter(staff_session::Column::StaffId.eq(staff_id))
        .filter(staff_session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Ends every session of a staff member but one (after a password change).
pub async fn end_others(db: &impl ConnectionTrait, staff_id: i64, keep_key: &str) -> Result<u64> {
    let done = staff_session::Entity::delete_many()
        .filter(staff_session::Column::StaffId.eq(staff_id))
        .filter(staff_session::Column::Key.ne(keep_key))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Forgets expired sessions.
pub async fn delete_expired(db: &impl ConnectionTrait) -> Result<u64> {
    let done = staff_session::Entity::delete_many()
        .filter(staff_session::Column::ExpiresAt.lte(now()))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
