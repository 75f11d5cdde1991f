//! `/metrics` for Prometheus, on its own listener (`metrics_bind`), and the middleware that
//! counts requests by route pattern and status.

use crate::Instance;
use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use puentes_core::metrics::{CONTENT_TYPE, Metrics};
use std::sync::Arc;

/// Counts every request under its route pattern (`/actors/{name}`), so the label set stays
/// small whatever paths are asked for.
pub async fn count_requests(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    metrics.request(&route, response.status().as_u16());
    response
}

/// The router of the metrics listener.
pub fn router(instance: Instance) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(instance)
}

async fn scrape(State(instance): State<Instance>) -> Response {
    if let Err(e) = refresh_gauges(&instance).await {
        tracing::warn!(error = ?e, "metrics: queue gauges not refreshed");
    }
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        instance.ctx.metrics.encode(),
    )
        .into_response()
}

/// Gauges read from the database at scrape time, so every process reports the shared queue.
pub async fn refresh_gauges(instance: &Instance) -> puentes_core::Result<()> {
    use puentes_db::read::queues;
    let metrics = &instance.ctx.metrics;
    let db = &instance.ctx.db;
    let depth = queues::depth(db).await?;
    for (state, n) in &depth.deliveries_by_state {
        metrics
            .queue_depth
            .get_or_create(&vec![
                ("queue", "delivery".to_string()),
                ("state", state.clone()),
            ])
            .set(i64::try_from(*n).unwrap_or(i64::MAX));
    }
    metrics
        .queue_depth
        .get_or_create(&vec![
            ("queue", "outbox".to_string()),
            ("state", "pending".to_string()),
        ])
        .set(i64::try_from(depth.outbox_pending).unwrap_or(i64::MAX));
    let now = chrono::Utc::now();
    let age = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
            .unwrap_or(0.0)
    };
    metrics
        .queue_oldest_seconds
        .get_or_create(&vec![("queue", "delivery".to_string())])
        .set(age(depth.oldest_pending_delivery));
    metrics
        .queue_oldest_seconds
        .get_or_create(&vec![("queue", "outbox".to_string())])
        .set(age(depth.oldest_outbox_event));
    metrics
        .parked_hosts
        .set(i64::try_from(queues::parked_hosts(db).await?).unwrap_or(i64::MAX));
    let (size, idle) = match db.get_database_backend() {
        puentes_db::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics
        .pool_connections
        .get_or_create(&vec![("state", "idle".to_string())])
        .set(i64::from(idle));
    metrics
        .pool_connections
        .get_or_create(&vec![("state", "in_use".to_string())])
        .set(i64::from(size.saturating_sub(idle)));
    Ok(())
}
