//! Remote HTML and local text through the sanitizer and the text renderers: what comes
//! out never carries a script, an event handler or a `javascript:` link.
#![no_main]

use libfuzzer_sys::fuzz_target;
use puentes_core::{sanitize, text};

fuzz_target!(|input: &str| {
    let clean = sanitize::clean_html(input);
    let lower = clean.to_ascii_lowercase();
    // Text may say anything (escaped); markup may only be what the allow-list keeps.
    for banned in ["<script", "<img", "<style", "<iframe", "href=\"javascript:", "href=\"data:"] {
        assert!(!lower.contains(banned), "{banned} in {clean}");
    }
    let _ = sanitize::strip_html(input);
    if let Some(link) = sanitize::safe_link(input) {
        assert!(
            link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:"),
            "{link}"
        );
    }
    let line = sanitize::one_line(input);
    assert!(!line.contains('\r') && !line.contains('\n'));
    let escaped = sanitize::escape_markup(input);
    assert!(!escaped.contains('<'));
    let html = sanitize::text_to_html(input);
    assert!(!html.to_ascii_lowercase().contains("<script"));
    let linked = text::linkify_text(input);
    assert!(!linked.to_ascii_lowercase().contains("<script"), "{linked}");
});
