//! Signing keys (ours) and public keys (anyone's), read from what actors store and publish.

use aws_lc_rs::{rand::SystemRandom, signature as rsa_signature};
use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use puentes_core::{Error, Result};
use puentes_db::actor;
use rsa::pkcs8::{
    der::{Decode, Document, SecretDocument},
    spki::SubjectPublicKeyInfoRef,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

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
    Rsa(Box<rsa_signature::RsaKeyPair>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A private key with the `keyId` under which its public half is published.
pub struct SigningKey {
    key_id: String,
    secret: Secret,
}

impl SigningKey {
    /// An RSA key from its PKCS#8 PEM (as actors store it). Parsing checks the key, which
    /// costs far more than a signature: hold on to the result (see `KeyCache`).
    pub fn rsa(key_id: &str, private_key_pem: &str) -> Result<SigningKey> {
        let invalid = |e: String| Error::internal(format!("invalid private key: {e}"));
        let (label, der) =
            SecretDocument::from_pem(private_key_pem.trim()).map_err(|e| invalid(e.to_string()))?;
        let key = match label {
            "RSA PRIVATE KEY" => rsa_signature::RsaKeyPair::from_der(der.as_bytes()),
            _ => rsa_signature::RsaKeyPair::from_pkcs8(der.as_bytes()),
        }
        .map_err(|e| invalid(e.to_string()))?;
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

    /// Does a signature cost enough CPU to belong off the async threads? (RSA: 200 µs to a
    /// millisecond, by CPU; Ed25519: tens of microseconds.)
    pub fn is_slow(&self) -> bool {
        matches!(self.secret, Secret::Rsa(_))
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
            Secret::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(
                    &rsa_signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|_| Error::internal("RSA signing failed"))?;
                Ok(signature)
            }
            Secret::Ed25519(key) => {
                use ed25519_dalek::Signer;
                Ok(key.sign(message).to_bytes().to_vec())
            }
        }
    }
}

/// Parsed signing keys of local actors, by `keyId`. An entry is used only while the PEM it
/// was parsed from is still the actor's, so a rotated key is never used stale.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, (String, Arc<SigningKey>)>>,
}

/// Local actors are few; the bound only guards against surprises.
const KEY_CACHE_LIMIT: usize = 10_000;

impl KeyCache {
    pub fn of_actor(&self, actor: &actor::Model) -> Result<Arc<SigningKey>> {
        let pem = actor
            .private_key_pem
            .as_deref()
            .ok_or_else(|| Error::internal("the signing actor has no private key"))?;
        if let Ok(keys) = self.keys.lock()
            && let Some((cached_pem, key)) = keys.get(&actor.public_key_id)
            && cached_pem == pem
        {
            return Ok(key.clone());
        }
        let key = Arc::new(SigningKey::rsa(&actor.public_key_id, pem)?);
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= KEY_CACHE_LIMIT {
                keys.clear();
            }
            keys.insert(actor.public_key_id.clone(), (pem.to_string(), key.clone()));
        }
        Ok(key)
    }
}

/// The RSA public key in a PEM: SPKI (`PUBLIC KEY`, what actors publish) or PKCS#1
/// (`RSA PUBLIC KEY`, a few old servers); returns the PKCS#1 DER AWS-LC verifies with.
fn rsa_public_der(pem: &str) -> Option<Vec<u8>> {
    let (label, doc) = Document::from_pem(pem.trim()).ok()?;
    match label {
        "PUBLIC KEY" => {
            let info = SubjectPublicKeyInfoRef::from_der(doc.as_bytes()).ok()?;
            info.subject_public_key.as_bytes().map(<[u8]>::to_vec)
        }
        "RSA PUBLIC KEY" => Some(doc.as_bytes().to_vec()),
        _ => None,
    }
}

/// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature. Keys from 1024 to 8192 bits are
/// accepted, as the `rsa` crate and Mastodon's OpenSSL accept them.
fn verify_rsa(pem: &str, message: &[u8], signature: &[u8]) -> bool {
    let Some(der) = rsa_public_der(pem) else {
        return false;
    };
    rsa_signature::UnparsedPublicKey::new(
        &rsa_signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        der,
    )
    .verify(message, signature)
    .is_ok()
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
            Algorithm::RsaSha256 => verify_rsa(self.rsa_pem, message, signature),
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
