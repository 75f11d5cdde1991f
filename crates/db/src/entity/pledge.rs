use sea_orm::entity::prelude::*;

/// Actor `actor_id`'s pledge to take part in call `call_id`. Kept by the organizer and by
/// the pledging side, each recording what it was told.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pledge")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    pub actor_id: i64,
    /// pending, accepted, rejected or withdrawn
    pub status: String,
    /// Id of the Join that made it.
    pub join_ap_id: Option<String>,
    /// Mobilizon's `participationMessage`, plain text.
    pub message: Option<String>,
    /// Why it was rejected (capacity reached, cancelled…).
    pub reason: Option<String>,
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
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id"
    )]
    Call,
}

impl ActiveModelBehavior for ActiveModel {}
