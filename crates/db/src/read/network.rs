//! Who is a member of whom around one alliance, across instances, as this database knows
//! it: its own member list, its members' memberships, the alliances it belongs to, and the
//! public member lists of remote alliances that the federation side read
//! (`known_membership`). Lists that their alliance keeps private are never drawn.

use super::ActorRef;
use crate::{actor, known_membership, membership};
use puentes_core::{MemberListVisibility, MembershipStatus, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How far the map reaches above and below the alliance.
pub const LEVELS_UP: usize = 2;
pub const LEVELS_DOWN: usize = 3;
/// Most actors on one map.
pub const MAX_NODES: usize = 120;

#[derive(Debug, Clone, Serialize)]
pub struct Network {
    /// The alliance the map is about.
    pub root: i64,
    pub nodes: BTreeMap<i64, ActorRef>,
    /// (alliance, member)
    pub edges: BTreeSet<(i64, i64)>,
}

impl Network {
    pub fn members_of(&self, alliance: i64) -> impl Iterator<Item = i64> + '_ {
        self.edges
            .iter()
            .filter(move |(a, _)| *a == alliance)
            .map(|(_, m)| *m)
    }
    pub fn alliances_of(&self, member: i64) -> impl Iterator<Item = i64> + '_ {
        self.edges
            .iter()
            .filter(move |(_, m)| *m == member)
            .map(|(a, _)| *a)
    }
}

/// Edges touching `ids` on one side: `down` finds their members, else their alliances.
async fn edges(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<i64>,
    down: bool,
) -> Result<Vec<(i64, i64)>> {
    let ids: Vec<i64> = ids.iter().copied().collect();
    let (m_col, k_col) = if down {
        (
            membership::Column::AllianceId,
            known_membership::Column::AllianceId,
        )
    } else {
        (
            membership::Column::MemberId,
            known_membership::Column::MemberId,
        )
    };
    let mut out: Vec<(i64, i64)> = membership::Entity::find()
        .filter(m_col.is_in(ids.clone()))
        .filter(membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.alliance_id, m.member_id))
        .collect();
    out.extend(
        known_membership::Entity::find()
            .filter(k_col.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|k| (k.alliance_id, k.member_id)),
    );
    Ok(out)
}

/// The network around `alliance`: a fixed number of queries (one or two per level, one for
/// the actors), whatever its size.
pub async fn around(db: &impl ConnectionTrait, alliance: &actor::Model) -> Result<Network> {
    let mut raw: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut seen: BTreeSet<i64> = BTreeSet::from([alliance.id]);
    for down in [true, false] {
        let levels = if down { LEVELS_DOWN } else { LEVELS_UP };
        let mut frontier = BTreeSet::from([alliance.id]);
        for _ in 0..levels {
            if frontier.is_empty() || seen.len() >= MAX_NODES {
                break;
            }
            let mut next = BTreeSet::new();
            for (a, m) in edges(db, &frontier, down).await? {
                raw.insert((a, m));
                let other = if down { m } else { a };
                if seen.insert(other) {
                    next.insert(other);
                }
            }
            frontier = next;
        }
    }
    let ids: Vec<i64> = raw
        .iter()
        .flat_map(|(a, m)| [*a, *m])
        .chain([alliance.id])
        .collect();
    let actors: BTreeMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    // A local alliance's members are drawn only when its list is public; a local member's
    // own memberships of remote alliances are its own to show; remote lists were read only
    // when public.
    let drawable = |(a, m): &(i64, i64)| match (actors.get(a), actors.get(m)) {
        (Some(alliance), Some(_)) => {
            !alliance.local || alliance.member_list_visibility() == MemberListVisibility::Public
        }
        _ => false,
    };
    let edges: BTreeSet<(i64, i64)> = raw.into_iter().filter(drawable).collect();
    let mut used: BTreeSet<i64> = edges.iter().flat_map(|(a, m)| [*a, *m]).collect();
    used.insert(alliance.id);
    let nodes = used
        .into_iter()
        .take(MAX_NODES)
        .filter_map(|id| actors.get(&id).map(|a| (id, ActorRef::of(a))))
        .collect();
    Ok(Network {
        root: alliance.id,
        nodes,
        edges,
    })
}
