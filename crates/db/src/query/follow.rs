use crate::{actor, block, follow, instance, now};
use puentes_core::{FollowState, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, sea_query::Query,
};

pub async fn insert(
    db: &impl ConnectionTrait,
    ap_id: &str,
    follower_id: i64,
    followed_id: i64,
    state: FollowState,
) -> Result<follow::Model> {
    let at = now();
    let model = follow::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        follower_id: Set(follower_id),
        followed_id: Set(followed_id),
        state: Set(state.as_str().to_string()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<follow::Model>> {
    Ok(follow::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_ap_id(db: &impl ConnectionTrait, ap_id: &str) -> Result<Option<follow::Model>> {
    Ok(follow::Entity::find()
        .filter(follow::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

pub async fn between(
    db: &impl ConnectionTrait,
    follower_id: i64,
    followed_id: i64,
) -> Result<Option<follow::Model>> {
    Ok(follow::Entity::find()
        .filter(follow::Column::FollowerId.eq(follower_id))
        .filter(follow::Column::FollowedId.eq(followed_id))
        .one(db)
        .await?)
}

pub async fn set_state(
    db: &impl ConnectionTrait,
    row: follow::Model,
    state: FollowState,
) -> Result<follow::Model> {
    let mut model: follow::ActiveModel = row.into();
    model.state = Set(state.as_str().to_string());
    model.updated_at = Set(now());
    let updated = model.update(db).await?;
    crate::changes::follow_ended();
    Ok(updated)
}

/// Replaces the remote Follow id, for a peer that re-sends a Follow with a new id.
pub async fn set_ap_id(
    db: &impl ConnectionTrait,
    row: follow::Model,
    ap_id: &str,
) -> Result<follow::Model> {
    let mut model: follow::ActiveModel = row.into();
    model.ap_id = Set(ap_id.to_string());
    model.updated_at = Set(now());
    Ok(model.update(db).await?)
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    follow::Entity::delete_by_id(id).exec(db).await?;
    crate::changes::follow_ended();
    Ok(())
}

/// Removes every follow of or by an actor (when it is deleted).
pub async fn delete_all_of(db: &impl ConnectionTrait, actor_id: i64) -> Result<u64> {
    let deleted = follow::Entity::delete_many()
        .filter(
            Condition::any()
                .add(follow::Column::FollowerId.eq(actor_id))
                .add(follow::Column::FollowedId.eq(actor_id)),
        )
        .exec(db)
        .await?
        .rows_affected;
    crate::changes::follow_ended();
    Ok(deleted)
}

/// Removes every follow in either direction between two actors.
pub async fn delete_between_either_way(
    db: &impl ConnectionTrait,
    a: i64,
    b: i64,
) -> Result<Vec<follow::Model>> {
    let rows = follow::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(follow::Column::FollowerId.eq(a))
                        .add(follow::Column::FollowedId.eq(b)),
                )
                .add(
                    Condition::all()
                        .add(follow::Column::FollowerId.eq(b))
                        .add(follow::Column::FollowedId.eq(a)),
                ),
        )
        .all(db)
        .await?;
    for row in &rows {
        delete(db, row.id).await?;
    }
    Ok(rows)
}

/// Followers of an actor in the given state, oldest first.
pub async fn followers(
    db: &impl ConnectionTrait,
    followed_id: i64,
    state: FollowState,
) -> Result<Vec<actor::Model>> {
    Ok(actor::Entity::find()
        .join_rev(JoinType::InnerJoin, follow::Relation::Follower.def())
        .filter(follow::Column::FollowedId.eq(followed_id))
        .filter(follow::Column::State.eq(state.as_str()))
        .order_by_asc(follow::Column::Id)
        .all(db)
        .await?)
}

/// Where an actor's accepted remote followers receive: the shared inbox where they have one,
/// their own otherwise, oldest follow first. Leaves out actors `followed_id` blocks and
/// followers on blocked domains. One statement, whatever the number of followers: a fan-out
/// to a thousand followers reads only the two addresses of each.
pub async fn remote_follower_inboxes(
    db: &impl ConnectionTrait,
    followed_id: i64,
) -> Result<Vec<(Option<String>, String)>> {
    let blocked_domains = Query::select()
        .column(instance::Column::Domain)
        .from(instance::Entity)
        .and_where(instance::Column::Blocked.eq(true))
        .to_owned();
    let blocked_actors = Query::select()
        .column(block::Column::BlockedActorId)
        .from(block::Entity)
        .and_where(block::Column::ActorId.eq(followed_id))
        .to_owned();
    Ok(actor::Entity::find()
        .select_only()
        .column(actor::Column::SharedInbox)
        .column(actor::Column::Inbox)
        .join_rev(JoinType::InnerJoin, follow::Relation::Follower.def())
        .filter(follow::Column::FollowedId.eq(followed_id))
        .filter(follow::Column::State.eq(FollowState::Accepted.as_str()))
        .filter(actor::Column::Local.eq(false))
        .filter(actor::Column::Domain.not_in_subquery(blocked_domains))
        .filter(actor::Column::Id.not_in_subquery(blocked_actors))
        .order_by_asc(follow::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Actors an actor follows in the given state, oldest first.
pub async fn following(
    db: &impl ConnectionTrait,
    follower_id: i64,
    state: FollowState,
) -> Result<Vec<actor::Model>> {
    Ok(actor::Entity::find()
        .join_rev(JoinType::InnerJoin, follow::Relation::Followed.def())
        .filter(follow::Column::FollowerId.eq(follower_id))
        .filter(follow::Column::State.eq(state.as_str()))
        .order_by_asc(follow::Column::Id)
        .all(db)
        .await?)
}

/// Which side of an actor's follows: who follows it, or whom it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Followers,
    Following,
}

impl Side {
    /// (the actor's own column, the relation to the actors listed)
    fn columns(self) -> (follow::Column, follow::Relation) {
        match self {
            Side::Followers => (follow::Column::FollowedId, follow::Relation::Follower),
            Side::Following => (follow::Column::FollowerId, follow::Relation::Followed),
        }
    }
}

/// One page of an actor's accepted followers or followees, oldest first.
pub async fn accepted_page(
    db: &impl ConnectionTrait,
    actor_id: i64,
    side: Side,
    page: u64,
    per_page: u64,
) -> Result<Vec<actor::Model>> {
    let (own, listed) = side.columns();
    Ok(actor::Entity::find()
        .join_rev(JoinType::InnerJoin, listed.def())
        .filter(own.eq(actor_id))
        .filter(follow::Column::State.eq(FollowState::Accepted.as_str()))
        .order_by_asc(follow::Column::Id)
        .offset(page.saturating_sub(1).saturating_mul(per_page))
        .limit(per_page)
        .all(db)
        .await?)
}

pub async fn count_accepted(db: &impl ConnectionTrait, actor_id: i64, side: Side) -> Result<u64> {
    let (own, _) = side.columns();
    Ok(follow::Entity::find()
        .filter(own.eq(actor_id))
        .filter(follow::Column::State.eq(FollowState::Accepted.as_str()))
        .count(db)
        .await?)
}

/// Does any local actor follow (accepted) this remote actor?
pub async fn has_local_follower(db: &impl ConnectionTrait, followed_id: i64) -> Result<bool> {
    let n = follow::Entity::find()
        .join(JoinType::InnerJoin, follow::Relation::Follower.def())
        .filter(follow::Column::FollowedId.eq(followed_id))
        .filter(follow::Column::State.eq(FollowState::Accepted.as_str()))
        .filter(actor::Column::Local.eq(true))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// All follows touching actors of a domain, for a domain block.
pub async fn with_domain(db: &impl ConnectionTrait, domain: &str) -> Result<Vec<follow::Model>> {
    let remote_ids: Vec<i64> = actor::Entity::find()
        .filter(actor::Column::Domain.eq(domain))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    if remote_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(follow::Entity::find()
        .filter(
            Condition::any()
                .add(follow::Column::FollowerId.is_in(remote_ids.clone()))
                .add(follow::Column::FollowedId.is_in(remote_ids)),
        )
        .all(db)
        .await?)
}

impl follow::Model {
    pub fn state(&self) -> FollowState {
        FollowState::from_stored(&self.state, FollowState::Pending)
    }
}
