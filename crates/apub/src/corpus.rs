//! Reads any ActivityPub document the way the inbox and fetcher would, without storing it:
//! it says what the document is, or why it would be ignored. Used on real-world corpora.

use crate::protocol::{
    activities::parse_envelope,
    actor::{ACTOR_TYPES, parse_remote_actor},
    helpers::type_of,
    note::{POST_TYPES, parse_remote_post},
};
use serde_json::Value;

#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    Actor(String),
    Post(String),
    Activity { kind: String, handled: bool },
    Collection(String),
    Ignored(String),
}

const HANDLED: [&str; 14] = [
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Block", "Join", "Invite",
    "Leave", "Remove", "Announce", "Ignore",
];

pub fn read_document(doc: &Value) -> Reading {
    let Some(kind) = type_of(doc) else {
        return Reading::Ignored("no type".into());
    };
    if ACTOR_TYPES.contains(&kind) {
        return match parse_remote_actor(doc) {
            Ok(actor) => Reading::Actor(actor.id.to_string()),
            Err(reason) => Reading::Ignored(reason),
        };
    }
    if kind == "Event" {
        // Events are calls to action, read by their own parser.
        return match crate::protocol::event::parse_remote_event(doc) {
            Ok(event) => Reading::Post(event.id.to_string()),
            Err(reason) => Reading::Ignored(reason),
        };
    }
    if POST_TYPES.contains(&kind) || kind == "ChatMessage" {
        return match parse_remote_post(doc) {
            Ok(post) => Reading::Post(post.id.to_string()),
            Err(reason) => Reading::Ignored(reason),
        };
    }
    if kind == "Tombstone" {
        return Reading::Ignored("a Tombstone is only read inside a Delete".into());
    }
    if kind.contains("Collection") {
        return Reading::Collection(kind.to_string());
    }
    match parse_envelope(doc) {
        Ok(envelope) => {
            let handled = HANDLED.contains(&envelope.kind.as_str());
            Reading::Activity {
                kind: envelope.kind,
                handled,
            }
        }
        Err(reason) => Reading::Ignored(format!("{kind}: {reason}")),
    }
}
