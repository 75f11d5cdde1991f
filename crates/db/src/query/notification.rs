//! Notifications of local actors: recorded once per event, read newest first.

use crate::{notification, now, query::IdRange};
use puentes_core::{NotificationKind, Result};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TryInsertResult,
};

/// One event to tell `recipient_id` about.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub recipient_id: i64,
    pub kind: NotificationKind,
    pub from_id: i64,
    pub post_id: Option<i64>,
    /// The id of what it is about; `None` for a follow.
    pub subject: Option<&'a str>,
}

/// Records a notification; false when the same one was already told (a repeated Follow).
pub async fn record(db: &impl ConnectionTrait, new: NewNotification<'_>) -> Result<bool> {
    if new.recipient_id == new.from_id {
        return Ok(false);
    }
    let row = notification::ActiveModel {
        recipient_id: Set(new.recipient_id),
        kind: Set(new.kind.as_str().to_string()),
        from_id: Set(new.from_id),
        post_id: Set(new.post_id),
        subject: Set(new.subject.unwrap_or_default().to_string()),
        created_at: Set(now()),
        ..Default::default()
    };
    // ON CONFLICT DO NOTHING: a failed insert would abort the surrounding transaction on
    // PostgreSQL.
    let result = notification::Entity::insert(row)
        .on_conflict_do_nothing_on([
            notification::Column::RecipientId,
            notification::Column::Kind,
            notification::Column::FromId,
            notification::Column::Subject,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(result, TryInsertResult::Inserted(n) if n > 0))
}

/// Which kinds to show: only `types` when given, never `exclude`.
#[derive(Debug, Clone, Default)]
pub struct KindFilter {
    pub types: Vec<NotificationKind>,
    pub exclude: Vec<NotificationKind>,
}

fn filtered(recipient_id: i64, filter: &KindFilter) -> sea_orm::Select<notification::Entity> {
    let mut select =
        notification::Entity::find().filter(notification::Column::RecipientId.eq(recipient_id));
    if !filter.types.is_empty() {
        select = select
            .filter(notification::Column::Kind.is_in(filter.types.iter().map(|k| k.as_str())));
    }
    if !filter.exclude.is_empty() {
        select = select.filter(
            notification::Column::Kind.is_not_in(filter.exclude.iter().map(|k| k.as_str())),
        );
    }
    select
}

/// A page of `recipient_id`'s notifications, newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    recipient_id: i64,
    filter: &KindFilter,
    range: IdRange,
) -> Result<Vec<notification::Model>> {
    let select = range.apply(filtered(recipient_id, filter), notification::Column::Id);
    Ok(range.finish(select.all(db).await?))
}

/// How many notifications newer than `after_id` (everything when `None`).
pub async fn count_after(
    db: &impl ConnectionTrait,
    recipient_id: i64,
    filter: &KindFilter,
    after_id: Option<i64>,
) -> Result<u64> {
    let mut select = filtered(recipient_id, filter);
    if let Some(after) = after_id {
        select = select.filter(notification::Column::Id.gt(after));
    }
    Ok(select.count(db).await?)
}

/// One of `recipient_id`'s notifications.
pub async fn get(
    db: &impl ConnectionTrait,
    recipient_id: i64,
    id: i64,
) -> Result<Option<notification::Model>> {
    Ok(notification::Entity::find_by_id(id)
        .filter(notification::Column::RecipientId.eq(recipient_id))
        .one(db)
        .await?)
}

/// Forgets one notification; false when it was not there.
pub async fn dismiss(db: &impl ConnectionTrait, recipient_id: i64, id: i64) -> Result<bool> {
    let done = notification::Entity::delete_many()
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::RecipientId.eq(recipient_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Forgets every notification of `recipient_id`.
pub async fn clear(db: &impl ConnectionTrait, recipient_id: i64) -> Result<u64> {
    let done = notification::Entity::delete_many()
        .filter(notification::Column::RecipientId.eq(recipient_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

impl notification::Model {
    pub fn kind(&self) -> NotificationKind {
        NotificationKind::from_stored(&self.kind, NotificationKind::Mention)
    }
}
