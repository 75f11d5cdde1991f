//! Every query of the project, by aggregate.

pub mod activity;
pub mod actor;
pub mod answers;
pub mod api_status;
pub mod block;
pub mod bookmark;
pub mod call;
pub mod delivery;
pub mod favourite;
pub mod follow;
pub mod instance;
pub mod known_membership;
pub mod marker;
pub mod media;
pub mod membership;
pub mod moves;
pub mod notification;
pub mod oauth;
pub mod outbox;
pub mod pin;
pub mod post;
pub mod received;
pub mod relay;
pub mod setting;
pub mod staff;
pub mod staff_session;
pub mod statement;

/// A page of rows by id, as Mastodon's clients ask for them: newest first, below `max_id`,
/// above `since_id`; or the oldest ones just above `min_id` (paging forward).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdRange {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: u64,
}

impl IdRange {
    pub const DEFAULT_LIMIT: u64 = 20;
    pub const MAX_LIMIT: u64 = 40;

    pub fn newest(limit: u64) -> IdRange {
        IdRange {
            limit,
            ..IdRange::default()
        }
    }

    /// Applies the bounds and order on `id`; the rows come newest first after
    /// [`IdRange::finish`].
    pub fn apply<S>(&self, mut select: S, id: impl sea_orm::ColumnTrait) -> S
    where
        S: sea_orm::QueryFilter + sea_orm::QueryOrder + sea_orm::QuerySelect,
    {
        if let Some(max) = self.max_id {
            select = select.filter(id.lt(max));
        }
        if let Some(since) = self.since_id {
            select = select.filter(id.gt(since));
        }
        if let Some(min) = self.min_id {
            select = select.filter(id.gt(min));
            select = select.order_by_asc(id);
        } else {
            select = select.order_by_desc(id);
        }
        let limit = self.limit.clamp(1, Self::MAX_LIMIT);
        select.limit(limit)
    }

    /// Rows read with `min_id` came oldest first: turn them newest first.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if self.min_id.is_some() {
            rows.reverse();
        }
        rows
    }
}
