//! WebFinger both ways: the `acct:` handles we are asked about and parse, and the JRD
//! answers of other servers we read actor links and subscribe templates from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use puentes_core::handle::Handle;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let resource = text.trim();
        let _ = Handle::parse(resource.strip_prefix("acct:").unwrap_or(resource));
    }
    if let Ok(jrd) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Some(link) = puentes_apub::fetch::actor_link(&jrd) {
            assert!(!link.as_str().is_empty());
        }
        let _ = puentes_apub::subscribe::template_of(&jrd);
    }
});
