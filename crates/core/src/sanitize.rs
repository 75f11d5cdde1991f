//! Remote HTML is cleaned with ammonia before it is stored or shown.

use std::collections::{HashMap, HashSet};

/// Keeps the markup Mastodon and friends send in posts (paragraphs, links, mentions,
/// hashtags, lists, quotes, code); drops scripts, styles, images and event handlers.
pub fn clean_html(input: &str) -> String {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    ]
    .into_iter()
    .collect();
    // Only these attributes: ammonia's defaults also keep `title` and `lang` on every tag
    // and `hreflang`, `cite`, `datetime` or `start` on some, none of which a post needs.
    let attributes: HashMap<&str, HashSet<&str>> = [
        ("a", ["href", "class"].into_iter().collect()),
        ("span", ["class"].into_iter().collect()),
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(attributes)
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(input)
        .to_string()
}

/// A link taken from remote data, if it is safe to put in an `href` or `src`: only absolute
/// `http`, `https` (and, for links, `mailto`) URLs; `javascript:`, `data:` and the rest are
/// dropped.
pub fn safe_link(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
}

/// Like [`safe_link`], for images: only `http` and `https`.
pub fn safe_image(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text for an ActivityStreams field that consumers read as HTML (`summary`): only
/// what would become markup is escaped, so the text reads the same everywhere.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A single-line field (an iCalendar SUMMARY or LOCATION, a feed title): line breaks and
/// other control characters become spaces, so the value can never start a new line.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Multi-line text for formats that escape `\n` themselves (iCalendar DESCRIPTION, XML):
/// CR LF and lone CR become LF; other control characters (tabs aside) are dropped.
pub fn plain_lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// Plain text typed by local staff becomes escaped HTML paragraphs (blank lines separate
/// paragraphs, single newlines become line breaks).
pub fn text_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", escape(p.trim())))
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
        let dirty =
            r#"<p onclick="x()">Hola <script>alert(1)</script><a href="javascript:x">y</a></p>"#;
        let clean = clean_html(dirty);
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("javascript"));
        assert!(clean.contains("Hola"));
    }

    #[test]
    fn only_link_and_class_attributes_survive() {
        // Found by the sanitizer fuzz target: a title inside a mention's h-card.
        let html = clean_html(
            r#"<p lang="es" title="t"><a href="https://m.example/@ana" title="u-url" hreflang="es">@ana</a> <ol start="3"><li>x</li></ol><blockquote cite="https://x.example">q</blockquote></p>"#,
        );
        for attribute in ["title", "lang", "hreflang", "start", "cite"] {
            assert!(!html.contains(attribute), "{attribute} kept in {html}");
        }
        assert!(html.contains(r#"href="https://m.example/@ana""#), "{html}");
    }

    #[test]
    fn only_web_and_mail_links_survive() {
        assert_eq!(
            safe_link("https://a.example/x").as_deref(),
            Some("https://a.example/x")
        );
        assert!(safe_link("mailto:a@b.example").is_some());
        assert!(safe_link("javascript:alert(document.domain)").is_none());
        assert!(safe_link(" JavaScript:alert(1)").is_none());
        assert!(safe_link("data:text/html,x").is_none());
        assert!(safe_link("/relative").is_none());
        assert!(safe_image("mailto:a@b.example").is_none());
    }

    #[test]
    fn single_lines_cannot_break_and_markup_is_escaped() {
        assert_eq!(one_line("a\r\nSUMMARY:x\ry\nz"), "a  SUMMARY:x y z");
        assert_eq!(plain_lines("a\r\nb\rc\u{1}d"), "a\nb\ncd");
        assert_eq!(
            escape_markup("<img src=x onerror=alert(1)> & 'q'"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; 'q'"
        );
    }

    #[test]
    fn text_becomes_escaped_paragraphs() {
        assert_eq!(
            text_to_html("a <b>\n\nc\nd"),
            "<p>a &lt;b&gt;</p><p>c<br>d</p>"
        );
    }
}
