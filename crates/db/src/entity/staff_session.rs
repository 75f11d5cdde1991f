use sea_orm::entity::prelude::*;

/// A browser's session on the staff pages. Never federated, never shown publicly.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 (hex) of the session id in the cookie.
    #[sea_orm(unique)]
    pub key: String,
    pub staff_id: Option<i64>,
    /// The session's values, as JSON.
    pub data: String,
    pub user_agent: Option<String>,
    pub created_at: DateTimeUtc,
    pub seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
