//! Memberships of actors in alliances.

use crate::{actor, membership, now};
use puentes_core::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set,
};

pub const INVITED: &str = "invited";
pub const PENDING: &str = "pending";
pub const ACTIVE: &str = "active";
pub const REJECTED: &str = "rejected";
pub const LEFT: &str = "left";
pub const REMOVED: &str = "removed";

pub const MEMBER: &str = "member";
pub const OBSERVER: &str = "observer";
pub const SECRETARIAT: &str = "secretariat";

pub fn validate_role(role: &str) -> Result<()> {
    if matches!(role, MEMBER | OBSERVER | SECRETARIAT) {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "unknown role {role:?}: use member, observer or secretariat"
        )))
    }
}

pub async fn get(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    member_id: i64,
) -> Result<Option<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::AllianceId.eq(alliance_id))
        .filter(membership::Column::MemberId.eq(member_id))
        .one(db)
        .await?)
}

pub async fn by_request(
    db: &impl ConnectionTrait,
    ap_id: &str,
) -> Result<Option<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::RequestApId.eq(ap_id))
        .one(db)
        .await?)
}

/// Creates or updates the membership of `member_id` in `alliance_id`.
pub async fn upsert(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    member_id: i64,
    role: &str,
    status: &str,
    request_ap_id: Option<&str>,
) -> Result<membership::Model> {
    let at = now();
    match get(db, alliance_id, member_id).await? {
        Some(existing) => {
            let was_active = existing.status == ACTIVE;
            let mut model: membership::ActiveModel = existing.into();
            model.role = Set(role.to_string());
            model.status = Set(status.to_string());
            if let Some(id) = request_ap_id {
                model.request_ap_id = Set(Some(id.to_string()));
            }
            if status == ACTIVE && !was_active {
                model.joined_at = Set(Some(at));
                model.ended_at = Set(None);
            }
            if matches!(status, LEFT | REMOVED | REJECTED) {
                model.ended_at = Set(Some(at));
            }
            model.updated_at = Set(at);
            Ok(model.update(db).await?)
        }
        None => Ok(membership::ActiveModel {
            alliance_id: Set(alliance_id),
            member_id: Set(member_id),
            role: Set(role.to_string()),
            status: Set(status.to_string()),
            request_ap_id: Set(request_ap_id.map(str::to_string)),
            relay_policy: Set("off".into()),
            created_at: Set(at),
            updated_at: Set(at),
            joined_at: Set((status == ACTIVE).then_some(at)),
            ended_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    row: membership::Model,
    status: &str,
) -> Result<membership::Model> {
    let (alliance, member, role) = (row.alliance_id, row.member_id, row.role.clone());
    upsert(db, alliance, member, &role, status, None).await
}

pub async fn set_relay_policy(
    db: &impl ConnectionTrait,
    row: membership::Model,
    policy: &str,
) -> Result<membership::Model> {
    if !matches!(policy, "off" | "auto" | "held") {
        return Err(Error::bad_request(format!(
            "unknown relay policy {policy:?}: use off, auto or held"
        )));
    }
    let mut model: membership::ActiveModel = row.into();
    model.relay_policy = Set(policy.to_string());
    model.updated_at = Set(now());
    Ok(model.update(db).await?)
}

/// Members of an alliance in a status, with their actors, oldest first.
pub async fn members(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    status: &str,
) -> Result<Vec<(membership::Model, actor::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::AllianceId.eq(alliance_id))
        .filter(membership::Column::Status.eq(status))
        .order_by_asc(membership::Column::Id)
        .join(JoinType::InnerJoin, membership::Relation::Member.def())
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, a)| a.map(|a| (m, a)))
        .collect())
}

pub async fn is_active_member(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    member_id: i64,
) -> Result<bool> {
    Ok(get(db, alliance_id, member_id)
        .await?
        .is_some_and(|m| m.status == ACTIVE))
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<membership::Model> {
    membership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("membership"))
}
