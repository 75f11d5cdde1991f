//! Activities: the envelope every incoming one shares, and the builders of ours.

use super::helpers::{id_of, type_of};
use serde_json::{Value, json};
use url::Url;

/// The parts of an incoming activity every handler needs.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub id: Url,
    pub kind: String,
    pub actor: Url,
    pub object: Value,
    pub raw: Value,
}

pub fn parse_envelope(doc: &Value) -> Result<Envelope, String> {
    if !doc.is_object() {
        return Err("activity must be a JSON object".into());
    }
    let kind = type_of(doc).ok_or("activity has no type")?.to_string();
    let id = doc.get("id").and_then(id_of).ok_or("activity has no id")?;
    let actor = doc
        .get("actor")
        .and_then(id_of)
        .ok_or("activity has no actor")?;
    Ok(Envelope {
        id,
        kind,
        actor,
        object: doc.get("object").cloned().unwrap_or(Value::Null),
        raw: doc.clone(),
    })
}

/// Every activity we send carries `published`: Misskey, GoToSocial and Lemmy sort and show
/// by it (an Announce without it shows as "just now" forever).
pub fn stamp_published(doc: &mut Value) {
    if let Value::Object(map) = doc
        && !map.contains_key("published")
    {
        map.insert(
            "published".into(),
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
    }
}

pub fn follow(id: &Url, actor: &Url, object: &Url) -> Value {
    json!({ "id": id, "type": "Follow", "actor": actor, "object": object })
}

/// Accept or Reject of a Follow; the Follow is embedded, as Mastodon expects.
pub fn answer_follow(kind: &str, id: &Url, actor: &Url, follow: Value, to: &Url) -> Value {
    json!({ "id": id, "type": kind, "actor": actor, "object": follow, "to": [to] })
}

pub fn undo(id: &Url, actor: &Url, object: Value) -> Value {
    json!({ "id": id, "type": "Undo", "actor": actor, "object": object })
}

pub fn create_or_update(kind: &str, id: &Url, actor: &Url, object: Value) -> Value {
    let to = object.get("to").cloned().unwrap_or(json!([]));
    let cc = object.get("cc").cloned().unwrap_or(json!([]));
    json!({ "id": id, "type": kind, "actor": actor, "object": object, "to": to, "cc": cc,
            "published": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true) })
}

pub fn delete(id: &Url, actor: &Url, object: &Url, to: Value, cc: Value) -> Value {
    json!({ "id": id, "type": "Delete", "actor": actor, "to": to, "cc": cc,
            "object": { "id": object, "type": "Tombstone" } })
}

pub fn block(id: &Url, actor: &Url, object: &Url) -> Value {
    json!({ "id": id, "type": "Block", "actor": actor, "object": object })
}
