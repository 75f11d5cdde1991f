use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub author_id: i64,
    pub kind: String,
    pub content: String,
    pub summary: Option<String>,
    pub name: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub in_reply_to: Option<String>,
    pub url: Option<String>,
    pub visibility: String,
    pub to_json: String,
    pub cc_json: String,
    pub local: bool,
    pub published: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// `{language: html}` when the post has several languages.
    pub content_map: Option<String>,
    /// Hashtag and Mention tags, as ActivityStreams JSON.
    pub tags_json: String,
    /// The alliance (Group) a post is addressed to, kept unchanged through relays.
    pub audience: Option<String>,
    /// Image attachments (url, mediaType, alt text as `name`), as ActivityStreams JSON.
    pub attachments_json: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
