//! Operations behind the command line. Each records the state change and its outbox event
//! in one transaction; the running server's workers deliver.

use crate::Instance;
use argon2::{Argon2, PasswordHasher, password_hash::SaltString};
use puentes_apub::{
    fetch,
    local_actors::{NewActor, create_local_actor},
    objects::post::addressing,
};
use puentes_core::{Error, Result, handle::normalize_domain, sanitize, text};
use puentes_db::{
    OutboxEvent, TransactionTrait, actor, follow, post, query, query::post::PostData,
};

pub async fn create_actor(
    instance: &Instance,
    name: &str,
    kind: &str,
    display_name: Option<String>,
    summary: Option<String>,
    manual: bool,
) -> Result<actor::Model> {
    create_local_actor(
        &instance.ctx,
        NewActor {
            name,
            kind,
            display_name,
            summary,
            manually_approves_followers: manual,
        },
    )
    .await
}

pub async fn create_staff(
    instance: &Instance,
    email: &str,
    actor_name: &str,
    role: &str,
    password: &str,
) -> Result<bool> {
    if !matches!(role, "owner" | "editor") {
        return Err(Error::bad_request(format!(
            "unknown role {role:?}: use owner or editor"
        )));
    }
    if !email.contains('@') || email.len() > 254 {
        return Err(Error::bad_request(format!(
            "{email:?} is not an email address"
        )));
    }
    if password.chars().count() < 10 {
        return Err(Error::bad_request(
            "the password must have at least 10 characters",
        ));
    }
    let actor = query::actor::local_by_name_required(&instance.ctx.db, actor_name).await?;
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::internal(format!("cannot hash the password: {e}")))?
        .to_string();
    let (_, created) = query::staff::grant(&instance.ctx.db, email, &hash, actor.id, role).await?;
    Ok(created)
}

pub async fn follow(instance: &Instance, as_name: &str, handle: &str) -> Result<follow::Model> {
    let db = &instance.ctx.db;
    let follower = query::actor::local_by_name_required(db, as_name).await?;
    let target = fetch::actor_by_handle(&instance.data(), handle).await?;
    if target.id == follower.id {
        return Err(Error::bad_request("an actor cannot follow itself"));
    }
    if let Some(existing) = query::follow::between(db, follower.id, target.id).await? {
        return Ok(existing);
    }
    if query::block::exists(db, follower.id, target.id).await? {
        return Err(Error::conflict(format!(
            "{as_name} blocks {handle}; unblock first"
        )));
    }
    let txn = db.begin().await?;
    let follow_id = instance.ctx.urls.new_activity();
    let row = if target.local {
        let state = if target.manually_approves_followers {
            query::follow::PENDING
        } else {
            query::follow::ACCEPTED
        };
        query::follow::insert(&txn, follow_id.as_str(), follower.id, target.id, state).await?
    } else {
        let row = query::follow::insert(
            &txn,
            follow_id.as_str(),
            follower.id,
            target.id,
            query::follow::PENDING,
        )
        .await?;
        query::outbox::enqueue(&txn, &OutboxEvent::FollowRequested { follow_id: row.id }).await?;
        row
    };
    txn.commit().await?;
    Ok(row)
}

pub async fn unfollow(instance: &Instance, as_name: &str, handle: &str) -> Result<()> {
    let db = &instance.ctx.db;
    let follower = query::actor::local_by_name_required(db, as_name).await?;
    let target = fetch::actor_by_handle(&instance.data(), handle).await?;
    let row = query::follow::between(db, follower.id, target.id)
        .await?
        .ok_or_else(|| Error::not_found(format!("{as_name} does not follow {handle}")))?;
    let txn = db.begin().await?;
    query::follow::delete(&txn, row.id).await?;
    if !target.local {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::FollowUndone {
                follower_id: follower.id,
                followed_id: target.id,
                follow_ap_id: row.ap_id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A post as staff write it: Markdown with #hashtags and @name@domain mentions.
#[derive(Debug, Clone, Default)]
pub struct NewPost {
    pub text: String,
    /// public, unlisted or followers
    pub visibility: String,
    /// Language of `text`.
    pub language: Option<String>,
    /// More languages of the same post: (language, Markdown).
    pub translations: Vec<(String, String)>,
    /// Makes an Article with this title (long posts, statements).
    pub title: Option<String>,
    /// An Article's self-contained summary; a Note's content warning.
    pub summary: Option<String>,
    pub reply_to: Option<String>,
    /// Alliance handle: the post is addressed to it (audience) so the alliance relays it.
    pub to_alliance: Option<String>,
    /// Images as uploaded (any metadata is removed) with their alt text.
    pub images: Vec<(Vec<u8>, String)>,
}

impl NewPost {
    pub fn text(text: &str) -> Self {
        NewPost {
            text: text.to_string(),
            visibility: "public".into(),
            ..Default::default()
        }
    }
}

/// Publishes a plain public (or unlisted, followers-only) Note.
pub async fn post(
    instance: &Instance,
    as_name: &str,
    text: &str,
    visibility: &str,
) -> Result<post::Model> {
    publish(
        instance,
        as_name,
        NewPost {
            visibility: visibility.to_string(),
            ..NewPost::text(text)
        },
    )
    .await
}

pub async fn publish(instance: &Instance, as_name: &str, new: NewPost) -> Result<post::Model> {
    if new.text.trim().is_empty() {
        return Err(Error::bad_request("the post is empty"));
    }
    if new.text.chars().count() > 100_000 {
        return Err(Error::bad_request(
            "the post is longer than 100,000 characters",
        ));
    }
    let visibility = new.visibility.as_str();
    if !matches!(visibility, "public" | "unlisted" | "followers" | "members") {
        return Err(Error::bad_request(format!(
            "unknown visibility {visibility:?}: use public, unlisted, followers or members"
        )));
    }
    if visibility == "members" && new.to_alliance.is_none() {
        return Err(Error::bad_request(
            "members-only posts need --to ALLIANCE: whose members?",
        ));
    }
    let language = new.language.as_deref().map(text::language).transpose()?;
    if !new.translations.is_empty() && language.is_none() {
        return Err(Error::bad_request(
            "give --lang for the main text when adding translations",
        ));
    }
    let db = &instance.ctx.db;
    let author = query::actor::local_by_name_required(db, as_name).await?;
    let urls = &instance.ctx.urls;
    let tag_base = format!("{}/tags", urls.base());

    // Mentions are resolved now, so a typo is an error rather than a dead link.
    let mut handles = text::mentions(&new.text);
    for (_, translated) in &new.translations {
        for handle in text::mentions(translated) {
            if !handles.contains(&handle) {
                handles.push(handle);
            }
        }
    }
    let mut mentioned = Vec::new();
    for handle in handles {
        let actor = fetch::actor_by_handle(&instance.data(), &handle.acct())
            .await
            .map_err(|e| {
                Error::new(
                    e.kind(),
                    format!("cannot find @{}: {}", handle.acct(), e.message()),
                )
            })?;
        mentioned.push((handle, actor.ap_id));
    }
    let content = text::render(&new.text, &tag_base, &mentioned);
    let content_map = match &language {
        Some(lang) if !new.translations.is_empty() => {
            let mut map = std::collections::BTreeMap::from([(lang.clone(), content.clone())]);
            for (other, translated) in &new.translations {
                map.insert(
                    text::language(other)?,
                    text::render(translated, &tag_base, &mentioned),
                );
            }
            Some(map)
        }
        _ => None,
    };
    let mut hashtags = text::hashtags(&new.text);
    for (_, translated) in &new.translations {
        hashtags.extend(
            text::hashtags(translated)
                .into_iter()
                .filter(|t| !hashtags.contains(t))
                .collect::<Vec<_>>(),
        );
    }
    let mut tags: Vec<serde_json::Value> = hashtags
        .iter()
        .map(|tag| serde_json::json!({ "type": "Hashtag", "name": format!("#{tag}"), "href": format!("{tag_base}/{tag}") }))
        .collect();
    tags.extend(mentioned.iter().map(|(handle, id)| {
        serde_json::json!({ "type": "Mention", "name": format!("@{}", handle.acct()), "href": id })
    }));

    let followers = urls
        .actor_collection(&author.username, "followers")
        .to_string();
    let (mut to, mut cc) = addressing(visibility, &followers);
    let mut in_reply_to = None;
    if let Some(parent) = &new.reply_to {
        let parent_url = url::Url::parse(parent)
            .map_err(|_| Error::bad_request(format!("{parent:?} is not a post URL")))?;
        if let Some(known) = query::post::by_ap_id(db, parent_url.as_str()).await? {
            let parent_author = query::actor::get(db, known.author_id).await?;
            if parent_author.id != author.id {
                cc.push(parent_author.ap_id);
            }
        }
        in_reply_to = Some(parent_url.to_string());
    }
    for (_, id) in &mentioned {
        let list = if visibility == "followers" {
            &mut to
        } else {
            &mut cc
        };
        if !list.contains(id) {
            list.push(id.clone());
        }
    }
    let mut audience = None;
    if let Some(handle) = &new.to_alliance {
        let alliance = fetch::actor_by_handle(&instance.data(), handle).await?;
        if alliance.kind != "Group" {
            return Err(Error::bad_request(format!("{handle} is not an alliance")));
        }
        if visibility == "members" {
            // Only the alliance and its members: not the author's followers, not the public.
            to = vec![format!("{}/members", alliance.ap_id)];
            cc = vec![alliance.ap_id.clone()];
        } else if !cc.contains(&alliance.ap_id) && !to.contains(&alliance.ap_id) {
            cc.push(alliance.ap_id.clone());
        }
        tags.push(serde_json::json!({ "type": "Mention", "name": format!("@{}@{}", alliance.username, alliance.domain), "href": alliance.ap_id }));
        audience = Some(alliance.ap_id);
    }
    let (kind, name, summary, sensitive) = match &new.title {
        Some(title) if title.trim().is_empty() => {
            return Err(Error::bad_request("the title is empty"));
        }
        Some(title) => {
            let summary = match &new.summary {
                Some(s) if !s.trim().is_empty() => {
                    text::excerpt(&text::render(s, &tag_base, &[]), 500)
                }
                _ => text::excerpt(&content, 280),
            };
            (
                "Article",
                Some(title.trim().to_string()),
                Some(summary),
                false,
            )
        }
        None => {
            let warning = new
                .summary
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(sanitize::strip_html);
            let sensitive = warning.is_some();
            ("Note", None, warning, sensitive)
        }
    };

    if new.images.len() > 4 {
        return Err(Error::bad_request("at most 4 images per post"));
    }
    for (_, alt) in &new.images {
        puentes_http::media::validate_alt(alt)?;
    }
    let uuid = uuid::Uuid::now_v7();
    let txn = db.begin().await?;
    let mut media_ids = Vec::new();
    let mut attachments = Vec::new();
    for (bytes, alt) in new.images {
        let media =
            puentes_http::media::store_upload(&txn, &instance.ctx.config, author.id, bytes, &alt)
                .await?;
        attachments.push(serde_json::json!({
            "type": "Image",
            "mediaType": media.content_type,
            "url": puentes_http::media::media_url(urls, &media),
            "name": media.alt,
            "width": media.width,
            "height": media.height,
        }));
        media_ids.push(media.id);
    }
    let row = query::post::insert(
        &txn,
        PostData {
            ap_id: urls.post(uuid).to_string(),
            author_id: author.id,
            kind: kind.into(),
            content,
            summary,
            name,
            language,
            sensitive,
            in_reply_to,
            url: Some(urls.post_page(&author.username, uuid).to_string()),
            visibility: visibility.to_string(),
            to,
            cc,
            local: true,
            published: chrono::Utc::now(),
            updated_at: None,
            content_map,
            tags,
            audience,
            attachments,
        },
    )
    .await?;
    query::media::attach_to_post(&txn, &media_ids, row.id).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::PostPublished { post_id: row.id }).await?;
    txn.commit().await?;
    Ok(row)
}

async fn own_post(instance: &Instance, url: &str) -> Result<post::Model> {
    query::post::by_ap_id(&instance.ctx.db, url)
        .await?
        .filter(|p| p.local && p.deleted_at.is_none())
        .ok_or_else(|| Error::not_found(format!("local post {url}")))
}

pub async fn edit_post(instance: &Instance, url: &str, text: &str) -> Result<post::Model> {
    let existing = own_post(instance, url).await?;
    let (to, cc) = query::post::addressees(&existing);
    let mut data = PostData {
        ap_id: existing.ap_id.clone(),
        author_id: existing.author_id,
        kind: existing.kind.clone(),
        content: text::render(text, &format!("{}/tags", instance.ctx.urls.base()), &[]),
        summary: existing.summary.clone(),
        name: existing.name.clone(),
        language: existing.language.clone(),
        sensitive: existing.sensitive,
        in_reply_to: existing.in_reply_to.clone(),
        url: existing.url.clone(),
        visibility: existing.visibility.clone(),
        to,
        cc,
        local: true,
        published: existing.published,
        updated_at: None,
        // An edit replaces the text; other languages would be stale, so they go.
        content_map: None,
        tags: query::post::tags(&existing),
        audience: existing.audience.clone(),
        attachments: query::post::attachments(&existing),
    };
    data.updated_at = Some(chrono::Utc::now());
    let txn = instance.ctx.db.begin().await?;
    let row = query::post::update_content(&txn, existing, data).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::PostUpdated { post_id: row.id }).await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn delete_post(instance: &Instance, url: &str) -> Result<()> {
    let existing = own_post(instance, url).await?;
    let txn = instance.ctx.db.begin().await?;
    let row = query::post::mark_deleted(&txn, existing).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::PostDeleted { post_id: row.id }).await?;
    txn.commit().await?;
    Ok(())
}

/// Blocks an actor: follows both ways end, nothing more is delivered to or accepted from it.
pub async fn block(instance: &Instance, as_name: &str, handle: &str) -> Result<()> {
    let db = &instance.ctx.db;
    let blocker = query::actor::local_by_name_required(db, as_name).await?;
    let target = fetch::actor_by_handle(&instance.data(), handle).await?;
    if target.id == blocker.id {
        return Err(Error::bad_request("an actor cannot block itself"));
    }
    let txn = db.begin().await?;
    query::block::insert(&txn, blocker.id, target.id).await?;
    query::follow::delete_between_either_way(&txn, blocker.id, target.id).await?;
    if !target.local {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::ActorBlocked {
                actor_id: blocker.id,
                blocked_id: target.id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn unblock(instance: &Instance, as_name: &str, handle: &str) -> Result<bool> {
    let db = &instance.ctx.db;
    let blocker = query::actor::local_by_name_required(db, as_name).await?;
    let target = fetch::actor_by_handle(&instance.data(), handle).await?;
    query::block::delete(db, blocker.id, target.id).await
}

/// Blocks a whole domain: its follows end, pending deliveries stop, its requests are refused.
pub async fn domain_block(
    instance: &Instance,
    domain: &str,
    reason: Option<String>,
) -> Result<usize> {
    let domain = normalize_domain(domain)?;
    if domain == instance.ctx.config.domain {
        return Err(Error::bad_request("an instance cannot block itself"));
    }
    let txn = instance.ctx.db.begin().await?;
    query::instance::set_blocked(&txn, &domain, true, reason).await?;
    let follows = query::follow::with_domain(&txn, &domain).await?;
    for row in &follows {
        query::follow::delete(&txn, row.id).await?;
    }
    query::delivery::cancel_for_host(&txn, &domain).await?;
    txn.commit().await?;
    Ok(follows.len())
}

pub async fn domain_unblock(instance: &Instance, domain: &str) -> Result<()> {
    let domain = normalize_domain(domain)?;
    query::instance::set_blocked(&instance.ctx.db, &domain, false, None).await?;
    Ok(())
}

/// Pending follow requests of an actor that approves followers by hand.
pub async fn pending_followers(instance: &Instance, as_name: &str) -> Result<Vec<actor::Model>> {
    let actor = query::actor::local_by_name_required(&instance.ctx.db, as_name).await?;
    query::follow::followers(&instance.ctx.db, actor.id, query::follow::PENDING).await
}

async fn follow_request(
    instance: &Instance,
    as_name: &str,
    handle: &str,
) -> Result<(actor::Model, actor::Model, follow::Model)> {
    let db = &instance.ctx.db;
    let followed = query::actor::local_by_name_required(db, as_name).await?;
    let follower = fetch::actor_by_handle(&instance.data(), handle).await?;
    let row = query::follow::between(db, follower.id, followed.id)
        .await?
        .ok_or_else(|| Error::not_found(format!("follow request from {handle}")))?;
    Ok((followed, follower, row))
}

pub async fn approve_follower(instance: &Instance, as_name: &str, handle: &str) -> Result<()> {
    let (_, follower, row) = follow_request(instance, as_name, handle).await?;
    let txn = instance.ctx.db.begin().await?;
    let row = query::follow::set_state(&txn, row, query::follow::ACCEPTED).await?;
    if !follower.local {
        query::outbox::enqueue(&txn, &OutboxEvent::FollowAccepted { follow_id: row.id }).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Refuses a request, or removes an accepted follower.
pub async fn reject_follower(instance: &Instance, as_name: &str, handle: &str) -> Result<()> {
    let (followed, follower, row) = follow_request(instance, as_name, handle).await?;
    let txn = instance.ctx.db.begin().await?;
    query::follow::delete(&txn, row.id).await?;
    if !follower.local {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::FollowRejected {
                follower_id: follower.id,
                followed_id: followed.id,
                follow_ap_id: row.ap_id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn set_manual_approval(instance: &Instance, as_name: &str, manual: bool) -> Result<()> {
    let actor = query::actor::local_by_name_required(&instance.ctx.db, as_name).await?;
    let txn = instance.ctx.db.begin().await?;
    let actor = query::actor::set_manual_approval(&txn, actor, manual).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::ActorUpdated { actor_id: actor.id }).await?;
    txn.commit().await?;
    Ok(())
}
