//! The public web: pages in the reader's language, relayed member posts with their images
//! on an alliance's page, HTML error pages, security headers and page weight on every
//! route, feeds read by a real feed parser, and the browser suite in headless Chromium.

use crate::on_every_backend;
use puentes_app::{
    calls::CallInput,
    posts::{NewImage, NewPost},
    statements::Draft,
};
use puentes_tests::{Backend, OP, TestNetwork};
use reqwest::{StatusCode, header};
use std::io::Cursor;

/// A small PNG with something to see.
fn picture() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(120, 80, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 3) as u8, 140])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

pub const ALT: &str = "Volunteers unloading water at the border crossing";
pub const ARABIC: &str = "تقرير عن الوضع على الحدود";

/// Three instances: `ong` (i1) in alliance `red` (i2), itself in `federacion` (i3). `ong`
/// posts with an image into `red`, and once in Arabic.
pub struct WebScenario {
    pub net: TestNetwork,
    pub relayed: puentes_db::post::Model,
    pub arabic: puentes_db::post::Model,
    /// `red`'s statement, endorsed by `ong` by name and by `federacion` anonymously.
    pub statement: puentes_db::statement::Model,
    /// `ong`'s call to action, pledged by `red` and `federacion`.
    pub call: puentes_db::call::Model,
}

pub async fn web_scenario(backend: &Backend) -> WebScenario {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_actor("ong", "organization").await;
    i2.create_open_alliance("red").await;
    i3.create_open_alliance("federacion").await;
    // ong joins red first, so federacion reads red's member list when it admits red.
    i1.app()
        .join_alliance(&OP, "ong", &i2.handle("red"))
        .await
        .unwrap();
    net.settle().await;
    i2.app()
        .join_alliance(&OP, "red", &i3.handle("federacion"))
        .await
        .unwrap();
    net.settle().await;
    let relayed = i1
        .app()
        .publish(
            &OP,
            "ong",
            NewPost {
                to_alliance: Some(i2.handle("red")),
                images: vec![NewImage {
                    bytes: picture(),
                    alt: ALT.to_string(),
                }],
                ..NewPost::text("Report from the border #migrantes")
            },
        )
        .await
        .unwrap();
    let arabic = i1
        .app()
        .publish(
            &OP,
            "ong",
            NewPost {
                language: Some("ar".into()),
                translations: vec![("es".into(), "Informe sobre la frontera".into())],
                ..NewPost::text(ARABIC)
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let statement = i2
        .app()
        .create_statement(
            &OP,
            "red",
            Draft {
                title: "Safe passage now".into(),
                text: "We ask governments to open **safe and legal routes**.".into(),
                ask: Some("Open safe and legal routes before winter.".into()),
                language: Some("en".into()),
                translations: vec![("ar".into(), "نطالب الحكومات بفتح طرق آمنة وقانونية.".into())],
                policy: Some(puentes_core::EndorsementPolicy::Anyone),
                deadline: None,
            },
        )
        .await
        .unwrap();
    i2.app().open_statement(&OP, &statement.uuid).await.unwrap();
    net.settle().await;
    i1.app()
        .endorse(
            &OP,
            "ong",
            &statement.ap_url,
            false,
            Some("With all our members"),
        )
        .await
        .unwrap();
    i3.app()
        .endorse(&OP, "federacion", &statement.ap_url, true, None)
        .await
        .unwrap();
    net.settle().await;
    let call = i1
        .app()
        .create_call(
            &OP,
            "ong",
            CallInput {
                title: Some("Vigil at the port".into()),
                start: Some("2027-03-14T19:00:00+01:00".into()),
                end: Some("2027-03-14T21:00:00+01:00".into()),
                timezone: Some("Africa/Casablanca".into()),
                place: Some("Port of Tangier".into()),
                address: Some("Avenue Mohammed VI, Tanger".into()),
                geo: Some("35.7847,-5.8086".into()),
                summary: Some("Bring candles and the names of the missing".into()),
                description: Some("We gather to remember those lost at sea. #migrantes".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    i2.app().pledge(&OP, "red", &call.ap_id).await.unwrap();
    i3.app()
        .pledge(&OP, "federacion", &call.ap_id)
        .await
        .unwrap();
    net.settle().await;
    WebScenario {
        net,
        relayed,
        arabic,
        statement,
        call,
    }
}

async fn get(url: &str, language: Option<&str>) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.get(url).header(header::ACCEPT, "text/html");
    if let Some(lang) = language {
        request = request.header(header::ACCEPT_LANGUAGE, lang);
    }
    request.send().await.unwrap()
}

async fn pages_scenario(backend: &Backend) {
    let WebScenario {
        net,
        relayed,
        arabic,
        ..
    } = web_scenario(backend).await;
    let (i1, i2, _) = (net.get(0), net.get(1), net.get(2));

    // The alliance's page shows the member's post it relayed, with its image and alt text.
    let page = i2.get_page("/@red").await;
    assert!(page.contains("Report from the border"), "{page}");
    let image = relayed.attachments()[0].url.clone();
    assert!(
        image.starts_with(&i1.base()),
        "served by the member's instance"
    );
    assert!(page.contains(&format!("src=\"{image}\"")), "{page}");
    assert!(page.contains(&format!("alt=\"{ALT}\"")), "{page}");
    assert!(
        page.contains("Relayed by \u{2068}red display\u{2069}"),
        "{page}"
    );
    assert!(page.contains(r#"<html lang="en" dir="ltr">"#));

    // Arabic readers get a right-to-left page; Arabic content is right-to-left anywhere.
    let arabic_page = get(&format!("{}/@red", i2.base()), Some("ar-MA,ar;q=0.9"))
        .await
        .text()
        .await
        .unwrap();
    assert!(arabic_page.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(arabic_page.contains("أعاد نشره"), "translated");
    let uuid = arabic.ap_id.rsplit('/').next().unwrap();
    let post = get(&format!("{}/@ong/posts/{uuid}", i1.base()), Some("fr"))
        .await
        .text()
        .await
        .unwrap();
    assert!(post.contains(r#"<html lang="fr" dir="ltr">"#), "{post}");
    assert!(
        post.contains(r#"lang="ar" dir="rtl">"#) && post.contains(ARABIC),
        "{post}"
    );
    assert!(
        post.contains("<summary>Español</summary>"),
        "the other language one click away, named: {post}"
    );
    // A Spanish reader gets the Spanish text first and the Arabic one behind a click.
    let spanish = get(&format!("{}/@ong/posts/{uuid}", i1.base()), Some("es"))
        .await
        .text()
        .await
        .unwrap();
    let first = spanish.find("Informe sobre la frontera").unwrap();
    assert!(first < spanish.find(ARABIC).unwrap());
    assert!(spanish.contains("<summary>العربية</summary>"), "{spanish}");

    // The switch remembers the choice in a cookie and goes back to the same page.
    let switched = get(
        &format!("{}/lang/ar?next=%2F%40red%3Fpage%3D1", i2.base()),
        None,
    )
    .await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(switched.headers()[header::LOCATION], "/@red?page=1");
    let cookie = switched.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("lang=ar;") && cookie.contains("SameSite=Lax"));
    let away = get(&format!("{}/lang/ar?next=//evil.example/", i2.base()), None).await;
    assert_eq!(away.headers()[header::LOCATION], "/", "no open redirect");

    // Errors are pages in the reader's language.
    let missing = get(&format!("{}/@nobody", i2.base()), Some("es")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = missing.text().await.unwrap();
    assert!(body.contains("Página no encontrada") && body.contains(r#"lang="es""#));
    let nowhere = get(&format!("{}/no/such/page", i2.base()), Some("fr")).await;
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    assert!(nowhere.text().await.unwrap().contains("Page introuvable"));
    i1.app().delete_post(&OP, &arabic.ap_id).await.unwrap();
    let gone = get(&format!("{}/@ong/posts/{uuid}", i1.base()), Some("ar")).await;
    assert_eq!(gone.status(), StatusCode::GONE);
    assert!(gone.text().await.unwrap().contains("تمّ الحذف"));

    // OpenGraph and feed discovery.
    assert!(page.contains(r#"<meta property="og:title" content="red display">"#));
    assert!(page.contains(r#"type="application/rss+xml" href="/@red/feed.rss""#));
}

#[tokio::test]
async fn pages_languages_relays_and_errors() {
    on_every_backend!(pages_scenario);
}

/// Every public route: the security headers, and at most 60 KB before images.
async fn every_route_scenario(backend: &Backend) {
    let WebScenario {
        net,
        relayed,
        statement,
        call,
        ..
    } = web_scenario(backend).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    let uuid = relayed.ap_id.rsplit('/').next().unwrap();
    let call_uuid = call.ap_id.rsplit('/').next().unwrap();
    // Enough posts to fill a page, so the weight is measured on a full one.
    for n in 0..25 {
        i1.post(
            "ong",
            &format!(
                "Update {n}: **long** text about the situation, with #migrantes and details. {}",
                "Lorem ipsum dolor sit amet. ".repeat(12)
            ),
            "public",
        )
        .await
        .unwrap();
    }
    net.settle().await;
    let routes = [
        (i1, "/".to_string()),
        (i1, "/@ong".to_string()),
        (i1, "/@ong?page=2".to_string()),
        (i1, format!("/@ong/posts/{uuid}")),
        (i1, "/tags/migrantes".to_string()),
        (i2, "/@red".to_string()),
        (i3, "/@federacion".to_string()),
        (i1, "/@ong/follow".to_string()),
        (i2, format!("/@red/statements/{}", statement.uuid)),
        (i1, format!("/@ong/calls/{call_uuid}")),
        (
            i1,
            "/interact?uri=https%3A%2F%2Fx.example%2F%40a".to_string(),
        ),
        (i1, "/@nobody".to_string()),
        (i1, "/nothing/here".to_string()),
        (i1, "/@ong?page=99999999999999999999".to_string()),
    ];
    let resources = [
        (i1, "/@ong/feed.rss".to_string()),
        (i1, "/@ong/feed.atom".to_string()),
        (i1, "/tags/migrantes/feed.rss".to_string()),
        (i1, "/feeds/statements.atom".to_string()),
        (i1, "/static/style.css".to_string()),
    ];
    for (instance, path) in routes.iter().chain(resources.iter()) {
        let response = get(&format!("{}{path}", instance.base()), None).await;
        let expected = if path.contains("nobody") || path.contains("nothing") {
            StatusCode::NOT_FOUND
        } else if path.contains("99999") {
            // Beyond u64: refused with an error page, never a crash.
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        assert_eq!(response.status(), expected, "{path}");
        let headers = response.headers().clone();
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("style-src 'self'")
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert!(headers.contains_key(header::REFERRER_POLICY), "{path}");
        let body = response.bytes().await.unwrap();
        if routes.iter().any(|(_, p)| p == path) {
            assert!(body.len() < 60 * 1024, "{path} weighs {} bytes", body.len());
            let text = String::from_utf8_lossy(&body);
            assert!(!text.contains("<script"), "{path} has a script");
            assert!(!text.contains(" style=\""), "{path} has inline style");
        }
    }
}

#[tokio::test]
async fn every_route_has_security_headers_and_stays_light() {
    on_every_backend!(every_route_scenario);
}

/// Runs one of the Python checks in `tests/browser` on a JSON description of the scenario.
/// They need Python packages (and, for the browser, Debian's Chromium) that `.ci/run`
/// installs; set PUENTES_SKIP_BROWSER=1 to skip them on a machine without them.
pub(crate) async fn run_python(script: &str, config: &serde_json::Value) -> bool {
    if std::env::var("PUENTES_SKIP_BROWSER").is_ok_and(|v| !v.is_empty()) {
        eprintln!("SKIPPED {script}: PUENTES_SKIP_BROWSER is set");
        return true;
    }
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/browser"));
    let file = std::env::temp_dir().join(format!("puentes-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, config.to_string()).unwrap();
    let output = tokio::process::Command::new("python3")
        .arg(dir.join(script))
        .arg(&file)
        .output()
        .await
        .expect("python3 runs");
    let _ = std::fs::remove_file(&file);
    println!("{}", String::from_utf8_lossy(&output.stdout));
    println!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "{script} failed (pip install -r tests/browser/requirements.txt; apt-get install chromium):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    true
}

pub(crate) fn backend_name(backend: &Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    }
}

async fn feeds_scenario(backend: &Backend) {
    let scenario = web_scenario(backend).await;
    let (i1, i2, _) = (
        scenario.net.get(0),
        scenario.net.get(1),
        scenario.net.get(2),
    );
    let image = scenario.relayed.attachments()[0].url.clone();
    let mut feeds = Vec::new();
    for kind in ["rss", "atom"] {
        feeds.push(serde_json::json!({
            "url": format!("{}/@red/feed.{kind}", i2.base()), "kind": kind, "title": "red display",
            "min_entries": 1, "contains": ["Report from the border"], "images": [image],
        }));
        feeds.push(serde_json::json!({
            "url": format!("{}/@ong/feed.{kind}", i1.base()), "kind": kind, "title": "ong display",
            "min_entries": 2, "contains": ["Report from the border", ARABIC],
        }));
        feeds.push(serde_json::json!({
            "url": format!("{}/tags/migrantes/feed.{kind}", i1.base()), "kind": kind,
            "title": "#migrantes", "min_entries": 1, "contains": ["Report from the border"],
        }));
        feeds.push(serde_json::json!({
            "url": format!("{}/feeds/statements.{kind}", i2.base()), "kind": kind,
            "title": "statements", "min_entries": 1, "contains": ["Safe passage now", "Open safe and legal routes"],
        }));
    }
    // Hostile text stays text: control characters and markup in a title.
    i1.app()
        .publish(
            &OP,
            "ong",
            NewPost {
                title: Some("Alert \u{1} <script>x</script> & \"quotes\"".into()),
                ..NewPost::text("<img src=x onerror=alert(1)> body")
            },
        )
        .await
        .unwrap();
    run_python("feeds.py", &serde_json::json!({ "feeds": feeds })).await;
    for kind in ["rss", "atom"] {
        let body = reqwest::get(format!("{}/@ong/feed.{kind}", i1.base()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !body.contains('\u{1}') && !body.contains("<script>"),
            "{body}"
        );
        assert!(!body.contains("onerror"), "sanitized: {body}");
    }
}

#[tokio::test]
async fn feeds_parse_in_a_real_feed_reader() {
    on_every_backend!(feeds_scenario);
}

async fn browser_scenario(backend: &Backend) {
    let scenario = web_scenario(backend).await;
    let (i1, i2, i3) = (
        scenario.net.get(0),
        scenario.net.get(1),
        scenario.net.get(2),
    );
    let post_uuid = scenario.relayed.ap_id.rsplit('/').next().unwrap();
    let call_uuid = scenario.call.ap_id.rsplit('/').next().unwrap();
    let screenshots =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/browser"))
            .join(backend_name(backend));
    let config = serde_json::json!({
        "chromium": std::env::var("PUENTES_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "screenshots": screenshots,
        "alliance_page": format!("{}/@red", i2.base()),
        "member_base": i1.base(),
        "relayed_text": "Report from the border",
        "image_alt": ALT,
        "network_page": format!("{}/@federacion", i3.base()),
        "nested": ["federacion display", "red display", "ong display"],
        "follow": {
            "profile": format!("{}/@red", i2.base()),
            "handle": i1.handle("ong"),
            "expect_prefix": format!("{}/interact?uri=", i1.base()),
            "expect_uri": i2.actor_url("red"),
        },
        "pages": {
            "home": format!("{}/", i1.base()),
            "home_alliance": format!("{}/", i2.base()),
            "organization": format!("{}/@ong", i1.base()),
            "alliance": format!("{}/@red", i2.base()),
            "network": format!("{}/@federacion", i3.base()),
            "post": format!("{}/@ong/posts/{post_uuid}", i1.base()),
            "statement": format!("{}/@red/statements/{}", i2.base(), scenario.statement.uuid),
            "call": format!("{}/@ong/calls/{call_uuid}", i1.base()),
            "tag": format!("{}/tags/migrantes", i1.base()),
            "follow": format!("{}/@ong/follow", i1.base()),
            "not_found": format!("{}/@nobody", i1.base()),
        },
    });
    run_python("suite.py", &config).await;
}

#[tokio::test]
async fn browser_shows_relays_languages_follow_and_the_network() {
    on_every_backend!(browser_scenario);
}

/// A remote actor whose document links `javascript:` and names itself with markup: once a
/// member and a pledger, the pages show its name as text and never link the script.
async fn hostile_actor_scenario(backend: &Backend) {
    use puentes_tests::{FakeRemote, TestInstance};
    let home = TestInstance::start(backend).await;
    home.create_open_alliance("red").await;
    home.create_actor("ong", "organization").await;
    let call = home
        .app()
        .create_call(
            &OP,
            "ong",
            CallInput {
                title: Some("Rally".into()),
                start: Some("2027-03-14T19:00:00+01:00".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let remote = FakeRemote::start().await;
    let mut doc = puentes_tests::fixture("mastodon/objects/person.json");
    doc["url"] = serde_json::json!("javascript:alert(document.domain)");
    doc["name"] = serde_json::json!("<img src=x onerror=alert(1)>Evil");
    doc["icon"] = serde_json::json!({ "type": "Image", "url": "javascript:alert(2)" });
    let person = remote.add_actor("/users/evil", &doc);
    for (inbox, activity) in [
        (
            format!("{}/actors/red/inbox", home.base()),
            serde_json::json!({ "id": format!("{}/join/1", remote.base), "type": "Join",
                "actor": person, "object": home.actor_url("red") }),
        ),
        (
            format!("{}/actors/ong/inbox", home.base()),
            serde_json::json!({ "id": format!("{}/join/2", remote.base), "type": "Join",
                "actor": person, "object": call.ap_id }),
        ),
    ] {
        let (status, body) = remote.post(&inbox, &person, &activity).await;
        assert!(status < 300, "{status} {body}");
    }
    let call_uuid = call.ap_id.rsplit('/').next().unwrap();
    for path in ["/@red".to_string(), format!("/@ong/calls/{call_uuid}")] {
        let page = home.get_page(&path).await;
        assert!(
            page.contains("Evil"),
            "{path}: the member is listed: {page}"
        );
        assert!(
            !page.contains("javascript:"),
            "{path} links a script: {page}"
        );
        assert!(
            !page.contains("<img src=x"),
            "{path} shows raw markup: {page}"
        );
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt;Evil"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn hostile_remote_links_and_names_stay_harmless() {
    on_every_backend!(hostile_actor_scenario);
}

/// The network map across instances: a parent alliance reads the public member list of the
/// alliance it admits, and never records a list that alliance keeps for its members.
async fn member_lists_scenario(backend: &Backend) {
    use puentes_db::query::actor::AlliancePolicies;
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_actor("ong", "organization").await;
    i2.create_open_alliance("red").await;
    i3.create_open_alliance("federacion").await;
    i1.app()
        .join_alliance(&OP, "ong", &i2.handle("red"))
        .await
        .unwrap();
    net.settle().await;
    i2.app()
        .join_alliance(&OP, "red", &i3.handle("federacion"))
        .await
        .unwrap();
    net.settle().await;
    let map = i3.get_page("/@federacion").await;
    let svg = &map[map.find("<svg").expect("a map")..map.find("</svg>").unwrap()];
    assert!(
        svg.contains("red display") && svg.contains("ong display"),
        "{svg}"
    );

    // Once red shows its list to members only, reading it again records nobody.
    i2.app()
        .set_alliance_policies(
            &OP,
            "red",
            AlliancePolicies {
                members: Some(puentes_core::MemberListVisibility::Members),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let red = puentes_db::query::actor::by_ap_id(i3.db(), &i2.actor_url("red"))
        .await
        .unwrap()
        .unwrap();
    let listed = puentes_apub::member_lists::refresh_members(&i3.instance.ctx, &red)
        .await
        .unwrap();
    assert_eq!(listed, 0);
    let federacion = i3.actor("federacion").await;
    let graph = puentes_db::read::network::around(i3.db(), &federacion)
        .await
        .unwrap();
    assert!(
        !graph.nodes.values().any(|a| a.name.starts_with("ong")),
        "a members-only list is not recorded: {graph:?}"
    );
    assert!(graph.nodes.values().any(|a| a.name == "red display"));
}

#[tokio::test]
async fn network_maps_read_public_member_lists_only() {
    on_every_backend!(member_lists_scenario);
}

async fn post_form(url: &str, handle: &str, language: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .header(header::ACCEPT_LANGUAGE, language)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("handle", handle)
                .finish(),
        )
        .send()
        .await
        .unwrap()
}

/// "Follow from elsewhere": the visitor's server's subscribe page, found by WebFinger, is
/// where the Follow button sends them; our own WebFinger offers ours.
async fn remote_follow_scenario(backend: &Backend) {
    use puentes_tests::{FakeRemote, TestInstance};
    let home = TestInstance::start(backend).await;
    home.create_actor("ong", "organization").await;
    let mastodon = FakeRemote::start().await;
    let template = format!("{}/authorize_interaction?uri={{uri}}", mastodon.base);
    mastodon.add_document(
        "/.well-known/webfinger",
        serde_json::json!({ "subject": "acct:maria@mastodon", "links": [
            { "rel": "self", "type": "application/activity+json", "href": format!("{}/users/maria", mastodon.base) },
            { "rel": "http://ostatus.org/schema/1.0/subscribe", "template": template },
        ]}),
    );
    let form = format!("{}/@ong/follow", home.base());
    let visitor = format!("@maria@{}", mastodon.base.trim_start_matches("http://"));
    let sent = post_form(&form, &visitor, "en").await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let location = sent.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let expected = format!(
        "{}/authorize_interaction?uri={}",
        mastodon.base,
        url::form_urlencoded::byte_serialize(home.actor_url("ong").as_bytes()).collect::<String>()
    );
    assert_eq!(location, expected);

    // Our own WebFinger advertises our subscribe page, which explains what to do.
    let (_, jrd) = home
        .get_json(&format!(
            "/.well-known/webfinger?resource=acct:ong@{}",
            home.domain
        ))
        .await;
    let ours = jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "http://ostatus.org/schema/1.0/subscribe")
        .expect("a subscribe link");
    assert_eq!(
        ours["template"],
        format!("{}/authorize_interaction?uri={{uri}}", home.base())
    );
    let own = post_form(&form, &home.handle("ong"), "en").await;
    let landing = own.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(landing.starts_with(&format!("{}/authorize_interaction?uri=", home.base())));
    let explained = reqwest::get(&landing).await.unwrap().text().await.unwrap();
    assert!(explained.contains("Only the staff"), "{explained}");

    // A handle that is not one, a server with no follow page, one that cannot be reached:
    // the form again, saying so in the reader's language.
    let bad = post_form(&form, "not a handle", "es").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Eso no es un identificador")
    );
    mastodon.add_document(
        "/.well-known/webfinger",
        serde_json::json!({ "subject": "acct:maria@mastodon", "links": [] }),
    );
    let none = post_form(&form, &visitor, "fr").await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = none.text().await.unwrap();
    assert!(body.contains("ne propose pas de lien"), "{body}");
    assert!(
        body.contains(&format!("value=\"{visitor}\"")),
        "keeps what was typed"
    );
    let mut script = serde_json::json!({ "links": [
        { "rel": "http://ostatus.org/schema/1.0/subscribe", "template": "javascript:alert(1)//{uri}" },
    ]});
    script["subject"] = serde_json::json!("acct:maria@mastodon");
    mastodon.add_document("/.well-known/webfinger", script);
    let refused = post_form(&form, &visitor, "en").await;
    assert_eq!(
        refused.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no script URL"
    );
    mastodon.remove_document("/.well-known/webfinger");
    let unknown = post_form(&form, &visitor, "ar").await;
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("لا يعرف خادمك هذا المعرّف")
    );
}

#[tokio::test]
async fn follow_button_sends_visitors_to_their_server() {
    on_every_backend!(remote_follow_scenario);
}

/// `puentes demo`: three instances filled through the application layer; a browser at the
/// printed addresses sees the federated data (relayed image, Arabic, nested network map,
/// the follow button between instances). The demo always runs on SQLite files, as a
/// newcomer runs it.
#[tokio::test]
async fn demo_shows_real_federated_data() {
    puentes_tests::init_tracing();
    let mut listeners = Vec::new();
    for _ in 0..3 {
        listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
    }
    let dir = std::env::temp_dir().join(format!("puentes-demo-test-{}", uuid::Uuid::new_v4()));
    let demo = puentes_server::demo::Demo::start(listeners.try_into().unwrap(), &dir)
        .await
        .unwrap();
    let (n, s, m) = (&demo.bases[0], &demo.bases[1], &demo.bases[2]);
    assert_eq!(demo.pages.len(), 10);
    for (what, url) in &demo.pages {
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{what}: {url}");
    }
    let statement = &demo.pages[7].1;
    let html = reqwest::get(statement).await.unwrap().text().await.unwrap();
    assert!(
        html.contains("2 endorsements") || html.contains("3 endorsements"),
        "{html}"
    );
    assert!(html.contains("1 not named"), "{html}");
    let call = reqwest::get(&demo.pages[8].1)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(call.contains("3 pledges"), "{call}");
    // The staff logins it prints work.
    assert_eq!(demo.logins.len(), 7);
    let login = &demo.logins[0];
    assert!(login.login_url.starts_with(n.as_str()));
    assert!(
        demo.instances[0]
            .app
            .login(&login.email, &login.password, "demo-test")
            .await
            .is_ok()
    );

    let mut pages = serde_json::Map::new();
    for (i, (_, url)) in demo.pages.iter().enumerate() {
        pages.insert(format!("demo-{i}"), serde_json::json!(url));
    }
    pages.insert("home_alliance".into(), serde_json::json!(format!("{s}/")));
    pages.insert(
        "organization".into(),
        serde_json::json!(format!("{n}/@casa_abierta")),
    );
    let screenshots = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/browser/demo"
    ));
    let config = serde_json::json!({
        "chromium": std::env::var("PUENTES_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "screenshots": screenshots,
        "alliance_page": format!("{s}/@red_frontera"),
        "member_base": n,
        "relayed_text": "Hoy llegaron 40 mantas",
        "image_alt": "Voluntarias ordenan mantas donadas en el patio del albergue",
        "network_page": format!("{m}/@coalicion"),
        "nested": ["Coalición Mediterránea", "Red Frontera Sur", "Casa Abierta"],
        "follow": {
            "profile": format!("{m}/@coalicion"),
            "handle": format!("sawt@{}", n.trim_start_matches("http://")),
            "expect_prefix": format!("{n}/interact?uri="),
            "expect_uri": format!("{m}/actors/coalicion"),
        },
        "pages": pages,
    });
    run_python("suite.py", &config).await;
    demo.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
