//! The delivery queue: one row per (activity, inbox), retried with backoff, parked per host.

use crate::{delivery, instance, now};
use chrono::{DateTime, Duration, Utc};
use puentes_core::{DeliveryState, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query},
};

/// Queues one delivery of an activity per `(inbox, host)`, many rows per statement: a
/// fan-out to a thousand followers is a few statements, not a thousand.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    activity_id: i64,
    actor_id: i64,
    targets: &[(String, String)],
) -> Result<()> {
    // 12 values a row: well under SQLite's and PostgreSQL's limits on bound values.
    const ROWS_PER_STATEMENT: usize = 500;
    let at = now();
    for chunk in targets.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk.iter().map(|(inbox, host)| delivery::ActiveModel {
            activity_id: Set(activity_id),
            actor_id: Set(actor_id),
            inbox: Set(inbox.clone()),
            host: Set(host.clone()),
            state: Set(DeliveryState::Pending.as_str().to_string()),
            attempts: Set(0),
            next_attempt_at: Set(at),
            locked_until: Set(None),
            last_error: Set(None),
            last_status: Set(None),
            created_at: Set(at),
            finished_at: Set(None),
            ..Default::default()
        });
        delivery::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn due(at: DateTime<Utc>) -> Condition {
    let parked_hosts = Query::select()
        .column(instance::Column::Domain)
        .from(instance::Entity)
        .and_where(instance::Column::ParkedUntil.gt(at))
        .to_owned();
    Condition::all()
        .add(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .add(delivery::Column::NextAttemptAt.lte(at))
        .add(
            Condition::any()
                .add(delivery::Column::LockedUntil.is_null())
                .add(delivery::Column::LockedUntil.lt(at)),
        )
        .add(delivery::Column::Host.not_in_subquery(parked_hosts))
}

/// Reserves up to `limit` due deliveries (skipping parked hosts, and `busy` ones: hosts the
/// worker already has all the requests in flight it may) for `lease`.
pub async fn claim(
    db: &(impl ConnectionTrait + TransactionTrait),
    limit: u64,
    lease: Duration,
    busy: &[String],
) -> Result<Vec<delivery::Model>> {
    let at = now();
    let txn = db.begin_with_options(crate::write_options()).await?;
    let mut query = delivery::Entity::find()
        .filter(due(at))
        .filter(delivery::Column::Host.is_not_in(busy.iter().map(String::as_str)))
        .order_by_asc(delivery::Column::NextAttemptAt)
        .order_by_asc(delivery::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&txn).await?;
    if !rows.is_empty() {
        delivery::Entity::update_many()
            .col_expr(delivery::Column::LockedUntil, Expr::value(Some(at + lease)))
            .filter(delivery::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// Extends the lease of deliveries a worker still holds (waiting for their host, or in
/// flight), so another worker never claims them while they are being sent. Rows that have
/// ended in the meantime are left alone.
pub async fn renew_leases(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
    lease: Duration,
) -> Result<u64> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut renewed = 0;
    // Bounded IN lists: PostgreSQL and SQLite both take a few hundred parameters happily.
    for chunk in ids.chunks(500) {
        renewed += delivery::Entity::update_many()
            .col_expr(
                delivery::Column::LockedUntil,
                Expr::value(Some(now() + lease)),
            )
            .filter(delivery::Column::Id.is_in(chunk.iter().copied()))
            .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(renewed)
}

pub async fn mark_delivered(
    db: &impl ConnectionTrait,
    row: delivery::Model,
    status: u16,
) -> Result<()> {
    finish(db, row, DeliveryState::Delivered, i32::from(status), None).await
}

pub async fn mark_failed(
    db: &impl ConnectionTrait,
    row: delivery::Model,
    status: Option<u16>,
    error: &str,
) -> Result<()> {
    finish(
        db,
        row,
        DeliveryState::Failed,
        status.map(i32::from).unwrap_or(0),
        Some(error),
    )
    .await
}

async fn finish(
    db: &impl ConnectionTrait,
    row: delivery::Model,
    state: DeliveryState,
    status: i32,
    error: Option<&str>,
) -> Result<()> {
    let attempts = row.attempts + 1;
    let mut model: delivery::ActiveModel = row.into();
    model.state = Set(state.as_str().to_string());
    model.attempts = Set(attempts);
    model.locked_until = Set(None);
    model.last_status = Set((status != 0).then_some(status));
    model.last_error = Set(error.map(|e| e.chars().take(500).collect()));
    model.finished_at = Set(Some(now()));
    model.update(db).await?;
    Ok(())
}

pub async fn reschedule(
    db: &impl ConnectionTrait,
    row: delivery::Model,
    status: Option<u16>,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<()> {
    let attempts = row.attempts + 1;
    let mut model: delivery::ActiveModel = row.into();
    model.attempts = Set(attempts);
    model.locked_until = Set(None);
    model.next_attempt_at = Set(next_attempt_at);
    model.last_status = Set(status.map(i32::from));
    model.last_error = Set(Some(error.chars().take(500).collect()));
    model.update(db).await?;
    Ok(())
}

/// Gives back a claimed row untouched (its host was found parked in the same round).
pub async fn release(
    db: &impl ConnectionTrait,
    row: delivery::Model,
    next_attempt_at: DateTime<Utc>,
) -> Result<()> {
    let mut model: delivery::ActiveModel = row.into();
    model.locked_until = Set(None);
    model.next_attempt_at = Set(next_attempt_at);
    model.update(db).await?;
    Ok(())
}

pub async fn due_count(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(delivery::Entity::find()
        .filter(due(now()))
        .count(db)
        .await?)
}

pub async fn count_in_state(db: &impl ConnectionTrait, state: DeliveryState) -> Result<u64> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::State.eq(state.as_str()))
        .count(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    state: Option<DeliveryState>,
    limit: u64,
) -> Result<Vec<delivery::Model>> {
    let mut query = delivery::Entity::find()
        .order_by_desc(delivery::Column::Id)
        .limit(limit);
    if let Some(state) = state {
        query = query.filter(delivery::Column::State.eq(state.as_str()));
    }
    Ok(query.all(db).await?)
}

/// Makes pending deliveries due now (all, or one host's) — "retry now" for operators.
pub async fn retry_now(db: &impl ConnectionTrait, host: Option<&str>) -> Result<u64> {
    let mut update = delivery::Entity::update_many()
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(now()))
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()));
    if let Some(host) = host {
        update = update.filter(delivery::Column::Host.eq(host));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Stops pending deliveries to a host (a domain block).
pub async fn cancel_for_host(db: &impl ConnectionTrait, host: &str) -> Result<u64> {
    Ok(delivery::Entity::update_many()
        .col_expr(
            delivery::Column::State,
            Expr::value(DeliveryState::Failed.as_str()),
        )
        .col_expr(
            delivery::Column::LastError,
            Expr::value(Some("domain blocked".to_string())),
        )
        .col_expr(delivery::Column::FinishedAt, Expr::value(Some(now())))
        .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .filter(delivery::Column::Host.eq(host))
        .exec(db)
        .await?
        .rows_affected)
}

/// SQLite deployments run one server process: leases left by a crashed run can go at once.
pub async fn release_leases(db: &impl ConnectionTrait) -> Result<()> {
    delivery::Entity::update_many()
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets deliveries that finished (delivered or failed) before `before`.
pub async fn prune_finished(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(delivery::Entity::delete_many()
        .filter(delivery::Column::State.ne(DeliveryState::Pending.as_str()))
        .filter(delivery::Column::FinishedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// How one claimed delivery ended, to be written with others in one transaction.
#[derive(Debug)]
pub enum Finish {
    Delivered(u16),
    /// Refused for good, or given up.
    Failed(Option<u16>, String),
    /// Tried and failed; tried again at the given time.
    Retry(Option<u16>, String, DateTime<Utc>),
    /// Not tried (its host failed in the same run); tried at the given time.
    Release(DateTime<Utc>),
}

/// What a run of the delivery worker learnt about a host.
#[derive(Debug)]
pub enum HostNews {
    Answered(String),
    /// Failed: parked after `park_after` failures in a row, until `park_until`.
    Failed {
        host: String,
        park_after: i32,
        park_until: DateTime<Utc>,
    },
}

/// Writes the outcomes of many deliveries and what they say about their hosts in one write
/// transaction: one commit (one fsync) per batch instead of several per delivery.
pub async fn record_outcomes(
    db: &(impl ConnectionTrait + TransactionTrait),
    outcomes: Vec<(delivery::Model, Finish)>,
    hosts: &[HostNews],
) -> Result<()> {
    if outcomes.is_empty() && hosts.is_empty() {
        return Ok(());
    }
    let txn = db.begin_with_options(crate::write_options()).await?;
    // Successes share their values but the status: one UPDATE per status.
    let mut delivered: std::collections::BTreeMap<u16, Vec<i64>> = Default::default();
    for (row, finish) in outcomes {
        match finish {
            Finish::Delivered(status) => delivered.entry(status).or_default().push(row.id),
            Finish::Failed(status, error) => mark_failed(&txn, row, status, &error).await?,
            Finish::Retry(status, error, next) => {
                reschedule(&txn, row, status, &error, next).await?
            }
            Finish::Release(next) => release(&txn, row, next).await?,
        }
    }
    let at = now();
    for (status, ids) in delivered {
        for chunk in ids.chunks(500) {
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::State,
                    Expr::value(DeliveryState::Delivered.as_str()),
                )
                .col_expr(
                    delivery::Column::Attempts,
                    Expr::col(delivery::Column::Attempts).add(1),
                )
                .col_expr(
                    delivery::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    delivery::Column::LastStatus,
                    Expr::value(Some(i32::from(status))),
                )
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(delivery::Column::FinishedAt, Expr::value(Some(at)))
                .filter(delivery::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    for news in hosts {
        match news {
            HostNews::Answered(host) => crate::query::instance::record_success(&txn, host).await?,
            HostNews::Failed {
                host,
                park_after,
                park_until,
            } => {
                crate::query::instance::record_failure(&txn, host, *park_after, *park_until)
                    .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// One host's share of the delivery queue.
#[derive(Debug, Clone, Default)]
pub struct HostQueue {
    pub host: String,
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct HostStateCount {
    host: String,
    state: String,
    n: i64,
}

/// The queue per host (every state counted), hosts with pending work first.
pub async fn by_host(db: &impl ConnectionTrait) -> Result<Vec<HostQueue>> {
    let rows = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Host)
        .column(delivery::Column::State)
        .column_as(delivery::Column::Id.count(), "n")
        .group_by(delivery::Column::Host)
        .group_by(delivery::Column::State)
        .into_model::<HostStateCount>()
        .all(db)
        .await?;
    let mut hosts: Vec<HostQueue> = Vec::new();
    for row in rows {
        let index = match hosts.iter().position(|h| h.host == row.host) {
            Some(i) => i,
            None => {
                hosts.push(HostQueue {
                    host: row.host.clone(),
                    ..HostQueue::default()
                });
                hosts.len() - 1
            }
        };
        let entry = &mut hosts[index];
        match DeliveryState::from_stored(&row.state, DeliveryState::Failed) {
            DeliveryState::Pending => entry.pending += row.n,
            DeliveryState::Delivered => entry.delivered += row.n,
            DeliveryState::Failed => entry.failed += row.n,
        }
    }
    hosts.sort_by(|a, b| b.pending.cmp(&a.pending).then(a.host.cmp(&b.host)));
    Ok(hosts)
}
