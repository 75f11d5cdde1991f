//! Our own outgoing activities, stored with stable ids so they can be served and re-sent.

use crate::{activity, now};
use puentes_core::Result;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub async fn insert(
    db: &impl ConnectionTrait,
    ap_id: &str,
    actor_id: i64,
    kind: &str,
    object_ap_id: Option<&str>,
    json: &serde_json::Value,
    public: bool,
) -> Result<activity::Model> {
    Ok(activity::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        actor_id: Set(actor_id),
        kind: Set(kind.to_string()),
        object_ap_id: Set(object_ap_id.map(str::to_string)),
        json: Set(json.to_string()),
        public: Set(public),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An outgoing activity and its deliveries, one per `(inbox, host)`, stored together.
pub async fn insert_with_deliveries(
    db: &sea_orm::DatabaseConnection,
    new: NewActivity<'_>,
    deliveries: &[(String, String)],
) -> Result<activity::Model> {
    use sea_orm::TransactionTrait;
    let txn = db.begin_with_options(crate::write_options()).await?;
    let stored = insert(
        &txn,
        new.ap_id,
        new.actor_id,
        new.kind,
        new.object_ap_id,
        new.json,
        new.public,
    )
    .await?;
    crate::query::delivery::insert_many(&txn, stored.id, new.actor_id, deliveries).await?;
    txn.commit().await?;
    Ok(stored)
}

/// An outgoing activity as it is stored.
pub struct NewActivity<'a> {
    pub ap_id: &'a str,
    pub actor_id: i64,
    pub kind: &'a str,
    pub object_ap_id: Option<&'a str>,
    pub json: &'a serde_json::Value,
    pub public: bool,
}

pub async fn by_ap_id(db: &impl ConnectionTrait, ap_id: &str) -> Result<Option<activity::Model>> {
    Ok(activity::Entity::find()
        .filter(activity::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<activity::Model>> {
    Ok(activity::Entity::find_by_id(id).one(db).await?)
}

/// Public activities of an actor, newest first: its outbox.
pub async fn public_by_actor(
    db: &impl ConnectionTrait,
    actor_id: i64,
    page: u64,
    per_page: u64,
) -> Result<Vec<activity::Model>> {
    Ok(activity::Entity::find()
        .filter(activity::Column::ActorId.eq(actor_id))
        .filter(activity::Column::Public.eq(true))
        .order_by_desc(activity::Column::Id)
        .offset(page.saturating_sub(1).saturating_mul(per_page))
        .limit(per_page)
        .all(db)
        .await?)
}

pub async fn count_public_by_actor(db: &impl ConnectionTrait, actor_id: i64) -> Result<u64> {
    Ok(activity::Entity::find()
        .filter(activity::Column::ActorId.eq(actor_id))
        .filter(activity::Column::Public.eq(true))
        .count(db)
        .await?)
}
