use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub domain: String,
    pub software: Option<String>,
    pub software_version: Option<String>,
    pub blocked: bool,
    pub block_reason: Option<String>,
    pub failure_count: i32,
    pub parked_until: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    pub last_failure_at: Option<DateTimeUtc>,
    pub nodeinfo_fetched_at: Option<DateTimeUtc>,
    /// `cavage` or `rfc9421`: the HTTP signature scheme this host accepted last.
    pub signature_scheme: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
