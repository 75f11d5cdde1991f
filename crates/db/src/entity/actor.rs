use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "actor")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub username: String,
    pub domain: String,
    pub kind: String,
    pub display_name: Option<String>,
    pub summary: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub outbox: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub url: Option<String>,
    pub icon_url: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub ed25519_public: Option<String>,
    pub ed25519_private: Option<String>,
    pub local: bool,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_fetched_at: Option<DateTimeUtc>,
    /// Alliances: `auto` accepts Join requests, `manual` leaves them to the secretariat.
    pub join_policy: String,
    /// Alliances: who may see the member list: `public`, `members` or `private`.
    pub member_list_visibility: String,
    /// Alliances: `auto` relays members' posts at once, `held` waits for the secretariat.
    pub moderation: String,
    /// The profile's header image (Mastodon's `header`, ActivityStreams `image`).
    pub header_url: Option<String>,
    /// Set when a local actor was deleted or a remote one announced its deletion.
    pub deleted_at: Option<DateTimeUtc>,
    /// JSON array of the ids this actor was known by before a move (`alsoKnownAs`).
    pub also_known_as: Option<String>,
    /// Set when the actor moved to another address (`movedTo`).
    pub moved_to: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
