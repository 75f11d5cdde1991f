//! `puentes call …`.

use super::{
    OPERATOR,
    parse::{some_of, translation},
};
use clap::Subcommand;
use puentes_app::{App, calls::CallInput};
use puentes_core::{CallStatus, JoinMode, Result};

/// `puentes call …`
#[derive(Subcommand)]
pub enum CallCommand {
    /// Publish a call to action (an Event); prints its id.
    Create {
        /// The local organization or alliance that acts.
        #[arg(long = "as")]
        as_name: String,
        #[command(flatten)]
        options: CallOptions,
    },
    /// Change a call: time, place, text, capacity… Everyone pledged is told.
    Update {
        /// The call's id, URL, page address or UUID.
        id: String,
        #[command(flatten)]
        options: CallOptions,
    },
    /// Cancel a call (it stays, marked CANCELLED).
    Cancel {
        /// The call's id, URL, page address or UUID.
        id: String,
    },
    /// Pledge to take part in a call (ours or another server's), by its URL.
    Pledge {
        /// The local organization or alliance that acts.
        #[arg(long = "as")]
        as_name: String,
        /// The call's id, URL or page address (here or on any server).
        url: String,
    },
    /// Withdraw a pledge.
    Withdraw {
        /// The local organization or alliance that acts.
        #[arg(long = "as")]
        as_name: String,
        /// The call's id, URL or page address (here or on any server).
        url: String,
    },
    /// Pledges to a call, with their status, and the count.
    Pledges {
        /// The call's id, URL, page address or UUID.
        id: String,
    },
    /// Accept a pending pledge (calls with --approval manual).
    Approve {
        /// The call's id, URL, page address or UUID.
        id: String,
        /// The pledger, name@domain.
        actor: String,
    },
    /// Decline a pending pledge.
    Decline {
        /// The call's id, URL, page address or UUID.
        id: String,
        /// The pledger, name@domain.
        actor: String,
    },
    /// A campaign without a date: an Article with its hashtag; prints its id.
    Campaign {
        /// The local organization or alliance that acts.
        #[arg(long = "as")]
        as_name: String,
        /// What the call is, in a few words.
        #[arg(long)]
        title: String,
        /// The campaign's hashtag (added to the text when missing).
        #[arg(long)]
        hashtag: String,
        /// What to do, shown by Mastodon under the title.
        #[arg(long)]
        summary: Option<String>,
        /// The campaign text, in Markdown.
        text: String,
    },
    /// Confirm an invitation to co-organize a call.
    Confirm {
        /// The local organization or alliance that acts.
        #[arg(long = "as")]
        as_name: String,
        /// The call's id, URL, page address or UUID.
        id: String,
    },
}

#[derive(clap::Args)]
pub struct CallOptions {
    /// What the call is, in a few words.
    #[arg(long)]
    title: Option<String>,
    /// Start, RFC 3339 with offset: 2026-09-12T14:00:00+02:00
    #[arg(long)]
    start: Option<String>,
    /// End, RFC 3339 with offset: 2026-09-12T17:00:00+02:00
    #[arg(long)]
    end: Option<String>,
    /// IANA time zone the call is shown in (default UTC): Europe/Berlin
    #[arg(long)]
    timezone: Option<String>,
    /// Where: "Marktplatz, Leipzig"
    #[arg(long)]
    place: Option<String>,
    /// Street address of the place.
    #[arg(long)]
    address: Option<String>,
    /// Coordinates of the place: LAT,LON
    #[arg(long)]
    geo: Option<String>,
    /// Online link (livestream, video call); with --place for hybrid calls.
    #[arg(long)]
    online: Option<String>,
    /// What to do, in a sentence (shown by Mastodon with the date and place).
    #[arg(long)]
    summary: Option<String>,
    /// The full text (Markdown, #hashtags).
    #[arg(long)]
    description: Option<String>,
    /// Language of the text (es, fr, en, ar…).
    #[arg(long)]
    lang: Option<String>,
    /// The description in another language, as LANG=TEXT; repeat for more.
    #[arg(long = "translation", value_name = "LANG=TEXT", value_parser = translation)]
    translations: Vec<(String, String)>,
    /// How many pledges are accepted at most.
    #[arg(long)]
    capacity: Option<i64>,
    /// auto: pledges are accepted at once; manual: the organizer approves each.
    #[arg(long, value_parser = ["auto", "manual"])]
    approval: Option<String>,
    /// Whether it is sure to happen.
    #[arg(long, value_parser = some_of(&[CallStatus::Tentative, CallStatus::Confirmed]))]
    status: Option<CallStatus>,
    /// Take part elsewhere (a form, another site) instead of pledging here.
    #[arg(long)]
    external: Option<String>,
    /// Invite another organization or alliance (name@domain) to co-organize; repeat.
    #[arg(long = "co-organizer", value_name = "HANDLE")]
    co_organizers: Vec<String>,
}

impl CallOptions {
    fn into_input(self) -> Result<CallInput> {
        Ok(CallInput {
            title: self.title,
            start: self.start,
            end: self.end,
            timezone: self.timezone,
            place: self.place,
            address: self.address,
            geo: self.geo,
            online: self.online,
            summary: self.summary,
            description: self.description,
            language: self.lang,
            translations: self.translations,
            capacity: self.capacity,
            approval: self
                .approval
                .as_deref()
                .map(JoinMode::for_approval)
                .transpose()?,
            status: self.status,
            external_url: self.external,
            co_organizers: self.co_organizers,
        })
    }
}

pub async fn call_command(app: &App, command: CallCommand) -> Result<()> {
    match command {
        CallCommand::Create { as_name, options } => {
            let row = app
                .create_call(&OPERATOR, &as_name, options.into_input()?)
                .await?;
            println!("{}", row.ap_id);
        }
        CallCommand::Update { id, options } => {
            let row = app
                .update_call(&OPERATOR, &id, options.into_input()?)
                .await?;
            println!("updated {}: {}", row.ap_id, row.summary);
        }
        CallCommand::Cancel { id } => {
            let row = app.cancel_call(&OPERATOR, &id).await?;
            println!("cancelled {}", row.ap_id);
        }
        CallCommand::Pledge { as_name, url } => {
            let row = app.pledge(&OPERATOR, &as_name, &url).await?;
            println!("{as_name} pledged to {url}: {}", row.status);
        }
        CallCommand::Withdraw { as_name, url } => {
            app.withdraw_pledge(&OPERATOR, &as_name, &url).await?;
            println!("{as_name} withdrew from {url}");
        }
        CallCommand::Pledges { id } => {
            let (row, all) = app.call_pledges(&id).await?;
            println!("{}\t{} pledged", row.ap_id, row.participant_count);
            for (p, a) in all {
                println!(
                    "{}\t{}\t{}",
                    a.handle().acct(),
                    p.status,
                    p.reason.or(p.message).unwrap_or_default()
                );
            }
        }
        CallCommand::Approve { id, actor } => {
            app.decide_pledge(&OPERATOR, &id, &actor, true).await?;
            println!("accepted {actor}");
        }
        CallCommand::Decline { id, actor } => {
            app.decide_pledge(&OPERATOR, &id, &actor, false).await?;
            println!("declined {actor}");
        }
        CallCommand::Campaign {
            as_name,
            title,
            hashtag,
            summary,
            text,
        } => {
            let post = app
                .campaign(&OPERATOR, &as_name, &title, &hashtag, &text, summary)
                .await?;
            println!("{}", post.ap_id);
        }
        CallCommand::Confirm { as_name, id } => {
            app.confirm_co_organizer(&OPERATOR, &as_name, &id).await?;
            println!("{as_name} co-organizes {id}");
        }
    }
    Ok(())
}
