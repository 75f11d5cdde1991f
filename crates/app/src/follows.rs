//! Following: our actors following others, others following ours (with approval by hand
//! where an actor wants it), and the answers that travel between them.

use crate::{App, Caller, Permission};
use puentes_core::{Error, FollowState, NotificationKind, Result};
use puentes_db::{ConnectionTrait, OutboxEvent, actor, follow, query};

/// What an incoming Accept or Reject of a Follow did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Applied,
    Unknown,
}

impl App {
    /// `as_name` follows the actor at `handle` (ours at once, others by a Follow).
    pub async fn follow(
        &self,
        caller: &Caller,
        as_name: &str,
        handle: &str,
    ) -> Result<follow::Model> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let target = self.resolve(handle).await?;
        self.follow_actor(&acting.actor, &target).await
    }

    /// The follow itself, once the caller is checked and the target known.
    pub(crate) async fn follow_actor(
        &self,
        follower: &actor::Model,
        target: &actor::Model,
    ) -> Result<follow::Model> {
        if target.id == follower.id {
            return Err(Error::bad_request("an actor cannot follow itself"));
        }
        if target.deleted_at.is_some() {
            return Err(Error::gone(format!(
                "{} was deleted",
                target.handle().acct()
            )));
        }
        if let Some(existing) = query::follow::between(&self.db, follower.id, target.id).await? {
            return Ok(existing);
        }
        if query::block::exists(&self.db, follower.id, target.id).await? {
            return Err(Error::conflict(format!(
                "{} blocks {}; unblock first",
                follower.username,
                target.handle().acct()
            )));
        }
        let txn = self.write().await?;
        let row = ensure_follow(&txn, &self.urls, follower, target, false).await?;
        self.commit(txn).await?;
        Ok(row)
    }

    pub async fn unfollow(&self, caller: &Caller, as_name: &str, handle: &str) -> Result<()> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let target = self.resolve(handle).await?;
        let row = query::follow::between(&self.db, acting.actor.id, target.id)
            .await?
            .ok_or_else(|| Error::not_found(format!("{as_name} does not follow {handle}")))?;
        let txn = self.write().await?;
        query::follow::delete(&txn, row.id).await?;
        if !target.local {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::FollowUndone {
                    follower_id: acting.actor.id,
                    followed_id: target.id,
                    follow_ap_id: row.ap_id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// Follow requests waiting for `as_name`'s approval.
    pub async fn pending_followers(
        &self,
        caller: &Caller,
        as_name: &str,
    ) -> Result<Vec<actor::Model>> {
        let acting = self.acting(caller, as_name, Permission::Decide).await?;
        query::follow::followers(&self.db, acting.actor.id, FollowState::Pending).await
    }

    async fn follow_request(
        &self,
        caller: &Caller,
        as_name: &str,
        handle: &str,
    ) -> Result<(actor::Model, actor::Model, follow::Model)> {
        let acting = self.acting(caller, as_name, Permission::Decide).await?;
        let follower = self.resolve(handle).await?;
        let row = query::follow::between(&self.db, follower.id, acting.actor.id)
            .await?
            .ok_or_else(|| Error::not_found(format!("a follow request from {handle}")))?;
        Ok((acting.actor, follower, row))
    }

    pub async fn approve_follower(
        &self,
        caller: &Caller,
        as_name: &str,
        handle: &str,
    ) -> Result<()> {
        let (_, follower, row) = self.follow_request(caller, as_name, handle).await?;
        let txn = self.write().await?;
        let row = query::follow::set_state(&txn, row, FollowState::Accepted).await?;
        if !follower.local {
            query::outbox::enqueue(&txn, &OutboxEvent::FollowAccepted { follow_id: row.id })
                .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// Refuses a request, or removes an accepted follower.
    pub async fn reject_follower(
        &self,
        caller: &Caller,
        as_name: &str,
        handle: &str,
    ) -> Result<()> {
        let (followed, follower, row) = self.follow_request(caller, as_name, handle).await?;
        let txn = self.write().await?;
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
        self.commit(txn).await?;
        Ok(())
    }

    /// Approve followers by hand, or not; the profile's `manuallyApprovesFollowers` follows.
    pub async fn set_manual_approval(
        &self,
        caller: &Caller,
        as_name: &str,
        manual: bool,
    ) -> Result<actor::Model> {
        let acting = self.acting(caller, as_name, Permission::Decide).await?;
        let txn = self.write().await?;
        let actor = query::actor::set_manual_approval(&txn, acting.actor, manual).await?;
        query::outbox::enqueue(&txn, &OutboxEvent::ActorUpdated { actor_id: actor.id }).await?;
        self.commit(txn).await?;
        Ok(actor)
    }

    // The inbox.

    /// A remote actor asks to follow one of ours (`follow_id` is its Follow's id). Blocked
    /// followers are refused; a repeated Follow is answered again.
    pub async fn receive_follow(
        &self,
        from: &Caller,
        target: &actor::Model,
        follow_id: &str,
    ) -> Result<()> {
        let follower = from.remote()?;
        if !target.local || target.deleted_at.is_some() {
            return Err(Error::not_found("that actor"));
        }
        let txn = self.write().await?;
        if query::block::exists(&txn, target.id, follower.id).await? {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::FollowRejected {
                    follower_id: follower.id,
                    followed_id: target.id,
                    follow_ap_id: follow_id.to_string(),
                },
            )
            .await?;
            self.commit(txn).await?;
            return Ok(());
        }
        let row = match query::follow::between(&txn, follower.id, target.id).await? {
            // Mastodon re-sends Follows: refresh the id and answer again.
            Some(existing) => query::follow::set_ap_id(&txn, existing, follow_id).await?,
            None => {
                let state = if target.manually_approves_followers {
                    FollowState::Pending
                } else {
                    FollowState::Accepted
                };
                let row =
                    query::follow::insert(&txn, follow_id, follower.id, target.id, state).await?;
                crate::notifications::tell(&txn, target, follow_kind(state), follower, None, None)
                    .await?;
                row
            }
        };
        if row.state() == FollowState::Accepted {
            query::outbox::enqueue(&txn, &OutboxEvent::FollowAccepted { follow_id: row.id })
                .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// The followed remote actor answers one of our follows: `known` when its Follow's id
    /// named it, else found by the follower it names.
    pub async fn receive_follow_answer(
        &self,
        from: &Caller,
        known: Option<follow::Model>,
        follower_id: Option<&str>,
        accepted: bool,
    ) -> Result<Answered> {
        let followed = from.remote()?;
        let mut row = known;
        if row.as_ref().is_some_and(|r| r.followed_id != followed.id) {
            return Err(Error::forbidden("only the followed actor answers a follow"));
        }
        if row.is_none()
            && let Some(follower_id) = follower_id
            && let Some(follower) = query::actor::by_ap_id(&self.db, follower_id).await?
        {
            row = query::follow::between(&self.db, follower.id, followed.id).await?;
        }
        let Some(row) = row else {
            return Ok(Answered::Unknown);
        };
        if accepted {
            query::follow::set_state(&self.db, row, FollowState::Accepted).await?;
        } else {
            query::follow::delete(&self.db, row.id).await?;
        }
        Ok(Answered::Applied)
    }

    /// The remote follower stops following: by the Follow's id, else the followed actor.
    pub async fn receive_unfollow(
        &self,
        from: &Caller,
        follow_id: Option<&str>,
        followed_id: Option<&str>,
    ) -> Result<Answered> {
        let follower = from.remote()?;
        let mut row = match follow_id {
            Some(id) => query::follow::by_ap_id(&self.db, id).await?,
            None => None,
        };
        if row.is_none()
            && let Some(target) = followed_id
            && let Some(target) = query::actor::by_ap_id(&self.db, target).await?
        {
            row = query::follow::between(&self.db, follower.id, target.id).await?;
        }
        match row {
            Some(row) if row.follower_id == follower.id => {
                query::follow::delete(&self.db, row.id).await?;
                Ok(Answered::Applied)
            }
            Some(_) => Err(Error::forbidden("only the follower can undo a follow")),
            None => Ok(Answered::Unknown),
        }
    }
}

/// Follows `followed` unless already. Ours is decided at once: accepted unless it approves
/// followers by hand (`admitted` says it already agreed, as an alliance admitting a member
/// does); others get a Follow. Used by commands and by alliance admissions.
pub(crate) async fn ensure_follow(
    db: &impl ConnectionTrait,
    urls: &puentes_core::urls::Urls,
    follower: &actor::Model,
    followed: &actor::Model,
    admitted: bool,
) -> Result<follow::Model> {
    if let Some(existing) = query::follow::between(db, follower.id, followed.id).await? {
        return Ok(existing);
    }
    let state = if followed.local && (admitted || !followed.manually_approves_followers) {
        FollowState::Accepted
    } else {
        FollowState::Pending
    };
    let row = query::follow::insert(
        db,
        urls.new_activity().as_str(),
        follower.id,
        followed.id,
        state,
    )
    .await?;
    if followed.local {
        crate::notifications::tell(db, followed, follow_kind(state), follower, None, None).await?;
    } else {
        query::outbox::enqueue(db, &OutboxEvent::FollowRequested { follow_id: row.id }).await?;
    }
    Ok(row)
}

/// A new follower is told as a follow, or as a request waiting for approval.
fn follow_kind(state: FollowState) -> NotificationKind {
    match state {
        FollowState::Accepted => NotificationKind::Follow,
        FollowState::Pending => NotificationKind::FollowRequest,
    }
}

/// What "follow from elsewhere" found for a visitor's handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteFollow {
    /// Send the visitor here, where their own server asks them to confirm.
    Go(url::Url),
    /// Their server offers no follow page: they search for the handle in their app.
    NoTemplate,
}

impl App {
    /// Where a visitor with `visitor_handle` (on any server, ours included) confirms
    /// following our actor `name`: their server's subscribe page for its id.
    pub async fn remote_follow(&self, visitor_handle: &str, name: &str) -> Result<RemoteFollow> {
        let target = query::actor::local_by_name_required(&self.db, name).await?;
        let handle = puentes_core::handle::Handle::parse(visitor_handle)?;
        let template = if handle.domain == self.config.domain.to_lowercase() {
            query::actor::local_by_name_required(&self.db, &handle.name).await?;
            Some(format!(
                "{}/authorize_interaction?uri={{uri}}",
                self.urls.base()
            ))
        } else {
            self.network().subscribe_template(&handle).await?
        };
        let Some(template) = template.filter(|t| t.contains("{uri}")) else {
            return Ok(RemoteFollow::NoTemplate);
        };
        let uri: String = url::form_urlencoded::byte_serialize(target.ap_id.as_bytes()).collect();
        // Only a web page of theirs: a template naming another scheme is not followed.
        match url::Url::parse(&template.replace("{uri}", &uri)) {
            Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(RemoteFollow::Go(url)),
            _ => Ok(RemoteFollow::NoTemplate),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::testing::TestApp;
    use puentes_core::{ActorKind, FollowState};
    use puentes_db::query;

    /// The one statement a fan-out reads its inboxes with keeps every rule the outbox used to
    /// apply follower by follower.
    #[tokio::test]
    async fn a_fan_out_reaches_each_shared_inbox_once_and_no_blocked_follower() {
        for app in TestApp::all().await {
            let ong = app.actor("ong", ActorKind::Organization).await;
            let shared = Some("http://big.example/inbox");
            let followers = [
                app.remote_at("ana", ActorKind::Person, "big.example", shared)
                    .await,
                app.remote_at("ben", ActorKind::Person, "big.example", shared)
                    .await,
                app.remote_at("cai", ActorKind::Person, "small.example", None)
                    .await,
                app.remote_at("troll", ActorKind::Person, "small.example", None)
                    .await,
                app.remote_at("spam", ActorKind::Person, "spam.example", None)
                    .await,
                app.actor("vecina", ActorKind::Organization).await,
            ];
            for follower in &followers {
                let id = format!("{}/follows/ong", follower.ap_id);
                query::follow::insert(&app.db, &id, follower.id, ong.id, FollowState::Accepted)
                    .await
                    .unwrap();
            }
            let waiting = app
                .remote_at("dee", ActorKind::Person, "small.example", None)
                .await;
            query::follow::insert(
                &app.db,
                "http://x/f",
                waiting.id,
                ong.id,
                FollowState::Pending,
            )
            .await
            .unwrap();
            // Blocks whose follows have not been ended (yet): the fan-out still leaves them out.
            query::block::insert(&app.db, ong.id, followers[3].id)
                .await
                .unwrap();
            query::instance::set_blocked(&app.db, "spam.example", true, None)
                .await
                .unwrap();
            let other = app.actor("otra", ActorKind::Organization).await;
            query::block::insert(&app.db, other.id, followers[2].id)
                .await
                .unwrap();

            let inboxes = query::follow::remote_follower_inboxes(&app.db, ong.id)
                .await
                .unwrap();
            assert_eq!(
                inboxes,
                vec![
                    (shared.map(str::to_string), followers[0].inbox.clone()),
                    (shared.map(str::to_string), followers[1].inbox.clone()),
                    (None, followers[2].inbox.clone()),
                ]
            );
            app.close().await;
        }
    }
}
