//! The `puentes` command line.

use clap::{Parser, Subcommand};
use puentes_core::{Error, Result};
use puentes_server::{Instance, commands, jobs};
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

mod statement_cli;

#[derive(Parser)]
#[command(
    name = "puentes",
    version,
    about = "Puentes: a federated server for civil-society alliances"
)]
struct Cli {
    /// TOML configuration file (also PUENTES_CONFIG).
    #[arg(long, global = true, env = "PUENTES_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, then serve HTTP and run the delivery workers.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage local organizations and alliances.
    #[command(subcommand)]
    Actor(ActorCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Follow a remote actor (name@domain) as a local actor.
    Follow {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    /// Stop following.
    Unfollow {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    /// Publish a post (Markdown, #hashtags, @name@domain mentions); prints its id.
    Post {
        #[arg(long = "as")]
        as_name: String,
        text: String,
        /// public, unlisted or followers
        #[arg(long, default_value = "public")]
        visibility: String,
        /// Language of the text (es, fr, en, ar…).
        #[arg(long)]
        lang: Option<String>,
        /// The same post in another language, as LANG=TEXT; repeat for more.
        #[arg(long = "translation", value_name = "LANG=TEXT")]
        translations: Vec<String>,
        /// Publish a long-form Article (needs --title).
        #[arg(long, requires = "title")]
        article: bool,
        #[arg(long)]
        title: Option<String>,
        /// An Article's summary, or a Note's content warning.
        #[arg(long)]
        summary: Option<String>,
        /// Id of the post this answers.
        #[arg(long)]
        reply_to: Option<String>,
        /// Address the post to an alliance (name@domain), which relays it to its followers.
        #[arg(long = "to")]
        to_alliance: Option<String>,
        /// Attach an image (JPEG, PNG, WebP, GIF); its metadata is removed. Repeat for more.
        #[arg(long = "image", value_name = "FILE")]
        images: Vec<PathBuf>,
        /// Alt text of each --image, in the same order (required).
        #[arg(long = "alt", value_name = "TEXT")]
        alts: Vec<String>,
    },
    /// Edit one of our posts by id.
    Edit {
        id: String,
        text: String,
    },
    /// Delete one of our posts by id (a Tombstone stays).
    Delete {
        id: String,
    },
    /// Block an actor for a local actor.
    Block {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    Unblock {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    /// Block a whole domain for this instance.
    DomainBlock {
        domain: String,
        #[arg(long)]
        reason: Option<String>,
    },
    DomainUnblock {
        domain: String,
    },
    /// Follow requests of actors that approve followers by hand.
    #[command(subcommand)]
    Followers(FollowersCommand),
    /// Inspect and retry the delivery queue.
    #[command(subcommand)]
    Delivery(DeliveryCommand),
    /// Alliance membership, policies and relays.
    #[command(subcommand)]
    Alliance(AllianceCommand),
    /// Joint statements: draft, co-initiators, open, revise, close, held endorsements, export.
    #[command(subcommand)]
    Statement(statement_cli::StatementCommand),
    /// Endorse a statement (its URL, at its origin or a copy), or withdraw with --undo.
    Endorse {
        #[arg(long = "as")]
        as_name: String,
        url: String,
        /// Counted in public, named only to the statement's owner.
        #[arg(long)]
        anonymous: bool,
        #[arg(long)]
        note: Option<String>,
        /// Withdraw the endorsement (a signed Undo; it moves to the revocations).
        #[arg(long)]
        undo: bool,
    },
    /// Check a statement and its endorsements without trusting the server that serves them;
    /// exits non-zero when anything fails.
    Verify {
        url: String,
    },
    /// Calls to action: events with pledges, and their calendars.
    #[command(subcommand)]
    Call(puentes_server::calls::CallCommand),
}

#[derive(Subcommand)]
enum AllianceCommand {
    /// Ask to join an alliance (or accept its invitation).
    Join {
        #[arg(long = "as")]
        as_name: String,
        alliance: String,
    },
    /// Invite an organization or alliance into ours.
    Invite {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Accept a request to join (member, observer or secretariat); also changes a role.
    Accept {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
        #[arg(long, default_value = "member")]
        role: String,
    },
    Reject {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    Remove {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    Leave {
        #[arg(long = "as")]
        as_name: String,
        alliance: String,
    },
    /// Members, requests and invitations of one of our alliances.
    Members { name: String },
    /// Join policy (auto|manual), member list (public|members|private), moderation (auto|held).
    Policy {
        #[arg(long = "as")]
        as_name: String,
        #[arg(long)]
        join: Option<String>,
        #[arg(long)]
        members: Option<String>,
        #[arg(long)]
        moderation: Option<String>,
    },
    /// A member's choice for an alliance's posts: off, auto (relay) or held (approve each).
    Relay {
        #[arg(long = "as")]
        as_name: String,
        alliance: String,
        policy: String,
    },
    /// Posts waiting for approval before we relay them.
    Held {
        #[arg(long = "as")]
        as_name: String,
    },
    Approve {
        #[arg(long = "as")]
        as_name: String,
        post: String,
    },
    Decline {
        #[arg(long = "as")]
        as_name: String,
        post: String,
    },
}

#[derive(Subcommand)]
enum ActorCommand {
    Create {
        name: String,
        #[arg(long, default_value = "organization")]
        kind: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        summary: Option<String>,
        /// Approve followers by hand.
        #[arg(long)]
        manual_approval: bool,
    },
    List,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Password from PUENTES_PASSWORD, else asked for.
    Create {
        email: String,
        #[arg(long)]
        actor: String,
        #[arg(long, default_value = "editor")]
        role: String,
    },
}

#[derive(Subcommand)]
enum FollowersCommand {
    Pending {
        #[arg(long = "as")]
        as_name: String,
    },
    Approve {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    Reject {
        #[arg(long = "as")]
        as_name: String,
        handle: String,
    },
    /// Turn approval by hand on or off.
    Manual {
        #[arg(long = "as")]
        as_name: String,
        #[arg(value_parser = clap::builder::BoolishValueParser::new())]
        on: bool,
    },
}

#[derive(Subcommand)]
enum DeliveryCommand {
    /// Counts by state and the latest failures.
    Status,
    /// Make pending deliveries due now (all or one host) and lift host parking.
    Retry {
        #[arg(long)]
        host: Option<String>,
    },
    /// Process the outbox and send every due delivery now, then exit.
    Flush,
}

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PUENTES_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(
                    "info,sqlx=warn,sea_orm=warn,activitypub_federation=warn",
                )
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Federation handlers nest deep async calls; debug builds need room for them.
        .thread_stack_size(8 * 1024 * 1024)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        tracing::debug!(error = ?e, "command failed");
        eprintln!("error: {e}");
        std::process::exit(match e.kind() {
            puentes_core::ErrorKind::BadRequest
            | puentes_core::ErrorKind::NotFound
            | puentes_core::ErrorKind::Conflict => 2,
            _ => 1,
        });
    }
}

async fn run(cli: Cli) -> Result<()> {
    let config = puentes_core::config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    if let Command::Migrate = cli.command {
        let db = puentes_db::connect(&config).await?;
        puentes_db::migrate(&db).await?;
        println!("migrations applied");
        return Ok(());
    }
    let instance = Instance::open(config).await?;
    match cli.command {
        Command::Serve => serve(instance).await,
        Command::Migrate => Ok(()),
        Command::Actor(ActorCommand::Create {
            name,
            kind,
            display_name,
            summary,
            manual_approval,
        }) => {
            let actor = commands::create_actor(
                &instance,
                &name,
                &kind,
                display_name,
                summary,
                manual_approval,
            )
            .await?;
            println!(
                "created {} {} ({})",
                actor.kind,
                actor.ap_id,
                handle_of(&instance, &actor.username)
            );
            Ok(())
        }
        Command::Actor(ActorCommand::List) => {
            for actor in puentes_db::query::actor::list_local(&instance.ctx.db).await? {
                println!(
                    "{}\t{}\t{}",
                    handle_of(&instance, &actor.username),
                    actor.kind,
                    actor.ap_id
                );
            }
            Ok(())
        }
        Command::Staff(StaffCommand::Create { email, actor, role }) => {
            let password = match std::env::var("PUENTES_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password("Password: ")
                    .map_err(|e| Error::bad_request(format!("cannot read the password: {e}")))?,
            };
            let created =
                commands::create_staff(&instance, &email, &actor, &role, &password).await?;
            println!(
                "{} {email} as {role} of {actor}",
                if created { "created" } else { "updated" }
            );
            Ok(())
        }
        Command::Follow { as_name, handle } => {
            let row = commands::follow(&instance, &as_name, &handle).await?;
            println!("{as_name} follows {handle} ({})", row.state);
            Ok(())
        }
        Command::Unfollow { as_name, handle } => {
            commands::unfollow(&instance, &as_name, &handle).await?;
            println!("{as_name} no longer follows {handle}");
            Ok(())
        }
        Command::Post {
            as_name,
            text,
            visibility,
            lang,
            translations,
            article,
            title,
            summary,
            reply_to,
            to_alliance,
            images,
            alts,
        } => {
            if images.len() != alts.len() {
                return Err(Error::bad_request(
                    "give one --alt text for each --image (describe it for people who cannot see it)",
                ));
            }
            let mut uploads = Vec::new();
            for (path, alt) in images.iter().zip(alts) {
                let bytes = std::fs::read(path).map_err(|e| {
                    Error::bad_request(format!("cannot read {}: {e}", path.display()))
                })?;
                puentes_http::media::check_upload_size(bytes.len())?;
                uploads.push((bytes, alt));
            }
            let mut pairs = Vec::new();
            for t in translations {
                let (lang, text) = t.split_once('=').ok_or_else(|| {
                    Error::bad_request(format!("--translation takes LANG=TEXT, got {t:?}"))
                })?;
                pairs.push((lang.to_string(), text.to_string()));
            }
            if title.is_some() && !article {
                return Err(Error::bad_request("--title goes with --article"));
            }
            let new = commands::NewPost {
                text,
                visibility,
                language: lang,
                translations: pairs,
                title,
                summary,
                reply_to,
                to_alliance,
                images: uploads,
            };
            let post = commands::publish(&instance, &as_name, new).await?;
            println!("{}", post.ap_id);
            Ok(())
        }
        Command::Edit { id, text } => {
            commands::edit_post(&instance, &id, &text).await?;
            println!("edited {id}");
            Ok(())
        }
        Command::Delete { id } => {
            commands::delete_post(&instance, &id).await?;
            println!("deleted {id}");
            Ok(())
        }
        Command::Block { as_name, handle } => {
            commands::block(&instance, &as_name, &handle).await?;
            println!("{as_name} blocks {handle}");
            Ok(())
        }
        Command::Unblock { as_name, handle } => {
            let removed = commands::unblock(&instance, &as_name, &handle).await?;
            println!(
                "{}",
                if removed {
                    "unblocked"
                } else {
                    "was not blocked"
                }
            );
            Ok(())
        }
        Command::DomainBlock { domain, reason } => {
            let ended = commands::domain_block(&instance, &domain, reason).await?;
            println!("blocked {domain}; {ended} follows ended");
            Ok(())
        }
        Command::DomainUnblock { domain } => {
            commands::domain_unblock(&instance, &domain).await?;
            println!("unblocked {domain}");
            Ok(())
        }
        Command::Followers(FollowersCommand::Pending { as_name }) => {
            for actor in commands::pending_followers(&instance, &as_name).await? {
                println!("{}@{}\t{}", actor.username, actor.domain, actor.ap_id);
            }
            Ok(())
        }
        Command::Followers(FollowersCommand::Approve { as_name, handle }) => {
            commands::approve_follower(&instance, &as_name, &handle).await?;
            println!("approved {handle}");
            Ok(())
        }
        Command::Followers(FollowersCommand::Reject { as_name, handle }) => {
            commands::reject_follower(&instance, &as_name, &handle).await?;
            println!("rejected {handle}");
            Ok(())
        }
        Command::Followers(FollowersCommand::Manual { as_name, on }) => {
            commands::set_manual_approval(&instance, &as_name, on).await?;
            println!(
                "{as_name} approves followers {}",
                if on { "by hand" } else { "automatically" }
            );
            Ok(())
        }
        Command::Delivery(DeliveryCommand::Status) => {
            use puentes_db::query::delivery;
            let db = &instance.ctx.db;
            for state in [delivery::PENDING, delivery::DELIVERED, delivery::FAILED] {
                println!("{state}\t{}", delivery::count_in_state(db, state).await?);
            }
            for row in delivery::list(db, Some(delivery::FAILED), 10).await? {
                println!(
                    "failed\t{}\t{}",
                    row.inbox,
                    row.last_error.unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Alliance(command) => alliance_command(&instance, command).await,
        Command::Statement(command) => statement_cli::statement_command(&instance, command).await,
        Command::Endorse {
            as_name,
            url,
            anonymous,
            note,
            undo,
        } => {
            statement_cli::endorse(&instance, &as_name, &url, undo, anonymous, note.as_deref())
                .await
        }
        Command::Verify { url } => statement_cli::verify(&instance, &url).await,
        Command::Call(command) => puentes_server::calls::run(&instance, command).await,
        Command::Delivery(DeliveryCommand::Flush) => {
            let done = jobs::run_until_idle(&instance.ctx).await?;
            println!("{done} queue items processed");
            Ok(())
        }
        Command::Delivery(DeliveryCommand::Retry { host }) => {
            puentes_db::query::instance::unpark(&instance.ctx.db, host.as_deref()).await?;
            let n =
                puentes_db::query::delivery::retry_now(&instance.ctx.db, host.as_deref()).await?;
            println!("{n} deliveries due now");
            Ok(())
        }
    }
}

async fn alliance_command(instance: &Instance, command: AllianceCommand) -> Result<()> {
    use puentes_server::alliances;
    match command {
        AllianceCommand::Join { as_name, alliance } => {
            let row = alliances::join(instance, &as_name, &alliance).await?;
            println!("{as_name} → {alliance}: {}", row.status);
        }
        AllianceCommand::Invite {
            as_name,
            handle,
            role,
        } => {
            alliances::invite(instance, &as_name, &handle, &role).await?;
            println!("invited {handle} as {role}");
        }
        AllianceCommand::Accept {
            as_name,
            handle,
            role,
        } => {
            alliances::accept(instance, &as_name, &handle, &role).await?;
            println!("{handle} is now a {role} of {as_name}");
        }
        AllianceCommand::Reject { as_name, handle } => {
            alliances::reject(instance, &as_name, &handle).await?;
            println!("rejected {handle}");
        }
        AllianceCommand::Remove { as_name, handle } => {
            alliances::remove(instance, &as_name, &handle).await?;
            println!("removed {handle}");
        }
        AllianceCommand::Leave { as_name, alliance } => {
            alliances::leave(instance, &as_name, &alliance).await?;
            println!("{as_name} left {alliance}");
        }
        AllianceCommand::Members { name } => {
            for (membership, actor) in alliances::members(instance, &name).await? {
                let since = membership
                    .joined_at
                    .unwrap_or(membership.created_at)
                    .format("%Y-%m-%d");
                println!(
                    "{}@{}\t{}\t{}\tsince {since}",
                    actor.username, actor.domain, membership.role, membership.status
                );
            }
        }
        AllianceCommand::Policy {
            as_name,
            join,
            members,
            moderation,
        } => {
            let a = alliances::set_policies(
                instance,
                &as_name,
                join.as_deref(),
                members.as_deref(),
                moderation.as_deref(),
            )
            .await?;
            println!(
                "join {}, member list {}, moderation {}",
                a.join_policy, a.member_list_visibility, a.moderation
            );
        }
        AllianceCommand::Relay {
            as_name,
            alliance,
            policy,
        } => {
            alliances::set_relay_policy(instance, &as_name, &alliance, &policy).await?;
            println!("{as_name} relays posts of {alliance}: {policy}");
        }
        AllianceCommand::Held { as_name } => {
            for post in alliances::held(instance, &as_name).await? {
                println!(
                    "{}\t{}",
                    post.ap_id,
                    puentes_core::text::excerpt(&post.content, 80)
                );
            }
        }
        AllianceCommand::Approve { as_name, post } => {
            alliances::decide_held(instance, &as_name, &post, true).await?;
            println!("approved {post}");
        }
        AllianceCommand::Decline { as_name, post } => {
            alliances::decide_held(instance, &as_name, &post, false).await?;
            println!("declined {post}");
        }
    }
    Ok(())
}

fn handle_of(instance: &Instance, name: &str) -> String {
    format!("{name}@{}", instance.ctx.config.domain)
}

async fn serve(instance: Instance) -> Result<()> {
    let config = instance.ctx.config.clone();
    if instance.ctx.db.get_database_backend() == puentes_db::DbBackend::Sqlite {
        // One server process per SQLite file: leases of a previous run can be released.
        puentes_db::query::delivery::release_leases(&instance.ctx.db).await?;
        puentes_db::query::outbox::release_leases(&instance.ctx.db).await?;
    }
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .map_err(|e| Error::bad_request(format!("cannot listen on {}: {e}", config.bind)))?;
    let shutdown = CancellationToken::new();
    if config.workers {
        tokio::spawn(jobs::run_workers(instance.ctx.clone(), shutdown.clone()));
    }
    tracing::info!(
        "Puentes serving {} on http://{}",
        config.base_url(),
        config.bind
    );
    if puentes_db::query::actor::count_local(&instance.ctx.db).await? == 0 {
        eprintln!(
            "No organizations or alliances yet. Create one with:\n  puentes actor create NAME --kind organization|alliance --display-name \"Full name\""
        );
    }
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    instance.serve(listener, shutdown).await
}
