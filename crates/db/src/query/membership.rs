//! Memberships of actors in alliances.

use crate::{actor, membership, now};
use puentes_core::{Error, MemberRole, MembershipStatus, RelayPolicy, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};

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
    role: MemberRole,
    status: MembershipStatus,
    request_ap_id: Option<&str>,
) -> Result<membership::Model> {
    let at = now();
    match get(db, alliance_id, member_id).await? {
        Some(existing) => {
            let was_active = existing.status == MembershipStatus::Active;
            let mut model: membership::ActiveModel = existing.into();
            model.role = Set(role.to_string());
            model.status = Set(status.to_string());
            if let Some(id) = request_ap_id {
                model.request_ap_id = Set(Some(id.to_string()));
            }
            if status == MembershipStatus::Active && !was_active {
                model.joined_at = Set(Some(at));
                model.ended_at = Set(None);
            }
            if matches!(
                status,
                MembershipStatus::Left | MembershipStatus::Removed | MembershipStatus::Rejected
            ) {
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
            relay_policy: Set(RelayPolicy::Off.as_str().into()),
            created_at: Set(at),
            updated_at: Set(at),
            joined_at: Set((status == MembershipStatus::Active).then_some(at)),
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
    status: MembershipStatus,
) -> Result<membership::Model> {
    let role = row.role();
    upsert(db, row.alliance_id, row.member_id, role, status, None).await
}

pub async fn set_relay_policy(
    db: &impl ConnectionTrait,
    row: membership::Model,
    policy: RelayPolicy,
) -> Result<membership::Model> {
    let mut model: membership::ActiveModel = row.into();
    model.relay_policy = Set(policy.as_str().to_string());
    model.updated_at = Set(now());
    Ok(model.update(db).await?)
}

/// Members of an alliance in a status, with their actors, oldest first.
pub async fn members(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    status: MembershipStatus,
) -> Result<Vec<(membership::Model, actor::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::AllianceId.eq(alliance_id))
        .filter(membership::Column::Status.eq(status.as_str()))
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
        .is_some_and(|m| m.status == MembershipStatus::Active))
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<membership::Model> {
    membership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("membership"))
}

impl membership::Model {
    pub fn role(&self) -> MemberRole {
        MemberRole::from_stored(&self.role, MemberRole::Member)
    }
    pub fn status(&self) -> MembershipStatus {
        MembershipStatus::from_stored(&self.status, MembershipStatus::Rejected)
    }
    pub fn relay_policy(&self) -> RelayPolicy {
        RelayPolicy::from_stored(&self.relay_policy, RelayPolicy::Off)
    }
    /// An active member whose voice the alliance carries (observers only listen).
    pub fn speaks(&self) -> bool {
        self.status() == MembershipStatus::Active && self.role() != MemberRole::Observer
    }
}

/// How many members an alliance has in a status.
pub async fn count_members(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    status: MembershipStatus,
) -> Result<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::AllianceId.eq(alliance_id))
        .filter(membership::Column::Status.eq(status.as_str()))
        .count(db)
        .await?)
}

/// Does one of our actors belong (actively) to this alliance?
pub async fn has_local_active_member(db: &impl ConnectionTrait, alliance_id: i64) -> Result<bool> {
    let n = membership::Entity::find()
        .filter(membership::Column::AllianceId.eq(alliance_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .join(JoinType::InnerJoin, membership::Relation::Member.def())
        .filter(actor::Column::Local.eq(true))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// The local alliances an actor is an active member of, with its memberships.
pub async fn local_alliances_of(
    db: &impl ConnectionTrait,
    member_id: i64,
) -> Result<Vec<(membership::Model, actor::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::MemberId.eq(member_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .join(JoinType::InnerJoin, membership::Relation::Alliance.def())
        .filter(actor::Column::Local.eq(true))
        .order_by_asc(membership::Column::Id)
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, a)| a.map(|a| (m, a)))
        .collect())
}

/// The alliances an actor belongs to (any status), with its memberships.
pub async fn alliances_of(
    db: &impl ConnectionTrait,
    member_id: i64,
) -> Result<Vec<(membership::Model, actor::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::MemberId.eq(member_id))
        .join(JoinType::InnerJoin, membership::Relation::Alliance.def())
        .order_by_asc(membership::Column::Id)
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, a)| a.map(|a| (m, a)))
        .collect())
}

/// Ends every membership of an actor (on both sides) when it is deleted.
pub async fn end_all_of(db: &impl ConnectionTrait, actor_id: i64) -> Result<u64> {
    use sea_orm::sea_query::Expr;
    Ok(membership::Entity::update_many()
        .col_expr(
            membership::Column::Status,
            Expr::value(MembershipStatus::Left.as_str()),
        )
        .col_expr(membership::Column::EndedAt, Expr::value(Some(now())))
        .col_expr(membership::Column::UpdatedAt, Expr::value(now()))
        .filter(
            sea_orm::Condition::any()
                .add(membership::Column::MemberId.eq(actor_id))
                .add(membership::Column::AllianceId.eq(actor_id)),
        )
        .filter(membership::Column::Status.is_in([
            MembershipStatus::Active.as_str(),
            MembershipStatus::Pending.as_str(),
            MembershipStatus::Invited.as_str(),
        ]))
        .exec(db)
        .await?
        .rows_affected)
}
