//! `puentes actor …` and `puentes staff …`.

use super::{OPERATOR, parse::choice, read_file};
use clap::Subcommand;
use puentes_app::{
    App,
    actors::{NewActor, ProfileEdit},
};
use puentes_core::{ActorKind, Error, Result, StaffRole};
use puentes_server::Instance;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ActorCommand {
    /// Create an organization or alliance.
    Create {
        /// The username: letters, digits and _ (it becomes name@domain).
        name: String,
        /// organization or alliance
        #[arg(long, default_value = "organization", value_parser = ["organization", "alliance"])]
        kind: String,
        /// The name shown on the profile.
        #[arg(long)]
        display_name: Option<String>,
        /// A few words about it (plain text).
        #[arg(long)]
        summary: Option<String>,
        /// Approve followers by hand.
        #[arg(long)]
        manual_approval: bool,
    },
    /// List the local organizations and alliances.
    List,
    /// Change the display name, summary, avatar or header image; followers are told.
    Edit {
        /// The actor's name (see `puentes actor list`).
        name: String,
        /// An empty value removes it.
        #[arg(long)]
        display_name: Option<String>,
        /// Plain text; an empty value removes it.
        #[arg(long)]
        summary: Option<String>,
        /// An image file (JPEG, PNG, WebP, GIF); its metadata is removed.
        #[arg(long, value_name = "FILE")]
        avatar: Option<PathBuf>,
        /// A wide image file for the top of the profile.
        #[arg(long, value_name = "FILE")]
        header: Option<PathBuf>,
    },
    /// Take an organization or alliance off the network: its followers and the servers it
    /// dealt with are told it is deleted; its posts become Tombstones. Cannot be undone.
    Delete {
        /// The actor's name (see `puentes actor list`).
        name: String,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
    },
    /// Write an organization or alliance to one archive file (versioned JSON): its keys,
    /// profile and images, posts, statements with their signed endorsements, calls,
    /// memberships, followers and follows. Staff are not included. Keep the file secret:
    /// it holds the private keys.
    Export {
        /// The actor's name (see `puentes actor list`).
        name: String,
        /// The archive to write.
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Recreate an exported organization or alliance here, with alsoKnownAs = its old id;
    /// its old keys are kept so what it signed keeps verifying. Never overwrites an actor.
    Import {
        /// The archive written by `puentes actor export`.
        file: PathBuf,
        /// Its name here (default: its old name).
        #[arg(long)]
        name: Option<String>,
    },
    /// After the import on the new instance: send `Move` to the actor's followers and
    /// alliances, and serve it with movedTo from now on (it can no longer publish).
    Move {
        /// The actor's name (see `puentes actor list`).
        name: String,
        /// Its new address, name@domain (must list this actor in alsoKnownAs).
        #[arg(long, value_name = "HANDLE")]
        to: String,
    },
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Create a staff account or give it a role (password from PUENTES_PASSWORD, else
    /// asked for; an existing account keeps its password unless one is given).
    Create {
        /// The staff member's email address.
        email: String,
        /// The organization or alliance it acts for.
        #[arg(long, value_name = "NAME")]
        actor: String,
        /// owner (everything), secretariat (an alliance's decisions) or editor (posts, pledges, drafts).
        #[arg(long, default_value = "editor", value_parser = choice::<StaffRole>())]
        role: StaffRole,
        /// Also administer the instance (domain blocks, delivery queue).
        #[arg(long)]
        admin: bool,
    },
    /// Staff and their roles, of one actor or of all.
    List {
        /// The organization or alliance (default: all, for the operator).
        #[arg(long, value_name = "NAME")]
        actor: Option<String>,
    },
    /// Remove a staff member's role on one actor (or every role); the account goes with
    /// its last role.
    Remove {
        /// The staff member's email address.
        email: String,
        /// The organization or alliance (default: all, for the operator).
        #[arg(long, value_name = "NAME")]
        actor: Option<String>,
    },
    /// Set a new password (from PUENTES_PASSWORD, else asked for).
    Password {
        /// The staff member's email address.
        email: String,
    },
}

fn password_from_env_or_prompt() -> Result<String> {
    match std::env::var("PUENTES_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => rpassword::prompt_password("Password: ")
            .map_err(|e| Error::bad_request(format!("cannot read the password: {e}"))),
    }
}

pub async fn actor_command(instance: &Instance, command: ActorCommand) -> Result<()> {
    let app = &instance.app;
    let domain = &instance.ctx.config.domain;
    match command {
        ActorCommand::Create {
            name,
            kind,
            display_name,
            summary,
            manual_approval,
        } => {
            let actor = app
                .create_actor(
                    &OPERATOR,
                    NewActor {
                        name,
                        kind: ActorKind::for_new_actor(&kind)?,
                        display_name,
                        summary,
                        manually_approves_followers: manual_approval,
                    },
                )
                .await?;
            println!(
                "created {} {} ({}@{domain})",
                actor.kind, actor.ap_id, actor.username
            );
        }
        ActorCommand::List => {
            for actor in app.list_actors().await? {
                println!(
                    "{}@{domain}\t{}\t{}",
                    actor.username, actor.kind, actor.ap_id
                );
            }
        }
        ActorCommand::Edit {
            name,
            display_name,
            summary,
            avatar,
            header,
        } => {
            let edit = ProfileEdit {
                display_name,
                summary,
                avatar: avatar.as_deref().map(read_file).transpose()?,
                header: header.as_deref().map(read_file).transpose()?,
            };
            let actor = app.edit_actor(&OPERATOR, &name, edit).await?;
            println!("updated {}", actor.ap_id);
        }
        ActorCommand::Delete { name, yes } => {
            if !yes {
                return Err(Error::bad_request(format!(
                    "deleting {name} cannot be undone: its followers are told and its posts \
                     disappear. Run again with --yes to confirm."
                )));
            }
            let actor = app.delete_actor(&OPERATOR, &name).await?;
            println!("deleted {}; its id now answers 410 Gone", actor.ap_id);
        }
        ActorCommand::Export { name, output } => {
            let archive = app.export_actor(&OPERATOR, &name).await?;
            let bytes = serde_json::to_vec_pretty(&archive)
                .map_err(|e| Error::internal("cannot write the archive").with_source(e))?;
            write_private(&output, &bytes)?;
            println!(
                "exported {} to {} (archive version {}: {} posts, {} statements, {} \
                 followers; it holds the private keys, keep it secret)",
                archive.actor.id,
                output.display(),
                archive.version,
                archive.posts.len(),
                archive.statements.len(),
                archive.followers.len()
            );
        }
        ActorCommand::Import { file, name } => {
            let archive = App::read_archive(&read_file(&file)?)?;
            let imported = app
                .import_actor(&OPERATOR, archive, name.as_deref())
                .await?;
            println!(
                "imported {} ({}@{domain}) with alsoKnownAs {}: {} posts, {} retired keys, \
                 {} follows sent",
                imported.actor.ap_id,
                imported.actor.username,
                imported.actor.also_known_as().join(", "),
                imported.posts,
                imported.retired_keys,
                imported.follows
            );
            for (id, reason) in &imported.unreachable {
                eprintln!("could not follow {id} again: {reason}");
            }
            println!(
                "next, on the old instance: puentes actor move NAME --to {}@{domain}",
                imported.actor.username
            );
        }
        ActorCommand::Move { name, to } => {
            let target = app.move_actor(&OPERATOR, &name, &to).await?;
            println!(
                "{name} moved to {}: its followers and alliances are sent Move",
                target.ap_id
            );
        }
    }
    Ok(())
}

/// Writes a file only its owner may read (the archive holds private keys).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Error::bad_request(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes)
        .map_err(|e| Error::internal(format!("cannot write {}", path.display())).with_source(e))
}

pub async fn staff_command(app: &App, command: StaffCommand) -> Result<()> {
    match command {
        StaffCommand::Create {
            email,
            actor,
            role,
            admin,
        } => {
            let password = password_from_env_or_prompt()?;
            let (account, created) = app
                .grant_staff(&OPERATOR, &email, &actor, role, Some(&password))
                .await?;
            if admin {
                app.set_staff_admin(&OPERATOR, &account.email, true).await?;
            }
            println!(
                "{} {} as {role} of {actor}{}",
                if created { "created" } else { "updated" },
                account.email,
                if admin {
                    ", instance administrator"
                } else {
                    ""
                }
            );
        }
        StaffCommand::List { actor } => {
            for (account, role, on) in app.list_staff(&OPERATOR, actor.as_deref()).await? {
                println!(
                    "{}\t{}\t{}{}",
                    account.email,
                    role.role,
                    on.username,
                    if account.is_admin { "\tadmin" } else { "" }
                );
            }
        }
        StaffCommand::Remove { email, actor } => {
            let removed = app
                .remove_staff(&OPERATOR, &email, actor.as_deref())
                .await?;
            println!("removed {removed} role(s) of {email}");
        }
        StaffCommand::Password { email } => {
            let password = password_from_env_or_prompt()?;
            app.set_staff_password(&OPERATOR, &email, &password).await?;
            println!("password of {email} changed");
        }
    }
    Ok(())
}
