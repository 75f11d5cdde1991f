//! `puentes statement …`, `puentes endorse` and `puentes verify`.

use clap::Subcommand;
use puentes_core::{Error, Result};
use puentes_server::{
    Instance,
    statements::{self, Draft, Endorsed},
};

#[derive(Subcommand)]
pub enum StatementCommand {
    /// Draft a statement (Markdown text); prints its id.
    Create {
        #[arg(long = "as")]
        as_name: String,
        #[arg(long)]
        title: String,
        /// The full text, in Markdown.
        text: String,
        /// The ask in one sentence, shown first to Mastodon readers.
        #[arg(long)]
        summary: Option<String>,
        /// Language of the text (es, fr, en…).
        #[arg(long)]
        lang: Option<String>,
        /// Another language of the text, as LANG=TEXT; repeatable.
        #[arg(long = "translation")]
        translations: Vec<String>,
        /// Who may endorse: members (of the owning alliance; others are held), anyone, invited.
        #[arg(long)]
        policy: Option<String>,
        /// Last moment to endorse, RFC 3339 (2027-03-01T18:00:00Z).
        #[arg(long)]
        deadline: Option<String>,
    },
    /// Invite an actor (name@domain) as co-initiator (before opening) or as endorser.
    Invite {
        id: String,
        handle: String,
        #[arg(long, default_value = "initiator")]
        role: String,
    },
    /// Confirm an invitation to co-initiate or endorse (as the invited actor).
    Confirm {
        #[arg(long = "as")]
        as_name: String,
        url: String,
    },
    /// Decline an invitation.
    Decline {
        #[arg(long = "as")]
        as_name: String,
        url: String,
    },
    /// Open a draft for endorsement once the co-initiators confirmed.
    Open { id: String },
    /// Close for endorsement.
    Close { id: String },
    /// A new text: a new version once open; earlier endorsements stay with their version.
    Revise {
        id: String,
        text: String,
        #[arg(long)]
        title: Option<String>,
    },
    /// Add a translation (after opening it is shown beside the text, not signed).
    Translate {
        /// As a co-initiator, for a statement owned on another instance.
        #[arg(long = "as")]
        as_name: Option<String>,
        id: String,
        lang: String,
        text: String,
    },
    /// Endorsements held for the secretariat.
    Pending { id: String },
    /// Accept a held endorsement.
    Approve { id: String, handle: String },
    /// Reject a held endorsement.
    Reject { id: String, handle: String },
    /// Statements owned here and copies kept here.
    List,
    /// The named signatories (anonymous endorsements are counted only).
    Export {
        id: String,
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

pub async fn statement_command(instance: &Instance, command: StatementCommand) -> Result<()> {
    match command {
        StatementCommand::Create {
            as_name,
            title,
            text,
            summary,
            lang,
            translations,
            policy,
            deadline,
        } => {
            let translations = translations
                .iter()
                .map(|t| {
                    t.split_once('=')
                        .map(|(l, x)| (l.to_string(), x.to_string()))
                        .ok_or_else(|| Error::bad_request(format!("{t:?}: use LANG=TEXT")))
                })
                .collect::<Result<Vec<_>>>()?;
            let draft = Draft {
                title,
                text,
                ask: summary,
                language: lang,
                translations,
                policy,
                deadline,
            };
            let row = statements::create(instance, &as_name, draft).await?;
            println!("{}", row.uuid);
            eprintln!(
                "draft {}: invite co-initiators, then `puentes statement open {}`",
                row.ap_url, row.uuid
            );
        }
        StatementCommand::Invite { id, handle, role } => {
            statements::invite(instance, &id, &handle, &role).await?;
            println!("invited {handle} as {role}");
        }
        StatementCommand::Confirm { as_name, url } => {
            statements::answer_invitation(instance, &as_name, &url, true).await?;
            println!("{as_name} confirmed");
        }
        StatementCommand::Decline { as_name, url } => {
            statements::answer_invitation(instance, &as_name, &url, false).await?;
            println!("{as_name} declined");
        }
        StatementCommand::Open { id } => {
            let version = statements::open(instance, &id).await?;
            println!("open: {} (digest {})", version.ap_id, version.digest);
        }
        StatementCommand::Close { id } => {
            statements::close(instance, &id).await?;
            println!("closed");
        }
        StatementCommand::Revise { id, text, title } => {
            let version = statements::revise(instance, &id, &text, title.as_deref()).await?;
            println!(
                "version {}: {} (digest {})",
                version.number, version.ap_id, version.digest
            );
        }
        StatementCommand::Translate {
            as_name,
            id,
            lang,
            text,
        } => {
            statements::translate(instance, as_name.as_deref(), &id, &lang, &text).await?;
            println!("translation {lang} added");
        }
        StatementCommand::Pending { id } => {
            for (endorsement, actor) in statements::pending(instance, &id).await? {
                println!(
                    "{}@{}\t{}\t{}",
                    actor.username, actor.domain, endorsement.created_at, endorsement.ap_id
                );
            }
        }
        StatementCommand::Approve { id, handle } => {
            statements::decide(instance, &id, &handle, true).await?;
            println!("accepted {handle}");
        }
        StatementCommand::Reject { id, handle } => {
            statements::decide(instance, &id, &handle, false).await?;
            println!("rejected {handle}");
        }
        StatementCommand::List => {
            for (row, version, owner) in statements::list(instance).await? {
                let place = if row.local { "ours" } else { "copy" };
                println!(
                    "{}\t{}\t{}\tv{}\t{}@{}\t{}\t{}",
                    row.uuid,
                    place,
                    row.status,
                    version.number,
                    owner.username,
                    owner.domain,
                    version.name,
                    instance
                        .ctx
                        .urls
                        .statement_version(&row.uuid, version.number)
                );
            }
        }
        StatementCommand::Export { id, format } => {
            let (signatories, anonymous) = statements::signatories(instance, &id).await?;
            match format.as_str() {
                "csv" => {
                    let mut writer = csv::Writer::from_writer(std::io::stdout());
                    for signatory in &signatories {
                        writer
                            .serialize(signatory)
                            .map_err(|e| Error::internal("cannot write CSV").with_source(e))?;
                    }
                    writer
                        .flush()
                        .map_err(|e| Error::internal("cannot write CSV").with_source(e))?;
                    eprintln!("{} named, {anonymous} anonymous", signatories.len());
                }
                "json" => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "signatories": signatories, "anonymous": anonymous,
                    }))?
                ),
                other => {
                    return Err(Error::bad_request(format!(
                        "unknown format {other:?}: use csv or json"
                    )));
                }
            }
        }
    }
    Ok(())
}

pub async fn endorse(
    instance: &Instance,
    as_name: &str,
    url: &str,
    undo: bool,
    anonymous: bool,
    note: Option<&str>,
) -> Result<()> {
    if undo {
        let withdrawn = statements::withdraw(instance, as_name, url).await?;
        println!("withdrawn: {}", withdrawn.ap_id);
        return Ok(());
    }
    match statements::endorse(instance, as_name, url, anonymous, note).await? {
        Endorsed::Sent(row) => println!("sent: {} (the owner will answer)", row.ap_id),
        Endorsed::Decided(admission, row) => println!("{admission:?}: {}", row.ap_id),
    }
    Ok(())
}

pub async fn verify(instance: &Instance, url: &str) -> Result<()> {
    let report = puentes_apub::statements::verify::verify(&instance.ctx, url).await?;
    println!("{report}");
    if report.passed() {
        Ok(())
    } else {
        Err(Error::bad_request("verification failed"))
    }
}
