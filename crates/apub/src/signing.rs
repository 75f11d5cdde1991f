//! HTTP signatures (draft-cavage, RSA-SHA256) behind one small interface, so a faster
//! implementation or RFC 9421 can replace it in one place.

use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use http::{HeaderMap, HeaderValue};
use puentes_core::{Error, Result};
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePrivateKey, DecodePublicKey},
};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, time::Duration};
use url::Url;

/// Mastodon accepts signatures up to 12 hours old; so do we.
const SIGNATURE_MAX_AGE: Duration = Duration::from_secs(12 * 3600);
/// And refuses dates further than an hour in the future.
const CLOCK_SKEW: Duration = Duration::from_secs(3600);

pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", Base64.encode(Sha256::digest(body)))
}

/// Checks a `Digest` header against the body; the algorithm name is matched case-blind
/// (bovine sends `sha-256=`).
pub fn verify_digest(header: Option<&HeaderValue>, body: &[u8]) -> Result<()> {
    let header = header
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| Error::unauthorized("missing Digest header"))?;
    let expected = Base64.encode(Sha256::digest(body));
    for part in header.split(',') {
        if let Some((algorithm, value)) = part.trim().split_once('=')
            && algorithm.eq_ignore_ascii_case("sha-256")
        {
            return if value.trim() == expected {
                Ok(())
            } else {
                Err(Error::unauthorized("Digest does not match the body"))
            };
        }
    }
    Err(Error::unauthorized("Digest header has no SHA-256 value"))
}

/// Headers to add to a request: `Date`, `Digest` (for bodies) and `Signature`.
pub fn sign_request(
    method: &str,
    url: &Url,
    body: Option<&[u8]>,
    key_id: &str,
    private_key_pem: &str,
) -> Result<Vec<(&'static str, String)>> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)
        .map_err(|e| Error::internal("invalid private key").with_source(e))?;
    let host = puentes_core::urls::authority(url);
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let mut headers = BTreeMap::new();
    headers.insert("host".to_string(), host);
    headers.insert("date".to_string(), date.clone());
    let digest = body.map(digest_header);
    if let Some(digest) = &digest {
        headers.insert("digest".to_string(), digest.clone());
    }
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let signature = http_signature_normalization::Config::new()
        .mastodon_compat()
        .begin_sign(method, &path_and_query, headers)
        .map_err(|e| Error::internal("cannot build signing string").with_source(e))?
        .sign(key_id.to_string(), |signing_string| {
            key.sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
            )
            .map(|s| Base64.encode(s))
        })
        .map_err(|e| Error::internal("signing failed").with_source(e))?
        .signature_header();
    let mut out = vec![("Date", date), ("Signature", signature)];
    if let Some(digest) = digest {
        out.push(("Digest", digest));
    }
    Ok(out)
}

/// A parsed, not yet verified signature: who claims to have signed.
pub struct PendingSignature {
    unverified: http_signature_normalization::verify::Unverified,
}

impl PendingSignature {
    /// Parses the `Signature` header and checks its age; the key is fetched by the caller.
    pub fn parse(
        method: &str,
        path_and_query: &str,
        headers: &HeaderMap,
        require_digest: bool,
    ) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (name, value) in headers {
            if let Ok(value) = value.to_str() {
                map.insert(name.as_str().to_string(), value.to_string());
            }
        }
        if !map.contains_key("signature") && !map.contains_key("authorization") {
            return Err(Error::unauthorized(
                "request is not signed (draft-cavage Signature header expected)",
            ));
        }
        if let Some(date) = map.get("date") {
            let parsed = httpdate::parse_http_date(date)
                .map_err(|_| Error::unauthorized("invalid Date header"))?;
            if parsed > std::time::SystemTime::now() + CLOCK_SKEW {
                return Err(Error::unauthorized("Date header is in the future"));
            }
        }
        let mut config =
            http_signature_normalization::Config::new().set_expiration(SIGNATURE_MAX_AGE);
        if require_digest {
            config = config.require_digest();
        }
        let unverified = config
            .begin_verify(method, path_and_query, map)
            .map_err(|e| Error::unauthorized(format!("invalid signature: {e}")))?;
        Ok(PendingSignature { unverified })
    }

    pub fn key_id(&self) -> &str {
        self.unverified.key_id()
    }

    pub fn verify(&self, public_key_pem: &str) -> Result<()> {
        let key = RsaPublicKey::from_public_key_pem(public_key_pem)
            .map_err(|e| Error::unauthorized("signer's public key is unreadable").with_source(e))?;
        let ok = self.unverified.verify(|signature, signing_string| {
            let Ok(bytes) = Base64.decode(signature) else {
                return false;
            };
            key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
                &bytes,
            )
            .is_ok()
        });
        if ok {
            Ok(())
        } else {
            Err(Error::unauthorized("signature does not verify"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_accepts_either_case_and_refuses_other_bodies() {
        let header = HeaderValue::from_str(&digest_header(b"hola")).unwrap();
        assert!(verify_digest(Some(&header), b"hola").is_ok());
        let lower =
            HeaderValue::from_str(&digest_header(b"hola").replace("SHA-256", "sha-256")).unwrap();
        assert!(verify_digest(Some(&lower), b"hola").is_ok());
        assert!(verify_digest(Some(&header), b"adios").is_err());
        assert!(verify_digest(None, b"hola").is_err());
    }

    #[test]
    fn signatures_round_trip_and_detect_tampering() {
        let keys = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
        let url = Url::parse("http://localhost:1/inbox").unwrap();
        let signed = sign_request(
            "POST",
            &url,
            Some(b"{}"),
            "http://localhost:2/actors/a#main-key",
            &keys.private_key,
        )
        .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("localhost:1"));
        for (name, value) in &signed {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let pending = PendingSignature::parse("POST", "/inbox", &headers, true).unwrap();
        assert_eq!(pending.key_id(), "http://localhost:2/actors/a#main-key");
        assert!(pending.verify(&keys.public_key).is_ok());
        let other = PendingSignature::parse("POST", "/other", &headers, true).unwrap();
        assert!(other.verify(&keys.public_key).is_err());
    }
}
