use sea_orm::entity::prelude::*;

/// An authorization code or an access token of a client app, stored as a digest.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_grant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: i64,
    /// `code` or `token`.
    pub kind: String,
    /// SHA-256 of the code or token (hex).
    #[sea_orm(unique)]
    pub secret_hash: String,
    /// The staff member it speaks for; none for an app's own token.
    pub staff_id: Option<i64>,
    /// The one actor it speaks as.
    pub actor_id: Option<i64>,
    /// Space-separated scopes granted.
    pub scopes: String,
    pub redirect_uri: Option<String>,
    /// PKCE S256 challenge of a code.
    pub code_challenge: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
