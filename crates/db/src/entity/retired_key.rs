use sea_orm::entity::prelude::*;

/// A key pair an imported organization signed with at its old address. Never served as a
/// current key; kept so signatures made before the move still verify.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retired_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The local actor that holds it now.
    pub actor_id: i64,
    /// The old actor id the key belonged to.
    pub ap_id: String,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub ed25519_public: Option<String>,
    pub ed25519_private: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
