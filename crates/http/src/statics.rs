//! `static/` of the web files: the stylesheet and the few images of the layout, read once at start and
//! served with long caching (their links carry a version, so a change is seen at once).

use crate::HttpState;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use puentes_core::{Error, Result};
use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
};

#[derive(Default)]
pub struct Statics {
    files: HashMap<String, (&'static str, Vec<u8>)>,
    /// Changes whenever any file changes; appended to links as `?v=`.
    pub version: String,
}

fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit('.').next()?;
    Some(match ext {
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Statics {
    pub fn load(web: &crate::web_files::WebFiles) -> Result<Statics> {
        let mut files = HashMap::new();
        let mut hasher = DefaultHasher::new();
        for (name, bytes) in web.files_in("static")? {
            let Some(kind) = content_type(&name).filter(|_| plain_name(&name)) else {
                continue;
            };
            name.hash(&mut hasher);
            bytes.hash(&mut hasher);
            files.insert(name, (kind, bytes));
        }
        Ok(Statics {
            files,
            version: format!("{:x}", hasher.finish() & 0xffff_ffff),
        })
    }
}

pub async fn serve(State(state): State<HttpState>, Path(file): Path<String>) -> Result<Response> {
    let (kind, bytes) = state
        .statics
        .files
        .get(&file)
        .ok_or_else(|| Error::not_found("file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, *kind),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes.clone(),
    )
        .into_response())
}
