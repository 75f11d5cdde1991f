use sea_orm::entity::prelude::*;

/// An endorsement of one statement version, kept as the endorser's signed activity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "endorsement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub statement_id: i64,
    pub version_id: i64,
    pub endorser_id: i64,
    /// Id of the Endorse activity.
    pub ap_id: String,
    /// pending, accepted, rejected, withdrawn or removed
    pub status: String,
    /// "Count me, don't name me": counted in public, named only to the owner.
    pub anonymous: bool,
    /// An alliance endorsing as a Group: how many members it had when it endorsed.
    pub endorser_members: Option<i64>,
    pub note: Option<String>,
    /// The Endorse, verbatim with its proof.
    pub activity: String,
    /// The endorser's signed Undo (or the owner's Remove), verbatim.
    pub revocation: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::EndorserId",
        to = "super::actor::Column::Id"
    )]
    Endorser,
}

impl ActiveModelBehavior for ActiveModel {}
