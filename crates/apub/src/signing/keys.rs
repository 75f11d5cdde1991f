//! Signing keys (ours) and public keys (anyone's), read from what actors store and publish.

use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use puentes_core::{Error, Result};
use puentes_db::actor;
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePrivateKey, DecodePublicKey},
};
use sha2::{Digest, Sha256};

/// Signature algorithms, named as RFC 9421 names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`rsa-sha256` in draft-cavage).
    RsaSha256,
    Ed25519,
}

impl Algorithm {
    pub fn rfc9421_name(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "rsa-v1_5-sha256",
            Algorithm::Ed25519 => "ed25519",
        }
    }

    pub(crate) fn from_rfc9421(name: &str) -> Option<Algorithm> {
        match name {
            "rsa-v1_5-sha256" => Some(Algorithm::RsaSha256),
            "ed25519" => Some(Algorithm::Ed25519),
            _ => None,
        }
    }
}

enum Secret {
    Rsa(Box<RsaPrivateKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A private key with the `keyId` under which its public half is published.
pub struct SigningKey {
    key_id: String,
    secret: Secret,
}

impl SigningKey {
    pub fn rsa(key_id: &str, private_key_pem: &str) -> Result<SigningKey> {
        let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)
            .map_err(|e| Error::internal("invalid private key").with_source(e))?;
        Ok(SigningKey {
            key_id: key_id.to_string(),
            secret: Secret::Rsa(Box::new(key)),
        })
    }

    /// An Ed25519 key from its 32-byte seed, base64 (as actors store it).
    pub fn ed25519(key_id: &str, seed_base64: &str) -> Result<SigningKey> {
        let bytes = Base64
            .decode(seed_base64)
            .map_err(|e| Error::internal("stored Ed25519 key is not base64").with_source(e))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::internal("stored Ed25519 key has the wrong length"))?;
        Ok(SigningKey {
            key_id: key_id.to_string(),
            secret: Secret::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed))),
        })
    }

    /// The RSA key a local actor signs HTTP requests with: every verifier reads it.
    pub fn of_actor(actor: &actor::Model) -> Result<SigningKey> {
        let pem = actor
            .private_key_pem
            .as_deref()
            .ok_or_else(|| Error::internal("the signing actor has no private key"))?;
        SigningKey::rsa(&actor.public_key_id, pem)
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn algorithm(&self) -> Algorithm {
        match self.secret {
            Secret::Rsa(_) => Algorithm::RsaSha256,
            Secret::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.secret {
            Secret::Rsa(key) => key
                .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
                .map_err(|e| Error::internal("RSA signing failed").with_source(e)),
            Secret::Ed25519(key) => {
                use ed25519_dalek::Signer;
                Ok(key.sign(message).to_bytes().to_vec())
            }
        }
    }
}

/// The keys an actor publishes: its RSA `publicKey` (HTTP signatures) and its Ed25519
/// Multikey from `assertionMethod` (FEP-521a; RFC 9421 `ed25519` and object proofs).
#[derive(Debug, Clone, Copy)]
pub struct PublicKeys<'a> {
    pub rsa_key_id: &'a str,
    pub rsa_pem: &'a str,
    pub ed25519_multibase: Option<&'a str>,
}

impl<'a> PublicKeys<'a> {
    pub fn of_actor(actor: &'a actor::Model) -> PublicKeys<'a> {
        PublicKeys {
            rsa_key_id: &actor.public_key_id,
            rsa_pem: &actor.public_key_pem,
            ed25519_multibase: actor.ed25519_public.as_deref(),
        }
    }

    /// Checks `signature` over `message` with the key of `algorithm`.
    pub(crate) fn verify(self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        match algorithm {
            Algorithm::RsaSha256 => RsaPublicKey::from_public_key_pem(self.rsa_pem)
                .map(|key| {
                    key.verify(
                        Pkcs1v15Sign::new::<Sha256>(),
                        &Sha256::digest(message),
                        signature,
                    )
                    .is_ok()
                })
                .unwrap_or(false),
            Algorithm::Ed25519 => {
                let Some(key) = self
                    .ed25519_multibase
                    .and_then(|m| crate::integrity::decode_multikey(m).ok())
                else {
                    return false;
                };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                use ed25519_dalek::Verifier;
                key.verify(message, &signature).is_ok()
            }
        }
    }
}
