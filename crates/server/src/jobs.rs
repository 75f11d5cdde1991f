//! Background workers: the outbox turns events into deliveries, the delivery worker sends.

use puentes_apub::{FedContext, delivery, member_lists, outbox};
use puentes_core::Result;
use std::time::Duration;
use tokio::sync::broadcast::error::TryRecvError;
use tokio_util::sync::CancellationToken;

/// One round of both queues; returns how much work was done.
pub async fn run_once(ctx: &FedContext) -> Result<usize> {
    let events = run_outbox_round(ctx).await?;
    let sent = delivery::run_deliveries_once(ctx, ctx.config.delivery.batch_size).await?;
    Ok(events + sent)
}

/// The outbox and the member lists, without the deliveries.
async fn run_outbox_round(ctx: &FedContext) -> Result<usize> {
    let batch = ctx.config.delivery.batch_size;
    let events = outbox::run_outbox_once(ctx, batch).await?;
    // Network maps: member lists of remote alliances next to ours, when due. A failure here
    // never stops the queues.
    let lists = match member_lists::refresh_due(ctx, 4).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = ?e, "member lists not refreshed");
            0
        }
    };
    Ok(events + lists)
}

/// Runs rounds until nothing due is left (deliveries scheduled for later stay queued).
pub async fn run_until_idle(ctx: &FedContext) -> Result<usize> {
    let mut total = 0;
    loop {
        let done = run_once(ctx).await?;
        if done == 0 {
            return Ok(total);
        }
        total += done;
    }
}

/// Keeps the queues small: finished deliveries and processed events go after a week,
/// received activity ids after 30 days.
pub async fn prune(ctx: &FedContext, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    use puentes_db::query;
    let week = now - chrono::Duration::days(7);
    let month = now - chrono::Duration::days(30);
    Ok(query::delivery::prune_finished(&ctx.db, week).await?
        + query::outbox::prune_processed(&ctx.db, week).await?
        + query::received::prune(&ctx.db, month).await?
        + query::staff_session::delete_expired(&ctx.db).await?)
}

/// The background work of `puentes serve`: the delivery worker runs on its own, so sending
/// never waits for the outbox and the outbox never waits for a slow host.
pub async fn run_workers(ctx: FedContext, shutdown: CancellationToken) {
    let deliveries = {
        let ctx = ctx.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move { delivery::run_delivery_worker(&ctx, &shutdown).await })
    };
    run_outbox_worker(&ctx, &shutdown).await;
    let _ = deliveries.await;
}

/// After a commit wakes the outbox worker, it waits this long before its round: commits
/// close together (an inbox under load commits hundreds of groups a second) share a round.
const WAKE_GAP: Duration = Duration::from_millis(20);

async fn run_outbox_worker(ctx: &FedContext, shutdown: &CancellationToken) {
    let idle = Duration::from_millis(ctx.config.delivery.poll_interval_ms);
    let mut last_prune: Option<std::time::Instant> = None;
    // Commits of this process (a post from the web or the client API, a group of received
    // activities): what they queued is prepared at once, not at the next poll. Other
    // processes' commits (CLI commands) are found by the poll. `ctx` holds a sender of the
    // channel, so it never closes while this runs.
    let mut commits = ctx.changes.subscribe();
    loop {
        // Heard before the round starts: the round will see them.
        while let Ok(_) | Err(TryRecvError::Lagged(_)) = commits.try_recv() {}
        if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
            match prune(ctx, chrono::Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "pruned old queue rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "pruning failed"),
            }
            last_prune = Some(std::time::Instant::now());
        }
        // A commit wakes the worker only when it is idle: with work left the next round
        // starts at once anyway, and after a failure it waits out the poll interval.
        let (pause, wake_on_commit) = match run_outbox_round(ctx).await {
            Ok(0) => (idle, true),
            Ok(_) => (Duration::ZERO, false),
            Err(e) => {
                tracing::error!(error = ?e, "worker round failed");
                (idle, false)
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(pause) => {}
            _ = commits.recv(), if wake_on_commit => tokio::time::sleep(WAKE_GAP).await,
        }
    }
}
