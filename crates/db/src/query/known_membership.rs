//! Memberships of remote alliances as their public member lists say (for network maps).

use crate::{known_membership, now};
use puentes_core::Result;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
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
