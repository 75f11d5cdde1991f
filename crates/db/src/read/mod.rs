//! The read model of the public pages and feeds: one function per page, each answering with
//! a fixed number of joined queries (never one per row), and view structs that the web
//! crate hands to its templates as they are.
//!
//! Remote data is untrusted: links and image addresses pass [`safe_link`]/[`safe_image`]
//! here (only http, https and mailto survive), HTML stays as sanitized on the way in and is
//! sanitized again by the templates, and plain-text fields stay plain text.

pub mod api;
pub mod network;
pub mod pages;
pub mod queues;

use crate::{actor, post};
use chrono::{DateTime, Utc};
use puentes_core::sanitize::{safe_image, safe_link};
use serde::Serialize;

/// The most posts a page or feed lists at once.
pub const PAGE_SIZE: u64 = 20;
/// Highest page number accepted (pagination never computes an offset that overflows).
pub const MAX_PAGE: u64 = 500;

/// `?page=` as given, clamped to `1..=MAX_PAGE`.
pub fn page_number(page: Option<u64>) -> u64 {
    page.unwrap_or(1).clamp(1, MAX_PAGE)
}

/// An organization or alliance as pages name and link it.
#[derive(Debug, Clone, Serialize)]
pub struct ActorRef {
    pub name: String,
    /// `@user@domain`
    pub handle: String,
    /// Its web page (ours, or the remote one when it is safe to link).
    pub link: Option<String>,
    pub avatar: Option<String>,
    pub alliance: bool,
    pub local: bool,
    pub ap_id: String,
}

impl ActorRef {
    pub fn of(a: &actor::Model) -> ActorRef {
        ActorRef {
            name: display_name(a),
            handle: format!("@{}@{}", a.username, a.domain),
            link: a
                .url
                .as_deref()
                .and_then(safe_link)
                .or_else(|| safe_link(&a.ap_id)),
            avatar: a.icon_url.as_deref().and_then(safe_image),
            alliance: a.is_alliance(),
            local: a.local,
            ap_id: a.ap_id.clone(),
        }
    }
}

pub fn display_name(a: &actor::Model) -> String {
    a.display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| a.username.clone())
}

/// One language of a text. `html` was sanitized when stored.
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub lang: Option<String>,
    pub html: String,
}

/// The texts of something written in one or several languages, the reader's language
/// first, then the declared language, then the rest in a stable order.
pub fn texts(
    language: Option<&str>,
    content: &str,
    map: Option<std::collections::BTreeMap<String, String>>,
    prefer: &str,
) -> Vec<Text> {
    let mut out: Vec<Text> = match map.filter(|m| !m.is_empty()) {
        Some(map) => map
            .into_iter()
            .map(|(lang, html)| Text {
                lang: Some(lang),
                html,
            })
            .collect(),
        None => vec![Text {
            lang: language.map(str::to_string),
            html: content.to_string(),
        }],
    };
    let rank = |t: &Text| -> u8 {
        let lang = t.lang.as_deref().unwrap_or("");
        if primary(lang) == prefer {
            0
        } else if language.is_some_and(|l| l == lang) {
            1
        } else {
            2
        }
    };
    out.sort_by_key(rank);
    out
}

fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// An image attached to a post, with its alt text.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub url: String,
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

fn attachments(row: &post::Model) -> Vec<Attachment> {
    row.attachments()
        .iter()
        .filter(|a| a.is_image())
        .filter_map(|a| {
            Some(Attachment {
                url: safe_image(&a.url)?,
                alt: a.alt.clone().unwrap_or_default().trim().to_string(),
                width: a.width.and_then(|w| u32::try_from(w).ok()),
                height: a.height.and_then(|h| u32::try_from(h).ok()),
            })
        })
        .collect()
}

/// Hashtag names that can be put in a link as they are.
pub(crate) fn hashtags(tags: &[puentes_core::content::Tag]) -> Vec<String> {
    tags.iter()
        .filter_map(|t| t.hashtag_name())
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect()
}

/// A post as pages and feeds show it.
#[derive(Debug, Clone, Serialize)]
pub struct PostView {
    pub ap_id: String,
    /// Where a reader opens it: our page for local posts, the origin's page otherwise.
    pub link: Option<String>,
    pub author: ActorRef,
    /// An article's title.
    pub title: Option<String>,
    /// An article's summary or a note's content warning, plain text.
    pub summary: Option<String>,
    pub sensitive: bool,
    pub texts: Vec<Text>,
    pub attachments: Vec<Attachment>,
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    /// Set on an alliance's page for the member posts it relayed.
    pub relayed_by: Option<ActorRef>,
    pub in_reply_to: Option<String>,
    pub hashtags: Vec<String>,
}

impl PostView {
    pub fn of(row: &post::Model, author: &actor::Model, prefer: &str) -> PostView {
        let link = row
            .url
            .as_deref()
            .and_then(safe_link)
            .or_else(|| safe_link(&row.ap_id));
        let hashtags = hashtags(&row.tags());
        PostView {
            ap_id: row.ap_id.clone(),
            link,
            author: ActorRef::of(author),
            title: row.name.clone().filter(|n| !n.trim().is_empty()),
            summary: row.summary.clone().filter(|s| !s.trim().is_empty()),
            sensitive: row.sensitive,
            texts: texts(
                row.language.as_deref(),
                &row.content,
                row.content_map(),
                prefer,
            ),
            attachments: attachments(row),
            published: row.published,
            updated: row.updated_at,
            relayed_by: None,
            in_reply_to: row.in_reply_to.as_deref().and_then(safe_link),
            hashtags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_language_comes_first() {
        let map: std::collections::BTreeMap<String, String> = [
            ("en".to_string(), "<p>Hello</p>".to_string()),
            ("ar".to_string(), "<p>مرحبا</p>".to_string()),
            ("es".to_string(), "<p>Hola</p>".to_string()),
        ]
        .into();
        let order = |prefer| {
            texts(Some("es"), "", Some(map.clone()), prefer)
                .into_iter()
                .map(|t| t.lang.unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(order("ar"), ["ar", "es", "en"]);
        assert_eq!(order("fr"), ["es", "ar", "en"]);
        assert_eq!(texts(None, "<p>x</p>", None, "en").len(), 1);
    }

    #[test]
    fn pages_are_clamped() {
        assert_eq!(page_number(None), 1);
        assert_eq!(page_number(Some(0)), 1);
        assert_eq!(page_number(Some(u64::MAX)), MAX_PAGE);
    }
}
