use sea_orm::entity::prelude::*;

/// Actor `member_id` is a member of the remote alliance `alliance_id`, as the alliance's own
/// public member list said when we last read it. Only drawn on network maps; never used to
/// decide anything (memberships that matter are `membership` rows, each side's own record).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "known_membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub alliance_id: i64,
    pub member_id: i64,
    pub seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
