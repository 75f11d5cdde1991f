//! Ids of incoming activities already applied: each is applied once.

use crate::{now, received_activity};
use puentes_core::{Error, Result};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{OnConflict, Query},
};
use std::collections::HashSet;

/// Records many ids in one statement; returns those that were not there before.
pub async fn insert_new(db: &impl ConnectionTrait, ap_ids: &[String]) -> Result<HashSet<String>> {
    if ap_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let at = now();
    let mut insert = Query::insert();
    insert
        .into_table(received_activity::Entity)
        .columns([
            received_activity::Column::ApId,
            received_activity::Column::ReceivedAt,
        ])
        .on_conflict(
            OnConflict::column(received_activity::Column::ApId)
                .do_nothing()
                .to_owned(),
        )
        .returning_col(received_activity::Column::ApId);
    for ap_id in ap_ids {
        insert
            .values([ap_id.clone().into(), at.into()])
            .map_err(|e| Error::internal("cannot build the receipt insert").with_source(e))?;
    }
    let mut new = HashSet::new();
    for row in db.query_all(&insert).await? {
        new.insert(row.try_get::<String>("", "ap_id")?);
    }
    Ok(new)
}

/// Forgets an id whose handling failed, so the sender's retry is applied.
pub async fn remove(db: &impl ConnectionTrait, ap_id: &str) -> Result<()> {
    received_activity::Entity::delete_many()
        .filter(received_activity::Column::ApId.eq(ap_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets ids received before `before`. A replay older than that carries a Date far
/// outside the signature window, so it is refused anyway.
pub async fn prune(
    db: &impl ConnectionTrait,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    Ok(received_activity::Entity::delete_many()
        .filter(received_activity::Column::ReceivedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
