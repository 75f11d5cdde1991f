//! Domain values as types. Each is stored (and sent, where it travels) as the same lower-case
//! string it always was, so no schema change was needed; parsing names the field and the
//! values allowed, so a typo on any front door gets a clear answer.

use crate::{Error, Result};
use std::fmt;

/// Declares a closed set of values with its stored spelling.
macro_rules! domain_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in the order they are listed to users.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What the value is, in words, for error messages.
            pub const WHAT: &'static str = $what;

            /// The stored spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// Parses the stored spelling (case-blind); the error lists the allowed values.
            pub fn parse(value: &str) -> Result<Self> {
                let wanted = value.trim();
                $(
                    if wanted.eq_ignore_ascii_case($text) {
                        return Ok($name::$variant);
                    }
                )+
                Err(unknown_value($what, value, Self::ALL.iter().map(|v| v.as_str())))
            }

            /// Reads a stored value; rows written by older code (or unknown to this
            /// version) fall back to `default` instead of failing a page.
            pub fn from_stored(value: &str, default: Self) -> Self {
                Self::parse(value).unwrap_or(default)
            }
        }

        impl DomainValue for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn text(self) -> &'static str {
                self.as_str()
            }
            fn what() -> &'static str {
                $what
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(value: &str) -> Result<Self> {
                Self::parse(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }
    };
}

/// What every domain value offers, so front doors (command-line flags, form fields) can
/// list and parse them generically.
pub trait DomainValue: Copy + std::str::FromStr<Err = Error> + Send + Sync + 'static {
    fn all() -> &'static [Self];
    /// The stored spelling.
    fn text(self) -> &'static str;
    /// What the value is, in words.
    fn what() -> &'static str;
}

fn unknown_value<'a>(what: &str, value: &str, allowed: impl Iterator<Item = &'a str>) -> Error {
    let allowed: Vec<&str> = allowed.collect();
    Error::bad_request(format!(
        "unknown {what} {value:?}: use {}",
        join_or(&allowed)
    ))
}

/// "a, b or c"
pub fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

domain_enum! {
    /// What an actor is, as its ActivityStreams type.
    ActorKind, "actor kind" {
        Organization = "Organization",
        /// An alliance: a network of organizations and alliances (FEP-1b12 group).
        Alliance = "Group",
        Person = "Person",
        Service = "Service",
        /// The instance actor, which signs our fetches.
        Application = "Application",
    }
}

impl ActorKind {
    /// The kinds a local actor is created as, spelled as people say them:
    /// `organization` (or `org`) and `alliance` (or `group`).
    pub fn for_new_actor(word: &str) -> Result<ActorKind> {
        match word.trim().to_ascii_lowercase().as_str() {
            "organization" | "organisation" | "org" => Ok(ActorKind::Organization),
            "alliance" | "group" => Ok(ActorKind::Alliance),
            other => Err(Error::bad_request(format!(
                "unknown kind {other:?}: use organization or alliance"
            ))),
        }
    }

    /// The word people use: organization, alliance, person…
    pub fn label(self) -> &'static str {
        match self {
            ActorKind::Organization => "organization",
            ActorKind::Alliance => "alliance",
            ActorKind::Person => "person",
            ActorKind::Service => "service",
            ActorKind::Application => "instance",
        }
    }
}

domain_enum! {
    /// Who may read a post.
    Visibility, "visibility" {
        Public = "public",
        /// Public, but kept out of public timelines.
        Unlisted = "unlisted",
        Followers = "followers",
        /// Only the members of the alliance it addresses.
        Members = "members",
        /// Only the actors it mentions.
        Direct = "direct",
    }
}

impl Visibility {
    /// What staff may choose when they write (direct messages are not written here).
    pub const CHOSEN: &'static [Visibility] = &[
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Followers,
        Visibility::Members,
    ];

    /// Readable by anyone who has the link, and relayable.
    pub fn is_public(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }
}

domain_enum! {
    FollowState, "follow state" {
        /// Waiting for the followed actor's answer.
        Pending = "pending",
        Accepted = "accepted",
    }
}

domain_enum! {
    MembershipStatus, "membership status" {
        /// The alliance invited the actor.
        Invited = "invited",
        /// The actor asked to join.
        Pending = "pending",
        Active = "active",
        Rejected = "rejected",
        Left = "left",
        Removed = "removed",
    }
}

domain_enum! {
    /// A member's role in an alliance.
    MemberRole, "role" {
        Member = "member",
        /// Follows the alliance's work but does not speak through it.
        Observer = "observer",
        Secretariat = "secretariat",
    }
}

domain_enum! {
    /// How an alliance answers requests to join.
    JoinPolicy, "join policy" {
        Auto = "auto",
        Manual = "manual",
    }
}

domain_enum! {
    /// Who may see an alliance's member list.
    MemberListVisibility, "member list visibility" {
        Public = "public",
        Members = "members",
        Private = "private",
    }
}

domain_enum! {
    /// Whether an alliance relays its members' posts at once or holds them.
    Moderation, "moderation" {
        Auto = "auto",
        Held = "held",
    }
}

domain_enum! {
    /// A member's choice for its alliance's own posts.
    RelayPolicy, "relay policy" {
        Off = "off",
        /// Relay them to the member's followers.
        Auto = "auto",
        /// Hold each for the member's approval.
        Held = "held",
    }
}

domain_enum! {
    /// A post waiting for approval before it is relayed.
    HeldRelayState, "held relay state" {
        Held = "held",
        Approved = "approved",
        Rejected = "rejected",
    }
}

domain_enum! {
    StatementStatus, "statement status" {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
    }
}

domain_enum! {
    /// Who may endorse a statement.
    EndorsementPolicy, "endorsement policy" {
        /// Members of the owning alliance at once; others are held for the secretariat.
        Members = "members",
        Anyone = "anyone",
        Invited = "invited",
    }
}

domain_enum! {
    /// What an actor is invited to do with a statement.
    InvitationRole, "role" {
        Initiator = "initiator",
        Endorser = "endorser",
    }
}

domain_enum! {
    /// An invitation (to co-initiate a statement, or to co-organize a call).
    InvitationStatus, "invitation status" {
        Invited = "invited",
        Confirmed = "confirmed",
        Declined = "declined",
    }
}

domain_enum! {
    EndorsementStatus, "endorsement status" {
        /// Held for the secretariat (or sent, waiting for the owner's answer).
        Pending = "pending",
        Accepted = "accepted",
        Rejected = "rejected",
        /// The endorser withdrew it (a signed Undo).
        Withdrawn = "withdrawn",
        /// The owner removed it.
        Removed = "removed",
    }
}

impl EndorsementStatus {
    /// Still standing: counted or waiting.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            EndorsementStatus::Pending | EndorsementStatus::Accepted
        )
    }
}

domain_enum! {
    PledgeStatus, "pledge status" {
        /// Waiting for the organizer.
        Pending = "pending",
        Accepted = "accepted",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

impl PledgeStatus {
    pub fn is_live(self) -> bool {
        matches!(self, PledgeStatus::Pending | PledgeStatus::Accepted)
    }
}

domain_enum! {
    CallStatus, "status" {
        Tentative = "tentative",
        Confirmed = "confirmed",
        Cancelled = "cancelled",
    }
}

domain_enum! {
    /// How a call takes pledges (Mobilizon's join modes).
    JoinMode, "join mode" {
        /// Pledges are accepted at once.
        Free = "free",
        /// The organizer approves each pledge.
        Restricted = "restricted",
        /// People take part elsewhere (`externalParticipationUrl`).
        External = "external",
        /// Only invited people take part.
        Invite = "invite",
        /// No participation at all (FEP-8a8e).
        None = "none",
    }
}

impl JoinMode {
    /// `auto` and `manual` approval, as people say them.
    pub fn for_approval(approval: &str) -> Result<JoinMode> {
        match approval.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(JoinMode::Free),
            "manual" => Ok(JoinMode::Restricted),
            other => Err(Error::bad_request(format!(
                "unknown approval {other:?}: use auto or manual"
            ))),
        }
    }

    /// Does this call take pledges here at all?
    pub fn takes_pledges(self) -> bool {
        matches!(self, JoinMode::Free | JoinMode::Restricted)
    }
}

domain_enum! {
    /// A staff member's role on an actor. The public never sees it.
    StaffRole, "staff role" {
        /// Everything, including staff and deleting the actor.
        Owner = "owner",
        /// For an alliance: the editor's rights and its decisions (members, held posts and
        /// endorsements, policies).
        Secretariat = "secretariat",
        /// Posts, pledges, endorses for an organization, drafts statements and calls.
        Editor = "editor",
    }
}

domain_enum! {
    DeliveryState, "delivery state" {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

domain_enum! {
    /// What a notification tells a local actor's staff.
    NotificationKind, "notification type" {
        /// Someone follows the actor.
        Follow = "follow",
        /// Someone asks to follow an actor that approves followers by hand.
        FollowRequest = "follow_request",
        /// A post mentions the actor.
        Mention = "mention",
        /// A post answers one of the actor's posts.
        Reply = "reply",
        /// Someone boosted (relayed) the actor's post, statement or call.
        Reblog = "reblog",
        /// Someone liked the actor's post, statement or call.
        Favourite = "favourite",
        /// An organization or alliance asks to join the actor (an alliance).
        MemberRequest = "member_request",
        /// Someone endorsed the actor's statement.
        Endorsement = "endorsement",
        /// Someone pledged to the actor's call to action.
        Pledge = "pledge",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_stored_spelling_and_parse_back() {
        for kind in ActorKind::ALL {
            assert_eq!(ActorKind::parse(kind.as_str()).unwrap(), *kind);
        }
        assert_eq!(ActorKind::Alliance.as_str(), "Group");
        assert_eq!(Visibility::parse("Unlisted").unwrap(), Visibility::Unlisted);
        assert_eq!(
            serde_json::to_string(&MemberRole::Secretariat).unwrap(),
            "\"secretariat\""
        );
    }

    #[test]
    fn unknown_values_name_the_field_and_the_choices() {
        let err = JoinPolicy::parse("sometimes").unwrap_err();
        assert_eq!(
            err.message(),
            "unknown join policy \"sometimes\": use auto or manual"
        );
        let err = Visibility::parse("secret").unwrap_err();
        assert!(
            err.message()
                .ends_with("use public, unlisted, followers, members or direct"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn stored_values_compare_with_strings() {
        let stored = String::from("active");
        assert!(stored == MembershipStatus::Active);
        assert!(MembershipStatus::Active == *"active");
        assert_eq!(
            RelayPolicy::from_stored("weird", RelayPolicy::Off),
            RelayPolicy::Off
        );
    }

    #[test]
    fn people_words_for_kinds_and_approval() {
        assert_eq!(
            ActorKind::for_new_actor("Alliance").unwrap(),
            ActorKind::Alliance
        );
        assert!(ActorKind::for_new_actor("person").is_err());
        assert_eq!(
            JoinMode::for_approval("manual").unwrap(),
            JoinMode::Restricted
        );
    }
}
