//! `GET/POST /api/v1/markers`: read positions in home and notifications, kept per staff
//! member and actor.

use super::{ApiResult, Params, Token, entities::timestamp, json_response};
use crate::HttpState;
use axum::{extract::State, response::Response};
use puentes_db::marker;
use serde_json::{Map, Value, json};

fn shape(rows: &[marker::Model]) -> Value {
    let mut out = Map::new();
    for m in rows {
        out.insert(
            m.timeline.clone(),
            json!({
                "last_read_id": m.last_read_id,
                "version": m.version,
                "updated_at": timestamp(m.updated_at),
            }),
        );
    }
    Value::Object(out)
}

/// `GET /api/v1/markers?timeline[]=home&timeline[]=notifications`
pub async fn list(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("read:statuses")?;
    let asked = params.list("timeline");
    let rows: Vec<marker::Model> = state
        .app
        .markers(caller, &me.username)
        .await?
        .into_iter()
        .filter(|m| asked.is_empty() || asked.contains(&m.timeline))
        .collect();
    Ok(json_response(shape(&rows)))
}

/// `POST /api/v1/markers` with `home[last_read_id]` and/or `notifications[last_read_id]`
/// (form) or `{"home": {"last_read_id": …}}` (JSON).
pub async fn save(
    State(state): State<HttpState>,
    token: Token,
    params: Params,
) -> ApiResult<Response> {
    let (caller, me) = token.acting("write:statuses")?;
    let mut rows = Vec::new();
    for timeline in ["home", "notifications"] {
        let id = match params.0.get(timeline) {
            Some(Value::Object(o)) => o.get("last_read_id").and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            _ => params.text(&format!("{timeline}[last_read_id]")),
        };
        if let Some(id) = id {
            rows.push(
                state
                    .app
                    .save_marker(caller, &me.username, timeline, &id)
                    .await?,
            );
        }
    }
    Ok(json_response(shape(&rows)))
}
