//! The outbox: events recorded with a state change, turned into activities by a worker.

use crate::{OutboxEvent, now, outbox_event};
use chrono::{DateTime, Duration, Utc};
use puentes_core::Result;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
    sea_query::{Expr, LockBehavior, LockType},
};

/// Records several events, in order (inside the caller's transaction).
pub async fn enqueue_all(db: &impl ConnectionTrait, events: &[OutboxEvent]) -> Result<()> {
    for event in events {
        enqueue(db, event).await?;
    }
    Ok(())
}

pub async fn enqueue(
    db: &impl ConnectionTrait,
    event: &OutboxEvent,
) -> Result<outbox_event::Model> {
    let at = now();
    Ok(outbox_event::ActiveModel {
        kind: Set(event.kind().to_string()),
        payload: Set(serde_json::to_string(event)?),
        attempts: Set(0),
        last_error: Set(None),
        available_at: Set(at),
        locked_until: Set(None),
        processed_at: Set(None),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

fn due(at: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(outbox_event::Column::ProcessedAt.is_null())
        .add(outbox_event::Column::AvailableAt.lte(at))
        .add(
            Condition::any()
                .add(outbox_event::Column::LockedUntil.is_null())
                .add(outbox_event::Column::LockedUntil.lt(at)),
        )
}

/// Reserves up to `limit` due events for this worker for `lease`. On PostgreSQL rows locked by
/// another process are skipped, so several servers can share the queue.
pub async fn claim(
    db: &(impl ConnectionTrait + TransactionTrait),
    limit: u64,
    lease: Duration,
) -> Result<Vec<(outbox_event::Model, Option<OutboxEvent>)>> {
    let at = now();
    let txn = db.begin_with_options(crate::write_options()).await?;
    let mut query = outbox_event::Entity::find()
        .filter(due(at))
        .order_by_asc(outbox_event::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&txn).await?;
    if !rows.is_empty() {
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::LockedUntil,
                Expr::value(Some(at + lease)),
            )
            .filter(outbox_event::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let event = serde_json::from_str(&row.payload).ok();
            (row, event)
        })
        .collect())
}

pub async fn complete(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    outbox_event::Entity::update_many()
        .col_expr(outbox_event::Column::ProcessedAt, Expr::value(Some(now())))
        .col_expr(
            outbox_event::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox_event::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failure and retries later; after `max_attempts` the event is closed with its error.
pub async fn fail(
    db: &impl ConnectionTrait,
    row: outbox_event::Model,
    error: &str,
    retry_at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<()> {
    let attempts = row.attempts + 1;
    let mut model: outbox_event::ActiveModel = row.into();
    model.attempts = Set(attempts);
    model.last_error = Set(Some(error.chars().take(500).collect()));
    model.locked_until = Set(None);
    model.available_at = Set(retry_at);
    if attempts >= max_attempts {
        model.processed_at = Set(Some(now()));
    }
    model.update(db).await?;
    Ok(())
}

/// Events still waiting, due now or later.
pub async fn pending_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(outbox_event::Entity::find()
        .filter(outbox_event::Column::ProcessedAt.is_null())
        .count(db)
        .await?)
}

pub async fn due_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(outbox_event::Entity::find()
        .filter(due(now()))
        .count(db)
        .await?)
}

/// SQLite deployments run one server process: leases left by a crashed run can go at once.
pub async fn release_leases(db: &impl ConnectionTrait) -> Result<()> {
    outbox_event::Entity::update_many()
        .col_expr(
            outbox_event::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox_event::Column::ProcessedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets events processed before `before`.
pub async fn prune_processed(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(outbox_event::Entity::delete_many()
        .filter(outbox_event::Column::ProcessedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
