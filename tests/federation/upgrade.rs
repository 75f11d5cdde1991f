//! Upgrades: databases written by the previous version (fixtures made by commit a04accd,
//! with organizations, an alliance, posts, a statement with endorsements and a call) are
//! migrated forward, keep their data, serve it, and get their domain recorded from the
//! instance actor, on SQLite and on PostgreSQL.

use flate2::read::GzDecoder;
use puentes_core::Config;
use puentes_db::query;
use puentes_server::{Instance, database::IfMissing};
use puentes_tests::network::test_config;
use sea_orm::ConnectionTrait;
use std::io::Read;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The domain the fixtures were made for.
const DOMAIN: &str = "localhost:18102";

fn fixture(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/upgrade/").to_string() + name;
    let mut out = Vec::new();
    GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("puentes-upgrade-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens (and so migrates) the old database, then checks what it holds and serves.
async fn upgraded(config: Config, actors: &[&str]) {
    let wrong = Config {
        domain: "elsewhere.example".into(),
        ..config.clone()
    };
    let refused = Instance::open(wrong, IfMissing::Refuse)
        .await
        .err()
        .expect("an old database is recognised by its instance actor");
    assert!(refused.message().contains(DOMAIN), "{refused}");
    let instance = Instance::open(config, IfMissing::Refuse).await.unwrap();
    let db = &instance.ctx.db;
    assert_eq!(
        query::setting::get(db, query::setting::DOMAIN)
            .await
            .unwrap()
            .as_deref(),
        Some(DOMAIN)
    );
    let names: Vec<String> = query::actor::list_local(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.username)
        .collect();
    assert_eq!(names, actors);
    for table in [
        "post",
        "statement",
        "endorsement",
        "call",
        "pledge",
        "membership",
    ] {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get("", "n").unwrap();
        assert!(n > 0, "{table} kept its rows");
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = CancellationToken::new();
    let server = {
        let (instance, stop) = (instance.clone(), stop.clone());
        tokio::spawn(async move { instance.serve(listener, stop).await.unwrap() })
    };
    for name in actors {
        let response = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/actors/{name}"))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let doc: serde_json::Value = response.json().await.unwrap();
        assert_eq!(doc["id"], format!("http://{DOMAIN}/actors/{name}"));
        let page = reqwest::get(format!("http://127.0.0.1:{port}/@{name}"))
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "profile page of {name}");
    }
    stop.cancel();
    server.await.unwrap();
}

#[tokio::test]
async fn a_sqlite_database_of_the_previous_version_upgrades_with_its_data() {
    let dir = temp_dir();
    std::fs::write(dir.join("puentes.db"), fixture("sqlite-a04accd.db.gz")).unwrap();
    let config = Config {
        domain: DOMAIN.into(),
        database_url: None,
        ..test_config(18102, &dir, "")
    };
    upgraded(config, &["accueil_solidaire", "red_frontera"]).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_postgres_database_of_the_previous_version_upgrades_with_its_data() {
    let Ok(server) = std::env::var("PUENTES_TEST_DATABASE_URL") else {
        eprintln!("skipping: PUENTES_TEST_DATABASE_URL is not set");
        return;
    };
    // An empty database, then the previous version's dump (plain SQL, no psql commands).
    let dir = temp_dir();
    let admin = puentes_db::connect_url(&server, None).await.unwrap();
    let name = format!("puentes_upgrade_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", &server[..server.rfind('/').unwrap()]);
    let db = puentes_db::connect_url(&url, None).await.unwrap();
    let sql = String::from_utf8(fixture("postgres-a04accd.sql.gz")).unwrap();
    db.execute_unprepared(&sql).await.unwrap();
    db.close().await.unwrap();
    let config = Config {
        domain: DOMAIN.into(),
        ..test_config(18102, &dir, &url)
    };
    upgraded(config, &["casa", "red"]).await;
    let _ = std::fs::remove_dir_all(&dir);
}
