//! `puentes statement …`, `puentes endorse` and `puentes verify`.

use super::{
    OPERATOR,
    parse::{choice, translation},
};
use clap::{Args, Subcommand};
use puentes_app::{
    App,
    statements::{Draft, Endorsed},
};
use puentes_core::{EndorsementPolicy, Error, InvitationRole, Result};
use puentes_server::Instance;

#[derive(Subcommand)]
pub enum StatementCommand {
    /// Draft a statement (Markdown text); prints its id.
    Create {
        /// The owner: one of our organizations or alliances.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// A new title.
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
        #[arg(long = "translation", value_name = "LANG=TEXT", value_parser = translation)]
        translations: Vec<(String, String)>,
        /// Who may endorse: members (of the owning alliance; others are held for the
        /// secretariat), anyone, or invited actors only.
        #[arg(long, value_parser = choice::<EndorsementPolicy>())]
        policy: Option<EndorsementPolicy>,
        /// Last moment to endorse, RFC 3339 (2027-03-01T18:00:00Z).
        #[arg(long)]
        deadline: Option<String>,
    },
    /// Invite an actor (name@domain) as co-initiator (before opening) or as endorser.
    Invite {
        /// The statement's id, URL or page.
        id: String,
        /// The endorser or invitee: name@domain.
        handle: String,
        /// initiator (co-signs the text before it opens) or endorser (when only invitees may endorse).
        #[arg(long, default_value = "initiator", value_parser = choice::<InvitationRole>())]
        role: InvitationRole,
    },
    /// Confirm an invitation to co-initiate or endorse (as the invited actor).
    Confirm {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The statement's id, URL or page.
        url: String,
    },
    /// Decline an invitation.
    Decline {
        /// The local organization or alliance that acts.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The statement's id, URL or page address.
        url: String,
    },
    /// Open a draft for endorsement once the co-initiators confirmed.
    Open {
        /// The statement's id, URL or page address.
        id: String,
    },
    /// Close for endorsement.
    Close {
        /// The statement's id, URL or page address.
        id: String,
    },
    /// A new text: a new version once open; earlier endorsements stay with their version.
    Revise {
        /// The statement's id, URL or page address.
        id: String,
        /// The text, in Markdown.
        text: String,
        /// A new title.
        #[arg(long)]
        title: Option<String>,
    },
    /// Add a translation (after opening it is shown beside the text, not signed).
    Translate {
        /// As a co-initiator, for a statement owned on another instance.
        #[arg(long = "as", value_name = "NAME")]
        as_name: Option<String>,
        /// The statement's id, URL or page address.
        id: String,
        /// The language of the translation (es, fr, en, ar…).
        lang: String,
        /// The text, in Markdown.
        text: String,
    },
    /// Endorsements held for the secretariat.
    Pending {
        /// The statement's id, URL or page address.
        id: String,
    },
    /// Accept a held endorsement.
    Approve {
        /// The statement's id, URL or page address.
        id: String,
        /// The endorser: name@domain.
        handle: String,
    },
    /// Reject a held endorsement.
    Reject {
        /// The statement's id, URL or page address.
        id: String,
        /// The endorser: name@domain.
        handle: String,
    },
    /// Statements owned here and copies kept here.
    List,
    /// The named signatories (anonymous endorsements are counted only).
    Export {
        /// The statement's id, URL or page address.
        id: String,
        /// Output format.
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
    },
}

#[derive(Args)]
pub struct EndorseArgs {
    /// The endorsing organization or alliance.
    #[arg(long = "as", value_name = "NAME")]
    as_name: String,
    /// The statement: its id, URL or page address, here or on any instance.
    url: String,
    /// Counted in public, named only to the statement's owner.
    #[arg(long)]
    anonymous: bool,
    /// A few words published with the endorsement.
    #[arg(long)]
    note: Option<String>,
    /// Withdraw the endorsement (a signed Undo; it moves to the revocations).
    #[arg(long)]
    undo: bool,
}

pub async fn statement_command(app: &App, command: StatementCommand) -> Result<()> {
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
            let draft = Draft {
                title,
                text,
                ask: summary,
                language: lang,
                translations,
                policy,
                deadline,
            };
            let row = app.create_statement(&OPERATOR, &as_name, draft).await?;
            println!("{}", row.uuid);
            eprintln!(
                "draft {}: invite co-initiators, then `puentes statement open {}`",
                row.ap_url, row.uuid
            );
        }
        StatementCommand::Invite { id, handle, role } => {
            app.invite_to_statement(&OPERATOR, &id, &handle, role)
                .await?;
            println!("invited {handle} as {role}");
        }
        StatementCommand::Confirm { as_name, url } => {
            app.answer_statement_invitation(&OPERATOR, &as_name, &url, true)
                .await?;
            println!("{as_name} confirmed");
        }
        StatementCommand::Decline { as_name, url } => {
            app.answer_statement_invitation(&OPERATOR, &as_name, &url, false)
                .await?;
            println!("{as_name} declined");
        }
        StatementCommand::Open { id } => {
            let version = app.open_statement(&OPERATOR, &id).await?;
            println!("open: {} (digest {})", version.ap_id, version.digest);
        }
        StatementCommand::Close { id } => {
            app.close_statement(&OPERATOR, &id).await?;
            println!("closed");
        }
        StatementCommand::Revise { id, text, title } => {
            let version = app
                .revise_statement(&OPERATOR, &id, &text, title.as_deref())
                .await?;
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
            app.translate_statement(&OPERATOR, as_name.as_deref(), &id, &lang, &text)
                .await?;
            println!("translation {lang} added");
        }
        StatementCommand::Pending { id } => {
            for (endorsement, actor) in app.held_endorsements(&OPERATOR, &id).await? {
                println!(
                    "{}\t{}\t{}",
                    actor.handle().acct(),
                    endorsement.created_at,
                    endorsement.ap_id
                );
            }
        }
        StatementCommand::Approve { id, handle } => {
            app.decide_endorsement(&OPERATOR, &id, &handle, true)
                .await?;
            println!("accepted {handle}");
        }
        StatementCommand::Reject { id, handle } => {
            app.decide_endorsement(&OPERATOR, &id, &handle, false)
                .await?;
            println!("rejected {handle}");
        }
        StatementCommand::List => {
            for (row, version, owner) in app.list_statements().await? {
                let place = if row.local { "ours" } else { "copy" };
                println!(
                    "{}\t{place}\t{}\tv{}\t{}\t{}\t{}",
                    row.uuid,
                    row.status,
                    version.number,
                    owner.handle().acct(),
                    version.name,
                    app.urls.statement_version(&row.uuid, version.number)
                );
            }
        }
        StatementCommand::Export { id, format } => {
            let (signatories, anonymous) = app.signatories(&id).await?;
            if format == "json" {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "signatories": signatories, "anonymous": anonymous,
                    }))?
                );
            } else {
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
        }
    }
    Ok(())
}

pub async fn endorse(app: &App, args: EndorseArgs) -> Result<()> {
    if args.undo {
        let withdrawn = app
            .withdraw_endorsement(&OPERATOR, &args.as_name, &args.url)
            .await?;
        println!("withdrawn: {}", withdrawn.ap_id);
        return Ok(());
    }
    match app
        .endorse(
            &OPERATOR,
            &args.as_name,
            &args.url,
            args.anonymous,
            args.note.as_deref(),
        )
        .await?
    {
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
