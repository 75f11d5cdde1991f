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

/// The software a host runs, from its NodeInfo, cached for a day; None when unknown.
pub async fn host_software(ctx: &crate::FedContext, url: &Url) -> Option<String> {
    let host = puentes_core::urls::authority(url);
    let cached = query::instance::get(&ctx.db, &host).await.ok().flatten();
    if let Some(row) = &cached
        && row
            .nodeinfo_fetched_at
            .is_some_and(|t| t > chrono::Utc::now() - chrono::Duration::days(1))
    {
        return row.software.clone();
    }
    let (software, version) = read_nodeinfo(ctx, url).await.unwrap_or((None, None));
    let _ = query::instance::set_software(&ctx.db, &host, software.clone(), version).await;
    software
}

async fn read_nodeinfo(
    ctx: &crate::FedContext,
    url: &Url,
) -> Option<(Option<String>, Option<String>)> {
    let well_known = url.join("/.well-known/nodeinfo").ok()?;
    let links: serde_json::Value = ctx
        .client
        .get(well_known)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let href = links
        .get("links")?
        .as_array()?
        .iter()
        .rev()
        .find_map(|l| l.get("href")?.as_str().map(str::to_string))?;
    let href = Url::parse(&href).ok()?;
    if puentes_core::urls::authority(&href) != puentes_core::urls::authority(url) {
        return None;
    }
    let doc: serde_json::Value = ctx.client.get(href).send().await.ok()?.json().await.ok()?;
    let software = doc.get("software")?;
    let name = software
        .get("name")
        .and_then(|n| n.as_str())
        .map(|n| n.to_lowercase());
    let version = software
        .get("version")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Some((name, version))
}

/// A signed GET with our own client, for work done outside a request (the workers): the
/// instance actor signs unless another local actor is given. Fails unless the answer is 2xx JSON.
pub async fn signed_get_json(
    ctx: &crate::FedContext,
    url: &Url,
    signer: Option<&actor::Model>,
) -> Result<serde_json::Value> {
    match signed_get_as(ctx, url, signer).await? {
        (status, Some(doc)) if (200..300).contains(&status) => Ok(doc),
        (status, _) => Err(Error::remote(format!("{url} answered {status}"))),
    }
}

/// Reads an actor by id from the database, or from its origin.
pub async fn actor_from_worker(ctx: &crate::FedContext, id: &Url) -> Result<actor::Model> {
    if let Some(known) = query::actor::by_ap_id(&ctx.db, id.as_str()).await? {
        return Ok(known);
    }
    let doc = signed_get_json(ctx, id, None).await?;
    let doc_id = doc.get("id").and_then(crate::protocol::helpers::id_of);
    if doc_id.as_ref().map(puentes_core::urls::authority) != Some(puentes_core::urls::authority(id))
    {
        return Err(Error::remote("the actor document is not from its own host"));
    }
    crate::objects::actor::store_remote_actor(ctx, &doc).await
}

/// The ids in a collection (its first pages), fetched signed by `signer`.
pub async fn collection_items(
    ctx: &crate::FedContext,
    url: &Url,
    signer: &actor::Model,
    max_pages: usize,
) -> Result<Vec<Url>> {
    let (_, items) = collection_documents(ctx, url, Some(signer), max_pages).await?;
    Ok(items
        .iter()
        .filter_map(crate::protocol::helpers::id_of)
        .collect())
}

/// A collection's head and its items as given (ids or embedded documents), following its
/// pages on the same host, at most `max_pages`; signed by `signer` or the instance actor.
pub async fn collection_documents(
    ctx: &crate::FedContext,
    url: &Url,
    signer: Option<&actor::Model>,
    max_pages: usize,
) -> Result<(serde_json::Value, Vec<serde_json::Value>)> {
    let items_of = |doc: &serde_json::Value| match doc.get("orderedItems").or(doc.get("items")) {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    let head = signed_get_json(ctx, url, signer).await?;
    let mut items = items_of(&head);
    let mut next = head.get("first").and_then(crate::protocol::helpers::id_of);
    let mut pages = 0;
    while let Some(page_url) = next.take() {
        if pages >= max_pages
            || puentes_core::urls::authority(&page_url) != puentes_core::urls::authority(url)
        {
            break;
        }
        pages += 1;
        let page = signed_get_json(ctx, &page_url, signer).await?;
        items.extend(items_of(&page));
        next = page.get("next").and_then(crate::protocol::helpers::id_of);
    }
    Ok((head, items))
}

/// A signed GET (by the instance actor) that reports the status instead of failing on it
/// (404 and 410 mean gone), with the JSON body when there is one.
pub async fn signed_get_status(
    ctx: &crate::FedContext,
    url: &Url,
) -> Result<(u16, Option<serde_json::Value>)> {
    signed_get_as(ctx, url, None).await
}

async fn signed_get_as(
    ctx: &crate::FedContext,
    url: &Url,
    signer: Option<&actor::Model>,
) -> Result<(u16, Option<serde_json::Value>)> {
    if query::instance::is_blocked(&ctx.db, &puentes_core::urls::authority(url)).await? {
        return Err(Error::forbidden("domain is blocked"));
    }
    let signer = match signer {
        Some(s) => s.clone(),
        None => query::actor::instance_actor(&ctx.db)
            .await?
            .ok_or_else(|| Error::internal("no instance actor"))?,
    };
    let key = signer
        .private_key_pem
        .as_deref()
        .ok_or_else(|| Error::internal("signer has no private key"))?;
    let mut request = ctx
        .client
        .get(url.clone())
        .header("Accept", activitypub_federation::FEDERATION_CONTENT_TYPE);
    for (name, value) in crate::signing::sign_request("GET", url, None, &signer.public_key_id, key)?
    {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| Error::remote(format!("cannot reach {url}")).with_source(e))?;
    let status = response.status().as_u16();
    // Documents larger than Mastodon accepts are not read.
    let body = response
        .bytes()
        .await
        .ok()
        .filter(|b| b.len() <= 2 * 1024 * 1024);
    Ok((status, body.and_then(|b| serde_json::from_slice(&b).ok())))
}
