//! Remote HTML is cleaned with ammonia before it is stored or shown.

use std::collections::HashSet;

/// Keeps the markup Mastodon and friends send in posts (paragraphs, links, mentions,
/// hashtags, lists, quotes, code); drops scripts, styles, images and event handlers.
pub fn clean_html(input: &str) -> String {
    let tags: HashSet<&str> = [
        "p", "br", "a", "span", "strong", "b", "em", "i", "u", "s", "del", "ul", "ol", "li",
        "blockquote", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .add_tag_attributes("a", &["href", "class"])
        .add_tag_attributes("span", &["class"])
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(input)
        .to_string()
}

/// Plain text typed by local staff becomes safe HTML paragraphs.
pub fn text_to_html(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", ammonia::clean_text(p.trim()).replace("&#10;", "<br>")))
        .collect()
}

/// For summaries, titles and HTML-less contexts.
pub fn strip_html(input: &str) -> String {
    ammonia::Builder::empty().clean(input).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let dirty = r#"<p onclick="x()">Hola <script>alert(1)</script><a href="javascript:x">y</a></p>"#;
        let clean = clean_html(dirty);
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("javascript"));
        assert!(clean.contains("Hola"));
    }

    #[test]
    fn text_becomes_escaped_paragraphs() {
        assert_eq!(text_to_html("a <b>\n\nc"), "<p>a &lt;b&gt;</p><p>c</p>");
    }
}
