//! Every outgoing federation request goes through here: WebFinger, NodeInfo, actors, keys,
//! objects, collections and deliveries. One place decides whom we may talk to (blocked
//! domains, the allow-list), signs (draft-cavage first, RFC 9421 to hosts that answer or
//! use it, remembered per host, double-knocking like Fedify), and bounds what we read.

use crate::{
    FedContext,
    cache::HostTerms,
    signing::{self, Scheme, SigningKey},
};
use axum::body::Bytes;
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{actor, query};
use serde_json::Value;
use std::sync::Arc;
use url::Url;

/// What ActivityPub fetches ask for.
pub const ACTIVITY_JSON: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
/// Documents larger than Mastodon accepts are not read.
const MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;
/// Redirects followed by a GET, each checked like the first URL.
const MAX_REDIRECTS: usize = 3;

/// Who signs an outgoing GET.
#[derive(Clone, Copy)]
pub enum Signer<'a> {
    /// The instance actor (`/actor`), as Mastodon signs its fetches.
    Instance,
    Actor(&'a actor::Model),
    /// Unsigned: WebFinger and NodeInfo, which every server serves to anyone.
    Anonymous,
}

/// A response: its status, and the body when it was small enough to read.
pub struct Fetched {
    pub status: u16,
    pub body: Option<Vec<u8>>,
    /// Where the answer came from, after redirects.
    pub url: Url,
}

impl Fetched {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<Value> {
        self.body
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
    }
}

/// Refuses hosts we do not federate with: blocked domains, and in allow-list mode every
/// domain not on the list.
pub async fn check_peer(ctx: &FedContext, domain: &str) -> Result<()> {
    peer(ctx, domain).await.map(|_| ())
}

/// [`check_peer`], keeping what the host's row says: one (cached) read serves the policy
/// and the choice of signature scheme.
async fn peer(ctx: &FedContext, domain: &str) -> Result<HostTerms> {
    if !ctx.config.federates_with(domain) {
        return Err(Error::forbidden(format!(
            "{domain} is not on this instance's federation allow-list"
        )));
    }
    let terms = ctx.cache.host(ctx, domain).await?;
    if terms.blocked {
        return Err(Error::forbidden(format!("domain {domain} is blocked")));
    }
    Ok(terms)
}

/// A GET, signed as `signer`, that reports the status instead of failing on it. Redirects
/// are followed a few times, each hop checked (and signed) like the first.
pub async fn get(ctx: &FedContext, url: &Url, signer: Signer<'_>, accept: &str) -> Result<Fetched> {
    let key = match signer {
        Signer::Anonymous => None,
        Signer::Actor(actor) => Some(ctx.keys.of_actor(actor)?),
        Signer::Instance => {
            let instance = query::actor::instance_actor(&ctx.db)
                .await?
                .ok_or_else(|| Error::internal("no instance actor"))?;
            Some(ctx.keys.of_actor(&instance)?)
        }
    };
    let mut url = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let peer = check_url(ctx, &url).await?;
        let response = match &key {
            None => send(ctx, "GET", &url, None, None, accept).await?,
            Some(key) => send_signed(ctx, "GET", &url, None, key, accept, peer).await?,
        };
        if response.status().is_redirection()
            && let Some(location) = response.headers().get(reqwest::header::LOCATION)
        {
            url = location
                .to_str()
                .ok()
                .and_then(|l| url.join(l).ok())
                .ok_or_else(|| Error::remote(format!("{url} sent a bad redirect")))?;
            continue;
        }
        return read(response, url).await;
    }
    Err(Error::remote(format!("{url}: too many redirects")))
}

/// A signed POST of an activity (a delivery). Fails only when the host cannot be reached;
/// the status tells how it went.
pub async fn post(
    ctx: &FedContext,
    url: &Url,
    sender: &actor::Model,
    body: impl Into<Bytes>,
) -> Result<u16> {
    let peer = check_url(ctx, url).await?;
    let key = ctx.keys.of_actor(sender)?;
    let body = body.into();
    let response = send_signed(ctx, "POST", url, Some(body), &key, ACTIVITY_JSON, peer).await?;
    Ok(response.status().as_u16())
}

/// Notes that a host signs with (and so verifies) RFC 9421: later requests to it use it first.
pub async fn remember_scheme(ctx: &FedContext, domain: &str, scheme: Scheme) -> Result<()> {
    let known = ctx.cache.host(ctx, domain).await?.scheme;
    remember_if_new(ctx, domain, known, scheme).await
}

/// Writes `scheme` for the host unless `known` (read before) already says so.
async fn remember_if_new(
    ctx: &FedContext,
    domain: &str,
    known: Option<Scheme>,
    scheme: Scheme,
) -> Result<()> {
    if known != Some(scheme) {
        query::instance::set_signature_scheme(&ctx.db, domain, scheme.as_str()).await?;
    }
    Ok(())
}

/// The one outgoing-request policy. Outside test mode: https only, and the host must be a
/// name (checked again after resolution, by `PublicResolver`) or a public IP literal. In test
/// mode (a `localhost` instance) only `localhost` peers; `federation_debug` lifts both.
async fn check_url(ctx: &FedContext, url: &Url) -> Result<HostTerms> {
    check_address(&ctx.config, url)?;
    peer(ctx, &authority(url)).await
}

/// The part of [`check_url`] that needs no database: scheme and address.
pub fn check_address(config: &puentes_core::Config, url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => {}
        "http" if config.insecure_federation() => {}
        _ => return Err(Error::forbidden(format!("refused URL {url}: https only"))),
    }
    let host = url
        .host()
        .ok_or_else(|| Error::bad_request(format!("URL without host: {url}")))?;
    if config.federation_debug {
        return Ok(());
    }
    if config.is_localhost() {
        return match host {
            url::Host::Domain(name) if crate::resolver::is_localhost_name(name) => Ok(()),
            _ => Err(Error::forbidden(format!(
                "refused URL {url}: a test instance talks only to localhost"
            ))),
        };
    }
    let ip = match host {
        url::Host::Domain(name) if crate::resolver::is_localhost_name(name) => {
            return Err(Error::forbidden(format!(
                "refused URL {url}: not a public address"
            )));
        }
        url::Host::Domain(_) => return Ok(()),
        url::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
        url::Host::Ipv6(ip) => std::net::IpAddr::V6(ip),
    };
    if crate::resolver::is_public(ip) {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "refused URL {url}: not a public address"
        )))
    }
}

/// A signed request; a refusal (400, 401, 403) is retried once with the other scheme, and
/// the scheme that worked is remembered for the host.
async fn send_signed(
    ctx: &FedContext,
    method: &'static str,
    url: &Url,
    body: Option<Bytes>,
    key: &Arc<SigningKey>,
    accept: &str,
    peer: HostTerms,
) -> Result<reqwest::Response> {
    let host = authority(url);
    let remembered = peer.scheme;
    let first = remembered.unwrap_or(Scheme::Cavage);
    let response = send(ctx, method, url, body.clone(), Some((key, first)), accept).await?;
    let refused = |status: u16| matches!(status, 400 | 401 | 403);
    if !refused(response.status().as_u16()) {
        if response.status().is_success() && remembered.is_none() {
            remember_if_new(ctx, &host, remembered, first).await?;
        }
        return Ok(response);
    }
    let second = first.other();
    let retry = send(ctx, method, url, body, Some((key, second)), accept).await?;
    if retry.status().is_success() {
        tracing::debug!(%host, scheme = second.as_str(), "double-knock: the second scheme was accepted");
        remember_if_new(ctx, &host, remembered, second).await?;
        return Ok(retry);
    }
    Ok(if refused(retry.status().as_u16()) {
        response
    } else {
        retry
    })
}

async fn send(
    ctx: &FedContext,
    method: &'static str,
    url: &Url,
    body: Option<Bytes>,
    signature: Option<(&Arc<SigningKey>, Scheme)>,
    accept: &str,
) -> Result<reqwest::Response> {
    let mut request = match method {
        "POST" => ctx.client.post(url.clone()),
        _ => ctx.client.get(url.clone()),
    }
    .header("Accept", accept);
    if let Some((key, scheme)) = signature {
        let signed =
            signing::sign_off_thread(key.clone(), scheme, method, url, body.clone()).await?;
        for (name, value) in signed {
            request = request.header(name, value);
        }
    }
    if let Some(body) = body {
        request = request
            .header(
                "Content-Type",
                activitypub_federation::FEDERATION_CONTENT_TYPE,
            )
            .body(body);
    }
    request
        .send()
        .await
        .map_err(|e| Error::remote(format!("cannot reach {}", authority(url))).with_source(e))
}

/// Reads a body up to the size limit; a larger one is dropped unread.
async fn read(mut response: reqwest::Response, url: Url) -> Result<Fetched> {
    let status = response.status().as_u16();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Ok(Fetched {
                        status,
                        body: None,
                        url,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => {
                return Ok(Fetched {
                    status,
                    body: None,
                    url,
                });
            }
        }
    }
    Ok(Fetched {
        status,
        body: Some(body),
        url,
    })
}
