//! Scale-out on PostgreSQL: two server processes (two instances of the same domain, each
//! with its own pool and workers) share one database. A fan-out to several hundred loopback
//! inboxes reaches each exactly once with both sending; when one is killed mid-fan-out the
//! other takes over its leased work once the lease ends, and nothing is lost.

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    routing::post,
};
use puentes_core::{ActorKind, DeliveryState, FollowState};
use puentes_db::query::{self, actor::ActorData};
use puentes_server::{Instance, jobs};
use puentes_tests::{Backend, TestInstance};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{net::TcpListener, sync::Notify};
use tokio_util::sync::CancellationToken;

const FOLLOWERS: usize = 300;

/// Several hundred inboxes on one loopback server: counts what each receives, per activity.
#[derive(Clone, Default)]
struct Sink {
    received: Arc<Mutex<HashMap<(usize, String), usize>>>,
    changed: Arc<Notify>,
}

async fn receive(State(sink): State<Sink>, Path(n): Path<usize>, body: Bytes) -> StatusCode {
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    // Keyed by the object: the post a Create carries.
    let id = doc["object"]["id"]
        .as_str()
        .or_else(|| doc["id"].as_str())
        .unwrap_or_default()
        .to_string();
    *sink
        .received
        .lock()
        .expect("lock")
        .entry((n, id))
        .or_default() += 1;
    sink.changed.notify_waiters();
    StatusCode::ACCEPTED
}

impl Sink {
    /// Inboxes that got `activity` at least once, and the total received.
    fn tally(&self, activity: &str) -> (usize, usize) {
        let received = self.received.lock().expect("lock");
        let mine: Vec<usize> = received
            .iter()
            .filter(|((_, id), _)| id == activity)
            .map(|(_, count)| *count)
            .collect();
        (mine.len(), mine.iter().sum())
    }

    fn copies(&self, activity: &str) -> Vec<usize> {
        let received = self.received.lock().expect("lock");
        (0..FOLLOWERS)
            .map(|n| {
                received
                    .get(&(n, activity.to_string()))
                    .copied()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Waits (on the sink's notifications, no sleeping) until `enough` holds, or fails.
    async fn wait_until(&self, what: &str, enough: impl Fn(&Sink) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
        loop {
            let changed = self.changed.notified();
            if enough(self) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("timed out waiting for {what}");
            }
        }
    }
}

/// Waits until the shared queue has no pending delivery: the last ones are being recorded
/// as sent after their inbox answered.
async fn no_pending(instance: &TestInstance) {
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    for _ in 0..2400 {
        tick.tick().await;
        let pending = query::delivery::count_in_state(instance.db(), DeliveryState::Pending)
            .await
            .unwrap();
        if pending == 0 {
            return;
        }
    }
    panic!("deliveries still pending after two minutes");
}

fn delivered_by(instance: &Instance) -> u64 {
    instance
        .ctx
        .metrics
        .encode()
        .lines()
        .find(|l| l.starts_with("puentes_deliveries_total{outcome=\"delivered\"}"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn two_servers_on_one_postgres_deliver_a_fan_out_once_and_survive_a_kill() {
    let Some(backend) = Backend::all()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        eprintln!("skipping: PUENTES_TEST_DATABASE_URL is not set");
        return;
    };
    // Small batches so both share the work. The lease is what a kill costs in delay; it
    // must outlast the slowest batch on a loaded machine, or a live worker's claim expires
    // and its work is done twice.
    let configure = |c: &mut puentes_core::Config| {
        c.delivery.batch_size = 8;
        c.delivery.poll_interval_ms = 20;
        c.delivery.lease_secs = 15;
    };
    let first = TestInstance::start_with(&backend, configure).await;
    let mut config = first.instance.ctx.config.as_ref().clone();
    configure(&mut config);
    let second = Instance::with_db(
        config,
        puentes_db::connect_url(&first.db_url, None).await.unwrap(),
    )
    .await
    .unwrap();
    let alpha = first.create_actor("alpha", "organization").await;

    let sink = Sink::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new()
        .route("/inbox/{n}", post(receive))
        .with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let domain = format!("localhost:{port}");
    for n in 0..FOLLOWERS {
        let id = format!("http://{domain}/users/{n}");
        let follower = query::actor::insert(
            first.db(),
            ActorData {
                ap_id: id.clone(),
                username: format!("u{n}"),
                domain: domain.clone(),
                kind: ActorKind::Person,
                display_name: None,
                summary: None,
                inbox: format!("http://{domain}/inbox/{n}"),
                shared_inbox: None,
                outbox: None,
                followers_url: None,
                following_url: None,
                featured_url: None,
                url: None,
                icon_url: None,
                header_url: None,
                public_key_id: format!("{id}#main-key"),
                public_key_pem: "unused".into(),
                private_key_pem: None,
                ed25519_public: None,
                ed25519_private: None,
                local: false,
                manually_approves_followers: false,
                discoverable: true,
                indexable: true,
                also_known_as: Vec::new(),
                moved_to: None,
            },
        )
        .await
        .unwrap();
        query::follow::insert(
            first.db(),
            &format!("{id}/follows/1"),
            follower.id,
            alpha.id,
            FollowState::Accepted,
        )
        .await
        .unwrap();
    }

    let run = |instance: &Instance| {
        let token = CancellationToken::new();
        let handle = tokio::spawn(jobs::run_workers(instance.ctx.clone(), token.clone()));
        (token, handle)
    };

    // 1. Both servers work the queue: every inbox gets the post exactly once.
    let post = first
        .post("alpha", "Hola a los trescientos", "public")
        .await
        .unwrap();
    let create = post.ap_id.clone();
    let (stop1, worker1) = run(&first.instance);
    let (stop2, worker2) = run(&second);
    sink.wait_until("the first fan-out", |s| s.tally(&create).0 == FOLLOWERS)
        .await;
    // Drain: nothing pending is left, so no late duplicate can still be on its way.
    no_pending(&first).await;
    stop1.cancel();
    stop2.cancel();
    worker1.await.unwrap();
    worker2.await.unwrap();
    assert_eq!(
        sink.copies(&create),
        vec![1; FOLLOWERS],
        "exactly once each"
    );
    let (by_first, by_second) = (delivered_by(&first.instance), delivered_by(&second));
    assert_eq!(by_first + by_second, FOLLOWERS as u64);
    assert!(
        by_first > 0 && by_second > 0,
        "both servers sent ({by_first} and {by_second})"
    );

    // 2. One server dies mid-fan-out (its task is dropped with requests in flight and
    //    deliveries leased); the other finishes, taking the leased ones when their lease ends.
    let post = first
        .post("alpha", "Segunda vuelta", "public")
        .await
        .unwrap();
    let create = post.ap_id.clone();
    let (stop1, worker1) = run(&first.instance);
    let (_stop2, worker2) = run(&second);
    sink.wait_until("a quarter of the second fan-out", |s| {
        s.tally(&create).0 >= FOLLOWERS / 4
    })
    .await;
    worker2.abort();
    let _ = worker2.await;
    sink.wait_until("the rest of the second fan-out", |s| {
        s.tally(&create).0 == FOLLOWERS
    })
    .await;
    no_pending(&first).await;
    stop1.cancel();
    worker1.await.unwrap();
    let copies = sink.copies(&create);
    assert!(copies.iter().all(|c| *c >= 1), "nothing lost: {copies:?}");
    // At most the batch the killed server held can have gone out twice (sent, not yet
    // recorded as sent when it died).
    let twice = copies.iter().filter(|c| **c > 1).count();
    assert!(twice <= 8, "{twice} inboxes got it more than once");
    assert_eq!(
        query::delivery::count_in_state(first.db(), DeliveryState::Failed)
            .await
            .unwrap(),
        0
    );
}
