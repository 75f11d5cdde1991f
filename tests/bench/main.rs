//! `puentes-bench`: starts a Puentes server as a child process (SQLite, then PostgreSQL when
//! PUENTES_TEST_DATABASE_URL is set), loopback sinks of many hosts and a built-in load
//! generator, and reports each scenario of issue 14: rates, p50/p99, the server's CPU
//! microseconds per operation (from /proc), RSS idle and peak, cold start, and bytes per
//! stored activity. `--quick` runs every scenario briefly with small numbers: CI runs it
//! as a smoke test and asserts nothing about timings.
//!
//! The server is this same binary started with `--child`, so its CPU and memory are
//! measured apart from the load generator's. Read scenarios pin the server to one core
//! (`taskset`, when present); the others give it every core.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod gotosocial;

use axum::{Router, http::StatusCode};
use puentes_app::{Caller, posts::NewPost};
use puentes_core::{ActorKind, Config, FollowState, Visibility};
use puentes_db::{DatabaseConnection, query};
use puentes_server::Instance;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::{net::TcpListener, sync::Notify};

/// The groups of scenarios `--only` picks from (to profile one of them).
#[derive(Clone, Copy, PartialEq)]
enum Group {
    Reads,
    FanOut,
    Inbox,
    Follows,
}

impl Group {
    fn parse(name: &str) -> Group {
        match name {
            "reads" => Group::Reads,
            "fan-out" => Group::FanOut,
            "inbox" => Group::Inbox,
            "follows" => Group::Follows,
            other => panic!("--only takes reads, fan-out, inbox or follows, not {other:?}"),
        }
    }
}

/// Sizes of one run.
#[derive(Clone, Copy)]
struct Sizes {
    quick: bool,
    /// Run only this group of scenarios (`--only NAME`); all when `None`.
    only: Option<Group>,
    read_secs: f64,
    concurrency: usize,
    remote_actors: usize,
    posts: usize,
    inboxes: usize,
    hosts: usize,
    inbox_activities: usize,
    inbox_senders: usize,
    follows: usize,
    /// Runs of each fan-out and inbox scenario: one short run on a shared VM varies by a
    /// quarter from the next, so the median is reported beside each run.
    repeats: usize,
}

const FULL: Sizes = Sizes {
    quick: false,
    only: None,
    read_secs: 5.0,
    concurrency: 32,
    remote_actors: 2_100,
    posts: 12_000,
    inboxes: 1_000,
    hosts: 50,
    inbox_activities: 4_000,
    inbox_senders: 50,
    follows: 200,
    repeats: 3,
};

const QUICK: Sizes = Sizes {
    quick: true,
    only: None,
    read_secs: 0.3,
    concurrency: 8,
    remote_actors: 100,
    posts: 300,
    inboxes: 100,
    hosts: 10,
    inbox_activities: 100,
    inbox_senders: 10,
    follows: 40,
    repeats: 1,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        // The server runs as `puentes serve` does, on the same runtime.
        let runtime = puentes_server::runtime().expect("runtime");
        runtime.block_on(child(&args[2], &args[3], &args[4]));
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut sizes = if args.iter().any(|a| a == "--quick") {
        QUICK
    } else {
        FULL
    };
    if let Some(at) = args.iter().position(|a| a == "--only") {
        sizes.only = Some(Group::parse(args.get(at + 1).map_or("", String::as_str)));
    }
    runtime.block_on(run(sizes));
}

fn child_config(port: &str, dir: &str, db_url: &str) -> Config {
    let mut config = Config {
        domain: format!("localhost:{port}"),
        bind: format!("127.0.0.1:{port}"),
        database_url: Some(db_url.to_string()),
        data_dir: dir.into(),
        workers: true,
        http_timeout_secs: 10,
        ..Config::default()
    };
    // The load comes from one address and few hosts: per-client limits would measure
    // themselves (0 = none).
    config.limits.connections_per_ip = 0;
    config.limits.inbox_per_ip_per_minute = 0;
    config.limits.inbox_per_host_per_minute = 0;
    config.limits.pages_per_ip_per_minute = 0;
    config.limits.key_fetches_per_host_per_minute = 0;
    config.delivery.poll_interval_ms = 20;
    config.delivery.batch_size = 256;
    config
}

/// The server: what `puentes serve` runs, with a short worker poll interval.
async fn child(port: &str, dir: &str, db_url: &str) {
    let config = child_config(port, dir, db_url);
    let listener = TcpListener::bind(&config.bind).await.expect("bind");
    let instance = Instance::open(config, puentes_server::database::IfMissing::Create)
        .await
        .expect("open");
    let shutdown = tokio_util::sync::CancellationToken::new();
    tokio::spawn(puentes_server::jobs::run_workers(
        instance.ctx.clone(),
        shutdown.clone(),
    ));
    instance.serve(listener, shutdown).await.expect("serve");
}

struct Server {
    process: Child,
    port: u16,
    base: String,
}

impl Server {
    /// Starts the server and waits for its first answer; returns it and the time that took.
    async fn start(dir: &std::path::Path, db_url: &str, port: Option<u16>) -> (Server, Duration) {
        // A restart keeps its port: the database belongs to the instance of that domain.
        let port = match port {
            Some(port) => port,
            None => free_port().await,
        };
        let mut command = Command::new(std::env::current_exe().expect("exe"));
        // As deploy/puentes.service runs it.
        command.env("MALLOC_ARENA_MAX", "2");
        command.args([
            "--child",
            &port.to_string(),
            &dir.display().to_string(),
            db_url,
        ]);
        Server::spawn(command, port).await
    }

    /// Runs `command` (a server listening on `port`) and waits until it answers NodeInfo
    /// discovery.
    async fn spawn(mut command: Command, port: u16) -> (Server, Duration) {
        let started = Instant::now();
        let process = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server");
        let server = Server {
            process,
            port,
            base: format!("http://localhost:{port}"),
        };
        let client = http_client().build().expect("client");
        loop {
            let ok = client
                .get(format!("{}/.well-known/nodeinfo", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        (server, started.elapsed())
    }

    fn pid(&self) -> u32 {
        self.process.id()
    }

    /// CPU time used so far (user + system, all threads).
    fn cpu(&self) -> Duration {
        process_cpu(&self.pid().to_string())
    }

    /// (VmRSS, VmHWM) in MB.
    fn memory(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
                / 1024.0
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Pins every thread to the first core (`Some(0)`) or frees them.
    fn pin(&self, one_core: bool) {
        let cpus = if one_core { "0" } else { "0-1023" };
        let _ = Command::new("taskset")
            .args(["-a", "-p", "-c", cpus, &self.pid().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    fn stop(self) {}
}

/// A server never outlives the benchmark, even one that panics.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Linux reports CPU time in ticks of 1/100 s on every architecture we run on.
const CLOCK_TICKS: u64 = 100;

/// The load generator's HTTP client. It names itself: GoToSocial answers 418 to requests
/// without a User-Agent.
fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().user_agent("puentes-bench")
}

async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Sizes {
    fn runs(&self, group: Group) -> bool {
        self.only.is_none_or(|only| only == group)
    }
}

struct Load {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Load {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// GETs `url` from `concurrency` keep-alive connections for `secs` seconds.
async fn load_get(url: &str, accept: &str, concurrency: usize, secs: f64) -> Load {
    let client = http_client()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url, accept) = (client.clone(), url.to_string(), accept.to_string());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < until {
                let at = Instant::now();
                let ok = match client.get(&url).header("Accept", &accept).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(at.elapsed().as_micros() as u64);
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        });
    }
    let mut load = Load {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    while let Some(done) = tasks.join_next().await {
        let (latencies, errors) = done.expect("load task");
        load.requests += latencies.len();
        load.errors += errors;
        load.latencies_us.extend(latencies);
    }
    load.elapsed = started.elapsed();
    load.latencies_us.sort_unstable();
    load
}

/// One line of the report.
fn row(scenario: &str, result: String) {
    println!("| {scenario} | {result} |");
}

/// CPU time a process has used so far (user + system, all threads), from /proc/PID/stat.
fn process_cpu(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat: 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / CLOCK_TICKS)
}

/// CPU time this process (the load generator and the sinks) has used so far: with the
/// server's, it tells how much of the machine a scenario left to the server.
fn bench_cpu() -> Duration {
    process_cpu("self")
}

/// What the bench process itself (sinks or senders) spent per operation beside the server,
/// and the rate the machine could reach if every core ran only the two at that cost.
fn beside(server: Duration, bench: Duration, ops: usize, op: &str) -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let per_op = cpu_per_op(server + bench, ops);
    format!(
        "{:.0} µs CPU/{op}, so at most {:.0}/s on {cores} cores",
        cpu_per_op(bench, ops),
        cores * 1e6 / per_op.max(1.0)
    )
}

fn cpu_per_op(cpu: Duration, ops: usize) -> f64 {
    cpu.as_micros() as f64 / ops.max(1) as f64
}

async fn read_scenario(server: &Server, name: &str, path: &str, accept: &str, sizes: Sizes) -> f64 {
    server.pin(true);
    // Warm up connections and caches.
    load_get(
        &format!("{}{path}", server.base),
        accept,
        sizes.concurrency,
        0.2,
    )
    .await;
    let cpu = server.cpu();
    let load = load_get(
        &format!("{}{path}", server.base),
        accept,
        sizes.concurrency,
        sizes.read_secs,
    )
    .await;
    let cpu = server.cpu().saturating_sub(cpu);
    server.pin(false);
    row(
        name,
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {:.0} µs CPU/req, {} errors",
            load.rate(),
            load.percentile(0.5),
            load.percentile(0.99),
            cpu_per_op(cpu, load.requests),
            load.errors
        ),
    );
    load.rate()
}

fn remote_actor(
    i: usize,
    host: &str,
    inbox_host: &str,
    public_key_pem: &str,
) -> query::actor::ActorData {
    let id = format!("http://{host}/users/u{i}");
    query::actor::ActorData {
        ap_id: id.clone(),
        username: format!("u{i}"),
        domain: host.to_string(),
        kind: ActorKind::Person,
        display_name: Some(format!("Remote {i}")),
        summary: None,
        inbox: format!("http://{inbox_host}/users/u{i}/inbox"),
        shared_inbox: None,
        outbox: None,
        followers_url: None,
        following_url: None,
        featured_url: None,
        url: None,
        icon_url: None,
        header_url: None,
        public_key_id: format!("{id}#main-key"),
        public_key_pem: public_key_pem.to_string(),
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

/// Loopback hosts that answer POSTs with 202 after `delay`, counting them.
async fn sinks(
    count: usize,
    delay: Duration,
    received: Arc<AtomicUsize>,
    notify: Arc<Notify>,
) -> Vec<String> {
    let mut hosts = Vec::new();
    for _ in 0..count {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (received, notify) = (received.clone(), notify.clone());
        let app = Router::new().fallback(move || {
            let (received, notify) = (received.clone(), notify.clone());
            async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                received.fetch_add(1, Ordering::SeqCst);
                notify.notify_waiters();
                StatusCode::ACCEPTED
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        hosts.push(format!("localhost:{port}"));
    }
    hosts
}

/// Hosts that refuse connections (a closed port). Their ports are taken below the range the
/// system hands out for port 0: a later scenario's sink must never get a port the server
/// has seen fail (and parked), or its healthy deliveries would wait out the backoff.
async fn dead_hosts(count: usize) -> Vec<String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let mut hosts = Vec::new();
    while hosts.len() < count {
        let port = 20_000 + (NEXT.fetch_add(1, Ordering::SeqCst) % 10_000) as u16;
        // Free now: nothing listens there.
        if TcpListener::bind(("127.0.0.1", port)).await.is_ok() {
            hosts.push(format!("localhost:{port}"));
        }
    }
    hosts
}

/// Hosts that accept connections and never answer.
async fn black_holes(count: usize) -> Vec<String> {
    let mut hosts = Vec::new();
    for _ in 0..count {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        hosts.push(format!("localhost:{port}"));
    }
    hosts
}

#[derive(Clone, Copy, PartialEq)]
enum FanOut {
    Healthy,
    Dead,
    BlackHoled,
    Latency,
}

/// The answering hosts of a fan-out variant, the same in every run of it (as a real
/// fan-out reaches the same hosts again, over the connections it keeps).
struct HealthyHosts {
    hosts: Vec<String>,
    received: Arc<AtomicUsize>,
    notify: Arc<Notify>,
}

impl FanOut {
    async fn healthy_hosts(self, sizes: Sizes) -> HealthyHosts {
        let (received, notify) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
        let delay = if self == FanOut::Latency {
            Duration::from_millis(20)
        } else {
            Duration::ZERO
        };
        let count = sizes.hosts - self.bad_hosts(sizes);
        HealthyHosts {
            hosts: sinks(count, delay, received.clone(), notify.clone()).await,
            received,
            notify,
        }
    }

    fn bad_hosts(self, sizes: Sizes) -> usize {
        if self == FanOut::Dead || self == FanOut::BlackHoled {
            sizes.hosts / 10
        } else {
            0
        }
    }

    fn label(self) -> &'static str {
        match self {
            FanOut::Healthy => "fan-out, healthy",
            FanOut::Dead => "fan-out, 10 % of hosts refuse connections",
            FanOut::BlackHoled => "fan-out, 10 % of hosts black-holed",
            FanOut::Latency => "fan-out, 20 ms peer latency",
        }
    }
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Publishes one post from a local actor with `sizes.inboxes` followers on `sizes.hosts`
/// hosts and measures until every healthy inbox has it. Returns deliveries per second.
async fn fan_out_scenario(
    server: &Server,
    parent: &Instance,
    (variant, healthy_hosts): (FanOut, &HealthyHosts),
    index: usize,
    key_pem: &str,
    sizes: Sizes,
) -> f64 {
    let HealthyHosts {
        hosts: sink_hosts,
        received,
        notify,
    } = healthy_hosts;
    received.store(0, Ordering::SeqCst);
    let bad = variant.bad_hosts(sizes);
    // Hosts that fail are new each run: the server parks those it has seen fail.
    let mut hosts = match variant {
        FanOut::Dead => dead_hosts(bad).await,
        FanOut::BlackHoled => black_holes(bad).await,
        _ => Vec::new(),
    };
    hosts.extend(sink_hosts.iter().cloned());
    let name = format!("fan{index}");
    let app = &parent.app;
    let author = app
        .create_actor(
            &Caller::Operator,
            puentes_app::actors::NewActor {
                name: name.clone(),
                kind: ActorKind::Organization,
                display_name: None,
                summary: None,
                manually_approves_followers: false,
            },
        )
        .await
        .expect("fan-out actor");
    let db = &parent.ctx.db;
    let mut healthy = 0;
    for i in 0..sizes.inboxes {
        let host = &hosts[i % hosts.len()];
        if i % hosts.len() >= bad {
            healthy += 1;
        }
        let follower =
            query::actor::insert(db, remote_actor(index * 100_000 + i, host, host, key_pem))
                .await
                .expect("follower");
        query::follow::insert(
            db,
            &format!("{}/follows/{index}", follower.ap_id),
            follower.id,
            author.id,
            FollowState::Accepted,
        )
        .await
        .expect("follow");
    }
    let (cpu, sink_cpu) = (server.cpu(), bench_cpu());
    let started = Instant::now();
    app.publish(&Caller::Operator, &name, NewPost::text("fan-out benchmark"))
        .await
        .expect("publish");
    let deadline = started + Duration::from_secs(300);
    while received.load(Ordering::SeqCst) < healthy && Instant::now() < deadline {
        let wait = notify.notified();
        tokio::select! {
            _ = wait => {}
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
    let elapsed = started.elapsed();
    let cpu = server.cpu().saturating_sub(cpu);
    let sink_cpu = bench_cpu().saturating_sub(sink_cpu);
    let done = received.load(Ordering::SeqCst);
    let label = variant.label();
    let rate = done as f64 / elapsed.as_secs_f64();
    row(
        &format!(
            "{label} ({} inboxes on {} hosts)",
            sizes.inboxes, sizes.hosts
        ),
        format!(
            "{done}/{healthy} healthy delivered in {:.2} s: {rate:.0} deliveries/s, {:.0} µs CPU/delivery; sinks {}",
            elapsed.as_secs_f64(),
            cpu_per_op(cpu, done),
            beside(cpu, sink_cpu, done, "delivery"),
        ),
    );
    rate
}

/// A request signed beforehand: its headers and body.
type Signed = (Vec<(&'static str, String)>, Vec<u8>);

/// Pre-signed Creates from `senders` concurrent senders to the shared inbox.
async fn signed_inbox_scenario(
    server: &Server,
    parent: &Instance,
    keys: &(String, String),
    sizes: Sizes,
    round: usize,
) -> (f64, f64) {
    let db = &parent.ctx.db;
    let (public_pem, private_pem) = keys;
    let alpha = query::actor::local_by_name_required(db, "alpha")
        .await
        .expect("alpha");
    let sink_hits = Arc::new(AtomicUsize::new(0));
    let sink = sinks(1, Duration::ZERO, sink_hits, Arc::new(Notify::new())).await;
    let host = "localhost:9";
    let mut authors = Vec::new();
    for i in 0..sizes.inbox_senders {
        let actor = query::actor::insert(
            db,
            remote_actor(900_000 + round * 1_000 + i, host, &sink[0], public_pem),
        )
        .await
        .expect("sender");
        query::follow::insert(
            db,
            &format!("{}/f/{round}/{i}", alpha.ap_id),
            alpha.id,
            actor.id,
            FollowState::Accepted,
        )
        .await
        .expect("follow");
        authors.push(actor.ap_id);
    }
    // Signed beforehand: the measure is the server's, not the signer's.
    let inbox = format!("{}/inbox", server.base);
    let url = url::Url::parse(&inbox).expect("inbox");
    let mut requests: Vec<Vec<Signed>> = vec![Vec::new(); sizes.inbox_senders];
    for n in 0..sizes.inbox_activities {
        let sender = n % sizes.inbox_senders;
        let actor = &authors[sender];
        let note = format!("{actor}/notes/{n}");
        let body = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{note}/activity"),
            "type": "Create",
            "actor": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{actor}/followers")],
            "object": {
                "id": note, "type": "Note", "attributedTo": actor,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [format!("{actor}/followers")],
                "content": format!("<p>Note {n} of the inbox benchmark, with some words in it.</p>"),
                "published": "2026-11-30T12:00:00Z",
            }
        })
        .to_string()
        .into_bytes();
        let headers = puentes_apub::signing::sign_request(
            "POST",
            &url,
            Some(&body),
            &format!("{actor}#main-key"),
            private_pem,
        )
        .expect("sign");
        requests[sender].push((headers, body));
    }
    let client = http_client()
        .pool_max_idle_per_host(sizes.inbox_senders)
        .build()
        .expect("client");
    let (cpu, sender_cpu) = (server.cpu(), bench_cpu());
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for mine in requests {
        let (client, inbox) = (client.clone(), inbox.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = Vec::new();
            for (headers, body) in mine {
                let mut request = client
                    .post(&inbox)
                    .header("Content-Type", "application/activity+json");
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                let at = Instant::now();
                let status = request
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                latencies.push(at.elapsed().as_micros() as u64);
                if !(200..300).contains(&status) {
                    failures.push(status);
                }
            }
            (latencies, failures)
        });
    }
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (l, f) = done.expect("sender");
        latencies.extend(l);
        failures.extend(f);
    }
    let load = Load {
        requests: latencies.len(),
        errors: failures.len(),
        elapsed: started.elapsed(),
        latencies_us: {
            latencies.sort_unstable();
            latencies
        },
    };
    let cpu = server.cpu().saturating_sub(cpu);
    let sender_cpu = bench_cpu().saturating_sub(sender_cpu);
    row(
        &format!("signed inbox, {} concurrent senders", sizes.inbox_senders),
        format!(
            "{:.0} activities/s, p50 {:.1} ms, p95 {:.1} ms, {:.0} µs CPU/activity; senders {}; {} refused {:?}",
            load.rate(),
            load.percentile(0.5),
            load.percentile(0.95),
            cpu_per_op(cpu, load.requests),
            beside(cpu, sender_cpu, load.requests, "activity"),
            load.errors,
            failures.iter().take(5).collect::<Vec<_>>()
        ),
    );
    (load.rate(), load.percentile(0.95))
}

/// Signed Follows from 16 concurrent senders while the parent process posts to the same
/// database (as a CLI command beside the server would).
async fn concurrent_follows_scenario(
    server: &Server,
    parent: &Instance,
    keys: &(String, String),
    sizes: Sizes,
) {
    let db = &parent.ctx.db;
    let (public_pem, private_pem) = keys;
    let sink = sinks(1, Duration::ZERO, Arc::default(), Arc::new(Notify::new())).await;
    let host = "localhost:7";
    let mut followers = Vec::new();
    for i in 0..sizes.follows {
        let actor = query::actor::insert(db, remote_actor(800_000 + i, host, &sink[0], public_pem))
            .await
            .expect("follower");
        followers.push(actor.ap_id);
    }
    let alpha = format!("{}/actors/alpha", server.base);
    let inbox = format!("{}/actors/alpha/inbox", server.base);
    let url = url::Url::parse(&inbox).expect("inbox");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poster = {
        let (app, stop) = (parent.app.clone(), stop.clone());
        tokio::spawn(async move {
            let mut errors = 0;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                if app
                    .publish(
                        &Caller::Operator,
                        "alpha",
                        NewPost::text(&format!("while following {n}")),
                    )
                    .await
                    .is_err()
                {
                    errors += 1;
                }
                n += 1;
            }
            (n, errors)
        })
    };
    let client = http_client().build().expect("client");
    let mut tasks = tokio::task::JoinSet::new();
    for sender in 0..16 {
        let mine: Vec<String> = followers.iter().skip(sender).step_by(16).cloned().collect();
        let (client, inbox, url, alpha, private_pem) = (
            client.clone(),
            inbox.clone(),
            url.clone(),
            alpha.clone(),
            private_pem.clone(),
        );
        tasks.spawn(async move {
            let mut statuses = Vec::new();
            for follower in mine {
                let body = json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{follower}/follows/bench"), "type": "Follow",
                    "actor": follower, "object": alpha,
                })
                .to_string()
                .into_bytes();
                let headers = puentes_apub::signing::sign_request(
                    "POST",
                    &url,
                    Some(&body),
                    &format!("{follower}#main-key"),
                    &private_pem,
                )
                .expect("sign");
                let mut request = client
                    .post(&inbox)
                    .header("Content-Type", "application/activity+json");
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                statuses.push(
                    request
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0),
                );
            }
            statuses
        });
    }
    let mut statuses = Vec::new();
    while let Some(done) = tasks.join_next().await {
        statuses.extend(done.expect("sender"));
    }
    stop.store(true, Ordering::Relaxed);
    let (posts, post_errors) = poster.await.expect("poster");
    let server_errors = statuses.iter().filter(|s| **s >= 500 || **s == 0).count();
    row(
        &format!(
            "concurrent Follows, 16 senders, {} Follows, posting meanwhile",
            sizes.follows
        ),
        format!(
            "{server_errors} answered 5xx; {} other non-2xx; {posts} posts by another process meanwhile, {post_errors} failed",
            statuses
                .iter()
                .filter(|s| !(200..300).contains(*s) && **s < 500 && **s != 0)
                .count()
        ),
    );
}

async fn seed_database(parent: &Instance, key_pem: &str, sizes: Sizes) {
    let db = &parent.ctx.db;
    let txn = puentes_db::begin_write(db).await.expect("begin");
    let mut authors = Vec::new();
    for i in 0..sizes.remote_actors {
        let host = format!("seed{}.example", i % 50);
        let actor = query::actor::insert(&txn, remote_actor(i, &host, &host, key_pem))
            .await
            .expect("seed actor");
        authors.push(actor);
    }
    for n in 0..sizes.posts {
        let author = &authors[n % authors.len()];
        query::post::insert(
            &txn,
            query::post::PostData {
                ap_id: format!("{}/notes/{n}", author.ap_id),
                author_id: author.id,
                kind: "Note".into(),
                content: format!(
                    "<p>Seeded note {n}, about as long as a short post usually is.</p>"
                ),
                summary: None,
                name: None,
                language: Some("es".into()),
                sensitive: false,
                in_reply_to: None,
                url: None,
                visibility: Visibility::Public,
                to: vec![puentes_core::content::PUBLIC.to_string()],
                cc: vec![],
                local: false,
                published: chrono::Utc::now(),
                updated_at: None,
                content_map: None,
                tags: vec![],
                audience: None,
                attachments: vec![],
            },
        )
        .await
        .expect("seed post");
    }
    txn.commit().await.expect("commit");
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .ok()
        .flatten();
    row.and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0)
}

async fn run(sizes: Sizes) {
    println!(
        "# puentes-bench{} — {} cores, server pinned to 1 core for reads",
        if sizes.quick {
            " --quick (smoke test, timings meaningless)"
        } else {
            ""
        },
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    signing_limit(sizes);
    let mut backends = vec![None];
    if let Ok(url) = std::env::var("PUENTES_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        backends.push(Some(url));
    }
    for backend in backends {
        run_backend(backend, sizes).await;
    }
}

/// What this machine signs and verifies per second on one core, with the library in use.
fn signing_limit(sizes: Sizes) {
    let keys = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
    let key = puentes_apub::signing::SigningKey::rsa("k", &keys.private_key).expect("key");
    let url = url::Url::parse("http://localhost:1/inbox").expect("url");
    let secs = if sizes.quick { 0.1 } else { 2.0 };
    let started = Instant::now();
    let mut signed = 0;
    let mut last = Vec::new();
    while started.elapsed().as_secs_f64() < secs {
        last = puentes_apub::signing::sign(
            &key,
            puentes_apub::signing::Scheme::Cavage,
            "POST",
            &url,
            Some(b"{}"),
        )
        .expect("sign");
        signed += 1;
    }
    let sign_rate = signed as f64 / started.elapsed().as_secs_f64();
    let mut headers = http::HeaderMap::new();
    headers.insert("host", http::HeaderValue::from_static("localhost:1"));
    for (name, value) in &last {
        headers.insert(*name, http::HeaderValue::from_str(value).expect("header"));
    }
    let public = puentes_apub::signing::PublicKeys {
        rsa_key_id: "k",
        rsa_pem: &keys.public_key,
        ed25519_multibase: None,
    };
    let pending =
        puentes_apub::signing::PendingSignature::parse(&puentes_apub::signing::IncomingRequest {
            method: "POST",
            path_and_query: "/inbox",
            base_url: "http://localhost:1",
            headers: &headers,
            body: Some(b"{}"),
        })
        .expect("parse");
    let started = Instant::now();
    let mut verified = 0;
    while started.elapsed().as_secs_f64() < secs {
        pending.verify(&public).expect("verify");
        verified += 1;
    }
    let verify_rate = verified as f64 / started.elapsed().as_secs_f64();
    row(
        "RSA-2048 (AWS-LC), one core",
        format!(
            "{sign_rate:.0} signatures/s, {verify_rate:.0} verifications/s (whole draft-cavage sign/verify)"
        ),
    );
}

/// Creates a fresh database on the PostgreSQL server at `server`; returns its name.
async fn create_database(server: &str, prefix: &str) -> String {
    let admin = puentes_db::connect_url(server, None)
        .await
        .expect("PostgreSQL");
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    name
}

/// How many times faster ours is than theirs.
fn ratio(ours: f64, theirs: f64) -> String {
    format!(
        "Puentes {:.2}× GoToSocial's rate",
        ours / theirs.max(f64::MIN_POSITIVE)
    )
}

async fn run_backend(postgres: Option<String>, sizes: Sizes) {
    let dir = std::env::temp_dir().join(format!("puentes-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db_url = match &postgres {
        None => format!("sqlite://{}/puentes.db?mode=rwc", dir.display()),
        Some(server) => {
            let name = create_database(server, "puentes_bench").await;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
    };
    println!();
    println!(
        "## {}",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!();
    println!("| scenario | result |");
    println!("| --- | --- |");
    let (server, fresh_start) = Server::start(&dir, &db_url, None).await;
    tokio::time::sleep(Duration::from_millis(if sizes.quick { 100 } else { 1000 })).await;
    let (idle_rss, _) = server.memory();
    // The parent opens the same database, as a CLI command would, to seed and publish.
    let db = puentes_db::connect_url(&db_url, Some(&dir))
        .await
        .expect("connect");
    let parent = Instance::with_db(
        child_config(
            &server.port.to_string(),
            &dir.display().to_string(),
            &db_url,
        ),
        db,
    )
    .await
    .expect("parent instance");
    let keys = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
    let keys = (keys.public_key, keys.private_key);
    parent
        .app
        .create_actor(
            &Caller::Operator,
            puentes_app::actors::NewActor {
                name: "alpha".into(),
                kind: ActorKind::Organization,
                display_name: Some("Alpha".into()),
                summary: Some("An organization of the benchmark".into()),
                manually_approves_followers: false,
            },
        )
        .await
        .expect("alpha");

    let reads = sizes.runs(Group::Reads);
    let json_accept = "application/activity+json";
    let mut empty = 0.0;
    if reads {
        let gts = match gotosocial::binary() {
            Some(binary) => {
                let pg = match &postgres {
                    Some(server) => Some(gotosocial::Pg::from_url(
                        server,
                        create_database(server, "gts_bench").await,
                    )),
                    None => None,
                };
                Some(gotosocial::start(&binary, &dir, pg.as_ref()).await)
            }
            None => None,
        };

        let ours = read_scenario(
            &server,
            "actor JSON, server on 1 core",
            "/actors/alpha",
            json_accept,
            sizes,
        )
        .await;
        if let Some(gts) = &gts {
            // GoToSocial answers 401 to unsigned actor fetches; its key document is what any
            // server fetches unsigned.
            let theirs = read_scenario(
                gts,
                "GoToSocial: public key document, 1 core",
                &format!("/users/{}/main-key", gotosocial::ACCOUNT),
                json_accept,
                sizes,
            )
            .await;
            row("actor JSON vs GoToSocial", ratio(ours, theirs));
        }
        let webfinger =
            |port: u16| format!("/.well-known/webfinger?resource=acct:alpha@localhost:{port}");
        let ours = read_scenario(
            &server,
            "WebFinger, 1 core",
            &webfinger(server.port),
            "application/jrd+json",
            sizes,
        )
        .await;
        if let Some(gts) = &gts {
            let theirs = read_scenario(
                gts,
                "GoToSocial: WebFinger, 1 core",
                &webfinger(gts.port),
                "application/jrd+json",
                sizes,
            )
            .await;
            row("WebFinger vs GoToSocial", ratio(ours, theirs));
        }
        empty = read_scenario(
            &server,
            "NodeInfo, empty database, 1 core",
            "/nodeinfo/2.1",
            "application/json",
            sizes,
        )
        .await;
        if let Some(gts) = gts {
            let theirs = read_scenario(
                &gts,
                "GoToSocial: NodeInfo, empty database, 1 core",
                "/nodeinfo/2.0",
                "application/json",
                sizes,
            )
            .await;
            row("NodeInfo vs GoToSocial", ratio(empty, theirs));
            let (rss, peak) = gts.memory();
            row(
                "GoToSocial RSS after its read scenarios",
                format!("now {rss:.1} MB, peak {peak:.1} MB"),
            );
            gts.stop();
        }
    }
    seed_database(&parent, &keys.0, sizes).await;
    parent
        .app
        .create_actor(
            &Caller::Operator,
            puentes_app::actors::NewActor {
                name: "late".into(),
                kind: ActorKind::Organization,
                display_name: None,
                summary: None,
                manually_approves_followers: false,
            },
        )
        .await
        .expect("late actor");
    if reads {
        let seeded = read_scenario(
            &server,
            &format!(
                "NodeInfo, {} posts / {} actors, 1 core",
                sizes.posts, sizes.remote_actors
            ),
            "/nodeinfo/2.1",
            "application/json",
            sizes,
        )
        .await;
        row(
            "NodeInfo, seeded vs empty",
            format!("{:.0} %", seeded / empty * 100.0),
        );
        read_scenario(
            &server,
            &format!(
                "actor JSON of an actor created after {} remote actors, 1 core",
                sizes.remote_actors
            ),
            "/actors/late",
            json_accept,
            sizes,
        )
        .await;
    }
    if sizes.runs(Group::FanOut) {
        let variants = [
            FanOut::Healthy,
            FanOut::Dead,
            FanOut::BlackHoled,
            FanOut::Latency,
        ];
        // Runs interleaved, so a slow spell of the machine touches every variant alike.
        let mut rates = vec![Vec::new(); variants.len()];
        let mut healthy_hosts = Vec::new();
        for variant in variants {
            healthy_hosts.push(variant.healthy_hosts(sizes).await);
        }
        for round in 0..sizes.repeats {
            for (v, variant) in variants.into_iter().enumerate() {
                let index = round * variants.len() + v;
                let hosts = (variant, &healthy_hosts[v]);
                let rate = fan_out_scenario(&server, &parent, hosts, index, &keys.0, sizes).await;
                rates[v].push(rate);
            }
        }
        let medians: Vec<f64> = rates.iter().map(|r| median(r)).collect();
        for (v, variant) in variants
            .into_iter()
            .enumerate()
            .filter(|_| sizes.repeats > 1)
        {
            row(
                &format!("{}, median of {}", variant.label(), sizes.repeats),
                format!("{:.0} deliveries/s", medians[v]),
            );
        }
        row(
            "fan-out, black-holed vs healthy wall time per healthy delivery (medians)",
            format!("{:.2}×", medians[0] / medians[2].max(f64::MIN_POSITIVE)),
        );
    }
    if sizes.runs(Group::Inbox) {
        let (mut rates, mut p95s) = (Vec::new(), Vec::new());
        for round in 0..sizes.repeats {
            let (rate, p95) = signed_inbox_scenario(&server, &parent, &keys, sizes, round).await;
            rates.push(rate);
            p95s.push(p95);
        }
        if sizes.repeats > 1 {
            row(
                &format!("signed inbox, median of {}", sizes.repeats),
                format!(
                    "{:.0} activities/s, p95 {:.1} ms",
                    median(&rates),
                    median(&p95s)
                ),
            );
        }
    }
    if sizes.runs(Group::Follows) {
        concurrent_follows_scenario(&server, &parent, &keys, sizes).await;
    }

    let (rss, peak) = server.memory();
    row(
        "server RSS",
        format!("idle {idle_rss:.1} MB, now {rss:.1} MB, peak {peak:.1} MB"),
    );
    let db = &parent.ctx.db;
    let activity_bytes = scalar(
        db,
        "SELECT CAST(AVG(LENGTH(json)) AS BIGINT) FROM activity WHERE kind = 'Create'",
    )
    .await;
    let with_context = scalar(
        db,
        "SELECT COUNT(*) FROM activity WHERE json LIKE '{\"@context\"%'",
    )
    .await;
    let activities = scalar(db, "SELECT COUNT(*) FROM activity").await;
    row(
        "stored outgoing activity",
        format!(
            "{activity_bytes} bytes of JSON per Create on average; {with_context} of {activities} stored with an inline @context"
        ),
    );
    if postgres.is_none() {
        let _ = db
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await;
        let size = std::fs::metadata(dir.join("puentes.db"))
            .map(|m| m.len())
            .unwrap_or(0);
        let posts = scalar(db, "SELECT COUNT(*) FROM post").await.max(1);
        row(
            "SQLite file",
            format!(
                "{:.1} MB, {} bytes per stored post (everything included)",
                size as f64 / 1e6,
                size / posts as u64
            ),
        );
    }
    let port = server.port;
    server.stop();
    let (server, warm_start) = Server::start(&dir, &db_url, Some(port)).await;
    row(
        "cold start to first NodeInfo answer",
        format!(
            "{:.0} ms fresh (migrations), {:.0} ms warm",
            fresh_start.as_secs_f64() * 1000.0,
            warm_start.as_secs_f64() * 1000.0
        ),
    );
    server.stop();
    if postgres.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
