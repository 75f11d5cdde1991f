use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub follower_id: i64,
    pub followed_id: i64,
    pub state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::FollowerId",
        to = "super::actor::Column::Id"
    )]
    Follower,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::FollowedId",
        to = "super::actor::Column::Id"
    )]
    Followed,
}

impl ActiveModelBehavior for ActiveModel {}
