//! The reader's choices, remembered in cookies: interface language and time zone. Both are
//! plain links or a GET form, so they work without JavaScript.

use crate::{
    HttpState,
    i18n::Lang,
    render::{LANG_COOKIE, TZ_COOKIE, local_path, preference_cookie},
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use puentes_core::{Error, Result};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Back to where the reader was (a path on this site only), remembering the choice.
fn back(next: Option<&str>, cookie: HeaderValue) -> Response {
    let location =
        HeaderValue::from_str(&local_path(next)).unwrap_or(HeaderValue::from_static("/"));
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

/// `/lang/ar?next=/@red`: read in Arabic from now on, then back where the reader was.
pub async fn language(
    State(state): State<HttpState>,
    Path(code): Path<String>,
    Query(q): Query<Next>,
) -> Result<Response> {
    let lang = Lang::from_code(&code).ok_or_else(|| Error::not_found("language"))?;
    let secure = !state.config.insecure_federation();
    Ok(back(
        q.next.as_deref(),
        preference_cookie(LANG_COOKIE, lang.code(), secure),
    ))
}

#[derive(Deserialize)]
pub struct Zone {
    zone: String,
    next: Option<String>,
}

/// `/timezone?zone=America/Bogota&next=…`: times of calls also in this zone.
pub async fn timezone(State(state): State<HttpState>, Query(q): Query<Zone>) -> Result<Response> {
    let zone = puentes_core::calls::parse_timezone(&q.zone)?;
    let secure = !state.config.insecure_federation();
    Ok(back(
        q.next.as_deref(),
        preference_cookie(TZ_COOKIE, zone.name(), secure),
    ))
}
