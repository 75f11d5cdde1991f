//! Staff accounts: people who act for organizations. Never federated.

use crate::{now, staff, staff_role};
use puentes_core::Result;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<staff::Model>> {
    Ok(staff::Entity::find()
        .filter(staff::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// Creates the account if needed and grants the role on the actor (replacing an older role).
pub async fn grant(
    db: &impl ConnectionTrait,
    email: &str,
    password_hash: &str,
    actor_id: i64,
    role: &str,
) -> Result<(staff::Model, bool)> {
    let (account, created) = match by_email(db, email).await? {
        Some(account) => (account, false),
        None => {
            let account = staff::ActiveModel {
                email: Set(email.to_string()),
                password_hash: Set(password_hash.to_string()),
                created_at: Set(now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
            (account, true)
        }
    };
    let existing = staff_role::Entity::find()
        .filter(staff_role::Column::StaffId.eq(account.id))
        .filter(staff_role::Column::ActorId.eq(actor_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut model: staff_role::ActiveModel = row.into();
            model.role = Set(role.to_string());
            model.update(db).await?;
        }
        None => {
            staff_role::ActiveModel {
                staff_id: Set(account.id),
                actor_id: Set(actor_id),
                role: Set(role.to_string()),
                created_at: Set(now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok((account, created))
}
