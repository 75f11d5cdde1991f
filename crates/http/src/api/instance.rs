//! The instance entity (v1 and v2, with a version string clients can parse), preferences,
//! and the endpoints Puentes has nothing for, answered as valid empty values so clients
//! do not show errors.

use super::{ApiError, ApiResult, Token, json_response};
use crate::HttpState;
use axum::{extract::State, http::StatusCode, response::Response};
use puentes_db::query;
use serde_json::{Value, json};

/// Puentes' own version, inside the Mastodon version clients parse.
pub const PUENTES_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Mastodon's API revision we follow (`api_versions.mastodon`; 4.5 is 7).
pub const MASTODON_API_VERSION: u32 = 7;
pub const MAX_CHARACTERS: usize = 5000;

pub fn version() -> String {
    format!("4.5.0 (compatible; Puentes {PUENTES_VERSION})")
}

fn configuration(state: &HttpState) -> Value {
    json!({
        "urls": { "streaming": state.urls.base().replacen("http", "ws", 1), "status": Value::Null, "about": format!("{}/", state.urls.base()), "privacy_policy": Value::Null, "terms_of_service": Value::Null },
        "vapid": { "public_key": "" },
        "accounts": { "max_featured_tags": 0, "max_pinned_statuses": 5 },
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": puentes_app::posts::MAX_IMAGES,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "description_limit": 1500,
            "image_size_limit": 10 * 1024 * 1024,
            "image_matrix_limit": 16_777_216,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": { "max_options": 0, "max_characters_per_option": 0, "min_expiration": 300, "max_expiration": 2_629_746 },
        "translation": { "enabled": false },
    })
}

async fn contact_account(state: &HttpState) -> ApiResult<Value> {
    // An organization of this instance stands as the contact (never a staff member).
    let actors = query::actor::list_local(&state.db).await?;
    let first = actors
        .iter()
        .find(|a| a.deleted_at.is_none() && a.kind() != puentes_core::ActorKind::Application);
    Ok(match first {
        Some(a) => super::entities::account(state, a).await?,
        None => Value::Null,
    })
}

fn languages() -> Value {
    json!(["en", "es", "fr", "ar"])
}

/// `GET /api/v1/instance`
pub async fn instance_v1(State(state): State<HttpState>) -> ApiResult<Response> {
    let users = query::actor::count_local(&state.db).await?;
    let statuses = query::post::count_local(&state.db).await?;
    let thumbnail = super::entities::default_header(&state);
    Ok(json_response(json!({
        "uri": state.config.domain,
        "title": state.config.instance_name,
        "short_description": state.config.instance_description,
        "description": state.config.instance_description,
        "email": "",
        "version": version(),
        "urls": { "streaming_api": state.urls.base().replacen("http", "ws", 1) },
        "stats": { "user_count": users, "status_count": statuses, "domain_count": 0 },
        "thumbnail": thumbnail,
        "languages": languages(),
        "registrations": false,
        "approval_required": true,
        "invites_enabled": false,
        "configuration": configuration(&state),
        "contact_account": contact_account(&state).await?,
        "rules": [],
        "max_toot_chars": MAX_CHARACTERS,
    })))
}

/// `GET /api/v2/instance`
pub async fn instance_v2(State(state): State<HttpState>) -> ApiResult<Response> {
    let users = query::actor::count_local(&state.db).await?;
    let thumbnail = super::entities::default_header(&state);
    Ok(json_response(json!({
        "domain": state.config.domain,
        "title": state.config.instance_name,
        "version": version(),
        "source_url": "https://codeberg.org/puentes/puentes",
        "description": state.config.instance_description,
        "usage": { "users": { "active_month": users } },
        "thumbnail": { "url": thumbnail, "blurhash": Value::Null, "versions": {} },
        "icon": [],
        "languages": languages(),
        "configuration": configuration(&state),
        "registrations": { "enabled": false, "approval_required": true, "message": Value::Null, "url": Value::Null },
        "api_versions": { "mastodon": MASTODON_API_VERSION },
        "contact": { "email": "", "account": contact_account(&state).await? },
        "rules": [],
    })))
}

/// `GET /api/v1/preferences`
pub async fn preferences(token: Token) -> ApiResult<Response> {
    token.scope("read:accounts")?;
    Ok(json_response(json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": Value::Null,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}

/// Lists Puentes keeps nothing in (trends, lists, mutes…): `[]`.
pub async fn empty_list() -> Response {
    json_response(json!([]))
}

/// Web Push is not offered; clients then poll.
pub async fn no_push() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Record not found")
}
