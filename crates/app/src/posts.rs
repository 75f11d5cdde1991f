//! Posts: publishing (Markdown with #hashtags and @mentions, in several languages, with
//! images), editing and deleting ours; keeping the posts that arrive from elsewhere.

use crate::{App, Caller, Permission, media, relay};
use puentes_core::{
    ActorKind, Error, Result, Visibility,
    content::{Tag, addressing},
    handle::Handle,
    sanitize, text,
};
use puentes_db::{
    ConnectionTrait, OutboxEvent, actor, post,
    query::{self, post::PostData},
};
use std::collections::BTreeMap;

/// An image to attach, as uploaded, with its alt text.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub bytes: Vec<u8>,
    pub alt: String,
}

/// A post as staff write it: Markdown with #hashtags and @name@domain mentions.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub text: String,
    pub visibility: Visibility,
    /// Language of `text`.
    pub language: Option<String>,
    /// More languages of the same post: (language, Markdown).
    pub translations: Vec<(String, String)>,
    /// Makes an Article with this title (long posts).
    pub title: Option<String>,
    /// An Article's self-contained summary; a Note's content warning.
    pub summary: Option<String>,
    /// Id (URL) of the post this answers.
    pub reply_to: Option<String>,
    /// Alliance handle: the post is addressed to it so the alliance relays it.
    pub to_alliance: Option<String>,
    /// Images uploaded with the post (their metadata is removed).
    pub images: Vec<NewImage>,
    /// Images uploaded before (`upload_media`), by id, in order.
    pub media_ids: Vec<i64>,
}

impl NewPost {
    /// A public post of plain text.
    pub fn text(text: &str) -> Self {
        NewPost {
            text: text.to_string(),
            visibility: Visibility::Public,
            language: None,
            translations: Vec::new(),
            title: None,
            summary: None,
            reply_to: None,
            to_alliance: None,
            images: Vec::new(),
            media_ids: Vec::new(),
        }
    }
}

pub const MAX_POST_CHARS: usize = 100_000;
pub const MAX_IMAGES: usize = 4;

/// What happened to a post that arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Stored,
    Ignored(&'static str),
}

/// Hashtags of every language of a text, each once, in order.
fn all_hashtags<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        for tag in text::hashtags(text) {
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
    }
    out
}

impl App {
    /// Publishes a post as `as_name`; followers (and those it addresses) receive it, an
    /// addressed alliance relays it.
    pub async fn publish(
        &self,
        caller: &Caller,
        as_name: &str,
        new: NewPost,
    ) -> Result<post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let author = acting.actor;
        if new.text.trim().is_empty() && new.images.is_empty() && new.media_ids.is_empty() {
            return Err(Error::bad_request("the post is empty"));
        }
        if new.text.chars().count() > MAX_POST_CHARS {
            return Err(Error::bad_request(
                "the post is longer than 100,000 characters",
            ));
        }
        let visibility = new.visibility;
        if visibility == Visibility::Direct {
            return Err(Error::bad_request(
                "direct messages are not written here: use public, unlisted, followers or members",
            ));
        }
        if visibility == Visibility::Members && new.to_alliance.is_none() {
            return Err(Error::bad_request(
                "a members-only post is addressed to an alliance: whose members?",
            ));
        }
        let language = new.language.as_deref().map(text::language).transpose()?;
        if !new.translations.is_empty() && language.is_none() {
            return Err(Error::bad_request(
                "give the language of the main text when adding translations",
            ));
        }
        if new.images.len() + new.media_ids.len() > MAX_IMAGES {
            return Err(Error::bad_request(format!(
                "at most {MAX_IMAGES} images per post"
            )));
        }
        for image in &new.images {
            media::validate_alt(&image.alt)?;
            media::check_upload_size(image.bytes.len())?;
        }
        let tag_base = self.tag_base();

        // Mentions are resolved now, so a typo is an error rather than a dead link.
        let mut handles: Vec<Handle> = Vec::new();
        for source in std::iter::once(new.text.as_str())
            .chain(new.translations.iter().map(|(_, t)| t.as_str()))
        {
            for handle in text::mentions(source) {
                if !handles.contains(&handle) {
                    handles.push(handle);
                }
            }
        }
        let mut mentioned = Vec::new();
        for handle in handles {
            let actor = self.resolve(&handle.acct()).await.map_err(|e| {
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
                let mut map = BTreeMap::from([(lang.clone(), content.clone())]);
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
        let mut tags: Vec<Tag> = all_hashtags(
            std::iter::once(new.text.as_str())
                .chain(new.translations.iter().map(|(_, t)| t.as_str())),
        )
        .iter()
        .map(|tag| Tag::hashtag(tag, &tag_base))
        .collect();
        tags.extend(
            mentioned
                .iter()
                .map(|(handle, id)| Tag::mention(&handle.acct(), id)),
        );

        let followers = self
            .urls
            .actor_collection(&author.username, "followers")
            .to_string();
        let (mut to, mut cc) = addressing(visibility, &followers);
        let mut in_reply_to = None;
        if let Some(parent) = &new.reply_to {
            let parent_url = url::Url::parse(parent.trim())
                .map_err(|_| Error::bad_request(format!("{parent:?} is not a post's URL")))?;
            let parent_url =
                puentes_core::urls::object_id_of_page(&parent_url).unwrap_or(parent_url);
            if let Some(known) = query::post::by_ap_id(&self.db, parent_url.as_str()).await? {
                let parent_author = query::actor::get(&self.db, known.author_id).await?;
                if parent_author.id != author.id && !cc.contains(&parent_author.ap_id) {
                    cc.push(parent_author.ap_id);
                }
            }
            in_reply_to = Some(parent_url.to_string());
        }
        for (_, id) in &mentioned {
            let list = if visibility == Visibility::Followers {
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
            let alliance = self.resolve(handle).await?;
            if alliance.kind() != ActorKind::Alliance {
                return Err(Error::bad_request(format!("{handle} is not an alliance")));
            }
            if visibility == Visibility::Members {
                // Only the alliance and its members: not the author's followers, not the public.
                to = vec![format!("{}/members", alliance.ap_id)];
                cc = vec![alliance.ap_id.clone()];
            } else if !cc.contains(&alliance.ap_id) && !to.contains(&alliance.ap_id) {
                cc.push(alliance.ap_id.clone());
            }
            let mention = Tag::mention(&alliance.handle().acct(), &alliance.ap_id);
            if !tags.contains(&mention) {
                tags.push(mention);
            }
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
                    Some(sanitize::strip_html(title.trim())),
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

        let uuid = uuid::Uuid::now_v7();
        let txn = self.write().await?;
        let mut media_rows = Vec::new();
        for id in &new.media_ids {
            let row = query::media::get(&txn, *id).await?;
            if row.actor_id != author.id || row.post_id.is_some() {
                return Err(Error::bad_request(format!(
                    "media {id} is not an unattached upload of {as_name}"
                )));
            }
            media::validate_alt(&row.alt).map_err(|_| {
                Error::bad_request(format!(
                    "media {id} has no alt text: describe the image for people who cannot see it"
                ))
            })?;
            media_rows.push(row);
        }
        for image in new.images {
            media_rows.push(
                media::store_upload(&txn, self.media_store(), author.id, image.bytes, &image.alt)
                    .await?,
            );
        }
        let attachments = media_rows
            .iter()
            .map(|m| media::attachment_of(&self.urls, m))
            .collect();
        let media_ids: Vec<i64> = media_rows.iter().map(|m| m.id).collect();
        let row = query::post::insert(
            &txn,
            PostData {
                ap_id: self.urls.post(uuid).to_string(),
                author_id: author.id,
                kind: kind.into(),
                content,
                summary,
                name,
                language,
                sensitive,
                in_reply_to,
                url: Some(self.urls.post_page(&author.username, uuid).to_string()),
                visibility,
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
        crate::notifications::post_stored(&txn, &row, &author).await?;
        // Alliances here (and their members) relay local posts too.
        relay::consider(&txn, &self.urls, &row, relay::Reached::FromAuthor(&author)).await?;
        self.commit(txn).await?;
        Ok(row)
    }

    /// Publishes once per `(token, key)`: a client repeating a request with the same
    /// `Idempotency-Key` gets the post made the first time.
    pub async fn publish_once(
        &self,
        caller: &Caller,
        as_name: &str,
        new: NewPost,
        key: Option<(i64, &str)>,
    ) -> Result<post::Model> {
        if let Some((grant_id, key)) = key
            && let Some(post_id) = query::oauth::idempotent_post(&self.db, grant_id, key).await?
        {
            return query::post::get(&self.db, post_id).await;
        }
        let row = self.publish(caller, as_name, new).await?;
        if let Some((grant_id, key)) = key {
            query::oauth::remember_idempotent(&self.db, grant_id, key, row.id).await?;
        }
        Ok(row)
    }

    /// May `viewer` (one of ours; `None` for anyone) read `post`? Public and unlisted posts
    /// are for everyone; others for their author, those they address, followers (for
    /// followers-only posts) and the alliance's members (for members-only posts).
    pub async fn may_read(
        &self,
        viewer: Option<&actor::Model>,
        post: &post::Model,
    ) -> Result<bool> {
        if post.deleted_at.is_some() {
            return Ok(false);
        }
        if post.is_publicly_readable() {
            return Ok(true);
        }
        let Some(viewer) = viewer else {
            return Ok(false);
        };
        if viewer.id == post.author_id || post.addresses(&viewer.ap_id) {
            return Ok(true);
        }
        match post.visibility() {
            Visibility::Followers => {
                Ok(query::follow::between(&self.db, viewer.id, post.author_id)
                    .await?
                    .is_some_and(|f| f.state() == puentes_core::FollowState::Accepted))
            }
            Visibility::Members => {
                let Some(alliance) = post.audience.as_deref() else {
                    return Ok(false);
                };
                let Some(alliance) = query::actor::by_ap_id(&self.db, alliance).await? else {
                    return Ok(false);
                };
                Ok(alliance.id == viewer.id
                    || query::membership::is_active_member(&self.db, alliance.id, viewer.id)
                        .await?)
            }
            _ => Ok(false),
        }
    }

    /// Uploads an image before posting (the Mastodon API's way); attach it by id. The alt
    /// text may come later ([`App::describe_media`]), but before the post that shows it.
    pub async fn upload_media(
        &self,
        caller: &Caller,
        as_name: &str,
        bytes: Vec<u8>,
        alt: Option<&str>,
    ) -> Result<puentes_db::media::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        media::store_upload_to_describe(&self.db, self.media_store(), acting.actor.id, bytes, alt)
            .await
    }

    /// One of `as_name`'s uploads, by id.
    pub async fn own_media(
        &self,
        caller: &Caller,
        as_name: &str,
        id: i64,
    ) -> Result<puentes_db::media::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let row = query::media::get(&self.db, id).await?;
        if row.actor_id != acting.actor.id {
            return Err(Error::not_found("media"));
        }
        Ok(row)
    }

    /// Sets the alt text of an upload not yet shown by a post.
    pub async fn describe_media(
        &self,
        caller: &Caller,
        as_name: &str,
        id: i64,
        alt: &str,
    ) -> Result<puentes_db::media::Model> {
        let row = self.own_media(caller, as_name, id).await?;
        if row.post_id.is_some() {
            return Err(Error::conflict("the image is already shown by a post"));
        }
        let alt = media::validate_alt(alt)?;
        query::media::set_alt(&self.db, row, &alt).await
    }

    /// The latest posts of `as_name`, of every visibility, for its staff.
    pub async fn own_posts(
        &self,
        caller: &Caller,
        as_name: &str,
        limit: u64,
    ) -> Result<(crate::Acting, Vec<post::Model>)> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let posts = query::post::all_by_author(&self.db, acting.actor.id, limit).await?;
        Ok((acting, posts))
    }

    /// One of our posts by id (URL) or page address, with the author the caller may
    /// publish as.
    async fn own_post(&self, caller: &Caller, url: &str) -> Result<(post::Model, crate::Acting)> {
        let id = object_id(url);
        let row = query::post::by_ap_id(&self.db, &id)
            .await?
            .filter(|p| p.local && p.deleted_at.is_none())
            .ok_or_else(|| Error::not_found(format!("local post {url}")))?;
        let author = query::actor::get(&self.db, row.author_id).await?;
        let acting = self.acting_for(caller, author, Permission::Publish).await?;
        Ok((row, acting))
    }

    /// Replaces a post's text; followers get the `Update`.
    pub async fn edit_post(
        &self,
        caller: &Caller,
        url: &str,
        text_md: &str,
    ) -> Result<post::Model> {
        let (existing, _) = self.own_post(caller, url).await?;
        if text_md.trim().is_empty() && existing.attachments().is_empty() {
            return Err(Error::bad_request("the post is empty"));
        }
        if text_md.chars().count() > MAX_POST_CHARS {
            return Err(Error::bad_request(
                "the post is longer than 100,000 characters",
            ));
        }
        let tag_base = self.tag_base();
        // Mentions keep pointing where they pointed.
        let mentioned: Vec<(Handle, String)> = existing
            .tags()
            .into_iter()
            .filter_map(|t| match t {
                Tag::Mention {
                    name,
                    href: Some(href),
                } => Handle::parse(&name).ok().map(|h| (h, href)),
                _ => None,
            })
            .collect();
        let mut tags: Vec<Tag> = text::hashtags(text_md)
            .iter()
            .map(|tag| Tag::hashtag(tag, &tag_base))
            .collect();
        tags.extend(
            existing
                .tags()
                .into_iter()
                .filter(|t| matches!(t, Tag::Mention { .. })),
        );
        let (to, cc) = existing.addressees();
        let data = PostData {
            ap_id: existing.ap_id.clone(),
            author_id: existing.author_id,
            kind: existing.kind.clone(),
            content: text::render(text_md, &tag_base, &mentioned),
            summary: existing.summary.clone(),
            name: existing.name.clone(),
            language: existing.language.clone(),
            sensitive: existing.sensitive,
            in_reply_to: existing.in_reply_to.clone(),
            url: existing.url.clone(),
            visibility: existing.visibility(),
            to,
            cc,
            local: true,
            published: existing.published,
            updated_at: Some(chrono::Utc::now()),
            // An edit replaces the text; other languages would be stale, so they go.
            content_map: None,
            tags,
            audience: existing.audience.clone(),
            attachments: existing.attachments(),
        };
        let txn = self.write().await?;
        let row = query::post::update_content(&txn, existing, data).await?;
        query::outbox::enqueue(&txn, &OutboxEvent::PostUpdated { post_id: row.id }).await?;
        self.commit(txn).await?;
        Ok(row)
    }

    /// Deletes a post: a Tombstone stays and everyone who received it gets the `Delete`.
    pub async fn delete_post(&self, caller: &Caller, url: &str) -> Result<()> {
        let (existing, _) = self.own_post(caller, url).await?;
        let txn = self.write().await?;
        let row = query::post::mark_deleted(&txn, existing).await?;
        query::outbox::enqueue(&txn, &OutboxEvent::PostDeleted { post_id: row.id }).await?;
        self.commit(txn).await?;
        self.changed(crate::Change::PostDeleted {
            post_id: row.id,
            author_id: row.author_id,
        });
        Ok(())
    }

    // The inbox.

    /// Is a post from `author` addressed to `to`/`cc` of interest here? We keep posts of
    /// actors someone here follows, and posts addressed to our actors (or to the members of
    /// an alliance one of ours belongs to).
    pub async fn wants_from(
        &self,
        author: &actor::Model,
        to: &[String],
        cc: &[String],
    ) -> Result<bool> {
        if self.followed_here(author.id).await? {
            return Ok(true);
        }
        for address in to.iter().chain(cc) {
            if let Some(alliance_id) = address.strip_suffix("/members")
                && let Some(alliance) = query::actor::by_ap_id(&self.db, alliance_id).await?
                && query::membership::has_local_active_member(&self.db, alliance.id).await?
            {
                return Ok(true);
            }
            if let Ok(url) = url::Url::parse(address)
                && self.urls.is_local(&url)
                && let Some(local) = query::actor::by_ap_id(&self.db, address).await?
                && !query::block::exists(&self.db, local.id, author.id).await?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Is this a reply to one of our posts, by someone its author has not blocked? Such
    /// replies are kept (even when they reach us forwarded by a third server), as Mastodon
    /// keeps replies to its local statuses.
    async fn answers_ours(&self, author: &actor::Model, in_reply_to: Option<&str>) -> Result<bool> {
        let Some(parent) = in_reply_to
            .and_then(|p| url::Url::parse(p).ok())
            .filter(|p| self.urls.is_local(p))
        else {
            return Ok(false);
        };
        match query::post::by_ap_id(&self.db, parent.as_str()).await? {
            Some(ours) => Ok(!query::block::exists(&self.db, ours.author_id, author.id).await?),
            None => Ok(false),
        }
    }

    /// A post created by the remote actor who sent it (`data` parsed and checked to be
    /// attributed to it): kept when wanted, then relayed by our alliances as their rules say.
    pub async fn receive_post(&self, from: &Caller, data: PostData) -> Result<Received> {
        let author = from.remote()?;
        if data.author_id != author.id {
            return Err(Error::forbidden(
                "the object is not attributed to the activity's actor",
            ));
        }
        if !self
            .answers_ours(author, data.in_reply_to.as_deref())
            .await?
            && !self.wants_from(author, &data.to, &data.cc).await?
        {
            return Ok(Received::Ignored(
                "nobody here follows the author or is addressed",
            ));
        }
        self.store_received(data, author).await
    }

    /// An edit by the post's author; an unknown post is received as new.
    pub async fn receive_post_update(&self, from: &Caller, data: PostData) -> Result<Received> {
        let author = from.remote()?;
        let Some(existing) = query::post::by_ap_id(&self.db, &data.ap_id).await? else {
            return self.receive_post(from, data).await;
        };
        if existing.author_id != author.id || data.author_id != author.id {
            return Err(Error::forbidden("only the author can edit a post"));
        }
        if existing.deleted_at.is_some() {
            return Ok(Received::Ignored("post was deleted"));
        }
        query::post::update_content(&self.db, existing, data).await?;
        Ok(Received::Stored)
    }

    /// Keeps a post read from its origin (a boost of it arrived); returns the stored row.
    pub async fn keep_fetched_post(&self, data: PostData) -> Result<post::Model> {
        if let Some(known) = query::post::by_ap_id(&self.db, &data.ap_id).await? {
            return Ok(known);
        }
        let ap_id = data.ap_id.clone();
        match query::post::insert(&self.db, data).await {
            Ok(row) => Ok(row),
            Err(_) => query::post::by_ap_id(&self.db, &ap_id)
                .await?
                .ok_or_else(|| Error::internal("post vanished")),
        }
    }

    /// A change of a post we keep, learnt from its origin (after a relay forwarded an edit
    /// or a deletion): `None` means the origin says it is gone.
    pub async fn refresh_post(&self, existing: post::Model, data: Option<PostData>) -> Result<()> {
        match data {
            Some(data) if data.ap_id == existing.ap_id && data.author_id == existing.author_id => {
                query::post::update_content(&self.db, existing, data).await?;
            }
            _ => {
                query::post::mark_deleted(&self.db, existing).await?;
            }
        }
        Ok(())
    }

    /// A remote actor relays (boosts) a post: recorded once per actor, and our alliances
    /// whose member it is carry it further.
    pub async fn receive_announce(
        &self,
        from: &Caller,
        post: &post::Model,
        announce_id: &str,
    ) -> Result<Received> {
        let announcer = from.remote()?;
        let txn = self.write().await?;
        if !query::relay::record_announce(&txn, announcer.id, &post.ap_id, Some(announce_id))
            .await?
        {
            return Ok(Received::Ignored("already relayed by this actor"));
        }
        if post.local {
            crate::notifications::tell_id(
                &txn,
                post.author_id,
                puentes_core::NotificationKind::Reblog,
                announcer,
                Some(post.id),
                Some(&post.ap_id),
            )
            .await?;
        }
        relay::consider(&txn, &self.urls, post, relay::Reached::RelayedBy(announcer)).await?;
        self.commit(txn).await?;
        Ok(Received::Stored)
    }

    /// Does anyone here follow this remote actor (so its boosts matter here)?
    pub async fn is_followed_here(&self, actor: &actor::Model) -> Result<bool> {
        self.followed_here(actor.id).await
    }

    /// The remote actor deletes one of its posts, one of its calls, or itself.
    pub async fn receive_delete(&self, from: &Caller, object_id: &str) -> Result<Received> {
        let actor = from.remote()?;
        if object_id == actor.ap_id {
            let txn = self.write().await?;
            forget_actor(&txn, actor).await?;
            self.commit(txn).await?;
            return Ok(Received::Stored);
        }
        if let Some(post) = query::post::by_ap_id(&self.db, object_id).await? {
            if post.author_id != actor.id {
                return Err(Error::forbidden("only the author can delete a post"));
            }
            if post.deleted_at.is_none() {
                let row = query::post::mark_deleted(&self.db, post).await?;
                self.changed(crate::Change::PostDeleted {
                    post_id: row.id,
                    author_id: row.author_id,
                });
            }
            return Ok(Received::Stored);
        }
        self.receive_call_deleted(from, object_id).await
    }
}

/// A remote actor deleted itself: follows both ways end, its memberships end, its posts go.
async fn forget_actor(db: &impl ConnectionTrait, actor: &actor::Model) -> Result<()> {
    query::follow::delete_all_of(db, actor.id).await?;
    query::membership::end_all_of(db, actor.id).await?;
    query::post::mark_all_deleted_by(db, actor.id).await?;
    query::actor::mark_deleted(db, actor.clone()).await?;
    Ok(())
}

/// A post's or call's page address stands for its id; anything else is taken as the id.
pub(crate) fn object_id(url: &str) -> String {
    url::Url::parse(url.trim())
        .ok()
        .and_then(|u| puentes_core::urls::object_id_of_page(&u).map(String::from))
        .unwrap_or_else(|| url.trim().to_string())
}
