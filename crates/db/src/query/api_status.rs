//! Statuses of the client API that are not posts (statements, calls, relays). Their ids are
//! reserved from the post id sequence, so one id space orders every status by time and no
//! statement's id can be a post's.

use crate::{api_status, now};
use puentes_core::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    Statement,
};

/// What a non-post status shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Statement,
    Call,
    /// An announce row: a reblog by the announcing actor.
    Reblog,
}

impl StatusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Statement => "statement",
            StatusKind::Call => "call",
            StatusKind::Reblog => "reblog",
        }
    }

    pub fn parse(s: &str) -> Option<StatusKind> {
        match s {
            "statement" => Some(StatusKind::Statement),
            "call" => Some(StatusKind::Call),
            "reblog" => Some(StatusKind::Reblog),
            _ => None,
        }
    }
}

/// The next id of the post sequence, taken so no post will have it.
async fn reserve_id(db: &impl ConnectionTrait) -> Result<i64> {
    let backend = db.get_database_backend();
    let row = match backend {
        DbBackend::Postgres => {
            db.query_one_raw(Statement::from_string(
                backend,
                "SELECT nextval(pg_get_serial_sequence('post', 'id'))",
            ))
            .await?
        }
        _ => {
            // SQLite's AUTOINCREMENT keeps the highest id handed out in sqlite_sequence,
            // which may be written to: raising it reserves the id.
            db.execute_unprepared(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'post', \
                 COALESCE((SELECT MAX(id) FROM post), 0) WHERE NOT EXISTS \
                 (SELECT 1 FROM sqlite_sequence WHERE name = 'post')",
            )
            .await?;
            db.query_one_raw(Statement::from_string(
                backend,
                "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'post' RETURNING seq",
            ))
            .await?
        }
    };
    row.ok_or_else(|| Error::internal("no status id reserved"))?
        .try_get_by_index::<i64>(0)
        .map_err(Into::into)
}

/// Gives `object_id` of `kind` its status id (once; later calls return the same row).
pub async fn add(
    db: &impl ConnectionTrait,
    kind: StatusKind,
    object_id: i64,
    actor_id: i64,
) -> Result<api_status::Model> {
    if let Some(row) = of_object(db, kind, object_id).await? {
        return Ok(row);
    }
    let id = reserve_id(db).await?;
    Ok(api_status::ActiveModel {
        id: Set(id),
        kind: Set(kind.as_str().to_string()),
        object_id: Set(object_id),
        actor_id: Set(actor_id),
        created_at: Set(now()),
    }
    .insert(db)
    .await?)
}

pub async fn remove(db: &impl ConnectionTrait, kind: StatusKind, object_id: i64) -> Result<()> {
    api_status::Entity::delete_many()
        .filter(api_status::Column::Kind.eq(kind.as_str()))
        .filter(api_status::Column::ObjectId.eq(object_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn of_object(
    db: &impl ConnectionTrait,
    kind: StatusKind,
    object_id: i64,
) -> Result<Option<api_status::Model>> {
    Ok(api_status::Entity::find()
        .filter(api_status::Column::Kind.eq(kind.as_str()))
        .filter(api_status::Column::ObjectId.eq(object_id))
        .one(db)
        .await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<api_status::Model>> {
    Ok(api_status::Entity::find_by_id(id).one(db).await?)
}
