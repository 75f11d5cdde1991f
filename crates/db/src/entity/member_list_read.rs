use sea_orm::entity::prelude::*;

/// When a remote alliance's member list was last read for the network maps.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_list_read")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub alliance_id: i64,
    pub read_at: DateTimeUtc,
    /// The list could be read and was public.
    pub listed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
