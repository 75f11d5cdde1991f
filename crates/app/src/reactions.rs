//! Boosts and likes of our statements and calls to action, counted as boosts of posts
//! are: once per actor, forgotten again by the actor's `Undo`. A like of a statement is an
//! unverified supporter (see `statements`); a like of a call counts in its `likes`.

use crate::{App, Caller, Permission, notifications, posts::Received};
use puentes_core::{NotificationKind, Result};
use puentes_db::{OutboxEvent, query, query::statement as s};

/// What a boost or like is about, when it is one of ours.
enum Ours {
    /// The statement's stable address (versions are boosted by their own id).
    Statement(String),
    Call {
        id: i64,
        ap_id: String,
    },
}

impl App {
    async fn ours(&self, object_id: &str) -> Result<Option<Ours>> {
        let statement = match s::version_by_ap_id(&self.db, object_id).await? {
            Some(version) => Some(s::get(&self.db, version.statement_id).await?),
            None => s::by_url(&self.db, object_id).await?,
        };
        if let Some(row) = statement.filter(|r| r.local) {
            return Ok(Some(Ours::Statement(row.ap_url)));
        }
        Ok(query::call::by_ap_id(&self.db, object_id)
            .await?
            .filter(|c| c.local)
            .map(|c| Ours::Call {
                id: c.id,
                ap_id: c.ap_id,
            }))
    }

    /// An `Announce` (boost) of one of our statements or calls. `Ignored` when the object
    /// is neither, or this actor had already boosted it.
    pub async fn receive_boost(
        &self,
        from: &Caller,
        object_id: &str,
        announce_id: &str,
    ) -> Result<Received> {
        let announcer = from.remote()?;
        let (object, owner_id) = match self.ours(object_id).await? {
            Some(Ours::Statement(url)) => {
                let owner = s::by_url(&self.db, &url).await?.map(|r| r.owner_id);
                (url, owner)
            }
            Some(Ours::Call { id, ap_id }) => (
                ap_id,
                Some(query::call::get(&self.db, id).await?.organizer_id),
            ),
            None => return Ok(Received::Ignored("Announce of an unknown local object")),
        };
        if !query::relay::record_announce(&self.db, announcer.id, &object, Some(announce_id))
            .await?
        {
            return Ok(Received::Ignored("already boosted by this actor"));
        }
        if let Some(owner_id) = owner_id {
            notifications::tell_id(
                &self.db,
                owner_id,
                NotificationKind::Reblog,
                announcer,
                None,
                Some(&object),
            )
            .await?;
        }
        Ok(Received::Stored)
    }

    /// `Undo{Announce}`: the boost no longer counts. False when it was not one we counted.
    pub async fn receive_unboost(&self, from: &Caller, announce_id: &str) -> Result<bool> {
        let announcer = from.remote()?;
        Ok(
            query::relay::remove_announce(&self.db, announcer.id, announce_id)
                .await?
                .is_some(),
        )
    }

    /// A `Like` of one of our calls. False when it likes something else.
    pub async fn receive_call_like(
        &self,
        from: &Caller,
        object_id: &str,
        like_id: &str,
    ) -> Result<bool> {
        let liker = from.remote()?;
        match self.ours(object_id).await? {
            Some(Ours::Call { id, ap_id }) => {
                if query::call::add_like(&self.db, id, &liker.ap_id, like_id).await? {
                    let call = query::call::get(&self.db, id).await?;
                    notifications::tell_id(
                        &self.db,
                        call.organizer_id,
                        NotificationKind::Favourite,
                        liker,
                        None,
                        Some(&ap_id),
                    )
                    .await?;
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// A `Like` of one of our posts: counted once per actor, its author told. False when it
    /// likes something else.
    pub async fn receive_post_like(
        &self,
        from: &Caller,
        object_id: &str,
        like_id: &str,
    ) -> Result<bool> {
        let liker = from.remote()?;
        let Some(post) = query::post::by_ap_id(&self.db, object_id)
            .await?
            .filter(|p| p.local && p.deleted_at.is_none())
        else {
            return Ok(false);
        };
        if !query::favourite::add(&self.db, liker.id, post.id, like_id).await? {
            return Ok(true);
        }
        notifications::tell_id(
            &self.db,
            post.author_id,
            NotificationKind::Favourite,
            liker,
            Some(post.id),
            Some(&post.ap_id),
        )
        .await?;
        Ok(true)
    }

    /// `Undo{Like}` of one of our posts; false when it undoes something else.
    pub async fn receive_post_unlike(&self, from: &Caller, like_id: &str) -> Result<bool> {
        let liker = from.remote()?;
        Ok(
            query::favourite::remove_by_activity(&self.db, liker.id, like_id)
                .await?
                .is_some(),
        )
    }

    /// `Undo{Like}` of one of our calls; false when it undoes something else.
    pub async fn receive_call_unlike(&self, from: &Caller, like_id: &str) -> Result<bool> {
        let liker = from.remote()?;
        Ok(query::call::remove_like(&self.db, like_id, &liker.ap_id)
            .await?
            .is_some())
    }
}

/// Our actors liking and boosting posts (the apps' favourite and reblog buttons).
impl App {
    /// A post we store, by id (URL), deleted or not.
    async fn known_post(&self, ap_id: &str) -> Result<puentes_db::post::Model> {
        query::post::by_ap_id(&self.db, ap_id)
            .await?
            .ok_or_else(|| puentes_core::Error::not_found("post"))
    }

    /// A post the caller's actor may see, by id (URL).
    async fn reachable_post(
        &self,
        viewer: &puentes_db::actor::Model,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let post = self.known_post(ap_id).await?;
        if post.deleted_at.is_some() || !self.may_read(Some(viewer), &post).await? {
            return Err(puentes_core::Error::not_found("post"));
        }
        Ok(post)
    }

    /// The posts of `rows` (a key, a post id) that are still there and that `viewer` may
    /// read, each with its key, in the order given.
    async fn readable_posts(
        &self,
        viewer: Option<&puentes_db::actor::Model>,
        rows: Vec<(i64, i64)>,
    ) -> Result<Vec<(i64, puentes_db::post::Model)>> {
        let mut out = Vec::new();
        for (key, post_id) in rows {
            if let Some(post) = query::post::by_id(&self.db, post_id).await?
                && post.deleted_at.is_none()
                && self.may_read(viewer, &post).await?
            {
                out.push((key, post));
            }
        }
        Ok(out)
    }

    /// `as_name` likes a post: its author is told (a Like travels to remote authors).
    pub async fn favourite(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.reachable_post(&acting.actor, ap_id).await?;
        let author = query::actor::get(&self.db, post.author_id).await?;
        let like_id = self.urls.new_activity();
        let txn = self.write().await?;
        if query::favourite::add(&txn, acting.actor.id, post.id, like_id.as_str()).await? {
            if author.local {
                notifications::tell(
                    &txn,
                    &author,
                    NotificationKind::Favourite,
                    &acting.actor,
                    Some(post.id),
                    Some(&post.ap_id),
                )
                .await?;
            } else if let Some(row) =
                query::favourite::between(&txn, acting.actor.id, post.id).await?
            {
                query::outbox::enqueue(
                    &txn,
                    &OutboxEvent::PostLiked {
                        favourite_id: row.id,
                    },
                )
                .await?;
            }
        }
        self.commit(txn).await?;
        Ok(post)
    }

    /// `as_name` stops liking a post.
    pub async fn unfavourite(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.reachable_post(&acting.actor, ap_id).await?;
        let Some(row) = query::favourite::between(&self.db, acting.actor.id, post.id).await? else {
            return Ok(post);
        };
        let author = query::actor::get(&self.db, post.author_id).await?;
        let txn = self.write().await?;
        query::favourite::delete(&txn, row.id).await?;
        if !author.local {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::PostUnliked {
                    actor_id: acting.actor.id,
                    post_id: post.id,
                    like_ap_id: row.like_ap_id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(post)
    }

    /// `as_name` boosts (relays) a public post to its followers; its author is told.
    pub async fn boost(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.reachable_post(&acting.actor, ap_id).await?;
        if !post.is_publicly_readable() {
            return Err(puentes_core::Error::bad_request(
                "only public and unlisted posts can be boosted",
            ));
        }
        let txn = self.write().await?;
        if crate::relay::announce(&txn, &self.urls, &acting.actor, &post).await? {
            notifications::tell_id(
                &txn,
                post.author_id,
                NotificationKind::Reblog,
                &acting.actor,
                Some(post.id),
                Some(&post.ap_id),
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(post)
    }

    /// `as_name` takes back its boost (relay) of a post: its followers get the Undo.
    pub async fn unboost(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.reachable_post(&acting.actor, ap_id).await?;
        let Some(row) = query::relay::announce_of(&self.db, acting.actor.id, &post.ap_id).await?
        else {
            return Ok(post);
        };
        let txn = self.write().await?;
        query::relay::delete_announce(&txn, row.id).await?;
        if let Some(announce_ap_id) = row.activity_ap_id {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::Unannounce {
                    actor_id: acting.actor.id,
                    post_id: post.id,
                    announce_ap_id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(post)
    }
}

/// Bookmarks: posts an actor keeps to read again, private to it (nothing federates).
impl App {
    /// `as_name` keeps a post it may read.
    pub async fn bookmark(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.reachable_post(&acting.actor, ap_id).await?;
        query::bookmark::add(&self.db, acting.actor.id, post.id).await?;
        Ok(post)
    }

    /// `as_name` lets a kept post go; nothing happens when it was not kept.
    pub async fn unbookmark(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.known_post(ap_id).await?;
        query::bookmark::remove(&self.db, acting.actor.id, post.id).await?;
        Ok(post)
    }

    /// `as_name`'s kept posts still there and still readable, newest kept first, each with
    /// its bookmark id (the paging key).
    pub async fn bookmarks(
        &self,
        caller: &Caller,
        as_name: &str,
        range: query::IdRange,
    ) -> Result<Vec<(i64, puentes_db::post::Model)>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let kept = query::bookmark::of(&self.db, acting.actor.id, range).await?;
        self.readable_posts(
            Some(&acting.actor),
            kept.iter().map(|b| (b.id, b.post_id)).collect(),
        )
        .await
    }
}

/// Pins: an actor's own posts shown first on its profile, as Mastodon's (at most five).
impl App {
    /// As many as Mastodon allows.
    pub const MAX_PINS: u64 = 5;

    /// `as_name` pins one of its own posts; another's post, or a sixth, is refused.
    pub async fn pin(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.reachable_post(&acting.actor, ap_id).await?;
        if post.author_id != acting.actor.id {
            return Err(puentes_core::Error::bad_request(
                "Validation failed: Someone else's post cannot be pinned",
            ));
        }
        if !query::pin::between(&self.db, acting.actor.id, post.id).await?
            && query::pin::count(&self.db, acting.actor.id).await? >= Self::MAX_PINS
        {
            return Err(puentes_core::Error::bad_request(
                "Validation failed: You have already pinned the maximum number of posts",
            ));
        }
        query::pin::add(&self.db, acting.actor.id, post.id).await?;
        Ok(post)
    }

    /// `as_name` unpins a post; nothing happens when it was not pinned.
    pub async fn unpin(
        &self,
        caller: &Caller,
        as_name: &str,
        ap_id: &str,
    ) -> Result<puentes_db::post::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let post = self.known_post(ap_id).await?;
        query::pin::remove(&self.db, acting.actor.id, post.id).await?;
        Ok(post)
    }

    /// An actor's pinned posts that `viewer` may read, newest pinned first.
    pub async fn pinned_posts(
        &self,
        viewer: Option<&puentes_db::actor::Model>,
        actor_id: i64,
    ) -> Result<Vec<puentes_db::post::Model>> {
        let pins = query::pin::of(&self.db, actor_id).await?;
        let posts = self
            .readable_posts(viewer, pins.iter().map(|p| (p.id, p.post_id)).collect())
            .await?;
        Ok(posts.into_iter().map(|(_, post)| post).collect())
    }
}
