//! Finding remote actors: by handle through WebFinger, by id with a signed fetch.

use crate::{context::Data, objects::actor::ApubActor};
use activitypub_federation::fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor};
use puentes_core::{Error, Result, handle::Handle};
use puentes_db::{actor, query};
use url::Url;

/// Turns a library error into our kinds: unreachable peers are remote failures, refused
/// URLs are forbidden, and so on.
pub fn classify(err: &activitypub_federation::error::Error) -> Error {
    use activitypub_federation::error::Error as E;
    match err {
        E::NotFound => Error::not_found("remote object"),
        E::ObjectDeleted(_) => Error::gone("the remote object was deleted"),
        E::UrlVerificationError(reason) => Error::forbidden(format!("refused URL: {reason}")),
        E::DomainResolveError(_) | E::ResolveInternalIpError(..) => {
            Error::forbidden("refused to contact a private or local address")
        }
        E::WebfingerResolveFailed(_) => {
            Error::not_found("no such account (WebFinger found nothing)")
        }
        E::ParseFetchedObject(..) | E::FetchInvalidContentType(_) | E::FetchWrongId(_) => {
            Error::remote("the remote server sent an invalid document")
        }
        E::ActivitySignatureInvalid | E::ActivityBodyDigestInvalid => {
            Error::unauthorized("invalid signature")
        }
        _ => Error::remote("the remote server could not be reached"),
    }
}

/// Library calls hand back our error type wrapping theirs (as an internal error); give it
/// its proper kind, keeping the cause for the logs.
pub fn reclassify(err: Error) -> Error {
    if err.kind() != puentes_core::ErrorKind::Internal {
        return err;
    }
    match err.downcast_ref::<activitypub_federation::error::Error>() {
        Some(inner) => classify(inner).with_source(anyhow::anyhow!("{err:?}")),
        None => err,
    }
}

pub async fn actor_by_id(data: &Data, id: &Url) -> Result<actor::Model> {
    let found = ObjectId::<ApubActor>::from(id.clone())
        .dereference(data)
        .await
        .map_err(reclassify)?;
    Ok(found.row)
}

/// Re-fetches an actor (for a rotated key), ignoring the cached copy.
pub async fn refresh_actor(data: &Data, id: &Url) -> Result<actor::Model> {
    let found = ObjectId::<ApubActor>::from(id.clone())
        .dereference_forced(data)
        .await
        .map_err(reclassify)?;
    Ok(found.row)
}

/// Resolves `name@domain`: our own actors directly, others by WebFinger.
pub async fn actor_by_handle(data: &Data, handle: &str) -> Result<actor::Model> {
    let handle = Handle::parse(handle)?;
    if handle.domain == data.config.domain {
        return query::actor::local_by_name_required(&data.db, &handle.name).await;
    }
    if query::instance::is_blocked(&data.db, &handle.domain).await? {
        return Err(Error::forbidden(format!(
            "domain {} is blocked",
            handle.domain
        )));
    }
    let found: ApubActor = webfinger_resolve_actor(&handle.acct(), data)
        .await
        .map_err(reclassify)?;
    Ok(found.row)
}
