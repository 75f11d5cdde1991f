//! RSS 2.0 and Atom feeds: an actor's posts (an alliance's with the member posts it
//! relayed), a hashtag's, and this instance's joint statements. Built with the `rss` and
//! `atom_syndication` crates, which escape what they write; text is also stripped of the
//! control characters XML cannot carry.

use super::hashtag;
use crate::HttpState;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use puentes_core::{Result, sanitize};
use puentes_db::{
    query,
    read::{self, PostView, pages::StatementCard},
};

/// Text as XML 1.0 accepts it (tab, newline and carriage return are the only controls).
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// One entry, whatever the feed format.
struct Entry {
    id: String,
    title: String,
    link: Option<String>,
    author: String,
    author_link: Option<String>,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    html: String,
    categories: Vec<String>,
}

/// A feed, whatever its format.
struct Feed {
    /// The page it mirrors; also its id.
    link: String,
    /// Its own address.
    this: String,
    title: String,
    description: String,
    entries: Vec<Entry>,
}

fn escape(text: &str) -> String {
    sanitize::escape(text)
}

fn post_entry(p: &PostView) -> Entry {
    let text = p.texts.first().map(|t| t.html.as_str()).unwrap_or("");
    let mut html = String::new();
    if let Some(by) = &p.relayed_by {
        html.push_str(&format!(
            "<p>{} → {}</p>",
            escape(&p.author.name),
            escape(&by.name)
        ));
    }
    if let Some(cw) = p.summary.as_deref().filter(|_| p.sensitive) {
        html.push_str(&format!("<p><strong>{}</strong></p>", escape(cw)));
    }
    html.push_str(&sanitize::clean_html(text));
    for image in &p.attachments {
        html.push_str(&format!(
            "<p><img src=\"{}\" alt=\"{}\"></p>",
            escape(&image.url),
            escape(&image.alt)
        ));
    }
    let title = p
        .title
        .clone()
        .or(p.summary.clone().filter(|_| p.sensitive))
        .unwrap_or_else(|| puentes_core::text::excerpt(text, 80));
    Entry {
        id: p.ap_id.clone(),
        title: if title.is_empty() {
            p.author.name.clone()
        } else {
            title
        },
        link: p.link.clone(),
        author: format!("{} ({})", p.author.name, p.author.handle),
        author_link: p.author.link.clone(),
        published: p.published,
        updated: p.updated.unwrap_or(p.published),
        html,
        categories: p.hashtags.clone(),
    }
}

fn statement_entry(base: &str, s: &StatementCard) -> Entry {
    let mut html = String::new();
    if let Some(ask) = &s.ask {
        html.push_str(&format!("<p><strong>{}</strong></p>", escape(ask)));
    }
    html.push_str(&sanitize::clean_html(&s.html));
    let at = s.opened.unwrap_or_else(Utc::now);
    Entry {
        id: format!("{base}{}", s.path),
        title: s.title.clone(),
        link: Some(format!("{base}{}", s.path)),
        author: format!("{} ({})", s.owner.name, s.owner.handle),
        author_link: s.owner.link.clone(),
        published: at,
        updated: at,
        html,
        categories: Vec::new(),
    }
}

fn rss(feed: &Feed) -> Response {
    let items: Vec<rss::Item> = feed
        .entries
        .iter()
        .map(|e| {
            let mut item = rss::Item::default();
            item.set_title(xml_text(&e.title));
            item.set_link(e.link.clone());
            item.set_description(xml_text(&e.html));
            item.set_pub_date(e.published.to_rfc2822());
            let mut guid = rss::Guid::default();
            guid.set_value(e.id.clone());
            guid.set_permalink(e.link.as_deref() == Some(e.id.as_str()));
            item.set_guid(guid);
            item.set_categories(
                e.categories
                    .iter()
                    .map(|c| {
                        let mut category = rss::Category::default();
                        category.set_name(c.clone());
                        category
                    })
                    .collect::<Vec<_>>(),
            );
            item
        })
        .collect();
    let mut channel = rss::Channel::default();
    channel.set_title(xml_text(&feed.title));
    channel.set_link(feed.link.clone());
    channel.set_description(xml_text(&feed.description));
    channel.set_generator("Puentes".to_string());
    channel.set_items(items);
    if let Some(latest) = feed.entries.iter().map(|e| e.updated).max() {
        channel.set_last_build_date(latest.to_rfc2822());
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        channel.to_string(),
    )
        .into_response()
}

fn atom_link(href: &str, rel: &str, kind: Option<&str>) -> atom_syndication::Link {
    let mut link = atom_syndication::Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link.set_mime_type(kind.map(str::to_string));
    link
}

fn atom(feed: &Feed) -> Response {
    let entries: Vec<atom_syndication::Entry> = feed
        .entries
        .iter()
        .map(|e| {
            let mut entry = atom_syndication::Entry::default();
            entry.set_id(e.id.clone());
            entry.set_title(xml_text(&e.title));
            entry.set_updated(e.updated.fixed_offset());
            entry.set_published(Some(e.published.fixed_offset()));
            if let Some(link) = &e.link {
                entry.set_links(vec![atom_link(link, "alternate", Some("text/html"))]);
            }
            let mut author = atom_syndication::Person::default();
            author.set_name(xml_text(&e.author));
            author.set_uri(e.author_link.clone());
            entry.set_authors(vec![author]);
            let mut content = atom_syndication::Content::default();
            content.set_value(Some(xml_text(&e.html)));
            content.set_content_type(Some("html".to_string()));
            entry.set_content(Some(content));
            entry.set_categories(
                e.categories
                    .iter()
                    .map(|c| {
                        let mut category = atom_syndication::Category::default();
                        category.set_term(c.clone());
                        category
                    })
                    .collect::<Vec<_>>(),
            );
            entry
        })
        .collect();
    let mut out = atom_syndication::Feed::default();
    out.set_id(feed.link.clone());
    out.set_title(xml_text(&feed.title));
    out.set_subtitle(Some(atom_syndication::Text::plain(xml_text(
        &feed.description,
    ))));
    out.set_links(vec![
        atom_link(&feed.link, "alternate", Some("text/html")),
        atom_link(&feed.this, "self", Some("application/atom+xml")),
    ]);
    out.set_updated(
        feed.entries
            .iter()
            .map(|e| e.updated)
            .max()
            .unwrap_or_else(Utc::now)
            .fixed_offset(),
    );
    out.set_entries(entries);
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        out.to_string(),
    )
        .into_response()
}

async fn actor_feed(state: &HttpState, name: &str, ext: &str) -> Result<Feed> {
    let actor = query::actor::local_by_name_required(&state.db, name).await?;
    let (posts, _) = read::pages::actor_posts(&state.db, &actor, 1, "").await?;
    let summary = puentes_core::text::excerpt(actor.summary.as_deref().unwrap_or_default(), 300);
    let handle = format!("@{}@{}", actor.username, state.config.domain);
    Ok(Feed {
        link: state.urls.actor_page(name).to_string(),
        this: format!("{}/@{name}/feed.{ext}", state.urls.base()),
        title: format!("{} ({handle})", read::display_name(&actor)),
        description: if summary.is_empty() { handle } else { summary },
        entries: posts.iter().map(post_entry).collect(),
    })
}

async fn tag_feed(state: &HttpState, raw: &str, ext: &str) -> Result<Feed> {
    let tag = hashtag(raw)?;
    let posts = read::pages::tag(&state.db, &tag, read::PAGE_SIZE, "").await?;
    Ok(Feed {
        link: format!("{}/tags/{tag}", state.urls.base()),
        this: format!("{}/tags/{tag}/feed.{ext}", state.urls.base()),
        title: format!("#{tag} · {}", state.config.instance_name),
        description: format!("#{tag}"),
        entries: posts.iter().map(post_entry).collect(),
    })
}

async fn statements_feed(state: &HttpState, ext: &str) -> Result<Feed> {
    let base = state.urls.base();
    let statements = read::pages::statements(&state.db, read::PAGE_SIZE).await?;
    Ok(Feed {
        link: format!("{base}/"),
        this: format!("{base}/feeds/statements.{ext}"),
        title: format!("{} · statements", state.config.instance_name),
        description: state.config.instance_description.clone(),
        entries: statements
            .iter()
            .map(|s| statement_entry(base, s))
            .collect(),
    })
}

pub async fn actor_rss(
    State(state): State<HttpState>,
    Path(name): Path<String>,
) -> Result<Response> {
    Ok(rss(&actor_feed(&state, &name, "rss").await?))
}

pub async fn actor_atom(
    State(state): State<HttpState>,
    Path(name): Path<String>,
) -> Result<Response> {
    Ok(atom(&actor_feed(&state, &name, "atom").await?))
}

pub async fn tag_rss(State(state): State<HttpState>, Path(tag): Path<String>) -> Result<Response> {
    Ok(rss(&tag_feed(&state, &tag, "rss").await?))
}

pub async fn tag_atom(State(state): State<HttpState>, Path(tag): Path<String>) -> Result<Response> {
    Ok(atom(&tag_feed(&state, &tag, "atom").await?))
}

pub async fn statements_rss(State(state): State<HttpState>) -> Result<Response> {
    Ok(rss(&statements_feed(&state, "rss").await?))
}

pub async fn statements_atom(State(state): State<HttpState>) -> Result<Response> {
    Ok(atom(&statements_feed(&state, "atom").await?))
}
