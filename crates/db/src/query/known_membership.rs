//! Memberships of remote alliances as their public member lists say (for network maps).

use crate::{actor, known_membership, member_list_read, membership, now};
use chrono::{DateTime, Utc};
use puentes_core::{ActorKind, MembershipStatus, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::{BTreeMap, BTreeSet};

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

/// Remote alliances whose member lists are due for reading: next to a local actor (one of
/// its member alliances, or an alliance it belongs to), and never read, read before that
/// membership last changed, or read longer than `max_age` ago. At most `limit`.
pub async fn due_for_reading(
    db: &impl ConnectionTrait,
    max_age: chrono::Duration,
    limit: usize,
) -> Result<Vec<actor::Model>> {
    // Memberships first, then which of their actors are remote alliances: joined the other
    // way round, SQLite walked every remote actor (the index on `local`) on each round of
    // the outbox worker, reading the whole actor table again after every write.
    let active = membership::Entity::find()
        .filter(membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .all(db)
        .await?;
    let ids: Vec<i64> = active
        .iter()
        .flat_map(|m| [m.alliance_id, m.member_id])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut remote_alliances = BTreeSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<i64> = actor::Entity::find()
            .select_only()
            .column(actor::Column::Id)
            .filter(actor::Column::Id.is_in(chunk.iter().copied()))
            .filter(actor::Column::Local.eq(false))
            .filter(actor::Column::Kind.eq(ActorKind::Alliance.as_str()))
            .into_tuple()
            .all(db)
            .await?;
        remote_alliances.extend(found);
    }
    let mut changed: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    for m in &active {
        for side in [m.alliance_id, m.member_id] {
            if remote_alliances.contains(&side) {
                let at = changed.entry(side).or_insert(m.updated_at);
                *at = (*at).max(m.updated_at);
            }
        }
    }
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    let reads: BTreeMap<i64, DateTime<Utc>> = member_list_read::Entity::find()
        .filter(member_list_read::Column::AllianceId.is_in(changed.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.alliance_id, r.read_at))
        .collect();
    let stale = now() - max_age;
    let due: Vec<i64> = changed
        .iter()
        .filter(|(id, changed_at)| match reads.get(id) {
            None => true,
            Some(read) => read < changed_at || *read < stale,
        })
        .map(|(id, _)| *id)
        .take(limit)
        .collect();
    if due.is_empty() {
        return Ok(Vec::new());
    }
    Ok(actor::Entity::find()
        .filter(actor::Column::Id.is_in(due))
        .all(db)
        .await?)
}

/// Records that a list was read (or tried), so it is not read again before it is due.
pub async fn mark_read(db: &impl ConnectionTrait, alliance_id: i64, listed: bool) -> Result<()> {
    let existing = member_list_read::Entity::find()
        .filter(member_list_read::Column::AllianceId.eq(alliance_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut model: member_list_read::ActiveModel = row.into();
            model.read_at = Set(now());
            model.listed = Set(listed);
            model.update(db).await?;
        }
        None => {
            member_list_read::ActiveModel {
                alliance_id: Set(alliance_id),
                read_at: Set(now()),
                listed: Set(listed),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
