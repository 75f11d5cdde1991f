//! Moves of an organization between instances: retired keys, the moved mark, and the
//! memberships that follow a member to its new address.

use crate::{actor, endorsement, membership, now, retired_key, statement_version};
use puentes_core::Result;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// A key pair an actor used at an earlier address.
#[derive(Debug, Clone)]
pub struct RetiredKey {
    pub ap_id: String,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub ed25519_public: Option<String>,
    pub ed25519_private: Option<String>,
}

pub async fn retire_key(
    db: &impl ConnectionTrait,
    actor_id: i64,
    key: RetiredKey,
) -> Result<retired_key::Model> {
    Ok(retired_key::ActiveModel {
        actor_id: Set(actor_id),
        ap_id: Set(key.ap_id),
        public_key_id: Set(key.public_key_id),
        public_key_pem: Set(key.public_key_pem),
        private_key_pem: Set(key.private_key_pem),
        ed25519_public: Set(key.ed25519_public),
        ed25519_private: Set(key.ed25519_private),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The retired keys kept here for an old actor id, newest first.
pub async fn retired_keys_of(
    db: &impl ConnectionTrait,
    ap_id: &str,
) -> Result<Vec<retired_key::Model>> {
    Ok(retired_key::Entity::find()
        .filter(retired_key::Column::ApId.eq(ap_id))
        .order_by_desc(retired_key::Column::Id)
        .all(db)
        .await?)
}

/// The retired keys an actor holds.
pub async fn retired_keys_held_by(
    db: &impl ConnectionTrait,
    actor_id: i64,
) -> Result<Vec<retired_key::Model>> {
    Ok(retired_key::Entity::find()
        .filter(retired_key::Column::ActorId.eq(actor_id))
        .order_by_asc(retired_key::Column::Id)
        .all(db)
        .await?)
}

/// Records where an actor moved (`movedTo`).
pub async fn set_moved_to(
    db: &impl ConnectionTrait,
    actor: actor::Model,
    target: &str,
) -> Result<actor::Model> {
    let local = actor.local;
    let mut model: actor::ActiveModel = actor.into();
    model.moved_to = Set(Some(target.to_string()));
    model.updated_at = Set(now());
    let saved = model.update(db).await?;
    if local {
        crate::changes::actor_changed();
    }
    Ok(saved)
}

/// Hands the memberships of member `from` to `to` (same alliance, role and status), unless
/// `to` already has one in that alliance; with `local_only`, only in alliances of this
/// instance. Returns the memberships changed.
pub async fn hand_over_memberships(
    db: &impl ConnectionTrait,
    from_id: i64,
    to_id: i64,
    local_only: bool,
) -> Result<Vec<membership::Model>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::MemberId.eq(from_id))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let mut changed = Vec::new();
    for row in rows {
        if local_only && !super::actor::get(db, row.alliance_id).await?.local {
            continue;
        }
        if super::membership::get(db, row.alliance_id, to_id)
            .await?
            .is_some()
        {
            continue;
        }
        let mut model: membership::ActiveModel = row.into();
        model.member_id = Set(to_id);
        model.updated_at = Set(now());
        changed.push(model.update(db).await?);
    }
    Ok(changed)
}

/// An alliance moved from `from` to `to`: its memberships (as we know them) go with it.
pub async fn hand_over_alliance(
    db: &impl ConnectionTrait,
    from_id: i64,
    to_id: i64,
) -> Result<u64> {
    let rows = membership::Entity::find()
        .filter(membership::Column::AllianceId.eq(from_id))
        .all(db)
        .await?;
    let mut changed = 0;
    for row in rows {
        if super::membership::get(db, to_id, row.member_id)
            .await?
            .is_some()
        {
            continue;
        }
        let mut model: membership::ActiveModel = row.into();
        model.alliance_id = Set(to_id);
        model.updated_at = Set(now());
        model.update(db).await?;
        changed += 1;
    }
    Ok(changed)
}

/// Every endorsement an actor made, with the version it endorses, oldest first.
pub async fn endorsements_by(
    db: &impl ConnectionTrait,
    endorser_id: i64,
) -> Result<Vec<(endorsement::Model, statement_version::Model)>> {
    let rows = endorsement::Entity::find()
        .filter(endorsement::Column::EndorserId.eq(endorser_id))
        .order_by_asc(endorsement::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(version) = statement_version::Entity::find_by_id(row.version_id)
            .one(db)
            .await?
        {
            out.push((row, version));
        }
    }
    Ok(out)
}
