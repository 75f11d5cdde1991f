use sea_orm::entity::prelude::*;

/// Something that happened to a local actor, told to its staff (pages and apps).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The local actor told.
    pub recipient_id: i64,
    pub kind: String,
    /// Who did it.
    pub from_id: i64,
    /// The post concerned (a mention, a reply, a boost or like of a post).
    pub post_id: Option<i64>,
    /// The id of what it is about (post, statement or call), "" for none.
    pub subject: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
