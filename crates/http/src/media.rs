//! Serving uploaded media. Uploads are processed and stored by the application layer
//! (`puentes_app::media`); this only reads them back.

use crate::HttpState;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use puentes_app::media::{extension_for, file_path, parse_file_name};
use puentes_core::{Error, Result};
use puentes_db::query;

/// `GET /media/{uuid}.{ext}`: the stored bytes, cacheable forever (names never change).
pub async fn serve(State(state): State<HttpState>, Path(file): Path<String>) -> Result<Response> {
    let (uuid, ext) = parse_file_name(&file).ok_or_else(|| Error::not_found("media"))?;
    let row = query::media::by_uuid(&state.db, &uuid.hyphenated().to_string())
        .await?
        .filter(|m| extension_for(&m.content_type) == Some(ext))
        .ok_or_else(|| Error::not_found("media"))?;
    let path = file_path(&state.config, &row);
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| Error::internal("cannot read media").with_source(e))?
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::not_found("media").with_source(e),
            _ => Error::internal("cannot read media").with_source(e),
        })?;
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
