//! Staff accounts: people who act for organizations. Never federated.

use crate::{actor, now, staff, staff_role};
use puentes_core::{Result, StaffRole};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

/// The account of an email, whatever its case (accounts stored before emails were
/// normalized included).
pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<staff::Model>> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    Ok(staff::Entity::find()
        .filter(ExprTrait::eq(
            Expr::expr(Func::lower(Expr::col(staff::Column::Email))),
            email.trim().to_lowercase(),
        ))
        .order_by_asc(staff::Column::Id)
        .one(db)
        .await?)
}

/// Creates the account if needed and grants the role on the actor (replacing an older role).
pub async fn grant(
    db: &impl ConnectionTrait,
    email: &str,
    password_hash: &str,
    actor_id: i64,
    role: StaffRole,
) -> Result<(staff::Model, bool)> {
    let (account, created) = match by_email(db, email).await? {
        Some(account) => (account, false),
        None => {
            let account = staff::ActiveModel {
                email: Set(email.to_string()),
                password_hash: Set(password_hash.to_string()),
                created_at: Set(now()),
                is_admin: Set(false),
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
            model.role = Set(role.as_str().to_string());
            model.update(db).await?;
        }
        None => {
            staff_role::ActiveModel {
                staff_id: Set(account.id),
                actor_id: Set(actor_id),
                role: Set(role.as_str().to_string()),
                created_at: Set(now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok((account, created))
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<staff::Model> {
    staff::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| puentes_core::Error::not_found("staff account"))
}

/// Every role of a staff member, with the actor it is held on.
pub async fn roles_of(
    db: &impl ConnectionTrait,
    staff_id: i64,
) -> Result<Vec<(staff_role::Model, actor::Model)>> {
    let rows = staff_role::Entity::find()
        .filter(staff_role::Column::StaffId.eq(staff_id))
        .order_by_asc(staff_role::Column::Id)
        .find_also_related(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, a)| a.map(|a| (r, a)))
        .collect())
}

/// The role a staff member holds on one actor, if any.
pub async fn role_on(
    db: &impl ConnectionTrait,
    staff_id: i64,
    actor_id: i64,
) -> Result<Option<StaffRole>> {
    Ok(staff_role::Entity::find()
        .filter(staff_role::Column::StaffId.eq(staff_id))
        .filter(staff_role::Column::ActorId.eq(actor_id))
        .one(db)
        .await?
        .map(|r| r.role()))
}

/// Staff of one actor (or of every actor), with their roles, by email.
pub async fn list(
    db: &impl ConnectionTrait,
    actor_id: Option<i64>,
) -> Result<Vec<(staff::Model, staff_role::Model)>> {
    let mut query = staff_role::Entity::find().find_also_related(staff::Entity);
    if let Some(actor_id) = actor_id {
        query = query.filter(staff_role::Column::ActorId.eq(actor_id));
    }
    let mut rows: Vec<(staff::Model, staff_role::Model)> = query
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(r, s)| s.map(|s| (s, r)))
        .collect();
    rows.sort_by(|a, b| (&a.0.email, a.1.actor_id).cmp(&(&b.0.email, b.1.actor_id)));
    Ok(rows)
}

/// Owners of an actor (so the last one is never removed).
pub async fn count_with_role(
    db: &impl ConnectionTrait,
    actor_id: i64,
    role: StaffRole,
) -> Result<u64> {
    Ok(staff_role::Entity::find()
        .filter(staff_role::Column::ActorId.eq(actor_id))
        .filter(staff_role::Column::Role.eq(role.as_str()))
        .count(db)
        .await?)
}

/// Removes a staff member's role on one actor; the account goes with its last role.
pub async fn revoke(db: &impl ConnectionTrait, staff_id: i64, actor_id: i64) -> Result<bool> {
    let removed = staff_role::Entity::delete_many()
        .filter(staff_role::Column::StaffId.eq(staff_id))
        .filter(staff_role::Column::ActorId.eq(actor_id))
        .exec(db)
        .await?
        .rows_affected;
    let left = staff_role::Entity::find()
        .filter(staff_role::Column::StaffId.eq(staff_id))
        .count(db)
        .await?;
    if left == 0 {
        staff::Entity::delete_by_id(staff_id).exec(db).await?;
    }
    Ok(removed > 0)
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    account: staff::Model,
    password_hash: &str,
) -> Result<staff::Model> {
    let mut model: staff::ActiveModel = account.into();
    model.password_hash = Set(password_hash.to_string());
    Ok(model.update(db).await?)
}

impl staff_role::Model {
    pub fn role(&self) -> StaffRole {
        // An unreadable role grants the least.
        StaffRole::from_stored(&self.role, StaffRole::Editor)
    }
}

pub async fn set_admin(
    db: &impl ConnectionTrait,
    account: staff::Model,
    admin: bool,
) -> Result<staff::Model> {
    let mut model: staff::ActiveModel = account.into();
    model.is_admin = Set(admin);
    Ok(model.update(db).await?)
}
