//! Creating local actors with their keys: RSA for HTTP signatures, Ed25519 (Multikey) for
//! object integrity proofs.

use crate::context::FedContext;
use activitypub_federation::http_signatures::generate_actor_keypair;
use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use puentes_core::{Error, Result, handle::validate_username};
use puentes_db::{actor, query, query::actor::ActorData};

pub const ORGANIZATION: &str = "Organization";
pub const GROUP: &str = "Group";

/// `organization` or `alliance`, as typed on the command line.
pub fn actor_type_for(kind: &str) -> Result<&'static str> {
    match kind.to_ascii_lowercase().as_str() {
        "organization" | "organisation" | "org" => Ok(ORGANIZATION),
        "alliance" | "group" => Ok(GROUP),
        other => Err(Error::bad_request(format!(
            "unknown kind {other:?}: use organization or alliance"
        ))),
    }
}

/// Multibase (base58btc) of an Ed25519 public key with its multicodec prefix, per FEP-521a.
pub fn ed25519_multibase(public: &[u8; 32]) -> String {
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(public);
    format!("z{}", bs58::encode(bytes).into_string())
}

struct Keys {
    rsa_public: String,
    rsa_private: String,
    ed_public: String,
    ed_private: String,
}

/// RSA key generation is slow; keep it off the async threads.
async fn generate_keys() -> Result<Keys> {
    tokio::task::spawn_blocking(|| {
        let rsa = generate_actor_keypair()
            .map_err(|e| Error::internal("cannot generate an RSA key").with_source(e))?;
        let ed = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        Ok(Keys {
            rsa_public: rsa.public_key,
            rsa_private: rsa.private_key,
            ed_public: ed25519_multibase(ed.verifying_key().as_bytes()),
            ed_private: Base64.encode(ed.to_bytes()),
        })
    })
    .await
    .map_err(|e| Error::internal("key generation failed").with_source(e))?
}

pub struct NewActor<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub display_name: Option<String>,
    pub summary: Option<String>,
    pub manually_approves_followers: bool,
}

pub async fn create_local_actor(ctx: &FedContext, new: NewActor<'_>) -> Result<actor::Model> {
    validate_username(new.name)?;
    let kind = actor_type_for(new.kind)?;
    if query::actor::local_by_name(&ctx.db, new.name)
        .await?
        .is_some()
    {
        return Err(Error::conflict(format!(
            "an actor named {:?} already exists",
            new.name
        )));
    }
    let keys = generate_keys().await?;
    let urls = &ctx.urls;
    let summary = new
        .summary
        .map(|s| puentes_core::sanitize::text_to_html(&s));
    query::actor::insert(
        &ctx.db,
        ActorData {
            ap_id: urls.actor(new.name).to_string(),
            username: new.name.to_string(),
            domain: ctx.config.domain.clone(),
            kind: kind.to_string(),
            display_name: new.display_name,
            summary,
            inbox: urls.actor_collection(new.name, "inbox").to_string(),
            shared_inbox: Some(urls.shared_inbox().to_string()),
            outbox: Some(urls.actor_collection(new.name, "outbox").to_string()),
            followers_url: Some(urls.actor_collection(new.name, "followers").to_string()),
            following_url: Some(urls.actor_collection(new.name, "following").to_string()),
            featured_url: Some(urls.actor_collection(new.name, "featured").to_string()),
            url: Some(urls.actor_page(new.name).to_string()),
            icon_url: None,
            public_key_id: urls.actor_key(new.name).to_string(),
            public_key_pem: keys.rsa_public,
            private_key_pem: Some(keys.rsa_private),
            ed25519_public: Some(keys.ed_public),
            ed25519_private: Some(keys.ed_private),
            local: true,
            manually_approves_followers: new.manually_approves_followers,
            discoverable: true,
            indexable: true,
        },
    )
    .await
}

/// The instance actor's name: the host without its port, as Mastodon and GoToSocial name
/// theirs (GoToSocial reads a name with a colon as a link).
pub fn instance_actor_name(ctx: &FedContext) -> String {
    ctx.config.host().to_string()
}

/// The instance actor signs our fetches; it is created on first start.
pub async fn ensure_instance_actor(ctx: &FedContext) -> Result<actor::Model> {
    if let Some(existing) = query::actor::instance_actor(&ctx.db).await? {
        return Ok(existing);
    }
    let keys = generate_keys().await?;
    let urls = &ctx.urls;
    let id = urls.instance_actor();
    let inserted = query::actor::insert(
        &ctx.db,
        ActorData {
            ap_id: id.to_string(),
            username: instance_actor_name(ctx),
            domain: ctx.config.domain.clone(),
            kind: query::actor::INSTANCE_KIND.to_string(),
            display_name: Some(ctx.config.instance_name.clone()),
            summary: None,
            inbox: urls.shared_inbox().to_string(),
            shared_inbox: Some(urls.shared_inbox().to_string()),
            outbox: None,
            followers_url: None,
            following_url: None,
            featured_url: None,
            url: Some(urls.root().to_string()),
            icon_url: None,
            public_key_id: format!("{id}#main-key"),
            public_key_pem: keys.rsa_public,
            private_key_pem: Some(keys.rsa_private),
            ed25519_public: Some(keys.ed_public),
            ed25519_private: Some(keys.ed_private),
            local: true,
            manually_approves_followers: true,
            discoverable: false,
            indexable: false,
        },
    )
    .await;
    match inserted {
        Ok(row) => Ok(row),
        // A CLI command and the server may start at the same moment.
        Err(_) => query::actor::instance_actor(&ctx.db)
            .await?
            .ok_or_else(|| Error::internal("cannot create the instance actor")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multikey_encoding_has_the_ed25519_prefix() {
        let encoded = ed25519_multibase(&[7u8; 32]);
        assert!(encoded.starts_with("z6Mk"), "{encoded}");
        assert!(actor_type_for("alliance").is_ok());
        assert!(actor_type_for("person").is_err());
    }
}
