//! `ApubActor`: a stored actor as the federation library sees it.

use crate::{
    context::Data,
    protocol::{self, actor::parse_remote_actor},
};
use activitypub_federation::{
    protocol::verification::verify_domains_match,
    traits::{Actor, Object},
};
use chrono::{DateTime, Utc};
use puentes_core::{
    ActorKind, Error, MemberListVisibility, Result,
    urls::{Urls, authority},
};
use puentes_db::{actor, query, query::actor::ActorData};
use serde_json::{Value, json};
use std::ops::Deref;
use url::Url;

/// A stored actor with its id parsed once (the library borrows it as a `Url`).
#[derive(Debug, Clone)]
pub struct ApubActor {
    pub row: actor::Model,
    id: Url,
}

impl Deref for ApubActor {
    type Target = actor::Model;
    fn deref(&self) -> &actor::Model {
        &self.row
    }
}

impl TryFrom<actor::Model> for ApubActor {
    type Error = Error;
    fn try_from(row: actor::Model) -> Result<Self> {
        let id = Url::parse(&row.ap_id)
            .map_err(|e| Error::internal("stored actor id is not a URL").with_source(e))?;
        Ok(ApubActor { row, id })
    }
}

impl ApubActor {
    pub fn url(&self) -> &Url {
        &self.id
    }
    /// Where deliveries go: the shared inbox when there is one.
    pub fn delivery_inbox(&self) -> &str {
        self.row.shared_inbox.as_deref().unwrap_or(&self.row.inbox)
    }
}

/// The JSON document of a local actor.
pub fn local_actor_document(actor: &actor::Model, urls: &Urls) -> Value {
    if let Some(deleted) = actor.deleted_at {
        return actor_tombstone(actor, deleted);
    }
    if actor.kind() == ActorKind::Application {
        return json!({
            "id": actor.ap_id,
            "type": "Application",
            "preferredUsername": actor.username,
            "name": actor.display_name,
            "inbox": actor.inbox,
            "endpoints": { "sharedInbox": urls.shared_inbox() },
            "manuallyApprovesFollowers": true,
            "discoverable": false,
            "indexable": false,
            "url": urls.root(),
            "publicKey": { "id": actor.public_key_id, "owner": actor.ap_id, "publicKeyPem": actor.public_key_pem },
        });
    }
    let name = &actor.username;
    let mut doc = json!({
        "id": actor.ap_id,
        "type": actor.kind,
        "preferredUsername": name,
        "name": actor.display_name.clone().unwrap_or_else(|| name.clone()),
        "summary": actor.summary.clone().unwrap_or_default(),
        "url": urls.actor_page(name),
        "inbox": actor.inbox,
        "outbox": urls.actor_collection(name, "outbox"),
        "followers": urls.actor_collection(name, "followers"),
        "following": urls.actor_collection(name, "following"),
        "featured": urls.actor_collection(name, "featured"),
        "endpoints": { "sharedInbox": urls.shared_inbox() },
        "manuallyApprovesFollowers": actor.manually_approves_followers,
        "discoverable": actor.discoverable,
        "indexable": actor.indexable,
        "published": actor.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "publicKey": { "id": actor.public_key_id, "owner": actor.ap_id, "publicKeyPem": actor.public_key_pem },
        "attachment": [],
    });
    if let Some(multibase) = &actor.ed25519_public {
        doc["assertionMethod"] = json!([{
            "id": urls.actor_ed25519_key(name),
            "type": "Multikey",
            "controller": actor.ap_id,
            "publicKeyMultibase": multibase,
        }]);
    }
    if actor.is_alliance() {
        // Alliances: who decides for it, and who belongs to it (the list may be private).
        doc["attributedTo"] = json!(urls.actor_collection(name, "secretariat"));
        doc["members"] = json!(urls.actor_collection(name, "members"));
        if actor.member_list_visibility() == MemberListVisibility::Public {
            // Mastodon shows an actor's endorsements as its featured profiles.
            doc["endorsements"] = json!(urls.actor_collection(name, "members"));
        }
        doc["attachment"] = json!([{
            "type": "PropertyValue",
            "name": "Members",
            "value": format!("<a href=\"{}\">member organizations and alliances</a>", urls.actor_page(name)),
        }]);
    }
    if let Some(icon) = &actor.icon_url {
        doc["icon"] = json!({ "type": "Image", "url": icon });
    }
    if let Some(header) = &actor.header_url {
        doc["image"] = json!({ "type": "Image", "url": header });
    }
    // Calls to action it organizes or pledged to, soonest first (FEP-8a8e).
    doc["upcomingEvents"] = json!(urls.actor_collection(name, "upcoming"));
    doc
}

/// What a deleted actor's id serves (with 410 Gone), as Mastodon does.
pub fn actor_tombstone(actor: &actor::Model, deleted: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "id": actor.ap_id,
        "type": "Tombstone",
        "formerType": actor.kind,
        "deleted": deleted.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

fn to_actor_data(remote: protocol::actor::RemoteActor) -> ActorData {
    ActorData {
        domain: authority(&remote.id),
        ap_id: remote.id.to_string(),
        username: remote.preferred_username,
        kind: ActorKind::from_stored(&remote.kind, ActorKind::Person),
        display_name: remote.name,
        summary: remote.summary,
        inbox: remote.inbox.to_string(),
        shared_inbox: remote.shared_inbox.map(String::from),
        outbox: remote.outbox.map(String::from),
        followers_url: remote.followers.map(String::from),
        following_url: remote.following.map(String::from),
        featured_url: remote.featured.map(String::from),
        url: remote.url.map(String::from),
        icon_url: remote.icon.map(String::from),
        header_url: remote.image.map(String::from),
        public_key_id: remote.public_key_id,
        public_key_pem: remote.public_key_pem,
        private_key_pem: None,
        ed25519_public: remote.ed25519_multibase,
        ed25519_private: None,
        local: false,
        manually_approves_followers: remote.manually_approves_followers,
        discoverable: remote.discoverable,
        indexable: remote.indexable,
    }
}

/// Stores a remote actor document that has been checked to come from its own domain.
pub async fn store_remote_actor(data: &crate::FedContext, doc: &Value) -> Result<actor::Model> {
    let remote = parse_remote_actor(doc).map_err(Error::bad_request)?;
    if data.urls.is_local(&remote.id) {
        return Err(Error::forbidden(
            "a remote document cannot describe a local actor",
        ));
    }
    query::actor::upsert_remote(&data.db, to_actor_data(remote)).await
}

#[async_trait::async_trait]
impl Object for ApubActor {
    type DataType = crate::FedContext;
    type Kind = Value;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        if self.row.local {
            Some(Utc::now())
        } else {
            self.row.last_fetched_at
        }
    }

    async fn read_from_id(object_id: Url, data: &Data) -> Result<Option<Self>> {
        query::actor::by_ap_id(&data.db, object_id.as_str())
            .await?
            .map(ApubActor::try_from)
            .transpose()
    }

    async fn into_json(self, data: &Data) -> Result<Value> {
        Ok(local_actor_document(&self.row, &data.urls))
    }

    async fn verify(json: &Value, expected_domain: &Url, _data: &Data) -> Result<()> {
        let id = json
            .get("id")
            .and_then(protocol::helpers::id_of)
            .ok_or_else(|| Error::bad_request("actor has no id"))?;
        verify_domains_match(&id, expected_domain).map_err(|e| {
            Error::forbidden("actor id is not on the domain it was fetched from").with_source(e)
        })?;
        if authority(&id) != authority(expected_domain) {
            return Err(Error::forbidden(
                "actor id is not on the host it was fetched from",
            ));
        }
        Ok(())
    }

    async fn from_json(json: Value, data: &Data) -> Result<Self> {
        ApubActor::try_from(store_remote_actor(data, &json).await?)
    }
}

impl Actor for ApubActor {
    fn public_key_pem(&self) -> &str {
        &self.row.public_key_pem
    }
    fn private_key_pem(&self) -> Option<String> {
        self.row.private_key_pem.clone()
    }
    fn inbox(&self) -> Url {
        Url::parse(&self.row.inbox).unwrap_or_else(|_| self.id.clone())
    }
    fn shared_inbox(&self) -> Option<Url> {
        self.row
            .shared_inbox
            .as_deref()
            .and_then(|s| Url::parse(s).ok())
    }
}
