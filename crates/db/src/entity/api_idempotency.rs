use sea_orm::entity::prelude::*;

/// An `Idempotency-Key` a token used to post: the same key returns the same post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_idempotency")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub grant_id: i64,
    pub key: String,
    pub post_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
