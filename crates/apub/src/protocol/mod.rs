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

pub use puentes_core::content::{PUBLIC, is_public_address};
pub const PUENTES_NS: &str = "https://puentes.network/ns#";

/// The `@context` of every document we serve.
pub fn context() -> Value {
    let mut context = json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://w3id.org/security/multikey/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "puentes": PUENTES_NS,
            "members": { "@id": "puentes:members", "@type": "@id" },
            "endorsements": { "@id": "toot:endorsements", "@type": "@id" }
        }
    ]);
    if let Some(Value::Object(terms)) = context.get_mut(3) {
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
