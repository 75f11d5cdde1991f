//! For unit tests of the application layer: a migrated SQLite database in a temporary
//! folder (or on PostgreSQL when `PUENTES_TEST_DATABASE_URL` names a server), and a
//! federation port that knows a fixed set of remote actors and never touches the network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{
    App, Caller, Federation,
    actors::NewActor,
    ports::{ActorKeys, RemoteCall},
    statements::{EndorseRequest, RemoteStatement, WithdrawRequest},
};
use puentes_core::{ActorKind, Config, Error, Result, StaffRole, handle::Handle};
use puentes_db::{
    ConnectionTrait, actor,
    query::{self, actor::ActorData, post::PostData},
    statement, statement_version,
};
use puentes_migrations::MigratorTrait;
use std::sync::Arc;
use url::Url;

/// Knows the remote actors stored in the database; signs with fixed strings.
pub struct OfflineNetwork {
    db: puentes_db::DatabaseConnection,
}

#[async_trait::async_trait]
impl Federation for OfflineNetwork {
    async fn resolve_handle(&self, handle: &Handle) -> Result<actor::Model> {
        query::actor::by_ap_id(
            &self.db,
            &format!("http://{}/actors/{}", handle.domain, handle.name),
        )
        .await?
        .ok_or_else(|| Error::not_found(format!("{} (offline)", handle.acct())))
    }

    async fn actor_by_id(&self, id: &Url) -> Result<actor::Model> {
        query::actor::by_ap_id(&self.db, id.as_str())
            .await?
            .ok_or_else(|| Error::not_found("actor (offline)"))
    }

    async fn refresh_actor(&self, id: &Url) -> Result<actor::Model> {
        self.actor_by_id(id).await
    }

    async fn generate_keys(&self) -> Result<ActorKeys> {
        Ok(ActorKeys {
            rsa_public_pem: "test-public".into(),
            rsa_private_pem: "test-private".into(),
            ed25519_public: "z6Mktest".into(),
            ed25519_private: "test".into(),
        })
    }

    async fn fetch_call(&self, _url: &Url) -> Result<RemoteCall> {
        Err(Error::remote("offline"))
    }

    async fn fetch_statement(&self, _url: &Url) -> Result<Option<RemoteStatement>> {
        Err(Error::remote("offline"))
    }

    fn version_digest(
        &self,
        _row: &statement::Model,
        version: &statement_version::Model,
        _initiators: &[actor::Model],
    ) -> Result<String> {
        Ok(format!(
            "digest-of-{}-{}",
            version.ap_id,
            version.content.len()
        ))
    }

    fn sign_endorsement(&self, request: &EndorseRequest<'_>) -> Result<String> {
        Ok(format!("signed Endorse {}", request.id))
    }

    fn sign_withdrawal(&self, request: &WithdrawRequest<'_>) -> Result<String> {
        Ok(format!("signed Undo {}", request.id))
    }

    async fn remote_member_count(&self, _alliance: &actor::Model) -> Option<i64> {
        None
    }

    async fn subscribe_template(&self, _handle: &Handle) -> Result<Option<String>> {
        Ok(None)
    }
}

pub struct TestApp {
    pub app: App,
    dir: std::path::PathBuf,
    postgres: Option<(String, String)>,
}

impl std::ops::Deref for TestApp {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl TestApp {
    /// Every database the suites run on.
    pub async fn all() -> Vec<TestApp> {
        let mut apps = vec![TestApp::new(None).await];
        if let Ok(server) = std::env::var("PUENTES_TEST_DATABASE_URL")
            && !server.is_empty()
        {
            apps.push(TestApp::new(Some(server)).await);
        }
        apps
    }

    async fn new(postgres_server: Option<String>) -> TestApp {
        let dir = std::env::temp_dir().join(format!("puentes-app-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let (url, postgres) = match postgres_server {
            None => (
                format!("sqlite://{}/puentes.db?mode=rwc", dir.display()),
                None,
            ),
            Some(server) => {
                let admin = puentes_db::connect_url(&server, None).await.unwrap();
                let name = format!("puentes_app_{}", uuid::Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                let base = &server[..server.rfind('/').unwrap()];
                (format!("{base}/{name}"), Some((server.clone(), name)))
            }
        };
        let config = Config {
            domain: "localhost:8080".into(),
            data_dir: dir.clone(),
            database_url: Some(url.clone()),
            ..Config::default()
        };
        let db = puentes_db::connect_url(&url, Some(&dir)).await.unwrap();
        puentes_migrations::Migrator::up(&db, None).await.unwrap();
        let network = Arc::new(OfflineNetwork { db: db.clone() });
        TestApp {
            app: App::new(db, Arc::new(config), network),
            dir,
            postgres,
        }
    }

    pub async fn close(self) {
        self.app.db.clone().close().await.unwrap();
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((server, name)) = self.postgres {
            let admin = puentes_db::connect_url(&server, None).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE {name}"))
                .await
                .unwrap();
        }
    }

    pub async fn actor(&self, name: &str, kind: ActorKind) -> actor::Model {
        self.create_actor(
            &Caller::Operator,
            NewActor {
                name: name.into(),
                kind,
                display_name: None,
                summary: None,
                manually_approves_followers: false,
            },
        )
        .await
        .unwrap()
    }

    /// A remote actor as if fetched from `http://remote.example/actors/NAME`.
    pub async fn remote(&self, name: &str, kind: ActorKind) -> actor::Model {
        self.remote_at(name, kind, "remote.example", None).await
    }

    /// A remote actor as if fetched from `http://DOMAIN/actors/NAME`, with a shared inbox
    /// where given.
    pub async fn remote_at(
        &self,
        name: &str,
        kind: ActorKind,
        domain: &str,
        shared_inbox: Option<&str>,
    ) -> actor::Model {
        let id = format!("http://{domain}/actors/{name}");
        query::actor::insert(
            &self.db,
            ActorData {
                ap_id: id.clone(),
                username: name.into(),
                domain: domain.into(),
                kind,
                display_name: None,
                summary: None,
                inbox: format!("{id}/inbox"),
                shared_inbox: shared_inbox.map(str::to_string),
                outbox: None,
                followers_url: Some(format!("{id}/followers")),
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
                discoverable: true,
                indexable: true,
                also_known_as: Vec::new(),
                moved_to: None,
            },
        )
        .await
        .unwrap()
    }

    /// A staff member with `role` on the actor `name`; returns its caller.
    pub async fn staff(&self, email: &str, name: &str, role: StaffRole) -> Caller {
        let (account, _) = self
            .grant_staff(
                &Caller::Operator,
                email,
                name,
                role,
                Some("a long enough password"),
            )
            .await
            .unwrap();
        Caller::Staff(account.id)
    }

    /// `local` follows the remote `author`, accepted (as after the author's Accept).
    pub async fn followed_by(&self, local: &actor::Model, author: &actor::Model) {
        query::follow::insert(
            &self.db,
            &format!("{}/follows/{}", local.ap_id, author.username),
            local.id,
            author.id,
            puentes_core::FollowState::Accepted,
        )
        .await
        .unwrap();
    }
}

/// A public Note number `n` by the remote `author`, as the inbox parses one.
pub fn remote_note(author: &actor::Model, n: u32, text: &str) -> PostData {
    PostData {
        ap_id: format!("{}/posts/{n}", author.ap_id),
        author_id: author.id,
        kind: "Note".into(),
        content: format!("<p>{text}</p>"),
        summary: None,
        name: None,
        language: None,
        sensitive: false,
        in_reply_to: None,
        url: None,
        visibility: puentes_core::Visibility::Public,
        to: vec!["https://www.w3.org/ns/activitystreams#Public".into()],
        cc: vec![format!("{}/followers", author.ap_id)],
        local: false,
        published: chrono::Utc::now(),
        updated_at: None,
        content_map: None,
        tags: Vec::new(),
        audience: None,
        attachments: Vec::new(),
    }
}
