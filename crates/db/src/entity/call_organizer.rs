use sea_orm::entity::prelude::*;

/// A co-organizer of a call: invited by the organizer, shown once it confirmed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_organizer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    pub actor_id: i64,
    /// invited, confirmed or declined
    pub status: String,
    /// Id of the Invite.
    pub invite_ap_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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
