use sea_orm::entity::prelude::*;

/// A client app registered through `POST /api/v1/apps`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_app")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub client_id: String,
    /// SHA-256 of the client secret (hex).
    pub secret_hash: String,
    pub name: String,
    pub website: Option<String>,
    /// JSON array of redirect URIs.
    pub redirect_uris: String,
    /// Space-separated scopes the app may ask for.
    pub scopes: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
