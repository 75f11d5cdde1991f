//! Hostile input, as an attacker and a bad network would send it (issue 15): injected
//! markup and line breaks, internal addresses in production mode, floods of bad
//! signatures, absurd page numbers, connections that never finish, panics.

use crate::on_every_backend;
use puentes_app::calls::CallInput;
use puentes_core::{ActorKind, DeliveryState, FollowState};
use puentes_db::query;
use puentes_tests::{Backend, FakeRemote, TestInstance, network::OP};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

fn hostile_call() -> CallInput {
    CallInput {
        title: Some("Rally\r\nSUMMARY:INJECTED\rX-CR:INJECTED2\nX-LF:INJECTED3".into()),
        start: Some("2027-03-14T19:00:00+01:00".into()),
        place: Some("Plaza <b onclick=alert(1)>Mayor</b>\r\nLOCATION:INJECTED4".into()),
        summary: Some("<img src=x onerror=alert(1)> bring banners".into()),
        ..Default::default()
    }
}

async fn get_text(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::get(url).await.expect("get");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap_or_default())
}

/// A CR, LF or CRLF in a title or place never starts a line of its own in the `.ics` or the
/// calendar feed, and markup typed into a call's fields is escaped in the Event's summary.
async fn injection_scenario(backend: &Backend) {
    let home = TestInstance::start(backend).await;
    home.create_actor("ong", "organization").await;
    let call = home
        .app()
        .create_call(&OP, "ong", hostile_call())
        .await
        .unwrap();
    let uuid = call.ap_id.rsplit('/').next().unwrap().to_string();
    for path in [
        format!("/calls/{uuid}.ics"),
        "/actors/ong/calendar.ics".to_string(),
    ] {
        let (status, _, ics) = get_text(&format!("{}{path}", home.base())).await;
        assert_eq!(status, 200, "{path}");
        // Every line ends with CRLF: no lone CR or LF anywhere.
        let bytes = ics.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\r' => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "{path}: lone CR: {ics}"),
                b'\n' => assert_eq!(bytes[i - 1], b'\r', "{path}: lone LF: {ics}"),
                _ => {}
            }
        }
        for line in ics.split("\r\n") {
            for injected in ["SUMMARY:INJECTED", "X-CR:", "X-LF:", "LOCATION:INJECTED4"] {
                assert!(
                    !line.starts_with(injected),
                    "{path} has an injected line: {ics}"
                );
            }
        }
        assert!(ics.contains("SUMMARY:Rally"), "{path}: {ics}");
    }
    let (status, event) = home.get_json(&format!("/calls/{uuid}")).await;
    assert_eq!(status, 200);
    let summary = event["summary"].as_str().unwrap();
    assert!(
        !summary.contains("<img") && !summary.contains("<b "),
        "markup in the summary: {summary}"
    );
    assert!(!summary.contains("onerror"), "{summary}");
    let content = event["content"].as_str().unwrap();
    assert!(
        !content.contains("<img") && !content.contains("<b "),
        "markup in the content: {content}"
    );
}

#[tokio::test]
async fn calendar_lines_and_event_summaries_cannot_be_injected() {
    on_every_backend!(injection_scenario);
}

/// Every response, federation documents and errors included, carries the security headers.
async fn headers_scenario(backend: &Backend) {
    let home = TestInstance::start(backend).await;
    home.create_actor("ong", "organization").await;
    home.create_open_alliance("red").await;
    let post = home.post("ong", "Hola #migrantes", "public").await.unwrap();
    let call = home
        .app()
        .create_call(&OP, "ong", hostile_call())
        .await
        .unwrap();
    let post_uuid = post.ap_id.rsplit('/').next().unwrap();
    let call_uuid = call.ap_id.rsplit('/').next().unwrap();
    let json = "application/activity+json";
    let html = "text/html";
    let domain = &home.domain;
    let gets = [
        ("/".to_string(), html),
        ("/@ong".to_string(), html),
        (format!("/@ong/posts/{post_uuid}"), html),
        (format!("/@ong/calls/{call_uuid}"), html),
        ("/@ong/feed.rss".to_string(), html),
        ("/@ong/feed.atom".to_string(), html),
        ("/tags/migrantes".to_string(), html),
        ("/static/style.css".to_string(), html),
        ("/healthz".to_string(), html),
        ("/nothing/here".to_string(), html),
        (
            format!("/.well-known/webfinger?resource=acct:ong@{domain}"),
            json,
        ),
        ("/.well-known/nodeinfo".to_string(), json),
        ("/.well-known/host-meta".to_string(), json),
        ("/nodeinfo/2.1".to_string(), json),
        ("/actor".to_string(), json),
        ("/actors/ong".to_string(), json),
        ("/actors/ong/outbox".to_string(), json),
        ("/actors/ong/outbox?page=1".to_string(), json),
        (
            "/actors/ong/outbox?page=9223372036854775807".to_string(),
            json,
        ),
        ("/actors/ong/followers".to_string(), json),
        ("/actors/ong/following".to_string(), json),
        ("/actors/ong/featured".to_string(), json),
        ("/actors/red/members".to_string(), json),
        ("/actors/red/secretariat".to_string(), json),
        ("/actors/nobody".to_string(), json),
        (format!("/posts/{post_uuid}"), json),
        (format!("/calls/{call_uuid}"), json),
        (format!("/calls/{call_uuid}.ics"), json),
        (format!("/calls/{call_uuid}/attendees"), json),
        ("/actors/ong/upcoming".to_string(), json),
        ("/actors/ong/calendar.ics".to_string(), json),
    ];
    let client = reqwest::Client::new();
    let mut responses = Vec::new();
    for (path, accept) in &gets {
        let response = client
            .get(format!("{}{path}", home.base()))
            .header("Accept", *accept)
            .send()
            .await
            .unwrap();
        responses.push((format!("GET {path}"), response));
    }
    for path in ["/inbox", "/actors/ong/inbox", "/actors/ong"] {
        let response = client
            .post(format!("{}{path}", home.base()))
            .header("Content-Type", json)
            .body("{}")
            .send()
            .await
            .unwrap();
        responses.push((format!("POST {path}"), response));
    }
    for (what, response) in responses {
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{what} ({}): no CSP", response.status()))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{what}: {csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{what}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
        assert!(headers.contains_key("referrer-policy"), "{what}");
    }
}

#[tokio::test]
async fn every_response_of_every_route_has_security_headers() {
    on_every_backend!(headers_scenario);
}

/// Pages past the end (up to i64::MAX and beyond) are a 4xx, never a dropped connection.
async fn pagination_scenario(backend: &Backend) {
    let home = TestInstance::start(backend).await;
    home.create_actor("ong", "organization").await;
    home.create_open_alliance("red").await;
    home.post("ong", "Hola", "public").await.unwrap();
    for collection in [
        "/actors/ong/outbox",
        "/actors/ong/followers",
        "/actors/ong/following",
        "/actors/red/members",
    ] {
        let (status, doc) = home.get_json(&format!("{collection}?page=1")).await;
        assert_eq!(status, 200, "{collection}: {doc}");
        for page in [
            "0",
            "2",
            "1000000",
            "9223372036854775807",
            "18446744073709551615",
            "99999999999999999999",
            "-1",
        ] {
            let (status, _) = home.get_json(&format!("{collection}?page={page}")).await;
            assert!(
                (400..500).contains(&status),
                "{collection}?page={page} answered {status}"
            );
        }
    }
}

#[tokio::test]
async fn huge_page_numbers_are_refused_not_crashed_on() {
    on_every_backend!(pagination_scenario);
}

/// An instance with a real-looking domain (production mode) that must not reach internal
/// addresses, whatever it is asked to fetch or deliver to.
async fn production_scenario(backend: &Backend) {
    let home = TestInstance::start_with(backend, |config| {
        config.domain = "puentes.example.org".into();
    })
    .await;
    assert!(!home.instance.ctx.config.insecure_federation());
    home.create_actor("ong", "organization").await;
    // A listener on loopback that must never see a connection.
    let trap = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = trap.local_addr().unwrap().port();

    // CLI commands given internal URLs: pledge, and an endorsement or a verification.
    for url in [
        format!("https://127.0.0.1:{port}/calls/1"),
        format!("https://127.0.0.2:{port}/calls/1"),
        format!("https://[::1]:{port}/calls/1"),
        format!("https://[::ffff:127.0.0.1]:{port}/calls/1"),
        format!("https://localhost:{port}/calls/1"),
        format!("https://169.254.169.254:{port}/latest"),
        format!("http://127.0.0.1:{port}/calls/1"),
    ] {
        let err = home.app().pledge(&OP, "ong", &url).await.unwrap_err();
        assert_eq!(
            err.kind(),
            puentes_core::ErrorKind::Forbidden,
            "{url}: {err:?}"
        );
    }
    let err = home
        .app()
        .endorse(
            &OP,
            "ong",
            &format!("https://127.0.0.1:{port}/statements/1"),
            false,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            puentes_core::ErrorKind::Forbidden | puentes_core::ErrorKind::BadRequest
        ),
        "{err:?}"
    );

    // A follower whose inbox is on internal addresses gets no delivery attempt.
    let ong = home.actor("ong").await;
    for (i, inbox) in [
        format!("https://127.0.0.1:{port}/inbox"),
        format!("https://[::1]:{port}/inbox"),
        format!("https://10.0.0.1:{port}/inbox"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("https://evil{i}.example/users/x");
        let follower = query::actor::upsert_remote(
            home.db(),
            query::actor::ActorData {
                ap_id: id.clone(),
                username: "x".into(),
                domain: format!("evil{i}.example"),
                kind: ActorKind::Person,
                display_name: None,
                summary: None,
                inbox,
                shared_inbox: None,
                outbox: None,
                followers_url: None,
                following_url: None,
                featured_url: None,
                url: None,
                icon_url: None,
                header_url: None,
                public_key_id: format!("{id}#main-key"),
                public_key_pem: String::new(),
                private_key_pem: None,
                ed25519_public: None,
                ed25519_private: None,
                local: false,
                manually_approves_followers: false,
                discoverable: false,
                indexable: false,
                also_known_as: Vec::new(),
                moved_to: None,
            },
        )
        .await
        .unwrap();
        query::follow::insert(
            home.db(),
            &format!("{id}/follow"),
            follower.id,
            ong.id,
            FollowState::Accepted,
        )
        .await
        .unwrap();
    }
    home.post("ong", "To every follower", "public")
        .await
        .unwrap();
    puentes_server::jobs::run_until_idle(&home.instance.ctx)
        .await
        .unwrap();
    let failed = query::delivery::count_in_state(home.db(), DeliveryState::Failed)
        .await
        .unwrap();
    assert_eq!(failed, 3, "each internal inbox is refused for good");
    // Anything that had connected would be waiting in the backlog by now.
    let connected = tokio::time::timeout(Duration::from_millis(300), trap.accept()).await;
    assert!(connected.is_err(), "something connected to loopback");
}

#[tokio::test]
async fn production_mode_never_connects_to_internal_addresses() {
    on_every_backend!(production_scenario);
}

fn note(remote: &FakeRemote, actor: &str, n: usize, to: &str) -> Value {
    let note = format!("{}/notes/{n}", remote.base);
    json!({
        "id": format!("{note}/activity"), "type": "Create", "actor": actor, "to": [to],
        "object": { "id": note, "type": "Note", "attributedTo": actor,
                    "content": "<p>x</p>", "to": [to] }
    })
}

/// 2,000 bad signatures naming one keyId cost its host one fetch, 150 naming random keyIds
/// a rate-limited handful; no actor is stored from any of them.
async fn amplification_scenario(backend: &Backend) {
    let home = TestInstance::start_with(backend, |config| {
        // The per-IP limit is not what is tested here (every request comes from loopback).
        config.limits.inbox_per_ip_per_minute = 0;
        config.limits.inbox_per_host_per_minute = 0;
    })
    .await;
    home.create_actor("alpha", "organization").await;
    let alpha = home.actor_url("alpha");
    let inbox = format!("{}/actors/alpha/inbox", home.base());
    let victim = FakeRemote::start().await;
    let forger = FakeRemote::start().await;
    let actor = victim.add_actor(
        "/users/ana",
        &json!({ "type": "Person", "preferredUsername": "ana" }),
    );
    let body = note(&victim, &actor, 1, &alpha).to_string().into_bytes();
    let headers = forger.sign_headers(&inbox, &format!("{actor}#main-key"), &body);
    let client = reqwest::Client::new();
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..2000 {
        let mut request = client
            .post(&inbox)
            .header("Content-Type", "application/activity+json");
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        let status = request.body(body.clone()).send().await.unwrap().status();
        *statuses.entry(status.as_u16()).or_insert(0) += 1;
    }
    assert_eq!(
        statuses.keys().copied().collect::<Vec<_>>(),
        vec![401],
        "{statuses:?}"
    );
    assert!(
        victim.get_count() <= 2,
        "{} fetches for one bad keyId",
        victim.get_count()
    );
    assert!(
        query::actor::by_ap_id(home.db(), &actor)
            .await
            .unwrap()
            .is_none(),
        "an unverified signer was stored"
    );

    // The real owner of the key is still heard (one more fetch, and it is stored).
    let (status, text) = victim
        .post(&inbox, &actor, &note(&victim, &actor, 2, &alpha))
        .await;
    assert!(status < 300, "{status} {text}");
    assert!(
        query::actor::by_ap_id(home.db(), &actor)
            .await
            .unwrap()
            .is_some()
    );

    // Random keyIds, each an actor the host really serves, all forged.
    let before = victim.get_count();
    let started = std::time::Instant::now();
    for i in 0..150 {
        let id = victim.add_actor(
            &format!("/users/r{i}"),
            &json!({ "type": "Person", "preferredUsername": format!("r{i}") }),
        );
        let body = note(&victim, &id, 100 + i, &alpha).to_string().into_bytes();
        let headers = forger.sign_headers(&inbox, &format!("{id}#main-key"), &body);
        let (status, _) = victim.post_raw(&inbox, headers, body).await;
        assert!(matches!(status, 401 | 429), "{status}");
    }
    let fetched = victim.get_count() - before;
    // The burst, and what refilled while the flood went on.
    let per_minute = home
        .instance
        .ctx
        .config
        .limits
        .key_fetches_per_host_per_minute as f64;
    let budget = (per_minute * (1.0 + started.elapsed().as_secs_f64() / 60.0)) as usize;
    assert!(
        fetched <= budget + 1,
        "{fetched} fetches for random keyIds (budget {budget})"
    );
    let host = victim.base.trim_start_matches("http://");
    let stored = puentes_db::actor::Entity::find()
        .filter(puentes_db::actor::Column::Domain.eq(host))
        .count(home.db())
        .await
        .unwrap();
    assert_eq!(stored, 1, "actors stored from unverified requests");

    // A known actor's key verifies without any fetch, so it is heard through the flood.
    let (status, text) = victim
        .post(&inbox, &actor, &note(&victim, &actor, 9999, &alpha))
        .await;
    assert!(status < 300, "{status} {text}");
}

#[tokio::test]
async fn bad_signature_floods_are_not_amplified() {
    on_every_backend!(amplification_scenario);
}

/// Connections that never finish their headers are closed after the header timeout, one
/// address cannot hold more than its share, and a flood of page views gets 429.
async fn slow_clients_scenario(backend: &Backend) {
    let home = TestInstance::start_with(backend, |config| {
        config.limits.header_read_timeout_secs = 1;
        config.limits.connections_per_ip = 20;
        config.limits.pages_per_ip_per_minute = 30;
    })
    .await;
    let address = format!("127.0.0.1:{}", home.port);
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(stream);
    }
    // The 21st from the same address is turned away at once.
    let mut extra = TcpStream::connect(&address).await.unwrap();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(1), extra.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "a connection over the cap stayed open"
    );
    // The slow ones are closed by the server once the header timeout has passed.
    for stream in &mut slow {
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            let mut sink = Vec::new();
            stream.read_to_end(&mut sink).await
        })
        .await;
        assert!(read.is_ok(), "a slowloris connection is still open");
    }
    drop(slow);
    // Served again once they are gone; then the page rate limit answers 429.
    let client = reqwest::Client::new();
    let mut limited = None;
    for _ in 0..40 {
        let response = client
            .get(format!("{}/", home.base()))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("no 429 after 40 page views in a row");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Files are not limited.
    let css = client
        .get(format!("{}/static/style.css", home.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
}

#[tokio::test]
async fn slow_and_greedy_clients_are_cut_off() {
    on_every_backend!(slow_clients_scenario);
}

/// A panic in a handler becomes a 500 with a safe body and the security headers; the
/// server keeps serving.
#[tokio::test]
async fn a_panicking_handler_answers_500() {
    use axum::{Router, routing::get};
    let router = Router::new()
        .route(
            "/boom",
            get(|| async {
                if std::env::var("PUENTES_NEVER_SET").is_err() {
                    panic!("secret detail");
                }
                "never"
            }),
        )
        .route("/fine", get(|| async { "fine" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let stop = tokio_util::sync::CancellationToken::new();
    let config = puentes_core::Config::default();
    puentes_server::install_crypto_provider();
    let serving = tokio::spawn({
        let stop = stop.clone();
        async move { puentes_server::listen::serve(router, &config, listener, stop).await }
    });
    let (status, headers, body) = get_text(&format!("{base}/boom")).await;
    assert_eq!(status, 500);
    assert!(!body.contains("secret detail"), "{body}");
    assert!(headers.contains_key("content-security-policy"));
    let (status, _, body) = get_text(&format!("{base}/fine")).await;
    assert_eq!((status, body.as_str()), (200, "fine"));
    stop.cancel();
    serving.await.unwrap().unwrap();
}

/// Two emails differing in case are one staff account, also for an account stored before
/// emails were normalized.
async fn staff_email_scenario(backend: &Backend) {
    use puentes_core::StaffRole;
    let home = TestInstance::start(backend).await;
    let ong = home.create_actor("ong", "organization").await;
    // As stored by an older version, which kept the case typed.
    let hash = home
        .app()
        .grant_staff(
            &OP,
            "other@example.org",
            "ong",
            StaffRole::Editor,
            Some("a long passphrase 1"),
        )
        .await
        .unwrap()
        .0
        .password_hash;
    let (legacy, _) = query::staff::grant(
        home.db(),
        "Maria.Defensora@Example.ORG",
        &hash,
        ong.id,
        StaffRole::Editor,
    )
    .await
    .unwrap();
    let (again, created) = home
        .app()
        .grant_staff(
            &OP,
            "MARIA.DEFENSORA@example.org",
            "ong",
            StaffRole::Owner,
            None,
        )
        .await
        .unwrap();
    assert!(!created, "a second account for the same email");
    assert_eq!(again.id, legacy.id);
    let member = home
        .app()
        .login("maria.defensora@EXAMPLE.org", "a long passphrase 1", "test")
        .await
        .unwrap();
    assert_eq!(member.account.id, legacy.id);
    let (fresh, created) = home
        .app()
        .grant_staff(
            &OP,
            "Nueva@Example.org",
            "ong",
            StaffRole::Editor,
            Some("a long passphrase 2"),
        )
        .await
        .unwrap();
    assert!(created);
    assert_eq!(fresh.email, "nueva@example.org");
    let (same, created) = home
        .app()
        .grant_staff(&OP, "NUEVA@EXAMPLE.ORG", "ong", StaffRole::Owner, None)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(same.id, fresh.id);
}

#[tokio::test]
async fn staff_emails_differing_in_case_are_one_account() {
    on_every_backend!(staff_email_scenario);
}

/// A SQLite file deleted under the running server: /healthz says so, and writes fail
/// instead of vanishing into the unlinked file.
#[tokio::test]
async fn a_vanished_database_file_is_noticed() {
    let backend = Backend::Sqlite;
    let home = TestInstance::start(&backend).await;
    home.create_actor("ong", "organization").await;
    let (status, _, body) = get_text(&format!("{}/healthz", home.base())).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let file = puentes_db::sqlite_file(&home.db_url).expect("a SQLite file");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let (status, _, _) = get_text(&format!("{}/healthz", home.base())).await;
    assert_eq!(status, 503);
    let lost = home
        .app()
        .create_actor(
            &OP,
            puentes_app::actors::NewActor {
                name: "perdida".into(),
                kind: ActorKind::Organization,
                display_name: None,
                summary: None,
                manually_approves_followers: false,
            },
        )
        .await;
    assert!(lost.is_err(), "a write went into the deleted file");
}

/// A small filesystem of its own (tmpfs), unmounted when dropped. None where mounting is not
/// allowed (not root); CI runs as root, so there the test must run.
struct SmallDisk {
    dir: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir =
            std::env::temp_dir().join(format!("puentes-disk-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("mount point");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must be able to mount a tmpfs to test a full disk"
            );
            eprintln!("skipped: cannot mount a tmpfs here (not root?)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    /// Writes a ballast file until the disk is full; returns its path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.dir.join("ballast");
        let mut file = std::fs::File::create(&path).expect("ballast");
        let chunk = vec![0u8; 16 * 1024];
        while file.write_all(&chunk).is_ok() {}
        // The last bytes of a page may still fit: fill them too.
        while file.write_all(&[0]).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Posts `count` texts at once; how many were refused.
async fn post_many(home: &TestInstance, count: usize, round: &str) -> usize {
    let text = "Vigilia por las personas migrantes desaparecidas. ".repeat(40);
    let texts: Vec<String> = (0..count).map(|i| format!("{round} {i}: {text}")).collect();
    let posts = texts.iter().map(|t| home.post("ong", t, "public"));
    futures_util::future::join_all(posts)
        .await
        .into_iter()
        .filter(|r| r.is_err())
        .count()
}

/// The disk fills while the server writes, then space is freed: writes succeed again
/// without a restart (a connection whose transaction failed half-way is never reused).
#[tokio::test]
async fn a_full_disk_freed_again_needs_no_restart() {
    let Some(disk) = SmallDisk::mount(6) else {
        return;
    };
    let mut home = TestInstance::start_in(&Backend::Sqlite, disk.dir.join("data"), |_| {}).await;
    home.create_actor("ong", "organization").await;
    assert_eq!(post_many(&home, 8, "before").await, 0, "a disk with room");

    let ballast = disk.fill();
    let refused = post_many(&home, 24, "full").await;
    assert!(refused > 0, "writes on a full disk cannot all succeed");
    let (status, _, _) = get_text(&format!("{}/healthz", home.base())).await;
    assert_eq!(
        status, 503,
        "/healthz must say the database cannot be written"
    );

    std::fs::remove_file(&ballast).expect("free the space");
    for round in ["freed", "freed again"] {
        assert_eq!(
            post_many(&home, 24, round).await,
            0,
            "every write succeeds once space is back ({round})"
        );
    }
    let (status, _, body) = get_text(&format!("{}/healthz", home.base())).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    home.stop().await;
}
