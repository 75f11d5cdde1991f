//! OAuth 2 for client apps: registering (`POST /api/v1/apps`), the consent page where a
//! staff member signs in and picks which organization or alliance the app speaks for
//! (`/oauth/authorize`), the token endpoint (authorization code with PKCE, password,
//! client credentials), revocation and the server metadata. The rules live in
//! `puentes_app::oauth`; this is the HTTP side.

use crate::{
    HttpState, Reader,
    api::{ApiError, ApiResult, Params, Token, json_response},
    peer::LoginClient,
};
use axum::{
    Form, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::Engine;
use minijinja::context;
use puentes_app::{
    Caller, Permission,
    oauth::{AuthorizeRequest, IssuedToken, OOB, scope_set},
};
use puentes_core::{ErrorKind, Result};
use puentes_db::{oauth_app, read};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/oauth/authorize", get(authorize_page).post(authorize_form))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/.well-known/oauth-authorization-server", get(metadata))
}

fn app_json(app: &oauth_app::Model) -> Value {
    let redirects = app.redirect_list();
    json!({
        "id": app.id.to_string(),
        "name": app.name,
        "website": app.website,
        "scopes": scope_set(app).iter().collect::<Vec<_>>(),
        "redirect_uri": redirects.join("\n"),
        "redirect_uris": redirects,
        "vapid_key": "",
    })
}

/// `POST /api/v1/apps` (form or JSON; `redirect_uris` a string or a list).
pub async fn register_app(State(state): State<HttpState>, params: Params) -> ApiResult<Response> {
    let name = params
        .text("client_name")
        .ok_or_else(|| ApiError::invalid("client_name is missing"))?;
    let redirects = params.list("redirect_uris");
    let scopes = params.text("scopes").unwrap_or_else(|| "read".into());
    let registered = state
        .app
        .register_app(
            &name,
            &redirects,
            &scopes,
            params.text("website").as_deref(),
        )
        .await?;
    let mut value = app_json(&registered.app);
    value["client_id"] = json!(registered.app.client_id);
    value["client_secret"] = json!(registered.client_secret);
    value["client_secret_expires_at"] = json!(0);
    Ok(json_response(value))
}

/// `GET /api/v1/apps/verify_credentials`
pub async fn verify_app(token: Token) -> ApiResult<Response> {
    Ok(json_response(app_json(&token.0.app)))
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414, as Mastodon 4.3 serves it).
pub async fn metadata(State(state): State<HttpState>) -> Response {
    let base = state.urls.base();
    json_response(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": ["read", "write", "follow", "push", "profile",
            "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
            "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search",
            "read:statuses", "write:accounts", "write:blocks", "write:bookmarks",
            "write:conversations", "write:favourites", "write:filters", "write:follows",
            "write:lists", "write:media", "write:mutes", "write:notifications", "write:reports",
            "write:statuses"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

/// The parameters an authorization request carries through the sign-in form.
const CARRIED: [&str; 6] = [
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

fn carried(params: &HashMap<String, String>) -> Vec<Value> {
    CARRIED
        .iter()
        .filter_map(|k| params.get(*k).map(|v| json!({ "name": k, "value": v })))
        .collect()
}

async fn check_request(
    state: &HttpState,
    params: &HashMap<String, String>,
) -> Result<AuthorizeRequest> {
    if params.get("response_type").is_some_and(|t| t != "code") {
        return Err(puentes_core::Error::bad_request(
            "only response_type=code is supported",
        ));
    }
    let get = |k: &str| params.get(k).map(String::as_str);
    state
        .app
        .authorize_request(
            get("client_id").unwrap_or_default(),
            get("redirect_uri").unwrap_or(OOB),
            get("scope"),
            get("code_challenge"),
            get("code_challenge_method"),
        )
        .await
}

/// The scopes in words: their top-level families.
fn scope_words(request: &AuthorizeRequest) -> Vec<&'static str> {
    let mut out = Vec::new();
    for scope in request.scopes.iter() {
        let top = scope.split(':').next().unwrap_or(scope);
        let word = match top {
            "read" => "read",
            "write" => "write",
            "follow" => "follow",
            "push" => "push",
            _ => "profile",
        };
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The consent page may send the browser on to the app's redirect URI (a custom scheme
/// for phone apps): allow that form target.
fn with_form_target(mut response: Response, state: &HttpState, redirect_uri: &str) -> Response {
    let target = url::Url::parse(redirect_uri)
        .ok()
        .filter(|u| !u.cannot_be_a_base() || u.scheme() != "http")
        .map(|u| format!("{}:", u.scheme()))
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.:".contains(c))
        });
    let remote = if state.config.insecure_federation() {
        "https: http:"
    } else {
        "https:"
    };
    let policy = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' {remote}; form-action 'self' {remote} {}; base-uri 'none'; frame-ancestors 'none'",
        target.unwrap_or_default()
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn invalid_request_page(state: &HttpState, reader: &Reader) -> Response {
    state.error_page(reader, StatusCode::BAD_REQUEST)
}

/// `GET /oauth/authorize`: the sign-in step of the consent page.
pub async fn authorize_page(
    State(state): State<HttpState>,
    reader: Reader,
    axum::extract::Query(params): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let request = match check_request(&state, &params).await {
        Ok(r) => r,
        Err(e) if e.kind() == ErrorKind::Internal => return e.into_response(),
        Err(_) => return invalid_request_page(&state, &reader),
    };
    sign_in_page(&state, &reader, &request, &params, None, None)
}

fn sign_in_page(
    state: &HttpState,
    reader: &Reader,
    request: &AuthorizeRequest,
    params: &HashMap<String, String>,
    email: Option<&str>,
    problem: Option<&str>,
) -> Response {
    let page = state.page(
        reader,
        "oauth_authorize.html",
        context! {
            app_name => request.app.name,
            scopes => scope_words(request),
            hidden => carried(params),
            email => email,
            problem => problem,
        },
    );
    let mut response = match page {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if problem.is_some() {
        *response.status_mut() = StatusCode::UNAUTHORIZED;
    }
    with_form_target(response, state, &request.redirect_uri)
}

/// `POST /oauth/authorize`: signing in (then choosing the actor), or the decision.
pub async fn authorize_form(
    State(state): State<HttpState>,
    reader: Reader,
    LoginClient(client): LoginClient,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    match params.get("ticket") {
        Some(ticket) => decide(&state, &reader, ticket, &params).await,
        None => sign_in(&state, &reader, &client, &params).await,
    }
}

async fn sign_in(
    state: &HttpState,
    reader: &Reader,
    client: &str,
    params: &HashMap<String, String>,
) -> Response {
    let request = match check_request(state, params).await {
        Ok(r) => r,
        Err(e) if e.kind() == ErrorKind::Internal => return e.into_response(),
        Err(_) => return invalid_request_page(state, reader),
    };
    let email = params.get("email").map(String::as_str).unwrap_or_default();
    let password = params
        .get("password")
        .map(String::as_str)
        .unwrap_or_default();
    // The login's rate limit and lockout apply here too, counted per client address as
    // on the staff login: one guesser does not lock everyone else out.
    let member = match state.app.login(email, password, client).await {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::Internal => return e.into_response(),
        Err(_) => return sign_in_page(state, reader, &request, params, Some(email), Some("wrong")),
    };
    let caller = Caller::Staff(member.account.id);
    let ticket = match state.app.consent_ticket(&caller, &request).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let actors: Vec<Value> = member
        .roles
        .iter()
        .filter(|(role, _)| Permission::Publish.granted_to(*role))
        .map(|(role, a)| {
            json!({
                "username": a.username,
                "name": read::display_name(a),
                "handle": format!("@{}@{}", a.username, a.domain),
                "role": role.as_str(),
            })
        })
        .collect();
    let page = state.page(
        reader,
        "oauth_authorize.html",
        context! {
            app_name => request.app.name,
            scopes => scope_words(&request),
            ticket => ticket,
            actors => actors,
            app_state => params.get("state"),
        },
    );
    match page {
        Ok(r) => with_form_target(r, state, &request.redirect_uri),
        Err(e) => e.into_response(),
    }
}

/// `redirect_uri` with `pairs` added to its query.
fn redirect_with(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let target = match url::Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in pairs {
                    query.append_pair(k, v);
                }
            }
            url.to_string()
        }
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    // 303: the browser follows with GET, as after any form.
    Redirect::to(&target).into_response()
}

async fn decide(
    state: &HttpState,
    reader: &Reader,
    ticket: &str,
    params: &HashMap<String, String>,
) -> Response {
    let approve = params.get("decision").map(String::as_str) == Some("approve");
    let outcome = if approve {
        let actor = params.get("actor").map(String::as_str).unwrap_or_default();
        state.app.approve_consent(ticket, actor).await
    } else {
        state
            .app
            .deny_consent(ticket)
            .await
            .map(|r| (String::new(), r))
    };
    let (code, request) = match outcome {
        Ok(done) => done,
        Err(e) if e.kind() == ErrorKind::Internal => return e.into_response(),
        Err(e) if e.kind() == ErrorKind::Forbidden => {
            return state.error_page(reader, StatusCode::FORBIDDEN);
        }
        Err(_) => return invalid_request_page(state, reader),
    };
    let app_state = params.get("state").cloned().unwrap_or_default();
    let mut pairs: Vec<(&str, &str)> = if approve {
        vec![("code", code.as_str())]
    } else {
        vec![("error", "access_denied")]
    };
    if !app_state.is_empty() {
        pairs.push(("state", app_state.as_str()));
    }
    if request.redirect_uri == OOB {
        if !approve {
            return state.error_page(reader, StatusCode::FORBIDDEN);
        }
        let page = state.page(
            reader,
            "oauth_code.html",
            context! { app_name => request.app.name, code => code },
        );
        return match page {
            Ok(r) => with_form_target(r, state, OOB),
            Err(e) => e.into_response(),
        };
    }
    redirect_with(&request.redirect_uri, &pairs)
}

/// An error of the token and revocation endpoints, in OAuth's shape.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = json_response(json!({ "error": error, "error_description": description }));
    *response.status_mut() = status;
    response
}

/// The client's credentials: HTTP Basic, or `client_id`/`client_secret` in the body.
fn client_credentials(headers: &HeaderMap, params: &Params) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        && let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(basic.trim())
        && let Ok(text) = String::from_utf8(decoded)
        && let Some((id, secret)) = text.split_once(':')
    {
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Some((decode(id), decode(secret)));
    }
    Some((params.text("client_id")?, params.text("client_secret")?))
}

fn token_json(issued: &IssuedToken) -> Response {
    json_response(json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.scopes.as_string(),
        "created_at": issued.created_at,
    }))
}

/// `POST /oauth/token`
pub async fn token(
    State(state): State<HttpState>,
    LoginClient(login_client): LoginClient,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let Some((client_id, secret)) = client_credentials(&headers, &params) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client credentials are missing",
        );
    };
    let app = match state.app.oauth_client(&client_id, &secret).await {
        Ok(app) => app,
        Err(e) if e.kind() == ErrorKind::Internal => return e.into_response(),
        Err(_) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            );
        }
    };
    let scope = params.text("scope");
    let issued = match params.text("grant_type").as_deref() {
        Some("authorization_code") => {
            let Some(code) = params.text("code") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code is missing",
                );
            };
            state
                .app
                .exchange_code(
                    &app,
                    &code,
                    params.text("redirect_uri").as_deref(),
                    params.text("code_verifier").as_deref(),
                )
                .await
        }
        Some("password") => {
            let (Some(username), Some(password)) =
                (params.text("username"), params.str("password"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "username and password are required",
                );
            };
            state
                .app
                .password_grant(
                    &app,
                    &username,
                    password,
                    &login_client,
                    scope.as_deref(),
                    params.text("actor").as_deref(),
                )
                .await
        }
        Some("client_credentials") => state.app.client_credentials(&app, scope.as_deref()).await,
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "use authorization_code, password or client_credentials",
            );
        }
    };
    match issued {
        Ok(issued) => token_json(&issued),
        Err(e) => match e.kind() {
            // Internal, or too many failed passwords: the status and Retry-After say it.
            ErrorKind::Internal | ErrorKind::RateLimited => e.into_response(),
            ErrorKind::Unauthorized | ErrorKind::Forbidden => {
                oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", e.message())
            }
            _ if e.message().starts_with("invalid_scope") => {
                oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", e.message())
            }
            _ => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", e.message()),
        },
    }
}

/// `POST /oauth/revoke`
pub async fn revoke(
    State(state): State<HttpState>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let Some((client_id, secret)) = client_credentials(&headers, &params) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client credentials are missing",
        );
    };
    let app = match state.app.oauth_client(&client_id, &secret).await {
        Ok(app) => app,
        Err(_) => {
            return oauth_error(
                StatusCode::FORBIDDEN,
                "unauthorized_client",
                "You are not authorized to revoke this token",
            );
        }
    };
    if let Some(token) = params.text("token")
        && let Err(e) = state.app.revoke_token(&app, &token).await
    {
        return e.into_response();
    }
    json_response(json!({}))
}
