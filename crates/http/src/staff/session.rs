//! Sessions (tower-sessions, stored in our database through the app layer) and CSRF: every
//! form carries the session's token, and every POST under `/staff` is refused without it,
//! before any handler runs.

use crate::HttpState;
use async_trait::async_trait;
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use puentes_app::App;
use tower_sessions::{
    Expiry, Session, SessionManagerLayer,
    cookie::{SameSite, time::OffsetDateTime},
    session::{Id, Record},
    session_store::{self, SessionStore},
};

/// The session cookie's name.
pub const COOKIE: &str = "puentes_staff";
/// Session keys.
pub const STAFF_KEY: &str = "staff";
pub const CSRF_KEY: &str = "csrf";
pub const AGENT_KEY: &str = "agent";
/// The form field carrying the token (first in every form).
pub const CSRF_FIELD: &str = "_csrf";
/// Largest form body accepted: one image and the texts around it.
pub const MAX_FORM_BYTES: usize = puentes_app::media::MAX_UPLOAD_BYTES + 1024 * 1024;

/// Sessions in the database: tower-sessions asks, the app layer keeps them.
#[derive(Clone)]
pub struct DbStore {
    app: App,
}

impl std::fmt::Debug for DbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbStore")
    }
}

fn backend(e: puentes_core::Error) -> session_store::Error {
    session_store::Error::Backend(e.message().to_string())
}

#[async_trait]
impl SessionStore for DbStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id, never one already stored.
        while self
            .app
            .session_exists(&record.id.to_string())
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let staff_id = record.data.get(STAFF_KEY).and_then(|v| v.as_i64());
        let agent = record
            .data
            .get(AGENT_KEY)
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires = chrono::DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
            .unwrap_or_else(chrono::Utc::now);
        self.app
            .save_session(&record.id.to_string(), staff_id, data, agent, expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(stored) = self
            .app
            .load_session(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&stored.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(stored.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.app
            .delete_session(&id.to_string())
            .await
            .map_err(backend)
    }
}

/// The session layer of the staff pages: `HttpOnly`, `SameSite=Lax`, `Secure` unless the
/// instance runs on plain HTTP (localhost), a week of inactivity.
pub fn layer(state: &HttpState) -> SessionManagerLayer<DbStore> {
    SessionManagerLayer::new(DbStore {
        app: state.app.clone(),
    })
    .with_name(COOKIE)
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_secure(!state.config.insecure_federation())
    .with_path("/")
    .with_expiry(Expiry::OnInactivity(
        tower_sessions::cookie::time::Duration::days(7),
    ))
    // Saved on every request: the expiry moves on and "last seen" stays true.
    .with_always_save(true)
}

/// Who is logged in on this browser (the staff id and the session's CSRF token), read
/// without the session layer: public pages never start a session, nor set a cookie, for
/// anyone. Nothing when the cookie is absent, unknown, expired or not logged in.
pub async fn peek(app: &App, headers: &axum::http::HeaderMap) -> Option<(i64, String)> {
    let value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(|c| c.ok())
        .find(|c| c.name() == COOKIE)?
        .value()
        .to_string();
    let id: Id = value.parse().ok()?;
    let stored = app.load_session(&id.to_string()).await.ok()??;
    if stored.expires_at <= chrono::Utc::now() {
        return None;
    }
    let data: std::collections::HashMap<String, serde_json::Value> =
        serde_json::from_str(&stored.data).ok()?;
    let staff = data.get(STAFF_KEY)?.as_i64()?;
    let csrf = data.get(CSRF_KEY)?.as_str()?.to_string();
    Some((staff, csrf))
}

/// A new random token.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The session's CSRF token, made on first need.
pub async fn csrf_token(session: &Session) -> puentes_core::Result<String> {
    if let Some(token) = session
        .get::<String>(CSRF_KEY)
        .await
        .map_err(|e| puentes_core::Error::internal(format!("session: {e}")))?
    {
        return Ok(token);
    }
    let token = new_token();
    session
        .insert(CSRF_KEY, &token)
        .await
        .map_err(|e| puentes_core::Error::internal(format!("session: {e}")))?;
    Ok(token)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    // Compared in constant time: the token's bytes leak nothing through timing.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token a form sent: the `_csrf` field of a urlencoded body, or the first part of a
/// multipart one (every form of ours puts it first).
async fn sent_token(content_type: &str, body: &Bytes) -> Option<String> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return url::form_urlencoded::parse(body)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned());
    }
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).ok()?;
        let chunk = body.clone();
        let stream =
            futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(chunk) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let field = multipart.next_field().await.ok()??;
        if field.name() != Some(CSRF_FIELD) {
            return None;
        }
        return field.text().await.ok();
    }
    None
}

/// Refuses every state-changing request under `/staff` that does not carry the session's
/// CSRF token, or that a browser says comes from another site.
pub async fn require_csrf(
    State(state): State<HttpState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let reader = crate::Reader::from_headers(request.headers(), request.uri().to_string());
    let refuse = |why: &str| {
        tracing::info!(why, "staff form refused (CSRF)");
        state.error_page(&reader, StatusCode::FORBIDDEN)
    };
    let headers = request.headers().clone();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return refuse("cross-site request");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != "null"
        && origin.trim_end_matches('/') != state.urls.base().trim_end_matches('/')
    {
        return refuse("foreign origin");
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let expected = session.get::<String>(CSRF_KEY).await.ok().flatten();
    let sent = sent_token(&content_type, &bytes).await;
    match (expected, sent) {
        (Some(expected), Some(sent)) if same(expected.as_bytes(), sent.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refuse("token missing or wrong"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokens_are_found_in_both_kinds_of_form() {
        let body = Bytes::from_static(b"text=hola&_csrf=abc%2Bd");
        assert_eq!(
            sent_token("application/x-www-form-urlencoded", &body)
                .await
                .as_deref(),
            Some("abc+d")
        );
        let multipart = Bytes::from_static(
            b"--XX\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--XX\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhola\r\n--XX--\r\n",
        );
        assert_eq!(
            sent_token("multipart/form-data; boundary=XX", &multipart)
                .await
                .as_deref(),
            Some("tok")
        );
        assert_eq!(sent_token("text/plain", &body).await, None);
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
