//! Local posts as `Note` documents, and the Tombstone left by a deletion.

use crate::protocol::PUBLIC;
use puentes_core::urls::Urls;
use puentes_db::{actor, post, query};
use serde_json::{Value, json};

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn post_document(row: &post::Model, author: &actor::Model, _urls: &Urls) -> Value {
    if let Some(deleted) = row.deleted_at {
        return tombstone(row, deleted);
    }
    let (to, cc) = query::post::addressees(row);
    let mut doc = json!({
        "id": row.ap_id,
        "type": row.kind,
        "attributedTo": author.ap_id,
        "content": row.content,
        "published": rfc3339(row.published),
        "url": row.url.clone().unwrap_or_else(|| row.ap_id.clone()),
        "to": to,
        "cc": cc,
        "sensitive": row.sensitive,
        "inReplyTo": row.in_reply_to,
        "summary": row.summary,
    });
    match (query::post::content_map(row), &row.language) {
        (Some(map), _) => doc["contentMap"] = json!(map),
        (None, Some(lang)) => doc["contentMap"] = json!({ lang: row.content }),
        (None, None) => {}
    }
    let attachments = query::post::attachments(row);
    if !attachments.is_empty() {
        doc["attachment"] = json!(attachments);
    }
    let tags = query::post::tags(row);
    if !tags.is_empty() {
        doc["tag"] = json!(tags);
    }
    if let Some(audience) = &row.audience {
        doc["audience"] = json!(audience);
    }
    if let Some(name) = &row.name {
        doc["name"] = json!(name);
    }
    if let Some(updated) = row.updated_at {
        doc["updated"] = json!(rfc3339(updated));
    }
    doc
}

pub fn tombstone(row: &post::Model, deleted: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "id": row.ap_id,
        "type": "Tombstone",
        "formerType": row.kind,
        "deleted": rfc3339(deleted),
    })
}

/// Public posts can be served to anyone; others only to their addressees.
pub fn is_publicly_readable(row: &post::Model) -> bool {
    matches!(
        row.visibility.as_str(),
        query::post::PUBLIC | query::post::UNLISTED
    )
}

/// Addressing for a new local post of the given visibility.
pub fn addressing(visibility: &str, followers: &str) -> (Vec<String>, Vec<String>) {
    match visibility {
        query::post::UNLISTED => (vec![followers.to_string()], vec![PUBLIC.to_string()]),
        query::post::FOLLOWERS => (vec![followers.to_string()], vec![]),
        _ => (vec![PUBLIC.to_string()], vec![followers.to_string()]),
    }
}
