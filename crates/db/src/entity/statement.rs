use sea_orm::entity::prelude::*;

/// A joint statement: ours (`local`) or a copy of one received from its owner's instance.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Path segment of our URLs for it, for copies too.
    pub uuid: String,
    /// The statement's stable `url` at its origin; versions have their own ids.
    pub ap_url: String,
    pub owner_id: i64,
    pub local: bool,
    /// draft, open or closed
    pub status: String,
    /// members, anyone or invited
    pub policy: String,
    /// What is asked, in one sentence; starts the Mastodon-facing summary.
    pub ask: Option<String>,
    pub deadline: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub opened_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
