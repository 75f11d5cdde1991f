use sea_orm::entity::prelude::*;

/// One frozen text of a statement. Endorsements bind to a version through its digest.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statement_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub statement_id: i64,
    pub number: i32,
    pub ap_id: String,
    pub name: String,
    pub content: String,
    /// JSON object language → HTML, when the text has several languages.
    pub content_map: Option<String>,
    pub language: Option<String>,
    /// Exactly as published in the frozen core, so the digest can be recomputed.
    pub published: String,
    /// Multibase SHA-256 multihash of the JCS form of the frozen core.
    pub digest: String,
    /// JSON object language → HTML of translations added after opening (outside the core).
    pub translations: Option<String>,
    /// Copies: the owner's signed document as last received, verbatim.
    pub document: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
