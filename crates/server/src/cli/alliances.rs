//! `puentes alliance …`.

use super::{OPERATOR, parse::choice};
use clap::Subcommand;
use puentes_app::App;
use puentes_core::{JoinPolicy, MemberListVisibility, MemberRole, Moderation, RelayPolicy, Result};
use puentes_db::query::actor::AlliancePolicies;

#[derive(Subcommand)]
pub enum AllianceCommand {
    /// Ask to join an alliance (or accept its invitation).
    Join {
        /// The local organization or alliance that joins.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The alliance, name@domain.
        alliance: String,
    },
    /// Invite an organization or alliance into ours.
    Invite {
        /// Our alliance.
        #[arg(long = "as", value_name = "ALLIANCE")]
        as_name: String,
        /// name@domain
        handle: String,
        /// member (speaks through the alliance), observer (follows only) or secretariat (decides).
        #[arg(long, default_value = "member", value_parser = choice::<MemberRole>())]
        role: MemberRole,
    },
    /// Accept a request to join; also changes an active member's role.
    Accept {
        /// Our alliance, which decides.
        #[arg(long = "as", value_name = "ALLIANCE")]
        as_name: String,
        /// name@domain
        handle: String,
        /// member (speaks through the alliance), observer (follows only) or secretariat (decides).
        #[arg(long, default_value = "member", value_parser = choice::<MemberRole>())]
        role: MemberRole,
    },
    /// Refuse a request to join.
    Reject {
        /// Our alliance, which decides.
        #[arg(long = "as", value_name = "ALLIANCE")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Remove an active member.
    Remove {
        /// Our alliance, which decides.
        #[arg(long = "as", value_name = "ALLIANCE")]
        as_name: String,
        /// name@domain
        handle: String,
    },
    /// Leave an alliance.
    Leave {
        /// Our organization or alliance: the member.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The alliance, name@domain.
        alliance: String,
    },
    /// Members, requests and invitations of one of our alliances.
    Members {
        /// Our alliance.
        name: String,
    },
    /// The alliance's policies: how it answers requests to join, who sees its member list,
    /// and whether members' posts are relayed at once or held.
    Policy {
        /// Our alliance, which decides.
        #[arg(long = "as", value_name = "ALLIANCE")]
        as_name: String,
        /// How requests to join are answered.
        #[arg(long, value_parser = choice::<JoinPolicy>())]
        join: Option<JoinPolicy>,
        /// Who sees the member list.
        #[arg(long, value_parser = choice::<MemberListVisibility>())]
        members: Option<MemberListVisibility>,
        /// Whether members' posts are relayed at once or held for the secretariat.
        #[arg(long, value_parser = choice::<Moderation>())]
        moderation: Option<Moderation>,
    },
    /// A member's choice for an alliance's own posts: off, auto (relay to our followers)
    /// or held (approve each).
    Relay {
        /// Our organization or alliance: the member.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The alliance, name@domain.
        alliance: String,
        /// What to do with the alliance's own posts.
        #[arg(value_parser = choice::<RelayPolicy>())]
        policy: RelayPolicy,
    },
    /// Posts waiting for approval before we relay them.
    Held {
        /// Our organization or alliance: the member.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
    },
    /// Relay a held post.
    Approve {
        /// Our organization or alliance: the member.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The post's id.
        post: String,
    },
    /// Decline a held post.
    Decline {
        /// Our organization or alliance: the member.
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
        /// The post's id.
        post: String,
    },
}

pub async fn alliance_command(app: &App, command: AllianceCommand) -> Result<()> {
    match command {
        AllianceCommand::Join { as_name, alliance } => {
            let row = app.join_alliance(&OPERATOR, &as_name, &alliance).await?;
            println!("{as_name} → {alliance}: {}", row.status);
        }
        AllianceCommand::Invite {
            as_name,
            handle,
            role,
        } => {
            app.invite_member(&OPERATOR, &as_name, &handle, role)
                .await?;
            println!("invited {handle} as {role}");
        }
        AllianceCommand::Accept {
            as_name,
            handle,
            role,
        } => {
            app.accept_member(&OPERATOR, &as_name, &handle, role)
                .await?;
            println!("{handle} is now a {role} of {as_name}");
        }
        AllianceCommand::Reject { as_name, handle } => {
            app.reject_member(&OPERATOR, &as_name, &handle).await?;
            println!("rejected {handle}");
        }
        AllianceCommand::Remove { as_name, handle } => {
            app.remove_member(&OPERATOR, &as_name, &handle).await?;
            println!("removed {handle}");
        }
        AllianceCommand::Leave { as_name, alliance } => {
            app.leave_alliance(&OPERATOR, &as_name, &alliance).await?;
            println!("{as_name} left {alliance}");
        }
        AllianceCommand::Members { name } => {
            for (membership, actor) in app.alliance_members(&OPERATOR, &name).await? {
                let since = membership
                    .joined_at
                    .unwrap_or(membership.created_at)
                    .format("%Y-%m-%d");
                println!(
                    "{}\t{}\t{}\tsince {since}",
                    actor.handle().acct(),
                    membership.role,
                    membership.status
                );
            }
        }
        AllianceCommand::Policy {
            as_name,
            join,
            members,
            moderation,
        } => {
            let policies = AlliancePolicies {
                join,
                members,
                moderation,
            };
            let a = app
                .set_alliance_policies(&OPERATOR, &as_name, policies)
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
            app.set_relay_policy(&OPERATOR, &as_name, &alliance, policy)
                .await?;
            println!("{as_name} relays posts of {alliance}: {policy}");
        }
        AllianceCommand::Held { as_name } => {
            for post in app.held_posts(&OPERATOR, &as_name).await? {
                println!(
                    "{}\t{}",
                    post.ap_id,
                    puentes_core::text::excerpt(&post.content, 80)
                );
            }
        }
        AllianceCommand::Approve { as_name, post } => {
            app.decide_held_post(&OPERATOR, &as_name, &post, true)
                .await?;
            println!("approved {post}");
        }
        AllianceCommand::Decline { as_name, post } => {
            app.decide_held_post(&OPERATOR, &as_name, &post, false)
                .await?;
            println!("declined {post}");
        }
    }
    Ok(())
}
