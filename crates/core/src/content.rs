//! What a post or call carries besides its text: tags, attachments and addressees, as
//! domain values. Their serde shape is the one stored since the first release (and close to
//! what travels), so no migration was needed to type them.

use serde::{Deserialize, Serialize};

/// The public collection: an addressee meaning "everyone".
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// `Public`, `as:Public` and the full IRI all mean everyone.
pub fn is_public_address(address: &str) -> bool {
    matches!(address, PUBLIC | "Public" | "as:Public")
}

/// Who a new local post is addressed to, by visibility: `(to, cc)` of ids, where
/// `followers` is the author's followers collection.
pub fn addressing(visibility: crate::Visibility, followers: &str) -> (Vec<String>, Vec<String>) {
    use crate::Visibility::*;
    match visibility {
        Unlisted => (vec![followers.to_string()], vec![PUBLIC.to_string()]),
        Followers => (vec![followers.to_string()], vec![]),
        Members | Direct => (vec![], vec![]),
        Public => (vec![PUBLIC.to_string()], vec![followers.to_string()]),
    }
}

/// The visibility a post's addressing gives it (for posts from elsewhere).
pub fn visibility_of(
    to: &[String],
    cc: &[String],
    followers_url: Option<&str>,
) -> crate::Visibility {
    use crate::Visibility::*;
    if to.iter().any(|a| a.ends_with("/members"))
        && !to.iter().chain(cc).any(|a| is_public_address(a))
    {
        Members
    } else if to.iter().any(|a| is_public_address(a)) {
        Public
    } else if cc.iter().any(|a| is_public_address(a)) {
        Unlisted
    } else if followers_url.is_some_and(|f| to.iter().chain(cc).any(|a| a == f)) {
        Followers
    } else {
        Direct
    }
}

/// A hashtag or a mention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Tag {
    /// `name` is `#tag`; `href` the tag's page.
    Hashtag { name: String, href: Option<String> },
    /// `name` is `@name@domain`; `href` the actor's id.
    Mention { name: String, href: Option<String> },
}

impl Tag {
    pub fn hashtag(tag: &str, tag_base: &str) -> Tag {
        Tag::Hashtag {
            name: format!("#{tag}"),
            href: Some(format!("{tag_base}/{tag}")),
        }
    }

    pub fn mention(acct: &str, actor_id: &str) -> Tag {
        Tag::Mention {
            name: format!("@{acct}"),
            href: Some(actor_id.to_string()),
        }
    }

    /// Tags as stored: entries of other kinds (written by other software) are skipped one
    /// by one rather than losing the list.
    pub fn list_from_stored(json: &str) -> Vec<Tag> {
        let items: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
        items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect()
    }

    /// The hashtag without `#`, lower-cased.
    pub fn hashtag_name(&self) -> Option<String> {
        match self {
            Tag::Hashtag { name, .. } => Some(name.trim_start_matches('#').to_lowercase()),
            Tag::Mention { .. } => None,
        }
    }
}

/// A file shown with a post: an image (with its alt text), a video, a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Image, Video, Audio or Document.
    #[serde(rename = "type", default = "document")]
    pub kind: String,
    #[serde(default)]
    pub media_type: Option<String>,
    pub url: String,
    /// The alt text: what the file shows, for people who cannot see it.
    #[serde(rename = "name", default)]
    pub alt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i32>,
}

fn document() -> String {
    "Document".into()
}

impl Attachment {
    pub fn list_from_stored(json: &str) -> Vec<Attachment> {
        let items: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
        items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect()
    }

    pub fn is_image(&self) -> bool {
        self.kind == "Image"
            || self
                .media_type
                .as_deref()
                .is_some_and(|t| t.starts_with("image/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tags_keep_their_shape_and_skip_strangers() {
        let stored = r##"[{"type":"Hashtag","name":"#migra","href":"http://x/tags/migra"},
                          {"type":"Emoji","name":":blob:"},
                          {"type":"Mention","name":"@a@b","href":"http://b/actors/a"}]"##;
        let tags = Tag::list_from_stored(stored);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0].hashtag_name().as_deref(), Some("migra"));
        let back = serde_json::to_value(&tags[1]).unwrap();
        assert_eq!(back["type"], "Mention");
        assert_eq!(back["href"], "http://b/actors/a");
    }

    #[test]
    fn attachments_round_trip_with_alt_text_as_name() {
        let stored = r#"[{"type":"Image","mediaType":"image/jpeg","url":"http://x/media/a.jpg","name":"Banner","width":10,"height":5}]"#;
        let list = Attachment::list_from_stored(stored);
        assert_eq!(list[0].alt.as_deref(), Some("Banner"));
        assert!(list[0].is_image());
        let back = serde_json::to_value(&list[0]).unwrap();
        assert_eq!(back["name"], "Banner");
        assert_eq!(back["mediaType"], "image/jpeg");
    }
}
