//! What staff type: Markdown with #hashtags and @name@domain mentions, in a language.

use crate::{
    error::{Error, Result},
    handle::Handle,
    sanitize::clean_html,
};

/// Hashtags in the text, lower-cased, without `#`, each once, in order of appearance.
pub fn hashtags(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (i, _) in text.match_indices('#') {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '&' || c == '/') {
            continue;
        }
        let tag: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if tag.is_empty() || tag.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let tag = tag.to_lowercase();
        if !found.contains(&tag) {
            found.push(tag);
        }
    }
    found
}

/// `@name@domain` mentions in the text, each once.
pub fn mentions(text: &str) -> Vec<Handle> {
    let mut found: Vec<Handle> = Vec::new();
    for (i, _) in text.match_indices('@') {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '@' || c == '.' || c == '_') {
            continue;
        }
        let candidate: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '-' | ':'))
            .collect();
        let candidate = candidate.trim_end_matches(['.', ':', '-']);
        if candidate.matches('@').count() != 1 {
            continue;
        }
        if let Ok(handle) = Handle::parse(candidate)
            && !found.contains(&handle)
        {
            found.push(handle);
        }
    }
    found
}

/// Renders Markdown to sanitized HTML; hashtags link to `tag_base/{tag}` and mentions to
/// the actor URLs given (`(handle, url)` pairs already resolved).
pub fn render(text: &str, tag_base: &str, mentioned: &[(Handle, String)]) -> String {
    let mut linked = text.replace("\r\n", "\n");
    for (handle, url) in mentioned {
        let typed = format!("@{}", handle.acct());
        linked = linked.replace(&typed, &format!("[@{}]({url})", handle.name));
    }
    let mut out = String::new();
    for tag in hashtags(text) {
        // Replace case-insensitively only whole `#tag` words, leaving the rest untouched.
        out.clear();
        let mut rest = linked.as_str();
        while let Some(pos) = rest.to_lowercase().find(&format!("#{tag}")) {
            let end = pos + 1 + tag.len();
            let after = rest[end..].chars().next();
            out.push_str(&rest[..pos]);
            if after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                out.push_str(&rest[pos..end]);
            } else {
                out.push_str(&format!("[#{}]({tag_base}/{tag})", &rest[pos + 1..end]));
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        linked = out.clone();
    }
    let parser =
        pulldown_cmark::Parser::new_ext(&linked, pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, autolink(parser));
    clean_html(&html)
}

/// Plain text as HTML: escaped, with its `http(s)://` addresses as links.
pub fn linkify_text(text: &str) -> String {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for link in finder.links(text) {
        let url = link.as_str();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            continue;
        }
        out.push_str(&crate::sanitize::escape(&text[from..link.start()]));
        let escaped = crate::sanitize::escape(url);
        out.push_str(&format!("<a href=\"{escaped}\">{escaped}</a>"));
        from = link.end();
    }
    out.push_str(&crate::sanitize::escape(&text[from..]));
    out
}

/// Bare `http(s)://` addresses in text become links, as Mastodon links them in posts;
/// text already in a link or in code is left alone.
fn autolink<'a>(
    events: impl Iterator<Item = pulldown_cmark::Event<'a>>,
) -> impl Iterator<Item = pulldown_cmark::Event<'a>> {
    use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut inside = 0usize;
    events.flat_map(move |event| {
        let mut out = Vec::new();
        match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::CodeBlock(_) | Tag::Image { .. })) => {
                inside += 1;
                out.push(Event::Start(tag));
            }
            Event::End(end @ (TagEnd::Link | TagEnd::CodeBlock | TagEnd::Image)) => {
                inside = inside.saturating_sub(1);
                out.push(Event::End(end));
            }
            Event::Text(text) if inside == 0 => {
                let mut rest_from = 0;
                for link in finder.links(&text) {
                    let url = link.as_str();
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        continue;
                    }
                    if link.start() > rest_from {
                        out.push(Event::Text(CowStr::from(
                            text[rest_from..link.start()].to_string(),
                        )));
                    }
                    out.push(Event::Start(Tag::Link {
                        link_type: LinkType::Autolink,
                        dest_url: CowStr::from(url.to_string()),
                        title: CowStr::from(""),
                        id: CowStr::from(""),
                    }));
                    out.push(Event::Text(CowStr::from(url.to_string())));
                    out.push(Event::End(TagEnd::Link));
                    rest_from = link.end();
                }
                if rest_from == 0 {
                    out.push(Event::Text(text));
                } else if rest_from < text.len() {
                    out.push(Event::Text(CowStr::from(text[rest_from..].to_string())));
                }
            }
            other => out.push(other),
        }
        out
    })
}

/// A language tag as in BCP 47 (`es`, `fr`, `pt-BR`, `ar`), normalized.
pub fn language(tag: &str) -> Result<String> {
    let tag = tag.trim();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        return Err(Error::bad_request(format!(
            "{tag:?} is not a language tag (use es, fr, en, ar, pt-BR…)"
        )));
    }
    let mut normalized = primary.to_ascii_lowercase();
    for part in tag.split('-').skip(1) {
        normalized.push('-');
        normalized.push_str(&if part.len() == 2 {
            part.to_ascii_uppercase()
        } else {
            part.to_string()
        });
    }
    Ok(normalized)
}

/// A self-contained plain-text summary of at most `max` characters, for readers (like
/// Mastodon) that show only the summary of an article.
pub fn excerpt(html: &str, max: usize) -> String {
    let plain = crate::sanitize::strip_html(html);
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if plain.chars().count() <= max {
        return plain;
    }
    let cut: String = plain.chars().take(max.saturating_sub(1)).collect();
    let cut = cut
        .rsplit_once(' ')
        .map(|(head, _)| head.to_string())
        .unwrap_or(cut);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hashtags_and_mentions() {
        let text = "Marcha #Migrantes y #DerechosHumanos con @red@alianza.example, no #123 ni a#b #migrantes";
        assert_eq!(hashtags(text), vec!["migrantes", "derechoshumanos"]);
        let found = mentions(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].acct(), "red@alianza.example");
        assert!(mentions("mail me at a@b.example").is_empty());
    }

    #[test]
    fn renders_markdown_with_links_and_no_scripts() {
        let handle = Handle::parse("red@alianza.example").unwrap();
        let html = render(
            "**Urgente**: #Migrantes con @red@alianza.example <script>x</script>",
            "https://p.example/tags",
            &[(handle, "https://alianza.example/actors/red".into())],
        );
        assert!(html.contains("<strong>Urgente</strong>"), "{html}");
        assert!(
            html.contains(r#"href="https://p.example/tags/migrantes""#),
            "{html}"
        );
        assert!(
            html.contains(r#"href="https://alianza.example/actors/red""#),
            "{html}"
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn bare_urls_become_links_but_not_in_code_or_links() {
        let html = render(
            "Informe: https://ngo.example/informe-2026. Y [aquí](https://a.example/x) `https://code.example` www.no-scheme.example",
            "https://p.example/tags",
            &[],
        );
        assert!(
            html.contains(r#"<a href="https://ngo.example/informe-2026""#),
            "{html}"
        );
        assert!(
            html.contains(">https://ngo.example/informe-2026</a>."),
            "{html}"
        );
        assert_eq!(html.matches("https://a.example/x").count(), 1, "{html}");
        assert!(!html.contains(r#"href="https://code.example"#), "{html}");
        assert!(!html.contains("href=\"www."), "{html}");
    }

    #[test]
    fn plain_text_is_escaped_and_linked() {
        assert_eq!(
            linkify_text("Sat <14:00> · Pledge: https://x.example/c/1?a=1&b=2"),
            "Sat &lt;14:00&gt; · Pledge: <a href=\"https://x.example/c/1?a=1&amp;b=2\">https://x.example/c/1?a=1&amp;b=2</a>"
        );
    }

    #[test]
    fn languages_and_excerpts() {
        assert_eq!(language("pt-br").unwrap(), "pt-BR");
        assert_eq!(language("AR").unwrap(), "ar");
        assert!(language("spanish language").is_err());
        assert_eq!(excerpt("<p>uno dos tres cuatro</p>", 12), "uno dos…");
    }
}
