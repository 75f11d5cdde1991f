//! The `puentes` command line: parsing and printing only. Every command is run by
//! `puentes_app` for the operator (`Caller::Operator`), who may act for any local actor.

mod actors;
mod alliances;
mod calls;
mod check_config;
pub mod parse;
mod posts;
mod statements;

use clap::{Parser, Subcommand};
use puentes_app::Caller;
use puentes_core::{Error, Result};
use puentes_server::{
    Instance,
    database::{self, IfMissing},
    jobs,
};
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// The caller of every command typed here.
const OPERATOR: Caller = Caller::Operator;

#[derive(Parser)]
#[command(
    name = "puentes",
    version,
    about = "Puentes: a federated server for civil-society alliances"
)]
pub struct Cli {
    /// TOML configuration file (also PUENTES_CONFIG).
    #[arg(long, global = true, env = "PUENTES_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate, then serve HTTP and run the delivery workers.
    Serve,
    /// Three federated instances with fictional organizations, alliances, posts, a joint
    /// statement and a call to action, on local ports; prints what to open.
    Demo {
        /// Port of the first instance; the next two follow it.
        #[arg(long, default_value_t = 8101)]
        port: u16,
        /// Keep the demo's data here (default: a new temporary folder, removed at the end).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Apply database migrations (creating the database if needed) and exit.
    Migrate,
    /// Show the configuration in effect, check it, the web files and the database, and say
    /// what `serve` would do; changes nothing. Exits non-zero when something is wrong.
    CheckConfig,
    /// Write a backup (SQLite snapshot taken while serving, media, domain) to one file.
    Backup {
        /// The new .tar.gz file.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Restore a backup into an empty data directory (same domain), then migrate it.
    Restore {
        /// A file written by `puentes backup`.
        file: PathBuf,
    },
    /// Local organizations and alliances: create, list, edit, delete.
    #[command(subcommand)]
    Actor(actors::ActorCommand),
    /// Staff accounts: the people who act for organizations and alliances.
    #[command(subcommand)]
    Staff(actors::StaffCommand),
    /// Follow a remote actor (name@domain) as a local actor.
    Follow {
        /// The local actor that follows.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Stop following.
    Unfollow {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Publish a post (Markdown, #hashtags, @name@domain mentions); prints its id.
    Post(posts::PostArgs),
    /// Edit one of our posts (its id or page URL).
    Edit {
        /// The post's id or page URL.
        id: String,
        /// The new text (Markdown).
        text: String,
    },
    /// Delete one of our posts (its id or page URL); a Tombstone stays.
    Delete {
        /// The post's id or page URL.
        id: String,
    },
    /// Block an actor for a local actor: follows both ways end.
    Block {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Lift a block.
    Unblock {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Block a whole domain for this instance.
    DomainBlock {
        /// The domain, like example.org.
        domain: String,
        /// Why (kept for the admins).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lift a domain block.
    DomainUnblock {
        /// The domain, like example.org.
        domain: String,
    },
    /// Follow requests of actors that approve followers by hand.
    #[command(subcommand)]
    Followers(FollowersCommand),
    /// Inspect and drive the delivery queue.
    #[command(subcommand)]
    Delivery(DeliveryCommand),
    /// Alliance membership, policies and relays.
    #[command(subcommand)]
    Alliance(alliances::AllianceCommand),
    /// Joint statements: draft, co-initiators, open, revise, close, held endorsements, export.
    #[command(subcommand)]
    Statement(statements::StatementCommand),
    /// Endorse a statement (its id, URL or page, here or on any instance), or withdraw
    /// with --undo.
    Endorse(statements::EndorseArgs),
    /// Check a statement and its endorsements without trusting the server that serves them;
    /// exits non-zero when anything fails.
    Verify {
        /// The statement's id, URL or page address (at its origin or any copy).
        url: String,
    },
    /// Calls to action: events with pledges, and their calendars.
    #[command(subcommand)]
    Call(calls::CallCommand),
}

#[derive(Subcommand)]
pub enum FollowersCommand {
    /// Follow requests waiting for approval.
    Pending {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
    },
    /// Accept a follow request.
    Approve {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Refuse a follow request, or remove a follower.
    Reject {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Approve followers by hand (true) or automatically (false).
    Manual {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// true (by hand) or false (automatically); also yes/no, on/off.
        #[arg(required = true, action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
        on: bool,
    },
}

#[derive(Subcommand)]
pub enum DeliveryCommand {
    /// Counts by state and the latest failures.
    Status,
    /// Make pending deliveries due now (all or one host) and lift host parking.
    Retry {
        /// Only the deliveries to this host (host[:port]).
        #[arg(long)]
        host: Option<String>,
    },
    /// Process the outbox and send every due delivery now, then exit.
    Flush,
}

pub async fn run(cli: Cli) -> Result<()> {
    if let Command::Demo { port, dir } = cli.command {
        return demo(port, dir).await;
    }
    let config = puentes_core::config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    match &cli.command {
        Command::CheckConfig => return check_config::run(&config).await,
        Command::Backup { output } => {
            let manifest = puentes_server::backup::backup(&config, output).await?;
            println!(
                "backup of {} written to {} ({} media files)",
                manifest.domain,
                output.display(),
                manifest.media_files
            );
            if config.media.storage == puentes_core::MediaStorage::S3 {
                println!(
                    "media live in the S3 bucket and are not in this file: back the bucket up \
                     with your provider's tools"
                );
            }
            return Ok(());
        }
        Command::Restore { file } => {
            let manifest = puentes_server::backup::restore(&config, file).await?;
            println!(
                "restored {} from {} (taken {}) into {}",
                manifest.domain,
                file.display(),
                manifest.created_at.to_rfc3339(),
                database::Location::of(&config).description
            );
            return Ok(());
        }
        Command::Migrate => {
            let db = database::connect(&config, IfMissing::Create).await?;
            puentes_server::migrate(&db).await?;
            database::check_domain(&db, &config).await?;
            println!(
                "migrations applied to {} (domain {})",
                database::Location::of(&config).description,
                config.domain
            );
            return Ok(());
        }
        Command::Serve => {
            // A wrong web_dir stops the start, rather than every page answering 500.
            puentes_http::WebFiles::from_config(&config).check()?;
        }
        _ => {}
    }
    let if_missing = match cli.command {
        Command::Serve => IfMissing::Create,
        _ => IfMissing::Refuse,
    };
    let instance = Instance::open(config, if_missing).await?;
    if !matches!(cli.command, Command::Serve) {
        // Which instance a command acts on, on stderr so output stays scriptable.
        eprintln!(
            "puentes: {} ({})",
            instance.ctx.config.domain,
            database::Location::of(&instance.ctx.config).description
        );
    }
    let app = &instance.app;
    match cli.command {
        Command::Serve => serve(instance).await,
        Command::Demo { .. }
        | Command::Migrate
        | Command::CheckConfig
        | Command::Backup { .. }
        | Command::Restore { .. } => Ok(()),
        Command::Actor(command) => actors::actor_command(&instance, command).await,
        Command::Staff(command) => actors::staff_command(app, command).await,
        Command::Follow { as_name, handle } => {
            let row = app.follow(&OPERATOR, &as_name, &handle).await?;
            println!("{as_name} follows {handle} ({})", row.state);
            Ok(())
        }
        Command::Unfollow { as_name, handle } => {
            app.unfollow(&OPERATOR, &as_name, &handle).await?;
            println!("{as_name} no longer follows {handle}");
            Ok(())
        }
        Command::Post(args) => posts::post(app, args).await,
        Command::Edit { id, text } => {
            app.edit_post(&OPERATOR, &id, &text).await?;
            println!("edited {id}");
            Ok(())
        }
        Command::Delete { id } => {
            app.delete_post(&OPERATOR, &id).await?;
            println!("deleted {id}");
            Ok(())
        }
        Command::Block { as_name, handle } => {
            app.block(&OPERATOR, &as_name, &handle).await?;
            println!("{as_name} blocks {handle}");
            Ok(())
        }
        Command::Unblock { as_name, handle } => {
            let removed = app.unblock(&OPERATOR, &as_name, &handle).await?;
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
            let ended = app.domain_block(&OPERATOR, &domain, reason).await?;
            println!("blocked {domain}; {ended} follows ended");
            Ok(())
        }
        Command::DomainUnblock { domain } => {
            app.domain_unblock(&OPERATOR, &domain).await?;
            println!("unblocked {domain}");
            Ok(())
        }
        Command::Followers(command) => followers_command(app, command).await,
        Command::Delivery(command) => delivery_command(&instance, command).await,
        Command::Alliance(command) => alliances::alliance_command(app, command).await,
        Command::Statement(command) => statements::statement_command(app, command).await,
        Command::Endorse(args) => statements::endorse(app, args).await,
        Command::Verify { url } => statements::verify(&instance, &url).await,
        Command::Call(command) => calls::call_command(app, command).await,
    }
}

async fn followers_command(app: &puentes_app::App, command: FollowersCommand) -> Result<()> {
    match command {
        FollowersCommand::Pending { as_name } => {
            for actor in app.pending_followers(&OPERATOR, &as_name).await? {
                println!("{}\t{}", actor.handle().acct(), actor.ap_id);
            }
        }
        FollowersCommand::Approve { as_name, handle } => {
            app.approve_follower(&OPERATOR, &as_name, &handle).await?;
            println!("approved {handle}");
        }
        FollowersCommand::Reject { as_name, handle } => {
            app.reject_follower(&OPERATOR, &as_name, &handle).await?;
            println!("rejected {handle}");
        }
        FollowersCommand::Manual { as_name, on } => {
            app.set_manual_approval(&OPERATOR, &as_name, on).await?;
            println!(
                "{as_name} approves followers {}",
                if on { "by hand" } else { "automatically" }
            );
        }
    }
    Ok(())
}

async fn delivery_command(instance: &Instance, command: DeliveryCommand) -> Result<()> {
    use puentes_core::DeliveryState;
    use puentes_db::query::delivery;
    let db = &instance.ctx.db;
    match command {
        DeliveryCommand::Status => {
            for state in DeliveryState::ALL {
                println!("{state}\t{}", delivery::count_in_state(db, *state).await?);
            }
            let hosts = puentes_db::read::queues::hosts(db).await?;
            if !hosts.is_empty() {
                println!("\nhost\tpending\tdelivered\tfailed\toldest pending\tstate");
            }
            for host in hosts {
                let health = if host.is_parked() {
                    format!(
                        "parked until {} after {} failures",
                        host.parked_until
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_default(),
                        host.failure_count
                    )
                } else if host.failure_count > 0 {
                    format!("{} failures in a row", host.failure_count)
                } else {
                    "ok".into()
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{health}",
                    host.host,
                    host.count(DeliveryState::Pending),
                    host.count(DeliveryState::Delivered),
                    host.count(DeliveryState::Failed),
                    host.oldest_pending
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "-".into()),
                );
            }
            for row in delivery::list(db, Some(DeliveryState::Failed), 10).await? {
                println!(
                    "failed\t{}\t{}",
                    row.inbox,
                    row.last_error.unwrap_or_default()
                );
            }
        }
        DeliveryCommand::Flush => {
            let done = jobs::run_until_idle(&instance.ctx).await?;
            println!("{done} queue items processed");
        }
        DeliveryCommand::Retry { host } => {
            puentes_db::query::instance::unpark(db, host.as_deref()).await?;
            let n = delivery::retry_now(db, host.as_deref()).await?;
            println!("{n} deliveries due now");
        }
    }
    Ok(())
}

async fn demo(port: u16, dir: Option<PathBuf>) -> Result<()> {
    let mut listeners = Vec::new();
    for p in port..port.saturating_add(3) {
        listeners.push(
            tokio::net::TcpListener::bind(("127.0.0.1", p))
                .await
                .map_err(|e| {
                    Error::bad_request(format!(
                        "port {p} is taken ({e}); choose others with --port"
                    ))
                })?,
        );
    }
    let listeners: [tokio::net::TcpListener; 3] = listeners
        .try_into()
        .map_err(|_| Error::internal("three listeners"))?;
    let temporary = dir.is_none();
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("puentes-demo-{}", std::process::id()))
    });
    eprintln!("Starting three instances and filling them; this takes a few seconds…");
    let demo = puentes_server::demo::Demo::start(listeners, &dir).await?;
    println!("Puentes demo: three federated instances on this machine (fictional data).\n");
    for (what, url) in &demo.pages {
        println!("  {what}\n    {url}");
    }
    println!("\nStaff logins (passwords made for this run):");
    for login in &demo.logins {
        println!(
            "  {} of {} at {}\n    email {}  password {}",
            login.role, login.actor, login.login_url, login.email, login.password
        );
    }
    println!(
        "\nFollow them from another instance, or read their feeds. Data: {}\nCtrl-C stops the demo.",
        dir.display()
    );
    let _ = tokio::signal::ctrl_c().await;
    demo.stop().await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
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
    if let Some(bind) = &config.metrics_bind {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| Error::bad_request(format!("cannot listen on {bind}: {e}")))?;
        let router = puentes_server::metrics::router(instance.clone());
        let stop = shutdown.clone();
        tracing::info!("Prometheus metrics on http://{bind}/metrics");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
        });
    }
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

/// Reads a file given on the command line.
fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| Error::bad_request(format!("cannot read {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and every flag says what it is for (and clap lists allowed values).
    #[test]
    fn every_command_and_flag_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let here = format!("{path} {}", cmd.get_name());
            if cmd.get_about().is_none() && !path.is_empty() {
                missing.push(here.clone());
            }
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() {
                    missing.push(format!("{here} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &here, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "without a help line: {missing:#?}");
    }

    #[test]
    fn manual_approval_needs_true_or_false() {
        let parsed = Cli::try_parse_from(["puentes", "followers", "manual", "--as", "ong"]);
        assert!(parsed.is_err(), "a value is required");
        let parsed = Cli::try_parse_from(["puentes", "followers", "manual", "--as", "ong", "yes"]);
        assert!(parsed.is_ok());
        let parsed =
            Cli::try_parse_from(["puentes", "followers", "manual", "--as", "ong", "maybe"]);
        assert!(parsed.is_err());
    }
}
