//! Uploaded media rows. The files themselves live under `{data_dir}/media/`.

use crate::{media, now};
use puentes_core::Result;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};

#[derive(Debug, Clone)]
pub struct NewMedia {
    pub uuid: String,
    pub actor_id: i64,
    pub post_id: Option<i64>,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    pub alt: String,
}

pub async fn insert(db: &impl ConnectionTrait, data: NewMedia) -> Result<media::Model> {
    Ok(media::ActiveModel {
        uuid: Set(data.uuid),
        actor_id: Set(data.actor_id),
        post_id: Set(data.post_id),
        content_type: Set(data.content_type),
        width: Set(data.width),
        height: Set(data.height),
        byte_size: Set(data.byte_size),
        alt: Set(data.alt),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<media::Model> {
    media::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| puentes_core::Error::not_found(format!("media {id}")))
}

pub async fn by_uuid(db: &impl ConnectionTrait, uuid: &str) -> Result<Option<media::Model>> {
    Ok(media::Entity::find()
        .filter(media::Column::Uuid.eq(uuid))
        .one(db)
        .await?)
}

/// Attaches not-yet-attached media to a post; media already shown by a post stay where they
/// are. Returns how many rows were attached, so callers can check it equals `media_ids.len()`.
/// Callers check that the media belong to the post's author.
pub async fn attach_to_post(
    db: &impl ConnectionTrait,
    media_ids: &[i64],
    post_id: i64,
) -> Result<u64> {
    if media_ids.is_empty() {
        return Ok(0);
    }
    let result = media::Entity::update_many()
        .col_expr(media::Column::PostId, Expr::value(post_id))
        .filter(media::Column::Id.is_in(media_ids.iter().copied()))
        .filter(media::Column::PostId.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The media of a post, in upload order.
pub async fn for_post(db: &impl ConnectionTrait, post_id: i64) -> Result<Vec<media::Model>> {
    Ok(media::Entity::find()
        .filter(media::Column::PostId.eq(post_id))
        .order_by_asc(media::Column::Id)
        .all(db)
        .await?)
}

/// Sets an upload's alt text.
pub async fn set_alt(
    db: &impl ConnectionTrait,
    row: media::Model,
    alt: &str,
) -> Result<media::Model> {
    let mut active: media::ActiveModel = row.into();
    active.alt = Set(alt.to_string());
    Ok(active.update(db).await?)
}
