//! Federation routes: discovery, actors, collections, objects and inboxes.

use crate::cache::Rendered;
use crate::{
    context::FedContext,
    inbox,
    objects::post::post_document,
    protocol::collection::PAGE_SIZE,
    respond::{
        Fed, PageQuery, activity_json, activity_json_bytes, collection, local_actor, wants_html,
    },
};
use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Extension, OriginalUri, Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use puentes_core::{Error, ErrorKind, Result, urls::RequestTarget};
use puentes_core::{MemberListVisibility, MemberRole, MembershipStatus};
use puentes_db::{actor, query};
use serde::Deserialize;
use serde_json::{Value, json};

/// The federation routes of the instance behind `config`. `app` is the instance's one
/// application layer: the inbox shares its group writers and caches with every request (an
/// application layer built per request would start each of them afresh).
pub fn router(
    config: activitypub_federation::config::FederationConfig<FedContext>,
    app: puentes_app::App,
) -> Router {
    let body_limit = config.config.max_body_bytes;
    let fed = Fed::new(config, app);
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/nodeinfo/2.0", get(nodeinfo_20))
        .route("/nodeinfo/2.1", get(nodeinfo_21))
        .route("/actor", get(instance_actor))
        .route("/actors/{name}", get(get_actor))
        .route("/actors/{name}/outbox", get(get_outbox))
        .route("/actors/{name}/followers", get(get_followers))
        .route("/actors/{name}/following", get(get_following))
        .route("/actors/{name}/featured", get(get_featured))
        .route("/actors/{name}/members", get(get_members))
        .route("/actors/{name}/secretariat", get(get_secretariat))
        .route("/actors/{name}/inbox", post(post_inbox))
        .route("/inbox", post(post_inbox))
        .route("/posts/{id}", get(get_post))
        .route("/activities/{id}", get(get_activity))
        .merge(crate::statements::routes::router())
        .merge(crate::calls::routes::router())
        .layer(middleware::from_fn_with_state(
            fed.clone(),
            authorized_fetch,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(fed)
}

/// The actor behind a verified signed GET, for handlers that show more to some readers.
#[derive(Clone)]
pub(crate) struct SignedFetch(pub(crate) actor::Model);

/// What peers need before they can verify anyone, so it is never behind a signature: the
/// instance actor (the key that signs our fetches), WebFinger, NodeInfo, host-meta; and
/// calendar files, which calendar apps fetch without signing.
fn is_open(path: &str) -> bool {
    path == "/actor"
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo/")
        || path.ends_with(".ics")
}

/// Authorized fetch (`require_signed_fetch`, or allow-list mode): ActivityPub GETs answer
/// only when signed by an actor of a domain we federate with. Browsers asking for HTML
/// are sent on to the public pages as before. The verified signer is handed to the
/// handler. Without the setting nothing is verified here (it costs a key fetch).
async fn authorized_fetch(State(fed): State<Fed>, mut request: Request, next: Next) -> Response {
    let ctx: &FedContext = &fed;
    let required = ctx.config.requires_signed_fetch()
        && matches!(*request.method(), Method::GET | Method::HEAD)
        && !is_open(request.uri().path())
        && !wants_html(request.headers());
    if !required {
        return next.run(request).await;
    }
    let signed = request.headers().contains_key("signature")
        || request.headers().contains_key("signature-input");
    let target = request
        .extensions()
        .get::<RequestTarget>()
        .map(|RequestTarget(t)| t.clone())
        .or_else(|| {
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
        })
        .unwrap_or_else(|| "/".to_string());
    match inbox::verify_signed_get(ctx, &target, request.headers()).await {
        Ok(signer) => {
            request.extensions_mut().insert(SignedFetch(signer));
            next.run(request).await
        }
        Err(err) => {
            tracing::debug!(error = ?err, %target, "signed fetch refused");
            let err = match err.kind() {
                ErrorKind::Forbidden | ErrorKind::RemoteFailure => err,
                _ if !signed => Error::unauthorized(
                    "this instance answers only signed requests (authorized fetch)",
                ),
                _ => Error::unauthorized(format!("signature refused: {}", err.message())),
            };
            err.into_response()
        }
    }
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: String,
}

async fn webfinger(State(fed): State<Fed>, Query(q): Query<WebfingerQuery>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let resource = q.resource.trim();
    let document = if let Some(acct) = resource.strip_prefix("acct:") {
        let handle = puentes_core::handle::Handle::parse(acct)?;
        if handle.domain != ctx.config.domain.to_lowercase() {
            return Err(Error::not_found("account on this domain"));
        }
        // The instance actor, by its name (the host), or by the host:port it once had.
        let name = (handle.name != crate::local_actors::instance_actor_name(ctx)
            && handle.name != ctx.config.domain)
            .then_some(handle.name.as_str());
        // What every peer asks before following: rendered once per change of the actor.
        let cached = ctx
            .cache
            .rendered(ctx, name, Rendered::WebFinger, |actor| {
                webfinger_document(ctx, actor)
            })
            .await?;
        match (cached, name) {
            (Some((actor, document)), _) if actor.deleted_at.is_none() => document,
            (_, None) => return Err(Error::not_found("account")),
            // Gone or unknown: the query says which, in its words.
            (_, Some(name)) => webfinger_document(
                ctx,
                &query::actor::local_by_name_required(&ctx.db, name).await?,
            ),
        }
    } else {
        // Mastodon also looks actors up by their id or page URL.
        let url = url::Url::parse(resource)
            .map_err(|_| Error::bad_request("resource must be acct: or a URL"))?;
        let found = query::actor::by_ap_id(&ctx.db, url.as_str())
            .await?
            .filter(|a| a.local);
        let actor = match found {
            Some(actor) => actor,
            None => {
                let name = url.path().trim_start_matches("/@").to_string();
                local_actor(ctx, &name).await?
            }
        };
        webfinger_document(ctx, &actor)
    };
    let mut response = document.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// An actor's WebFinger answer (JRD).
fn webfinger_document(ctx: &FedContext, actor: &actor::Model) -> axum::body::Bytes {
    let subject = format!("acct:{}@{}", actor.username, ctx.config.domain);
    let mut links =
        vec![json!({ "rel": "self", "type": "application/activity+json", "href": actor.ap_id })];
    if let Some(page) = &actor.url {
        links.push(json!({ "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page }));
    }
    // "Follow from elsewhere": other servers send people here to act from an account of ours.
    links.push(json!({ "rel": "http://ostatus.org/schema/1.0/subscribe",
        "template": format!("{}/authorize_interaction?uri={{uri}}", ctx.urls.base()) }));
    let doc = json!({ "subject": subject, "aliases": [actor.ap_id, actor.url], "links": links });
    axum::body::Bytes::from(doc.to_string())
}

async fn host_meta(State(fed): State<Fed>) -> Response {
    let base = fed.urls.base().to_string();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

async fn nodeinfo_links(State(fed): State<Fed>) -> Response {
    let base = fed.urls.base();
    axum::Json(json!({ "links": [
        {
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
            "href": format!("{base}/nodeinfo/2.0"),
        },
        {
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": format!("{base}/nodeinfo/2.1"),
        },
    ]}))
    .into_response()
}

async fn nodeinfo_20(State(fed): State<Fed>) -> Result<Response> {
    nodeinfo(&fed, "2.0").await
}

async fn nodeinfo_21(State(fed): State<Fed>) -> Result<Response> {
    nodeinfo(&fed, "2.1").await
}

/// NodeInfo 2.0 (what GoToSocial and older software read) and 2.1 (which adds the
/// repository): the same facts, each valid against its own schema.
async fn nodeinfo(ctx: &FedContext, version: &str) -> Result<Response> {
    let (actors, posts) = ctx.cache.nodeinfo_counts(ctx).await?;
    let mut software = json!({ "name": "puentes", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["repository"] = json!("https://github.com/puentes-network/puentes");
        software["homepage"] = json!("https://github.com/puentes-network/puentes");
    }
    let doc = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": ["atom1.0"] },
        "openRegistrations": false,
        "usage": { "users": { "total": actors, "activeMonth": actors, "activeHalfyear": actors }, "localPosts": posts },
        "metadata": { "nodeName": ctx.config.instance_name, "nodeDescription": ctx.config.instance_description },
    });
    let mut response = axum::Json(doc).into_response();
    let content_type = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

async fn instance_actor(State(fed): State<Fed>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let (_, document) = ctx
        .cache
        .actor_document(ctx, None)
        .await?
        .ok_or_else(|| Error::not_found("instance actor"))?;
    Ok(activity_json_bytes(document))
}

async fn get_actor(
    State(fed): State<Fed>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let (actor, document) = ctx
        .cache
        .actor_document(ctx, Some(&name))
        .await?
        .ok_or_else(|| Error::not_found(format!("actor {name:?}")))?;
    if actor.deleted_at.is_some() {
        // Gone for good: a Tombstone, as Mastodon serves for deleted accounts.
        let mut response = activity_json_bytes(document);
        *response.status_mut() = StatusCode::GONE;
        return Ok(response);
    }
    if wants_html(&headers) {
        return Ok(Redirect::to(ctx.urls.actor_page(&name).as_str()).into_response());
    }
    Ok(activity_json_bytes(document))
}

async fn get_outbox(
    State(fed): State<Fed>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let actor = local_actor(ctx, &name).await?;
    let total = query::activity::count_public_by_actor(&ctx.db, actor.id).await?;
    collection(
        ctx.urls.actor_collection(&name, "outbox"),
        q.page,
        total,
        async |page| {
            let rows = query::activity::public_by_actor(&ctx.db, actor.id, page, PAGE_SIZE).await?;
            Ok(rows
                .into_iter()
                .filter_map(|r| serde_json::from_str::<Value>(&r.json).ok())
                .map(strip_context)
                .collect())
        },
    )
    .await
}

fn strip_context(mut doc: Value) -> Value {
    if let Value::Object(map) = &mut doc {
        map.remove("@context");
    }
    doc
}

async fn get_followers(
    fed: State<Fed>,
    name: Path<String>,
    q: Query<PageQuery>,
) -> Result<Response> {
    follow_collection(fed, name, q, query::follow::Side::Followers).await
}

async fn get_following(
    fed: State<Fed>,
    name: Path<String>,
    q: Query<PageQuery>,
) -> Result<Response> {
    follow_collection(fed, name, q, query::follow::Side::Following).await
}

async fn follow_collection(
    State(fed): State<Fed>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    side: query::follow::Side,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let actor = local_actor(ctx, &name).await?;
    let total = query::follow::count_accepted(&ctx.db, actor.id, side).await?;
    let id = match side {
        query::follow::Side::Followers => ctx.urls.actor_collection(&name, "followers"),
        query::follow::Side::Following => ctx.urls.actor_collection(&name, "following"),
    };
    collection(id, q.page, total, async |page| {
        let rows = query::follow::accepted_page(&ctx.db, actor.id, side, page, PAGE_SIZE).await?;
        Ok(rows.into_iter().map(|a| json!(a.ap_id)).collect())
    })
    .await
}

/// Members of an alliance. Public lists show everyone; `members` lists show the names only
/// to a member's signed fetch; `private` lists show only the count.
async fn get_members(
    State(fed): State<Fed>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    signed: Option<Extension<SignedFetch>>,
    target: Option<Extension<RequestTarget>>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let alliance = local_actor(ctx, &name).await?;
    if !alliance.is_alliance() {
        return Err(Error::not_found("members of an organization"));
    }
    let members =
        query::membership::members(&ctx.db, alliance.id, MembershipStatus::Active).await?;
    let total = members.len() as u64;
    let id = ctx.urls.actor_collection(&name, "members");
    let viewer = match alliance.member_list_visibility() {
        MemberListVisibility::Members => match signed {
            Some(Extension(SignedFetch(signer))) => Some(signer),
            None if headers.contains_key("signature")
                || headers.contains_key("signature-input") =>
            {
                let path = target
                    .map(|Extension(RequestTarget(t))| t)
                    .unwrap_or_else(|| format!("/actors/{name}/members"));
                Some(inbox::verify_signed_get(ctx, &path, &headers).await?)
            }
            None => None,
        },
        _ => None,
    };
    let visible =
        puentes_app::alliances::member_list_visible_to(&alliance, &members, viewer.as_ref());
    if !visible {
        return Ok(activity_json(
            json!({ "id": id, "type": "OrderedCollection", "totalItems": total }),
        ));
    }
    collection(id, q.page, total, async |page| {
        let start = ((page - 1) * PAGE_SIZE) as usize;
        Ok(members
            .iter()
            .skip(start)
            .take(PAGE_SIZE as usize)
            .map(|(_, a)| json!(a.ap_id))
            .collect())
    })
    .await
}

/// The secretariat: the members that decide for the alliance.
async fn get_secretariat(State(fed): State<Fed>, Path(name): Path<String>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let alliance = local_actor(ctx, &name).await?;
    let secretariat: Vec<Value> =
        query::membership::members(&ctx.db, alliance.id, MembershipStatus::Active)
            .await?
            .into_iter()
            .filter(|(m, _)| m.role() == MemberRole::Secretariat)
            .map(|(_, a)| json!(a.ap_id))
            .collect();
    let id = ctx.urls.actor_collection(&name, "secretariat");
    Ok(activity_json(
        json!({ "id": id, "type": "OrderedCollection", "totalItems": secretariat.len(), "orderedItems": secretariat }),
    ))
}

/// Pinned posts come with the alliance work; the collection exists so Mastodon is content.
async fn get_featured(State(fed): State<Fed>, Path(name): Path<String>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    local_actor(ctx, &name).await?;
    let id = ctx.urls.actor_collection(&name, "featured");
    Ok(activity_json(
        json!({ "id": id, "type": "OrderedCollection", "totalItems": 0, "orderedItems": [] }),
    ))
}

async fn get_post(
    State(fed): State<Fed>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| Error::not_found("post"))?;
    let ap_id = ctx.urls.post(uuid);
    let post = query::post::by_ap_id(&ctx.db, ap_id.as_str())
        .await?
        .filter(|p| p.local)
        .ok_or_else(|| Error::not_found("post"))?;
    if !post.is_publicly_readable() && post.deleted_at.is_none() {
        return Err(Error::not_found("post"));
    }
    let author = query::actor::get(&ctx.db, post.author_id).await?;
    if wants_html(&headers) {
        return Ok(
            Redirect::to(ctx.urls.post_page(&author.username, uuid).as_str()).into_response(),
        );
    }
    let doc = post_document(&post, &author, &ctx.urls);
    let mut response = activity_json(doc);
    if post.deleted_at.is_some() {
        *response.status_mut() = StatusCode::GONE;
    }
    Ok(response)
}

async fn get_activity(State(fed): State<Fed>, Path(id): Path<String>) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| Error::not_found("activity"))?;
    let row = query::activity::by_ap_id(&ctx.db, ctx.urls.activity(uuid).as_str())
        .await?
        .filter(|a| a.public)
        .ok_or_else(|| Error::not_found("activity"))?;
    if let Some(withdrawn) =
        crate::statements::routes::withdrawn_endorsement(ctx, &row.ap_id).await?
    {
        return Ok(withdrawn);
    }
    let doc: Value = serde_json::from_str(&row.json)?;
    Ok(activity_json(doc))
}

async fn post_inbox(
    State(fed): State<Fed>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    target: Option<Extension<RequestTarget>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = fed.to_request_data();
    let path = match &target {
        Some(Extension(RequestTarget(raw))) => raw.as_str(),
        None => uri.path_and_query().map(|p| p.as_str()).unwrap_or("/inbox"),
    };
    let result = inbox::receive(&data, fed.app(), &method, path, &headers, &body).await;
    inbox::count(&data.metrics, &body, &result);
    match result {
        Ok(outcome) => {
            tracing::debug!(?outcome, "inbox");
            StatusCode::ACCEPTED.into_response()
        }
        Err(err) => {
            let status = inbox::status_for(&err);
            if status == StatusCode::ACCEPTED {
                return status.into_response();
            }
            tracing::info!(%status, error = ?err, "inbox refused a request");
            err.into_response()
        }
    }
}
