//! Local posts as `Note` documents, and the Tombstone left by a deletion.

use puentes_core::urls::Urls;
use puentes_db::{actor, post};
use serde_json::{Value, json};

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn post_document(row: &post::Model, author: &actor::Model, _urls: &Urls) -> Value {
    if let Some(deleted) = row.deleted_at {
        return tombstone(row, deleted);
    }
    let (to, cc) = row.addressees();
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
    match (row.content_map(), &row.language) {
        (Some(map), _) => doc["contentMap"] = json!(map),
        (None, Some(lang)) => doc["contentMap"] = json!({ lang: row.content }),
        (None, None) => {}
    }
    let attachments = row.attachments();
    if !attachments.is_empty() {
        doc["attachment"] = json!(attachments);
    }
    let tags = row.tags();
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
