//! Keys of local actors (RSA for HTTP signatures, Ed25519 Multikey for object integrity
//! proofs) and the instance actor, which signs our fetches.

use crate::context::FedContext;
use activitypub_federation::http_signatures::generate_actor_keypair;
use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use puentes_app::ports::ActorKeys;
use puentes_core::{ActorKind, Error, Result};
use puentes_db::{actor, query, query::actor::ActorData};

/// Multibase (base58btc) of an Ed25519 public key with its multicodec prefix, per FEP-521a.
pub fn ed25519_multibase(public: &[u8; 32]) -> String {
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(public);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// RSA key generation is slow; keep it off the async threads.
pub async fn generate_keys() -> Result<ActorKeys> {
    tokio::task::spawn_blocking(|| {
        let rsa = generate_actor_keypair()
            .map_err(|e| Error::internal("cannot generate an RSA key").with_source(e))?;
        let ed = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        Ok(ActorKeys {
            rsa_public_pem: rsa.public_key,
            rsa_private_pem: rsa.private_key,
            ed25519_public: ed25519_multibase(ed.verifying_key().as_bytes()),
            ed25519_private: Base64.encode(ed.to_bytes()),
        })
    })
    .await
    .map_err(|e| Error::internal("key generation failed").with_source(e))?
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
            kind: ActorKind::Application,
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
            header_url: None,
            public_key_id: format!("{id}#main-key"),
            public_key_pem: keys.rsa_public_pem,
            private_key_pem: Some(keys.rsa_private_pem),
            ed25519_public: Some(keys.ed25519_public),
            ed25519_private: Some(keys.ed25519_private),
            local: true,
            manually_approves_followers: true,
            discoverable: false,
            indexable: false,
            also_known_as: Vec::new(),
            moved_to: None,
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
    }
}
