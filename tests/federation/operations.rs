//! Operating an instance: `/metrics` read by Prometheus' parser, the domain a database
//! belongs to, and backup/restore into an empty data directory.

use crate::on_every_backend;
use puentes_app::posts::{NewImage, NewPost};
use puentes_app::statements::Draft;
use puentes_core::Config;
use puentes_server::{Instance, backup, database::IfMissing};
use puentes_tests::{
    Backend, OP, TestNetwork,
    network::test_config,
    peers::{available_or_skip, peers_dir, runs},
};
use serde_json::Value;
use std::collections::BTreeMap;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Scrapes `/metrics` from its own listener and parses it with `prometheus_client`.
async fn scrape(instance: &Instance) -> BTreeMap<String, f64> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let router = puentes_server::metrics::router(instance.clone());
    let token = stop.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(token.cancelled_owned())
            .await
            .unwrap();
    });
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
    );
    let text = response.text().await.unwrap();
    stop.cancel();
    server.await.unwrap();
    let mut child = std::process::Command::new("python3")
        .arg(peers_dir().join("prometheus/parse.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "not valid OpenMetrics:\n{text}");
    let mut samples = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let sample: Value = serde_json::from_str(line).unwrap();
        let labels: BTreeMap<String, String> =
            serde_json::from_value(sample["labels"].clone()).unwrap();
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let name = sample["name"].as_str().unwrap();
        samples.insert(
            if labels.is_empty() {
                name.to_string()
            } else {
                format!("{name}{{{}}}", labels.join(","))
            },
            sample["value"].as_f64().unwrap(),
        );
    }
    samples
}

fn value(samples: &BTreeMap<String, f64>, key: &str) -> f64 {
    samples.get(key).copied().unwrap_or(0.0)
}

async fn metrics_scenario(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));
    let before_a = scrape(&a.instance).await;
    let before_b = scrape(&b.instance).await;
    a.post("alpha", "Hola a quienes nos siguen", "public")
        .await
        .unwrap();
    // Queued, not yet sent: the queue gauge sees it.
    puentes_apub::outbox::run_outbox_once(&a.instance.ctx, 100)
        .await
        .unwrap();
    let queued = scrape(&a.instance).await;
    assert_eq!(
        value(&queued, "puentes_queue_depth{queue=delivery,state=pending}"),
        1.0,
        "{queued:#?}"
    );
    assert!(queued.contains_key("puentes_db_pool_connections{state=idle}"));
    assert!(queued.contains_key("puentes_parked_hosts"));
    net.settle().await;
    let after_a = scrape(&a.instance).await;
    let after_b = scrape(&b.instance).await;
    let create = "puentes_inbox_activities_total{outcome=applied,type=Create}";
    assert_eq!(
        value(&after_b, create) - value(&before_b, create),
        1.0,
        "{after_b:#?}"
    );
    let valid = "puentes_signature_verifications_total{result=valid}";
    assert!(value(&after_b, valid) > value(&before_b, valid));
    // The Create came to the shared inbox or the actor's: counted under its route pattern.
    let inbox_requests = |samples: &BTreeMap<String, f64>| -> f64 {
        samples
            .iter()
            .filter(|(k, _)| {
                k.starts_with("puentes_http_requests_total{route=/")
                    && k.contains("inbox,status=202}")
            })
            .map(|(_, v)| v)
            .sum()
    };
    assert_eq!(
        inbox_requests(&after_b) - inbox_requests(&before_b),
        1.0,
        "{after_b:#?}"
    );
    assert!(
        !after_b.keys().any(|k| k.contains("/actors/beta")),
        "raw paths are never labels"
    );
    let delivered = "puentes_deliveries_total{outcome=delivered}";
    assert_eq!(
        value(&after_a, delivered) - value(&before_a, delivered),
        1.0
    );
    assert_eq!(
        value(
            &after_a,
            "puentes_queue_depth{queue=delivery,state=pending}"
        ),
        0.0
    );
}

#[tokio::test]
async fn metrics_parse_with_prometheus_and_counters_move() {
    let available = runs(
        "python3",
        &["-c", "import prometheus_client.openmetrics.parser"],
        None,
    );
    if !available_or_skip(available, "the prometheus-client Python package") {
        return;
    }
    on_every_backend!(metrics_scenario);
}

async fn domain_scenario(backend: &Backend) {
    let dir = std::env::temp_dir().join(format!("puentes-domain-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (db, url) = backend.fresh(&dir).await;
    let config = |domain: &str| Config {
        domain: domain.into(),
        ..test_config(8080, &dir, &url)
    };
    Instance::with_db(config("a.example"), db.clone())
        .await
        .expect("a new database takes the configured domain");
    let refused = Instance::with_db(config("b.example"), db.clone())
        .await
        .err()
        .expect("b.example refused");
    assert_eq!(refused.kind(), puentes_core::ErrorKind::BadRequest);
    let message = refused.message();
    assert!(
        message.contains("belongs to the instance a.example")
            && message.contains("PUENTES_DOMAIN=a.example"),
        "{message}"
    );
    Instance::with_db(config("a.example"), db)
        .await
        .expect("its own domain still opens");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_database_serves_only_the_domain_it_was_created_for() {
    on_every_backend!(domain_scenario);
}

#[tokio::test]
async fn commands_refuse_to_create_a_missing_database() {
    let dir = std::env::temp_dir().join(format!("puentes-missing-{}", uuid::Uuid::new_v4()));
    let config = Config {
        data_dir: dir.clone(),
        ..Config::default()
    };
    let refused = Instance::open(config.clone(), IfMissing::Refuse)
        .await
        .err()
        .expect("refused");
    assert!(
        refused.message().contains("no Puentes database at"),
        "{refused}"
    );
    assert!(!dir.exists(), "nothing was created");
    Instance::open(config, IfMissing::Create).await.unwrap();
    assert!(dir.join("puentes.db").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

fn png() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 9]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// What a visitor gets: the actor, the post, its image and the statement.
async fn snapshot(base: &str, paths: &[String]) -> Vec<(u16, Vec<u8>)> {
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    for path in paths {
        let response = client
            .get(format!("{base}{path}"))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        out.push((
            response.status().as_u16(),
            response.bytes().await.unwrap().to_vec(),
        ));
    }
    out
}

#[tokio::test]
async fn backup_then_restore_into_an_empty_directory_serves_the_same_instance() {
    let mut net = TestNetwork::start(&Backend::Sqlite, 1).await;
    let a = &net.instances[0];
    a.create_actor("alpha", "organization").await;
    let post = a
        .app()
        .publish(
            &OP,
            "alpha",
            NewPost {
                images: vec![NewImage {
                    bytes: png(),
                    alt: "un cuadrado".into(),
                }],
                ..NewPost::text("Antes de la copia")
            },
        )
        .await
        .unwrap();
    let statement = a
        .app()
        .create_statement(
            &OP,
            "alpha",
            Draft {
                title: "Vías seguras".into(),
                text: "Pedimos vías seguras.".into(),
                ask: None,
                language: Some("es".into()),
                translations: vec![],
                policy: None,
                deadline: None,
            },
        )
        .await
        .unwrap();
    a.app().open_statement(&OP, &statement.uuid).await.unwrap();
    a.app()
        .endorse(&OP, "alpha", &statement.ap_url, false, None)
        .await
        .unwrap();
    net.settle().await;
    let (_, note) = a
        .get_json(post.ap_id.strip_prefix(&a.base()).unwrap())
        .await;
    let image = note["attachment"][0]["url"].as_str().unwrap().to_string();
    let (_, doc) = a
        .get_json(statement.ap_url.strip_prefix(&a.base()).unwrap())
        .await;
    let endorsements = doc["endorsements"].as_str().unwrap().to_string();
    let base = a.base();
    let paths: Vec<String> = [
        a.actor_url("alpha"),
        post.ap_id.clone(),
        image,
        statement.ap_url.clone(),
        endorsements,
    ]
    .iter()
    .map(|u| u.strip_prefix(&base).unwrap().to_string())
    .collect();
    let before = snapshot(&base, &paths).await;
    assert!(
        before.iter().all(|(s, _)| *s == 200),
        "{:?}",
        before.iter().map(|b| b.0).collect::<Vec<_>>()
    );

    // Taken while the instance serves.
    let file = a.dir.join("backup.tar.gz");
    let config = test_config(a.port, &a.dir, &a.db_url);
    let manifest = backup::backup(&config, &file).await.unwrap();
    assert_eq!(manifest.media_files, 1);
    assert_eq!(manifest.domain, a.domain);
    let port = a.port;
    net.stop_all().await;

    let empty = std::env::temp_dir().join(format!("puentes-restore-{}", uuid::Uuid::new_v4()));
    let restored_config = test_config(
        port,
        &empty,
        &format!("sqlite://{}/puentes.db?mode=rwc", empty.display()),
    );
    let other_domain = Config {
        domain: "elsewhere.example".into(),
        ..restored_config.clone()
    };
    let refused = backup::restore(&other_domain, &file).await.unwrap_err();
    assert!(refused.message().contains("PUENTES_DOMAIN="), "{refused}");
    backup::restore(&restored_config, &file).await.unwrap();
    let again = backup::restore(&restored_config, &file).await.unwrap_err();
    assert_eq!(again.kind(), puentes_core::ErrorKind::Conflict);

    let instance = Instance::open(restored_config, IfMissing::Refuse)
        .await
        .unwrap();
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let stop = CancellationToken::new();
    let server = {
        let instance = instance.clone();
        let stop = stop.clone();
        tokio::spawn(async move { instance.serve(listener, stop).await.unwrap() })
    };
    let after = snapshot(&base, &paths).await;
    for ((path, was), now) in paths.iter().zip(&before).zip(&after) {
        assert_eq!(was.0, now.0, "{path}");
        match (
            serde_json::from_slice::<Value>(&was.1),
            serde_json::from_slice::<Value>(&now.1),
        ) {
            (Ok(mut was), Ok(mut now)) => {
                // A statement's proof is made when it is served: same key, new `created`.
                for doc in [&mut was, &mut now] {
                    if let Some(object) = doc.as_object_mut() {
                        object.remove("proof");
                    }
                }
                assert_eq!(was, now, "{path} differs after restore");
            }
            _ => assert!(was.1 == now.1, "{path} differs after restore"),
        }
    }
    // The restored statement still verifies, its endorsement included.
    let report = puentes_apub::statements::verify::verify(&instance.ctx, &statement.ap_url)
        .await
        .unwrap();
    assert!(report.passed() && report.verified() == 1, "{report}");
    stop.cancel();
    server.await.unwrap();
    let _ = std::fs::remove_dir_all(&empty);
}

#[tokio::test]
async fn postgres_backups_point_to_pg_dump() {
    let config = Config {
        database_url: Some("postgres://puentes:secret@127.0.0.1:1/puentes".into()),
        ..Config::default()
    };
    let refused = backup::backup(&config, std::path::Path::new("/nonexistent/x.tar.gz"))
        .await
        .unwrap_err();
    assert!(refused.message().contains("pg_dump"), "{refused}");
    assert!(!refused.message().contains("secret"));
}
