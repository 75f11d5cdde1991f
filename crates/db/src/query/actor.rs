use crate::{actor, now};
use puentes_core::{
    ActorKind, Error, JoinPolicy, MemberListVisibility, Moderation, Result, handle::Handle,
};
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
    pub kind: ActorKind,
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
    pub header_url: Option<String>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub ed25519_public: Option<String>,
    pub ed25519_private: Option<String>,
    pub local: bool,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    /// Earlier ids of the same actor (`alsoKnownAs`).
    pub also_known_as: Vec<String>,
    /// Where it moved (`movedTo`).
    pub moved_to: Option<String>,
}

pub async fn insert(db: &impl ConnectionTrait, data: ActorData) -> Result<actor::Model> {
    let at = now();
    let model = actor::ActiveModel {
        ap_id: Set(data.ap_id),
        username: Set(data.username),
        domain: Set(data.domain),
        kind: Set(data.kind.as_str().to_string()),
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
        header_url: Set(data.header_url),
        deleted_at: Set(None),
        public_key_id: Set(data.public_key_id),
        public_key_pem: Set(data.public_key_pem),
        private_key_pem: Set(data.private_key_pem),
        ed25519_public: Set(data.ed25519_public),
        ed25519_private: Set(data.ed25519_private),
        local: Set(data.local),
        manually_approves_followers: Set(data.manually_approves_followers),
        discoverable: Set(data.discoverable),
        indexable: Set(data.indexable),
        also_known_as: Set(aliases_json(&data.also_known_as)?),
        moved_to: Set(data.moved_to),
        created_at: Set(at),
        updated_at: Set(at),
        last_fetched_at: Set(if data.local { None } else { Some(at) }),
        join_policy: Set(JoinPolicy::Manual.as_str().into()),
        member_list_visibility: Set(MemberListVisibility::Public.as_str().into()),
        moderation: Set(Moderation::Auto.as_str().into()),
        ..Default::default()
    };
    let saved = model.insert(db).await?;
    if saved.local {
        crate::changes::actor_changed();
    }
    Ok(saved)
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
    model.kind = Set(data.kind.as_str().to_string());
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
    model.header_url = Set(data.header_url);
    model.public_key_id = Set(data.public_key_id);
    model.public_key_pem = Set(data.public_key_pem);
    model.ed25519_public = Set(data.ed25519_public);
    model.manually_approves_followers = Set(data.manually_approves_followers);
    model.discoverable = Set(data.discoverable);
    model.indexable = Set(data.indexable);
    model.also_known_as = Set(aliases_json(&data.also_known_as)?);
    model.moved_to = Set(data.moved_to);
    model.updated_at = Set(now());
    model.last_fetched_at = Set(Some(now()));
    // A remote actor: nothing cached about local actors changes.
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

/// A local organization or alliance by name (the instance actor is not one), deleted ones
/// included: their name stays taken and their id answers 410.
pub async fn local_by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Username.eq(name))
        .filter(actor::Column::Kind.ne(INSTANCE_KIND))
        .one(db)
        .await?)
}

/// A local actor that is not deleted, by name.
pub async fn local_by_name_required(db: &impl ConnectionTrait, name: &str) -> Result<actor::Model> {
    match local_by_name(db, name).await? {
        Some(actor) if actor.deleted_at.is_none() => Ok(actor),
        Some(_) => Err(Error::gone(format!("{name:?} was deleted"))),
        None => Err(Error::new(
            puentes_core::ErrorKind::NotFound,
            format!("no organization or alliance named {name:?} here (see `puentes actor list`)"),
        )),
    }
}

const INSTANCE_KIND: &str = ActorKind::Application.as_str();

pub async fn instance_actor(db: &impl ConnectionTrait) -> Result<Option<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq(INSTANCE_KIND))
        .one(db)
        .await?)
}

/// Local organizations and alliances that are not deleted, by name.
pub async fn list_local(db: &impl ConnectionTrait) -> Result<Vec<actor::Model>> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.ne(INSTANCE_KIND))
        .filter(actor::Column::DeletedAt.is_null())
        .order_by_asc(actor::Column::Username)
        .all(db)
        .await?)
}

pub async fn count_local(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.ne(INSTANCE_KIND))
        .filter(actor::Column::DeletedAt.is_null())
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
    let saved = model.update(db).await?;
    crate::changes::actor_changed();
    Ok(saved)
}

/// An alliance's policies; `None` leaves a policy as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlliancePolicies {
    pub join: Option<JoinPolicy>,
    pub members: Option<MemberListVisibility>,
    pub moderation: Option<Moderation>,
}

pub async fn set_alliance_policies(
    db: &impl ConnectionTrait,
    actor: actor::Model,
    policies: AlliancePolicies,
) -> Result<actor::Model> {
    let mut model: actor::ActiveModel = actor.into();
    if let Some(v) = policies.join {
        model.join_policy = Set(v.as_str().to_string());
    }
    if let Some(v) = policies.members {
        model.member_list_visibility = Set(v.as_str().to_string());
    }
    if let Some(v) = policies.moderation {
        model.moderation = Set(v.as_str().to_string());
    }
    model.updated_at = Set(now());
    let saved = model.update(db).await?;
    crate::changes::actor_changed();
    Ok(saved)
}

/// A profile change; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub display_name: Option<Option<String>>,
    /// HTML, already sanitized.
    pub summary: Option<Option<String>>,
    pub icon_url: Option<Option<String>>,
    pub header_url: Option<Option<String>>,
}

pub async fn set_profile(
    db: &impl ConnectionTrait,
    actor: actor::Model,
    change: ProfileChange,
) -> Result<actor::Model> {
    let mut model: actor::ActiveModel = actor.into();
    if let Some(v) = change.display_name {
        model.display_name = Set(v);
    }
    if let Some(v) = change.summary {
        model.summary = Set(v);
    }
    if let Some(v) = change.icon_url {
        model.icon_url = Set(v);
    }
    if let Some(v) = change.header_url {
        model.header_url = Set(v);
    }
    model.updated_at = Set(now());
    let saved = model.update(db).await?;
    crate::changes::actor_changed();
    Ok(saved)
}

/// Marks an actor deleted. A local actor's keys stay (its Delete must still be signed); its
/// profile is emptied.
pub async fn mark_deleted(db: &impl ConnectionTrait, actor: actor::Model) -> Result<actor::Model> {
    let mut model: actor::ActiveModel = actor.into();
    model.display_name = Set(None);
    model.summary = Set(None);
    model.icon_url = Set(None);
    model.header_url = Set(None);
    model.deleted_at = Set(Some(now()));
    model.updated_at = Set(now());
    let saved = model.update(db).await?;
    crate::changes::actor_changed();
    Ok(saved)
}

fn aliases_json(aliases: &[String]) -> Result<Option<String>> {
    Ok(if aliases.is_empty() {
        None
    } else {
        Some(serde_json::to_string(aliases)?)
    })
}

impl actor::Model {
    /// The ids it was known by before a move.
    pub fn also_known_as(&self) -> Vec<String> {
        self.also_known_as
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }
    pub fn kind(&self) -> ActorKind {
        ActorKind::from_stored(&self.kind, ActorKind::Person)
    }
    pub fn is_alliance(&self) -> bool {
        self.kind() == ActorKind::Alliance
    }
    pub fn join_policy(&self) -> JoinPolicy {
        JoinPolicy::from_stored(&self.join_policy, JoinPolicy::Manual)
    }
    pub fn member_list_visibility(&self) -> MemberListVisibility {
        MemberListVisibility::from_stored(
            &self.member_list_visibility,
            MemberListVisibility::Private,
        )
    }
    pub fn moderation(&self) -> Moderation {
        Moderation::from_stored(&self.moderation, Moderation::Held)
    }
    /// `name@domain`
    pub fn handle(&self) -> Handle {
        Handle {
            name: self.username.clone(),
            domain: self.domain.clone(),
        }
    }
    /// The shared inbox when there is one, else its own.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
    /// The name people see: the display name, else the username.
    pub fn display(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }
}
