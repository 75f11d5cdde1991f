//! Wire types, named after their ActivityStreams types. Incoming documents are read
//! tolerantly: one value or an array, ids as strings or embedded objects, unknown fields
//! ignored.

pub mod activities;
pub mod actor;
pub mod collection;
pub mod event;
pub mod helpers;
pub mod note;
pub mod statement;

use serde_json::{Value, json};
use std::sync::LazyLock;

pub use puentes_core::content::{PUBLIC, is_public_address};
pub const PUENTES_NS: &str = "https://puentes.network/ns#";

/// The `@context` of every document we serve. The DID context defines `assertionMethod`:
/// without it, JSON-LD readers such as Fedify drop our Ed25519 Multikey (FEP-521a), and the
/// order is the one Fedify's own actors use.
pub fn context() -> Value {
    CONTEXT.clone()
}

/// Built once: every served document carries it.
static CONTEXT: LazyLock<Value> = LazyLock::new(build_context);
/// The same, serialized, spliced in front of documents as they are written out.
static CONTEXT_JSON: LazyLock<String> = LazyLock::new(|| CONTEXT.to_string());

fn build_context() -> Value {
    let mut context = json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "puentes": PUENTES_NS,
            "members": { "@id": "puentes:members", "@type": "@id" },
            "endorsements": { "@id": "toot:endorsements", "@type": "@id" }
        }
    ]);
    if let Some(Value::Object(terms)) = context.as_array_mut().and_then(|c| c.last_mut()) {
        terms.extend(event::context_terms());
    }
    context
}

/// Adds the `@context` in front of a document.
pub fn with_context(mut doc: Value) -> Value {
    if let Value::Object(map) = &mut doc {
        let mut out = serde_json::Map::new();
        out.insert("@context".into(), context());
        for (k, v) in std::mem::take(map) {
            out.insert(k, v);
        }
        return Value::Object(out);
    }
    doc
}

/// A document as served and delivered: the same bytes as `with_context(doc)` serialized,
/// with the context spliced in from its serialized form instead of rebuilt.
pub fn to_wire_json(doc: &Value) -> Vec<u8> {
    match doc {
        Value::Object(map) if !map.contains_key("@context") => {
            let body = serde_json::to_vec(doc).unwrap_or_default();
            let mut out = Vec::with_capacity(body.len() + CONTEXT_JSON.len() + 14);
            out.extend_from_slice(b"{\"@context\":");
            out.extend_from_slice(CONTEXT_JSON.as_bytes());
            match body.get(1..) {
                Some(rest) if !map.is_empty() => {
                    out.push(b',');
                    out.extend_from_slice(rest);
                }
                _ => out.push(b'}'),
            }
            out
        }
        _ => serde_json::to_vec(&with_context(doc.clone())).unwrap_or_default(),
    }
}

/// How an outgoing activity is stored: a document in the default context leaves the
/// context out (its absence refers to it, 1.8 KB saved per row); one with a context of its
/// own, or an integrity proof made over the context, is kept whole.
pub fn for_storage(doc: Value) -> Value {
    match doc {
        Value::Object(map) if !map.contains_key("@context") && !map.contains_key("proof") => {
            Value::Object(map)
        }
        other => with_context(other),
    }
}

/// A stored activity as it goes on the wire: what `for_storage` took out is put back.
pub fn stored_to_wire(stored: &str) -> Vec<u8> {
    if stored.starts_with("{\"@context\"") {
        return stored.as_bytes().to_vec();
    }
    match serde_json::from_str::<Value>(stored) {
        Ok(doc) => to_wire_json(&doc),
        Err(_) => stored.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spliced_context_is_byte_for_byte_with_context() {
        for doc in [
            json!({ "id": "https://a.example/1", "type": "Note", "content": "hola" }),
            json!({}),
            json!({ "@context": "https://www.w3.org/ns/activitystreams", "type": "Like" }),
        ] {
            assert_eq!(
                to_wire_json(&doc),
                serde_json::to_vec(&with_context(doc.clone())).unwrap()
            );
            let stored = for_storage(doc.clone()).to_string();
            assert_eq!(stored_to_wire(&stored), to_wire_json(&doc));
        }
        let plain = for_storage(json!({ "type": "Follow" })).to_string();
        assert!(
            !plain.contains("@context"),
            "the default context is not stored"
        );
        let proven = for_storage(json!({ "type": "Create", "proof": {} })).to_string();
        assert!(
            proven.starts_with("{\"@context\""),
            "a proof keeps its context"
        );
    }
}
