use sea_orm::entity::prelude::*;

/// An uploaded image, re-encoded without metadata, stored as `{data_dir}/media/{uuid}.{ext}`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: String,
    pub actor_id: i64,
    /// Set once the post that shows it exists.
    pub post_id: Option<i64>,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    /// Alt text describing the image (required, non-empty).
    pub alt: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
