//! The inbox pipeline: parse, check the digest, refuse blocked domains, find the signer's
//! key, verify the signature, apply each activity id once, then hand it to its handler.

use crate::{activities, context::Data, fetch, protocol::activities::parse_envelope, signing};
use http::{HeaderMap, Method, StatusCode};
use puentes_core::{Error, ErrorKind, Result, urls::authority};
use puentes_db::{actor, query};
use serde_json::Value;
use url::Url;

pub use crate::outcome::Outcome;

pub async fn receive(
    data: &Data,
    app: &puentes_app::App,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Outcome> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| Error::bad_request(format!("body is not valid JSON: {e}")))?;
    let envelope = parse_envelope(&doc).map_err(Error::bad_request)?;
    signing::verify_digest(headers.get("digest"), body)?;

    let actor_domain = authority(&envelope.actor);
    if query::instance::is_blocked(&data.db, &actor_domain).await? {
        return Err(Error::forbidden(format!(
            "domain {actor_domain} is blocked here"
        )));
    }
    if data.urls.is_local(&envelope.actor) {
        return Err(Error::forbidden(
            "activities of local actors are not accepted from outside",
        ));
    }
    if authority(&envelope.id) != actor_domain {
        return Err(Error::bad_request(
            "activity id and actor are on different hosts",
        ));
    }

    let pending = signing::PendingSignature::parse(method.as_str(), path_and_query, headers, true)?;
    let signer = signer_of(data, &pending, &envelope.actor).await?;
    if signer.ap_id != envelope.actor.as_str() {
        return Err(Error::unauthorized(
            "the request is signed by another actor than the activity's",
        ));
    }

    if !query::received::try_insert(&data.db, envelope.id.as_str()).await? {
        return Ok(Outcome::Duplicate);
    }
    match activities::apply(data, app, &signer, envelope.clone()).await {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            // Let the sender's retry be applied.
            query::received::remove(&data.db, envelope.id.as_str()).await?;
            Err(e)
        }
    }
}

/// Verifies a signed GET (a fetch by another server) and returns the signing actor.
pub async fn verify_signed_get(
    data: &Data,
    path_and_query: &str,
    headers: &HeaderMap,
) -> Result<actor::Model> {
    let pending = signing::PendingSignature::parse("GET", path_and_query, headers, false)?;
    let mut owner = Url::parse(pending.key_id())
        .map_err(|_| Error::unauthorized("signature keyId is not a URL"))?;
    owner.set_fragment(None);
    signer_of(data, &pending, &owner).await
}

/// Fetches (or reads) the key owner and verifies; a failed check refreshes the actor once,
/// for keys that were rotated.
async fn signer_of(
    data: &Data,
    pending: &signing::PendingSignature,
    claimed: &Url,
) -> Result<actor::Model> {
    let key_url = Url::parse(pending.key_id())
        .map_err(|_| Error::unauthorized("signature keyId is not a URL"))?;
    let mut owner_url = key_url.clone();
    owner_url.set_fragment(None);
    if authority(&owner_url) != authority(claimed) {
        return Err(Error::unauthorized(
            "signature key is not on the actor's host",
        ));
    }
    // keyIds without a fragment (GoToSocial's /main-key) belong to the claimed actor.
    let owner_id = if key_url.fragment().is_some() {
        owner_url
    } else {
        claimed.clone()
    };
    let signer = fetch::actor_by_id(data, &owner_id)
        .await
        .map_err(key_fetch_error)?;
    if pending.verify(&signer.public_key_pem).is_ok() {
        return Ok(signer);
    }
    let refreshed = fetch::refresh_actor(data, &owner_id)
        .await
        .map_err(key_fetch_error)?;
    pending.verify(&refreshed.public_key_pem)?;
    Ok(refreshed)
}

/// A key we cannot get right now is a 503 (retry later); one that does not exist is a 401.
fn key_fetch_error(err: Error) -> Error {
    match err.kind() {
        ErrorKind::RemoteFailure | ErrorKind::Internal => {
            Error::remote("the signer's key cannot be fetched right now")
                .with_source(anyhow::anyhow!("{err:?}"))
        }
        ErrorKind::Gone => Error::gone("the signing actor was deleted"),
        _ => Error::unauthorized("the signer's key cannot be found")
            .with_source(anyhow::anyhow!("{err:?}")),
    }
}

/// The status answered for an error: a deleted actor's last words are accepted quietly.
pub fn status_for(err: &Error) -> StatusCode {
    match err.kind() {
        ErrorKind::Gone => StatusCode::ACCEPTED,
        kind => kind.status(),
    }
}
