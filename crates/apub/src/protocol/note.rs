//! Posts on the wire: `Note`, `Article`, `Page` and friends, read into one shape.

use super::helpers::{addresses_of, id_of, page_url_of, string_of, type_of};
use chrono::{DateTime, Utc};
use puentes_core::content::{Attachment, Tag};
use serde_json::Value;
use std::collections::BTreeMap;
use url::Url;

pub const POST_TYPES: [&str; 6] = ["Note", "Article", "Page", "Question", "Event", "Video"];

#[derive(Debug, Clone)]
pub struct RemotePost {
    pub id: Url,
    pub kind: String,
    pub attributed_to: Url,
    /// Sanitized HTML.
    pub content: String,
    pub summary: Option<String>,
    pub name: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub in_reply_to: Option<Url>,
    pub url: Option<Url>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Sanitized HTML per language, when the post has several.
    pub content_map: Option<BTreeMap<String, String>>,
    /// Hashtag and Mention tags (name and href only).
    pub tags: Vec<Tag>,
    pub audience: Option<Url>,
    /// Images and documents: type, media type, url, alt text.
    pub attachments: Vec<Attachment>,
}

pub fn parse_remote_post(doc: &Value) -> Result<RemotePost, String> {
    let kind = type_of(doc).ok_or("object has no type")?.to_string();
    if !POST_TYPES.contains(&kind.as_str()) {
        return Err(format!("{kind} objects are not stored as posts"));
    }
    let id = doc.get("id").and_then(id_of).ok_or("object has no id")?;
    // attributedTo may list several actors (PeerTube: the channel and the account); the
    // first Person-like one is the author.
    let attributed_to = match doc.get("attributedTo") {
        Some(Value::Array(items)) => items
            .iter()
            .find(|i| type_of(i).is_none_or(|t| t == "Person"))
            .and_then(id_of)
            .or_else(|| items.iter().find_map(id_of)),
        Some(v) => id_of(v),
        None => None,
    }
    .ok_or("object has no attributedTo")?;
    let (content, language) = match (string_of(doc, "content"), doc.get("contentMap")) {
        (content, Some(Value::Object(map))) => {
            let first = map.iter().next();
            let lang = first.map(|(k, _)| k.clone());
            let text = content.or_else(|| first.and_then(|(_, v)| v.as_str().map(str::to_string)));
            (text.unwrap_or_default(), lang)
        }
        (content, _) => (content.unwrap_or_default(), None),
    };
    let parse_time = |key: &str| {
        string_of(doc, key)
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    let content_map = match doc.get("contentMap") {
        Some(Value::Object(map)) if map.len() > 1 => Some(
            map.iter()
                .filter_map(|(lang, html)| {
                    Some((
                        lang.clone(),
                        puentes_core::sanitize::clean_html(html.as_str()?),
                    ))
                })
                .collect(),
        ),
        _ => None,
    };
    let tags = match doc.get("tag") {
        Some(Value::Array(items)) => items.iter().filter_map(tag_of).collect(),
        Some(item) => tag_of(item).into_iter().collect(),
        None => Vec::new(),
    };
    let attachments = match doc.get("attachment") {
        Some(Value::Array(items)) => items.iter().filter_map(attachment_of).collect(),
        Some(item) => attachment_of(item).into_iter().collect(),
        None => Vec::new(),
    };
    Ok(RemotePost {
        attachments,
        content_map,
        tags,
        audience: doc.get("audience").and_then(id_of),
        kind,
        attributed_to,
        content: puentes_core::sanitize::clean_html(&content),
        summary: string_of(doc, "summary")
            .filter(|s| !s.is_empty())
            .map(|s| puentes_core::sanitize::clean_html(&s)),
        name: string_of(doc, "name").map(|s| puentes_core::sanitize::strip_html(&s)),
        language,
        sensitive: doc
            .get("sensitive")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        in_reply_to: doc.get("inReplyTo").and_then(id_of),
        url: page_url_of(doc.get("url")),
        to: addresses_of(doc.get("to")),
        cc: addresses_of(doc.get("cc")),
        published: parse_time("published"),
        updated: parse_time("updated"),
        id,
    })
}

/// Keeps what a reader needs of an attachment: kind, media type, URL and alt text.
fn attachment_of(item: &Value) -> Option<Attachment> {
    let url = match item.get("url") {
        Some(u) => id_of(u),
        None => id_of(item),
    }?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let dimension = |key: &str| {
        item.get(key)
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
    };
    Some(Attachment {
        kind: type_of(item).unwrap_or("Document").to_string(),
        media_type: string_of(item, "mediaType"),
        url: url.to_string(),
        alt: string_of(item, "name").map(|n| puentes_core::sanitize::strip_html(&n)),
        width: dimension("width"),
        height: dimension("height"),
    })
}

/// Keeps the parts of a Hashtag or Mention tag we show; other tags (emoji…) are dropped.
fn tag_of(tag: &Value) -> Option<Tag> {
    let name = string_of(tag, "name").map(|n| puentes_core::sanitize::strip_html(&n))?;
    let href = tag
        .get("href")
        .and_then(id_of)
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from);
    match type_of(tag)? {
        "Hashtag" => Some(Tag::Hashtag { name, href }),
        "Mention" => Some(Tag::Mention { name, href }),
        _ => None,
    }
}

/// public, unlisted, followers, members or direct, from the addressing.
pub use puentes_core::content::visibility_of as visibility;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_is_sanitized_and_visibility_read() {
        let doc = json!({
            "id": "https://a.example/n/1", "type": "Note", "attributedTo": "https://a.example/u/x",
            "content": "<p>hola<script>x</script></p>", "to": "as:Public"
        });
        let post = parse_remote_post(&doc).unwrap();
        assert_eq!(post.content, "<p>hola</p>");
        assert_eq!(
            visibility(&post.to, &post.cc, None),
            puentes_core::Visibility::Public
        );
        assert_eq!(
            visibility(
                &[],
                &["https://a.example/u/x/followers".into()],
                Some("https://a.example/u/x/followers")
            ),
            puentes_core::Visibility::Followers
        );
    }
}
