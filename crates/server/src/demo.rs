//! `puentes demo`: three federated instances in one process, on local ports, with
//! fictional organizations, two alliances (one a member of the other), posts with an image
//! and in Arabic, a joint statement with named and anonymous endorsements and a call to
//! action with pledges. Everything is made through the application layer and travels over
//! real HTTP between the instances, as it would between servers.

use crate::{Instance, jobs};
use puentes_app::{
    App, Caller,
    actors::{NewActor, ProfileEdit},
    calls::CallInput,
    posts::{NewImage, NewPost},
    statements::Draft,
};
use puentes_core::{ActorKind, Config, EndorsementPolicy, JoinPolicy, Result, StaffRole};
use puentes_db::query::actor::AlliancePolicies;
use std::{io::Cursor, path::Path};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

const OPERATOR: Caller = Caller::Operator;

/// The running demo: its instances, what to open, and how to stop it.
pub struct Demo {
    pub instances: Vec<Instance>,
    /// `http://localhost:PORT` of each instance.
    pub bases: Vec<String>,
    /// (what it shows, its address), in the order a newcomer should open them.
    pub pages: Vec<(String, String)>,
    /// Staff accounts to log in with on the staff pages.
    pub logins: Vec<DemoLogin>,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

/// A staff account of the demo: where to log in, as whom, for which actor and role.
pub struct DemoLogin {
    pub login_url: String,
    pub email: String,
    pub password: String,
    pub actor: String,
    pub role: StaffRole,
}

/// An image to look at, drawn here: bands of colour (no file is shipped).
fn picture(width: u32, height: u32, hue: [u8; 3]) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        let band = ((x / 24 + y / 24) % 3) as u8;
        image::Rgb([
            hue[0].saturating_add(band * 30),
            hue[1].saturating_add(band * 20),
            hue[2].saturating_add((y * 60 / height) as u8),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    // Encoding a small in-memory image cannot fail; an empty picture is refused later.
    let _ = image::DynamicImage::ImageRgb8(pixels).write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

fn config(port: u16, dir: &Path, name: &str) -> Config {
    Config {
        domain: format!("localhost:{port}"),
        bind: format!("127.0.0.1:{port}"),
        data_dir: dir.to_path_buf(),
        instance_name: name.to_string(),
        instance_description: format!("{name}: a Puentes demo instance (fictional organizations)"),
        workers: false,
        ..Config::default()
    }
}

async fn actor(
    app: &App,
    name: &str,
    kind: ActorKind,
    display: &str,
    summary: &str,
    hue: [u8; 3],
) -> Result<()> {
    app.create_actor(
        &OPERATOR,
        NewActor {
            name: name.into(),
            kind,
            display_name: Some(display.into()),
            summary: Some(summary.into()),
            manually_approves_followers: false,
        },
    )
    .await?;
    app.edit_actor(
        &OPERATOR,
        name,
        ProfileEdit {
            avatar: Some(picture(128, 128, hue)),
            header: Some(picture(900, 240, hue)),
            ..Default::default()
        },
    )
    .await?;
    if kind == ActorKind::Alliance {
        app.set_alliance_policies(
            &OPERATOR,
            name,
            AlliancePolicies {
                join: Some(JoinPolicy::Auto),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

impl Demo {
    /// Drives every instance's queues until none has work left, so each step's activities
    /// have arrived before the next.
    pub async fn settle(&self) -> Result<()> {
        for _ in 0..100 {
            let mut work = 0;
            for instance in &self.instances {
                work += jobs::run_until_idle(&instance.ctx).await?;
            }
            if work == 0 {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Starts three instances on these listeners (their ports name them), with data under
    /// `dir`, fills them and leaves them serving with their workers running.
    pub async fn start(listeners: [TcpListener; 3], dir: &Path) -> Result<Demo> {
        let names = ["Puentes Norte", "Puentes Sur", "Puentes Mar"];
        let shutdown = CancellationToken::new();
        let mut demo = Demo {
            instances: Vec::new(),
            bases: Vec::new(),
            pages: Vec::new(),
            logins: Vec::new(),
            shutdown: shutdown.clone(),
            tasks: Vec::new(),
        };
        for (i, listener) in listeners.into_iter().enumerate() {
            let port = listener
                .local_addr()
                .map_err(|e| puentes_core::Error::internal("no local address").with_source(e))?
                .port();
            let folder = dir.join(format!("instance-{}", i + 1));
            let instance = Instance::open(
                config(port, &folder, names[i]),
                crate::database::IfMissing::Create,
            )
            .await?;
            let serving = instance.clone();
            let stop = shutdown.clone();
            demo.tasks.push(tokio::spawn(async move {
                if let Err(e) = serving.serve(listener, stop).await {
                    tracing::error!(error = ?e, "demo instance stopped");
                }
            }));
            demo.bases.push(format!("http://localhost:{port}"));
            demo.instances.push(instance);
        }
        demo.fill().await?;
        demo.add_staff().await?;
        for instance in &demo.instances {
            demo.tasks.push(tokio::spawn(jobs::run_workers(
                instance.ctx.clone(),
                shutdown.clone(),
            )));
        }
        Ok(demo)
    }

    fn handle(&self, i: usize, name: &str) -> String {
        format!("{name}@{}", self.bases[i].trim_start_matches("http://"))
    }

    async fn fill(&mut self) -> Result<()> {
        let (a, b, c) = (
            &self.instances[0].app,
            &self.instances[1].app,
            &self.instances[2].app,
        );
        use ActorKind::{Alliance, Organization};
        actor(
            a,
            "casa_abierta",
            Organization,
            "Casa Abierta",
            "Albergue para personas migrantes y refugiadas. Comida, abrigo y acompañamiento legal.",
            [40, 110, 80],
        )
        .await?;
        actor(
            a,
            "sawt",
            Organization,
            "صوت المهاجرين",
            "جمعية يديرها مهاجرون: ترجمة ومرافقة إلى المحاكم والمستشفيات.",
            [150, 60, 40],
        )
        .await?;
        actor(b, "red_frontera", Alliance, "Red Frontera Sur",
            "Alianza de albergues y asociaciones de la frontera sur. Difundimos la voz de nuestros miembros.", [20, 70, 140]).await?;
        actor(
            b,
            "accueil_solidaire",
            Organization,
            "Accueil Solidaire",
            "Association d'accueil et d'hébergement solidaire.",
            [120, 40, 120],
        )
        .await?;
        actor(
            c,
            "coalicion",
            Alliance,
            "Coalición Mediterránea",
            "Alianza de alianzas por el derecho a migrar y a la protección.",
            [200, 140, 20],
        )
        .await?;

        // Members first, then the alliance joins the alliance of alliances: the parent
        // reads its member's list when it admits it.
        let red = self.handle(1, "red_frontera");
        let coalicion = self.handle(2, "coalicion");
        a.join_alliance(&OPERATOR, "casa_abierta", &red).await?;
        a.join_alliance(&OPERATOR, "sawt", &red).await?;
        self.settle().await?;
        b.join_alliance(&OPERATOR, "red_frontera", &coalicion)
            .await?;
        b.join_alliance(&OPERATOR, "accueil_solidaire", &coalicion)
            .await?;
        self.settle().await?;

        let blankets = a
            .publish(
                &OPERATOR,
                "casa_abierta",
                NewPost {
                    language: Some("es".into()),
                    to_alliance: Some(red.clone()),
                    images: vec![NewImage {
                        bytes: picture(640, 420, [60, 120, 160]),
                        alt: "Voluntarias ordenan mantas donadas en el patio del albergue".into(),
                    }],
                    ..NewPost::text(
                        "Hoy llegaron 40 mantas donadas para el albergue. ¡Gracias a todas las personas que ayudaron! #invierno",
                    )
                },
            )
            .await?;
        let interpreters = a
            .publish(
                &OPERATOR,
                "sawt",
                NewPost {
                    language: Some("ar".into()),
                    translations: vec![(
                        "es".into(),
                        "Buscamos intérpretes voluntarias para acompañar a familias al tribunal el jueves.".into(),
                    )],
                    to_alliance: Some(red.clone()),
                    ..NewPost::text(
                        "نبحث عن مترجمين متطوعين لمرافقة العائلات إلى المحكمة يوم الخميس.",
                    )
                },
            )
            .await?;
        b.publish(
            &OPERATOR,
            "accueil_solidaire",
            NewPost {
                language: Some("fr".into()),
                to_alliance: Some(coalicion.clone()),
                ..NewPost::text(
                    "Nous cherchons des lits pour trois familles cette semaine. #hébergement",
                )
            },
        )
        .await?;
        self.settle().await?;

        let statement = c
            .create_statement(
                &OPERATOR,
                "coalicion",
                Draft {
                    title: "Vías seguras y legales, ya".into(),
                    text: "Pedimos a los gobiernos del Mediterráneo que abran **vías seguras y legales** y que ninguna persona más muera intentando llegar.".into(),
                    ask: Some("Abrir vías seguras y legales antes del invierno.".into()),
                    language: Some("es".into()),
                    translations: vec![
                        ("en".into(), "We ask Mediterranean governments to open **safe and legal routes**, so that no one else dies trying to arrive.".into()),
                        ("ar".into(), "نطالب حكومات البحر المتوسط بفتح طرق آمنة وقانونية حتى لا يموت أحد آخر وهو يحاول الوصول.".into()),
                    ],
                    policy: Some(EndorsementPolicy::Anyone),
                    deadline: None,
                },
            )
            .await?;
        c.open_statement(&OPERATOR, &statement.uuid).await?;
        self.settle().await?;
        b.endorse(
            &OPERATOR,
            "red_frontera",
            &statement.ap_url,
            false,
            Some("En nombre de nuestros miembros"),
        )
        .await?;
        a.endorse(&OPERATOR, "casa_abierta", &statement.ap_url, false, None)
            .await?;
        b.endorse(
            &OPERATOR,
            "accueil_solidaire",
            &statement.ap_url,
            true,
            None,
        )
        .await?;
        self.settle().await?;

        let start = (chrono::Utc::now() + chrono::Duration::days(30))
            .date_naive()
            .and_hms_opt(19, 0, 0)
            .unwrap_or_default();
        let call = b
            .create_call(
                &OPERATOR,
                "red_frontera",
                CallInput {
                    title: Some("Vigilia por las personas desaparecidas en el mar".into()),
                    start: Some(format!("{}+01:00", start.format("%Y-%m-%dT%H:%M:%S"))),
                    end: Some(format!(
                        "{}+01:00",
                        (start + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%S")
                    )),
                    timezone: Some("Europe/Madrid".into()),
                    place: Some("Puerto de Algeciras".into()),
                    address: Some("Paseo de la Conferencia, Algeciras".into()),
                    geo: Some("36.1300,-5.4400".into()),
                    summary: Some("Trae una vela y el nombre de alguien a quien recordar".into()),
                    description: Some("Nos reunimos para recordar a quienes perdieron la vida en el mar. #memoria".into()),
                    ..Default::default()
                },
            )
            .await?;
        self.settle().await?;
        a.pledge(&OPERATOR, "casa_abierta", &call.ap_id).await?;
        a.pledge(&OPERATOR, "sawt", &call.ap_id).await?;
        b.pledge(&OPERATOR, "accueil_solidaire", &call.ap_id)
            .await?;
        self.settle().await?;

        let page_of = |ap_id: &str, base: &str, name: &str, kind: &str| {
            format!(
                "{base}/@{name}/{kind}/{}",
                ap_id.rsplit('/').next().unwrap_or_default()
            )
        };
        let (n, s, m) = (&self.bases[0], &self.bases[1], &self.bases[2]);
        self.pages = vec![
            ("Puentes Norte: two organizations".into(), format!("{n}/")),
            (
                "Puentes Sur: an alliance and an organization".into(),
                format!("{s}/"),
            ),
            (
                "Puentes Mar: an alliance of alliances".into(),
                format!("{m}/"),
            ),
            (
                "The alliance, with its members' relayed posts".into(),
                format!("{s}/@red_frontera"),
            ),
            (
                "The alliance of alliances and its network map".into(),
                format!("{m}/@coalicion"),
            ),
            (
                "A post with an image".into(),
                page_of(&blankets.ap_id, n, "casa_abierta", "posts"),
            ),
            (
                "A post in Arabic".into(),
                page_of(&interpreters.ap_id, n, "sawt", "posts"),
            ),
            (
                "A joint statement with endorsements".into(),
                format!("{m}/@coalicion/statements/{}", statement.uuid),
            ),
            (
                "A call to action with pledges".into(),
                page_of(&call.ap_id, s, "red_frontera", "calls"),
            ),
            (
                "An organization's profile".into(),
                format!("{n}/@casa_abierta"),
            ),
        ];
        Ok(())
    }

    /// Staff accounts for each actor, with passwords made for this run (the demo listens
    /// on this machine only). The first instance's owner also administers it.
    async fn add_staff(&mut self) -> Result<()> {
        let accounts = [
            (
                0,
                "casa_abierta",
                "duena@casa-abierta.demo",
                StaffRole::Owner,
            ),
            (
                0,
                "casa_abierta",
                "editora@casa-abierta.demo",
                StaffRole::Editor,
            ),
            (0, "sawt", "owner@sawt.demo", StaffRole::Owner),
            (
                1,
                "red_frontera",
                "secretaria@red-frontera.demo",
                StaffRole::Secretariat,
            ),
            (
                1,
                "red_frontera",
                "duena@red-frontera.demo",
                StaffRole::Owner,
            ),
            (
                1,
                "accueil_solidaire",
                "proprietaire@accueil.demo",
                StaffRole::Owner,
            ),
            (
                2,
                "coalicion",
                "secretaria@coalicion.demo",
                StaffRole::Secretariat,
            ),
        ];
        for (i, actor, email, role) in accounts {
            let password: String = uuid::Uuid::new_v4().simple().to_string()[..16].to_string();
            let app = &self.instances[i].app;
            app.grant_staff(&OPERATOR, email, actor, role, Some(&password))
                .await?;
            if i == 0 && role == StaffRole::Owner && actor == "casa_abierta" {
                app.set_staff_admin(&OPERATOR, email, true).await?;
            }
            self.logins.push(DemoLogin {
                login_url: format!("{}/staff/login", self.bases[i]),
                email: email.to_string(),
                password,
                actor: actor.to_string(),
                role,
            });
        }
        Ok(())
    }

    /// Stops serving and the workers.
    pub async fn stop(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
