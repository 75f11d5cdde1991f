//! Remote hosts: software, domain blocks and delivery health.

use crate::{instance, now};
use chrono::{DateTime, Utc};
use puentes_core::Result;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn get(db: &impl ConnectionTrait, domain: &str) -> Result<Option<instance::Model>> {
    Ok(instance::Entity::find()
        .filter(instance::Column::Domain.eq(domain))
        .one(db)
        .await?)
}

pub async fn get_or_create(db: &impl ConnectionTrait, domain: &str) -> Result<instance::Model> {
    if let Some(row) = get(db, domain).await? {
        return Ok(row);
    }
    let inserted = instance::ActiveModel {
        domain: Set(domain.to_string()),
        blocked: Set(false),
        failure_count: Set(0),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => Ok(row),
        // Another request created it at the same moment.
        Err(e) if crate::is_unique_violation(&e) => get(db, domain)
            .await?
            .ok_or_else(|| puentes_core::Error::internal("instance vanished")),
        Err(e) => Err(e.into()),
    }
}

pub async fn is_blocked(db: &impl ConnectionTrait, domain: &str) -> Result<bool> {
    Ok(get(db, domain).await?.is_some_and(|i| i.blocked))
}

pub async fn set_blocked(
    db: &impl ConnectionTrait,
    domain: &str,
    blocked: bool,
    reason: Option<String>,
) -> Result<instance::Model> {
    let mut model: instance::ActiveModel = get_or_create(db, domain).await?.into();
    model.blocked = Set(blocked);
    model.block_reason = Set(reason);
    let row = model.update(db).await?;
    crate::changes::instance_changed();
    Ok(row)
}

pub async fn set_software(
    db: &impl ConnectionTrait,
    domain: &str,
    software: Option<String>,
    version: Option<String>,
) -> Result<instance::Model> {
    let mut model: instance::ActiveModel = get_or_create(db, domain).await?.into();
    model.software = Set(software);
    model.software_version = Set(version);
    model.nodeinfo_fetched_at = Set(Some(now()));
    Ok(model.update(db).await?)
}

/// Remembers the signature scheme a host accepts (`cavage` or `rfc9421`).
pub async fn set_signature_scheme(
    db: &impl ConnectionTrait,
    domain: &str,
    scheme: &str,
) -> Result<()> {
    let mut model: instance::ActiveModel = get_or_create(db, domain).await?.into();
    model.signature_scheme = Set(Some(scheme.to_string()));
    model.update(db).await?;
    crate::changes::instance_changed();
    Ok(())
}

pub async fn record_success(db: &impl ConnectionTrait, domain: &str) -> Result<()> {
    let row = get_or_create(db, domain).await?;
    if row.failure_count == 0 && row.parked_until.is_none() && row.last_success_at.is_some() {
        return Ok(());
    }
    let mut model: instance::ActiveModel = row.into();
    model.failure_count = Set(0);
    model.parked_until = Set(None);
    model.last_success_at = Set(Some(now()));
    model.update(db).await?;
    Ok(())
}

/// Counts a failure; once `park_after` failures follow each other the host is parked
/// until `park_until`, and only a probe is sent after that.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    domain: &str,
    park_after: i32,
    park_until: DateTime<Utc>,
) -> Result<instance::Model> {
    let row = get_or_create(db, domain).await?;
    let failures = row.failure_count + 1;
    let mut model: instance::ActiveModel = row.into();
    model.failure_count = Set(failures);
    model.last_failure_at = Set(Some(now()));
    if failures >= park_after {
        model.parked_until = Set(Some(park_until));
    }
    Ok(model.update(db).await?)
}

/// Lifts parking, for an operator who knows a host is back.
pub async fn unpark(db: &impl ConnectionTrait, domain: Option<&str>) -> Result<()> {
    let mut update = instance::Entity::update_many().col_expr(
        instance::Column::ParkedUntil,
        sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
    );
    if let Some(domain) = domain {
        update = update.filter(instance::Column::Domain.eq(domain));
    }
    update.exec(db).await?;
    Ok(())
}

/// Blocked domains, by name.
pub async fn blocked(db: &impl ConnectionTrait) -> Result<Vec<instance::Model>> {
    use sea_orm::QueryOrder;
    Ok(instance::Entity::find()
        .filter(instance::Column::Blocked.eq(true))
        .order_by_asc(instance::Column::Domain)
        .all(db)
        .await?)
}
