//! The state of the queues for operators: `puentes delivery status` and `/metrics`.

use crate::{delivery, instance, now, outbox_event};
use chrono::{DateTime, Utc};
use puentes_core::{DeliveryState, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// One remote host's deliveries and health.
#[derive(Debug, Clone, Default)]
pub struct HostStatus {
    pub host: String,
    /// Deliveries by state (`pending`, `delivered`, `failed`).
    pub counts: BTreeMap<String, u64>,
    pub oldest_pending: Option<DateTime<Utc>>,
    pub failure_count: i32,
    pub parked_until: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

impl HostStatus {
    pub fn count(&self, state: DeliveryState) -> u64 {
        self.counts.get(state.as_str()).copied().unwrap_or(0)
    }

    pub fn is_parked(&self) -> bool {
        self.parked_until.is_some_and(|t| t > now())
    }
}

/// Every host with deliveries in the queue, by host name.
pub async fn hosts(db: &impl ConnectionTrait) -> Result<Vec<HostStatus>> {
    let counts: Vec<(String, String, i64)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Host)
        .column(delivery::Column::State)
        .column_as(delivery::Column::Id.count(), "n")
        .group_by(delivery::Column::Host)
        .group_by(delivery::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let oldest: Vec<(String, Option<DateTime<Utc>>)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Host)
        .column_as(delivery::Column::CreatedAt.min(), "oldest")
        .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .group_by(delivery::Column::Host)
        .into_tuple()
        .all(db)
        .await?;
    let mut hosts: BTreeMap<String, HostStatus> = BTreeMap::new();
    for (host, state, n) in counts {
        let entry = hosts.entry(host.clone()).or_insert_with(|| HostStatus {
            host,
            ..Default::default()
        });
        entry.counts.insert(state, u64::try_from(n).unwrap_or(0));
    }
    for (host, at) in oldest {
        if let Some(entry) = hosts.get_mut(&host) {
            entry.oldest_pending = at;
        }
    }
    let names: Vec<String> = hosts.keys().cloned().collect();
    for chunk in names.chunks(500) {
        for row in instance::Entity::find()
            .filter(instance::Column::Domain.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(entry) = hosts.get_mut(&row.domain) {
                entry.failure_count = row.failure_count;
                entry.parked_until = row.parked_until;
                entry.last_success_at = row.last_success_at;
            }
        }
    }
    Ok(hosts.into_values().collect())
}

/// Hosts parked right now.
pub async fn parked_hosts(db: &impl ConnectionTrait) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(instance::Entity::find()
        .filter(instance::Column::ParkedUntil.gt(now()))
        .count(db)
        .await?)
}

/// Pending deliveries and unprocessed outbox events: how many, and since when.
#[derive(Debug, Clone, Default)]
pub struct QueueDepth {
    pub deliveries_by_state: BTreeMap<String, u64>,
    pub oldest_pending_delivery: Option<DateTime<Utc>>,
    pub outbox_pending: u64,
    pub oldest_outbox_event: Option<DateTime<Utc>>,
}

pub async fn depth(db: &impl ConnectionTrait) -> Result<QueueDepth> {
    let by_state: Vec<(String, i64)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::State)
        .column_as(delivery::Column::Id.count(), "n")
        .group_by(delivery::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let oldest_pending_delivery = delivery::Entity::find()
        .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .order_by_asc(delivery::Column::CreatedAt)
        .one(db)
        .await?
        .map(|row| row.created_at);
    let pending_events =
        outbox_event::Entity::find().filter(outbox_event::Column::ProcessedAt.is_null());
    let outbox_pending = {
        use sea_orm::PaginatorTrait;
        pending_events.clone().count(db).await?
    };
    let oldest_outbox_event = pending_events
        .order_by_asc(outbox_event::Column::CreatedAt)
        .one(db)
        .await?
        .map(|row| row.created_at);
    let mut deliveries_by_state: BTreeMap<String, u64> = DeliveryState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for (state, n) in by_state {
        deliveries_by_state.insert(state, u64::try_from(n).unwrap_or(0));
    }
    Ok(QueueDepth {
        deliveries_by_state,
        oldest_pending_delivery,
        outbox_pending,
        oldest_outbox_event,
    })
}
