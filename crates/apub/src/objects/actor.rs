//! Actors as documents: ours as we serve them, and remote ones as we store them.

use crate::protocol::{self, actor::parse_remote_actor};
use puentes_core::{
    ActorKind, Error, MemberListVisibility, Result,
    urls::{Urls, authority},
};
use puentes_db::{actor, query, query::actor::ActorData};
use serde_json::{Value, json};

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
    // Where it came from and where it went (Mastodon's account migration).
    let aliases = actor.also_known_as();
    if !aliases.is_empty() {
        doc["alsoKnownAs"] = json!(aliases);
    }
    if let Some(target) = &actor.moved_to {
        doc["movedTo"] = json!(target);
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
        also_known_as: remote.also_known_as.into_iter().map(String::from).collect(),
        moved_to: remote.moved_to.map(String::from),
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
