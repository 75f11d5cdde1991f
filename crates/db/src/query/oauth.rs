//! Client apps, authorization codes and access tokens (by digest), and idempotency keys.

use crate::{api_idempotency, now, oauth_app, oauth_grant};
use chrono::{DateTime, Utc};
use puentes_core::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

pub const CODE: &str = "code";
pub const TOKEN: &str = "token";
/// A signed-in staff member's pending decision on the consent page.
pub const CONSENT: &str = "consent";

pub struct NewApp<'a> {
    pub client_id: &'a str,
    pub secret_hash: &'a str,
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub redirect_uris: &'a [String],
    pub scopes: &'a str,
}

pub async fn insert_app(db: &impl ConnectionTrait, new: NewApp<'_>) -> Result<oauth_app::Model> {
    Ok(oauth_app::ActiveModel {
        client_id: Set(new.client_id.to_string()),
        secret_hash: Set(new.secret_hash.to_string()),
        name: Set(new.name.to_string()),
        website: Set(new.website.map(str::to_string)),
        redirect_uris: Set(serde_json::to_string(new.redirect_uris)?),
        scopes: Set(new.scopes.to_string()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn app_by_client_id(
    db: &impl ConnectionTrait,
    client_id: &str,
) -> Result<Option<oauth_app::Model>> {
    Ok(oauth_app::Entity::find()
        .filter(oauth_app::Column::ClientId.eq(client_id))
        .one(db)
        .await?)
}

pub async fn app(db: &impl ConnectionTrait, id: i64) -> Result<oauth_app::Model> {
    oauth_app::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("app"))
}

pub struct NewGrant<'a> {
    pub app_id: i64,
    pub kind: &'a str,
    pub secret_hash: &'a str,
    pub staff_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub scopes: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert_grant(
    db: &impl ConnectionTrait,
    new: NewGrant<'_>,
) -> Result<oauth_grant::Model> {
    Ok(oauth_grant::ActiveModel {
        app_id: Set(new.app_id),
        kind: Set(new.kind.to_string()),
        secret_hash: Set(new.secret_hash.to_string()),
        staff_id: Set(new.staff_id),
        actor_id: Set(new.actor_id),
        scopes: Set(new.scopes.to_string()),
        redirect_uri: Set(new.redirect_uri.map(str::to_string)),
        code_challenge: Set(new.code_challenge.map(str::to_string)),
        created_at: Set(now()),
        expires_at: Set(new.expires_at),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A live (unexpired) code or token by its digest.
pub async fn grant_by_hash(
    db: &impl ConnectionTrait,
    kind: &str,
    secret_hash: &str,
) -> Result<Option<oauth_grant::Model>> {
    let row = oauth_grant::Entity::find()
        .filter(oauth_grant::Column::SecretHash.eq(secret_hash))
        .filter(oauth_grant::Column::Kind.eq(kind))
        .one(db)
        .await?;
    Ok(row.filter(|g| g.expires_at.is_none_or(|at| at > now())))
}

pub async fn delete_grant(db: &impl ConnectionTrait, id: i64) -> Result<bool> {
    Ok(oauth_grant::Entity::delete_by_id(id)
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// A staff member's tokens, newest first.
pub async fn tokens_of(
    db: &impl ConnectionTrait,
    staff_id: i64,
) -> Result<Vec<oauth_grant::Model>> {
    Ok(oauth_grant::Entity::find()
        .filter(oauth_grant::Column::StaffId.eq(staff_id))
        .filter(oauth_grant::Column::Kind.eq(TOKEN))
        .order_by_desc(oauth_grant::Column::Id)
        .all(db)
        .await?)
}

pub async fn grant(db: &impl ConnectionTrait, id: i64) -> Result<Option<oauth_grant::Model>> {
    Ok(oauth_grant::Entity::find_by_id(id).one(db).await?)
}

/// Notes a token's use (at most once a minute, to spare writes).
pub async fn touch(db: &impl ConnectionTrait, row: &oauth_grant::Model) -> Result<()> {
    let stale = row
        .last_used_at
        .is_none_or(|at| now() - at > chrono::Duration::minutes(1));
    if stale {
        let mut active: oauth_grant::ActiveModel = row.clone().into();
        active.last_used_at = Set(Some(now()));
        active.update(db).await?;
    }
    Ok(())
}

pub async fn idempotent_post(
    db: &impl ConnectionTrait,
    grant_id: i64,
    key: &str,
) -> Result<Option<i64>> {
    Ok(api_idempotency::Entity::find()
        .filter(api_idempotency::Column::GrantId.eq(grant_id))
        .filter(api_idempotency::Column::Key.eq(key))
        .one(db)
        .await?
        .map(|r| r.post_id))
}

pub async fn remember_idempotent(
    db: &impl ConnectionTrait,
    grant_id: i64,
    key: &str,
    post_id: i64,
) -> Result<()> {
    api_idempotency::ActiveModel {
        grant_id: Set(grant_id),
        key: Set(key.to_string()),
        post_id: Set(post_id),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

impl oauth_app::Model {
    /// The redirect URIs the app registered.
    pub fn redirect_list(&self) -> Vec<String> {
        serde_json::from_str(&self.redirect_uris).unwrap_or_default()
    }
}
