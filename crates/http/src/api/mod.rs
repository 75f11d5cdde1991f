//! The Mastodon client API (`/api/v1`, `/api/v2`), for the apps staff already use. Every
//! write is an `app` command run for the token's [`Caller`] (a staff member speaking as one
//! actor); reads come from `db` read models; entities are shaped exactly as Mastodon's.

use crate::HttpState;
use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use puentes_app::{Caller, oauth::TokenGrant};
use puentes_core::{Error, ErrorKind};
use puentes_db::{actor, query::IdRange};
use serde_json::{Map, Value, json};

pub mod accounts;
pub mod entities;
pub mod groups;
pub mod instance;
pub mod markers;
pub mod notifications;
pub mod objects;
pub mod statuses;
pub mod streaming;
pub mod timelines;

/// Mounted under `/api` (its fallback answers unknown API paths in JSON).
pub fn router() -> Router<HttpState> {
    use accounts as a;
    use instance as i;
    use statuses as s;
    Router::new()
        .route("/v1/instance", get(i::instance_v1))
        .route("/v2/instance", get(i::instance_v2))
        .route("/v1/instance/peers", get(i::empty_list))
        .route("/v1/instance/activity", get(i::empty_list))
        .route("/v1/instance/rules", get(i::empty_list))
        .route("/v1/custom_emojis", get(i::empty_list))
        .route("/v1/preferences", get(i::preferences))
        .route("/v1/markers", get(markers::list).post(markers::save))
        .route("/v1/filters", get(i::empty_list))
        .route("/v2/filters", get(i::empty_list))
        .route("/v1/announcements", get(i::empty_list))
        .route("/v1/trends", get(i::empty_list))
        .route("/v1/trends/tags", get(i::empty_list))
        .route("/v1/trends/statuses", get(i::empty_list))
        .route("/v1/trends/links", get(i::empty_list))
        .route("/v2/suggestions", get(i::empty_list))
        .route("/v1/suggestions", get(i::empty_list))
        .route("/v1/followed_tags", get(i::empty_list))
        .route("/v1/lists", get(i::empty_list))
        .route("/v1/mutes", get(i::empty_list))
        .route("/v1/blocks", get(i::empty_list))
        .route("/v1/domain_blocks", get(i::empty_list))
        .route("/v1/bookmarks", get(s::bookmarks))
        .route("/v1/favourites", get(i::empty_list))
        .route("/v1/conversations", get(i::empty_list))
        .route("/v1/scheduled_statuses", get(i::empty_list))
        .route("/v1/endorsements", get(i::empty_list))
        .route("/v1/featured_tags", get(i::empty_list))
        .route("/v1/apps/verify_credentials", get(crate::oauth::verify_app))
        .route("/v1/apps", post(crate::oauth::register_app))
        .route(
            "/v1/accounts/verify_credentials",
            get(a::verify_credentials),
        )
        .route(
            "/v1/accounts/update_credentials",
            axum::routing::patch(a::update_credentials),
        )
        .route("/v1/accounts/relationships", get(a::relationships))
        .route("/v1/accounts/lookup", get(a::lookup))
        .route("/v1/accounts/search", get(a::search_accounts))
        .route("/v1/follow_requests", get(a::follow_requests))
        .route(
            "/v1/follow_requests/{id}/authorize",
            post(a::authorize_follow_request),
        )
        .route(
            "/v1/follow_requests/{id}/reject",
            post(a::reject_follow_request),
        )
        .route("/v1/accounts/{id}", get(a::account))
        .route("/v1/accounts/{id}/statuses", get(a::account_statuses))
        .route("/v1/accounts/{id}/followers", get(a::followers))
        .route("/v1/accounts/{id}/following", get(a::following))
        .route("/v1/accounts/{id}/follow", post(a::follow))
        .route("/v1/accounts/{id}/unfollow", post(a::unfollow))
        .route("/v1/accounts/{id}/featured_tags", get(i::empty_list))
        .route("/v1/accounts/{id}/lists", get(i::empty_list))
        .route("/v2/search", get(a::search))
        .route("/v1/statuses", post(s::create))
        .route("/v1/statuses/{id}", get(s::show).delete(s::remove))
        .route("/v1/statuses/{id}/context", get(s::context))
        .route("/v1/statuses/{id}/favourite", post(s::favourite))
        .route("/v1/statuses/{id}/unfavourite", post(s::unfavourite))
        .route("/v1/statuses/{id}/bookmark", post(s::bookmark))
        .route("/v1/statuses/{id}/pin", post(s::pin))
        .route("/v1/statuses/{id}/unpin", post(s::unpin))
        .route("/v1/statuses/{id}/unbookmark", post(s::unbookmark))
        .route("/v1/statuses/{id}/reblog", post(s::reblog))
        .route("/v1/statuses/{id}/unreblog", post(s::unreblog))
        .route("/v1/statuses/{id}/favourited_by", get(s::favourited_by))
        .route("/v1/statuses/{id}/reblogged_by", get(s::reblogged_by))
        .route("/v1/media", post(s::upload))
        .route("/v2/media", post(s::upload))
        .route("/v1/media/{id}", get(s::media).put(s::describe))
        .route("/v1/timelines/home", get(timelines::home))
        .route("/v1/timelines/public", get(timelines::public))
        .route("/v1/groups", get(groups::list))
        .route("/v1/groups/followed", get(groups::followed))
        .route("/v1/groups/{id}", get(groups::show))
        .route("/v1/groups/{id}/members", get(groups::members))
        .route("/v1/timelines/group/{id}", get(groups::timeline))
        .route("/v1/timelines/tag/{tag}", get(i::empty_list))
        .route("/v1/timelines/list/{id}", get(i::empty_list))
        .route("/v1/notifications", get(notifications::list))
        .route("/v1/notifications/clear", post(notifications::clear))
        .route(
            "/v1/notifications/unread_count",
            get(notifications::unread_count),
        )
        .route("/v1/notifications/{id}", get(notifications::show))
        .route("/v2/notifications", get(notifications::grouped))
        .route(
            "/v2/notifications/unread_count",
            get(notifications::unread_count),
        )
        .route(
            "/v1/notifications/{id}/dismiss",
            post(notifications::dismiss),
        )
        .route(
            "/v1/push/subscription",
            get(i::no_push)
                .post(i::no_push)
                .put(i::no_push)
                .delete(i::no_push),
        )
        .route("/v1/streaming", get(streaming::connect))
        .route("/v1/streaming/{*stream}", get(streaming::connect_named))
        .route("/v1/streaming/health", get(|| async { "OK" }))
        .fallback(api_not_found)
        // Image uploads (10 MiB) come as multipart forms.
        .layer(axum::extract::DefaultBodyLimit::max(
            puentes_app::media::MAX_UPLOAD_BYTES + 1024 * 1024,
        ))
        .layer(axum::middleware::map_response(no_store))
}

async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Record not found")
}

/// API answers are per token: never cached by shared caches.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("private, no-store"));
    response
}

/// An API error as Mastodon sends it: `{"error": "…"}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid")
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Record not found")
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let status = match e.kind() {
            // Validation failures are 422 in Mastodon; clients show the message.
            ErrorKind::BadRequest => StatusCode::UNPROCESSABLE_ENTITY,
            kind => kind.status(),
        };
        if status.is_server_error() {
            tracing::error!(error = ?e, "API request failed");
        }
        ApiError::new(status, e.message())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, json_body(&json!({ "error": self.message }))).into_response()
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;

fn json_body(value: &Value) -> ([(header::HeaderName, &'static str); 1], String) {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
}

/// A JSON answer.
pub fn json_response(value: Value) -> Response {
    json_body(&value).into_response()
}

/// A JSON list with its `Link` header for the next and previous pages.
pub fn paged(value: Vec<Value>, link: Option<String>) -> Response {
    let mut response = json_response(Value::Array(value));
    if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

/// The bearer token of a request, required.
pub struct Token(pub TokenGrant);

/// The bearer token when one was sent (public endpoints read without one).
pub struct MaybeToken(pub Option<TokenGrant>);

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<HttpState> for MaybeToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> ApiResult<Self> {
        match bearer(&parts.headers) {
            None => Ok(MaybeToken(None)),
            Some(token) => match state.app.token(token).await {
                Ok(grant) => Ok(MaybeToken(Some(grant))),
                Err(e) if e.kind() == ErrorKind::Unauthorized => Err(ApiError::unauthorized()),
                Err(e) => Err(e.into()),
            },
        }
    }
}

impl FromRequestParts<HttpState> for Token {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> ApiResult<Self> {
        match MaybeToken::from_request_parts(parts, state).await? {
            MaybeToken(Some(grant)) => Ok(Token(grant)),
            MaybeToken(None) => Err(ApiError::unauthorized()),
        }
    }
}

fn outside_scopes() -> ApiError {
    ApiError::forbidden("This action is outside the authorized scopes")
}

impl Token {
    /// The token must carry `scope` (or its parent scope).
    pub fn scope(&self, scope: &str) -> ApiResult<()> {
        if self.0.scopes.allows(scope) {
            Ok(())
        } else {
            Err(outside_scopes())
        }
    }

    /// The staff member's caller and the actor the token speaks as, with `scope`.
    pub fn acting(&self, scope: &str) -> ApiResult<(&Caller, &actor::Model)> {
        self.scope(scope)?;
        self.user()
    }

    /// The staff member's caller and actor (scopes checked by the caller of this).
    pub fn user(&self) -> ApiResult<(&Caller, &actor::Model)> {
        match (&self.0.caller, &self.0.actor) {
            (Some(caller), Some(actor)) => Ok((caller, actor)),
            _ => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This method requires an authenticated user",
            )),
        }
    }
}

impl MaybeToken {
    /// The actor the token speaks as, when it was sent with `scope`.
    pub fn viewer(&self, scope: &str) -> ApiResult<Option<&actor::Model>> {
        match &self.0 {
            None => Ok(None),
            Some(grant) if grant.scopes.allows(scope) => Ok(grant.actor.as_ref()),
            Some(_) => Err(outside_scopes()),
        }
    }
}

/// Parameters from the query string and the body (JSON, form or multipart form), as
/// Mastodon's clients send them: `key[]` repeated makes a list; a JSON body's values are
/// kept as they are; a multipart form's `file` is kept aside (media uploads).
#[derive(Debug, Default, Clone)]
pub struct Params(
    pub Map<String, Value>,
    pub Option<Vec<u8>>,
    /// `avatar` and `header` images of a profile update.
    pub Vec<(String, Vec<u8>)>,
);

fn add_pair(map: &mut Map<String, Value>, key: &str, value: &str) {
    let value = Value::String(value.to_string());
    if let Some(list) = key.strip_suffix("[]") {
        match map
            .entry(list.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(items) => items.push(value),
            other => *other = Value::Array(vec![other.clone(), value]),
        }
    } else {
        map.insert(key.to_string(), value);
    }
}

impl Params {
    pub fn from_query(query: Option<&str>) -> Params {
        let mut map = Map::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            add_pair(&mut map, &k, &v);
        }
        Params(map, None, Vec::new())
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.0.get(key)? {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A non-empty trimmed string.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => Some(matches!(s.as_str(), "true" | "1" | "on" | "True")),
            Value::Number(n) => Some(n.as_i64() == Some(1)),
            _ => None,
        }
    }

    pub fn id(&self, key: &str) -> Option<i64> {
        self.text(key).and_then(|s| s.parse().ok())
    }

    /// A list given as `key[]`, a JSON array, or one value.
    pub fn list(&self, key: &str) -> Vec<String> {
        let one = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match self.0.get(key).or_else(|| self.0.get(&format!("{key}[]"))) {
            Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
            Some(v) => one(v).into_iter().collect(),
            None => Vec::new(),
        }
    }

    /// `limit`, `max_id`, `since_id`, `min_id` (ids are numbers as strings).
    pub fn range(&self) -> IdRange {
        IdRange {
            max_id: self.id("max_id"),
            since_id: self.id("since_id"),
            min_id: self.id("min_id"),
            limit: self
                .id("limit")
                .and_then(|l| u64::try_from(l).ok())
                .unwrap_or(IdRange::DEFAULT_LIMIT)
                .clamp(1, IdRange::MAX_LIMIT),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> ApiResult<Self> {
        let mut params = Params::from_query(request.uri().query());
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if matches!(*request.method(), Method::GET | Method::HEAD) {
            return Ok(params);
        }
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::invalid("the request body could not be read"))?;
        if body.is_empty() {
            return Ok(params);
        }
        if content_type.starts_with("multipart/form-data") {
            read_multipart(&content_type, body, &mut params).await?;
        } else if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => params.0.extend(map),
                _ => return Err(ApiError::invalid("the JSON body is not an object")),
            }
        } else {
            for (k, v) in url::form_urlencoded::parse(&body) {
                add_pair(&mut params.0, &k, &v);
            }
        }
        Ok(params)
    }
}

/// A multipart form: text fields as parameters, the `file` field's bytes aside.
async fn read_multipart(
    content_type: &str,
    body: axum::body::Bytes,
    params: &mut Params,
) -> ApiResult<()> {
    let unreadable =
        |e: multer::Error| ApiError::invalid(format!("the form could not be read: {e}"));
    let boundary = multer::parse_boundary(content_type).map_err(unreadable)?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if matches!(name.as_str(), "file" | "thumbnail" | "avatar" | "header") {
            let bytes = field.bytes().await.map_err(unreadable)?;
            if name == "file" {
                params.1 = Some(bytes.to_vec());
            } else if name != "thumbnail" && !bytes.is_empty() {
                params.2.push((name, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(unreadable)?;
            add_pair(&mut params.0, &name, &text);
        }
    }
    Ok(())
}

/// `Link` header for a list newest first: older below its last id, newer above its first.
pub fn link_header(state: &HttpState, uri: &Uri, ids: &[i64]) -> Option<String> {
    let (Some(newest), Some(oldest)) = (ids.first(), ids.last()) else {
        return None;
    };
    let kept: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| !matches!(k.as_ref(), "max_id" | "min_id" | "since_id"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let at = |key: &str, id: i64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            query.append_pair(k, v);
        }
        query.append_pair(key, &id.to_string());
        format!("{}{}?{}", state.urls.base(), uri.path(), query.finish())
    };
    Some(format!(
        "<{}>; rel=\"next\", <{}>; rel=\"prev\"",
        at("max_id", *oldest),
        at("min_id", *newest)
    ))
}

/// A numeric id from a path, or not found.
pub fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// Browser clients (Elk, Phanpy) call the API, OAuth and discovery from other origins:
/// answer preflights and allow any origin (tokens travel in headers, never cookies).
pub async fn cors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let applies = path.starts_with("/api/")
        || path.starts_with("/oauth/")
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo/");
    if !applies {
        return next.run(request).await;
    }
    let preflight = request.method() == Method::OPTIONS;
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, Idempotency-Key"),
    );
    if preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, PUT, DELETE, GET, PATCH, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, Idempotency-Key, Accept"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
    }
    response
}
