//! Puentes' own objects as Mastodon statuses: a joint statement (title, ask, initiators,
//! endorsement count, link), a call to action (title, time in the organizer's zone, place,
//! pledge link) and a relay (a reblog by the relaying actor, wrapping the original). Their
//! ids come from the post id sequence (`db::query::api_status`), so a timeline mixing them
//! with posts is ordered and paged by id like Mastodon's.

use super::entities::{self, account, timestamp};
use crate::HttpState;
use puentes_core::{EndorsementStatus, Result, sanitize, text};
use puentes_db::{
    actor, api_status, post,
    query::{self, IdRange, api_status::StatusKind},
    read,
};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A status with every field clients parse; `content` and counts filled in by the caller.
fn shell(id: i64, uri: &str, url: &str, at: chrono::DateTime<chrono::Utc>, who: Value) -> Value {
    json!({
        "id": id.to_string(),
        "uri": uri,
        "url": url,
        "created_at": timestamp(at),
        "account": who,
        "content": "",
        "visibility": "public",
        "sensitive": false,
        "spoiler_text": "",
        "media_attachments": [],
        "application": Value::Null,
        "mentions": [],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "quotes_count": 0,
        "edited_at": Value::Null,
        "favourited": false,
        "reblogged": false,
        "muted": false,
        "bookmarked": false,
        "pinned": false,
        "filtered": [],
        "reblog": Value::Null,
        "in_reply_to_id": Value::Null,
        "in_reply_to_account_id": Value::Null,
        "language": Value::Null,
        "text": Value::Null,
        "poll": Value::Null,
        "card": Value::Null,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A statement as a status of its owner (None while it has no text to show).
async fn statement_status(state: &HttpState, row: &api_status::Model) -> Result<Option<Value>> {
    let db = &state.db;
    let Ok(statement) = query::statement::get(db, row.object_id).await else {
        return Ok(None);
    };
    let Ok(version) = query::statement::current_version(db, statement.id).await else {
        return Ok(None);
    };
    let initiators = puentes_app::statements::initiators(db, &statement).await?;
    let Some(owner) = initiators.first() else {
        return Ok(None);
    };
    let endorsed =
        query::statement::endorsements_of_version(db, version.id, &[EndorsementStatus::Accepted])
            .await?
            .len();
    let ask = statement
        .ask
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| text::excerpt(&version.content, 240));
    let names = initiators
        .iter()
        .map(read::display_name)
        .collect::<Vec<_>>()
        .join(", ");
    let count = match endorsed {
        0 => "No endorsements yet".to_string(),
        n => format!("Endorsed by {}", plural(n, "organisation", "organisations")),
    };
    let url = &statement.ap_url;
    let content = format!(
        "<p><strong>{}</strong></p><p>{}</p><p>Initiated by {}. {}.</p><p><a href=\"{}\">{}</a></p>",
        sanitize::escape(&version.name),
        sanitize::escape(&ask),
        sanitize::escape(&names),
        sanitize::escape(&count),
        sanitize::escape(url),
        sanitize::escape(url),
    );
    let at = statement.opened_at.unwrap_or(statement.created_at);
    let mut value = shell(row.id, url, url, at, account(state, owner).await?);
    value["content"] = json!(content);
    value["language"] = json!(version.language);
    value["reblogs_count"] = json!(query::relay::count_announcers(db, url).await?);
    value["favourites_count"] = json!(query::statement::count_likes(db, statement.id).await?);
    Ok(Some(value))
}

/// A call to action as a status of its organizer (None once deleted).
async fn call_status(state: &HttpState, row: &api_status::Model) -> Result<Option<Value>> {
    let db = &state.db;
    let Some(call) = query::call::by_id(db, row.object_id).await? else {
        return Ok(None);
    };
    if call.deleted_at.is_some() {
        return Ok(None);
    }
    let organizer = query::actor::get(db, call.organizer_id).await?;
    // Ours are written from their fields (time in the organizer's zone, place, pledge
    // link); remote ones as their organizer summed them up.
    let summary = if call.local {
        puentes_app::calls::summary_of(&query::call::CallData::of(&call))
    } else {
        call.summary.clone()
    };
    let content = format!(
        "<p><strong>{}</strong></p><p>{}</p>",
        sanitize::escape(&call.name),
        text::linkify_text(&summary)
    );
    let url = call.url.clone().unwrap_or_else(|| call.ap_id.clone());
    let mut value = shell(
        row.id,
        &call.ap_id,
        &url,
        call.published,
        account(state, &organizer).await?,
    );
    value["content"] = json!(content);
    value["language"] = json!(call.language);
    value["reblogs_count"] = json!(query::relay::count_announcers(db, &call.ap_id).await?);
    value["favourites_count"] = json!(query::call::count_likes(db, call.id).await?);
    Ok(Some(value))
}

/// The status an object's AP id stands for: a post the viewer may read, or a statement or
/// call shown as one.
pub async fn original(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    object: &str,
) -> Result<Option<Value>> {
    let db = &state.db;
    if let Some(p) = query::post::by_ap_id(db, object).await? {
        if !state.app.may_read(viewer, &p).await? {
            return Ok(None);
        }
        return Ok(Some(entities::status(state, viewer, &p).await?));
    }
    let alias = if let Some(s) = query::statement::by_url(db, object).await? {
        query::api_status::of_object(db, StatusKind::Statement, s.id).await?
    } else if let Some(c) = query::call::by_ap_id(db, object).await? {
        query::api_status::of_object(db, StatusKind::Call, c.id).await?
    } else {
        None
    };
    match alias {
        Some(row) => Box::pin(other(state, viewer, &row)).await,
        None => Ok(None),
    }
}

/// A relay as a reblog by the relaying actor.
async fn reblog_status(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    row: &api_status::Model,
) -> Result<Option<Value>> {
    let db = &state.db;
    let Some(announce) = query::relay::announce_by_id(db, row.object_id).await? else {
        return Ok(None);
    };
    let Some(inner) = original(state, viewer, &announce.object_ap_id).await? else {
        return Ok(None);
    };
    let relayer = query::actor::get(db, announce.actor_id).await?;
    let uri = announce
        .activity_ap_id
        .clone()
        .unwrap_or_else(|| format!("{}#relays/{}", relayer.ap_id, announce.id));
    let mut value = shell(
        row.id,
        &uri,
        &uri,
        announce.created_at,
        account(state, &relayer).await?,
    );
    for key in [
        "favourited",
        "reblogged",
        "favourites_count",
        "reblogs_count",
    ] {
        value[key] = inner[key].clone();
    }
    value["reblog"] = inner;
    Ok(Some(value))
}

/// A non-post status seen by `viewer` (None when there is nothing to show any more).
pub async fn other(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    row: &api_status::Model,
) -> Result<Option<Value>> {
    match StatusKind::parse(&row.kind) {
        Some(StatusKind::Statement) => statement_status(state, row).await,
        Some(StatusKind::Call) => call_status(state, row).await,
        Some(StatusKind::Reblog) => reblog_status(state, viewer, row).await,
        None => Ok(None),
    }
}

/// One timeline page from a page of posts and a page of other statuses, both read with
/// `range`: merged by id, cut to the limit on the side the range pages towards. Returns
/// the statuses and the ids they cover (for the `Link` header).
pub async fn timeline(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    posts: Vec<post::Model>,
    others: Vec<api_status::Model>,
    range: IdRange,
) -> Result<(Vec<Value>, Vec<i64>)> {
    enum Item {
        Post(Box<post::Model>),
        Other(api_status::Model),
    }
    let mut items: Vec<(i64, Item)> = posts
        .into_iter()
        .map(|p| (p.id, Item::Post(Box::new(p))))
        .chain(others.into_iter().map(|o| (o.id, Item::Other(o))))
        .collect();
    items.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    let limit = usize::try_from(range.limit.clamp(1, IdRange::MAX_LIMIT)).unwrap_or(20);
    if items.len() > limit {
        if range.min_id.is_some() {
            // Paging forward: the oldest ones just above `min_id`.
            items.drain(..items.len() - limit);
        } else {
            items.truncate(limit);
        }
    }
    let ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    let post_rows: Vec<post::Model> = items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Post(p) => Some(p.as_ref().clone()),
            Item::Other(_) => None,
        })
        .collect();
    let mut rendered: HashMap<String, Value> = entities::statuses(state, viewer, &post_rows)
        .await?
        .into_iter()
        .filter_map(|v| Some((v["id"].as_str()?.to_string(), v)))
        .collect();
    let mut out = Vec::with_capacity(items.len());
    for (id, item) in &items {
        let value = match item {
            Item::Post(_) => rendered.remove(&id.to_string()),
            Item::Other(row) => other(state, viewer, row).await?,
        };
        out.extend(value);
    }
    Ok((out, ids))
}
