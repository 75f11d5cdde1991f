//! Remote HTML and local text through the sanitizer and the text renderers: what comes
//! out never carries a script, an event handler or a `javascript:` link.
#![no_main]

use libfuzzer_sys::fuzz_target;
use puentes_core::{sanitize, text};

const TAGS: &[&str] = &[
    "p", "br", "a", "span", "strong", "b", "em", "i", "u", "s", "del", "ul", "ol", "li",
    "blockquote", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
];
const ATTRIBUTES: &[&str] = &["href", "class", "rel"];

/// Is this link one a browser would follow to http, https or mailto (or a relative one)?
fn safe_href(value: &str) -> bool {
    // The URL standard: C0 controls and spaces around the value are trimmed, and tabs and
    // newlines inside it removed, before the scheme is read.
    let squeezed: String = value
        .replace("&amp;", "&")
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = squeezed.find(':');
    let path_start = squeezed.find(['/', '?', '#']).unwrap_or(usize::MAX);
    match scheme_end {
        Some(end) if end < path_start && is_scheme(&squeezed[..end]) => {
            ["http", "https", "mailto"].contains(&&squeezed[..end])
        }
        // No scheme a browser would read: a relative link.
        _ => true,
    }
}

/// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Reads the sanitizer's output as the serializer writes it: text has `<` escaped, so every
/// `<` opens a tag, and attribute values are double-quoted with `"` escaped. Checks every tag
/// and attribute against the allow-list.
fn check_markup(html: &str) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let body = rest.strip_prefix('/').unwrap_or(rest);
        let name_end = body.find([' ', '>', '/']).unwrap_or(body.len());
        let name = &body[..name_end];
        assert!(TAGS.contains(&name), "tag <{name}> in {html}");
        rest = &body[name_end..];
        loop {
            rest = rest.trim_start_matches(' ');
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            if let Some(after) = rest.strip_prefix("/>") {
                rest = after;
                break;
            }
            let eq = rest.find('=').unwrap_or_else(|| panic!("attribute without value in {html}"));
            let attribute = &rest[..eq];
            assert!(ATTRIBUTES.contains(&attribute), "attribute {attribute} in {html}");
            let quoted = rest[eq + 1..]
                .strip_prefix('"')
                .unwrap_or_else(|| panic!("unquoted attribute in {html}"));
            let close = quoted.find('"').unwrap_or_else(|| panic!("open quote in {html}"));
            let value = &quoted[..close];
            if attribute == "href" {
                assert!(safe_href(value), "href={value:?} in {html}");
            }
            rest = &quoted[close + 1..];
        }
    }
}

fuzz_target!(|input: &str| {
    check_markup(&sanitize::clean_html(input));
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
    check_markup(&sanitize::text_to_html(input));
    check_markup(&text::linkify_text(input));
});
