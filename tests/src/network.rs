//! In-process instances on loopback ports (`localhost:PORT`, never an IP: the federation
//! library refuses IP hosts).

use crate::Backend;
use puentes_app::{Caller, actors::NewActor, posts::NewPost};
use puentes_core::Config;
use puentes_core::{ActorKind, FollowState, JoinPolicy, Visibility};
use puentes_db::{actor, query, query::actor::AlliancePolicies};
use puentes_server::{Instance, jobs};

/// Tests run commands as the instance's operator, as the command line does.
pub const OP: Caller = Caller::Operator;
use std::path::PathBuf;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

pub struct TestInstance {
    pub port: u16,
    pub domain: String,
    pub dir: PathBuf,
    pub db_url: String,
    pub instance: Instance,
    /// The configuration it runs with, kept for restarts.
    config: Config,
    running: Option<(CancellationToken, JoinHandle<()>)>,
}

pub fn test_config(port: u16, dir: &std::path::Path, db_url: &str) -> Config {
    let mut config = Config {
        domain: format!("localhost:{port}"),
        bind: format!("127.0.0.1:{port}"),
        database_url: Some(db_url.to_string()),
        data_dir: dir.to_path_buf(),
        workers: false,
        http_timeout_secs: 5,
        ..Config::default()
    };
    config.delivery.backoff_base_secs = 30;
    config
}

impl TestInstance {
    pub async fn start(backend: &Backend) -> TestInstance {
        TestInstance::start_with(backend, |_| {}).await
    }

    /// An instance whose test configuration is changed by `configure` first (its domain
    /// is already set: `localhost:PORT`).
    pub async fn start_with(
        backend: &Backend,
        configure: impl FnOnce(&mut Config),
    ) -> TestInstance {
        let dir =
            std::env::temp_dir().join(format!("puentes-test-{}", uuid::Uuid::new_v4().simple()));
        TestInstance::start_in(backend, dir, configure).await
    }

    /// An instance whose data directory (SQLite file and media) is `dir`.
    pub async fn start_in(
        backend: &Backend,
        dir: PathBuf,
        configure: impl FnOnce(&mut Config),
    ) -> TestInstance {
        crate::init_tracing();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::fs::create_dir_all(&dir).expect("data dir");
        let (db, db_url) = backend.fresh(&dir).await;
        let mut config = test_config(port, &dir, &db_url);
        configure(&mut config);
        config.validate().expect("valid test configuration");
        let instance = Instance::with_db(config.clone(), db)
            .await
            .expect("instance");
        let mut me = TestInstance {
            port,
            domain: format!("localhost:{port}"),
            dir,
            db_url,
            instance,
            config,
            running: None,
        };
        me.serve(listener);
        me
    }

    fn serve(&mut self, listener: TcpListener) {
        let token = CancellationToken::new();
        let instance = self.instance.clone();
        let stop = token.clone();
        let handle = tokio::spawn(async move {
            instance.serve(listener, stop).await.expect("serve");
        });
        self.running = Some((token, handle));
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Stops serving (the port refuses connections) and closes the database pool.
    pub async fn stop(&mut self) {
        if let Some((token, handle)) = self.running.take() {
            token.cancel();
            let _ = handle.await;
        }
    }

    /// A new process on the same port and database, as after a restart.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(format!("127.0.0.1:{}", self.port))
            .await
            .expect("rebind");
        let db = puentes_db::connect_url(&self.db_url, Some(&self.dir))
            .await
            .expect("reconnect");
        self.instance = Instance::with_db(self.config.clone(), db)
            .await
            .expect("instance");
        self.serve(listener);
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.domain)
    }
    pub fn handle(&self, name: &str) -> String {
        format!("{name}@{}", self.domain)
    }
    pub fn actor_url(&self, name: &str) -> String {
        format!("{}/actors/{name}", self.base())
    }
    pub fn db(&self) -> &puentes_db::DatabaseConnection {
        &self.instance.ctx.db
    }

    /// The instance's commands.
    pub fn app(&self) -> &puentes_app::App {
        &self.instance.app
    }

    /// `kind` as typed on the command line: organization or alliance.
    pub async fn create_actor(&self, name: &str, kind: &str) -> actor::Model {
        self.app()
            .create_actor(
                &OP,
                NewActor {
                    name: name.into(),
                    kind: ActorKind::for_new_actor(kind).expect("kind"),
                    display_name: Some(format!("{name} display")),
                    summary: None,
                    manually_approves_followers: false,
                },
            )
            .await
            .expect("create actor")
    }

    /// An alliance that admits whoever asks to join.
    pub async fn create_open_alliance(&self, name: &str) -> actor::Model {
        let alliance = self.create_actor(name, "alliance").await;
        let policies = AlliancePolicies {
            join: Some(JoinPolicy::Auto),
            ..Default::default()
        };
        self.app()
            .set_alliance_policies(&OP, name, policies)
            .await
            .expect("alliance policy");
        alliance
    }

    pub async fn create_manual_actor(&self, name: &str) -> actor::Model {
        self.app()
            .create_actor(
                &OP,
                NewActor {
                    name: name.into(),
                    kind: ActorKind::Organization,
                    display_name: None,
                    summary: None,
                    manually_approves_followers: true,
                },
            )
            .await
            .expect("create actor")
    }

    /// A post of plain text as `as_name`, with a visibility as typed (public, unlisted…).
    pub async fn post(
        &self,
        as_name: &str,
        text: &str,
        visibility: &str,
    ) -> puentes_core::Result<puentes_db::post::Model> {
        let new = NewPost {
            visibility: Visibility::parse(visibility)?,
            ..NewPost::text(text)
        };
        self.app().publish(&OP, as_name, new).await
    }

    pub async fn actor(&self, name: &str) -> actor::Model {
        query::actor::local_by_name_required(self.db(), name)
            .await
            .expect("actor")
    }

    /// Accepted followers' ids.
    pub async fn followers(&self, name: &str) -> Vec<String> {
        let actor = self.actor(name).await;
        query::follow::followers(self.db(), actor.id, FollowState::Accepted)
            .await
            .expect("followers")
            .into_iter()
            .map(|a| a.ap_id)
            .collect()
    }

    pub async fn post_by_id(&self, ap_id: &str) -> Option<puentes_db::post::Model> {
        query::post::by_ap_id(self.db(), ap_id).await.expect("post")
    }

    /// Status of local actor `member`'s membership in the alliance `alliance_id`, as this
    /// instance records it.
    pub async fn membership_status(&self, alliance_id: &str, member: &str) -> Option<String> {
        let alliance = query::actor::by_ap_id(self.db(), alliance_id)
            .await
            .expect("actor")?;
        let member = self.actor(member).await;
        query::membership::get(self.db(), alliance.id, member.id)
            .await
            .expect("membership")
            .map(|m| m.status)
    }

    /// Ids of the actors known here to have relayed (announced) an object, in order.
    pub async fn announcers(&self, object: &str) -> Vec<String> {
        let mut out = Vec::new();
        for id in query::relay::announcers(self.db(), object)
            .await
            .expect("announcers")
        {
            out.push(query::actor::get(self.db(), id).await.expect("actor").ap_id);
        }
        out
    }

    /// The body of one of this instance's pages, as a browser gets it.
    pub async fn get_page(&self, path: &str) -> String {
        reqwest::get(format!("{}{path}", self.base()))
            .await
            .expect("get")
            .text()
            .await
            .expect("page body")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base()))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .expect("get");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }
}

pub struct TestNetwork {
    pub instances: Vec<TestInstance>,
}

impl TestNetwork {
    /// One instance whose test configuration is changed by `configure`.
    pub async fn start_with_config(
        backend: &Backend,
        configure: impl FnOnce(&mut Config),
    ) -> TestNetwork {
        TestNetwork {
            instances: vec![TestInstance::start_with(backend, configure).await],
        }
    }

    pub async fn start(backend: &Backend, count: usize) -> TestNetwork {
        let mut instances = Vec::new();
        for _ in 0..count {
            instances.push(TestInstance::start(backend).await);
        }
        TestNetwork { instances }
    }

    /// Two instances: organization `alpha` on the first, followed by organization `beta`
    /// on the second (accepted and settled).
    pub async fn alpha_followed_by_beta(backend: &Backend) -> TestNetwork {
        let net = TestNetwork::start(backend, 2).await;
        let (a, b) = (net.get(0), net.get(1));
        a.create_actor("alpha", "organization").await;
        b.create_actor("beta", "organization").await;
        b.app()
            .follow(&OP, "beta", &a.handle("alpha"))
            .await
            .expect("follow");
        net.settle().await;
        net
    }

    pub fn get(&self, i: usize) -> &TestInstance {
        &self.instances[i]
    }

    /// Drives every running instance's outbox and delivery queues until none has due work.
    /// Inboxes apply activities within the request, so after this every effect is visible.
    pub async fn settle(&self) {
        for _round in 0..100 {
            let mut work = 0;
            for instance in self.instances.iter().filter(|i| i.is_running()) {
                work += jobs::run_until_idle(&instance.instance.ctx)
                    .await
                    .expect("queues");
            }
            if work == 0 {
                return;
            }
        }
        panic!("the network did not settle after 100 rounds");
    }

    pub async fn stop_all(&mut self) {
        for instance in &mut self.instances {
            instance.stop().await;
        }
    }
}
