//! Sending: the workers claim due delivery rows, sign and send them, retry with backoff and
//! park hosts that keep failing. What to send is decided by the outbox.

use crate::context::FedContext;
use axum::body::Bytes;
use chrono::{Duration, Utc};
use puentes_core::Result;
use puentes_db::{
    actor, delivery, query,
    query::delivery::{Finish, HostNews},
};
use rand::Rng;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::Arc,
};
use tokio::{
    task::{JoinError, JoinSet},
    time::Instant,
};
use tokio_util::sync::CancellationToken;
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

/// Outcomes are written together once this many are waiting…
const FLUSH_COUNT: usize = 64;
/// …or this long after the first of them.
const FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(50);
/// Claimed rows waiting for their host, per slot in flight, beyond which nothing more is
/// claimed.
const WAITING_PER_SLOT: usize = 4;
/// Busy hosts named in one claim (a bound on the query's size).
const MAX_BUSY_HOSTS: usize = 500;
/// Activity bodies and senders kept by a long-running worker before it starts afresh.
const RUN_CACHE_LIMIT: usize = 1_000;

/// Claims up to `limit` due deliveries, sends them concurrently (bounded overall and per
/// host), and returns how many were claimed once every one has ended.
pub async fn run_deliveries_once(ctx: &FedContext, limit: u64) -> Result<usize> {
    Run::new(ctx).drive(Some(limit as usize), None).await
}

/// The delivery worker of `puentes serve`: keeps up to `max_in_flight` deliveries going,
/// claiming more as others end, so a slow or black-holed host holds one slot per
/// attempt and never the queue. Returns when `shutdown` is cancelled and in-flight
/// attempts have ended.
pub async fn run_delivery_worker(ctx: &FedContext, shutdown: &CancellationToken) {
    let idle = std::time::Duration::from_millis(ctx.config.delivery.poll_interval_ms);
    while !shutdown.is_cancelled() {
        if let Err(e) = Run::new(ctx).drive(None, Some(shutdown)).await {
            tracing::error!(error = ?e, "delivery worker failed");
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(idle) => {}
            }
        }
    }
}

/// One run of the worker: what is in flight, per host, and what is waiting to be written.
struct Run {
    ctx: Arc<FedContext>,
    in_flight: JoinSet<(delivery::Model, Attempt)>,
    per_host: HashMap<String, usize>,
    /// Claimed rows whose host already has its share in flight.
    waiting: HashMap<String, VecDeque<delivery::Model>>,
    waiting_count: usize,
    /// Hosts that answered in this run may have `max_per_host` requests in flight; others one.
    answered: HashSet<String>,
    /// Hosts that failed lately: their other rows go back to the queue with backoff until
    /// the mark expires (a long-running worker tries them again after that).
    failed: HashMap<String, Instant>,
    outcomes: Vec<(delivery::Model, Finish)>,
    hosts: Vec<HostNews>,
    first_unwritten: Option<Instant>,
    bodies: HashMap<i64, Option<Bytes>>,
    senders: HashMap<i64, Arc<actor::Model>>,
    /// A host the last claim skipped is free again, or a host failed: claim again, to send
    /// the rows it left behind or, for a failed host, give them back with backoff.
    claim_again: bool,
    /// The busy hosts the last claim skipped.
    skipped: HashSet<String>,
    /// Claimed rows not yet recorded (waiting or in flight), whose leases are renewed.
    held: HashSet<i64>,
    /// The row each attempt in flight sends, to let go of it should the attempt panic.
    attempts: HashMap<tokio::task::Id, i64>,
}

impl Run {
    fn new(ctx: &FedContext) -> Run {
        Run {
            ctx: Arc::new(ctx.clone()),
            in_flight: JoinSet::new(),
            per_host: HashMap::new(),
            waiting: HashMap::new(),
            waiting_count: 0,
            answered: HashSet::new(),
            failed: HashMap::new(),
            outcomes: Vec::new(),
            hosts: Vec::new(),
            first_unwritten: None,
            bodies: HashMap::new(),
            senders: HashMap::new(),
            claim_again: false,
            skipped: HashSet::new(),
            held: HashSet::new(),
            attempts: HashMap::new(),
        }
    }

    /// `budget`: claim at most this many, then end when they have (a round); without it,
    /// run until `shutdown`.
    async fn drive(
        &mut self,
        budget: Option<usize>,
        shutdown: Option<&CancellationToken>,
    ) -> Result<usize> {
        let settings = &self.ctx.config.delivery;
        let max_in_flight = settings.max_in_flight.max(1);
        let lease = Duration::seconds(settings.lease_secs as i64);
        let poll = std::time::Duration::from_millis(settings.poll_interval_ms);
        // A slow host's queue can take longer to send than a lease lasts: leases of what is
        // still held are renewed a few times per lease, so no other worker claims them.
        let renew_every = std::time::Duration::from_secs(settings.lease_secs.max(3) / 3);
        let mut next_renewal = Instant::now() + renew_every;
        let mut claimed = 0usize;
        let mut dry = false;
        let mut next_poll = Instant::now();
        loop {
            let stopping = shutdown.is_some_and(CancellationToken::is_cancelled);
            // Rows waiting for a busy host take no slot: a black-holed host's queue must not
            // stop the others being claimed. Busy hosts are skipped by the claim, which keeps
            // the waiting rows few; the bound only guards against surprises.
            let room = if self.waiting_count < max_in_flight * WAITING_PER_SLOT {
                max_in_flight.saturating_sub(self.in_flight.len())
            } else {
                0
            };
            // A skipped host is free again (or failed): claim once there is room for a batch.
            if self.claim_again && (room >= max_in_flight.div_ceil(4) || self.in_flight.is_empty())
            {
                self.claim_again = false;
                dry = false;
            }
            let left = budget.map_or(usize::MAX, |b| b.saturating_sub(claimed));
            let may_poll = !dry || (budget.is_none() && Instant::now() >= next_poll);
            // A free slot is filled at once, even a single one: waiting for several would let
            // attempts to black-holed hosts, holding most slots, starve the healthy ones.
            if !stopping && room > 0 && left > 0 && may_poll {
                let want = room.min(left);
                let busy = self.busy_hosts();
                let rows = query::delivery::claim(&self.ctx.db, want as u64, lease, &busy).await?;
                self.skipped = busy.into_iter().collect();
                claimed += rows.len();
                dry = rows.len() < want;
                if dry {
                    next_poll = Instant::now() + poll;
                }
                for row in rows {
                    self.held.insert(row.id);
                    self.admit(row).await;
                }
                if budget.is_none() && self.bodies.len() + self.senders.len() > RUN_CACHE_LIMIT {
                    self.bodies.clear();
                    self.senders.clear();
                }
                if self.answered.len() + self.failed.len() > RUN_CACHE_LIMIT * 10 {
                    self.answered.clear();
                    self.failed.clear();
                }
            }
            if self.outcomes.len() >= FLUSH_COUNT {
                self.flush().await?;
            }
            if self.in_flight.is_empty() {
                self.flush().await?;
                let done = match budget {
                    Some(b) => dry || claimed >= b,
                    None => stopping,
                };
                if done {
                    return Ok(claimed);
                }
                if !dry {
                    continue;
                }
            }
            let flush_at = self.first_unwritten.map(|t| t + FLUSH_AFTER);
            // Only when a claim could follow: a full worker waits for an attempt to end.
            let wait_poll = budget.is_none() && dry && !stopping && room > 0;
            tokio::select! {
                Some(done) = self.in_flight.join_next_with_id(), if !self.in_flight.is_empty() => {
                    self.ended(done).await;
                    while let Some(done) = self.in_flight.try_join_next_with_id() {
                        self.ended(done).await;
                    }
                }
                _ = tokio::time::sleep_until(flush_at.unwrap_or_else(Instant::now)), if flush_at.is_some() => {
                    self.flush().await?;
                }
                _ = tokio::time::sleep_until(next_poll), if wait_poll => {}
                // Queued by this process (its outbox): claim now rather than at the poll.
                _ = self.ctx.deliveries_queued.notified(), if wait_poll => {
                    next_poll = Instant::now();
                }
                _ = tokio::time::sleep_until(next_renewal), if !self.held.is_empty() => {
                    next_renewal = Instant::now() + renew_every;
                    query::delivery::renew_leases(&self.ctx.db, self.held.iter().copied(), lease).await?;
                }
                _ = async { if let Some(s) = shutdown { s.cancelled().await } }, if shutdown.is_some() && !stopping => {}
            }
        }
    }

    /// Hosts not to claim for now: those with all the requests in flight they may have.
    /// (A host that failed lately is claimed: its rows go back with backoff at once.)
    fn busy_hosts(&self) -> Vec<String> {
        let mut busy: Vec<String> = self
            .per_host
            .iter()
            .filter(|(host, n)| **n >= self.cap(host))
            .map(|(host, _)| host.clone())
            .collect();
        busy.truncate(MAX_BUSY_HOSTS);
        busy
    }

    fn cap(&self, host: &str) -> usize {
        if self.answered.contains(host) {
            self.ctx.config.delivery.max_per_host.max(1)
        } else {
            1
        }
    }

    /// Did this host fail within the last half backoff step?
    fn has_failed(&self, host: &str) -> bool {
        let mark = std::time::Duration::from_secs(self.ctx.config.delivery.backoff_base_secs / 2);
        self.failed.get(host).is_some_and(|at| at.elapsed() < mark)
    }

    async fn admit(&mut self, row: delivery::Model) {
        if self.has_failed(&row.host) {
            let next = Utc::now() + backoff(&self.ctx, row.attempts);
            self.record(row, Finish::Release(next));
        } else if self.per_host.get(&row.host).copied().unwrap_or(0) < self.cap(&row.host) {
            self.start(row).await;
        } else {
            self.waiting_count += 1;
            self.waiting
                .entry(row.host.clone())
                .or_default()
                .push_back(row);
        }
    }

    /// Loads what the attempt sends (once per activity and sender in a run) and starts it.
    async fn start(&mut self, row: delivery::Model) {
        let inbox = match Url::parse(&row.inbox) {
            Ok(url) => url,
            Err(_) => {
                return self.finished(row, Attempt::Permanent(None, "inbox URL refused".into()));
            }
        };
        let body = match self.body(row.activity_id).await {
            Ok(Some(body)) => body,
            Ok(None) => {
                return self.finished(
                    row,
                    Attempt::Permanent(None, "activity no longer exists".into()),
                );
            }
            Err(e) => return self.finished(row, Attempt::Retry(None, e.message().to_string())),
        };
        let sender = match self.sender(row.actor_id).await {
            Ok(sender) => sender,
            Err(e) => return self.finished(row, Attempt::Retry(None, e.message().to_string())),
        };
        *self.per_host.entry(row.host.clone()).or_default() += 1;
        let ctx = self.ctx.clone();
        let id = row.id;
        let task = self.in_flight.spawn(async move {
            let attempt = send(&ctx, &inbox, &sender, body).await;
            (row, attempt)
        });
        self.attempts.insert(task.id(), id);
    }

    async fn body(&mut self, activity_id: i64) -> Result<Option<Bytes>> {
        if let Some(body) = self.bodies.get(&activity_id) {
            return Ok(body.clone());
        }
        let body = query::activity::by_id(&self.ctx.db, activity_id)
            .await?
            .map(|activity| Bytes::from(crate::protocol::stored_to_wire(&activity.json)));
        self.bodies.insert(activity_id, body.clone());
        Ok(body)
    }

    async fn sender(&mut self, actor_id: i64) -> Result<Arc<actor::Model>> {
        if let Some(sender) = self.senders.get(&actor_id) {
            return Ok(sender.clone());
        }
        let sender = Arc::new(query::actor::get(&self.ctx.db, actor_id).await?);
        self.senders.insert(actor_id, sender.clone());
        Ok(sender)
    }

    async fn ended(
        &mut self,
        done: std::result::Result<(tokio::task::Id, (delivery::Model, Attempt)), JoinError>,
    ) {
        let (row, attempt) = match done {
            Ok((task, done)) => {
                self.attempts.remove(&task);
                done
            }
            // A panicking attempt leaves its row leased, no longer renewed: it is tried
            // again when the lease ends.
            Err(e) => {
                tracing::error!(error = ?e, "a delivery attempt panicked");
                if let Some(id) = self.attempts.remove(&e.id()) {
                    self.held.remove(&id);
                }
                return;
            }
        };
        let host = row.host.clone();
        if let Some(n) = self.per_host.get_mut(&host) {
            *n = n.saturating_sub(1);
        }
        self.finished(row, attempt);
        // Start what waited for this host, or give it back if the host failed.
        while self.per_host.get(&host).copied().unwrap_or(0) < self.cap(&host) {
            let Some(next) = self.waiting.get_mut(&host).and_then(VecDeque::pop_front) else {
                break;
            };
            self.waiting_count -= 1;
            Box::pin(self.admit(next)).await;
        }
        let drained = self.waiting.get(&host).is_none_or(VecDeque::is_empty);
        if drained
            && self.per_host.get(&host).copied().unwrap_or(0) < self.cap(&host)
            && self.skipped.remove(&host)
        {
            // Its rows the last claim left behind can be claimed now.
            self.claim_again = true;
        }
        if self.has_failed(&host)
            && let Some(rows) = self.waiting.remove(&host)
        {
            for row in rows {
                self.waiting_count -= 1;
                let next = Utc::now() + backoff(&self.ctx, row.attempts);
                self.record(row, Finish::Release(next));
            }
        }
    }

    fn finished(&mut self, row: delivery::Model, attempt: Attempt) {
        let settings = &self.ctx.config.delivery;
        let host = row.host.clone();
        match attempt {
            Attempt::Delivered(status) => {
                self.ctx.metrics.delivery("delivered");
                self.answered(&host);
                self.record(row, Finish::Delivered(status));
            }
            Attempt::Permanent(status, error) => {
                tracing::info!(inbox = %row.inbox, %error, "delivery refused for good");
                self.ctx.metrics.delivery("refused");
                if status.is_some() {
                    // The host answered: it is alive.
                    self.answered(&host);
                }
                self.record(row, Finish::Failed(status, error));
            }
            Attempt::Retry(status, error) => {
                tracing::debug!(inbox = %row.inbox, %error, "delivery failed, will retry");
                let give_up =
                    row.created_at + Duration::seconds(settings.give_up_after_secs as i64);
                let next = Utc::now() + backoff(&self.ctx, row.attempts);
                // A host that answered before and fails now starts again from one request.
                self.answered.remove(&host);
                if !self.has_failed(&host) {
                    // One failure per host per run is enough evidence; don't hammer it.
                    self.failed.insert(host.clone(), Instant::now());
                    self.claim_again = true;
                    self.hosts.push(HostNews::Failed {
                        host,
                        park_after: settings.park_after_failures,
                        park_until: Utc::now() + backoff(&self.ctx, settings.park_after_failures),
                    });
                }
                let finish = if next > give_up {
                    self.ctx.metrics.delivery("gave_up");
                    Finish::Failed(status, format!("gave up: {error}"))
                } else {
                    self.ctx.metrics.delivery("retry");
                    Finish::Retry(status, error, next)
                };
                self.record(row, finish);
            }
        }
    }

    fn answered(&mut self, host: &str) {
        if self.answered.insert(host.to_string()) {
            self.hosts.push(HostNews::Answered(host.to_string()));
        }
    }

    fn record(&mut self, row: delivery::Model, finish: Finish) {
        self.held.remove(&row.id);
        self.outcomes.push((row, finish));
        self.first_unwritten.get_or_insert_with(Instant::now);
    }

    async fn flush(&mut self) -> Result<()> {
        self.first_unwritten = None;
        let outcomes = std::mem::take(&mut self.outcomes);
        let hosts = std::mem::take(&mut self.hosts);
        query::delivery::record_outcomes(&self.ctx.db, outcomes, &hosts).await
    }
}

async fn send(ctx: &FedContext, inbox: &Url, sender: &actor::Model, body: Bytes) -> Attempt {
    let code = match crate::client::post(ctx, inbox, sender, body).await {
        Ok(code) => code,
        // Blocked, off the allow-list, or not https: refused for good.
        Err(e) if e.kind() == puentes_core::ErrorKind::Forbidden => {
            return Attempt::Permanent(None, e.message().to_string());
        }
        Err(e) => return Attempt::Retry(None, e.message().to_string()),
    };
    if (200..300).contains(&code) {
        Attempt::Delivered(code)
    } else if (400..500).contains(&code) && !matches!(code, 401 | 408 | 429) {
        Attempt::Permanent(Some(code), format!("refused with status {code}"))
    } else {
        Attempt::Retry(Some(code), format!("answered status {code}"))
    }
}
