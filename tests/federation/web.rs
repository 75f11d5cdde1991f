//! The public web: pages in the reader's language, relayed member posts with their images
//! on an alliance's page, HTML error pages, security headers and page weight on every
//! route, feeds read by a real feed parser, and the browser suite in headless Chromium.

use crate::on_every_backend;
use puentes_server::{
    alliances,
    commands::{self, NewPost},
};
use puentes_tests::{Backend, TestNetwork};
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
}

pub async fn web_scenario(backend: &Backend) -> WebScenario {
    let net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_actor("ong", "organization").await;
    i2.create_open_alliance("red").await;
    i3.create_open_alliance("federacion").await;
    alliances::join(&i2.instance, "red", &i3.handle("federacion"))
        .await
        .unwrap();
    alliances::join(&i1.instance, "ong", &i2.handle("red"))
        .await
        .unwrap();
    net.settle().await;
    let relayed = commands::publish(
        &i1.instance,
        "ong",
        NewPost {
            to_alliance: Some(i2.handle("red")),
            images: vec![(picture(), ALT.to_string())],
            ..NewPost::text("Report from the border #migrantes")
        },
    )
    .await
    .unwrap();
    let arabic = commands::publish(
        &i1.instance,
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
    WebScenario {
        net,
        relayed,
        arabic,
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
    } = web_scenario(backend).await;
    let (i1, i2, _) = (net.get(0), net.get(1), net.get(2));

    // The alliance's page shows the member's post it relayed, with its image and alt text.
    let page = i2.get_page("/@red").await;
    assert!(page.contains("Report from the border"), "{page}");
    let image = puentes_db::query::post::attachments(&relayed)[0]["url"]
        .as_str()
        .unwrap()
        .to_string();
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
    commands::delete_post(&i1.instance, &arabic.ap_id)
        .await
        .unwrap();
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
    let WebScenario { net, relayed, .. } = web_scenario(backend).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    let uuid = relayed.ap_id.rsplit('/').next().unwrap();
    // Enough posts to fill a page, so the weight is measured on a full one.
    for n in 0..25 {
        commands::post(
            &i1.instance,
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
