//! The inbox pipeline: parse, refuse domains we do not federate with, check the signature's
//! covered parts and body digest, find the signer's key, verify, apply each activity id
//! once, then hand it to its handler. An activity signed by a third server (inbox
//! forwarding) goes to `forwarding`, which never trusts the forwarder.

use crate::{
    FedContext, activities, client,
    context::{Data, RecentKey},
    fetch, forwarding,
    protocol::activities::{Envelope, parse_envelope},
    signing::{IncomingRequest, PendingSignature, PublicKeys, Scheme},
};
use http::{HeaderMap, Method, StatusCode};
use puentes_core::{Error, ErrorKind, Result, urls::authority};
use puentes_db::actor;
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
    let actor_domain = authority(&envelope.actor);
    if let Err(wait) = data.guards.inbox_per_host.check(&actor_domain) {
        return Err(Error::rate_limited(
            format!("too many deliveries from {actor_domain}"),
            wait,
        ));
    }
    client::check_peer(data, &actor_domain)
        .await
        .map_err(|e| Error::forbidden(format!("{} here", e.message())))?;
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

    let pending = PendingSignature::parse(&IncomingRequest {
        method: method.as_str(),
        path_and_query,
        base_url: data.urls.base(),
        headers,
        body: Some(body),
    })?;
    let key_url = key_url(&pending)?;
    if authority(&key_url) != actor_domain {
        // Signed by another server than the actor's: a forwarded activity.
        let forwarder = key_owner(data, &pending).await?;
        client::check_peer(data, &forwarder.domain).await?;
        note_scheme(data, &forwarder, &pending).await;
        return forwarding::receive(data, app, &forwarder, envelope).await;
    }
    let signer = signer_of(data, &pending, &envelope.actor).await?;
    if signer.ap_id != envelope.actor.as_str() {
        return Err(Error::unauthorized(
            "the request is signed by another actor than the activity's",
        ));
    }
    note_scheme(data, &signer, &pending).await;
    apply_once(data, app, &signer, envelope).await
}

/// Applies an activity whose actor is verified, once per activity id.
pub(crate) async fn apply_once(
    data: &Data,
    app: &puentes_app::App,
    actor: &actor::Model,
    envelope: Envelope,
) -> Result<Outcome> {
    if !app.first_receipt(envelope.id.as_str()).await? {
        return Ok(Outcome::Duplicate);
    }
    let id = envelope.id.clone();
    match activities::apply(data, app, actor, envelope).await {
        Ok(outcome) => Ok(outcome),
        Err(e) => {
            // Let the sender's retry be applied.
            app.forget_receipt(id.as_str()).await?;
            Err(e)
        }
    }
}

/// Verifies a signed GET (a fetch by another server) and returns the signing actor.
pub async fn verify_signed_get(
    ctx: &FedContext,
    path_and_query: &str,
    headers: &HeaderMap,
) -> Result<actor::Model> {
    let pending = PendingSignature::parse(&IncomingRequest {
        method: "GET",
        path_and_query,
        base_url: ctx.urls.base(),
        headers,
        body: None,
    })?;
    let signer = key_owner(ctx, &pending).await?;
    note_scheme(ctx, &signer, &pending).await;
    Ok(signer)
}

/// A host that signs with RFC 9421 verifies it too: answer it in kind from now on.
async fn note_scheme(ctx: &FedContext, signer: &actor::Model, pending: &PendingSignature) {
    if pending.scheme() == Scheme::Rfc9421
        && let Err(e) = client::remember_scheme(ctx, &signer.domain, Scheme::Rfc9421).await
    {
        tracing::warn!(error = ?e, "cannot remember a host's signature scheme");
    }
}

fn key_url(pending: &PendingSignature) -> Result<Url> {
    Url::parse(pending.key_id()).map_err(|_| Error::unauthorized("signature keyId is not a URL"))
}

/// The actor whose document holds the signing key (the keyId without its fragment),
/// verified against it; refused when it is a domain we do not federate with.
async fn key_owner(ctx: &FedContext, pending: &PendingSignature) -> Result<actor::Model> {
    let mut owner = key_url(pending)?;
    owner.set_fragment(None);
    client::check_peer(ctx, &authority(&owner)).await?;
    verify_with(ctx, pending, &owner).await
}

/// The signer of an activity claimed by `claimed`: the key must be on its host.
async fn signer_of(
    ctx: &FedContext,
    pending: &PendingSignature,
    claimed: &Url,
) -> Result<actor::Model> {
    let key_url = key_url(pending)?;
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
    verify_with(ctx, pending, &owner_id).await
}

/// Verifies with the stored key owner; when it is unknown or its key does not verify,
/// fetches its document once and verifies against that. Only a verified owner is stored:
/// a request whose signature fails leaves nothing behind. A keyId that failed is answered
/// from memory for a while, and key fetches per host are rate-limited, so a flood of bad
/// signatures costs the host it names a handful of fetches.
async fn verify_with(
    ctx: &FedContext,
    pending: &PendingSignature,
    owner_id: &Url,
) -> Result<actor::Model> {
    let stored = ctx.cache.actor_by_ap_id(ctx, owner_id.as_str()).await?;
    if let Some(actor) = stored {
        match pending.verify(&PublicKeys::of_actor(&actor)) {
            Ok(()) => return Ok(actor::Model::clone(&actor)),
            Err(e) if actor.local => return Err(e),
            // Perhaps a rotated key: the document is read again below.
            Err(_) => {}
        }
    } else if ctx.urls.is_local(owner_id) {
        return Err(Error::unauthorized("the signer's key cannot be found"));
    }
    let guards = &ctx.guards;
    let key_id = pending.key_id();
    let host = authority(owner_id);
    match guards.recent_keys.get(key_id) {
        Some(RecentKey::Unavailable(kind)) => {
            return Err(key_fetch_error(Error::new(
                kind,
                "the signer's key could not be fetched recently",
            )));
        }
        Some(RecentKey::Published {
            rsa_key_id,
            rsa_pem,
            ed25519_multibase,
        }) => {
            let keys = PublicKeys {
                rsa_key_id: &rsa_key_id,
                rsa_pem: &rsa_pem,
                ed25519_multibase: ed25519_multibase.as_deref(),
            };
            // Refused from memory; the real owner verifies and is fetched once more below.
            pending.verify(&keys)?;
            guards.recent_keys.forget(key_id);
        }
        None => {}
    }
    if guards.failed_hosts.failed_recently(&host) {
        return Err(Error::remote(
            "the signer's server could not be reached recently, try again later",
        ));
    }
    if let Err(wait) = guards.key_fetches.check(&host) {
        return Err(Error::rate_limited(
            format!("too many key fetches for {host}"),
            wait,
        ));
    }
    let doc = match fetch::object(ctx, owner_id, client::Signer::Instance).await {
        Ok(doc) => doc,
        Err(e) => {
            if e.kind() == ErrorKind::RemoteFailure {
                guards.failed_hosts.remember(&host);
            }
            if e.kind() != ErrorKind::Gone {
                guards
                    .recent_keys
                    .insert(key_id, RecentKey::Unavailable(e.kind()));
            }
            return Err(key_fetch_error(e));
        }
    };
    let remote = crate::protocol::actor::parse_remote_actor(&doc).map_err(|e| {
        guards
            .recent_keys
            .insert(key_id, RecentKey::Unavailable(ErrorKind::Unauthorized));
        Error::unauthorized("the signer's key cannot be found").with_source(anyhow::anyhow!(e))
    })?;
    let keys = PublicKeys {
        rsa_key_id: &remote.public_key_id,
        rsa_pem: &remote.public_key_pem,
        ed25519_multibase: remote.ed25519_multibase.as_deref(),
    };
    if let Err(e) = pending.verify(&keys) {
        guards.recent_keys.insert(
            key_id,
            RecentKey::Published {
                rsa_key_id: remote.public_key_id.clone(),
                rsa_pem: remote.public_key_pem.clone(),
                ed25519_multibase: remote.ed25519_multibase.clone(),
            },
        );
        return Err(e);
    }
    crate::objects::actor::store_remote_actor(ctx, &doc).await
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
/// Counts an inbox request for `/metrics`: its activity type and outcome, and whether its
/// signature held (a request refused for another reason never reached the check).
pub fn count(metrics: &puentes_core::metrics::Metrics, body: &[u8], result: &Result<Outcome>) {
    #[derive(serde::Deserialize)]
    struct Kind {
        #[serde(rename = "type")]
        kind: Option<Value>,
    }
    let kind = serde_json::from_slice::<Kind>(body)
        .ok()
        .and_then(|k| k.kind)
        .and_then(|k| k.as_str().map(str::to_string))
        .unwrap_or_default();
    let outcome = match result {
        Ok(Outcome::Applied) => "applied",
        Ok(Outcome::Duplicate) => "duplicate",
        Ok(Outcome::Ignored(_)) => "ignored",
        Err(e) if status_for(e) == StatusCode::ACCEPTED => "ignored",
        Err(_) => "refused",
    };
    metrics.inbox_activity(&kind, outcome);
    match result {
        Ok(_) => metrics.signature(true),
        Err(e) if e.kind() == ErrorKind::Unauthorized => metrics.signature(false),
        Err(e) if status_for(e) == StatusCode::ACCEPTED => metrics.signature(true),
        Err(_) => {}
    }
}

pub fn status_for(err: &Error) -> StatusCode {
    match err.kind() {
        ErrorKind::Gone => StatusCode::ACCEPTED,
        kind => kind.status(),
    }
}
