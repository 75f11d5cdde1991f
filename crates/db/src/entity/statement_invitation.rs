use sea_orm::entity::prelude::*;

/// An actor invited to co-initiate a statement, or to endorse one whose policy is `invited`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statement_invitation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub statement_id: i64,
    pub actor_id: i64,
    /// initiator or endorser
    pub role: String,
    /// invited, confirmed or declined
    pub status: String,
    /// Id of the Invite activity.
    pub ap_id: String,
    pub created_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::ActorId",
        to = "super::actor::Column::Id"
    )]
    Actor,
}

impl ActiveModelBehavior for ActiveModel {}
