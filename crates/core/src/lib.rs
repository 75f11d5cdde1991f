//! Puentes core: configuration, the error type, the URL scheme of local ids and pure
//! domain rules. No I/O lives here.

pub mod calls;
pub mod config;
pub mod content;
pub mod domain;
pub mod error;
pub mod handle;
pub mod limits;
pub mod metrics;
pub mod sanitize;
pub mod text;
pub mod urls;

pub use config::{Config, FederationMode, LimitsConfig, MediaStorage, S3Config};
pub use domain::{
    ActorKind, CallStatus, DeliveryState, EndorsementPolicy, EndorsementStatus, FollowState,
    HeldRelayState, InvitationRole, InvitationStatus, JoinMode, JoinPolicy, MemberListVisibility,
    MemberRole, MembershipStatus, Moderation, NotificationKind, PledgeStatus, RelayPolicy,
    StaffRole, StatementStatus, Visibility,
};
pub use error::{Error, ErrorKind, Result, ResultExt};
