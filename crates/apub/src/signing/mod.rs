//! HTTP signatures behind one interface: `sign` makes them, `verify` checks them, for
//! draft-cavage (what Mastodon, GoToSocial, Misskey and bovine speak) and RFC 9421 (what
//! Fedify sends first and Mastodon 4.5 verifies). Keys are read in `keys`, the RFC 9421
//! signature base is built in `rfc9421`; nothing else in the project touches signature
//! crypto, so a faster implementation replaces it here alone.

mod keys;
mod rfc9421;
mod sign;
mod verify;

pub use keys::{Algorithm, KeyCache, PublicKeys, SigningKey};
pub use sign::{sign, sign_request};
pub use verify::{IncomingRequest, PendingSignature};

use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use http::HeaderValue;
use puentes_core::{Error, Result};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Mastodon accepts signatures up to 12 hours old; so do we.
const SIGNATURE_MAX_AGE: Duration = Duration::from_secs(12 * 3600);
/// And refuses dates further than an hour in the future.
const CLOCK_SKEW: Duration = Duration::from_secs(3600);

/// The two ways of signing an HTTP request the fediverse uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// draft-cavage-http-signatures-12: `Signature: keyId=…,headers=…,signature=…`.
    Cavage,
    /// RFC 9421 HTTP Message Signatures: `Signature-Input` and `Signature`.
    Rfc9421,
}

impl Scheme {
    /// How a host's preference is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Cavage => "cavage",
            Scheme::Rfc9421 => "rfc9421",
        }
    }

    pub fn parse(stored: &str) -> Option<Scheme> {
        match stored {
            "cavage" => Some(Scheme::Cavage),
            "rfc9421" => Some(Scheme::Rfc9421),
            _ => None,
        }
    }

    /// The scheme a double-knock tries second.
    pub fn other(self) -> Scheme {
        match self {
            Scheme::Cavage => Scheme::Rfc9421,
            Scheme::Rfc9421 => Scheme::Cavage,
        }
    }
}

/// Signs like `sign`, with RSA keys on the signing threads so a fan-out never stalls the
/// async threads that serve requests.
pub async fn sign_off_thread(
    key: std::sync::Arc<SigningKey>,
    scheme: Scheme,
    method: &'static str,
    url: &url::Url,
    body: Option<axum::body::Bytes>,
) -> Result<Vec<(&'static str, String)>> {
    if !key.is_slow() {
        return sign(&key, scheme, method, url, body.as_deref());
    }
    let (done, signed) = tokio::sync::oneshot::channel();
    let url = url.clone();
    let job: SigningJob = Box::new(move || {
        let _ = done.send(sign(&key, scheme, method, &url, body.as_deref()));
    });
    signing_queue()
        .send(job)
        .map_err(|_| Error::internal("signing stopped"))?;
    signed
        .await
        .map_err(|_| Error::internal("signing thread failed"))?
}

type SigningJob = Box<dyn FnOnce() + Send>;

/// One signing thread per core, fed by one queue. During a fan-out the queue stays full and
/// those threads never sleep between signatures; a blocking task per signature (as before)
/// woke a pool thread for each, and on two cores those wake-ups cost as much as the RSA.
fn signing_queue() -> &'static flume::Sender<SigningJob> {
    static QUEUE: std::sync::OnceLock<flume::Sender<SigningJob>> = std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (queue, jobs) = flume::unbounded::<SigningJob>();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for n in 0..threads {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("puentes-sign-{n}"))
                .spawn(move || {
                    for job in jobs.iter() {
                        // A panic fails that signature (its sender sees the reply dropped),
                        // not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a signing thread");
            }
        }
        queue
    })
}

/// `Digest` (draft-cavage era, RFC 3230): `SHA-256=<base64>`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", Base64.encode(Sha256::digest(body)))
}

/// `Content-Digest` (RFC 9530): `sha-256=:<base64>:`.
pub fn content_digest_header(body: &[u8]) -> String {
    format!("sha-256=:{}:", Base64.encode(Sha256::digest(body)))
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

/// Checks a `Content-Digest` (RFC 9530 dictionary) against the body; SHA-256 only, as
/// Mastodon does.
pub fn verify_content_digest(header: Option<&HeaderValue>, body: &[u8]) -> Result<()> {
    let header = header
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| Error::unauthorized("missing Content-Digest header"))?;
    let dictionary: sfv::Dictionary = sfv::Parser::new(header)
        .parse()
        .map_err(|_| Error::unauthorized("Content-Digest is not a structured dictionary"))?;
    let Some(sfv::ListEntry::Item(item)) = dictionary.get("sha-256") else {
        return Err(Error::unauthorized("Content-Digest has no sha-256 value"));
    };
    match &item.bare_item {
        sfv::BareItem::ByteSequence(bytes)
            if bytes.as_slice() == Sha256::digest(body).as_slice() =>
        {
            Ok(())
        }
        sfv::BareItem::ByteSequence(_) => Err(Error::unauthorized(
            "Content-Digest does not match the body",
        )),
        _ => Err(Error::unauthorized(
            "Content-Digest value is not a byte sequence",
        )),
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
    fn content_digest_matches_rfc_9530() {
        // RFC 9530, section 2: the body `{"hello": "world"}` followed by a newline.
        let body = b"{\"hello\": \"world\"}\n";
        assert_eq!(
            content_digest_header(body),
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
        );
        let header = HeaderValue::from_str(&content_digest_header(body)).unwrap();
        assert!(verify_content_digest(Some(&header), body).is_ok());
        assert!(verify_content_digest(Some(&header), b"other").is_err());
        let unknown = HeaderValue::from_static("sha-512=:AAAA:");
        assert!(verify_content_digest(Some(&unknown), body).is_err());
    }
}
