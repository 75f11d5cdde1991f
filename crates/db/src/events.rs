//! Outbox events: what happened, as ids. The web/CLI side writes them in the same
//! transaction as the state change; the federation side turns them into activities.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxEvent {
    PostPublished {
        post_id: i64,
    },
    PostUpdated {
        post_id: i64,
    },
    PostDeleted {
        post_id: i64,
    },
    /// A local actor asked to follow a remote one.
    FollowRequested {
        follow_id: i64,
    },
    /// A local actor stopped following (the follow row is already gone).
    FollowUndone {
        follower_id: i64,
        followed_id: i64,
        follow_ap_id: String,
    },
    /// A local actor accepted a remote follower.
    FollowAccepted {
        follow_id: i64,
    },
    /// A local actor refused or removed a remote follower.
    FollowRejected {
        follower_id: i64,
        followed_id: i64,
        follow_ap_id: String,
    },
    /// A local actor blocked a remote one.
    ActorBlocked {
        actor_id: i64,
        blocked_id: i64,
    },
    /// A local actor's profile changed.
    ActorUpdated {
        actor_id: i64,
    },
    /// A local actor was deleted: `Delete` of the actor to everyone it dealt with.
    ActorDeleted {
        actor_id: i64,
    },
    /// A local actor moved to `target_id`: `Move` to everyone it dealt with.
    ActorMoved {
        actor_id: i64,
        target_id: i64,
    },
    /// A local actor asks to join a remote alliance (membership row on our side).
    JoinRequested {
        membership_id: i64,
    },
    /// A local alliance invites a remote actor.
    InviteSent {
        membership_id: i64,
    },
    /// A local alliance answers a Join: Accept or Reject.
    JoinAnswered {
        membership_id: i64,
        accepted: bool,
    },
    /// A local member leaves a remote alliance.
    LeftAlliance {
        membership_id: i64,
    },
    /// A local alliance removes a remote member.
    MemberRemoved {
        membership_id: i64,
    },
    /// A local actor relays (announces) a post to its followers.
    Announce {
        actor_id: i64,
        post_id: i64,
    },
    /// A local actor takes back its relay of a post: Undo{Announce} to its followers (the
    /// announce row is already gone; `announce_ap_id` is the id the Announce went out with).
    Unannounce {
        actor_id: i64,
        post_id: i64,
        announce_ap_id: String,
    },
    /// A local actor likes a remote post: Like to its author.
    PostLiked {
        favourite_id: i64,
    },
    /// A local actor stops liking a remote post (the favourite row is already gone).
    PostUnliked {
        actor_id: i64,
        post_id: i64,
        like_ap_id: String,
    },
    /// A local statement's owner invites an actor to co-initiate or to endorse it.
    StatementInvited {
        invitation_id: i64,
    },
    /// A local actor answers an invitation to a remote statement.
    StatementInvitationAnswered {
        invitation_id: i64,
        accepted: bool,
    },
    /// A local statement version opened (or a new version was published).
    StatementPublished {
        version_id: i64,
    },
    /// A local statement version changed (count, status, translations): re-sent.
    StatementUpdated {
        version_id: i64,
    },
    /// A local actor endorses (the Endorse is stored verbatim on the endorsement row).
    EndorsementSent {
        endorsement_id: i64,
    },
    /// A local statement's owner accepts or rejects an endorsement.
    EndorsementAnswered {
        endorsement_id: i64,
        accepted: bool,
    },
    /// A local statement's owner adds an accepted endorsement to its public list.
    EndorsementAdded {
        endorsement_id: i64,
    },
    /// A local endorser withdraws (the signed Undo is on the endorsement row).
    EndorsementWithdrawn {
        endorsement_id: i64,
    },
    /// A local statement's owner moves an endorsement to the revocations.
    EndorsementRevoked {
        endorsement_id: i64,
    },
    /// A local endorser's endorsement was accepted: it boosts the statement.
    StatementBoosted {
        endorsement_id: i64,
    },
    /// A local co-initiator offers a translation of a remote statement's version (kept in
    /// our copy's translations until the owner's Update comes back).
    TranslationOffered {
        version_id: i64,
        actor_id: i64,
        language: String,
    },
    // Calls to action.
    /// A local call was published: Create{Event}.
    CallPublished {
        call_id: i64,
    },
    /// A local call changed (time, place, status, pledge count): Update{Event} to followers
    /// and every pledged actor.
    CallUpdated {
        call_id: i64,
    },
    /// A local actor pledges to a remote call: Join{Event}.
    PledgeSent {
        pledge_id: i64,
    },
    /// A local organizer answers a remote pledge: Accept or Reject of the Join.
    PledgeAnswered {
        pledge_id: i64,
        accepted: bool,
    },
    /// A local actor withdraws its pledge to a remote call: Leave{Event}.
    PledgeWithdrawn {
        pledge_id: i64,
    },
    /// A local organizer invites a remote co-organizer: Invite{Event}.
    CoOrganizerInvited {
        organizer_id: i64,
    },
    /// A local actor confirms it co-organizes a remote call: Accept{Invite}.
    CoOrganizerConfirmed {
        organizer_id: i64,
    },
}

impl OutboxEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            OutboxEvent::PostPublished { .. } => "post_published",
            OutboxEvent::PostUpdated { .. } => "post_updated",
            OutboxEvent::PostDeleted { .. } => "post_deleted",
            OutboxEvent::FollowRequested { .. } => "follow_requested",
            OutboxEvent::FollowUndone { .. } => "follow_undone",
            OutboxEvent::FollowAccepted { .. } => "follow_accepted",
            OutboxEvent::FollowRejected { .. } => "follow_rejected",
            OutboxEvent::ActorBlocked { .. } => "actor_blocked",
            OutboxEvent::ActorUpdated { .. } => "actor_updated",
            OutboxEvent::ActorDeleted { .. } => "actor_deleted",
            OutboxEvent::ActorMoved { .. } => "actor_moved",
            OutboxEvent::JoinRequested { .. } => "join_requested",
            OutboxEvent::InviteSent { .. } => "invite_sent",
            OutboxEvent::JoinAnswered { .. } => "join_answered",
            OutboxEvent::LeftAlliance { .. } => "left_alliance",
            OutboxEvent::MemberRemoved { .. } => "member_removed",
            OutboxEvent::Announce { .. } => "announce",
            OutboxEvent::Unannounce { .. } => "unannounce",
            OutboxEvent::PostLiked { .. } => "post_liked",
            OutboxEvent::PostUnliked { .. } => "post_unliked",
            OutboxEvent::StatementInvited { .. } => "statement_invited",
            OutboxEvent::StatementInvitationAnswered { .. } => "statement_invitation_answered",
            OutboxEvent::StatementPublished { .. } => "statement_published",
            OutboxEvent::StatementUpdated { .. } => "statement_updated",
            OutboxEvent::EndorsementSent { .. } => "endorsement_sent",
            OutboxEvent::EndorsementAnswered { .. } => "endorsement_answered",
            OutboxEvent::EndorsementAdded { .. } => "endorsement_added",
            OutboxEvent::EndorsementWithdrawn { .. } => "endorsement_withdrawn",
            OutboxEvent::EndorsementRevoked { .. } => "endorsement_revoked",
            OutboxEvent::StatementBoosted { .. } => "statement_boosted",
            OutboxEvent::TranslationOffered { .. } => "translation_offered",
            OutboxEvent::CallPublished { .. } => "call_published",
            OutboxEvent::CallUpdated { .. } => "call_updated",
            OutboxEvent::PledgeSent { .. } => "pledge_sent",
            OutboxEvent::PledgeAnswered { .. } => "pledge_answered",
            OutboxEvent::PledgeWithdrawn { .. } => "pledge_withdrawn",
            OutboxEvent::CoOrganizerInvited { .. } => "co_organizer_invited",
            OutboxEvent::CoOrganizerConfirmed { .. } => "co_organizer_confirmed",
        }
    }
}
