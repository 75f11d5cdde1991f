//! Memberships of remote alliances as their public member lists say (for network maps).

use crate::{actor, known_membership, membership, now};
use puentes_core::{MembershipStatus, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use std::collections::BTreeSet;

/// Replaces what we know of a remote alliance's members with its public list as just read.
pub async fn record_known_members(
    db: &impl ConnectionTrait,
    alliance_id: i64,
    member_ids: &[i64],
) -> Result<()> {
    known_membership::Entity::delete_many()
        .filter(known_membership::Column::AllianceId.eq(alliance_id))
        .filter(known_membership::Column::MemberId.is_not_in(member_ids.to_vec()))
        .exec(db)
        .await?;
    let existing: BTreeSet<i64> = known_membership::Entity::find()
        .filter(known_membership::Column::AllianceId.eq(alliance_id))
        .all(db)
        .await?
        .into_iter()
        .map(|k| k.member_id)
        .collect();
    for member in member_ids.iter().filter(|m| !existing.contains(m)) {
        known_membership::ActiveModel {
            alliance_id: Set(alliance_id),
            member_id: Set(*member),
            seen_at: Set(now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The remote alliances next to a local actor in the network: its active members that are
/// alliances, and the alliances it is an active member of.
pub async fn remote_alliances_around(
    db: &impl ConnectionTrait,
    actor_id: i64,
) -> Result<Vec<actor::Model>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .filter(
            Condition::any()
                .add(membership::Column::AllianceId.eq(actor_id))
                .add(membership::Column::MemberId.eq(actor_id)),
        )
        .all(db)
        .await?;
    let ids: BTreeSet<i64> = rows
        .iter()
        .map(|m| {
            if m.alliance_id == actor_id {
                m.member_id
            } else {
                m.alliance_id
            }
        })
        .collect();
    Ok(actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids))
        .filter(actor::Column::Local.eq(false))
        .filter(actor::Column::Kind.eq(puentes_core::ActorKind::Alliance.as_str()))
        .all(db)
        .await?)
}
