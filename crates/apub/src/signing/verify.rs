//! Verifying incoming signatures, draft-cavage or RFC 9421. Parsing checks everything that
//! needs no key (covered parts, age, body digest), so a request that cannot verify never
//! costs a key fetch; `verify` then checks the signature with the signer's keys.

use super::{
    CLOCK_SKEW, SIGNATURE_MAX_AGE, Scheme,
    keys::{Algorithm, PublicKeys},
    rfc9421::{Message, serialize_inner_list, signature_base},
    verify_content_digest, verify_digest,
};
use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use http::HeaderMap;
use puentes_core::{Error, Result};
use std::{collections::BTreeMap, time::SystemTime};
use url::Url;

/// A request as received, with what a signature covers.
pub struct IncomingRequest<'a> {
    pub method: &'a str,
    /// Path and query exactly as sent: what `(request-target)` and `@path` cover.
    pub path_and_query: &'a str,
    /// This instance's base URL (`https://domain`): with the path, the `@target-uri`.
    pub base_url: &'a str,
    pub headers: &'a HeaderMap,
    /// The body of a POST, whose digest the signature must cover; None for a GET.
    pub body: Option<&'a [u8]>,
}

enum Check {
    /// Signing strings to try: with the query, then without (bovine, Fedify and older
    /// Mastodon leave it out of `(request-target)`).
    Cavage(Vec<http_signature_normalization::verify::Unverified>),
    Rfc9421 {
        base: String,
        signature: Vec<u8>,
        algorithm: Option<Algorithm>,
    },
}

/// A parsed, not yet verified signature: who claims to have signed, and what to check.
pub struct PendingSignature {
    key_id: String,
    scheme: Scheme,
    check: Check,
}

impl PendingSignature {
    pub fn parse(request: &IncomingRequest<'_>) -> Result<PendingSignature> {
        if request.headers.contains_key("signature-input") {
            parse_rfc9421(request)
        } else if request.headers.contains_key("signature")
            || request.headers.contains_key("authorization")
        {
            parse_cavage(request)
        } else {
            Err(Error::unauthorized(
                "request is not signed (draft-cavage Signature or RFC 9421 Signature-Input expected)",
            ))
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Checks the signature with the keys the signer publishes.
    pub fn verify(&self, keys: &PublicKeys<'_>) -> Result<()> {
        let ok = match &self.check {
            Check::Cavage(candidates) => candidates.iter().any(|unverified| {
                unverified.verify(|signature, signing_string| {
                    Base64.decode(signature).is_ok_and(|bytes| {
                        keys.verify(Algorithm::RsaSha256, signing_string.as_bytes(), &bytes)
                    })
                })
            }),
            Check::Rfc9421 {
                base,
                signature,
                algorithm,
            } => {
                let algorithm = match algorithm {
                    Some(algorithm) => *algorithm,
                    // Without `alg` the key decides: the RSA publicKey, else the Multikey.
                    None if self.key_id == keys.rsa_key_id || keys.ed25519_multibase.is_none() => {
                        Algorithm::RsaSha256
                    }
                    None => Algorithm::Ed25519,
                };
                keys.verify(algorithm, base.as_bytes(), signature)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::unauthorized("signature does not verify"))
        }
    }
}

fn check_not_in_future(at: SystemTime, what: &str) -> Result<()> {
    if at > SystemTime::now() + CLOCK_SKEW {
        return Err(Error::unauthorized(format!("{what} is in the future")));
    }
    Ok(())
}

fn parse_cavage(request: &IncomingRequest<'_>) -> Result<PendingSignature> {
    let mut map = BTreeMap::new();
    for (name, value) in request.headers {
        if let Ok(value) = value.to_str() {
            map.insert(name.as_str().to_string(), value.to_string());
        }
    }
    // Some servers put a space after each comma; the parser splits on bare commas.
    let signature_header = map
        .get("signature")
        .or_else(|| map.get("authorization"))
        .cloned()
        .unwrap_or_default();
    let normalized = signature_header
        .trim_start_matches("Signature ")
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(",");
    check_cavage_times(&normalized)?;
    let signed = signed_header_names(&normalized);
    if !signed.iter().any(|h| h == "date" || h == "(created)") {
        return Err(Error::unauthorized(
            "the signature must cover the Date header or (created)",
        ));
    }
    if map.contains_key("signature") {
        map.insert("signature".into(), normalized);
    } else {
        map.insert("authorization".into(), format!("Signature {normalized}"));
    }
    if let Some(date) = map.get("date") {
        let parsed = httpdate::parse_http_date(date)
            .map_err(|_| Error::unauthorized("invalid Date header"))?;
        check_not_in_future(parsed, "Date header")?;
    }
    let mut config = http_signature_normalization::Config::new()
        .set_expiration(SIGNATURE_MAX_AGE)
        .require_header("(request-target)");
    if let Some(body) = request.body {
        config = config.require_digest();
        verify_digest(request.headers.get("digest"), body)?;
    }
    let mut targets = vec![request.path_and_query.to_string()];
    if let Some((path, _)) = request.path_and_query.split_once('?') {
        targets.push(path.to_string());
    }
    let mut candidates = Vec::new();
    for target in targets {
        let unverified = config
            .begin_verify(request.method, &target, map.clone())
            .map_err(|e| Error::unauthorized(format!("invalid signature: {e}")))?;
        candidates.push(unverified);
    }
    let key_id = candidates
        .first()
        .map(|u| u.key_id().to_string())
        .unwrap_or_default();
    Ok(PendingSignature {
        key_id,
        scheme: Scheme::Cavage,
        check: Check::Cavage(candidates),
    })
}

/// The latest `created` or `expires` a draft-cavage signature may carry (year 5138): the
/// parser adds them to the epoch, which panics past what a `SystemTime` holds (found by
/// fuzzing); no honest signature comes near.
const MAX_CAVAGE_TIMESTAMP: u64 = 100_000_000_000;

/// Refuses `created` and `expires` parameters that are not plain timestamps in range.
fn check_cavage_times(signature: &str) -> Result<()> {
    for part in signature.split(',') {
        let Some((name, value)) = part.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name != "created" && name != "expires" {
            continue;
        }
        let in_range = value
            .trim()
            .trim_matches('"')
            .parse::<u64>()
            .is_ok_and(|at| at <= MAX_CAVAGE_TIMESTAMP);
        if !in_range {
            return Err(Error::unauthorized(format!(
                "invalid signature: {name} is not a timestamp"
            )));
        }
    }
    Ok(())
}

/// The `headers="…"` list of a draft-cavage signature, lower-cased.
fn signed_header_names(signature: &str) -> Vec<String> {
    signature
        .split(',')
        .find_map(|part| part.strip_prefix("headers="))
        .map(|list| {
            list.trim_matches('"')
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect()
        })
        // draft-cavage: without a list only (created) is signed (hs2019).
        .unwrap_or_else(|| vec!["(created)".to_string()])
}

fn parse_rfc9421(request: &IncomingRequest<'_>) -> Result<PendingSignature> {
    let field = |name: &str| -> Result<String> {
        let values: Vec<&str> = request
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(Error::unauthorized(format!("missing {name} header")));
        }
        Ok(values.join(", "))
    };
    let inputs: sfv::Dictionary = sfv::Parser::new(&field("signature-input")?)
        .parse()
        .map_err(|_| Error::unauthorized("Signature-Input is not a structured dictionary"))?;
    let signatures: sfv::Dictionary = sfv::Parser::new(&field("signature")?)
        .parse()
        .map_err(|_| Error::unauthorized("Signature is not a structured dictionary"))?;
    // Mastodon checks a single signature; with several, the first with a value is ours to check.
    let (label, inner) = inputs
        .iter()
        .find_map(|(label, entry)| match entry {
            sfv::ListEntry::InnerList(inner) if signatures.contains_key(label) => {
                Some((label, inner))
            }
            _ => None,
        })
        .ok_or_else(|| Error::unauthorized("no signature matches Signature-Input"))?;
    let signature = match signatures.get(label) {
        Some(sfv::ListEntry::Item(sfv::Item {
            bare_item: sfv::BareItem::ByteSequence(bytes),
            ..
        })) => bytes.clone(),
        _ => {
            return Err(Error::unauthorized(
                "Signature value is not a byte sequence",
            ));
        }
    };
    let mut components = Vec::new();
    for item in &inner.items {
        match &item.bare_item {
            sfv::BareItem::String(name) if item.params.is_empty() => {
                components.push(name.as_str().to_ascii_lowercase())
            }
            _ => {
                return Err(Error::unauthorized(
                    "unsupported covered component in Signature-Input",
                ));
            }
        }
    }
    let param = |name: &str| inner.params.get(name);
    let key_id = match param("keyid") {
        Some(sfv::BareItem::String(key_id)) => key_id.as_str().to_string(),
        _ => return Err(Error::unauthorized("the signature has no keyid")),
    };
    let created = match param("created") {
        Some(sfv::BareItem::Integer(created)) => i64::from(*created),
        _ => {
            return Err(Error::unauthorized(
                "the signature has no created parameter",
            ));
        }
    };
    let now = chrono::Utc::now().timestamp();
    if created > now + CLOCK_SKEW.as_secs() as i64 {
        return Err(Error::unauthorized(
            "the signature was created in the future",
        ));
    }
    if created < now - SIGNATURE_MAX_AGE.as_secs() as i64 {
        return Err(Error::unauthorized("the signature is too old"));
    }
    if let Some(sfv::BareItem::Integer(expires)) = param("expires")
        && i64::from(*expires) < now
    {
        return Err(Error::unauthorized("the signature has expired"));
    }
    let algorithm = match param("alg") {
        None => None,
        Some(sfv::BareItem::String(alg)) => {
            Some(Algorithm::from_rfc9421(alg.as_str()).ok_or_else(|| {
                Error::unauthorized(format!("unsupported signature algorithm {}", alg.as_str()))
            })?)
        }
        Some(_) => return Err(Error::unauthorized("alg is not a string")),
    };
    let covers = |name: &str| components.iter().any(|c| c == name);
    if !covers("@method") {
        return Err(Error::unauthorized("the signature must cover @method"));
    }
    let covers_target = covers("@target-uri")
        || (covers("@authority") && (covers("@path") || covers("@request-target")));
    if !covers_target {
        return Err(Error::unauthorized(
            "the signature must cover @target-uri (or @authority and @path)",
        ));
    }
    if let Some(body) = request.body {
        if !covers("content-digest") {
            return Err(Error::unauthorized(
                "the signature must cover Content-Digest on a POST",
            ));
        }
        verify_content_digest(request.headers.get("content-digest"), body)?;
    }
    let target_uri = Url::parse(&format!("{}{}", request.base_url, request.path_and_query))
        .map_err(|_| Error::bad_request("invalid request target"))?;
    let signature_params =
        serialize_inner_list(inner).ok_or_else(|| Error::unauthorized("empty Signature-Input"))?;
    let base = signature_base(
        &components,
        &signature_params,
        &Message {
            method: request.method,
            target_uri: &target_uri,
            headers: request.headers,
        },
    )
    .map_err(Error::unauthorized)?;
    Ok(PendingSignature {
        key_id,
        scheme: Scheme::Rfc9421,
        check: Check::Rfc9421 {
            base,
            signature,
            algorithm,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::{SigningKey, sign};
    use http::HeaderValue;

    struct Keys {
        rsa: SigningKey,
        rsa_public: String,
        ed: SigningKey,
        ed_public: String,
    }

    /// Found by fuzzing: a `created` beyond what a `SystemTime` holds panicked in the parser.
    #[test]
    fn cavage_created_out_of_range_is_refused_not_a_panic() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("puentes.example"));
        headers.insert(
            "signature",
            HeaderValue::from_static(
                "keyId=\"https://a.example/u#k\",headers=\"(request-target) (created)\",signature=\"c2ln\",created=000009223372136590888507",
            ),
        );
        for method in ["GET", "POST"] {
            let err = PendingSignature::parse(&IncomingRequest {
                method,
                path_and_query: "/inbox",
                base_url: "https://puentes.example",
                headers: &headers,
                body: None,
            })
            .err()
            .expect("refused");
            assert!(err.message().contains("created"), "{}", err.message());
        }
    }

    fn keys() -> Keys {
        let rsa = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
        let ed = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        Keys {
            rsa: SigningKey::rsa("http://localhost:2/actors/a#main-key", &rsa.private_key).unwrap(),
            rsa_public: rsa.public_key,
            ed: SigningKey::ed25519(
                "http://localhost:2/actors/a#ed25519-key",
                &Base64.encode(ed.to_bytes()),
            )
            .unwrap(),
            ed_public: crate::local_actors::ed25519_multibase(ed.verifying_key().as_bytes()),
        }
    }

    fn public(keys: &Keys) -> PublicKeys<'_> {
        PublicKeys {
            rsa_key_id: "http://localhost:2/actors/a#main-key",
            rsa_pem: &keys.rsa_public,
            ed25519_multibase: Some(&keys.ed_public),
        }
    }

    fn received(signed: &[(&'static str, String)], host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_str(host).unwrap());
        for (name, value) in signed {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn check(
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        keys: &PublicKeys<'_>,
    ) -> Result<Scheme> {
        let pending = PendingSignature::parse(&IncomingRequest {
            method,
            path_and_query: path,
            base_url: "http://localhost:1",
            headers,
            body,
        })?;
        pending.verify(keys)?;
        Ok(pending.scheme())
    }

    #[test]
    fn both_schemes_round_trip_and_detect_tampering() {
        let keys = keys();
        let public = public(&keys);
        let url = Url::parse("http://localhost:1/inbox").unwrap();
        for (key, scheme) in [
            (&keys.rsa, Scheme::Cavage),
            (&keys.rsa, Scheme::Rfc9421),
            (&keys.ed, Scheme::Rfc9421),
        ] {
            let signed = sign(key, scheme, "POST", &url, Some(b"{}")).unwrap();
            let headers = received(&signed, "localhost:1");
            assert_eq!(
                check("POST", "/inbox", &headers, Some(b"{}"), &public).unwrap(),
                scheme
            );
            // Another path, another body, another key: refused.
            assert!(check("POST", "/other", &headers, Some(b"{}"), &public).is_err());
            assert!(check("POST", "/inbox", &headers, Some(b"{1}"), &public).is_err());
            let other = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
            let stranger = PublicKeys {
                rsa_pem: &other.public_key,
                ed25519_multibase: None,
                ..public
            };
            assert!(check("POST", "/inbox", &headers, Some(b"{}"), &stranger).is_err());
        }
        assert!(sign(&keys.ed, Scheme::Cavage, "GET", &url, None).is_err());
    }

    #[test]
    fn cavage_gets_cover_host_and_date_and_verify_without_the_query() {
        let keys = keys();
        let url = Url::parse("http://localhost:1/actors/a/outbox?page=2").unwrap();
        let signed = sign(&keys.rsa, Scheme::Cavage, "GET", &url, None).unwrap();
        let signature = &signed.iter().find(|(n, _)| *n == "Signature").unwrap().1;
        assert!(
            signature.contains("headers=\"(request-target) host date\""),
            "{signature}"
        );
        assert!(signature.contains("algorithm=\"rsa-sha256\""));
        let headers = received(&signed, "localhost:1");
        assert!(
            check(
                "GET",
                "/actors/a/outbox?page=2",
                &headers,
                None,
                &public(&keys)
            )
            .is_ok()
        );
        // A signer that left the query out of (request-target), as bovine does.
        let path_only = Url::parse("http://localhost:1/actors/a/outbox").unwrap();
        let signed = sign(&keys.rsa, Scheme::Cavage, "GET", &path_only, None).unwrap();
        let headers = received(&signed, "localhost:1");
        assert!(
            check(
                "GET",
                "/actors/a/outbox?page=2",
                &headers,
                None,
                &public(&keys)
            )
            .is_ok()
        );
    }

    #[test]
    fn rfc9421_requires_created_method_target_and_content_digest() {
        let keys = keys();
        let url = Url::parse("http://localhost:1/inbox").unwrap();
        let signed = sign(&keys.rsa, Scheme::Rfc9421, "POST", &url, Some(b"{}")).unwrap();
        let input = &signed
            .iter()
            .find(|(n, _)| *n == "Signature-Input")
            .unwrap()
            .1;
        assert!(input.starts_with("sig1=(\"@method\" \"@target-uri\" \"@authority\" \"date\" \"content-digest\");created="), "{input}");
        assert!(input.contains(";alg=\"rsa-v1_5-sha256\""));
        let mut headers = received(&signed, "localhost:1");
        // Without Content-Digest covered, a POST is refused before any key is fetched.
        let stripped = input.replace(" \"content-digest\"", "");
        headers.insert("signature-input", HeaderValue::from_str(&stripped).unwrap());
        assert!(check("POST", "/inbox", &headers, Some(b"{}"), &public(&keys)).is_err());
        let old = input
            .replace("created=", "created=1")
            .replace(";keyid", "0;keyid");
        headers.insert("signature-input", HeaderValue::from_str(&old).unwrap());
        assert!(check("POST", "/inbox", &headers, Some(b"{}"), &public(&keys)).is_err());
        // A GET signed for another host is refused.
        let elsewhere = Url::parse("http://localhost:3/actors/a").unwrap();
        let signed = sign(&keys.rsa, Scheme::Rfc9421, "GET", &elsewhere, None).unwrap();
        let headers = received(&signed, "localhost:1");
        assert!(check("GET", "/actors/a", &headers, None, &public(&keys)).is_err());
    }

    #[test]
    fn unsigned_and_dateless_requests_are_refused() {
        let keys = keys();
        let headers = HeaderMap::new();
        let err = check("GET", "/actors/a", &headers, None, &public(&keys)).unwrap_err();
        assert!(err.message().contains("not signed"), "{}", err.message());
        let mut headers = HeaderMap::new();
        headers.insert(
            "signature",
            HeaderValue::from_static(
                "keyId=\"http://localhost:2/actors/a#main-key\",algorithm=\"rsa-sha256\",headers=\"(request-target) host\",signature=\"AAAA\"",
            ),
        );
        let err = check("GET", "/actors/a", &headers, None, &public(&keys)).unwrap_err();
        assert!(err.message().contains("Date"), "{}", err.message());
    }
}
