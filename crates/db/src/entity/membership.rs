use sea_orm::entity::prelude::*;

/// Actor `member_id` in alliance `alliance_id`. Kept on the alliance's instance and on the
/// member's, each side recording what it was told.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub alliance_id: i64,
    pub member_id: i64,
    /// member, observer or secretariat
    pub role: String,
    /// invited, pending, active, rejected, left or removed
    pub status: String,
    /// Id of the Join or Invite that started it.
    pub request_ap_id: Option<String>,
    /// The member's choice for the alliance's posts: off, auto or held.
    pub relay_policy: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub joined_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::MemberId",
        to = "super::actor::Column::Id"
    )]
    Member,
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::AllianceId",
        to = "super::actor::Column::Id"
    )]
    Alliance,
}

impl ActiveModelBehavior for ActiveModel {}
