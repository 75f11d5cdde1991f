use crate::{now, post};
use chrono::{DateTime, Utc};
use puentes_core::{
    Error, Result, Visibility,
    content::{Attachment, Tag},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

#[derive(Debug, Clone)]
pub struct PostData {
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
    pub visibility: Visibility,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub local: bool,
    pub published: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Language → HTML, for posts in several languages.
    pub content_map: Option<std::collections::BTreeMap<String, String>>,
    pub tags: Vec<Tag>,
    pub audience: Option<String>,
    pub attachments: Vec<Attachment>,
}

pub async fn insert(db: &impl ConnectionTrait, data: PostData) -> Result<post::Model> {
    let saved = post::ActiveModel {
        ap_id: Set(data.ap_id),
        author_id: Set(data.author_id),
        kind: Set(data.kind),
        content: Set(data.content),
        summary: Set(data.summary),
        name: Set(data.name),
        language: Set(data.language),
        sensitive: Set(data.sensitive),
        in_reply_to: Set(data.in_reply_to),
        url: Set(data.url),
        visibility: Set(data.visibility.as_str().to_string()),
        to_json: Set(serde_json::to_string(&data.to)?),
        cc_json: Set(serde_json::to_string(&data.cc)?),
        local: Set(data.local),
        published: Set(data.published),
        updated_at: Set(data.updated_at),
        deleted_at: Set(None),
        created_at: Set(now()),
        content_map: Set(data
            .content_map
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?),
        tags_json: Set(serde_json::to_string(&data.tags)?),
        audience: Set(data.audience),
        attachments_json: Set(serde_json::to_string(&data.attachments)?),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        if crate::is_unique_violation(&e) {
            Error::conflict("this post is already stored")
        } else {
            e.into()
        }
    })?;
    if saved.local {
        crate::changes::local_posts_changed();
    }
    Ok(saved)
}

/// Applies an edit from the author; the id, author and publication date stay.
pub async fn update_content(
    db: &impl ConnectionTrait,
    row: post::Model,
    data: PostData,
) -> Result<post::Model> {
    let mut model: post::ActiveModel = row.into();
    model.content = Set(data.content);
    model.summary = Set(data.summary);
    model.name = Set(data.name);
    model.language = Set(data.language);
    model.sensitive = Set(data.sensitive);
    model.visibility = Set(data.visibility.as_str().to_string());
    model.to_json = Set(serde_json::to_string(&data.to)?);
    model.cc_json = Set(serde_json::to_string(&data.cc)?);
    model.updated_at = Set(Some(data.updated_at.unwrap_or_else(now)));
    model.content_map = Set(data
        .content_map
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?);
    model.tags_json = Set(serde_json::to_string(&data.tags)?);
    model.attachments_json = Set(serde_json::to_string(&data.attachments)?);
    Ok(model.update(db).await?)
}

/// Keeps a tombstone: the id stays known as deleted, the content is gone.
pub async fn mark_deleted(db: &impl ConnectionTrait, row: post::Model) -> Result<post::Model> {
    let mut model: post::ActiveModel = row.into();
    model.content = Set(String::new());
    model.summary = Set(None);
    model.name = Set(None);
    model.content_map = Set(None);
    model.attachments_json = Set("[]".into());
    model.deleted_at = Set(Some(now()));
    let saved = model.update(db).await?;
    if saved.local {
        crate::changes::local_posts_changed();
    }
    Ok(saved)
}

/// Tombstones every post of an author (its deletion).
pub async fn mark_all_deleted_by(db: &impl ConnectionTrait, author_id: i64) -> Result<u64> {
    let rows = post::Entity::find()
        .filter(post::Column::AuthorId.eq(author_id))
        .filter(post::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let count = rows.len() as u64;
    for row in rows {
        mark_deleted(db, row).await?;
    }
    Ok(count)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<post::Model>> {
    Ok(post::Entity::find_by_id(id).one(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<post::Model> {
    by_id(db, id).await?.ok_or_else(|| Error::not_found("post"))
}

pub async fn by_ap_id(db: &impl ConnectionTrait, ap_id: &str) -> Result<Option<post::Model>> {
    Ok(post::Entity::find()
        .filter(post::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

/// Public and unlisted posts of an author, newest first, for outboxes and pages.
pub async fn visible_by_author(
    db: &impl ConnectionTrait,
    author_id: i64,
    page: u64,
    per_page: u64,
) -> Result<Vec<post::Model>> {
    Ok(post::Entity::find()
        .filter(post::Column::AuthorId.eq(author_id))
        .filter(post::Column::Visibility.is_in(PUBLIC_VISIBILITIES))
        .filter(post::Column::DeletedAt.is_null())
        .order_by_desc(post::Column::Published)
        .order_by_desc(post::Column::Id)
        .offset(page.saturating_sub(1) * per_page)
        .limit(per_page)
        .all(db)
        .await?)
}

/// An author's posts of every visibility, newest first (for the author's own staff).
pub async fn all_by_author(
    db: &impl ConnectionTrait,
    author_id: i64,
    limit: u64,
) -> Result<Vec<post::Model>> {
    Ok(post::Entity::find()
        .filter(post::Column::AuthorId.eq(author_id))
        .filter(post::Column::DeletedAt.is_null())
        .order_by_desc(post::Column::Published)
        .order_by_desc(post::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn count_visible_by_author(db: &impl ConnectionTrait, author_id: i64) -> Result<u64> {
    Ok(post::Entity::find()
        .filter(post::Column::AuthorId.eq(author_id))
        .filter(post::Column::Visibility.is_in(PUBLIC_VISIBILITIES))
        .filter(post::Column::DeletedAt.is_null())
        .count(db)
        .await?)
}

/// Local public posts carrying a hashtag, newest first.
pub async fn local_with_hashtag(
    db: &impl ConnectionTrait,
    tag: &str,
    limit: u64,
) -> Result<Vec<post::Model>> {
    let needle = format!(
        "%\"#{}\"%",
        tag.to_lowercase().replace(['%', '_', '"', '\\'], "")
    );
    Ok(post::Entity::find()
        .filter(post::Column::Local.eq(true))
        .filter(post::Column::Visibility.eq(Visibility::Public.as_str()))
        .filter(post::Column::DeletedAt.is_null())
        .filter(post::Column::TagsJson.like(needle))
        .order_by_desc(post::Column::Published)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn count_local(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(post::Entity::find()
        .filter(post::Column::Local.eq(true))
        .filter(post::Column::DeletedAt.is_null())
        .count(db)
        .await?)
}

/// Stored spellings of the visibilities anyone may read.
const PUBLIC_VISIBILITIES: [&str; 2] = [Visibility::Public.as_str(), Visibility::Unlisted.as_str()];

impl post::Model {
    pub fn visibility(&self) -> Visibility {
        Visibility::from_stored(&self.visibility, Visibility::Direct)
    }

    /// The post's languages, when it has several.
    pub fn content_map(&self) -> Option<std::collections::BTreeMap<String, String>> {
        self.content_map
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
    }

    pub fn attachments(&self) -> Vec<Attachment> {
        Attachment::list_from_stored(&self.attachments_json)
    }

    pub fn tags(&self) -> Vec<Tag> {
        Tag::list_from_stored(&self.tags_json)
    }

    /// (to, cc)
    pub fn addressees(&self) -> (Vec<String>, Vec<String>) {
        let to = serde_json::from_str(&self.to_json).unwrap_or_default();
        let cc = serde_json::from_str(&self.cc_json).unwrap_or_default();
        (to, cc)
    }

    /// Addressed to `id`, directly or as its audience.
    pub fn addresses(&self, id: &str) -> bool {
        let (to, cc) = self.addressees();
        self.audience.as_deref() == Some(id) || to.iter().chain(&cc).any(|a| a == id)
    }

    /// Anyone may read it (or its Tombstone): public or unlisted.
    pub fn is_publicly_readable(&self) -> bool {
        self.visibility().is_public()
    }
}

/// The latest readable posts of some authors (a timeline), newest first.
pub async fn latest_by_authors(
    db: &impl ConnectionTrait,
    authors: &[i64],
    limit: u64,
) -> Result<Vec<post::Model>> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    Ok(post::Entity::find()
        .filter(post::Column::AuthorId.is_in(authors.iter().copied()))
        .filter(post::Column::DeletedAt.is_null())
        .filter(post::Column::Visibility.ne(Visibility::Direct.as_str()))
        .order_by_desc(post::Column::Published)
        .limit(limit)
        .all(db)
        .await?)
}
