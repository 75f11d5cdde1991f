//! Every query of the project, by aggregate.

pub mod activity;
pub mod actor;
pub mod answers;
pub mod block;
pub mod call;
pub mod delivery;
pub mod follow;
pub mod instance;
pub mod known_membership;
pub mod media;
pub mod membership;
pub mod outbox;
pub mod post;
pub mod received;
pub mod relay;
pub mod staff;
pub mod staff_session;
pub mod statement;
