//! The staff pages over real HTTP: login with its rate limit and lockout, the session
//! cookie's flags, CSRF refusals, acting as an actor within one's role (an editor's crafted
//! requests refused), composing with an image into an alliance on another instance, and a
//! secretariat deciding a member request and a held post in one tap.

use crate::on_every_backend;
use puentes_app::{calls::CallInput, posts::NewPost, statements::Draft};
use puentes_core::{EndorsementPolicy, Moderation, StaffRole};
use puentes_db::query::actor::AlliancePolicies;
use puentes_tests::{Backend, OP, TestInstance, TestNetwork};
use reqwest::{StatusCode, header};

pub const OWNER: (&str, &str) = ("maria@ong.example", "una contraseña larga");
pub const EDITOR: (&str, &str) = ("editor@ong.example", "otra contraseña larga");
pub const SECRETARIAT: (&str, &str) = ("secretaria@red.example", "la de la secretaría");

/// A browser without JavaScript: follows nothing by itself, keeps the session cookie.
pub struct Visitor {
    client: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let needle = r#"name="_csrf" value=""#;
        let start = self.body.find(needle).expect("a form with a token") + needle.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

impl Visitor {
    pub fn new(instance: &TestInstance) -> Visitor {
        Visitor {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: instance.base(),
            cookie: None,
        }
    }

    async fn answer(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let request = match &self.cookie {
            Some(c) => request.header(header::COOKIE, c),
            None => request,
        };
        let response = request.send().await.unwrap();
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
            self.cookie = Some(pair);
        }
        Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.answer(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            );
        self.answer(request).await
    }

    /// A multipart form, as a browser sends one with a file.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Answer {
        let boundary = "----puentesboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.answer(request).await
    }

    /// Logs in through the form.
    pub async fn login(&mut self, (email, password): (&str, &str)) -> Answer {
        let form = self.get("/staff/login").await;
        let csrf = form.csrf();
        self.post(
            "/staff/login",
            &[("_csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }
}

pub fn picture() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(90, 60, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 4) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// `ong` on the first instance (an owner and an editor), `red` on the second (its
/// secretariat decides members and holds posts for approval); `ong` has asked to join.
pub async fn staff_network(backend: &Backend) -> TestNetwork {
    let net = TestNetwork::start(backend, 2).await;
    let (i1, i2) = (net.get(0), net.get(1));
    i1.create_actor("ong", "organization").await;
    i2.create_actor("red", "alliance").await;
    i2.app()
        .set_alliance_policies(
            &OP,
            "red",
            AlliancePolicies {
                moderation: Some(Moderation::Held),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for (instance, (email, password), actor, role) in [
        (i1, OWNER, "ong", StaffRole::Owner),
        (i1, EDITOR, "ong", StaffRole::Editor),
        (i2, SECRETARIAT, "red", StaffRole::Secretariat),
    ] {
        instance
            .app()
            .grant_staff(&OP, email, actor, role, Some(password))
            .await
            .unwrap();
    }
    i1.app()
        .join_alliance(&OP, "ong", &i2.handle("red"))
        .await
        .unwrap();
    net.settle().await;
    net
}

async fn accounts_scenario(backend: &Backend) {
    let net = staff_network(backend).await;
    let i1 = net.get(0);

    // The session cookie: HttpOnly, SameSite=Lax, not Secure on plain-HTTP localhost.
    let mut visitor = Visitor::new(i1);
    let form = visitor.get("/staff/login").await;
    assert_eq!(form.status, StatusCode::OK);
    let cookie = form.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("puentes_staff="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on localhost: {cookie}"
    );
    assert!(cookie.contains("Path=/"), "{cookie}");
    let before_login = visitor.cookie.clone().unwrap();

    // A form without the token, or with another, is refused before anything happens.
    let csrf = form.csrf();
    let missing = visitor
        .post("/staff/login", &[("email", OWNER.0), ("password", OWNER.1)])
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = visitor
        .post(
            "/staff/login",
            &[
                ("_csrf", "forged"),
                ("email", OWNER.0),
                ("password", OWNER.1),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // A browser posting from another site is refused even with a token.
    let cross = visitor
        .client
        .post(format!("{}/staff/login", visitor.base))
        .header(header::COOKIE, visitor.cookie.clone().unwrap())
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}&email=a%40b.c&password=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);

    // Logging in (the email in another case) gives a new session id.
    let logged = visitor
        .post(
            "/staff/login",
            &[
                ("_csrf", &csrf),
                ("email", "  Maria@ONG.example"),
                ("password", OWNER.1),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    assert_eq!(logged.location(), "/staff");
    assert_ne!(
        visitor.cookie.clone().unwrap(),
        before_login,
        "session id renewed"
    );
    let home = visitor.get("/staff").await;
    assert_eq!(home.location(), "/staff/as/ong");
    let inbox = visitor.get("/staff/as/ong").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("Acting as"), "{}", inbox.body);
    assert_eq!(inbox.headers[header::CACHE_CONTROL], "no-store");
    // The token of the login form is not the one of the logged-in session.
    assert_ne!(inbox.csrf(), csrf);
    let old_token = visitor
        .post(
            "/staff/as/ong/decide",
            &[
                ("_csrf", &csrf),
                ("kind", "follow"),
                ("handle", "x@y.z"),
                ("verdict", "approve"),
            ],
        )
        .await;
    assert_eq!(old_token.status, StatusCode::FORBIDDEN);

    // Sessions: a second browser is listed and can be ended from the first.
    let mut phone = Visitor::new(i1);
    phone.login(OWNER).await;
    assert_eq!(phone.get("/staff/as/ong").await.status, StatusCode::OK);
    let account = visitor.get("/staff/account").await;
    assert_eq!(
        account.body.matches("/end\"").count(),
        1,
        "{}",
        account.body
    );
    let end = account
        .body
        .split("action=\"/staff/sessions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let ended = visitor
        .post(
            &format!("/staff/sessions/{end}"),
            &[("_csrf", &account.csrf())],
        )
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    let out = phone.get("/staff/as/ong").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.location().starts_with("/staff/login?next="),
        "{}",
        out.location()
    );

    // Logging out ends the session on the server.
    let stolen = visitor.cookie.clone();
    let page = visitor.get("/staff/account").await;
    visitor
        .post("/staff/logout", &[("_csrf", &page.csrf())])
        .await;
    let mut thief = Visitor::new(i1);
    thief.cookie = stolen;
    assert_eq!(
        thief.get("/staff/account").await.status,
        StatusCode::SEE_OTHER
    );

    // Five wrong passwords lock the account, even for the right one afterwards.
    let mut guesser = Visitor::new(i1);
    for _ in 0..puentes_app::login::MAX_FAILURES_PER_ACCOUNT {
        let refused = guesser.login((EDITOR.0, "not the password")).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.body.contains("Wrong email or password"));
    }
    let locked = guesser.login(EDITOR).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.body.contains("Too many failed attempts"),
        "{}",
        locked.body
    );

    consent_sign_in_is_limited_per_client(i1).await;
}

/// The consent page's sign-in counts failures per client address, as the staff login does:
/// one guesser is locked out, others still sign in. The password grant is limited too.
async fn consent_sign_in_is_limited_per_client(instance: &TestInstance) {
    let http = reqwest::Client::new();
    let base = instance.base();
    let app: serde_json::Value = http
        .post(format!("{base}/api/v1/apps"))
        .json(&serde_json::json!({
            "client_name": "t",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = app["client_id"].as_str().unwrap().to_string();
    let sign_in = |from: &'static str, email: String, password: &'static str| {
        let (http, base, client_id) = (http.clone(), base.clone(), client_id.clone());
        async move {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("client_id", client_id.as_str()),
                    ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                    ("response_type", "code"),
                    ("scope", "read"),
                    ("email", &email),
                    ("password", password),
                ])
                .finish();
            let r = http
                .post(format!("{base}/oauth/authorize"))
                // The test server is a local peer: the proxy's header names the client.
                .header("x-forwarded-for", from)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    for n in 0..puentes_app::login::MAX_FAILURES_PER_CLIENT {
        let (status, _) = sign_in("203.0.113.7", format!("nadie{n}@ong.example"), "adivino").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = sign_in("203.0.113.7", OWNER.0.into(), OWNER.1).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the guesser is locked out"
    );
    let (status, body) = sign_in("198.51.100.20", OWNER.0.into(), OWNER.1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("name=\"ticket\""), "{body}");

    // The password grant goes through the same limit: the guesser's address is refused.
    let grant = http
        .post(format!("{base}/oauth/token"))
        .header("x-forwarded-for", "203.0.113.7")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("grant_type", "password"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", app["client_secret"].as_str().unwrap()),
                    ("username", OWNER.0),
                    ("password", OWNER.1),
                ])
                .finish(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn staff_login_sessions_and_csrf() {
    on_every_backend!(accounts_scenario);
}

async fn roles_scenario(backend: &Backend) {
    let net = staff_network(backend).await;
    let (i1, i2) = (net.get(0), net.get(1));

    // The secretariat sees ong's request and admits it in one tap.
    let mut secretariat = Visitor::new(i2);
    secretariat.login(SECRETARIAT).await;
    let inbox = secretariat.get("/staff/as/red").await;
    assert!(inbox.body.contains("Member request"), "{}", inbox.body);
    assert!(inbox.body.contains(&i1.handle("ong")), "{}", inbox.body);
    let admitted = secretariat
        .post(
            "/staff/as/red/decide",
            &[
                ("_csrf", &inbox.csrf()),
                ("kind", "member"),
                ("handle", &i1.handle("ong")),
                ("verdict", "approve"),
            ],
        )
        .await;
    assert_eq!(admitted.status, StatusCode::SEE_OTHER);
    net.settle().await;
    assert_eq!(
        i1.membership_status(&i2.actor_url("red"), "ong")
            .await
            .as_deref(),
        Some("active")
    );

    // The editor writes into the alliance with an image; without its description the
    // form comes back as typed.
    let mut editor = Visitor::new(i1);
    editor.login(EDITOR).await;
    let compose = editor.get("/staff/as/ong/compose").await;
    assert!(compose.body.contains(&i2.handle("red")), "{}", compose.body);
    let csrf = compose.csrf();
    let image = picture();
    let text = "From the border crossing this morning #frontera";
    let fields = |alt: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("text", text.to_string()),
            ("language", "en".to_string()),
            ("visibility", "public".to_string()),
            ("to_alliance", i2.handle("red")),
            ("alt", alt.to_string()),
            ("summary", String::new()),
            ("reply_to", String::new()),
        ]
    };
    let no_alt = fields("");
    let no_alt: Vec<(&str, &str)> = no_alt.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = editor
        .post_multipart("/staff/as/ong/compose", &no_alt, Some(("image", &image)))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("alt text is required"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(text), "kept as typed");
    let with_alt = fields("Three volunteers and a water truck");
    let with_alt: Vec<(&str, &str)> = with_alt.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let posted = editor
        .post_multipart("/staff/as/ong/compose", &with_alt, Some(("image", &image)))
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    net.settle().await;
    let posts = editor.get("/staff/as/ong/posts").await;
    assert!(posts.body.contains("Published."), "{}", posts.body);
    assert!(posts.body.contains("Three volunteers and a water truck"));

    // The alliance holds it; the secretariat approves it; it shows on the alliance's page.
    assert!(
        !i2.get_page("/@red")
            .await
            .contains("From the border crossing")
    );
    let inbox = secretariat.get("/staff/as/red").await;
    assert!(inbox.body.contains("Held post"), "{}", inbox.body);
    let subject = inbox
        .body
        .split(r#"name="subject" value=""#)
        .find_map(|rest| {
            let value = rest.split('"').next().unwrap();
            value.starts_with("http").then(|| value.to_string())
        })
        .unwrap();
    let approved = secretariat
        .post(
            "/staff/as/red/decide",
            &[
                ("_csrf", &inbox.csrf()),
                ("kind", "post"),
                ("handle", &i1.handle("ong")),
                ("subject", &subject),
                ("verdict", "approve"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    net.settle().await;
    let page = i2.get_page("/@red").await;
    assert!(page.contains("From the border crossing"), "{page}");
    assert!(
        page.contains("alt=\"Three volunteers and a water truck\""),
        "{page}"
    );

    // The editor edits and deletes its post.
    let id = posts
        .body
        .split("/staff/as/ong/posts/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let edit = editor.get(&format!("/staff/as/ong/posts/{id}/edit")).await;
    assert!(
        edit.body.contains("From the border crossing"),
        "{}",
        edit.body
    );
    let edited = editor
        .post(
            &format!("/staff/as/ong/posts/{id}/edit"),
            &[("_csrf", &edit.csrf()), ("text", "Edited: all is calm")],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    assert!(
        editor
            .get("/staff/as/ong/posts")
            .await
            .body
            .contains("Edited: all is calm")
    );

    // An editor decides nothing, even with crafted requests carrying a valid token.
    let inbox = editor.get("/staff/as/ong").await;
    assert!(inbox.body.contains("As an editor"), "{}", inbox.body);
    let crafted = editor
        .post(
            "/staff/as/ong/decide",
            &[
                ("_csrf", &inbox.csrf()),
                ("kind", "follow"),
                ("handle", &i2.handle("red")),
                ("verdict", "approve"),
            ],
        )
        .await;
    assert_eq!(crafted.status, StatusCode::FORBIDDEN);
    // Nor acts for an actor it holds no role on.
    let foreign = editor.get("/staff/as/nobody/compose").await;
    assert!(
        foreign.status == StatusCode::NOT_FOUND || foreign.status == StatusCode::FORBIDDEN,
        "{}",
        foreign.status
    );
    let deleted = editor
        .post(
            &format!("/staff/as/ong/posts/{id}/delete"),
            &[("_csrf", &inbox.csrf())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(
        editor
            .get("/staff/as/ong/posts")
            .await
            .body
            .contains("No posts yet")
    );
}

#[tokio::test]
async fn staff_roles_compose_and_decide() {
    on_every_backend!(roles_scenario);
}

/// The staff pages in headless Chromium on a phone, across two instances whose workers
/// run as in production (`tests/browser/staff.py`).
async fn browser_scenario(backend: &Backend) {
    let net = staff_network(backend).await;
    let (i1, i2) = (net.get(0), net.get(1));
    // The alliance's statement and call, for the member to endorse and pledge to; its
    // secretariat also administers the instance (the admin page is photographed).
    let statement = i2
        .app()
        .create_statement(
            &OP,
            "red",
            Draft {
                title: "Safe passage now".into(),
                text: "We ask for safe and legal routes.".into(),
                policy: Some(EndorsementPolicy::Anyone),
                ..Draft::default()
            },
        )
        .await
        .unwrap();
    i2.app().open_statement(&OP, &statement.uuid).await.unwrap();
    let call = i2
        .app()
        .create_call(
            &OP,
            "red",
            CallInput {
                title: Some("Vigil at the port".into()),
                start: Some("2031-03-14T19:00:00+01:00".into()),
                ..CallInput::default()
            },
        )
        .await
        .unwrap();
    i2.app()
        .set_staff_admin(&OP, SECRETARIAT.0, true)
        .await
        .unwrap();
    // The secretariat also writes for an association on its instance: it endorses as that
    // one from the statement's public page.
    i2.create_actor("vecinas", "organization").await;
    i2.app()
        .grant_staff(&OP, SECRETARIAT.0, "vecinas", StaffRole::Editor, None)
        .await
        .unwrap();
    net.settle().await;
    let call_uuid = call.ap_id.rsplit('/').next().unwrap().to_string();
    let stop = tokio_util::sync::CancellationToken::new();
    let workers: Vec<_> = net
        .instances
        .iter()
        .map(|i| {
            tokio::spawn(puentes_server::jobs::run_workers(
                i.instance.ctx.clone(),
                stop.clone(),
            ))
        })
        .collect();
    let image = std::env::temp_dir().join(format!("puentes-staff-{}.png", uuid::Uuid::new_v4()));
    std::fs::write(&image, picture()).unwrap();
    let screenshots = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/browser/staff"
    ))
    .join(crate::web::backend_name(backend));
    let config = serde_json::json!({
        "chromium": std::env::var("PUENTES_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "screenshots": screenshots,
        "max_failures": puentes_app::login::MAX_FAILURES_PER_ACCOUNT,
        // Someone guessing at an address that has no account: locked out all the same.
        "guessed": "nadie@ong.example",
        "guessed_password": "whatever it might be",
        "post_text": "Water delivered at the crossing today #frontera",
        "image_path": image,
        "image_alt": "Two volunteers hand out bottles of water",
        "statement_url": statement.ap_url,
        "statement_page": format!("{}/@red/statements/{}", i2.base(), statement.uuid),
        "call_url": call.ap_id,
        "call_page": format!("{}/@red/calls/{call_uuid}", i2.base()),
        "public_endorse": {"as": "vecinas", "display": "vecinas display"},
        "new_editor": ["nuevo@ong.example", "una contraseña nueva"],
        "owner_only_get": ["/staff/as/ong/settings", "/staff/admin"],
        "owner_only_post": [
            ["/staff/as/ong/settings/staff", {"email": "intruso@ong.example", "role": "owner", "password": "una contraseña cualquiera"}],
            ["/staff/as/ong/settings/delete", {"confirm": "ong"}],
            ["/staff/as/ong/settings/approval", {"manual": "1"}],
            ["/staff/as/ong/membership", {"action": "leave", "handle": i2.handle("red")}],
            ["/staff/admin/blocks", {"domain": "example.org"}],
        ],
        "member": {
            "base": i1.base(),
            "actor": "ong",
            "handle": i1.handle("ong"),
            "display": "ong display",
            "editor": [EDITOR.0, EDITOR.1],
            "owner": [OWNER.0, OWNER.1],
        },
        "alliance": {
            "base": i2.base(),
            "actor": "red",
            "handle": i2.handle("red"),
            "secretariat": [SECRETARIAT.0, SECRETARIAT.1],
        },
        "pages": {
            "member": {
                "inbox": "/staff/as/ong",
                "compose": "/staff/as/ong/compose",
                "posts": "/staff/as/ong/posts",
                "statements": "/staff/as/ong/statements",
                "calls": "/staff/as/ong/calls",
                "following": "/staff/as/ong/following",
                "alliances": "/staff/as/ong/alliances",
                "account": "/staff/account",
                "interact": format!("/staff/interact?uri={}", i2.actor_url("red")),
            },
            "alliance": {
                "inbox": "/staff/as/red",
                "compose": "/staff/as/red/compose",
                "posts": "/staff/as/red/posts",
                "statements": "/staff/as/red/statements",
                "calls": "/staff/as/red/calls",
                "following": "/staff/as/red/following",
                "alliances": "/staff/as/red/alliances",
                "settings": "/staff/as/red/settings",
                "statement": format!("/staff/as/red/statements/{}", statement.uuid),
                "call": format!("/staff/as/red/calls/{call_uuid}"),
                "public_statement": format!("/@red/statements/{}", statement.uuid),
                "public_call": format!("/@red/calls/{call_uuid}"),
                "admin": "/staff/admin",
                "account": "/staff/account",
            },
        },
    });
    crate::web::run_python("staff.py", &config).await;
    stop.cancel();
    for worker in workers {
        let _ = worker.await;
    }
    let _ = std::fs::remove_file(&image);
}

#[tokio::test]
async fn staff_pages_in_a_phone_browser() {
    on_every_backend!(browser_scenario);
}

async fn settings_scenario(backend: &Backend) {
    let net = staff_network(backend).await;
    let (i1, i2) = (net.get(0), net.get(1));
    let statement = i2
        .app()
        .create_statement(
            &OP,
            "red",
            Draft {
                title: "Safe passage now".into(),
                text: "We ask for safe and legal routes.".into(),
                policy: Some(EndorsementPolicy::Anyone),
                ..Draft::default()
            },
        )
        .await
        .unwrap();
    i2.app().open_statement(&OP, &statement.uuid).await.unwrap();
    let call = i2
        .app()
        .create_call(
            &OP,
            "red",
            CallInput {
                title: Some("Vigil at the port".into()),
                start: Some("2031-03-14T19:00:00+01:00".into()),
                ..CallInput::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;

    // The owner adds an editor from the settings page.
    let mut owner = Visitor::new(i1);
    owner.login(OWNER).await;
    let settings = owner.get("/staff/as/ong/settings").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    assert!(
        settings.body.contains(EDITOR.0),
        "staff listed: {}",
        settings.body
    );
    let added = owner
        .post(
            "/staff/as/ong/settings/staff",
            &[
                ("_csrf", &settings.csrf()),
                ("email", "Nuevo@ONG.example"),
                ("role", "editor"),
                ("password", "una contraseña nueva"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(
        owner
            .get("/staff/as/ong/settings")
            .await
            .body
            .contains("nuevo@ong.example")
    );

    // The new editor works, and is refused every owner-only page and action.
    let mut editor = Visitor::new(i1);
    let logged = editor
        .login(("nuevo@ong.example", "una contraseña nueva"))
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER);
    let inbox = editor.get("/staff/as/ong").await;
    assert!(
        !inbox.body.contains("/staff/as/ong/settings\""),
        "no settings tab"
    );
    let csrf = inbox.csrf();
    for path in ["/staff/as/ong/settings", "/staff/admin"] {
        assert_eq!(
            editor.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let red = i2.handle("red");
    let crafted: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "/staff/as/ong/settings/staff",
            vec![
                ("email", "intruso@ong.example"),
                ("role", "owner"),
                ("password", "una contraseña cualquiera"),
            ],
        ),
        ("/staff/as/ong/settings/delete", vec![("confirm", "ong")]),
        ("/staff/as/ong/settings/approval", vec![("manual", "1")]),
        (
            "/staff/as/ong/membership",
            vec![("action", "leave"), ("handle", &red)],
        ),
        ("/staff/admin/blocks", vec![("domain", "example.org")]),
    ];
    for (path, fields) in crafted {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend(fields);
        let answer = editor.post(path, &form).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            answer.location()
        );
    }
    assert!(
        i1.app()
            .login("intruso@ong.example", "una contraseña cualquiera", "t")
            .await
            .is_err()
    );
    assert!(i1.actor("ong").await.deleted_at.is_none());

    // It endorses the alliance's statement without its name, and pledges to its call.
    let page = editor.get("/staff/as/ong/statements").await;
    let endorsed = editor
        .post(
            "/staff/as/ong/endorse",
            &[
                ("_csrf", &page.csrf()),
                ("url", &statement.ap_url),
                ("anonymous", "1"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(endorsed.status, StatusCode::SEE_OTHER);
    let page = editor.get("/staff/as/ong/statements").await;
    assert!(page.body.contains("Endorsed."), "{}", page.body);
    let page = editor.get("/staff/as/ong/calls").await;
    let pledged = editor
        .post(
            "/staff/as/ong/pledge",
            &[("_csrf", &page.csrf()), ("url", &call.ap_id)],
        )
        .await;
    assert_eq!(pledged.status, StatusCode::SEE_OTHER);
    assert!(
        editor
            .get("/staff/as/ong/calls")
            .await
            .body
            .contains("Pledged.")
    );
    net.settle().await;
    let (named, anonymous) = i2.app().signatories(&statement.uuid).await.unwrap();
    assert!(named.is_empty() && anonymous == 1, "{named:?} {anonymous}");
    let (_, pledges) = i2.app().call_pledges(&call.ap_id).await.unwrap();
    assert_eq!(pledges.len(), 1);

    // The owner drafts, opens and exports its own statement, and creates a call.
    let page = owner.get("/staff/as/ong/statements").await;
    let drafted = owner
        .post(
            "/staff/as/ong/statements",
            &[
                ("_csrf", &page.csrf()),
                ("title", "Water for all"),
                ("text", "We ask for water points at the border."),
                ("ask", ""),
                ("language", "en"),
                ("policy", "anyone"),
            ],
        )
        .await;
    assert_eq!(drafted.status, StatusCode::SEE_OTHER);
    let page = owner.get("/staff/as/ong/statements").await;
    assert!(page.body.contains("Water for all"), "{}", page.body);
    let uuid = page
        .body
        .split(r#"name="uuid" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let opened = owner
        .post(
            "/staff/as/ong/statements/action",
            &[("_csrf", &page.csrf()), ("uuid", &uuid), ("action", "open")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let csv = owner
        .get(&format!("/staff/as/ong/statements/{uuid}/signatories.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("version,name,handle"), "{}", csv.body);
    let page = owner.get("/staff/as/ong/calls").await;
    let created = owner
        .post(
            "/staff/as/ong/calls",
            &[
                ("_csrf", &page.csrf()),
                ("title", "Picnic at the border"),
                ("start", "2031-06-01T12:00"),
                ("end", ""),
                ("timezone", "America/Bogota"),
                ("place", "El puente"),
                ("online", ""),
                ("summary", "Bring food"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let page = owner.get("/staff/as/ong/calls").await;
    assert!(page.body.contains("Picnic at the border"), "{}", page.body);

    // Following by address, and the admin page for administrators only.
    let page = owner.get("/staff/as/ong/following").await;
    let followed = owner
        .post(
            "/staff/as/ong/follow",
            &[("_csrf", &page.csrf()), ("handle", &i2.actor_url("red"))],
        )
        .await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER);
    net.settle().await;
    let page = owner.get("/staff/as/ong/following").await;
    assert!(page.body.contains("Follow requested."), "{}", page.body);
    assert!(page.body.contains(&red), "{}", page.body);
    assert_eq!(
        owner.get("/staff/admin").await.status,
        StatusCode::FORBIDDEN
    );
    i1.app().set_staff_admin(&OP, OWNER.0, true).await.unwrap();
    let admin = owner.get("/staff/admin").await;
    assert_eq!(admin.status, StatusCode::OK);
    assert!(
        admin.body.contains(&i2.domain),
        "delivery per host: {}",
        admin.body
    );
}

#[tokio::test]
async fn staff_settings_campaigns_and_owner_only_actions() {
    on_every_backend!(settings_scenario);
}

/// The values of every `name="{field}"` input of a page, in order.
pub fn field_values(body: &str, field: &str) -> Vec<String> {
    let needle = format!(r#"name="{field}" value=""#);
    body.split(&needle)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// What happened to the actor shows on its inbox, in the reader's words, each linked to its
/// subject; one is dismissed, then all.
async fn notifications_scenario(backend: &Backend) {
    let net = staff_network(backend).await;
    let (i1, i2) = (net.get(0), net.get(1));
    let call = i1
        .app()
        .create_call(
            &OP,
            "ong",
            CallInput {
                title: Some("Open day at the office".into()),
                start: Some("2031-05-01T10:00:00+02:00".into()),
                ..CallInput::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    // The alliance follows ong, mentions it, and pledges to its call.
    i2.app()
        .follow(&OP, "red", &i1.handle("ong"))
        .await
        .unwrap();
    net.settle().await;
    let mention = i2
        .app()
        .publish(
            &OP,
            "red",
            NewPost::text(&format!("Welcome @{} to the network", i1.handle("ong"))),
        )
        .await
        .unwrap();
    net.settle().await;
    i2.app().pledge(&OP, "red", &call.ap_id).await.unwrap();
    net.settle().await;

    // Any role reads them: the editor, here in Spanish.
    let mut editor = Visitor::new(i1);
    editor.login(EDITOR).await;
    let inbox = editor.get("/staff/as/ong").await;
    // Names are isolated for right-to-left languages (U+2068, U+2069).
    for said in [
        "red display\u{2069} follows you.",
        "red display\u{2069} mentioned you.",
        "red display\u{2069} pledged to your call to action.",
    ] {
        assert!(inbox.body.contains(said), "{said}: {}", inbox.body);
    }
    let mention_link = mention.url.clone().unwrap_or(mention.ap_id.clone());
    assert!(
        inbox.body.contains(&format!("href=\"{mention_link}\"")),
        "the mention links to its post: {}",
        inbox.body
    );
    assert!(inbox.body.contains(&format!("href=\"{}\"", call.ap_id)));
    let spanish = editor
        .client
        .get(format!("{}/staff/as/ong", editor.base))
        .header(header::COOKIE, editor.cookie.clone().unwrap())
        .header(header::ACCEPT_LANGUAGE, "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(spanish.contains("te mencionó"), "{spanish}");

    // The menu counts them on every page of the actor.
    let compose = editor.get("/staff/as/ong/compose").await;
    assert!(
        compose
            .body
            .contains(r#"<span class="badge count" title="Notifications">3</span>"#),
        "{}",
        compose.body
    );

    // Dismissing one (the newest: the pledge) leaves the others.
    let ids = field_values(&inbox.body, "id");
    assert!(ids.len() >= 3, "{ids:?}");
    let dismissed = editor
        .post(
            "/staff/as/ong/notifications",
            &[("_csrf", &inbox.csrf()), ("id", &ids[0])],
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::SEE_OTHER);
    let inbox = editor.get("/staff/as/ong").await;
    assert!(inbox.body.contains("Dismissed."), "{}", inbox.body);
    assert!(
        !inbox.body.contains("pledged to your call"),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains("mentioned you."));
    // The same one again, or one of another actor, is not found: nothing else changes.
    let again = editor
        .post(
            "/staff/as/ong/notifications",
            &[("_csrf", &inbox.csrf()), ("id", &ids[0])],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let inbox = editor.get("/staff/as/ong").await;
    assert!(
        inbox.body.contains("notification not found"),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains("mentioned you."));

    // Clearing takes the rest.
    let cleared = editor
        .post("/staff/as/ong/notifications", &[("_csrf", &inbox.csrf())])
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let inbox = editor.get("/staff/as/ong").await;
    assert!(inbox.body.contains("No notifications."), "{}", inbox.body);
    assert!(
        !inbox.body.contains("badge count"),
        "no count when none wait"
    );
    assert!(!inbox.body.contains("follows you."));

    // Twenty-one follows: a page of twenty, then the oldest one a page further.
    for n in 0..21 {
        let name = format!("vecino{n}");
        i1.create_actor(&name, "organization").await;
        i1.app()
            .follow(&OP, &name, &i1.handle("ong"))
            .await
            .unwrap();
    }
    let inbox = editor.get("/staff/as/ong").await;
    assert_eq!(inbox.body.matches("follows you.").count(), 20);
    assert!(inbox.body.contains(r#"<span class="badge">21</span>"#));
    assert!(inbox.body.contains("vecino20 display"));
    let older = inbox
        .body
        .split("/staff/as/ong?before=")
        .nth(1)
        .expect("a link to older notifications")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let page = editor.get(&format!("/staff/as/ong?before={older}")).await;
    assert_eq!(
        page.body.matches("follows you.").count(),
        1,
        "{}",
        page.body
    );
    assert!(page.body.contains("vecino0 display"));
    assert!(!page.body.contains("?before="), "the last page");
}

#[tokio::test]
async fn staff_notifications_on_the_inbox() {
    on_every_backend!(notifications_scenario);
}

/// Statements and calls across two instances from the staff pages: a co-initiator invited
/// on the other instance accepts; the statement is opened, revised and translated and the
/// other instance's copy follows; a staff member endorses from the public page (named, then
/// withdrawn); a call is changed from its filled-in form and the follower's copy follows;
/// pledges show on the call's page and are withdrawn; an editor cannot change or cancel
/// another actor's call, whatever it posts.
async fn campaigns_scenario(backend: &Backend) {
    let net = staff_network(backend).await;
    let (i1, i2) = (net.get(0), net.get(1));
    // A neighbours' association on the first instance, which ong's owner also writes for.
    i1.create_actor("vecinos", "organization").await;
    i1.app()
        .grant_staff(&OP, OWNER.0, "vecinos", StaffRole::Editor, None)
        .await
        .unwrap();
    let theirs = i1
        .app()
        .create_call(
            &OP,
            "vecinos",
            CallInput {
                title: Some("Street party".into()),
                start: Some("2031-07-01T18:00:00+02:00".into()),
                ..CallInput::default()
            },
        )
        .await
        .unwrap();
    // The alliance follows ong, so its instance keeps ong's calls.
    i2.app()
        .follow(&OP, "red", &i1.handle("ong"))
        .await
        .unwrap();
    let statement = i1
        .app()
        .create_statement(
            &OP,
            "ong",
            Draft {
                title: "Water for all".into(),
                text: "We ask for water points at the border.".into(),
                language: Some("en".into()),
                policy: Some(EndorsementPolicy::Anyone),
                ..Draft::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let uuid = statement.uuid.clone();
    let manage = format!("/staff/as/ong/statements/{uuid}");

    // The owner invites the alliance on the other instance to co-initiate.
    let mut owner = Visitor::new(i1);
    owner.login(OWNER).await;
    let list = owner.get("/staff/as/ong/statements").await;
    assert!(
        list.body.contains(&format!("href=\"{manage}\"")),
        "{}",
        list.body
    );
    let page = owner.get(&manage).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Nobody invited yet."), "{}", page.body);
    let invited = owner
        .post(
            &format!("{manage}/invite"),
            &[
                ("_csrf", &page.csrf()),
                ("handle", &i2.handle("red")),
                ("role", "initiator"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER);
    assert_eq!(invited.location(), manage);
    net.settle().await;
    let page = owner.get(&manage).await;
    assert!(page.body.contains("Invitation sent."), "{}", page.body);
    assert!(page.body.contains("Waiting for an answer"), "{}", page.body);

    // The secretariat accepts on its own instance.
    let mut secretariat = Visitor::new(i2);
    secretariat.login(SECRETARIAT).await;
    let theirs_list = secretariat.get("/staff/as/red/statements").await;
    assert!(
        theirs_list.body.contains("Water for all"),
        "{}",
        theirs_list.body
    );
    assert!(
        theirs_list.body.contains("Invited by"),
        "{}",
        theirs_list.body
    );
    let answered = secretariat
        .post(
            "/staff/as/red/statements/answer",
            &[
                ("_csrf", &theirs_list.csrf()),
                ("id", &statement.ap_url),
                ("answer", "confirm"),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    net.settle().await;
    assert!(
        secretariat
            .get("/staff/as/red/statements")
            .await
            .body
            .contains("Invitation accepted.")
    );
    let page = owner.get(&manage).await;
    assert!(page.body.contains("Accepted"), "{}", page.body);
    assert!(
        !page.body.contains("Waiting for an answer"),
        "{}",
        page.body
    );

    // Opened, then revised into a second version and translated: the copy follows.
    let opened = owner
        .post(
            "/staff/as/ong/statements/action",
            &[("_csrf", &page.csrf()), ("uuid", &uuid), ("action", "open")],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    net.settle().await;
    let page = owner.get(&manage).await;
    assert!(
        page.body.contains("We ask for water points at the border."),
        "the text is offered back to revise: {}",
        page.body
    );
    let revised = owner
        .post(
            &format!("{manage}/revise"),
            &[
                ("_csrf", &page.csrf()),
                ("title", "Water and shade for all"),
                ("text", "We ask for water points and shade at the border."),
            ],
        )
        .await;
    assert_eq!(revised.status, StatusCode::SEE_OTHER);
    let translated = owner
        .post(
            "/staff/as/ong/statements/translate",
            &[
                ("_csrf", &page.csrf()),
                ("id", &uuid),
                ("language", "es"),
                ("text", "Pedimos puntos de agua y sombra en la frontera."),
            ],
        )
        .await;
    assert_eq!(translated.status, StatusCode::SEE_OTHER);
    assert_eq!(translated.location(), manage);
    net.settle().await;
    let page = owner.get(&manage).await;
    assert!(page.body.contains("Version 2"), "{}", page.body);
    let copy = i2.app().find_statement(&statement.ap_url).await.unwrap();
    let version = puentes_db::query::statement::current_version(i2.db(), copy.id)
        .await
        .unwrap();
    assert_eq!(version.number, 2);
    assert_eq!(version.name, "Water and shade for all");
    // Added after opening, outside what endorsers sign: the copy keeps the owner's
    // re-sent document, which carries it.
    let document: serde_json::Value =
        serde_json::from_str(version.document.as_deref().expect("the signed document")).unwrap();
    assert_eq!(
        document["translations"]["es"].as_str().map(str::trim),
        Some("<p>Pedimos puntos de agua y sombra en la frontera.</p>"),
        "{}",
        document["translations"]
    );
    // A language mistake comes back as a message, nothing changes.
    let same = owner
        .post(
            "/staff/as/ong/statements/translate",
            &[
                ("_csrf", &page.csrf()),
                ("id", &uuid),
                ("language", "en"),
                ("text", "Again in English."),
            ],
        )
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    assert!(
        owner
            .get(&manage)
            .await
            .body
            .contains("that is the language of the text itself")
    );

    // The public page: nothing for a visitor (not even a cookie); for the logged-in
    // owner, a form for each actor it may endorse as (not the statement's own).
    let public = format!("/@ong/statements/{uuid}");
    let mut visitor = Visitor::new(i1);
    let seen = visitor.get(&public).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("Endorse as"), "{}", seen.body);
    assert!(!seen.body.contains("_csrf"));
    assert!(seen.headers.get(header::SET_COOKIE).is_none());
    let seen = owner.get(&public).await;
    assert!(
        seen.body
            .contains("Endorse as \u{2068}vecinos display\u{2069}"),
        "{}",
        seen.body
    );
    assert!(!seen.body.contains("Endorse as \u{2068}ong display\u{2069}"));
    assert_eq!(seen.headers[header::CACHE_CONTROL], "no-store");
    let endorsed = owner
        .post(
            "/staff/as/vecinos/endorse",
            &[
                ("_csrf", &seen.csrf()),
                ("url", &statement.ap_url),
                ("note", "Con gusto"),
            ],
        )
        .await;
    assert_eq!(endorsed.status, StatusCode::SEE_OTHER);
    net.settle().await;
    let (named, _) = i1.app().signatories(&uuid).await.unwrap();
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].handle, i1.handle("vecinos"));
    let page = owner.get(&manage).await;
    assert!(
        page.body.contains("vecinos display"),
        "signatories: {}",
        page.body
    );
    let withdrawn = owner
        .post(
            "/staff/as/vecinos/endorse",
            &[
                ("_csrf", &page.csrf()),
                ("url", &statement.ap_url),
                ("withdraw", "1"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    net.settle().await;
    let (named, anonymous) = i1.app().signatories(&uuid).await.unwrap();
    assert!(named.is_empty() && anonymous == 0, "{named:?}");

    // A call: changed from its filled-in form; the follower's instance has the change.
    let call = i1
        .app()
        .create_call(
            &OP,
            "ong",
            CallInput {
                title: Some("Open day at the office".into()),
                start: Some("2031-05-01T10:00:00+02:00".into()),
                timezone: Some("Europe/Madrid".into()),
                ..CallInput::default()
            },
        )
        .await
        .unwrap();
    net.settle().await;
    let call_uuid = call.ap_id.rsplit('/').next().unwrap().to_string();
    let call_page = format!("/staff/as/ong/calls/{call_uuid}");
    let list = owner.get("/staff/as/ong/calls").await;
    assert!(
        list.body.contains(&format!("href=\"{call_page}\"")),
        "{}",
        list.body
    );
    let form = owner.get(&call_page).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains(r#"value="Open day at the office""#),
        "{}",
        form.body
    );
    assert!(
        form.body.contains(r#"value="2031-05-01T10:00""#),
        "{}",
        form.body
    );
    assert!(
        form.body.contains(r#"value="Europe/Madrid""#),
        "{}",
        form.body
    );
    let updated = owner
        .post(
            &call_page,
            &[
                ("_csrf", &form.csrf()),
                ("title", "Open day, now in the square"),
                ("start", "2031-05-01T11:00"),
                ("end", ""),
                ("timezone", "Europe/Madrid"),
                ("place", "Plaza Mayor"),
                ("online", ""),
                ("summary", "Come and meet us"),
            ],
        )
        .await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER);
    net.settle().await;
    assert!(
        owner
            .get(&call_page)
            .await
            .body
            .contains("Call to action updated.")
    );
    let copy = puentes_db::query::call::by_ap_id(i2.db(), &call.ap_id)
        .await
        .unwrap()
        .expect("the follower keeps the call");
    assert_eq!(copy.name, "Open day, now in the square");
    assert_eq!(copy.location_name.as_deref(), Some("Plaza Mayor"));
    assert_eq!(copy.start_time.to_rfc3339(), "2031-05-01T09:00:00+00:00");

    // The alliance pledges; the organizer sees it; the alliance withdraws from its page.
    let calls = secretariat.get("/staff/as/red/calls").await;
    let pledged = secretariat
        .post(
            "/staff/as/red/pledge",
            &[("_csrf", &calls.csrf()), ("url", &call.ap_id)],
        )
        .await;
    assert_eq!(pledged.status, StatusCode::SEE_OTHER);
    net.settle().await;
    let page = owner.get(&call_page).await;
    assert!(page.body.contains(&i2.handle("red")), "{}", page.body);
    assert!(page.body.contains("Accepted"), "{}", page.body);
    let calls = secretariat.get("/staff/as/red/calls").await;
    assert!(calls.body.contains("Our pledges"), "{}", calls.body);
    assert!(calls.body.contains("Open day, now in the square"));
    let withdrawn = secretariat
        .post(
            "/staff/as/red/pledge",
            &[
                ("_csrf", &calls.csrf()),
                ("url", &call.ap_id),
                ("withdraw", "1"),
            ],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    net.settle().await;
    assert!(owner.get(&call_page).await.body.contains("Withdrawn"));
    assert!(
        !secretariat
            .get("/staff/as/red/calls")
            .await
            .body
            .contains("Our pledges")
    );
    // From the call's public page, the owner pledges as the other actor it writes for.
    let public = format!("/@ong/calls/{call_uuid}");
    let seen = owner.get(&public).await;
    assert!(
        seen.body
            .contains("Pledge as \u{2068}vecinos display\u{2069}"),
        "{}",
        seen.body
    );
    assert!(!seen.body.contains("Pledge as \u{2068}ong display\u{2069}"));
    let pledged = owner
        .post(
            "/staff/as/vecinos/pledge",
            &[("_csrf", &seen.csrf()), ("url", &call.ap_id)],
        )
        .await;
    assert_eq!(pledged.status, StatusCode::SEE_OTHER);
    assert!(
        owner
            .get(&call_page)
            .await
            .body
            .contains(&i1.handle("vecinos"))
    );
    assert!(!visitor.get(&public).await.body.contains("Pledge as"));

    // The editor of ong cannot change or cancel the neighbours' call, however it posts.
    let mut editor = Visitor::new(i1);
    editor.login(EDITOR).await;
    let csrf = editor.get("/staff/as/ong/calls").await.csrf();
    let their_uuid = theirs.ap_id.rsplit('/').next().unwrap().to_string();
    let change = [
        ("_csrf", csrf.as_str()),
        ("title", "Hijacked"),
        ("start", "2031-07-01T18:00"),
        ("timezone", "UTC"),
    ];
    let forbidden = [
        (
            format!("/staff/as/vecinos/calls/{their_uuid}"),
            change.to_vec(),
        ),
        (
            "/staff/as/vecinos/calls/cancel".to_string(),
            vec![("_csrf", csrf.as_str()), ("id", theirs.ap_id.as_str())],
        ),
    ];
    for (path, fields) in forbidden {
        let answer = editor.post(&path, &fields).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Through its own actor's address the call is simply not ong's.
    let wrong_actor = editor
        .post(&format!("/staff/as/ong/calls/{their_uuid}"), &change)
        .await;
    assert_eq!(wrong_actor.status, StatusCode::SEE_OTHER);
    let cancel = editor
        .post(
            "/staff/as/ong/calls/cancel",
            &[("_csrf", &csrf), ("id", &theirs.ap_id)],
        )
        .await;
    assert_eq!(cancel.status, StatusCode::SEE_OTHER);
    assert!(
        editor
            .get("/staff/as/ong/calls")
            .await
            .body
            .contains("call to action not found")
    );
    let kept = puentes_db::query::call::by_ap_id(i1.db(), &theirs.ap_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.name, "Street party");
    assert!(!kept.is_cancelled());
}

#[tokio::test]
async fn staff_statements_and_calls_across_instances() {
    on_every_backend!(campaigns_scenario);
}
