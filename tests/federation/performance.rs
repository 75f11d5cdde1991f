//! Behaviour under load that must hold on every backend: concurrent writers on SQLite never
//! produce a 5xx, and a fan-out is never held back by hosts that do not answer.

use crate::on_every_backend;
use puentes_app::posts::NewPost;
use puentes_core::FollowState;
use puentes_db::query;
use puentes_server::jobs;
use puentes_tests::{Backend, FakeRemote, OP, TestNetwork, fixture};
use serde_json::json;
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};
use tokio::{io::AsyncReadExt, net::TcpListener};

const FOLLOWERS: usize = 200;
const SENDERS: usize = 16;

/// 200 signed Follows from 16 concurrent senders while the instance posts and runs its
/// queues: every one is answered 2xx (SQLite used to answer "database is locked").
async fn concurrent_follows_scenario(backend: &Backend) {
    // 200 followers on one host: the per-host limits (0 = none) are not what is tested.
    let net = TestNetwork::start_with_config(backend, |config| {
        config.limits.key_fetches_per_host_per_minute = 0;
        config.limits.inbox_per_host_per_minute = 0;
    })
    .await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let alpha = a.actor_url("alpha");
    let remote = FakeRemote::start().await;
    let person = fixture("mastodon/objects/person.json");
    let followers: Vec<String> = (0..FOLLOWERS)
        .map(|i| remote.add_actor(&format!("/users/f{i}"), &person))
        .collect();

    // The instance keeps writing meanwhile: posts, and the outbox and delivery workers.
    let stop = Arc::new(AtomicBool::new(false));
    let poster = {
        let app = a.app().clone();
        let ctx = a.instance.ctx.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut posts = 0;
            while !stop.load(Ordering::Relaxed) {
                app.publish(&OP, "alpha", NewPost::text(&format!("post {posts}")))
                    .await
                    .expect("posting while Follows arrive");
                jobs::run_once(&ctx).await.expect("workers");
                posts += 1;
            }
            posts
        })
    };

    let inbox = format!("{}/actors/alpha/inbox", a.base());
    let mut senders = tokio::task::JoinSet::new();
    for sender in 0..SENDERS {
        let mine: Vec<String> = followers
            .iter()
            .skip(sender)
            .step_by(SENDERS)
            .cloned()
            .collect();
        let (remote, inbox, alpha) = (remote.clone(), inbox.clone(), alpha.clone());
        senders.spawn(async move {
            let mut answers = Vec::new();
            for follower in mine {
                let follow = json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{follower}/follows/1"),
                    "type": "Follow",
                    "actor": follower,
                    "object": alpha,
                });
                answers.push(remote.post(&inbox, &follower, &follow).await);
            }
            answers
        });
    }
    let mut answers = Vec::new();
    while let Some(done) = senders.join_next().await {
        answers.extend(done.expect("sender"));
    }
    stop.store(true, Ordering::Relaxed);
    let posts = poster.await.expect("poster");

    assert_eq!(answers.len(), FOLLOWERS);
    let failed: Vec<_> = answers
        .iter()
        .filter(|(status, _)| !(200..300).contains(status))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {FOLLOWERS} Follows refused: {:?}",
        failed.len(),
        failed.iter().take(3).collect::<Vec<_>>()
    );
    assert!(posts > 0, "the instance posted meanwhile");
    net.settle().await;
    let alpha_row = a.actor("alpha").await;
    let accepted = query::follow::followers(a.db(), alpha_row.id, FollowState::Accepted)
        .await
        .unwrap();
    assert_eq!(accepted.len(), FOLLOWERS, "every Follow was accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_signed_follows_while_posting_get_no_5xx() {
    on_every_backend!(concurrent_follows_scenario);
}

/// A loopback host that answers every POST with 202 after `delay`, handing its path to
/// `seen` first.
async fn sink(
    delay: std::time::Duration,
    seen: impl Fn(String) + Clone + Send + Sync + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let seen = seen.clone();
        async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            seen(uri.path().to_string());
            axum::http::StatusCode::ACCEPTED
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("localhost:{port}")
}

/// A loopback host that accepts every POST with 202 and counts them.
async fn healthy_sink(received: Arc<AtomicUsize>) -> String {
    sink(std::time::Duration::ZERO, move |_| {
        received.fetch_add(1, Ordering::SeqCst);
    })
    .await
}

/// What a black-holed host saw: connections accepted, and how many healthy deliveries had
/// arrived when the sender first gave up on one of them (closed it).
#[derive(Default)]
struct BlackHole {
    connections: AtomicUsize,
    healthy_at_first_close: Mutex<Option<usize>>,
}

/// A loopback host that accepts connections, reads the request and never answers.
async fn black_hole(seen: Arc<BlackHole>, healthy: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.connections.fetch_add(1, Ordering::SeqCst);
            let (seen, healthy) = (seen.clone(), healthy.clone());
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                // Read until the sender closes the connection: its timeout ended.
                while matches!(socket.read(&mut buffer).await, Ok(n) if n > 0) {}
                seen.healthy_at_first_close
                    .lock()
                    .unwrap()
                    .get_or_insert(healthy.load(Ordering::SeqCst));
            });
        }
    });
    format!("localhost:{port}")
}

const HOSTS: usize = 20;
const DEAD: usize = 2;
const INBOXES: usize = 200;

/// A fan-out to 200 personal inboxes on 20 hosts, 2 of which accept connections and never
/// answer: the 180 healthy deliveries are all made before the first timeout on a dead host
/// ends, and each dead host costs one connection, not one per inbox.
async fn dead_hosts_scenario(backend: &Backend) {
    let net = TestNetwork::start_with_config(backend, |config| {
        // Longer than the default so the assertion holds on a loaded machine too; the test
        // checks the order of events, never a duration.
        config.http_timeout_secs = 10;
    })
    .await;
    let a = net.get(0);
    let alpha = a.create_actor("alpha", "organization").await;
    let healthy = Arc::new(AtomicUsize::new(0));
    let holes: Vec<Arc<BlackHole>> = (0..DEAD).map(|_| Arc::default()).collect();
    let mut hosts = Vec::new();
    for hole in &holes {
        hosts.push(black_hole(hole.clone(), healthy.clone()).await);
    }
    for _ in DEAD..HOSTS {
        hosts.push(healthy_sink(healthy.clone()).await);
    }
    // Hosts take turns, so dead hosts' inboxes are spread through the queue.
    remote_followers(a, &alpha, &hosts, INBOXES).await;
    a.post("alpha", "to two hundred inboxes", "public")
        .await
        .unwrap();
    let ctx = a.instance.ctx.clone();
    puentes_apub::outbox::run_outbox_once(&ctx, 10)
        .await
        .unwrap();
    assert_eq!(
        query::delivery::due_count(a.db()).await.unwrap(),
        INBOXES as u64
    );

    let claimed = puentes_apub::delivery::run_deliveries_once(&ctx, 1_000)
        .await
        .unwrap();
    assert_eq!(claimed, INBOXES);
    let healthy_inboxes = INBOXES - INBOXES / HOSTS * DEAD;
    assert_eq!(healthy.load(Ordering::SeqCst), healthy_inboxes);
    for hole in &holes {
        assert_eq!(
            *hole.healthy_at_first_close.lock().unwrap(),
            Some(healthy_inboxes),
            "every healthy inbox had its delivery before a dead host's timeout ended"
        );
        assert_eq!(
            hole.connections.load(Ordering::SeqCst),
            1,
            "a host never heard from gets one request at a time"
        );
    }
    assert_eq!(
        query::delivery::count_in_state(a.db(), puentes_core::DeliveryState::Delivered)
            .await
            .unwrap(),
        healthy_inboxes as u64
    );
    let pending = query::delivery::list(a.db(), Some(puentes_core::DeliveryState::Pending), 100)
        .await
        .unwrap();
    assert_eq!(pending.len(), INBOXES / HOSTS * DEAD);
    assert!(
        pending
            .iter()
            .all(|d| d.next_attempt_at > chrono::Utc::now()),
        "the dead hosts' deliveries wait for a retry with backoff"
    );
    assert_eq!(
        pending.iter().filter(|d| d.attempts == 1).count(),
        DEAD,
        "one attempt per dead host; its other inboxes were not tried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_is_not_held_back_by_black_holed_hosts() {
    on_every_backend!(dead_hosts_scenario);
}

/// A loopback host that records the path of every POST.
async fn recording_sink(paths: Arc<Mutex<Vec<String>>>) -> String {
    slow_recording_sink(paths, std::time::Duration::ZERO).await
}

/// A loopback host that records the path of every POST and answers after `delay`.
async fn slow_recording_sink(paths: Arc<Mutex<Vec<String>>>, delay: std::time::Duration) -> String {
    sink(delay, move |path| paths.lock().unwrap().push(path)).await
}

/// Two servers on one database (two pools, as two `serve` processes have) drain one
/// delivery queue together: every inbox gets the post exactly once.
async fn shared_queue_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    let alpha = a.create_actor("alpha", "organization").await;
    let paths = Arc::new(Mutex::new(Vec::new()));
    let mut hosts = Vec::new();
    for _ in 0..10 {
        hosts.push(recording_sink(paths.clone()).await);
    }
    remote_followers(a, &alpha, &hosts, 120).await;
    a.post("alpha", "shared queue", "public").await.unwrap();
    let first = a.instance.ctx.clone();
    puentes_apub::outbox::run_outbox_once(&first, 10)
        .await
        .unwrap();
    let second_db = puentes_db::connect_url(&a.db_url, Some(&a.dir))
        .await
        .unwrap();
    let second =
        puentes_apub::FedContext::new(second_db, first.config.clone()).expect("second server");
    let drain = |ctx: puentes_apub::FedContext| async move {
        let mut claimed = 0;
        loop {
            let n = puentes_apub::delivery::run_deliveries_once(&ctx, 7)
                .await
                .unwrap();
            if n == 0 {
                return claimed;
            }
            claimed += n;
        }
    };
    let (one, two) = tokio::join!(tokio::spawn(drain(first)), tokio::spawn(drain(second)));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one + two, 120, "every delivery claimed once: {one} + {two}");
    let mut received = paths.lock().unwrap().clone();
    assert_eq!(received.len(), 120);
    received.sort();
    received.dedup();
    assert_eq!(received.len(), 120, "no inbox got the post twice");
}

/// `count` accepted followers of `of`, each with a personal inbox, on `hosts` in turn.
async fn remote_followers(
    a: &puentes_tests::TestInstance,
    of: &puentes_db::actor::Model,
    hosts: &[String],
    count: usize,
) {
    for i in 0..count {
        let host = &hosts[i % hosts.len()];
        let id = format!("http://{host}/users/u{i}");
        let follower = query::actor::insert(a.db(), remote(&id, host, &of.public_key_pem))
            .await
            .unwrap();
        query::follow::insert(
            a.db(),
            &format!("{id}/follows/1"),
            follower.id,
            of.id,
            FollowState::Accepted,
        )
        .await
        .unwrap();
    }
}

fn remote(id: &str, host: &str, key: &str) -> query::actor::ActorData {
    query::actor::ActorData {
        ap_id: id.to_string(),
        username: id.rsplit('/').next().unwrap_or("u").to_string(),
        domain: host.to_string(),
        kind: puentes_core::ActorKind::Person,
        display_name: None,
        summary: None,
        inbox: format!("{id}/inbox"),
        shared_inbox: None,
        outbox: None,
        followers_url: None,
        following_url: None,
        featured_url: None,
        url: None,
        icon_url: None,
        header_url: None,
        public_key_id: format!("{id}#main-key"),
        public_key_pem: key.to_string(),
        private_key_pem: None,
        ed25519_public: None,
        ed25519_private: None,
        local: false,
        manually_approves_followers: false,
        discoverable: true,
        indexable: true,
        also_known_as: Vec::new(),
        moved_to: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_share_the_delivery_queue_without_duplicates() {
    on_every_backend!(shared_queue_scenario);
}

/// One worker holds a slow host's queue for longer than a lease lasts (12 deliveries, one
/// at a time, 400 ms each, against a 3 s lease) while a second worker on the same database
/// keeps claiming: the first renews its leases, so the second never takes a row it holds
/// and no inbox gets the post twice.
async fn renewed_lease_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    let alpha = a.create_actor("alpha", "organization").await;
    let paths = Arc::new(Mutex::new(Vec::new()));
    let host = slow_recording_sink(paths.clone(), std::time::Duration::from_millis(400)).await;
    const SLOW_QUEUE: usize = 12;
    remote_followers(a, &alpha, std::slice::from_ref(&host), SLOW_QUEUE).await;
    a.post("alpha", "a slow host's queue", "public")
        .await
        .unwrap();
    puentes_apub::outbox::run_outbox_once(&a.instance.ctx, 10)
        .await
        .unwrap();
    let mut config = (*a.instance.ctx.config).clone();
    config.delivery.lease_secs = 3;
    config.delivery.max_per_host = 1;
    let config = Arc::new(config);
    let worker = |db| puentes_apub::FedContext::new(db, config.clone()).expect("worker");
    let first = worker(a.db().clone());
    let second = worker(
        puentes_db::connect_url(&a.db_url, Some(&a.dir))
            .await
            .unwrap(),
    );
    let holder = tokio::spawn(async move {
        puentes_apub::delivery::run_deliveries_once(&first, 100)
            .await
            .unwrap()
    });
    // The second worker starts once the first holds every row.
    while query::delivery::due_count(a.db()).await.unwrap() > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut taken_by_second = 0;
    while !holder.is_finished() {
        taken_by_second += puentes_apub::delivery::run_deliveries_once(&second, 100)
            .await
            .unwrap();
        // The second worker's poll interval.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        holder.await.unwrap(),
        SLOW_QUEUE,
        "the first worker claimed all"
    );
    assert_eq!(
        taken_by_second, 0,
        "the second worker took rows the first held"
    );
    let received = paths.lock().unwrap().clone();
    assert_eq!(received.len(), SLOW_QUEUE, "every inbox got the post once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_hosts_queue_outlasting_its_lease_is_sent_once() {
    on_every_backend!(renewed_lease_scenario);
}

/// The inbox works with the instance's one application layer, so what it keeps in memory
/// (group writers, the authors followed here) serves every request. Seen through the cache
/// of followed authors: a follow ended behind the instance's back (by another process) is
/// noticed only when that memory expires, so a post arriving right after is still kept. An
/// inbox that built its application layer per request (as it once did) would ask the
/// database again and drop the post; every inbox request would also start its own writers.
async fn one_application_layer_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    a.create_actor("alpha", "organization").await;
    let remote = FakeRemote::start().await;
    let ana = remote.add_actor(
        "/users/ana",
        &json!({ "type": "Person", "preferredUsername": "ana" }),
    );
    let inbox = format!("{}/inbox", a.base());
    let create = |n: u32| {
        let note = format!("{ana}/notes/{n}");
        let public = "https://www.w3.org/ns/activitystreams#Public";
        let doc = json!({
            "id": format!("{note}/activity"), "type": "Create", "actor": ana, "to": [public],
            "object": { "id": note, "type": "Note", "attributedTo": ana, "to": [public],
                        "content": format!("<p>nota {n}</p>") }
        });
        (note, doc)
    };
    // Before anyone here follows ana: verified (so ana is stored), and not kept.
    let (first, doc) = create(1);
    assert_eq!(remote.post(&inbox, &ana, &doc).await.0, 202);
    assert!(a.post_by_id(&first).await.is_none());
    let stored_ana = query::actor::by_ap_id(a.db(), &ana)
        .await
        .unwrap()
        .expect("ana was stored when her signature was verified");
    let alpha = a.actor("alpha").await;
    query::follow::insert(
        a.db(),
        &format!("{}/follows/ana", alpha.ap_id),
        alpha.id,
        stored_ana.id,
        FollowState::Accepted,
    )
    .await
    .unwrap();
    let (second, doc) = create(2);
    assert_eq!(remote.post(&inbox, &ana, &doc).await.0, 202);
    assert!(a.post_by_id(&second).await.is_some(), "followed: kept");

    // Another process ends the follow (plain SQL: this process hears nothing of it).
    use puentes_db::ConnectionTrait;
    a.db()
        .execute_unprepared(&format!(
            "DELETE FROM follow WHERE follower_id = {} AND followed_id = {}",
            alpha.id, stored_ana.id
        ))
        .await
        .unwrap();
    let (third, doc) = create(3);
    assert_eq!(remote.post(&inbox, &ana, &doc).await.0, 202);
    assert!(
        a.post_by_id(&third).await.is_some(),
        "the inbox answered from the memory the previous request filled"
    );
}

#[tokio::test]
async fn the_inbox_shares_the_instance_application_layer() {
    on_every_backend!(one_application_layer_scenario);
}

/// A loopback host that reports the path of every POST on `paths`.
async fn reporting_sink(paths: tokio::sync::mpsc::UnboundedSender<String>) -> String {
    sink(std::time::Duration::ZERO, move |path| {
        let _ = paths.send(path);
    })
    .await
}

/// The instance's context (its commits and wake-ups shared) for workers that poll an hour
/// apart: anything they send within a minute was sent on a wake-up, not a poll.
fn polling_hourly(ctx: &puentes_apub::FedContext) -> puentes_apub::FedContext {
    let mut ctx = ctx.clone();
    let mut config = (*ctx.config).clone();
    config.delivery.poll_interval_ms = 3_600_000;
    ctx.config = Arc::new(config);
    ctx
}

/// Waits up to a minute for a `reporting_sink` to receive `post` in an inbox.
async fn delivered_within_a_minute(
    paths: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    post: &str,
) {
    let path = tokio::time::timeout(std::time::Duration::from_secs(60), paths.recv())
        .await
        .unwrap_or_else(|_| panic!("the {post} post: not delivered within a minute"))
        .expect("sink open");
    assert!(path.ends_with("/inbox"), "{path}");
}

/// The delivery worker of `serve`, between polls an hour apart, sends what the outbox of
/// its own process queues at once: a post reaches its followers without waiting for a poll.
async fn queued_deliveries_wake_the_worker_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    let alpha = a.create_actor("alpha", "organization").await;
    let (tx, mut paths) = tokio::sync::mpsc::unbounded_channel();
    let host = reporting_sink(tx).await;
    const FOLLOWERS: usize = 3;
    remote_followers(a, &alpha, std::slice::from_ref(&host), FOLLOWERS).await;
    let ctx = polling_hourly(&a.instance.ctx);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let worker = tokio::spawn({
        let (ctx, shutdown) = (ctx.clone(), shutdown.clone());
        async move { puentes_apub::delivery::run_delivery_worker(&ctx, &shutdown).await }
    });
    // The first post may be found by the worker's first claim; once it is delivered the
    // worker has found the queue empty and waits for its next poll.
    for post in ["first", "second"] {
        a.post("alpha", post, "public").await.unwrap();
        puentes_apub::outbox::run_outbox_once(&ctx, 10)
            .await
            .unwrap();
        for _ in 0..FOLLOWERS {
            delivered_within_a_minute(&mut paths, post).await;
        }
    }
    shutdown.cancel();
    worker.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_deliveries_wake_a_waiting_worker() {
    on_every_backend!(queued_deliveries_wake_the_worker_scenario);
}

/// A post made in the server's own process (its web pages, its client API) is prepared for
/// delivery when it is committed, not at the outbox worker's next poll.
async fn commits_wake_the_outbox_worker_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let a = net.get(0);
    let alpha = a.create_actor("alpha", "organization").await;
    let (tx, mut paths) = tokio::sync::mpsc::unbounded_channel();
    let host = reporting_sink(tx).await;
    remote_followers(a, &alpha, std::slice::from_ref(&host), 1).await;
    // The instance's context: the workers hear its application layer's commits.
    let ctx = polling_hourly(&a.instance.ctx);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let workers = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { jobs::run_workers(ctx, shutdown).await }
    });
    // The first post may be found by the workers' first rounds; after it they wait.
    for post in ["first", "second"] {
        a.post("alpha", post, "public").await.unwrap();
        delivered_within_a_minute(&mut paths, post).await;
    }
    shutdown.cancel();
    workers.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_wake_the_outbox_worker() {
    on_every_backend!(commits_wake_the_outbox_worker_scenario);
}
