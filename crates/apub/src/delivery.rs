//! Sending: the workers claim due delivery rows, sign and send them, retry with backoff and
//! park hosts that keep failing. What to send is decided by the outbox.

use crate::context::FedContext;
use chrono::{Duration, Utc};
use puentes_core::Result;
use puentes_db::{delivery, query};
use rand::Rng;
use std::collections::BTreeSet;
use url::Url;

pub(crate) fn backoff(ctx: &FedContext, attempts: i32) -> Duration {
    let settings = &ctx.config.delivery;
    let exp = settings
        .backoff_base_secs
        .saturating_mul(1u64 << attempts.clamp(0, 20));
    let capped = exp.min(settings.backoff_max_secs) as f64;
    // ±25 % jitter so retries of one fan-out do not arrive together.
    let jitter = rand::thread_rng().gen_range(0.75..1.25);
    Duration::milliseconds((capped * jitter * 1000.0) as i64)
}

/// How one attempt ended.
#[derive(Debug)]
enum Attempt {
    Delivered(u16),
    Permanent(Option<u16>, String),
    Retry(Option<u16>, String),
}

/// Sends up to `limit` due deliveries; returns how many were attempted.
pub async fn run_deliveries_once(ctx: &FedContext, limit: u64) -> Result<usize> {
    let lease = Duration::seconds(ctx.config.delivery.lease_secs as i64);
    let claimed = query::delivery::claim(&ctx.db, limit, lease).await?;
    let count = claimed.len();
    let mut failed_hosts: BTreeSet<String> = BTreeSet::new();
    for row in claimed {
        if failed_hosts.contains(&row.host) {
            // One failure per host per round is enough evidence; don't hammer it.
            let next = Utc::now() + backoff(ctx, row.attempts);
            query::delivery::release(&ctx.db, row, next).await?;
            continue;
        }
        let attempt = attempt(ctx, &row).await;
        let host = row.host.clone();
        match attempt {
            Attempt::Delivered(status) => {
                ctx.metrics.delivery("delivered");
                query::delivery::mark_delivered(&ctx.db, row, status).await?;
                query::instance::record_success(&ctx.db, &host).await?;
            }
            Attempt::Permanent(status, error) => {
                tracing::info!(inbox = %row.inbox, %error, "delivery refused for good");
                ctx.metrics.delivery("refused");
                query::delivery::mark_failed(&ctx.db, row, status, &error).await?;
                // The host answered: it is alive.
                query::instance::record_success(&ctx.db, &host).await?;
            }
            Attempt::Retry(status, error) => {
                failed_hosts.insert(host.clone());
                let give_up = row.created_at
                    + Duration::seconds(ctx.config.delivery.give_up_after_secs as i64);
                let next = Utc::now() + backoff(ctx, row.attempts);
                tracing::debug!(inbox = %row.inbox, %error, "delivery failed, will retry");
                if next > give_up {
                    ctx.metrics.delivery("gave_up");
                    query::delivery::mark_failed(
                        &ctx.db,
                        row,
                        status,
                        &format!("gave up: {error}"),
                    )
                    .await?;
                } else {
                    ctx.metrics.delivery("retry");
                    query::delivery::reschedule(&ctx.db, row, status, &error, next).await?;
                }
                let park_until = Utc::now() + backoff(ctx, ctx.config.delivery.park_after_failures);
                query::instance::record_failure(
                    &ctx.db,
                    &host,
                    ctx.config.delivery.park_after_failures,
                    park_until,
                )
                .await?;
            }
        }
    }
    Ok(count)
}

async fn attempt(ctx: &FedContext, row: &delivery::Model) -> Attempt {
    match try_send(ctx, row).await {
        Ok(attempt) => attempt,
        Err(e) => Attempt::Retry(None, e.to_string()),
    }
}

async fn try_send(ctx: &FedContext, row: &delivery::Model) -> Result<Attempt> {
    let inbox = match Url::parse(&row.inbox) {
        Ok(url) => url,
        _ => return Ok(Attempt::Permanent(None, "inbox URL refused".into())),
    };
    let Some(activity) = query::activity::by_id(&ctx.db, row.activity_id).await? else {
        return Ok(Attempt::Permanent(None, "activity no longer exists".into()));
    };
    let sender = query::actor::get(&ctx.db, row.actor_id).await?;
    let code = match crate::client::post(ctx, &inbox, &sender, activity.json.into_bytes()).await {
        Ok(code) => code,
        // Blocked, off the allow-list, or not https: refused for good.
        Err(e) if e.kind() == puentes_core::ErrorKind::Forbidden => {
            return Ok(Attempt::Permanent(None, e.message().to_string()));
        }
        Err(e) => return Ok(Attempt::Retry(None, e.message().to_string())),
    };
    Ok(if (200..300).contains(&code) {
        Attempt::Delivered(code)
    } else if (400..500).contains(&code) && !matches!(code, 401 | 408 | 429) {
        Attempt::Permanent(Some(code), format!("refused with status {code}"))
    } else {
        Attempt::Retry(Some(code), format!("answered status {code}"))
    })
}
