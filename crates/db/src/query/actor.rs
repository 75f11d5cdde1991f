use crate::{actor, now};
use puentes_core::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

/// Fields of an actor as stored, for inserting a local one or refreshing a remote one.
#[derive(Debug, Clone)]
pub struct ActorData {
    pub ap_id: String,
    pub username: String,
    pub domain: String,
    pub kind: String,
    pub display_name: Option<String>,
    pub summary: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub outbox: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub url: Option<String>,
    pub icon_url: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub ed25519_public: Option<String>,
    pub ed25519_private: Option<String>,
    pub local: bool,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
}

pub async fn insert(db: &impl ConnectionTrait, data: ActorData) -> Result<actor::Model> {
    let at = now();
    let model = actor::ActiveModel {
        ap_id: Set(data.ap_id),
        username: Set(data.username),
        domain: Set(data.domain),
        kind: Set(data.kind),
        display_name: Set(data.display_name),
        summary: Set(data.summary),
        inbox: Set(data.inbox),
        shared_inbox: Set(data.shared_inbox),
        outbox: Set(data.outbox),
        followers_url: Set(data.followers_url),
        following_url: Set(data.following_url),
        featured_url: Set(data.featured_url),
        url: Set(data.url),
        icon_url: Set(data.icon_url),
        public_key_id: Set(data.public_key_id),
        public_key_pem: Set(data.public_key_pem),
        private_key_pem: Set(data.private_key_pem),
        ed25519_public: Set(data.ed25519_public),
        ed25519_private: Set(data.ed25519_private),
        local: Set(data.local),
        manually_approves_followers: Set(data.manually_approves_followers),
        discoverable: Set(data.discoverable),
        indexable: Set(data.indexable),
        created_at: Set(at),
        updated_at: Set(at),
        last_fetched_at: Set(if data.local { None } else { Some(at) }),
        join_policy: Set("manual".into()),
        member_list_visibility: Set("public".into()),
        moderation: Set("auto".into()),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

/// Inserts or refreshes a remote actor by its id; keys and endpoints follow the remote.
pub async fn upsert_remote(db: &impl ConnectionTrait, data: ActorData) -> Result<actor::Model> {
    let Some(existing) = by_ap_id(db, &data.ap_id).await? else {
        return insert(db, data).await;
    };
    if existing.local {
        return Err(Error::forbidden(
            "a remote document cannot overwrite a local actor",
        ));
    }
    let mut model: actor::ActiveModel = existing.into();
    model.username = Set(data.username);
    model.domain = Set(data.domain);
    model.kind = Set(data.kind);
    model.display_name = Set(data.display_name);
    model.summary = Set(data.summary);
    model.inbox = Set(data.inbox);
    model.shared_inbox = Set(data.shared_inbox);
    model.outbox = Set(data.outbox);
    model.followers_url = Set(data.followers_url);
    model.following_url = Set(data.following_url);
    model.featured_url = Set(data.featured_url);
    model.url = Set(data.url);
    model.icon_url = Set(data.icon_url);
    model.public_key_id = Set(data.public_key_id);
    model.public_key_pem = Set(data.public_key_pem);
    model.ed25519_public = Set(data.ed25519_public);
    model.manually_approves_followers = Set(data.manually_approves_followers);
    model.discoverable = Set(data.discoverable);
    model.indexable = Set(data.indexable);
    model.updated_at = Set(now());
    model.last_fetched_at = Set(Some(now()));
    Ok(model.update(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<actor::Model>> {
    Ok(actor::Entity::find_by_id(id).one(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<actor::Model> {
    by_id(db, id)
        .await?
        .ok_or_else(|| Error::not_found("actor"))
}

pub async fn by_ap_id(db: &impl ConnectionTrait, ap_id: &str) -> Result<Option<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

/// A local organization or alliance by name (the instance actor is not one).
pub async fn local_by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Username.eq(name))
        .filter(actor::Column::Kind.ne(INSTANCE_KIND))
        .one(db)
        .await?)
}

pub async fn local_by_name_required(db: &impl ConnectionTrait, name: &str) -> Result<actor::Model> {
    local_by_name(db, name)
        .await?
        .ok_or_else(|| Error::not_found(format!("local actor {name:?}")))
}

pub const INSTANCE_KIND: &str = "Application";

pub async fn instance_actor(db: &impl ConnectionTrait) -> Result<Option<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq(INSTANCE_KIND))
        .one(db)
        .await?)
}

pub async fn list_local(db: &impl ConnectionTrait) -> Result<Vec<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.ne(INSTANCE_KIND))
        .order_by_asc(actor::Column::Username)
        .all(db)
        .await?)
}

pub async fn count_local(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.ne(INSTANCE_KIND))
        .count(db)
        .await?)
}

pub async fn set_manual_approval(
    db: &impl ConnectionTrait,
    actor: actor::Model,
    manual: bool,
) -> Result<actor::Model> {
    let mut model: actor::ActiveModel = actor.into();
    model.manually_approves_followers = Set(manual);
    model.updated_at = Set(now());
    Ok(model.update(db).await?)
}

/// Alliance policies: join (auto/manual), member list (public/members/private), moderation
/// (auto/held). `None` leaves a policy as it is.
pub async fn set_alliance_policies(
    db: &impl ConnectionTrait,
    actor: actor::Model,
    join_policy: Option<&str>,
    member_list_visibility: Option<&str>,
    moderation: Option<&str>,
) -> Result<actor::Model> {
    let mut model: actor::ActiveModel = actor.into();
    if let Some(v) = join_policy {
        model.join_policy = Set(v.to_string());
    }
    if let Some(v) = member_list_visibility {
        model.member_list_visibility = Set(v.to_string());
    }
    if let Some(v) = moderation {
        model.moderation = Set(v.to_string());
    }
    model.updated_at = Set(now());
    Ok(model.update(db).await?)
}
