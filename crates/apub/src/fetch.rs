//! Reading the fediverse: remote actors by handle (WebFinger) or id, objects, collections
//! and NodeInfo. Every request goes through `client`, so each is signed the way Mastodon,
//! GoToSocial, bovine and Fedify accept, and only to peers we federate with.

use crate::{
    FedContext,
    client::{self, ACTIVITY_JSON, Fetched, Signer},
    protocol::helpers::id_of,
};
use puentes_core::{Error, Result, handle::Handle, urls::authority};
use puentes_db::{actor, query};
use serde_json::Value;
use url::Url;

/// Remote actors are read again from their origin after this long.
const ACTOR_REFRESH: chrono::Duration = chrono::Duration::days(1);

/// An actor by id: ours, a stored copy (refreshed once a day), or fetched from its origin.
pub async fn actor_by_id(ctx: &FedContext, id: &Url) -> Result<actor::Model> {
    let known = query::actor::by_ap_id(&ctx.db, id.as_str()).await?;
    match known {
        Some(actor) if actor.local => Ok(actor),
        Some(actor)
            if actor
                .last_fetched_at
                .is_some_and(|t| t > chrono::Utc::now() - ACTOR_REFRESH) =>
        {
            Ok(actor)
        }
        // A stale copy serves while its origin is unreachable; a deleted actor is gone.
        Some(actor) => match fetch_actor(ctx, id).await {
            Ok(fresh) => Ok(fresh),
            Err(e) if e.kind() == puentes_core::ErrorKind::Gone => Err(e),
            Err(e) => {
                tracing::debug!(%id, error = ?e, "cannot refresh a remote actor, keeping the stored copy");
                Ok(actor)
            }
        },
        None if ctx.urls.is_local(id) => Err(Error::not_found("local actor")),
        None => fetch_actor(ctx, id).await,
    }
}

/// Re-fetches an actor (for a rotated key), ignoring the stored copy.
pub async fn refresh_actor(ctx: &FedContext, id: &Url) -> Result<actor::Model> {
    if ctx.urls.is_local(id) {
        return query::actor::by_ap_id(&ctx.db, id.as_str())
            .await?
            .ok_or_else(|| Error::not_found("local actor"));
    }
    fetch_actor(ctx, id).await
}

async fn fetch_actor(ctx: &FedContext, id: &Url) -> Result<actor::Model> {
    let doc = object(ctx, id, Signer::Instance).await?;
    crate::objects::actor::store_remote_actor(ctx, &doc).await
}

/// Reads an actor by id from the database, or from its origin (for the workers).
pub async fn actor_from_worker(ctx: &FedContext, id: &Url) -> Result<actor::Model> {
    actor_by_id(ctx, id).await
}

/// Resolves `name@domain`: our own actors directly, others by WebFinger.
pub async fn actor_by_handle(ctx: &FedContext, handle: &str) -> Result<actor::Model> {
    let handle = Handle::parse(handle)?;
    if handle.domain == ctx.config.domain.to_lowercase() {
        return query::actor::local_by_name_required(&ctx.db, &handle.name).await;
    }
    client::check_peer(ctx, &handle.domain).await?;
    let id = webfinger(ctx, &handle).await?;
    actor_by_id(ctx, &id).await
}

/// The actor id a WebFinger lookup of `handle` gives.
pub async fn webfinger(ctx: &FedContext, handle: &Handle) -> Result<Url> {
    let scheme = if ctx.config.insecure_federation() {
        "http"
    } else {
        "https"
    };
    let mut url = Url::parse(&format!(
        "{scheme}://{}/.well-known/webfinger",
        handle.domain
    ))
    .map_err(|_| Error::bad_request(format!("invalid domain {:?}", handle.domain)))?;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{}", handle.acct()));
    let fetched = client::get(
        ctx,
        &url,
        Signer::Anonymous,
        "application/jrd+json, application/json",
    )
    .await?;
    match fetched.status {
        404 | 410 => {
            return Err(Error::not_found(format!(
                "no account {} (WebFinger found nothing)",
                handle.acct()
            )));
        }
        status if !(200..300).contains(&status) => {
            return Err(Error::remote(format!(
                "WebFinger at {} answered {status}",
                handle.domain
            )));
        }
        _ => {}
    }
    let jrd = fetched
        .json()
        .ok_or_else(|| Error::remote("WebFinger answered something that is not JSON"))?;
    actor_link(&jrd).ok_or_else(|| {
        Error::not_found(format!(
            "WebFinger for {} names no ActivityPub actor",
            handle.acct()
        ))
    })
}

/// The ActivityPub actor a WebFinger answer (JRD) links as `self`.
pub fn actor_link(jrd: &Value) -> Option<Url> {
    jrd.get("links")?
        .as_array()?
        .iter()
        .filter(|l| l.get("rel").and_then(Value::as_str) == Some("self"))
        .find(|l| {
            l.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.contains("activity+json") || t.contains("ld+json"))
        })
        .and_then(|l| l.get("href").and_then(Value::as_str))
        .and_then(|href| Url::parse(href).ok())
}

/// An ActivityPub document by id, read from its origin with a signed GET. Its `id` must be
/// on the host it came from; 404 and 410 are reported as not found and gone.
pub async fn object(ctx: &FedContext, url: &Url, signer: Signer<'_>) -> Result<Value> {
    let fetched = client::get(ctx, url, signer, ACTIVITY_JSON).await?;
    let doc = expect_json(url, &fetched)?;
    let id = doc
        .get("id")
        .and_then(id_of)
        .ok_or_else(|| Error::remote(format!("{url} answered a document without id")))?;
    if authority(&id) != authority(url) {
        return Err(Error::forbidden(format!(
            "{url} answered a document of another host ({id})"
        )));
    }
    if crate::protocol::helpers::type_of(&doc) == Some("Tombstone") {
        return Err(Error::gone(format!("{url} was deleted")));
    }
    Ok(doc)
}

fn expect_json(url: &Url, fetched: &Fetched) -> Result<Value> {
    match fetched.status {
        404 => Err(Error::not_found(format!("{url} does not exist"))),
        410 => Err(Error::gone(format!("{url} was deleted"))),
        401 | 403 => Err(Error::remote(format!(
            "{url} refused our signed request ({})",
            fetched.status
        ))),
        status if !(200..300).contains(&status) => {
            Err(Error::remote(format!("{url} answered {status}")))
        }
        _ => fetched
            .json()
            .ok_or_else(|| Error::remote(format!("{url} did not answer JSON"))),
    }
}

/// The software a host runs, from its NodeInfo, cached for a day; None when unknown.
pub async fn host_software(ctx: &FedContext, url: &Url) -> Option<String> {
    let host = authority(url);
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

async fn read_nodeinfo(ctx: &FedContext, url: &Url) -> Option<(Option<String>, Option<String>)> {
    let well_known = url.join("/.well-known/nodeinfo").ok()?;
    let links = client::get(ctx, &well_known, Signer::Anonymous, "application/json")
        .await
        .ok()?
        .json()?;
    let href = links
        .get("links")?
        .as_array()?
        .iter()
        .rev()
        .find_map(|l| l.get("href")?.as_str().map(str::to_string))?;
    let href = Url::parse(&href).ok()?;
    if authority(&href) != authority(url) {
        return None;
    }
    let doc = client::get(ctx, &href, Signer::Anonymous, "application/json")
        .await
        .ok()?
        .json()?;
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

/// A signed GET for work done outside a request (the workers): the instance actor signs
/// unless another local actor is given. Fails unless the answer is 2xx JSON.
pub async fn signed_get_json(
    ctx: &FedContext,
    url: &Url,
    signer: Option<&actor::Model>,
) -> Result<Value> {
    let signer = signer.map(Signer::Actor).unwrap_or(Signer::Instance);
    let fetched = client::get(ctx, url, signer, ACTIVITY_JSON).await?;
    expect_json(url, &fetched)
}

/// The ids in a collection (its first pages), fetched signed by `signer`.
pub async fn collection_items(
    ctx: &FedContext,
    url: &Url,
    signer: &actor::Model,
    max_pages: usize,
) -> Result<Vec<Url>> {
    let (_, items) = collection_documents(ctx, url, Some(signer), max_pages).await?;
    Ok(items.iter().filter_map(id_of).collect())
}

/// A collection's head and its items as given (ids or embedded documents), following its
/// pages on the same host, at most `max_pages`; signed by `signer` or the instance actor.
pub async fn collection_documents(
    ctx: &FedContext,
    url: &Url,
    signer: Option<&actor::Model>,
    max_pages: usize,
) -> Result<(Value, Vec<Value>)> {
    let items_of = |doc: &Value| match doc.get("orderedItems").or(doc.get("items")) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    let head = signed_get_json(ctx, url, signer).await?;
    let mut items = items_of(&head);
    let mut next = head.get("first").and_then(id_of);
    let mut pages = 0;
    while let Some(page_url) = next.take() {
        if pages >= max_pages || authority(&page_url) != authority(url) {
            break;
        }
        pages += 1;
        let page = signed_get_json(ctx, &page_url, signer).await?;
        items.extend(items_of(&page));
        next = page.get("next").and_then(id_of);
    }
    Ok((head, items))
}

/// A signed GET (by the instance actor) that reports the status instead of failing on it
/// (404 and 410 mean gone), with the JSON body when there is one.
pub async fn signed_get_status(ctx: &FedContext, url: &Url) -> Result<(u16, Option<Value>)> {
    let fetched = client::get(ctx, url, Signer::Instance, ACTIVITY_JSON).await?;
    Ok((fetched.status, fetched.json()))
}
