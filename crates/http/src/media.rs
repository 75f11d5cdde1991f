//! Serving uploaded media. Uploads are processed and stored by the application layer
//! (`puentes_app::media`) in its media store (files or a bucket); this only reads them back.

use crate::HttpState;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use puentes_app::media::{extension_for, file_name, parse_file_name};
use puentes_core::{Error, Result};
use puentes_db::query;

/// `GET /media/{uuid}.{ext}`: the stored bytes, cacheable forever (names never change).
pub async fn serve(State(state): State<HttpState>, Path(file): Path<String>) -> Result<Response> {
    let (uuid, ext) = parse_file_name(&file).ok_or_else(|| Error::not_found("media"))?;
    let row = query::media::by_uuid(&state.db, &uuid.hyphenated().to_string())
        .await?
        .filter(|m| extension_for(&m.content_type) == Some(ext))
        .ok_or_else(|| Error::not_found("media"))?;
    let bytes = state
        .app
        .media_store()
        .get(&file_name(&row))
        .await?
        .ok_or_else(|| Error::not_found("media"))?;
    Ok((
        [
            (header::CONTENT_TYPE, row.content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_string(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}
