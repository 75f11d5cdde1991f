//! The public pages: what anyone can read, in four languages, without JavaScript.

use crate::HttpState;
use axum::{Router, routing::get};
use puentes_core::Error;

pub mod actor;
pub mod call;
pub mod feeds;
pub mod follow;
pub mod home;
pub mod interact;
pub mod map;
pub mod post;
pub mod prefs;
pub mod statement;
pub mod tag;

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/", get(home::home))
        .route("/@{name}", get(actor::profile))
        .route("/@{name}/feed.rss", get(feeds::actor_rss))
        .route("/@{name}/feed.atom", get(feeds::actor_atom))
        .route(
            "/@{name}/follow",
            get(follow::follow_page).post(follow::follow_elsewhere),
        )
        .route("/@{name}/posts/{id}", get(post::post_page))
        .route("/@{name}/statements/{uuid}", get(statement::statement_page))
        .route("/@{name}/calls/{id}", get(call::call_page))
        .route("/tags/{tag}", get(tag::tag_page))
        .route("/tags/{tag}/feed.rss", get(feeds::tag_rss))
        .route("/tags/{tag}/feed.atom", get(feeds::tag_atom))
        .route("/feeds/statements.rss", get(feeds::statements_rss))
        .route("/feeds/statements.atom", get(feeds::statements_atom))
        .route(
            "/authorize_interaction",
            get(interact::authorize_interaction),
        )
        .route("/interact", get(interact::interact))
        .route("/lang/{code}", get(prefs::language))
        .route("/timezone", get(prefs::timezone))
}

/// Anything else is a page that does not exist (shown in the reader's language).
pub async fn not_found() -> Error {
    Error::not_found("page")
}

/// A feed linked from a page head (`<link rel="alternate">`) and its body.
#[derive(serde::Serialize)]
pub struct FeedLink {
    pub kind: &'static str,
    pub href: String,
    pub title: String,
}

pub fn feed_links(base: &str, title: &str) -> Vec<FeedLink> {
    vec![
        FeedLink {
            kind: "application/rss+xml",
            href: format!("{base}.rss"),
            title: format!("{title} (RSS)"),
        },
        FeedLink {
            kind: "application/atom+xml",
            href: format!("{base}.atom"),
            title: format!("{title} (Atom)"),
        },
    ]
}

/// A normalized hashtag from an address, or not found.
pub fn hashtag(raw: &str) -> Result<String, Error> {
    let tag = raw.trim_start_matches('#').to_lowercase();
    if tag.is_empty()
        || tag.chars().count() > 100
        || !tag.chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        return Err(Error::not_found("hashtag"));
    }
    Ok(tag)
}
