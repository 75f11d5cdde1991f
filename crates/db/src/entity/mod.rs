//! One module per table; rows are the shared vocabulary of the other crates.

pub mod activity;
pub mod actor;
pub mod announce;
pub mod block;
pub mod call;
pub mod call_like;
pub mod call_organizer;
pub mod delivery;
pub mod endorsement;
pub mod follow;
pub mod held_relay;
pub mod instance;
pub mod known_membership;
pub mod media;
pub mod member_list_read;
pub mod membership;
pub mod outbox_event;
pub mod pledge;
pub mod post;
pub mod received_activity;
pub mod staff;
pub mod staff_role;
pub mod statement;
pub mod statement_invitation;
pub mod statement_like;
pub mod statement_version;
