//! What the inbox does with a body before any signature is checked: JSON, the envelope,
//! and the object readers (actors, posts, events, statements).
#![no_main]

use libfuzzer_sys::fuzz_target;
use puentes_apub::protocol::{activities, actor, event, note, statement};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = activities::parse_envelope(&doc);
    let _ = actor::parse_remote_actor(&doc);
    let _ = note::parse_remote_post(&doc);
    let _ = event::parse_remote_event(&doc);
    let _ = statement::parse_statement(&doc);
    let _ = statement::parse_endorse(&doc);
    if let Some(object) = doc.get("object") {
        let _ = actor::parse_remote_actor(object);
        let _ = note::parse_remote_post(object);
        let _ = event::parse_remote_event(object);
    }
});
