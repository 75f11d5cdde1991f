//! Instance settings stored with the data (the domain the database was created for).

use crate::{now, setting};
use puentes_core::Result;
use sea_orm::ConnectionTrait;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

/// The key under which the instance's domain is recorded.
pub const DOMAIN: &str = "domain";

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>> {
    Ok(setting::Entity::find_by_id(key.to_string())
        .one(db)
        .await?
        .map(|row| row.value))
}

/// Records `value` unless the key already has one; returns the value that is kept.
pub async fn get_or_insert(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<String> {
    if let Some(existing) = get(db, key).await? {
        return Ok(existing);
    }
    let inserted = setting::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => Ok(row.value),
        // Another process recorded it first: theirs is kept.
        Err(e) if crate::is_unique_violation(&e) => {
            Ok(get(db, key).await?.unwrap_or_else(|| value.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}
