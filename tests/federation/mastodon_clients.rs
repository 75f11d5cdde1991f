//! The Mastodon client API driven by real clients from the registries (Mastodon.py and
//! toot from PyPI, masto from npm; scripts in `tests/clients`) against two in-process
//! instances over loopback, and per-actor tokens checked with plain HTTP requests.
//!
//! The scripts ask a small control server of this test to drive the federation queues
//! (`settle`) and to make the other instance act, so nothing waits or sleeps.

use crate::on_every_backend;
use axum::{Json, Router, extract::State, routing::post};
use puentes_app::{calls::CallInput, posts::NewPost, statements::Draft};
use puentes_core::{EndorsementPolicy, StaffRole};
use puentes_db::query;
use puentes_tests::{Backend, OP, TestNetwork, peers};
use serde_json::{Value, json};
use std::sync::Arc;

const EMAIL: &str = "maria@ong.example";
const PASSWORD: &str = "una contraseña larga";

fn png() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(40, 20, |x, y| {
        image::Rgb([(x * 6) as u8, (y * 12) as u8, 200])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Two instances: `ong` (organization) and `red` (alliance) here, with one staff member
/// who owns `ong` and edits `red`; `vecina` on the other instance.
async fn network(backend: &Backend) -> Arc<TestNetwork> {
    let net = TestNetwork::start(backend, 2).await;
    let (ours, theirs) = (net.get(0), net.get(1));
    ours.create_actor("ong", "organization").await;
    ours.create_open_alliance("red").await;
    theirs.create_actor("vecina", "organization").await;
    ours.app()
        .grant_staff(&OP, EMAIL, "ong", StaffRole::Owner, Some(PASSWORD))
        .await
        .unwrap();
    ours.app()
        .grant_staff(&OP, EMAIL, "red", StaffRole::Editor, None)
        .await
        .unwrap();
    Arc::new(net)
}

async fn control(
    State(net): State<Arc<TestNetwork>>,
    action: axum::extract::Path<String>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let (ours, theirs) = (net.get(0), net.get(1));
    let answer = match action.as_str() {
        "settle" => json!({}),
        "remote_post" => {
            let text = body["text"].as_str().unwrap_or("hola");
            let row = theirs
                .app()
                .publish(&OP, "vecina", NewPost::text(text))
                .await
                .unwrap();
            json!({ "id": row.ap_id })
        }
        "remote_follow" => {
            theirs.create_actor("seguidora", "organization").await;
            theirs
                .app()
                .follow(&OP, "seguidora", &ours.handle("ong"))
                .await
                .unwrap();
            json!({})
        }
        "follow_us" => {
            theirs
                .app()
                .follow(&OP, "vecina", &ours.handle("ong"))
                .await
                .unwrap();
            json!({})
        }
        "remote_counts" => {
            let id = body["id"].as_str().unwrap_or_default();
            let post = query::post::by_ap_id(theirs.db(), id)
                .await
                .unwrap()
                .unwrap();
            json!({ "likes": query::favourite::count(theirs.db(), post.id).await.unwrap() })
        }
        "alliance_objects" => {
            // The alliance `red` (followed by `ong`) opens a statement, calls to action and
            // relays a member's post.
            let app = ours.app();
            let red = ours.handle("red");
            ours.create_actor("miembro", "organization").await;
            app.join_alliance(&OP, "miembro", &red).await.unwrap();
            app.follow(&OP, "ong", &red).await.unwrap();
            app.join_alliance(&OP, "ong", &red).await.unwrap();
            let statement = app
                .create_statement(
                    &OP,
                    "red",
                    Draft {
                        title: "Vías seguras para todas".into(),
                        text: "Pedimos **vías seguras** y legales.".into(),
                        ask: Some("Firmad por vías seguras y legales.".into()),
                        policy: Some(EndorsementPolicy::Anyone),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            app.open_statement(&OP, &statement.uuid).await.unwrap();
            app.endorse(&OP, "miembro", &statement.ap_url, false, None)
                .await
                .unwrap();
            let call = app
                .create_call(
                    &OP,
                    "red",
                    CallInput {
                        title: Some("Concentración por el asilo".into()),
                        start: Some("2027-09-11T14:00:00+02:00".into()),
                        end: Some("2027-09-11T17:00:00+02:00".into()),
                        timezone: Some("Europe/Madrid".into()),
                        place: Some("Plaza Mayor, Salamanca".into()),
                        summary: Some("Traed pancartas".into()),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            app.pledge(&OP, "ong", &call.ap_id).await.unwrap();
            let mut new = NewPost::text("Nuestra asamblea de hoy");
            new.to_alliance = Some(red.clone());
            let member_post = app.publish(&OP, "miembro", new).await.unwrap();
            json!({
                "statement": statement.ap_url,
                "call": call.ap_id,
                "call_url": call.url.unwrap_or(call.ap_id),
                "post": member_post.ap_id,
            })
        }
        other => panic!("unknown control action {other}"),
    };
    net.settle().await;
    Json(answer)
}

async fn control_server(net: Arc<TestNetwork>) -> (String, tokio::task::JoinHandle<()>) {
    let router = Router::new()
        .route("/{action}", post(control))
        .with_state(net);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (address, handle)
}

fn clients_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/clients"))
}

async fn run(program: &str, script: &str, config: &std::path::Path) {
    let dir = clients_dir();
    let output = tokio::process::Command::new(program)
        .arg(dir.join(script))
        .arg(config)
        .current_dir(&dir)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    println!("{out}\n{err}");
    assert!(output.status.success(), "{script} failed:\n{out}\n{err}");
}

async fn clients_scenario(backend: &Backend) {
    let python = peers::runs(
        "python3",
        &["-c", "import mastodon, toot, requests, websockets"],
        None,
    );
    let node = clients_dir().join("masto/node_modules/masto").is_dir();
    if !peers::available_or_skip(
        python && node,
        "Mastodon.py, toot and masto (tests/clients)",
    ) {
        return;
    }
    let net = network(backend).await;
    let (ours, theirs) = (net.get(0), net.get(1));
    let (control, server) = control_server(net.clone()).await;
    let image = std::env::temp_dir().join(format!("puentes-{}.png", uuid::Uuid::new_v4()));
    std::fs::write(&image, png()).unwrap();
    let config = json!({
        "base": ours.base(),
        "domain": ours.domain,
        "email": EMAIL,
        "password": PASSWORD,
        "remote_handle": theirs.handle("vecina"),
        "control": control,
        "image": image,
    });
    let file = std::env::temp_dir().join(format!("puentes-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, config.to_string()).unwrap();
    run("python3", "mastodon_py.py", &file).await;
    run("python3", "streaming.py", &file).await;
    run("python3", "toot_client.py", &file).await;
    run("node", "masto/masto.mjs", &file).await;
    server.abort();
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&image);
    // The organization's posts made from the apps reach the follower elsewhere, as posts
    // made from the command line do.
    let vecina = theirs.actor("vecina").await;
    let ong_there = query::actor::by_ap_id(theirs.db(), &ours.actor_url("ong"))
        .await
        .unwrap()
        .expect("ong is known over there");
    let followed = query::follow::between(theirs.db(), vecina.id, ong_there.id)
        .await
        .unwrap();
    assert!(followed.is_some(), "vecina follows ong");
    net.settle().await;
    // Posted after vecina followed ong (Mastodon.py posted before).
    for text in ["Hola desde toot", "Hola desde masto"] {
        assert!(
            delivered(theirs, text).await,
            "{text:?} did not reach the other instance"
        );
    }
}

async fn delivered(instance: &puentes_tests::TestInstance, text: &str) -> bool {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    puentes_db::post::Entity::find()
        .filter(puentes_db::post::Column::Content.contains(text))
        .one(instance.db())
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn mastodon_clients_log_in_post_follow_and_read() {
    on_every_backend!(clients_scenario);
}

/// A urlencoded form body (as Mastodon.py and toot send them).
fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// A token speaks for one actor only, within the staff member's role on it.
async fn tokens_scenario(backend: &Backend) {
    let net = network(backend).await;
    let ours = net.get(0);
    let http = reqwest::Client::new();
    let base = ours.base();
    let app: Value = http
        .post(format!("{base}/api/v1/apps"))
        .json(&json!({ "client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write follow" }))
        .send().await.unwrap().json().await.unwrap();
    let token = |actor: &'static str, scope: &'static str| {
        let (http, base, app) = (http.clone(), base.clone(), app.clone());
        async move {
            let r: Value = http
                .post(format!("{base}/oauth/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[
                    ("grant_type", "password"),
                    ("client_id", app["client_id"].as_str().unwrap()),
                    ("client_secret", app["client_secret"].as_str().unwrap()),
                    ("username", EMAIL),
                    ("password", PASSWORD),
                    ("scope", scope),
                    ("actor", actor),
                ]))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("token: {r}"))
                .to_string()
        }
    };
    let (ong, red) = (
        token("ong", "read write follow").await,
        token("red", "read write follow").await,
    );
    let read_only = token("ong", "read").await;
    assert_ne!(ong, red, "two tokens, one per actor");
    let who = |t: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let r: Value = http
                .get(format!("{base}/api/v1/accounts/verify_credentials"))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["username"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(who(ong.clone()).await, "ong");
    assert_eq!(who(red.clone()).await, "red");
    // Stored hashed: the token itself is nowhere in the database.
    let grants = query::oauth::tokens_of(
        ours.db(),
        query::staff::by_email(ours.db(), EMAIL)
            .await
            .unwrap()
            .unwrap()
            .id,
    )
    .await
    .unwrap();
    assert!(
        grants.len() >= 3
            && grants
                .iter()
                .all(|g| g.secret_hash != ong && g.secret_hash.len() == 64)
    );

    let post = |t: String, body: Value| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            http.post(format!("{base}/api/v1/statuses"))
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let by_ong = post(ong.clone(), json!({ "status": "desde ong" })).await;
    assert_eq!(by_ong.status(), 200);
    let by_ong: Value = by_ong.json().await.unwrap();
    assert_eq!(by_ong["account"]["username"], "ong");
    // The read-only token cannot post; red's token cannot delete ong's post.
    assert_eq!(
        post(read_only.clone(), json!({ "status": "x" }))
            .await
            .status(),
        403
    );
    let deleted = http
        .delete(format!(
            "{base}/api/v1/statuses/{}",
            by_ong["id"].as_str().unwrap()
        ))
        .bearer_auth(&red)
        .send()
        .await
        .unwrap();
    assert!(
        deleted.status() == 403 || deleted.status() == 404,
        "red deleted ong's post: {}",
        deleted.status()
    );
    // A member's post mentioning its alliance is relayed by it, as `puentes post --to` is.
    ours.app()
        .join_alliance(&OP, "ong", &ours.handle("red"))
        .await
        .unwrap();
    let mention = post(
        ong.clone(),
        json!({ "status": format!("Para la red: @{}", ours.handle("red")) }),
    )
    .await;
    assert_eq!(mention.status(), 200);
    let mention: Value = mention.json().await.unwrap();
    let red_actor = ours.actor("red").await;
    assert!(
        query::relay::has_announced(ours.db(), red_actor.id, mention["uri"].as_str().unwrap())
            .await
            .unwrap(),
        "the alliance relayed its member's post"
    );
    // The same Idempotency-Key gives the same post.
    let once = |key: &'static str| {
        let (http, base, ong) = (http.clone(), base.clone(), ong.clone());
        async move {
            let r: Value = http
                .post(format!("{base}/api/v1/statuses"))
                .bearer_auth(ong)
                .header("Idempotency-Key", key)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[("status", "una vez")]))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["id"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(once("k1").await, once("k1").await);
    // Red's editor cannot decide for red: approving a follow request is refused.
    let stranger = ours.create_actor("otra", "organization").await;
    ours.app()
        .set_manual_approval(&OP, "red", true)
        .await
        .unwrap();
    ours.app()
        .follow(&OP, "otra", &ours.handle("red"))
        .await
        .unwrap();
    let approve = http
        .post(format!(
            "{base}/api/v1/follow_requests/{}/authorize",
            stranger.id
        ))
        .bearer_auth(&red)
        .send()
        .await
        .unwrap();
    assert_eq!(
        approve.status(),
        403,
        "an editor's token approved a follower"
    );
    // Trailing slashes and CORS, as browser clients and Mastodon.py use them.
    let r = http
        .get(format!("{base}/api/v1/instance/"))
        .header("Origin", "https://elk.zone")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let pre = http
        .request(reqwest::Method::OPTIONS, format!("{base}/oauth/token"))
        .header("Origin", "https://elk.zone")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        pre.status().is_success() && pre.headers().contains_key("access-control-allow-methods")
    );
    // Revoking from the staff account page, as its owner would: listed, then one tap.
    let mut browser = crate::staff_web::Visitor::new(ours);
    assert_eq!(browser.login((EMAIL, PASSWORD)).await.status, 303);
    let page = browser.get("/staff/account").await;
    assert_eq!(page.status, 200);
    let red_item = page
        .body
        .split("<li>")
        .find(|item| item.contains("<strong>t</strong>") && item.contains(">@red<"))
        .unwrap_or_else(|| panic!("red's token is listed: {}", page.body));
    assert!(red_item.contains("read write follow"), "{red_item}");
    let needle = "action=\"/staff/tokens/";
    let start = red_item.find(needle).expect("a revoke button") + needle.len();
    let id = red_item[start..].split('/').next().unwrap().to_string();
    // Without the form's token the revocation is refused and the token still works.
    let refused = browser
        .post(&format!("/staff/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(who(red.clone()).await, "red");
    let revoked = browser
        .post(
            &format!("/staff/tokens/{id}/revoke"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let after = browser.get("/staff/account").await;
    assert!(after.body.contains("Access revoked"), "{}", after.body);
    assert!(!after.body.contains(">@red<"), "{}", after.body);
    assert!(after.body.contains(">@ong<"), "ong's tokens stay");
    let gone = http
        .get(format!("{base}/api/v1/accounts/verify_credentials"))
        .bearer_auth(&red)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 401);
}

#[tokio::test]
async fn tokens_speak_for_one_actor_within_the_role() {
    on_every_backend!(tokens_scenario);
}
