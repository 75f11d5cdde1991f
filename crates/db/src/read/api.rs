//! The read model of the Mastodon client API: timelines and account lists by id ranges
//! (newest first, as clients page them), one query per list.

use crate::{actor, follow, post, query::IdRange};
use puentes_core::{FollowState, Result, Visibility};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::Query,
};
use std::collections::HashMap;

const PUBLIC: [&str; 1] = [Visibility::Public.as_str()];
const LISTED: [&str; 2] = [Visibility::Public.as_str(), Visibility::Unlisted.as_str()];

fn live() -> sea_orm::Select<post::Entity> {
    post::Entity::find().filter(post::Column::DeletedAt.is_null())
}

fn with_media(
    select: sea_orm::Select<post::Entity>,
    only_media: bool,
) -> sea_orm::Select<post::Entity> {
    if only_media {
        select.filter(post::Column::AttachmentsJson.ne("[]"))
    } else {
        select
    }
}

/// Home: the actor's own posts and those of the actors it follows (not direct messages).
pub async fn home(
    db: &impl ConnectionTrait,
    actor_id: i64,
    range: IdRange,
) -> Result<Vec<post::Model>> {
    let followed = Query::select()
        .column(follow::Column::FollowedId)
        .from(follow::Entity)
        .and_where(follow::Column::FollowerId.eq(actor_id))
        .and_where(follow::Column::State.eq(FollowState::Accepted.as_str()))
        .to_owned();
    let select = live()
        .filter(
            Condition::any()
                .add(post::Column::AuthorId.eq(actor_id))
                .add(post::Column::AuthorId.in_subquery(followed)),
        )
        .filter(post::Column::Visibility.ne(Visibility::Direct.as_str()));
    let select = range.apply(select, post::Column::Id);
    Ok(range.finish(select.all(db).await?))
}

/// Public posts known here (`local`: only ours; `Some(false)`: only others').
pub async fn public(
    db: &impl ConnectionTrait,
    local: Option<bool>,
    only_media: bool,
    range: IdRange,
) -> Result<Vec<post::Model>> {
    let mut select = live().filter(post::Column::Visibility.is_in(PUBLIC));
    if let Some(local) = local {
        select = select.filter(post::Column::Local.eq(local));
    }
    let select = range.apply(with_media(select, only_media), post::Column::Id);
    Ok(range.finish(select.all(db).await?))
}

/// An account's posts: public and unlisted, or all but direct for its own token.
pub async fn by_author(
    db: &impl ConnectionTrait,
    author_id: i64,
    own: bool,
    exclude_replies: bool,
    only_media: bool,
    range: IdRange,
) -> Result<Vec<post::Model>> {
    let mut select = live().filter(post::Column::AuthorId.eq(author_id));
    select = if own {
        select.filter(post::Column::Visibility.ne(Visibility::Direct.as_str()))
    } else {
        select.filter(post::Column::Visibility.is_in(LISTED))
    };
    if exclude_replies {
        select = select.filter(post::Column::InReplyTo.is_null());
    }
    let select = range.apply(with_media(select, only_media), post::Column::Id);
    Ok(range.finish(select.all(db).await?))
}

/// Direct answers to a post, oldest first.
pub async fn replies(db: &impl ConnectionTrait, ap_id: &str) -> Result<Vec<post::Model>> {
    use sea_orm::QueryOrder;
    Ok(live()
        .filter(post::Column::InReplyTo.eq(ap_id))
        .order_by_asc(post::Column::Id)
        .limit(100)
        .all(db)
        .await?)
}

/// How many live posts answer each of `ap_ids`.
pub async fn reply_counts(
    db: &impl ConnectionTrait,
    ap_ids: &[String],
) -> Result<HashMap<String, i64>> {
    if ap_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<String>, i64)> = live()
        .select_only()
        .column(post::Column::InReplyTo)
        .column_as(post::Column::Id.count(), "n")
        .filter(post::Column::InReplyTo.is_in(ap_ids.iter().cloned()))
        .group_by(post::Column::InReplyTo)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

/// Actors by id, in one query.
pub async fn actors(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, actor::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Actors by ActivityPub id, in one query.
pub async fn actors_by_ap_id(
    db: &impl ConnectionTrait,
    ap_ids: &[String],
) -> Result<HashMap<String, actor::Model>> {
    if ap_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(actor::Entity::find()
        .filter(actor::Column::ApId.is_in(ap_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.ap_id.clone(), a))
        .collect())
}

/// Posts by ActivityPub id, in one query.
pub async fn posts_by_ap_id(
    db: &impl ConnectionTrait,
    ap_ids: &[String],
) -> Result<HashMap<String, post::Model>> {
    if ap_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(post::Entity::find()
        .filter(post::Column::ApId.is_in(ap_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.ap_id.clone(), p))
        .collect())
}

/// A local or known actor's followers or followees, by follow row id (the cursor clients
/// page with), newest first.
pub async fn follows_page(
    db: &impl ConnectionTrait,
    actor_id: i64,
    followers: bool,
    range: IdRange,
) -> Result<Vec<(i64, actor::Model)>> {
    let own = if followers {
        follow::Column::FollowedId
    } else {
        follow::Column::FollowerId
    };
    let select = follow::Entity::find()
        .filter(own.eq(actor_id))
        .filter(follow::Column::State.eq(FollowState::Accepted.as_str()));
    let rows = range.finish(range.apply(select, follow::Column::Id).all(db).await?);
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| {
            if followers {
                r.follower_id
            } else {
                r.followed_id
            }
        })
        .collect();
    let mut found = actors(db, &ids).await?;
    Ok(rows
        .into_iter()
        .zip(ids)
        .filter_map(|(row, id)| found.remove(&id).map(|a| (row.id, a)))
        .collect())
}

/// Accounts whose name or handle contains `q` (known here), for account search.
pub async fn search_actors(
    db: &impl ConnectionTrait,
    q: &str,
    limit: u64,
) -> Result<Vec<actor::Model>> {
    let needle = format!("%{}%", q.to_lowercase().replace(['%', '_', '\\'], ""));
    Ok(actor::Entity::find()
        .filter(actor::Column::DeletedAt.is_null())
        .filter(actor::Column::Kind.ne(puentes_core::ActorKind::Application.as_str()))
        .filter(
            Condition::any()
                .add(actor::Column::Username.like(needle.clone()))
                .add(actor::Column::DisplayName.like(needle)),
        )
        .limit(limit)
        .all(db)
        .await?)
}

/// Statuses that are not posts (statements, calls, relays) in a timeline: of the actor and
/// those it follows (`home`), of one actor, or statements and calls only for the public one.
pub enum OtherStatuses {
    Home(i64),
    Author(i64),
    Public(Option<bool>),
}

/// One page of non-post statuses, newest first (merged with posts by the caller).
pub async fn other_statuses(
    db: &impl ConnectionTrait,
    which: OtherStatuses,
    range: IdRange,
) -> Result<Vec<crate::api_status::Model>> {
    use crate::{api_status, query::api_status::StatusKind};
    let mut select = api_status::Entity::find();
    select = match which {
        OtherStatuses::Home(actor_id) => {
            let followed = Query::select()
                .column(follow::Column::FollowedId)
                .from(follow::Entity)
                .and_where(follow::Column::FollowerId.eq(actor_id))
                .and_where(follow::Column::State.eq(FollowState::Accepted.as_str()))
                .to_owned();
            select.filter(
                Condition::any()
                    .add(api_status::Column::ActorId.eq(actor_id))
                    .add(api_status::Column::ActorId.in_subquery(followed)),
            )
        }
        OtherStatuses::Author(actor_id) => select.filter(api_status::Column::ActorId.eq(actor_id)),
        OtherStatuses::Public(local) => {
            // As Mastodon's, the public timeline leaves reblogs out.
            let mut select = select.filter(
                api_status::Column::Kind
                    .is_in([StatusKind::Statement.as_str(), StatusKind::Call.as_str()]),
            );
            if let Some(local) = local {
                let actors = Query::select()
                    .column(actor::Column::Id)
                    .from(actor::Entity)
                    .and_where(actor::Column::Local.eq(local))
                    .to_owned();
                select = select.filter(api_status::Column::ActorId.in_subquery(actors));
            }
            select
        }
    };
    let select = range.apply(select, api_status::Column::Id);
    Ok(range.finish(select.all(db).await?))
}

/// Favourites of a post by actor, newest first, by favourite row id (the cursor).
pub async fn favouriters(
    db: &impl ConnectionTrait,
    post_id: i64,
    range: IdRange,
) -> Result<Vec<(i64, actor::Model)>> {
    let select =
        crate::favourite::Entity::find().filter(crate::favourite::Column::PostId.eq(post_id));
    let rows = range.finish(
        range
            .apply(select, crate::favourite::Column::Id)
            .all(db)
            .await?,
    );
    let ids: Vec<i64> = rows.iter().map(|r| r.actor_id).collect();
    let mut found = actors(db, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| found.remove(&r.actor_id).map(|a| (r.id, a)))
        .collect())
}

/// Actors who announced an object, newest first, by announce row id (the cursor).
pub async fn announcers(
    db: &impl ConnectionTrait,
    object: &str,
    range: IdRange,
) -> Result<Vec<(i64, actor::Model)>> {
    let select =
        crate::announce::Entity::find().filter(crate::announce::Column::ObjectApId.eq(object));
    let rows = range.finish(
        range
            .apply(select, crate::announce::Column::Id)
            .all(db)
            .await?,
    );
    let ids: Vec<i64> = rows.iter().map(|r| r.actor_id).collect();
    let mut found = actors(db, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| found.remove(&r.actor_id).map(|a| (r.id, a)))
        .collect())
}
