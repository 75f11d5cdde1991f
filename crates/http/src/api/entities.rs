//! Mastodon entities (Account, Status, MediaAttachment, Notification) from our rows, with
//! every field clients parse: numeric string ids, `created_at` with milliseconds, arrays
//! never null, explicit nulls, and avatar and header images always present.

use crate::HttpState;
use chrono::{DateTime, Utc};
use puentes_app::notifications::Told;
use puentes_core::{
    ActorKind, NotificationKind, Result, Visibility,
    content::{Attachment, Tag},
    sanitize::{safe_image, safe_link},
};
use puentes_db::{
    actor, media, post,
    query::{self, follow::Side},
    read::{self, api as reads},
};
use serde_json::{Value, json};
use std::collections::HashMap;

/// `2026-11-30T14:19:05.000Z`
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn default_avatar(state: &HttpState) -> String {
    format!("{}/static/avatar.png", state.urls.base())
}

pub fn default_header(state: &HttpState) -> String {
    format!("{}/static/header.png", state.urls.base())
}

/// `name` for ours, `name@domain` for others.
pub fn acct(state: &HttpState, a: &actor::Model) -> String {
    if a.local || a.domain == state.config.domain {
        a.username.clone()
    } else {
        format!("{}@{}", a.username, a.domain)
    }
}

/// An Account; one that moved carries its new account in `moved` (Mastodon's migration).
pub async fn account(state: &HttpState, a: &actor::Model) -> Result<Value> {
    let mut value = account_only(state, a).await?;
    if let Some(target) = &a.moved_to
        && let Some(moved) = query::actor::by_ap_id(&state.db, target).await?
        && moved.id != a.id
    {
        value["moved"] = account_only(state, &moved).await?;
    }
    Ok(value)
}

async fn account_only(state: &HttpState, a: &actor::Model) -> Result<Value> {
    let (followers, following, statuses) = if a.local {
        (
            query::follow::count_accepted(&state.db, a.id, Side::Followers).await?,
            query::follow::count_accepted(&state.db, a.id, Side::Following).await?,
            query::post::count_visible_by_author(&state.db, a.id).await?,
        )
    } else {
        (
            0,
            0,
            query::post::count_visible_by_author(&state.db, a.id).await?,
        )
    };
    let avatar = a
        .icon_url
        .as_deref()
        .and_then(safe_image)
        .unwrap_or_else(|| default_avatar(state));
    let header = a
        .header_url
        .as_deref()
        .and_then(safe_image)
        .unwrap_or_else(|| default_header(state));
    let url = a
        .url
        .as_deref()
        .and_then(safe_link)
        .unwrap_or_else(|| a.ap_id.clone());
    // Mastodon gives the day an account was created, at midnight.
    let created = a
        .created_at
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or(a.created_at);
    Ok(json!({
        "id": a.id.to_string(),
        "username": a.username,
        "acct": acct(state, a),
        "display_name": read::display_name(a),
        "locked": a.manually_approves_followers,
        "bot": matches!(a.kind(), ActorKind::Service | ActorKind::Application),
        "discoverable": a.discoverable,
        "indexable": a.indexable,
        "group": a.is_alliance(),
        "created_at": timestamp(created),
        "note": a.summary.clone().unwrap_or_default(),
        "url": url,
        "uri": a.ap_id,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": followers,
        "following_count": following,
        "statuses_count": statuses,
        "last_status_at": Value::Null,
        "hide_collections": false,
        "noindex": !a.indexable,
        "emojis": [],
        "roles": [],
        "fields": [],
    }))
}

/// The CredentialAccount of the actor a token speaks as.
pub async fn credential_account(state: &HttpState, a: &actor::Model) -> Result<Value> {
    let mut value = account(state, a).await?;
    let pending = query::follow::followers(&state.db, a.id, puentes_core::FollowState::Pending)
        .await?
        .len();
    let note = puentes_core::sanitize::strip_html(a.summary.as_deref().unwrap_or_default());
    value["source"] = json!({
        "privacy": "public",
        "sensitive": false,
        "language": "",
        "note": note,
        "fields": [],
        "follow_requests_count": pending,
        "hide_collections": false,
        "discoverable": a.discoverable,
        "indexable": a.indexable,
        "attribution_domains": [],
    });
    value["role"] = json!({
        "id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": false,
    });
    Ok(value)
}

pub fn visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers | Visibility::Members => "private",
        Visibility::Direct => "direct",
    }
}

fn meta(width: Option<i64>, height: Option<i64>) -> Value {
    match (width, height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => {
            let size = json!({
                "width": w, "height": h, "size": format!("{w}x{h}"), "aspect": w as f64 / h as f64,
            });
            json!({ "original": size, "small": size })
        }
        _ => json!({}),
    }
}

/// A MediaAttachment for an upload of ours.
pub fn media_attachment(state: &HttpState, m: &media::Model) -> Value {
    let url = puentes_app::media::media_url(&state.urls, m);
    json!({
        "id": m.id.to_string(),
        "type": "image",
        "url": url,
        "preview_url": url,
        "remote_url": Value::Null,
        "preview_remote_url": Value::Null,
        "text_url": Value::Null,
        "meta": meta(Some(i64::from(m.width)), Some(i64::from(m.height))),
        "description": (!m.alt.is_empty()).then_some(m.alt.clone()),
        "blurhash": Value::Null,
    })
}

/// A MediaAttachment for an image a remote post carries (its id is made from the post's).
fn remote_attachment(post_id: i64, index: usize, a: &Attachment) -> Option<Value> {
    let url = safe_image(&a.url)?;
    let kind = match a.kind.as_str() {
        "Image" => "image",
        "Video" => "video",
        "Audio" => "audio",
        _ if a
            .media_type
            .as_deref()
            .is_some_and(|t| t.starts_with("image/")) =>
        {
            "image"
        }
        _ => "unknown",
    };
    Some(json!({
        "id": format!("{post_id}{index:02}"),
        "type": kind,
        "url": url,
        "preview_url": url,
        "remote_url": url,
        "preview_remote_url": Value::Null,
        "text_url": Value::Null,
        "meta": meta(a.width.map(i64::from), a.height.map(i64::from)),
        "description": a.alt.clone().filter(|s| !s.trim().is_empty()),
        "blurhash": Value::Null,
    }))
}

/// What is shown of a post: an article's title above its text.
fn content_html(p: &post::Model) -> String {
    match p.name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(title) => format!("<p><strong>{}</strong></p>{}", escape(title), p.content),
        None => p.content.clone(),
    }
}

/// Statuses for a list of posts, seen by `viewer` (the token's actor), with their authors,
/// mentions and parents looked up once for the whole list.
pub async fn statuses(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    posts: &[post::Model],
) -> Result<Vec<Value>> {
    let db = &state.db;
    let mut author_ids: Vec<i64> = posts.iter().map(|p| p.author_id).collect();
    let parent_ids: Vec<String> = posts.iter().filter_map(|p| p.in_reply_to.clone()).collect();
    let parents = reads::posts_by_ap_id(db, &parent_ids).await?;
    author_ids.extend(parents.values().map(|p| p.author_id));
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors = reads::actors(db, &author_ids).await?;
    let mention_ids: Vec<String> = posts
        .iter()
        .flat_map(|p| p.tags())
        .filter_map(|t| match t {
            Tag::Mention { href, .. } => href,
            Tag::Hashtag { .. } => None,
        })
        .collect();
    let mentioned = reads::actors_by_ap_id(db, &mention_ids).await?;
    let ap_ids: Vec<String> = posts.iter().map(|p| p.ap_id.clone()).collect();
    let replies = reads::reply_counts(db, &ap_ids).await?;
    let mut accounts: HashMap<i64, Value> = HashMap::new();
    let mut out = Vec::with_capacity(posts.len());
    for p in posts {
        let Some(author) = authors.get(&p.author_id) else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = accounts.entry(author.id) {
            slot.insert(account(state, author).await?);
        }
        let media: Vec<Value> = if p.local {
            query::media::for_post(db, p.id)
                .await?
                .iter()
                .map(|m| media_attachment(state, m))
                .collect()
        } else {
            p.attachments()
                .iter()
                .enumerate()
                .filter_map(|(i, a)| remote_attachment(p.id, i, a))
                .collect()
        };
        let tags = p.tags();
        let mentions: Vec<Value> = tags
            .iter()
            .filter_map(|t| match t {
                Tag::Mention {
                    href: Some(href), ..
                } => mentioned.get(href),
                _ => None,
            })
            .map(|a| {
                json!({
                    "id": a.id.to_string(),
                    "username": a.username,
                    "url": a.url.as_deref().and_then(safe_link).unwrap_or_else(|| a.ap_id.clone()),
                    "acct": acct(state, a),
                })
            })
            .collect();
        let hashtags: Vec<Value> = tags
            .iter()
            .filter_map(Tag::hashtag_name)
            .filter(|n| !n.is_empty())
            .map(|n| json!({ "name": n, "url": format!("{}/tags/{}", state.urls.base(), n) }))
            .collect();
        let parent = p.in_reply_to.as_ref().and_then(|id| parents.get(id));
        let (favourited, reblogged, bookmarked) = match viewer {
            Some(v) => (
                query::favourite::between(db, v.id, p.id).await?.is_some(),
                query::relay::has_announced(db, v.id, &p.ap_id).await?,
                query::bookmark::between(db, v.id, p.id).await?,
            ),
            None => (false, false, false),
        };
        // Mastodon tells only the author whether its post is pinned.
        let pinned = match viewer {
            Some(v) if v.id == p.author_id => query::pin::between(db, v.id, p.id).await?,
            _ => false,
        };
        let spoiler = if p.name.is_some() {
            String::new()
        } else {
            p.summary.clone().unwrap_or_default()
        };
        out.push(json!({
            "id": p.id.to_string(),
            "uri": p.ap_id,
            "url": p.url.as_deref().and_then(safe_link).unwrap_or_else(|| p.ap_id.clone()),
            "created_at": timestamp(p.published),
            "account": accounts[&author.id],
            "content": content_html(p),
            "visibility": visibility(p.visibility()),
            "sensitive": p.sensitive,
            "spoiler_text": spoiler,
            "media_attachments": media,
            "application": Value::Null,
            "mentions": mentions,
            "tags": hashtags,
            "emojis": [],
            "reblogs_count": query::relay::count_announcers(db, &p.ap_id).await?,
            "favourites_count": query::favourite::count(db, p.id).await?,
            "replies_count": replies.get(&p.ap_id).copied().unwrap_or(0),
            "quotes_count": 0,
            "edited_at": p.updated_at.map(timestamp),
            "favourited": favourited,
            "reblogged": reblogged,
            "muted": false,
            "bookmarked": bookmarked,
            "pinned": pinned,
            "filtered": [],
            "reblog": Value::Null,
            "in_reply_to_id": parent.map(|x| x.id.to_string()),
            "in_reply_to_account_id": parent.map(|x| x.author_id.to_string()),
            "language": p.language,
            "text": Value::Null,
            "poll": Value::Null,
            "card": Value::Null,
        }));
    }
    Ok(out)
}

pub async fn status(
    state: &HttpState,
    viewer: Option<&actor::Model>,
    post: &post::Model,
) -> Result<Value> {
    let mut list = statuses(state, viewer, std::slice::from_ref(post)).await?;
    list.pop()
        .ok_or_else(|| puentes_core::Error::not_found("status"))
}

/// The Mastodon type a notification is shown as, when it can be: replies are mentions;
/// boosts and likes of statements and calls (no status to show) are left out. Member
/// requests, endorsements and pledges have no Mastodon type: they are sent only to clients
/// that name the types they know (`supported_types`, Mastodon 4.6), under a namespaced type
/// with a readable `fallback`, as Mastodon does for types a client does not know.
pub fn notification_type(told: &Told, fallbacks: bool) -> Option<&'static str> {
    match told.kind() {
        NotificationKind::Follow => Some("follow"),
        NotificationKind::FollowRequest => Some("follow_request"),
        NotificationKind::Mention | NotificationKind::Reply => Some("mention"),
        NotificationKind::Reblog if told.post.is_some() => Some("reblog"),
        NotificationKind::Favourite if told.post.is_some() => Some("favourite"),
        NotificationKind::MemberRequest if fallbacks => Some("puentes.member_request"),
        NotificationKind::Endorsement if fallbacks => Some("puentes.endorsement"),
        NotificationKind::Pledge if fallbacks => Some("puentes.pledge"),
        _ => None,
    }
}

/// The readable text of a Puentes-only notification (Mastodon 4.6 `fallback`).
async fn fallback(state: &HttpState, viewer: &actor::Model, told: &Told) -> Result<Value> {
    let from = read::display_name(&told.from);
    let me = read::display_name(viewer);
    let subject = told.row.subject.as_str();
    let (title, summary, url) = match told.kind() {
        NotificationKind::MemberRequest => (
            format!("{from} asks to join {me}"),
            "Approve or decline the request on the alliance's members page.".to_string(),
            told.from
                .url
                .clone()
                .unwrap_or_else(|| told.from.ap_id.clone()),
        ),
        NotificationKind::Endorsement => {
            let statement = match query::statement::by_url(&state.db, subject).await? {
                Some(row) => Some(row),
                None => match query::statement::version_by_ap_id(&state.db, subject).await? {
                    Some(v) => query::statement::get(&state.db, v.statement_id).await.ok(),
                    None => None,
                },
            };
            let title = match &statement {
                Some(row) => query::statement::current_version(&state.db, row.id)
                    .await
                    .map(|v| v.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            (
                format!("{from} endorsed your statement"),
                title,
                statement
                    .map(|s| s.ap_url)
                    .unwrap_or_else(|| subject.to_string()),
            )
        }
        _ => {
            let call = query::call::by_ap_id(&state.db, subject).await?;
            (
                format!("{from} pledged to your call to action"),
                call.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                call.and_then(|c| c.url)
                    .unwrap_or_else(|| subject.to_string()),
            )
        }
    };
    Ok(json!({ "title": title, "summary": summary, "url": url }))
}

/// The kinds a Mastodon type stands for.
pub fn kinds_of_type(kind: &str) -> &'static [NotificationKind] {
    match kind {
        "follow" => &[NotificationKind::Follow],
        "follow_request" => &[NotificationKind::FollowRequest],
        "mention" => &[NotificationKind::Mention, NotificationKind::Reply],
        "reblog" => &[NotificationKind::Reblog],
        "favourite" => &[NotificationKind::Favourite],
        "puentes.member_request" => &[NotificationKind::MemberRequest],
        "puentes.endorsement" => &[NotificationKind::Endorsement],
        "puentes.pledge" => &[NotificationKind::Pledge],
        _ => &[],
    }
}

/// A Notification (None when it has no Mastodon shape).
pub async fn notification(
    state: &HttpState,
    viewer: &actor::Model,
    told: &Told,
    fallbacks: bool,
) -> Result<Option<Value>> {
    let Some(kind) = notification_type(told, fallbacks) else {
        return Ok(None);
    };
    let status = match &told.post {
        Some(p) if p.deleted_at.is_none() => Some(status(state, Some(viewer), p).await?),
        Some(_) => return Ok(None),
        None => None,
    };
    if matches!(kind, "mention" | "reblog" | "favourite") && status.is_none() {
        return Ok(None);
    }
    let mut value = json!({
        "id": told.row.id.to_string(),
        "type": kind,
        "created_at": timestamp(told.row.created_at),
        "group_key": format!("ungrouped-{}", told.row.id),
        "account": account(state, &told.from).await?,
    });
    if let Some(status) = status {
        value["status"] = status;
    }
    if kind.starts_with("puentes.") {
        value["fallback"] = fallback(state, viewer, told).await?;
    }
    Ok(Some(value))
}
